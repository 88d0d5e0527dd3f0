#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make doctor: check what the host must have to build and run everything
# in the project's Debian root (root.sh), one requirement per line. For a
# missing one it prints what is missing and the command that installs it
# on Debian/Ubuntu, Fedora and Arch. Exits 1 if anything is missing.
#
# Host side only: it must not source lib.sh, which enters the root.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/host-env.sh"

missing=0
user=$(id -un 2>/dev/null || id -u)

ok() { printf '  ok       %-22s %s\n' "$1" "$2"; }
# bad NAME WHAT DEBIAN FEDORA ARCH: a missing requirement and its fix.
bad() {
	printf '  MISSING  %-22s %s\n' "$1" "$2"
	[ -n "$3" ] && printf '           Debian/Ubuntu: %s\n' "$3"
	[ -n "$4" ] && printf '           Fedora:        %s\n' "$4"
	[ -n "$5" ] && printf '           Arch:          %s\n' "$5"
	missing=$((missing + 1))
}

# A command from a package of the same name on every distribution.
need_cmd() {
	local cmd=$1 deb=${2:-$1} fed=${3:-${2:-$1}} arch=${4:-${2:-$1}}
	if command -v "$cmd" >/dev/null 2>&1; then
		ok "$cmd" "$(command -v "$cmd")"
	else
		bad "$cmd" "no '$cmd' in PATH" "sudo apt install $deb" \
			"sudo dnf install $fed" "sudo pacman -S $arch"
	fi
}

check_bash() {
	if [ "${BASH_VERSINFO[0]}" -ge 4 ]; then
		ok bash "$BASH_VERSION"
	else
		bad bash "bash $BASH_VERSION is older than 4" "sudo apt install bash" \
			"sudo dnf install bash" "sudo pacman -S bash"
	fi
}

check_make() {
	local v
	v=$(make --version 2>/dev/null | head -n1)
	if [ "${v#GNU Make}" != "$v" ]; then
		ok make "$v"
	else
		bad make "no GNU make in PATH" "sudo apt install make" \
			"sudo dnf install make" "sudo pacman -S make"
	fi
}

check_unshare() {
	local h
	h=$(unshare --help 2>/dev/null)
	if [ "${h#*--propagation}" != "$h" ]; then
		ok unshare "$(unshare --version 2>/dev/null | head -n1)"
	else
		bad unshare "no unshare with --propagation (util-linux 2.27 or later)" \
			"sudo apt install util-linux" "sudo dnf install util-linux" \
			"sudo pacman -S util-linux"
	fi
}

check_keyring() {
	local k
	if k=$(debian_keyring); then
		ok debian-keyring "$k"
		return
	fi
	bad debian-keyring "no Debian archive keyring (mmdebstrap checks the mirror's signatures with it)" \
		"sudo apt install debian-archive-keyring" \
		"sudo dnf install distribution-gpg-keys" \
		"sudo pacman -S debian-archive-keyring"
}

check_mirror() {
	local m
	if m=$(debian_mirror); then
		ok mirror "$m${MIRROR:+ (MIRROR=)}"
	else
		bad mirror "$(mirror_help)" "" "" ""
	fi
}

# The user namespace requirements of a normal user (root needs none).
check_subids() {
	local f r
	for f in subuid subgid; do
		if r=$(subid_range "/etc/$f" "$user" "$(id -u)"); then
			ok "/etc/$f" "$user:$r"
		else
			bad "/etc/$f" "no range of 65536 subordinate ids for $user" \
				"sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $user" \
				"sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $user" \
				"sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $user"
		fi
	done
}

check_sysctls() {
	local v
	v=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)
	if [ "$v" -gt 0 ]; then
		ok user-namespaces "user.max_user_namespaces=$v"
	else
		bad user-namespaces "user namespaces are off (user.max_user_namespaces=$v)" \
			"sudo sysctl -w user.max_user_namespaces=15000" \
			"sudo sysctl -w user.max_user_namespaces=15000" \
			"sudo sysctl -w user.max_user_namespaces=15000"
	fi
	v=$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)
	if [ "$v" != 1 ]; then
		bad unprivileged-userns "kernel.unprivileged_userns_clone=$v forbids them to users" \
			"sudo sysctl -w kernel.unprivileged_userns_clone=1" "" \
			"sudo sysctl -w kernel.unprivileged_userns_clone=1"
	fi
	v=$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null || echo 0)
	if [ "$v" = 1 ]; then
		bad apparmor-userns "AppArmor restricts unprivileged user namespaces (Ubuntu 23.10 and later)" \
			"sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0   (or an AppArmor profile for unshare)" "" ""
	fi
}

# The real thing: enter a namespace the way root.sh does.
check_probe() {
	local out
	if out=$("$HERE/root.sh" probe 2>&1); then
		ok namespace-probe "root in a user namespace, subordinate ids mapped"
	else
		bad namespace-probe "entering a user namespace as root.sh does failed: $(echo "$out" | tail -n1) (a container must allow nested user namespaces)" "" "" ""
	fi
}

check_space() {
	local dir=$SVMDEMO_CACHE_DIR avail
	while [ ! -d "$dir" ]; do dir=$(dirname "$dir"); done
	avail=$(df -Pk "$dir" | awk 'NR == 2 { print int($4 / 1048576) }')
	if [ "$avail" -ge 10 ]; then
		ok disk-space "${avail} GiB free for $SVMDEMO_CACHE_DIR"
	else
		bad disk-space "${avail} GiB free for $SVMDEMO_CACHE_DIR; make check needs about 10 GiB, KSRC= builds more" "" "" ""
	fi
}

SVMDEMO_CACHE_DIR=${SVMDEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/svmdemo}
echo "make doctor: what this host needs (as $user)"
check_bash
check_make
need_cmd awk gawk gawk gawk
need_cmd tar
need_cmd flock util-linux
check_unshare
need_cmd mmdebstrap
check_keyring
if [ "$(id -u)" != 0 ]; then
	need_cmd newuidmap uidmap shadow-utils shadow
	need_cmd newgidmap uidmap shadow-utils shadow
	check_subids
	check_sysctls
fi
[ "$missing" = 0 ] && check_probe
check_mirror
check_space
if [ "$missing" -gt 0 ]; then
	echo "make doctor: $missing missing; install them, then run it again"
	exit 1
fi
echo "make doctor: all set: make demo, make check"
