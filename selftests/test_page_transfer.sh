#!/bin/sh
# Pages move between the nodes with every byte checked: node 0 pulls (the
# peer writes into pages node 0 exposed) and pushes (the peer reads them),
# from several threads, while node 1 does the same towards node 0. Nothing
# stays exposed afterwards.
. "$(dirname "$0")/lib.sh"
tap_plan
pages=${PAGE_COUNT:-2000}

vc-exec 1 pcnctl pagetest 0 --pages "$pages" --threads 4 --mode pull \
	> /tmp/pages_1to0 2>&1 &
back=$!
pcnctl pagetest 1 --pages "$pages" --threads 4 --mode pull || fail "pull 0 <- 1"
pcnctl pagetest 1 --pages "$pages" --threads 4 --mode push || fail "push 0 -> 1"
wait $back || { cat /tmp/pages_1to0; fail "pull 1 <- 0"; }
cat /tmp/pages_1to0

for n in 0 1; do
	run=""
	[ $n = 0 ] || run="vc-exec 1"
	stat_get exposed pages_exposed $run
	stat_get total pages_exposed_total $run
	[ "$exposed" = 0 ] || fail "node $n: $exposed pages still exposed"
	[ "$total" -ge "$pages" ] || fail "node $n: only $total exposures counted"
done
pass "all pages checked; no page left exposed"
