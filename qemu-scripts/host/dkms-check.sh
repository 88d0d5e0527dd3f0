#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make dkms-check: the DKMS install flow a user runs on their own machine,
# exercised inside the trixie build root for the guest kernel: install the
# sources and the uapi header, let dkms build and install the module,
# check the result, compile a program against the installed header, and
# remove everything again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
load_kernel_env
step "DKMS install/remove of svmdemo for $KABI (in the build root)"
# The first C block of the README is the liburing example.
mkdir -p "$SVMDEMO_TOP/build"
awk '/^```c$/ { on = 1; next } /^```$/ { if (on) exit } on' \
	"$SVMDEMO_TOP/README.md" >"$SVMDEMO_TOP/build/readme-example.c"
grep -q io_uring_submit "$SVMDEMO_TOP/build/readme-example.c" ||
	die "no liburing example in README.md"
"$SVMDEMO_TOP/qemu-scripts/host/in-buildroot.sh" sh -euc '
	cd /src
	make -s dkms-uninstall >/dev/null 2>&1 || true
	make -s dkms-install KVER=$KABI
	dkms status -m svmdemo
	ko=$(ls /lib/modules/$KABI/updates/dkms/svmdemo.ko*)
	echo "installed: $ko"
	modinfo -F vermagic "$ko" | grep -q "^$KABI "
	modinfo -F alias "$ko" | grep -q "v00001234d00000B11"
	# The uapi header is usable from the standard include path.
	printf "#include <linux/svmdemo.h>\nint main(void) { return SVMDEMO_IOC_INFO == 0; }\n" |
		gcc -Wall -Werror -x c -o /tmp/uapi-check -
	# So does the README'"'"'s liburing example.
	gcc -Wall -Werror -static -o /tmp/readme-example \
		/src/build/readme-example.c -luring
	echo "README liburing example: compiles against the installed header"
	make -s dkms-uninstall >/dev/null
	rm -f /usr/include/linux/svmdemo.h
	! ls /lib/modules/$KABI/updates/dkms/svmdemo.ko* 2>/dev/null
'
echo "dkms-check: PASS"
