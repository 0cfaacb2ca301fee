#!/bin/sh
# After a transfer the key it used is dead: the peer tries to write with it
# and must fail, the page must not change (pcnctl pagetest --probe checks
# both). On RDMA that failed write breaks the queue pair, so the link drops
# and must come back. And nothing but the pages in transfer (and, with
# WRITE_WITH_IMM, the message rings) is registered for remote access. The
# addresses a peer is told (popcorn:popcorn_page_expose) are not where our
# memory is: no kernel virtual address (rxe and siw map DMA to those).
. "$(dirname "$0")/lib.sh"
tap_plan

T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs none $T || fail "tracefs"
echo > $T/trace
echo 1 > $T/events/popcorn/popcorn_page_expose/enable || fail "trace event"
pcnctl pagetest 1 --pages 20 --threads 2 --probe || fail "spent key probe"
echo 0 > $T/events/popcorn/popcorn_page_expose/enable
addrs=$(sed -n 's/.*popcorn_page_expose: .*addr=0x\([0-9a-f]*\).*/\1/p' $T/trace)
[ -n "$addrs" ] || fail "no exposure traced"
for a in $addrs; do
	# 16 hex digits with the top bit set: the kernel half of the space.
	case $a in
	[89a-f]???????????????) fail "exposure named by kernel address 0x$a" ;;
	esac
done
echo "$(echo "$addrs" | wc -l) exposures traced, none at a kernel address"
pcnctl node wait --timeout 60 || fail "link did not come back after the probe"
vc-exec 1 pcnctl node wait --timeout 60 || fail "node 1 did not see node 0 again"
pcnctl echo 1 --count 200 --threads 2 || fail "no traffic after the probe"

# Expected remote registrations when idle: one ring per peer over RDMA
# with WRITE_WITH_IMM (rxe), none over SEND (siw) or TCP.
rings=0
if [ "$PCN_TRANSPORT" = rdma ] && [ -d /sys/class/infiniband/rxe0 ]; then
	rings=$((PCN_NODES - 1))
fi
slots=$(cat /sys/module/pcn_rdma/parameters/ring_slots 2>/dev/null || echo 0)
for n in 0 1; do
	run=""
	[ $n = 0 ] || run="vc-exec 1"
	stat_get exposed pages_exposed $run
	stat_get regions remote_regions $run
	stat_get bytes remote_bytes $run
	echo "node $n: pages_exposed=$exposed remote_regions=$regions remote_bytes=$bytes"
	[ "$exposed" = 0 ] || fail "node $n: pages still exposed"
	[ "$regions" = "$rings" ] || fail "node $n: $regions remote regions, expected $rings"
	[ "$bytes" = $((rings * slots * 8192)) ] ||
		fail "node $n: $bytes bytes open to remote access, expected the rings only"
done
pass "spent key refused; only the rings are registered for remote access; no kernel addresses told"
