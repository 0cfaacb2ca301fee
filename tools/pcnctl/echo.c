// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl echo: the kernel's message layer round-trip self test.
 *
 * PCN_CMD_ECHO runs synchronously inside our sendmsg(): it may take minutes
 * under emulation, so there is deliberately no timeout anywhere here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pcnctl.h"
#include "selftest.h"

#define ECHO_DEFAULT_COUNT	1000
#define ECHO_DEFAULT_THREADS	1

struct echo_args {
	uint32_t nid, count, threads, min_size, max_size;
	int have_min_size, have_max_size;
};

struct echo_res {
	int got;
	int have_max_size;
	uint32_t count, threads, min_size, max_size;
	struct pcn_selftest st;
};

static int echo_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };
	struct echo_res *r = data;

	if (pcn_attr_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	r->got = 1;
	r->count = pcn_attr_u32(tb[PCN_A_ECHO_COUNT], r->count);
	r->threads = pcn_attr_u32(tb[PCN_A_ECHO_THREADS], r->threads);
	r->min_size = pcn_attr_u32(tb[PCN_A_ECHO_MIN_SIZE], r->min_size);
	if (tb[PCN_A_ECHO_MAX_SIZE]) {
		r->max_size = mnl_attr_get_u32(tb[PCN_A_ECHO_MAX_SIZE]);
		r->have_max_size = 1;
	}
	pcn_selftest_parse(tb, &r->st);
	return MNL_CB_OK;
}

static void echo_print(const struct echo_args *a, const struct echo_res *r)
{
	char times[160], size[32];

	if (r->have_max_size)
		snprintf(size, sizeof(size), "%" PRIu32, r->max_size);
	else
		snprintf(size, sizeof(size), "?");
	printf("echo to node %" PRIu32 ": %" PRIu32 " sent, %" PRIu32 " ok, %"
	       PRIu32 " error%s, sizes %" PRIu32 "..%s, %" PRIu32 " thread%s; "
	       "rtt %s; %.0f msg/s\n", a->nid, r->count, r->st.ok,
	       r->st.errors, pcn_plural(r->st.errors), r->min_size, size,
	       r->threads,
	       pcn_plural(r->threads),
	       pcn_selftest_times(&r->st, times, sizeof(times)),
	       pcn_selftest_rate(&r->st));
}

static void echo_parse(int argc, char **argv, struct echo_args *a)
{
	static const char what[] = "echo";
	static const struct option opts[] = {
		{ "count",	required_argument, NULL, 'c' },
		{ "threads",	required_argument, NULL, 't' },
		{ "max-size",	required_argument, NULL, 's' },
		{ "min-size",	required_argument, NULL, 'm' },
		{ "size",	required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	a->count = ECHO_DEFAULT_COUNT;
	a->threads = ECHO_DEFAULT_THREADS;
	while ((c = pcn_getopt(argc, argv, opts, what)) != -1) {
		if (c == 'c') {
			a->count = pcn_arg_u32(what, "count", optarg);
		} else if (c == 't') {
			a->threads = pcn_arg_u32(what, "threads", optarg);
		} else if (c == 'm') {
			a->min_size = pcn_arg_u32(what, "min-size", optarg);
			a->have_min_size = 1;
		} else if (c == 'S') {
			a->min_size = pcn_arg_u32(what, "size", optarg);
			a->max_size = a->min_size;
			a->have_min_size = 1;
			a->have_max_size = 1;
		} else {
			a->max_size = pcn_arg_u32(what, "max-size", optarg);
			a->have_max_size = 1;
		}
	}
	if (argc - optind != 1)
		pcn_usage_error(what, "expected exactly one argument: NID");
	a->nid = pcn_arg_u32(what, "NID", argv[optind]);
}

int cmd_echo(int argc, char **argv)
{
	static const char what[] = "echo";
	char buf[PCN_NL_REQSIZE];
	struct echo_args a = { 0 };
	struct echo_res r = { 0 };
	struct pcn_nl nl = { 0 };
	struct nlmsghdr *nlh;
	int err;

	echo_parse(argc, argv, &a);
	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;

	nlh = pcn_nl_req(&nl, buf, PCN_CMD_ECHO, NLM_F_ACK);
	mnl_attr_put_u32(nlh, PCN_A_NID, a.nid);
	mnl_attr_put_u32(nlh, PCN_A_ECHO_COUNT, a.count);
	mnl_attr_put_u32(nlh, PCN_A_ECHO_THREADS, a.threads);
	if (a.have_max_size)
		mnl_attr_put_u32(nlh, PCN_A_ECHO_MAX_SIZE, a.max_size);
	if (a.have_min_size)
		mnl_attr_put_u32(nlh, PCN_A_ECHO_MIN_SIZE, a.min_size);

	r.count = a.count;
	r.threads = a.threads;
	r.max_size = a.max_size;
	r.min_size = a.min_size;
	r.have_max_size = a.have_max_size;
	err = pcn_nl_talk(&nl, nlh, echo_cb, &r);
	pcn_nl_close(&nl);
	if (!err && !r.got)
		err = -ENODATA;
	if (err)
		return pcn_nl_fail(&nl, what, err);

	echo_print(&a, &r);
	return pcn_selftest_verdict(what, &r.st, a.count,
				    "messages echoed correctly");
}
