#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Swap in RAM (zram) for the page-fault storm tests, so that
# MADV_PAGEOUT really evicts anonymous pages.
#
#   swap.sh on [MiB]   load zram (from /lib/modules/extra), swap on /dev/zram0
#   swap.sh off        swap off, empty the zram device
dev=/dev/zram0
case ${1:-} in
on)
	grep -q "^$dev " /proc/swaps && exit 0
	if [ ! -e /sys/block/zram0 ]; then
		for m in lz4hc_compress zram; do
			[ -f /lib/modules/extra/$m.ko ] || {
				echo "swap.sh: no $m.ko in /lib/modules/extra" >&2
				exit 1
			}
			grep -q "^$m " /proc/modules ||
				insmod /lib/modules/extra/$m.ko || exit 1
		done
	fi
	i=0
	while [ ! -b $dev ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	echo 1 >/sys/block/zram0/reset 2>/dev/null
	echo "${2:-256}M" >/sys/block/zram0/disksize || exit 1
	mkswap $dev >/dev/null || exit 1
	swapon $dev || exit 1
	;;
off)
	grep -q "^$dev " /proc/swaps || exit 0
	swapoff $dev || exit 1
	echo 1 >/sys/block/zram0/reset
	;;
*)
	echo "usage: $0 on [MiB] | off" >&2
	exit 2
	;;
esac
