# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for the few scripts that run on the host itself, outside the
# project's Debian root (root.sh, doctor.sh, .ci/user-check): only bash,
# coreutils, awk and util-linux may be used here. lib.sh takes step and
# die from here too. Source it, do not run it.

step() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Debian's release names, for telling a Debian source from another one.
DEBIAN_SUITES="bullseye bookworm trixie forky duke sid oldoldstable
oldstable stable testing unstable"

# The Debian mirror: MIRROR= if set, else the first Debian archive in
# the host's apt sources (one-line .list and deb822 .sources files), of
# any Debian release; never a security or third-party archive.
debian_mirror() {
	local files=() m etc=${SVMDEMO_APT_ETC:-/etc/apt}	# tests: another dir
	if [ -n "${MIRROR:-}" ]; then
		printf '%s\n' "${MIRROR%/}"
		return 0
	fi
	[ -f "$etc/sources.list" ] && files+=("$etc/sources.list")
	for m in "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
		[ -f "$m" ] && files+=("$m")
	done
	[ ${#files[@]} -gt 0 ] || return 1
	m=$(awk -v suites="$DEBIAN_SUITES" '
		function debian(suite) {
			sub(/-(updates|backports|proposed-updates)$/, "", suite)
			return suite in ok
		}
		function pick(uri, suite) {
			if (!done && uri ~ /^https?:\/\// && uri !~ /security/ &&
			    debian(suite)) {
				print uri
				done = 1
				exit
			}
		}
		function flush() {
			if (!off && types ~ /[ \t]deb([ \t]|$)/)
				pick(uris, suite)
			types = uris = suite = ""
			off = 0
		}
		BEGIN { n = split(suites, s, " "); for (i = 1; i <= n; i++) ok[s[i]] = 1 }
		FNR == 1 { flush() }
		FILENAME ~ /\.sources$/ {
			if ($0 ~ /^[ \t]*$/) flush()
			else if ($1 == "Types:") types = $0
			else if ($1 == "URIs:") uris = $2
			else if ($1 == "Suites:") suite = $2
			else if ($1 == "Enabled:" && $2 == "no") off = 1
			next
		}
		/^deb[ \t]/ {
			i = 2
			if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			pick($i, $(i + 1))
		}
		END { flush() }' "${files[@]}")
	[ -n "$m" ] || return 1
	printf '%s\n' "${m%/}"
}

mirror_help() {
	echo "no Debian mirror: the host's apt sources name none (not a Debian host?); set MIRROR=, e.g. MIRROR=http://<a Debian mirror>/debian"
}

# "start:count" of NAME's (or UID's) first range in a subid file.
subid_range() {
	awk -F: -v n="$2" -v u="$3" '($1 == n || $1 == u) && $3 >= 65536 {
		print $2 ":" $3; found = 1; exit } END { exit !found }' "$1" 2>/dev/null
}

# Debian's archive keyring on hosts that are not Debian (Debian's own apt
# trusts it already).
DEBIAN_KEYRINGS="/usr/share/keyrings/debian-archive-keyring.gpg
/usr/share/distribution-gpg-keys/debian/debian-archive-keyring.gpg"

debian_keyring() {
	local k
	for k in $DEBIAN_KEYRINGS; do
		[ -f "$k" ] && { printf '%s\n' "$k"; return 0; }
	done
	return 1
}

# mmdebstrap's --keyring where the host's apt does not trust Debian.
keyring_opt() {
	ls /etc/apt/trusted.gpg.d/debian-archive-*.asc \
		/etc/apt/trusted.gpg.d/debian-archive-*.gpg >/dev/null 2>&1 &&
		return 0
	debian_keyring | sed 's/^/--keyring=/'
	return 0
}
