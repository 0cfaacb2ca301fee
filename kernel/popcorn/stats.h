/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every counter of the core, in three per-CPU structures: node-wide
 * (struct pcn_stats: pcnctl stat, pcn-top), per peer (struct
 * pcn_node_stats, pcn_node.stats: NODE_GET) and per process (struct
 * pcn_proc_stats, pcn_process.stats: PROC_GET).
 *
 * Per CPU because every message sent or received and every fault bumps
 * several of them, from whichever CPU it runs on: shared atomics would
 * bounce their cache lines between CPUs on every message. An update is
 * one this_cpu operation, safe against preemption and interrupts. A read
 * sums every possible CPU's copy; the sum is exact once the updates it
 * should see are done (tests compare counters for equality), and a read
 * that races with updates sees each CPU's copy at some point of it.
 * Counters are u64; gauges that go up on one CPU and down on another
 * (pages_exposed, processes, remote_threads) are s64 per CPU, and read
 * with pcn_stat_gauge(), which never reports a racing sum below zero.
 * The node-wide variable is pcn_cpu_stats, not pcn_stats: code that still
 * reads a counter as a plain global fails to build instead of reading the
 * per-CPU template.
 */
#ifndef _KERNEL_POPCORN_STATS_H
#define _KERNEL_POPCORN_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <popcorn/pcn_wire.h>
#include <uapi/popcorn/pcn_netlink.h>

struct pcn_process;
struct sk_buff;

/* Messages and payload bytes of one type, to or from one or all peers. */
struct pcn_type_counts {
	u64 msgs_in;
	u64 msgs_out;
	u64 bytes_in;
	u64 bytes_out;
};

/* Node-wide, per CPU: pcn_cpu_stats. */
struct pcn_stats {
	/* messages (kmsg.c, node.c, wait_station.c) */
	u64 rx_bad;
	u64 hs_refused;
	u64 ws_timeouts;
	u64 late_replies;
	u64 transport_errors;		/* sends refused, links lost */
	struct pcn_type_counts types[PCN_KMSG_TYPE_MAX];	/* all peers */
	/* pages exposed to peers (page_xfer.c) */
	s64 pages_exposed;
	u64 pages_exposed_total;
	/* processes, VMA and page servers */
	s64 processes;			/* pcn_process structures alive */
	s64 remote_threads;		/* threads running here for others */
	u64 migrations_out;		/* threads sent to another node */
	u64 migrations_in;		/* threads received */
	u64 vma_fetches;
	u64 page_fetches;		/* remote: pages or ownership asked */
	u64 page_fetch_retries;
	u64 page_served;		/* origin: fetches answered */
	/* faults, invalidations and migrations, with latency histograms */
	u64 faults[PCN_FAULT_KINDS][PCN_FAULT_RESULTS];
	u64 fault_lat[PCN_FAULT_KINDS][PCN_LAT_BUCKETS];
	u64 migrations[PCN_MIGRATE_DIRS];
	u64 migrate_lat[PCN_MIGRATE_DIRS][PCN_LAT_BUCKETS];
	u64 inval_sent;
	u64 inval_recv;
	/* blocks of zero pages and read-ahead (page_server.c, page_ahead.c) */
	u64 pages_granted;		/* origin: zero pages handed over */
	u64 granted_mapped;		/* remote: those mapped at once */
	u64 ahead_sent;			/* origin: pages sent ahead */
	u64 ahead_mapped;		/* remote: those mapped */
	u64 ahead_used;			/* remote: those touched, */
	u64 ahead_unused;		/* or not (page_ahead.c) */
	/* sessions (session.c) */
	u64 sessions_resumed;
	u64 sessions_lost;
	u64 msgs_resent;
	u64 rx_dups;
};
DECLARE_PER_CPU(struct pcn_stats, pcn_cpu_stats);

/* Per peer, per CPU: pcn_node.stats (alloc_percpu in pcn_node_add()). */
struct pcn_node_stats {
	u64 msgs_in;
	u64 msgs_out;
	u64 bytes_in;
	u64 bytes_out;
	u64 bad;
	u64 connects;
	u64 transport_errors;		/* sends refused, links lost */
	struct pcn_type_counts types[PCN_KMSG_TYPE_MAX];
};

/*
 * Per process, per CPU: pcn_process.stats, this node's share of the
 * process's (alloc_percpu in pcn_process_alloc()).
 */
struct pcn_proc_stats {
	u64 faults[PCN_FAULT_KINDS][PCN_FAULT_RESULTS];
	u64 migrations_out;
	u64 migrations_in;
	u64 inval_sent;
	u64 inval_recv;
};

/*
 * Updates: @field is a member designator of the structure, indices
 * included: pcn_stat_inc(types[type].msgs_out).
 */
