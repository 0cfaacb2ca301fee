// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn counters into plain structs (pcnstat.h): STAT_GET, the NODE_GET
 * and PROC_GET dumps, and the latency histogram percentiles. The callbacks
 * copy everything out of the receive buffer, which the next reply reuses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcnstat.h"

static const char *const state_names[] = {
	[PCN_NODE_DOWN]		= "down",
	[PCN_NODE_CONNECTING]	= "connecting",
	[PCN_NODE_ONLINE]	= "online",
	[PCN_NODE_RECONNECTING]	= "reconnecting",
};

static const char *const fault_names[PCN_FAULT_KINDS] = {
	[PCN_FAULT_READ]	= "read",
	[PCN_FAULT_WRITE]	= "write",
	[PCN_FAULT_UPGRADE]	= "upgrade",
};

static const char *const migrate_names[PCN_MIGRATE_DIRS] = {
	[PCN_MIGRATE_FORWARD]	= "forward",
	[PCN_MIGRATE_HOME]	= "home",
};

const char *pcn_state_name(int state)
{
	if (state < 0)
		return "-";
	if (state >= (int)ARRAY_SIZE(state_names))
		return "unknown";
	return state_names[state];
}

const char *pcn_fault_kind_name(int kind)
{
	return kind >= 0 && kind < PCN_FAULT_KINDS ? fault_names[kind] : "?";
}

const char *pcn_migrate_dir_name(int dir)
{
	return dir >= 0 && dir < PCN_MIGRATE_DIRS ? migrate_names[dir] : "?";
}

/* ------------------------------------------------------------------ */
/* Histograms                                                         */

uint64_t pcn_hist_count(const uint64_t *hist)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < PCN_LAT_BUCKETS; i++)
		n += hist[i];
	return n;
}

/*
 * The latency in ns below which @pct percent of the samples lie, or -1 for
 * an empty histogram. Finds the bucket where the cumulative count reaches
 * pct% of the total and interpolates linearly inside it: bucket 0 spans
 * [0, 2) ns, bucket i > 0 spans [2^i, 2^(i+1)) ns (the last one is taken
 * with the same width, though it also holds anything longer). E.g. 100
 * samples all in bucket 10 give p50 = 1024 + 0.50 * 1024 = 1536 ns and p99
 * = 1024 + 0.99 * 1024 = 2037.76 ns.
 */
double pcn_hist_percentile(const uint64_t *hist, double pct)
{
	uint64_t total = pcn_hist_count(hist);
	double rank, cum = 0, lo = 0, hi = 0, f;
	int i;

	if (!total)
		return -1;
	rank = total * pct / 100.0;
	for (i = 0; i < PCN_LAT_BUCKETS; i++) {
		if (!hist[i])
			continue;
		lo = i ? (double)(1ULL << i) : 0;
		hi = (double)(1ULL << (i + 1));
		if (cum + hist[i] >= rank) {
			f = (rank - cum) / hist[i];
			if (f < 0)
				f = 0;
			return lo + (hi - lo) * f;
		}
		cum += hist[i];
	}
	return hi;	/* rounding ran past the last sample */
}

/* @out = @cur - @prev; a bucket that went backwards was reset: @cur. */
void pcn_hist_delta(uint64_t *out, const uint64_t *cur, const uint64_t *prev)
{
	int i;

	for (i = 0; i < PCN_LAT_BUCKETS; i++)
		out[i] = cur[i] >= prev[i] ? cur[i] - prev[i] : cur[i];
}

/* ------------------------------------------------------------------ */
/* Attribute helpers                                                  */

static void scalars_fill(struct pcn_scalars *s, const struct nlattr **tb)
{
	int a;

	for (a = 1; a <= PCN_A_MAX; a++) {
		if (!tb[a])
			continue;
		switch (pcn_attr_policy(a)) {
		case MNL_TYPE_U8:
			s->val[a] = mnl_attr_get_u8(tb[a]);
			break;
		case MNL_TYPE_U16:
			s->val[a] = mnl_attr_get_u16(tb[a]);
			break;
		case MNL_TYPE_U32:
			s->val[a] = mnl_attr_get_u32(tb[a]);
			break;
		case MNL_TYPE_U64:
			s->val[a] = mnl_attr_get_u64(tb[a]);
			break;
		default:
			continue;
		}
		s->have[a] = 1;
	}
}

