// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl run [--nodes LIST] [--spread | --balance] [--] CMD [ARG...]: run
 * CMD with this node as its origin. With --spread, each thread it creates
 * starts on the next node of LIST in turn (default: this node and every
 * configured peer), before it runs any code of its own; the first thread
 * stays home. With --balance, its threads start where they are created
 * and pcn-balance may move them among LIST's nodes. The placement holds
 * for the programs CMD execs and the processes it creates (PCN_CMD_PLACE
 * on pcnctl's own process, then exec). With neither, CMD's threads start
 * where they are created, whatever placement pcnctl itself was started
 * with.
 *
 * LIST: node ids and ranges, comma separated ("0,2-3").
 * Exit status: CMD's; 127 when CMD cannot be run, 1 when the placement
 * is refused, 2 on a usage error.
 *
 * pcnctl place PID (--spread | --balance [--nodes LIST] | --none): the
 * same for a running process (its threads created from now on, or all of
 * them for the balancer); pcnctl balance PID [--nodes LIST] | --off is
 * the balancer's part of it. Needs the right to ptrace the process.
 * pcnctl place --list: the processes with a placement (PLACE_GET).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcnctl.h"

#define RUN_EXIT_NOEXEC	127

/* Parse LIST into @ids (at most PCN_MAX_NODES, no repeats); the count. */
static int run_parse_nodes(const char *what, const char *list, uint8_t *ids)
{
	char seen[PCN_MAX_NODES] = { 0 };
	const char *p = list;
	unsigned long lo, hi;
	int n = 0;
	char *end;

	for (;;) {
		if (*p < '0' || *p > '9')
			goto bad;
		lo = strtoul(p, &end, 10);
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				goto bad;
			hi = strtoul(p, &end, 10);
		}
		if (lo > hi || hi >= PCN_MAX_NODES)
			pcn_usage_error(what, "--nodes: ids are 0 to %d, ranges low-high",
					PCN_MAX_NODES - 1);
		for (; lo <= hi; lo++) {
			if (seen[lo]++)
				pcn_usage_error(what, "--nodes: node %lu given twice",
						lo);
			ids[n++] = lo;
		}
		if (!*end)
			return n;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
bad:
	pcn_usage_error(what, "--nodes: expected ids and ranges such as 0,2-3, got '%s'",
			list);
}

/* Ask the kernel to place the new threads of process @pid (0: this one). */
static int run_place(const char *what, uint32_t pid, int mode,
		     const uint8_t *ids, int n)
{
	char buf[PCN_NL_REQSIZE];
	struct pcn_nl nl = { 0 };
	struct nlmsghdr *nlh;
	int err;

	if (pcn_nl_open(&nl, what) < 0)
		return -1;
	nlh = pcn_nl_req(&nl, buf, PCN_CMD_PLACE, NLM_F_ACK);
	if (pid)
		mnl_attr_put_u32(nlh, PCN_A_PLACE_PID, pid);
	mnl_attr_put_u8(nlh, PCN_A_PLACE_MODE, mode);
	if (n)
		mnl_attr_put(nlh, PCN_A_PLACE_NODES, n, ids);
	err = pcn_nl_talk(&nl, nlh, NULL, NULL);
	pcn_nl_close(&nl);
	if (err) {
		pcn_nl_fail(&nl, what, err);
		return -1;
	}
	return 0;
}

/* One mode only: @mode is the one given so far, @want the next one. */
static int run_mode(const char *what, int mode, int want)
{
	if (mode != PCN_PLACE_NONE && mode != want)
		pcn_usage_error(what, "--spread and --balance exclude each other");
	return want;
}

int cmd_run(int argc, char **argv)
{
	static const char what[] = "run";
	static const struct option opts[] = {
		{ "nodes",	required_argument, NULL, 'n' },
		{ "spread",	no_argument,	   NULL, 's' },
		{ "balance",	no_argument,	   NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	uint8_t ids[PCN_MAX_NODES];
	int mode = PCN_PLACE_NONE, n = 0, c;

	opterr = 0;
	/* "+": options end at CMD, whose own options are left alone. */
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		if (c == 'n')
			n = run_parse_nodes(what, optarg, ids);
		else if (c == 's' || c == 'b')
			mode = run_mode(what, mode, c == 's' ? PCN_PLACE_SPREAD :
					PCN_PLACE_BALANCE);
		else if (c == ':')
			pcn_usage_error(what, "option '%s' needs a value",
					argv[optind - 1]);
		else
			pcn_usage_error(what, "unknown option '%s'",
					argv[optind - 1]);
	}
	if (optind >= argc)
		pcn_usage_error(what, "expected a command to run");
	if (n && mode == PCN_PLACE_NONE)
		pcn_usage_error(what, "--nodes needs --spread or --balance");
	if (run_place(what, 0, mode, ids, n) < 0)
		return PCN_EXIT_FAIL;
	execvp(argv[optind], argv + optind);
	fprintf(stderr, "pcnctl: run: %s: %s\n", argv[optind], strerror(errno));
	return RUN_EXIT_NOEXEC;
}

static const char *mode_name(int mode)
{
	switch (mode) {
	case PCN_PLACE_SPREAD:
		return "spread";
	case PCN_PLACE_BALANCE:
		return "balance";
	default:
		return "none";
	}
}

/* pcnctl place --list: "PID MODE NODES" ("all": every node). */
static int place_list(const char *what)
{
	struct pcn_places places = { 0 };
	struct pcn_nl nl = { 0 };
	unsigned int i, k;
	int err;

	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	err = pcn_nl_end(&nl, what, pcn_places_get(&nl, &places));
	if (err) {
		pcn_places_free(&places);
		return err;
	}
	printf("%-8s %-8s %s\n", "PID", "MODE", "NODES");
	for (i = 0; i < places.n; i++) {
		const struct pcn_place *p = &places.v[i];

		printf("%-8u %-8s ", p->pid, mode_name(p->mode));
		if (!p->nnodes)
			printf("all");
		for (k = 0; k < p->nnodes; k++)
			printf("%s%u", k ? "," : "", p->nodes[k]);
		printf("\n");
	}
	pcn_places_free(&places);
	return PCN_EXIT_OK;
}

int cmd_place(int argc, char **argv)
{
	static const char what[] = "place";
	static const struct option opts[] = {
		{ "nodes",	required_argument, NULL, 'n' },
		{ "spread",	no_argument,	   NULL, 's' },
		{ "balance",	no_argument,	   NULL, 'b' },
		{ "none",	no_argument,	   NULL, 'x' },
		{ "list",	no_argument,	   NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	uint8_t ids[PCN_MAX_NODES];
	int mode = -1, list = 0, n = 0, c;
	uint32_t pid;

	while ((c = pcn_getopt(argc, argv, opts, what)) != -1) {
		if (c == 'n') {
			n = run_parse_nodes(what, optarg, ids);
		} else if (c == 'l') {
			list = 1;
		} else {
			int want = c == 's' ? PCN_PLACE_SPREAD :
				   c == 'b' ? PCN_PLACE_BALANCE :
				   PCN_PLACE_NONE;

			if (mode >= 0 && mode != want)
				pcn_usage_error(what, "expected one of --spread, --balance, --none");
			mode = want;
		}
	}
	if (list) {
		if (argc > optind || mode >= 0 || n)
			pcn_usage_error(what, "--list takes nothing else");
		return place_list(what);
	}
	if (argc - optind != 1)
		pcn_usage_error(what, "expected PID");
	pid = pcn_arg_u32(what, "PID", argv[optind]);
	if (!pid)
		pcn_usage_error(what, "PID: must be positive");
	if (mode < 0)
		pcn_usage_error(what, "expected one of --spread, --balance, --none");
	if (n && mode == PCN_PLACE_NONE)
		pcn_usage_error(what, "--nodes needs --spread or --balance");
	return run_place(what, pid, mode, ids, n) < 0 ? PCN_EXIT_FAIL :
							PCN_EXIT_OK;
}

/* pcnctl balance PID [--nodes LIST] | --off: place PID --balance | --none */
int cmd_balance(int argc, char **argv)
{
	static const char what[] = "balance";
	static const struct option opts[] = {
		{ "nodes",	required_argument, NULL, 'n' },
		{ "off",	no_argument,	   NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	uint8_t ids[PCN_MAX_NODES];
	int off = 0, n = 0, c;
	uint32_t pid;

	while ((c = pcn_getopt(argc, argv, opts, what)) != -1) {
		if (c == 'n')
			n = run_parse_nodes(what, optarg, ids);
		else
			off = 1;
	}
	if (argc - optind != 1)
		pcn_usage_error(what, "expected PID");
	pid = pcn_arg_u32(what, "PID", argv[optind]);
	if (!pid)
		pcn_usage_error(what, "PID: must be positive");
	if (off && n)
		pcn_usage_error(what, "--nodes and --off exclude each other");
	return run_place(what, pid, off ? PCN_PLACE_NONE : PCN_PLACE_BALANCE,
			 ids, n) < 0 ? PCN_EXIT_FAIL : PCN_EXIT_OK;
}
