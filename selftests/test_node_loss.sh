#!/bin/sh
# A node that dies, as its peers see it: node 1 is cut off (everything it
# sends dropped, netem) for longer than the grace period, or, with
# NODE_FAULT=kill (test_node_kill.sh), its QEMU is killed (vc-ctl: no
# shutdown, no last message) and booted again later. Node 0 gives it up
# within a bounded time: a process with a thread there ends, with the
# reason in the log; a process that never used node 1 runs on untouched
# and finishes with correct results. When cut off, node 1 sees its origin
# die the same way: the thread it ran for node 0 is gone when the link is
# back. Then node 1 rejoins and traffic flows again.
. "$(dirname "$0")/lib.sh"
tap_plan
grace=/sys/module/popcorn/parameters/grace_ms
outage=${OUTAGE_S:-30}
fault=${NODE_FAULT:-cut}
case $fault in
cut) limit=$((outage - 5)) ;;
kill)
	# Silence noticed (10 s), grace (2 s), on a slow host.
	limit=60
	command -v vc-ctl >/dev/null || skip "no vc-ctl (not in a vcluster)" ;;
*) fail "NODE_FAULT must be cut or kill, not $fault" ;;
esac

old0=$(cat $grace)
old1=$(vc-exec 1 cat $grace)
cleanup() {
	echo "$old0" > $grace
	vc-exec 1 "echo $old1 > $grace"
}
trap cleanup EXIT
echo 2000 > $grace || fail "cannot set $grace"
vc-exec 1 "echo 2000 > $grace" || fail "cannot set node 1's $grace"
dmesg -c > /dev/null

# A: its spinner thread runs at node 1.
target_start
a_pid=$pid a_job=$target a_dir=$target_dir
exec 4>&3
pcnctl migrate "$spin" 1 || fail "migrate the spinner of $a_pid to node 1"
i=0
while [ "$(target_where "$spin")" != 1 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the spinner did not reach node 1"
	sleep 0.1
done
# B: never leaves node 0.
target_start
b_pid=$pid
echo "# A $a_pid (a thread at node 1), B $b_pid (at home)"

if [ $fault = cut ]; then
	vc-exec 1 "(/usr/sbin/tc qdisc add dev eth0 root netem loss 100%; sleep $outage; /usr/sbin/tc qdisc del dev eth0 root) </dev/null >/dev/null 2>&1 &" ||
		fail "cannot cut node 1 off"
else
	vc-ctl kill 1 || fail "cannot kill node 1's QEMU"
fi
start=$(date +%s)

# Silence is noticed (keepalives), the grace period passes, A ends.
while kill -0 "$a_pid" 2>/dev/null; do
	[ $(( $(date +%s) - start )) -lt $limit ] ||
		fail "A still alive $(( $(date +%s) - start ))s after the fault ($fault) on node 1"
	sleep 0.5
done
took=$(( $(date +%s) - start ))
wait "$a_job"
st=$?
exec 4>&-
rm -rf "$a_dir"
echo "# A ended after ${took}s, exit status $st"
[ "$st" -gt 128 ] || fail "A exited with $st, not killed by a signal"
dmesg | grep -E "lost with node 1: killing process $a_pid|node 1: session lost|node 1 gone" |
	sed 's/^/# /'
dmesg | grep -q "lost with node 1: killing process $a_pid" ||
	fail "no reason for A's end in the log"
kill -0 "$b_pid" 2>/dev/null || fail "B died with node 1"

# The link comes back after the outage, or node 1 boots again: it rejoins.
if [ $fault = kill ]; then
	vc-ctl boot 1 || fail "cannot boot node 1 again"
fi
pcnctl node wait --timeout $((outage + 90)) || fail "node 1 did not rejoin"
vc-exec 1 pcnctl node wait --timeout 30 || fail "node 1 does not see node 0 again"
vc-exec 1 dmesg | grep -E "node 0 gone|node 0: session lost|killing" | sed 's/^/# node 1: /'
i=0
while vc-exec 1 pidof move_target >/dev/null; do
	i=$((i + 1))
	[ $i -lt 20 ] || fail "node 1 still runs A's thread after its origin was given up"
	sleep 0.5
done
stat_get rt remote_threads vc-exec 1
[ "$rt" = 0 ] || fail "node 1 still counts $rt remote threads"
pcnctl echo 1 --count 300 --threads 2 >/dev/null || fail "no traffic after the rejoin"
target_finish
pass "node 1 given up after ${took}s ($fault): A ended, B untouched, node 1 rejoined"
