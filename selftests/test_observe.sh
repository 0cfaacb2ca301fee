#!/bin/sh
# Observability (observe.c): `pcnctl stat/proc/node list --json` parse on
# every node and their counters move as a scripted workload says; pcn-top's
# batch mode shows both nodes, the faults and a thread running at node 1.
# Then perf: `perf record -e 'popcorn:*'` around a migrating program
# (observe_load) records its faults, by kind, and its migration.
. "$(dirname "$0")/lib.sh"
nodes=${PCN_NODES:-2}
[ "$nodes" -ge 2 ] || skip "needs 2 nodes"
dir=$(dirname "$0")
pages=32

"$dir/observe" || fail "observe selftests"

echo "# perf record -e 'popcorn:*' around observe_load $pages"
[ -d /sys/kernel/tracing/events/popcorn ] ||
	fail "no popcorn trace events in /sys/kernel/tracing/events"
perf record -q -e 'popcorn:*' -a -o /tmp/pcn-perf.data -- \
	"$dir/observe_load" $pages >/tmp/pcn-perf.log 2>&1 ||
	{ cat /tmp/pcn-perf.log; fail "perf record around observe_load"; }
perf script -i /tmp/pcn-perf.data >/tmp/pcn-perf.txt 2>/tmp/pcn-perf.err ||
	{ cat /tmp/pcn-perf.err; fail "perf script"; }

count() {
	grep -c "$1" /tmp/pcn-perf.txt
}
begin=$(count 'popcorn:popcorn_fault_begin:')
reads=$(count 'popcorn:popcorn_fault_end:.* kind=read .*result=done')
fwd=$(count 'popcorn:popcorn_migrate:.*dir=forward .*ret=0')
sent=$(count 'popcorn:popcorn_msg_send:.*type=migrate ')
recv=$(count 'popcorn:popcorn_msg_recv:.*type=page_recall_reply ')
inval=$(count 'popcorn:popcorn_invalidate:')
echo "# events: fault_begin $begin, read faults done $reads, forward migrations $fwd," \
	"migrate sent $sent, recall replies $recv, invalidations $inval"
[ "$begin" -ge $pages ] || fail "fewer than $pages fault_begin events"
[ "$reads" -ge $pages ] || fail "fewer than $pages read fault_end events"
[ "$fwd" -ge 1 ] || fail "no forward migration event"
[ "$sent" -ge 1 ] || fail "no migrate message send event"
[ "$recv" -ge $pages ] || fail "fewer than $pages recall replies received"
[ "$inval" -ge $pages ] || fail "fewer than $pages invalidation events"
echo "ok: perf recorded the workload's faults and migration"
