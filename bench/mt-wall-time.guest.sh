# Guest side of bench/mt-wall-time (node 0, busybox sh). ROUNDS and NODES
# are set by the caller. Runs the mt test alone, spread over NODES nodes
# and kept at node 0, alternately, and prints "NODES,round,metric,seconds".
# After lib.guest.sh.

# mt_time NODES-TO-USE: the wall time the test prints, or nothing.
mt_time() {
	POPCORN_NODES=$1 POPCORN_TEST_ONLY=mt /selftests/distributed \
		>/tmp/mt.out 2>&1 || { cat /tmp/mt.out >&2; failed=1; }
	sed -n 's/.*mt wall time: \([0-9.]*\) s on.*/\1/p' /tmp/mt.out
}

r=1
while [ $r -le "$ROUNDS" ]; do
	t=$(mt_time 1)
	[ -n "$t" ] && echo "$NODES,$r,mt_one_node_s,$t" >> $raw
	t=$(mt_time "$NODES")
	[ -n "$t" ] && echo "$NODES,$r,mt_spread_s,$t" >> $raw
	r=$((r + 1))
done
cat $raw

one=$(med mt_one_node_s 4) spread=$(med mt_spread_s 4)
echo "== mt (32 threads x 100 rounds) on $NODES nodes, transport $PCN_TRANSPORT, medians over $ROUNDS rounds"
echo "all threads at node 0:      ${one:-?} s"
echo "spread over $NODES nodes:       ${spread:-?} s"
echo "ratio spread / one node:    $(ratio "$spread" "$one")"
exit $failed
