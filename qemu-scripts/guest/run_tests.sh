#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every selftest listed in /selftests/list ("name [args]" per line) as
# one KTAP document, like the kernel's run_kselftest.sh: each binary's own
# KTAP is nested under a "# " prefix and its exit status is its result:
# 0 pass, 4 (KSFT_SKIP) skip, 124 time-out (the limit of
# /selftests/settings, times SVMDEMO_STRESS and SVMDEMO_SLOW), anything
# else a failure.
#
# Binaries named in /selftests/beside neither read the device's global
# counters nor change global state (module, device, memory pressure):
# consecutive ones in the list run at the same time, and their output is
# printed in list order once all of them have finished.
cd /selftests || exit 1
factor=$(( ${SVMDEMO_STRESS:-1} * ${SVMDEMO_SLOW:-1} ))

# The limit of binary $1 from the settings file, in seconds.
limit_of() {
	l=$(sed -n "s/^timeout\.$1=//p" settings)
	[ -n "$l" ] || l=$(sed -n 's/^timeout=//p' settings)
	echo $(( ${l:-45} * factor ))
}

# Run test $2 (number $1, arguments $3) and print its nested KTAP and
# result lines.
run_one() {
	limit=$(limit_of "$2")
	echo "# selftests: svmdemo: $2"
	start=$(date +%s)
	# shellcheck disable=SC2086
	{ timeout -s TERM -k 10 "$limit" "./$2" $3; echo $? >"/tmp/rc.$1"; } 2>&1 |
		sed 's/^/# /'
	rc=$(cat "/tmp/rc.$1")
	# busybox's timeout reports the signal; kselftest's runner says 124.
	if [ $(( $(date +%s) - start )) -ge "$limit" ] &&
	   { [ "$rc" = 143 ] || [ "$rc" = 137 ]; }; then
		rc=124
	fi
	echo "# $2: $(( $(date +%s) - start ))s"
	case $rc in
	0) echo "ok $1 selftests: svmdemo: $2" ;;
	4) echo "ok $1 selftests: svmdemo: $2 # SKIP" ;;
	124) echo "not ok $1 selftests: svmdemo: $2 # TIMEOUT ${limit} seconds" ;;
	*) echo "not ok $1 selftests: svmdemo: $2 # exit=$rc" ;;
	esac
}

beside() {
	[ -f beside ] && grep -qx "$1" beside
}

# Run the group of tests collected in /tmp/group ("number name args"
# lines) side by side, then print their output in order.
run_group() {
	[ -s /tmp/group ] || return 0
	# (sh has no local variables: not i, t and args of the main loop)
	while read -r gi gt gargs; do
		run_one "$gi" "$gt" "$gargs" >"/tmp/out.$gi" 2>&1 &
	done </tmp/group
	wait
	while read -r gi gt gargs; do
		cat "/tmp/out.$gi"
	done </tmp/group
	: >/tmp/group
}

n=$(grep -c . list)
echo "TAP version 13"
echo "1..$n"
i=0
: >/tmp/group
grep . list | while read -r t args; do
	i=$((i + 1))
	if beside "$t"; then
		echo "$i $t $args" >>/tmp/group
		continue
	fi
	run_group
	run_one "$i" "$t" "$args"
done
run_group
