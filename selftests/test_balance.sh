#!/bin/sh
# pcn-balance and pcnctl run --balance (tools/pcn-balance, PLACE mode
# balance, PLACE_GET, PROC_GET PID): an ordinary program with two
# CPU-bound threads (busy_pair), started at node 0 with --balance, has one
# thread moved to the idle node 1 within a few rounds; the balancer logs
# why (the nodes' loads, the thread's CPU share) and that it moved; the
# program ends with right results. A second busy_pair started without
# --balance is never touched. pcnctl place --list shows the managed
# process; an unprivileged caller may neither mark it nor see it there.
. "$(dirname "$0")/lib.sh"
tap_plan
[ "${PCN_NODES:-2}" -ge 2 ] || skip "needs 2 nodes"
command -v pcn-balance >/dev/null || fail "no pcn-balance in the guest"

secs=16
pcnctl run --balance -- busy_pair $secs >/tmp/bal-managed.out 2>&1 &
managed=$!
busy_pair $secs >/tmp/bal-plain.out 2>&1 &
plain=$!
for i in $(seq 50); do
	grep -q '^pid ' /tmp/bal-managed.out && grep -q '^pid ' /tmp/bal-plain.out && break
	sleep 0.1
done
set -- $(head -n 1 /tmp/bal-managed.out)
[ "$1" = pid ] || fail "busy_pair --balance did not start: $(cat /tmp/bal-managed.out)"
mpid=$2
set -- $(head -n 1 /tmp/bal-plain.out)
ppid_=$2
echo "# managed pid $mpid, plain pid $ppid_"

expect "place --list" "^$mpid +balance +0,1" 0 pcnctl place --list
pcnctl place --list | grep -q "^$ppid_ " && fail "the plain process has a placement"
expect "unprivileged caller marks it" "not allowed to ptrace that process" 1 \
	move_target --as-nobody pcnctl balance "$mpid"
move_target --as-nobody pcnctl place --list | grep -q "^$mpid " &&
	fail "an unprivileged caller sees root's placement"

# Six rounds of a second: the first needs two samples to see CPU shares.
pcn-balance --interval 1 --rounds 6 --verbose >/tmp/bal.log 2>&1 ||
	{ sed 's/^/# /' /tmp/bal.log; fail "pcn-balance failed"; }
sed 's/^/# /' /tmp/bal.log
grep -Eq "decision 1: pid $mpid \(busy_pair\) thread [0-9]+ node 0 -> node 1: load: node 0 has [0-9]+ runnable on 1 CPU\(s\), [0-9]+% busy; node 1 has [0-9]+ on 1, [0-9]+% busy; the thread used [0-9]+% of a CPU.*: moved\$" /tmp/bal.log ||
	fail "no logged move of a managed thread to node 1 with its reason"
grep -Eq "thread [0-9]+ node [0-9]+ -> node [0-9]+: .*pid $ppid_ " /tmp/bal.log &&
	fail "the balancer moved a thread of the process not started with --balance"
grep -q "decision [0-9]*: pid $ppid_ " /tmp/bal.log &&
	fail "the balancer decided about the process not started with --balance"
grep -Eq '^pcn-balance: 6 rounds, [1-9][0-9]* decisions: [1-9][0-9]* moved' /tmp/bal.log ||
	fail "no count of rounds, decisions and moves"

at1=$(pcnctl proc "$mpid" | awk '$2 == 1 && NF == 6 { n++ } END { print n + 0 }')
[ "$at1" -ge 1 ] || { pcnctl proc "$mpid" | sed 's/^/# /'; fail "no managed thread on node 1"; }
pcnctl proc "$mpid" | sed 's/^/# /'
# Its CPU time there comes from node 1.
pcnctl proc "$mpid" | awk '$2 == 1 && NF == 6 && $4 > 0 { ok = 1 } END { exit !ok }' ||
	fail "no CPU time reported for the thread on node 1"
pl1=$(pcnctl proc "$ppid_" 2>/dev/null | awk '$2 == 1 && NF == 6 { n++ } END { print n + 0 }')
[ "$pl1" = 0 ] || fail "a thread of the plain process runs on node 1"

wait $managed || { cat /tmp/bal-managed.out; fail "the managed busy_pair failed"; }
wait $plain || { cat /tmp/bal-plain.out; fail "the plain busy_pair failed"; }
grep -c "sum right" /tmp/bal-managed.out | grep -qx 2 ||
	fail "managed busy_pair: $(cat /tmp/bal-managed.out)"
sed 's/^/# /' /tmp/bal-managed.out
pass
