#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pcnctl against a user-space fake of the kernel side (fake_kernel.c,
# LD_PRELOADed over libmnl's socket calls). Usage: run.sh PATH/TO/pcnctl
# [PATH/TO/pcn-top]: with the second, pcn-top's tests (../../pcn-top/test)
# run too and count in the last line, "N passed, N failed".
# Set VALGRIND=1 to run every case under valgrind as well.
set -u

PCNCTL=$(readlink -f "${1:?usage: run.sh PATH/TO/pcnctl}")
HERE=$(dirname "$(readlink -f "$0")")
FAKE_DIR=$HERE PROG=$PCNCTL
# $TMP, $TMP/fake.so, $VG, pass, fail, ok, bad, and
# t NAME EXPECTED_RC GREP_PATTERN [ENV=VAL...] -- ARGS...
. "$FAKE_DIR/lib.sh"

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
t raw-noarg	2 'expected NID TYPE HEX-PAYLOAD'	-- raw 1 30
t raw-hex	2 'HEX-PAYLOAD: pairs of hex digits'	-- raw 1 30 abc
t raw-type	2 'TYPE: out of range'		-- raw 1 70000 00
t wait		0 ''					FAKE_ONLINE_AFTER=2 -- node wait
t wait-tmo	1 'not online: 2 \(connecting\)'	FAKE_ONLINE_AFTER=99 -- node wait --timeout 0.5
t wait-ids	1 'not online: 7 \(not configured\)'	-- node wait --timeout 0 1 7

# Faults, invalidations, transport errors, migrations. The fake's read
# histogram: 90 faults in [2^19, 2^20) ns, 10 in [2^20, 2^21): p50 is
# 524288 + 524288 * 50/90 ns, p99 1048576 + 1048576 * 9/10 ns (linear
# inside the bucket); write: 40 in [4096, 8192); migrations in [2^21, 2^22).
t stat-read	0 '^read +100 +2 +0 +815\.6 +1992\.3$'	-- stat
t stat-write	0 '^write +40 +0 +1 +6\.1 +8\.2$'	-- stat
t stat-upgrade	0 '^upgrade +0 +0 +0 +- +-$'		-- stat
t stat-mig	0 '^forward +10 +3145\.7 +4173\.3$'	-- stat
t stat-mig-home	0 '^home +9 +3145\.7 +4173\.3$'	-- stat
t stat-inval	0 '^inval_sent +7$'			-- stat
t stat-inval-r	0 '^inval_recv +5$'			-- stat
t stat-terr	0 '^transport_errors +4$'		-- stat
t stat-granted	0 '^pages_granted +640$'		-- stat
t stat-j-keys	0 '"page_served":null,"inval_sent":7,"inval_recv":5,"transport_errors":4,"pages_granted":640,"granted_mapped":null,"ahead_sent":null,"ahead_mapped":null,"ahead_used":null,"ahead_unused":null,"sessions_resumed":null,"sessions_lost":null,"msgs_resent":null,"rx_dups":null,"faults":\{' -- stat --json
t stat-j-read	0 '"read":\{"ok":100,"retry":2,"error":0,"p50_us":815\.559,"p99_us":1992\.294,"hist_ns_log2":\[(0,){19}90,10,(0,){14}0\]\}' -- stat --json
t stat-j-up	0 '"upgrade":\{"ok":0,"retry":0,"error":0,"p50_us":null,"p99_us":null,"hist_ns_log2":\[(0,){35}0\]\}' -- stat --json
t stat-j-mig	0 '"migrations":\{"forward":\{"count":10,"p50_us":3145\.728,"p99_us":4173\.332,"hist_ns_log2":\[(0,){21}10,(0,){13}0\]\},"home":\{"count":9,' -- stat --json
t stat-old-f	0 '^read +- +- +- +- +-$'			FAKE_OLD_STAT=1 -- stat
t stat-old-m	0 '^forward +- +- +-$'			FAKE_OLD_STAT=1 -- stat
t stat-old-fj	0 '"transport_errors":null,"pages_granted":null,"granted_mapped":null,"ahead_sent":null,"ahead_mapped":null,"ahead_used":null,"ahead_unused":null,"sessions_resumed":null,"sessions_lost":null,"msgs_resent":null,"rx_dups":null,"faults":\{"read":null,"write":null,"upgrade":null\},"migrations":\{"forward":null,"home":null\},"types":' FAKE_OLD_STAT=1 -- stat --json
# Load, another node's counters and every node's (fake: node 1 answers,
# node 2 times out, node 7 is unknown).
t stat-load	0 '^nr_running +3$'				-- stat
t stat-load-j	0 '^\{"cpus":2,"nr_running":3,"cpu_busy_ns":[0-9]+,"uptime_ns":[0-9]+,"rx_bad":3,' -- stat --json
t stat-node	0 '^remote_threads +4$'				-- stat --node 1
t stat-node-j	0 '"cpus":2,"nr_running":1,'			-- stat --node 1 --json
t stat-node-to	1 '^pcnctl: stat: Connection timed out$'	-- stat --node 2
t stat-node-no	1 'no such node'				-- stat --node 7
t stat-node-big	2 'no node 4294967295'				-- stat --node 4294967295
t stat-node-x	2 "node id 'x' is not a decimal number"		-- stat --node x
t stat-all-node	2 '--all and --node exclude each other'		-- stat --all --node 1
t stat-all	0 '^NODE +0 \(self\) +1 +2$'			-- stat --all
t stat-all-st	0 '^state +self +online +online$'		-- stat --all
t stat-all-err	0 '^error +- +- +Connection tim$'		-- stat --all
t stat-all-cpu	0 '^cpus +2 +2 +-$'				-- stat --all
t stat-all-busy	0 '^cpu_busy_since_boot +10\.0% +0\.1% +-$'	-- stat --all
t stat-all-j	0 '^\{"nodes":\[\{"nid":0,"self":true,"state":"self","error":null,"stat":\{"cpus":2,' -- stat --all --json
t stat-all-j1	0 '\{"nid":1,"self":false,"state":"online","error":null,"stat":\{"cpus":2,"nr_running":1,' -- stat --all --json
t stat-all-j2	0 '\{"nid":2,"self":false,"state":"online","error":"Connection timed out","stat":null\}\]\}$' -- stat --all --json

