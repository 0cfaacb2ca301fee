#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pcn-top against the user-space fake of the kernel side
# (../../pcnctl/test/fake_kernel.c, LD_PRELOADed over libmnl's socket
# calls): batch mode's layout and values, and the curses view in a pseudo
# terminal (tty.py). Usage: run.sh PATH/TO/pcn-top
# Set VALGRIND=1 to run the batch cases under valgrind as well.
# Ends with "N passed, N failed"; also run by "make -C tools/pcnctl test".
set -u

TOP=$(readlink -f "${1:?usage: run.sh PATH/TO/pcn-top}")
HERE=$(dirname "$(readlink -f "$0")")
FAKE_DIR=$HERE/../../pcnctl/test PROG=$TOP
# $TMP, $TMP/fake.so, $VG, pass, fail, ok, bad, and
# t NAME EXPECTED_RC GREP_PATTERN [ENV=VAL...] -- ARGS...: pcn-top with
# stdout a file (batch mode needs no terminal), TERM unset.
. "$FAKE_DIR/lib.sh"

# Usage.
t help		0 '^Usage: pcn-top \[-b\] \[-n COUNT\] \[-d SECONDS\]'	-- -h
t help-long	0 '^Keys: q quit'			-- --help
t bad-delay	2 "delay '0' is not 0\.1 to 3600 seconds"	-- -b -d 0
t bad-delay2	2 "delay '1x' is not"			-- -b -d 1x
t bad-count	2 "count 'x' is not a number"		-- -b -n x
t bad-count0	2 "count '0' is not a number"		-- -b -n 0
t bad-opt	2 "unknown option '--nope'"		-- --nope
t no-value	2 "option '-n' needs a value"		-- -b -n
t extra-arg	2 "unexpected argument 'x'"		-- -b x
t no-family	1 'generic netlink family not found'	FAKE_NOFAMILY=1 -- -b -n 1

# Batch: two snapshots half a second apart, run once, grepped below. The
# fake's counters grow by a fixed step per request (see fake_kernel.c):
# node 1 6 messages and 1 MB each way, 3 read faults in bucket 10 ([1024,
# 2048) ns: p50 1.5 us, p99 2.0 us over the interval), no write faults
# (p50/p99 over the whole histogram: 6.1, 8.2 us), 2 invalidations sent
# and 1 received, 1 forward migration; so per second: 12 messages, 2 MB,
# 6 faults, 4, 2 and 2 (give or take one for a late wake-up).
t batch		0 '^pcn-top: node 0, snapshot 2 of 2, interval 0\.5 s$' -- -b -n 2 -d 0.5
cp "$TMP/out" "$TMP/batch"

# g NAME PATTERN: a line of that batch output
g() {
	if grep -qE -- "$2" "$TMP/batch"; then
		ok
	else
		cp "$TMP/batch" "$TMP/out"
		bad "$1 (pattern '$2')"
	fi
}

MB='(1\.9[5-9]|2\.0[0-5])'
# The cluster view, from each node's own counters over its own clock
# (fake: node 0 50 % busy, 3 faults and 12 messages per second; node 1
# 15 %, 5 and 10; node 2 does not answer).
g c-self	'^0 self 50 3 - 3 12$'
g c-node1	'^1 online 15 1 4 5 10$'
g c-node2	'^2 online - - - - -$'
g b-self	'^0 self - 0 0 0\.00 0\.00 0 0$'
g b-node1	"^1 online tcp 1[123] 1[123] $MB $MB 1 0\$"
g b-node2	'^2 online rdma 0 0 0\.00 0\.00 2 3$'
g b-read	'^read 103 [567] 1\.5 2\.0 2 0$'
g b-read2	'^read 106 [567] 1\.5 2\.0 2 0$'
g b-write	'^write 41 0 6\.1 8\.2 0 1$'
g b-upgrade	'^upgrade 0 0 - - 0 0$'
g b-inval	'^INVALIDATIONS SENT/S [345] RECV/S [123]  MIGRATIONS FORWARD/S [123] HOME/S 0$'
g b-proc	'^123 0 migrate 2$'
g b-proc-name	'^200 1 a_b"c 1$'
g b-thread	'^THREAD 124 1 123$'
g b-thread2	'^THREAD 78 0 200$'
g b-type	'^echo_request [345] [345] [3-5][0-9][0-9] [3-5][0-9][0-9]$'

t b-default-d	0 '^pcn-top: node 0, snapshot 1 of 1, interval 1\.0 s$' -- -b -n 1
t b-gone	0 '^2 absent rdma 0 0 0\.00 0\.00 0 0$'	FAKE_NODE_GONE_AFTER=1 -- -b -n 2 -d 0.2
t b-stat-fail	1 '^pcn-top: stat: stats exploded \(Input/output error\)$' FAKE_STAT_FAIL_AFTER=2 -- -b -n 2 -d 0.2
t b-stat-fail2	1 '^read - - - - - -$'			FAKE_STAT_FAIL_AFTER=2 -- -b -n 2 -d 0.2
t b-old		0 '^read - - - - - -$'			FAKE_OLD_STAT=1 FAKE_OLD_PROC=1 -- -b -n 1 -d 0.2

