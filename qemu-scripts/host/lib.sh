# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the svmdemo build and VM scripts. Source it, do not run it.
#
# Everything fetched or built lives under $SVMDEMO_CACHE, outside the clone,
# in directories keyed on their inputs so that re-runs are fast.

SVMDEMO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SVMDEMO_CACHE=${SVMDEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/svmdemo}

# Every script that sources this file runs inside the project's Debian
# root (root.sh): on the host, it starts itself again in there.
if [ "${SVMDEMO_IN_ROOT:-}" != 1 ]; then
	exec "$SVMDEMO_TOP/qemu-scripts/host/root.sh" run \
		"$(cd "$(dirname "$0")" && pwd)/$(basename "$0")" "$@"
fi
APT_DIR=$SVMDEMO_CACHE/apt
DEB_DIR=$SVMDEMO_CACHE/debs

# The QEMU source we build on; see docs/building.md for the detection rules.
QEMU_DEB_VERSION=${QEMU_DEB_VERSION:-1:10.2.2+ds-1}

# step, die
. "$SVMDEMO_TOP/qemu-scripts/host/host-env.sh"

# Hash of the given files/strings: the key of a cache directory.
key_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# The Debian mirror the root was made from (root.sh: the host's apt
# sources or MIRROR=; never written in the repository).
host_mirror() {
	[ -n "${SVMDEMO_MIRROR:-}" ] || die "no Debian mirror known (SVMDEMO_MIRROR)"
	printf '%s\n' "${SVMDEMO_MIRROR%/}"
}

# apt-get/apt-cache with a project-local state: the host's apt config is
# never rewritten.
apt_local_opts() {
	printf '%s\n' -o "Dir::Etc::SourceList=$APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o "Dir::State::Lists=$APT_DIR/lists" \
		-o "Dir::Cache::Archives=$APT_DIR/archives" \
		-o Dir::State::Status=/dev/null -o Debug::NoLocking=1
}
lapt_get() { mapfile -t o < <(apt_local_opts); apt-get "${o[@]}" "$@"; }
lapt_cache() { mapfile -t o < <(apt_local_opts); apt-cache "${o[@]}" "$@"; }

# Make the local apt state (trixie, trixie-backports, sid sources) and
# refresh it at most once an hour.
apt_local_setup() {
	local m kr=/usr/share/keyrings/debian-archive-keyring.gpg
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/archives/partial" "$DEB_DIR"
	m=$(host_mirror)
	cat >"$APT_DIR/sources.list.new" <<-EOF
	deb [signed-by=$kr] $m trixie main
	deb [signed-by=$kr] $m trixie-backports main
	deb-src [signed-by=$kr] $m sid main
	EOF
	if ! cmp -s "$APT_DIR/sources.list.new" "$APT_DIR/sources.list" ||
	   [ -z "$(find "$APT_DIR/stamp" -mmin -60 2>/dev/null)" ]; then
		mv "$APT_DIR/sources.list.new" "$APT_DIR/sources.list"
		step "refreshing package indexes (trixie, trixie-backports, sid sources) from $m"
		lapt_get -q update >"$APT_DIR/update.log" 2>&1 ||
			die "apt update of the extra suites failed (see $APT_DIR/update.log)"
		touch "$APT_DIR/stamp"
	fi
	rm -f "$APT_DIR/sources.list.new"
}

# Candidate version of a binary package in one suite (e.g. trixie-backports).
pkg_version_in() {
	lapt_cache madison "$1" | awk -v s="$2" '$0 ~ " "s"/" { print $3; exit }'
}

# Download one binary package (name=version) into $DEB_DIR; prints its path.
fetch_deb() {
	local spec=$1 name=${1%%=*} ver=${1#*=} f
	ver=${ver/:/%3a}	# apt encodes the epoch in file names
	f=$(ls "$DEB_DIR/${name}_${ver}"_*.deb 2>/dev/null | head -n1)
	if [ -z "$f" ]; then
		(cd "$DEB_DIR" && lapt_get -q download "$spec" >/dev/null 2>&1) ||
			die "could not download the Debian package $spec"
		f=$(ls "$DEB_DIR/${name}_${ver}"_*.deb 2>/dev/null | head -n1)
		[ -n "$f" ] || die "downloaded $spec but cannot find its .deb"
	fi
	printf '%s\n' "$f"
}

# The guest kernel: the version behind trixie-backports' linux-image-amd64.
# Resolved by deps.sh and recorded in $SVMDEMO_CACHE/kernel.env.
load_kernel_env() {
	local ksrc=${KSRC:-}
	[ -f "$SVMDEMO_CACHE/kernel.env" ] || die "no guest kernel yet: run 'make deps' first"
	# shellcheck disable=SC1091
	. "$SVMDEMO_CACHE/kernel.env"
	KSRC=$ksrc	# the user's tree, whatever an old cache says
}

# ---- guest kernels built from a source tree (make kernel KSRC=DIR) ----

# The flavour: KCONFIG=debug adds the bug detectors (kernel/debug.config).
kconfig_flavour() {
	case ${KCONFIG:-vm} in
	vm|"") echo vm ;;
	debug) echo debug ;;
	*) die "KCONFIG=$KCONFIG: must be empty, 'vm' or 'debug'" ;;
	esac
}

# The config fragments of flavour $1, in merge order.
kconfig_fragments() {
	local d=$SVMDEMO_TOP/qemu-scripts/kernel
	echo "$d/vm.config"
	[ "$1" = debug ] && echo "$d/debug.config"
	return 0
}

# The build directory (O=) of KSRC for the current flavour: keyed on the
# tree's real path and the fragments, so that a tree keeps its build
# directory (and rebuilds incrementally) until its config changes.
kernel_build_dir() {
	local src flavour key
	src=$(cd "$KSRC" 2>/dev/null && pwd -P) || die "KSRC=$KSRC: no such directory"
	flavour=$(kconfig_flavour)
	key=$( { echo "$src $flavour"; cat $(kconfig_fragments "$flavour"); } |
		sha256sum | cut -c1-12)
	echo "$SVMDEMO_CACHE/kbuild/$(basename "$src")-$flavour-$key"
}

# What vm-run.sh and mkinitramfs.sh boot: KERNEL (a bzImage), and the
# flavour's slowness factor for time limits (SVMDEMO_SLOW).
guest_kernel_select() {
	if [ -n "${KSRC:-}" ] && [ -z "${KERNEL:-}" ]; then
		KERNEL=$(kernel_build_dir)/arch/x86/boot/bzImage
		[ -f "$KERNEL" ] || die "no kernel built from $KSRC yet: run 'make kernel KSRC=$KSRC'"
	fi
	if [ -z "${SVMDEMO_SLOW:-}" ]; then
		SVMDEMO_SLOW=1
		[ -n "${KSRC:-}" ] && [ "$(kconfig_flavour)" = debug ] && SVMDEMO_SLOW=4
	fi
	return 0
}
