#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 'make demo': show what the IOMMU and the svmdemo device offer, then run
# the demo program if the driver is loaded.
line() { echo "----- $* -----"; }

line "IOMMU (VT-d) extended capabilities"
for d in /sys/class/iommu/dmar*; do
	[ -d "$d" ] || continue
	echo "$(basename "$d"): cap $(cat "$d/intel-iommu/cap")" \
		"ecap $(cat "$d/intel-iommu/ecap")"
done
dmesg | grep -E 'DMAR: (ATSR|Intel\(R\) Virtualization)|SVM|prq' | cut -c1-78
grep -- '-prq' /proc/interrupts | tr -s ' ' | cut -c1-78

line "svmdemo devices (1234:0b11)"
found=0
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1234:0x0b11 ] || continue
	found=1
	echo "$(basename "$d"): driver $(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)"
done
[ $found = 1 ] || echo "(none)"
ls -l /dev/svmdemo* 2>/dev/null
if command -v lspci >/dev/null; then
	line "lspci -vvv: ATS, PASID and PRI enabled by Linux"
	lspci -vvv -d 1234:0b11 2>/dev/null | grep -E -A2 \
		'Address Translation|Process Address Space|Page Request' |
		cut -c1-78
fi

if [ -x /selftests/svmdemo_demo ]; then
	line "a process binds its mm and runs jobs"
	/selftests/svmdemo_demo
fi
