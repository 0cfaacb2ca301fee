#!/bin/sh
# Many threads of one process on every node at once (distributed.c): a
# barrier, a mutex, condition variables and a read-write lock shared across
# nodes (the distributed futex), false sharing of one page, threads that end
# or are joined away from the origin, threads created at a remote,
# remote-to-remote migrations (3 nodes or more), and the raw futex
# operations across nodes (timeouts, bitsets, requeue, wake-op). Afterwards
# no node keeps Popcorn state: the counters "processes" and
# "remote_threads" of `pcnctl stat` return to 0 on every node within 10 s,
# and no task of the test is left on any node.
. "$(dirname "$0")/lib.sh"
nodes=${PCN_NODES:-2}
[ "$nodes" -ge 2 ] || skip "needs 2 nodes"
bin=$(dirname "$0")/distributed

# on N: how to run a command on node N (nothing for this node).
on() {
	[ "$1" = 0 ] || echo "vc-exec $1"
}

n=0
while [ $n -lt "$nodes" ]; do
	for c in processes remote_threads; do
		stat_get unused $c $(on $n)
	done
	n=$((n + 1))
done

"$bin"
rc=$?

# Even when a test failed: what it left behind is worth knowing.
n=0
while [ $n -lt "$nodes" ]; do
	i=0
	while :; do
		stat_get p processes $(on $n)
		stat_get t remote_threads $(on $n)
		[ "$p" = 0 ] && [ "$t" = 0 ] && break
		i=$((i + 1))
		[ $i -lt 20 ] ||
			fail "node $n: Popcorn state left 10 s after the test: processes '$p', remote_threads '$t'"
		sleep 0.5
	done
	if left=$($(on $n) pidof distributed); then
		fail "node $n: tasks left: $left"
	fi
	n=$((n + 1))
done
echo "no state left on $nodes nodes"
exit $rc
