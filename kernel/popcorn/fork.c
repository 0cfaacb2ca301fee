// SPDX-License-Identifier: GPL-2.0
/*
 * fork() of a distributed process, at its origin: whoever forks (a thread
 * at the origin, or a twin for its thread at a remote, clone.c), the child
 * gets a private copy of the whole address space, pages whose only copy
 * is at a remote included. Before dup_mmap() copies the parent's page
 * tables, every page a remote owns comes home (pcn_pages_writeback(), as
 * before mprotect), and proc->vma_lock, held for write until the copy is
 * made, keeps the remotes from taking any page away meanwhile (their
 * requests are answered "busy" and retried). The child is an ordinary
 * process at the origin: fork.c's mm_init() gives its mm no Popcorn state.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/mm_types.h>
#include <popcorn/hooks.h>
#include "internal.h"
#include "process.h"

/* dup_mm(), before dup_mmap(): the cookie for pcn_fork_end(). */
void *pcn_fork_begin(struct mm_struct *oldmm)
{
	/* Set once, and held by the mm until its last user (us) is gone. */
	struct pcn_process *proc = READ_ONCE(oldmm->pcn_process);

	/* A remote's tasks never fork (deputy.c): nothing to do there. */
	if (!proc || !proc->is_origin)
		return NULL;
	kref_get(&proc->ref);
	down_write(&proc->vma_lock);
	pcn_pages_writeback(proc, 0, TASK_SIZE_MAX);
	return proc;
}

/* dup_mm(), after dup_mmap(), with pcn_fork_begin()'s cookie. */
void pcn_fork_end(void *cookie)
{
	struct pcn_process *proc = cookie;

	if (!proc)
		return;
	up_write(&proc->vma_lock);
	pcn_process_put(proc);
}
