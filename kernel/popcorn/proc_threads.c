// SPDX-License-Identifier: GPL-2.0
/*
 * One process's threads, wherever they run: PCN_CMD_PROC_GET with a pid
 * (pcnctl proc PID, pcn-balance), and the message that asks a node for
 * the threads it runs for an origin (THREADS_REQUEST / THREADS_REPLY).
 *
 * For each thread: the node it runs on, the CPU time it has used there,
 * and how many of its faults there needed another node and how many of
 * its system calls went to the origin. A thread at home is read here; for
 * threads at remotes their nodes are asked, all at once.
 *
 * Who may ask, and what is checked:
 *  - PROC_GET PID: a local user allowed to read the process as ptrace
 *    would (PTRACE_MODE_READ_REALCREDS), for a process started on this
 *    node; the pid is in the caller's namespace.
 *  - THREADS_REQUEST: the process's origin only: the receiver looks the
 *    process up under the sender's node id as its origin, so a peer
 *    learns nothing of another node's processes. The reply is checked for
 *    its size against its count, and each thread it names must be a twin
 *    of the process at the sender's node, or it is not used.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/ptrace.h>
#include <linux/sched/cputime.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include "internal.h"
#include "process.h"

#define PCN_THREADS_TIMEOUT	(5 * HZ)

/* ---- the remote side ---- */

static void pcn_threads_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_threads_request *m = (const void *)rx->msg->payload;
	struct pcn_threads_reply *r;
	struct pcn_process *proc;
	struct task_struct *leader = NULL, *t;
	struct pcn_thread *th;
	size_t size;
	u16 n = 0;

	r = kzalloc(struct_size(r, threads, PCN_THREADS_MAX), GFP_KERNEL);
	if (!r)
		goto done;	/* unanswered: the origin times out */
	r->status = -ESRCH;
	if (m->reserved) {
		pcn_kmsg_bad(rx->from, "malformed threads request");
		r->status = -EPROTO;
		goto reply;
	}
	/* Only the process's origin asks about its threads here. */
	proc = pcn_process_find(rx->from->nid, m->origin_tgid);
	if (proc && !proc->is_origin) {
		spin_lock(&proc->lock);
		if (proc->worker)
			leader = get_task_struct(proc->worker);
		spin_unlock(&proc->lock);
	}
	if (proc)
		pcn_process_put(proc);
	if (!leader)
		goto reply;
	r->status = 0;
	rcu_read_lock();
	for_each_thread(leader, t) {
		struct pcn_wire_thread *w;
		pid_t tid = 0;

		u64 faults = 0, calls = 0;

		if (t->flags & PF_EXITING)
			continue;
		spin_lock(&pcn_threads_lock);
		th = t->pcn_thread;
		if (th && th->role == PCN_THREAD_REMOTE) {
			tid = th->peer_tid;
			faults = READ_ONCE(th->faults);
			calls = READ_ONCE(th->calls);
		}
		spin_unlock(&pcn_threads_lock);
		if (!tid)
			continue;	/* the worker itself */
		if (n == PCN_THREADS_MAX) {
			r->truncated = 1;
			break;
		}
		w = &r->threads[n++];
		w->origin_tid = tid;
		w->faults = faults;
		w->calls = calls;
		w->cpu_ns = task_sched_runtime(t);
	}
	rcu_read_unlock();
	put_task_struct(leader);
reply:
	r->count = n;
	size = struct_size(r, threads, n);
	pcn_kmsg_reply(rx, r, size);
	kfree(r);
done:
	pcn_kmsg_done(rx);
}

/*
 * A THREADS_REPLY of @size payload bytes: 0 if its shape is right,
 * -EPROTO if not. Its thread ids are matched against the process's own
 * twins by the caller; its figures are counts, shown as they came.
 */
int pcn_threads_reply_check(const struct pcn_threads_reply *r, size_t size)
{
	unsigned int i;

	if (size < sizeof(*r) || r->reserved || r->truncated > 1 ||
	    r->count > PCN_THREADS_MAX ||
	    size != struct_size(r, threads, r->count) ||
	    (r->status && (r->status != -ESRCH || r->count)))
		return -EPROTO;
	for (i = 0; i < r->count; i++)
		if (r->threads[i].reserved || r->threads[i].origin_tid <= 0)
			return -EPROTO;
	return 0;
}

/* ---- the origin side: PROC_GET PID ---- */

/* The rows of @leader's threads, at most @max; their number. */
static unsigned int pcn_thread_rows(struct task_struct *leader, int me,
				    struct pcn_thread_row *rows,
				    unsigned int max, unsigned long *remote)
{
	struct pcn_thread *th;
	struct task_struct *t;
	unsigned int n = 0;

	rcu_read_lock();
	for_each_thread(leader, t) {
		struct pcn_thread_row *row;

		if (t->flags & PF_EXITING)
			continue;
		if (n == max)
			break;
		row = &rows[n++];
		row->tid = t->pid;
		row->nid = me;
		spin_lock(&pcn_threads_lock);
		th = t->pcn_thread;
		if (th && th->role == PCN_THREAD_TWIN)
			row->nid = th->peer_nid;
		if (th) {
			row->faults = READ_ONCE(th->faults);
			row->calls = READ_ONCE(th->calls);
		}
		spin_unlock(&pcn_threads_lock);
		if (row->nid == me) {
			row->cpu_ns = task_sched_runtime(t);
			row->have = true;
		} else if (row->nid >= 0 && row->nid < PCN_MAX_NODES) {
			*remote |= BIT(row->nid);
		}
	}
	rcu_read_unlock();
	return n;
}

