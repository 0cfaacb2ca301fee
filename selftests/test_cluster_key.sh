#!/bin/sh
# The cluster key (kernel/popcorn/auth.c): with a key set, a peer joins only
# if it proves the same key; a peer without a key, or with another one, is
# refused, counted (hs_refused) and logged; an unprivileged user can
# neither set nor clear the key; with the key cleared on both nodes they
# join again. Node 1 dials node 0 (the higher id dials), so a fresh
# handshake is forced by deleting and re-adding node 1 at node 0.
. "$(dirname "$0")/lib.sh"
tap_plan
transport=${PCN_TRANSPORT:-tcp}
peer=10.99.0.2

# Two keys, the same files on both nodes (32 and 40 bytes, mode 600).
make_keys='umask 077; printf %s popcorn-selftest-key-one-0123456 >/tmp/k1;
	printf %s popcorn-selftest-key-two-0123456789abcdef >/tmp/k2;
	head -c 15 /tmp/k1 >/tmp/kshort; cp /tmp/k1 /tmp/knobody;
	chown 65534 /tmp/knobody'
sh -c "$make_keys" || fail "key files"
vc-exec 1 "$make_keys" || fail "key files at node 1"

# Whatever happens, leave both nodes without a key and node 1 configured:
# the tests after this one need the link.
cleanup() {
	pcnctl key clear
	vc-exec 1 pcnctl key clear
	pcnctl node list --json | grep -q '"id":1,' ||
		pcnctl node add 1 $peer --transport "$transport"
}
trap cleanup EXIT

relink() {
	pcnctl node del 1 || fail "node del 1"
	pcnctl node add 1 $peer --transport "$transport" || fail "node add 1"
}

refusals() {
	stat_get r0 handshakes_refused
	stat_get r1 handshakes_refused vc-exec 1
	echo $((r0 + r1))
}

# not_joining WHAT: the nodes count a refused handshake (node 1 redials
# every <= 2 s; on siw a dropped link takes longer to notice: up to 60 s),
# and node 1 is not online then.
not_joining() {
	before=$(refusals)
	i=0
	while [ "$(refusals)" -le "$before" ]; do
		i=$((i + 1))
		[ $i -le 60 ] || fail "$1: no handshake refused in 60 s"
		sleep 1
	done
	st=$(node_field 1 state)
	[ "$st" = online ] && fail "$1: node 1 joined ($st)"
	echo "# $1: node 1 $st, $(( $(refusals) - before )) handshakes refused"
}

joins() {
	pcnctl node wait --timeout 30 || fail "$1: node 1 did not join"
	pcnctl echo 1 --count 20 >/dev/null || fail "$1: no traffic"
	echo "# $1: joined"
}

expect "no key yet" "^cluster key: none" 0 pcnctl key status

# Only node 0 has a key: node 1 is refused.
pcnctl key set /tmp/k1 || fail "key set"
expect "key set" "^cluster key: set" 0 pcnctl key status
relink
not_joining "key at node 0 only"
dmesg | grep -q "refused: the peer has no cluster key" ||
	fail "node 0 did not log the keyless peer"

# The same key at node 1: it joins by itself (it keeps redialling).
vc-exec 1 pcnctl key set /tmp/k1 || fail "key set at node 1"
joins "the same key"

# Another key at node 1: refused, and the side that checked says why.
vc-exec 1 pcnctl key set /tmp/k2 || fail "second key at node 1"
relink
not_joining "another key"
{ dmesg; vc-exec 1 dmesg; } | grep -q "refused: wrong cluster key" ||
	fail "no node logged the wrong key"
vc-exec 1 pcnctl key set /tmp/k1 || fail "key set at node 1 again"
joins "the key again"

# Wrong input and the wrong user.
expect_refused "short key" "16 to 64 bytes" pcnctl key set /tmp/kshort
chmod 644 /tmp/k2
expect_refused "key file others may read" "chmod 600" pcnctl key set /tmp/k2
expect_refused "unprivileged key set" "not permitted" \
	move_target --as-nobody pcnctl key set /tmp/knobody
expect_refused "unprivileged key clear" "not permitted" \
	move_target --as-nobody pcnctl key clear
expect "key still set" "^cluster key: set" 0 pcnctl key status

# Cleared on both: admitted by address again.
pcnctl key clear || fail "key clear"
vc-exec 1 pcnctl key clear || fail "key clear at node 1"
relink
joins "no key on either node"
pass "cluster key: same key joins; none, another key refused and counted; root only"
