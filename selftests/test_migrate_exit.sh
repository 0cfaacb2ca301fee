#!/bin/sh
# A process with threads at node 1 ends in every way: it returns from main
# at the origin, it is killed (-9), its threads end at node 1, it exits from
# node 1. Each time its exit status is right, it is gone, and neither node
# keeps Popcorn state for it: the counter "processes" of `pcnctl stat`
# returns to 0 on both nodes within 10 s (migrate.c's helper modes).
. "$(dirname "$0")/lib.sh"
tap_plan
[ "${PCN_NODES:-2}" -ge 2 ] || skip "needs 2 nodes"
bin=$(dirname "$0")/migrate
out=/tmp/migrate_exit.$$

# no_state WHAT: no Popcorn process on node 0 or 1 within 10 s, and no
# task of ours left on node 1.
no_state() {
	i=0
	while :; do
		stat_get p0 processes
		stat_get p1 processes vc-exec 1
		[ "$p0" = 0 ] && [ "$p1" = 0 ] && break
		i=$((i + 1))
		[ $i -lt 20 ] ||
			fail "$1: Popcorn processes left after 10 s: node 0 '$p0', node 1 '$p1'"
		sleep 0.5
	done
	if left=$(vc-exec 1 pidof migrate); then
		fail "$1: tasks left on node 1: $left"
	fi
	echo "$1: no state left"
}

# run WHAT STATUS MODE: run a helper mode, expect exit STATUS.
run() {
	timeout 90 "$bin" "$3" >"$out" 2>&1
	rc=$?
	cat "$out"
	[ "$rc" = "$2" ] || fail "$1: exit status $rc, expected $2"
	no_state "$1"
}

for n in 0 1; do
	run=""
	[ $n = 0 ] || run="vc-exec $n"
	stat_get unused processes $run
done
no_state "before"

run "exit at the origin, a thread at node 1" 0 --exit-at-origin-while-remote
grep -qx remote "$out" || fail "the thread never reached node 1"

run "threads end at node 1" 0 --exit-at-remote
grep -qx joined "$out" || fail "threads that ended at node 1 not joined"

run "exit from node 1" 3 --exit-group-at-remote

what="killed at node 1"
"$bin" --killed-while-remote >"$out" 2>&1 &
pid=$!
i=0
until grep -qx remote "$out"; do
	if grep -q failed "$out" || [ $i -ge 300 ]; then
		kill -9 $pid 2>/dev/null
		cat "$out"
		fail "$what: the main thread never reached node 1"
	fi
	i=$((i + 1))
	sleep 0.1
done
kill -9 $pid || fail "$what: kill -9 $pid failed"
i=0
while [ -d /proc/$pid ] &&
	[ "$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)" != Z ]; do
	i=$((i + 1))
	[ $i -lt 100 ] ||
		fail "$what: still there 10 s after SIGKILL: $(cat /proc/$pid/stat)"
	sleep 0.1
done
wait $pid
rc=$?
cat "$out"
[ $rc = 137 ] || fail "$what: exit status $rc, expected 137 (SIGKILL)"
[ ! -d /proc/$pid ] || fail "$what: pid $pid not reaped"
no_state "$what"
rm -f "$out"
pass
