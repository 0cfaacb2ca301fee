// SPDX-License-Identifier: GPL-2.0
/*
 * Process server, bookkeeping: the table of distributed processes on this
 * node, the per-thread state, and how both end (exit hooks, the messages
 * that tell the other side, a node that goes away).
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/pid.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <popcorn/hooks.h>
#include "internal.h"
#include "process.h"

/*
 * The distributed processes of this node by (origin node, tgid at the
 * origin): see pcn_process_key(). Lookups are lock-free (RCU) and take a
 * reference; a process is freed after a grace period.
 */
static DEFINE_XARRAY(pcn_processes);

static unsigned long pcn_process_key(int origin_nid, pid_t tgid)
{
	BUILD_BUG_ON(sizeof(unsigned long) < 8);
	return (unsigned long)origin_nid << 32 | (u32)tgid;
}

/* task->pcn_thread transitions, pcn_threads, events of twins. */
DEFINE_SPINLOCK(pcn_threads_lock);
static LIST_HEAD(pcn_threads);

static struct pcn_process *pcn_process_alloc(int origin_nid, pid_t tgid,
					     bool is_origin)
{
	struct pcn_process *proc = kzalloc(sizeof(*proc), GFP_KERNEL);
	int i;

	if (!proc)
		return NULL;
	proc->stats = alloc_percpu(struct pcn_proc_stats);
	if (!proc->stats) {
		kfree(proc);
		return NULL;
	}
	kref_init(&proc->ref);
	proc->origin_nid = origin_nid;
	proc->origin_tgid = tgid;
	proc->is_origin = is_origin;
	spin_lock_init(&proc->lock);
	xa_init(&proc->pages);
	init_rwsem(&proc->vma_lock);
	init_rwsem(&proc->sigaction_lock);
	INIT_LIST_HEAD(&proc->spawn);
	INIT_LIST_HEAD(&proc->grant_waits);
	init_waitqueue_head(&proc->worker_wait);
	for (i = 0; i < PCN_PAGE_LOCKS; i++)
		mutex_init(&proc->page_locks[i]);
	pcn_stat_inc(processes);
	return proc;
}

static void pcn_process_release(struct kref *ref)
{
	struct pcn_process *proc = container_of(ref, struct pcn_process, ref);

	pcn_page_dir_free(proc);
	if (proc->mm)
		mmdrop(proc->mm);
	if (proc->worker)
		put_task_struct(proc->worker);
	pcn_stat_dec(processes);
	/* RCU lookups only take a reference, never count: free it now. */
	free_percpu(proc->stats);
	kfree_rcu(proc, rcu);
}

void pcn_process_put(struct pcn_process *proc)
{
	if (proc)
		kref_put(&proc->ref, pcn_process_release);
}

/*
 * Make @proc findable by (origin node, tgid); it replaces a dead process
 * of the same key that is still on its way out.
 */
int pcn_process_publish(struct pcn_process *proc)
{
	return xa_err(xa_store(&pcn_processes,
			       pcn_process_key(proc->origin_nid,
					       proc->origin_tgid),
			       proc, GFP_KERNEL));
}

static void pcn_process_unpublish(struct pcn_process *proc)
{
	/* Only if it is still @proc: a successor may have taken the key. */
	xa_cmpxchg(&pcn_processes,
		   pcn_process_key(proc->origin_nid, proc->origin_tgid),
		   proc, NULL, 0);
}

/*
 * For netlink dumps: the first live process with key *@pos or above,
 * counted, or NULL; *@pos moves past it.
 */
struct pcn_process *pcn_process_next(unsigned long *pos)
{
	struct pcn_process *proc;
	unsigned long key = *pos;

	rcu_read_lock();
	xa_for_each_start(&pcn_processes, key, proc, *pos) {
		if (kref_get_unless_zero(&proc->ref)) {
			*pos = key + 1;
			rcu_read_unlock();
			return proc;
		}
	}
	rcu_read_unlock();
	return NULL;
}

struct pcn_process *pcn_process_find(int origin_nid, pid_t tgid)
{
	struct pcn_process *proc;

