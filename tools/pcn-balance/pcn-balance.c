// SPDX-License-Identifier: GPL-2.0
/*
 * pcn-balance: the load balancer of Popcorn (see balance.h, policy.c).
 * Every interval it samples the cluster, decides, and moves threads with
 * PCN_CMD_MIGRATE, as `pcnctl migrate` would; each decision is logged on
 * stdout with its reason and outcome, and counted. It only ever touches
 * processes started on this node with `pcnctl run --balance` or marked
 * with `pcnctl balance PID` (PLACE_GET, mode balance). Run it on every
 * node that starts such programs, as root (moving another user's thread
 * needs the right to ptrace it); systemd: pcn-balance.service.
 *
 * Exit status: 0 (stopped by SIGTERM/SIGINT, or --once/--rounds done),
 * 1 failure (no popcorn family, a sample failed with --once), 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "balance.h"

#define DEFAULT_CONFIG	"/etc/popcorn/balance.conf"
#define MOVE_WAIT_MS	2000

static const char usage_text[] =
"Usage: pcn-balance [--config FILE] [--interval SECONDS] [--once | --rounds N]\n"
"                   [--dry-run] [--verbose]\n"
"\n"
"Moves the threads of processes started on this node with\n"
"`pcnctl run --balance` (or marked with `pcnctl balance PID`) among the\n"
"nodes, to even out CPU load, and brings home a thread that mostly waits\n"
"on pages or calls at the origin. Each decision is logged with its reason.\n"
"\n"
"  -c, --config FILE      knobs (default " DEFAULT_CONFIG " if present)\n"
"  -i, --interval SECONDS time between rounds (overrides the config)\n"
"      --once             one round (two samples an interval apart), exit\n"
"  -n, --rounds N         stop after N rounds\n"
"      --dry-run          decide and log, move nothing\n"
"  -v, --verbose          log every node's load and managed thread, each round\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	exit(status);
}

static void usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "pcn-balance: %s '%s'\n\n", msg, arg ? arg : "");
	usage(BAL_EXIT_USAGE);
}

struct counts {
	unsigned long rounds, decisions, moved, pending, refused;
};

struct move_res {
	int got;
	uint32_t status;
};

static int move_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };
	struct move_res *r = data;
	const struct nlattr *nest;

	mnl_attr_for_each(nest, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(nest) != PCN_A_MOVE)
			continue;
		memset(tb, 0, sizeof(tb));
		if (pcn_attr_parse_nested(nest, tb) < 0 ||
		    !tb[PCN_A_MOVE_STATUS])
			return MNL_CB_ERROR;
		r->status = mnl_attr_get_u32(tb[PCN_A_MOVE_STATUS]);
		r->got = 1;
	}
	return MNL_CB_OK;
}

/* Move @m's thread; what became of it, as a word for the log. */
static const char *move_thread(struct pcn_nl *nl, const struct bal_move *m,
			       struct counts *k)
{
	static char why[96];
	char buf[PCN_NL_REQSIZE];
	struct move_res r = { 0 };
	struct nlmsghdr *nlh;
	int err;

	nlh = pcn_nl_req(nl, buf, PCN_CMD_MIGRATE, NLM_F_ACK);
	mnl_attr_put_u32(nlh, PCN_A_NID, m->to);
	mnl_attr_put_u32(nlh, PCN_A_MOVE_TID, m->tid);
	mnl_attr_put_u32(nlh, PCN_A_MOVE_WAIT_MS, MOVE_WAIT_MS);
	err = pcn_nl_talk(nl, nlh, move_cb, &r);
	if (!err && !r.got)
		err = -ENODATA;
	if (err) {
		k->refused++;
		snprintf(why, sizeof(why), "refused: %s", strerror(-err));
		return why;
	}
	if (!r.status || r.status == EALREADY) {
		k->moved++;
		return "moved";
	}
	if (r.status == EINPROGRESS) {
		k->pending++;
		return "pending (in a call; it moves when the call returns)";
	}
	k->refused++;
	snprintf(why, sizeof(why), "refused: %s", strerror(r.status));
	return why;
}

