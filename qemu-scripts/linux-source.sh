#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian's Linux source of the guest kernel's series (linux-source-7.x of
# trixie-backports, the version the guest runs), for 'make kernel KSRC=':
#
#   qemu-scripts/linux-source.sh            the pristine tree
#   qemu-scripts/linux-source.sh --patched  the same with patches/linux/
#
# Extracted once into $SVMDEMO_CACHE/linux/ (the patched tree keyed on the
# patches); prints the tree's path on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
load_kernel_env
apt_local_setup

patched=0
[ "${1:-}" = --patched ] && patched=1
v=$(pkg_version_in "linux-source-$KSERIES" trixie-backports)
[ -n "$v" ] || die "linux-source-$KSERIES not found in trixie-backports"
patches=("$SVMDEMO_TOP"/patches/linux/*.patch)
[ -e "${patches[0]}" ] || patches=()
name=linux-source-$KSERIES-$(echo "$v" | tr "~+:" "---")
if [ "$patched" = 1 ]; then
	name+=-patched-$(cat "${patches[@]}" /dev/null | sha256sum | cut -c1-12)
fi
dst=$SVMDEMO_CACHE/linux/$name
if [ ! -f "$dst/.svmdemo-ready" ]; then
	deb=$(fetch_deb "linux-source-$KSERIES=$v")
	step "extracting $name" >&2
	rm -rf "$dst" && mkdir -p "$dst"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/linux-source-$KSERIES.tar.xz" |
		tar -xJ -C "$dst" --strip-components=1 ||
		die "could not extract $deb"
	if [ "$patched" = 1 ]; then
		for p in "${patches[@]}"; do
			echo "    applying $(basename "$p")" >&2
			patch -d "$dst" -p1 -s --no-backup-if-mismatch <"$p" ||
				die "$(basename "$p") does not apply to $name"
		done
	fi
	touch "$dst/.svmdemo-ready"
fi
echo "$dst"