	rcu_read_lock();
	proc = xa_load(&pcn_processes, pcn_process_key(origin_nid, tgid));
	if (proc && !kref_get_unless_zero(&proc->ref))
		proc = NULL;
	rcu_read_unlock();
	return proc;
}

/*
 * Process (@origin_nid, @tgid) and its mm, both referenced, for a request
 * from node @from: at the origin, only from a node that ran threads of
 * it. NULL when there is no such process (any more).
 */
struct pcn_process *pcn_process_get_mm(int origin_nid, pid_t tgid, int from,
				       struct mm_struct **mmp)
{
	struct pcn_process *proc = pcn_process_find(origin_nid, tgid);

	if (!proc)
		return NULL;
	if ((!proc->is_origin || test_bit(from, &proc->nodes)) && proc->mm &&
	    mmget_not_zero(proc->mm)) {
		*mmp = proc->mm;
		return proc;
	}
	pcn_process_put(proc);
	return NULL;
}

/*
 * The origin's state of @mm (current's), created when its first thread
 * migrates. Returns a reference.
 */
struct pcn_process *pcn_process_origin_get(struct mm_struct *mm)
{
	struct pcn_process *proc;

	/* Before any lock: turning the key on may sleep (shared.c). */
	if (!READ_ONCE(mm->pcn_process))
		pcn_shared_hooks_enable();
	mmap_write_lock(mm);
	proc = mm->pcn_process;
	if (proc) {
		kref_get(&proc->ref);
		goto out;
	}
	proc = pcn_process_alloc(pcn_my_nid(), current->tgid, true);
	if (!proc)
		goto out;
	mmgrab(mm);
	proc->mm = mm;
	if (pcn_process_publish(proc)) {
		pcn_process_put(proc);
		proc = NULL;
		goto out;
	}
	kref_get(&proc->ref);		/* mm->pcn_process */
	/* Coherence is per 4 KiB page: no new transparent huge pages. */
	set_bit(MMF_DISABLE_THP, &mm->flags);
	/* Faults check this pointer under the mmap lock, or after it. */
	WRITE_ONCE(mm->pcn_process, proc);
out:
	mmap_write_unlock(mm);
	return proc;
}

/* A remote copy of a process; remote.c gives it an mm and a worker. */
struct pcn_process *pcn_process_remote_new(int origin_nid, pid_t tgid)
{
	return pcn_process_alloc(origin_nid, tgid, false);
}

/* ---- threads ---- */

struct pcn_thread *pcn_thread_alloc(struct task_struct *task)
{
	struct pcn_thread *th = kzalloc(sizeof(*th), GFP_KERNEL);

	if (!th)
		return NULL;
	th->task = task;
	th->role = PCN_THREAD_NONE;
	th->peer_nid = -1;
	th->proposed_nid = -1;
	th->move_to = -1;
	INIT_LIST_HEAD(&th->list);
	INIT_LIST_HEAD(&th->work);
	init_waitqueue_head(&th->wait);
	return th;
}

/* Give @task the state @th, unless it has one or is exiting already. */
bool pcn_thread_attach(struct task_struct *task, struct pcn_thread *th)
{
	bool done = false;

	spin_lock(&pcn_threads_lock);
	if (!task->pcn_thread && !(task->flags & PF_EXITING)) {
		task->pcn_thread = th;
		list_add(&th->list, &pcn_threads);
		done = true;
	}
	spin_unlock(&pcn_threads_lock);
	return done;
}

/*
 * The task @tid (global pid namespace) if it is a thread of @proc in role
 * @role, with a reference.
 */
struct task_struct *pcn_thread_task_get(pid_t tid, enum pcn_thread_role role,
					struct pcn_process *proc)
{
	struct task_struct *task;

	if (tid <= 0)
		return NULL;
	rcu_read_lock();
	task = find_task_by_pid_ns(tid, &init_pid_ns);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	if (!task)
		return NULL;
	spin_lock(&pcn_threads_lock);
	if (!task->pcn_thread || task->pcn_thread->role != role ||
	    task->pcn_thread->proc != proc) {
		put_task_struct(task);
		task = NULL;
	}
	spin_unlock(&pcn_threads_lock);
	return task;
}

