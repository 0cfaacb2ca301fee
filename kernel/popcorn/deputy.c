// SPDX-License-Identifier: GPL-2.0
/*
 * The deputy: every system call of a thread at a remote node is made at
 * the origin by the thread's twin, in the process's own context (its
 * files, cwd, root, credentials, limits, namespaces, cgroup), unless it is
 * on the short list below of calls that are correct to make here. The
 * call's user buffers are the process's memory: the twin reaches them
 * through the coherent address space, faulting the pages home as any
 * access at the origin does, and the thread sees what the twin wrote on
 * its next touch.
 *
 * What may be made here (pcn_call_local()):
 *   exit, exit_group		the exit paths tell the origin (process.c)
 *   rt_sigreturn, sigaltstack	signal frames are set up here (signal.c)
 *   arch_prctl, rseq, getcpu,	this thread's own CPU state
 *   sched_yield
 *   getrandom			the kernel's random pool of any node will do
 *   clock_gettime, clock_getres, gettimeofday, time
 *				the vDSO answers here anyway; the process's time
 *				namespace here makes the monotonic and boot
 *				clocks the origin's (clock.c)
 *   popcorn_*			the thread's own migration calls
 *
 * Made here and at the origin: rt_sigprocmask (the twin takes signals for
 * the thread with the same mask), and the calls that wait with a
 * temporary signal mask (rt_sigsuspend, ppoll, pselect6, epoll_pwait,
 * epoll_pwait2): the mask is set on both sides, so the twin takes the
 * signal that ends the wait and the handler here runs with the mask the
 * program gave. rt_sigaction is made at the origin only: a signal sent to
 * the thread comes with its action (signal.c), and the origin sends every
 * node a new action of a fault signal before the call returns
 * (fault_actions.c).
 *
 * Refused with EOPNOTSUPP (pcn_call_refused()): calls that would change
 * the address space without the coherence work or protect it in a way a
 * remote's copy cannot follow (the pkey calls, modify_ldt), that act on
 * the calling CPU (iopl, ioperm) or
 * on the twin's own state in a way that cannot reach this thread
 * (seccomp). The address-space calls, shmat, shmdt, msync and
 * remap_file_pages included, have their own path (vma_ops.c).
 *
 * execve() and execveat() run at the origin like any other call: when
 * they succeed, the twin goes on with the new program there, an ordinary
 * process, and the thread here ends without a trace (a program's image is
 * loaded where its files, identity and the rest of its state are).
 * A system call number that the kernel does not know is ENOSYS here, as
 * at home; it is never sent. The 32-bit entry points (int 0x80) give
 * ENOSYS to every thread of a distributed process (pcn_compat_syscall()).
 *
 * A blocking call waits at the origin. A signal for the thread reaches
 * the twin and interrupts the call there with the kernel's restart code;
 * the twin sends the signal here first (signal.c), then the result, and
 * this thread's own return path runs the handler and restarts the call,
 * or not, exactly as at home. A restart_syscall() is made by the twin,
 * whose restart block the interrupted call filled.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/signal.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include <popcorn/hooks.h>
#include <uapi/popcorn/popcorn.h>
#include "internal.h"
#include "process.h"

static bool pcn_call_local(unsigned int nr)
{
	switch (nr) {
	case __NR_exit:
	case __NR_exit_group:
	case __NR_rt_sigreturn:
	case __NR_sigaltstack:
	case __NR_arch_prctl:
	case __NR_rseq:
	case __NR_getcpu:
	case __NR_sched_yield:
	case __NR_getrandom:
	case __NR_clock_gettime:
	case __NR_clock_getres:
	case __NR_gettimeofday:
	case __NR_time:
	case __NR_popcorn_migrate:
	case __NR_popcorn_propose_migration:
	case __NR_popcorn_get_thread_status:
	case __NR_popcorn_get_node_info:
		return true;
	}
	return false;
}

static bool pcn_call_refused(unsigned int nr)
{
	switch (nr) {
	case __NR_pkey_mprotect:
	case __NR_pkey_alloc:
	case __NR_pkey_free:
	case __NR_modify_ldt:
	case __NR_iopl:
	case __NR_ioperm:
	case __NR_seccomp:
		return true;
	}
	return false;
}

/*
 * A SYSCALL message may carry @nr: not a call made at the remote, not
 * one with a message of its own (VMA_OP, FUTEX, CLONE), not refused.
 */
