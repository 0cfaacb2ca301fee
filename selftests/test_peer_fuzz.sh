#!/bin/sh
# A hostile peer that holds the cluster key (peer_fuzz.c): it joins node 0
# as node 7 (from 127.0.0.1) and sends PCN_FUZZ_ITERS (default 3000)
# mutated messages of every type, joining again whenever node 0 closes
# the link. Node 0 must refuse and count what is bad, never splat (the
# rig checks every node's log), and keep serving node 1 afterwards.
# `make fuzz` runs it long on the debug kernel. TCP only (the RDMA
# transport's peer input has its own tests: test_rdma_bad_connect.sh).
. "$(dirname "$0")/lib.sh"
tap_plan
[ "${PCN_TRANSPORT:-tcp}" = tcp ] || skip "TCP transport only"
iters=${PCN_FUZZ_ITERS:-3000}

# Whatever happens, no key and no node 7 afterwards: later tests need the
# link to node 1 as it was.
cleanup() {
	[ -n "$staller" ] && kill $staller 2>/dev/null
	[ -n "$old_hs" ] && echo "$old_hs" > /sys/module/pcn_tcp/parameters/handshake_ms
	[ -n "$old_rqm" ] && echo "$old_rqm" > /sys/module/popcorn/parameters/rx_queue_max
	pcnctl node del 7 2>/dev/null	# when the test failed before
	pcnctl key clear
	vc-exec 1 pcnctl key clear
}
trap cleanup EXIT

keyf='umask 077; printf %s popcorn-fuzz-key-0123456789abcdef >/tmp/fuzzkey'
sh -c "$keyf" && pcnctl key set /tmp/fuzzkey || fail "key at node 0"
vc-exec 1 "$keyf && pcnctl key set /tmp/fuzzkey" || fail "key at node 1"
pcnctl node add 7 127.0.0.1 || fail "node add 7"
stat_get bad0 rx_bad
"$(dirname "$0")/peer_fuzz" --nid 7 --key /tmp/fuzzkey --iters "$iters" ||
	fail "the fuzzer could not keep joining node 0"
stat_get bad1 rx_bad
pcnctl node del 7 || fail "node del 7"
echo "# rx_bad at node 0: $bad0 -> $bad1"
[ "$bad1" -gt "$bad0" ] || fail "no bad message counted"

# Removing a node never waits for a handshake that names it: node 7's
# connection says HELLO and then nothing for 20 s (handshake_ms 60 s);
# `node del 7` must be done while it still hangs there.
hs=/sys/module/pcn_tcp/parameters/handshake_ms
old_hs=$(cat $hs)
echo 60000 > $hs
pcnctl node add 7 127.0.0.1 || fail "node add 7 again"
"$(dirname "$0")/peer_fuzz" --nid 7 --key /tmp/fuzzkey --stall 20 > /tmp/stall.out &
staller=$!
i=0
until grep -q stalling /tmp/stall.out; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the stalling peer never got node 0's HELLO"
	sleep 0.1
done
pcnctl node del 7 || fail "node del 7 with a handshake in progress"
kill -0 $staller 2>/dev/null ||
	fail "node del 7 returned only once the handshake in progress ended"
kill $staller
wait $staller 2>/dev/null
echo "$old_hs" > $hs
echo "# node del 7 returned while its handshake still hung"

# A peer may not queue more than rx_queue_max messages for the handlers:
# a flood of requests sent without reading past 8 closes its link.
rqm=/sys/module/popcorn/parameters/rx_queue_max
old_rqm=$(cat $rqm)
pcnctl node add 7 127.0.0.1 || fail "node add 7 for the flood"
echo 8 > $rqm
dmesg -c > /dev/null
out=$("$(dirname "$0")/peer_fuzz" --nid 7 --key /tmp/fuzzkey --flood 3000) ||
	fail "the flooding peer could not join"
echo "$old_rqm" > $rqm
echo "# $out"
echo "$out" | grep -q "link closed" ||
	fail "3000 requests at once did not close the link with rx_queue_max 8"
dmesg | grep -q "node 7: more than 8 messages wait for handlers" ||
	fail "no reason logged for the flood's closed link"
out=$("$(dirname "$0")/peer_fuzz" --nid 7 --key /tmp/fuzzkey --flood 300) ||
	fail "the flooding peer could not join again"
echo "# with rx_queue_max $old_rqm: $out"
echo "$out" | grep -q "300 answers, link open" ||
	fail "300 requests at once were not all answered under the default bound"
pcnctl node del 7 || fail "node del 7 after the flood"

pcnctl node wait --timeout 30 || fail "node 1 not online after the fuzzing"
pcnctl echo 1 --count 500 --threads 2 >/dev/null || fail "no traffic to node 1 after the fuzzing"
pass "$iters fuzzed messages: refused and counted; node 0 serves node 1 as before; node del does not wait for a handshake"
