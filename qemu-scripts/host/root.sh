#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The project's Debian root: every build and every run happens inside it,
# so that the host needs no compiler, no library and no package of ours.
#
#   qemu-scripts/host/root.sh run CMD [ARGS...]   CMD inside the root
#   qemu-scripts/host/root.sh path                 the root's directory
#   qemu-scripts/host/root.sh probe|ready|purge     make doctor, clean,
#                                                  distclean
#
# The root is a Debian trixie made by mmdebstrap from the host's Debian
# mirror (or MIRROR=), once, into $SVMDEMO_CACHE/root/. It is entered
# through a mount namespace; as a normal user also through a user
# namespace in which the user is root and the user's subordinate ids are
# the other users, so that apt and dpkg work and every file the root
# writes into the clone or the cache belongs to the user on the host.
# The clone, the cache, /tmp, KSRC, the directories of KERNEL and QEMU
# and those of SVMDEMO_BIND (colon separated) appear inside at the paths
# they have outside.
#
# Host side only: it must not source lib.sh, which enters the root.
set -euo pipefail

SVMDEMO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SVMDEMO_CACHE=${SVMDEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/svmdemo}
HERE=$SVMDEMO_TOP/qemu-scripts/host
. "$HERE/host-env.sh"

SUITE=trixie
# gcc..libelf-dev: the module, the selftests and guest kernels (kbuild);
# meson..git: QEMU; cpio..pciutils: the guest's initramfs; the rest:
# fetching and unpacking Debian packages, lint (perl), bench (python3).
ROOT_PKGS="gcc make libc6-dev liburing-dev dkms bc bison flex libelf-dev
meson ninja-build pkg-config python3 python3-venv libglib2.0-dev
libpixman-1-dev git cpio busybox-static pciutils xz-utils zstd dpkg-dev
patch perl ca-certificates debian-archive-keyring"

# Snapshot mirrors (snapshot.debian.org, a frozen proxy) serve Release
# files past their Valid-Until date; their signatures are still checked.
ROOT_APTOPT='Acquire::Check-Valid-Until "false"'

root_dir() {
	local key
	key=$(echo "$SUITE $ROOT_PKGS $ROOT_APTOPT" | sha256sum | cut -c1-12)
	echo "$SVMDEMO_CACHE/root/$SUITE-$key"
}

# Run "$@" in a private mount namespace, as root: the real one, or the
# user mapped to root of a new user namespace with the subordinate ids
# as the other users (the mapping podman uses). newuidmap must write the
# maps from outside, so the child waits on a fifo until they are set.
ns_run() {
	if [ "$(id -u)" = 0 ]; then
		unshare --mount --propagation private -- "$@"
		return
	fi
	local d uid gid su sg helper rc=0
	uid=$(id -u) gid=$(id -g)
	su=$(subid_range /etc/subuid "$(id -un)" "$uid") ||
		die "no subordinate uids for $(id -un) in /etc/subuid: run 'make doctor'"
	sg=$(subid_range /etc/subgid "$(id -un)" "$uid") ||
		die "no subordinate gids for $(id -un) in /etc/subgid: run 'make doctor'"
	d=$(mktemp -d)
	mkfifo "$d/pid" "$d/mapped"
	(
		read -r pid <"$d/pid"
		rc=0
		newuidmap "$pid" 0 "$uid" 1 1 ${su/:/ } >"$d/log" 2>&1 &&
			newgidmap "$pid" 0 "$gid" 1 1 ${sg/:/ } >>"$d/log" 2>&1 ||
			rc=1
		echo "$rc" >"$d/mapped"
	) </dev/null >/dev/null 2>&1 &
	helper=$!
	# The second exec, once mapped, makes the command root with its
	# capabilities in the namespace.
	unshare --user --mount --propagation private -- sh -c '
		d=$1; shift
		echo $$ >"$d/pid"
		read -r rc <"$d/mapped"
		[ "$rc" = 0 ] || { cat "$d/log" >&2; exit 125; }
		rm -rf "$d"
		exec "$@"' sh "$d" "$@" || rc=$?
	# If unshare itself failed, the helper still waits for a pid.
	kill "$helper" 2>/dev/null || true
	wait "$helper" 2>/dev/null || true
	rm -rf "$d"
	return "$rc"
}

