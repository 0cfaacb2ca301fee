// SPDX-License-Identifier: GPL-2.0
/*
 * Process server, the remote side. The first thread of a process that
 * arrives here gets the process a worker: a task that owns an empty
 * address space (VMAs and pages come from the origin on demand, see
 * vma_server.c and page_server.c) with the vDSO where the origin has it.
 * The worker creates each arriving thread in its own thread group; the
 * new thread takes the migrated state and returns to user space.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/cred.h>
#include <linux/highuid.h>
#include <linux/securebits.h>
#include <linux/sched/coredump.h>
#include <linux/ptrace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/mmu_context.h>
#include <linux/slab.h>
#include <asm/vdso.h>
#include "internal.h"
#include "process.h"

/* Serialises the creation of remote processes (one per origin process). */
static DEFINE_MUTEX(pcn_remote_create_lock);

/* What a new worker needs; lives on its creator's stack. */
struct pcn_remote_boot {
	struct pcn_process *proc;
	unsigned long vdso;
	struct pcn_clock_offsets clocks;
	char comm[TASK_COMM_LEN];
	struct completion done;
	int status;
};

struct pcn_spawn {
	struct list_head list;
	struct pcn_kmsg_rx *rx;		/* the MIGRATE request */
};

static void pcn_remote_refuse(struct pcn_kmsg_rx *rx, int status)
{
	struct pcn_migrate_reply r = { .status = status };

	pcn_kmsg_reply(rx, &r, sizeof(r));
	pcn_kmsg_done(rx);
}

/*
 * The worker, and every thread of the process here, holds no right of its
 * own at this node: everything a thread does beyond its registers and its
 * memory is done at the origin, by its twin, with the process's real
 * credentials (deputy.c). So the tasks here run as the overflow user and
 * group ("nobody"), with no supplementary group and no capability, and
 * whatever uid the origin's process has, even 0, gives nothing here. The
 * mm is not dumpable: no local user may ptrace or read these tasks'
 * memory (/proc/PID/mem) to steer a thread whose calls run at the origin.
 */
static int pcn_remote_creds(void)
{
	kuid_t uid = make_kuid(&init_user_ns, overflowuid);
	kgid_t gid = make_kgid(&init_user_ns, overflowgid);
	struct group_info *none;
	struct cred *new;

	none = groups_alloc(0);
	if (!none)
		return -ENOMEM;
	new = prepare_creds();
	if (!new) {
		put_group_info(none);
		return -ENOMEM;
	}
	new->uid = uid;
	new->euid = uid;
	new->suid = uid;
	new->fsuid = uid;
	new->gid = gid;
	new->egid = gid;
	new->sgid = gid;
	new->fsgid = gid;
	set_groups(new, none);
	put_group_info(none);
	cap_clear(new->cap_inheritable);
	cap_clear(new->cap_permitted);
	cap_clear(new->cap_effective);
	cap_clear(new->cap_bset);
	cap_clear(new->cap_ambient);
	new->securebits |= SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
			   SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED;
	return commit_creds(new);
}

/*
 * A thread here grows its stack as its own fault path allows, and the
 * origin's copy follows on the first fetch there, within the process's
 * RLIMIT_STACK (vma_server.c), or refuses it: a SIGSEGV here, as at home.
 * So the limit here is the origin's to enforce, not this worker's default
 * (getrlimit() and setrlimit() are made at the origin anyway).
 */
static void pcn_remote_stack_unlimited(void)
{
	struct rlimit *rl = &current->signal->rlim[RLIMIT_STACK];

	task_lock(current->group_leader);
	rl->rlim_cur = RLIM_INFINITY;
	rl->rlim_max = RLIM_INFINITY;
	task_unlock(current->group_leader);
}

/*
 * Give the calling task (which has no mm: it was created from a kernel
 * worker) a fresh address space, installed the way exec_mmap() does, with
 * the vDSO at the origin's address so that user code calling into it
 * works on either node.
 */