static const char *comm_of(const struct bal_sample *s, uint32_t pid)
{
	unsigned int i;

	for (i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return s->procs[i].comm;
	return "?";
}

static void log_view(const struct bal_sample *s)
{
	unsigned int i, j;
	uint32_t nid;

	for (nid = 0; nid < PCN_MAX_NODES; nid++)
		if (s->node[nid].online)
			printf("pcn-balance: node %u: %u runnable on %u CPU(s)\n",
			       nid, s->node[nid].running, s->node[nid].cpus);
	for (i = 0; i < s->nprocs; i++)
		for (j = 0; j < s->procs[i].nthreads; j++)
			printf("pcn-balance: pid %u (%s) thread %u on node %u, cpu %.3f s\n",
			       s->procs[i].pid, s->procs[i].comm,
			       s->procs[i].threads[j].tid,
			       s->procs[i].threads[j].nid,
			       s->procs[i].threads[j].cpu_ns / 1e9);
}

static void sleep_for(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "interval",	required_argument, NULL, 'i' },
		{ "once",	no_argument,	   NULL, 'o' },
		{ "rounds",	required_argument, NULL, 'n' },
		{ "dry-run",	no_argument,	   NULL, 'd' },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct bal_sample a = { .self = -1 }, b = { .self = -1 };
	struct bal_sample *prev = &a, *cur = &b, *tmp;
	struct bal_move moves[64];
	struct bal_state st = { 0 };
	struct counts k = { 0 };
	struct bal_config cfg;
	struct pcn_nl nl = { 0 };
	const char *config = NULL;
	double interval = 0;
	long rounds = 0;
	int dry = 0, verbose = 0, c, err, ret = BAL_EXIT_OK;
	unsigned int i, n;
	char *end;

	pcn_nl_prog = "pcn-balance";
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:i:n:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || end == optarg || interval < 0.1 ||
			    interval > 3600)
				usage_error("--interval: 0.1 to 3600 seconds, not",
					    optarg);
			break;
		case 'o':
			rounds = 1;
			break;
		case 'n':
			rounds = strtol(optarg, &end, 10);
			if (*end || end == optarg || rounds < 1)
				usage_error("--rounds: a positive number, not",
					    optarg);
			break;
		case 'd':
			dry = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(BAL_EXIT_OK);
			break;
		case ':':
			usage_error("this option needs a value:",
				    argv[optind - 1]);
			break;
		default:
			usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument", argv[optind]);
	bal_config_default(&cfg);
	if (!config && !access(DEFAULT_CONFIG, F_OK))
		config = DEFAULT_CONFIG;
	if (config && bal_config_read(&cfg, config))
		return BAL_EXIT_FAIL;
	if (interval)
		cfg.interval = interval;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (pcn_nl_open(&nl, "netlink") < 0)
		return BAL_EXIT_FAIL;
	printf("pcn-balance: every %.1f s%s; knobs: busy_min %.0f%%, cpu_min %.2f, home_rate %.0f/s, home_cpu_max %.2f, cooldown %u, max_moves %u\n",
	       cfg.interval, dry ? ", dry run" : "", cfg.busy_min, cfg.cpu_min,
	       cfg.home_rate, cfg.home_cpu_max, cfg.cooldown, cfg.max_moves);
	err = bal_sample_take(&nl, prev);
	while (!stop && (!rounds || (long)k.rounds < rounds)) {
		sleep_for(cfg.interval);
		if (stop)
			break;
		err = bal_sample_take(&nl, cur);
		k.rounds++;
		if (err) {
			fprintf(stderr, "pcn-balance: sample: %s\n",
				strerror(-err));
			if (rounds)
				ret = BAL_EXIT_FAIL;
			continue;
		}
		if (verbose)
			log_view(cur);
		n = bal_decide(&cfg, &st, prev, cur, moves);
		for (i = 0; i < n; i++) {
			k.decisions++;
			printf("pcn-balance: decision %lu: pid %u (%s) thread %u node %u -> node %u: %s: %s\n",
			       k.decisions, moves[i].pid,
			       comm_of(cur, moves[i].pid), moves[i].tid,
			       moves[i].from, moves[i].to, moves[i].why,
			       dry ? "dry run" : move_thread(&nl, &moves[i], &k));
		}
		tmp = prev;
		prev = cur;
		cur = tmp;
		bal_sample_free(cur);
	}
	printf("pcn-balance: %lu rounds, %lu decisions: %lu moved, %lu pending, %lu refused\n",
	       k.rounds, k.decisions, k.moved, k.pending, k.refused);
	bal_sample_free(&a);
	bal_sample_free(&b);
	pcn_nl_close(&nl);
	return ret;
}
