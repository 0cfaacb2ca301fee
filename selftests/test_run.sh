#!/bin/sh
# pcnctl run --spread and pcnctl place (kernel/popcorn/placement.c,
# netlink_place.c): an ordinary threaded program (move_target, built
# without libpopcorn) started with a placement has its new threads on the
# next node of the list in turn, from their first instruction on:
#  - --nodes 0,1: the first new thread (the spinner) runs on node 1, the
#    second (the waiter) at home; with 3 nodes, --nodes 1,2 puts them on
#    node 1 and node 2;
#  - the default list (this node and every peer) through a shell that
#    forks and execs the program: the placement holds for both;
#  - pcnctl run without --spread, under a spreading parent: every thread
#    stays home;
#  - refused, with the reason: a node that is not configured (exit 1,
#    the program is not run), an unknown process, a kernel thread, a
#    caller that may not ptrace the process (uid 65534: EPERM);
#  - each program ends with correct results and status 0;
#  - libpopcorn's popcorn_place() and popcorn_move_thread() do the same
#    from a program, with the kernel's refusals as errno (control.c).
. "$(dirname "$0")/lib.sh"
tap_plan
[ "${PCN_NODES:-2}" -ge 2 ] || skip "needs 2 nodes"

# spread_case WHAT SPIN_NODE WAIT_NODE CMD...: CMD runs move_target; its
# spinner and waiter run on these nodes ("" or 0: at home).
spread_case() {
	what=$1 want_spin=$2 want_wait=$3
	shift 3
	target_start "$@"
	got_spin=$(target_where "$spin") got_wait=$(target_where "$waiter")
	echo "# $what: spinner on node '${got_spin:-0}', waiter on node '${got_wait:-0}'"
	[ "${got_spin:-0}" = "$want_spin" ] ||
		fail "$what: spinner on node '${got_spin:-0}', expected $want_spin"
	[ "${got_wait:-0}" = "$want_wait" ] ||
		fail "$what: waiter on node '${got_wait:-0}', expected $want_wait"
}

spread_case "--nodes 0,1" 1 0 pcnctl run --spread --nodes 0,1 -- move_target
expect "unprivileged caller" "not allowed to ptrace that process" 1 \
	move_target --as-nobody pcnctl place "$pid" --none
expect "kernel thread" "not a user process" 1 pcnctl place 2 --spread
expect "unknown process" "no such process" 1 pcnctl place 999999 --none
expect "own placement changed" "^\$" 0 pcnctl place "$pid" --none
target_finish

if [ "${PCN_NODES:-2}" -ge 3 ]; then
	spread_case "--nodes 1,2" 1 2 \
		pcnctl run --spread --nodes 1,2 -- move_target
	target_finish
fi

# Default list 0,1[,2]: the waiter goes to node 2 when there is one.
second=0
[ "${PCN_NODES:-2}" -lt 3 ] || second=2
spread_case "default list, through sh" 1 $second \
	pcnctl run --spread -- sh -c 'move_target; exit $?'
target_finish

spread_case "run without --spread" 0 0 \
	pcnctl run --spread -- pcnctl run -- move_target
target_finish

expect "node not configured" "no such node" 1 \
	pcnctl run --spread --nodes 0,9 -- echo ran

# The same from a program, through libpopcorn (control.c).
"$(dirname "$0")/control" || fail "libpopcorn popcorn_place/popcorn_move_thread"
pass
