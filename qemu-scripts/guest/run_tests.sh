#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every selftest listed in /selftests/list ("name [args]" per line) as
# one KTAP document, like the kernel's run_kselftest.sh: each binary's own
# KTAP is nested under a "# " prefix and its exit status is its result:
# 0 pass, 4 (KSFT_SKIP) skip, 124 time-out (the limit of
# /selftests/settings, times SVMDEMO_STRESS and SVMDEMO_SLOW), anything
# else a failure.
cd /selftests || exit 1
factor=$(( ${SVMDEMO_STRESS:-1} * ${SVMDEMO_SLOW:-1} ))

# The limit of binary $1 from the settings file, in seconds.
limit_of() {
	l=$(sed -n "s/^timeout\.$1=//p" settings)
	[ -n "$l" ] || l=$(sed -n 's/^timeout=//p' settings)
	echo $(( ${l:-45} * factor ))
}

n=$(grep -c . list)
echo "TAP version 13"
echo "1..$n"
i=0
grep . list | while read -r t args; do
	i=$((i + 1))
	limit=$(limit_of "$t")
	echo "# selftests: svmdemo: $t"
	start=$(date +%s)
	# shellcheck disable=SC2086
	{ timeout -s TERM -k 10 "$limit" "./$t" $args; echo $? >/tmp/rc; } 2>&1 |
		sed 's/^/# /'
	rc=$(cat /tmp/rc)
	# busybox's timeout reports the signal; kselftest's runner says 124.
	if [ $(( $(date +%s) - start )) -ge "$limit" ] &&
	   { [ "$rc" = 143 ] || [ "$rc" = 137 ]; }; then
		rc=124
	fi
	echo "# $t: $(( $(date +%s) - start ))s"
	case $rc in
	0) echo "ok $i selftests: svmdemo: $t" ;;
	4) echo "ok $i selftests: svmdemo: $t # SKIP" ;;
	124) echo "not ok $i selftests: svmdemo: $t # TIMEOUT ${limit} seconds" ;;
	*) echo "not ok $i selftests: svmdemo: $t # exit=$rc" ;;
	esac
done
