# SPDX-License-Identifier: GPL-2.0
# svmdemo: every entry point. Each step prints one "==>" line; the scripts
# live in qemu-scripts/ and cache what they fetch and build under
# ${XDG_CACHE_HOME:-$HOME/.cache}/svmdemo.

S := qemu-scripts/host
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# Installing on your own machine: the running kernel's build tree.
INSTALL_KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr
# Kbuild for svmdemo.ko: objects and flags are in ./Kbuild.
# VTD_WORKAROUNDS=0: without the driver's work-arounds for VT-d bugs
# (driver/svmdemo_compat.h), to test a kernel with patches/linux/.
VTD_WORKAROUNDS ?= 1
KBUILD_MAKE = make -s -C $$KDIR M=/src W=1 VTD_WORKAROUNDS=$(VTD_WORKAROUNDS)

# KSRC=DIR builds and boots a guest kernel from that Linux tree (KCONFIG=
# debug: with the kernel's bug detectors); docs/kernel.md.
export KSRC KCONFIG

.PHONY: all deps doctor doctor-test qemu module selftests run demo shell check bench lint clean help \
	kernel qtest qemu-series distclean \
	runner-test \
	install install-headers dkms-install dkms-uninstall dkms-check

all: qemu $(if $(KSRC),kernel) module selftests

help:
	@echo "make check   build everything, boot the VM, run the selftests (KTAP)"
	@echo "make demo    build everything, boot the VM, run a short SVM demo"
	@echo "make shell   boot the VM with a shell on the console"
	@echo "make qtest   the device and VT-d qtests alone (no guest, seconds)"
	@echo "make stress  the long robustness tests (STRESS=10 times make check's)"
	@echo "make bench   benchmark (docs/performance.md); build/bench.json"
	@echo "make lint    checkpatch (kernel and QEMU), sparse, W=1 -Werror"
	@echo "make install        build and install svmdemo.ko for the running kernel"
	@echo "make dkms-install   register the module with DKMS (all kernels)"
	@echo "make kernel KSRC=DIR [KCONFIG=debug]  a guest kernel from your tree"
	@echo "   (then make check|demo|shell|bench|stress KSRC=DIR boot it)"
	@echo "make qemu-series    the QEMU series for git am, in build/qemu-series/"
	@echo "make doctor  check what the host needs (docs/building.md)"
	@echo "make deps | qemu | module | selftests | dkms-check | clean | distclean"

# What the host must have; the rest is built in the project's Debian root.
doctor:
	@$(S)/doctor.sh

# doctor names a requirement that is hidden from it (CI).
doctor-test:
	@$(S)/doctor-test.sh

deps:
	@$(S)/deps.sh

kernel: deps
	@$(S)/build-kernel.sh

qemu: deps
	@$(S)/build-qemu.sh

# The QEMU series as git am takes it, with the device generated from
# qemu-scripts/device/ (docs/building.md): build/qemu-series/.
qemu-series: deps
	@$(S)/qemu-series.sh

# KDIR=/path/to/kernel/build builds against your own tree, on this host.
ifdef KDIR
module:
	@echo "==> building svmdemo.ko against $(KDIR)"
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules
else
module: deps $(if $(KSRC),kernel)
	@echo "==> building svmdemo.ko against $(if $(KSRC),the kernel built from $(KSRC),the guest kernel's headers)"
	@$(S)/in-buildroot.sh sh -c '$(KBUILD_MAKE) modules'
endif

selftests: deps
	@echo "==> building the selftests (static, in the build root)"
	@$(MAKE) -s -C selftests all

# The device and intel-iommu on their own first (seconds), then the VM.
qtest: qemu
	@$(S)/qtest.sh

# The qtests mostly wait on their QEMUs: they run beside the VM, and
# their report follows the VM's.
check: all
	@mkdir -p build/logs
	@$(S)/qtest.sh >build/logs/qtest.out 2>&1 & qt=$$!; \
	$(MAKE) -s -C selftests run; vm=$$?; \
	wait $$qt; q=$$?; cat build/logs/qtest.out; \
	[ $$vm = 0 ] && [ $$q = 0 ]

# The VM runner's own test: it must count expected IOMMU refusals and
# fail a run on an unexpected one (docs/reliability.md).
runner-test: all
	@$(S)/runner-selftest.sh

# The long versions of the robustness tests (docs/reliability.md): every
# selftest, with iterations scaled by STRESS (CI: a small STRESS).
STRESS ?= 10
.PHONY: stress
stress: all
	@SVMDEMO_STRESS=$(STRESS) $(S)/vm-run.sh stress $$((900 + 600 * $(STRESS)))

run demo: all
	@$(S)/vm-run.sh demo 600

shell: all
	@$(S)/vm-run.sh shell

# Times a warm 'make check' first (BENCH_CHECK=0: reuse the last time).
bench: all
	@$(S)/bench-host.sh

lint: deps
	@$(S)/lint.sh

# ---- on your own machine (not the VM): running kernel, distro headers ----
# These write /lib/modules, /usr and /usr/src: root's business.
need-root = @[ "$$(id -u)" = 0 ] || { echo "make $(MAKECMDGOALS) installs into the system and needs root: run 'sudo make $(MAKECMDGOALS)' (the tests need no root: make check)" >&2; exit 1; }

install: install-headers
	$(need-root)
	$(MAKE) -C $(INSTALL_KDIR) M=$(CURDIR) modules
	$(MAKE) -C $(INSTALL_KDIR) M=$(CURDIR) modules_install
	depmod -a $(notdir $(patsubst %/build,%,$(INSTALL_KDIR)))

install-headers:
	$(need-root)
	install -D -m 644 uapi/linux/svmdemo.h $(DESTDIR)$(PREFIX)/include/linux/svmdemo.h

dkms-install: install-headers
	$(need-root)
	rm -rf $(DESTDIR)/usr/src/svmdemo-$(VERSION)
	mkdir -p $(DESTDIR)/usr/src/svmdemo-$(VERSION)
	mkdir -p $(DESTDIR)/usr/src/svmdemo-$(VERSION)/driver \
		$(DESTDIR)/usr/src/svmdemo-$(VERSION)/uapi/linux \
		$(DESTDIR)/usr/src/svmdemo-$(VERSION)/hw
	cp dkms.conf Kbuild $(DESTDIR)/usr/src/svmdemo-$(VERSION)/
	cp driver/*.[ch] $(DESTDIR)/usr/src/svmdemo-$(VERSION)/driver/
	cp uapi/linux/*.h $(DESTDIR)/usr/src/svmdemo-$(VERSION)/uapi/linux/
	cp hw/*.h $(DESTDIR)/usr/src/svmdemo-$(VERSION)/hw/
	dkms add -m svmdemo -v $(VERSION)
	dkms install -m svmdemo -v $(VERSION) $(if $(KVER),-k $(KVER))

dkms-uninstall:
	$(need-root)
	-dkms remove -m svmdemo -v $(VERSION) --all
	rm -rf $(DESTDIR)/usr/src/svmdemo-$(VERSION)

# CI: the DKMS flow inside the trixie build root, for the guest kernel.
dkms-check: deps
	@$(S)/dkms-check.sh

# build/ and the whole cache (the root's files owned by subordinate ids too).
distclean: clean
	@$(S)/root.sh purge

clean:
	rm -rf build
	! $(S)/root.sh ready || $(S)/in-buildroot.sh sh -c '$(KBUILD_MAKE) clean' 2>/dev/null || true
