#!/bin/bash
# make check: boot the vcluster, run the selftests (TAP) on node 0, collect
# the KUnit results every node printed at boot, and check that no node's
# kernel log holds an oops, WARNING, lockdep or KASAN report or a hung task.
# Ends with "N passed, N failed"; exit status 0 only when nothing failed.
#
#   scripts/run-check.sh [--debug] [--concurrency] [TEST...]
#
# --concurrency: only the concurrency suite (test_distributed.sh) on 2
# nodes over TCP and RDMA and on 3 nodes (make check-debug-concurrency
# runs it on the debug kernel).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
vc=$top/tools/vcluster/vcluster
out=$top/build/check
mkdir -p "$out"

vc_opts=()
guest_env=()
concurrency=0
while [ $# -gt 0 ]; do
	case "$1" in
	--debug)
		vc_opts+=(--debug)
		# KASAN and lockdep slow page transfers ~8x: a smaller heap
		# in the migration test keeps every code path and fits its
		# time limit.
		guest_env+=(POPCORN_TEST_HEAP_MIB=8)
		# The same for the concurrency suite: every test, fewer
		# rounds (mt) and increments (counter).
		guest_env+=(POPCORN_TEST_ROUNDS=25 POPCORN_TEST_INCREMENTS=2500)
		guest_env+=(PCN_TEST_TIMEOUT=1500)
		shift ;;
	--concurrency) concurrency=1; shift ;;
	*) break ;;
	esac
done

passed=0
failed=0
skipped=0
failures=()
result() {	# result pass|fail|skip NAME
	if [ "$1" = skip ]; then
		skipped=$((skipped + 1))
	elif [ "$1" = pass ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$2")
	fi
}

# One cluster boot: selftests over TRANSPORT on NODES nodes, RDMA device DEV.
run_suite() {
	local transport=$1 nodes=$2 dev=$3 tag=${SUITE_TAG:-$1-$3-$2n} rc logdir
	shift 3
	echo "=== selftests: $nodes nodes, transport $transport, RDMA device $dev"
	"$vc" run "${vc_opts[@]}" --nodes "$nodes" --transport "$transport" \
		--rdma-dev "$dev" --timeout 1800 -- \
		env "${guest_env[@]}" /selftests/run_all.sh "$@" |
		tee "$out/$tag.tap"
	rc=${PIPESTATUS[0]}
	logdir=$(readlink -f "$top/build/vcluster/last")

	while read -r line; do
		case "$line" in
		"ok "*"# SKIP"*) result skip "$tag: ${line#ok }" ;;
		"ok "*) result pass "$tag: ${line#ok }" ;;
		"not ok "*) result fail "$tag: ${line#not ok }" ;;
		esac
	done < <(grep -E '^(not )?ok [0-9]+ ' "$out/$tag.tap")

	# KUnit prints "    ok N case" per case, under its suite, at boot.
	for log in "$logdir"/node*.log; do
		[ -f "$log" ] || continue
		local node
		node=$(basename "$log" .log)
		while read -r line; do
			case "$line" in
			"ok "*) result pass "$tag: kunit $node: ${line#ok }" ;;
			"not ok "*) result fail "$tag: kunit $node: ${line#not ok }" ;;
			esac
		done < <(sed -E 's/^\[ *[0-9.]+\] //' "$log" |
			 grep -E '^    (not )?ok [0-9]+ ' | sed 's/^    //')
	done

	case $rc in
	125) result fail "$tag: kernel logs clean (a node logged a splat, see $logdir)" ;;
	124) result fail "$tag: cluster run finished in time" ;;
	126) result fail "$tag: cluster came up (see $logdir)" ;;
	*) result pass "$tag: kernel logs clean, cluster up and down" ;;
	esac
	grep -q "^1\.\.[0-9]" "$out/$tag.tap" ||
		result fail "$tag: selftest run produced a TAP plan"
}

# Host-side unit tests of the tools (pcnctl against a fake kernel).
host_tests() {
	local line p f
	echo "=== pcnctl unit tests (host)"
	line=$(make -s -C "$top/tools/pcnctl" test 2>&1 | tee "$out/pcnctl-test.log" |
	       grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	if [ -z "$line" ]; then
		result fail "pcnctl unit tests ran (see $out/pcnctl-test.log)"
		return
	fi
	echo "$line"
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -eq 0 ] || failures+=("pcnctl unit tests: $f failed (see $out/pcnctl-test.log)")
}

# The benchmark suite's smoke mode: one round per transport, to completion,
# with its CSV and summary written. Figures are not judged (TCG timing).
bench_smoke() {
	local dir=$out/bench-smoke t ok=1
	echo "=== bench smoke: bench/run --quick --reps 1"
	rm -rf "$dir"
	if ! "$top/bench/run" --quick --reps 1 --short --out "$dir" \
		>"$out/bench-smoke.log" 2>&1; then
		result fail "bench smoke: bench/run --quick failed (see $out/bench-smoke.log)"
		return
	fi
	for t in tcp rdma; do
		grep -q "^$t,read," "$dir/results.csv" 2>/dev/null || ok=0
		grep -q "| remote read fault | $t |" "$dir/summary.md" 2>/dev/null || ok=0
	done
	if [ $ok = 1 ]; then
		result pass "bench smoke: results.csv and summary.md for tcp and rdma"
		echo "ok: bench smoke wrote $dir/results.csv and summary.md"
	else
		result fail "bench smoke: results.csv or summary.md incomplete (see $dir)"
	fi
}

start=$(date +%s)
if [ $concurrency = 1 ]; then
	SUITE_TAG=tcp-rxe-2n-conc run_suite tcp 2 rxe test_distributed.sh
	SUITE_TAG=rdma-rxe-2n-conc run_suite rdma 2 rxe test_distributed.sh
	SUITE_TAG=tcp-rxe-3n-conc run_suite tcp 3 rxe test_distributed.sh
else
	[ $# -eq 0 ] && host_tests
	run_suite tcp 2 rxe "$@"
	run_suite rdma 2 rxe "$@"
	run_suite rdma 2 siw "$@"
	# Threads over three nodes, remote to remote (a hub joins them).
	[ $# -eq 0 ] && SUITE_TAG=tcp-rxe-3n \
		run_suite tcp 3 rxe test_migrate.sh test_distributed.sh
	# The XSAVE/AVX path of a migration: QEMU's "max" CPU has AVX
	# (qemu64, the fast default, has not).
	[ $# -eq 0 ] && VCLUSTER_CPU=max SUITE_TAG=tcp-rxe-2n-avx \
		run_suite tcp 2 rxe test_migrate_avx.sh
	[ $# -eq 0 ] && bench_smoke
fi

echo
echo "=== summary ($(( $(date +%s) - start ))s)"
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
