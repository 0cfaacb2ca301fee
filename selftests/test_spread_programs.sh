#!/bin/sh
# Real threaded programs nobody here wrote, started spread over every node
# of the cluster (pcnctl run --spread): xz -T 4 (1 MiB blocks) and pigz
# -p 4 (-m: no time stamp) compress 20 MiB read from a pipe, their worker
# threads created on the nodes in turn from their first instruction. For
# each program:
#  - it exits 0 and its output is byte for byte that of the same command
#    run at home;
#  - every other node's own counters show threads that arrived there and
#    faults there that needed the origin (the work really was spread).
. "$(dirname "$0")/lib.sh"
tap_plan
nodes=${PCN_NODES:-2}
[ "$nodes" -ge 2 ] || skip "needs 2 nodes"
# The real ones: busybox's shell would run its own xz applet by name.
PIGZ=/usr/bin/pigz XZ=/usr/bin/xz
[ -x $PIGZ ] && [ -x $XZ ] || skip "pigz or xz missing in the guest"
SIZE=$((20 * 1048576))

dir=$(mktemp -d)
cd "$dir" || fail "no temporary directory"
# 20 MiB of varied, compressible data: the guest's own programs, as often
# as it takes, each copy behind a line of its own.
: > data
i=0
while [ "$(wc -c < data)" -lt $SIZE ]; do
	echo "copy $i" >> data
	cat /selftests/* /bin/busybox /usr/bin/* 2>/dev/null >> data
	i=$((i + 1))
done
head -c $SIZE data > input && rm data
[ "$(wc -c < input)" -eq $SIZE ] || fail "could not make 20 MiB of input"

list=0
n=1
while [ $n -lt "$nodes" ]; do
	list=$list,$n
	n=$((n + 1))
done

# faults_ok NODE: the faults of NODE that another node served, so far.
faults_ok() {
	vc-exec "$1" pcnctl stat --json |
		jq '[.faults[] | select(. != null) | .ok] | add'
}

# spread_run NAME CMD...: CMD < input > NAME.spread over every node, then
# checked against CMD < input > NAME.home and every node's counters.
spread_run() {
	name=$1
	shift
	n=1
	while [ $n -lt "$nodes" ]; do
		stat_get "in_$n" migrations_in vc-exec $n
		eval "f_$n=\$(faults_ok $n)"
		n=$((n + 1))
	done
	pcnctl run --spread --nodes "$list" -- "$@" < input > "$name.spread" ||
		fail "$name, spread: exit status $?"
	n=1
	while [ $n -lt "$nodes" ]; do
		stat_get in migrations_in vc-exec $n
		f=$(faults_ok $n)
		eval "in=\$((in - in_$n)) f=\$((f - f_$n))"
		echo "# $name spread over $list: node $n: $in threads arrived, $f faults needed another node"
		[ "$in" -ge 1 ] || fail "$name, spread: node $n received no thread"
		[ "$f" -ge 1 ] || fail "$name, spread: no fault at node $n"
		n=$((n + 1))
	done
	"$@" < input > "$name.home"
	cmp "$name.spread" "$name.home" ||
		fail "$name, spread: output differs from the run at home"
}
# 1 MiB blocks: xz's four workers each get blocks of their own.
spread_run xz4 $XZ -T 4 -3 --block-size=1MiB -c
spread_run pigz4 $PIGZ -p 4 -m -c
cd / && rm -rf "$dir"
pass
