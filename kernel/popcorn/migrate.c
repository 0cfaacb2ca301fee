// SPDX-License-Identifier: GPL-2.0
/*
 * Process server, migration: popcorn_migrate() sends the calling thread's
 * state to another node in a MIGRATE request.
 *
 * Forward (from the origin): the thread continues at the remote, created
 * there by the process's worker (remote.c), and the origin task stays in
 * the system call as its twin, waiting for the thread to come back or end.
 * Back (from a remote): the twin takes the state over and returns to user
 * space; the remote thread exits without a trace.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/cred.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "internal.h"
#include "process.h"
#include "trace.h"

#define PCN_MIGRATE_TIMEOUT	(30 * HZ)

static struct pcn_migrate_msg *pcn_migrate_msg_alloc(void)
{
	return kzalloc(sizeof(struct pcn_migrate_msg) + PCN_FPU_MAX_SIZE,
		       GFP_KERNEL);
}

/* Send @m; 0 once the other side has taken the thread over. */
static int pcn_migrate_send(int nid, struct pcn_migrate_msg *m, pid_t *tid)
{
	const struct pcn_migrate_reply *r;
	struct pcn_kmsg_rx *reply;
	int ret;

	ret = pcn_kmsg_request(nid, PCN_KMSG_TYPE_MIGRATE, m,
			       sizeof(*m) + m->fpu_size, &reply,
			       PCN_MIGRATE_TIMEOUT);
	if (ret)
		return ret == -ETIMEDOUT || ret == -ECONNRESET ? -EAGAIN : ret;
	r = (const void *)reply->msg->payload;
	if (reply->msg->hdr.type != PCN_KMSG_TYPE_MIGRATE_REPLY)
		ret = -EPROTO;
	else
		/* From the peer: anything but 0 or an errno is a bad reply. */
		ret = r->status > 0 || r->status < -MAX_ERRNO ? -EPROTO :
		      r->status;
	if (!ret && tid)
		*tid = r->tid;
	pcn_kmsg_done(reply);
	return ret;
}

/*
 * The twin: wait until the thread comes back (0: return to user space with
 * its state, or, *relay >= 0, go on to that node with it), ends at the
 * remote (we end the same way), or is lost.
 */
static int pcn_twin_wait(struct pcn_thread *th, int *relay)
{
	const struct pcn_migrate_msg *m;
	struct pcn_kmsg_rx *back;
	unsigned long events;
	int ret;

	*relay = -1;
	for (;;) {
		/* Interruptible: the thread's signals come here (signal.c). */
		ret = wait_event_interruptible(th->wait, READ_ONCE(th->events));
		if (ret && fatal_signal_pending(current))
			return ret;	/* dying: pcn_task_exit() tells the peer */
		if (ret) {
			pcn_twin_signals(th);
			continue;
		}

		spin_lock(&pcn_threads_lock);
		events = th->events;
		th->events = 0;
		back = th->back;
		th->back = NULL;
		spin_unlock(&pcn_threads_lock);

		/* An exec for the thread: the twin runs the new program. */
		if ((events & PCN_EV_WORK) && pcn_twin_work(th))
			return 0;
		if (events & PCN_EV_BACK) {
			m = (const void *)back->msg->payload;
			ret = pcn_regs_restore(current_pt_regs(), m);
			if (!ret)
				pcn_sigmask_restore(m->sigmask);
			if (!ret && (m->flags & PCN_MIGRATE_RELAY))
				*relay = m->relay_nid;
			if (!ret) {
				spin_lock(&pcn_threads_lock);
				th->role = PCN_THREAD_NONE;
				th->peer_nid = -1;
				th->peer_tid = 0;
				spin_unlock(&pcn_threads_lock);
			}
			pcn_kmsg_reply(back, &(struct pcn_migrate_reply){
					.status = ret, .tid = current->pid },
				sizeof(struct pcn_migrate_reply));
			pcn_kmsg_done(back);
			if (!ret) {
				pcn_stat_inc(migrations_in);
				pcn_stat_migrate_in(th->proc);
				return 0;
			}
		}
		if (events & PCN_EV_EXIT) {
			spin_lock(&pcn_threads_lock);
			th->role = PCN_THREAD_NONE;
			spin_unlock(&pcn_threads_lock);
			if (th->exit_group)
				do_group_exit(th->exit_code);
			do_exit(th->exit_code);
		}
		if (events & PCN_EV_LOST) {
			pr_warn("thread %d lost with node %d: killing process %d\n",
				current->pid, th->peer_nid, current->tgid);
			spin_lock(&pcn_threads_lock);
			th->role = PCN_THREAD_NONE;
			spin_unlock(&pcn_threads_lock);
			do_group_exit(SIGKILL);
		}
	}
}

