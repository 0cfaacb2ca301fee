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
#
#   scripts/run-check.sh --kunit-logs NODE-LOG...
#
# --kunit-logs: only check the KUnit results in serial logs already there
# (e.g. build/vcluster/last/node*.log); no cluster is booted.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
vc=$top/tools/vcluster/vcluster
out=$top/build/check

# The KUnit suites every node must run at boot, one a line. A suite that
# did not run on a node, or whose plan (1..N) and case results disagree,
# is a failure.
kunit_suites="
popcorn_clock
popcorn_kmsg_hdr
popcorn_kmsg_imm
popcorn_page_reply
popcorn_stats
popcorn_ring
popcorn_session
popcorn_wire
"

# tap_check: the TAP plan check run_all.sh makes of every selftest.
. "$top/selftests/lib.sh"

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

# kunit_results NODE < SERIAL-LOG: one line per result, "pass|fail|skip
# DESCRIPTION", tab-separated: each KUnit case that ran ("    ok N case"
# under "    # Subtest: SUITE"), a failure for each suite whose plan
# ("    1..N") and case results disagree or that did not finish, and for
# each suite of $kunit_suites that did not run; else one pass for the
# suites.
kunit_results() {
	sed -E 's/\r$//; s/^\[ *[0-9.]+\] //' |
	awk -v node="$1" -v expected="$(printf '%s ' $kunit_suites)" '
	function emit(kind, what) { printf "%s\tkunit %s: %s\n", kind, node, what }
	function close_suite(why) {
		if (cur == "")
			return
		if (why == "" && plan < 0)
			why = "printed no plan (1..N)"
		else if (why == "" && plan != nres)
			why = "has a plan of 1.." plan " but " nres " case results"
		else if (why == "" && !suite_ok && nfail == 0)
			why = "reported not ok, with no failed case"
		if (why != "") {
			emit("fail", "suite " cur " " why)
			bad++
		}
		cur = ""
	}
	/^    # Subtest: / {
		close_suite("did not finish (a new suite began)")
		cur = substr($0, 16); sub(/[ \t]+$/, "", cur)
		ran[cur] = 1
		plan = -1; nres = 0; nfail = 0
		next
	}
	cur != "" && plan < 0 && /^    1\.\.[0-9]+/ {
		plan = substr($0, 8) + 0
		next
	}
	cur != "" && /^    (not )?ok [0-9]+ / {
		line = substr($0, 5)
		nres++
		if (line ~ /^not ok/) {
			nfail++
			emit("fail", cur ": " substr(line, 8))
		} else if (line ~ /# SKIP/) {
			emit("skip", cur ": " substr(line, 4))
		} else {
			emit("pass", cur ": " substr(line, 4))
		}
		next
	}
	cur != "" && /^(not )?ok [0-9]+ / {
		name = $0; sub(/^(not )?ok [0-9]+ /, "", name); sub(/ .*/, "", name)
		if (name != cur) {
			close_suite("did not finish (ended as " name ")")
			next
		}
		suite_ok = ($0 !~ /^not ok/)
		close_suite("")
		next
	}
	END {
		close_suite("did not finish (the log ends)")
		n = split(expected, want, " ")
		missing = 0
		for (i = 1; i <= n; i++) {
			if (want[i] == "" || (want[i] in ran))
				continue
			emit("fail", "suite " want[i] " did not run")
			missing++
		}
		if (!missing && !bad)
			emit("pass", "every expected KUnit suite ran, each as its plan says")
	}'
}

# kunit_check NODE LOG TAG: the KUnit results of one node's serial log.
kunit_check() {
	local kind what
	if [ ! -f "$2" ]; then
		result fail "$3: kunit $1: no serial log $2"
		return
	fi
	while IFS=$'\t' read -r kind what; do
		result "$kind" "$3: $what"
	done < <(kunit_results "$1" < "$2")
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

	# KUnit ran at boot on every node: its results are in the serial logs.
	local i why
	for ((i = 0; i < nodes; i++)); do
		kunit_check "node$i" "$logdir/node$i.log" "$tag"
	done

	case $rc in
	125) result fail "$tag: kernel logs clean (a node logged a splat, see $logdir)" ;;
	124) result fail "$tag: cluster run finished in time" ;;
	126) result fail "$tag: cluster came up (see $logdir)" ;;
	*) result pass "$tag: kernel logs clean, cluster up and down" ;;
	esac
	# run_all.sh's own TAP: one result per test, as its plan says.
	why=$(tr -d '\r' < "$out/$tag.tap" | tap_check) ||
		result fail "$tag: selftest run: $why"
}

# host_suite NAME LOG CMD...: a host-side test program whose last line is
# "N passed, N failed"; its counts count.
host_suite() {
	local name=$1 log=$2 line p f
	shift 2
	echo "=== $name (host)"
	line=$("$@" 2>&1 | tee "$log" |
	       grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	if [ -z "$line" ]; then
		result fail "$name ran (see $log)"
		return
	fi
	echo "$line"
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -eq 0 ] || failures+=("$name: $f failed (see $log)")
}

# Host-side unit tests: the tools (pcnctl against a fake kernel), this
# script's own checks on fake KUnit logs and TAP (test-run-check.sh), and
# the core built as a production node has it, without the self tests
# (check-production-build.sh).
host_tests() {
	host_suite "pcnctl unit tests" "$out/pcnctl-test.log" \
		make -s -C "$top/tools/pcnctl" test
	host_suite "pcn-balance policy tests" "$out/pcn-balance-test.log" \
		make -s -C "$top/tools/pcn-balance" test
	host_suite "run-check's checks" "$out/run-check-test.log" \
		"$top/scripts/test-run-check.sh"
	host_suite "production build" "$out/production-build.log" \
		"$top/scripts/check-production-build.sh"
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
if [ "${1:-}" = --kunit-logs ]; then
	shift
	for log in "$@"; do
		kunit_check "$(basename "$log" .log)" "$log" "$(basename "$(dirname "$(readlink -f "$log")")")"
	done
	for f in "${failures[@]}"; do
		echo "FAILED: $f"
	done
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
fi
mkdir -p "$out"
if [ $concurrency = 1 ]; then
	SUITE_TAG=tcp-rxe-2n-conc run_suite tcp 2 rxe test_distributed.sh
	SUITE_TAG=rdma-rxe-2n-conc run_suite rdma 2 rxe test_distributed.sh
	SUITE_TAG=tcp-rxe-3n-conc run_suite tcp 3 rxe test_distributed.sh
else
	[ $# -eq 0 ] && host_tests
	run_suite tcp 2 rxe "$@"
	run_suite rdma 2 rxe "$@"
	run_suite rdma 2 siw "$@"
	# Threads over three nodes, remote to remote (a hub joins them); the
	# deputy, shared memory, threads moved from outside, every node's
	# counters with node 2, and real programs spread over the three.
	[ $# -eq 0 ] && SUITE_TAG=tcp-rxe-3n \
		run_suite tcp 3 rxe test_migrate.sh test_deputy.sh \
		test_shared_mem.sh test_move.sh test_run.sh test_distributed.sh \
		test_cluster_stat.sh test_spread_programs.sh
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
