// SPDX-License-Identifier: GPL-2.0
/*
 * The core's per-CPU counters (stats.h): the node-wide ones, the helpers
 * that count a fault, a migration or an invalidation, and their netlink
 * form (PCN_A_STAT_FAULT, PCN_A_STAT_MIGRATE and PCN_A_STAT_TYPE nests,
 * include/uapi/popcorn/pcn_netlink.h).
 */
#include <linux/log2.h>
#include <net/netlink.h>
#include "internal.h"
#include "process.h"
#include "stats.h"

DEFINE_PER_CPU(struct pcn_stats, pcn_cpu_stats);

void pcn_type_counts_read(const struct pcn_type_counts __percpu *c,
			  struct pcn_type_counts *sum)
{
	const struct pcn_type_counts *p;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		p = per_cpu_ptr(c, cpu);
		sum->msgs_in += READ_ONCE(p->msgs_in);
		sum->msgs_out += READ_ONCE(p->msgs_out);
		sum->bytes_in += READ_ONCE(p->bytes_in);
		sum->bytes_out += READ_ONCE(p->bytes_out);
	}
}

/* Bucket 0: under 2 ns; i: [2^i, 2^(i+1)) ns; the last: the rest too. */
unsigned int pcn_lat_bucket(u64 ns)
{
	unsigned int b = ns < 2 ? 0 : ilog2(ns);

	return min_t(unsigned int, b, PCN_LAT_BUCKETS - 1);
}

void pcn_lat_hist_add(u64 __percpu *hist, u64 ns)
{
	unsigned int b = pcn_lat_bucket(ns);

	this_cpu_inc(hist[b]);
}

u64 pcn_lat_hist_read(u64 __percpu *hist, unsigned int bucket)
{
	return pcn_percpu_sum(hist[bucket]);
}

/* One fault attempt that involved another node; @proc may be NULL. */
void pcn_stat_fault(struct pcn_process *proc, enum pcn_fault_kind kind,
		    enum pcn_fault_result result, u64 ns)
{
	pcn_stat_inc(faults[kind][result]);
	if (proc)
		pcn_proc_stat_inc(proc, faults[kind][result]);
	if (result == PCN_FAULT_DONE)
		pcn_lat_hist_add(pcn_cpu_stats.fault_lat[kind], ns);
}

/* A thread this node sent away, answered after @ns. */
void pcn_stat_migrate_out(struct pcn_process *proc, enum pcn_migrate_dir dir,
			  u64 ns)
{
	pcn_stat_inc(migrations[dir]);
	pcn_lat_hist_add(pcn_cpu_stats.migrate_lat[dir], ns);
	if (proc)
		pcn_proc_stat_inc(proc, migrations_out);
}

void pcn_stat_migrate_in(struct pcn_process *proc)
{
	if (proc)
		pcn_proc_stat_inc(proc, migrations_in);
}

void pcn_stat_inval_sent(struct pcn_process *proc, unsigned int holders)
{
	pcn_stat_add(inval_sent, holders);
	if (proc)
		pcn_proc_stat_add(proc, inval_sent, holders);
}

void pcn_stat_inval_recv(struct pcn_process *proc)
{
	pcn_stat_inc(inval_recv);
	if (proc)
		pcn_proc_stat_inc(proc, inval_recv);
}

int pcn_nla_put_counter(struct sk_buff *skb, int attr, u64 v)
{
	return nla_put_u64_64bit(skb, attr, v, PCN_A_PAD);
}