# Per-peer transport errors and traffic by type.
t list-terr	0 '^2 +10\.0\.0\.3:10100 +rdma \(not loaded\) +online +x86_64 +1002 +2002 +2 +3$' -- node list
t list-terr-self 0 '^0\* +10\.0\.0\.1:10100 +tcp +self +x86_64 +1000 +2000 +0 +-$' -- node list
t list-j-types	0 '"id":1,.*"transport_errors":0,"types":\{"handshake":\{"msgs_in":1,"msgs_out":1,"bytes_in":64,"bytes_out":64\},"page_request":\{"msgs_in":1000,"msgs_out":1000,"bytes_in":4096000,"bytes_out":4096000\}\}\}' -- node list --json
t list-j-self	0 '"self":true,.*"transport_errors":null,"types":\{\}\}' -- node list --json
t list-j-old	0 '"transport_errors":null,"types":\{\}\}\]$'	FAKE_OLD_STAT=1 -- node list --json

# Distributed processes.
t proc		0 '^123 +0 +123 +migrate +2$'		-- proc
t proc-head	0 '^PID +ORIGIN_NID +ORIGIN_PID +COMM +THREADS$' -- proc
t proc-thead	0 '^ +TID +NODE +LOCAL_TID +CPU_S +FAULTS +CALLS$' -- proc
t proc-thread	0 '^ +124 +1 +124 +- +- +-$'		-- proc
t proc-thread0	0 '^ +123 +0 +123 +1\.500 +0 +0$'		-- proc
t proc-remote	0 '^200 +1 +77 +a b"c +1$'		-- proc
t proc-rthread	0 '^ +78 +0 +201 +- +- +-$'		-- proc
t proc-pid	0 '^200 +1 +77 '			-- proc 200
t proc-j	0 '^\{"processes":\[\{"pid":123,"origin_nid":0,"origin_pid":123,"comm":"migrate","threads":\[\{"tid":123,"nid":0,"local_tid":123,"cpu_ns":1500000000,"faults":0,"calls":0\},\{"tid":124,"nid":1,"local_tid":124,"cpu_ns":null,"faults":null,"calls":null\}\],"faults":\{"read":\{"ok":10,"retry":1,"error":0\},"write":\{"ok":3,"retry":0,"error":0\},"upgrade":\{"ok":1,"retry":0,"error":0\}\},"migrations_out":4,"migrations_in":3,"inval_sent":2,"inval_recv":1\},\{"pid":200,' -- proc --json
t proc-j-old	0 '"comm":"a b\\"c",.*"faults":\{"read":null,"write":null,"upgrade":null\},"migrations_out":null,"migrations_in":null,"inval_sent":null,"inval_recv":null\}\]\}$' -- proc --json
t proc-j-pid	0 '^\{"processes":\[\{"pid":200,.*"local_tid":201,"cpu_ns":null,"faults":null,"calls":null\}\],' -- proc 200 --json
t proc-one	0 '^ +124 +1 +- +2\.250 +40 +7$'		-- proc 123
t proc-one-j	0 '"tid":124,"nid":1,"local_tid":null,"cpu_ns":2250000000,"faults":40,"calls":7\}' -- proc 123 --json
t proc-nopid	1 '^pcnctl: proc: no such process \(No such process\)$' -- proc 124
t proc-old	1 '^pcnctl: proc: the kernel has no PROC_GET .*\(Operation not supported\)$' FAKE_OLD_PROC=1 -- proc
t proc-badpid	2 "PID 'x' is not a decimal number"	-- proc x
t proc-args	2 "unexpected argument '2'"		-- proc 1 2
t proc-help	0 '^  proc \[--json\] \[PID\] '	-- --help
t run-nocmd	2 'expected a command to run'		-- run --spread
t run-list	2 "expected ids and ranges such as 0,2-3, got '1,,2'" -- run --spread --nodes 1,,2 true
t run-range	2 'ids are 0 to 31'			-- run --spread --nodes 0-32 true
t run-twice	2 'node 1 given twice'			-- run --spread --nodes 0-2,1 true
t run-nospread	2 '--nodes needs --spread or --balance'	-- run --nodes 0,1 true
t run-opt	2 "unknown option '--even'"		-- run --even true
t run-both	2 '--spread and --balance exclude each other'	-- run --spread --balance true
t place-mode	2 'expected one of --spread, --balance, --none'	-- place 12
t place-both	2 'expected one of --spread, --balance, --none'	-- place 12 --spread --none
t place-both2	2 'expected one of --spread, --balance, --none'	-- place 12 --balance --spread
t place-list	0 '^123 +balance +all$'			-- place --list
t place-list2	0 '^300 +spread +0,1$'			-- place --list
t place-list-x	2 '--list takes nothing else'		-- place --list 12
t bal-pid	2 'expected PID'			-- balance
t bal-off	2 '--nodes and --off exclude each other'	-- balance 12 --off --nodes 1
t bal-zero	2 'PID: must be positive'		-- balance 0
t place-pid	2 'PID: must be positive'		-- place 0 --none

