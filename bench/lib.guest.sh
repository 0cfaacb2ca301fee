# Shared by the guest sides of bench/* (busybox sh on node 0): the raw
# baselines of the same boot (need $peer and $rdev) and the statistics.

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
# Prints t_typical (the median) in microseconds.
perftest() {
	tool=$1 size=$2 port=$3
	vc-exec 1 "timeout 120 $tool -R -d $rdev -p $port -s $size -n 1000 >/tmp/srv.$port 2>&1 &"
	i=0
	while [ $i -lt 50 ]; do
		if timeout 120 $tool -R -d $rdev -p $port -s $size -n 1000 $peer \
			>/tmp/cli.$port 2>&1; then
			awk -v s=$size '$1 == s && NF >= 5 { print $5; exit }' /tmp/cli.$port
			return
		fi
		sleep 0.2
		i=$((i + 1))
	done
	echo "perftest $tool failed" >&2
}

# sockperf TCP ping-pong, full round trip median in microseconds.
sockperf_rtt() {
	size=$1 port=$2
	vc-exec 1 "timeout 60 sockperf server --tcp -i $peer -p $port >/dev/null 2>&1 &"
	i=0
	while [ $i -lt 10 ]; do
		sleep 0.5
		v=$(sockperf ping-pong --tcp -i $peer -p $port -m $size -t 3 --full-rtt \
			--no-rdtsc 2>&1 | sed -n 's/.*percentile 50\.000 = *\([0-9.]*\).*/\1/p')
		[ -n "$v" ] && { echo "$v"; return; }
		i=$((i + 1))
	done
	echo "sockperf $size B failed" >&2
}