/* A PCN_A_STAT_TYPE nest: all peers' (STAT_GET) or one peer's (NODE_GET). */
int pcn_nla_put_type(struct sk_buff *skb, unsigned int type,
		     const struct pcn_type_counts *c)
{
	struct nlattr *nest = nla_nest_start(skb, PCN_A_STAT_TYPE);

	if (!nest ||
	    nla_put_u16(skb, PCN_A_TYPE_ID, type) ||
	    nla_put_string(skb, PCN_A_TYPE_NAME, pcn_kmsg_type_name(type)) ||
	    pcn_nla_put_counter(skb, PCN_A_MSGS_IN, c->msgs_in) ||
	    pcn_nla_put_counter(skb, PCN_A_MSGS_OUT, c->msgs_out) ||
	    pcn_nla_put_counter(skb, PCN_A_BYTES_IN, c->bytes_in) ||
	    pcn_nla_put_counter(skb, PCN_A_BYTES_OUT, c->bytes_out))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* A snapshot: buckets are read one by one, a fault may land meanwhile. */
static int pcn_put_hist(struct sk_buff *skb, u64 __percpu *hist)
{
	struct nlattr *attr;
	u64 *v;
	int i;

	attr = nla_reserve_64bit(skb, PCN_A_LAT_HIST,
				 sizeof(u64) * PCN_LAT_BUCKETS, PCN_A_PAD);
	if (!attr)
		return -EMSGSIZE;
	v = nla_data(attr);
	for (i = 0; i < PCN_LAT_BUCKETS; i++)
		v[i] = pcn_lat_hist_read(hist, i);
	return 0;
}

/* @n: faults by kind and result, summed; @lat: with node-wide latencies. */
static int pcn_put_faults(struct sk_buff *skb,
			  u64 n[PCN_FAULT_KINDS][PCN_FAULT_RESULTS], bool lat)
{
	struct nlattr *nest;
	int k;

	for (k = 0; k < PCN_FAULT_KINDS; k++) {
		nest = nla_nest_start(skb, PCN_A_STAT_FAULT);
		if (!nest ||
		    nla_put_u8(skb, PCN_A_FAULT_KIND, k) ||
		    pcn_nla_put_counter(skb, PCN_A_FAULT_OK,
					n[k][PCN_FAULT_DONE]) ||
		    pcn_nla_put_counter(skb, PCN_A_FAULT_RETRY,
					n[k][PCN_FAULT_BUSY]) ||
		    pcn_nla_put_counter(skb, PCN_A_FAULT_ERROR,
					n[k][PCN_FAULT_FAILED]) ||
		    (lat && pcn_put_hist(skb, pcn_cpu_stats.fault_lat[k])))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

int pcn_stats_fill_obs(struct sk_buff *skb)
{
	u64 n[PCN_FAULT_KINDS][PCN_FAULT_RESULTS];
	struct nlattr *nest;
	int d, k, r;

	for (k = 0; k < PCN_FAULT_KINDS; k++)
		for (r = 0; r < PCN_FAULT_RESULTS; r++)
			n[k][r] = pcn_stat_read(faults[k][r]);
	if (pcn_put_faults(skb, n, true) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_INVAL_SENT,
				pcn_stat_read(inval_sent)) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_INVAL_RECV,
				pcn_stat_read(inval_recv)) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_TRANSPORT_ERRORS,
				pcn_stat_read(transport_errors)))
		return -EMSGSIZE;
	for (d = 0; d < PCN_MIGRATE_DIRS; d++) {
		nest = nla_nest_start(skb, PCN_A_STAT_MIGRATE);
		if (!nest ||
		    nla_put_u8(skb, PCN_A_MIGRATE_DIR, d) ||
		    pcn_nla_put_counter(skb, PCN_A_MIGRATE_COUNT,
					pcn_stat_read(migrations[d])) ||
		    pcn_put_hist(skb, pcn_cpu_stats.migrate_lat[d]))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

int pcn_stats_fill_proc(struct sk_buff *skb, struct pcn_process *proc)
{
	u64 n[PCN_FAULT_KINDS][PCN_FAULT_RESULTS];
	int k, r;

	for (k = 0; k < PCN_FAULT_KINDS; k++)
		for (r = 0; r < PCN_FAULT_RESULTS; r++)
			n[k][r] = pcn_proc_stat_read(proc, faults[k][r]);
	if (pcn_put_faults(skb, n, false) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_MIGRATIONS_OUT,
				pcn_proc_stat_read(proc, migrations_out)) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_MIGRATIONS_IN,
				pcn_proc_stat_read(proc, migrations_in)) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_INVAL_SENT,
				pcn_proc_stat_read(proc, inval_sent)) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_INVAL_RECV,
				pcn_proc_stat_read(proc, inval_recv)))
		return -EMSGSIZE;
	return 0;
}
