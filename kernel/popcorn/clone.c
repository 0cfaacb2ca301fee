// SPDX-License-Identifier: GPL-2.0
/*
 * Threads and processes created by a thread at a remote node
 * (pthread_create, fork, vfork, posix_spawn, system, popen after a
 * migration).
 *
 * Placement: the new thread runs on its creator's node, as it would on one
 * machine, or where the process's placement puts it (placement.c), and
 * may migrate from there like any other. Every thread of a
 * distributed process needs an origin task (its twin: the futex owner TID,
 * the exit and join bookkeeping, the signal target), so the thread is
 * created at the origin, by the creator's twin, with clone(2)'s flags and
 * addresses; the new origin task takes the creator's registers as clone
 * would give them (rax 0, the new stack and TLS) and, before it runs any
 * user code, migrates to the creator's node and becomes the twin of the
 * thread there. The creator's clone() returns the new thread's TID, the
 * origin one, which CLONE_PARENT_SETTID also stores (at the origin,
 * coherently) and CLONE_CHILD_CLEARTID clears when the thread ends
 * anywhere: pthread_join works from any node.
 *
 * A new process (fork, vfork, clone without CLONE_THREAD) is created at
 * the origin too, by the twin, and stays there: it is an ordinary child
 * of the process, with the creator's registers, and fork.c gives it a
 * private copy of the whole address space, pages held at remotes
 * included. With CLONE_VM (vfork, posix_spawn) it shares the distributed
 * address space at the origin until it execs or exits, while the creator
 * waits. wait() and waitpid() at the remote are made by the twin, whose
 * children these are; SIGCHLD goes to the twin, which hands it over
 * (signal.c).
 *
 * The new task starts with the initial FPU state (MXCSR and x87 control
 * word at their defaults), not a copy of its creator's.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/ptrace.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/unistd.h>
#include "internal.h"
#include "process.h"

/* A thread of the same process, as glibc's pthread_create() asks. */
#define PCN_CLONE_NEEDED	(CLONE_VM | CLONE_THREAD | CLONE_SIGHAND)
#define PCN_CLONE_ALLOWED	(PCN_CLONE_NEEDED | CLONE_FS | CLONE_FILES | \
				 CLONE_SYSVSEM | CLONE_SETTLS | \
				 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | \
				 CLONE_CHILD_SETTID | CLONE_DETACHED)

/* A new process: a copy of the address space, or vfork's borrowed one. */
#define PCN_FORK_ALLOWED	(CSIGNAL | CLONE_VM | CLONE_VFORK | \
				 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | \
				 CLONE_CHILD_SETTID | CLONE_SETTLS)

static bool pcn_clone_is_thread(u64 flags)
{
	return flags & CLONE_THREAD;
}

static bool pcn_clone_flags_ok(u64 flags)
{
	if (pcn_clone_is_thread(flags))
		return (flags & PCN_CLONE_NEEDED) == PCN_CLONE_NEEDED &&
		       !(flags & ~(u64)PCN_CLONE_ALLOWED);
	/* CLONE_VM without CLONE_VFORK: a second process in our mm. */
	return !(flags & ~(u64)PCN_FORK_ALLOWED) &&
	       (!(flags & CLONE_VM) || (flags & CLONE_VFORK)) &&
	       valid_signal(flags & CSIGNAL);
}

