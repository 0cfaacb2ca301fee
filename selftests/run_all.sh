#!/bin/sh
# Runs the Popcorn selftests inside the vcluster (on node 0) and prints TAP
# version 13: one result per test, each test's output as "# " lines.
#   run_all.sh [TEST...]     default: every test in tests.list, in order
here=$(cd "$(dirname "$0")" && pwd)
per_test_timeout=${PCN_TEST_TIMEOUT:-600}

if [ $# -gt 0 ]; then
	tests="$*"
else
	tests=$(grep -v '^#' "$here/tests.list")
fi
n=0
for t in $tests; do n=$((n + 1)); done

echo "TAP version 13"
echo "1..$n"
i=0
for t in $tests; do
	i=$((i + 1))
	start=$(date +%s)
	out=$(cd /tmp && timeout "$per_test_timeout" "$here/$t" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	took=$(( $(date +%s) - start ))
	case $rc in
	0) echo "ok $i $t # ${took}s" ;;
	4) echo "ok $i $t # SKIP" ;;
	124|143) echo "not ok $i $t # TIMEOUT after ${per_test_timeout}s" ;;
	*) echo "not ok $i $t # exit $rc, ${took}s" ;;
	esac
done
