#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make deps: inside the project's Debian root (root.sh), fetch the QEMU
# source, firmware, guest kernel and its headers, and the kselftest
# headers into $SVMDEMO_CACHE. Idempotent; every step is skipped when its
# cache exists. Nothing is installed on the host.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Usable = has the PCI ATS/PRI API that the VT-d series and device build on.
qemu_source_usable() {
	grep -q 'pci_pri_request_page' "$1/hw/pci/pci.c" 2>/dev/null
}

qemu_source() {
	local dst=$SVMDEMO_CACHE/qemu-src v tried=()
	if [ -f "$dst/current" ] && qemu_source_usable "$(cat "$dst/current")"; then
		return
	fi
	mkdir -p "$dst/dl"
	# The pinned version first, then whatever else the sid index offers.
	for v in "$QEMU_DEB_VERSION" $(lapt_cache showsrc qemu |
			awk '/^Version:/ { print $2 }' | sort -rV); do
		case " ${tried[*]-} " in *" $v "*) continue ;; esac
		tried+=("$v")
		step "fetching Debian's QEMU source $v"
		rm -rf "$dst/dl"/* "$dst/tree"
		if ! (cd "$dst/dl" && lapt_get -q source --download-only "qemu=$v" \
				>"$dst/fetch.log" 2>&1); then
			echo "    $v: not downloadable (see $dst/fetch.log)"
			continue
		fi
		(cd "$dst/dl" && dpkg-source --no-check -x ./*.dsc "$dst/tree" \
			>"$dst/unpack.log" 2>&1) ||
			die "could not unpack the QEMU source $v (see $dst/unpack.log)"
		if ! qemu_source_usable "$dst/tree"; then
			echo "    $v: lacks the PCI ATS/PRI API (pci_pri_request_page); not usable"
			continue
		fi
		rm -rf "$dst/${v#*:}"
		mv "$dst/tree" "$dst/${v#*:}"
		echo "$dst/${v#*:}" >"$dst/current"
		echo "$v" >"$dst/version"
		rm -rf "$dst/dl"/*
		return
	done
	die "no usable QEMU source: tried ${tried[*]-none}; need Debian's qemu 1:10.2.x (with pci_pri_request_page) from the sid source index"
}

# qboot.rom and the option ROMs QEMU loads on q35 (linuxboot_dma.bin,
# kvmvapic.bin): the +ds source has no firmware blobs.
firmware() {
	local dst=$SVMDEMO_CACHE/firmware v deb
	[ -s "$dst/qboot.rom" ] && [ -s "$dst/linuxboot_dma.bin" ] && return
	v=$(lapt_cache madison qemu-system-data | awk '{ print $3; exit }')
	[ -n "$v" ] || die "qemu-system-data (for qboot.rom) not found in any suite"
	deb=$(fetch_deb "qemu-system-data=$v")
	step "extracting qboot.rom and option ROMs from qemu-system-data $v"
	rm -rf "$dst.tmp" "$dst" && mkdir -p "$dst.tmp"
	dpkg-deb -x "$deb" "$dst.tmp"
	[ -s "$dst.tmp/usr/share/qemu/qboot.rom" ] ||
		die "qboot.rom not found in $deb"
	mv "$dst.tmp/usr/share/qemu" "$dst"
	rm -rf "$dst.tmp"
}

# The guest kernel: trixie-backports' linux-image-amd64 -> its ABI name.
guest_kernel() {
	local v abi dst deb
	v=$(pkg_version_in linux-image-amd64 trixie-backports)
	[ -n "$v" ] || die "linux-image-amd64 not found in trixie-backports"
	abi=$(lapt_cache show "linux-image-amd64=$v" |
		sed -n 's/^Depends:.*linux-image-\([0-9][^ ]*-amd64\) .*/\1/p' | head -n1)
	[ -n "$abi" ] || die "cannot resolve the kernel ABI behind linux-image-amd64 $v"
	case $abi in 7.*) ;; *) die "trixie-backports kernel is $abi, need a 7.x kernel" ;; esac
	dst=$SVMDEMO_CACHE/kernel/$abi
	if [ ! -s "$dst/vmlinuz" ]; then
		deb=$(fetch_deb "linux-binary-$abi=$v")
		step "extracting the guest kernel $abi"
		rm -rf "$dst.tmp" && mkdir -p "$dst.tmp"
		dpkg-deb -x "$deb" "$dst.tmp"
		mkdir -p "$dst"
		cp "$dst.tmp/usr/lib/modules/$abi/vmlinuz" "$dst/vmlinuz" ||
			die "no vmlinuz in $deb"
		cp "$dst.tmp/usr/lib/modules/$abi/config" "$dst/config" 2>/dev/null ||
			cp "$dst.tmp/boot/config-$abi" "$dst/config" 2>/dev/null || true
		rm -rf "$dst.tmp"
	fi
	KVER_PKG=$v KABI=$abi KSERIES=$(echo "$abi" | cut -d. -f1-2) KDIR_ROOT=$dst
	cat >"$SVMDEMO_CACHE/kernel.env.new" <<-EOF
	KVER_PKG=$KVER_PKG
	KABI=$KABI
	KSERIES=$KSERIES
	KDIR_ROOT=$dst
	EOF
}

