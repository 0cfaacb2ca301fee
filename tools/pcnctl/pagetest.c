// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl pagetest: the kernel's remote page transfer self test.
 *
 * Like PCN_CMD_ECHO, PCN_CMD_PAGE_TEST runs synchronously inside our
 * sendmsg() and may take minutes under emulation: no timeout here either.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pcnctl.h"
#include "selftest.h"

#define PAGE_DEFAULT_COUNT	1000
#define PAGE_DEFAULT_THREADS	1

struct page_args {
	uint32_t nid, pages, threads;
	uint8_t mode;		/* enum pcn_page_test_mode */
	int probe;
};

/* What the kernel ran: the request, unless its reply says otherwise. */
struct page_res {
	int got;
	uint32_t pages, threads;
	uint8_t mode;
	int have_probe_err;
	int32_t probe_err;	/* errno the spent key got, 0 = it worked */
	struct pcn_selftest st;
};

static int page_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };
	struct page_res *r = data;

	if (pcn_attr_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	r->got = 1;
	r->pages = pcn_attr_u32(tb[PCN_A_PAGE_COUNT], r->pages);
	r->threads = pcn_attr_u32(tb[PCN_A_ECHO_THREADS], r->threads);
	if (tb[PCN_A_PAGE_MODE])
		r->mode = mnl_attr_get_u8(tb[PCN_A_PAGE_MODE]);
	pcn_selftest_parse(tb, &r->st);
	if (tb[PCN_A_PAGE_PROBE_ERR]) {
		r->probe_err = (int32_t)mnl_attr_get_u32(tb[PCN_A_PAGE_PROBE_ERR]);
		r->have_probe_err = 1;
	}
	return MNL_CB_OK;
}

static void page_print(uint32_t nid, const struct page_res *r)
{
	long page_size = sysconf(_SC_PAGESIZE);
	double rate = pcn_selftest_rate(&r->st);
	char times[160];

	if (page_size <= 0)
		page_size = 4096;
	printf("pagetest %s %s node %" PRIu32 ": %" PRIu32 " page%s, %" PRIu32
	       " ok, %" PRIu32 " error%s, %" PRIu32 " thread%s; per page %s; "
	       "%.0f pages/s, %.1f MB/s\n",
	       r->mode == PCN_PAGE_TEST_PUSH ? "push" : "pull",
	       r->mode == PCN_PAGE_TEST_PUSH ? "to" : "from", nid,
	       r->pages, pcn_plural(r->pages), r->st.ok, r->st.errors,
	       pcn_plural(r->st.errors), r->threads, pcn_plural(r->threads),
	       pcn_selftest_times(&r->st, times, sizeof(times)), rate,
	       rate * page_size / (1024 * 1024));
}

/* The spent-key probe must have failed; returns the exit status. */
static int page_probe_verdict(const struct page_res *r)
{
	if (!r->have_probe_err) {
		printf("probe: FAILED: the kernel reported no probe result\n");
		return PCN_EXIT_FAIL;
	}
	if (!r->probe_err) {
		printf("probe: FAILED: a write with a spent key succeeded\n");
		return PCN_EXIT_FAIL;
	}
	printf("probe: a write with a spent key failed as it must (%s)\n",
	       strerror(r->probe_err < 0 ? -r->probe_err : r->probe_err));
	return PCN_EXIT_OK;
}

static void page_parse(int argc, char **argv, struct page_args *a)
{
	static const char what[] = "pagetest";
	static const struct option opts[] = {
		{ "pages",	required_argument, NULL, 'p' },
		{ "threads",	required_argument, NULL, 't' },
		{ "mode",	required_argument, NULL, 'm' },
		{ "probe",	no_argument,	   NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	a->pages = PAGE_DEFAULT_COUNT;
	a->threads = PAGE_DEFAULT_THREADS;
	a->mode = PCN_PAGE_TEST_PULL;
	while ((c = pcn_getopt(argc, argv, opts, what)) != -1) {
		if (c == 'p') {
			a->pages = pcn_arg_u32(what, "pages", optarg);
		} else if (c == 't') {
			a->threads = pcn_arg_u32(what, "threads", optarg);
		} else if (c == 'P') {
			a->probe = 1;
		} else if (!strcmp(optarg, "pull")) {
			a->mode = PCN_PAGE_TEST_PULL;
		} else if (!strcmp(optarg, "push")) {
			a->mode = PCN_PAGE_TEST_PUSH;
		} else {
			pcn_usage_error(what, "mode '%s' is not pull or push",
					optarg);
		}
	}
	if (argc - optind != 1)
		pcn_usage_error(what, "expected exactly one argument: NID");
	a->nid = pcn_arg_u32(what, "NID", argv[optind]);
}

int cmd_pagetest(int argc, char **argv)
{
	static const char what[] = "pagetest";
	char buf[PCN_NL_REQSIZE];
	struct page_args a = { 0 };
	struct page_res r = { 0 };
	struct pcn_nl nl = { 0 };
	struct nlmsghdr *nlh;
	int err, ret;

	page_parse(argc, argv, &a);
	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;

	nlh = pcn_nl_req(&nl, buf, PCN_CMD_PAGE_TEST, NLM_F_ACK);
	mnl_attr_put_u32(nlh, PCN_A_NID, a.nid);
	mnl_attr_put_u32(nlh, PCN_A_PAGE_COUNT, a.pages);
	mnl_attr_put_u32(nlh, PCN_A_ECHO_THREADS, a.threads);
	mnl_attr_put_u8(nlh, PCN_A_PAGE_MODE, a.mode);
	if (a.probe)
		mnl_attr_put(nlh, PCN_A_PAGE_PROBE, 0, NULL);

	r.pages = a.pages;
	r.threads = a.threads;
	r.mode = a.mode;
	err = pcn_nl_talk(&nl, nlh, page_cb, &r);
	pcn_nl_close(&nl);
	if (!err && !r.got)
		err = -ENODATA;
	if (err)
		return pcn_nl_fail(&nl, what, err);

	page_print(a.nid, &r);
	ret = a.probe ? page_probe_verdict(&r) : PCN_EXIT_OK;
	if (pcn_selftest_verdict(what, &r.st, a.pages,
				 "pages moved correctly") != PCN_EXIT_OK)
		ret = PCN_EXIT_FAIL;
	return ret;
}
