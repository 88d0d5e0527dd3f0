#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make kernel KSRC=DIR [KCONFIG=debug]: build a guest kernel from a Linux
# source tree (7.0 or later), out of tree, in the build root:
#   allnoconfig + qemu-scripts/kernel/vm.config (+ debug.config), then
#   bzImage and modules in $SVMDEMO_CACHE/kbuild/<tree>-<flavour>-<key>.
# Nothing is written into DIR. The build directory is kept: a rebuild
# after touching a file only rebuilds what changed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
load_kernel_env
[ -n "${KSRC:-}" ] || die "usage: make kernel KSRC=/path/to/linux [KCONFIG=debug]"
[ -f "$KSRC/Makefile" ] && [ -d "$KSRC/drivers/iommu" ] ||
	die "KSRC=$KSRC is not a Linux source tree"
# Kbuild refuses an out-of-tree build next to an in-tree one, and cleaning
# the tree is not ours to do.
[ ! -e "$KSRC/.config" ] && [ ! -e "$KSRC/include/config" ] ||
	die "$KSRC has an in-tree build (.config): run 'make mrproper' there first"

flavour=$(kconfig_flavour)
kbuild=$(kernel_build_dir)
mkdir -p "$kbuild"
mapfile -t fragments < <(kconfig_fragments "$flavour")
stamp=$(cat "${fragments[@]}" | sha256sum | cut -c1-16)
rel=()
for f in "${fragments[@]}"; do rel+=("/src/${f#"$SVMDEMO_TOP"/}"); done
ver=$(awk '/^VERSION =/ { v = $3 } /^PATCHLEVEL =/ { p = $3 }
	/^SUBLEVEL =/ { s = $3 } END { print v "." p "." s }' "$KSRC/Makefile")
step "building Linux $ver from $KSRC ($flavour) in $kbuild"

run() {
	"$SVMDEMO_TOP/qemu-scripts/host/in-buildroot.sh" "$@"
}

if [ "$(cat "$kbuild/.svmdemo-config" 2>/dev/null)" != "$stamp" ]; then
	echo "    configuring: allnoconfig + ${fragments[*]##*/}"
	run sh -euc '
		make -s -C /linux O=/kbuild ARCH=x86_64 allnoconfig
		/linux/scripts/kconfig/merge_config.sh -m -O /kbuild \
			/kbuild/.config "$@" >/kbuild/merge_config.log
		make -s -C /linux O=/kbuild ARCH=x86_64 olddefconfig
	' sh "${rel[@]}" >"$kbuild/config.log" 2>&1 ||
		die "configuring the kernel failed (see $kbuild/config.log)"
	# Every option the fragments ask for must have made it.
	missing=$(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=\(.*\)$/\1=\2/p' "${fragments[@]}" |
		while read -r want; do
			grep -qx "$want" "$kbuild/.config" || echo "$want"
		done)
	[ -z "$missing" ] ||
		die "options the config fragments ask for are not set: $(echo $missing)"
	echo "$stamp" >"$kbuild/.svmdemo-config"
fi

start=$(date +%s)
run sh -c 'make -s -C /linux O=/kbuild ARCH=x86_64 -j"$(nproc)" bzImage modules' \
	>"$kbuild/build.log" 2>&1 ||
	{ tail -n 30 "$kbuild/build.log" >&2; die "the kernel build failed (see $kbuild/build.log)"; }
echo "    $kbuild/arch/x86/boot/bzImage ($(( $(date +%s) - start ))s)"
