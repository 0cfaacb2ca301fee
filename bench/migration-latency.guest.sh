# Guest side of bench/migration-latency (runs on node 0, busybox sh, in
# /mnt/host where pcn_demo is). ROUNDS is set by the caller.
peer=10.99.0.2
rdev=
[ "$PCN_TRANSPORT" = rdma ] && rdev=$(ls /sys/class/infiniband | head -n 1)
raw=/tmp/raw.csv
failed=0
: > $raw

rec() { [ -n "$3" ] && echo "$1,$2,$3" >> $raw; }

# pcn_demo --bench prints "key value" lines: the *_us ones are ours.
demo_bench() {
	if ! /mnt/host/pcn_demo --bench 20 >"/tmp/demo.$1" 2>&1; then
		echo "round $1: pcn_demo --bench failed:" >&2
		cat "/tmp/demo.$1" >&2
		failed=1
		return
	fi
	awk -v r="$1" 'NF == 2 && $1 ~ /_us(_p99)?$/ { print r "," $1 "," $2 }' \
		"/tmp/demo.$1" >> $raw
}

r=1
while [ $r -le "$ROUNDS" ]; do
	p=$((18700 + r * 10))
	demo_bench $r
	rec $r tcp_rtt_64 "$(sockperf_rtt 64 $((p + 1)))"
	rec $r tcp_rtt_4k "$(sockperf_rtt 4096 $((p + 2)))"
	if [ -n "$rdev" ]; then
		rec $r ib_read_lat_4k "$(perftest ib_read_lat 4096 $((p + 3)))"
		rec $r ib_send_lat_64 "$(perftest ib_send_lat 64 $((p + 4)))"
	fi
	r=$((r + 1))
done

echo "== raw (round,metric,us)"
cat $raw
echo

row() { printf '%-46s %10s %10s %7s\n' "$1" "$2" "$3" "$4"; }

echo "== medians over $ROUNDS rounds, transport $PCN_TRANSPORT, device ${rdev:-none}, MTU $(cat /sys/class/net/eth0/mtu)"
printf '%-46s %10s %10s\n' "figure" "median us" "p99 us"
for m in migrate_rtt_us read_fault_us write_fault_us back_fault_us; do
	printf '%-46s %10s %10s\n' "$m" "$(med $m)" "$(med ${m}_p99)"
done
for m in tcp_rtt_64 tcp_rtt_4k ib_read_lat_4k ib_send_lat_64; do
	[ -n "$(med $m)" ] && printf '%-46s %10s\n' "$m" "$(med $m)"
done
echo

mig=$(med migrate_rtt_us) rd=$(med read_fault_us)
t64=$(med tcp_rtt_64) t4k=$(med tcp_rtt_4k)
rlat=$(med ib_read_lat_4k) send=$(med ib_send_lat_64)
send2=$(awk -v s="$send" 'BEGIN { if (s != "") print s * 2 }')
row "ratio" "ours us" "base us" "ratio"
row "migration 0->1->0 / TCP ping-pong 64 B" "$mig" "$t64" "$(ratio "$mig" "$t64")"
if [ -n "$rdev" ]; then
	row "migration 0->1->0 / ib_send_lat 64 B x2" "$mig" "$send2" "$(ratio "$mig" "$send2")"
	row "read fault / ib_read_lat 4 KiB" "$rd" "$rlat" "$(ratio "$rd" "$rlat")"
fi
row "read fault / TCP ping-pong 4 KiB" "$rd" "$t4k" "$(ratio "$rd" "$t4k")"
echo "(p99: median over the rounds of each round's p99; read fault: a read at node 1"
echo " of a page node 0 owns, a page over the network; ratios are of medians)"
[ $failed = 0 ] && [ -s $raw ]
