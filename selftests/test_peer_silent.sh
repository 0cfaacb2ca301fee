#!/bin/sh
# A peer that stops answering: everything node 1 sends is dropped for a
# while (netem, 100% loss on its eth0). The requests waiting on it fail
# instead of hanging, node 0 marks it offline, and both sides reconnect by
# themselves when it answers again, although node 1 has nothing to send
# (the transports' keepalives and heartbeats find the dead link).
#
# Not "ip link set eth0 down": Soft-RoCE moves its QP1 (the connection
# manager's) into the error state when it sends on a down link and never
# recovers it, so no connection could be made to that node again.
. "$(dirname "$0")/lib.sh"
tap_plan
outage=${OUTAGE_S:-25}

# Detached on node 1: its vc-exec server goes silent too. The full path,
# because busybox sh prefers its own (smaller) tc applet.
vc-exec 1 "(/usr/sbin/tc qdisc add dev eth0 root netem loss 100%; sleep $outage; /usr/sbin/tc qdisc del dev eth0 root) </dev/null >/dev/null 2>&1 &" ||
	fail "cannot silence node 1"
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
pass "outage of ${outage}s survived: requests failed, link rebuilt after $(( $(date +%s) - start ))s"