/* At a remote: clone() or clone3() of a migrated thread. */
long pcn_remote_clone(struct pcn_process *proc, struct pcn_thread *th,
		      int nr, const struct pt_regs *regs)
{
	struct pcn_clone_msg m = {
		.origin_tgid = proc->origin_tgid,
		.origin_tid = th->peer_tid,
	};
	struct clone_args ca;
	int ret;

	if (nr == __NR_fork) {
		m.flags = SIGCHLD;
	} else if (nr == __NR_vfork) {
		m.flags = CLONE_VFORK | CLONE_VM | SIGCHLD;
	} else if (nr == __NR_clone) {
		/* x86_64: flags, stack, parent_tid, child_tid, tls */
		m.flags = regs->di;
		m.stack = regs->si;
		m.parent_tid = regs->dx;
		m.child_tid = regs->r10;
		m.tls = regs->r8;
	} else {
		if (regs->si < CLONE_ARGS_SIZE_VER0 || regs->si > PAGE_SIZE)
			return -EINVAL;
		ret = copy_struct_from_user(&ca, sizeof(ca),
					    (void __user *)regs->di, regs->si);
		if (ret)
			return ret;
		/* No pid choice or cgroup; as clone3(), no signal in flags. */
		if (ca.set_tid || ca.set_tid_size || ca.cgroup ||
		    (ca.stack && !ca.stack_size))
			return -EOPNOTSUPP;
		if ((ca.flags & CSIGNAL) || ca.exit_signal > CSIGNAL)
			return -EINVAL;
		m.flags = ca.flags | ca.exit_signal;
		m.stack = ca.stack ? ca.stack + ca.stack_size : 0;
		m.parent_tid = ca.parent_tid;
		m.child_tid = ca.child_tid;
		m.tls = ca.tls;
	}
	if (!pcn_clone_flags_ok(m.flags))
		return -EOPNOTSUPP;
	if (m.stack >= TASK_SIZE_MAX || m.tls >= TASK_SIZE_MAX)
		return -EINVAL;
	pcn_wire_regs_save(&m.regs, regs);
	/* A vfork parent waits for its child's exec or exit: any time. */
	return pcn_forward_call(proc, PCN_KMSG_TYPE_CLONE, &m, sizeof(m),
				!pcn_clone_is_thread(m.flags));
}

/* ---- at the origin ---- */

struct pcn_clone_start {
	struct pcn_wire_regs regs;	/* the new thread's user state */
	int nid;			/* where its creator runs */
};

/* The new thread's first steps, at the origin, before user space. */
static int pcn_clone_thread(void *arg)
{
	struct pcn_clone_start *start = arg;
	int nid = start->nid;
	int ret;

	ret = pcn_wire_regs_restore(current_pt_regs(), &start->regs);
	kfree(start);
	if (ret) {
		/* Checked before: only a failing arch_prctl() gets here. */
		force_sig(SIGSEGV);
		return 0;
	}
	if (nid != pcn_my_nid())
		pcn_migrate_new_thread(nid);
	return 0;		/* ret_from_fork: to user space, here or back */
}

/* A new process's first steps, at the origin, where it stays. */
static int pcn_clone_process(void *arg)
{
	struct pcn_clone_start *start = arg;
	int ret;

	ret = pcn_wire_regs_restore(current_pt_regs(), &start->regs);
	kfree(start);
	if (ret)
		force_sig(SIGSEGV);
	return 0;		/* ret_from_fork: to user space */
}

/* In the twin of a thread at node @from: the thread's clone(). */
long pcn_twin_clone(const struct pcn_clone_msg *m, int from)
{
	bool thread = pcn_clone_is_thread(m->flags);
	struct kernel_clone_args args = {
		.flags = m->flags & ~(u64)CSIGNAL,
		.parent_tid = u64_to_user_ptr(m->parent_tid),
		.child_tid = u64_to_user_ptr(m->child_tid),
		.exit_signal = thread ? 0 : m->flags & CSIGNAL,
		.fn = thread ? pcn_clone_thread : pcn_clone_process,
	};
	struct pcn_clone_start *start;
	pid_t pid;

	if (!pcn_clone_flags_ok(m->flags) || !pcn_wire_regs_valid(&m->regs) ||
	    m->stack >= TASK_SIZE_MAX || m->tls >= TASK_SIZE_MAX)
		return -EINVAL;
	start = kmalloc(sizeof(*start), GFP_KERNEL);
	if (!start)
		return -ENOMEM;
	start->regs = m->regs;
	start->regs.rax = 0;		/* the child's clone returns 0 */
	if (m->stack)
		start->regs.rsp = m->stack;
	/* With .fn, copy_thread() leaves the TLS to us. */
	if (m->flags & CLONE_SETTLS)
		start->regs.fsbase = m->tls;
	/* On its creator's node, or where the process's placement says. */
	start->nid = thread ? pcn_placement_next(from) : from;
	args.fn_arg = start;
	pid = kernel_clone(&args);
	if (pid < 0)
		kfree(start);
	return pid;
}
