#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make qemu-series: our whole QEMU series, as git am takes it, onto
# Debian's QEMU 10.2.2 source:
#   - the VT-d patches of patches/qemu/ (their order: patches/qemu/series);
#   - generated from the sources we edit in this repository:
#     the svmdemo device (qemu-scripts/device/ -> hw/misc/ and
#     include/hw/misc/, with hw/svmdemo_hw.h's tabs expanded), its unit
#     test (tests/unit/) and its qtests (qemu-scripts/qtest/ ->
#     tests/qtest/), each with its commit message from patches/qemu/*.msg;
#   - a cover letter from patches/qemu/cover-letter.txt.
# The series goes to OUT (default build/qemu-series), one file per patch;
# build-qemu.sh builds exactly this series. A QEMU that already has
# intel-iommu's svm property (a future upstream) gets the device and its
# tests only.
#
#   qemu-scripts/host/qemu-series.sh [OUT]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-$SVMDEMO_TOP/build/qemu-series}
P=$SVMDEMO_TOP/patches/qemu
D=$SVMDEMO_TOP/qemu-scripts/device
Q=$SVMDEMO_TOP/qemu-scripts/qtest
src=$(cat "$SVMDEMO_CACHE/qemu-src/current" 2>/dev/null) ||
	die "no QEMU source yet: run 'make deps' first"
ver=$(cat "$SVMDEMO_CACHE/qemu-src/version")

