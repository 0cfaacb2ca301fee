#!/bin/sh
# pcnctl migrate (kernel/popcorn/move.c, netlink_move.c): threads of an
# ordinary program, built without libpopcorn (move_target), moved from
# outside while they run, wait in a futex, or read a pipe:
#  - a running thread moves to node 1 and back home (and, with 3 nodes,
#    from node 1 to node 2 and back), between any two instructions, with
#    every register kept (the program checks its sums);
#  - a thread blocked in a futex wait moves at once (the wait restarts
#    transparently there) and wakes correctly when signalled;
#  - a thread blocked in read() is reported pending and moves when the
#    read returns; --pid moves every thread;
#  - refused, with the reason: an unknown thread (exit 1, ESRCH), a node
#    that does not exist, a kernel thread, a caller that may not ptrace
#    the program (uid 65534: EPERM, and the thread does not move);
#  - --time reports how long a move took;
#  - the program ends with correct results and status 0.
. "$(dirname "$0")/lib.sh"
tap_plan
[ "${PCN_NODES:-2}" -ge 2 ] || skip "needs 2 nodes"

target_start

expect "running thread to node 1" "^$spin: moved to node 1\$" 0 \
	pcnctl migrate "$spin" 1
[ "$(target_where "$spin")" = 1 ] || fail "pcnctl proc: spinner on node '$(target_where "$spin")'"
expect "futex waiter to node 1" "^$waiter: moved to node 1\$" 0 \
	pcnctl migrate "$waiter" 1
expect "already there" "^$waiter: already on node 1\$" 0 \
	pcnctl migrate "$waiter" 1
sleep 1
expect "running thread home" "^$spin: moved to node 0\$" 0 \
	pcnctl migrate "$spin" 0
expect "running thread to node 1 again" "^$spin: moved to node 1\$" 0 \
	pcnctl migrate "$spin" 1
if [ "${PCN_NODES:-2}" -ge 3 ]; then
	# Remote to remote: node 1 sends it home on to node 2, and back.
	expect "running thread node 1 -> 2" "^$spin: moved to node 2\$" 0 \
		pcnctl migrate "$spin" 2
	[ "$(target_where "$spin")" = 2 ] || fail "pcnctl proc: spinner on node '$(target_where "$spin")'"
	expect "running thread node 2 -> 1" "^$spin: moved to node 1\$" 0 \
		pcnctl migrate "$spin" 1
fi
expect "reader pending" "^$pid: pending: still on node 0" 0 \
	pcnctl migrate --wait 300 --pid "$pid" 1

expect "unknown thread" "no such thread" 1 pcnctl migrate 999999 1
expect "no such node" "^$spin: refused: no such node" 1 \
	pcnctl migrate "$spin" 9
expect "kernel thread" "^2: refused: no such node, or not a user thread" 1 \
	pcnctl migrate 2 1
expect "unprivileged caller" "^$spin: refused: not allowed to ptrace it" 1 \
	move_target --as-nobody pcnctl migrate "$spin" 0
[ "$(target_where "$spin")" = 1 ] || fail "the spinner moved for an unprivileged caller"
expect "unprivileged caller, --pid" "refused: not allowed to ptrace it" 1 \
	move_target --as-nobody pcnctl migrate --pid "$pid" 0
# The process list shows a user only what ptrace would let it read.
pcnctl proc | awk -v p="$pid" '$1 == p { f = 1 } END { exit !f }' ||
	fail "root's pcnctl proc does not list $pid"
move_target --as-nobody pcnctl proc |
	awk -v p="$pid" '/^PID/ { h = 1 } $1 == p { f = 1 } END { exit f || !h }' ||
	fail "an unprivileged pcnctl proc failed or lists root's process $pid"
expect "timed move home" "^$spin: moved to node 0 in [0-9]+\.[0-9]{3} ms\$" 0 \
	pcnctl migrate --time "$spin" 0

target_finish
pass
