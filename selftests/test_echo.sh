#!/bin/sh
# 10,000 echo messages each way, at the same time, sizes 0..max, several
# threads per side; every reply is checked byte for byte by the kernel.
. "$(dirname "$0")/lib.sh"
tap_plan
count=${ECHO_COUNT:-10000}
stat_get bad_before rx_bad

vc-exec 1 pcnctl echo 0 --count "$count" --threads 4 > /tmp/echo_1to0 2>&1 &
back=$!
pcnctl echo 1 --count "$count" --threads 4 || fail "echo 0 -> 1"
wait $back || { cat /tmp/echo_1to0; fail "echo 1 -> 0"; }
cat /tmp/echo_1to0
grep -q "$count ok, 0 errors" /tmp/echo_1to0 || fail "echo 1 -> 0: not all ok"
stat_get bad_after rx_bad
[ "$bad_after" = "$bad_before" ] || fail "node 0 counted bad messages"
pass