/* The figures of the threads at node @nid, from its reply. */
static void pcn_thread_rows_merge(struct pcn_thread_row *rows,
				  unsigned int n, int nid,
				  struct pcn_kmsg_rx *reply)
{
	const struct pcn_threads_reply *r = (const void *)reply->msg->payload;
	unsigned int i, j;

	if (pcn_threads_reply_check(r, reply->msg->hdr.size)) {
		pcn_kmsg_bad(reply->from, "malformed threads reply");
		return;
	}
	for (i = 0; i < r->count; i++) {
		for (j = 0; j < n; j++) {
			if (rows[j].tid != r->threads[i].origin_tid ||
			    rows[j].nid != nid || rows[j].have)
				continue;
			rows[j].have = true;
			rows[j].cpu_ns = r->threads[i].cpu_ns;
			rows[j].faults = r->threads[i].faults;
			rows[j].calls = r->threads[i].calls;
		}
	}
}

static int pcn_proc_get_fill(struct sk_buff *msg, struct genl_info *info,
			     struct task_struct *leader,
			     struct pcn_process *proc,
			     const struct pcn_thread_row *rows, unsigned int n)
{
	char comm[TASK_COMM_LEN];
	u8 nodes[PCN_MAX_NODES];
	unsigned int count, i;
	void *hdr;
	u8 mode;

	hdr = genlmsg_put_reply(msg, info, &pcn_genl_family, 0,
				PCN_CMD_PROC_GET);
	if (!hdr)
		return -EMSGSIZE;
	get_task_comm(comm, leader);
	mode = pcn_placement_info(leader, nodes, &count);
	if (nla_put_u32(msg, PCN_A_PROC_PID, task_tgid_vnr(leader)) ||
	    nla_put_u32(msg, PCN_A_PROC_ORIGIN_NID, pcn_my_nid()) ||
	    nla_put_u32(msg, PCN_A_PROC_ORIGIN_PID, leader->tgid) ||
	    nla_put_string(msg, PCN_A_PROC_COMM, comm) ||
	    nla_put_u8(msg, PCN_A_PLACE_MODE, mode) ||
	    (count && nla_put(msg, PCN_A_PLACE_NODES, count, nodes)) ||
	    (proc && pcn_stats_fill_proc(msg, proc)))
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (pcn_nla_put_thread(msg, &rows[i]))
			return -EMSGSIZE;
	genlmsg_end(msg, hdr);
	return 0;
}

int pcn_nl_proc_get(struct sk_buff *skb, struct genl_info *info)
{
	struct pcn_kmsg_rx *replies[PCN_MAX_NODES];
	int results[PCN_MAX_NODES];
	struct pcn_threads_request req = {};
	struct pcn_process *proc = NULL;
	struct pcn_thread_row *rows;
	unsigned long remote = 0;
	struct task_struct *leader;
	struct mm_struct *mm;
	struct sk_buff *msg;
	unsigned int n, max;
	int me = pcn_my_nid();
	bool remote_copy;
	int nid, ret;

	if (GENL_REQ_ATTR_CHECK(info, PCN_A_PROC_PID))
		return -EINVAL;
	leader = pcn_nl_user_task(nla_get_u32(info->attrs[PCN_A_PROC_PID]),
				  PTRACE_MODE_READ_REALCREDS, info->extack);
	if (IS_ERR(leader))
		return PTR_ERR(leader);
	/* A process, named by its id: not one of its other threads. */
	if (leader->pid != leader->tgid) {
		put_task_struct(leader);
		NL_SET_ERR_MSG(info->extack, "no such process");
		return -ESRCH;
	}
	ret = -EREMOTE;
	mm = get_task_mm(leader);
	remote_copy = mm && READ_ONCE(mm->pcn_process) &&
		      !READ_ONCE(mm->pcn_process)->is_origin;
	if (remote_copy) {
		mmput(mm);
		NL_SET_ERR_MSG(info->extack,
			       "it runs here for another node: ask its origin");
		goto put;
	}
	/* Distributed: the origin's state, if it is this very process's. */
	proc = pcn_process_find(me, leader->tgid);
	if (proc && (!mm || proc->mm != mm)) {
		pcn_process_put(proc);
		proc = NULL;
	}
	if (mm)
		mmput(mm);
	ret = -ENOMEM;
	max = get_nr_threads(leader) + 16;
	rows = kcalloc(max, sizeof(*rows), GFP_KERNEL);
	if (!rows)
		goto put;
	n = pcn_thread_rows(leader, me, rows, max, &remote);
	if (remote) {
		req.origin_tgid = leader->tgid;
		if (!pcn_kmsg_request_all(remote, PCN_KMSG_TYPE_THREADS_REQUEST,
					  &req, sizeof(req), replies, results,
					  PCN_THREADS_TIMEOUT)) {
			for_each_set_bit(nid, &remote, PCN_MAX_NODES) {
				if (results[nid])
					continue;
				pcn_thread_rows_merge(rows, n, nid,
						      replies[nid]);
				pcn_kmsg_done(replies[nid]);
			}
		}
	}
	/* A thread's nest with its figures: ~76 bytes with the pads. */
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE + n * 128, GFP_KERNEL);
	if (!msg)
		goto free;
	ret = pcn_proc_get_fill(msg, info, leader, proc, rows, n);
	if (ret)
		nlmsg_free(msg);
	else
		ret = genlmsg_reply(msg, info);
free:
	kfree(rows);
put:
	if (proc)
		pcn_process_put(proc);
	put_task_struct(leader);
	return ret;
}

int pcn_proc_threads_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_THREADS_REQUEST,
				 pcn_threads_handle);
}
