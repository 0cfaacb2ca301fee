#!/bin/sh
# Real threaded programs nobody here wrote, moved while they work: pigz
# (-p 3, -m: no time stamp) and xz (-T 3) compress 4 MiB read from a pipe. Halfway through,
# `pcnctl migrate --pid` sends every thread to node 1 (those waiting in a
# futex go at once, the reader when its read returns); the rest of the
# input follows. For each program, at node 1:
#  - every thread is reported moved, already there or pending, none
#    refused, and at least one runs on node 1 right after;
#  - it exits 0, and its output decompresses to the input and is byte for
#    byte the output of the same run made entirely at home.
# Then the same with pigz moved to node 1 and back home halfway.
# test_spread_programs.sh starts them spread over the nodes.
. "$(dirname "$0")/lib.sh"
tap_plan
[ "${PCN_NODES:-2}" -ge 2 ] || skip "needs 2 nodes"
# The real ones: busybox's shell would run its own xz applet by name.
PIGZ=/usr/bin/pigz XZ=/usr/bin/xz
[ -x $PIGZ ] && [ -x $XZ ] || skip "pigz or xz missing in the guest"

dir=$(mktemp -d)
cd "$dir" || fail "no temporary directory"
# 4 MiB of varied, compressible data: the guest's own programs.
cat /selftests/* /bin/busybox /usr/bin/* 2>/dev/null | head -c 4194304 > data
[ "$(wc -c < data)" -eq 4194304 ] || fail "could not make 4 MiB of input"
head -c 2097152 data > first
tail -c +2097153 data > rest

# on_node1 PID: how many threads of PID run on node 1 now.
on_node1() {
	pcnctl proc "$1" | awk '$2 == 1 && NF == 6 { n++ } END { print n + 0 }'
}

# moved_run NAME HOME_NODE CMD...: CMD < pipe > NAME.out, moved to node 1
# after the first half of the input (and to HOME_NODE after that when it
# is 0), then checked against a run at home.
moved_run() {
	name=$1 back=$2
	shift 2
	rm -f fifo
	mkfifo fifo
	"$@" < fifo > "$name.out" &
	p=$!
	exec 3> fifo
	cat first >&3
	sleep 1
	got=$(pcnctl migrate --pid "$p" 1 2>&1)
	st=$?
	echo "$got" | sed "s/^/# $name: /"
	[ $st = 0 ] || fail "$name: pcnctl migrate --pid exit $st"
	echo "$got" | grep -vqE ': (moved to|already on) node 1$|: pending: ' &&
		fail "$name: a thread was not moved"
	n=$(on_node1 "$p")
	echo "# $name: $n threads on node 1"
	[ "$n" -ge 1 ] || fail "$name: no thread on node 1"
	if [ "$back" = 0 ]; then
		head -c 1048576 rest >&3
		sleep 1
		pcnctl migrate --pid "$p" 0 | sed "s/^/# $name home: /"
		tail -c +1048577 rest >&3
	else
		cat rest >&3
	fi
	exec 3>&-
	wait "$p"
	st=$?
	[ $st = 0 ] || fail "$name: exit status $st"
	"$@" < data > "$name.home"
	cmp "$name.out" "$name.home" ||
		fail "$name: output differs from the run at home"
	echo "# $name: $(wc -c < "$name.out") bytes, identical to the run at home"
}

moved_run pigz 1 $PIGZ -p 3 -m -c
$PIGZ -dc pigz.out | cmp - data || fail "pigz: output does not decompress to the input"
moved_run xz 1 $XZ -T 3 -3 -c
$XZ -dc xz.out | cmp - data || fail "xz: output does not decompress to the input"
moved_run pigz-back 0 $PIGZ -p 3 -m -c
$PIGZ -dc pigz-back.out | cmp - data || fail "pigz there and back: output does not decompress to the input"

cd / && rm -rf "$dir"
pass