/* A LAT_HIST of any whole number of u64s; extra buckets fold into the last. */
static void hist_fill(uint64_t *hist, int *have, const struct nlattr *attr)
{
	const char *p;
	unsigned int i, n;
	uint64_t v;

	memset(hist, 0, PCN_LAT_BUCKETS * sizeof(*hist));
	*have = 0;
	if (!attr)
		return;
	n = mnl_attr_get_payload_len(attr);
	if (!n || n % sizeof(v))
		return;
	p = mnl_attr_get_payload(attr);
	for (i = 0; i < n / sizeof(v); i++) {
		memcpy(&v, p + i * sizeof(v), sizeof(v));	/* 4-aligned */
		hist[i < PCN_LAT_BUCKETS ? i : PCN_LAT_BUCKETS - 1] += v;
	}
	*have = 1;
}

static void str_fill(char *dst, size_t len, const struct nlattr *attr)
{
	snprintf(dst, len, "%s", attr ? mnl_attr_get_str(attr) : "");
}

static uint32_t u32_or_none(const struct nlattr *attr)
{
	return pcn_attr_u32(attr, PCN_NONE);
}

/* Grows *@v (of @size-byte elements) to hold one more than @n. */
int pcn_grow(void **v, unsigned int n, unsigned int *cap, size_t size)
{
	unsigned int c = *cap ? 2 * *cap : 8;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, c * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

/* The repeated nests of type @type at the top level of @nlh. */
typedef int (*nest_fn)(const struct nlattr **tb, void *arg);

static int walk_nests(const struct nlmsghdr *nlh, uint16_t type,
			 nest_fn fn, void *arg)
{
	const struct nlattr *attr;
	int err;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };

		if (mnl_attr_get_type(attr) != type)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    pcn_attr_parse_nested(attr, tb) < 0)
			return -EBADMSG;
		err = fn(tb, arg);
		if (err)
			return err;
	}
	return 0;
}

static int type_nest(const struct nlattr **tb, void *arg)
{
	struct pcn_types *types = arg;
	struct pcn_type *t;

	if (pcn_grow((void **)&types->v, types->n, &types->cap, sizeof(*t)))
		return -ENOMEM;
	t = &types->v[types->n++];
	memset(t, 0, sizeof(*t));
	t->id = tb[PCN_A_TYPE_ID] ? mnl_attr_get_u16(tb[PCN_A_TYPE_ID]) : -1;
	str_fill(t->name, sizeof(t->name), tb[PCN_A_TYPE_NAME]);
	t->msgs_in = pcn_attr_u64(tb[PCN_A_MSGS_IN], 0);
	t->msgs_out = pcn_attr_u64(tb[PCN_A_MSGS_OUT], 0);
	t->bytes_in = pcn_attr_u64(tb[PCN_A_BYTES_IN], 0);
	t->bytes_out = pcn_attr_u64(tb[PCN_A_BYTES_OUT], 0);
	return 0;
}

/* @arg: struct pcn_fault_stat[PCN_FAULT_KINDS]; unknown kinds are skipped. */
static int fault_nest(const struct nlattr **tb, void *arg)
{
	struct pcn_fault_stat *f = arg;
	unsigned int kind;

	if (!tb[PCN_A_FAULT_KIND])
		return 0;
	kind = mnl_attr_get_u8(tb[PCN_A_FAULT_KIND]);
	if (kind >= PCN_FAULT_KINDS)
		return 0;
	f += kind;
	f->have = 1;
	f->ok = pcn_attr_u64(tb[PCN_A_FAULT_OK], 0);
	f->retry = pcn_attr_u64(tb[PCN_A_FAULT_RETRY], 0);
	f->error = pcn_attr_u64(tb[PCN_A_FAULT_ERROR], 0);
	hist_fill(f->hist, &f->have_hist, tb[PCN_A_LAT_HIST]);
	return 0;
}

