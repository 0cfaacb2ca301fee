// SPDX-License-Identifier: GPL-2.0
/*
 * PCN_CMD_MIGRATE (include/uapi/popcorn/pcn_netlink.h): move a thread, or
 * every thread of a process, of this node's processes to a node.
 *
 * Who may use it: anyone, for the threads they may ptrace
 * (PTRACE_MODE_ATTACH_REALCREDS, as taskset and migratepages require);
 * a thread they may not gets EPERM and is not touched. The ids are those
 * of the caller's pid namespace; a thread the caller cannot see there is
 * ESRCH.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/hrtimer.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include "internal.h"
#include "process.h"

#define PCN_MOVE_MAX_THREADS	1024	/* of one process, one command */
#define PCN_MOVE_WAIT_MS	2000
#define PCN_MOVE_WAIT_MAX_MS	60000
/*
 * How often the command looks whether the threads moved: a move takes a
 * round trip or two, and pcnctl's answer (and the bench's figure for it)
 * should not wait much longer than that.
 */
#define PCN_MOVE_POLL_US	500

struct pcn_move_one {
	struct task_struct *task;
	pid_t tid;			/* in the caller's namespace */
	int status;			/* 0, or a positive errno */
	int nid;			/* where it runs */
	unsigned int failures;		/* attempts failed before asking */
	u64 asked_ns, moved_ns;		/* when asked; when seen moved */
};

/* The threads to move: @tid's, or every one of process @pid. */
static int pcn_move_collect(pid_t tid, pid_t pid, struct pcn_move_one *mv,
			    int *n)
{
	struct task_struct *leader, *t;

	*n = 0;
	rcu_read_lock();
	leader = find_task_by_vpid(tid ? tid : pid);
	if (!leader || (!tid && !thread_group_leader(leader))) {
		rcu_read_unlock();
		return -ESRCH;
	}
	if (tid) {
		mv[0].task = get_task_struct(leader);
		*n = 1;
	} else {
		for_each_thread(leader, t) {
			if (*n == PCN_MOVE_MAX_THREADS)
				break;
			mv[(*n)++].task = get_task_struct(t);
		}
	}
	rcu_read_unlock();
	return 0;
}

/* Ask each thread; those that may move get status EINPROGRESS. */
static void pcn_move_ask(struct pcn_move_one *mv, int n, int nid)
{
	int i, ret, err;

	for (i = 0; i < n; i++) {
		struct task_struct *t = mv[i].task;

		mv[i].tid = task_pid_vnr(t);
		mv[i].nid = pcn_move_where(t, &mv[i].failures, &err);
		if (!ptrace_may_access(t, PTRACE_MODE_ATTACH_REALCREDS)) {
			mv[i].status = EPERM;
			continue;
		}
		mv[i].asked_ns = ktime_get_ns();
		ret = pcn_move_request(t, nid);
		mv[i].status = ret == 1 ? EALREADY : ret ? -ret : EINPROGRESS;
	}
}

/* Wait up to @ms for the asked threads to move or to fail. */
static void pcn_move_wait(struct pcn_move_one *mv, int n, int nid, u32 ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);
	ktime_t poll = ns_to_ktime(PCN_MOVE_POLL_US * NSEC_PER_USEC);
	unsigned int failures;
	int i, err, left;

	for (;;) {
		left = 0;
		for (i = 0; i < n; i++) {
			if (mv[i].status != EINPROGRESS)
				continue;
			mv[i].nid = pcn_move_where(mv[i].task, &failures, &err);
			if (mv[i].nid == nid) {
				mv[i].status = 0;
				mv[i].moved_ns = ktime_get_ns();
			} else if (failures != mv[i].failures) {
				mv[i].status = err < 0 ? -err : EIO;
			} else if (mv[i].task->flags & PF_EXITING) {
				mv[i].status = ESRCH;
			} else {
				left++;
			}
		}
		if (!left || time_after(jiffies, deadline))
			return;
		set_current_state(TASK_INTERRUPTIBLE);
		schedule_hrtimeout_range(&poll, PCN_MOVE_POLL_US * NSEC_PER_USEC,
					 HRTIMER_MODE_REL);
		if (signal_pending(current))
			return;
	}
}

static int pcn_move_reply(struct genl_info *info, struct pcn_move_one *mv,
			  int n)
{
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;
	int i;

	msg = genlmsg_new(NLMSG_GOODSIZE + n * nla_total_size(5 * 12),
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pcn_genl_family, 0,
				PCN_CMD_MIGRATE);
	if (!hdr)
		goto full;
	for (i = 0; i < n; i++) {
		nest = nla_nest_start(msg, PCN_A_MOVE);
		if (!nest ||
		    nla_put_u32(msg, PCN_A_THREAD_TID, mv[i].tid) ||
		    nla_put_u32(msg, PCN_A_THREAD_NID, mv[i].nid) ||
		    nla_put_u32(msg, PCN_A_MOVE_STATUS, mv[i].status) ||
		    (mv[i].moved_ns &&
		     nla_put_u64_64bit(msg, PCN_A_MOVE_NS,
				       mv[i].moved_ns - mv[i].asked_ns,
				       PCN_A_PAD)))
			goto full;
		nla_nest_end(msg, nest);
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
full:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int pcn_nl_migrate(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	u32 ms = PCN_MOVE_WAIT_MS;
	struct pcn_move_one *mv;
	pid_t tid = 0, pid = 0;
	int i, n, nid, ret;

	if (!a[PCN_A_NID] || !!a[PCN_A_MOVE_TID] == !!a[PCN_A_MOVE_PID]) {
		NL_SET_ERR_MSG(info->extack,
			       "need NID and one of MOVE_TID, MOVE_PID");
		return -EINVAL;
	}
	nid = nla_get_u32(a[PCN_A_NID]);
	if (a[PCN_A_MOVE_TID])
		tid = nla_get_u32(a[PCN_A_MOVE_TID]);
	else
		pid = nla_get_u32(a[PCN_A_MOVE_PID]);
	if (a[PCN_A_MOVE_WAIT_MS])
		ms = nla_get_u32(a[PCN_A_MOVE_WAIT_MS]);
	if (ms > PCN_MOVE_WAIT_MAX_MS) {
		NL_SET_ERR_MSG(info->extack, "MOVE_WAIT_MS: at most 60000");
		return -EINVAL;
	}

	mv = kvcalloc(PCN_MOVE_MAX_THREADS, sizeof(*mv), GFP_KERNEL);
	if (!mv)
		return -ENOMEM;
	ret = pcn_move_collect(tid, pid, mv, &n);
	if (ret) {
		NL_SET_ERR_MSG(info->extack, "no such thread or process");
		goto out;
	}
	pcn_move_ask(mv, n, nid);
	pcn_move_wait(mv, n, nid, ms);
	ret = pcn_move_reply(info, mv, n);
	for (i = 0; i < n; i++)
		put_task_struct(mv[i].task);
out:
	kvfree(mv);
	return ret;
}