/* A forward migration of current, a thread of origin process @proc. */
static void pcn_migrate_msg_init(struct pcn_migrate_msg *m,
				 struct pcn_process *proc)
{
	m->origin_nid = proc->origin_nid;
	m->origin_tgid = current->tgid;
	m->origin_tid = current->pid;
	m->vdso = (unsigned long)current->mm->context.vdso;
	m->uid = from_kuid_munged(&init_user_ns, current_uid());
	m->gid = from_kgid_munged(&init_user_ns, current_gid());
	m->sigmask = current->blocked.sig[0];
	get_task_comm(m->comm, current);
}

/* Send current's thread (@th, of @proc) to @nid, in @m, as its twin. */
static int pcn_twin_send(struct pcn_thread *th, struct pcn_process *proc,
			 int nid, struct pcn_migrate_msg *m)
{
	u64 start, ns;
	pid_t tid;
	int ret;

	/*
	 * The node joins proc->nodes and gets the fault actions under
	 * sigaction_lock, which a change of them takes to push them to the
	 * nodes (fault_actions.c): whichever comes second brings the node
	 * the newest table.
	 */
	down_read(&proc->sigaction_lock);
	spin_lock(&proc->lock);
	proc->nodes |= BIT(nid);
	spin_unlock(&proc->lock);
	pcn_fault_actions_save(m->fault_actions);

	/*
	 * Become the twin before the thread runs there: it may come back
	 * before the reply to this request reaches us.
	 */
	spin_lock(&pcn_threads_lock);
	if (!th->proc) {
		kref_get(&proc->ref);
		th->proc = proc;
	}
	th->role = PCN_THREAD_TWIN;
	th->peer_nid = nid;
	th->proposed_nid = -1;
	spin_unlock(&pcn_threads_lock);

	pcn_clock_sample(m);
	start = ktime_get_ns();
	ret = pcn_migrate_send(nid, m, &tid);
	ns = ktime_get_ns() - start;
	up_read(&proc->sigaction_lock);
	trace_popcorn_migrate(PCN_MIGRATE_FORWARD, current->pid, nid, ret, ns);
	spin_lock(&pcn_threads_lock);
	if (ret) {
		th->role = PCN_THREAD_NONE;
		th->peer_nid = -1;
	} else {
		th->peer_tid = tid;
	}
	spin_unlock(&pcn_threads_lock);
	if (!ret) {
		pcn_stat_inc(migrations_out);
		pcn_stat_migrate_out(proc, PCN_MIGRATE_FORWARD, ns);
	}
	return ret;
}

static int pcn_migrate_forward(int nid, struct pcn_thread *th,
			       const struct regset_x86_64 *rs)
{
	struct pcn_migrate_msg *m;
	struct pcn_process *proc;
	int ret, relay;

	proc = pcn_process_origin_get(current->mm);
	if (!proc)
		return -ENOMEM;
	m = pcn_migrate_msg_alloc();
	if (!m) {
		ret = -ENOMEM;
		goto out;
	}
	pcn_migrate_msg_init(m, proc);
	ret = pcn_regs_save(m, current_pt_regs(), rs);
	if (ret)
		goto out;
again:
	ret = pcn_twin_send(th, proc, nid, m);
	if (ret)
		goto out;
	/*
	 * The twin may exit without returning from here: th->proc holds the
	 * process meanwhile.
	 */
	kfree(m);
	pcn_process_put(proc);
	ret = pcn_twin_wait(th, &relay);
	if (ret || relay < 0)
		return ret;
	/*
	 * Back from one remote on its way to another: its state is ours
	 * now, send it on. If that fails, it goes on here, at the origin.
	 */
	nid = relay;
	proc = th->proc;
	kref_get(&proc->ref);
	m = pcn_migrate_msg_alloc();
	if (!m) {
		ret = -ENOMEM;
		goto out;
	}
	pcn_migrate_msg_init(m, proc);
	ret = pcn_regs_save(m, current_pt_regs(), NULL);
	if (!ret)
		goto again;
out:
	kfree(m);
	pcn_process_put(proc);
	return ret;
}

