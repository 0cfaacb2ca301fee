#!/bin/sh
# Thread migration to node 1 and back through libpopcorn (migrate.c):
# identity, heap/.data/.bss/stack data, a deep stack, registers, memory map
# changes made at node 1, error codes, proposals, no state left behind.
# Node $off is configured but never comes up: the "node offline" case.
. "$(dirname "$0")/lib.sh"
nodes=${PCN_NODES:-2}
[ "$nodes" -ge 2 ] || skip "needs 2 nodes"
off=$nodes

pcnctl node add "$off" "10.99.0.$((off + 1))" \
	--transport "${PCN_TRANSPORT:-tcp}" ||
	fail "cannot configure node $off"
state=$(node_field "$off" state)
if [ "$state" = online ]; then
	pcnctl node del "$off"
	fail "node $off, which does not exist, is online"
fi

POPCORN_OFFLINE_NID=$off "$(dirname "$0")/migrate"
rc=$?

pcnctl node del "$off" || { echo "FAIL: cannot remove node $off"; rc=1; }
exit $rc
