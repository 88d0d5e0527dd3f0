#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# At the end of a run on a kernel with kmemleak: scan, and print every
# unreferenced object whose allocation backtrace goes through svmdemo or
# the IOMMU, IOPF or SVA code, then one summary line the VM runner judges:
#   svmdemo-kmemleak: N of M unreferenced objects are ours or the IOMMU's
f=/sys/kernel/debug/kmemleak
# Objects younger than 5 s are not reported: let the last ones age.
sleep 6
echo scan >$f
echo scan >$f
cat $f >/tmp/kmemleak
awk '
	function flush() {
		if (obj != "" && obj ~ /svmdemo|iommu|iopf|sva|pasid|dmar|intel_svm|prq/) {
			printf "%s", obj
			ours++
		}
		obj = ""
	}
	/^unreferenced object/ { flush(); all++ }
	{ obj = obj $0 "\n" }
	END {
		flush()
		printf "svmdemo-kmemleak: %d of %d unreferenced objects are ours or the IOMMU'"'"'s\n", ours, all
	}' /tmp/kmemleak
