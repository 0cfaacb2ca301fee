// SPDX-License-Identifier: GPL-2.0
/*
 * pcn-top -b: snapshots as plain text on stdout, no curses at all. Each
 * snapshot is every table, one after another, cells separated by single
 * spaces (see cells.c):
 *
 *   pcn-top: node 0, snapshot 1 of 2, interval 1.0 s
 *   CLUSTER
 *   NID STATE CPU% RUNNABLE HOSTED FAULTS/S MSGS/S
 *   0 self 87 2 0 0 1500
 *   1 online 68 1 1 2400 1500
 *   NODES
 *   NID STATE TRANSPORT MSGS_IN/S MSGS_OUT/S MB_IN/S MB_OUT/S BAD TERR
 *   0 self - 0 0 0.00 0.00 0 0
 *   FAULTS
 *   KIND TOTAL /S P50_US P99_US RETRIES ERRORS
 *   read 120 3 850 1700 0 0
 *   INVALIDATIONS SENT/S 0 RECV/S 0  MIGRATIONS FORWARD/S 0 HOME/S 0
 *   PROCESSES
 *   PID ORIGIN COMM THREADS
 *   THREAD TID NODE PID
 *   TYPES
 *   TYPE MSGS_IN/S MSGS_OUT/S BYTES_IN/S BYTES_OUT/S
 *
 * "of N" is "of -" when running until killed. A failed request is reported
 * on stderr and leaves its tables empty (FAULTS rows "-"); the exit status
 * is then 1.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "top.h"

static void row(struct top_row *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		printf("%s%s", i ? " " : "", r->cell[i]);
	putchar('\n');
}

static void head(const struct top_col *cols, int n)
{
	int i;

	for (i = 0; i < n; i++)
		printf("%s%s", i ? " " : "", cols[i].name);
	putchar('\n');
}

static void print_view(const struct top_view *v, int i, int count)
{
	unsigned int j, t;
	struct top_row c;
	char line[160];
	int k;

	printf("pcn-top: node ");
	if (v->self < 0)
		printf("-");
	else
		printf("%d", v->self);
	printf(", snapshot %d of ", i);
	if (count > 0)
		printf("%d", count);
	else
		printf("-");
	printf(", interval %.1f s\n", v->interval);

	puts("CLUSTER");
	head(top_cluster_cols, TOP_CLUSTER_COLS);
	for (j = 0; j < v->n_cnodes; j++) {
		top_cluster_cells(&v->cnodes[j], &c);
		row(&c, TOP_CLUSTER_COLS);
	}

	puts("NODES");
	head(top_node_cols, TOP_NODE_COLS);
	for (j = 0; j < v->n_nodes; j++) {
		top_node_cells(&v->nodes[j], &c);
		row(&c, TOP_NODE_COLS);
	}

	puts("FAULTS");
	head(top_fault_cols, TOP_FAULT_COLS);
	for (k = 0; k < PCN_FAULT_KINDS; k++) {
		top_fault_cells(v, k, &c);
		row(&c, TOP_FAULT_COLS);
	}
	top_inval_line(v, line, sizeof(line));
	puts(line);

	puts("PROCESSES");
	head(top_proc_cols, TOP_PROC_COLS);
	for (j = 0; j < v->n_procs; j++) {
		top_proc_cells(v->procs[j], &c);
		row(&c, TOP_PROC_COLS);
	}
	head(top_thread_cols, TOP_THREAD_COLS);
	for (j = 0; j < v->n_procs; j++) {
		for (t = 0; t < v->procs[j]->nthreads; t++) {
			top_thread_cells(v->procs[j],
					 &v->procs[j]->threads[t], &c);
			row(&c, TOP_THREAD_COLS);
		}
	}

	puts("TYPES");
	head(top_type_cols, TOP_TYPE_COLS);
	for (j = 0; j < v->n_types; j++) {
		top_type_cells(&v->types[j], &c);
		row(&c, TOP_TYPE_COLS);
	}
	fflush(stdout);
}

static void sleep_until(double t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

/* A failed sample: its status on stderr; returns 1 for the exit status. */
static int report(const struct top_sample *s)
{
	if (!s->status[0])
		return 0;
	fprintf(stderr, "pcn-top: %s\n", s->status);
	return 1;
}

/* @count snapshots, 0 for ever. */
int top_batch(struct top_ctx *ctx, int count)
{
	struct top_sample a = { 0 }, b = { 0 };
	struct top_sample *prev = &a, *cur = &b, *tmp;
	static const struct top_sort sort[TOP_TABLES];
	struct top_view v = { 0 };
	int i, failed = 0;
	double start;

	start = top_now();
	top_sample_take(ctx, prev);
	failed |= report(prev);
	for (i = 1; !count || i <= count; i++) {
		sleep_until(start + i * ctx->interval);
		top_sample_take(ctx, cur);
		failed |= report(cur);
		if (top_view_build(ctx, &v, prev, cur)) {
			fprintf(stderr, "pcn-top: out of memory\n");
			failed = 1;
			break;
		}
		top_view_sort(&v, sort);
		print_view(&v, i, count);
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	top_view_free(&v);
	top_sample_free(&a);
	top_sample_free(&b);
	return failed ? TOP_EXIT_FAIL : TOP_EXIT_OK;
}
