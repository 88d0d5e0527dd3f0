#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot the svmdemo VM (q35, TCG, intel-iommu with svm=on, the svmdemo
# device) with an initramfs built for MODE, stream the console to a log,
# enforce a time limit, and judge the run:
#   - check, stress: the KTAP the guest prints must have a plan, as many
#     results as planned and no failure (a SKIP fails unless ALLOW_SKIP=1);
#   - bench: svm_bench must exit 0 and print its JSON, which is extracted
#     into $BENCH_JSON (default build/bench-guest.json);
#   - every mode: the console must not show BUG:, WARNING:, Oops, general
#     protection, refcount_t, a hung task or a panic, and QEMU must exit
#     normally within the time limit.
#
#   qemu-scripts/host/vm-run.sh MODE [TIMEOUT_SECONDS]
# Environment: QEMU, KERNEL, PVH, CPU, MEM, SMP, TRACE (QEMU trace patterns, comma
# separated), IOMMU_OPTS (replace the intel-iommu options), NO_DEVICE=1,
# SVMDEMO_BUS=pcie.0 (no root port), SVMDEMO_OPTS, QEMU_EXTRA, LOG.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-check}
limit=${2:-900}
build=$SVMDEMO_TOP/build
mkdir -p "$build/logs"
log=${LOG:-$build/logs/$mode.log}

QEMU=${QEMU:-$SVMDEMO_CACHE/qemu-system-x86_64}
[ -x "$QEMU" ] || die "no QEMU at $QEMU: run 'make qemu' (or set QEMU=/path/to/qemu-system-x86_64)"
# KSRC=DIR: the kernel 'make kernel' built from that tree; time limits
# grow with a debug kernel (SVMDEMO_SLOW).
guest_kernel_select
if [ -z "${KERNEL:-}" ]; then
	load_kernel_env
	KERNEL=$KDIR_ROOT/vmlinuz
fi
limit=$((limit * SVMDEMO_SLOW))
export SVMDEMO_SLOW
[ -f "$KERNEL" ] || die "no guest kernel at $KERNEL: run 'make deps' (or set KERNEL=)"
# Boot the kernel's uncompressed ELF through its PVH entry when it has
# one: a bzImage's decompressor takes about 3 s of TCG time per boot.
# PVH=0 boots $KERNEL as it is.
boot_kernel=$KERNEL
if [ "${PVH:-1}" = 1 ] &&
   k=$("$SVMDEMO_TOP/qemu-scripts/host/pvh-kernel.py" "$KERNEL" "$SVMDEMO_CACHE/pvh"); then
	boot_kernel=$k
fi
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
	# Behind a hot-pluggable PCIe root port (slot 1): the guest can
	# unplug it (slot power off, pciehp) and ask for it back (see the
	# hotplug watcher below). Linux still enables ATS, PASID and PRI: the
	# root port has ACS and End-End TLP prefixes, and the ATSR covers all
	# ports. SVMDEMO_BUS=pcie.0 puts it on the root complex as an
	# integrated endpoint instead (no hotplug there).
	# A slow (debug) guest kernel answers page requests slowly too: the
	# device's page request timeout grows with its time limits.
	devprops="svmdemo,id=svm0,pri-timeout-ms=$((5000 * SVMDEMO_SLOW))"
	devprops+="${SVMDEMO_OPTS:+,$SVMDEMO_OPTS}"
	if [ "${SVMDEMO_BUS:-rp}" = pcie.0 ]; then
		device=(-device "$devprops")
	else
		# Native PCIe hotplug (pciehp), not q35's default ACPI one.
		# A second, empty slot takes "svm1" on request: a device with
		# a PRI capacity of 4096, so that Linux allocates it as many
		# page requests as its page request queue has entries (2048),
		# for the queue overflow test (selftests/svm_storm.c).
		device=(-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
			-device pcie-root-port,id=svmrp,chassis=1,slot=1
			-device "$devprops,bus=svmrp"
			-device pcie-root-port,id=svmrp1,chassis=2,slot=2)
		devprops1="${devprops/id=svm0/id=svm1},pri-capacity=4096"
	fi
fi
# Every DMA the IOMMU refuses, counted by the console filter below
# (qemu-scripts/host/console-filter.awk); a QEMU without these trace events
# is judged by its one "detected translation failure" line instead.
refusals=(vtd_translate_fail vtd_translated_request_blocked
	vtd_ir_translated_write_blocked)
trace=()
if "$QEMU" -trace help 2>/dev/null | grep -qx vtd_translate_fail; then
	for p in "${refusals[@]}"; do trace+=(-trace "$p"); done
	counted=1
else
	counted=0
fi
if [ -n "${TRACE:-}" ]; then
	IFS=, read -ra pats <<<"$TRACE"
	for p in "${pats[@]}"; do trace+=(-trace "$p"); done
fi

# One initramfs per log, so that runs with their own LOG can boot at once.
initrd=$build/initramfs-$(basename "$log" .log).cpio

