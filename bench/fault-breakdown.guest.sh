# Guest side of bench/fault-breakdown (busybox sh, node 0, cwd /mnt/host).
# Needs $PAGES; after lib.guest.sh ($peer, $rdev). perf records popcorn:* on both nodes around
# `pcn_faultbench read`; each remote read fault is cut into phases from the
# trace events of the node that saw them:
#   node 1: fault_begin -> msg_send page_fetch      "prepare": page, exposure
#           fetch handed to the transport -> its reply received: "wait"
#           reply in -> fault_end                    "finish": unexpose, PTE
#   node 0: msg_recv page_fetch -> msg_send page_fetch_reply   "serve":
#           dispatch, directory, the page sent (posted), the reply handed
#           to the transport
# "wait" minus "serve" is the network and both stacks, sends included.
# Then, per fault and node, the packets and the softirq time behind it,
# and (RDMA) the packets of one ib_read_lat 4 KiB read for comparison.
# One faulting thread at a time, so the events of one fault follow each
# other.

# Also each packet and each softirq run: the transport's own cost per fault.
EV="-e popcorn:* -e net:net_dev_xmit -e net:netif_receive_skb -e irq:softirq_entry -e irq:softirq_exit"
vc-exec 1 "perf record -q $EV -a -o /tmp/p1.data -- sleep 600 >/tmp/p1.log 2>&1 &"
sleep 2
perf record -q $EV -a -o /tmp/p0.data -- \
	./pcn_faultbench read --pages "$PAGES" >/tmp/fb.out 2>&1 ||
	{ cat /tmp/fb.out; echo "pcn_faultbench failed"; exit 1; }
vc-exec 1 'kill -INT $(pidof perf); sleep 3; perf script -i /tmp/p1.data' >/tmp/p1.txt 2>&1
perf script -i /tmp/p0.data >/tmp/p0.txt 2>&1

# Timestamps (seconds, field 4 "123.456789:") in microseconds.
phases1() {
	awk '
	function ts() { t = $4; sub(/:$/, "", t); return t * 1e6 }
	/popcorn_fault_begin:/ && / kind=read / { b = ts(); s = r = 0; next }
	/popcorn_msg_send:/ && / type=page_fetch / && b { s = ts(); next }
	/popcorn_msg_recv:/ && / type=page_fetch_reply / && s { r = ts(); next }
	/popcorn_fault_end:/ && / kind=read / && / result=done / && r {
		e = ts()
		printf "prepare,%.1f\nwait,%.1f\nfinish,%.1f\ntotal,%.1f\n", s - b, r - s, e - r, e - b
		b = s = r = 0
	}' /tmp/p1.txt
}
phases0() {
	awk '
	function ts() { t = $4; sub(/:$/, "", t); return t * 1e6 }
	/popcorn_msg_recv:/ && / type=page_fetch / { f = ts(); next }
	/popcorn_msg_send:/ && / type=page_fetch_reply / && f {
		printf "serve,%.1f\n", ts() - f; f = 0
	}' /tmp/p0.txt
}
{ phases1; phases0; } >/tmp/phases.csv
n=$(grep -c '^total,' /tmp/phases.csv)
[ "$n" -gt 0 ] || { echo "no complete fault in the traces"; head -5 /tmp/p1.txt; exit 1; }
pmed() {
	grep "^$1," /tmp/phases.csv | cut -d, -f2 | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
total=$(pmed total) wait=$(pmed wait) serve=$(pmed serve)
echo "read faults traced at node 1: $n (medians, microseconds, traced: slower than untraced)"
for p in prepare wait finish total serve; do
	v=$(pmed $p)
	printf '  %-8s %8s us  %s of total\n' $p "$v" "$(awk -v a="$v" -v b="$total" 'BEGIN { printf "%.0f%%", 100 * a / b }')"
	echo "breakdown,$p,$v"
done
net=$(awk -v w="$wait" -v s="$serve" 'BEGIN { printf "%.1f", w - s }')
echo "  network and both stacks (wait - serve): $net us"
echo "breakdown,network,$net"

# Per fault, at each node: packets out and in, and the time spent in
# softirqs (network receive and the Soft-RoCE tasklets, where the RDMA
# work of a software device runs). Counted from the node's first
# fault_begin / page_fetch to its last fault_end / page_fetch_reply.
# ib_read_lat, for comparison, costs one packet each way per read.
per_fault() {
	awk -v node="$1" -v n="$n" '
	function ts() { t = $4; sub(/:$/, "", t); return t * 1e6 }
	/popcorn_fault_begin:|popcorn_msg_recv:.* type=page_fetch / { on = 1 }
	!on { next }
	/net_dev_xmit:/ { tx++ }
	/netif_receive_skb:/ { rx++ }
	/softirq_entry:/ && (/NET_RX/ || /TASKLET/) { s = ts() }
	/softirq_exit:/ && s { sirq += ts() - s; s = 0 }
	/popcorn_fault_end:|popcorn_msg_send:.* type=page_fetch_reply / {
		TX = tx; RX = rx; SIRQ = sirq }
	END {
		printf "  node %s: %.1f packets out, %.1f in, %.0f us in softirqs per fault\n", node, TX / n, RX / n, SIRQ / n
		printf "breakdown,node%s_packets_out,%.1f\nbreakdown,node%s_packets_in,%.1f\nbreakdown,node%s_softirq_us,%.0f\n", node, TX / n, node, RX / n, node, SIRQ / n
	}' "$2"
}
# Every read fault counts, not only those whose phases were found above
# (an answer that came as an immediate has no page_fetch_reply message).
n=$(grep -c 'popcorn_fault_end:.* kind=read .*result=done' /tmp/p1.txt)
per_fault 1 /tmp/p1.txt
per_fault 0 /tmp/p0.txt

# The raw transfer for comparison: packets per ib_read_lat 4 KiB read at
# its client (connection setup included, a few packets in all).
[ -n "$rdev" ] || exit 0
vc-exec 1 "timeout 120 ib_read_lat -R -d $rdev -p 18600 -s 4096 -n $PAGES >/tmp/srv.ibr 2>&1 &"
sleep 1
perf record -q -e net:net_dev_xmit -e net:netif_receive_skb -a -o /tmp/pb.data -- \
	timeout 120 ib_read_lat -R -d "$rdev" -p 18600 -s 4096 -n "$PAGES" "$peer" \
	>/tmp/ibr.out 2>&1 || { echo "ib_read_lat failed"; tail -n 3 /tmp/ibr.out; exit 0; }
perf script -i /tmp/pb.data 2>/dev/null | awk -v n="$PAGES" '
	/net_dev_xmit:/ { tx++ } /netif_receive_skb:/ { rx++ }
	END {
		printf "  ib_read_lat client: %.1f packets out, %.1f in per read\n", tx / n, rx / n
		printf "breakdown,ib_read_lat_packets_out,%.1f\nbreakdown,ib_read_lat_packets_in,%.1f\n", tx / n, rx / n
	}'
