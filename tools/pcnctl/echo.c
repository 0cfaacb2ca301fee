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

#define ECHO_DEFAULT_COUNT	1000
#define ECHO_DEFAULT_THREADS	1

struct echo_args {
	uint32_t nid, count, threads, max_size;
	int have_max_size;
};

struct echo_res {
	int got;
	int have_max_size;
	uint32_t count, threads, max_size, ok, errors;
	int32_t first_err;
	uint64_t min_ns, p50_ns, p99_ns, max_ns, wall_ns;
};

static uint32_t u32_or(const struct nlattr *attr, uint32_t dflt)
{
	return attr ? mnl_attr_get_u32(attr) : dflt;
}

static uint64_t u64_or0(const struct nlattr *attr)
{
	return attr ? mnl_attr_get_u64(attr) : 0;
}

static int echo_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };
	struct echo_res *r = data;

	if (pcn_attr_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	r->got = 1;
	r->count = u32_or(tb[PCN_A_ECHO_COUNT], r->count);
	r->threads = u32_or(tb[PCN_A_ECHO_THREADS], r->threads);
	if (tb[PCN_A_ECHO_MAX_SIZE]) {
		r->max_size = mnl_attr_get_u32(tb[PCN_A_ECHO_MAX_SIZE]);
		r->have_max_size = 1;
	}
	r->ok = u32_or(tb[PCN_A_ECHO_OK], 0);
	r->errors = u32_or(tb[PCN_A_ECHO_ERRORS], 0);
	r->first_err = (int32_t)u32_or(tb[PCN_A_ECHO_FIRST_ERR], 0);
	r->min_ns = u64_or0(tb[PCN_A_ECHO_MIN_NS]);
	r->p50_ns = u64_or0(tb[PCN_A_ECHO_P50_NS]);
	r->p99_ns = u64_or0(tb[PCN_A_ECHO_P99_NS]);
	r->max_ns = u64_or0(tb[PCN_A_ECHO_MAX_NS]);
	r->wall_ns = u64_or0(tb[PCN_A_ECHO_WALL_NS]);
	return MNL_CB_OK;
}

/* Two or three significant digits are all TCG timings deserve. */
static const char *fmt_ms(uint64_t ns, char *buf, size_t len)
{
	double ms = ns / 1e6;

	snprintf(buf, len, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
	return buf;
}

static const char *plural(uint32_t n)
{
	return n == 1 ? "" : "s";
}

static void echo_print(const struct echo_args *a, const struct echo_res *r)
{
	char mn[32], p50[32], p99[32], mx[32], size[32];
	double rate = r->wall_ns ? r->ok * 1e9 / r->wall_ns : 0;

	if (r->have_max_size)
		snprintf(size, sizeof(size), "%" PRIu32, r->max_size);
	else
		snprintf(size, sizeof(size), "?");
	printf("echo to node %" PRIu32 ": %" PRIu32 " sent, %" PRIu32 " ok, %"
	       PRIu32 " error%s, sizes 0..%s, %" PRIu32 " thread%s; "
	       "rtt min %s ms, median %s ms, p99 %s ms, max %s ms; "
	       "%.0f msg/s\n", a->nid, r->count, r->ok, r->errors,
	       plural(r->errors), size, r->threads, plural(r->threads),
	       fmt_ms(r->min_ns, mn, sizeof(mn)),
	       fmt_ms(r->p50_ns, p50, sizeof(p50)),
	       fmt_ms(r->p99_ns, p99, sizeof(p99)),
	       fmt_ms(r->max_ns, mx, sizeof(mx)), rate);
}

static int echo_verdict(const struct echo_args *a, const struct echo_res *r)
{
	int ret = PCN_EXIT_OK;

	if (r->first_err)
		fprintf(stderr, "pcnctl: echo: first error: %s (%" PRId32 ")\n",
			strerror(r->first_err < 0 ? -r->first_err :
				 r->first_err), r->first_err);
	if (r->errors || r->ok != a->count) {
		fprintf(stderr, "pcnctl: echo: FAILED: %" PRIu32 " of %" PRIu32
			" messages echoed correctly\n", r->ok, a->count);
		ret = PCN_EXIT_FAIL;
	}
	return ret;
}

static void echo_parse(int argc, char **argv, struct echo_args *a)
{
	static const char what[] = "echo";
	static const struct option opts[] = {
		{ "count",	required_argument, NULL, 'c' },
		{ "threads",	required_argument, NULL, 't' },
		{ "max-size",	required_argument, NULL, 's' },
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

	r.count = a.count;
	r.threads = a.threads;
	r.max_size = a.max_size;
	r.have_max_size = a.have_max_size;
	err = pcn_nl_talk(&nl, nlh, echo_cb, &r);
	pcn_nl_close(&nl);
	if (!err && !r.got)
		err = -ENODATA;
	if (err)
		return pcn_nl_fail(&nl, what, err);

	echo_print(&a, &r);
	return echo_verdict(&a, &r);
}
