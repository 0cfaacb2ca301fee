#!/bin/bash
# make fuzz: the hostile peer (selftests/peer_fuzz.c, test_peer_fuzz.sh) for
# a long run on the debug kernel (KASAN, lockdep, DEBUG_VM): FUZZ_ITERS
# messages (default 200000) over TCP, joining again after every link node 0
# closes. Fails when the fuzzer cannot keep joining, node 0 stops serving
# node 1, or any node logs a splat (vcluster's exit status 125).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
iters=${FUZZ_ITERS:-200000}

"$top/tools/vcluster/vcluster" run --debug --nodes 2 --transport tcp \
	--timeout 3600 -- env PCN_FUZZ_ITERS="$iters" PCN_TEST_TIMEOUT=3500 \
	/selftests/run_all.sh test_peer_fuzz.sh | tee "$top/build/fuzz.tap"
rc=${PIPESTATUS[0]}
case $rc in
0) grep -q '^ok 1 ' "$top/build/fuzz.tap" || rc=1 ;;
125) echo "fuzz: a node logged a splat: build/vcluster/last/node*.log" ;;
esac
[ "$rc" = 0 ] && echo "fuzz: $iters messages, no splat, node 0 kept serving" ||
	echo "fuzz: FAILED (status $rc)"
exit "$rc"
