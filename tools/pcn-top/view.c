// SPDX-License-Identifier: GPL-2.0
/*
 * pcn-top: what a snapshot shows, from two samples: rates are the counters'
 * differences divided by the time between the samples; a counter that went
 * backwards (a node deleted and added again) counts from zero. Latency
 * percentiles are over the interval's histogram difference when there were
 * faults in it, else over the whole histogram.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "top.h"

static uint64_t delta(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : cur;
}

static const struct pcn_node *node_find(const struct top_sample *s,
					uint32_t nid)
{
	unsigned int i;

	if (!s || s->err_nodes)
		return NULL;
	for (i = 0; i < s->nodes.n; i++)
		if (s->nodes.v[i].nid == nid)
			return &s->nodes.v[i];
	return NULL;
}

static const char *node_state(const struct pcn_node *n)
{
	if (n->self)
		return "self";
	return n->state < 0 ? "-" : pcn_state_name(n->state);
}

static void node_rates(struct top_node *r, const struct pcn_node *cur,
		       const struct pcn_node *prev, double dt)
{
	if (!prev || dt <= 0)
		return;		/* new, or no earlier reading: 0 */
	r->msgs_in = delta(cur->msgs_in, prev->msgs_in) / dt;
	r->msgs_out = delta(cur->msgs_out, prev->msgs_out) / dt;
	r->mb_in = delta(cur->bytes_in, prev->bytes_in) / dt / 1e6;
	r->mb_out = delta(cur->bytes_out, prev->bytes_out) / dt / 1e6;
}

/* Nodes of @s into ctx->seen (the first sample is only ever "prev"). */
static void remember(struct top_ctx *ctx, const struct top_sample *s)
{
	const struct pcn_node *n;
	unsigned int i;

	if (!s || s->err_nodes)
		return;
	for (i = 0; i < s->nodes.n; i++) {
		n = &s->nodes.v[i];
		if (n->nid >= PCN_MAX_NODES)
			continue;
		ctx->seen[n->nid] = 1;
		snprintf(ctx->seen_transport[n->nid],
			 sizeof(ctx->seen_transport[n->nid]), "%s",
			 n->self || !n->transport[0] ? "-" : n->transport);
	}
}

static int view_nodes(struct top_ctx *ctx, struct top_view *v,
		      const struct top_sample *prev,
		      const struct top_sample *cur, double dt)
{
	const struct pcn_node *n;
	struct top_node *r;
	unsigned int i;
	uint32_t nid;

	v->n_nodes = 0;
	remember(ctx, prev);
	remember(ctx, cur);
	if (cur->err_nodes)
		return 0;
	for (i = 0; i < cur->nodes.n; i++) {
		n = &cur->nodes.v[i];
		if (n->self)
			v->self = n->nid;
		if (pcn_grow((void **)&v->nodes, v->n_nodes, &v->cap_nodes,
			 sizeof(*r)))
			return -ENOMEM;
		r = &v->nodes[v->n_nodes++];
		memset(r, 0, sizeof(*r));
		r->nid = n->nid;
		r->state = node_state(n);
		snprintf(r->transport, sizeof(r->transport), "%s",
			 n->self || !n->transport[0] ? "-" : n->transport);
		r->bad = n->bad_msgs;
		r->terr = n->transport_errors;
		node_rates(r, n, node_find(prev, n->nid), dt);
	}
	/* Nodes that left the dump: a row each, absent, no traffic. */
	for (nid = 0; nid < PCN_MAX_NODES; nid++) {
		if (!ctx->seen[nid] || node_find(cur, nid))
			continue;
		if (pcn_grow((void **)&v->nodes, v->n_nodes, &v->cap_nodes,
			 sizeof(*r)))
			return -ENOMEM;
		r = &v->nodes[v->n_nodes++];
		memset(r, 0, sizeof(*r));
		r->nid = nid;
		r->state = "absent";
		memcpy(r->transport, ctx->seen_transport[nid],
		       sizeof(r->transport));
	}
	return 0;
}

