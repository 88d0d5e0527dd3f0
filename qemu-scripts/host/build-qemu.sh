#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make qemu: Debian's QEMU source + our series (qemu-series.sh: the VT-d
# patches of patches/qemu/, then the svmdemo device, its unit test and its
# qtests, generated from this repository) -> a minimal TCG
# qemu-system-x86_64, its qtests, cached; built and run in the project's
# Debian root (root.sh) with the root's compiler and libraries.
#
# The tree is a git repository of the source, keyed on its version and
# the configure flags. The series is applied in a scratch index and the
# working tree is moved to the result the way a branch switch does,
# touching only the files that changed: ninja then rebuilds only what an
# edit of a patch or of the device needs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

P=$SVMDEMO_TOP/patches/qemu
CONFIGURE_FLAGS="--target-list=x86_64-softmmu --python=/usr/bin/python3
--without-default-features --enable-tcg --enable-trace-backends=log
--disable-docs --disable-werror --disable-download --disable-install-blobs"

src=$(cat "$SVMDEMO_CACHE/qemu-src/current" 2>/dev/null) ||
	die "no QEMU source yet: run 'make deps' first"
ver=$(cat "$SVMDEMO_CACHE/qemu-src/version")

# The root's id: its compiler and libraries are QEMU's.
key=$(echo "git-tree 3 $ver $CONFIGURE_FLAGS $SVMDEMO_ROOT_ID" | sha256sum | cut -c1-16)
work=$SVMDEMO_CACHE/qemu/$key
tree=$work/src

git_() { git -C "$tree" -c user.name="svmdemo developers" \
	-c user.email=dev@svmdemo.invalid -c core.autocrlf=false "$@"; }

prepare_tree() {
	step "preparing a git tree of QEMU $ver ($work)"
	rm -rf "$work" && mkdir -p "$work"
	cp -a "$src" "$tree"
	git_ init -q
	git_ add -f -A
	git_ commit -q -m "QEMU $ver (Debian source)"
	git_ tag base
	git_ rev-parse base^{tree} >"$work/applied-tree"
}

# The tree with the whole series applied (qemu-series.sh), moved to in
# place: only the files that differ from the last build are touched.
apply_series() {
	local series=$1 idx t p
	idx=$(mktemp)
	# shellcheck disable=SC2064
	trap "rm -f '$idx'" RETURN
	GIT_INDEX_FILE=$idx git_ read-tree base
	for p in "$series"/0*.patch; do
		case $p in */0000-cover-letter.patch) continue ;; esac
		GIT_INDEX_FILE=$idx git_ apply --cached "$p" ||
			die "$(basename "$p") does not apply to QEMU $ver"
	done
	t=$(GIT_INDEX_FILE=$idx git_ write-tree)
	[ "$t" = "$(cat "$work/applied-tree")" ] && return
	echo "    applying the series ($(ls "$series" | grep -c '^0[0-9]*-.*patch$') files)"
	git_ read-tree -m -u "$(cat "$work/applied-tree")" "$t" ||
		die "could not update the QEMU tree to the series"
	echo "$t" >"$work/applied-tree"
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
series=$(mktemp -d)
trap 'rm -rf "$series"' EXIT
"$SVMDEMO_TOP/qemu-scripts/host/qemu-series.sh" "$series" >/dev/null
# The series this build was made from: the same series again needs no
# apply and no ninja (about 2.5 s of every warm make check).
sum=$(cat "$series"/0*.patch | sha256sum | cut -c1-64)
targets=(qemu-system-x86_64 tests/unit/test-svmdemo-atc tests/qtest/svmdemo-test)
built=1
[ "$(cat "$work/built-series" 2>/dev/null)" = "$sum" ] || built=0
for t in "${targets[@]}"; do [ -x "$work/build/$t" ] || built=0; done
if [ "$built" = 0 ]; then
	rm -f "$work/built-series"
	apply_series "$series"
	[ -f "$work/.configured" ] || configure_tree
	step "building qemu-system-x86_64 and the svmdemo tests"
	ninja -C "$work/build" "${targets[@]}" >"$work/build.log" 2>&1 ||
		{ tail -n 30 "$work/build.log" >&2; die "QEMU build failed (see $work/build.log)"; }
	echo "$sum" >"$work/built-series"
else
	step "QEMU is built from this series already"
fi
ln -sfn "$work/build/qemu-system-x86_64" "$SVMDEMO_CACHE/qemu-system-x86_64"
ln -sfn "$work/build" "$SVMDEMO_CACHE/qemu-build"
echo "    $SVMDEMO_CACHE/qemu-system-x86_64 -> $work/build/qemu-system-x86_64"
