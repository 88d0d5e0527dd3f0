#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest initramfs: busybox-static, our /init, the driver module
# and the statically linked selftests, set up to run one MODE
# (check, demo, bench, shell).
#
#   qemu-scripts/host/mkinitramfs.sh MODE OUTPUT.cpio
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || die "usage: $0 MODE OUTPUT.cpio"
mode=$1 out=$2
build=$SVMDEMO_TOP/build
[ -x /bin/busybox ] && dpkg-query -W busybox-static >/dev/null 2>&1 ||
	die "no static busybox: install busybox-static ('make deps')"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,mnt,etc/svmdemo,lib/modules,selftests,usr/bin,usr/share/svmdemo}
cp /bin/busybox "$stage/bin/busybox"
install -m 755 "$SVMDEMO_TOP/qemu-scripts/guest/init" "$stage/init"
install -m 755 "$SVMDEMO_TOP/qemu-scripts/guest/run_tests.sh" "$stage/selftests/"
install -m 644 "$SVMDEMO_TOP/selftests/settings" "$stage/selftests/"
for f in "$SVMDEMO_TOP"/qemu-scripts/guest/*.sh; do
	install -m 755 "$f" "$stage/usr/share/svmdemo/"
done
echo "$mode" >"$stage/etc/svmdemo/mode"
echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >>"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
# A dynamically linked host tool with the libraries it needs.
copy_with_libs() {
	local f
	for f in "$1" $(ldd "$1" | grep -o '/[^ ]*'); do
		mkdir -p "$stage$(dirname "$f")"
		cp -L "$f" "$stage$f"
	done
}
# lspci -vvv in the guest shows the device's ATS/PASID/PRI state.
if [ -x /usr/bin/lspci ]; then
	copy_with_libs /usr/bin/lspci
	for f in /usr/share/misc/pci.ids /usr/share/hwdata/pci.ids; do
		[ -f "$f" ] && { mkdir -p "$stage$(dirname "$f")"; cp -L "$f" "$stage$f"; }
	done
fi
[ -f "$SVMDEMO_TOP/svmdemo.ko" ] && cp "$SVMDEMO_TOP/svmdemo.ko" "$stage/lib/modules/"
# Guest kernel modules from 'make deps' (zram: swap for the fault storm
# tests), only for the kernel they were taken from (not with KERNEL= or
# KSRC=: a kernel built by 'make kernel' has zram built in).
if [ -z "${KERNEL:-}" ] && [ -z "${KSRC:-}" ] &&
   [ -f "$SVMDEMO_CACHE/kernel.env" ]; then
	load_kernel_env
	if [ -d "$KDIR_ROOT/modules" ]; then
		mkdir -p "$stage/lib/modules/extra"
		cp "$KDIR_ROOT"/modules/*.ko "$stage/lib/modules/extra/"
	fi
fi
# Time limits of a slow (debug) kernel: SVMDEMO_SLOW times the usual.
echo "${SVMDEMO_SLOW:-1}" >"$stage/etc/svmdemo/slow"
# make stress: how much longer the stress versions of the tests run.
[ -n "${SVMDEMO_STRESS:-}" ] && echo "$SVMDEMO_STRESS" >"$stage/etc/svmdemo/stress"
# SVMDEMO_SEED=N: the seeded tests replay that run (docs/reliability.md).
[ -n "${SVMDEMO_SEED:-}" ] && echo "$SVMDEMO_SEED" >"$stage/etc/svmdemo/seed"
if [ -d "$build/selftests" ]; then
	cp -a "$build/selftests/." "$stage/selftests/"
fi
# svm_fail_nth needs a kernel with fault injection (KCONFIG=debug): the
# guest kernel's config says whether to run it.
kconfig=
if [ -n "${KSRC:-}" ]; then
	kconfig=$(kernel_build_dir)/.config
elif [ -z "${KERNEL:-}" ]; then
	load_kernel_env
	kconfig=$KDIR_ROOT/config
fi
if [ -f "$stage/selftests/list" ] &&
   ! grep -qx CONFIG_FAULT_INJECTION=y "$kconfig" 2>/dev/null; then
	sed -i '/^svm_fail_nth\b/d' "$stage/selftests/list"
fi
# TESTS="svm_data svm_isolation" runs only these binaries, each with
# TEST_ARGS (kselftest harness options, e.g. "-r svm.noop_completes").
if [ -n "${TESTS:-}" ]; then
	: >"$stage/selftests/list"
	for t in $TESTS; do
		[ -x "$stage/selftests/$t" ] || die "no selftest named $t"
		echo "$t ${TEST_ARGS:-}" >>"$stage/selftests/list"
	done
fi
# One newc cpio entry (name, mode, rdev major and minor; no data).
cpio_entry() {
	local name=$1 n=$((${#1} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 "$2" 0 0 1 0 0 0 0 "$3" "$4" "$n" 0
	printf '%s\0' "$name"
	# The 110-byte header and the name are padded to 4 bytes.
	head -c $(((4 - (110 + n) % 4) % 4)) /dev/zero
}

# The console and /dev/null the kernel opens for /init, as a second
# archive: creating device nodes needs a privilege a user does not have
# in the root's user namespace.
device_nodes() {
	cpio_entry dev/console $((0020600)) 5 1
	cpio_entry dev/null $((0020666)) 1 3
	cpio_entry TRAILER!!! 0 0 0
}

{ (cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet)
  device_nodes; } >"$out.tmp"
mv "$out.tmp" "$out"
