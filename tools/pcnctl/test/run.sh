#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pcnctl against a user-space fake of the kernel side (fake_kernel.c,
# LD_PRELOADed over libmnl's socket calls). Usage: run.sh PATH/TO/pcnctl
# Set VALGRIND=1 to run every case under valgrind as well.
set -u

PCNCTL=$(readlink -f "${1:?usage: run.sh PATH/TO/pcnctl}")
HERE=$(dirname "$(readlink -f "$0")")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# shellcheck disable=SC2046 # pkg-config output is meant to be split
${CC:-cc} -O1 -g -Wall -Wextra -Werror -fPIC -shared \
	-I"$HERE/../../../include/uapi" $(pkg-config --cflags libmnl) \
	-o "$TMP/fake.so" "$HERE/fake_kernel.c" $(pkg-config --libs libmnl) || exit 1

pass=0
fail=0
VG=
[ "${VALGRIND:-0}" = 1 ] && VG="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99"

# t NAME EXPECTED_RC GREP_PATTERN [ENV=VAL...] -- ARGS...
t() {
	name=$1 want=$2 pat=$3
	shift 3
	envs=
	while [ "$1" != -- ]; do envs="$envs $1"; shift; done
	shift
	# shellcheck disable=SC2086 # $envs and $VG are word lists
	env $envs LD_PRELOAD="$TMP/fake.so" $VG "$PCNCTL" "$@" >"$TMP/out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ] && { [ -z "$pat" ] || grep -qE -- "$pat" "$TMP/out"; }; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name (rc $rc, want $want, pattern '$pat')"
		sed 's/^/    /' "$TMP/out"
	fi
}

t help		0 '^Usage: pcnctl'			-- --help
t help2		0 '^Usage: pcnctl'			-- help
t unknown	2 "unknown command 'frob'"		-- frob
t no-args	2 '^Usage'				--
t bad-id	2 "ID 'x1' is not a decimal"		-- node add x1 10.0.0.2
t bad-opt	2 "unknown option '--nope'"		-- node list --nope
t no-family	1 'generic netlink family not found'	FAKE_NOFAMILY=1 -- node list
t list		0 '^0\* +10\.0\.0\.1:10100 +tcp +self'	-- node list
t list-order	0 '^2 +10\.0\.0\.3:10100 +rdma \(not loaded\) +online' -- node list
t list-json	0 '"transport_loaded":false,"self":false' -- node list --json
t dump-err	1 '^pcnctl: node list: dump exploded \(Input/output error\)$' FAKE_DUMP_ERR=1 -- node list
t self-ok	0 ''					-- node self 3
t self-range	1 '^pcnctl: node self: node id out of range \(0\.\.31\) \(Numerical result out of range\)$' -- node self 99
t self-capped	1 'node id out of range'		FAKE_CAP=1 -- node self 99
t add-ok	0 ''					-- node add 1 10.0.0.2 --port 10101
t add-addr	1 'not an IPv4 dotted quad \(Invalid argument\)' -- node add 1 10.0.0.300x
t add-tr	1 'transport rdma is not loaded'	-- node add 1 10.0.0.2 --transport=rdma
t miss-attr	1 '^pcnctl: node del: missing attribute 1 \(Invalid argument\)$' FAKE_MISS=1 -- node del 4
t del-noext	1 '^pcnctl: node del: No such file or directory$' -- node del 4
t stat		0 '^2 +echo_request +20 +22 +2000 +2200' -- stat
t stat-json	0 '"name":"a\\"quoted\\\\name"'	-- stat --json
t echo		0 '^echo to node 1: 10000 sent, 10000 ok, 0 errors, sizes 0\.\.8160, 4 threads; rtt min 0\.41 ms' -- echo 1 --count 10000 --threads 4
t echo-errs	1 'first error: Connection timed out'	FAKE_ECHO_ERRORS=2 -- echo 1 --max-size 64
t stat-mem	0 '^pages_exposed_total +8589934592$'	-- stat
t stat-mem-json	0 '"pages_exposed":12,"pages_exposed_total":8589934592,"remote_regions":14,"remote_bytes":4456448,' -- stat --json
t stat-old	0 '^remote_bytes +-$'			FAKE_OLD_STAT=1 -- stat
t stat-old-json	0 '"pages_exposed":null,"pages_exposed_total":null,"remote_regions":null,"remote_bytes":null,' FAKE_OLD_STAT=1 -- stat --json
t page		0 '^pagetest pull from node 1: 1000 pages, 1000 ok, 0 errors, 4 threads; per page min 0\.41 ms, median 0\.80 ms, p99 2\.10 ms, max 9\.30 ms; 1234 pages/s, 4\.8 MB/s$' -- pagetest 1 --threads 4
t page-push	0 '^pagetest push to node 2: 1 page, 1 ok, 0 errors, 1 thread; per page min 0\.52 ms' -- pagetest 2 --pages 1 --mode=push
t page-errs	1 'first error: Remote I/O error \(121\)'	FAKE_PAGE_ERRORS=3 -- pagetest 1
t page-errs2	1 'FAILED: 997 of 1000 pages moved correctly' FAKE_PAGE_ERRORS=3 -- pagetest 1
t page-probe	0 '^probe: a write with a spent key failed as it must \(Input/output error\)$' -- pagetest 1 --probe
t page-probe-bad 1 '^probe: FAILED: a write with a spent key succeeded$' FAKE_PROBE_WORKS=1 -- pagetest 1 --probe --mode push
t page-probe-none 1 '^probe: FAILED: the kernel reported no probe result$' FAKE_PROBE_NONE=1 -- pagetest 1 --probe
t page-mode	2 "mode 'sideways' is not pull or push"	-- pagetest 1 --mode sideways
t page-noarg	2 'expected exactly one argument: NID'	-- pagetest --probe
t page-range	1 'node id out of range'		-- pagetest 99
t wait		0 ''					FAKE_ONLINE_AFTER=2 -- node wait
t wait-tmo	1 'not online: 2 \(connecting\)'	FAKE_ONLINE_AFTER=99 -- node wait --timeout 0.5
t wait-ids	1 'not online: 7 \(not configured\)'	-- node wait --timeout 0 1 7

for cmd in "node list" stat; do
	# shellcheck disable=SC2086 # $cmd is a word list
	if LD_PRELOAD="$TMP/fake.so" "$PCNCTL" $cmd --json |
	   python3 -m json.tool >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $cmd --json is not valid JSON"
	fi
done

# Without --probe: no PAGE_PROBE sent (the fake would answer), no probe line.
if LD_PRELOAD="$TMP/fake.so" "$PCNCTL" pagetest 1 >"$TMP/out" 2>&1 &&
   [ "$(wc -l <"$TMP/out")" = 1 ] && ! grep -q probe "$TMP/out"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: pagetest without --probe printed more than one line"
	sed 's/^/    /' "$TMP/out"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
