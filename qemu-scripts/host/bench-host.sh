#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the host side of the benchmark.
#   1. time a warm 'make check' (everything already built) for
#      make_check_warm_s (recorded even if a test fails, with a warning);
#      BENCH_CHECK=0 skips it and reuses the last recorded time
#      (build/logs/make-check-warm.s), if any;
#   2. measure the host's memcpy bandwidth (host_memcpy.c, built with the
#      root's compiler, run on the host's CPU) just before the VM boots;
#   3. boot the VM in bench mode: svm_bench runs in the guest and its JSON
#      comes back as build/bench-guest.json;
#   4. merge the three into build/bench.json and print the ratios.
# Environment: BENCH_TIME (seconds per row, default 0.5), BENCH_PROCS
# (default 8), BENCH_CHECK, BENCH_TIMEOUT (VM time limit, default 900),
# and everything vm-run.sh takes (LOG, SMP, MEM, QEMU, ...).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

build=$SVMDEMO_TOP/build
mkdir -p "$build/logs"
t=${BENCH_TIME:-0.5}
check_s=$build/logs/make-check-warm.s

if [ "${BENCH_CHECK:-1}" != 0 ]; then
	step "timing a warm 'make check' (make_check_warm_s)"
	start=$(date +%s.%N)
	ok=true
	LOG=$build/logs/bench-check.log make -s -C "$SVMDEMO_TOP" check \
		>"$build/logs/bench-make-check.out" 2>&1 || ok=false
	awk -v a="$start" -v b="$(date +%s.%N)" \
		'BEGIN { printf "%.1f\n", b - a }' >"$check_s"
	echo "    $(grep '^svmdemo check:' "$build/logs/bench-make-check.out" | tail -n1)"
	$ok || echo "    warning: make check failed; its time is recorded all the same" >&2
fi
check=$(cat "$check_s" 2>/dev/null || echo null)

step "host memcpy bandwidth"
cc -O2 -o "$build/host_memcpy" "$SVMDEMO_TOP/qemu-scripts/host/host_memcpy.c"
"$build/host_memcpy" "$t" >"$build/bench-host.json"

APPEND="${APPEND:-} svmdemo_bench_time=$t svmdemo_bench_procs=${BENCH_PROCS:-8}" \
BENCH_JSON=$build/bench-guest.json \
	"$SVMDEMO_TOP/qemu-scripts/host/vm-run.sh" bench "${BENCH_TIMEOUT:-900}"

step "ratios (build/bench.json)"
python3 "$SVMDEMO_TOP/qemu-scripts/host/bench-report.py" "$build/bench-guest.json" \
	"$build/bench-host.json" "$check" "$build/bench.json"
