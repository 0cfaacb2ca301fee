# Guest side of bench/fault-breakdown (busybox sh, node 0, cwd /mnt/host).
# Needs $PAGES. perf records popcorn:* on both nodes around
# `pcn_faultbench read`; each remote read fault is cut into phases from the
# trace events of the node that saw them:
#   node 1: fault_begin -> msg_send page_fetch      "prepare": page, exposure
#           fetch handed to the transport -> its reply received: "wait"
#           reply in -> fault_end                    "finish": unexpose, PTE
#   node 0: msg_recv page_fetch -> msg_send page_fetch_reply   "serve":
#           dispatch, directory, the page sent (posted), the reply handed
#           to the transport
# "wait" minus "serve" is the network and both stacks, sends included.
# One faulting thread at a time, so the events of one fault follow each
# other.

vc-exec 1 "perf record -q -e 'popcorn:*' -a -o /tmp/p1.data -- sleep 600 >/tmp/p1.log 2>&1 &"
sleep 2
perf record -q -e 'popcorn:*' -a -o /tmp/p0.data -- \
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
