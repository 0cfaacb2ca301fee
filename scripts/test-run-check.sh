#!/bin/bash
# The checks that keep `make check` from silently shrinking, on fake input:
# KUnit results in a serial log (run-check.sh --kunit-logs: an expected
# suite missing, a suite's plan and its case results disagreeing, a log
# that ends mid-suite), TAP plans against results (tap_check of
# selftests/lib.sh, through run_all.sh with fake tests), and counter
# helpers that fail loudly (lib.sh's stat_get, pcn_stat.h) with a fake
# pcnctl. Every check is shown to pass on good input and to fail on bad.
# Host side, no cluster. Last line: "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
# KEEP_TMP=1: keep the fake inputs and outputs (the folder is printed).
trap '[ -n "${KEEP_TMP:-}" ] && echo "inputs and outputs kept in $tmp" || rm -rf "$tmp"' EXIT
# The guest runs busybox sh: so do the guest-side scripts here, if it is
# installed.
if command -v busybox >/dev/null; then
	gsh="busybox sh" gshebang="$(command -v busybox) sh"
else
	gsh=sh gshebang=/bin/sh
fi

pass=0
fail=0
# t NAME WANT-RC PATTERN CMD...: CMD exits WANT-RC and its output has a
# line matching PATTERN (grep -E; empty: anything).
t() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	"$@" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ] && { [ -z "$pat" ] || grep -qE -- "$pat" "$tmp/out"; }; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name (rc $rc, want $want, pattern '$pat')"
		sed 's/^/    /' "$tmp/out"
	fi
}

# ---- KUnit: a serial log as a node prints it ----
# kunit_log [SUITE:CASES...]: KTAP of the given suites, with timestamps
# and CRs; CASES is a comma-separated list, "-name" a failing case.
kunit_log() {
	local s name cases c i n=0
	printf '[    0.000000] Linux version 6.1.0 (fake)\r\n'
	printf '[    1.000000] KTAP version 1\r\n[    1.000000] 1..%d\r\n' $#
	for s in "$@"; do
		n=$((n + 1))
		name=${s%%:*} cases=${s#*:}
		printf '[    1.100000]     KTAP version 1\r\n'
		printf '[    1.100000]     # Subtest: %s\r\n' "$name"
		printf '[    1.100000]     1..%d\r\n' $(( $(tr -cd , <<<"$cases" | wc -c) + 1 ))
		i=0
		for c in ${cases//,/ }; do
			i=$((i + 1))
			case $c in
			-*) printf '[    1.200000]     not ok %d %s\r\n' $i "${c#-}" ;;
			*)  printf '[    1.200000]     ok %d %s\r\n' $i "$c" ;;
			esac
		done
		printf '[    1.300000] # %s: pass:%d fail:0 skip:0 total:%d\r\n' "$name" $i $i
		printf '[    1.300000] ok %d %s\r\n' $n "$name"
	done
	printf '[    2.000000] Run /init as init process\r\n'
}
all="popcorn_kmsg_hdr:a,b,c popcorn_kmsg_imm:a,b popcorn_page_reply:a,b popcorn_stats:a popcorn_ring:a,b popcorn_wire:a,b popcorn_clock:a,b popcorn_session:a,b"
rc() { "$top/scripts/run-check.sh" --kunit-logs "$@"; }

kunit_log $all >"$tmp/node0.log"
t "kunit: every suite, plans right" 0 '^0 failed|^[0-9]+ passed, 0 failed' rc "$tmp/node0.log"
kunit_log ${all/ popcorn_wire:a,b/} >"$tmp/node0.log"
t "kunit: popcorn_wire did not run" 1 'suite popcorn_wire did not run' rc "$tmp/node0.log"
kunit_log $all | sed '/# Subtest: popcorn_ring/,/ok 4 popcorn_ring/s/ 1\.\.2/ 1..3/' >"$tmp/node0.log"
t "kunit: suite plan 1..3, 2 results" 1 'suite popcorn_ring has a plan of 1\.\.3 but 2 case results' rc "$tmp/node0.log"
kunit_log $all | sed '/# Subtest: popcorn_stats/,$s/^\[.*\]     1\.\..*//' >"$tmp/node0.log"
t "kunit: suite without a plan" 1 'suite popcorn_stats printed no plan' rc "$tmp/node0.log"
kunit_log $all | sed '/ok 1 popcorn_kmsg_hdr/,$d' | sed '$d' >"$tmp/node0.log"
t "kunit: log ends in a suite" 1 'suite popcorn_kmsg_hdr did not finish' rc "$tmp/node0.log"
kunit_log ${all/popcorn_stats:a/popcorn_stats:-a} >"$tmp/node0.log"
t "kunit: a failing case" 1 'kunit node0: popcorn_stats: 1 a$' rc "$tmp/node0.log"
t "kunit: no log" 1 'no serial log' rc "$tmp/node7.log"

# ---- TAP: tap_check alone ----
tc() { printf '%b' "$1" | $gsh -c '. "$1"; tap_check' sh "$top/selftests/lib.sh"; }
t "tap: plan 3, 3 results (a skip)" 0 '' tc 'TAP version 13\n1..3\nok 1 a\nnot ok 2 b\nok 3 # SKIP c\n'
t "tap: plan 3, 2 results" 1 '^TAP plan 1\.\.3 but 2 results$' tc '1..3\nok 1 a\nok 2 b\n'
t "tap: plan 1, 2 results" 1 '^TAP plan 1\.\.1 but 2 results$' tc '1..1\nok 1 a\nok 2 b\n'
t "tap: no plan" 1 '^no TAP plan' tc 'ok 1 a\n'
t "tap: nothing" 1 '^no TAP plan' tc ''
t "tap: whole test skipped" 0 '' tc '1..0 # SKIP no AVX\n'
t "tap: indented results do not count" 1 'plan 1\.\.2 but 1 results' \
	tc '1..2\nok 1 a\n# ok 2 b\n    ok 3 c\n'

