// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl stat: node-wide message layer and remote memory counters, and the
 * per-type table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcnctl.h"

struct pcn_type {
	int id;			/* -1 when absent */
	char name[64];
	uint64_t msgs_in, msgs_out, bytes_in, bytes_out;
};

static const struct {
	int attr;
	const char *key;	/* JSON */
	const char *label;	/* text */
} stat_counters[] = {
	{ PCN_A_STAT_RX_BAD,	   "rx_bad",		 "rx_bad" },
	{ PCN_A_STAT_HS_REFUSED,   "handshakes_refused", "handshakes_refused" },
	{ PCN_A_STAT_WS_TIMEOUTS,  "ws_timeouts",	 "request_timeouts" },
	{ PCN_A_STAT_LATE_REPLIES, "late_replies",	 "late_replies" },
	{ PCN_A_STAT_MAX_PAYLOAD,  "max_payload",	 "max_payload" },
	{ PCN_A_STAT_PAGES_EXPOSED, "pages_exposed",	 "pages_exposed" },
	{ PCN_A_STAT_PAGES_EXPOSED_TOTAL, "pages_exposed_total",
	  "pages_exposed_total" },
	{ PCN_A_STAT_REMOTE_REGIONS, "remote_regions",	 "remote_regions" },
	{ PCN_A_STAT_REMOTE_BYTES, "remote_bytes",	 "remote_bytes" },
	{ PCN_A_STAT_TX_STALLS,	   "tx_stalls",		 "tx_stalls" },
	{ PCN_A_STAT_PROCESSES, "processes", "processes" },
	{ PCN_A_STAT_REMOTE_THREADS, "remote_threads", "remote_threads" },
	{ PCN_A_STAT_MIGRATIONS_OUT, "migrations_out", "migrations_out" },
	{ PCN_A_STAT_MIGRATIONS_IN, "migrations_in", "migrations_in" },
	{ PCN_A_STAT_VMA_FETCHES, "vma_fetches", "vma_fetches" },
	{ PCN_A_STAT_PAGE_FETCHES, "page_fetches", "page_fetches" },
	{ PCN_A_STAT_PAGE_FETCH_RETRIES, "page_fetch_retries", "page_fetch_retries" },
	{ PCN_A_STAT_PAGE_RECALLS, "page_recalls", "page_recalls" },
	{ PCN_A_STAT_PAGE_SERVED, "page_served", "page_served" },
};

#define NR_COUNTERS ARRAY_SIZE(stat_counters)

struct pcn_stat {
	int got;
	int have[NR_COUNTERS];
	uint64_t val[NR_COUNTERS];
	struct pcn_type *types;
	unsigned int ntypes;
};

static uint64_t nla_u64(const struct nlattr *attr)
{
	return attr ? mnl_attr_get_u64(attr) : 0;
}

static void type_fill(struct pcn_type *t, const struct nlattr **tb)
{
	memset(t, 0, sizeof(*t));
	t->id = tb[PCN_A_TYPE_ID] ? mnl_attr_get_u16(tb[PCN_A_TYPE_ID]) : -1;
	if (tb[PCN_A_TYPE_NAME])
		snprintf(t->name, sizeof(t->name), "%s",
			 mnl_attr_get_str(tb[PCN_A_TYPE_NAME]));
	t->msgs_in = nla_u64(tb[PCN_A_MSGS_IN]);
	t->msgs_out = nla_u64(tb[PCN_A_MSGS_OUT]);
	t->bytes_in = nla_u64(tb[PCN_A_BYTES_IN]);
	t->bytes_out = nla_u64(tb[PCN_A_BYTES_OUT]);
}

/* The per-type nests repeat, so walk them rather than use tb[]. */
static int stat_types(const struct nlmsghdr *nlh, struct pcn_stat *st)
{
	const struct nlattr *attr;
	unsigned int n = 0;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		n += mnl_attr_get_type(attr) == PCN_A_STAT_TYPE;
	free(st->types);
	st->types = calloc(n ? n : 1, sizeof(*st->types));
	st->ntypes = 0;
	if (!st->types)
		return -ENOMEM;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };

		if (mnl_attr_get_type(attr) != PCN_A_STAT_TYPE)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    pcn_attr_parse_nested(attr, tb) < 0)
			return -EBADMSG;
		type_fill(&st->types[st->ntypes++], tb);
	}
	return 0;
}

