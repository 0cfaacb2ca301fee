#!/bin/sh
# Invalid configuration is refused with a clear error and changes nothing.
. "$(dirname "$0")/lib.sh"
tap_plan

before=$(pcnctl node list --json) || fail "node list"

expect_refused "duplicate id" "already configured" \
	pcnctl node add 1 10.99.0.50
expect_refused "id out of range" "out of range" \
	pcnctl node add 32 10.99.0.50
expect_refused "huge id" "out of range" \
	pcnctl node add 4294967295 10.99.0.50
expect_refused "negative id" "unknown option|node id" \
	pcnctl node add -1 10.99.0.50
expect_refused "unparsable address" "not an IPv4 address" \
	pcnctl node add 7 10.99.0
expect_refused "address with garbage" "not an IPv4 address" \
	pcnctl node add 7 10.99.0.5x
expect_refused "host name" "not an IPv4 address" \
	pcnctl node add 7 node7.example
expect_refused "multicast address" "unicast" \
	pcnctl node add 7 224.0.0.1
expect_refused "own id as a peer" "own id" \
	pcnctl node add 0 10.99.0.50
expect_refused "address of another node" "already used" \
	pcnctl node add 7 10.99.0.2
expect_refused "unknown transport" "unknown transport" \
	pcnctl node add 7 10.99.0.50 --transport carrier-pigeon
expect_refused "port 0" "port" \
	pcnctl node add 7 10.99.0.50 --port 0
expect_refused "delete unknown node" "no such node" \
	pcnctl node del 9
expect_refused "change own id while peers exist" "remove every peer" \
	pcnctl node self 3
expect_refused "echo to unknown node" "no such peer" \
	pcnctl echo 9 --count 1

after=$(pcnctl node list --json) || fail "node list"
# Counters may move (the cluster is live); compare the configuration only.
strip() { echo "$1" | sed 's/"msgs_[a-z]*":[0-9]*//g; s/"bytes_[a-z]*":[0-9]*//g'; }
[ "$(strip "$before")" = "$(strip "$after")" ] ||
	fail "configuration changed: before $before after $after"
pass "every bad configuration refused, node list unchanged"
