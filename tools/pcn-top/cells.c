// SPDX-License-Identifier: GPL-2.0
/*
 * pcn-top: the tables' columns and their cells as text, the same for the
 * batch output and the curses view. A cell never contains a space (a
 * process name's spaces become '_'), so batch lines split on blanks.
 *
 * Rates of messages and faults are whole numbers per second, MB/s (10^6
 * bytes) have two decimals, latencies are in microseconds with one decimal
 * under 10 us and none above, "-" when there is nothing to measure.
 */
#include <inttypes.h>
#include <stdio.h>

#include "top.h"

/* name, curses width, left aligned, sorts largest first */
const struct top_col top_cluster_cols[TOP_CLUSTER_COLS] = {
	{ "NID", 4, 0, 0 },
	{ "STATE", 10, 1, 0 },
	{ "CPU%", 6, 0, 1 },
	{ "RUNNABLE", 8, 0, 1 },
	{ "HOSTED", 6, 0, 1 },
	{ "FAULTS/S", 8, 0, 1 },
	{ "MSGS/S", 8, 0, 1 },
};

const struct top_col top_node_cols[TOP_NODE_COLS] = {
	{ "NID", 4, 0, 0 },
	{ "STATE", 10, 1, 0 },
	{ "TRANSPORT", 9, 1, 0 },
	{ "MSGS_IN/S", 9, 0, 1 },
	{ "MSGS_OUT/S", 10, 0, 1 },
	{ "MB_IN/S", 8, 0, 1 },
	{ "MB_OUT/S", 8, 0, 1 },
	{ "BAD", 6, 0, 1 },
	{ "TERR", 6, 0, 1 },
};

const struct top_col top_fault_cols[TOP_FAULT_COLS] = {
	{ "KIND", 7, 1, 0 },
	{ "TOTAL", 10, 0, 1 },
	{ "/S", 7, 0, 1 },
	{ "P50_US", 8, 0, 1 },
	{ "P99_US", 8, 0, 1 },
	{ "RETRIES", 8, 0, 1 },
	{ "ERRORS", 7, 0, 1 },
};

const struct top_col top_proc_cols[TOP_PROC_COLS] = {
	{ "PID", 7, 0, 0 },
	{ "ORIGIN", 6, 0, 0 },
	{ "COMM", 16, 1, 0 },
	{ "THREADS", 7, 0, 1 },
};

const struct top_col top_thread_cols[TOP_THREAD_COLS] = {
	{ "THREAD", 6, 1, 0 },
	{ "TID", 7, 0, 0 },
	{ "NODE", 4, 0, 0 },
	{ "PID", 7, 0, 0 },
};

const struct top_col top_type_cols[TOP_TYPE_COLS] = {
	{ "TYPE", 20, 1, 0 },
	{ "MSGS_IN/S", 10, 0, 1 },
	{ "MSGS_OUT/S", 10, 0, 1 },
	{ "BYTES_IN/S", 12, 0, 1 },
	{ "BYTES_OUT/S", 12, 0, 1 },
};

const int top_ncols[TOP_TABLES] = {
	[TOP_T_NODES]	= TOP_NODE_COLS,
	[TOP_T_PROCS]	= TOP_PROC_COLS,
	[TOP_T_TYPES]	= TOP_TYPE_COLS,
};

static void rate(char *c, double v)
{
	snprintf(c, TOP_CELL, "%.0f", v);
}

static void u64(char *c, uint64_t v)
{
	snprintf(c, TOP_CELL, "%" PRIu64, v);
}

static void u32(char *c, uint32_t v)
{
	if (v == PCN_NONE)
		snprintf(c, TOP_CELL, "-");
	else
		snprintf(c, TOP_CELL, "%" PRIu32, v);
}

static void usec(char *c, double us)
{
	if (us < 0)
		snprintf(c, TOP_CELL, "-");
	else
		snprintf(c, TOP_CELL, us < 10 ? "%.1f" : "%.0f", us);
}

