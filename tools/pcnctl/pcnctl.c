// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl: Popcorn administration over the "popcorn" generic netlink family:
 * node membership (node), the cluster key (key), counters and latencies
 * (stat), the distributed processes and where their threads run (proc),
 * and the kernel's message and page transfer self tests (echo, pagetest).
 * The netlink plumbing, the parsing of counters into structs and the JSON
 * writer are the tools library's (tools/lib), shared with pcn-top.
 *
 * Exit status: 0 success, 1 failure (kernel refusal, timeout, test failure),
 * 2 usage error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcnctl.h"

static const char usage_text[] =
"Usage: pcnctl COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  node self ID                   set this node's id (before any peer is added)\n"
"  node add ID ADDR [--port P] [--transport tcp|rdma]\n"
"                                 add a peer (the kernel defaults to tcp, port %u)\n"
"  node del ID                    remove a peer\n"
"  node list [--json]             list the nodes, their state and counters\n"
"  node wait [--timeout SECONDS] [ID...]\n"
"                                 wait until the given peers (default: all\n"
"                                 configured peers) are online; default 60 s\n"
"  key set FILE|-                 set the cluster key every handshake from now\n"
"                                 on must prove: the file's bytes as they are\n"
"                                 (-: standard input), %d to %d of them; a file\n"
"                                 group or others may read or write is refused\n"
"  key clear                      no key: peers are admitted by address alone\n"
"  key status                     cluster key: set, or cluster key: none\n"
"                                 (key set and clear need CAP_NET_ADMIN)\n"
"  stat [--json] [--node NID | --all]\n"
"                                 message layer counters, per message type,\n"
"                                 remote memory (exposed pages, regions),\n"
"                                 page faults by kind (ok, retry, error, p50\n"
"                                 and p99 latency), invalidations, transport\n"
"                                 errors, migrations by direction and CPU\n"
"                                 load; of this node, of node NID (asked\n"
"                                 over the network) or of every node\n"
"  proc [--json] [PID]            distributed processes on this node: origin,\n"
"                                 threads, the node each runs on and, for one\n"
"                                 running here, its CPU time, faults and\n"
"                                 forwarded calls here; PID of a process\n"
"                                 started here: every thread's, from its node\n"
"  echo NID [--count N] [--threads T] [--min-size S] [--max-size S]\n"
"       [--size S]                message layer round-trip self test; payload\n"
"                                 sizes cycle min..max (--size: fixed)\n"
"                                 (defaults: 1000 messages, 1 thread, 0 to\n"
"                                 the kernel's maximum payload)\n"
"  pagetest NID [--pages N] [--threads T] [--mode pull|push] [--probe]\n"
"                                 remote page transfer self test; pull: the\n"
"                                 peer writes into pages we expose, push: it\n"
"                                 reads from them (defaults: 1000 pages,\n"
"                                 1 thread, pull); --probe: afterwards check\n"
"                                 that a write with a spent key fails\n"
"  migrate TID NODE [--wait MS] [--time]\n"
"  migrate --pid PID NODE [--wait MS] [--time]\n"
"                                 move thread TID of a process that started\n"
"                                 on this node (or every thread of PID) to\n"
"                                 NODE, home included; each moves on its next\n"
"                                 return to user space. Prints one line per\n"
"                                 thread: moved, already there, pending (still\n"
"                                 in a call after MS ms, default 2000; it moves\n"
"                                 when the call returns) or refused and why.\n"
"                                 Needs the right to ptrace the threads;\n"
"                                 --time: how long each move took\n"
"  run [--spread | --balance] [--nodes LIST] [--] CMD [ARG...]\n"
"                                 run CMD with this node as its origin; with\n"
"                                 --spread each new thread of it (and of the\n"
"                                 programs it execs and processes it starts)\n"
"                                 starts on the next node of LIST in turn\n"
"                                 (ids and ranges: 0,2-3; default: this node\n"
"                                 and every configured peer), the first stays\n"
"                                 home; with --balance pcn-balance may move\n"
"                                 its threads among LIST's nodes. Exit\n"
"                                 status: CMD's, 127 if it cannot be run\n"
"  place PID --spread|--balance [--nodes LIST] | place PID --none\n"
"                                 the same for a running process (--none:\n"
"                                 threads start where they are created, the\n"
"                                 balancer leaves it). Needs the right to\n"
"                                 ptrace it\n"
"  place --list                   processes with a placement: PID MODE NODES\n"
"  balance PID [--nodes LIST] | balance PID --off\n"
"                                 let pcn-balance manage PID, or stop it\n"
"  raw NID TYPE HEX               send one request of message type TYPE with\n"
"                                 this payload, as a hostile peer would;\n"
"                                 print the status and the reply's payload\n"
"                                 (self-test kernels only)\n"
"  help, --help                   this text\n"
"\n"
"Latency percentiles are read off the kernel's log2 histograms, interpolated\n"
"linearly inside the bucket where the percentile falls (exact to 2x).\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

