# Shared by the guest sides of bench/* (busybox sh on node 0), which
# bench/lib.sh's bench_vcluster runs after this: the peer, the raw values
# file, the raw baselines of the same boot and the statistics.

# $peer: node 1. $rdev: the RDMA device of an RDMA boot (else empty). $raw:
# the raw values, CSV (emptied here); rec ROUND METRIC VALUE adds a line
# when there is a VALUE. $failed: set to 1 by whatever failed.
peer=10.99.0.2
rdev=
[ "$PCN_TRANSPORT" = rdma ] && rdev=$(ls /sys/class/infiniband | head -n 1)
raw=/tmp/raw.csv
failed=0
: >$raw

rec() { [ -n "$3" ] && echo "$1,$2,$3" >>$raw; }

# med METRIC [FIELD]: the median of METRIC's values in $raw, CSV lines
# whose FIELD-th field (default 3) is the value.
med() {
	grep ",$1," $raw | cut -d, -f"${2:-3}" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B with two decimals, "-" when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else printf "-" }'; }

# Every server gets its own port (callers run in $(...) subshells, so the
# port is passed in): on iWARP rdma_cm ports are real TCP ports.
# perftest: server on node 1 through vc-exec, client here with retries.
# perftest TOOL SIZE PORT prints t_typical (the median) in microseconds;
# perftest_mp TOOL SIZE PORT [ITERS] prints "median p99" (t_typical and the
# 99% percentile column), ITERS iterations (default 1000). A client that
# is rejected (the server does not listen yet) tries again; one that fails
# otherwise (now and then a perftest client dies in librdmacm, "traps:" in
# the kernel log, and leaves its server stuck) or keeps being rejected
# starts over with a new server, on PORT + 1000, + 2000, ...
perftest_mp() {
	tool=$1 size=$2 port=$3 iters=${4:-1000}
	i=0
	while [ $i -lt 8 ]; do
		p=$((port + i * 1000))
		vc-exec 1 "timeout 60 $tool -R -d $rdev -p $p -s $size -n $iters >/tmp/srv.$p 2>&1 &"
		j=0
		while [ $j -lt 5 ]; do
			sleep 0.3
			if timeout 30 $tool -R -d $rdev -p $p -s $size -n $iters $peer \
				>/tmp/cli.$port 2>&1; then
				awk -v s=$size '$1 == s && NF >= 5 { print $5, (NF >= 8 ? $8 : $5); exit }' \
					/tmp/cli.$port
				return
			fi
			grep -q "Unexpected CM event" /tmp/cli.$port || break
			j=$((j + 1))
		done
		i=$((i + 1))
	done
	echo "perftest $tool failed: $(tail -n 2 /tmp/cli.$port | tr '\n' ' ')" >&2
}

perftest() { perftest_mp "$1" "$2" "$3" "${4:-}" | cut -d' ' -f1; }

# perftest_bw TOOL SIZE PORT [ITERS [OPTION...]]: a perftest bandwidth run
# (ib_read_bw, ib_write_bw), its average in MiB/s (perftest's MB/sec, 2^20
# bytes).
perftest_bw() {
	tool=$1 size=$2 port=$3 iters=${4:-1000}
	if [ $# -ge 4 ]; then shift 4; else shift $#; fi
	vc-exec 1 "timeout 60 $tool -R -d $rdev -p $port -s $size -n $iters $* >/tmp/srv.$port 2>&1 &"
	sleep 0.5
	timeout 60 $tool -R -d $rdev -p $port -s $size -n $iters "$@" $peer >/tmp/cli.$port 2>&1 &&
		awk -v s=$size '$1 == s && NF >= 4 { print $4; exit }' /tmp/cli.$port ||
		echo "perftest $tool failed: $(tail -n 2 /tmp/cli.$port | tr '\n' ' ')" >&2
}

# sockperf TCP ping-pong, full round trip in microseconds: sockperf_rtt
# SIZE PORT prints the median of a 3 s run; sockperf_mp SIZE PORT [SECS]
# prints "median p99" of a SECS-second run (default 3).
sockperf_mp() {
	size=$1 port=$2 secs=${3:-3}
	i=0
	while [ $i -lt 10 ]; do
		vc-exec 1 "ps | grep -v grep | grep -q -e 'sockperf server --tcp -i $peer -p $port' ||
			{ timeout 60 sockperf server --tcp -i $peer -p $port >/dev/null 2>&1 & }"
		sleep 0.5
		v=$(sockperf ping-pong --tcp -i $peer -p $port -m $size -t $secs --full-rtt \
			--no-rdtsc 2>&1 | awk '
			function num() { match($0, /= *[0-9.]+/); return substr($0, RSTART + 1, RLENGTH - 1) + 0 }
			/percentile 50\.000 =/ { m = num() }
			/percentile 99\.000 =/ { p = num() }
			END { if (m != "") print m, (p != "" ? p : m) }')
		[ -n "$v" ] && { echo "$v"; return; }
		i=$((i + 1))
	done
	echo "sockperf $size B failed" >&2
}

# sockperf_bw SIZE PORT [SECS]: a TCP stream of SIZE-byte messages, the
# sender's MiB/s (sockperf throughput; its MBps are 2^20 bytes).
sockperf_bw() {
	size=$1 port=$2 secs=${3:-3}
	vc-exec 1 "ps | grep -v grep | grep -q -e 'sockperf server --tcp -i $peer -p $port' ||
		{ timeout 60 sockperf server --tcp -i $peer -p $port >/dev/null 2>&1 & }"
	sleep 0.5
	sockperf throughput --tcp -i $peer -p $port -m $size -t $secs 2>&1 |
		awk '/BandWidth is/ { for (i = 1; i <= NF; i++) if ($i == "is") { print $(i + 1); exit } }'
}

sockperf_rtt() { sockperf_mp "$1" "$2" 3 | cut -d' ' -f1; }
