// SPDX-License-Identifier: GPL-2.0
/*
 * PCN_CMD_PROC_GET: what one distributed process looks like from this
 * node: its ids, its threads and where each one runs, its counters.
 *
 * At the origin the threads are the process's own tasks; a twin's thread
 * runs at the twin's peer node. At a remote they are the migrated threads
 * in the worker's thread group (the worker itself is not a thread of the
 * program and is left out).
 */
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/sched/cputime.h>
#include <linux/sched/signal.h>
#include <net/netlink.h>
#include "internal.h"
#include "process.h"

/* A PCN_A_PROC_THREAD nest. */
int pcn_nla_put_thread(struct sk_buff *skb, const struct pcn_thread_row *row)
{
	struct nlattr *nest = nla_nest_start(skb, PCN_A_PROC_THREAD);

	if (!nest ||
	    nla_put_u32(skb, PCN_A_THREAD_TID, row->tid) ||
	    nla_put_u32(skb, PCN_A_THREAD_NID, row->nid) ||
	    (row->local_tid &&
	     nla_put_u32(skb, PCN_A_THREAD_LOCAL_TID, row->local_tid)) ||
	    (row->have &&
	     (nla_put_u64_64bit(skb, PCN_A_THREAD_CPU_NS, row->cpu_ns,
				PCN_A_PAD) ||
	      nla_put_u64_64bit(skb, PCN_A_THREAD_FAULTS, row->faults,
				PCN_A_PAD) ||
	      nla_put_u64_64bit(skb, PCN_A_THREAD_CALLS, row->calls,
				PCN_A_PAD))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* One thread; its pcn_thread role is read under pcn_threads_lock. */
static int pcn_put_task(struct sk_buff *skb, struct pcn_process *proc,
			struct task_struct *t, int me)
{
	struct pcn_thread_row row = { .tid = t->pid, .nid = me,
				      .local_tid = t->pid };
	struct pcn_thread *th;

	spin_lock(&pcn_threads_lock);
	th = t->pcn_thread;
	if (proc->is_origin) {
		if (th && th->role == PCN_THREAD_TWIN)
			row.nid = th->peer_nid;
	} else {
		row.tid = th && th->role == PCN_THREAD_REMOTE ?
			  th->peer_tid : 0;
	}
	if (th) {
		row.faults = READ_ONCE(th->faults);
		row.calls = READ_ONCE(th->calls);
	}
	spin_unlock(&pcn_threads_lock);
	if (!row.tid)
		return 0;		/* the worker, or not set up yet */
	/* Its figures are this node's: shown for a thread running here. */
	if (row.nid == me) {
		row.have = true;
		row.cpu_ns = task_sched_runtime(t);
	}
	return pcn_nla_put_thread(skb, &row);
}

/* Under rcu_read_lock(): the task's thread list is walked safely. */
static int pcn_put_threads(struct sk_buff *skb, struct pcn_process *proc,
			   struct task_struct *leader)
{
	int me = pcn_my_nid();
	struct task_struct *t;

	for_each_thread(leader, t) {
		if (t->flags & PF_EXITING)
			continue;
		if (pcn_put_task(skb, proc, t, me))
			return -EMSGSIZE;
	}
	return 0;
}

/* The task whose thread group is @proc here, counted; NULL if gone. */
static struct task_struct *pcn_proc_leader(struct pcn_process *proc)
{
	struct task_struct *t = NULL;

	if (!proc->is_origin) {
		spin_lock(&proc->lock);
		if (proc->worker)
			t = get_task_struct(proc->worker);
		spin_unlock(&proc->lock);
		return t;
	}
	rcu_read_lock();
	t = pid_task(find_pid_ns(proc->origin_tgid, &init_pid_ns),
		     PIDTYPE_TGID);
	/* The tgid may be reused once the process is gone. */
	if (t && t->mm == proc->mm)
		get_task_struct(t);
	else
		t = NULL;
	rcu_read_unlock();
	return t;
}

/* May the caller read @proc's dump entry, as ptrace would let it read? */
bool pcn_proc_visible(struct pcn_process *proc)
{
	struct task_struct *leader = pcn_proc_leader(proc);
	bool ok;

	if (!leader)
		return capable(CAP_SYS_PTRACE);
	ok = ptrace_may_access(leader, PTRACE_MODE_READ_REALCREDS);
	put_task_struct(leader);
	return ok;
}

int pcn_proc_dump_fill(struct sk_buff *skb, struct pcn_process *proc)
{
	struct task_struct *leader = pcn_proc_leader(proc);
	char comm[TASK_COMM_LEN] = "";
	int ret;

	if (leader)
		get_task_comm(comm, leader);
	if (nla_put_u32(skb, PCN_A_PROC_PID, leader ? leader->tgid : 0) ||
	    nla_put_u32(skb, PCN_A_PROC_ORIGIN_NID, proc->origin_nid) ||
	    nla_put_u32(skb, PCN_A_PROC_ORIGIN_PID, proc->origin_tgid) ||
	    nla_put_string(skb, PCN_A_PROC_COMM, comm) ||
	    pcn_stats_fill_proc(skb, proc)) {
		ret = -EMSGSIZE;
		goto out;
	}
	ret = 0;
	if (leader) {
		rcu_read_lock();
		ret = pcn_put_threads(skb, proc, leader);
		rcu_read_unlock();
	}
out:
	if (leader)
		put_task_struct(leader);
	return ret;
}
