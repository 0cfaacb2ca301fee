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
pcnctl node wait --timeout 30 || fail "node 1 not online after the fuzzing"
pcnctl echo 1 --count 500 --threads 2 >/dev/null || fail "no traffic to node 1 after the fuzzing"
pass "$iters fuzzed messages: refused and counted; node 0 serves node 1 as before"