bool pcn_call_forwardable(unsigned int nr)
{
	return nr < NR_syscalls && !pcn_call_local(nr) &&
	       !pcn_call_refused(nr) && !pcn_vma_op_allowed(nr) &&
	       nr != __NR_futex && nr != __NR_clone && nr != __NR_clone3 &&
	       nr != __NR_fork && nr != __NR_vfork;
}

/*
 * The user pointer and size of the temporary signal mask of a call that
 * waits with one; false for other calls or without a mask.
 */
static bool pcn_call_wait_mask(unsigned int nr, const struct pt_regs *regs,
			       const sigset_t __user **mask, size_t *size)
{
	u64 pair[2];

	switch (nr) {
	case __NR_rt_sigsuspend:
		*mask = (const sigset_t __user *)regs->di;
		*size = regs->si;
		return true;
	case __NR_ppoll:
		*mask = (const sigset_t __user *)regs->r10;
		*size = regs->r8;
		break;
	case __NR_epoll_pwait:
	case __NR_epoll_pwait2:
		*mask = (const sigset_t __user *)regs->r8;
		*size = regs->r9;
		break;
	case __NR_pselect6:
		/* The sixth argument points at { mask, size }. */
		if (!regs->r9 ||
		    copy_from_user(pair, (void __user *)regs->r9, sizeof(pair)))
			return false;	/* the call itself says EFAULT */
		*mask = u64_to_user_ptr(pair[0]);
		*size = pair[1];
		break;
	default:
		return false;
	}
	return *mask;
}

/* Send call @nr with @regs' arguments to the twin; its result. */
static long pcn_deputy_forward(struct pcn_process *proc,
			       struct pcn_thread *th, unsigned int nr,
			       const struct pt_regs *regs)
{
	struct pcn_syscall_msg plain = {}, *m = NULL;
	struct pcn_bulk *bulk = NULL;
	struct pcn_kmsg_rx *reply;
	size_t size = sizeof(plain);
	bool bad, was_bulk;
	long ret;

again:
	/*
	 * A big read's bytes come back as pages (deputy_bulk.c), a small
	 * buffer travels with the call (deputy_inline.c).
	 */
	if (!m)
		m = pcn_bulk_request(proc->origin_nid, nr, regs, &size, &bulk);
	if (!m)
		m = pcn_inline_request(nr, regs, &size) ?: &plain;
	was_bulk = bulk;
	m->origin_tgid = proc->origin_tgid;
	m->origin_tid = th->peer_tid;
	m->nr = nr;
	m->args[0] = regs->di;
	m->args[1] = regs->si;
	m->args[2] = regs->dx;
	m->args[3] = regs->r10;
	m->args[4] = regs->r8;
	m->args[5] = regs->r9;
	WRITE_ONCE(th->calls, th->calls + 1);
	ret = pcn_kmsg_request_killable(proc->origin_nid,
					PCN_KMSG_TYPE_SYSCALL, m, size, &reply);
	if (ret) {
		if (bulk)
			pcn_bulk_finish(bulk, regs, ret);
		if (m != &plain)
			kfree(m);
		return ret == -ECONNRESET ? -EAGAIN : ret;
	}
	bad = pcn_inline_reply(m, reply, regs, &ret);
	if (bulk) {
		ret = pcn_bulk_finish(bulk, regs, bad ? -EIO : ret);
		bad |= ret == -EPROTO;
		bulk = NULL;
	}
	if (bad) {
		pcn_kmsg_bad(reply->from, "malformed syscall reply");
		ret = -EIO;	/* the call was made: its result is lost */
	}
	pcn_kmsg_done(reply);
	if (m != &plain)
		kfree(m);
	if (was_bulk && ret == PCN_SYSCALL_NO_BULK) {
		/* A file that wants the user's buffer: nothing was read. */
		m = &plain;
		size = sizeof(plain);
		goto again;
	}
	if (ret == -ENOIOCTLCMD)
		return -ENOTTY;		/* as sys_ioctl() has it */
	/*
	 * Interrupted at the origin: any signal that did it is pending here
	 * by now (the twin sends signals before the result). Make the return
	 * path look even when none is, so that the call restarts as the code
	 * says (a stop, or a signal that was ignored after all).
	 */
	if (ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK)
		set_notify_signal(current);
	return ret;
}

