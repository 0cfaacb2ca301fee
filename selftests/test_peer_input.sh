#!/bin/sh
# Wrong input from a peer in the deputy's and the page server's messages
# signal.c; kernel/popcorn/PROTOCOL.md 30 SYSCALL, 32 SIGNAL). Node 1 plays
# a hostile peer to node 0 with `pcnctl raw` (a self-test kernel command
# that sends any request with any payload), and node 0 to node 1:
#  - a SYSCALL naming a call that must never run at the origin for a peer
#    (exit, rt_sigreturn, clone, a number the kernel does not know), or
#    with an inline buffer that does not fit the call (a call that takes
#    none, a length that is not the count or the bytes sent, over 4096,
#    both ways at once, the wrong way for the call): answered EPROTO and
#    counted as bad;
#  - a SYSCALL read whose pages for the bytes (bulk, over 4 KiB) are not
#    the windows its count needs (4096 bytes or less, a window too small,
#    too big, not whole pages, one too many, a first one not of 16 pages,
#    over 256 KiB): EPROTO and bad;
#  - a SYSCALL for a twin that does not exist: ESRCH, not bad;
#  - a SIGNAL with no signal, SIGKILL, no handler, a handler or flags that
#    are not a user's: EPROTO and bad; for a process that does not run
#    there: ESRCH, not bad;
#  - a SIGACTION with a non-zero reserved field, a handler or flags that
#    are not a user's: EPROTO and bad; for a process that does not run
#    there: ESRCH, not bad;
#  - a MOVE to a node id out of range or to the receiver itself: EPROTO
#    and bad; for a process that does not run there: ESRCH, not bad;
#  - a THREADS_REQUEST with a non-zero reserved field: EPROTO and bad;
#    about one of the receiver's own processes (only a process's origin
#    may ask about its threads) or one that does not run there: ESRCH,
#    not bad;
#  - a PAGE_FETCH whose window is more than 16 pages, not whole pages,
#    more than one page for a write, reaches past user space, or runs
#    down (PCN_PAGE_F_DOWN) below address 0 or for a write, and a
#    PAGE_RECALL with a window: EPROTO and bad; a well-formed window for a
#    process that does not run there: ESRCH, not bad;
#  - a PAGE_INVALIDATE of no page, of more than 16, not at a page or
#    reaching past user space: EPROTO and bad; a well-formed one for a
#    process that does not run there: ESRCH, not bad;
#  - a forward MIGRATE whose origin clocks are negative, past half of
#    ktime's range, or with boot time behind monotonic time: EPROTO and
#    bad; right clocks without the receiver's FPU image: EOPNOTSUPP, not
#    bad.
# The link stays usable throughout.
. "$(dirname "$0")/lib.sh"
tap_plan
[ "${PCN_NODES:-2}" -ge 2 ] || skip "needs 2 nodes"