/* Node @nid's own counters in @s, NULL when it has none there. */
static const struct pcn_stat *node_stat(const struct top_sample *s,
					 uint32_t nid, int self)
{
	if (!s)
		return NULL;
	if (self)
		return s->err_stat ? NULL : &s->stat;
	if (nid >= PCN_MAX_NODES || !s->peer_asked[nid] || s->peer_err[nid])
		return NULL;
	return &s->peer[nid];
}

static uint64_t stat_faults(const struct pcn_stat *st)
{
	uint64_t n = 0;
	int k;

	for (k = 0; k < PCN_FAULT_KINDS; k++)
		if (st->fault[k].have)
			n += st->fault[k].ok + st->fault[k].error;
	return n;
}

static uint64_t stat_msgs(const struct pcn_stat *st)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < st->types.n; i++)
		n += st->types.v[i].msgs_in + st->types.v[i].msgs_out;
	return n;
}

/*
 * The cluster view: a row per node of @v->nodes, from that node's own
 * counters. Its rates are over that node's own clock (its UPTIME_NS in
 * both readings), so the nodes' clocks need not agree.
 */
static int view_cluster(struct top_view *v, const struct top_sample *prev,
			const struct top_sample *cur)
{
	const struct pcn_stat *a, *b;
	struct top_cnode *r;
	double dt, cpus;
	unsigned int i;
	int self;

	v->n_cnodes = 0;
	for (i = 0; i < v->n_nodes; i++) {
		if (pcn_grow((void **)&v->cnodes, v->n_cnodes, &v->cap_cnodes,
			     sizeof(*r)))
			return -ENOMEM;
		r = &v->cnodes[v->n_cnodes++];
		memset(r, 0, sizeof(*r));
		r->nid = v->nodes[i].nid;
		r->state = v->nodes[i].state;
		r->cpu = -1;
		r->running = r->hosted = -1;
		self = (int)r->nid == v->self;
		b = node_stat(cur, r->nid, self);
		if (!b)
			continue;
		r->have = 1;
		if (pcn_has(&b->c, PCN_A_STAT_NR_RUNNING))
			r->running = pcn_val(&b->c, PCN_A_STAT_NR_RUNNING);
		if (pcn_has(&b->c, PCN_A_STAT_REMOTE_THREADS))
			r->hosted = pcn_val(&b->c, PCN_A_STAT_REMOTE_THREADS);
		a = node_stat(prev, r->nid, self);
		if (!a || !pcn_has(&a->c, PCN_A_STAT_UPTIME_NS) ||
		    !pcn_has(&b->c, PCN_A_STAT_UPTIME_NS))
			continue;
		dt = (double)delta(pcn_val(&b->c, PCN_A_STAT_UPTIME_NS),
				   pcn_val(&a->c, PCN_A_STAT_UPTIME_NS)) / 1e9;
		if (dt <= 0)
			continue;
		r->faults = delta(stat_faults(b), stat_faults(a)) / dt;
		r->msgs = delta(stat_msgs(b), stat_msgs(a)) / dt;
		cpus = pcn_val(&b->c, PCN_A_STAT_CPUS);
		if (cpus > 0 && pcn_has(&a->c, PCN_A_STAT_CPU_BUSY_NS))
			r->cpu = 100.0 *
				 delta(pcn_val(&b->c, PCN_A_STAT_CPU_BUSY_NS),
				       pcn_val(&a->c, PCN_A_STAT_CPU_BUSY_NS)) /
				 1e9 / dt / cpus;
	}
	return 0;
}

static void view_faults(struct top_view *v, const struct top_sample *prev,
			const struct top_sample *cur, double dt)
{
	const struct pcn_fault_stat *f, *pf;
	uint64_t d[PCN_LAT_BUCKETS];
	const uint64_t *h;
	struct top_fault *r;
	int k, have_prev = prev && !prev->err_stat && dt > 0;

	memset(v->fault, 0, sizeof(v->fault));
	v->have_faults = !cur->err_stat;
	if (cur->err_stat)
		return;
	for (k = 0; k < PCN_FAULT_KINDS; k++) {
		f = &cur->stat.fault[k];
		pf = have_prev ? &prev->stat.fault[k] : NULL;
		r = &v->fault[k];
		r->p50_us = r->p99_us = -1;
		if (!f->have)
			continue;
		r->have = 1;
		r->total = f->ok + f->error;
		r->retries = f->retry;
		r->errors = f->error;
		if (pf && pf->have)
			r->rate = delta(r->total, pf->ok + pf->error) / dt;
		if (!f->have_hist)
			continue;
		h = f->hist;
		if (pf && pf->have_hist) {
			pcn_hist_delta(d, f->hist, pf->hist);
			if (pcn_hist_count(d))
				h = d;
		}
		if (pcn_hist_count(h)) {
			r->p50_us = pcn_hist_percentile(h, 50) / 1000;
			r->p99_us = pcn_hist_percentile(h, 99) / 1000;
		}
	}
}

