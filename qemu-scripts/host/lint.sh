#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make lint: every static gate, each on its own line, all run even when
# one fails; exits non-zero if any failed.
#   - checkpatch.pl --strict (from linux-source of the guest kernel's
#     series) on driver/, uapi/ and selftests/
#   - W=1 module build with -Werror
#   - sparse through kbuild's C=2 (sparse built from Debian's newest source:
#     bookworm's and trixie's 0.6.4 cannot parse 7.x headers)
#   - QEMU's scripts/checkpatch.pl on each patch of our QEMU series
#   - no function over 60 lines in the driver or device without a reason
#   - the selftests with -Wall -Wextra -Werror
set -euo pipefail
. "$(dirname "$0")/lib.sh"
load_kernel_env
cd "$SVMDEMO_TOP"
failed=()
out=$SVMDEMO_TOP/build/lint
mkdir -p "$out"

gate() {
	local name=$1 log=$out/$1.log
	shift
	if "$@" >"$log" 2>&1; then
		printf '    %-22s ok\n' "$name"
	else
		printf '    %-22s FAILED (%s)\n' "$name" "$log"
		sed 's/^/      /' "$log" | head -n 20
		failed+=("$name")
	fi
}

checkpatch() {
	perl "$KSFT_ROOT/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types "$@" | { ! grep -E ': (ERROR|WARNING|CHECK):'; }
}

# User-space tests use the C library's fixed-width types and its
# PRIx64-style macros, as the kernel's own selftests do.
kernel_checkpatch() {
	checkpatch -f driver/*.[ch] uapi/linux/*.h &&
	checkpatch --ignore PREFER_KERNEL_TYPES -f hw/*.h &&
	checkpatch --ignore PREFER_KERNEL_TYPES,CAMELCASE -f selftests/*.[ch]
}

# Newest sparse source the sid index has, built once in the build root.
sparse_bin() {
	local v dir
	apt_local_setup >&2	# its progress must not reach our stdout
	v=$(lapt_cache showsrc sparse | awk '/^Version:/ { print $2 }' |
		sort -V | tail -n1)
	[ -n "$v" ] || die "no sparse source in the sid index"
	dir=$SVMDEMO_CACHE/tools/sparse-$v
	if [ ! -x "$dir/sparse" ]; then
		step "building sparse $v from Debian's source (once)" >&2
		rm -rf "$dir" && mkdir -p "$dir/dl"
		(cd "$dir/dl" && lapt_get -q source --download-only "sparse=$v") \
			>"$dir.log" 2>&1 || die "could not fetch the sparse $v source"
		dpkg-source --no-check -x "$dir"/dl/*.dsc "$dir/src" >>"$dir.log" 2>&1
		"$SVMDEMO_TOP/qemu-scripts/host/in-buildroot.sh" \
			make -s -C "/tools/sparse-$v/src" CC=gcc sparse >>"$dir.log" 2>&1 ||
			die "building sparse failed (see $dir.log)"
		cp "$dir/src/sparse" "$dir/sparse"
		rm -rf "$dir/dl" "$dir/src"
	fi
	echo "/tools/sparse-$v/sparse"
}

# Debian's header package lacks scripts/checker-valid.sh, without which
# kbuild silently turns C= off: add one that really runs the checker.
checker_valid() {
	local f
	f=$(ls -d /usr/src/linux-headers-*-common | head -n1)/scripts/checker-valid.sh
	[ -x "$f" ] && return
	cat >"$f" <<-'EOF'
	#!/bin/sh
	# Added by svmdemo's lint: print 1 if the checker runs on C input.
	echo 'int x;' | "$@" - >/dev/null 2>&1 && echo 1
	EOF
	chmod +x "$f"
}

sparse_check() {
	local bin
	bin=$(sparse_bin)
	checker_valid
	"$SVMDEMO_TOP/qemu-scripts/host/in-buildroot.sh" sh -c \
		"make -s -C \$KDIR M=/src C=2 CHECK=$bin modules" 2>&1 |
		{ ! grep -E 'warning:|error:|not available'; }
}

werror_build() {
	"$SVMDEMO_TOP/qemu-scripts/host/in-buildroot.sh" sh -c \
		'make -s -B -C $KDIR M=/src W=1 KCFLAGS=-Werror modules'
}

# QEMU's checkpatch on the whole series as git am takes it: the VT-d
# patches and the device, unit-test and qtest patches generated from our
# sources (with the hardware header's tabs expanded, as QEMU gets it).
qemu_checkpatch() {
	local src series p rc=0
	src=$(cat "$SVMDEMO_CACHE/qemu-src/current")
	series=$("$SVMDEMO_TOP/qemu-scripts/host/qemu-series.sh" "$out/qemu-series")
	for p in "$series"/0*.patch; do
		case $p in */0000-cover-letter.patch) continue ;; esac
		perl "$src/scripts/checkpatch.pl" -q "$p" || rc=1
	done
	return $rc
}

# A function longer than about 60 lines needs a reason: one given in a
# comment line "long-function: why" just above it.
function_length() {
	awk -v limit=60 '
		FNR == 1 { reason = 0 }
		/long-function:/ { reason = 1 }
		/^[a-z].*\(/ && !/;$/ { name = $0 }
		/^\{$/ { start = FNR; next }
		/^\}$/ && start {
			if (FNR - start - 1 > limit && !reason)
				printf "%s:%d: %d lines: %s\n", FILENAME, start,
					FNR - start - 1, name
			start = 0; reason = 0
		}' "$@" | { ! grep .; }
}

step "lint (logs in build/lint/)"
gate checkpatch-kernel kernel_checkpatch
gate build-W1-Werror werror_build
gate sparse sparse_check
gate checkpatch-qemu qemu_checkpatch
gate function-length function_length driver/*.c qemu-scripts/device/*.c
gate selftests-Werror make -s -C selftests all
if [ ${#failed[@]} -gt 0 ]; then
	echo "lint: FAIL: ${failed[*]}"
	exit 1
fi
echo "lint: PASS"
