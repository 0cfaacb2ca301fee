// SPDX-License-Identifier: GPL-2.0
/*
 * Threads moved from outside: `pcnctl migrate TID NODE` (netlink.c) for a
 * thread of any program, which need not know about Popcorn.
 *
 * The request marks the thread (pcn_thread.move_to) and sets its
 * TIF_NOTIFY_RESUME; the thread moves itself on its next return to user
 * space (pcn_move_now(), from resume_user_mode_work(), patches/0008), when
 * signal delivery and system call restarts have settled its registers: it
 * leaves between two instructions, or at the start of a system call to
 * make again. A running thread gets there at once (the request kicks its
 * CPU). A thread blocked in a call that restarts transparently (a futex
 * wait, a sleep, wait4, pause, poll) is interrupted as a signal would do
 * and makes the call again on its new node; in any other call it moves
 * when the call returns.
 *
 * A thread at the origin moves itself (migrate.c). A thread at a remote
 * is named by its twin here; the request goes to its node (MOVE), which
 * marks it the same way, and it goes home or on to another node.
 *
 * Who may ask: netlink.c checks that the caller may ptrace the thread, as
 * taskset and migratepages do. Who may send MOVE: the process's origin
 * only, for a thread whose twin is the sender.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/resume_user_mode.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include <popcorn/hooks.h>
#include "internal.h"
#include "process.h"

/*
 * Calls that a thread blocked in may leave for a move: each answers
 * an interruption with a restart code and no signal (TIF_NOTIFY_SIGNAL)
 * makes it restart. Calls that would answer EINTR (epoll_wait, sockets
 * with a timeout...) are waited out instead.
 */
static bool pcn_move_may_interrupt(int nr)
{
	switch (nr) {
	case __NR_futex:
	case __NR_nanosleep:
	case __NR_clock_nanosleep:
	case __NR_wait4:
	case __NR_waitid:
	case __NR_pause:
	case __NR_rt_sigsuspend:
	case __NR_poll:
	case __NR_select:
		return true;
	}
	return false;
}

/* Mark @t, attached to @th, to move to @nid, and get it going. */
static void pcn_move_mark(struct task_struct *t, struct pcn_thread *th,
			  int nid)
{
	WRITE_ONCE(th->move_to, nid);
	/* Pairs with the barrier after clear_thread_flag() in the hook's caller. */
	smp_mb();
	set_tsk_thread_flag(t, TIF_NOTIFY_RESUME);
	/* Blocked (not running): interrupt a call that restarts cleanly. */
	if (!task_is_running(t) &&
	    pcn_move_may_interrupt(syscall_get_nr(t, task_pt_regs(t))))
		set_notify_signal(t);
	else
		kick_process(t);
}

/* Where thread @t (of this node) runs, as this node knows it. */
static int pcn_thread_node(const struct pcn_thread *th)
{
	return th && th->role == PCN_THREAD_TWIN ? th->peer_nid : pcn_my_nid();
}

/*
 * Origin: ask thread @t of a process that started here to move to @nid.
 * 0 when asked (or already there: 1); -errno when it cannot be.
 */
int pcn_move_request(struct task_struct *t, int nid)
{
	struct pcn_thread *th, *fresh = NULL;
	struct pcn_move_msg m;
	struct pcn_kmsg_rx *reply;
	int peer;
	long ret;

	if (nid < 0 || nid >= PCN_MAX_NODES || pcn_my_nid() < 0)
		return -EINVAL;
	if (nid != pcn_my_nid()) {
		ret = pcn_node_reachable(nid);
		if (ret)
			return ret == -EAGAIN ? -EHOSTDOWN : ret;
	}
	/* User threads only; not io_uring's workers, not a vfork child. */
	if ((t->flags & (PF_KTHREAD | PF_IO_WORKER | PF_EXITING)) || !t->mm)
		return -EINVAL;
	if (!READ_ONCE(t->pcn_thread)) {
		fresh = pcn_thread_alloc(t);
		if (!fresh)
			return -ENOMEM;
		if (!pcn_thread_attach(t, fresh))
			kfree(fresh);
	}

	spin_lock(&pcn_threads_lock);
	th = t->pcn_thread;
	if (!th) {
		spin_unlock(&pcn_threads_lock);
		return -ESRCH;			/* exiting */
	}
	if (th->role == PCN_THREAD_REMOTE) {
		spin_unlock(&pcn_threads_lock);
		return -EREMOTE;		/* its origin moves it */
	}
	if (pcn_thread_node(th) == nid) {
		spin_unlock(&pcn_threads_lock);
		return 1;
	}
	if (th->role != PCN_THREAD_TWIN) {
		pcn_move_mark(t, th, nid);
		spin_unlock(&pcn_threads_lock);
		return 0;
	}
	/* At a remote: its node marks it. */
	m = (struct pcn_move_msg){
		.origin_tgid = th->proc->origin_tgid,
		.origin_tid = t->pid,
		.remote_tid = th->peer_tid,
		.nid = nid,
	};
	peer = th->peer_nid;
	spin_unlock(&pcn_threads_lock);

	ret = pcn_kmsg_request(peer, PCN_KMSG_TYPE_MOVE, &m, sizeof(m), &reply,
			       PCN_REQUEST_TIMEOUT);
	if (ret)
		return ret == -ETIMEDOUT ? -EAGAIN : ret;
	ret = ((const struct pcn_syscall_reply *)reply->msg->payload)->ret;
	pcn_kmsg_done(reply);
	/* From the peer: anything but 0 or an errno is a bad reply. */
	return ret > 0 || ret < -MAX_ERRNO ? -EPROTO : ret;
}

