# Guest side of bench/run (node 0, busybox sh, in /mnt/host where
# pcn_faultbench is). Set by the caller:
#   PART      main (2 nodes: faults, migration, first touch, throughput,
#             pcnctl migrate, system calls at node 1, xz spread over 2
#             nodes) or
#             sharers (K+1 nodes: write faults against k sharers)
#   REPS      rounds; in each, ours and the baselines take turns
#   PAGES     pages per read / upgrade / write run
#   TOUCH     first-touch sizes, "1 16 256"
#   THREADS   throughput thread counts, "1 2 4 8"; TPAGES pages per thread
#   SHARERS   sharer counts for PART=sharers (or "" in main: none; "1" in
#             main: the write fault with one sharer on this 2-node boot)
#   MIGR      migrations per migrate run
#   MOVES     pcnctl migrate round trips per round
#   SOCKT     seconds per sockperf run; PITERS iterations per perftest run
#   BSFX      suffix of the baselines' names (_4n on the 4-node boot)
# Prints, as they come, "R,ROUND,FIGURE,PARAM,VALUE_US" lines (ours: every
# sample; baselines: each run's median, and its p99 as FIGURE_p99; the
# cpuSFX_nodeN figures are percent busy during a throughput or sharers
# run),
# "I,ROUND,KEY,VALUE" context lines and "== ..." progress lines. Exit
# status 1 when a pcn_faultbench run failed; a missing baseline is not a
# failure (bench/run marks it n/a). After lib.guest.sh ($peer, $rdev).
prog=/mnt/host/pcn_faultbench
port=20000

# ours ROUND ARGS...: one pcn_faultbench run, its samples as R lines. The
# timeout only keeps one stuck run from taking the boot's results with it.
ours() {
	r=$1
	shift
	timeout 900 $prog "$@" >/tmp/fb.out 2>/tmp/fb.err
	st=$?
	if [ $st != 0 ]; then
		echo "round $r: pcn_faultbench $* failed (status $st):"
		cat /tmp/fb.err /tmp/fb.out | tail -n 20
		failed=1
		return
	fi
	awk -v r="$r" -F, '
		$1 == "sample" { print "R," r "," $2 "," $3 "," $4 }
		$1 == "info" { print "I," r "," $2 "," $3 }' /tmp/fb.out
}

# base ROUND NAME PARAM "MEDIAN P99": a baseline's run, as R lines.
base() {
	set -- $1 $2 $3 $4 $5
	if [ -z "$4" ]; then
		echo "round $1: baseline $2$BSFX $3 gave nothing"
		return
	fi
	echo "R,$1,$2$BSFX,$3,$4"
	echo "R,$1,$2${BSFX}_p99,$3,${5:-$4}"
}

nextport() { port=$((port + 1)); }

tcp_base() {
	nextport
	base $1 tcp_pingpong $2 "$(sockperf_mp $2 $port $SOCKT)"
}

ib_base() {
	[ -n "$rdev" ] || return 0
	nextport
	base $1 $2 $3 "$(perftest_mp $2 $3 $port $PITERS)"
}

# How busy a node's (single) CPU was over a throughput or sharers run: a
# fault costs CPU on every node it involves (Soft-RoCE is software), so
# once a CPU is busy all the time, more threads cannot mean more faults
# per second, nor k invalidations in parallel cost one.
# cpu_line NODE: its /proc/stat "cpu" line.
cpu_line() {
	if [ "$1" = 0 ]; then head -n 1 /proc/stat; else vc-exec 1 'head -n 1 /proc/stat' | tr -d '\r'; fi
}
# cpu_busy ROUND NODE PARAM BEFORE AFTER [SUFFIX]: an R line, percent busy.
cpu_busy() {
	pct=$(echo "$4 $5" | awk '$1 == "cpu" && $12 == "cpu" {
		b0 = $2 + $3 + $4 + $7 + $8 + $9; t0 = b0 + $5 + $6
		b1 = $13 + $14 + $15 + $18 + $19 + $20; t1 = b1 + $16 + $17
		if (t1 > t0) printf "%.1f", 100 * (b1 - b0) / (t1 - t0) }')
	[ -n "$pct" ] && echo "R,$1,cpu$6_node$2,$3,$pct"
}

