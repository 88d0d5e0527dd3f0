#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run a command inside the trixie build root (guest kernel headers, gcc-14,
# liburing), with the repository bind-mounted at /src. A private mount
# namespace makes sure no mount outlives the command.
#
#   qemu-scripts/in-buildroot.sh make -C /src/selftests
set -euo pipefail
. "$(dirname "$0")/lib.sh"
load_kernel_env
[ -f "${BUILDROOT:-}/.svmdemo-ready" ] || die "no build root: run 'make deps' first"
[ $# -gt 0 ] || die "usage: $0 command [args...]"

if [ "${SVMDEMO_IN_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || die "entering the build root needs root (chroot, mount namespace)"
	exec env SVMDEMO_IN_NS=1 unshare --mount --propagation private "$0" "$@"
fi

mkdir -p "$BUILDROOT/src"
mount --bind "$SVMDEMO_TOP" "$BUILDROOT/src"
mkdir -p "$BUILDROOT/tools" "$SVMDEMO_CACHE/tools"
mount --bind "$SVMDEMO_CACHE/tools" "$BUILDROOT/tools"
mkdir -p "$BUILDROOT/ksrc"
[ -d "${KSRC:-}" ] && mount --bind "$KSRC" "$BUILDROOT/ksrc"
mount -t proc proc "$BUILDROOT/proc"
mount --bind /dev "$BUILDROOT/dev"
exec chroot "$BUILDROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LANG=C.UTF-8 KABI="$KABI" TERM=dumb \
	KDIR="/usr/src/linux-headers-$KABI" \
	KSFT_DIR=/ksrc/tools/testing/selftests "$@"
