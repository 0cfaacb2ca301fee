/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernel/fork.c's calls into Popcorn's placement of new threads
 * (kernel/popcorn/placement.c, patches/0009). Each is one test of a
 * pointer that is NULL unless the process was started with
 * `pcnctl run --spread`.
 */
#ifndef _POPCORN_PLACEMENT_HOOKS_H
#define _POPCORN_PLACEMENT_HOOKS_H

#include <linux/sched.h>
#include <linux/sched/signal.h>

#ifdef CONFIG_POPCORN

void pcn_placement_fork(struct signal_struct *sig);
void pcn_placement_release(struct signal_struct *sig);
void pcn_placement_new_thread(struct task_struct *p);

/* copy_signal: a new process shares its parent's placement. */
static inline void pcn_signal_fork_hook(struct signal_struct *sig)
{
	if (unlikely(rcu_access_pointer(current->signal->pcn_placement)))
		pcn_placement_fork(sig);
}

/* free_signal_struct: the process's placement loses a user. */
static inline void pcn_signal_free_hook(struct signal_struct *sig)
{
	if (unlikely(rcu_access_pointer(sig->pcn_placement)))
		pcn_placement_release(sig);
}

/* kernel_clone, before wake_up_new_task: a new thread is placed. */
static inline void pcn_new_thread_hook(struct task_struct *p, u64 clone_flags)
{
	if (unlikely(rcu_access_pointer(p->signal->pcn_placement)) &&
	    (clone_flags & CLONE_THREAD))
		pcn_placement_new_thread(p);
}

#else

static inline void pcn_signal_fork_hook(struct signal_struct *sig) {}
static inline void pcn_signal_free_hook(struct signal_struct *sig) {}
static inline void pcn_new_thread_hook(struct task_struct *p, u64 clone_flags)
{
}

#endif /* CONFIG_POPCORN */

#endif /* _POPCORN_PLACEMENT_HOOKS_H */