# The guest CPU. la57=off: QEMU's VT-d has no 5-level first-stage paging
# and Linux refuses SVA when the CPU has LA57. erms, fsrm and fsrs off:
# with them Linux clears and copies pages with "rep stosb"/"rep movsb",
# which TCG executes one byte per loop iteration; without them it uses
# 8-byte loops, and every page the guest faults in (for the CPU or for a
# page request) is cleared several times faster (docs/performance.md).
CPU=${CPU:-max,la57=off,erms=off,fsrm=off,fsrs=off}
"$SVMDEMO_TOP/qemu-scripts/host/mkinitramfs.sh" "$mode" "$initrd"

# shellcheck disable=SC2206
cmd=("$QEMU" -machine q35 -accel tcg -cpu "$CPU" -m "${MEM:-2G}"
	-smp "${SMP:-2}" -nographic -vga none -nic none -no-reboot
	-L "$SVMDEMO_CACHE/firmware" -bios "$bios"
	-device "intel-iommu,$IOMMU_OPTS" "${device[@]}" "${trace[@]}"
	-kernel "$boot_kernel" -initrd "$initrd"
	-append "console=ttyS0 loglevel=5 intel_iommu=on,sm_on panic=-1 ${APPEND:-}"
	${QEMU_EXTRA:-})

if [ "$mode" = shell ]; then
	exec "${cmd[@]}"
fi

# Hotplug on request: a guest line "svmdemo-hotplug: add" (or "del") on
# the console makes the runner send device_add (device_del) for the
# svmdemo device to QEMU's monitor, on a private socket; "add svm1" adds
# the second device in the second slot. Only these three fixed commands
# exist. A device QEMU unplugged (after the guest powered
# its slot off) only comes back this way.
rundir=$(mktemp -d "${TMPDIR:-/tmp}/svmdemo-vm.XXXXXX")
trap 'rm -rf "$rundir"' EXIT
watch_pids=()
if [ "${#device[@]}" -gt 2 ]; then	# on the root port
	cmd+=(-monitor "unix:$rundir/monitor.sock,server=on,wait=off")
	# One HMP command; prints the monitor's answer. A device_add while
	# QEMU still holds the device it unplugged (it drops it once the
	# guest has powered the slot off) says "Duplicate device ID": it is
	# retried for up to 10 s, so that the guest's request is not lost.
	monitor() {
		/usr/bin/python3 - "$rundir/monitor.sock" "$1" <<-'EOF'
		import socket, sys, time
		def until_prompt(s):
		    out, end = b"", time.monotonic() + 10
		    while not out.endswith(b"(qemu) ") and time.monotonic() < end:
		        try:
		            b = s.recv(65536)
		        except OSError:
		            break
		        if not b:
		            break
		        out += b
		    return out.decode(errors="replace")
		def ask(cmd):
		    s = socket.socket(socket.AF_UNIX)
		    s.settimeout(10)
		    s.connect(sys.argv[1])
		    until_prompt(s)
		    s.sendall(cmd.encode() + b"\n")
		    out = until_prompt(s)
		    s.close()
		    # The answer, minus prompts, the echo and its escapes.
		    lines = []
		    for l in out.replace("\r", "\n").split("\n"):
		        l = l.split("\x1b[K")[-1].replace("(qemu) ", "").strip()
		        if l and l != cmd and "\x1b" not in l:
		            lines.append(l)
		    return lines
		cmd, end = sys.argv[2], time.monotonic() + 10
		lines = ask(cmd)
		while any("Duplicate device ID" in l for l in lines) and \
		      cmd.startswith("device_add") and time.monotonic() < end:
		    time.sleep(0.1)
		    lines = ask(cmd)
		for l in lines:
		    print("    monitor: " + l, file=sys.stderr)
		EOF
	}
	: >"$log"
	mkfifo "$rundir/console"
	stdbuf -oL tail -n +1 -F "$log" >"$rundir/console" 2>/dev/null &
	watch_pids+=($!)
	while IFS= read -r line; do
		case $line in
		*'svmdemo-hotplug: add svm1'*) req="device_add $devprops1,bus=svmrp1" ;;
		*'svmdemo-hotplug: add'*) req="device_add $devprops,bus=svmrp" ;;
		*'svmdemo-hotplug: del'*) req="device_del svm0" ;;
		*) continue ;;
		esac
		step "the guest asks for a hotplug: $req" >&2
		echo x >>"$rundir/answered"
		monitor "$req" || echo "    (monitor request failed)" >&2
	done <"$rundir/console" >/dev/null &
	watch_pids+=($!)
fi

step "booting the VM ($mode, limit ${limit}s); console: $log"
start=$(date +%s)
set +e
# Line buffered, so that the log (and the hotplug watcher) sees each
# console line as it comes.
# mawk reads a pipe in blocks unless told otherwise: the hotplug watcher
# needs every console line as it comes.
filter=(awk -f "$SVMDEMO_TOP/qemu-scripts/host/console-filter.awk")
awk -W version 2>&1 | grep -q mawk && filter=(awk -W interactive "${filter[@]:1}")
timeout -k 10 "$limit" "${cmd[@]}" </dev/null 2>&1 | stdbuf -oL tr -d '\r' |
	"${filter[@]}" | tee "$log"