# elapsed_us CMD...: CMD's wall time in microseconds (perf stat), nothing
# when it fails; its output in /tmp/el.out.
elapsed_us() {
	perf stat -e task-clock -o /tmp/el.perf -- "$@" >/tmp/el.out 2>&1 ||
		return 0
	awk '/seconds time elapsed/ { printf "%.0f", $1 * 1e6 }' /tmp/el.perf
}

# move_bench: the time from `pcnctl migrate` asking a thread to move to
# the kernel seeing it go (to node 1: its state sent; home: back), as the
# kernel measures it (pcnctl migrate --time): the spinning thread of move_target (an ordinary
# program) moved 0 -> 1 (move_fwd) and back (move_home) MOVES times; and
# the whole command's wall time for the move to node 1 (move_wall: exec,
# netlink, and the spinner sharing node 0's one CPU with pcnctl).
move_bench() {
	rm -f /tmp/mt.in
	mkfifo /tmp/mt.in
	move_target </tmp/mt.in >/tmp/mt.out 2>&1 &
	mpid=$!
	exec 4>/tmp/mt.in
	i=0
	while ! grep -q '^pid ' /tmp/mt.out && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	spin=$(awk '$1 == "pid" { print $4 }' /tmp/mt.out)
	i=0
	while [ -n "$spin" ] && [ $i -lt "$MOVES" ]; do
		for leg in "1 move_fwd" "0 move_home"; do
			set -- $leg
			w=$(elapsed_us pcnctl migrate --time "$spin" $1)
			v=$(awk -v p="^$spin: moved to node $1 in " '$0 ~ p { print $(NF - 1) * 1000 }' /tmp/el.out)
			[ -n "$v" ] && echo "R,$r,$2,-,$v"
			[ -n "$v" ] && [ -n "$w" ] && [ $1 = 1 ] && echo "R,$r,move_wall,-,$w"
		done
		i=$((i + 1))
	done
	echo go >&4
	exec 4>&-
	wait $mpid || { echo "round $r: move_target failed: $(cat /tmp/mt.out)"; failed=1; }
}

# deputy_bench: what a thread's system calls cost at node 1, made at the
# origin by its twin (pcn_syscallbench, at node 0 and node 1): getppid()
# and a 64-byte pipe write (samples, us), a 16 MiB file read whole with
# 128 KiB reads (each pass, us per MiB: bench/run shows MiB/s), and the
# Popcorn message round trip
# they are judged against (pcnctl echo, 64 B).
SB=/mnt/host/pcn_syscallbench
deputy_bench() {
	for run in "getppid --rounds 1000" "pipe --rounds 1000" "read --mib 16 --rounds 3"; do
		if ! timeout 900 $SB $run >/tmp/sb.out 2>&1; then
			echo "round $r: pcn_syscallbench $run failed:"
			tail -n 20 /tmp/sb.out
			failed=1
			continue
		fi
		awk -v r="$r" -F, '$1 == "sample" {
			print "R," r "," $2 "," $3 "," $4 }' /tmp/sb.out
	done
	base $r ctrl_echo 64 "$(pcnctl echo 1 --count 1000 --size 64 |
		sed -n 's/.*median \([0-9.]*\) ms, p99 \([0-9.]*\) ms.*/\1 \2/p' |
		awk '{ printf "%.1f %.1f", $1 * 1000, $2 * 1000 }')"
}

