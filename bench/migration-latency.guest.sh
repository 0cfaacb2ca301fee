# Guest side of bench/migration-latency (runs on node 0, busybox sh, in
# /mnt/host where pcn_faultbench is). ROUNDS is set by the caller; after
# lib.guest.sh.

# ours ROUND: 20 migration round trips, and 320 faults of each kind (read
# at node 1, write at node 1, read back at node 0), from pcn_faultbench's
# summary lines: medians and p99 as migrate_rtt_us, read_fault_us,
# write_fault_us, back_fault_us and their _p99.
ours() {
	for run in "migrate --rounds 20" "read --pages 320" "recall --pages 320"; do
		if ! /mnt/host/pcn_faultbench $run >"/tmp/fb.$1" 2>&1; then
			echo "round $1: pcn_faultbench $run failed:" >&2
			cat "/tmp/fb.$1" >&2
			failed=1
			continue
		fi
		awk -F, -v r="$1" '$1 == "summary" {
			k["migrate_rtt"] = "migrate_rtt_us"; k["read"] = "read_fault_us"
			k["remote_write"] = "write_fault_us"; k["recall"] = "back_fault_us"
			if ($2 in k) { print r "," k[$2] "," $5; print r "," k[$2] "_p99," $7 }
		}' "/tmp/fb.$1" >> $raw
	done
}

r=1
while [ $r -le "$ROUNDS" ]; do
	p=$((18700 + r * 10))
	ours $r
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