void pcn_usage(int status)
{
	fprintf(status ? stderr : stdout, usage_text, PCN_DEFAULT_PORT,
		PCN_KEY_MIN, PCN_KEY_MAX);
	exit(status);
}

void pcn_usage_error(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pcnctl: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	pcn_usage(PCN_EXIT_USAGE);
}

/* getopt_long() that reports bad options itself and exits with 2. */
int pcn_getopt(int argc, char **argv, const struct option *opts,
	       const char *what)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, ":", opts, NULL);
	if (c == '?')
		pcn_usage_error(what, "unknown option '%s'", argv[optind - 1]);
	if (c == ':')
		pcn_usage_error(what, "option '%s' needs a value",
				argv[optind - 1]);
	return c;
}

/* A plain decimal number; range checks are the kernel's business. */
uint32_t pcn_arg_u32(const char *what, const char *name, const char *arg)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)arg[0]))
		goto bad;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		goto bad;
	return v;
bad:
	pcn_usage_error(what, "%s '%s' is not a decimal number", name, arg);
}

/*
 * The command line of stat, node list and proc: --json, and at most @args
 * arguments (from argv[optind]). Returns whether --json was given.
 */
int pcn_show_args(int argc, char **argv, const char *what, int args)
{
	static const struct option opts[] = {
		{ "json",	no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int json = 0;

	while (pcn_getopt(argc, argv, opts, what) != -1)
		json = 1;
	if (argc - optind > args)
		pcn_usage_error(what, "unexpected argument '%s'",
				argv[optind + args]);
	return json;
}

/* Closes @nl after a request: PCN_EXIT_OK, or @err reported. */
int pcn_nl_end(struct pcn_nl *nl, const char *what, int err)
{
	pcn_nl_close(nl);
	return err ? pcn_nl_fail(nl, what, err) : PCN_EXIT_OK;
}

/* "KEY":VALUE of a scalar counter, null when the kernel sent none. */
void pcn_json_scalar(struct json *j, const char *key,
		     const struct pcn_scalars *s, int attr)
{
	json_key(j, key);
	if (pcn_has(s, attr))
		json_u64(j, pcn_val(s, attr));
	else
		json_null(j);
}

/* "msgs_in":..,"msgs_out":..,"bytes_in":..,"bytes_out":.. of a type. */
void pcn_json_traffic(struct json *j, const struct pcn_type *t)
{
	json_key_u64(j, "msgs_in", t->msgs_in);
	json_key_u64(j, "msgs_out", t->msgs_out);
	json_key_u64(j, "bytes_in", t->bytes_in);
	json_key_u64(j, "bytes_out", t->bytes_out);
}

static int is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "-h");
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2)
		pcn_usage(PCN_EXIT_USAGE);
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			pcn_usage(PCN_EXIT_OK);

	if (is_help(argv[1]))
		pcn_usage(PCN_EXIT_OK);
	if (!strcmp(argv[1], "node"))
		return cmd_node(argc - 1, argv + 1);
	if (!strcmp(argv[1], "key"))
		return cmd_key(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stat"))
		return cmd_stat(argc - 1, argv + 1);
	if (!strcmp(argv[1], "echo"))
		return cmd_echo(argc - 1, argv + 1);
	if (!strcmp(argv[1], "pagetest"))
		return cmd_pagetest(argc - 1, argv + 1);
	if (!strcmp(argv[1], "raw"))
		return cmd_raw(argc - 1, argv + 1);
	if (!strcmp(argv[1], "proc"))
		return cmd_proc(argc - 1, argv + 1);
	if (!strcmp(argv[1], "migrate"))
		return cmd_migrate(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "place"))
		return cmd_place(argc - 1, argv + 1);
	if (!strcmp(argv[1], "balance"))
		return cmd_balance(argc - 1, argv + 1);

	fprintf(stderr, "pcnctl: unknown command '%s'\n\n", argv[1]);
	pcn_usage(PCN_EXIT_USAGE);
}