/* Copies everything out: the ack that follows reuses the receive buffer. */
static int stat_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };
	struct pcn_stat *st = data;
	const struct nlattr *attr;
	unsigned int i;
	int err;

	if (pcn_attr_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	for (i = 0; i < NR_COUNTERS; i++) {
		attr = tb[stat_counters[i].attr];
		st->have[i] = !!attr;
		if (!attr)
			continue;
		if (stat_counters[i].attr == PCN_A_STAT_MAX_PAYLOAD)
			st->val[i] = mnl_attr_get_u32(attr);
		else
			st->val[i] = mnl_attr_get_u64(attr);
	}
	err = stat_types(nlh, st);
	if (err) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	st->got = 1;
	return MNL_CB_OK;
}

static void stat_text(const struct pcn_stat *st)
{
	unsigned int i;
	int wn = strlen("TYPE_NAME");

	for (i = 0; i < NR_COUNTERS; i++) {
		if (st->have[i])
			printf("%-20s%" PRIu64 "\n", stat_counters[i].label,
			       st->val[i]);
		else
			printf("%-20s-\n", stat_counters[i].label);
	}

	for (i = 0; i < st->ntypes; i++)
		if ((int)strlen(st->types[i].name) > wn)
			wn = strlen(st->types[i].name);
	printf("\n%-7s  %-*s  %12s  %12s  %14s  %14s\n", "TYPE_ID", wn,
	       "TYPE_NAME", "MSGS_IN", "MSGS_OUT", "BYTES_IN", "BYTES_OUT");
	for (i = 0; i < st->ntypes; i++) {
		const struct pcn_type *t = &st->types[i];

		printf("%-7d  %-*s  %12" PRIu64 "  %12" PRIu64 "  %14" PRIu64
		       "  %14" PRIu64 "\n", t->id, wn,
		       t->name[0] ? t->name : "-", t->msgs_in, t->msgs_out,
		       t->bytes_in, t->bytes_out);
	}
}

static void stat_json_type(const struct pcn_type *t)
{
	if (t->id < 0)
		printf("{\"id\":null,\"name\":");
	else
		printf("{\"id\":%d,\"name\":", t->id);
	pcn_json_str(t->name[0] ? t->name : NULL);
	printf(",\"msgs_in\":%" PRIu64 ",\"msgs_out\":%" PRIu64
	       ",\"bytes_in\":%" PRIu64 ",\"bytes_out\":%" PRIu64 "}",
	       t->msgs_in, t->msgs_out, t->bytes_in, t->bytes_out);
}

static void stat_json(const struct pcn_stat *st)
{
	unsigned int i;

	putchar('{');
	for (i = 0; i < NR_COUNTERS; i++) {
		printf("\"%s\":", stat_counters[i].key);
		if (st->have[i])
			printf("%" PRIu64 ",", st->val[i]);
		else
			printf("null,");
	}
	printf("\"types\":[");
	for (i = 0; i < st->ntypes; i++) {
		if (i)
			putchar(',');
		stat_json_type(&st->types[i]);
	}
	puts("]}");
}

int cmd_stat(int argc, char **argv)
{
	static const char what[] = "stat";
	static const struct option opts[] = {
		{ "json",	no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	char buf[PCN_NL_REQSIZE];
	struct pcn_stat st = { 0 };
	struct pcn_nl nl = { 0 };
	struct nlmsghdr *nlh;
	int json = 0;
	int err;

	while (pcn_getopt(argc, argv, opts, what) != -1)
		json = 1;
	if (optind != argc)
		pcn_usage_error(what, "unexpected argument '%s'", argv[optind]);

	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	nlh = pcn_nl_req(&nl, buf, PCN_CMD_STAT_GET, NLM_F_ACK);
	err = pcn_nl_talk(&nl, nlh, stat_cb, &st);
	pcn_nl_close(&nl);
	if (!err && !st.got)
		err = -ENODATA;
	if (err) {
		free(st.types);
		return pcn_nl_fail(&nl, what, err);
	}
	if (json)
		stat_json(&st);
	else
		stat_text(&st);
	free(st.types);
	return PCN_EXIT_OK;
}
