#!/bin/bash
# The core and the transports as a production node builds them: without
# CONFIG_POPCORN_SELFTEST (no self tests, no test message handlers, no
# knobs) and without KUnit. The vcluster kernel has them all on, so this is
# the only place the other side of each #ifdef is compiled. Checks:
#  - kernel/popcorn, drivers/pcn_rdma and drivers/pcn_tcp_fallback compile
#    (warnings are errors, as in the vcluster build);
#  - none of the self tests' objects is built;
#  - the core refers to no pcn_* symbol it does not define (the link of
#    vmlinux would fail);
#  - every pcn_* symbol a transport module uses is exported by the core.
# Compiles those folders only, in build/obj-production, from the patched
# tree of the last `make kernel` (about half a minute). Prints TAP-like
# lines and "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/build/linux
obj=$top/build/obj-production
passed=0 failed=0

check() {	# check DESCRIPTION CMD...
	local what=$1
	shift
	if "$@"; then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "not ok - $what"
		failed=$((failed + 1))
	fi
}

if [ ! -f "$top/build/obj-vcluster/.config" ] || [ ! -d "$src" ]; then
	echo "not ok - no kernel tree: run make kernel first"
	echo "0 passed, 1 failed"
	exit 1
fi
mkdir -p "$obj"
cp "$top/build/obj-vcluster/.config" "$obj/.config"
"$src/scripts/config" --file "$obj/.config" -d POPCORN_SELFTEST \
	-d POPCORN_KUNIT_TEST -d PCN_RDMA_KUNIT_TEST
kmake() {
	make -s -C "$src" O="$obj" KCFLAGS=-Werror "$@"
}
build() {
	kmake olddefconfig && kmake -j2 prepare &&
		kmake -j2 kernel/popcorn/ drivers/pcn_rdma/ \
			drivers/pcn_tcp_fallback/
}
config_off() {
	grep -q '^# CONFIG_POPCORN_SELFTEST is not set' "$obj/.config" &&
		! grep -q '^CONFIG_POPCORN_KUNIT_TEST=y' "$obj/.config"
}
check "production config: CONFIG_POPCORN_SELFTEST and KUnit off" config_off
check "core and transports compile without the self tests" build

no_test_objects() {
	local f
	for f in selftest echo page_test page_rw selftest_netlink debugfs \
		 kmsg_hdr_kunit wire_kunit; do
		[ ! -e "$obj/kernel/popcorn/$f.o" ] ||
			{ echo "# $f.o was built"; return 1; }
	done
}
check "no self test or KUnit object built" no_test_objects

# pcn_* symbols in nm output of @1: "U" (used) or the ones defined.
used() { nm "$1" 2>/dev/null | awk '$1 == "U" && $2 ~ /^pcn_/ { print $2 }' | sort -u; }
defined() {
	nm "$1" 2>/dev/null |
	awk 'NF == 3 && $2 ~ /^[TDBR]$/ && $3 ~ /^pcn_/ { print $3 }' | sort -u
}
exported() {
	nm "$1" 2>/dev/null |
	awk '$NF ~ /^__ksymtab_pcn_/ { sub(/^__ksymtab_/, "", $NF); print $NF }' |
	sort -u
}
core=$obj/kernel/popcorn/built-in.a
core_self_contained() {
	local missing
	missing=$(comm -23 <(used "$core") <(defined "$core"))
	[ -z "$missing" ] || { echo "# undefined:" $missing; return 1; }
}
check "the core defines every pcn_* symbol it uses" core_self_contained

modules_linked() {
	local m missing bad=0
	for m in "$obj/drivers/pcn_rdma/pcn_rdma.o" \
		 "$obj/drivers/pcn_tcp_fallback/pcn_tcp.o"; do
		missing=$(comm -23 <(used "$m") <(exported "$core"))
		[ -z "$missing" ] ||
			{ echo "# ${m##*/} needs unexported:" $missing; bad=1; }
	done
	return $bad
}
check "the transports use only what the core exports" modules_linked

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
