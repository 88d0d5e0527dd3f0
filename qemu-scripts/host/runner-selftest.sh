#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make runner-test: the VM runner's own test. Two short VM runs of
# selftests/svm_runner_probe, which makes the IOMMU refuse DMA of the
# device:
#   1. inside a window of expected refusals, and inside one whose test is
#      killed before it closes it: the run must pass, both windows counted;
#   2. the same, then a refusal outside any window: the run must fail,
#      naming the unexpected refusal.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

logs=$SVMDEMO_TOP/build/logs
mkdir -p "$logs"

# run NAME TEST_ARGS: the runner's verdict on the probe; its output in
# $logs/runner-NAME.out.
run() {
	local out=$logs/runner-$1.out
	step "runner test: $1 ($2)" >&2
	if TESTS=svm_runner_probe TEST_ARGS=$2 LOG=$logs/runner-$1.log \
		"$SVMDEMO_TOP/qemu-scripts/host/vm-run.sh" check 300 >"$out" 2>&1; then
		echo pass
	else
		echo fail
	fi
}

failed=0
expect() {
	if [ "$1" = "$2" ]; then
		echo "    ok: $3"
	else
		echo "    NOT OK: $3 (see $logs/runner-$4.log)"
		failed=1
	fi
}

verdict=$(run windows "-t expected -t expected_then_killed")
expect "$verdict" pass "refusals inside windows pass" windows
n=$(grep -c '^svmdemo-runner: window probe\.expected.*: [1-9][0-9]* expected' \
	"$logs/runner-windows.log" || true)
expect "$n" 2 "both windows counted their refusals" windows

verdict=$(run outside "-t expected -t expected_then_killed -t unexpected")
expect "$verdict" fail "a refusal after the windows fails the run" outside
named=no
grep -q '^  - console shows: svmdemo-runner: unexpected IOMMU refusal' \
	"$logs/runner-outside.out" && named=yes
expect "$named" yes "the verdict names the unexpected refusal" outside

[ "$failed" = 0 ] || die "the VM runner misjudged a run (see above)"
echo "svmdemo runner-test: PASS"