/*
 * Home to the origin, where the twin takes over; with @relay >= 0 the twin
 * sends the thread on to that node (remote to remote goes through the
 * origin, which keeps the thread's twin and knows where it is).
 */
static int pcn_migrate_back(struct pcn_thread *th,
			    const struct regset_x86_64 *rs, int relay)
{
	struct pcn_process *proc = th->proc;
	struct pcn_migrate_msg *m;
	u64 start, ns;
	int ret;

	m = pcn_migrate_msg_alloc();
	if (!m)
		return -ENOMEM;
	m->origin_nid = proc->origin_nid;
	m->origin_tgid = proc->origin_tgid;
	m->origin_tid = th->peer_tid;
	m->flags = PCN_MIGRATE_BACK;
	m->relay_nid = relay;
	m->sigmask = current->blocked.sig[0];
	if (relay >= 0)
		m->flags |= PCN_MIGRATE_RELAY;
	ret = pcn_regs_save(m, current_pt_regs(), rs);
	if (ret)
		goto out;
	start = ktime_get_ns();
	ret = pcn_migrate_send(proc->origin_nid, m, NULL);
	ns = ktime_get_ns() - start;
	trace_popcorn_migrate(PCN_MIGRATE_HOME, current->pid, proc->origin_nid,
			      ret, ns);
out:
	kfree(m);
	if (ret)
		return ret;
	/* The twin runs on with our state: leave quietly. */
	pcn_stat_inc(migrations_out);
	pcn_stat_migrate_out(proc, PCN_MIGRATE_HOME, ns);
	th->leaving = true;
	do_exit(0);
}

/*
 * A thread just created at the origin for a thread at node @nid (clone.c),
 * with its user state in place: it goes to @nid before it runs any user
 * code. If it cannot, it runs here.
 */
void pcn_migrate_new_thread(int nid)
{
	struct pcn_thread *th = pcn_thread_alloc(current);
	int ret;

	if (!th)
		return;
	if (!pcn_thread_attach(current, th)) {
		kfree(th);
		return;
	}
	ret = pcn_migrate_forward(nid, th, NULL);
	if (ret)
		pr_debug("new thread %d stays home: %d\n", current->pid, ret);
}

/*
 * Move current to @nid with its user state: the register set @rs user
 * space gave, or its registers. Returns only if it stays (-errno) or,
 * at the origin, once it is back (0).
 */
int pcn_migrate_to(int nid, const struct regset_x86_64 *rs)
{
	struct pcn_thread *th = current->pcn_thread, *fresh;
	int me = pcn_my_nid();
	int ret;

	if (me < 0 || nid < 0 || nid >= PCN_MAX_NODES)
		return -EINVAL;
	if (nid == me)
		return -EBUSY;
	ret = pcn_node_reachable(nid);
	if (ret)
		return ret;

	if (th && th->role == PCN_THREAD_REMOTE)
		return pcn_migrate_back(th, rs, nid == th->proc->origin_nid ?
					-1 : nid);
	if (!th) {
		fresh = pcn_thread_alloc(current);
		if (!fresh)
			return -ENOMEM;
		/* A proposal from another thread may have attached one. */
		if (!pcn_thread_attach(current, fresh))
			kfree(fresh);
		th = READ_ONCE(current->pcn_thread);
		if (!th)
			return -EINTR;		/* exiting */
	}
	return pcn_migrate_forward(nid, th, rs);
}

