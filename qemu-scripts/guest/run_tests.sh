#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every selftest listed in /selftests/list ("name [args]" per line) as
# one KTAP document, like the kernel's run_kselftest.sh: each binary's own
# KTAP is nested under a "# " prefix and its exit status (0 pass, 4 skip,
# anything else fail) is its result. Each test has a time limit.
cd /selftests || exit 1
limit=${SVMDEMO_TEST_TIMEOUT:-300}
n=$(grep -c . list)
echo "TAP version 13"
echo "1..$n"
i=0
grep . list | while read -r t args; do
	i=$((i + 1))
	echo "# selftests: svmdemo: $t"
	# shellcheck disable=SC2086
	{ timeout -s KILL "$limit" "./$t" $args; echo $? >/tmp/rc; } 2>&1 |
		sed 's/^/# /'
	rc=$(cat /tmp/rc)
	case $rc in
	0) echo "ok $i selftests: svmdemo: $t" ;;
	4) echo "ok $i selftests: svmdemo: $t # SKIP" ;;
	137) echo "not ok $i selftests: svmdemo: $t # TIMEOUT ${limit}s" ;;
	*) echo "not ok $i selftests: svmdemo: $t # exit=$rc" ;;
	esac
done