/*
 * @s as one printable ASCII word: blanks and control characters become
 * '_', other bytes (UTF-8) '?'; "-" when empty.
 */
static void word(char *c, const char *s)
{
	unsigned char ch;
	int i;

	snprintf(c, TOP_CELL, "%s", s[0] ? s : "-");
	for (i = 0; c[i]; i++) {
		ch = c[i];
		if (ch <= ' ')
			c[i] = '_';
		else if (ch >= 0x7f)
			c[i] = '?';
	}
}

/*
 * A node's own view of itself: "-" in every cell its counters did not
 * give (it is down, or older, or this is the first sample for rates).
 */
void top_cluster_cells(const struct top_cnode *n, struct top_row *r)
{
	int i;

	u32(r->cell[0], n->nid);
	word(r->cell[1], n->state);
	if (!n->have) {
		for (i = 2; i < TOP_CLUSTER_COLS; i++)
			snprintf(r->cell[i], TOP_CELL, "-");
		return;
	}
	if (n->cpu < 0)
		snprintf(r->cell[2], TOP_CELL, "-");
	else
		snprintf(r->cell[2], TOP_CELL, "%.0f", n->cpu);
	if (n->running < 0)
		snprintf(r->cell[3], TOP_CELL, "-");
	else
		u64(r->cell[3], n->running);
	if (n->hosted < 0)
		snprintf(r->cell[4], TOP_CELL, "-");
	else
		u64(r->cell[4], n->hosted);
	rate(r->cell[5], n->faults);
	rate(r->cell[6], n->msgs);
}

void top_node_cells(const struct top_node *n, struct top_row *r)
{
	u32(r->cell[0], n->nid);
	word(r->cell[1], n->state);
	word(r->cell[2], n->transport);
	rate(r->cell[3], n->msgs_in);
	rate(r->cell[4], n->msgs_out);
	snprintf(r->cell[5], TOP_CELL, "%.2f", n->mb_in);
	snprintf(r->cell[6], TOP_CELL, "%.2f", n->mb_out);
	u64(r->cell[7], n->bad);
	u64(r->cell[8], n->terr);
}

void top_fault_cells(const struct top_view *v, int kind, struct top_row *r)
{
	const struct top_fault *f = &v->fault[kind];
	int i;

	word(r->cell[0], pcn_fault_kind_name(kind));
	if (!f->have) {
		for (i = 1; i < TOP_FAULT_COLS; i++)
			word(r->cell[i], "");
		return;
	}
	u64(r->cell[1], f->total);
	rate(r->cell[2], f->rate);
	usec(r->cell[3], f->p50_us);
	usec(r->cell[4], f->p99_us);
	u64(r->cell[5], f->retries);
	u64(r->cell[6], f->errors);
}

void top_proc_cells(const struct pcn_proc *p, struct top_row *r)
{
	u32(r->cell[0], p->pid);
	u32(r->cell[1], p->origin_nid);
	word(r->cell[2], p->comm);
	snprintf(r->cell[3], TOP_CELL, "%u", p->nthreads);
}

void top_thread_cells(const struct pcn_proc *p, const struct pcn_thread *t,
		      struct top_row *r)
{
	word(r->cell[0], "THREAD");
	u32(r->cell[1], t->tid);
	u32(r->cell[2], t->nid);
	u32(r->cell[3], p->pid);
}

void top_type_cells(const struct top_type *t, struct top_row *r)
{
	word(r->cell[0], t->name);
	rate(r->cell[1], t->msgs_in);
	rate(r->cell[2], t->msgs_out);
	rate(r->cell[3], t->bytes_in);
	rate(r->cell[4], t->bytes_out);
}

void top_inval_line(const struct top_view *v, char *buf, size_t len)
{
	snprintf(buf, len, "INVALIDATIONS SENT/S %.0f RECV/S %.0f  MIGRATIONS FORWARD/S %.0f HOME/S %.0f",
		 v->inval_sent, v->inval_recv, v->mig_forward, v->mig_home);
}
