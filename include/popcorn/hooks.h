/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The calls core Linux files make into Popcorn (see patches/). Each hook is
 * an inline test of a pointer that is NULL for every ordinary task and mm,
 * so a kernel without distributed processes pays one predictable branch.
 */
#ifndef _POPCORN_HOOKS_H
#define _POPCORN_HOOKS_H

#include <linux/jump_label.h>
#include <linux/mm_types.h>
#include <linux/sched.h>

struct address_space;

/* The ordinary fault path, __handle_mm_fault() (static in mm/memory.c). */
typedef vm_fault_t (*pcn_fault_fn)(struct vm_area_struct *vma,
				   unsigned long addr, unsigned int flags);

#ifdef CONFIG_POPCORN

void pcn_task_exit(struct task_struct *tsk, long code);
void pcn_mm_exit(struct mm_struct *mm);
vm_fault_t pcn_handle_fault(struct vm_area_struct *vma, unsigned long addr,
			    unsigned int flags, pcn_fault_fn fault);
bool pcn_vma_miss(struct mm_struct *mm, unsigned long addr,
		  struct vm_area_struct **vma);
bool pcn_syscall(struct pt_regs *regs, int nr);
void pcn_compat_syscall(struct pt_regs *regs, int nr);
void *pcn_fork_begin(struct mm_struct *oldmm);
void pcn_fork_end(void *cookie);
void pcn_move_now(struct pt_regs *regs);
/* On from the first shmem page a distributed process gives a remote. */
DECLARE_STATIC_KEY_FALSE(pcn_shared_out);
void pcn_shared_object_sync(struct address_space *mapping, bool mapped);

/* fork: a new task or mm starts outside Popcorn, whatever its parent did. */
static inline void pcn_task_init(struct task_struct *tsk)
{
	tsk->pcn_thread = NULL;
}

static inline void pcn_mm_init(struct mm_struct *mm)
{
	mm->pcn_process = NULL;
}

/*
 * dup_mm, around dup_mmap: the copy of a distributed mm gets every page,
 * those held at remote nodes included (kernel/popcorn/fork.c).
 */
static inline void *pcn_fork_begin_hook(struct mm_struct *oldmm)
{
	if (likely(!oldmm->pcn_process))
		return NULL;
	return pcn_fork_begin(oldmm);
}

static inline void pcn_fork_end_hook(void *cookie)
{
	if (unlikely(cookie))
		pcn_fork_end(cookie);
}

/* do_exit, before exit_mm: a migrated thread or its twin ends. */
static inline void pcn_exit_hook(struct task_struct *tsk, long code)
{
	if (unlikely(tsk->pcn_thread))
		pcn_task_exit(tsk, code);
}

/* __mmput, before exit_mmap: the last user of a distributed mm is gone. */
static inline void pcn_mmput_hook(struct mm_struct *mm)
{
	if (unlikely(mm->pcn_process))
		pcn_mm_exit(mm);
}

/*
 * handle_mm_fault: the fault of a distributed mm does its coherence work,
 * then runs @fault, the ordinary fault path, unless the page server gave
 * the fault its result (page_server.c).
 */
static inline vm_fault_t pcn_fault_hook(struct vm_area_struct *vma,
					unsigned long addr, unsigned int flags,
					pcn_fault_fn fault)
{
	if (likely(!vma->vm_mm->pcn_process))
		return fault(vma, addr, flags);
	return pcn_handle_fault(vma, addr, flags, fault);
}

/*
 * lock_mm_and_find_vma, no VMA at @addr (mmap_lock held for read): a
 * remote node asks the origin for it. True with *vma covering @addr and
 * the lock held; false with the lock held and *vma looked up again.
 */
static inline bool pcn_vma_miss_hook(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **vma)
{
	if (likely(!mm->pcn_process))
		return false;
	return pcn_vma_miss(mm, addr, vma);
}

/*
 * should_fault_around: never in a distributed mm. The pages mapped around
 * a fault are the page cache's, not the page server's: a page whose only
 * up-to-date copy is at another node would be mapped stale.
 */
