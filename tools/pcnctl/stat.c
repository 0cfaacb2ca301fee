// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl stat: node-wide message layer, remote memory, process and fault
 * counters, fault and migration latencies, the per-type table and the
 * node's CPU load; of this node, of another (--node: asked over the
 * network) or of every node side by side (--all).
 *
 * Latency percentiles come from the kernel's log2 histograms, interpolated
 * linearly inside the bucket where the percentile falls (pcnstat.c).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcnctl.h"

static const struct {
	int attr;
	const char *key;	/* JSON */
	const char *label;	/* text */
} stat_counters[] = {
	/* the node's load: not counters, they move all the time */
	{ PCN_A_STAT_CPUS, "cpus", "cpus" },
	{ PCN_A_STAT_NR_RUNNING, "nr_running", "nr_running" },
	{ PCN_A_STAT_CPU_BUSY_NS, "cpu_busy_ns", "cpu_busy_ns" },
	{ PCN_A_STAT_UPTIME_NS, "uptime_ns", "uptime_ns" },
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
	{ PCN_A_STAT_INVAL_SENT, "inval_sent", "inval_sent" },
	{ PCN_A_STAT_INVAL_RECV, "inval_recv", "inval_recv" },
	{ PCN_A_STAT_TRANSPORT_ERRORS, "transport_errors", "transport_errors" },
	{ PCN_A_STAT_PAGES_GRANTED, "pages_granted", "pages_granted" },
	{ PCN_A_STAT_GRANTED_MAPPED, "granted_mapped", "granted_mapped" },
	{ PCN_A_STAT_AHEAD_SENT, "ahead_sent", "ahead_sent" },
	{ PCN_A_STAT_AHEAD_MAPPED, "ahead_mapped", "ahead_mapped" },
	{ PCN_A_STAT_AHEAD_USED, "ahead_used", "ahead_used" },
	{ PCN_A_STAT_AHEAD_UNUSED, "ahead_unused", "ahead_unused" },
	{ PCN_A_STAT_SESSIONS_RESUMED, "sessions_resumed", "sessions_resumed" },
	{ PCN_A_STAT_SESSIONS_LOST, "sessions_lost", "sessions_lost" },
	{ PCN_A_STAT_MSGS_RESENT, "msgs_resent", "msgs_resent" },
	{ PCN_A_STAT_RX_DUPS, "rx_dups", "rx_dups" },
};

#define NR_COUNTERS ARRAY_SIZE(stat_counters)

/* A percentile of @hist in microseconds, "-" when there are no samples. */
static const char *hist_us(const uint64_t *hist, int have, double pct,
			   const char *fmt, char *buf, size_t len)
{
	double ns = have ? pcn_hist_percentile(hist, pct) : -1;

	if (ns < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, fmt, ns / 1000);
	return buf;
}

static void text_faults(const struct pcn_stat *st)
{
	char p50[32], p99[32];
	int k;

	printf("\n%-9s %12s %10s %10s %10s %10s\n", "FAULT", "OK", "RETRY",
	       "ERROR", "P50_US", "P99_US");
	for (k = 0; k < PCN_FAULT_KINDS; k++) {
		const struct pcn_fault_stat *f = &st->fault[k];

		if (!f->have) {
			printf("%-9s %12s %10s %10s %10s %10s\n",
			       pcn_fault_kind_name(k), "-", "-", "-", "-", "-");
			continue;
		}
		printf("%-9s %12" PRIu64 " %10" PRIu64 " %10" PRIu64
		       " %10s %10s\n", pcn_fault_kind_name(k), f->ok, f->retry,
		       f->error,
		       hist_us(f->hist, f->have_hist, 50, "%.1f", p50, 32),
		       hist_us(f->hist, f->have_hist, 99, "%.1f", p99, 32));
	}
}