le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) \
	$(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
le64() { le32 $(($1 & 4294967295)); le32 $(($1 >> 32 & 4294967295)); }
zeros() { _i=0; while [ $_i -lt "$1" ]; do printf 00; _i=$((_i + 1)); done; }

EPROTO=$(le64 -71)
ESRCH=$(le64 -3)

# syscall_msg TGID TID NR RESERVED: a SYSCALL payload (64 bytes).
syscall_msg() { le32 "$1"; le32 "$2"; le32 "$3"; le32 "$4"; zeros 48; }

le16() { printf '%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)); }

# syscall_io TGID NR IN_LEN OUT_MAX COUNT BYTES: a SYSCALL payload for
# call NR on fd 1 with COUNT in args[2], the inline fields as given, and
# BYTES bytes of buffer after the 64-byte message.
syscall_io() {
	le32 "$1"; le32 "$1"; le32 "$2"; le16 "$3"; le16 "$4"
	le64 1; le64 0; le64 "$5"; zeros 24; zeros "$6"
}

# signal_msg SIGNO HANDLER FLAGS: a SIGNAL payload (88 bytes) for a
# process (999999) and thread that do not exist.
signal_msg() {
	le32 999999; le32 999999; le32 999999; le32 "$1"; le32 0; le32 0
	zeros 32; le64 "$2"; le64 "$3"; le64 0; le64 0
}

# sigaction_msg RESERVED HANDLER FLAGS: a SIGACTION payload (200 bytes)
# for a process (999999) that does not exist, with HANDLER and FLAGS as
# SIGSEGV's action (the fifth) and default actions for the rest.
sigaction_msg() {
	le32 999999; le32 "$1"; zeros 128
	le64 "$2"; le64 "$3"; le64 0; le64 0; zeros 32
}

# try WHAT FROM TO TYPE PAYLOAD WANT BAD: node FROM sends the request to
# node TO; the reply must be WANT (hex), and node TO's rx_bad must grow by
# BAD (0 or 1).
try() {
	run=""
	[ "$2" = 0 ] || run="vc-exec $2"
	to_run=""
	[ "$3" = 0 ] || to_run="vc-exec $3"
	stat_get before rx_bad $to_run
	got=$($run pcnctl raw "$3" "$4" "$5") || fail "$1: pcnctl raw failed: $got"
	stat_get after rx_bad $to_run
	[ "$got" = "status 0 reply $6" ] ||
		fail "$1: answer '$got', expected 'status 0 reply $6'"
	[ $((after - before)) = "$7" ] ||
		fail "$1: rx_bad of node $3 went from $before to $after, expected +$7"
	echo "$1: refused as expected"
}

SYSCALL=30 SIGNAL=32 SIGACTION=34 MOVE=36

# move_msg NID: a MOVE payload (16 bytes) for a process (999999) and
# threads that do not exist, to node NID.
move_msg() { le32 999999; le32 999999; le32 999999; le32 "$1"; }
try "SYSCALL exit" 1 0 $SYSCALL "$(syscall_msg 1 1 60 0)" "$EPROTO" 1
try "SYSCALL rt_sigreturn" 1 0 $SYSCALL "$(syscall_msg 1 1 15 0)" "$EPROTO" 1
try "SYSCALL clone" 1 0 $SYSCALL "$(syscall_msg 1 1 56 0)" "$EPROTO" 1
try "SYSCALL unknown number" 1 0 $SYSCALL "$(syscall_msg 1 1 9999 0)" "$EPROTO" 1
try "SYSCALL in_len 1, no bytes" 1 0 $SYSCALL "$(syscall_msg 1 1 39 1)" "$EPROTO" 1
try "SYSCALL getppid with a buffer" 1 0 $SYSCALL "$(syscall_io 1 110 4 0 4 4)" "$EPROTO" 1
try "SYSCALL write, in_len != count" 1 0 $SYSCALL "$(syscall_io 1 1 4 0 8 4)" "$EPROTO" 1
try "SYSCALL write, bytes != in_len" 1 0 $SYSCALL "$(syscall_io 1 1 8 0 8 4)" "$EPROTO" 1
try "SYSCALL read over the limit" 1 0 $SYSCALL "$(syscall_io 1 0 0 8192 8192 0)" "$EPROTO" 1
try "SYSCALL read and write at once" 1 0 $SYSCALL "$(syscall_io 1 0 4 4 4 4)" "$EPROTO" 1
try "SYSCALL read with write bytes" 1 0 $SYSCALL "$(syscall_io 1 0 4 0 0 4)" "$EPROTO" 1
try "SYSCALL inline write, no such twin" 1 0 $SYSCALL "$(syscall_io 999999 1 4 0 4 4)" "$ESRCH" 0
# bulk_read TGID COUNT LEN...: a SYSCALL read of COUNT bytes with a window
# of LEN bytes for each LEN given (struct pcn_page_desc, key 0).
bulk_read() {
	_t=$1 _c=$2
	shift 2
	le32 "$_t"; le32 "$_t"; le32 0; le16 $(($# * 16)); le16 0
	le64 1; le64 0; le64 "$_c"; zeros 24
	for _l in "$@"; do le64 0; le32 0; le32 "$_l"; done
}
try "SYSCALL bulk read of 4096 bytes" 1 0 $SYSCALL "$(bulk_read 1 4096 4096)" "$EPROTO" 1
try "SYSCALL bulk read, window too small" 1 0 $SYSCALL "$(bulk_read 1 8192 4096)" "$EPROTO" 1
try "SYSCALL bulk read, window too big" 1 0 $SYSCALL "$(bulk_read 1 8192 12288)" "$EPROTO" 1
try "SYSCALL bulk read, window not whole pages" 1 0 $SYSCALL "$(bulk_read 1 6000 6000)" "$EPROTO" 1
try "SYSCALL bulk read, a window too many" 1 0 $SYSCALL "$(bulk_read 1 8192 8192 4096)" "$EPROTO" 1
try "SYSCALL bulk read, first window not whole" 1 0 $SYSCALL "$(bulk_read 1 100000 32768 69632)" "$EPROTO" 1
try "SYSCALL bulk read over 256 KiB" 1 0 $SYSCALL "$(bulk_read 1 266240 65536 65536 65536 65536 4096)" "$EPROTO" 1
try "SYSCALL bulk read, no such twin" 1 0 $SYSCALL "$(bulk_read 999999 100000 65536 36864)" "$ESRCH" 0
try "SYSCALL no such twin" 1 0 $SYSCALL "$(syscall_msg 999999 999999 39 0)" "$ESRCH" 0
try "SIGNAL no signal" 0 1 $SIGNAL "$(signal_msg 0 4198400 0)" "$EPROTO" 1
try "SIGNAL number 65" 0 1 $SIGNAL "$(signal_msg 65 4198400 0)" "$EPROTO" 1
try "SIGNAL SIGKILL with a handler" 0 1 $SIGNAL "$(signal_msg 9 4198400 0)" "$EPROTO" 1
try "SIGNAL no handler" 0 1 $SIGNAL "$(signal_msg 10 0 0)" "$EPROTO" 1
try "SIGNAL kernel handler" 0 1 $SIGNAL "$(signal_msg 10 -131072 0)" "$EPROTO" 1
try "SIGNAL unknown flag" 0 1 $SIGNAL "$(signal_msg 10 4198400 256)" "$EPROTO" 1
try "SIGNAL no such process" 0 1 $SIGNAL "$(signal_msg 10 4198400 0)" "$ESRCH" 0
try "SIGSTOP no such process" 0 1 $SIGNAL "$(signal_msg 19 0 0)" "$ESRCH" 0
try "SIGACTION reserved set" 0 1 $SIGACTION "$(sigaction_msg 1 4198400 0)" "$EPROTO" 1
try "SIGACTION kernel handler" 0 1 $SIGACTION "$(sigaction_msg 0 -131072 0)" "$EPROTO" 1
try "SIGACTION unknown flag" 0 1 $SIGACTION "$(sigaction_msg 0 4198400 256)" "$EPROTO" 1
try "SIGACTION no such process" 0 1 $SIGACTION "$(sigaction_msg 0 4198400 0)" "$ESRCH" 0
try "MOVE to node 32" 0 1 $MOVE "$(move_msg 32)" "$EPROTO" 1
try "MOVE to node -1" 0 1 $MOVE "$(move_msg -1)" "$EPROTO" 1
try "MOVE to the receiver" 0 1 $MOVE "$(move_msg 1)" "$EPROTO" 1
try "MOVE no such process" 0 1 $MOVE "$(move_msg 0)" "$ESRCH" 0

# THREADS_REQUEST (40): only a process's origin asks; the reply is
# struct pcn_threads_reply (status, count, truncated, reserved).
THREADS=40
try "THREADS reserved set" 1 0 $THREADS "$(le32 1; le32 7)" "$(le32 -71; zeros 4)" 1
try "THREADS not the sender's process" 1 0 $THREADS "$(le32 1; le32 0)" "$(le32 -3; zeros 4)" 0
try "THREADS no such process" 0 1 $THREADS "$(le32 999999; le32 0)" "$(le32 -3; zeros 4)" 0

# fetch_msg TGID FLAGS ADDR LEN: a PAGE_FETCH or PAGE_RECALL payload (32
# bytes) asking for ADDR with a window of LEN bytes (key 0: nothing is
# exposed; no valid request gets as far as writing into it here).
fetch_msg() { le32 "$1"; le32 "$2"; le64 "$3"; le64 0; le32 0; le32 "$4"; }
# struct pcn_page_fetch_reply (status, flags, zero_map, ahead_map).
FETCH=21 RECALL=23 PAGE=4096
USER_END=$(( (1 << 47) - PAGE ))
try "PAGE_FETCH window of 17 pages" 1 0 $FETCH "$(fetch_msg 999999 0 65536 $((17 * PAGE)))" "$(le32 -71; zeros 20)" 1
try "PAGE_FETCH window not in pages" 1 0 $FETCH "$(fetch_msg 999999 0 65536 6000)" "$(le32 -71; zeros 20)" 1
try "PAGE_FETCH write with a window" 1 0 $FETCH "$(fetch_msg 999999 1 65536 $((2 * PAGE)))" "$(le32 -71; zeros 20)" 1
try "PAGE_FETCH window past user space" 1 0 $FETCH "$(fetch_msg 999999 0 $((USER_END - PAGE)) $((2 * PAGE)))" "$(le32 -71; zeros 20)" 1
try "PAGE_FETCH window, no such process" 1 0 $FETCH "$(fetch_msg 999999 0 65536 $((16 * PAGE)))" "$(le32 -3; zeros 20)" 0
DOWN=64
try "PAGE_FETCH down window below address 0" 1 0 $FETCH "$(fetch_msg 999999 $DOWN $PAGE $((3 * PAGE)))" "$(le32 -71; zeros 20)" 1
try "PAGE_FETCH down window for a write" 1 0 $FETCH "$(fetch_msg 999999 $((DOWN + 1)) 65536 $PAGE)" "$(le32 -71; zeros 20)" 1
try "PAGE_FETCH down window, no such process" 1 0 $FETCH "$(fetch_msg 999999 $DOWN 65536 $((16 * PAGE)))" "$(le32 -3; zeros 20)" 0
try "PAGE_RECALL with a window" 0 1 $RECALL "$(fetch_msg 999999 0 65536 $((2 * PAGE)))" "$(le32 -71; zeros 20)" 1
# inval_msg TGID PAGES ADDR: a PAGE_INVALIDATE payload (16 bytes);
# struct pcn_page_inval_reply (status, reserved, dropped).
inval_msg() { le32 "$1"; le32 "$2"; le64 "$3"; }
INVAL=42
try "PAGE_INVALIDATE of no page" 0 1 $INVAL "$(inval_msg 999999 0 65536)" "$(le32 -71; zeros 12)" 1
try "PAGE_INVALIDATE of 17 pages" 0 1 $INVAL "$(inval_msg 999999 17 65536)" "$(le32 -71; zeros 12)" 1
try "PAGE_INVALIDATE not at a page" 0 1 $INVAL "$(inval_msg 999999 2 65537)" "$(le32 -71; zeros 12)" 1
try "PAGE_INVALIDATE past user space" 0 1 $INVAL "$(inval_msg 999999 2 $((USER_END - PAGE)))" "$(le32 -71; zeros 12)" 1
try "PAGE_INVALIDATE, no such process" 0 1 $INVAL "$(inval_msg 999999 16 65536)" "$(le32 -3; zeros 12)" 0

# migrate_msg MONO BOOT: a forward MIGRATE payload (440 bytes, no FPU
# image) from node 1 for a process that does not exist, with the origin's
# clocks MONO and BOOT. struct pcn_migrate_reply (status, tid).
migrate_msg() {
	le32 1; le32 999999; le32 999999; le32 0; le32 0; le32 0; le64 0
	le64 "$1"; le64 "$2"; zeros 392
}
MIGRATE=10 SEC=1000000000
try "MIGRATE negative clock" 1 0 $MIGRATE "$(migrate_msg -1 0)" "$(le32 -71; zeros 4)" 1
try "MIGRATE clock past ktime's half" 1 0 $MIGRATE "$(migrate_msg $((1 << 62)) $((1 << 62)))" "$(le32 -71; zeros 4)" 1
try "MIGRATE boot time behind monotonic" 1 0 $MIGRATE "$(migrate_msg $((2 * SEC)) $SEC)" "$(le32 -71; zeros 4)" 1
try "MIGRATE clocks right, no FPU image" 1 0 $MIGRATE "$(migrate_msg $SEC $((2 * SEC)))" "$(le32 -95; zeros 4)" 0

pcnctl echo 1 --count 100 >/dev/null || fail "no traffic to node 1 afterwards"
vc-exec 1 pcnctl echo 0 --count 100 >/dev/null || fail "no traffic from node 1 afterwards"
pass