/*
 * The hook's answer for call @nr of remote thread @th: true with the
 * result in regs->ax when it was made at the origin or refused, false to
 * make it here.
 */
bool pcn_deputy_call(struct pcn_process *proc, struct pcn_thread *th,
		     struct pt_regs *regs, int nr)
{
	const sigset_t __user *mask;
	size_t size;
	long ret;

	if (nr == -1)
		return false;	/* skipped by ptrace or seccomp: as is */
	if ((unsigned int)nr >= NR_syscalls) {
		regs->ax = -ENOSYS;	/* x32 included: never sent */
		return true;
	}
	if (pcn_call_local(nr))
		return false;
	if (pcn_call_refused(nr)) {
		regs->ax = -EOPNOTSUPP;
		return true;
	}
	switch (nr) {
	case __NR_rt_sigprocmask:
		ret = pcn_deputy_forward(proc, th, nr, regs);
		if (ret) {
			regs->ax = ret;
			return true;
		}
		return false;	/* and here: the same mask on both sides */
	}
	if (pcn_call_wait_mask(nr, regs, &mask, &size)) {
		ret = set_user_sigmask(mask, size);
		if (ret) {
			regs->ax = ret;
			return true;
		}
		ret = pcn_deputy_forward(proc, th, nr, regs);
		/* Interrupted: the handler runs with it, then it goes. */
		if (ret != -EINTR && ret != -ERESTARTNOHAND)
			restore_saved_sigmask();
		regs->ax = ret;
		return true;
	}
	ret = pcn_deputy_forward(proc, th, nr, regs);
	if (!ret && (nr == __NR_execve || nr == __NR_execveat)) {
		/* The program goes on at the origin, in the twin. */
		th->leaving = true;
		do_exit(0);
	}
	regs->ax = ret;
	return true;
}

/*
 * The 32-bit entry points, for any thread of a distributed process: the
 * compat calls would change the address space without the coherence work
 * (at the origin) or run where they must not (at a remote). nr -1 (a
 * call skipped by ptrace or seccomp) keeps the result it was given.
 */
void pcn_compat_syscall(struct pt_regs *regs, int nr)
{
	if (nr != -1)
		regs->ax = -ENOSYS;
}

/*
 * At the origin, in the twin (current): call @m for its thread, with the
 * arguments it sent, on the buffer it sent if any (*datap: an answer
 * with the bytes read, deputy_inline.c). The twin's own user registers
 * stand in for the rest of the thread's: no call made here reads them
 * (the ones that do are local or refused at the remote, and
 * pcn_call_forwardable() holds them back here).
 */
long pcn_twin_syscall(const struct pcn_syscall_msg *m, int from,
		      struct pcn_syscall_reply **datap)
{
	struct pt_regs regs;
	long ret;

	if ((m->in_len || m->out_max) && pcn_twin_inline(m, from, datap, &ret))
		return ret;

	pcn_twin_regs(&regs, m);
	if (m->nr == __NR_rt_sigaction && current->mm->pcn_process)
		return pcn_sigaction_call(current->mm->pcn_process, &regs);
	return x64_sys_call(&regs, m->nr);
}