# xz_bench: an unmodified CPU-bound threaded program, xz -T2 (its default
# level, 6) on 4 MiB (four 1 MiB blocks), started at home and started
# spread over nodes 0 and 1 (pcnctl run --spread: its compressing threads
# on node 1 and node 0): the wall time of each, and how busy each node's
# CPU was spread; and the same work split by hand over both nodes without
# Popcorn (xz_split), the most this rig allows.
XZ="/usr/bin/xz -T2 --block-size=1MiB -c"
XZ1="/usr/bin/xz -T1 --block-size=1MiB -c"
xz_bench() {
	[ -s /tmp/xz.in ] || cat /usr/bin/* /bin/busybox 2>/dev/null |
		head -c 4194304 >/tmp/xz.in
	v=$(elapsed_us sh -c "pcnctl run -- $XZ </tmp/xz.in >/tmp/xz.home")
	[ -n "$v" ] && echo "R,$r,xz_home,2,$v"
	c0=$(cpu_line 0) c1=$(cpu_line 1)
	v=$(elapsed_us sh -c "pcnctl run --spread --nodes 0,1 -- $XZ </tmp/xz.in >/tmp/xz.spread")
	cpu_busy $r 0 2 "$c0" "$(cpu_line 0)" _spread
	cpu_busy $r 1 2 "$c1" "$(cpu_line 1)" _spread
	if [ -n "$v" ] && cmp -s /tmp/xz.home /tmp/xz.spread; then
		echo "R,$r,xz_spread,2,$v"
	else
		echo "round $r: xz spread failed or wrote other output"
		failed=1
	fi
	# The rig's ceiling: the same four blocks split by hand, two at each
	# node at once (xz -T1 on each half, no Popcorn): the two guests'
	# CPUs share the host's, so even this is not twice as fast.
	[ -s /tmp/xz.a ] || head -c 2097152 /tmp/xz.in >/tmp/xz.a
	vc-exec 1 "[ -s /tmp/xz.b ] || cat /usr/bin/* /bin/busybox 2>/dev/null |
		head -c 4194304 | tail -c 2097152 >/tmp/xz.b"
	v=$(elapsed_us sh -c "vc-exec 1 '$XZ1 </tmp/xz.b >/dev/null' &
		$XZ1 </tmp/xz.a >/dev/null; wait")
	[ -n "$v" ] && echo "R,$r,xz_split,2,$v"
}

# A working set's first touch at node 1 as a bandwidth (issue 15's
# figures): SPAGES pages in order, RPAGES in a pseudo-random order with
# read-ahead on and, A/B in the same boot, off (the ahead_pages knob at 1
# on both nodes: one page a fault). Over the run without read-ahead each
# fault is served alone: node 0's busy CPU time over it (pcn_faultbench
# reads it), per fault, is what serving one costs the origin; node 1's per
# read of ib_read_lat 4 KiB (whose requests node 1's rxe answers without
# any program; from two runs of AITERS and 3 x AITERS reads) is the same
# for the verbs alone. Baselines: ib_read_bw with
# 64 KiB messages, and a TCP stream of 65000-byte messages (sockperf
# throughput, sender side).
knob=/sys/kernel/debug/popcorn/ahead_pages
ahead_set() { echo $1 >$knob; vc-exec 1 "echo $1 >$knob"; }
# cpu_us BEFORE AFTER: busy CPU microseconds between two "cpu" lines.
cpu_us() {
	echo "$1 $2" | awk '$1 == "cpu" && $12 == "cpu" {
		b0 = $2 + $3 + $4 + $7 + $8 + $9; b1 = $13 + $14 + $15 + $18 + $19 + $20
		printf "%.0f", (b1 - b0) * 1e6 / 100 }'
}
stream_bench() {
	local was c0 c1 v v1
	was=$(cat $knob 2>/dev/null)
	ours $r stream --pages $SPAGES
	ours $r stream --pages $RPAGES --random
	if [ -n "$was" ]; then
		ahead_set 1
		ours $r stream --pages $RPAGES --random >/tmp/noahead.out
		ahead_set "$was"
		sed 's/^R,\([0-9]*\),stream_random,/R,\1,stream_random_noahead,/' /tmp/noahead.out
		awk -F, -v r=$r -v n=$RPAGES '$1 == "I" && $3 == "stream_random_node0_busy_us" {
			printf "R,%s,cpu_per_fault,-,%.1f\n", r, $4 / n }' /tmp/noahead.out
	fi
	if [ -n "$rdev" ]; then
		# The better of perftest's default and one read in flight: rxe
		# under TCG loses throughput with more (8-25 MiB/s against ~36
		# here), real HCAs need more for line rate.
		nextport
		v=$(perftest_bw ib_read_bw 65536 $port $PITERS)
		nextport
		v1=$(perftest_bw ib_read_bw 65536 $port $PITERS -o 1)
		v=$(echo "${v:-0} ${v1:-0}" | awk '{ m = $1 > $2 ? $1 : $2; if (m > 0) printf "%.1f", 1e6 / m }')
		[ -n "$v" ] && base $r ib_read_bw 65536 "$v"
		# Two runs, AITERS and 3 x AITERS reads: the difference is the
		# reads' alone (starting perftest and connecting cost the same).
		c0=$(cpu_line 1)
		nextport
		v=$(perftest ib_read_lat 4096 $port $AITERS)
		c1=$(cpu_line 1)
		nextport
		[ -n "$v" ] && v=$(perftest ib_read_lat 4096 $port $((3 * AITERS)))
		if [ -n "$v" ]; then
			v=$(( $(cpu_us "$c1" "$(cpu_line 1)") - $(cpu_us "$c0" "$c1") ))
			base $r cpu_per_ib_read - "$(awk -v v=$v -v n=$AITERS 'BEGIN { printf "%.1f", v / (2 * n) }')"
		fi
	fi
	nextport
	v=$(sockperf_bw 65000 $port $SOCKT)
	[ -n "$v" ] && base $r tcp_stream 65000 "$(awk -v v=$v 'BEGIN { printf "%.1f", 1e6 / v }')"
}

# reverse LIST: the other way round, so that a drift of the host over a
# round does not favour one end of a sweep.
reverse() { for x in $*; do echo $x; done | sort -rn | tr '\n' ' '; }

echo "== $PART: transport $PCN_TRANSPORT, device ${rdev:-none}, $REPS rounds, MTU $(cat /sys/class/net/eth0/mtu)"
# Node 1's clock against node 0's, for the one-way migration legs: its
# clockd (started again when it is not running).
clockd() {
	vc-exec 1 "ps | grep -v grep | grep -q -e 'pcn_faultbench clockd' ||
		{ $prog clockd --port 19999 --idle 1800 >/dev/null 2>&1 & }"
}

r=1
while [ "$r" -le "$REPS" ]; do
	echo "== round $r/$REPS"
	if [ $((r % 2)) = 1 ]; then
		touch_list=$TOUCH thr_list=$THREADS k_list=$SHARERS
	else
		touch_list=$(reverse $TOUCH) thr_list=$(reverse $THREADS)
		k_list=$(reverse $SHARERS)
	fi
	if [ "$PART" = main ]; then
		ours $r read --pages $PAGES
		tcp_base $r 4096
		ours $r upgrade --pages $PAGES
		ib_base $r ib_read_lat 4096
		clockd
		ours $r migrate --rounds $MIGR --clock $peer:19999
		tcp_base $r 64
		ours $r touch --pages $(echo $touch_list | tr ' ' ',')
		ib_base $r ib_send_lat 64
		for t in $thr_list; do
			c0=$(cpu_line 0) c1=$(cpu_line 1)
			ours $r throughput --threads $t --pages $TPAGES
			cpu_busy $r 0 $t "$c0" "$(cpu_line 0)"
			cpu_busy $r 1 $t "$c1" "$(cpu_line 1)"
		done
		ib_base $r ib_write_lat 4096
		stream_bench
		move_bench
		deputy_bench
		xz_bench
		for k in $k_list; do
			ours $r write --sharers $k --pages $PAGES
		done
	else
		n=0
		for k in $k_list; do
			c0=$(cpu_line 0) c1=$(cpu_line 1)
			ours $r write --sharers $k --pages $PAGES
			cpu_busy $r 0 $k "$c0" "$(cpu_line 0)" _write
			cpu_busy $r 1 $k "$c1" "$(cpu_line 1)" _write
			# a baseline between two of ours
			if [ $((n % 2)) = 0 ]; then tcp_base $r 64; else ib_base $r ib_send_lat 64; fi
			n=$((n + 1))
		done
	fi
	r=$((r + 1))
done
echo "== done, failed=$failed"
exit $failed
