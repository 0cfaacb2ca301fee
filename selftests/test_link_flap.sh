#!/bin/sh
# A link that drops for less than the grace period kills nothing. While
# the concurrency workload runs (distributed.c's mt and counter: threads
# migrating between the nodes, writing pages and checking them, one mutex
# over both nodes), node 0 takes its link to node 1 down (debugfs
# drop_link) and everything node 1 sends is dropped for two seconds
# (netem), so that the transport must connect anew, twice. The session
# resumes each time: the workload ends with its data verified, both nodes
# count resumed sessions and no lost one, and nothing waits forever. Over
# RDMA the page writes in flight when the link went are sent again: those
# whose key died with the old queue pair as PAGE_DATA messages.
. "$(dirname "$0")/lib.sh"
tap_plan
grace=/sys/module/popcorn/parameters/grace_ms
dbg=/sys/kernel/debug/popcorn/drop_link
[ -w $dbg ] || skip "no $dbg (a kernel without CONFIG_POPCORN_SELFTEST)"

old_grace=$(cat $grace)
cleanup() {
	echo "$old_grace" > $grace
	vc-exec 1 "echo $old_grace > $grace"
	vc-exec 1 "/usr/sbin/tc qdisc del dev eth0 root 2>/dev/null"
}
trap cleanup EXIT
# Room for TCG's slowness: the link is back within about 4 s.
echo 15000 > $grace || fail "cannot set $grace"
vc-exec 1 "echo 15000 > $grace" || fail "cannot set node 1's $grace"

for n in 0 1; do
	on=; [ $n = 0 ] || on="vc-exec 1"
	stat_get resumed$n sessions_resumed $on
	stat_get lost$n sessions_lost $on
done

POPCORN_TEST_ONLY=mt,counter POPCORN_TEST_ROUNDS=200 \
	POPCORN_TEST_INCREMENTS=3000 /selftests/distributed > /tmp/flap.out 2>&1 &
work=$!

# flap: take the link down with node 1 mute for 2 s; wait until it is back.
flap() {
	vc-exec 1 "(/usr/sbin/tc qdisc add dev eth0 root netem loss 100%; sleep 2; /usr/sbin/tc qdisc del dev eth0 root) </dev/null >/dev/null 2>&1 &" ||
		fail "cannot mute node 1"
	stat_get before sessions_resumed
	sleep 0.2
	echo 1 > $dbg || fail "drop_link refused"
	# Back and resumed (how fast depends on the kernel: no limit but 60 s).
	i=0
	while stat_get now sessions_resumed && [ "$now" = "$before" ]; do
		i=$((i + 1))
		[ $i -lt 600 ] || fail "no session resumed 60 s after the drop"
		sleep 0.1
	done
	pcnctl node wait --timeout 30 || fail "the link did not come back"
}

sleep 3
flap
sleep 3
flap
wait $work
st=$?
sed 's/^/# /' /tmp/flap.out
[ $st = 0 ] || fail "the workload failed across the flaps (exit $st)"

for n in 0 1; do
	on=; [ $n = 0 ] || on="vc-exec 1"
	stat_get r sessions_resumed $on
	stat_get l sessions_lost $on
	eval "r0=\$resumed$n l0=\$lost$n"
	[ "$l" = "$l0" ] || fail "node $n lost a session ($l0 -> $l)"
	[ "$r" -ge $((r0 + 2)) ] ||
		fail "node $n: $((r - r0)) sessions resumed, expected 2"
done
stat_get resent msgs_resent
echo "# messages sent again by node 0: $resent"

# Over RDMA, the page writes a session sends again after a flap go as
# PAGE_DATA messages when their key died with the old link: make both
# nodes take every key as such (debugfs stale_keys) and run the workload
# again.
stale=/sys/kernel/debug/popcorn/rdma/stale_keys
page_data_in() {
	n0=$(pcnctl stat --json |
	     jq '.types[] | select(.name == "page_data") | .msgs_in')
	n1=$(vc-exec 1 pcnctl stat --json |
	     jq '.types[] | select(.name == "page_data") | .msgs_in')
	echo $((n0 + n1))
}
if [ "${PCN_TRANSPORT:-tcp}" = rdma ] && [ -w $stale ]; then
	echo 1 > $stale && vc-exec 1 "echo 1 > $stale" ||
		fail "cannot set $stale"
	before=$(page_data_in)
	POPCORN_TEST_ONLY=mt,counter POPCORN_TEST_ROUNDS=50 \
		/selftests/distributed > /tmp/flap.out 2>&1
	st=$?
	echo 0 > $stale
	vc-exec 1 "echo 0 > $stale"
	sed 's/^/# /' /tmp/flap.out
	[ $st = 0 ] || fail "the workload failed with page data in messages"
	after=$(page_data_in)
	echo "# PAGE_DATA messages received: $((after - before))"
	[ "$after" -gt "$before" ] ||
		fail "no page came as PAGE_DATA with stale_keys set"
fi
pcnctl echo 1 --count 200 --threads 2 >/dev/null || fail "no traffic afterwards"
pass "two link flaps during the workload: sessions resumed, data verified"