# The exact layout: the fixed lines of two snapshots, in order, and every
# row with as many fields as its table's header.
env -u TERM LD_PRELOAD="$TMP/fake.so" "$TOP" -b -n 2 -d 0.3 >"$TMP/b" 2>"$TMP/err" </dev/null
rc=$?
cat >"$TMP/want" <<'EOF'
pcn-top: node 0, snapshot 1 of 2, interval 0.3 s
CLUSTER
NID STATE CPU% RUNNABLE HOSTED FAULTS/S MSGS/S
NODES
NID STATE TRANSPORT MSGS_IN/S MSGS_OUT/S MB_IN/S MB_OUT/S BAD TERR
FAULTS
KIND TOTAL /S P50_US P99_US RETRIES ERRORS
PROCESSES
PID ORIGIN COMM THREADS
THREAD TID NODE PID
TYPES
TYPE MSGS_IN/S MSGS_OUT/S BYTES_IN/S BYTES_OUT/S
EOF
sed 's/snapshot 1/snapshot 2/' "$TMP/want" >"$TMP/want2"
cat "$TMP/want2" >>"$TMP/want"
awk '/^pcn-top: / { print; next }
     { for (i = 1; i <= NF; i++) if ($i !~ /^[A-Z\/]/) next; print }' \
	"$TMP/b" >"$TMP/got"
cp "$TMP/b" "$TMP/out"
if [ $rc = 0 ] && [ ! -s "$TMP/err" ] && cmp -s "$TMP/want" "$TMP/got" &&
   [ "$(wc -l <"$TMP/b")" = 60 ]; then
	ok
else
	bad "batch layout (rc $rc, stderr '$(cat "$TMP/err")', lines $(wc -l <"$TMP/b"))"
	diff "$TMP/want" "$TMP/got" | sed 's/^/    /'
fi
if awk '
	/^pcn-top: / || /^INVALIDATIONS / { next }
	/^(CLUSTER|NODES|FAULTS|PROCESSES|TYPES)$/ { hdr = 0; next }
	!hdr || ($1 == "THREAD" && $2 == "TID") { nf = NF; hdr = 1; next }
	NF != nf { print "row with " NF " fields, header " nf ": " $0; b = 1 }
	END { exit b }' "$TMP/b" >"$TMP/out"; then
	ok
else
	bad "batch rows have as many fields as their header"
fi

# Batch with stdout a pipe and no TERM.
if env -u TERM LD_PRELOAD="$TMP/fake.so" "$TOP" -b -n 1 -d 0.2 </dev/null 2>"$TMP/out" |
   grep -q '^TYPES$'; then
	ok
else
	bad "batch into a pipe, TERM unset"
fi

# Curses: no terminal, and a terminal type nobody knows.
t no-tty	1 'not a terminal; -b prints snapshots as text'	-- -d 0.2
if command -v script >/dev/null; then
	LD_PRELOAD="$TMP/fake.so" TERM=nosuchterm script -qec "$TOP -n 1" /dev/null \
		>"$TMP/out" 2>&1 </dev/null
	rc=$?
	if [ $rc = 1 ] && grep -q "cannot drive terminal type 'nosuchterm'" "$TMP/out"; then
		ok
	else
		bad "unknown terminal type (rc $rc)"
	fi
	# Two refreshes and out, under script(1) as a user would run it.
	# --foreground: script runs $SHELL -c, and when that is dash (as with
	# SHELL unset in CI) the shell keeps the terminal's foreground group;
	# a plain timeout would put pcn-top in a background group, where its
	# first terminal access stops it with SIGTTOU until the timeout.
	LD_PRELOAD="$TMP/fake.so" TERM=vt100 script -qec "timeout --foreground 10 $TOP -n 2 -d 0.2" \
		/dev/null >"$TMP/out" 2>&1 </dev/null
	rc=$?
	if [ $rc = 0 ] && grep -q 'NODES' "$TMP/out"; then
		ok
	else
		bad "curses under script, -n 2 (rc $rc)"
	fi
fi

# Curses in a pseudo terminal (tty.py): keys, resizes down to 1x5, and q.
# tty.py checks that every cursor address lies inside the window.
# tt NAME ROWSxCOLS STEP... [ENV=VAL...] -- ARGS...
tt() {
	name=$1 geo=$2
	shift 2
	steps=
	while [ "$1" != -- ]; do steps="$steps $1"; shift; done
	shift
	# shellcheck disable=SC2086 # $steps is a word list
	if env TERM=vt100 python3 "$HERE/tty.py" "$geo" $steps -- \
	       env LD_PRELOAD="$TMP/fake.so" $ENVS "$TOP" "$@" >"$TMP/out" 2>&1; then
		ok
	else
		bad "curses: $name"
	fi
}
ENVS=
tt keys		10x40 k:2 k:3 k:4 k:tab k:tab k:s k:s k:r k:h k:? k:x p:0.7 k:q -- -d 0.2
tt resize	10x40 k:4 r:6x20 p:0.5 r:3x10 r:1x5 r:2x2 r:30x100 k:4 p:0.5 k:q -- -d 0.2
tt help		24x80 k:h e:q_quit k:q -- -d 0.2
tt count	24x80 -- -n 3 -d 0.2
# 12 lines: view 4 runs past the screen; End brings the types table (the
# last) in, and the status line counts the lines.
tt scroll	12x80 k:4 p:0.4 e:lines_1-10_of k:j k:j k:G p:0.4 e:handshake k:g k:pgdn k:pgup k:down k:up k:q -- -d 0.2
ENVS="LINES=10 COLUMNS=40"
tt lines-env	10x40 k:4 k:s p:0.5 k:q -- -d 0.2
ENVS="FAKE_STAT_FAIL_AFTER=2"
tt stat-fail	24x80 p:1 e:stats_exploded k:q -- -d 0.2
ENVS="FAKE_NODE_GONE_AFTER=2"
tt node-gone	24x80 p:1 e:absent k:q -- -d 0.2
ENVS="FAKE_OLD_STAT=1 FAKE_OLD_PROC=1"
tt old-kernel	24x80 k:2 e:does_not_list k:4 k:q -- -d 0.2
ENVS=

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