static int migrate_nest(const struct nlattr **tb, void *arg)
{
	struct pcn_migrate_stat *m = arg;
	unsigned int dir;

	if (!tb[PCN_A_MIGRATE_DIR])
		return 0;
	dir = mnl_attr_get_u8(tb[PCN_A_MIGRATE_DIR]);
	if (dir >= PCN_MIGRATE_DIRS)
		return 0;
	m += dir;
	m->have = 1;
	m->count = pcn_attr_u64(tb[PCN_A_MIGRATE_COUNT], 0);
	hist_fill(m->hist, &m->have_hist, tb[PCN_A_LAT_HIST]);
	return 0;
}

/* MNL_CB_ERROR with errno set, as pcn_nl_talk() wants it. */
static int cb_error(int err)
{
	errno = -err;
	return MNL_CB_ERROR;
}

/* ------------------------------------------------------------------ */
/* STAT_GET                                                           */

struct stat_ctx {
	struct pcn_stat *st;
	int got;
};

static int stat_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };
	struct stat_ctx *ctx = data;
	struct pcn_stat *st = ctx->st;
	int err;

	if (pcn_attr_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	scalars_fill(&st->c, tb);
	err = walk_nests(nlh, PCN_A_STAT_TYPE, type_nest, &st->types);
	if (!err)
		err = walk_nests(nlh, PCN_A_STAT_FAULT, fault_nest,
				    st->fault);
	if (!err)
		err = walk_nests(nlh, PCN_A_STAT_MIGRATE, migrate_nest,
				    st->migrate);
	if (err)
		return cb_error(err);
	ctx->got = 1;
	return MNL_CB_OK;
}

int pcn_stat_get(struct pcn_nl *nl, struct pcn_stat *st)
{
	return pcn_stat_get_node(nl, -1, st);
}

int pcn_stat_get_node(struct pcn_nl *nl, int nid, struct pcn_stat *st)
{
	struct stat_ctx ctx = { .st = st };
	char buf[PCN_NL_REQSIZE];
	struct nlmsghdr *nlh;
	int err;

	memset(&st->c, 0, sizeof(st->c));
	memset(st->fault, 0, sizeof(st->fault));
	memset(st->migrate, 0, sizeof(st->migrate));
	st->types.n = 0;
	nlh = pcn_nl_req(nl, buf, PCN_CMD_STAT_GET, NLM_F_ACK);
	if (nid >= 0)
		mnl_attr_put_u32(nlh, PCN_A_NID, nid);
	err = pcn_nl_talk(nl, nlh, stat_cb, &ctx);
	if (!err && !ctx.got)
		err = -ENODATA;
	return err;
}

void pcn_stat_free(struct pcn_stat *st)
{
	free(st->types.v);
	memset(st, 0, sizeof(*st));
}

/* ------------------------------------------------------------------ */
/* NODE_GET                                                           */

static void node_fill(struct pcn_node *n, const struct nlattr **tb)
{
	n->nid = mnl_attr_get_u32(tb[PCN_A_NID]);
	str_fill(n->addr, sizeof(n->addr), tb[PCN_A_ADDR]);
	str_fill(n->transport, sizeof(n->transport), tb[PCN_A_TRANSPORT]);
	n->port = tb[PCN_A_PORT] ? mnl_attr_get_u16(tb[PCN_A_PORT]) : -1;
	n->state = tb[PCN_A_STATE] ? mnl_attr_get_u8(tb[PCN_A_STATE]) : -1;
	n->arch = tb[PCN_A_ARCH] ? mnl_attr_get_u8(tb[PCN_A_ARCH]) : -1;
	n->self = !!tb[PCN_A_SELF];
	n->loaded = !!tb[PCN_A_TRANSPORT_LOADED];
	n->key_set = !!tb[PCN_A_KEY_SET];
	n->msgs_in = pcn_attr_u64(tb[PCN_A_MSGS_IN], 0);
	n->msgs_out = pcn_attr_u64(tb[PCN_A_MSGS_OUT], 0);
	n->bytes_in = pcn_attr_u64(tb[PCN_A_BYTES_IN], 0);
	n->bytes_out = pcn_attr_u64(tb[PCN_A_BYTES_OUT], 0);
	n->bad_msgs = pcn_attr_u64(tb[PCN_A_BAD_MSGS], 0);
	n->connects = pcn_attr_u64(tb[PCN_A_CONNECTS], 0);
	n->have_terr = !!tb[PCN_A_STAT_TRANSPORT_ERRORS];
	n->transport_errors = pcn_attr_u64(tb[PCN_A_STAT_TRANSPORT_ERRORS], 0);
}

