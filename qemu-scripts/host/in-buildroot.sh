#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run a command in the project's Debian root (root.sh: guest kernel
# headers, gcc-14, liburing) with the fixed paths the kbuild and selftest
# makefiles use: the repository at /src, the kselftest headers at /ksrc,
# the cache's tools at /tools. A private mount namespace makes sure no
# mount outlives the command; the environment is a clean one.
#
#   qemu-scripts/host/in-buildroot.sh make -C /src/selftests
#
# With KSRC=DIR (a Linux tree, 'make kernel KSRC=DIR'), the tree is mounted
# read-only at /linux and its build directory at /kbuild: KDIR and KSFT_DIR
# then point there instead of at the Debian kernel's headers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
load_kernel_env
[ $# -gt 0 ] || die "usage: $0 command [args...]"

if [ "${SVMDEMO_IN_NS:-}" != 1 ]; then
	exec env SVMDEMO_IN_NS=1 unshare --mount --propagation private "$0" "$@"
fi

bind() {
	mkdir -p "$2"
	mount --bind "$1" "$2"
}

bind "$SVMDEMO_TOP" /src
mkdir -p "$SVMDEMO_CACHE/tools"
bind "$SVMDEMO_CACHE/tools" /tools
[ -d "${KSFT_ROOT:-}" ] && bind "$KSFT_ROOT" /ksrc
kdir=/usr/src/linux-headers-$KABI
ksft=/ksrc/tools/testing/selftests
if [ -n "${KSRC:-}" ]; then
	kbuild=$(kernel_build_dir)
	mkdir -p "$kbuild"
	bind "$(cd "$KSRC" && pwd -P)" /linux
	mount -o remount,bind,ro /linux
	bind "$kbuild" /kbuild
	kdir=/kbuild
	ksft=/linux/tools/testing/selftests
fi
exec /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LANG=C.UTF-8 KABI="$KABI" TERM=dumb \
	KDIR="$kdir" KSFT_DIR="$ksft" "$@"