static double scalar_rate(const struct top_sample *prev,
			  const struct top_sample *cur, int attr, double dt)
{
	if (!prev || prev->err_stat || cur->err_stat || dt <= 0 ||
	    !pcn_has(&cur->stat.c, attr) || !pcn_has(&prev->stat.c, attr))
		return 0;
	return delta(pcn_val(&cur->stat.c, attr),
		     pcn_val(&prev->stat.c, attr)) / dt;
}

static double migrate_rate(const struct top_sample *prev,
			   const struct top_sample *cur, int dir, double dt)
{
	const struct pcn_migrate_stat *m, *pm;

	if (!prev || prev->err_stat || cur->err_stat || dt <= 0)
		return 0;
	m = &cur->stat.migrate[dir];
	pm = &prev->stat.migrate[dir];
	if (!m->have || !pm->have)
		return 0;
	return delta(m->count, pm->count) / dt;
}

static const struct pcn_type *type_find(const struct top_sample *s,
					const struct pcn_type *t)
{
	const struct pcn_type *p;
	unsigned int i;

	if (!s || s->err_stat)
		return NULL;
	for (i = 0; i < s->stat.types.n; i++) {
		p = &s->stat.types.v[i];
		if (p->id == t->id && !strcmp(p->name, t->name))
			return p;
	}
	return NULL;
}

/* The message types that have carried anything so far. */
static int view_types(struct top_view *v, const struct top_sample *prev,
		      const struct top_sample *cur, double dt)
{
	const struct pcn_type *t, *p;
	struct top_type *r;
	unsigned int i;

	v->n_types = 0;
	if (cur->err_stat)
		return 0;
	for (i = 0; i < cur->stat.types.n; i++) {
		t = &cur->stat.types.v[i];
		if (!t->msgs_in && !t->msgs_out && !t->bytes_in &&
		    !t->bytes_out)
			continue;
		if (pcn_grow((void **)&v->types, v->n_types, &v->cap_types,
			 sizeof(*r)))
			return -ENOMEM;
		r = &v->types[v->n_types++];
		memset(r, 0, sizeof(*r));
		r->id = t->id;
		if (t->name[0])
			snprintf(r->name, sizeof(r->name), "%s", t->name);
		else
			snprintf(r->name, sizeof(r->name), "type_%d", t->id);
		p = dt > 0 ? type_find(prev, t) : NULL;
		if (!p)
			continue;
		r->msgs_in = delta(t->msgs_in, p->msgs_in) / dt;
		r->msgs_out = delta(t->msgs_out, p->msgs_out) / dt;
		r->bytes_in = delta(t->bytes_in, p->bytes_in) / dt;
		r->bytes_out = delta(t->bytes_out, p->bytes_out) / dt;
	}
	return 0;
}

static int view_procs(struct top_view *v, const struct top_sample *cur)
{
	unsigned int i;

	v->n_procs = 0;
	v->procs_unsupported = cur->err_procs == -EOPNOTSUPP;
	if (cur->err_procs)
		return 0;
	for (i = 0; i < cur->procs.n; i++) {
		if (pcn_grow((void **)&v->procs, v->n_procs, &v->cap_procs,
			 sizeof(*v->procs)))
			return -ENOMEM;
		v->procs[v->n_procs++] = &cur->procs.v[i];
	}
	return 0;
}

