// SPDX-License-Identifier: GPL-2.0
/*
 * Signals of a thread at a remote node.
 *
 * Everything that names the thread (kill, tgkill, pthread_kill, timers,
 * SIGCHLD, the SIGPIPE of a forwarded write) names it by its origin ids,
 * so its signals reach its twin. The twin waits interruptibly and takes
 * them with get_signal(), as the thread would at home: a stop stops the
 * twin with the rest of the process at the origin; a fatal one ends the
 * process (and the thread with it, process.c); an ignored one is dropped.
 * What is left runs a handler: the twin sends it to the remote (SIGNAL,
 * with the handler, flags, restorer and mask the process has now), which
 * installs the handler in its copy of the process's table and queues the
 * signal to the thread; the thread's own return path to user space then
 * runs it, with the right frame, mask and sigaltstack, at the remote.
 *
 * The twin's signal mask follows the thread's (the remote makes
 * rt_sigprocmask at both ends, deputy.c, and a migration carries it), so
 * the origin picks the same thread for a process-wide signal as it would
 * if every thread were at home.
 *
 * Who may send SIGNAL: the origin of the process only (the remote looks
 * the process up under the sender's node id), to a thread of it that runs
 * here and whose twin is the one named.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/signal_types.h>
#include "internal.h"
#include "process.h"

static_assert(sizeof_field(kernel_siginfo_t, _sifields) ==
	      sizeof_field(struct pcn_signal_msg, si_fields));

/* A peer's action for our table: a user's handler, flags and restorer. */
bool pcn_wire_action_ok(u64 handler, u64 flags, u64 restorer)
{
	return handler < TASK_SIZE_MAX && restorer < TASK_SIZE_MAX &&
	       !(flags & ~(u64)UAPI_SA_FLAGS);
}

/* A migrated thread's signal mask, from its MIGRATE message. */
void pcn_sigmask_restore(u64 mask)
{
	sigset_t set = { .sig = { mask & ~PCN_SIG_UNBLOCKABLE } };

	set_current_blocked(&set);
}

/* Twin: send @ksig to the thread at the remote; 0 once it is queued there. */
static int pcn_signal_send(struct pcn_thread *th, const struct ksignal *ksig)
{
	struct pcn_signal_msg m = {
		.origin_tgid = th->proc->origin_tgid,
		.origin_tid = current->pid,
		.remote_tid = READ_ONCE(th->peer_tid),
		.signo = ksig->sig,
		.si_errno = ksig->info.si_errno,
		.si_code = ksig->info.si_code,
		.sa_handler = (unsigned long)ksig->ka.sa.sa_handler,
		.sa_flags = ksig->ka.sa.sa_flags,
		.sa_restorer = (unsigned long)ksig->ka.sa.sa_restorer,
		.sa_mask = ksig->ka.sa.sa_mask.sig[0],
	};
	const struct pcn_syscall_reply *r;
	struct pcn_kmsg_rx *reply;
	int ret;

	memcpy(m.si_fields, &ksig->info._sifields, sizeof(m.si_fields));
	ret = pcn_kmsg_request(READ_ONCE(th->peer_nid), PCN_KMSG_TYPE_SIGNAL,
			       &m, sizeof(m), &reply, PCN_REQUEST_TIMEOUT);
	if (ret)
		return ret;
	r = (const void *)reply->msg->payload;
	ret = r->ret > 0 || r->ret < -MAX_ERRNO ? -EPROTO : r->ret;
	pcn_kmsg_done(reply);
	return ret;
}

/* Twin: stop (SIGSTOP) or continue (SIGCONT) the thread's node's copy. */
static int pcn_signal_job(struct pcn_thread *th, int sig)
{
	struct ksignal ksig = { .sig = sig };

	clear_siginfo(&ksig.info);
	ksig.info.si_signo = sig;
	ksig.info.si_code = SI_KERNEL;
	/* No handler: job control, not a signal to run (pcn_signal_handle). */
	return pcn_signal_send(th, &ksig);
}

/* A stop signal that stops the process is pending for us (siglock held). */
static bool pcn_stop_pending(void)
{
	struct sighand_struct *sh = current->sighand;
	sigset_t pending;
	int sig;

	sigorsets(&pending, &current->pending.signal,
		  &current->signal->shared_pending.signal);
	for (sig = 1; sig < SIGRTMIN; sig++) {
		if (!sig_kernel_stop(sig) || !sigismember(&pending, sig) ||
		    sigismember(&current->blocked, sig))
			continue;
		if (sig == SIGSTOP ||
		    sh->action[sig - 1].sa.sa_handler == SIG_DFL)
			return true;
	}
	return false;
}

