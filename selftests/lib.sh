#!/bin/sh
# Helpers for the shell selftests (busybox sh, inside the vcluster).

fail() {
	echo "FAIL: $*"
	exit 1
}

# node_field NID FIELD [CMD...]: FIELD of node NID in `pcnctl node list
# --json`, run locally or through CMD (e.g. "vc-exec 1").
node_field() {
	nid=$1 field=$2
	shift 2
	"$@" pcnctl node list --json | tr '{' '\n' | grep "^\"id\":$nid," |
		sed -n "s/.*\"$field\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p"
}

# stat_field FIELD [CMD...]: a node-wide counter of `pcnctl stat --json`.
stat_field() {
	field=$1
	shift
	"$@" pcnctl stat --json | sed -n "s/.*\"$field\":\\([0-9]*\\).*/\\1/p"
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