# The cluster key. Key files are made here (random bytes, the mode set by
# chmod: the check is of the mode bits, so it holds under root too); the
# fake writes the key it got to $TMP/sent (FAKE_KEY_OUT), compared with
# the file: raw bytes, no text parsing.
mkkey() {	# NAME BYTES MODE
	head -c "$2" /dev/urandom >"$TMP/$1" && chmod "$3" "$TMP/$1"
}
sent_is() {	# NAME FILE: $TMP/sent holds the bytes of FILE
	if cmp -s "$2" "$TMP/sent"; then ok; else bad "$1: the fake got another key"; fi
	rm -f "$TMP/sent"
}
mkkey k15 15 600; mkkey k16 16 600; mkkey k64 64 600; mkkey k65 65 600
mkkey k640 32 640; mkkey k604 32 604; mkkey k620 32 620; mkkey k602 32 602
mkkey kin10 10 600
# NUL, newline, CR, blanks, a '#', 0xff: all key, nothing parsed away.
printf '\000\n\r \t#key\377\000 0123456789abcdef\n\n' >"$TMP/kbin"
chmod 600 "$TMP/kbin"
KO=FAKE_KEY_OUT=$TMP/sent
t key-short	1 "^pcnctl: key set: $TMP/k15: 15 bytes; a key is 16 to 64 bytes" "$KO" -- key set "$TMP/k15"
t key-long	1 "^pcnctl: key set: $TMP/k65: more than 64 bytes; a key is 16 to 64 bytes$" "$KO" -- key set "$TMP/k65"
t key-first	1 "k15: 15 bytes"			FAKE_NOFAMILY=1 -- key set "$TMP/k15"
t key-group-r	1 "^pcnctl: key set: $TMP/k640: permissions 0640 are too open: .*\(chmod 600 $TMP/k640\)$" "$KO" -- key set "$TMP/k640"
t key-other-r	1 "k604: permissions 0604 are too open"	"$KO" -- key set "$TMP/k604"
t key-group-w	1 "k620: permissions 0620 are too open"	"$KO" -- key set "$TMP/k620"
t key-other-w	1 "k602: permissions 0602 are too open"	"$KO" -- key set "$TMP/k602"
if [ -e "$TMP/sent" ]; then bad "a refused key file reached the kernel"; rm -f "$TMP/sent"; else ok; fi
t key-16	0 ''					"$KO" -- key set "$TMP/k16"
sent_is key-16-sent "$TMP/k16"
t key-64	0 ''					"$KO" -- key set "$TMP/k64"
sent_is key-64-sent "$TMP/k64"
tin "$TMP/kbin" key-stdin 0 ''				"$KO" -- key set -
sent_is key-stdin-sent "$TMP/kbin"
tin "$TMP/kin10" key-stdin-short 1 '^pcnctl: key set: standard input: 10 bytes; a key is 16 to 64 bytes' -- key set -
tin "$TMP/k65" key-stdin-long 1 '^pcnctl: key set: standard input: more than 64 bytes' -- key set -
t key-noent	1 "^pcnctl: key set: $TMP/nope: No such file or directory$" -- key set "$TMP/nope"
t key-dir	1 "^pcnctl: key set: $TMP: Is a directory$"	-- key set "$TMP"
t key-noarg	2 'key set: expected exactly one argument: FILE' -- key set
t key-2args	2 'key set: expected exactly one argument: FILE' -- key set "$TMP/k16" "$TMP/k16"
t key-nosub	2 'key: missing subcommand'		-- key
t key-sub	2 "key: unknown subcommand 'frob'"	-- key frob
t key-eperm	1 '^pcnctl: key set: Operation not permitted \(needs CAP_NET_ADMIN\)$' FAKE_EPERM=1 -- key set "$TMP/k16"
t key-ext	1 '^pcnctl: key set: key change in progress \(Device or resource busy\)$' FAKE_KEY_ERR=1 -- key set "$TMP/k16"
t key-clear	0 ''					"$KO" -- key clear
if [ "$(cat "$TMP/sent" 2>/dev/null)" = cleared ]; then ok; else bad "key clear did not reach the fake"; fi
rm -f "$TMP/sent"
t key-clr-eperm	1 '^pcnctl: key clear: Operation not permitted \(needs CAP_NET_ADMIN\)$' FAKE_EPERM=1 -- key clear
t key-clr-arg	2 'key clear: takes no argument'	-- key clear "$TMP/k16"
t key-none	0 '^cluster key: none$'			-- key status
t key-set	0 '^cluster key: set$'			FAKE_KEY_SET=1 -- key status
t key-st-err	1 '^pcnctl: key status: dump exploded \(Input/output error\)$' FAKE_DUMP_ERR=1 -- key status
t key-help	0 '^  key set FILE\|- '			-- --help
t list-key	0 '^cluster key: none$'			-- node list
t list-key-set	0 '^cluster key: set$'			FAKE_KEY_SET=1 -- node list
t list-j-key	0 '"self":true,"key_set":true,'		FAKE_KEY_SET=1 -- node list --json
t list-j-nokey	0 '"self":true,"key_set":false,'	-- node list --json
t list-j-peerkey 0 '"id":1,.*"self":false,"key_set":null,' -- node list --json

