# bench/lib.sh: the host side every bench wrapper shares (run, param-ab,
# fault-breakdown, fault-sharers, migration-latency, mt-wall-time,
# transport-latency): option parsing, the build of what is measured, the
# vcluster boot of the guest side and the CSV of its raw values. Sourced
# after `set -euo pipefail`; sets $top, the repository.
#
# Options. A wrapper sets, then calls bench_args "$@":
#   BENCH_USAGE  its options, for the usage line
#   BENCH_FLAGS  its options without a value (e.g. "quick short"): each
#                sets the variable of its name to 1
#   BENCH_OPTS   its options with a value (e.g. "transport rdma-dev
#                rounds"): each sets the variable of its name to the value
#   and the defaults, in those variables (a name's "-" is "_" there:
#   --rdma-dev sets rdma_dev).
# Every wrapper also takes -h/--help (its header comment, up to the
# `set -euo pipefail` line), --out DIR (where its results go, default
# build/bench; $out) and --timeout S (seconds before vcluster kills a boot;
# $timeout, the wrapper's default when empty). "--opt=value" works too.
# Checked here: --transport tcp|rdma, --transports "tcp rdma" (one or
# both), --rdma-dev rxe|siw, and --rounds, --reps, --pages, --timeout
# positive integers; the wrapper checks the rest.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The benchmark program's folder (bench/Makefile), shared with the guests
# at /mnt/host.
bench_prog=$top/build/bench-prog
out= timeout=

bench_usage() {
	echo "usage: $0 ${BENCH_USAGE:-}${BENCH_USAGE:+ }[--out DIR] [--timeout S]" >&2
	exit 2
}

bench_help() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
}

# bench_valid NAME VALUE: whether VALUE will do for --NAME.
bench_valid() {
	local t
	case "$1" in
	transport) case "$2" in tcp | rdma) ;; *) return 1 ;; esac ;;
	transports)
		[ -n "$2" ] || return 1
		for t in $2; do case "$t" in tcp | rdma) ;; *) return 1 ;; esac; done ;;
	rdma-dev) case "$2" in rxe | siw) ;; *) return 1 ;; esac ;;
	rounds | reps | pages | timeout) case "$2" in '' | *[!0-9]* | 0*) return 1 ;; esac ;;
	out) [ -n "$2" ] ;;
	esac
}

# bench_args "$@": the command line into the variables; usage on anything
# else.
bench_args() {
	local opt val given
	while [ $# -gt 0 ]; do
		opt=$1 val= given=0
		shift
		case "$opt" in
		-h | --help) bench_help ;;
		--*=*) val=${opt#*=} opt=${opt%%=*} given=1 ;;
		--*) ;;
		*) bench_usage ;;
		esac
		opt=${opt#--}
		case " ${BENCH_FLAGS:-} " in
		*" $opt "*)
			[ $given = 0 ] || bench_usage
			printf -v "${opt//-/_}" 1
			continue ;;
		esac
		case " ${BENCH_OPTS:-} out timeout " in
		*" $opt "*) ;;
		*) bench_usage ;;
		esac
		if [ $given = 0 ]; then
			[ $# -gt 0 ] || bench_usage
			val=$1
			shift
		fi
		bench_valid "$opt" "$val" || bench_usage
		printf -v "${opt//-/_}" '%s' "$val"
	done
}

# bench_outdir [DEFAULT]: $out (default DEFAULT, else build/bench) made and
# made absolute.
bench_outdir() {
	out=${out:-${1:-$top/build/bench}}
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
}

# bench_build TARGET...: make them (top-level Makefile) before anything is
# measured. make, not a test for the file: it is incremental, and an edit
# since the last build is in the figures, never a stale binary.
bench_build() {
	make -s -C "$top" "$@"
}

# bench_vcluster VCLUSTER_OPTION... -- VARS GUEST...: one vcluster run
# with those options and this command line's --rdma-dev and --timeout; on
# node 0, the shell assignments VARS, then lib.guest.sh and each
# bench/GUEST.guest.sh. Output on stdout; vcluster's exit status.
bench_vcluster() {
	local opts=() script g
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	script="$1; $(cat "$top/bench/lib.guest.sh")"
	shift
	for g; do
		script+=$'\n'$(cat "$top/bench/$g.guest.sh")
	done
	"$top/tools/vcluster/vcluster" run "${opts[@]}" --rdma-dev "$rdma_dev" \
		--timeout "$timeout" -- sh -c "$script"
}

# bench_csv NAME HEADER SED: $out/NAME.csv from the lines of $out/NAME.txt
# that `sed -n SED` prints, under the line HEADER.
bench_csv() {
	{
		echo "$2"
		tr -d '\r' <"$out/$1.txt" | sed -n "$3"
	} >"$out/$1.csv"
	echo "raw values: $out/$1.csv"
}
