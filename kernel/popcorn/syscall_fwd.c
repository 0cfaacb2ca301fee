// SPDX-License-Identifier: GPL-2.0
/*
 * System calls of distributed processes that Popcorn makes itself.
 *
 * The origin holds what the threads of a process share beyond memory: the
 * authoritative address space, the futex queues, the thread group. So a
 * thread at a remote node has these calls made at the origin, by its twin
 * (the origin task that waits in popcorn_migrate() while it is away), in
 * the process's own context:
 *
 *   mmap, munmap, mprotect, mremap, brk, madvise	vma_ops.c
 *   futex						futex.c
 *   clone, clone3, fork, vfork			clone.c
 *   every other call, but for a short list		deputy.c
 *
 * The request goes to the origin; its handler queues it for the twin
 * (PCN_EV_WORK), the twin makes the call and answers. The remote thread
 * waits for the answer in its own system call. Only the address-space
 * calls have work to do at the origin too (coherence, see vma_ops.c).
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <asm/unistd.h>
#include <popcorn/hooks.h>
#include "internal.h"
#include "process.h"

/* The syscall hook (include/popcorn/hooks.h). */
bool pcn_syscall(struct pt_regs *regs, int nr)
{
	struct pcn_process *proc = current->mm->pcn_process;
	struct pcn_thread *th = current->pcn_thread;
	bool remote = th && th->role == PCN_THREAD_REMOTE;

	if (pcn_vma_op_allowed(nr)) {
		if (!proc->is_origin && !remote)
			return false;
		/* Asking for pages: they come here (vma_ops.c). */
		if (remote && nr == __NR_madvise &&
		    pcn_madvise_fetches(regs->dx))
			return pcn_remote_madvise(proc, th, regs);
		regs->ax = pcn_vma_syscall(proc, th, nr, regs);
		return true;
	}
	if (!remote) {
		if (proc->is_origin && nr == __NR_rt_sigaction) {
			regs->ax = pcn_sigaction_call(proc, regs);
			return true;
		}
		return false;
	}
	switch (nr) {
	case __NR_futex:
		regs->ax = pcn_remote_futex(proc, th, regs);
		return true;
	case __NR_clone:
	case __NR_clone3:
	case __NR_fork:
	case __NR_vfork:
		regs->ax = pcn_remote_clone(proc, th, nr, regs);
		return true;
	default:
		/* Every other call: deputy.c. */
		return pcn_deputy_call(proc, th, regs, nr);
	}
}

/*
 * At the origin, in the twin: the registers for making call @m as its
 * thread would, the twin's own user registers standing in for the rest.
 */
void pcn_twin_regs(struct pt_regs *regs, const struct pcn_syscall_msg *m)
{
	*regs = *current_pt_regs();
	regs->orig_ax = m->nr;
	regs->di = m->args[0];
	regs->si = m->args[1];
	regs->dx = m->args[2];
	regs->r10 = m->args[3];
	regs->r8 = m->args[4];
	regs->r9 = m->args[5];
}

/*
 * Send @msg (which starts with origin_tgid and origin_tid, the twin) to
 * the origin and return the call's result. @wait_long: the call may wait
 * on user space (a futex wait) and so may take any time; only a fatal
 * signal or the loss of the origin end the wait.
 */
long pcn_forward_call(struct pcn_process *proc, enum pcn_kmsg_type type,
		      void *msg, size_t size, bool wait_long)
{
	const struct pcn_syscall_reply *r;
	struct pcn_kmsg_rx *reply;
	long ret;

	if (wait_long)
		ret = pcn_kmsg_request_killable(proc->origin_nid, type, msg,
						size, &reply);
	else
		ret = pcn_kmsg_request(proc->origin_nid, type, msg, size,
				       &reply, PCN_REQUEST_TIMEOUT);
	if (ret)
		return ret == -ETIMEDOUT || ret == -ECONNRESET ? -EAGAIN : ret;
	r = (const void *)reply->msg->payload;
	ret = r->ret;
	pcn_kmsg_done(reply);
	/* The kernel's restart codes never reach user space from a peer. */
	if (ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK)
		ret = -EINTR;
	return ret;
}

/* ---- at the origin ---- */

/* The header every forwarded call starts with. */
struct pcn_fwd_hdr {
	__s32 origin_tgid;
	__s32 origin_tid;
} __packed;

static long pcn_twin_call(struct pcn_thread *th, struct pcn_kmsg_rx *rx,
			  struct pcn_syscall_reply **datap)
{
	void *payload = rx->msg->payload;

	switch (rx->msg->hdr.type) {
	case PCN_KMSG_TYPE_VMA_OP:
		return pcn_twin_vma_call(th, payload);
	case PCN_KMSG_TYPE_FUTEX:
		return pcn_twin_futex(payload);
	case PCN_KMSG_TYPE_CLONE:
		return pcn_twin_clone(payload, rx->from->nid);
	case PCN_KMSG_TYPE_SYSCALL:
		return pcn_twin_syscall(payload, rx->from->nid, datap);
	default:
		return -EINVAL;
	}
}