for cmd in "node list" stat proc "proc 123"; do
	# shellcheck disable=SC2086 # $cmd is a word list
	if LD_PRELOAD="$TMP/fake.so" "$PCNCTL" $cmd --json |
	   python3 -m json.tool >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $cmd --json is not valid JSON"
	fi
done

# The JSON read back: values where they belong.
if LD_PRELOAD="$TMP/fake.so" "$PCNCTL" stat --json >"$TMP/stat.json" &&
   LD_PRELOAD="$TMP/fake.so" "$PCNCTL" proc --json >"$TMP/proc.json" &&
   LD_PRELOAD="$TMP/fake.so" "$PCNCTL" node list --json >"$TMP/node.json" &&
   python3 - "$TMP" <<'EOF' >"$TMP/out" 2>&1
import json, sys
d = sys.argv[1]
st = json.load(open(d + "/stat.json"))
pr = json.load(open(d + "/proc.json"))["processes"]
nd = json.load(open(d + "/node.json"))
f = st["faults"]
assert f["read"]["p50_us"] == 815.559 and f["read"]["p99_us"] == 1992.294
assert len(f["read"]["hist_ns_log2"]) == 36 and sum(f["read"]["hist_ns_log2"]) == 100
assert f["write"]["error"] == 1 and f["upgrade"]["p50_us"] is None
assert st["migrations"]["home"]["count"] == 9
assert st["types"][2]["name"] == 'a"quoted\\name'
assert [p["pid"] for p in pr] == [123, 200]
assert {(t["tid"], t["nid"]) for t in pr[0]["threads"]} == {(123, 0), (124, 1)}
assert pr[1]["comm"] == 'a b"c' and pr[1]["migrations_out"] is None
assert sorted(nd[1]["types"]) == ["handshake", "page_request"]
assert nd[2]["transport_errors"] == 3 and nd[2]["types"] == {}
assert nd[0]["self"] and nd[0]["key_set"] is False
assert nd[1]["key_set"] is None and nd[2]["key_set"] is None
EOF
then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: JSON read back"
	sed 's/^/    /' "$TMP/out"
fi

# Without --probe: no PAGE_PROBE sent (the fake would answer), no probe line.
if LD_PRELOAD="$TMP/fake.so" "$PCNCTL" pagetest 1 >"$TMP/out" 2>&1 &&
   [ "$(wc -l <"$TMP/out")" = 1 ] && ! grep -q probe "$TMP/out"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: pagetest without --probe printed more than one line"
	sed 's/^/    /' "$TMP/out"
fi

# pcn-top (second argument) shares the netlink code and the fake kernel:
# its tests run here too, and count in the summary.
if [ -n "${2:-}" ]; then
	"$HERE/../../pcn-top/test/run.sh" "$2" >"$TMP/top.log" 2>&1
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$TMP/top.log" | tail -1)
	grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$TMP/top.log" | sed 's/^/pcn-top: /'
	if [ -z "$line" ]; then
		fail=$((fail + 1))
		echo "FAIL: pcn-top tests did not run to the end"
	else
		echo "pcn-top: $line"
		pass=$((pass + ${line%% passed*}))
		f=${line#*passed, }
		fail=$((fail + ${f%% failed*}))
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
