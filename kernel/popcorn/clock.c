// SPDX-License-Identifier: GPL-2.0
/*
 * The process's clocks at a remote are the origin's.
 *
 * A thread reads CLOCK_MONOTONIC and CLOCK_BOOTTIME (and their _COARSE
 * and _RAW forms) in the vDSO, from the clock of the node it runs on, and
 * those count from each node's boot: without help, a thread that moves to
 * a node booted a day later sees its monotonic clock jump back a day, and
 * an interval it times across a migration is nonsense. So every forward
 * MIGRATE carries the origin's two clocks as the process sees them
 * (its time namespace's offsets included), read just before it is sent,
 * and the remote process, made for the first thread that arrives, runs in
 * a time namespace of its own whose offsets turn this node's clocks into
 * the origin's (the vDSO and clock_gettime() apply them, the kernel keeps
 * them for timers and /proc/uptime alike).
 *
 * The offset is measured once, from the first MIGRATE, and so lags the
 * origin's clock by that message's one-way delay (microseconds on a
 * fabric): a clock never goes back when a thread moves either way, and a
 * time one thread passes to another on a different node is at most that
 * delay ahead of the receiver's clock. CLOCK_REALTIME and CLOCK_TAI are
 * not per namespace: the nodes keep them in step with NTP or PTP, as any
 * cluster does.
 */
#include <linux/nsproxy.h>
#include <linux/sched/task.h>
#include <linux/time_namespace.h>
#include <linux/timekeeping.h>
#include "internal.h"
#include "process.h"

/*
 * A clock value from a peer, in ns: at most half of ktime's range, as
 * the kernel wants a time namespace's clocks (proc_timens_set_offset()),
 * so that no sum of it and an interval overflows.
 */
#define PCN_CLOCK_MAX_NS	((u64)KTIME_MAX / 2)

/* Current's CLOCK_MONOTONIC and CLOCK_BOOTTIME, as its process sees them. */
void pcn_clock_sample(struct pcn_migrate_msg *m)
{
	struct timespec64 mono, boot;

	ktime_get_ts64(&mono);
	timens_add_monotonic(&mono);
	ktime_get_boottime_ts64(&boot);
	timens_add_boottime(&boot);
	m->clock_mono = timespec64_to_ns(&mono);
	m->clock_boot = timespec64_to_ns(&boot);
}

/* May a peer's MIGRATE carry these clocks? (Pure: KUnit, clock_kunit.c.) */
bool pcn_clock_valid(u64 mono, u64 boot)
{
	/* Boot time counts the monotonic time and the time suspended. */
	return mono <= PCN_CLOCK_MAX_NS && boot <= PCN_CLOCK_MAX_NS &&
	       boot >= mono;
}

/*
 * The offsets that make this node's clocks, read now, the ones a MIGRATE
 * carried (checked by pcn_clock_valid()).
 */
void pcn_clock_offsets(const struct pcn_migrate_msg *m,
		       struct pcn_clock_offsets *o)
{
	o->mono = ns_to_timespec64((s64)(m->clock_mono - ktime_get_ns()));
	o->boot = ns_to_timespec64((s64)(m->clock_boot -
					 ktime_get_boottime_ns()));
}

/*
 * The calling worker (remote.c, still a kernel thread's creds) moves to a
 * new time namespace with offsets @o; its threads share it. It takes
 * effect, and the offsets freeze, with pcn_clock_commit() once the
 * address space exists (the vDSO's data page depends on it).
 */
int pcn_clock_join(const struct pcn_clock_offsets *o)
{
	struct time_namespace *ns;
	struct nsproxy *nsp;
	int ret;

	if (!IS_ENABLED(CONFIG_TIME_NS))
		return 0;	/* this node's clocks, as before */
	ret = unshare_nsproxy_namespaces(CLONE_NEWTIME, &nsp, NULL, NULL);
	if (ret)
		return ret;
	ns = nsp->time_ns_for_children;
	ns->offsets.monotonic = o->mono;
	ns->offsets.boottime = o->boot;
	switch_task_namespaces(current, nsp);
	return 0;
}

/* The worker now has its mm: enter the namespace pcn_clock_join() made. */
void pcn_clock_commit(void)
{
	if (IS_ENABLED(CONFIG_TIME_NS))
		timens_on_fork(current->nsproxy, current);
}
