// SPDX-License-Identifier: GPL-2.0
/*
 * VMA server: the origin is the authority on a process's address space; a
 * remote learns a VMA when one of its threads first touches an address the
 * remote has no mapping for (pcn_vma_miss(), called from the page fault
 * path). Every mapping is made anonymous here, file mappings included
 * (the executable and its libraries too): each of its pages comes from
 * the origin's page server, which reads it from the origin's file. A
 * remote never maps a file of its own in place of the origin's, whose
 * contents might differ or that it might not have at all; the path
 * travels for pcnctl and the logs only.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/fs.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/delay.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include "internal.h"
#include "process.h"

/* The VMA flags a remote needs to rebuild a mapping. */
#define PCN_VMA_FLAGS	(VM_READ | VM_WRITE | VM_EXEC | VM_GROWSDOWN)

/* ---- origin ---- */

static int pcn_vma_describe(struct vm_area_struct *vma,
			    struct pcn_vma_reply *r, char *pathbuf)
{
	char *path;

	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->vm_flags = vma->vm_flags & PCN_VMA_FLAGS;
	/*
	 * Shared mappings are the origin's page cache's (shared.c). A
	 * device's or hugetlb mapping is described too, but no page of it
	 * leaves (PCN_VM_HOME_ONLY): a thread that touches it at a remote
	 * goes home to do so (move.c).
	 */
	if (vma_is_anonymous(vma)) {
		r->kind = PCN_VMA_ANON;
		return 0;
	}
	if (!vma->vm_file)
		return -EOPNOTSUPP;	/* special mappings: the remote has its own */
	path = d_path(&vma->vm_file->f_path, pathbuf, PCN_VMA_PATH_MAX);
	if (IS_ERR(path))
		return PTR_ERR(path);
	r->kind = PCN_VMA_FILE;
	r->pgoff = vma->vm_pgoff;
	r->path_len = strlen(path) + 1;
	memmove(r->path, path, r->path_len);
	return 0;
}

/*
 * Is @addr just below a stack (VM_GROWSDOWN) of @mm? A thread at a remote
 * grew its copy of the stack there (its own fault path did, within its
 * limits), and the origin's must follow. mmap_lock held.
 */
bool pcn_stack_below(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start > addr && (vma->vm_flags & VM_GROWSDOWN);
}

/*
 * The process's RLIMIT_STACK, as its threads at the origin have it (the
 * default when the process is gone or its pid names another by now).
 */
static unsigned long pcn_stack_limit(struct pcn_process *proc,
				     struct mm_struct *mm)
{
	unsigned long limit = _STK_LIM;
	struct task_struct *t;

	rcu_read_lock();
	t = find_task_by_pid_ns(proc->origin_tgid, &init_pid_ns);
	if (t && READ_ONCE(t->mm) == mm)
		limit = READ_ONCE(t->signal->rlim[RLIMIT_STACK].rlim_cur);
	rcu_read_unlock();
	return limit;
}

/*
 * Grow @proc's stack (in @mm) down to @addr, as the fault path would:
 * mmap_lock held for write, the guard gap and the process's stack limit
 * enforced. The kernel's check (acct_stack_growth()) reads the limit of
 * current, a kernel worker here: while it runs, that worker has the
 * process's limit. A kthread's signal_struct is its own (kthreadd forks
 * without CLONE_THREAD) and the work item runs alone on it, so nothing
 * else sees the change; task_lock as do_prlimit() takes it, against a
 * reader of /proc/PID/limits. -EAGAIN when done or busy, the remote
 * asks again; -EFAULT when the stack may not grow there.
 */
int pcn_stack_grow(struct pcn_process *proc, struct mm_struct *mm,
		   unsigned long addr)
{
	struct rlimit *rl = &current->signal->rlim[RLIMIT_STACK];
	unsigned long limit = pcn_stack_limit(proc, mm), saved;
	bool swap = current->flags & PF_KTHREAD;
	struct vm_area_struct *vma;

	if (!mmap_write_trylock(mm))
		return -EAGAIN;
	if (swap) {
		task_lock(current->group_leader);
		saved = rl->rlim_cur;
		rl->rlim_cur = limit;
		task_unlock(current->group_leader);
	}
	vma = find_extend_vma_locked(mm, addr);
	if (swap) {
		task_lock(current->group_leader);
		rl->rlim_cur = saved;
		task_unlock(current->group_leader);
	}
	mmap_write_unlock(mm);
	return vma ? -EAGAIN : -EFAULT;
}

static void pcn_vma_request_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_vma_request *req = (const void *)rx->msg->payload;
	struct pcn_vma_reply *r;
	struct vm_area_struct *vma;
	struct pcn_process *proc;
	struct mm_struct *mm = NULL;
	char *pathbuf = NULL;
	int status = -ESRCH;

	r = kzalloc(sizeof(*r) + PCN_VMA_PATH_MAX, GFP_KERNEL);
	pathbuf = kmalloc(PCN_VMA_PATH_MAX, GFP_KERNEL);
	if (!r || !pathbuf) {
		status = -ENOMEM;
		goto reply;
	}
	proc = pcn_process_get_mm(pcn_my_nid(), req->origin_tgid,
				  rx->from->nid, &mm);
	if (!proc)
		goto reply;
	status = -EAGAIN;	/* the address space is being changed */
	if (down_read_trylock(&proc->vma_lock)) {
		mmap_read_lock(mm);
		vma = req->addr < TASK_SIZE_MAX ?
		      vma_lookup(mm, req->addr) : NULL;
		status = vma ? pcn_vma_describe(vma, r, pathbuf) : -EFAULT;
		mmap_read_unlock(mm);
		up_read(&proc->vma_lock);
	}
	mmput(mm);
	pcn_process_put(proc);
