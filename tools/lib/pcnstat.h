/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Popcorn counters as plain structs: STAT_GET, the NODE_GET dump and the
 * PROC_GET dump, and percentiles read off the kernel's log2 latency
 * histograms. Shared by pcnctl and pcn-top (tools/lib); prints nothing.
 *
 * Every attribute may be missing (an older kernel): each value has a
 * "have" flag or an absent marker, and nothing here fails because of it.
 */
#ifndef PCNSTAT_H
#define PCNSTAT_H

#include <stdint.h>

#include "nl.h"

#define PCN_NONE	UINT32_MAX	/* a u32 attribute that was absent */

/* Scalar (u32, u64) attributes of one message, by attribute type. */
struct pcn_scalars {
	unsigned char have[PCN_A_MAX + 1];
	uint64_t val[PCN_A_MAX + 1];
};

static inline int pcn_has(const struct pcn_scalars *s, int attr)
{
	return s->have[attr];
}

static inline uint64_t pcn_val(const struct pcn_scalars *s, int attr)
{
	return s->have[attr] ? s->val[attr] : 0;
}

/* A PCN_A_STAT_TYPE nest. */
struct pcn_type {
	int id;			/* -1 when absent */
	char name[64];		/* "" when absent */
	uint64_t msgs_in, msgs_out, bytes_in, bytes_out;
};

struct pcn_types {
	struct pcn_type *v;
	unsigned int n, cap;
};

/* A PCN_A_STAT_FAULT nest (have = 0: the kernel sent none for the kind). */
struct pcn_fault_stat {
	int have, have_hist;
	uint64_t ok, retry, error;
	uint64_t hist[PCN_LAT_BUCKETS];	/* served faults, log2 ns */
};

/* A PCN_A_STAT_MIGRATE nest. */
struct pcn_migrate_stat {
	int have, have_hist;
	uint64_t count;
	uint64_t hist[PCN_LAT_BUCKETS];
};

/* PCN_CMD_STAT_GET. */
struct pcn_stat {
	struct pcn_scalars c;
	struct pcn_fault_stat fault[PCN_FAULT_KINDS];
	struct pcn_migrate_stat migrate[PCN_MIGRATE_DIRS];
	struct pcn_types types;
};

/* One entry of the PCN_CMD_NODE_GET dump. */
struct pcn_node {
	uint32_t nid;
	char addr[64];		/* "" when absent */
	char transport[32];	/* "" when absent */
	int port;		/* -1 when absent */
	int state;		/* -1 when absent */
	int arch;		/* -1 when absent */
	int self;
	int loaded;
	int key_set;		/* SELF entry: a cluster key is set */
	uint64_t msgs_in, msgs_out, bytes_in, bytes_out, bad_msgs, connects;
	int have_terr;
	uint64_t transport_errors;
	struct pcn_types types;	/* this peer's traffic by message type */
};

struct pcn_nodes {
	struct pcn_node *v;
	unsigned int n, cap;
};

/* A PCN_A_PROC_THREAD nest. */
struct pcn_thread {
	uint32_t tid;		/* at the origin; PCN_NONE when absent */
	uint32_t nid;		/* node it runs on */
	uint32_t local_tid;	/* on this node */
	int have_cpu;		/* the three figures below came */
	uint64_t cpu_ns;	/* CPU time used on the node it runs on */
	uint64_t faults;	/* its faults there that needed another node */
	uint64_t calls;		/* its calls forwarded from there */
};

/* One entry of the PCN_CMD_PROC_GET dump. */
struct pcn_proc {
	uint32_t pid;		/* tgid on this node; PCN_NONE when absent */
	uint32_t origin_nid;
	uint32_t origin_pid;
	char comm[32];		/* "" when absent */
	struct pcn_thread *threads;
	unsigned int nthreads, cap;
	struct pcn_fault_stat fault[PCN_FAULT_KINDS];	/* no histograms */
	struct pcn_scalars c;	/* MIGRATIONS_OUT/IN, INVAL_SENT/RECV,
				 * PLACE_MODE (one process asked by pid)
				 */
};

struct pcn_procs {
	struct pcn_proc *v;
	unsigned int n, cap;
};

/* Fetchers: 0 or -errno (the kernel's message, if any, in nl->extack). */
int pcn_stat_get(struct pcn_nl *nl, struct pcn_stat *st);
/* Node @nid's (asked over the network unless it is this node), or -1: ours. */
int pcn_stat_get_node(struct pcn_nl *nl, int nid, struct pcn_stat *st);
void pcn_stat_free(struct pcn_stat *st);
int pcn_nodes_get(struct pcn_nl *nl, struct pcn_nodes *nodes);	/* by id */
void pcn_nodes_free(struct pcn_nodes *nodes);
int pcn_procs_get(struct pcn_nl *nl, struct pcn_procs *procs);	/* by pid */
/* One process started here, every thread's figures wherever it runs. */
int pcn_proc_get(struct pcn_nl *nl, uint32_t pid, struct pcn_procs *procs);
void pcn_procs_free(struct pcn_procs *procs);

/* One entry of the PCN_CMD_PLACE_GET dump. */
struct pcn_place {
	uint32_t pid;
	int mode;		/* enum pcn_place_mode */
	unsigned int nnodes;	/* 0: this node and every configured peer */
	uint8_t nodes[PCN_MAX_NODES];
};

struct pcn_places {
	struct pcn_place *v;
	unsigned int n, cap;
};

int pcn_places_get(struct pcn_nl *nl, struct pcn_places *places);
void pcn_places_free(struct pcn_places *places);

const char *pcn_state_name(int state);
const char *pcn_fault_kind_name(int kind);
const char *pcn_migrate_dir_name(int dir);

/* Histograms: __u64 counts[PCN_LAT_BUCKETS], see pcn_netlink.h. */
uint64_t pcn_hist_count(const uint64_t *hist);
double pcn_hist_percentile(const uint64_t *hist, double pct);
void pcn_hist_delta(uint64_t *out, const uint64_t *cur, const uint64_t *prev);
/* Grows *@v (of @size-byte elements, doubling) to hold one more than @n. */
int pcn_grow(void **v, unsigned int n, unsigned int *cap, size_t size);

#endif /* PCNSTAT_H */
