# Runs on node 0 of the demo cluster (see scripts/demo.sh).
set -e
echo "== node list, as node 0 sees it"
pcnctl node list
echo
echo "== node list, as node 1 sees it"
vc-exec 1 pcnctl node list
echo
echo "== Popcorn messages node 0 -> node 1 over $PCN_TRANSPORT: 2000 round trips, payloads 0..64 B"
pcnctl echo 1 --count 2000 --max-size 64 | tee /tmp/echo.txt
echo
echo "== every size 0..8160 B, 4 threads, content checked byte for byte"
pcnctl echo 1 --count 4000 --threads 4
echo
echo "== baseline, same two guests: plain TCP ping-pong, 64 B (sockperf, full round trip)"
vc-exec 1 'sockperf server --tcp -i 10.99.0.2 -p 11111 >/dev/null 2>&1 &'
sleep 1
sockperf ping-pong --tcp -i 10.99.0.2 -p 11111 -m 64 -t 5 --full-rtt --no-rdtsc 2>&1 |
	sed 's/\x1b\[[0-9;]*m//g' | tee /tmp/sockperf.txt |
	grep -E 'percentile (50|99)\.000' || true
echo
ours=$(sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' /tmp/echo.txt)
base=$(sed -n 's/.*percentile 50\.000 = *\([0-9.]*\).*/\1/p' /tmp/sockperf.txt)
if [ -n "$ours" ] && [ -n "$base" ]; then
	awk -v o="$ours" -v b="$base" 'BEGIN {
		printf "median round trip: Popcorn message %.0f us, TCP ping-pong %.0f us: ratio %.2f\n",
			o * 1000, b, o * 1000 / b }'
fi
echo "(under QEMU/TCG both are ~100x real hardware: the ratio is what carries over)"
