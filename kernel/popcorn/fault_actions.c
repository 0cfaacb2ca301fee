// SPDX-License-Identifier: GPL-2.0
/*
 * The actions of the fault signals at every node of a process.
 *
 * A thread raises SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV and SIGSYS
 * itself, by faulting, wherever it runs, and takes them there without its
 * twin (force_sig()). So each remote keeps the process's actions for these
 * six in its own table: a MIGRATE carries them to a node, and a SIGACTION
 * carries every later change. Every other signal comes with its action
 * when it is sent (SIGNAL, signal.c).
 *
 * All rt_sigaction calls of a process are made at its origin (a remote's
 * are forwarded), so the origin sees every change. One made there for a
 * fault signal returns only once every node that ran threads of the
 * process has installed the new table: a fault after the call, on any
 * node, runs the new handler, as on one machine. proc->sigaction_lock
 * orders the pushes (held for write) and the MIGRATEs that bring a node
 * its first table (for read, migrate.c), so a node never ends up with an
 * older table than the last one sent.
 *
 * Who may send SIGACTION: the process's origin only (the remote looks the
 * process up under the sender's node id); the actions are checked as a
 * user's own sigaction would be.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <asm/unistd.h>
#include "internal.h"
#include "process.h"

/* The signals of pcn_migrate_msg.fault_actions, in its order. */
static const int pcn_fault_signals[PCN_FAULT_SIGNALS] = {
	SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS,
};

static bool pcn_is_fault_signal(unsigned long sig)
{
	int i;

	for (i = 0; i < PCN_FAULT_SIGNALS; i++)
		if (sig == pcn_fault_signals[i])
			return true;
	return false;
}

/* The actions of the fault signals in current's table. */
void pcn_fault_actions_save(struct pcn_wire_sigaction *a)
{
	struct k_sigaction *ka;
	int i;

	spin_lock_irq(&current->sighand->siglock);
	for (i = 0; i < PCN_FAULT_SIGNALS; i++) {
		ka = &current->sighand->action[pcn_fault_signals[i] - 1];
		a[i].handler = (unsigned long)ka->sa.sa_handler;
		a[i].flags = ka->sa.sa_flags;
		a[i].restorer = (unsigned long)ka->sa.sa_restorer;
		a[i].mask = ka->sa.sa_mask.sig[0];
	}
	spin_unlock_irq(&current->sighand->siglock);
}

/* Remote: are a peer's fault actions what a user could have set? */
bool pcn_fault_actions_valid(const struct pcn_wire_sigaction *a)
{
	int i;

	for (i = 0; i < PCN_FAULT_SIGNALS; i++)
		if (!pcn_wire_action_ok(a[i].handler, a[i].flags,
					a[i].restorer))
			return false;
	return true;
}

/* Remote: install checked fault actions in the table of @t's process. */
int pcn_fault_actions_install(struct task_struct *t,
			      const struct pcn_wire_sigaction *a)
{
	struct k_sigaction *ka;
	unsigned long flags;
	int i;

	if (!lock_task_sighand(t, &flags))
		return -ESRCH;
	for (i = 0; i < PCN_FAULT_SIGNALS; i++) {
		ka = &t->sighand->action[pcn_fault_signals[i] - 1];
		memset(ka, 0, sizeof(*ka));
		ka->sa.sa_handler = (__sighandler_t)(unsigned long)a[i].handler;
		ka->sa.sa_flags = a[i].flags;
		ka->sa.sa_restorer =
			(__sigrestore_t)(unsigned long)a[i].restorer;
		ka->sa.sa_mask.sig[0] = a[i].mask & ~PCN_SIG_UNBLOCKABLE;
	}
	unlock_task_sighand(t, &flags);
	return 0;
}

/*
 * Origin: send the fault actions of current's process (@proc) to every
 * node that ran threads of it, and wait for them to be installed. A node
 * that does not answer is lost with the process (node.c), so it is not
 * waited for beyond the request timeout.
 */
static void pcn_fault_actions_push(struct pcn_process *proc)
{
	struct pcn_sigaction_msg m = { .origin_tgid = proc->origin_tgid };
	unsigned long nodes;

	/* Killed: the process ends, no node needs the table any more. */
	if (down_write_killable(&proc->sigaction_lock))
		return;
	spin_lock(&proc->lock);
	nodes = proc->nodes;
	spin_unlock(&proc->lock);
	if (nodes) {
		pcn_fault_actions_save(m.actions);
		pcn_kmsg_request_nodes(nodes, PCN_KMSG_TYPE_SIGACTION, &m,
				       sizeof(m), PCN_REQUEST_TIMEOUT);
	}
	up_write(&proc->sigaction_lock);
}

/*
 * Origin, for a thread of @proc here or a twin: rt_sigaction with @regs,
 * and the remotes told when it changed a fault signal's action.
 */
long pcn_sigaction_call(struct pcn_process *proc, struct pt_regs *regs)
{
	long ret = x64_sys_call(regs, __NR_rt_sigaction);

	if (!ret && regs->si && pcn_is_fault_signal(regs->di))
		pcn_fault_actions_push(proc);
	return ret;
}

static void pcn_sigaction_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_sigaction_msg *m = (const void *)rx->msg->payload;
	struct pcn_syscall_reply r = { .ret = -ESRCH };
	struct task_struct *worker = NULL;
	struct pcn_process *proc;

	if (m->reserved || !pcn_fault_actions_valid(m->actions)) {
		pcn_kmsg_bad(rx->from, "malformed sigaction");
		r.ret = -EPROTO;
		goto out;
	}
	/* Only the process's origin sets its actions here. */
	proc = pcn_process_find(rx->from->nid, m->origin_tgid);
	if (proc) {
		spin_lock(&proc->lock);
		if (!proc->is_origin && proc->worker)
			worker = get_task_struct(proc->worker);
		spin_unlock(&proc->lock);
		pcn_process_put(proc);
	}
	/* The worker shares the table of every thread of the process here. */
	if (worker) {
		r.ret = pcn_fault_actions_install(worker, m->actions);
		put_task_struct(worker);
	}
out:
	pcn_kmsg_reply(rx, &r, sizeof(r));
	pcn_kmsg_done(rx);
}

int pcn_fault_actions_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_SIGACTION,
				 pcn_sigaction_handle);
}
