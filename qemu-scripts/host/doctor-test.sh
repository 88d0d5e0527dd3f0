#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make doctor-test: make doctor must name the requirement that is missing.
# Each case hides one from it (a command, by a PATH without it; the
# mirror, by empty apt sources) and checks the verdict, the line naming
# it and the install command; the host as it is must pass.
#
# Host side only: it must not source lib.sh, which enters the root.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/host-env.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# A PATH of links to every command of PATH but $1.
path_without() {
	local dir=$tmp/path-$1 d f
	mkdir -p "$dir"
	IFS=: read -ra dirs <<<"$PATH"
	for d in "${dirs[@]}"; do
		for f in "$d"/*; do
			[ -x "$f" ] && [ ! -e "$dir/${f##*/}" ] &&
				[ "${f##*/}" != "$1" ] && ln -s "$f" "$dir/${f##*/}"
		done
	done
	echo "$dir"
}

# expect NAME WANT-EXIT PATTERN... -- COMMAND...: every PATTERN (an
# extended regex) must be a line of the output.
expect() {
	local name=$1 want=$2 rc=0 p out
	shift 2
	local pats=()
	while [ "$1" != -- ]; do pats+=("$1"); shift; done
	shift
	out=$("$@" 2>&1) || rc=$?
	for p in "${pats[@]}"; do
		if ! grep -Eq "$p" <<<"$out"; then
			echo "not ok $name: no line matching '$p'"
			echo "$out" | sed 's/^/    /'
			failed=1
			return
		fi
	done
	if [ "$rc" != "$want" ]; then
		echo "not ok $name: exit $rc, want $want"
		failed=1
		return
	fi
	echo "ok $name"
}

doctor=$HERE/doctor.sh
expect "host as it is" 0 'all set' -- "$doctor"
expect "mmdebstrap hidden" 1 '^  MISSING  mmdebstrap ' \
	'Debian/Ubuntu: sudo apt install mmdebstrap$' \
	'Fedora: +sudo dnf install mmdebstrap$' '1 missing' -- \
	env PATH="$(path_without mmdebstrap)" "$doctor"
mkdir -p "$tmp/apt/sources.list.d"
printf 'deb http://ubuntu-mirror.invalid/ubuntu noble main\n' >"$tmp/apt/sources.list"
expect "no Debian mirror" 1 '^  MISSING  mirror .*set MIRROR=' '1 missing' -- \
	env -u MIRROR SVMDEMO_APT_ETC="$tmp/apt" "$doctor"
expect "MIRROR= given" 0 '^  ok       mirror +http://mirror.invalid/debian \(MIRROR=\)' -- \
	env MIRROR=http://mirror.invalid/debian SVMDEMO_APT_ETC="$tmp/apt" "$doctor"
if [ "$(id -u)" != 0 ]; then
	expect "newuidmap hidden" 1 '^  MISSING  newuidmap ' \
		'Debian/Ubuntu: sudo apt install uidmap$' '1 missing' -- \
		env PATH="$(path_without newuidmap)" "$doctor"
fi
[ "$failed" = 0 ] && echo "doctor-test: PASS" || { echo "doctor-test: FAIL"; exit 1; }
