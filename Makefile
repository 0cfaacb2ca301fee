# Popcorn-RDMA: top-level entry points. See README.md.
#
#   make demo         build everything, boot a 2-node cluster, show it working
#   make check        build everything and run the whole test suite
#   make check-debug  the same on the debug kernel (lockdep, KASAN, DEBUG_VM)
#   make kernel       build the vcluster kernel only (incremental)
#   make tools        pcnctl, libpopcorn and the selftests
#   make shell        2-node cluster with an interactive shell on node 0

TOP := $(CURDIR)
BUILD := $(TOP)/build

.PHONY: all deps kernel kernel-source kernel-debug tools pcnctl lib selftests demo check \
	check-debug shell clean

all: kernel tools

deps:
	@scripts/install-deps.sh

kernel: deps
	@scripts/build-kernel.sh vcluster

kernel-debug: deps
	@scripts/build-kernel.sh debug

tools: pcnctl lib selftests

pcnctl: deps
	@$(MAKE) -s -C tools/pcnctl O=$(BUILD)/bin

kernel-source: deps
	@scripts/build-kernel.sh source

lib:
	@$(MAKE) -s -C lib O=$(BUILD)/lib

selftests: kernel-source lib
	@$(MAKE) -s -C selftests O=$(BUILD)/selftests KSRC=$(BUILD)/linux \
		LIBPOPCORN=$(BUILD)/lib/libpopcorn.a

demo: kernel tools
	@scripts/demo.sh

check: kernel tools
	@scripts/run-check.sh

check-debug: kernel-debug tools
	@scripts/run-check.sh --debug

shell: kernel tools
	@tools/vcluster/vcluster shell

clean:
	rm -rf $(BUILD)
