#!/bin/sh
# pcnctl migrate (kernel/popcorn/move.c, netlink_move.c): threads of an
# ordinary program, built without libpopcorn (move_target), moved from
# outside while they run, wait in a futex, or read a pipe:
#  - a running thread moves to node 1 and back home, between any two
#    instructions, with every register kept (the program checks its sums);
#  - a thread blocked in a futex wait moves at once (the wait restarts
#    transparently there) and wakes correctly when signalled;
#  - a thread blocked in read() is reported pending and moves when the
#    read returns; --pid moves every thread;
#  - refused, with the reason: an unknown thread (exit 1, ESRCH), a node
#    that does not exist, a kernel thread, a caller that may not ptrace
#    the program (uid 65534: EPERM, and the thread does not move);
#  - the program ends with correct results and status 0.
. "$(dirname "$0")/lib.sh"
tap_plan
[ "${PCN_NODES:-2}" -ge 2 ] || skip "needs 2 nodes"

dir=$(mktemp -d)
mkfifo "$dir/in"
move_target < "$dir/in" > "$dir/out" 2>&1 &
target=$!
exec 3> "$dir/in"
i=0
while ! grep -q '^pid ' "$dir/out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "move_target did not start: $(cat "$dir/out")"
	sleep 0.1
done
set -- $(cat "$dir/out")
pid=$2 spin=$4 waiter=$6
echo "# pid $pid, spinner $spin, waiter $waiter"

# expect WHAT PATTERN STATUS CMD...: CMD's output matches PATTERN (grep -E)
# and its exit status is STATUS.
expect() {
	what=$1 pattern=$2 want=$3
	shift 3
	got=$("$@" 2>&1)
	st=$?
	echo "$got" | sed 's/^/# /'
	echo "$got" | grep -qE "$pattern" ||
		fail "$what: output '$got', expected /$pattern/"
	[ $st = "$want" ] || fail "$what: exit status $st, expected $want"
}

# where TID: the node thread TID runs on, from pcnctl proc.
where() {
	pcnctl proc "$pid" | awk -v t="$1" '$1 == t && NF == 3 { print $2 }'
}

expect "running thread to node 1" "^$spin: moved to node 1\$" 0 \
	pcnctl migrate "$spin" 1
[ "$(where "$spin")" = 1 ] || fail "pcnctl proc: spinner on node '$(where "$spin")'"
expect "futex waiter to node 1" "^$waiter: moved to node 1\$" 0 \
	pcnctl migrate "$waiter" 1
expect "already there" "^$waiter: already on node 1\$" 0 \
	pcnctl migrate "$waiter" 1
sleep 1
expect "running thread home" "^$spin: moved to node 0\$" 0 \
	pcnctl migrate "$spin" 0
expect "running thread to node 1 again" "^$spin: moved to node 1\$" 0 \
	pcnctl migrate "$spin" 1
expect "reader pending" "^$pid: pending: still on node 0" 0 \
	pcnctl migrate --wait 300 --pid "$pid" 1

expect "unknown thread" "no such thread" 1 pcnctl migrate 999999 1
expect "no such node" "^$spin: refused: no such node" 1 \
	pcnctl migrate "$spin" 9
expect "kernel thread" "^2: refused: no such node, or not a user thread" 1 \
	pcnctl migrate 2 1
expect "unprivileged caller" "^$spin: refused: not allowed to ptrace it" 1 \
	move_target --as-nobody pcnctl migrate "$spin" 0
[ "$(where "$spin")" = 1 ] || fail "the spinner moved for an unprivileged caller"
expect "unprivileged caller, --pid" "refused: not allowed to ptrace it" 1 \
	move_target --as-nobody pcnctl migrate --pid "$pid" 0

echo go >&3
exec 3>&-
wait "$target"
st=$?
cat "$dir/out" | sed 's/^/# /'
[ $st = 0 ] || fail "move_target exited with $st"
grep -q '^ok ' "$dir/out" || fail "move_target: no ok line"
rm -rf "$dir"
pass
