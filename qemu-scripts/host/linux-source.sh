#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian's Linux source of the guest kernel's series (linux-source-7.x of
# trixie-backports, the version the guest runs), for 'make kernel KSRC=':
#
#   qemu-scripts/host/linux-source.sh            the pristine tree
#   qemu-scripts/host/linux-source.sh --patched  the same with patches/linux/
#
# Extracted once into $SVMDEMO_CACHE/linux/; prints the tree's path on
# stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# Only the path goes to stdout.
exec 3>&1 1>&2
load_kernel_env
apt_local_setup

patched=0
[ "${1:-}" = --patched ] && patched=1
v=$(pkg_version_in "linux-source-$KSERIES" trixie-backports)
[ -n "$v" ] || die "linux-source-$KSERIES not found in trixie-backports"
patches=("$SVMDEMO_TOP"/patches/linux/*.patch)
[ -e "${patches[0]}" ] || patches=()
name=linux-source-$KSERIES-$(echo "$v" | tr "~+:" "---")
[ "$patched" = 1 ] && name+=-patched
dst=$SVMDEMO_CACHE/linux/$name
applied=$dst/.svmdemo-applied

extract() {
	local deb
	deb=$(fetch_deb "linux-source-$KSERIES=$v")
	step "extracting $name"
	rm -rf "$dst" && mkdir -p "$dst"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/linux-source-$KSERIES.tar.xz" |
		tar -xJ -C "$dst" --strip-components=1 ||
		die "could not extract $deb"
	touch "$dst/.svmdemo-ready"
}

# The patched tree stays in one place when patches/linux/ changes: the
# old set is taken out and the new one put in, which touches only the
# files they change, so the kernel build directory of the tree (keyed
# on its path) rebuilds only what they touch.
repatch() {
	local p
	if [ -d "$applied" ]; then
		for p in $(ls -r "$applied"/*.patch 2>/dev/null); do
			patch -d "$dst" -p1 -R -s --no-backup-if-mismatch <"$p" ||
				return 1
		done
		rm -rf "$applied"
	fi
	mkdir -p "$applied"
	for p in "${patches[@]}"; do
		echo "    applying $(basename "$p")"
		patch -d "$dst" -p1 -s --no-backup-if-mismatch <"$p" ||
			die "$(basename "$p") does not apply to $name"
		cp "$p" "$applied/"
	done
}

[ -f "$dst/.svmdemo-ready" ] || extract
if [ "$patched" = 1 ]; then
	want=$(cat "${patches[@]}" /dev/null | sha256sum | cut -c1-16)
	if [ "$(cat "$applied/.set" 2>/dev/null)" != "$want" ]; then
		step "applying patches/linux/ to $name"
		repatch || { extract && repatch; }
		echo "$want" >"$applied/.set"
	fi
fi
echo "$dst" >&3
