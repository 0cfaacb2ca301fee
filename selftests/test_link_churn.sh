#!/bin/sh
# Links that come and go while the configuration changes under them: node
# 0 keeps dropping its link to node 1 (debugfs drop_link, so both sides
# reconnect again and again) while it deletes and re-adds node 1 (a
# dial or a handshake may be in progress; a node added and deleted at
# once aborts its dial) and unloads and reloads its transport. Nothing
# may hang or use freed memory (make check-debug runs this under KASAN and
# lockdep; any report fails the run), and afterwards the cluster joins and
# carries traffic again.
. "$(dirname "$0")/lib.sh"
tap_plan
t=${PCN_TRANSPORT:-tcp}
mod=pcn_$t
ko=/lib/modules/$mod.ko
dbg=/sys/kernel/debug/popcorn/drop_link
rounds=${CHURN_ROUNDS:-6}
[ -w $dbg ] || skip "no $dbg (a kernel without CONFIG_POPCORN_SELFTEST)"

# The link to node 1 goes down every 0.3 s (when there is one) until the end.
(while :; do echo 1 > $dbg; sleep 0.3; done) >/dev/null 2>&1 &
dropper=$!
stop_dropping() { kill $dropper 2>/dev/null; wait $dropper 2>/dev/null; }
trap stop_dropping EXIT

add1() { pcnctl node add 1 10.99.0.2 --transport "$t" || fail "node add 1 (round $r)"; }
r=0
while [ $r -lt "$rounds" ]; do
	r=$((r + 1))
	pcnctl node del 1 || fail "node del 1 (round $r)"
	add1
	sleep 0.$((r % 5))
	# Added and deleted while its first dial may be running.
	pcnctl node del 1 || fail "node del 1 right after add (round $r)"
	add1
	sleep 0.5
	rmmod $mod || fail "rmmod $mod (round $r)"
	insmod $ko || fail "insmod $mod (round $r)"
	sleep 0.$(((r * 3) % 7))
done
stop_dropping
trap - EXIT
pcnctl node wait --timeout 60 || fail "node 1 did not come back"
vc-exec 1 pcnctl node wait --timeout 60 || fail "node 1 does not see node 0 again"
pcnctl echo 1 --count 300 --threads 2 >/dev/null || fail "no traffic after the churn"
pass "$rounds rounds of node del/add and transport reload against reconnects: no hang"