static void text_migrations(const struct pcn_stat *st)
{
	char p50[32], p99[32];
	int d;

	printf("\n%-9s %12s %10s %10s\n", "MIGRATION", "COUNT", "P50_US",
	       "P99_US");
	for (d = 0; d < PCN_MIGRATE_DIRS; d++) {
		const struct pcn_migrate_stat *m = &st->migrate[d];

		if (!m->have) {
			printf("%-9s %12s %10s %10s\n",
			       pcn_migrate_dir_name(d), "-", "-", "-");
			continue;
		}
		printf("%-9s %12" PRIu64 " %10s %10s\n",
		       pcn_migrate_dir_name(d), m->count,
		       hist_us(m->hist, m->have_hist, 50, "%.1f", p50, 32),
		       hist_us(m->hist, m->have_hist, 99, "%.1f", p99, 32));
	}
}

static void text_types(const struct pcn_types *types)
{
	int wn = strlen("TYPE_NAME");
	unsigned int i;

	for (i = 0; i < types->n; i++)
		if ((int)strlen(types->v[i].name) > wn)
			wn = strlen(types->v[i].name);
	printf("\n%-7s  %-*s  %12s  %12s  %14s  %14s\n", "TYPE_ID", wn,
	       "TYPE_NAME", "MSGS_IN", "MSGS_OUT", "BYTES_IN", "BYTES_OUT");
	for (i = 0; i < types->n; i++) {
		const struct pcn_type *t = &types->v[i];

		printf("%-7d  %-*s  %12" PRIu64 "  %12" PRIu64 "  %14" PRIu64
		       "  %14" PRIu64 "\n", t->id, wn,
		       t->name[0] ? t->name : "-", t->msgs_in, t->msgs_out,
		       t->bytes_in, t->bytes_out);
	}
}

static void stat_text(const struct pcn_stat *st)
{
	unsigned int i;
	int a;

	for (i = 0; i < NR_COUNTERS; i++) {
		a = stat_counters[i].attr;
		if (pcn_has(&st->c, a))
			printf("%-20s%" PRIu64 "\n", stat_counters[i].label,
			       pcn_val(&st->c, a));
		else
			printf("%-20s-\n", stat_counters[i].label);
	}
	text_faults(st);
	text_migrations(st);
	text_types(&st->types);
}

/* "KEY":p (microseconds, 3 decimals), null when there are no samples. */
static void json_percentile(struct json *j, const char *key,
			    const uint64_t *hist, int have, double pct)
{
	double ns = have ? pcn_hist_percentile(hist, pct) : -1;

	json_key(j, key);
	if (ns < 0)
		json_null(j);
	else
		json_double(j, ns / 1000, 3);
}

/* "p50_us":X,"p99_us":Y,"hist_ns_log2":[..] (null when absent or empty) */
static void json_hist(struct json *j, const uint64_t *hist, int have)
{
	int i;

	json_percentile(j, "p50_us", hist, have, 50);
	json_percentile(j, "p99_us", hist, have, 99);
	json_key(j, "hist_ns_log2");
	if (!have) {
		json_null(j);
		return;
	}
	json_begin_array(j);
	for (i = 0; i < PCN_LAT_BUCKETS; i++)
		json_u64(j, hist[i]);
	json_end_array(j);
}

/*
 * "faults":{"read":{"ok":..,"retry":..,"error":..},..}, each kind null when
 * the kernel sent none; with @hist, its percentiles and histogram too.
 */
void pcn_json_faults(struct json *j, const struct pcn_fault_stat *fault,
		     int hist)
{
	int k;

	json_key(j, "faults");
	json_begin_object(j);
	for (k = 0; k < PCN_FAULT_KINDS; k++) {
		const struct pcn_fault_stat *f = &fault[k];

		json_key(j, pcn_fault_kind_name(k));
		if (!f->have) {
			json_null(j);
			continue;
		}
		json_begin_object(j);
		json_key_u64(j, "ok", f->ok);
		json_key_u64(j, "retry", f->retry);
		json_key_u64(j, "error", f->error);
		if (hist)
			json_hist(j, f->hist, f->have_hist);
		json_end_object(j);
	}
	json_end_object(j);
}

static void json_migrations(struct json *j, const struct pcn_stat *st)
{
	int d;

	json_key(j, "migrations");
	json_begin_object(j);
	for (d = 0; d < PCN_MIGRATE_DIRS; d++) {
		const struct pcn_migrate_stat *m = &st->migrate[d];

		json_key(j, pcn_migrate_dir_name(d));
		if (!m->have) {
			json_null(j);
			continue;
		}
		json_begin_object(j);
		json_key_u64(j, "count", m->count);
		json_hist(j, m->hist, m->have_hist);
		json_end_object(j);
	}
	json_end_object(j);
}

