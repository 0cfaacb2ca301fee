// SPDX-License-Identifier: GPL-2.0
/*
 * System calls that change a distributed address space: mmap, munmap,
 * mprotect, mremap, brk, madvise (the ones that drop pages), shmat, shmdt
 * and remap_file_pages; and msync, which needs the pages of a shared
 * mapping home.
 *
 * The origin is the authority: at a remote, such a call is sent to the
 * origin (VMA_OP) and made there by the thread's twin, in the process's
 * own context. At the origin, whoever makes it, the call is bracketed by
 * coherence work under proc->vma_lock (held for write):
 *
 *  - before mprotect, mremap and msync, and before any call on a shared
 *    mapping (whose object outlives it: shared.c), pages whose only copy
 *    is at a remote come home and read-only copies are dropped (their
 *    data must survive);
 *  - after the call, the directory forgets the range (for calls that drop
 *    memory), and every remote unmaps it (VMA_DROP, to all of them at
 *    once); remotes learn what is there now on their next fault.
 *
 * Meanwhile remotes' page and VMA requests are answered "busy".
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/mman.h>
#include <linux/shm.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include <popcorn/hooks.h>
#include "internal.h"
#include "process.h"

struct pcn_vma_range {
	unsigned long start, end;
};

/* What a call does to the pages of its range(s). */
enum pcn_vma_effect {
	PCN_VMA_NOTHING,	/* no coherence work: run it as it is */
	PCN_VMA_DISCARD,	/* the memory is gone or replaced */
	PCN_VMA_KEEP,		/* the memory stays (moved, protected) */
	PCN_VMA_SYNC,		/* the mapping stays: shared pages come home */
};

static bool pcn_range_set(struct pcn_vma_range *r, unsigned long start,
			  unsigned long len)
{
	if (!PAGE_ALIGNED(start) || start >= TASK_SIZE_MAX ||
	    !len || len > TASK_SIZE_MAX - start)
		return false;
	r->start = start;
	r->end = PAGE_ALIGN(start + len);
	return true;
}

/*
 * shmdt(@addr) unmaps what is left of the segment attached at @addr: the
 * mappings in [addr, addr + its size) whose offset in it is their offset
 * from @addr (ksys_shmdt()). The range covers them all: it is written
 * back whole first (what else lies there only comes home).
 */
static bool pcn_shmdt_range(unsigned long addr, struct pcn_vma_range *r)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	loff_t size = 0;

	if (!PAGE_ALIGNED(addr) || addr >= TASK_SIZE_MAX)
		return false;		/* EINVAL, nothing changes */
	mmap_read_lock(mm);
	for (vma = find_vma(mm, addr); vma; vma = find_vma(mm, vma->vm_end)) {
		if (vma->vm_file &&
		    (vma->vm_start - addr) >> PAGE_SHIFT == vma->vm_pgoff) {
			size = i_size_read(file_inode(vma->vm_file));
			break;
		}
	}
	mmap_read_unlock(mm);
	return size > 0 && pcn_range_set(r, addr,
					 min_t(loff_t, size,
					       TASK_SIZE_MAX - addr));
}