reply:
	if (r) {
		r->status = status;
		if (status)
			r->path_len = 0;
		pcn_kmsg_reply(rx, r, sizeof(*r) + r->path_len);
	} else {
		struct pcn_vma_reply small = { .status = status };

		pcn_kmsg_reply(rx, &small, sizeof(small));
	}
	kfree(pathbuf);
	kfree(r);
	pcn_kmsg_done(rx);
}

/* ---- remote ---- */

/* A VMA_REPLY, checked: the mapping must be sane and cover @addr. */
static int pcn_vma_reply_check(const struct pcn_kmsg_rx *reply,
			       unsigned long addr)
{
	const struct pcn_vma_reply *r = (const void *)reply->msg->payload;

	if (reply->msg->hdr.type != PCN_KMSG_TYPE_VMA_REPLY)
		return -EPROTO;
	if (r->status)
		return r->status < 0 && r->status >= -MAX_ERRNO ? r->status :
		       -EPROTO;
	if (reply->msg->hdr.size != sizeof(*r) + r->path_len ||
	    !PAGE_ALIGNED(r->start) || !PAGE_ALIGNED(r->end) ||
	    r->start >= r->end || r->end > TASK_SIZE_MAX ||
	    addr < r->start || addr >= r->end ||
	    (r->vm_flags & ~PCN_VMA_FLAGS))
		return -EPROTO;
	if (r->kind == PCN_VMA_ANON)
		return r->path_len ? -EPROTO : 0;
	if (r->kind != PCN_VMA_FILE || r->path_len < 2 ||
	    r->path[r->path_len - 1] || strlen(r->path) != r->path_len - 1 ||
	    r->pgoff > (ULONG_MAX >> PAGE_SHIFT) - (r->end >> PAGE_SHIFT))
		return -EPROTO;
	return 0;
}

/*
 * Map what the origin described, clipped to the hole around @addr here (a
 * neighbour may have been learnt with other bounds). Needs current->mm.
 */
static int pcn_vma_install(struct mm_struct *mm, const struct pcn_vma_reply *r,
			   unsigned long addr)
{
	unsigned long start = r->start, end = r->end, prot = 0, ret;
	unsigned long flags = MAP_PRIVATE | MAP_FIXED_NOREPLACE;
	struct vm_area_struct *prev, *next;

	mmap_read_lock(mm);
	next = find_vma_prev(mm, addr, &prev);
	if (next && next->vm_start <= addr) {
		mmap_read_unlock(mm);
		return 0;		/* someone else mapped it meanwhile */
	}
	if (prev)
		start = max(start, prev->vm_end);
	if (next)
		end = min(end, next->vm_start);
	mmap_read_unlock(mm);

	if (r->vm_flags & VM_READ)
		prot |= PROT_READ;
	if (r->vm_flags & VM_WRITE)
		prot |= PROT_WRITE;
	if (r->vm_flags & VM_EXEC)
		prot |= PROT_EXEC;
	if (r->vm_flags & VM_GROWSDOWN)
		flags |= MAP_GROWSDOWN;
	/* Anonymous, file or not: the pages come from the origin. */
	flags |= MAP_ANONYMOUS;
	ret = vm_mmap(NULL, start, end - start, prot, flags, 0);
	if (IS_ERR_VALUE(ret))
		return ret == -EEXIST ? 0 : (int)ret;
	return 0;
}

/*
 * No VMA at @addr in a remote's mm (mmap_lock held for read): ask the
 * origin. Returns true with *vma covering @addr; either way the lock is
 * held again on return and *vma looked up afresh.
 */
bool pcn_vma_miss(struct mm_struct *mm, unsigned long addr,
		  struct vm_area_struct **vma)
{
	struct pcn_process *proc = mm->pcn_process;
	struct pcn_vma_request req = { .addr = addr };
	struct pcn_kmsg_rx *reply;
	int ret;

	/* Only a thread of the process itself maps things into it. */
	if (proc->is_origin || current->mm != mm || addr >= TASK_SIZE_MAX)
		return false;
	req.origin_tgid = proc->origin_tgid;
	mmap_read_unlock(mm);

	do {
		pcn_stat_inc(vma_fetches);
		ret = pcn_kmsg_request(proc->origin_nid,
				       PCN_KMSG_TYPE_VMA_REQUEST, &req,
				       sizeof(req), &reply,
				       PCN_REQUEST_TIMEOUT);
		if (ret)
			break;
		ret = pcn_vma_reply_check(reply, addr);
		if (ret == -EPROTO)
			pcn_kmsg_bad(reply->from, "malformed VMA reply");
		if (!ret)
			ret = pcn_vma_install(mm, (void *)reply->msg->payload,
					      addr);
		pcn_kmsg_done(reply);
		/* Busy: the origin is changing the address space. */
		if (ret == -EAGAIN)
			usleep_range(200, 2000);
	} while (ret == -EAGAIN && !fatal_signal_pending(current));
	if (ret && ret != -EFAULT)
		pr_debug("no VMA at %lx for process %d: %d\n", addr,
			 proc->origin_tgid, ret);

	mmap_read_lock(mm);
	*vma = find_vma(mm, addr);
	return *vma && (*vma)->vm_start <= addr;
}

int pcn_vma_server_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_VMA_REQUEST,
				 pcn_vma_request_handle);
}
