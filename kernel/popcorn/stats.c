// SPDX-License-Identifier: GPL-2.0
/*
 * The core's per-CPU counters (stats.h): the node-wide ones, the helpers
 * that count a fault, a migration or an invalidation, and their netlink
 * form (PCN_A_STAT_FAULT, PCN_A_STAT_MIGRATE and PCN_A_STAT_TYPE nests,
 * include/uapi/popcorn/pcn_netlink.h).
 */
#include <linux/kernel_stat.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/sched/stat.h>
#include <linux/timekeeping.h>
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

static int pcn_put_hist(struct sk_buff *skb, const u64 *hist)
{
	struct nlattr *attr;

	attr = nla_reserve_64bit(skb, PCN_A_LAT_HIST,
				 sizeof(u64) * PCN_LAT_BUCKETS, PCN_A_PAD);
	if (!attr)
		return -EMSGSIZE;
	memcpy(nla_data(attr), hist, sizeof(u64) * PCN_LAT_BUCKETS);
	return 0;
}

/* @n: faults by kind and result, summed; @lat: histograms, or NULL. */
static int pcn_put_faults(struct sk_buff *skb,
			  const u64 n[PCN_FAULT_KINDS][PCN_FAULT_RESULTS],
			  const u64 lat[PCN_FAULT_KINDS][PCN_LAT_BUCKETS])
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
		    (lat && pcn_put_hist(skb, lat[k])))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

/* Time all CPUs spent not idle since boot, as /proc/stat counts it. */
static u64 pcn_cpu_busy_ns(void)
{
	struct kernel_cpustat kcs;
	u64 busy = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		kcpustat_cpu_fetch(&kcs, cpu);
		busy += kcs.cpustat[CPUTIME_USER] + kcs.cpustat[CPUTIME_NICE] +
			kcs.cpustat[CPUTIME_SYSTEM] + kcs.cpustat[CPUTIME_IRQ] +
			kcs.cpustat[CPUTIME_SOFTIRQ] +
			kcs.cpustat[CPUTIME_STEAL];
	}
	return busy;
}

static void pcn_hist_snapshot(u64 *out, u64 __percpu *hist)
{
	int i;

	/* Bucket by bucket: a sample may land meanwhile. */
	for (i = 0; i < PCN_LAT_BUCKETS; i++)
		out[i] = pcn_lat_hist_read(hist, i);
}

size_t pcn_stat_reply_size(void)
{
	struct pcn_stat_reply *r;

	return struct_size(r, types, PCN_KMSG_TYPE_MAX);
}

/* This node's counters into @r, pcn_stat_reply_size() bytes, zeroed. */
void pcn_stats_snapshot(struct pcn_stat_reply *r)
{
	struct pcn_type_counts c;
	int d, k, i;

	BUILD_BUG_ON(PCN_STAT_FAULT_KINDS != PCN_FAULT_KINDS ||
		     PCN_STAT_FAULT_RESULTS != PCN_FAULT_RESULTS ||
		     PCN_STAT_MIGRATE_DIRS != PCN_MIGRATE_DIRS ||
		     PCN_STAT_LAT_BUCKETS != PCN_LAT_BUCKETS ||
		     PCN_KMSG_TYPE_MAX > PCN_STAT_TYPES_MAX);
	r->ntypes = PCN_KMSG_TYPE_MAX;
	r->uptime_ns = ktime_get_boottime_ns();
	r->cpu_busy_ns = pcn_cpu_busy_ns();
	r->cpus = num_online_cpus();
	r->nr_running = nr_running();

	r->rx_bad = pcn_stat_read(rx_bad);
	r->hs_refused = pcn_stat_read(hs_refused);
	r->ws_timeouts = pcn_stat_read(ws_timeouts);
	r->late_replies = pcn_stat_read(late_replies);
	r->transport_errors = pcn_stat_read(transport_errors);
	r->max_payload = PCN_KMSG_MAX_PAYLOAD;

	r->pages_exposed = pcn_stat_gauge(pages_exposed);
	r->pages_exposed_total = pcn_stat_read(pages_exposed_total);
	pcn_transports_stats(&r->remote_regions, &r->remote_bytes,
			     &r->tx_stalls);

	r->processes = pcn_stat_gauge(processes);
	r->remote_threads = pcn_stat_gauge(remote_threads);
	r->migrations_out = pcn_stat_read(migrations_out);
	r->migrations_in = pcn_stat_read(migrations_in);
	r->vma_fetches = pcn_stat_read(vma_fetches);
	r->page_fetches = pcn_stat_read(page_fetches);
	r->page_fetch_retries = pcn_stat_read(page_fetch_retries);
	r->page_served = pcn_stat_read(page_served);
	r->inval_sent = pcn_stat_read(inval_sent);
	r->inval_recv = pcn_stat_read(inval_recv);
	r->pages_granted = pcn_stat_read(pages_granted);
	r->granted_mapped = pcn_stat_read(granted_mapped);
	r->ahead_sent = pcn_stat_read(ahead_sent);
	r->ahead_mapped = pcn_stat_read(ahead_mapped);
	r->ahead_used = pcn_stat_read(ahead_used);
	r->ahead_unused = pcn_stat_read(ahead_unused);
	r->sessions_resumed = pcn_stat_read(sessions_resumed);
	r->sessions_lost = pcn_stat_read(sessions_lost);
	r->msgs_resent = pcn_stat_read(msgs_resent);
	r->rx_dups = pcn_stat_read(rx_dups);

	for (k = 0; k < PCN_FAULT_KINDS; k++) {
		for (i = 0; i < PCN_FAULT_RESULTS; i++)
			r->faults[k][i] = pcn_stat_read(faults[k][i]);
		pcn_hist_snapshot(r->fault_lat[k], pcn_cpu_stats.fault_lat[k]);
	}
	for (d = 0; d < PCN_MIGRATE_DIRS; d++) {
		r->migrations[d] = pcn_stat_read(migrations[d]);
		pcn_hist_snapshot(r->migrate_lat[d],
				  pcn_cpu_stats.migrate_lat[d]);
	}
	for (i = 0; i < PCN_KMSG_TYPE_MAX; i++) {
		pcn_type_counts_read(&pcn_cpu_stats.types[i], &c);
		r->types[i] = (struct pcn_stat_type_counts){
			.msgs_in = c.msgs_in, .msgs_out = c.msgs_out,
			.bytes_in = c.bytes_in, .bytes_out = c.bytes_out,
		};
	}
}

