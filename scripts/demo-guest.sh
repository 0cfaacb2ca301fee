# Runs on node 0 of the demo cluster (see scripts/demo.sh), busybox sh;
# build/demo is at /mnt/host. Exit status: pcn_demo's, or 1 when an
# earlier step fails.
set -e
echo "== node list, as node 0 sees it"
pcnctl node list
echo
echo "== node list, as node 1 sees it"
vc-exec 1 pcnctl node list
echo
echo "== Popcorn messages node 0 -> node 1 over $PCN_TRANSPORT: 2000 round trips, payloads 0..64 B"
pcnctl echo 1 --count 2000 --max-size 64 | tee /tmp/echo.txt
vc-exec 1 'sockperf server --tcp -i 10.99.0.2 -p 11111 >/dev/null 2>&1 &'
sleep 1
sockperf ping-pong --tcp -i 10.99.0.2 -p 11111 -m 64 -t 5 --full-rtt --no-rdtsc 2>&1 |
	sed 's/\x1b\[[0-9;]*m//g' >/tmp/sockperf.txt || true
ours=$(sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' /tmp/echo.txt)
base=$(sed -n 's/.*percentile 50\.000 = *\([0-9.]*\).*/\1/p' /tmp/sockperf.txt)
if [ -n "$ours" ] && [ -n "$base" ]; then
	awk -v o="$ours" -v b="$base" 'BEGIN {
		printf "median round trip: Popcorn message %.0f us, plain TCP ping-pong (sockperf, same guests) %.0f us: ratio %.2f\n",
			o * 1000, b, o * 1000 / b }'
fi
echo "(under QEMU/TCG both are ~100x real hardware: the ratio is what carries over)"
echo
set +e

echo "== a thread migrates 0 -> 1 -> 0 while working on its data (/mnt/host/pcn_demo)"
/mnt/host/pcn_demo
rc=$?
[ $rc = 0 ] || echo "pcn_demo failed with status $rc"
echo

# The process's Popcorn state goes away shortly after it exits (10 s at most).
stat_on() { if [ "$1" = 0 ]; then pcnctl stat; else vc-exec "$1" pcnctl stat; fi; }
processes() { stat_on "$1" | awk '$1 == "processes" { print $2 }'; }
i=0
while [ $i -lt 20 ] && { [ "$(processes 0)" != 0 ] || [ "$(processes 1)" != 0 ]; }; do
	sleep 0.5
	i=$((i + 1))
done
keys='processes|remote_threads|migrations_out|migrations_in|vma_fetches|page_fetches|page_fetch_retries|page_recalls|page_served'
stat_on 0 | grep -E "^($keys) " >/tmp/stat0
stat_on 1 | grep -E "^($keys) " >/tmp/stat1
echo "== Popcorn counters since boot (pcnctl stat on each node)"
awk 'BEGIN { printf "%-20s %10s %10s\n", "counter", "node 0", "node 1" }
	NR == FNR { v[$1] = $2; next }
	{ printf "%-20s %10s %10s\n", $1, v[$1], $2 }' /tmp/stat0 /tmp/stat1
echo "(page_fetches: pages a node asked for; page_served: pages node 0, the origin, handed out;"
echo " page_recalls: pages node 0 took back or invalidated at node 1; processes: 0 once all is over)"
exit $rc
