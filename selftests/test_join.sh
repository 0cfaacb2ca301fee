#!/bin/sh
# Every node lists every other node online, with the right id and arch,
# and lists itself as self.
. "$(dirname "$0")/lib.sh"
tap_plan
nodes=${PCN_NODES:-2}

for me in $(seq 0 $((nodes - 1))); do
	run=""
	[ "$me" = 0 ] || run="vc-exec $me"
	echo "node $me sees:"
	$run pcnctl node list || fail "node $me: pcnctl node list failed"
	[ "$(node_field "$me" self $run)" = true ] ||
		fail "node $me does not list itself as self"
	for peer in $(seq 0 $((nodes - 1))); do
		[ "$peer" = "$me" ] && continue
		state=$(node_field "$peer" state $run)
		arch=$(node_field "$peer" arch $run)
		[ "$state" = online ] || fail "node $me: node $peer is '$state', not online"
		[ "$arch" = x86_64 ] || fail "node $me: node $peer has arch '$arch'"
	done
done
pass "all $nodes nodes see each other online"
