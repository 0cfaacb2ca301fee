# Guest side of bench/transport-latency (runs on node 0, busybox sh), after
# lib.guest.sh. The perftest baselines run on TCP boots too (every guest
# has a software RDMA device).
rdev=$(ls /sys/class/infiniband | head -n 1)

# pcnctl prints "median X ms": in microseconds.
median_us() {
	sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' | awk '{ printf "%.1f\n", $1 * 1000 }'
}

r=1
while [ $r -le "$ROUNDS" ]; do
	p=$((18600 + r * 10))
	rec $r ctrl_rtt_64 "$(pcnctl echo 1 --count 1000 --size 64 | median_us)"
	if [ -n "$rdev" ]; then
		rec $r ib_send_lat_64 "$(perftest ib_send_lat 64 $((p + 1)))"
	fi
	rec $r page_pull "$(pcnctl pagetest 1 --pages 500 --mode pull | median_us)"
	if [ -n "$rdev" ]; then
		rec $r ib_write_lat_4k "$(perftest ib_write_lat 4096 $((p + 2)))"
	fi
	rec $r page_push "$(pcnctl pagetest 1 --pages 500 --mode push | median_us)"
	if [ -n "$rdev" ]; then
		rec $r ib_read_lat_4k "$(perftest ib_read_lat 4096 $((p + 3)))"
	fi
	rec $r tcp_rtt_64 "$(sockperf_rtt 64 $((p + 4)))"
	rec $r tcp_rtt_4k "$(sockperf_rtt 4096 $((p + 5)))"
	r=$((r + 1))
done

echo "== raw (round,metric,us)"
cat $raw
echo
echo "== medians over $ROUNDS rounds, transport $PCN_TRANSPORT, device ${rdev:-none}, MTU $(cat /sys/class/net/eth0/mtu)"
ctrl=$(med ctrl_rtt_64) send=$(med ib_send_lat_64)
pull=$(med page_pull) push=$(med page_push)
wlat=$(med ib_write_lat_4k) rlat=$(med ib_read_lat_4k)
t64=$(med tcp_rtt_64) t4k=$(med tcp_rtt_4k)
send2=$(awk -v s="$send" 'BEGIN { if (s != "") print s * 2 }')
wlat2=$(awk -v s="$wlat" 'BEGIN { if (s != "") print s * 2 }')
printf '%-44s %10s %10s %7s\n' "figure" "ours us" "base us" "ratio"
printf '%-44s %10s %10s %7s\n' "64 B message RTT / ib_send_lat x2" "$ctrl" "$send2" "$(ratio "$ctrl" "$send2")"
printf '%-44s %10s %10s %7s\n' "4 KiB page pull / ib_read_lat (full RTT)" "$pull" "$rlat" "$(ratio "$pull" "$rlat")"
printf '%-44s %10s %10s %7s\n' "4 KiB page pull / ib_write_lat x2" "$pull" "$wlat2" "$(ratio "$pull" "$wlat2")"
printf '%-44s %10s %10s %7s\n' "4 KiB page push / ib_read_lat (full RTT)" "$push" "$rlat" "$(ratio "$push" "$rlat")"
printf '%-44s %10s %10s %7s\n' "64 B message RTT / TCP ping-pong 64 B" "$ctrl" "$t64" "$(ratio "$ctrl" "$t64")"
printf '%-44s %10s %10s %7s\n' "4 KiB page pull / TCP ping-pong 4 KiB" "$pull" "$t4k" "$(ratio "$pull" "$t4k")"