#define pcn_stat_inc(field)	this_cpu_inc(pcn_cpu_stats.field)
#define pcn_stat_dec(field)	this_cpu_dec(pcn_cpu_stats.field)
#define pcn_stat_sub(field, n)	this_cpu_sub(pcn_cpu_stats.field, (n))
#define pcn_stat_add(field, n)	this_cpu_add(pcn_cpu_stats.field, (n))
#define pcn_peer_stat_inc(node, field)	this_cpu_inc((node)->stats->field)
#define pcn_peer_stat_add(node, field, n)			\
	this_cpu_add((node)->stats->field, (n))
#define pcn_proc_stat_inc(proc, field)	this_cpu_inc((proc)->stats->field)
#define pcn_proc_stat_add(proc, field, n)			\
	this_cpu_add((proc)->stats->field, (n))

/* One message, header @hdr, to or from peer @node; @dir: in or out. */
#define pcn_stat_msg(node, hdr, dir)					\
do {									\
	pcn_peer_stat_inc(node, msgs_##dir);				\
	pcn_peer_stat_add(node, bytes_##dir, (hdr)->size);		\
	pcn_peer_stat_inc(node, types[(hdr)->type].msgs_##dir);		\
	pcn_peer_stat_add(node, types[(hdr)->type].bytes_##dir,		\
			  (hdr)->size);					\
	pcn_stat_inc(types[(hdr)->type].msgs_##dir);			\
	pcn_stat_add(types[(hdr)->type].bytes_##dir, (hdr)->size);	\
} while (0)

/* Reads: the sum of every possible CPU's copy of the per-CPU lvalue @pcp. */
#define pcn_percpu_sum(pcp)						\
({									\
	u64 __pcn_sum = 0;						\
	int __pcn_cpu;							\
									\
	for_each_possible_cpu(__pcn_cpu)				\
		__pcn_sum += READ_ONCE(per_cpu(pcp, __pcn_cpu));	\
	__pcn_sum;							\
})
#define pcn_stat_read(field)		pcn_percpu_sum(pcn_cpu_stats.field)
#define pcn_peer_stat_read(node, field)	pcn_percpu_sum((node)->stats->field)
#define pcn_proc_stat_read(proc, field)	pcn_percpu_sum((proc)->stats->field)
/* A node-wide s64 gauge, 0 when a racing read sums below zero. */
static inline u64 pcn_gauge(u64 sum)
{
	return (s64)sum < 0 ? 0 : sum;
}

#define pcn_stat_gauge(field)	pcn_gauge(pcn_stat_read(field))

/* One message type's counts, all CPUs summed into @sum. */
void pcn_type_counts_read(const struct pcn_type_counts __percpu *c,
			  struct pcn_type_counts *sum);

/* Log2 latency histograms: u64 hist[PCN_LAT_BUCKETS], per CPU. */
unsigned int pcn_lat_bucket(u64 ns);
void pcn_lat_hist_add(u64 __percpu *hist, u64 ns);
u64 pcn_lat_hist_read(u64 __percpu *hist, unsigned int bucket);

void pcn_stat_fault(struct pcn_process *proc, enum pcn_fault_kind kind,
		    enum pcn_fault_result result, u64 ns);
void pcn_stat_migrate_out(struct pcn_process *proc, enum pcn_migrate_dir dir,
			  u64 ns);
void pcn_stat_migrate_in(struct pcn_process *proc);
void pcn_stat_inval_sent(struct pcn_process *proc, unsigned int holders);
void pcn_stat_inval_recv(struct pcn_process *proc);

/* Netlink attributes (netlink.c): one counter, one message type's nest. */
int pcn_nla_put_counter(struct sk_buff *skb, int attr, u64 v);
int pcn_nla_put_type(struct sk_buff *skb, unsigned int type,
		     const struct pcn_type_counts *c);
/*
 * Node-wide: a snapshot (STAT_REPLY's form, also what STAT_GET shows of
 * this node), a peer's checked, and either as netlink attributes.
 */
size_t pcn_stat_reply_size(void);
void pcn_stats_snapshot(struct pcn_stat_reply *r);
int pcn_stat_reply_check(const struct pcn_stat_reply *r, size_t size);
int pcn_stats_fill_reply(struct sk_buff *skb, const struct pcn_stat_reply *r);
/* A peer's snapshot (stat_remote.c): a kmalloc'ed reply, or ERR_PTR. */
struct pcn_stat_reply *pcn_stat_remote_get(int nid);
/* One process's. */
int pcn_stats_fill_proc(struct sk_buff *skb, struct pcn_process *proc);

#endif /* _KERNEL_POPCORN_STATS_H */
