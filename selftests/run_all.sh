#!/bin/sh
# Runs the Popcorn selftests inside the vcluster (on node 0) and prints TAP
# version 13: one result per test, each test's output as "# " lines.
# Each test prints TAP too: a test whose plan (1..N) and results disagree,
# or that prints no plan, fails whatever its exit status (tap_check).
#   run_all.sh [TEST...]     default: every test in tests.list, in order
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
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
	tap=$(printf '%s\n' "$out" | tap_check) && tap=
	case $rc in
	124|143) echo "not ok $i $t # TIMEOUT after ${per_test_timeout}s" ;;
	*)
		if [ -n "$tap" ]; then
			echo "not ok $i $t # $tap, exit $rc, ${took}s"
		elif [ $rc = 0 ]; then
			echo "ok $i $t # ${took}s"
		elif [ $rc = 4 ]; then
			echo "ok $i $t # SKIP"
		else
			echo "not ok $i $t # exit $rc, ${took}s"
		fi ;;
	esac
done