static int node_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };
	struct pcn_nodes *nodes = data;
	struct pcn_node *n;
	int err;

	if (pcn_attr_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	if (!tb[PCN_A_NID])
		return MNL_CB_OK;	/* nothing to file it under */
	if (pcn_grow((void **)&nodes->v, nodes->n, &nodes->cap, sizeof(*n)))
		return cb_error(-ENOMEM);
	n = &nodes->v[nodes->n++];
	memset(n, 0, sizeof(*n));
	node_fill(n, tb);
	err = walk_nests(nlh, PCN_A_STAT_TYPE, type_nest, &n->types);
	return err ? cb_error(err) : MNL_CB_OK;
}

static int node_cmp(const void *a, const void *b)
{
	const struct pcn_node *x = a, *y = b;

	return (x->nid > y->nid) - (x->nid < y->nid);
}

static void nodes_clear(struct pcn_nodes *nodes)
{
	unsigned int i;

	for (i = 0; i < nodes->n; i++)
		free(nodes->v[i].types.v);
	nodes->n = 0;
}

/* Fills @nodes, sorted by id. */
int pcn_nodes_get(struct pcn_nl *nl, struct pcn_nodes *nodes)
{
	char buf[PCN_NL_REQSIZE];
	struct nlmsghdr *nlh;
	int err;

	nodes_clear(nodes);
	nlh = pcn_nl_req(nl, buf, PCN_CMD_NODE_GET, NLM_F_DUMP);
	err = pcn_nl_talk(nl, nlh, node_cb, nodes);
	if (!err && nodes->n)
		qsort(nodes->v, nodes->n, sizeof(*nodes->v), node_cmp);
	return err;
}

void pcn_nodes_free(struct pcn_nodes *nodes)
{
	nodes_clear(nodes);
	free(nodes->v);
	memset(nodes, 0, sizeof(*nodes));
}

/* ------------------------------------------------------------------ */
/* PROC_GET                                                           */

static int thread_nest(const struct nlattr **tb, void *arg)
{
	struct pcn_proc *p = arg;
	struct pcn_thread *t;

	if (pcn_grow((void **)&p->threads, p->nthreads, &p->cap, sizeof(*t)))
		return -ENOMEM;
	t = &p->threads[p->nthreads++];
	t->tid = u32_or_none(tb[PCN_A_THREAD_TID]);
	t->nid = u32_or_none(tb[PCN_A_THREAD_NID]);
	t->local_tid = u32_or_none(tb[PCN_A_THREAD_LOCAL_TID]);
	t->have_cpu = tb[PCN_A_THREAD_CPU_NS] != NULL;
	t->cpu_ns = t->have_cpu ? mnl_attr_get_u64(tb[PCN_A_THREAD_CPU_NS]) : 0;
	t->faults = tb[PCN_A_THREAD_FAULTS] ?
		    mnl_attr_get_u64(tb[PCN_A_THREAD_FAULTS]) : 0;
	t->calls = tb[PCN_A_THREAD_CALLS] ?
		   mnl_attr_get_u64(tb[PCN_A_THREAD_CALLS]) : 0;
	return 0;
}