# ---- run_all.sh with fake tests ----
mkdir "$tmp/st" "$tmp/bin"
cp "$top/selftests/run_all.sh" "$top/selftests/lib.sh" "$tmp/st/"
mk() {
	{ echo "#!$gshebang"; echo '. "$(dirname "$0")/lib.sh"'; echo "$2"; } >"$tmp/st/$1"
	chmod +x "$tmp/st/$1"
}
mk good.sh 'tap_plan; pass "fine"'
mk harness_short.sh 'printf "TAP version 13\n1..3\nok 1 a\nok 2 b\n"'
mk no_plan.sh 'echo "all fine, no TAP"'
mk early_exit.sh 'tap_plan; exit 0'
mk skipped.sh 'skip "not here"'
mk skip_no_plan.sh 'exit 4'
mk failed.sh 'tap_plan; fail "broken"'
mk counter_error.sh 'tap_plan; stat_get v rx_bad; [ "$v" -ge 0 ] && pass'
mk counter_null.sh 'tap_plan; stat_get v rx_bad; [ "$v" -ge 0 ] && pass'
mk counter_ok.sh 'tap_plan; stat_get v rx_bad; [ "$v" -ge 0 ] && pass "rx_bad $v"'
cat >"$tmp/bin/pcnctl" <<'EOF'
#!/bin/sh
case $FAKE in
error) echo "pcnctl: cannot reach the kernel" >&2; exit 1 ;;
null) echo '{"rx_bad":null,"types":[{"id":1,"rx_bad":3}]}' ;;
*) echo '{"rx_bad":5,"handshakes_refused":2}' ;;
esac
EOF
chmod +x "$tmp/bin/pcnctl"
ra() { env PATH="$tmp/bin:$PATH" FAKE="${FAKE:-}" $gsh "$tmp/st/run_all.sh" "$@"; }
ra good.sh harness_short.sh no_plan.sh early_exit.sh skipped.sh skip_no_plan.sh \
	failed.sh counter_ok.sh >"$tmp/run_all.tap" 2>&1
FAKE=error ra counter_error.sh >"$tmp/run_all2.tap" 2>&1
FAKE=null ra counter_null.sh >>"$tmp/run_all2.tap" 2>&1
g() { cat "$tmp/run_all.tap" "$tmp/run_all2.tap" | grep -qE -- "$1"; }
t "run_all: good test" 0 '' g '^ok 1 good\.sh # [0-9]+s$'
t "run_all: harness plan 3, 2 results" 0 '' g '^not ok 2 harness_short\.sh # TAP plan 1\.\.3 but 2 results, exit 0'
t "run_all: no plan" 0 '' g '^not ok 3 no_plan\.sh # no TAP plan'
t "run_all: exit 0 before its result" 0 '' g '^not ok 4 early_exit\.sh # TAP plan 1\.\.1 but 0 results'
t "run_all: skip" 0 '' g '^ok 5 skipped\.sh # SKIP$'
t "run_all: skip without a plan" 0 '' g '^not ok 6 skip_no_plan\.sh # no TAP plan'
t "run_all: fail" 0 '' g '^not ok 7 failed\.sh # exit 1'
t "run_all: counter read" 0 '' g '^ok 8 counter_ok\.sh'
t "run_all: counter error fails loudly" 0 '' g '^# FAIL: pcnctl stat --json failed'
t "run_all: counter error is a failure" 0 '' g '^not ok 1 counter_error\.sh # exit 1'
t "run_all: counter null fails loudly" 0 '' g '^# FAIL: pcnctl stat --json: no counter "rx_bad"'
t "run_all: counter null is a failure" 0 '' g '^not ok 1 counter_null\.sh # exit 1'
# run-check.sh's check of run_all.sh's own TAP: a run cut short.
t "run_all output: plan and results agree" 0 '' tc "$(sed -n '/^TAP/,/^ok 8/p' "$tmp/run_all.tap")\n"
t "run_all output cut short" 1 'plan 1\.\.8 but 5 results' tc "$(sed -n '/^TAP/,/^ok 5 /p' "$tmp/run_all.tap")\n"

# ---- pcn_stat.h: a counter that cannot be read ends the test ----
if command -v cc >/dev/null; then
	cat >"$tmp/stat.c" <<'EOF'
#include "pcn_stat.h"
int main(void)
{
	printf("refusals %lld\n", pcn_refusals());
	return 0;
}
EOF
	if cc -Wall -Werror -I"$top/selftests" -o "$tmp/stat" "$tmp/stat.c" 2>"$tmp/cc.err"; then
		st() { env PATH="$tmp/bin:$PATH" FAKE="$1" "$tmp/stat"; }
		t "pcn_stat.h: counters read" 0 '^refusals 7$' st ok
		t "pcn_stat.h: pcnctl fails" 134 'FAIL: counter "rx_bad" .*command failed' st error
		t "pcn_stat.h: counter null" 134 'FAIL: counter "rx_bad" .*not a number' st null
	else
		fail=$((fail + 1))
		echo "FAIL: pcn_stat.h does not compile:"
		cat "$tmp/cc.err"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
