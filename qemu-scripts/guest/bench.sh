#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of 'make bench': run /selftests/svm_bench, show its table on
# the console and print its JSON between markers, one line each prefixed
# "svmdemo-bench-json: ", for the host runner to extract.
#
# Kernel command line: svmdemo_bench_time=SECONDS (per row, default 0.5),
# svmdemo_bench_procs=N (largest process count, default 8),
# svmdemo_bench_only=SECTION,... (svm_bench -o: a subset of the rows).
t=0.5 p=8 o=
for a in $(cat /proc/cmdline); do
	case $a in
	svmdemo_bench_time=*) t=${a#*=} ;;
	svmdemo_bench_procs=*) p=${a#*=} ;;
	svmdemo_bench_only=*) o="-o ${a#*=}" ;;
	esac
done

# Page request handling logs DMAR faults at KERN_ERR on some IOMMU models:
# keep the console quiet while measuring (dmesg keeps everything), and
# report what a clean console must not show afterwards.
old=$(cat /proc/sys/kernel/printk)
echo 1 >/proc/sys/kernel/printk
# shellcheck disable=SC2086
/selftests/svm_bench -t "$t" -p "$p" $o -j /tmp/bench.json
rc=$?
echo "$old" >/proc/sys/kernel/printk
dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|refcount_t|blocked for more than|Call Trace:'
echo "svmdemo-bench: svm_bench exit $rc"
if [ "$rc" = 0 ] && [ -s /tmp/bench.json ]; then
	echo "svmdemo-bench-json-begin"
	sed 's/^/svmdemo-bench-json: /' /tmp/bench.json
	echo "svmdemo-bench-json-end"
fi
