# Popcorn-RDMA: top-level entry points. See README.md.
#
#   make demo         build everything, boot a 2-node cluster, show it working
#   make check        build everything and run the whole test suite
#   make check-debug  the same on the debug kernel (lockdep, KASAN, DEBUG_VM)
#   make check-debug-concurrency  the concurrency suite only, debug kernel
#   make fuzz         the hostile-peer fuzzer, long, on the debug kernel
#                     (FUZZ_ITERS messages, default 200000)
#   make bench        the benchmark suite (bench/run): faults, migration, first
#                     touch, throughput against perftest/sockperf of the same
#                     boot, TCP and RDMA; CSV, plots, summary.md in build/bench
#   make bench-quick  the same, quick mode (bench/run --quick, build/bench/quick)
#   make kernel       build the vcluster kernel only (incremental)
#   make tools        pcnctl, pcn-top, pcn-balance, libpopcorn, the selftests, the demo
#                     program and the benchmark program
#   make demo-prog    the demo program only (build/demo/pcn_demo)
#   make bench-prog   the benchmark program only (build/bench-prog/pcn_faultbench,
#                     from bench/; the bench scripts run this make first)
#   make shell        2-node cluster with an interactive shell on node 0

TOP := $(CURDIR)
BUILD := $(TOP)/build

.PHONY: all deps kernel kernel-source kernel-debug tools pcnctl pcntop pcnbalance lib selftests demo-prog \
	bench-prog demo check check-debug check-debug-concurrency fuzz bench bench-quick \
	shell clean

all: kernel tools

deps:
	@scripts/install-deps.sh

kernel: deps
	@scripts/build-kernel.sh vcluster

kernel-debug: deps
	@scripts/build-kernel.sh debug

tools: pcnctl pcntop pcnbalance lib selftests demo-prog bench-prog

pcnctl: deps
	@$(MAKE) -s -C tools/pcnctl O=$(BUILD)/bin

pcntop: deps
	@$(MAKE) -s -C tools/pcn-top O=$(BUILD)/bin

pcnbalance: deps
	@$(MAKE) -s -C tools/pcn-balance O=$(BUILD)/bin

kernel-source: deps
	@scripts/build-kernel.sh source

lib:
	@$(MAKE) -s -C lib O=$(BUILD)/lib

selftests: kernel-source lib
	@$(MAKE) -s -C selftests O=$(BUILD)/selftests KSRC=$(BUILD)/linux \
		LIBPOPCORN=$(BUILD)/lib/libpopcorn.a

demo-prog: lib
	@$(MAKE) -s -C tools/demo O=$(BUILD)/demo LIBPOPCORN=$(BUILD)/lib/libpopcorn.a

bench-prog: lib
	@$(MAKE) -s -C bench O=$(BUILD)/bench-prog LIBPOPCORN=$(BUILD)/lib/libpopcorn.a

demo: kernel tools demo-prog
	@scripts/demo.sh

check: kernel tools
	@scripts/run-check.sh

check-debug: kernel-debug tools
	@scripts/run-check.sh --debug

check-debug-concurrency: kernel-debug tools
	@scripts/run-check.sh --debug --concurrency

fuzz: kernel-debug tools
	@scripts/fuzz.sh

bench: kernel tools
	@bench/run

bench-quick: kernel tools
	@bench/run --quick

shell: kernel tools
	@tools/vcluster/vcluster shell

clean:
	rm -rf $(BUILD)
