// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl proc: the distributed processes on this node (PROC_GET dump),
 * their threads and where each runs, and their fault, migration and
 * invalidation counters (JSON).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pcnctl.h"

/* A u32 that may be absent (PCN_NONE): "-" in text, null in JSON. */
static const char *u32_str(uint32_t v, const char *none, char *buf,
			   size_t len)
{
	if (v == PCN_NONE)
		snprintf(buf, len, "%s", none);
	else
		snprintf(buf, len, "%" PRIu32, v);
	return buf;
}

static void proc_table(const struct pcn_procs *procs, uint32_t only)
{
	char a[16], b[16], c[16];
	int wc = strlen("COMM");
	unsigned int i, j;

	for (i = 0; i < procs->n; i++)
		if ((int)strlen(procs->v[i].comm) > wc)
			wc = strlen(procs->v[i].comm);
	printf("%-8s %-11s %-11s %-*s  %s\n", "PID", "ORIGIN_NID",
	       "ORIGIN_PID", wc, "COMM", "THREADS");
	for (i = 0; i < procs->n; i++) {
		const struct pcn_proc *p = &procs->v[i];

		if (only != PCN_NONE && p->pid != only)
			continue;
		printf("%-8s %-11s %-11s %-*s  %u\n",
		       u32_str(p->pid, "-", a, sizeof(a)),
		       u32_str(p->origin_nid, "-", b, sizeof(b)),
		       u32_str(p->origin_pid, "-", c, sizeof(c)), wc,
		       p->comm[0] ? p->comm : "-", p->nthreads);
		if (!p->nthreads)
			continue;
		printf("%-8s %-11s %-11s %s\n", "", "TID", "NODE",
		       "LOCAL_TID");
		for (j = 0; j < p->nthreads; j++) {
			const struct pcn_thread *t = &p->threads[j];

			printf("%-8s %-11s %-11s %s\n", "",
			       u32_str(t->tid, "-", a, sizeof(a)),
			       u32_str(t->nid, "-", b, sizeof(b)),
			       u32_str(t->local_tid, "-", c, sizeof(c)));
		}
	}
}

static void json_u32(const char *key, uint32_t v, int first)
{
	char buf[16];

	printf("%s\"%s\":%s", first ? "" : ",", key,
	       u32_str(v, "null", buf, sizeof(buf)));
}

static void json_counter(const struct pcn_proc *p, const char *key, int attr)
{
	if (pcn_has(&p->c, attr))
		printf(",\"%s\":%" PRIu64, key, pcn_val(&p->c, attr));
	else
		printf(",\"%s\":null", key);
}

static void proc_json_one(const struct pcn_proc *p)
{
	unsigned int j;
	int k;

	json_u32("pid", p->pid, 1);
	json_u32("origin_nid", p->origin_nid, 0);
	json_u32("origin_pid", p->origin_pid, 0);
	printf(",\"comm\":");
	pcn_json_str(p->comm[0] ? p->comm : NULL);
	printf(",\"threads\":[");
	for (j = 0; j < p->nthreads; j++) {
		printf("%s{", j ? "," : "");
		json_u32("tid", p->threads[j].tid, 1);
		json_u32("nid", p->threads[j].nid, 0);
		json_u32("local_tid", p->threads[j].local_tid, 0);
		putchar('}');
	}
	printf("],\"faults\":{");
	for (k = 0; k < PCN_FAULT_KINDS; k++) {
		const struct pcn_fault_stat *f = &p->fault[k];

		printf("%s\"%s\":", k ? "," : "", pcn_fault_kind_name(k));
		if (f->have)
			printf("{\"ok\":%" PRIu64 ",\"retry\":%" PRIu64
			       ",\"error\":%" PRIu64 "}", f->ok, f->retry,
			       f->error);
		else
			printf("null");
	}
	putchar('}');
	json_counter(p, "migrations_out", PCN_A_STAT_MIGRATIONS_OUT);
	json_counter(p, "migrations_in", PCN_A_STAT_MIGRATIONS_IN);
	json_counter(p, "inval_sent", PCN_A_STAT_INVAL_SENT);
	json_counter(p, "inval_recv", PCN_A_STAT_INVAL_RECV);
}

static void proc_json(const struct pcn_procs *procs, uint32_t only)
{
	unsigned int i, k = 0;

	printf("{\"processes\":[");
	for (i = 0; i < procs->n; i++) {
		if (only != PCN_NONE && procs->v[i].pid != only)
			continue;
		printf("%s{", k++ ? "," : "");
		proc_json_one(&procs->v[i]);
		putchar('}');
	}
	puts("]}");
}

static int proc_find(const struct pcn_procs *procs, uint32_t pid)
{
	unsigned int i;

	for (i = 0; i < procs->n; i++)
		if (procs->v[i].pid == pid)
			return 1;
	return 0;
}

int cmd_proc(int argc, char **argv)
{
	static const char what[] = "proc";
	static const struct option opts[] = {
		{ "json",	no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct pcn_procs procs = { 0 };
	struct pcn_nl nl = { 0 };
	uint32_t only = PCN_NONE;
	int json = 0;
	int err;

	while (pcn_getopt(argc, argv, opts, what) != -1)
		json = 1;
	if (argc - optind > 1)
		pcn_usage_error(what, "unexpected argument '%s'",
				argv[optind + 1]);
	if (argc - optind == 1) {
		only = pcn_arg_u32(what, "PID", argv[optind]);
		if (only == PCN_NONE)
			pcn_usage_error(what, "PID '%s' is out of range",
					argv[optind]);
	}

	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	err = pcn_procs_get(&nl, &procs);
	pcn_nl_close(&nl);
	if (err == -EOPNOTSUPP && !nl.extack[0])
		snprintf(nl.extack, sizeof(nl.extack),
			 "the kernel has no PROC_GET (older than this pcnctl?)");
	if (err) {
		pcn_procs_free(&procs);
		return pcn_nl_fail(&nl, what, err);
	}
	if (only != PCN_NONE && !proc_find(&procs, only)) {
		fprintf(stderr, "pcnctl: %s: no distributed process %" PRIu32
			" on this node\n", what, only);
		pcn_procs_free(&procs);
		return PCN_EXIT_FAIL;
	}
	if (json)
		proc_json(&procs, only);
	else
		proc_table(&procs, only);
	pcn_procs_free(&procs);
	return PCN_EXIT_OK;
}