static int pcn_remote_mm_init(struct pcn_process *proc, unsigned long vdso)
{
	struct mm_struct *mm, *active;
	int ret;

	if (vdso >= TASK_SIZE_MAX || !PAGE_ALIGNED(vdso))
		return -EINVAL;
	mm = mm_alloc();
	if (!mm)
		return -ENOMEM;
	mm->task_size = TASK_SIZE;
	/* Every page comes from the origin, 4 KiB at a time: no THP. */
	set_bit(MMF_DISABLE_THP, &mm->flags);
	arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);

	task_lock(current);
	local_irq_disable();
	active = current->active_mm;
	current->active_mm = mm;
	current->mm = mm;
	local_irq_enable();
	activate_mm(active, mm);
	task_unlock(current);
	/* The lazily borrowed mm we ran on until now. */
	mmdrop(active);

	if (vdso) {
		ret = map_vdso_once(&vdso_image_64,
				    vdso + vdso_image_64.sym_vvar_start);
		if (!ret && (unsigned long)mm->context.vdso != vdso)
			ret = -EADDRNOTAVAIL;
		if (ret)
			return ret;
	}
	mmgrab(mm);
	proc->mm = mm;
	kref_get(&proc->ref);		/* mm->pcn_process */
	WRITE_ONCE(mm->pcn_process, proc);
	return 0;
}

/* A migrated thread's first steps, in the new task, before user space. */
static int pcn_remote_thread(void *arg)
{
	struct pcn_kmsg_rx *rx = arg;
	const struct pcn_migrate_msg *m = (const void *)rx->msg->payload;
	struct pcn_process *proc = current->mm->pcn_process;
	struct pcn_migrate_reply r = { .tid = current->pid };
	struct pcn_thread *th;

	th = pcn_thread_alloc(current);
	if (!th) {
		r.status = -ENOMEM;
		goto fail;
	}
	kref_get(&proc->ref);
	th->proc = proc;
	th->role = PCN_THREAD_REMOTE;
	th->peer_nid = proc->origin_nid;
	th->peer_tid = m->origin_tid;
	if (!pcn_thread_attach(current, th)) {
		pcn_process_put(proc);
		kfree(th);
		r.status = -EINTR;
		goto fail;
	}
	pcn_stat_inc(remote_threads);
	r.status = pcn_regs_restore(current_pt_regs(), m);
	if (!r.status) {
		pcn_fault_actions_install(current, m->fault_actions);
		pcn_sigmask_restore(m->sigmask);
		/* Moved from outside: rax is live (move.c puts it back). */
		if (m->regs.rax) {
			th->resume_ax = m->regs.rax;
			th->resume_ax_pending = true;
			set_thread_flag(TIF_NOTIFY_RESUME);
		}
	}
	if (r.status) {
		th->leaving = true;	/* never ran: nothing to tell */
		goto fail;
	}
	pcn_kmsg_reply(rx, &r, sizeof(r));
	pcn_kmsg_done(rx);
	pcn_stat_inc(migrations_in);
	pcn_stat_migrate_in(proc);
	return 0;		/* ret_from_fork: to user space */
fail:
	pcn_kmsg_reply(rx, &r, sizeof(r));
	pcn_kmsg_done(rx);
	do_exit(0);
}

static void pcn_remote_thread_create(struct pcn_kmsg_rx *rx)
{
	pid_t pid;

	pid = user_mode_thread(pcn_remote_thread, rx,
			       CLONE_VM | CLONE_FS | CLONE_FILES |
			       CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM);
	if (pid < 0)
		pcn_remote_refuse(rx, pid);
}

static struct pcn_spawn *pcn_spawn_next(struct pcn_process *proc)
{
	struct pcn_spawn *sp;

	spin_lock(&proc->lock);
	sp = list_first_entry_or_null(&proc->spawn, struct pcn_spawn, list);
	if (sp)
		list_del(&sp->list);
	spin_unlock(&proc->lock);
	return sp;
}