static inline bool pcn_no_fault_around_hook(struct vm_area_struct *vma)
{
	return unlikely(READ_ONCE(vma->vm_mm->pcn_process));
}

/*
 * do_syscall_64: a system call of a thread of a distributed process. True
 * when Popcorn carried it out (regs->ax holds the result): at a remote,
 * every call but a short list of local ones runs at the origin
 * (kernel/popcorn/syscall_fwd.c, deputy.c); at the origin, the calls that
 * change the address space do coherence work.
 */
static inline bool pcn_syscall_hook(struct pt_regs *regs, int nr)
{
	struct mm_struct *mm = current->mm;

	if (likely(!mm || !mm->pcn_process))
		return false;
	return pcn_syscall(regs, nr);
}

/*
 * do_syscall_32_irqs_on: a 32-bit system call (int 0x80...). A thread of a
 * distributed process gets ENOSYS (kernel/popcorn/deputy.c): true.
 */
static inline bool pcn_compat_syscall_hook(struct pt_regs *regs, int nr)
{
	struct mm_struct *mm = current->mm;

	if (likely(!mm || !mm->pcn_process))
		return false;
	pcn_compat_syscall(regs, nr);
	return true;
}

/*
 * resume_user_mode_work, last: a thread asked to move (pcnctl migrate)
 * does so now, its user registers final (kernel/popcorn/move.c). regs is
 * NULL on the way into a KVM guest.
 */
static inline void pcn_resume_user_hook(struct pt_regs *regs)
{
	if (unlikely(READ_ONCE(current->pcn_thread)) && regs)
		pcn_move_now(regs);
}

/*
 * rw_verify_area (every read and write of a file, io_uring and AIO
 * included), do_truncate, vfs_fallocate: pages of the shmem object of
 * @mapping that distributed processes gave to remote nodes come home
 * before its data is read or changed (kernel/popcorn/shared.c).
 */
static inline void pcn_file_access_hook(struct address_space *mapping)
{
	if (static_branch_unlikely(&pcn_shared_out))
		pcn_shared_object_sync(mapping, false);
}

/*
 * vm_mmap_pgoff, do_shmat, after the mmap lock is released: the same for
 * a new mapping of the object, by another process than the ones that
 * gave pages away (its own mapping call did that work under its lock).
 */
static inline void pcn_file_mapped_hook(struct address_space *mapping)
{
	if (static_branch_unlikely(&pcn_shared_out))
		pcn_shared_object_sync(mapping, true);
}

#else

static inline void pcn_task_init(struct task_struct *tsk) {}
static inline void pcn_mm_init(struct mm_struct *mm) {}
static inline void pcn_exit_hook(struct task_struct *tsk, long code) {}
static inline void *pcn_fork_begin_hook(struct mm_struct *oldmm)
{
	return NULL;
}
static inline void pcn_fork_end_hook(void *cookie) {}
static inline void pcn_resume_user_hook(struct pt_regs *regs) {}
static inline void pcn_mmput_hook(struct mm_struct *mm) {}
static inline void pcn_file_access_hook(struct address_space *mapping) {}
static inline void pcn_file_mapped_hook(struct address_space *mapping) {}
static inline vm_fault_t pcn_fault_hook(struct vm_area_struct *vma,
					unsigned long addr, unsigned int flags,
					pcn_fault_fn fault)
{
	return fault(vma, addr, flags);
}
static inline bool pcn_vma_miss_hook(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **vma)
{
	return false;
}
static inline bool pcn_no_fault_around_hook(struct vm_area_struct *vma)
{
	return false;
}
static inline bool pcn_syscall_hook(struct pt_regs *regs, int nr)
{
	return false;
}
static inline bool pcn_compat_syscall_hook(struct pt_regs *regs, int nr)
{
	return false;
}

#endif /* CONFIG_POPCORN */
#endif /* _POPCORN_HOOKS_H */
