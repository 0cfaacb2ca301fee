# Guest side of bench/deputy-latency (node 0, busybox sh, after
# lib.guest.sh). ROUNDS is set by the caller.

# pcnctl prints "median X ms": in microseconds.
median_us() {
	sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' | awk '{ printf "%.1f\n", $1 * 1000 }'
}

# ours ROUND: pcn_syscallbench's medians as FIGURE_us; the file reads as
# MiB/s (file_read_*_mibs).
ours() {
	for run in "getppid --rounds 1000" "pipe --rounds 1000" "read --mib 16 --rounds 3"; do
		if ! /mnt/host/pcn_syscallbench $run >"/tmp/sb.$1" 2>&1; then
			echo "round $1: pcn_syscallbench $run failed:" >&2
			cat "/tmp/sb.$1" >&2
			failed=1
			continue
		fi
		awk -F, -v r="$1" '$1 == "summary" {
			if ($2 ~ /^file_read/) printf "%s,%s_mibs,%.1f\n", r, $2, 1e6 / $5
			else print r "," $2 "_us," $5
		}' "/tmp/sb.$1" >> $raw
	done
}

r=1
while [ $r -le "$ROUNDS" ]; do
	ours $r
	rec $r ctrl_rtt_64 "$(pcnctl echo 1 --count 1000 --size 64 | median_us)"
	rec $r tcp_rtt_64 "$(sockperf_rtt 64 $((18800 + r * 10)))"
	r=$((r + 1))
done

echo "== raw (round,metric,value)"
cat $raw
echo

echo "== medians over $ROUNDS rounds, transport $PCN_TRANSPORT, device ${rdev:-none}"
for m in getppid_origin_us getppid_remote_us pipe64_origin_us pipe64_remote_us \
	file_read_origin_mibs file_read_remote_mibs ctrl_rtt_64 tcp_rtt_64; do
	printf '%-40s %10s\n' "$m" "$(med $m)"
done
echo

row() { printf '%-46s %10s %10s %7s\n' "$1" "$2" "$3" "$4"; }
g1=$(med getppid_remote_us) echo=$(med ctrl_rtt_64) t64=$(med tcp_rtt_64)
p1=$(med pipe64_remote_us) f0=$(med file_read_origin_mibs) f1=$(med file_read_remote_mibs)
row "ratio" "ours" "base" "ratio"
row "getppid at node 1 / Popcorn echo 64 B (us)" "$g1" "$echo" "$(ratio "$g1" "$echo")"
row "getppid at node 1 / TCP ping-pong 64 B (us)" "$g1" "$t64" "$(ratio "$g1" "$t64")"
row "pipe write 64 B at node 1 / Popcorn echo (us)" "$p1" "$echo" "$(ratio "$p1" "$echo")"
row "16 MiB read, slowdown at node 1 (MiB/s)" "$f1" "$f0" "$(ratio "$f0" "$f1")"
[ $failed = 0 ] && [ -s $raw ]
