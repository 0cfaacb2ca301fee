// SPDX-License-Identifier: GPL-2.0
/*
 * PCN_CMD_PLACE (include/uapi/popcorn/pcn_netlink.h): where a process's
 * new threads start, or that the balancer manages it (placement.c); and
 * PCN_CMD_PLACE_GET, the processes that have a placement.
 *
 * Who may use PLACE: anyone, on a process they may ptrace
 * (PTRACE_MODE_ATTACH_REALCREDS, as for pcnctl migrate); their own
 * process always. The pid is in the caller's pid namespace. What it
 * checks: every node id is below PCN_MAX_NODES, given once, and is this
 * node or a configured peer; this node has an id. PLACE_GET lists only
 * the processes the caller may read as ptrace would
 * (PTRACE_MODE_READ_REALCREDS), with pids of the initial namespace, and
 * only to callers in it.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <net/genetlink.h>
#include <popcorn/node.h>
#include "internal.h"

/* The node list of @attr, checked; its length in *count. */
static int pcn_place_nodes(const struct nlattr *attr, u8 *nodes,
			   unsigned int *count, struct netlink_ext_ack *extack)
{
	DECLARE_BITMAP(seen, PCN_MAX_NODES) = { 0 };
	const u8 *ids = nla_data(attr);
	unsigned int i, n = nla_len(attr);

	if (!n || n > PCN_MAX_NODES) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "PLACE_NODES: 1 to 32 ids");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (ids[i] >= PCN_MAX_NODES || test_and_set_bit(ids[i], seen)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "PLACE_NODES: id out of range or repeated");
			return -EINVAL;
		}
		if (!pcn_node_known(ids[i])) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "PLACE_NODES: no such node");
			return -ENOENT;
		}
		nodes[i] = ids[i];
	}
	*count = n;
	return 0;
}

/*
 * The user task @pid names in the caller's pid namespace (0: the caller),
 * counted, if the caller may access it as ptrace would with @mode; what
 * PLACE and PROC_GET PID act on.
 */
struct task_struct *pcn_nl_user_task(pid_t pid, unsigned int mode,
				     struct netlink_ext_ack *extack)
{
	struct task_struct *t;

	rcu_read_lock();
	t = pid ? find_task_by_vpid(pid) : current;
	if (t)
		get_task_struct(t);
	rcu_read_unlock();
	if (!t) {
		NL_SET_ERR_MSG(extack, "no such process");
		return ERR_PTR(-ESRCH);
	}
	if ((t->flags & PF_KTHREAD) || !t->mm) {
		put_task_struct(t);
		NL_SET_ERR_MSG(extack, "not a user process");
		return ERR_PTR(-EINVAL);
	}
	if (!ptrace_may_access(t, mode)) {
		put_task_struct(t);
		NL_SET_ERR_MSG(extack, "not allowed to ptrace that process");
		return ERR_PTR(-EPERM);
	}
	return t;
}

int pcn_nl_place(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct pcn_placement *pl = NULL;
	u8 nodes[PCN_MAX_NODES];
	unsigned int count = 0;
	struct task_struct *t;
	u8 mode;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, PCN_A_PLACE_MODE))
		return -EINVAL;
	mode = nla_get_u8(a[PCN_A_PLACE_MODE]);
	if (pcn_my_nid() < 0) {
		NL_SET_ERR_MSG(info->extack, "this node has no id yet");
		return -EINVAL;
	}
	if (a[PCN_A_PLACE_NODES]) {
		if (mode == PCN_PLACE_NONE) {
			NL_SET_ERR_MSG(info->extack, "PLACE_NODES with mode none");
			return -EINVAL;
		}
		ret = pcn_place_nodes(a[PCN_A_PLACE_NODES], nodes, &count,
				      info->extack);
		if (ret)
			return ret;
	}
	t = pcn_nl_user_task(a[PCN_A_PLACE_PID] ?
			     nla_get_u32(a[PCN_A_PLACE_PID]) : 0,
			     PTRACE_MODE_ATTACH_REALCREDS, info->extack);
	if (IS_ERR(t))
		return PTR_ERR(t);
	if (mode != PCN_PLACE_NONE) {
		pl = pcn_placement_new(mode, nodes, count);
		if (!pl) {
			put_task_struct(t);
			return -ENOMEM;
		}
	}
	pcn_placement_set(t->signal, pl);
	put_task_struct(t);
	return 0;
}

/* One process of the PLACE_GET dump; 0 when it has no placement. */
static int pcn_place_fill(struct sk_buff *skb, struct netlink_callback *cb,
			  struct task_struct *t)
{
	unsigned int count;
	u8 nodes[PCN_MAX_NODES];
	u8 mode;
	void *hdr;

	mode = pcn_placement_info(t, nodes, &count);
	if (mode == PCN_PLACE_NONE)
		return 0;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &pcn_genl_family, NLM_F_MULTI, PCN_CMD_PLACE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, PCN_A_PLACE_PID, t->tgid) ||
	    nla_put_u8(skb, PCN_A_PLACE_MODE, mode) ||
	    (count && nla_put(skb, PCN_A_PLACE_NODES, count, nodes))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* cb->args[0]: the next tgid to look at. */
int pcn_nl_place_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct task_struct *t;
	struct pid *pid;
	pid_t nr = cb->args[0];
	int ret = 0;

	if (task_active_pid_ns(current) != &init_pid_ns)
		return -EPERM;
	for (;; nr++) {
		rcu_read_lock();
		pid = find_ge_pid(nr, &init_pid_ns);
		t = pid ? pid_task(pid, PIDTYPE_TGID) : NULL;
		if (pid)
			nr = pid_nr(pid);
		if (t)
			get_task_struct(t);
		rcu_read_unlock();
		if (!pid)
			break;
		if (!t)
			continue;
		if (!(t->flags & PF_KTHREAD) &&
		    ptrace_may_access(t, PTRACE_MODE_READ_REALCREDS))
			ret = pcn_place_fill(skb, cb, t);
		put_task_struct(t);
		if (ret)
			break;
	}
	cb->args[0] = nr;
	/* A process that did not fit goes first into the next message. */
	return ret && !skb->len ? ret : skb->len;
}
