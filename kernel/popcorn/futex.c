// SPDX-License-Identifier: GPL-2.0
/*
 * Distributed futex: every futex operation of a thread at a remote node is
 * made at the origin by the thread's twin (syscall_fwd.c). The futex queues
 * of the process are then the origin's alone, so a wake from any node finds
 * every waiter, and the futex word is read and changed where the twin
 * runs, through the page server like any other access: coherent.
 *
 * The twin has the origin TID of its thread, which is what glibc stores in
 * lock words and what PI futexes expect, so every operation works as it
 * would on one machine, including the PI ones.
 *
 * Timeouts: FUTEX_WAIT takes a relative timeout, the others an absolute one
 * on CLOCK_MONOTONIC or CLOCK_REALTIME. The remote turns either into the
 * time left on its own clock and the origin adds it to its clock, so that
 * nodes whose monotonic clocks differ (they always do) agree on when a
 * wait ends.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/futex.h>
#include <linux/ptrace.h>
#include <linux/time_namespace.h>
#include <linux/timekeeping.h>
#include <uapi/linux/futex.h>
#include "internal.h"
#include "process.h"

/* The commands whose fourth argument is a timeout (as futex(2) has it). */
static bool pcn_futex_has_timeout(u32 cmd)
{
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_WAIT_BITSET:
	case FUTEX_WAIT_REQUEUE_PI:
		return true;
	}
	return false;
}

/* The clock of an absolute timeout. */
static bool pcn_futex_realtime(u32 op)
{
	return (op & FUTEX_CLOCK_REALTIME) ||
	       (op & FUTEX_CMD_MASK) == FUTEX_LOCK_PI;
}

/* At a remote: the thread's futex(2), made at the origin. */
long pcn_remote_futex(struct pcn_process *proc, struct pcn_thread *th,
		      const struct pt_regs *regs)
{
	struct pcn_futex_msg m = {
		.origin_tgid = proc->origin_tgid,
		.origin_tid = th->peer_tid,
		.uaddr = regs->di,
		.op = regs->si,
		.val = regs->dx,
		.val2 = regs->r10,
		.uaddr2 = regs->r8,
		.val3 = regs->r9,
		.timeout_ns = -1,
	};
	u32 cmd = m.op & FUTEX_CMD_MASK;
	struct timespec64 ts;
	ktime_t t;

	if (regs->r10 && pcn_futex_has_timeout(cmd)) {
		if (get_timespec64(&ts, (void __user *)regs->r10))
			return -EFAULT;
		if (!timespec64_valid(&ts))
			return -EINVAL;
		t = timespec64_to_ktime(ts);
		if (cmd != FUTEX_WAIT) {
			/* Absolute: the time left on this node's clock. */
			if (pcn_futex_realtime(m.op)) {
				t = ktime_sub(t, ktime_get_real());
			} else {
				t = timens_ktime_to_host(CLOCK_MONOTONIC, t);
				t = ktime_sub(t, ktime_get());
			}
		}
		m.timeout_ns = max_t(s64, ktime_to_ns(t), 0);
	}
	return pcn_forward_call(proc, PCN_KMSG_TYPE_FUTEX, &m, sizeof(m),
				true);
}

/* At the origin, in the twin: the call for its remote thread. */
long pcn_twin_futex(const struct pcn_futex_msg *m)
{
	u32 cmd = m->op & FUTEX_CMD_MASK;
	ktime_t t, *tp = NULL;

	if (m->timeout_ns >= 0) {
		if (!pcn_futex_has_timeout(cmd))
			return -EINVAL;
		t = pcn_futex_realtime(m->op) ? ktime_get_real() : ktime_get();
		t = ktime_add_safe(t, ns_to_ktime(m->timeout_ns));
		tp = &t;
	} else if (m->timeout_ns != -1) {
		return -EINVAL;
	}
	/* do_futex() checks the op and the addresses as futex(2) does. */
	return do_futex(u64_to_user_ptr(m->uaddr), m->op, m->val, tp,
			u64_to_user_ptr(m->uaddr2), (u32)m->val2, m->val3);
}
