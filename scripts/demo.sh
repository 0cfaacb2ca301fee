#!/bin/bash
# make demo: a 2-node virtual cluster joins, shows its nodes talking, then a
# thread of tools/demo/pcn_demo migrates 0 -> 1 -> 0 while working on its
# data. build/demo is shared with both nodes (/mnt/host), so that node 1
# maps the program's text from the same path as node 0. Then the short
# latency summary of bench/run --quick on RDMA. Exits with the status of
# scripts/demo-guest.sh (or vcluster's own: 124, 125, 126), or else that
# of bench/run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# make, not a test for the file: an edit since the last build is in the demo.
make -s -C "$top" demo-prog
rc=0
"$top/tools/vcluster/vcluster" run --nodes 2 --transport tcp \
	--share "$top/build/demo" --timeout 600 \
	-- sh -c "$(cat "$top/scripts/demo-guest.sh")" || rc=$?

# The short latency summary of the benchmark suite's quick mode, RDMA on
# rxe: the median remote read fault next to ib_read_lat 4 KiB of the same
# boot (make bench-quick for TCP too; this run's results in build/bench/demo).
echo
echo "== latency summary: bench/run --quick --transports rdma (one more 2-node boot, about a minute)"
brc=0
"$top/bench/run" --quick --transports rdma --short --out "$top/build/bench/demo" || brc=$?
echo "(under QEMU/TCG both are ~100x real hardware: the ratio is what carries over;"
echo " all figures of this run: build/bench/demo/summary.md)"
[ $rc != 0 ] || rc=$brc
exit $rc
