#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make qtest: the device and intel-iommu tested directly, no guest kernel
# (docs/device.md, "Testing the device without a guest"):
#   - the qtests (qemu-scripts/qtest/svmdemo-test.c, built into our QEMU
#     as tests/qtest/svmdemo-test): the test plays the OS; every case
#     starts its own QEMU;
#   - the unit test of the device's translation cache
#     (tests/unit/test-svmdemo-atc).
# Any failed, skipped or unfinished (TODO) case fails the run, and so do
# fewer than QTEST_MIN cases (a binary that found no firmware plans none).
#
#   QTEST_ARGS='-p /x86_64/svmdemo/pri' make qtest    one group or case
set -euo pipefail
. "$(dirname "$0")/lib.sh"

QTEST_MIN=${QTEST_MIN:-40}
build=$SVMDEMO_CACHE/qemu-build
logs=$SVMDEMO_TOP/build/logs
mkdir -p "$logs"
for t in tests/qtest/svmdemo-test tests/unit/test-svmdemo-atc; do
	[ -x "$build/$t" ] || die "no $t in $build: run 'make qemu'"
done

# TAP from @log: "<ok> <failed> <skipped or todo>".
tap_count() {
	awk '/^ok /   { if (/# (SKIP|TODO)/) o++; else p++ }
	     /^not ok / { if (/# TODO/) o++; else f++ }
	     END { printf "%d %d %d\n", p, f, o }' "$1"
}

# run NAME LOG MIN CMD...: one TAP binary; prints its counts.
run_tap() {
	local name=$1 log=$2 min=$3 ok failed other
	shift 3
	local rc=0
	(cd "$build" && "$@") >"$log" 2>&1 || rc=$?
	read -r ok failed other < <(tap_count "$log")
	printf '    %-30s %d ok, %d failed, %d skipped/todo%s\n' "$name" \
		"$ok" "$failed" "$other" "$([ $rc = 0 ] || echo ", exit $rc")"
	if [ "$rc" != 0 ] || [ "$failed" != 0 ]; then
		grep -E '^not ok|ERROR|Bail out' "$log" | head -n 20 | sed 's/^/      /' >&2
	fi
	[ "$rc" = 0 ] && [ "$failed" = 0 ] && [ "$other" = 0 ] && [ "$ok" -ge "$min" ]
}

step "qtests of the svmdemo device and intel-iommu (no guest)"
start=$(date +%s)
rc=0
# shellcheck disable=SC2086
run_tap "svmdemo-test (qtest)" "$logs/qtest.log" "$QTEST_MIN" \
	env SVMDEMO_FIRMWARE="$SVMDEMO_CACHE/firmware" \
	QTEST_QEMU_BINARY=./qemu-system-x86_64 \
	./tests/qtest/svmdemo-test --tap -k ${QTEST_ARGS:-} || rc=1
run_tap "test-svmdemo-atc (unit)" "$logs/qtest-atc.log" 1 \
	./tests/unit/test-svmdemo-atc --tap -k || rc=1
secs=$(( $(date +%s) - start ))
if [ "$rc" != 0 ]; then
	echo "qtest: FAIL (${secs}s; logs: $logs/qtest.log, $logs/qtest-atc.log)"
	exit 1
fi
echo "qtest: PASS (${secs}s)"
