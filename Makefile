# SPDX-License-Identifier: GPL-2.0
# svmdemo: every entry point. Each step prints one "==>" line; the scripts
# live in qemu-scripts/ and cache what they fetch and build under
# ${XDG_CACHE_HOME:-$HOME/.cache}/svmdemo.

S := qemu-scripts
# Kbuild for svmdemo.ko: objects and flags are in ./Kbuild.
KBUILD_MAKE = make -s -C $$KDIR M=/src W=1

.PHONY: all deps qemu module selftests run demo shell check lint clean help

all: qemu module selftests

help:
	@echo "make check   build everything, boot the VM, run the selftests (KTAP)"
	@echo "make demo    build everything, boot the VM, run a short SVM demo"
	@echo "make shell   boot the VM with a shell on the console"
	@echo "make lint    checkpatch (kernel and QEMU), sparse, W=1 -Werror"
	@echo "make deps | qemu | module | selftests | clean"

deps:
	@$(S)/deps.sh

qemu: deps
	@$(S)/build-qemu.sh

module: deps
	@if [ -f Kbuild ]; then \
		echo "==> building svmdemo.ko against the guest kernel's headers"; \
		$(S)/in-buildroot.sh sh -c '$(KBUILD_MAKE) modules'; \
	fi

selftests: deps
	@echo "==> building the selftests (static, in the build root)"
	@$(MAKE) -s -C selftests all

check: all
	@$(MAKE) -s -C selftests run

run demo: all
	@$(S)/vm-run.sh demo 600

shell: all
	@$(S)/vm-run.sh shell

lint: deps
	@$(S)/lint.sh

clean:
	rm -rf build
	[ ! -f Kbuild ] || $(S)/in-buildroot.sh sh -c '$(KBUILD_MAKE) clean' || true