/* @t's twin (or, at the origin, its thread elsewhere) is task @tid. */
static bool pcn_thread_peer_is(struct task_struct *t, pid_t tid)
{
	bool ret;

	spin_lock(&pcn_threads_lock);
	ret = t->pcn_thread && t->pcn_thread->peer_tid == tid;
	spin_unlock(&pcn_threads_lock);
	return ret;
}

/*
 * Remote: thread @remote_tid of process (@origin_nid, @tgid), running
 * here, whose twin is @origin_tid; referenced, or NULL. The process is
 * looked up under @origin_nid as its origin, so a request naming it must
 * come from there.
 */
struct task_struct *pcn_remote_thread_get(int origin_nid, pid_t tgid,
					  pid_t remote_tid, pid_t origin_tid)
{
	struct pcn_process *proc = pcn_process_find(origin_nid, tgid);
	struct task_struct *t = NULL;

	if (!proc)
		return NULL;
	if (!proc->is_origin)
		t = pcn_thread_task_get(remote_tid, PCN_THREAD_REMOTE, proc);
	pcn_process_put(proc);
	if (t && !pcn_thread_peer_is(t, origin_tid)) {
		put_task_struct(t);
		t = NULL;
	}
	return t;
}

/* Wake a twin for @event; call under pcn_threads_lock. */
void pcn_thread_post(struct pcn_thread *th, unsigned long event)
{
	lockdep_assert_held(&pcn_threads_lock);
	th->events |= event;
	wake_up(&th->wait);
	/*
	 * A twin making a call for its thread (a futex wait can last) must
	 * see the end of that thread: the notification interrupts the call
	 * as a signal would, and it is consumed when the twin leaves the
	 * kernel, which it does for either event.
	 */
	if (event & (PCN_EV_EXIT | PCN_EV_LOST))
		set_notify_signal(th->task);
}

/*
 * Post @event to the twin at this origin of thread @tid of process @tgid,
 * which runs at node @from. @fill, called under pcn_threads_lock, hands
 * the twin what goes with the event, or refuses it. 0 or -ESRCH.
 */
int pcn_twin_post(pid_t tgid, pid_t tid, int from, unsigned long event,
		  bool (*fill)(struct pcn_thread *th, void *arg), void *arg)
{
	struct task_struct *twin = NULL;
	struct pcn_process *proc;
	struct pcn_thread *th;
	int ret = -ESRCH;

	proc = pcn_process_find(pcn_my_nid(), tgid);
	if (proc) {
		twin = pcn_thread_task_get(tid, PCN_THREAD_TWIN, proc);
		pcn_process_put(proc);
	}
	if (!twin)
		return -ESRCH;
	spin_lock(&pcn_threads_lock);
	th = twin->pcn_thread;
	if (th && th->role == PCN_THREAD_TWIN && th->peer_nid == from &&
	    fill(th, arg)) {
		pcn_thread_post(th, event);
		ret = 0;
	}
	spin_unlock(&pcn_threads_lock);
	put_task_struct(twin);
	return ret;
}

static void pcn_send_exit_msg(int nid, enum pcn_kmsg_type type,
			      struct pcn_process *proc, pid_t origin_tid,
			      pid_t remote_tid, int code, bool group)
{
	struct pcn_thread_exit_msg m = {
		.origin_tgid = proc->origin_tgid,
		.origin_tid = origin_tid,
		.remote_tid = remote_tid,
		.code = code,
		.group = group,
	};
	int ret = pcn_kmsg_send(nid, type, &m, sizeof(m));

	if (ret)
		pr_debug("%s to node %d failed: %d\n", pcn_kmsg_type_name(type),
			 nid, ret);
}

/*
 * do_exit() of a task with Popcorn state. A twin that dies (its process
 * was killed) takes its migrated thread with it; a migrated thread that
 * ends at a remote (not by going back) ends its twin, and with an
 * exit_group() the whole process, at the origin.
 */
