// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl stat: node-wide message layer, remote memory, process and fault
 * counters, fault and migration latencies, and the per-type table.
 *
 * Latency percentiles come from the kernel's log2 histograms, interpolated
 * linearly inside the bucket where the percentile falls (pcnstat.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pcnctl.h"

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
	{ PCN_A_STAT_INVAL_SENT, "inval_sent", "inval_sent" },
	{ PCN_A_STAT_INVAL_RECV, "inval_recv", "inval_recv" },
	{ PCN_A_STAT_TRANSPORT_ERRORS, "transport_errors", "transport_errors" },
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

static void stat_json(const struct pcn_stat *st)
{
	const struct pcn_type *t;
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_begin_object(&j);
	for (i = 0; i < NR_COUNTERS; i++)
		pcn_json_scalar(&j, stat_counters[i].key, &st->c,
				stat_counters[i].attr);
	pcn_json_faults(&j, st->fault, 1);
	json_migrations(&j, st);
	json_key(&j, "types");
	json_begin_array(&j);
	for (i = 0; i < st->types.n; i++) {
		t = &st->types.v[i];
		json_begin_object(&j);
		json_key(&j, "id");
		if (t->id < 0)
			json_null(&j);
		else
			json_int(&j, t->id);
		json_key_string(&j, "name", t->name[0] ? t->name : NULL);
		pcn_json_traffic(&j, t);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
}

int cmd_stat(int argc, char **argv)
{
	static const char what[] = "stat";
	struct pcn_stat st = { 0 };
	struct pcn_nl nl = { 0 };
	int json = pcn_show_args(argc, argv, what, 0);
	int ret;

	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	ret = pcn_nl_end(&nl, what, pcn_stat_get(&nl, &st));
	if (ret == PCN_EXIT_OK)
		(json ? stat_json : stat_text)(&st);
	pcn_stat_free(&st);
	return ret;
}
