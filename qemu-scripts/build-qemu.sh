#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make qemu: Debian's QEMU source + our VT-d SVM series (patches/) + the
# svmdemo device (device/) -> a minimal TCG qemu-system-x86_64, cached.
#
# The patched tree is keyed on the source version and the patch series; the
# device files are synced into it on every run, so ninja rebuilds only what
# changed and an unchanged tree is a no-op.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PATCHES=$SVMDEMO_TOP/qemu-scripts/patches
DEVICE=$SVMDEMO_TOP/qemu-scripts/device
CONFIGURE_FLAGS="--target-list=x86_64-softmmu --python=/usr/bin/python3
--without-default-features --enable-tcg --enable-trace-backends=log
--disable-docs --disable-werror --disable-download --disable-install-blobs"

src=$(cat "$SVMDEMO_CACHE/qemu-src/current" 2>/dev/null) ||
	die "no QEMU source yet: run 'make deps' first"
ver=$(cat "$SVMDEMO_CACHE/qemu-src/version")

# Does this source already carry VT-d SVM (a future upstream)? Then only
# the device is added.
has_upstream_svm() {
	grep -q 'DEFINE_PROP_BOOL("svm"' "$src/hw/i386/intel_iommu.c"
}

series_files() {
	has_upstream_svm && return
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series"
}

key=$( { echo "$ver $CONFIGURE_FLAGS"; for p in $(series_files); do
	cat "$PATCHES/$p"; done; } | sha256sum | cut -c1-16)
work=$SVMDEMO_CACHE/qemu/$key

# Hook our device directory (hw/svmdemo) into QEMU's Kconfig, meson and
# trace-event lists.
add_device_glue() {
	local t=$1
	grep -q "subdir('svmdemo')" "$t/hw/meson.build" ||
		echo "subdir('svmdemo')" >>"$t/hw/meson.build"
	grep -q 'source svmdemo/Kconfig' "$t/hw/Kconfig" ||
		echo 'source svmdemo/Kconfig' >>"$t/hw/Kconfig"
	grep -q "'hw/svmdemo'," "$t/meson.build" ||
		sed -i "s|^    'hw/misc',$|    'hw/misc',\n    'hw/svmdemo',|" "$t/meson.build"
	grep -q "'hw/svmdemo'," "$t/meson.build" ||
		die "could not add hw/svmdemo to QEMU's trace_events_subdirs"
}

prepare_tree() {
	local p
	step "preparing QEMU $ver with the VT-d SVM series ($work)"
	rm -rf "$work" && mkdir -p "$work"
	cp -a "$src" "$work/src"
	if has_upstream_svm; then
		echo "    this QEMU already has intel-iommu 'svm': our VT-d series is skipped"
	fi
	for p in $(series_files); do
		echo "    applying $p"
		patch -d "$work/src" -p1 --no-backup-if-mismatch -s <"$PATCHES/$p" ||
			die "patch $p does not apply to QEMU $ver"
	done
}

# The hardware interface header is shared with the driver, which wants
# tabs; QEMU wants none: the QEMU copy has them expanded.
sync_hw_header() {
	local dst=$work/src/include/hw/misc/svmdemo_hw.h
	expand -t 8 "$SVMDEMO_TOP/hw/svmdemo_hw.h" >"$dst.new"
	if cmp -s "$dst.new" "$dst"; then rm -f "$dst.new"; else mv "$dst.new" "$dst"; fi
}

sync_device() {
	local f
	[ -f "$DEVICE/meson.build" ] || return 0
	mkdir -p "$work/src/hw/svmdemo"
	for f in "$DEVICE"/*; do
		cmp -s "$f" "$work/src/hw/svmdemo/$(basename "$f")" ||
			cp "$f" "$work/src/hw/svmdemo/"
	done
	sync_hw_header
	add_device_glue "$work/src"
}

configure_tree() {
	step "configuring QEMU (x86_64-softmmu, TCG only)"
	mkdir -p "$work/build"
	# shellcheck disable=SC2086
	(cd "$work/build" && ../src/configure $CONFIGURE_FLAGS) \
		>"$work/configure.log" 2>&1 ||
		die "QEMU configure failed (see $work/configure.log)"
	touch "$work/.configured"
}

[ -f "$work/.prepared" ] || { prepare_tree; touch "$work/.prepared"; }
sync_device
[ -f "$work/.configured" ] || configure_tree
step "building qemu-system-x86_64"
ninja -C "$work/build" qemu-system-x86_64 >"$work/build.log" 2>&1 ||
	{ tail -n 30 "$work/build.log" >&2; die "QEMU build failed (see $work/build.log)"; }
ln -sfn "$work/build/qemu-system-x86_64" "$SVMDEMO_CACHE/qemu-system-x86_64"
echo "    $SVMDEMO_CACHE/qemu-system-x86_64 -> $work/build/qemu-system-x86_64"