/* The object STAT_GET's attributes make (pcnctl stat --json). */
static void json_stat_object(struct json *j, const struct pcn_stat *st)
{
	const struct pcn_type *t;
	unsigned int i;

	json_begin_object(j);
	for (i = 0; i < NR_COUNTERS; i++)
		pcn_json_scalar(j, stat_counters[i].key, &st->c,
				stat_counters[i].attr);
	pcn_json_faults(j, st->fault, 1);
	json_migrations(j, st);
	json_key(j, "types");
	json_begin_array(j);
	for (i = 0; i < st->types.n; i++) {
		t = &st->types.v[i];
		json_begin_object(j);
		json_key(j, "id");
		if (t->id < 0)
			json_null(j);
		else
			json_int(j, t->id);
		json_key_string(j, "name", t->name[0] ? t->name : NULL);
		pcn_json_traffic(j, t);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

static void stat_json(const struct pcn_stat *st)
{
	struct json j;

	json_init(&j, stdout);
	json_stat_object(&j, st);
}

/* ---- every node: --all ---- */

struct node_stat {
	const struct pcn_node *node;
	struct pcn_stat st;
	int err;		/* 0, or why there is no stat */
};

/* CPU busy share since boot, percent; -1 when unknown. */
static double busy_since_boot(const struct pcn_stat *st)
{
	double up = pcn_val(&st->c, PCN_A_STAT_UPTIME_NS);
	double cpus = pcn_val(&st->c, PCN_A_STAT_CPUS);

	if (!pcn_has(&st->c, PCN_A_STAT_CPU_BUSY_NS) || up <= 0 || cpus <= 0)
		return -1;
	return 100.0 * pcn_val(&st->c, PCN_A_STAT_CPU_BUSY_NS) / (up * cpus);
}

static void all_row_u64(const struct node_stat *ns, unsigned int n,
			const char *label, int attr)
{
	unsigned int i;

	printf("%-20s", label);
	for (i = 0; i < n; i++) {
		if (ns[i].err || !pcn_has(&ns[i].st.c, attr))
			printf(" %14s", "-");
		else
			printf(" %14" PRIu64, pcn_val(&ns[i].st.c, attr));
	}
	printf("\n");
}

static void all_text(const struct node_stat *ns, unsigned int n)
{
	char head[32];
	unsigned int i;
	uint64_t in, out;
	int k, d;

	printf("%-20s", "NODE");
	for (i = 0; i < n; i++) {
		snprintf(head, sizeof(head), "%u%s", ns[i].node->nid,
			 ns[i].node->self ? " (self)" : "");
		printf(" %14s", head);
	}
	printf("\n%-20s", "state");
	for (i = 0; i < n; i++)
		printf(" %14s", ns[i].node->self ? "self" :
		       pcn_state_name(ns[i].node->state));
	printf("\n%-20s", "error");
	for (i = 0; i < n; i++)
		printf(" %14.14s", ns[i].err ? strerror(-ns[i].err) : "-");
	printf("\n%-20s", "cpu_busy_since_boot");
	for (i = 0; i < n; i++) {
		double b = ns[i].err ? -1 : busy_since_boot(&ns[i].st);

		if (b < 0)
			printf(" %14s", "-");
		else
			printf(" %13.1f%%", b);
	}
	printf("\n");
	for (i = 0; i < NR_COUNTERS; i++)
		all_row_u64(ns, n, stat_counters[i].label,
			    stat_counters[i].attr);
	for (k = 0; k < PCN_FAULT_KINDS; k++) {
		snprintf(head, sizeof(head), "faults_%s_ok",
			 pcn_fault_kind_name(k));
		printf("%-20s", head);
		for (i = 0; i < n; i++) {
			if (ns[i].err || !ns[i].st.fault[k].have)
				printf(" %14s", "-");
			else
				printf(" %14" PRIu64, ns[i].st.fault[k].ok);
		}
		printf("\n");
	}
	for (d = 0; d < PCN_MIGRATE_DIRS; d++) {
		snprintf(head, sizeof(head), "migrations_%s",
			 pcn_migrate_dir_name(d));
		printf("%-20s", head);
		for (i = 0; i < n; i++) {
			if (ns[i].err || !ns[i].st.migrate[d].have)
				printf(" %14s", "-");
			else
				printf(" %14" PRIu64,
				       ns[i].st.migrate[d].count);
		}
		printf("\n");
	}
	for (d = 0; d < 2; d++) {
		printf("%-20s", d ? "msgs_out" : "msgs_in");
		for (i = 0; i < n; i++) {
			unsigned int t;

			if (ns[i].err) {
				printf(" %14s", "-");
				continue;
			}
			in = out = 0;
			for (t = 0; t < ns[i].st.types.n; t++) {
				in += ns[i].st.types.v[t].msgs_in;
				out += ns[i].st.types.v[t].msgs_out;
			}
			printf(" %14" PRIu64, d ? out : in);
		}
		printf("\n");
	}
}

/*
 * {"nodes":[{"nid":N,"self":B,"state":S,"error":E|null,"stat":{..}|null}]}
 * "stat" is the object pcnctl stat --json prints on that node.
 */
static void all_json(const struct node_stat *ns, unsigned int n)
{
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_key(&j, "nodes");
	json_begin_array(&j);
	for (i = 0; i < n; i++) {
		json_begin_object(&j);
		json_key_u64(&j, "nid", ns[i].node->nid);
		json_key(&j, "self");
		json_bool(&j, ns[i].node->self);
		json_key_string(&j, "state", ns[i].node->self ? "self" :
				pcn_state_name(ns[i].node->state));
		json_key_string(&j, "error",
				ns[i].err ? strerror(-ns[i].err) : NULL);
		json_key(&j, "stat");
		if (ns[i].err)
			json_null(&j);
		else
			json_stat_object(&j, &ns[i].st);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
}

/* Every node's counters; a node that cannot answer is shown so. */
static int stat_all(struct pcn_nl *nl, const char *what, int json)
{
	struct pcn_nodes nodes = { 0 };
	struct node_stat *ns;
	unsigned int i;
	int err;

	err = pcn_nodes_get(nl, &nodes);
	if (err)
		return pcn_nl_end(nl, what, err);
	ns = calloc(nodes.n ? nodes.n : 1, sizeof(*ns));
	if (!ns) {
		pcn_nodes_free(&nodes);
		return pcn_nl_end(nl, what, -ENOMEM);
	}
	for (i = 0; i < nodes.n; i++) {
		ns[i].node = &nodes.v[i];
		ns[i].err = pcn_stat_get_node(nl, nodes.v[i].self ? -1 :
					      (int)nodes.v[i].nid, &ns[i].st);
	}
	pcn_nl_close(nl);
	(json ? all_json : all_text)(ns, nodes.n);
	for (i = 0; i < nodes.n; i++)
		pcn_stat_free(&ns[i].st);
	free(ns);
	pcn_nodes_free(&nodes);
	return PCN_EXIT_OK;
}

int cmd_stat(int argc, char **argv)
{
	static const char what[] = "stat";
	static const struct option opts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "all",	no_argument,		NULL, 'a' },
		{ "node",	required_argument,	NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct pcn_stat st = { 0 };
	struct pcn_nl nl = { 0 };
	int json = 0, all = 0, nid = -1;
	uint32_t id;
	int c, ret;

	while ((c = pcn_getopt(argc, argv, opts, what)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'a')
			all = 1;
		else {
			id = pcn_arg_u32(what, "node id", optarg);
			if (id > INT32_MAX)
				pcn_usage_error(what, "no node %s", optarg);
			nid = (int)id;
		}
	}
	if (argc > optind)
		pcn_usage_error(what, "unexpected argument '%s'", argv[optind]);
	if (all && nid >= 0)
		pcn_usage_error(what, "--all and --node exclude each other");
	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	if (all)
		return stat_all(&nl, what, json);
	ret = pcn_nl_end(&nl, what, pcn_stat_get_node(&nl, nid, &st));
	if (ret == PCN_EXIT_OK)
		(json ? stat_json : stat_text)(&st);
	pcn_stat_free(&st);
	return ret;
}