/* A SYSCALL message for execve() or execveat(). */
static bool pcn_rx_is_exec(const struct pcn_kmsg_rx *rx)
{
	const struct pcn_syscall_msg *m = (const void *)rx->msg->payload;

	return rx->msg->hdr.type == PCN_KMSG_TYPE_SYSCALL &&
	       (m->nr == __NR_execve || m->nr == __NR_execveat);
}

/*
 * The twin (current) has exec'd for its thread: it runs the new program
 * here, an ordinary task again; the thread at the remote ends quietly on
 * the answer (deputy.c), and the old process's state goes with its mm.
 */
static void pcn_twin_execed(struct pcn_thread *th)
{
	struct pcn_process *proc;

	spin_lock(&pcn_threads_lock);
	proc = th->proc;
	th->proc = NULL;
	th->role = PCN_THREAD_NONE;
	th->peer_nid = -1;
	th->peer_tid = 0;
	th->proposed_nid = -1;
	spin_unlock(&pcn_threads_lock);
	pcn_process_put(proc);
}

/*
 * Make the calls queued for twin @th (current), or refuse them when it is
 * exiting. True when one of them was a successful exec: the twin returns
 * to user space with the new program (migrate.c).
 */
bool pcn_twin_work(struct pcn_thread *th)
{
	bool refuse = current->flags & PF_EXITING, execed = false;
	struct pcn_syscall_reply r, *data;
	struct pcn_kmsg_rx *rx;

	for (;;) {
		spin_lock(&pcn_threads_lock);
		rx = list_first_entry_or_null(&th->work, struct pcn_kmsg_rx,
					      list);
		if (rx)
			list_del_init(&rx->list);
		spin_unlock(&pcn_threads_lock);
		if (!rx)
			break;
		data = NULL;
		r.ret = refuse ? -ESRCH : pcn_twin_call(th, rx, &data);
		if (!refuse && !r.ret && pcn_rx_is_exec(rx)) {
			/* Signals pending stay for the new program. */
			execed = true;
			refuse = true;
		} else if (rx->msg->hdr.type == PCN_KMSG_TYPE_SYSCALL &&
			   !refuse) {
			/*
			 * The signals that interrupted the call go first, so
			 * that the thread finds them pending with the result
			 * and restarts the call or not as at home. A wait
			 * with a temporary mask leaves the twin's own mask to
			 * put back, as the way to user space would.
			 */
			pcn_twin_signals(th);
			restore_saved_sigmask();
		} else if (r.ret <= -ERESTARTSYS &&
			   r.ret >= -ERESTART_RESTARTBLOCK) {
			/* The remote thread sees EINTR, as for a signal. */
			r.ret = -EINTR;
		}
		if (data)	/* a read's bytes travel with the answer */
			pcn_kmsg_reply(rx, data, sizeof(*data) + data->ret);
		else
			pcn_kmsg_reply(rx, &r, sizeof(r));
		kfree(data);
		pcn_kmsg_done(rx);
	}
	if (execed)
		pcn_twin_execed(th);
	return execed;
}

static bool pcn_twin_queue_work(struct pcn_thread *th, void *arg)
{
	struct pcn_kmsg_rx *rx = arg;

	list_add_tail(&rx->list, &th->work);
	return true;
}

static bool pcn_fwd_valid(struct pcn_kmsg_rx *rx)
{
	const struct pcn_syscall_msg *op = (const void *)rx->msg->payload;

	switch (rx->msg->hdr.type) {
	case PCN_KMSG_TYPE_VMA_OP:
		return pcn_vma_op_allowed(op->nr);
	case PCN_KMSG_TYPE_SYSCALL:
		return pcn_call_forwardable(op->nr) &&
		       pcn_inline_valid(op, rx->msg->hdr.size);
	default:
		return true;	/* checked where they are used */
	}
}

/* Origin: a remote thread's call; its twin makes it and answers. */
static void pcn_fwd_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_fwd_hdr *h = (const void *)rx->msg->payload;
	struct pcn_syscall_reply r = { .ret = -ESRCH };

	if (!pcn_fwd_valid(rx)) {
		pcn_kmsg_bad(rx->from, "forwarded call not allowed");
		r.ret = -EPROTO;
	} else if (!pcn_twin_post(h->origin_tgid, h->origin_tid,
				  rx->from->nid, PCN_EV_WORK,
				  pcn_twin_queue_work, rx)) {
		return;		/* the twin answers */
	}
	pcn_kmsg_reply(rx, &r, sizeof(r));
	pcn_kmsg_done(rx);
}

int pcn_syscall_fwd_init(void)
{
	static const enum pcn_kmsg_type types[] = {
		PCN_KMSG_TYPE_VMA_OP, PCN_KMSG_TYPE_FUTEX, PCN_KMSG_TYPE_CLONE,
		PCN_KMSG_TYPE_SYSCALL,
	};
	int i, ret = 0;

	for (i = 0; i < ARRAY_SIZE(types) && !ret; i++)
		ret = pcn_kmsg_register(types[i], pcn_fwd_handle);
	return ret;
}
