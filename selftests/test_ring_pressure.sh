#!/bin/sh
# A sender flooding a slow receiver is held back by ring credits, loses
# nothing, and goes back to full speed when the receiver catches up.
# 64 threads keep more requests in flight than the ring has slots; node 1
# becomes slow through pcn_rdma's rx_delay_us test knob (in debugfs with
# CONFIG_POPCORN_SELFTEST).
. "$(dirname "$0")/lib.sh"
tap_plan
[ "$PCN_TRANSPORT" = rdma ] || skip "RDMA transport only"
knob=/sys/kernel/debug/popcorn/rdma/rx_delay_us

stat_get before tx_stalls
vc-exec 1 "echo 2000 > $knob" || fail "cannot slow node 1 down"
pcnctl echo 1 --count 4000 --threads 64 --max-size 512
rc=$?
vc-exec 1 "echo 0 > $knob"
[ $rc = 0 ] || fail "messages lost or failed under pressure"
stat_get after tx_stalls
echo "sends held back by credits: $((after - before))"
[ "$after" -gt "$before" ] || fail "the sender never waited for credits"
pcnctl node wait --timeout 10 || fail "link lost under pressure"
pcnctl echo 1 --count 1000 --threads 4 || fail "no recovery after the pressure"
pass