# The series of the same inputs is generated once: a warm build only
# copies it (the generation takes seconds of git work).
key=$( { echo "$ver"; cat "$0" "$SVMDEMO_TOP/hw/svmdemo_hw.h" "$P"/* "$D"/* \
	"$Q"/*; } | sha256sum | cut -c1-16)
stash=$SVMDEMO_CACHE/qemu-series/$key
# One at a time: the repository and the stash are shared (make lint, make qemu).
exec 9>"$SVMDEMO_CACHE/.qemu-series.lock"
flock 9
if [ -f "$stash/.done" ]; then
	rm -rf "$out" && mkdir -p "$out"
	cp "$stash"/*.patch "$out/"
	echo "$out"
	exit 0
fi

git_() { git -C "$repo" -c user.name="svmdemo developers" \
	-c user.email=dev@svmdemo.invalid -c core.autocrlf=false "$@"; }

# A git repository of the pristine source, made once per version.
repo=$SVMDEMO_CACHE/qemu-git/${ver#*:}
# The mark lives in .git/: in the work tree, "git add -A" would commit it.
if [ ! -f "$repo/.git/svmdemo-ready" ]; then
	step "making a git repository of QEMU $ver (once)" >&2
	rm -rf "$repo" && mkdir -p "$(dirname "$repo")"
	cp -a "$src" "$repo"
	git_ init -q
	git_ add -f -A
	git_ commit -q -m "QEMU $ver (Debian source)"
	git_ tag base
	touch "$repo/.git/svmdemo-ready"
fi
git_ checkout -q -f --detach base
git_ clean -q -f -d -x

# 1. The VT-d patches, unless this QEMU has VT-d SVM already.
vtd_patches() {
	grep -q 'DEFINE_PROP_BOOL("svm"' "$repo/hw/i386/intel_iommu.c" && return
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$P/series"
}
for p in $(vtd_patches); do
	git_ am -q --keep-cr "$P/$p" >/dev/null 2>&1 || {
		git_ am --abort >/dev/null 2>&1
		die "$p does not apply to QEMU $ver"
	}
done
git_ tag -f vtd >/dev/null

# Commit what changed under @msg (the first line is the subject).
commit() {
	git_ add -A
	git_ commit -q -F "$1"
}

# 2. The device: its sources into hw/misc/, headers into include/hw/misc/,
# its Kconfig, meson and trace-events lines appended to hw/misc's.
for f in "$D"/svmdemo*.c; do cp "$f" "$repo/hw/misc/"; done
for f in "$D"/svmdemo*.h; do cp "$f" "$repo/include/hw/misc/"; done
# The shared header as QEMU gets it: its kernel half taken out, the way
# Linux exports uapi headers (unifdef -U__KERNEL__), tabs expanded.
awk '/^#ifdef __KERNEL__$/ { skip = 1; n++; next }
     skip == 1 && /^#else$/ { skip = 2; next }
     skip == 2 && /^#endif$/ { skip = 0; next }
     skip != 1 { print }
     END { if (n != 1) exit 1 }' "$SVMDEMO_TOP/hw/svmdemo_hw.h" |
	expand -t 8 >"$repo/include/hw/misc/svmdemo_hw.h" ||
	die "hw/svmdemo_hw.h: expected one #ifdef __KERNEL__ ... #else ... #endif"
# Its section in MAINTAINERS, after EDU's.
maintainers_add() {
	awk -v add="$1" '{ print } /^F: docs\/specs\/edu.rst$/ && !done {
		print ""; printf "%s", add; done = 1 }
		END { if (!done) exit 1 }' "$repo/MAINTAINERS" >"$repo/MAINTAINERS.new" &&
		mv "$repo/MAINTAINERS.new" "$repo/MAINTAINERS" ||
		die "could not add the svmdemo section to MAINTAINERS"
}
maintainers_add "$(printf '%s\n' 'svmdemo (PCIe device with ATS, PASID and PRI)' \
	'M: svmdemo developers <dev@svmdemo.invalid>' 'S: Maintained' \
	'F: hw/misc/svmdemo*' 'F: include/hw/misc/svmdemo*')
"
# A file of a later patch, in that section.
maintainers_file() {
	sed -i "s|^F: include/hw/misc/svmdemo\*\$|&\\nF: $1|" "$repo/MAINTAINERS"
	grep -qx "F: $1" "$repo/MAINTAINERS" ||
		die "could not add $1 to MAINTAINERS"
}
{ echo; cat "$D/Kconfig"; } >>"$repo/hw/misc/Kconfig"
{ echo; cat "$D/meson.build"; } >>"$repo/hw/misc/meson.build"
{ echo; echo "# svmdemo*.c"; grep -v '^#' "$D/trace-events" | sed '/^$/d'; } \
	>>"$repo/hw/misc/trace-events"
commit "$P/device.msg"

# 3. The ATC's unit test, built when the device is.
cp "$D/test-svmdemo-atc.c" "$repo/tests/unit/"
maintainers_file tests/unit/test-svmdemo-atc.c
awk '/^foreach test_name, extra: tests/ && !done {
	print "if config_all_devices.has_key('"'CONFIG_SVMDEMO'"')"
	print "  tests += {'"'test-svmdemo-atc'"': [files('"'../../hw/misc/svmdemo-atc.c'"')]}"
	print "endif"
	print ""
	done = 1
} { print }' "$repo/tests/unit/meson.build" >"$repo/tests/unit/meson.build.new"
mv "$repo/tests/unit/meson.build.new" "$repo/tests/unit/meson.build"
commit "$P/unit-test.msg"

# 4. The qtests, for x86_64 with the device and intel-iommu.
if [ -f "$Q/svmdemo-test.c" ]; then
	cp "$Q/svmdemo-test.c" "$repo/tests/qtest/"
	maintainers_file tests/qtest/svmdemo-test.c
	awk '{ print }
	/^qtests_x86_64 = qtests_i386$/ {
		print "qtests_x86_64 += \\"
		print "  (config_all_devices.has_key('"'CONFIG_SVMDEMO'"') and"
		print "   config_all_devices.has_key('"'CONFIG_VTD'"') ? ['"'svmdemo-test'"'] : [])"
	}' "$repo/tests/qtest/meson.build" >"$repo/tests/qtest/meson.build.new"
	mv "$repo/tests/qtest/meson.build.new" "$repo/tests/qtest/meson.build"
	grep -q "'svmdemo-test'" "$repo/tests/qtest/meson.build" ||
		die "could not add svmdemo-test to tests/qtest/meson.build"
	commit "$P/qtest.msg"
fi

rm -rf "$out" && mkdir -p "$out"
git_ format-patch -q --cover-letter --thread=shallow -o "$out" base..HEAD
cover=$out/0000-cover-letter.patch
subject=$(head -n1 "$P/cover-letter.txt")
awk -v subject="$subject" -v body="$P/cover-letter.txt" '
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
	/^\*\*\* BLURB HERE \*\*\*$/ {
		# The body: all but the subject line and the blank one.
		while ((getline line < body) > 0)
			if (++n > 2 || (n == 2 && line != ""))
				print line
		next
	}
	{ print }' "$cover" >"$cover.new"
mv "$cover.new" "$cover"
rm -rf "$SVMDEMO_CACHE/qemu-series" && mkdir -p "$stash"
cp "$out"/*.patch "$stash/"
touch "$stash/.done"
echo "$out"
