// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn's system calls (patches/0005-popcorn-syscalls.patch): thin
 * entry points, the work is in migrate.c and process.c.
 */
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include "internal.h"
#include "process.h"

SYSCALL_DEFINE2(popcorn_migrate, int, nid, void __user *, uregs)
{
	return pcn_migrate(nid, uregs);
}

/* Ask thread @tid of the caller's process (0: the caller) to move to @nid. */
SYSCALL_DEFINE2(popcorn_propose_migration, pid_t, tid, int, nid)
{
	struct pcn_thread *fresh = NULL;
	struct task_struct *task;
	struct pcn_node *node;
	int ret = 0;

	if (nid < 0 || nid >= PCN_MAX_NODES)
		return -EINVAL;
	node = pcn_node_get(nid);
	if (!node && nid != pcn_my_nid())
		return -EINVAL;
	if (node)
		pcn_node_put(node);

	rcu_read_lock();
	task = tid ? find_task_by_vpid(tid) : current;
	if (task && !same_thread_group(task, current))
		task = NULL;
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	if (!task)
		return -ESRCH;

	if (!READ_ONCE(task->pcn_thread)) {
		fresh = pcn_thread_alloc(task);
		if (!fresh) {
			ret = -ENOMEM;
			goto out;
		}
		if (!pcn_thread_attach(task, fresh))
			kfree(fresh);
	}
	spin_lock(&pcn_threads_lock);
	if (task->pcn_thread)
		task->pcn_thread->proposed_nid = nid;
	else
		ret = -ESRCH;		/* it is exiting */
	spin_unlock(&pcn_threads_lock);
out:
	put_task_struct(task);
	return ret;
}

SYSCALL_DEFINE1(popcorn_get_thread_status,
		struct popcorn_thread_status __user *, status)
{
	struct popcorn_thread_status st = {
		.current_nid = max(pcn_my_nid(), 0),
		.proposed_nid = POPCORN_NID_NONE,
		.peer_nid = POPCORN_NID_NONE,
	};
	struct pcn_thread *th;

	spin_lock(&pcn_threads_lock);
	th = current->pcn_thread;
	if (th) {
		st.proposed_nid = th->proposed_nid;
		if (th->role == PCN_THREAD_REMOTE) {
			st.peer_nid = th->peer_nid;
			st.peer_pid = th->peer_tid;
		}
	}
	spin_unlock(&pcn_threads_lock);
	return copy_to_user(status, &st, sizeof(st)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(popcorn_get_node_info, int __user *, my_nid,
		struct popcorn_node_info __user *, info)
{
	struct popcorn_node_info *nodes;
	struct pcn_node *node;
	int me = pcn_my_nid();
	int nid, ret = 0;

	nodes = kcalloc(POPCORN_MAX_NODES, sizeof(*nodes), GFP_KERNEL);
	if (!nodes)
		return -ENOMEM;
	for (nid = 0; nid < POPCORN_MAX_NODES; nid++) {
		nodes[nid].status = POPCORN_NODE_OFFLINE;
		nodes[nid].arch = POPCORN_ARCH_UNKNOWN;
		nodes[nid].distance = -1;
		if (nid == me) {
			nodes[nid].status = POPCORN_NODE_ONLINE;
			nodes[nid].arch = POPCORN_ARCH_X86_64;
			nodes[nid].distance = 0;
			continue;
		}
		node = pcn_node_get(nid);
		if (!node)
			continue;
		if (pcn_node_state(node) == PCN_NODE_ONLINE)
			nodes[nid].status = POPCORN_NODE_ONLINE;
		/* Only x86_64 nodes are admitted (handshake). */
		nodes[nid].arch = POPCORN_ARCH_X86_64;
		nodes[nid].distance = 1;
		pcn_node_put(node);
	}
	if (put_user(me, my_nid) ||
	    copy_to_user(info, nodes, POPCORN_MAX_NODES * sizeof(*nodes)))
		ret = -EFAULT;
	kfree(nodes);
	return ret;
}