/*
 * A STAT_REPLY of @size payload bytes from a peer: 0 if it is one this
 * node can show, -EPROTO if not. Its values are counts and go out as such;
 * only its shape is checked.
 */
int pcn_stat_reply_check(const struct pcn_stat_reply *r, size_t size)
{
	if (size < sizeof(*r) || r->status || r->reserved ||
	    r->ntypes != PCN_KMSG_TYPE_MAX ||
	    size != struct_size(r, types, r->ntypes))
		return -EPROTO;
	return 0;
}

/* @r's counters as PCN_CMD_STAT_GET's attributes. */
int pcn_stats_fill_reply(struct sk_buff *skb, const struct pcn_stat_reply *r)
{
	struct pcn_type_counts c;
	struct nlattr *nest;
	int d, i;

	if (pcn_nla_put_counter(skb, PCN_A_STAT_UPTIME_NS, r->uptime_ns) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_CPU_BUSY_NS, r->cpu_busy_ns) ||
	    nla_put_u32(skb, PCN_A_STAT_CPUS, r->cpus) ||
	    nla_put_u32(skb, PCN_A_STAT_NR_RUNNING, r->nr_running) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_RX_BAD, r->rx_bad) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_HS_REFUSED, r->hs_refused) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_WS_TIMEOUTS, r->ws_timeouts) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_LATE_REPLIES,
				r->late_replies) ||
	    nla_put_u32(skb, PCN_A_STAT_MAX_PAYLOAD,
			min_t(u64, r->max_payload, U32_MAX)) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_PAGES_EXPOSED,
				r->pages_exposed) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_PAGES_EXPOSED_TOTAL,
				r->pages_exposed_total) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_REMOTE_REGIONS,
				r->remote_regions) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_REMOTE_BYTES,
				r->remote_bytes) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_TX_STALLS, r->tx_stalls))
		return -EMSGSIZE;
	if (pcn_nla_put_counter(skb, PCN_A_STAT_PROCESSES, r->processes) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_REMOTE_THREADS,
				r->remote_threads) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_MIGRATIONS_OUT,
				r->migrations_out) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_MIGRATIONS_IN,
				r->migrations_in) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_VMA_FETCHES, r->vma_fetches) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_PAGE_FETCHES,
				r->page_fetches) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_PAGE_FETCH_RETRIES,
				r->page_fetch_retries) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_PAGE_RECALLS, r->inval_sent) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_PAGE_SERVED, r->page_served) ||
	    pcn_put_faults(skb, r->faults, r->fault_lat) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_INVAL_SENT, r->inval_sent) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_INVAL_RECV, r->inval_recv) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_TRANSPORT_ERRORS,
				r->transport_errors) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_PAGES_GRANTED,
				r->pages_granted) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_GRANTED_MAPPED,
				r->granted_mapped) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_AHEAD_SENT, r->ahead_sent) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_AHEAD_MAPPED,
				r->ahead_mapped) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_AHEAD_USED, r->ahead_used) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_AHEAD_UNUSED,
				r->ahead_unused) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_SESSIONS_RESUMED,
				r->sessions_resumed) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_SESSIONS_LOST,
				r->sessions_lost) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_MSGS_RESENT, r->msgs_resent) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_RX_DUPS, r->rx_dups))
		return -EMSGSIZE;
	for (d = 0; d < PCN_MIGRATE_DIRS; d++) {
		nest = nla_nest_start(skb, PCN_A_STAT_MIGRATE);
		if (!nest ||
		    nla_put_u8(skb, PCN_A_MIGRATE_DIR, d) ||
		    pcn_nla_put_counter(skb, PCN_A_MIGRATE_COUNT,
					r->migrations[d]) ||
		    pcn_put_hist(skb, r->migrate_lat[d]))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	for (i = 0; i < r->ntypes; i++) {
		c = (struct pcn_type_counts){
			.msgs_in = r->types[i].msgs_in,
			.msgs_out = r->types[i].msgs_out,
			.bytes_in = r->types[i].bytes_in,
			.bytes_out = r->types[i].bytes_out,
		};
		if (pcn_nla_put_type(skb, i, &c))
			return -EMSGSIZE;
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
	if (pcn_put_faults(skb, n, NULL) ||
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