qrc=${PIPESTATUS[0]}
set -e
for p in "${watch_pids[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
secs=$(( $(date +%s) - start ))

fail=()
[ "$qrc" = 124 ] || [ "$qrc" = 137 ] && fail+=("timeout after ${limit}s")
[ "$qrc" != 0 ] && [ "$qrc" != 124 ] && [ "$qrc" != 137 ] && fail+=("QEMU exited with status $qrc")
# A DMA the IOMMU refused is expected only inside a window a test opened
# (console-filter.awk, docs/reliability.md); QEMU's own message about it
# is printed once per run whatever the windows say, so it counts only
# when the refusals could not be counted.
# QEMU's "Blocked re-entrant IO" means it dropped a guest's register
# access: a lost doorbell or flush.
bad_re='BUG:|WARNING:|Oops|general protection|refcount_t|blocked for more than|Kernel panic|Call Trace:|detected stall|Blocked re-entrant IO|^svmdemo-runner: unexpected|^svmdemo-kmemleak: [1-9]'
[ "$counted" = 1 ] || bad_re+='|detected translation failure'
bad=$(grep -E -m3 "$bad_re" "$log" || true)
[ -n "$bad" ] && fail+=("console shows: $(echo "$bad" | head -n1)")
refused=$(grep -m1 '^svmdemo-runner: IOMMU refusals:' "$log" |
	sed 's/^svmdemo-runner: IOMMU refusals: //' || true)
grep -q '^svmdemo-vm: done' "$log" || fail+=("the guest did not finish its run")
# A guest that asked for a hotplug nobody saw fails for that reason.
if grep -q '^svmdemo-hotplug: ' "$log" && [ ! -s "$rundir/answered" ]; then
	fail+=("the runner's hotplug watcher answered none of the guest's requests")
fi

summary=""
if [ "$mode" = demo ]; then
	grep -q '^svmdemo demo: PASS' "$log" || fail+=("the demo did not print PASS")
fi
if [ "$mode" = bench ]; then
	bench_json=${BENCH_JSON:-$build/bench-guest.json}
	grep -q '^svmdemo-bench: svm_bench exit 0' "$log" ||
		fail+=("svm_bench failed: $(grep -m1 '^svmdemo-bench: ' "$log" || echo 'no exit status')")
	sed -n 's/^svmdemo-bench-json: //p' "$log" >"$bench_json.tmp"
	if grep -q '^svmdemo-bench-json-end' "$log" &&
		python3 -m json.tool "$bench_json.tmp" >/dev/null 2>&1; then
		mv "$bench_json.tmp" "$bench_json"
		summary="results in $bench_json, "
	else
		rm -f "$bench_json.tmp"
		fail+=("no valid benchmark JSON on the console")
	fi
fi
if [ "$mode" = check ] || [ "$mode" = stress ]; then
	# Top-level KTAP lines only; the nested "# " lines belong to each binary.
	# Top-level KTAP lines are the binaries; "# ok N name # SKIP" lines
	# nested under them are skipped test cases, which fail the run too.
	read -r plan oks nots skips cskips < <(awk '
		/^1\.\.[0-9]+$/ { plan = substr($0, 4) }
		/^ok [0-9]+ / { ok++; if ($0 ~ /# SKIP/) skip++ }
		/^not ok [0-9]+ / { nok++ }
		/^# ok [0-9]+ .*# SKIP/ { cskip++ }
		END { printf "%d %d %d %d %d\n", plan == "" ? -1 : plan, ok, nok,
		      skip, cskip }' "$log")
	[ "$plan" -lt 0 ] && fail+=("no KTAP plan on the console")
	[ "$plan" -ge 0 ] && [ $((oks + nots)) -ne "$plan" ] &&
		fail+=("KTAP plan says $plan tests, $((oks + nots)) reported")
	[ "$nots" -gt 0 ] && fail+=("$nots test(s) failed: $(grep -E '^not ok' "$log" | sed 's/^not ok [0-9]* selftests: svmdemo: //' | tr '\n' ' ')")
	[ "$skips" -gt 0 ] && [ "${ALLOW_SKIP:-0}" != 1 ] && fail+=("$skips test(s) skipped")
	[ "$cskips" -gt 0 ] && [ "${ALLOW_SKIP:-0}" != 1 ] &&
		fail+=("$cskips test case(s) skipped: $(grep -E '^# ok [0-9]+ .*# SKIP' "$log" | sed 's/^# ok [0-9]* //' | tr '\n' ' ')")
	summary="$plan tests, $((oks - skips)) passed, $nots failed, $skips skipped ($cskips cases), "
fi

[ -n "$refused" ] && summary+="IOMMU refusals $refused, "
if [ ${#fail[@]} -eq 0 ]; then
	echo "svmdemo $mode: PASS: ${summary}console clean, ${secs}s (log: $log)"
	exit 0
fi
echo "svmdemo $mode: FAIL: ${summary}${secs}s (log: $log)"
printf '  - %s\n' "${fail[@]}"
exit 1
