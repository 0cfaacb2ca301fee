#!/bin/sh
# Remove the RDMA device under traffic (rdma link del), then add it back:
# no oops, the waiting requests fail, the nodes rejoin. Once on each node.
. "$(dirname "$0")/lib.sh"
tap_plan
[ "$PCN_TRANSPORT" = rdma ] || skip "RDMA transport only"
if [ -d /sys/class/infiniband/rxe0 ]; then
	dev=rxe0 type=rxe
else
	dev=siw0 type=siw
fi

remove_and_readd() {
	where=$1 run=$2
	pcnctl echo 1 --count 1000000 --threads 4 > /tmp/echo_bg 2>&1 &
	bg=$!
	sleep 3
	echo "rdma link del $dev on node $where with traffic in flight"
	$run rdma link del $dev || fail "rdma link del on node $where"
	wait $bg && fail "echo survived the removal of the device?"
	tail -2 /tmp/echo_bg
	$run rdma link add $dev type $type netdev eth0 || fail "rdma link add on node $where"
	pcnctl node wait --timeout 60 || fail "node 0 did not see node 1 again"
	vc-exec 1 pcnctl node wait --timeout 60 || fail "node 1 did not see node 0 again"
	pcnctl echo 1 --count 500 --threads 2 || fail "no traffic after re-adding the device on node $where"
	pcnctl pagetest 1 --pages 200 --threads 2 || fail "no page transfer after re-adding the device on node $where"
}

remove_and_readd 0 ""
remove_and_readd 1 "vc-exec 1"
pass "device removed and re-added on both nodes under traffic; cluster rejoined"