static int proc_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };
	struct pcn_procs *procs = data;
	struct pcn_proc *p;
	int err;

	if (pcn_attr_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	if (pcn_grow((void **)&procs->v, procs->n, &procs->cap, sizeof(*p)))
		return cb_error(-ENOMEM);
	p = &procs->v[procs->n++];
	memset(p, 0, sizeof(*p));
	p->pid = u32_or_none(tb[PCN_A_PROC_PID]);
	p->origin_nid = u32_or_none(tb[PCN_A_PROC_ORIGIN_NID]);
	p->origin_pid = u32_or_none(tb[PCN_A_PROC_ORIGIN_PID]);
	str_fill(p->comm, sizeof(p->comm), tb[PCN_A_PROC_COMM]);
	scalars_fill(&p->c, tb);
	err = walk_nests(nlh, PCN_A_PROC_THREAD, thread_nest, p);
	if (!err)
		err = walk_nests(nlh, PCN_A_STAT_FAULT, fault_nest,
				    p->fault);
	return err ? cb_error(err) : MNL_CB_OK;
}

static int proc_cmp(const void *a, const void *b)
{
	const struct pcn_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void procs_clear(struct pcn_procs *procs)
{
	unsigned int i;

	for (i = 0; i < procs->n; i++)
		free(procs->v[i].threads);
	procs->n = 0;
}

/* Fills @procs, sorted by pid. */
int pcn_procs_get(struct pcn_nl *nl, struct pcn_procs *procs)
{
	char buf[PCN_NL_REQSIZE];
	struct nlmsghdr *nlh;
	int err;

	procs_clear(procs);
	nlh = pcn_nl_req(nl, buf, PCN_CMD_PROC_GET, NLM_F_DUMP);
	err = pcn_nl_talk(nl, nlh, proc_cb, procs);
	if (!err && procs->n)
		qsort(procs->v, procs->n, sizeof(*procs->v), proc_cmp);
	return err;
}

int pcn_proc_get(struct pcn_nl *nl, uint32_t pid, struct pcn_procs *procs)
{
	char buf[PCN_NL_REQSIZE];
	struct nlmsghdr *nlh;
	int err;

	procs_clear(procs);
	nlh = pcn_nl_req(nl, buf, PCN_CMD_PROC_GET, NLM_F_ACK);
	mnl_attr_put_u32(nlh, PCN_A_PROC_PID, pid);
	err = pcn_nl_talk(nl, nlh, proc_cb, procs);
	if (!err && !procs->n)
		err = -ENODATA;
	return err;
}

void pcn_procs_free(struct pcn_procs *procs)
{
	procs_clear(procs);
	free(procs->v);
	memset(procs, 0, sizeof(*procs));
}

/* ------------------------------------------------------------------ */
/* PLACE_GET                                                          */

static int place_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };
	struct pcn_places *places = data;
	struct pcn_place *p;
	unsigned int n;

	if (pcn_attr_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	if (!tb[PCN_A_PLACE_PID] || !tb[PCN_A_PLACE_MODE])
		return cb_error(-EPROTO);
	if (pcn_grow((void **)&places->v, places->n, &places->cap,
		     sizeof(*p)))
		return cb_error(-ENOMEM);
	p = &places->v[places->n++];
	memset(p, 0, sizeof(*p));
	p->pid = mnl_attr_get_u32(tb[PCN_A_PLACE_PID]);
	p->mode = mnl_attr_get_u8(tb[PCN_A_PLACE_MODE]);
	if (tb[PCN_A_PLACE_NODES]) {
		n = mnl_attr_get_payload_len(tb[PCN_A_PLACE_NODES]);
		if (n > PCN_MAX_NODES)
			return cb_error(-EPROTO);
		memcpy(p->nodes, mnl_attr_get_payload(tb[PCN_A_PLACE_NODES]),
		       n);
		p->nnodes = n;
	}
	return MNL_CB_OK;
}

int pcn_places_get(struct pcn_nl *nl, struct pcn_places *places)
{
	char buf[PCN_NL_REQSIZE];
	struct nlmsghdr *nlh;

	places->n = 0;
	nlh = pcn_nl_req(nl, buf, PCN_CMD_PLACE_GET, NLM_F_DUMP);
	return pcn_nl_talk(nl, nlh, place_cb, places);
}

void pcn_places_free(struct pcn_places *places)
{
	free(places->v);
	memset(places, 0, sizeof(*places));
}