/* popcorn_migrate(nid, uregs) */
long pcn_migrate(int nid, const void __user *uregs)
{
	struct regset_x86_64 rs_buf;
	struct pcn_thread *th = current->pcn_thread;
	long ret;

	if (nid == POPCORN_NID_PROPOSED)
		nid = th ? th->proposed_nid : -1;
	/* On the stack: a thread that migrates back or ends never returns. */
	if (uregs) {
		if (copy_from_user(&rs_buf, uregs, sizeof(rs_buf)))
			return -EFAULT;
		ret = pcn_migrate_to(nid, &rs_buf);
		return ret ? ret : current_pt_regs()->ax;
	}
	/* The thread goes on after this call, which returns 0 there. */
	current_pt_regs()->ax = 0;
	ret = pcn_migrate_to(nid, NULL);
	/*
	 * Back (0): the thread's registers are in place, rax included, and
	 * the call's return value must not change it. A thread moved home
	 * from outside (move.c) can be anywhere with any rax.
	 */
	return ret ? ret : current_pt_regs()->ax;
}

/* ---- the receiving side ---- */

/* A MIGRATE message, checked before anything in it is used. */
static int pcn_migrate_check(struct pcn_kmsg_rx *rx)
{
	const struct pcn_migrate_msg *m = (const void *)rx->msg->payload;
	u32 kind;

	if (rx->msg->hdr.size != sizeof(*m) + m->fpu_size ||
	    m->origin_tgid <= 0 || m->origin_tid <= 0 ||
	    (m->flags & ~(PCN_MIGRATE_BACK | PCN_MIGRATE_RELAY)))
		return -EPROTO;
	if ((m->flags & PCN_MIGRATE_RELAY) &&
	    (!(m->flags & PCN_MIGRATE_BACK) || m->relay_nid < 0 ||
	     m->relay_nid >= PCN_MAX_NODES || m->relay_nid == pcn_my_nid() ||
	     m->relay_nid == rx->from->nid))
		return -EPROTO;
	if (!(m->flags & PCN_MIGRATE_BACK) &&
	    !pcn_clock_valid(m->clock_mono, m->clock_boot))
		return -EPROTO;
	if (m->fpu_size != pcn_fpu_image_size(&kind) || m->fpu_kind != kind)
		return -EOPNOTSUPP;	/* a different CPU: not a protocol error */
	if (m->flags & PCN_MIGRATE_BACK)
		return m->origin_nid == pcn_my_nid() ? 0 : -EPROTO;
	/* Forward: only from the origin, for now. */
	return m->origin_nid == rx->from->nid &&
	       pcn_fault_actions_valid(m->fault_actions) ? 0 : -EPROTO;
}

static void pcn_migrate_refuse(struct pcn_kmsg_rx *rx, int status)
{
	struct pcn_migrate_reply r = { .status = status };

	pcn_kmsg_reply(rx, &r, sizeof(r));
	pcn_kmsg_done(rx);
}

static bool pcn_twin_set_back(struct pcn_thread *th, void *rx)
{
	if (th->back)
		return false;
	th->back = rx;
	return true;
}

/* Origin: a thread comes back; hand its state to the twin, which replies. */
static void pcn_migrate_back_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_migrate_msg *m = (const void *)rx->msg->payload;
	int ret;

	ret = pcn_twin_post(m->origin_tgid, m->origin_tid, rx->from->nid,
			    PCN_EV_BACK, pcn_twin_set_back, rx);
	if (ret)
		pcn_migrate_refuse(rx, ret);
}

static void pcn_migrate_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_migrate_msg *m = (const void *)rx->msg->payload;
	int ret = pcn_migrate_check(rx);

	if (ret == -EPROTO) {
		pcn_kmsg_bad(rx->from, "malformed migration");
		pcn_migrate_refuse(rx, ret);
		return;
	}
	if (ret) {
		pcn_migrate_refuse(rx, ret);
		return;
	}
	if (m->flags & PCN_MIGRATE_BACK) {
		pcn_migrate_back_handle(rx);
		return;
	}
	ret = pcn_remote_receive(rx);
	if (ret)
		pcn_migrate_refuse(rx, ret);
}

int pcn_migrate_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_MIGRATE, pcn_migrate_handle);
}