/* @prev may be NULL (no rates then). Returns 0 or -ENOMEM. */
int top_view_build(struct top_ctx *ctx, struct top_view *v,
		   const struct top_sample *prev, const struct top_sample *cur)
{
	double dt = prev ? cur->t - prev->t : 0;

	v->self = -1;
	v->interval = dt;
	v->status = cur->status;
	if (view_nodes(ctx, v, prev, cur, dt) ||
	    view_cluster(v, prev, cur) || view_types(v, prev, cur, dt) ||
	    view_procs(v, cur))
		return -ENOMEM;
	view_faults(v, prev, cur, dt);
	v->inval_sent = scalar_rate(prev, cur, PCN_A_STAT_INVAL_SENT, dt);
	v->inval_recv = scalar_rate(prev, cur, PCN_A_STAT_INVAL_RECV, dt);
	v->mig_forward = migrate_rate(prev, cur, PCN_MIGRATE_FORWARD, dt);
	v->mig_home = migrate_rate(prev, cur, PCN_MIGRATE_HOME, dt);
	return 0;
}

void top_view_free(struct top_view *v)
{
	free(v->nodes);
	free(v->cnodes);
	free(v->procs);
	free(v->types);
	memset(v, 0, sizeof(*v));
}

/* ------------------------------------------------------------------ */
/* Sorting                                                            */

static int cmp_num(double a, double b)
{
	return (a > b) - (a < b);
}

static int sort_col, sort_sign;	/* qsort() has no context argument */

/* The value a numeric column sorts by. */
static double node_key(const struct top_node *n, int col)
{
	switch (col) {
	case 3:
		return n->msgs_in;
	case 4:
		return n->msgs_out;
	case 5:
		return n->mb_in;
	case 6:
		return n->mb_out;
	case 7:
		return n->bad;
	case 8:
		return n->terr;
	}
	return n->nid;
}

static int node_cmp(const void *a, const void *b)
{
	const struct top_node *x = a, *y = b;
	int c;

	if (sort_col == 1)
		c = strcmp(x->state, y->state);
	else if (sort_col == 2)
		c = strcmp(x->transport, y->transport);
	else
		c = cmp_num(node_key(x, sort_col), node_key(y, sort_col));
	c *= sort_sign;
	return c ? c : cmp_num(x->nid, y->nid);
}

static int proc_cmp(const void *a, const void *b)
{
	const struct pcn_proc *x = *(const struct pcn_proc *const *)a;
	const struct pcn_proc *y = *(const struct pcn_proc *const *)b;
	int c;

	if (sort_col == 1)
		c = cmp_num(x->origin_nid, y->origin_nid);
	else if (sort_col == 2)
		c = strcmp(x->comm, y->comm);
	else if (sort_col == 3)
		c = cmp_num(x->nthreads, y->nthreads);
	else
		c = cmp_num(x->pid, y->pid);
	c *= sort_sign;
	return c ? c : cmp_num(x->pid, y->pid);
}

static double type_key(const struct top_type *t, int col)
{
	switch (col) {
	case 1:
		return t->msgs_in;
	case 2:
		return t->msgs_out;
	case 3:
		return t->bytes_in;
	}
	return t->bytes_out;
}

static int type_cmp(const void *a, const void *b)
{
	const struct top_type *x = a, *y = b;
	int c;

	if (sort_col == 0)
		c = strcasecmp(x->name, y->name);
	else
		c = cmp_num(type_key(x, sort_col), type_key(y, sort_col));
	c *= sort_sign;
	return c ? c : cmp_num(x->id, y->id);
}

/* Column 0 of every table sorts ascending, the measures largest first. */
static void set_sort(const struct top_col *cols, const struct top_sort *s)
{
	sort_col = s->col;
	sort_sign = cols[s->col].desc ? -1 : 1;
	if (s->rev)
		sort_sign = -sort_sign;
}

void top_view_sort(struct top_view *v, const struct top_sort *sort)
{
	set_sort(top_node_cols, &sort[TOP_T_NODES]);
	qsort(v->nodes, v->n_nodes, sizeof(*v->nodes), node_cmp);
	set_sort(top_proc_cols, &sort[TOP_T_PROCS]);
	qsort(v->procs, v->n_procs, sizeof(*v->procs), proc_cmp);
	set_sort(top_type_cols, &sort[TOP_T_TYPES]);
	qsort(v->types, v->n_types, sizeof(*v->types), type_cmp);
}
