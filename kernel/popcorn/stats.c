// SPDX-License-Identifier: GPL-2.0
/*
 * Fault, invalidation and migration counters and their netlink form
 * (PCN_A_STAT_FAULT and PCN_A_STAT_MIGRATE nests, include/uapi/popcorn/
 * pcn_netlink.h).
 */
#include <linux/log2.h>
#include <net/netlink.h>
#include "internal.h"
#include "process.h"
#include "stats.h"

struct pcn_obs_stats pcn_obs;

void pcn_lat_hist_add(struct pcn_lat_hist *h, u64 ns)
{
	unsigned int b = ns < 2 ? 0 : ilog2(ns);

	atomic64_inc(&h->bucket[min_t(unsigned int, b, PCN_LAT_BUCKETS - 1)]);
}

/* One fault attempt that involved another node; @proc may be NULL. */
void pcn_stat_fault(struct pcn_process *proc, enum pcn_fault_kind kind,
		    enum pcn_fault_result result, u64 ns)
{
	atomic64_inc(&pcn_obs.faults.n[kind][result]);
	if (proc)
		atomic64_inc(&proc->stats.faults.n[kind][result]);
	if (result == PCN_FAULT_DONE)
		pcn_lat_hist_add(&pcn_obs.fault_lat[kind], ns);
}

/* A thread this node sent away, answered after @ns. */
void pcn_stat_migrate_out(struct pcn_process *proc, enum pcn_migrate_dir dir,
			  u64 ns)
{
	atomic64_inc(&pcn_obs.migrations[dir]);
	pcn_lat_hist_add(&pcn_obs.migrate_lat[dir], ns);
	if (proc)
		atomic64_inc(&proc->stats.migrations_out);
}

void pcn_stat_migrate_in(struct pcn_process *proc)
{
	if (proc)
		atomic64_inc(&proc->stats.migrations_in);
}

void pcn_stat_inval_sent(struct pcn_process *proc, unsigned int holders)
{
	atomic64_add(holders, &pcn_obs.inval_sent);
	if (proc)
		atomic64_add(holders, &proc->stats.inval_sent);
}

void pcn_stat_inval_recv(struct pcn_process *proc)
{
	atomic64_inc(&pcn_obs.inval_recv);
	if (proc)
		atomic64_inc(&proc->stats.inval_recv);
}

int pcn_nla_put_counter(struct sk_buff *skb, int attr, atomic64_t *v)
{
	return nla_put_u64_64bit(skb, attr, atomic64_read(v), PCN_A_PAD);
}

/* A PCN_A_STAT_TYPE nest: all peers' (STAT_GET) or one peer's (NODE_GET). */
int pcn_nla_put_type(struct sk_buff *skb, unsigned int type,
		     struct pcn_type_counts *c)
{
	struct nlattr *nest = nla_nest_start(skb, PCN_A_STAT_TYPE);

	if (!nest ||
	    nla_put_u16(skb, PCN_A_TYPE_ID, type) ||
	    nla_put_string(skb, PCN_A_TYPE_NAME, pcn_kmsg_type_name(type)) ||
	    pcn_nla_put_counter(skb, PCN_A_MSGS_IN, &c->msgs_in) ||
	    pcn_nla_put_counter(skb, PCN_A_MSGS_OUT, &c->msgs_out) ||
	    pcn_nla_put_counter(skb, PCN_A_BYTES_IN, &c->bytes_in) ||
	    pcn_nla_put_counter(skb, PCN_A_BYTES_OUT, &c->bytes_out))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* A snapshot: buckets are read one by one, a fault may land meanwhile. */
static int pcn_put_hist(struct sk_buff *skb, struct pcn_lat_hist *h)
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
		v[i] = atomic64_read(&h->bucket[i]);
	return 0;
}

static int pcn_put_faults(struct sk_buff *skb, struct pcn_fault_counts *c,
			  struct pcn_lat_hist *lat)
{
	struct nlattr *nest;
	int k;

	for (k = 0; k < PCN_FAULT_KINDS; k++) {
		nest = nla_nest_start(skb, PCN_A_STAT_FAULT);
		if (!nest ||
		    nla_put_u8(skb, PCN_A_FAULT_KIND, k) ||
		    pcn_nla_put_counter(skb, PCN_A_FAULT_OK, &c->n[k][PCN_FAULT_DONE]) ||
		    pcn_nla_put_counter(skb, PCN_A_FAULT_RETRY, &c->n[k][PCN_FAULT_BUSY]) ||
		    pcn_nla_put_counter(skb, PCN_A_FAULT_ERROR,
					&c->n[k][PCN_FAULT_FAILED]) ||
		    (lat && pcn_put_hist(skb, &lat[k])))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

int pcn_stats_fill_obs(struct sk_buff *skb)
{
	struct nlattr *nest;
	int d;

	if (pcn_put_faults(skb, &pcn_obs.faults, pcn_obs.fault_lat) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_INVAL_SENT, &pcn_obs.inval_sent) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_INVAL_RECV, &pcn_obs.inval_recv) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_TRANSPORT_ERRORS,
				&pcn_obs.transport_errors))
		return -EMSGSIZE;
	for (d = 0; d < PCN_MIGRATE_DIRS; d++) {
		nest = nla_nest_start(skb, PCN_A_STAT_MIGRATE);
		if (!nest ||
		    nla_put_u8(skb, PCN_A_MIGRATE_DIR, d) ||
		    pcn_nla_put_counter(skb, PCN_A_MIGRATE_COUNT, &pcn_obs.migrations[d]) ||
		    pcn_put_hist(skb, &pcn_obs.migrate_lat[d]))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

int pcn_stats_fill_proc(struct sk_buff *skb, struct pcn_process *proc)
{
	struct pcn_proc_stats *s = &proc->stats;

	if (pcn_put_faults(skb, &s->faults, NULL) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_MIGRATIONS_OUT, &s->migrations_out) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_MIGRATIONS_IN, &s->migrations_in) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_INVAL_SENT, &s->inval_sent) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_INVAL_RECV, &s->inval_recv))
		return -EMSGSIZE;
	return 0;
}