# Guest kernel modules the tests need that are not built in: zram (swap in
# RAM, for the page-fault storm tests) and its dependency, from
# linux-modules-<abi> of trixie-backports, decompressed for busybox insmod.
GUEST_MODULES="kernel/lib/lz4/lz4hc_compress.ko kernel/drivers/block/zram/zram.ko"
guest_modules() {
	local dst deb m tmp
	# KABI, KVER_PKG, KDIR_ROOT: set by guest_kernel (kernel.env is only
	# published at the end).
	dst=$KDIR_ROOT/modules
	[ -f "$dst/.ready" ] && return
	deb=$(fetch_deb "linux-modules-$KABI=$KVER_PKG")
	step "extracting guest modules (zram) from linux-modules-$KABI"
	tmp=$(mktemp -d)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards \
		$(for m in $GUEST_MODULES; do echo "./usr/lib/modules/$KABI/$m*"; done) ||
		die "could not extract $GUEST_MODULES from $deb"
	rm -rf "$dst" && mkdir -p "$dst"
	for m in $GUEST_MODULES; do
		m=$tmp/usr/lib/modules/$KABI/$m
		if [ -f "$m.xz" ]; then xz -dc "$m.xz" >"$dst/$(basename "$m")"
		elif [ -f "$m.zst" ]; then zstd -qdc "$m.zst" >"$dst/$(basename "$m")"
		elif [ -f "$m" ]; then cp "$m" "$dst/"
		else die "no $(basename "$m") in $deb"
		fi
	done
	rm -rf "$tmp"
	rm -f "$deb"
	touch "$dst/.ready"
}

# The guest kernel's headers in the root (root.sh), for the module and
# DKMS: the one package of the root that follows trixie-backports.
kernel_headers() {
	[ -d "/usr/src/linux-headers-$KABI" ] && return
	step "installing linux-headers-$KABI in the root"
	{ apt-get -q update &&
	  DEBIAN_FRONTEND=noninteractive apt-get -qy --no-install-recommends \
		install "linux-headers-$KABI=$KVER_PKG" && apt-get clean; } \
		>"$SVMDEMO_CACHE/headers.log" 2>&1 ||
		die "could not install linux-headers-$KABI (see $SVMDEMO_CACHE/headers.log)"
}

# kselftest.h, kselftest_harness.h (and checkpatch.pl for 'make lint') from
# linux-source-<series> of the guest kernel.
kernel_source_bits() {
	local dst v deb tarball
	dst=$SVMDEMO_CACHE/ksrc/$KSERIES
	if [ ! -f "$dst/.ready" ]; then
		v=$(pkg_version_in "linux-source-$KSERIES" trixie-backports)
		[ -n "$v" ] || die "linux-source-$KSERIES not found in trixie-backports"
		deb=$(fetch_deb "linux-source-$KSERIES=$v")
		step "extracting kselftest headers and checkpatch from linux-source-$KSERIES $v"
		rm -rf "$dst" && mkdir -p "$dst"
		tarball=usr/src/linux-source-$KSERIES.tar.xz
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "./$tarball" |
			tar -xJ -C "$dst" --strip-components=1 --wildcards \
			'*/tools/testing/selftests/kselftest.h' \
			'*/tools/testing/selftests/kselftest_harness.h' \
			'*/tools/testing/selftests/kselftest_harness/*' \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' 2>/dev/null || true
		[ -f "$dst/tools/testing/selftests/kselftest_harness.h" ] ||
			die "kselftest_harness.h not found in linux-source-$KSERIES"
		# The .deb stays: linux-source.sh extracts the whole tree.
		touch "$dst/.ready"
	fi
	echo "KSFT_ROOT=$dst" >>"$SVMDEMO_CACHE/kernel.env.new"
}

main() {
	mkdir -p "$SVMDEMO_CACHE"
	# One deps run at a time per cache (parallel makes, several shells).
	exec 9>"$SVMDEMO_CACHE/.deps.lock"
	flock 9
	apt_local_setup
	qemu_source
	firmware
	guest_kernel
	guest_modules
	kernel_headers
	kernel_source_bits
	# Published only when complete: other commands read it at any time.
	mv "$SVMDEMO_CACHE/kernel.env.new" "$SVMDEMO_CACHE/kernel.env"
	step "deps ready in $SVMDEMO_CACHE (kernel $KABI, QEMU $(cat "$SVMDEMO_CACHE/qemu-src/version"))"
}

main "$@"
