/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault, invalidation and migration counters with log2 latency
 * histograms: node-wide (pcnctl stat, pcn-top) and per process (PROC_GET).
 * Plain atomics: a fault already costs a network round trip, and the
 * counters must be exact for the tests that check them.
 */
#ifndef _KERNEL_POPCORN_STATS_H
#define _KERNEL_POPCORN_STATS_H

#include <linux/atomic.h>
#include <linux/types.h>
#include <uapi/popcorn/pcn_netlink.h>

struct pcn_process;
struct pcn_type_counts;
struct sk_buff;

struct pcn_lat_hist {
	atomic64_t bucket[PCN_LAT_BUCKETS];
};

struct pcn_fault_counts {
	atomic64_t n[PCN_FAULT_KINDS][PCN_FAULT_RESULTS];
};

/* Per process (struct pcn_process.stats). */
struct pcn_proc_stats {
	struct pcn_fault_counts faults;
	atomic64_t migrations_out;
	atomic64_t migrations_in;
	atomic64_t inval_sent;
	atomic64_t inval_recv;
};

/* Node-wide. */
struct pcn_obs_stats {
	struct pcn_fault_counts faults;
	struct pcn_lat_hist fault_lat[PCN_FAULT_KINDS];
	atomic64_t migrations[PCN_MIGRATE_DIRS];
	struct pcn_lat_hist migrate_lat[PCN_MIGRATE_DIRS];
	atomic64_t inval_sent;
	atomic64_t inval_recv;
	atomic64_t transport_errors;
};
extern struct pcn_obs_stats pcn_obs;

void pcn_lat_hist_add(struct pcn_lat_hist *h, u64 ns);
void pcn_stat_fault(struct pcn_process *proc, enum pcn_fault_kind kind,
		    enum pcn_fault_result result, u64 ns);
void pcn_stat_migrate_out(struct pcn_process *proc, enum pcn_migrate_dir dir,
			  u64 ns);
void pcn_stat_migrate_in(struct pcn_process *proc);
void pcn_stat_inval_sent(struct pcn_process *proc, unsigned int holders);
void pcn_stat_inval_recv(struct pcn_process *proc);

/* Netlink attributes (netlink.c): one counter, one message type's nest. */
int pcn_nla_put_counter(struct sk_buff *skb, int attr, atomic64_t *v);
int pcn_nla_put_type(struct sk_buff *skb, unsigned int type,
		     struct pcn_type_counts *c);
/* Node-wide, and one process's. */
int pcn_stats_fill_obs(struct sk_buff *skb);
int pcn_stats_fill_proc(struct sk_buff *skb, struct pcn_process *proc);

#endif /* _KERNEL_POPCORN_STATS_H */