# Create the root: mmdebstrap writes a tarball that is unpacked inside
# the namespace with its numeric owners (dev/ stays empty: the host's
# /dev is bound there).
create_root() {
	local root=$1 m mode=unshare tmp k kr=()
	m=$(debian_mirror) || die "$(mirror_help)"
	[ "$(id -u)" = 0 ] && mode=root
	command -v mmdebstrap >/dev/null || root_install_mmdebstrap
	tmp=$root.tmp
	k=$(keyring_opt)
	[ -n "$k" ] && kr=("$k")
	rm -rf "$tmp" && mkdir -p "$tmp"
	step "creating the Debian $SUITE root from $m (mmdebstrap, $mode mode, a few minutes)" >&2
	# shellcheck disable=SC2086
	mmdebstrap --mode="$mode" --variant=minbase --format=tar \
		--aptopt="$ROOT_APTOPT" ${kr[@]+"${kr[@]}"} --include="$(echo $ROOT_PKGS | tr ' ' ,)" \
		"$SUITE" - "deb $m $SUITE main" "deb $m $SUITE-backports main" \
		2>"$root.log" | ns_run tar -x -p --numeric-owner -C "$tmp" \
		--exclude='./dev/*' ||
		die "creating the root failed (see $root.log)"
	printf '%s\n' "$m" >"$tmp/etc/svmdemo-mirror"
	touch "$tmp/.svmdemo-ready"
	rm -rf "$root" && mv "$tmp" "$root"
}

# mmdebstrap on a fresh Debian as root (CI): the one host package we add.
root_install_mmdebstrap() {
	[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null ||
		die "mmdebstrap is missing: run 'make doctor'"
	step "installing mmdebstrap on the host (root, Debian)" >&2
	DEBIAN_FRONTEND=noninteractive apt-get -q update >/dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get -qy install mmdebstrap \
		>/dev/null || die "could not install mmdebstrap"
}

ensure_root() {
	local root
	root=$(root_dir)
	[ -f "$root/.svmdemo-ready" ] && return
	mkdir -p "$SVMDEMO_CACHE/root"
	exec 8>"$SVMDEMO_CACHE/root/.lock"
	flock 8
	[ -f "$root/.svmdemo-ready" ] || create_root "$root"
	exec 8>&-
}

# Inside the namespaces: bind what the command needs, chroot, run it with
# the caller's environment but the root's PATH.
inside() {
	local root=$1 d
	shift
	# A mount point of its own, so that commands inside can make their
	# own private mount namespaces (in-buildroot.sh).
	mount --bind "$root" "$root"
	bind_dev "$root"
	local extra=()
	IFS=: read -ra extra <<<"${SVMDEMO_BIND:-}"
	for d in /tmp "$SVMDEMO_TOP" "$SVMDEMO_CACHE" ${KSRC:+"$KSRC"} \
		${KERNEL:+"$(dirname "$KERNEL")"} ${QEMU:+"$(dirname "$QEMU")"} \
		${extra[@]+"${extra[@]}"}; do
		d=$(cd "$d" 2>/dev/null && pwd -P) || continue
		mkdir -p "$root$d"
		mount --bind "$d" "$root$d"
	done
	[ -f /etc/resolv.conf ] && mount --bind "$(readlink -f /etc/resolv.conf)" \
		"$root/etc/resolv.conf" 2>/dev/null || true
	cd "$root"
	exec chroot "$root" /bin/sh -c 'cd "$1" 2>/dev/null || cd "$2"; shift 2; exec "$@"' \
		sh "$PWD_OUTSIDE" "$SVMDEMO_TOP" /usr/bin/env -u LD_PRELOAD \
		-u LD_LIBRARY_PATH -u PYTHONPATH -u PERL5LIB \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		SVMDEMO_IN_ROOT=1 SVMDEMO_CACHE="$SVMDEMO_CACHE" \
		SVMDEMO_ROOT_ID="$(basename "$root")" \
		SVMDEMO_MIRROR="$(cat "$root/etc/svmdemo-mirror")" "$@"
}

bind_dev() {
	local root=$1 m
	for m in dev proc sys; do
		mkdir -p "$root/$m"
		mount --rbind "/$m" "$root/$m"
	done
}

case ${1:-} in
run)
	shift
	[ $# -gt 0 ] || die "usage: $0 run CMD [ARGS...]"
	ensure_root
	export PWD_OUTSIDE=$PWD SVMDEMO_CACHE
	ns_run "$0" __inside "$(root_dir)" "$@"
	;;
__inside)
	shift
	inside "$@"
	;;
path)
	ensure_root
	root_dir
	;;
probe)	# make doctor: can we enter a namespace as root.sh does?
	ns_run true
	;;
ready)	# make clean: is there a root to clean in?
	[ -f "$(root_dir)/.svmdemo-ready" ]
	;;
purge)	# make distclean: the cache, with the files of the root's users
	ns_run rm -rf "$SVMDEMO_CACHE"
	;;
*)
	die "usage: $0 run CMD [ARGS...] | path | probe | ready | purge"
	;;
esac