/* The worker: set up, then create threads until the process ends. */
static int pcn_remote_worker(void *arg)
{
	struct pcn_remote_boot *boot = arg;
	struct pcn_process *proc = boot->proc;
	struct pcn_spawn *sp;
	int ret;

	/* Created from a kernel worker, which ignores every signal. */
	flush_signal_handlers(current, 1);
	set_task_comm(current, boot->comm);
	/* A new time namespace needs the rights the creds below drop. */
	ret = pcn_clock_join(&boot->clocks);
	if (!ret)
		ret = pcn_remote_creds();
	if (!ret)
		ret = pcn_remote_mm_init(proc, boot->vdso);
	if (!ret) {
		pcn_clock_commit();
		set_dumpable(current->mm, SUID_DUMP_DISABLE);
		pcn_remote_stack_unlimited();
	}
	if (!ret) {
		spin_lock(&proc->lock);
		proc->worker = get_task_struct(current);
		spin_unlock(&proc->lock);
	}
	boot->status = ret;
	complete(&boot->done);		/* @boot is gone from here on */
	if (ret) {
		pcn_process_put(proc);
		do_exit(0);
	}

	for (;;) {
		wait_event_killable(proc->worker_wait,
				    !list_empty(&proc->spawn) ||
				    READ_ONCE(proc->dead));
		if (fatal_signal_pending(current) || READ_ONCE(proc->dead))
			break;
		sp = pcn_spawn_next(proc);
		if (sp) {
			pcn_remote_thread_create(sp->rx);
			kfree(sp);
		}
	}
	spin_lock(&proc->lock);
	proc->dead = true;
	spin_unlock(&proc->lock);
	while ((sp = pcn_spawn_next(proc))) {
		pcn_remote_refuse(sp->rx, -ESRCH);
		kfree(sp);
	}
	pcn_process_put(proc);
	/* The process is over here: its threads end with the worker. */
	do_group_exit(SIGKILL);
}

/* A new remote process for the thread in @m: its worker, set up. */
static struct pcn_process *pcn_remote_create(const struct pcn_migrate_msg *m)
{
	struct pcn_remote_boot boot = {
		.vdso = m->vdso,
	};
	struct pcn_process *proc;
	pid_t pid;

	proc = pcn_process_remote_new(m->origin_nid, m->origin_tgid);
	if (!proc)
		return ERR_PTR(-ENOMEM);
	boot.proc = proc;
	pcn_clock_offsets(m, &boot.clocks);
	memcpy(boot.comm, m->comm, sizeof(boot.comm) - 1);
	init_completion(&boot.done);
	kref_get(&proc->ref);		/* the worker's */
	/* CLONE_PARENT: kthreadd, which ignores SIGCHLD, reaps it. */
	pid = user_mode_thread(pcn_remote_worker, &boot, CLONE_PARENT | SIGCHLD);
	if (pid < 0) {
		pcn_process_put(proc);
		pcn_process_put(proc);
		return ERR_PTR(pid);
	}
	wait_for_completion(&boot.done);
	if (boot.status) {
		pcn_process_put(proc);
		return ERR_PTR(boot.status);
	}
	if (pcn_process_publish(proc)) {
		pcn_remote_kill(proc);	/* the worker ends */
		pcn_process_put(proc);
		return ERR_PTR(-ENOMEM);
	}
	return proc;
}

/* MIGRATE (forward) received: queue the thread for its process's worker. */
int pcn_remote_receive(struct pcn_kmsg_rx *rx)
{
	const struct pcn_migrate_msg *m = (const void *)rx->msg->payload;
	struct pcn_process *proc;
	struct pcn_spawn *sp;
	int ret = 0;

	sp = kmalloc(sizeof(*sp), GFP_KERNEL);
	if (!sp)
		return -ENOMEM;
	sp->rx = rx;

	mutex_lock(&pcn_remote_create_lock);
	proc = pcn_process_find(m->origin_nid, m->origin_tgid);
	if (!proc)
		proc = pcn_remote_create(m);
	mutex_unlock(&pcn_remote_create_lock);
	if (IS_ERR(proc)) {
		kfree(sp);
		return PTR_ERR(proc);
	}

	spin_lock(&proc->lock);
	if (proc->dead)
		ret = -ESRCH;
	else
		list_add_tail(&sp->list, &proc->spawn);
	spin_unlock(&proc->lock);
	if (ret)
		kfree(sp);
	else
		wake_up(&proc->worker_wait);
	pcn_process_put(proc);
	return ret;
}
