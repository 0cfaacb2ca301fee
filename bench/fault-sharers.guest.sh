# Guest side of bench/fault-sharers (runs on node 0 of 4, busybox sh, in
# /mnt/host where pcn_faultbench is). ROUNDS and PAGES are set by the
# caller; after lib.guest.sh.
knob=/sys/kernel/debug/popcorn/invalidate_serial

# pcn_faultbench write --sharers K: its summary line, median and p99 of the
# N writes, as write_fault_kK_us and write_fault_kK_us_p99. The timeout
# keeps one stuck run from taking the whole boot's results with it. With
# "serial", the origin invalidates the sharers one after the other (the
# kernel's benchmarking knob), and the keys get a _serial suffix.
sharers() {
	k=$1 r=$2 mode=${3:-}
	echo $([ "$mode" = serial ] && echo 1 || echo 0) > $knob
	timeout 900 /mnt/host/pcn_faultbench write --sharers $k --pages $PAGES \
		>"/tmp/sharers.$r.$k" 2>&1
	st=$?
	if [ $st != 0 ]; then
		echo "round $r: pcn_faultbench write --sharers $k failed (status $st):" >&2
		cat "/tmp/sharers.$r.$k" >&2
		failed=1
		return
	fi
	awk -F, -v r="$r" -v m="${mode:+_$mode}" '$1 == "summary" && $2 == "write" {
		print r ",write_fault_k" $3 "_us" m "," $5
		print r ",write_fault_k" $3 "_us_p99" m "," $7 }' \
		"/tmp/sharers.$r.$k" >> $raw
	echo 0 > $knob
}

# k = 0..3 upwards in odd rounds, downwards in even ones: a drift of the
# host over a round does not favour one end.
r=1
while [ $r -le "$ROUNDS" ]; do
	if [ $((r % 2)) = 1 ]; then ks="0 1 2 3"; else ks="3 2 1 0"; fi
	for k in $ks; do
		sharers $k $r
		[ $k -ge 2 ] && sharers $k $r serial
	done
	rec $r tcp_rtt_64 "$(sockperf_rtt 64 $((18800 + r * 10 + 1)))"
	r=$((r + 1))
done

echo "== raw (round,metric,us)"
cat $raw
echo


echo "== medians over $ROUNDS rounds, $PAGES pages, transport $PCN_TRANSPORT, device ${rdev:-none}, MTU $(cat /sys/class/net/eth0/mtu)"
t64=$(med tcp_rtt_64) k1=$(med write_fault_k1_us)
printf '%-28s %10s %10s %8s %12s\n' "write at node 0, k sharers" "median us" "p99 us" "/ k=1" "/ TCP 64 B"
for k in 0 1 2 3; do
	m=$(med write_fault_k${k}_us)
	printf '%-28s %10s %10s %8s %12s\n' "k=$k" "$m" "$(med write_fault_k${k}_us_p99)" \
		"$(ratio "$m" "$k1")" "$(ratio "$m" "$t64")"
done
for k in 2 3; do
	m=$(med write_fault_k${k}_us_serial)
	printf '%-28s %10s %10s %8s %12s\n' "k=$k one at a time" "$m" \
		"$(med write_fault_k${k}_us_p99_serial)" "$(ratio "$m" "$k1")" \
		"$(ratio "$m" "$t64")"
	printf '%-28s %10s\n' "  k=$k: at once / one at a time" \
		"$(ratio "$(med write_fault_k${k}_us)" "$m")"
done
printf '%-28s %10s\n' "tcp_rtt_64 (sockperf)" "$t64"
echo "(k=0: first write to a fresh page, no message; k>=1: a write to a page nodes"
echo " 1..k hold copies of, which the origin invalidates all at once; invalidated"
echo " one after the other, k=3 would cost about 3x k=1. p99: median over the"
echo " rounds of each round's p99; ratios are of medians)"
[ $failed = 0 ] && [ -s $raw ]