/* get_signal() is about to stop the twin: a group stop is under way. */
static bool pcn_twin_stopping(void)
{
	bool ret;

	spin_lock_irq(&current->sighand->siglock);
	ret = (current->jobctl & JOBCTL_STOP_PENDING) || pcn_stop_pending();
	spin_unlock_irq(&current->sighand->siglock);
	return ret;
}

/*
 * Twin (current, of thread @th at a remote): take the signals pending for
 * the thread and hand those with a handler to it. get_signal() may stop
 * the twin, or not return (the process dies). When it is about to stop
 * the twin, the process stops at the thread's node too (SIGSTOP there,
 * to its copy of the process), and continues there when the twin does.
 */
void pcn_twin_signals(struct pcn_thread *th)
{
	bool stopped = false;
	struct ksignal ksig;
	int ret;

	while (signal_pending(current) && !fatal_signal_pending(current)) {
		if (!stopped && pcn_twin_stopping())
			stopped = !pcn_signal_job(th, SIGSTOP);
		if (!get_signal(&ksig))
			break;
		ret = pcn_signal_send(th, &ksig);
		if (!ret)
			continue;
		/*
		 * The thread is gone from there (on its way home, or ended):
		 * the signal stays with the twin, which runs its handler if
		 * the thread comes back. Wait for that news, not for signals.
		 */
		pr_debug("signal %d for thread %d kept at the origin: %d\n",
			 ksig.sig, current->pid, ret);
		send_sig_info(ksig.sig, &ksig.info, current);
		wait_event_killable(th->wait, READ_ONCE(th->events));
		break;
	}
	if (stopped)
		pcn_signal_job(th, SIGCONT);
}

/* The handler in @m, checked, as the remote's table will hold it. */
static bool pcn_signal_action(const struct pcn_signal_msg *m,
			      struct k_sigaction *ka)
{
	/* get_signal() only gives a signal that runs a handler. */
	if (m->sa_handler <= (unsigned long)SIG_IGN ||
	    !pcn_wire_action_ok(m->sa_handler, m->sa_flags, m->sa_restorer))
		return false;
	memset(ka, 0, sizeof(*ka));
	ka->sa.sa_handler = (__sighandler_t)(unsigned long)m->sa_handler;
	ka->sa.sa_flags = m->sa_flags;
	ka->sa.sa_restorer = (__sigrestore_t)(unsigned long)m->sa_restorer;
	ka->sa.sa_mask.sig[0] = m->sa_mask & ~PCN_SIG_UNBLOCKABLE;
	return true;
}

/*
 * Remote: queue the signal in @m to thread @t, with its handler @ka (NULL:
 * SIGSTOP or SIGCONT for job control, which act on the process here).
 */
static int pcn_signal_deliver(struct task_struct *t,
			      const struct pcn_signal_msg *m,
			      const struct k_sigaction *ka)
{
	kernel_siginfo_t info;
	unsigned long flags;

	clear_siginfo(&info);
	info.si_signo = m->signo;
	info.si_errno = m->si_errno;
	info.si_code = m->si_code;
	memcpy(&info._sifields, m->si_fields, sizeof(info._sifields));

	if (!lock_task_sighand(t, &flags))
		return -ESRCH;		/* it has just ended */
	if (ka)
		t->sighand->action[m->signo - 1] = *ka;
	unlock_task_sighand(t, &flags);
	return send_sig_info(m->signo, &info, t);
}

static void pcn_signal_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_signal_msg *m = (const void *)rx->msg->payload;
	struct pcn_syscall_reply r = { .ret = -ESRCH };
	struct task_struct *t = NULL;
	/* Job control: the process stops or continues here too. */
	bool job = (m->signo == SIGSTOP || m->signo == SIGCONT) &&
		   !m->sa_handler && !m->sa_flags && !m->sa_restorer &&
		   !m->sa_mask;
	struct k_sigaction ka;

	if (m->signo < 1 || m->signo > _NSIG ||
	    (!job && (sig_kernel_only(m->signo) ||
		      !pcn_signal_action(m, &ka)))) {
		pcn_kmsg_bad(rx->from, "malformed signal");
		r.ret = -EPROTO;
		goto out;
	}
	/* Only the process's origin signals its threads here. */
	t = pcn_remote_thread_get(rx->from->nid, m->origin_tgid,
				  m->remote_tid, m->origin_tid);
	if (t) {
		r.ret = pcn_signal_deliver(t, m, job ? NULL : &ka);
		put_task_struct(t);
	}
out:
	pcn_kmsg_reply(rx, &r, sizeof(r));
	pcn_kmsg_done(rx);
}

int pcn_signal_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_SIGNAL, pcn_signal_handle);
}