void pcn_task_exit(struct task_struct *tsk, long code)
{
	struct pcn_thread *th;
	struct pcn_process *proc;
	bool group;

	spin_lock(&pcn_threads_lock);
	th = tsk->pcn_thread;
	tsk->pcn_thread = NULL;
	list_del_init(&th->list);
	spin_unlock(&pcn_threads_lock);

	proc = th->proc;
	switch (th->role) {
	case PCN_THREAD_TWIN:
		pcn_send_exit_msg(th->peer_nid, PCN_KMSG_TYPE_THREAD_KILL, proc,
				  tsk->pid, th->peer_tid, 0, true);
		break;
	case PCN_THREAD_REMOTE:
		pcn_stat_dec(remote_threads);
		if (th->leaving || READ_ONCE(proc->killed))
			break;
		group = tsk->signal->flags & SIGNAL_GROUP_EXIT;
		if (group)
			code = tsk->signal->group_exit_code;
		pcn_send_exit_msg(proc->origin_nid, PCN_KMSG_TYPE_THREAD_EXIT,
				  proc, th->peer_tid, tsk->pid, code, group);
		break;
	default:
		break;
	}
	if (th->back)
		pcn_kmsg_done(th->back);
	pcn_twin_work(th);		/* refuses what is left */
	pcn_process_put(proc);
	kfree(th);
}

/* Kill what is left of a remote process here (its origin ended). */
void pcn_remote_kill(struct pcn_process *proc)
{
	struct task_struct *worker;

	spin_lock(&proc->lock);
	proc->dead = true;
	proc->killed = true;
	worker = proc->worker;
	if (worker)
		get_task_struct(worker);
	spin_unlock(&proc->lock);
	wake_up(&proc->worker_wait);
	if (worker) {
		/* SIGKILL to one thread ends the whole thread group. */
		send_sig(SIGKILL, worker, 1);
		put_task_struct(worker);
	}
}

/*
 * __mmput() of a distributed mm: its last user is gone. The origin tells
 * every node that ran threads of it; either side lets go of the state.
 */
void pcn_mm_exit(struct mm_struct *mm)
{
	struct pcn_process *proc = mm->pcn_process;
	unsigned long nodes;
	int nid;

	if (proc->is_origin)
		pcn_shared_writeback(proc);
	WRITE_ONCE(mm->pcn_process, NULL);
	spin_lock(&proc->lock);
	proc->dead = true;
	nodes = proc->nodes;
	spin_unlock(&proc->lock);
	pcn_process_unpublish(proc);
	if (proc->is_origin) {
		for_each_set_bit(nid, &nodes, PCN_MAX_NODES)
			pcn_send_exit_msg(nid, PCN_KMSG_TYPE_PROCESS_EXIT, proc,
					  0, 0, 0, true);
	}
	pcn_process_put(proc);
}

/* ---- messages ---- */

static bool pcn_twin_set_exit(struct pcn_thread *th, void *arg)
{
	const struct pcn_thread_exit_msg *m = arg;

	th->exit_code = m->code;
	th->exit_group = m->group;
	return true;
}

/* Origin: a migrated thread ended at its remote node. */
static void pcn_thread_exit_handle(struct pcn_kmsg_rx *rx)
{
	struct pcn_thread_exit_msg *m = (void *)rx->msg->payload;

	pcn_twin_post(m->origin_tgid, m->origin_tid, rx->from->nid,
		      PCN_EV_EXIT, pcn_twin_set_exit, m);
	pcn_kmsg_done(rx);
}

/* Remote: the origin's process, or the twin of a thread here, is gone. */
static void pcn_process_exit_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_thread_exit_msg *m = (const void *)rx->msg->payload;
	struct pcn_process *proc;

	proc = pcn_process_find(rx->from->nid, m->origin_tgid);
	if (proc) {
		pcn_remote_kill(proc);
		pcn_process_put(proc);
	}
	pcn_kmsg_done(rx);
}

/* Origin: @proc's process ends; @nid took pages of it along. */
static void pcn_process_pages_lost(struct pcn_process *proc, int nid)
{
	struct pid *pid;

	pr_warn("process %d lost pages with node %d (it had their only copy): killing it\n",
		proc->origin_tgid, nid);
	rcu_read_lock();
	pid = find_pid_ns(proc->origin_tgid, &init_pid_ns);
	if (pid)
		kill_pid(pid, SIGKILL, 1);
	rcu_read_unlock();
}

