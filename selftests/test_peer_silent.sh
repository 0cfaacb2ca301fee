#!/bin/sh
# A peer that stops answering (its network goes down for a while): the
# requests waiting on it fail instead of hanging, node 0 marks it offline,
# and both sides reconnect by themselves when it answers again, although
# node 1 has nothing to send (keepalives find the dead link).
. "$(dirname "$0")/lib.sh"
outage=${OUTAGE_S:-25}
# Over RDMA on rxe node 0 does not notice the outage yet and the reconnect
# after it fails (rdma_cm UNREACHABLE): an open defect, run it with
# PCN_SILENT_RDMA=1 while working on it.
if [ "$PCN_TRANSPORT" = rdma ] && [ -z "${PCN_SILENT_RDMA:-}" ]; then
	echo "RDMA: open defect, see the comment in this test"
	exit 4
fi

# Detached on node 1: its vc-exec server goes silent with the link.
vc-exec 1 "(ip link set eth0 down; sleep $outage; ip link set eth0 up) </dev/null >/dev/null 2>&1 &" ||
	fail "cannot take node 1's link down"
start=$(date +%s)
pcnctl echo 1 --count 1000000 --threads 2 > /tmp/echo_bg 2>&1 &
bg=$!

# Node 0 must see node 1 go away well before the link comes back.
i=0
while [ "$(node_field 1 state)" = online ]; do
	i=$((i + 1))
	[ $i -gt $((outage * 2 - 6)) ] && fail "node 1 still online $((i / 2))s into the outage"
	sleep 0.5
done
echo "node 1 marked $(node_field 1 state) after $(( $(date +%s) - start ))s"
wait $bg && fail "echo to a silent peer succeeded?"
took=$(( $(date +%s) - start ))
tail -2 /tmp/echo_bg
[ $took -lt $((outage + 30)) ] || fail "the waiting requests took ${took}s to fail"

pcnctl node wait --timeout 90 || fail "node 1 did not come back"
vc-exec 1 pcnctl node wait --timeout 30 || fail "node 1 does not see node 0 again"
pcnctl echo 1 --count 300 --threads 2 || fail "no traffic after the outage"
echo "outage of ${outage}s survived: requests failed, link rebuilt after $(( $(date +%s) - start ))s"
