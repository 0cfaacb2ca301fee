# Runs on node 0 of the demo cluster (see scripts/demo.sh).
set -e
echo "== node list, as node 0 sees it"
pcnctl node list
echo
echo "== node list, as node 1 sees it"
vc-exec 1 pcnctl node list
echo
echo "== Popcorn messages node 0 -> node 1 over $PCN_TRANSPORT: round trips, payloads 0..64 B"
pcnctl echo 1 --count 2000 --max-size 64
echo
echo "== every size 0..8160 B, 4 threads, content checked byte for byte"
pcnctl echo 1 --count 4000 --threads 4
echo
echo "== baseline, same two guests: plain TCP ping-pong, 64 B (sockperf, full round trip)"
vc-exec 1 'sockperf server --tcp -i 10.99.0.2 -p 11111 >/dev/null 2>&1 &'
sleep 1
sockperf ping-pong --tcp -i 10.99.0.2 -p 11111 -m 64 -t 5 --full-rtt --no-rdtsc 2>&1 |
	grep -E 'avg-rtt|percentile (50|99)\.000|Summary' || true
echo
echo "(under QEMU/TCG both figures are ~100x real hardware; compare them as a ratio)"