/* The range a call affects before it runs; PCN_VMA_NOTHING if none. */
static enum pcn_vma_effect pcn_vma_classify(int nr, const unsigned long *a,
					    struct pcn_vma_range *r)
{
	switch (nr) {
	case __NR_shmat:
		/* A new mapping, or (SHM_REMAP) one over a range it sizes. */
		return PCN_VMA_NOTHING;
	case __NR_shmdt:
		return pcn_shmdt_range(a[0], r) ? PCN_VMA_KEEP :
		       PCN_VMA_NOTHING;
	case __NR_msync:
		return pcn_range_set(r, a[0], a[1]) ? PCN_VMA_SYNC :
		       PCN_VMA_NOTHING;
	case __NR_mmap:
		if (!(a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
			return PCN_VMA_NOTHING;
		return pcn_range_set(r, a[0], a[1]) ? PCN_VMA_DISCARD :
		       PCN_VMA_NOTHING;
	case __NR_munmap:
		return pcn_range_set(r, a[0], a[1]) ? PCN_VMA_DISCARD :
		       PCN_VMA_NOTHING;
	case __NR_remap_file_pages:
		/* A new mapping over the range, as the kernel rounds it. */
		return pcn_range_set(r, a[0] & PAGE_MASK, a[1] & PAGE_MASK) ?
		       PCN_VMA_DISCARD : PCN_VMA_NOTHING;
	case __NR_mprotect:
		return pcn_range_set(r, a[0], a[1]) ? PCN_VMA_KEEP :
		       PCN_VMA_NOTHING;
	case __NR_mremap:
		return pcn_range_set(r, a[0], a[1]) ? PCN_VMA_KEEP :
		       PCN_VMA_NOTHING;
	case __NR_madvise:
		if (a[2] != MADV_DONTNEED && a[2] != MADV_FREE &&
		    a[2] != MADV_REMOVE)
			return PCN_VMA_NOTHING;
		return pcn_range_set(r, a[0], a[1]) ? PCN_VMA_DISCARD :
		       PCN_VMA_NOTHING;
	case __NR_brk: {
		unsigned long cur = READ_ONCE(current->mm->brk);

		if (a[0] >= cur || a[0] < current->mm->start_brk)
			return PCN_VMA_NOTHING;		/* grows or fails */
		r->start = PAGE_ALIGN(a[0]);
		r->end = PAGE_ALIGN(cur);
		return r->start < r->end ? PCN_VMA_DISCARD : PCN_VMA_NOTHING;
	}
	default:
		return PCN_VMA_NOTHING;
	}
}

bool pcn_vma_op_allowed(int nr)
{
	return nr == __NR_mmap || nr == __NR_munmap || nr == __NR_mprotect ||
	       nr == __NR_mremap || nr == __NR_brk || nr == __NR_madvise ||
	       nr == __NR_shmat || nr == __NR_shmdt || nr == __NR_msync ||
	       nr == __NR_remap_file_pages;
}

/* Does [r->start, r->end) of the current process hold a shared mapping? */
static bool pcn_vma_range_shared(const struct pcn_vma_range *r)
{
	bool shared;

	mmap_read_lock(current->mm);
	shared = pcn_range_shared(current->mm, r->start, r->end);
	mmap_read_unlock(current->mm);
	return shared;
}

/* Make every remote of @proc unmap [start, end). */
static void pcn_vma_drop_remotes(struct pcn_process *proc,
				 const struct pcn_vma_range *r)
{
	struct pcn_vma_drop d = {
		.origin_tgid = proc->origin_tgid,
		.start = r->start,
		.end = r->end,
	};
	unsigned long nodes;

	spin_lock(&proc->lock);
	nodes = proc->nodes;
	spin_unlock(&proc->lock);
	/* All at once; a node that does not answer is lost with the process. */
	pcn_kmsg_request_nodes(nodes, PCN_KMSG_TYPE_VMA_DROP, &d, sizeof(d),
			       PCN_REQUEST_TIMEOUT);
}

/*
 * Make system call @nr with @regs as the calling thread of the origin,
 * with the coherence work it needs around it.
 */
static long pcn_origin_vma_call(struct pcn_process *proc, int nr,
				struct pt_regs *regs)
{
	const unsigned long a[6] = {
		regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9
	};
	struct pcn_vma_range r, moved;
	enum pcn_vma_effect effect;
	struct file *object;
	long ret;

	/* SHM_REMAP replaces a range only the segment's size tells. */
	if (nr == __NR_shmat && (a[2] & SHM_REMAP))
		return -EOPNOTSUPP;
	effect = pcn_vma_classify(nr, a, &r);
	object = pcn_shared_call_object(proc, nr, a);
	if (effect == PCN_VMA_NOTHING && !object) {
		ret = sys_call_table[nr](regs);
		goto mapped;
	}

	down_write(&proc->vma_lock);
	/*
	 * A new mapping of a shmem object some pages of which remotes hold
	 * (an alias the page server does not see): they come home first,
	 * and none leaves again while the lock is held.
	 */
	if (object) {
		pcn_shared_own_sync(proc, object);
		fput(object);
	}
	if (effect == PCN_VMA_KEEP ||
	    (effect != PCN_VMA_NOTHING && pcn_vma_range_shared(&r)))
		pcn_pages_writeback(proc, r.start, r.end);
	ret = sys_call_table[nr](regs);
	if (effect == PCN_VMA_SYNC || effect == PCN_VMA_NOTHING) {
		up_write(&proc->vma_lock);
		goto mapped;
	}
	pcn_pages_forget(proc, r.start, r.end);
	pcn_vma_drop_remotes(proc, &r);
	/* mremap: the pages may live at a new address now. */
	if (nr == __NR_mremap && !IS_ERR_VALUE(ret) && ret != r.start &&
	    pcn_range_set(&moved, ret, a[2])) {
		pcn_pages_forget(proc, moved.start, moved.end);
		pcn_vma_drop_remotes(proc, &moved);
	}
	up_write(&proc->vma_lock);
mapped:
	/* shmat: the segment is known once attached (shared.c). */
	if (nr == __NR_shmat && !IS_ERR_VALUE(ret))
		pcn_shared_alias_sync(proc, ret);
	return ret;
}

/*
 * A call that may change the address space, by a thread of a distributed
 * process: at the origin it is made here with its coherence work around
 * it; at a remote the twin makes it at the origin.
 */
long pcn_vma_syscall(struct pcn_process *proc, struct pcn_thread *th, int nr,
		     struct pt_regs *regs)
{
	struct pcn_syscall_msg op;

	if (proc->is_origin)
		return pcn_origin_vma_call(proc, nr, regs);
	/*
	 * File descriptors are the origin's, and so is the file a mapping
	 * reads (vma_server.c). A mapping no page of which may leave the
	 * origin (hugetlb, a device's, a shared one of a file that is not
	 * shmem) is made all the same: the thread goes home to touch it.
	 */
	op = (struct pcn_syscall_msg){
		.origin_tgid = proc->origin_tgid,
		.origin_tid = th->peer_tid,
		.nr = nr,
		.args = { regs->di, regs->si, regs->dx, regs->r10, regs->r8,
			  regs->r9 },
	};
	return pcn_forward_call(proc, PCN_KMSG_TYPE_VMA_OP, &op, sizeof(op),
				false);
}

/*
 * Remote: learn the origin's VMAs over [start, end) (as a fault there
 * would), so that a call made here on the range finds them. Stops at
 * the first hole the origin has too: the call then fails as at home.
 */
static void pcn_remote_vmas_learn(struct mm_struct *mm, unsigned long start,
				  unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long addr = start;

	mmap_read_lock(mm);
	while (addr < end) {
		vma = find_vma(mm, addr);
		if ((!vma || vma->vm_start > addr) &&
		    !pcn_vma_miss(mm, addr, &vma))
			break;
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
}

/*
 * madvise at a remote that asks for pages (MADV_POPULATE_READ,
 * MADV_POPULATE_WRITE, MADV_WILLNEED): they come here, in bulk, through
 * this node's own fault path (read-ahead windows, blocks of fresh pages:
 * page_server.c); made at the origin, the call would pull them there
 * instead (pcn_madvise_fetches()). False: @regs' call is made here as it
 * is (the populate calls, once the VMAs are known); true: done, the
 * result in regs->ax.
 * MADV_WILLNEED is made at the origin too (its checks, its file
 * read-ahead), then prefetched here, whose errors are no one's business.
 */
bool pcn_madvise_fetches(unsigned long advice)
{
	return advice == MADV_POPULATE_READ || advice == MADV_POPULATE_WRITE ||
	       advice == MADV_WILLNEED;
}

bool pcn_remote_madvise(struct pcn_process *proc, struct pcn_thread *th,
			struct pt_regs *regs)
{
	unsigned long start = regs->di, len = regs->si;
	int advice = regs->dx;
	long ret;

	if (PAGE_ALIGNED(start) && start < TASK_SIZE_MAX && len &&
	    len <= TASK_SIZE_MAX - start)
		pcn_remote_vmas_learn(current->mm, start,
				      PAGE_ALIGN(start + len));
	if (advice != MADV_WILLNEED)
		return false;
	ret = pcn_vma_syscall(proc, th, __NR_madvise, regs);
	if (!ret) {
		regs->dx = MADV_POPULATE_READ;
		sys_call_table[__NR_madvise](regs);
		regs->dx = MADV_WILLNEED;
	}
	regs->ax = ret;
	return true;
}

/* The twin makes a remote thread's call. */
long pcn_twin_vma_call(struct pcn_thread *th, const struct pcn_syscall_msg *op)
{
	struct pt_regs regs;

	if (!pcn_vma_op_allowed(op->nr))
		return -EINVAL;
	pcn_twin_regs(&regs, op);
	return pcn_origin_vma_call(th->proc, op->nr, &regs);
}

/* Remote: the origin changed [start, end): forget what we had there. */
static void pcn_vma_drop_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_vma_drop *d = (const void *)rx->msg->payload;
	struct pcn_syscall_reply r = { .ret = 0 };
	struct pcn_process *proc;
	struct mm_struct *mm = NULL;

	if (!PAGE_ALIGNED(d->start) || !PAGE_ALIGNED(d->end) ||
	    d->start >= d->end || d->end > TASK_SIZE_MAX) {
		pcn_kmsg_bad(rx->from, "malformed VMA drop");
		r.ret = -EPROTO;
		goto reply;
	}
	proc = pcn_process_get_mm(rx->from->nid, d->origin_tgid, rx->from->nid,
				  &mm);
	if (proc) {
		mmap_write_lock(mm);
		r.ret = do_munmap(mm, d->start, d->end - d->start, NULL);
		mmap_write_unlock(mm);
		mmput(mm);
		pcn_process_put(proc);
	}
reply:
	pcn_kmsg_reply(rx, &r, sizeof(r));
	pcn_kmsg_done(rx);
}

int pcn_vma_ops_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_VMA_DROP, pcn_vma_drop_handle);
}
