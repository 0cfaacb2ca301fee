// SPDX-License-Identifier: GPL-2.0
/*
 * Where the new threads of a process go (`pcnctl run --spread`,
 * PCN_CMD_PLACE in netlink_place.c), or that the balancer (pcn-balance,
 * user space) may move them (`pcnctl run --balance`): a balanced process
 * creates its threads where their creator is, and its placement only
 * says that it is managed, and on which nodes.
 *
 * A placement belongs to a process (signal_struct.pcn_placement,
 * patches/0009): it survives exec, so `pcnctl run` sets it on itself and
 * execs the program, and a child process shares its parent's, so a
 * program started by a shell script is placed too. Each new thread
 * (clone with CLONE_THREAD) is given the next node of the list in turn,
 * before it runs any user code: kernel_clone() marks it before waking it,
 * as `pcnctl migrate` marks a thread (move.c), and it migrates on its
 * first way out to user space. The first thread stays home; the list
 * starts after the origin's own place in it. A thread that cannot go (its
 * node is not online, the process is not dumpable) runs at home.
 *
 * A thread created by a thread at a remote is made at the origin by its
 * twin (clone.c), which takes its node from here too.
 *
 * Lifetime: the placement is counted, one reference per process that
 * uses it; it is replaced by an exchange of the pointer and freed after
 * an RCU grace period, so kernel_clone() and copy_signal() read it under
 * rcu_read_lock() while PLACE replaces it. free_signal_struct() may run
 * in softirq context (a task freed from an RCU callback): the last put
 * only queues kfree_rcu().
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/coredump.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <popcorn/placement_hooks.h>
#include <popcorn/node.h>
#include "internal.h"
#include "process.h"

struct pcn_placement {
	refcount_t ref;
	struct rcu_head rcu;
	atomic_t next;			/* index of the next thread's node */
	u8 mode;			/* enum pcn_place_mode: SPREAD, BALANCE */
	unsigned int count;
	u8 nodes[PCN_MAX_NODES];
};

/*
 * A placement of @mode over @nodes (@count ids, each checked by the
 * caller), or over this node and every configured peer when @count is 0.
 */
struct pcn_placement *pcn_placement_new(u8 mode, const u8 *nodes,
					unsigned int count)
{
	struct pcn_placement *pl = kzalloc(sizeof(*pl), GFP_KERNEL);
	int me = pcn_my_nid();
	unsigned int i;
	int nid;

	if (!pl)
		return NULL;
	refcount_set(&pl->ref, 1);
	pl->mode = mode;
	if (count) {
		memcpy(pl->nodes, nodes, count);
		pl->count = count;
	} else {
		for (nid = 0; nid < PCN_MAX_NODES; nid++)
			if (pcn_node_known(nid))
				pl->nodes[pl->count++] = nid;
	}
	/* The first new thread goes to the node after home in the list. */
	for (i = 0; i < pl->count; i++)
		if (pl->nodes[i] == me)
			atomic_set(&pl->next, i + 1);
	return pl;
}

void pcn_placement_put(struct pcn_placement *pl)
{
	if (pl && refcount_dec_and_test(&pl->ref))
		kfree_rcu(pl, rcu);
}

/* Give process @sig the placement @pl (NULL: none), our reference. */
void pcn_placement_set(struct signal_struct *sig, struct pcn_placement *pl)
{
	pcn_placement_put(unrcu_pointer(xchg(&sig->pcn_placement,
					     RCU_INITIALIZER(pl))));
}

/* copy_signal(): the new process @sig shares its parent's placement. */
void pcn_placement_fork(struct signal_struct *sig)
{
	struct pcn_placement *pl;

	rcu_read_lock();
	pl = rcu_dereference(current->signal->pcn_placement);
	if (pl && !refcount_inc_not_zero(&pl->ref))
		pl = NULL;
	rcu_read_unlock();
	RCU_INIT_POINTER(sig->pcn_placement, pl);
}

/* free_signal_struct(): the process is gone. */
void pcn_placement_release(struct signal_struct *sig)
{
	pcn_placement_put(rcu_dereference_protected(sig->pcn_placement, 1));
}

/*
 * The node for the next new thread of current's process, or @fallback
 * when it has no placement or must not be placed: a process that is not
 * dumpable (it gained privileges at exec, or asked not to be inspected)
 * keeps its threads where they are created.
 */
int pcn_placement_next(int fallback)
{
	struct pcn_placement *pl;
	int nid = fallback;

	if (!current->mm || get_dumpable(current->mm) != SUID_DUMP_USER)
		return fallback;
	rcu_read_lock();
	pl = rcu_dereference(current->signal->pcn_placement);
	if (pl && pl->mode == PCN_PLACE_SPREAD && pl->count)
		nid = pl->nodes[(unsigned int)atomic_fetch_inc(&pl->next) %
				pl->count];
	rcu_read_unlock();
	return nid;
}

/*
 * The placement of @t's process (a counted task): its mode (NONE when it
 * has none) and nodes, *@count of them; what PLACE_GET and PROC_GET show.
 */
u8 pcn_placement_info(struct task_struct *t, u8 *nodes, unsigned int *count)
{
	struct pcn_placement *pl;
	u8 mode = PCN_PLACE_NONE;

	*count = 0;
	rcu_read_lock();
	pl = rcu_dereference(t->signal->pcn_placement);
	if (pl) {
		mode = pl->mode;
		*count = pl->count;
		memcpy(nodes, pl->nodes, pl->count);
	}
	rcu_read_unlock();
	return mode;
}

/*
 * kernel_clone(), before waking @p, a new thread of current's process
 * that has a placement: mark it to migrate on its first way out to user
 * space, before any user code runs (move.c does the move).
 */
void pcn_placement_new_thread(struct task_struct *p)
{
	struct pcn_thread *me = current->pcn_thread;
	struct pcn_thread *th;
	int home = pcn_my_nid();
	int nid;

	/* Made for a thread at a remote: clone.c places it. */
	if (me && me->role != PCN_THREAD_NONE)
		return;
	if (home < 0 || (p->flags & (PF_KTHREAD | PF_IO_WORKER)))
		return;
	nid = pcn_placement_next(home);
	if (nid == home || pcn_node_reachable(nid))
		return;
	th = pcn_thread_alloc(p);
	if (!th)
		return;
	if (!pcn_thread_attach(p, th)) {
		kfree(th);
		return;
	}
	/* Not running yet: the flag is seen when wake_up_new_task() runs it. */
	spin_lock(&pcn_threads_lock);
	th->move_to = nid;
	spin_unlock(&pcn_threads_lock);
	set_tsk_thread_flag(p, TIF_NOTIFY_RESUME);
}
