// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl proc: the distributed processes on this node (PROC_GET dump),
 * their threads, where each runs and, for a thread on this node, the CPU
 * time it used here, its faults that needed another node and its calls
 * forwarded to the origin; their fault, migration and invalidation
 * counters (JSON). pcnctl proc PID of a process started here asks
 * PROC_GET for that process alone: every thread's figures, from the node
 * it runs on, and the process's placement.
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
		printf("%-8s %-11s %-11s %-11s %10s %10s %10s\n", "", "TID",
		       "NODE", "LOCAL_TID", "CPU_S", "FAULTS", "CALLS");
		for (j = 0; j < p->nthreads; j++) {
			const struct pcn_thread *t = &p->threads[j];
			char cpu[32], f[24], k[24];

			snprintf(cpu, sizeof(cpu), "-");
			snprintf(f, sizeof(f), "-");
			snprintf(k, sizeof(k), "-");
			if (t->have_cpu) {
				snprintf(cpu, sizeof(cpu), "%.3f",
					 t->cpu_ns / 1e9);
				snprintf(f, sizeof(f), "%" PRIu64, t->faults);
				snprintf(k, sizeof(k), "%" PRIu64, t->calls);
			}
			printf("%-8s %-11s %-11s %-11s %10s %10s %10s\n", "",
			       u32_str(t->tid, "-", a, sizeof(a)),
			       u32_str(t->nid, "-", b, sizeof(b)),
			       u32_str(t->local_tid, "-", c, sizeof(c)),
			       cpu, f, k);
		}
	}
}

/* "KEY":V, null when absent. */
static void json_u32(struct json *j, const char *key, uint32_t v)
{
	json_key(j, key);
	if (v == PCN_NONE)
		json_null(j);
	else
		json_u64(j, v);
}

static void proc_json_one(struct json *j, const struct pcn_proc *p)
{
	const struct pcn_thread *t;
	unsigned int i;

	json_begin_object(j);
	json_u32(j, "pid", p->pid);
	json_u32(j, "origin_nid", p->origin_nid);
	json_u32(j, "origin_pid", p->origin_pid);
	json_key_string(j, "comm", p->comm[0] ? p->comm : NULL);
	json_key(j, "threads");
	json_begin_array(j);
	for (i = 0; i < p->nthreads; i++) {
		t = &p->threads[i];
		json_begin_object(j);
		json_u32(j, "tid", t->tid);
		json_u32(j, "nid", t->nid);
		json_u32(j, "local_tid", t->local_tid);
		json_key(j, "cpu_ns");
		if (t->have_cpu)
			json_u64(j, t->cpu_ns);
		else
			json_null(j);
		json_key(j, "faults");
		if (t->have_cpu)
			json_u64(j, t->faults);
		else
			json_null(j);
		json_key(j, "calls");
		if (t->have_cpu)
			json_u64(j, t->calls);
		else
			json_null(j);
		json_end_object(j);
	}
	json_end_array(j);
	pcn_json_faults(j, p->fault, 0);
	pcn_json_scalar(j, "migrations_out", &p->c, PCN_A_STAT_MIGRATIONS_OUT);
	pcn_json_scalar(j, "migrations_in", &p->c, PCN_A_STAT_MIGRATIONS_IN);
	pcn_json_scalar(j, "inval_sent", &p->c, PCN_A_STAT_INVAL_SENT);
	pcn_json_scalar(j, "inval_recv", &p->c, PCN_A_STAT_INVAL_RECV);
	json_end_object(j);
}

static void proc_json(const struct pcn_procs *procs, uint32_t only)
{
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_key(&j, "processes");
	json_begin_array(&j);
	for (i = 0; i < procs->n; i++)
		if (only == PCN_NONE || procs->v[i].pid == only)
			proc_json_one(&j, &procs->v[i]);
	json_end_array(&j);
	json_end_object(&j);
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
	struct pcn_procs procs = { 0 };
	struct pcn_nl nl = { 0 };
	uint32_t only = PCN_NONE;
	int json = pcn_show_args(argc, argv, what, 1);
	int err;

	if (argc - optind == 1) {
		only = pcn_arg_u32(what, "PID", argv[optind]);
		if (only == PCN_NONE)
			pcn_usage_error(what, "PID '%s' is out of range",
					argv[optind]);
	}

	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	err = -EREMOTE;
	if (only != PCN_NONE)
		err = pcn_proc_get(&nl, only, &procs);
	/* A process here for another node, or an older kernel: the dump. */
	if (err == -EREMOTE || err == -EOPNOTSUPP) {
		nl.extack[0] = '\0';
		err = pcn_procs_get(&nl, &procs);
	}
	if (err == -EOPNOTSUPP && !nl.extack[0])
		snprintf(nl.extack, sizeof(nl.extack),
			 "the kernel has no PROC_GET (older than this pcnctl?)");
	if (pcn_nl_end(&nl, what, err)) {
		pcn_procs_free(&procs);
		return PCN_EXIT_FAIL;
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
