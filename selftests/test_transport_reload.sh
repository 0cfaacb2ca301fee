#!/bin/sh
# rmmod the transport while messages are in flight, then insmod: the
# waiting requests fail (no hang), the nodes rejoin and traffic flows again.
# Done on node 0 and then on node 1.
. "$(dirname "$0")/lib.sh"
tap_plan
mod=pcn_${PCN_TRANSPORT:-tcp}
ko=/lib/modules/$mod.ko

reload_during_traffic() {
	where=$1 run=$2
	pcnctl echo 1 --count 1000000 --threads 4 > /tmp/echo_bg 2>&1 &
	bg=$!
	sleep 3
	echo "rmmod $mod on node $where with traffic in flight"
	$run rmmod $mod || fail "rmmod on node $where"
	# The flood must end by itself, with errors, not hang.
	wait $bg && fail "echo survived the removal of the transport?"
	cat /tmp/echo_bg
	$run insmod $ko || fail "insmod on node $where"
	pcnctl node wait --timeout 60 || fail "node 0 did not see node 1 again"
	vc-exec 1 pcnctl node wait --timeout 60 || fail "node 1 did not see node 0 again"
	pcnctl echo 1 --count 500 --threads 2 || fail "no traffic after reload on node $where"
}

reload_during_traffic 0 ""
reload_during_traffic 1 "vc-exec 1"
pass "transport reloaded on both nodes under traffic; cluster rejoined"
