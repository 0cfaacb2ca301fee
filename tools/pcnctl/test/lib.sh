# SPDX-License-Identifier: GPL-2.0
#
# The harness of the host tests of pcnctl (run.sh here) and pcn-top
# (../../pcn-top/test/run.sh), sourced by both. The caller sets FAKE_DIR,
# this folder (a sourced sh script cannot know its own path), and PROG, the
# program under test. Gives:
#   $TMP          a scratch folder, removed on exit
#   $TMP/fake.so  the user-space fake of the kernel side, to LD_PRELOAD
#                 over libmnl's socket calls (fake_kernel.c)
#   $VG           the valgrind command line when VALGRIND=1, else empty
#   pass, fail    the counts; ok, bad WHAT count one (bad prints $TMP/out)
#   t NAME EXPECTED_RC GREP_PATTERN [ENV=VAL...] -- ARGS...
#                 one case: PROG ARGS with stdout and stderr in $TMP/out
#                 (a file: pcn-top runs in batch mode), stdin /dev/null,
#                 TERM unset, the fake preloaded; passes when the exit
#                 status is EXPECTED_RC and the output has a line matching
#                 GREP_PATTERN (grep -E; empty: any output)
#   tin FILE NAME EXPECTED_RC GREP_PATTERN [ENV=VAL...] -- ARGS...
#                 the same with stdin from FILE
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# shellcheck disable=SC2046 # pkg-config output is meant to be split
${CC:-cc} -O1 -g -Wall -Wextra -Werror -fPIC -shared \
	-I"$FAKE_DIR/../../../include/uapi" $(pkg-config --cflags libmnl) \
	-o "$TMP/fake.so" "$FAKE_DIR/fake_kernel.c" \
	$(pkg-config --libs libmnl) || exit 1

VG=
[ "${VALGRIND:-0}" = 1 ] && VG="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99"

pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $1"
	[ -f "$TMP/out" ] && sed 's/^/    /' "$TMP/out" | head -60
}

t() {
	name=$1 want=$2 pat=$3
	shift 3
	envs=
	while [ "$1" != -- ]; do envs="$envs $1"; shift; done
	shift
	# shellcheck disable=SC2086 # $envs and $VG are word lists
	env -u TERM $envs LD_PRELOAD="$TMP/fake.so" $VG "$PROG" "$@" \
		>"$TMP/out" 2>&1 <"${t_stdin:-/dev/null}"
	rc=$?
	if [ "$rc" = "$want" ] && { [ -z "$pat" ] || grep -qE -- "$pat" "$TMP/out"; }; then
		ok
	else
		bad "$name (rc $rc, want $want, pattern '$pat')"
	fi
}

tin() {
	t_stdin=$1
	shift
	t "$@"
	t_stdin=
}
