// SPDX-License-Identifier: GPL-2.0
/*
 * pcn-top: a live view of this node's Popcorn counters, from the "popcorn"
 * generic netlink family (what this node sees, and each peer's own load
 * and counters for the cluster view): nodes and their traffic,
 * page faults by kind with latency percentiles, invalidations, migrations,
 * the distributed processes and where their threads run, and the traffic
 * by message type. Curses, or plain text snapshots with -b.
 *
 * Exit status: 0 success, 1 failure (no popcorn family, a request failed in
 * batch mode, no terminal), 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top.h"

static const char usage_text[] =
"Usage: pcn-top [-b] [-n COUNT] [-d SECONDS]\n"
"\n"
"Live view of this node's Popcorn counters: the cluster (each node's own\n"
"CPU busy %, runnable threads, threads it hosts, faults/s and messages/s,\n"
"asked over the network), nodes (state, messages/s and\n"
"MB/s each way, bad messages, transport errors), page faults by kind\n"
"(total, per second, p50 and p99 latency, retries, errors), invalidations\n"
"and migrations per second, distributed processes and the node each of\n"
"their threads runs on, and messages/s and bytes/s by message type.\n"
"\n"
"  -b, --batch          plain text snapshots on stdout, no terminal needed\n"
"  -n, --iterations N   stop after N snapshots (default: until q or killed)\n"
"  -d, --delay SECONDS  time between snapshots, 0.1 to 3600 (default 1)\n"
"  -h, --help           this text\n"
"\n"
"Keys: q quit, Tab or 1-4 view (cluster, nodes and faults; processes;\n"
"types; all), s sort by the next column, r reverse the order, arrows, j/k,\n"
"PgUp/PgDn, Home/End scroll a view longer than the screen, h or ? help.\n"
"\n"
"Rates are counter differences over the measured interval. A fault's\n"
"TOTAL counts those served and those failed since boot. Latency\n"
"percentiles are read off the kernel's log2 histograms, interpolated\n"
"linearly inside the bucket, over the last interval when it had faults,\n"
"else since boot; microseconds.\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

static void usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	exit(status);
}

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "pcn-top: ");
	fprintf(stderr, fmt, arg);
	fputs("\n\n", stderr);
	usage(TOP_EXIT_USAGE);
}

static double arg_seconds(const char *arg)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(arg, &end);
	if (errno || end == arg || *end || !(d >= 0.1 && d <= 3600))
		usage_error("delay '%s' is not 0.1 to 3600 seconds", arg);
	return d;
}

static int arg_count(const char *arg)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno || end == arg || *end || n < 1 || n > 1000000000)
		usage_error("count '%s' is not a number from 1 up", arg);
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch",	no_argument,		NULL, 'b' },
		{ "iterations",	required_argument,	NULL, 'n' },
		{ "delay",	required_argument,	NULL, 'd' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct top_ctx ctx;
	int batch = 0, count = 0;
	int c, ret;

	pcn_nl_prog = "pcn-top";
	ctx.interval = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":bn:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			batch = 1;
			break;
		case 'n':
			count = arg_count(optarg);
			break;
		case 'd':
			ctx.interval = arg_seconds(optarg);
			break;
		case 'h':
			usage(TOP_EXIT_OK);
			break;
		case ':':
			usage_error("option '%s' needs a value",
				    argv[optind - 1]);
			break;
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		usage_error("unexpected argument '%s'", argv[optind]);

	if (pcn_nl_open(&ctx.nl, "netlink") < 0)
		return TOP_EXIT_FAIL;
	ctx.open = 1;
	ret = batch ? top_batch(&ctx, count) : top_tui(&ctx, count);
	if (ctx.open)
		pcn_nl_close(&ctx.nl);
	return ret;
}
