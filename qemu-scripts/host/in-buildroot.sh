#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run a command inside the trixie build root (guest kernel headers, gcc-14,
# liburing), with the repository bind-mounted at /src. A private mount
# namespace makes sure no mount outlives the command.
#
#   qemu-scripts/host/in-buildroot.sh make -C /src/selftests
#
# With KSRC=DIR (a Linux tree, 'make kernel KSRC=DIR'), the tree is mounted
# read-only at /linux and its build directory at /kbuild: KDIR and KSFT_DIR
# then point there instead of at the Debian kernel's headers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
load_kernel_env
[ -f "${BUILDROOT:-}/.svmdemo-ready" ] || die "no build root: run 'make deps' first"
[ $# -gt 0 ] || die "usage: $0 command [args...]"

if [ "${SVMDEMO_IN_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || die "entering the build root needs root (chroot, mount namespace)"
	exec env SVMDEMO_IN_NS=1 unshare --mount --propagation private "$0" "$@"
fi

bind() {
	mkdir -p "$2"
	mount --bind "$1" "$2"
}

bind "$SVMDEMO_TOP" "$BUILDROOT/src"
mkdir -p "$SVMDEMO_CACHE/tools"
bind "$SVMDEMO_CACHE/tools" "$BUILDROOT/tools"
[ -d "${KSFT_ROOT:-}" ] && bind "$KSFT_ROOT" "$BUILDROOT/ksrc"
kdir=/usr/src/linux-headers-$KABI
ksft=/ksrc/tools/testing/selftests
if [ -n "${KSRC:-}" ]; then
	kbuild=$(kernel_build_dir)
	mkdir -p "$kbuild"
	bind "$(cd "$KSRC" && pwd -P)" "$BUILDROOT/linux"
	mount -o remount,bind,ro "$BUILDROOT/linux"
	bind "$kbuild" "$BUILDROOT/kbuild"
	kdir=/kbuild
	ksft=/linux/tools/testing/selftests
fi
mount -t proc proc "$BUILDROOT/proc"
mount --bind /dev "$BUILDROOT/dev"
exec chroot "$BUILDROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LANG=C.UTF-8 KABI="$KABI" TERM=dumb \
	KDIR="$kdir" KSFT_DIR="$ksft" "$@"