/*
 * Origin: of our processes that ran threads at @nid, the ones that left
 * the only copy of a page there end; the others forget its read copies.
 */
static void pcn_process_origin_node_down(int nid)
{
	struct pcn_process *proc, *batch[16];
	unsigned long key, from = pcn_process_key(pcn_my_nid(), 0);
	int n, i;

	do {
		n = 0;
		rcu_read_lock();
		xa_for_each_range(&pcn_processes, key, proc, from,
				  pcn_process_key(pcn_my_nid(), -1)) {
			if (n == ARRAY_SIZE(batch))
				break;
			from = key + 1;
			if (proc->is_origin && !READ_ONCE(proc->dead) &&
			    (READ_ONCE(proc->nodes) & BIT(nid)) &&
			    kref_get_unless_zero(&proc->ref))
				batch[n++] = proc;
		}
		rcu_read_unlock();
		for (i = 0; i < n; i++) {
			if (pcn_page_dir_node_lost(batch[i], nid))
				pcn_process_pages_lost(batch[i], nid);
			pcn_process_put(batch[i]);
		}
	} while (n == ARRAY_SIZE(batch));
}

/*
 * A node went away: threads of ours that ran there are lost (their twins
 * end the process), processes of ours that left pages only there end too,
 * and so do the processes here whose origin it was.
 */
static void pcn_process_node_down(int nid)
{
	struct pcn_process *proc, *victims[16];
	unsigned long key;
	struct pcn_thread *th;
	int n, i;

	if (pcn_my_nid() >= 0)
		pcn_process_origin_node_down(nid);

	spin_lock(&pcn_threads_lock);
	list_for_each_entry(th, &pcn_threads, list)
		if (th->role == PCN_THREAD_TWIN && th->peer_nid == nid)
			pcn_thread_post(th, PCN_EV_LOST);
	spin_unlock(&pcn_threads_lock);

	do {
		n = 0;
		rcu_read_lock();
		xa_for_each_range(&pcn_processes, key, proc,
				  pcn_process_key(nid, 0),
				  pcn_process_key(nid, -1)) {
			if (n == ARRAY_SIZE(victims))
				break;
			if (!proc->is_origin && !READ_ONCE(proc->dead) &&
			    kref_get_unless_zero(&proc->ref))
				victims[n++] = proc;
		}
		rcu_read_unlock();
		for (i = 0; i < n; i++) {
			pr_info("node %d gone: killing its process %d here\n",
				nid, victims[i]->origin_tgid);
			pcn_remote_kill(victims[i]);
			pcn_process_put(victims[i]);
		}
	} while (n == ARRAY_SIZE(victims));
}

/* Node state changes arrive from transport context: act from a work. */
static unsigned long pcn_nodes_down;
static DEFINE_SPINLOCK(pcn_nodes_down_lock);

static void pcn_node_down_work_fn(struct work_struct *work)
{
	unsigned long down;
	int nid;

	spin_lock(&pcn_nodes_down_lock);
	down = pcn_nodes_down;
	pcn_nodes_down = 0;
	spin_unlock(&pcn_nodes_down_lock);
	for_each_set_bit(nid, &down, PCN_MAX_NODES)
		pcn_process_node_down(nid);
}
static DECLARE_WORK(pcn_node_down_work, pcn_node_down_work_fn);

void pcn_process_node_offline(int nid)
{
	if (nid < 0 || nid >= PCN_MAX_NODES)
		return;
	spin_lock(&pcn_nodes_down_lock);
	pcn_nodes_down |= BIT(nid);
	spin_unlock(&pcn_nodes_down_lock);
	schedule_work(&pcn_node_down_work);
}

int pcn_process_init(void)
{
	int ret;

	ret = pcn_kmsg_register(PCN_KMSG_TYPE_THREAD_EXIT,
				pcn_thread_exit_handle);
	if (!ret)
		ret = pcn_kmsg_register(PCN_KMSG_TYPE_THREAD_KILL,
					pcn_process_exit_handle);
	if (!ret)
		ret = pcn_kmsg_register(PCN_KMSG_TYPE_PROCESS_EXIT,
					pcn_process_exit_handle);
	return ret;
}
