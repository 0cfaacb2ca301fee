#!/bin/sh
# Helpers for the shell selftests (busybox sh, inside the vcluster), and
# the TAP check of run_all.sh and scripts/run-check.sh (tap_check).
#
# Every test prints TAP. A test that runs a kselftest-harness program
# prints that program's TAP; a shell test prints its own, one result:
# tap_plan first, then pass, fail or skip.

# tap_plan: "1..1" (and the TAP header); fail and skip then print the
# test's result line too. A test that ends otherwise (exit 0 without
# pass, say) is one result short: run_all.sh counts it as failed.
tap_plan() {
	tap_planned=1
	echo "TAP version 13"
	echo "1..1"
}

# pass [MESSAGE]: the test's one result, ok.
pass() {
	[ $# -eq 0 ] || echo "$*"
	echo "ok 1 ${0##*/}"
}

fail() {
	echo "FAIL: $*"
	[ -z "${tap_planned:-}" ] || echo "not ok 1 ${0##*/}"
	exit 1
}

# skip REASON: the whole test is skipped (exit 4): "ok 1 ... # SKIP" after
# tap_plan, else the empty plan "1..0 # SKIP".
skip() {
	if [ -n "${tap_planned:-}" ]; then
		echo "ok 1 ${0##*/} # SKIP $*"
	else
		echo "1..0 # SKIP $*"
	fi
	exit 4
}

# tap_check < TAP: prints why and returns 1 when there is no plan (a line
# 1..N), or when the plans (added up when there are several) and the
# results ("ok N", "not ok N"; skips are results) disagree. Only lines at
# column 0 count: run_all.sh prints each test's output as "# " lines.
tap_check() {
	_plans=0 _planned=0 _results=0
	while IFS= read -r _l; do
		case $_l in
		1..[0-9]*)
			_n=${_l#1..}
			_n=${_n%%[!0-9]*}
			_plans=$((_plans + 1))
			_planned=$((_planned + _n)) ;;
		"ok "[0-9]*|"not ok "[0-9]*)
			_results=$((_results + 1)) ;;
		esac
	done
	if [ $_plans -eq 0 ]; then
		echo "no TAP plan (1..N), $_results results"
		return 1
	fi
	if [ $_planned -ne $_results ]; then
		echo "TAP plan 1..$_planned but $_results results"
		return 1
	fi
	return 0
}

# node_field NID FIELD [CMD...]: FIELD of node NID in `pcnctl node list
# --json`, run locally or through CMD (e.g. "vc-exec 1").
node_field() {
	nid=$1 field=$2
	shift 2
	"$@" pcnctl node list --json | tr '{' '\n' | grep "^\"id\":$nid," |
		sed -n "s/.*\"$field\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p"
}

# stat_get VAR FIELD [CMD...]: VAR := the node-wide counter FIELD of
# `pcnctl stat --json`, run locally or through CMD (e.g. "vc-exec 1").
# When pcnctl fails or does not report FIELD as a number, the test fails
# here: no value comes back that a comparison could take for a counter.
stat_get() {
	_var=$1 _field=$2
	shift 2
	_json=$("$@" pcnctl stat --json) ||
		fail "${*:+$* }pcnctl stat --json failed"
	# The first "FIELD": (the top-level counters come first).
	_val=$(printf '%s\n' "$_json" | tr ',{' '\n\n' | grep "^\"$_field\":" |
	       head -n 1 | sed 's/^[^:]*://; s/[]}]*$//')
	case $_val in
	""|*[!0-9]*)
		fail "${*:+$* }pcnctl stat --json: no counter \"$_field\" in: $_json" ;;
	esac
	eval "$_var=\$_val"
}

# expect_refused DESCRIPTION MESSAGE-REGEX CMD...: CMD must fail and say why.
expect_refused() {
	what=$1 pattern=$2
	shift 2
	if out=$("$@" 2>&1); then
		fail "$what: accepted: $*"
	fi
	echo "$out" | grep -Eq "$pattern" ||
		fail "$what: unclear error for '$*': $out"
	echo "refused as expected: $what: $out"
}

# expect WHAT PATTERN STATUS CMD...: CMD's output matches PATTERN (grep -E)
# and its exit status is STATUS.
expect() {
	what=$1 pattern=$2 want=$3
	shift 3
	got=$("$@" 2>&1)
	st=$?
	echo "$got" | sed 's/^/# /'
	echo "$got" | grep -qE "$pattern" ||
		fail "$what: output '$got', expected /$pattern/"
	[ $st = "$want" ] || fail "$what: exit status $st, expected $want"
}

# target_start [CMD...]: run move_target (selftests/move_target.c), or
# CMD that runs it, in the background with its input on fd 3; sets
# target (the background job), pid, spin and waiter (its threads' ids).
target_start() {
	target_dir=$(mktemp -d)
	mkfifo "$target_dir/in"
	[ $# -gt 0 ] || set -- move_target
	"$@" < "$target_dir/in" > "$target_dir/out" 2>&1 &
	target=$!
	exec 3> "$target_dir/in"
	_i=0
	while ! grep -q '^pid ' "$target_dir/out" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || fail "move_target did not start: $(cat "$target_dir/out")"
		sleep 0.1
	done
	set -- $(cat "$target_dir/out")
	pid=$2 spin=$4 waiter=$6
	echo "# pid $pid, spinner $spin, waiter $waiter"
}

# target_where TID: the node thread TID of the target runs on, from
# pcnctl proc (empty while the process has never left home).
target_where() {
	pcnctl proc "$pid" 2>/dev/null | awk -v t="$1" '$1 == t && NF == 6 { print $2 }'
}

# target_finish: tell the target to end; it must report correct results
# and exit 0.
target_finish() {
	echo go >&3
	exec 3>&-
	wait "$target"
	st=$?
	sed 's/^/# /' "$target_dir/out"
	[ $st = 0 ] || fail "move_target exited with $st"
	grep -q '^ok ' "$target_dir/out" || fail "move_target: no ok line"
	rm -rf "$target_dir"
}