/*
 * Where thread @t runs now, and at the origin how many of its attempts
 * to move failed there (*failures) and the last one's error (*err).
 */
int pcn_move_where(struct task_struct *t, unsigned int *failures, int *err)
{
	struct pcn_thread *th;
	int nid;

	spin_lock(&pcn_threads_lock);
	th = t->pcn_thread;
	nid = pcn_thread_node(th);
	*failures = th ? th->move_failures : 0;
	*err = th ? th->move_err : 0;
	spin_unlock(&pcn_threads_lock);
	return nid;
}

/*
 * The hook (include/popcorn/hooks.h), on every return to user space of a
 * thread Popcorn knows: a thread just arrived gets its rax back, and one
 * asked to move goes.
 */
void pcn_move_now(struct pt_regs *regs)
{
	struct pcn_thread *th = current->pcn_thread;
	int nid, ret;

	if (unlikely(th->resume_ax_pending)) {
		regs->ax = th->resume_ax;
		th->resume_ax_pending = false;
	}
	if (likely(READ_ONCE(th->move_to) < 0))
		return;
	spin_lock(&pcn_threads_lock);
	nid = th->move_to;
	th->move_to = -1;
	spin_unlock(&pcn_threads_lock);
	if (nid < 0 || regs != current_pt_regs())
		return;
	/* From here: at the remote, on success, it leaves for good. */
	ret = pcn_migrate_to(nid, NULL);
	if (ret && ret != -EBUSY) {
		pr_debug("thread %d stays: move to node %d: %d\n",
			 current->pid, nid, ret);
		spin_lock(&pcn_threads_lock);
		th->move_err = ret;
		th->move_failures++;
		spin_unlock(&pcn_threads_lock);
	}
}

/*
 * A fault at a remote on a page the origin will not give away (a shared
 * mapping of a file that is not shmem, or of an object another mapping
 * shares too: shared.c; hugetlb or a device's mapping: PCN_VM_HOME_ONLY,
 * page_server.c): the faulting thread, if this is its own
 * user-mode fault, goes home, where the page is the page cache's, and
 * makes the access again there (true: the fault ends without a page).
 * If that move fails, the next fault on it is a SIGBUS (false).
 */
bool pcn_move_home_for_fault(struct pcn_process *proc, unsigned int flags)
{
	struct pcn_thread *th = current->pcn_thread;
	bool ret = false;

	if (!(flags & FAULT_FLAG_USER) || !th ||
	    th->role != PCN_THREAD_REMOTE || current->mm != proc->mm)
		return false;
	spin_lock(&pcn_threads_lock);
	if (th->home_for_fault) {
		th->home_for_fault = false;	/* tried, and still here */
	} else {
		th->home_for_fault = true;
		pcn_move_mark(current, th, proc->origin_nid);
		ret = true;
	}
	spin_unlock(&pcn_threads_lock);
	if (ret)
		pr_debug("thread %d goes home for a page it may not have here\n",
			 current->pid);
	return ret;
}

/* Remote: the origin asks that its thread here move to m->nid. */
static void pcn_move_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_move_msg *m = (const void *)rx->msg->payload;
	struct pcn_syscall_reply r = { .ret = -ESRCH };
	struct task_struct *t;

	if (m->nid < 0 || m->nid >= PCN_MAX_NODES ||
	    m->nid == pcn_my_nid()) {
		pcn_kmsg_bad(rx->from, "malformed move");
		r.ret = -EPROTO;
		goto out;
	}
	/* Only the process's origin moves its threads here. */
	t = pcn_remote_thread_get(rx->from->nid, m->origin_tgid,
				  m->remote_tid, m->origin_tid);
	if (t) {
		spin_lock(&pcn_threads_lock);
		if (t->pcn_thread && !(t->flags & PF_EXITING)) {
			pcn_move_mark(t, t->pcn_thread, m->nid);
			r.ret = 0;
		}
		spin_unlock(&pcn_threads_lock);
		put_task_struct(t);
	}
out:
	pcn_kmsg_reply(rx, &r, sizeof(r));
	pcn_kmsg_done(rx);
}

int pcn_move_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_MOVE, pcn_move_handle);
}
