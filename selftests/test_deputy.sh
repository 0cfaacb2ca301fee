#!/bin/sh
# The deputy (kernel/popcorn/deputy.c): a thread at node 1 makes its
# system calls at the origin and takes its signals at node 1.
#  - A program prints from node 0, node 1 and node 0 again (stdout and
#    stderr): every line arrives, in order. The same from a copy of the
#    program that only node 0 has: node 1 runs text it gets from node 0.
#  - A thread parked at node 1 runs there with no right of its own: the
#    overflow uid and gid, no group, no capability, although the process
#    is root's here.
#  - A process computing at node 1 stops there when it is stopped
#    (SIGSTOP at the origin) and runs on when continued (SIGCONT).
#  - Then the kselftest program (deputy.c).
. "$(dirname "$0")/lib.sh"
[ "${PCN_NODES:-2}" -ge 2 ] || skip "needs 2 nodes"
bin=$(dirname "$0")/deputy
out=/tmp/deputy_out.$$
copy=/tmp/deputy_only_here.$$

# early_fail WHY: this script's own result, before the program's TAP.
early_fail() {
	echo "TAP version 13"
	echo "1..1"
	echo "# $*"
	[ -f "$out" ] && sed 's/^/# /' "$out"
	echo "not ok 1 ${0##*/}"
	rm -f "$out" "$copy"
	exit 1
}

want="out 1 at node 0
err 1 at node 0
out 2 at node 1
err 2 at node 1
out 3 at node 1
out 4 at node 0 (was at 1)"
cp "$bin" "$copy" || early_fail "cannot copy $bin"
vc-exec 1 test -e "$copy" && early_fail "node 1 has $copy"
for prog in "$bin" "$copy"; do
	timeout 90 "$prog" --print >"$out" 2>&1
	rc=$?
	[ "$rc" = 0 ] && [ "$(cat "$out")" = "$want" ] ||
		early_fail "$prog --print: exit status $rc; output:"
	echo "# $prog --print: every line, in order"
done
rm -f "$copy"

# The task node 1 runs for a parked thread: its ids and capabilities.
"$bin" --park >"$out" 2>&1 &
park=$!
i=0
status=
while [ $i -lt 60 ]; do
	status=$(vc-exec 1 "for d in /proc/[0-9]*; do [ \"\$(cat \$d/comm 2>/dev/null)\" = deputy ] && grep -E '^(Uid|Gid|Groups|Cap(Inh|Prm|Eff|Bnd|Amb)):' \$d/status; done" 2>/dev/null)
	[ -n "$status" ] && grep -q parked "$out" && break
	i=$((i + 1))
	sleep 0.5
done
kill "$park"
wait "$park" 2>/dev/null
[ -n "$status" ] || early_fail "no task of the parked thread on node 1"
echo "$status" | sed 's/^/# node 1: /'
bad=$(echo "$status" | grep -vE '^(Uid|Gid):[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534$' |
	grep -vE '^Groups:[[:space:]]*$' | grep -vE '^Cap(Inh|Prm|Eff|Bnd|Amb):[[:space:]]+0+$')
[ -z "$bad" ] || early_fail "rights at node 1: $bad"

# node1_states: the State lines of our tasks at node 1, one a line.
node1_states() {
	vc-exec 1 "for d in /proc/[0-9]*/task/[0-9]*; do [ \"\$(cat \$d/comm 2>/dev/null)\" = deputy ] && grep '^State:' \$d/status; done" 2>/dev/null
}

# wait_state PATTERN WHAT: some task of ours at node 1 matches PATTERN
# (grep -E) within 30 s, or the test fails.
wait_state() {
	i=0
	while ! node1_states | grep -qE "$1"; do
		i=$((i + 1))
		[ $i -lt 60 ] || { kill -9 "$spin"; early_fail "$2: $(node1_states | tr '\n' ' ')"; }
		sleep 0.5
	done
}

: >"$out"
"$bin" --spin >"$out" 2>&1 &
spin=$!
wait_state 'R \(running\)' "not running at node 1"
grep -q spinning "$out" || early_fail "no output from node 1"
kill -STOP "$spin"
wait_state 'T \(stopped\)' "not stopped at node 1 after SIGSTOP"
echo "# SIGSTOP: stopped at node 1"
kill -CONT "$spin"
i=0
while node1_states | grep -q 'T (stopped)'; do
	i=$((i + 1))
	[ $i -lt 60 ] || { kill -9 "$spin"; early_fail "still stopped at node 1 after SIGCONT"; }
	sleep 0.5
done
wait_state 'R \(running\)' "not running at node 1 after SIGCONT"
echo "# SIGCONT: running at node 1"
kill "$spin"
wait "$spin" 2>/dev/null
rm -f "$out"
exec "$bin"
