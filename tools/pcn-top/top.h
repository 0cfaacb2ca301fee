/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcn-top: samples of this node's Popcorn counters (sample.c), the view
 * computed from two of them (view.c), its tables as text cells (cells.c),
 * and the two ways of showing them: batch (batch.c) and curses (tui.c).
 */
#ifndef PCN_TOP_H
#define PCN_TOP_H

#include <stdint.h>

#include "nl.h"
#include "pcnstat.h"

#define TOP_EXIT_OK	0
#define TOP_EXIT_FAIL	1
#define TOP_EXIT_USAGE	2

/* One reading of everything, at time t. */
struct top_sample {
	double t;			/* CLOCK_MONOTONIC, seconds */
	int err_nodes, err_stat, err_procs;	/* 0 or -errno */
	char status[256];		/* what failed, "" when nothing did */
	struct pcn_nodes nodes;
	struct pcn_stat stat;
	struct pcn_procs procs;
	/* Each online peer's own counters (STAT_GET NID), by node id. */
	unsigned char peer_asked[PCN_MAX_NODES];
	int peer_err[PCN_MAX_NODES];	/* 0 or -errno */
	struct pcn_stat peer[PCN_MAX_NODES];
};

struct top_ctx {
	struct pcn_nl nl;
	int open;			/* nl is usable */
	double interval;		/* asked for, seconds */
	/* Nodes seen so far: a node that leaves the dump stays, "absent". */
	unsigned char seen[PCN_MAX_NODES];
	char seen_transport[PCN_MAX_NODES][32];
};

int top_sample_take(struct top_ctx *ctx, struct top_sample *s);
void top_sample_free(struct top_sample *s);
double top_now(void);

/* Tables and their sort order. */
enum top_table_id { TOP_T_NODES, TOP_T_PROCS, TOP_T_TYPES, TOP_TABLES };

struct top_sort {
	int col;	/* column index */
	int rev;	/* against the column's natural order */
};

struct top_node {
	uint32_t nid;
	const char *state;	/* self, online, connecting, down, absent */
	char transport[32];
	double msgs_in, msgs_out, mb_in, mb_out;	/* per second */
	uint64_t bad, terr;
};

/* A node of the cluster view, from that node's own counters. */
struct top_cnode {
	uint32_t nid;
	const char *state;	/* as in struct top_node */
	int have;		/* its counters came in this time */
	double cpu;		/* busy percent of all its CPUs; -1: unknown */
	int64_t running;	/* runnable threads there; -1: unknown */
	int64_t hosted;		/* threads it runs for other nodes */
	double faults, msgs;	/* its remote faults and messages, per s */
};

struct top_fault {
	int have;		/* the kernel reports this kind */
	uint64_t total;		/* served + failed, cumulative */
	double rate;		/* of total, per second */
	double p50_us, p99_us;	/* -1: no samples */
	uint64_t retries, errors;
};

struct top_type {
	int id;
	char name[64];
	double msgs_in, msgs_out, bytes_in, bytes_out;	/* per second */
};

/* Everything one snapshot shows. */
struct top_view {
	int self;			/* this node's id, -1 unknown */
	double interval;		/* measured, seconds */
	const char *status;		/* "" when all went well */
	struct top_node *nodes;
	unsigned int n_nodes, cap_nodes;
	struct top_cnode *cnodes;	/* one per row of @nodes, same order */
	unsigned int n_cnodes, cap_cnodes;
	int have_faults;
	struct top_fault fault[PCN_FAULT_KINDS];
	double inval_sent, inval_recv, mig_forward, mig_home;	/* per s */
	const struct pcn_proc **procs;	/* into the newer sample */
	unsigned int n_procs, cap_procs;
	int procs_unsupported;		/* the kernel has no PROC_GET */
	struct top_type *types;
	unsigned int n_types, cap_types;
};

int top_view_build(struct top_ctx *ctx, struct top_view *v,
		   const struct top_sample *prev, const struct top_sample *cur);
void top_view_sort(struct top_view *v, const struct top_sort *sort);
void top_view_free(struct top_view *v);

/* Columns and cells (no spaces inside a cell). */
#define TOP_CELL	40
#define TOP_MAXCOL	9

/* One row of a table as text. */
struct top_row {
	char cell[TOP_MAXCOL][TOP_CELL];
};

struct top_col {
	const char *name;
	int width;		/* in the curses view */
	int left;		/* left aligned */
	int desc;		/* sorts largest first unless reversed */
};

extern const struct top_col top_cluster_cols[];
extern const struct top_col top_node_cols[];
extern const struct top_col top_fault_cols[];
extern const struct top_col top_proc_cols[];
extern const struct top_col top_thread_cols[];
extern const struct top_col top_type_cols[];
extern const int top_ncols[TOP_TABLES];		/* sortable tables */
#define TOP_CLUSTER_COLS	7
#define TOP_NODE_COLS	9
#define TOP_FAULT_COLS	7
#define TOP_PROC_COLS	4
#define TOP_THREAD_COLS	4
#define TOP_TYPE_COLS	5

void top_cluster_cells(const struct top_cnode *n, struct top_row *r);
void top_node_cells(const struct top_node *n, struct top_row *r);
void top_fault_cells(const struct top_view *v, int kind, struct top_row *r);
void top_proc_cells(const struct pcn_proc *p, struct top_row *r);
void top_thread_cells(const struct pcn_proc *p, const struct pcn_thread *t,
		      struct top_row *r);
void top_type_cells(const struct top_type *t, struct top_row *r);
void top_inval_line(const struct top_view *v, char *buf, size_t len);

int top_batch(struct top_ctx *ctx, int count);
int top_tui(struct top_ctx *ctx, int count);

#endif /* PCN_TOP_H */
