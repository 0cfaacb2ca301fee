#!/bin/sh
# Every node's counters from any node (STAT_REQUEST/STAT_REPLY,
# kernel/popcorn/stat_remote.c): `pcnctl stat --all --json` at node 1
# shows node 0's counters equal to node 0's own `pcnctl stat --json`
# taken at the same quiet moment (the load fields, which move all the
# time, and the stat messages themselves aside); `--node` asks one node;
# an unconfigured node is refused with the reason; an unprivileged user
# may ask (the same counters STAT_GET shows any local user); pcn-top's
# cluster view in batch mode shows a row with figures for every node.
. "$(dirname "$0")/lib.sh"
tap_plan
nodes=${PCN_NODES:-2}
[ "$nodes" -ge 2 ] || skip "needs 2 nodes"
command -v jq >/dev/null || fail "no jq in the guest"

# The counters of a `pcnctl stat --json` object, without the load and the
# traffic of the stat messages.
JQ_COUNTERS='del(.cpus, .nr_running, .cpu_busy_ns, .uptime_ns) |
	.types |= map(select(.name != "stat_request" and
			     .name != "stat_reply"))'

# Node 1 asks for everything while node 0 reads its own before and after;
# when those two agree, node 0 was quiet and node 1's view must equal
# them. A stray message (a keepalive) between them: try again.
tries=0
while :; do
	tries=$((tries + 1))
	[ $tries -le 10 ] || fail "node 0 never quiet for a whole comparison"
	pcnctl stat --json | jq -S "$JQ_COUNTERS" >/tmp/cs-before ||
		fail "pcnctl stat --json at node 0"
	vc-exec 1 pcnctl stat --all --json >/tmp/cs-all ||
		fail "pcnctl stat --all --json at node 1"
	pcnctl stat --json | jq -S "$JQ_COUNTERS" >/tmp/cs-after ||
		fail "pcnctl stat --json at node 0, again"
	cmp -s /tmp/cs-before /tmp/cs-after && break
	echo "# node 0 not quiet (try $tries), again"
done
jq -S ".nodes[] | select(.nid == 0) | .stat | $JQ_COUNTERS" /tmp/cs-all \
	>/tmp/cs-remote || fail "no node 0 in: $(cat /tmp/cs-all)"
if ! cmp -s /tmp/cs-before /tmp/cs-remote; then
	diff /tmp/cs-before /tmp/cs-remote | sed 's/^/# /'
	fail "node 0's counters as node 1 sees them differ from its own"
fi
echo "# node 0's counters seen from node 1 equal its own (try $tries)"

# Every node is in the answer, with figures, itself flagged.
n=$(jq '[.nodes[] | select(.error == null and .stat.cpus >= 1 and
			    .stat.uptime_ns > 0)] | length' /tmp/cs-all)
[ "$n" = "$nodes" ] || fail "$n of $nodes nodes answered: $(cat /tmp/cs-all)"
self=$(jq -c '[.nodes[] | select(.self) | .nid]' /tmp/cs-all)
[ "$self" = "[1]" ] || fail "node 1's --all flags $self as itself"
# The stat messages themselves are counted like any other.
got=$(vc-exec 1 pcnctl stat --json |
      jq '.types[] | select(.name == "stat_reply") | .msgs_in')
[ "${got:-0}" -ge 1 ] || fail "node 1 counted no stat_reply received"

expect "one node" '^cpus +[1-9]' 0 vc-exec 1 pcnctl stat --node 0
expect "an unconfigured node" "no such node" 1 pcnctl stat --node 9
expect "unprivileged caller" '^cpus +[1-9]' 0 \
	move_target --as-nobody pcnctl stat --node 1

# pcn-top at node 1: a CLUSTER row with CPU% for each node.
vc-exec 1 pcn-top -b -n 2 -d 1 >/tmp/cs-top || fail "pcn-top -b at node 1"
rows=$(awk '/^CLUSTER$/ { c = 1; next } /^NODES$/ { c = 0 }
	    c && $1 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { n++ }
	    END { print n + 0 }' /tmp/cs-top)
# Two snapshots, a row per node in each.
[ "$rows" = $((2 * nodes)) ] || {
	sed 's/^/# /' /tmp/cs-top
	fail "pcn-top's cluster view: $rows rows with figures, expected $((2 * nodes))"
}
pass "# pcn-top's cluster view shows all $nodes nodes"
