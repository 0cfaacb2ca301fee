#!/bin/sh
# The deputy (deputy.c): a thread at node 1 makes its system calls at the
# origin and takes its signals at node 1. First the output of a program
# that prints from node 0, node 1 and node 0 again (stdout and stderr):
# every line arrives, in order. Then the kselftest program.
. "$(dirname "$0")/lib.sh"
[ "${PCN_NODES:-2}" -ge 2 ] || skip "needs 2 nodes"
bin=$(dirname "$0")/deputy
out=/tmp/deputy_print.$$

timeout 90 "$bin" --print >"$out" 2>&1
rc=$?
want="out 1 at node 0
err 1 at node 0
out 2 at node 1
err 2 at node 1
out 3 at node 1
out 4 at node 0 (was at 1)"
got=$(cat "$out")
rm -f "$out"
if [ "$rc" != 0 ] || [ "$got" != "$want" ]; then
	echo "TAP version 13"
	echo "1..1"
	echo "# exit status $rc; output:"
	printf '%s\n' "$got" | sed 's/^/# /'
	echo "not ok 1 print from node 1"
	exit 1
fi
exec "$bin"
