#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot the svmdemo VM (q35, TCG, intel-iommu with svm=on, the svmdemo
# device) with an initramfs built for MODE, stream the console to a log,
# enforce a time limit, and judge the run:
#   - check/bench: the KTAP the guest prints must have a plan, as many
#     results as planned and no failure (a SKIP fails unless ALLOW_SKIP=1);
#   - every mode: the console must not show BUG:, WARNING:, Oops, general
#     protection, refcount_t, a hung task or a panic, and QEMU must exit
#     normally within the time limit.
#
#   qemu-scripts/vm-run.sh MODE [TIMEOUT_SECONDS]
# Environment: QEMU, KERNEL, MEM, SMP, TRACE (QEMU trace patterns, comma
# separated), IOMMU_OPTS (replace the intel-iommu options), NO_DEVICE=1,
# QEMU_EXTRA, LOG.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-check}
limit=${2:-900}
build=$SVMDEMO_TOP/build
mkdir -p "$build/logs"
log=${LOG:-$build/logs/$mode.log}

QEMU=${QEMU:-$SVMDEMO_CACHE/qemu-system-x86_64}
[ -x "$QEMU" ] || die "no QEMU at $QEMU: run 'make qemu' (or set QEMU=/path/to/qemu-system-x86_64)"
if [ -z "${KERNEL:-}" ]; then
	load_kernel_env
	KERNEL=$KDIR_ROOT/vmlinuz
fi
[ -f "$KERNEL" ] || die "no guest kernel at $KERNEL: run 'make deps' (or set KERNEL=)"
bios=$SVMDEMO_CACHE/firmware/qboot.rom
[ -f "$bios" ] || die "no qboot.rom: run 'make deps'"

# intel-iommu property names: QEMU 10.2 uses x-scalable-mode/x-flts/
# x-pasid-mode, later QEMUs drop the x- prefixes (and call flts fsts).
iommu_help=$("$QEMU" -device intel-iommu,help 2>&1) ||
	die "$QEMU cannot list intel-iommu properties"
pick() {
	local p
	for p in "$@"; do
		grep -q "^  $p=" <<<"$iommu_help" && { echo "$p"; return; }
	done
	die "$QEMU's intel-iommu has none of: $*"
}
if [ -z "${IOMMU_OPTS:-}" ]; then
	grep -q '^  svm=' <<<"$iommu_help" ||
		die "$QEMU's intel-iommu has no 'svm' property: it lacks the VT-d SVM series (run 'make qemu')"
	IOMMU_OPTS="$(pick x-scalable-mode scalable-mode)=on,$(pick x-flts fsts x-fsts flts)=on"
	IOMMU_OPTS+=",$(pick x-pasid-mode pasid)=on,aw-bits=48,device-iotlb=on"
	IOMMU_OPTS+=",dma-translation=on,svm=on"
fi
device=()
if [ "${NO_DEVICE:-0}" != 1 ]; then
	"$QEMU" -device help 2>&1 | grep -q '"svmdemo"' ||
		die "$QEMU has no svmdemo device (run 'make qemu'; or NO_DEVICE=1)"
	device=(-device "svmdemo${SVMDEMO_OPTS:+,$SVMDEMO_OPTS}")
fi
trace=()
if [ -n "${TRACE:-}" ]; then
	IFS=, read -ra pats <<<"$TRACE"
	for p in "${pats[@]}"; do trace+=(-trace "$p"); done
fi

initrd=$build/initramfs-$mode.cpio.gz
"$SVMDEMO_TOP/qemu-scripts/mkinitramfs.sh" "$mode" "$initrd"

# shellcheck disable=SC2206
cmd=("$QEMU" -machine q35 -accel tcg -cpu max,la57=off -m "${MEM:-2G}"
	-smp "${SMP:-2}" -nographic -vga none -nic none -no-reboot
	-L "$SVMDEMO_CACHE/firmware" -bios "$bios"
	-device "intel-iommu,$IOMMU_OPTS" "${device[@]}" "${trace[@]}"
	-kernel "$KERNEL" -initrd "$initrd"
	-append "console=ttyS0 loglevel=5 intel_iommu=on,sm_on panic=-1 ${APPEND:-}"
	${QEMU_EXTRA:-})

if [ "$mode" = shell ]; then
	exec "${cmd[@]}"
fi

step "booting the VM ($mode, limit ${limit}s); console: $log"
start=$(date +%s)
set +e
timeout -k 10 "$limit" "${cmd[@]}" </dev/null 2>&1 | tr -d '\r' | tee "$log"
qrc=${PIPESTATUS[0]}
set -e
secs=$(( $(date +%s) - start ))

fail=()
[ "$qrc" = 124 ] || [ "$qrc" = 137 ] && fail+=("timeout after ${limit}s")
[ "$qrc" != 0 ] && [ "$qrc" != 124 ] && [ "$qrc" != 137 ] && fail+=("QEMU exited with status $qrc")
bad=$(grep -E -m3 'BUG:|WARNING:|Oops|general protection|refcount_t|blocked for more than|Kernel panic|Call Trace:' "$log" || true)
[ -n "$bad" ] && fail+=("console shows: $(echo "$bad" | head -n1)")
grep -q '^svmdemo-vm: done' "$log" || fail+=("the guest did not finish its run")

summary=""
if [ "$mode" = demo ]; then
	grep -q '^svmdemo demo: PASS' "$log" || fail+=("the demo did not print PASS")
fi
if [ "$mode" = check ] || [ "$mode" = bench ]; then
	# Top-level KTAP lines only; the nested "# " lines belong to each binary.
	read -r plan oks nots skips < <(awk '
		/^1\.\.[0-9]+$/ { plan = substr($0, 4) }
		/^ok [0-9]+ / { ok++; if ($0 ~ /# SKIP/) skip++ }
		/^not ok [0-9]+ / { nok++ }
		END { printf "%d %d %d %d\n", plan == "" ? -1 : plan, ok, nok, skip }' "$log")
	[ "$plan" -lt 0 ] && fail+=("no KTAP plan on the console")
	[ "$plan" -ge 0 ] && [ $((oks + nots)) -ne "$plan" ] &&
		fail+=("KTAP plan says $plan tests, $((oks + nots)) reported")
	[ "$nots" -gt 0 ] && fail+=("$nots test(s) failed: $(grep -E '^not ok' "$log" | sed 's/^not ok [0-9]* selftests: svmdemo: //' | tr '\n' ' ')")
	[ "$skips" -gt 0 ] && [ "${ALLOW_SKIP:-0}" != 1 ] && fail+=("$skips test(s) skipped")
	summary="$plan tests, $((oks - skips)) passed, $nots failed, $skips skipped, "
fi

if [ ${#fail[@]} -eq 0 ]; then
	echo "svmdemo $mode: PASS: ${summary}console clean, ${secs}s (log: $log)"
	exit 0
fi
echo "svmdemo $mode: FAIL: ${summary}${secs}s (log: $log)"
printf '  - %s\n' "${fail[@]}"
exit 1
