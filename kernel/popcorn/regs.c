// SPDX-License-Identifier: GPL-2.0
/*
 * The x86_64 user state of a migrating thread, into and out of a MIGRATE
 * message: general registers, FS/GS base and the whole FPU/SSE/AVX state
 * (the ptrace XSTATE image, or FXSAVE on CPUs without XSAVE).
 */
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <asm/fpu/api.h>
#include <asm/fpu/regset.h>
#include <asm/fpu/types.h>
#include <asm/fsgsbase.h>
#include <asm/prctl.h>
#include <asm/proto.h>
#include <asm/segment.h>
#include "process.h"

/* The flags user space may set (ptrace's FLAG_MASK on x86_64). */
#define PCN_USER_FLAGS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | \
			 X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_RF | \
			 X86_EFLAGS_AC | X86_EFLAGS_NT)

/* The general registers of @regs and current's FS/GS base into @wr. */
void pcn_wire_regs_save(struct pcn_wire_regs *wr, const struct pt_regs *regs)
{
	wr->r15 = regs->r15;
	wr->r14 = regs->r14;
	wr->r13 = regs->r13;
	wr->r12 = regs->r12;
	wr->rbp = regs->bp;
	wr->rbx = regs->bx;
	wr->r11 = regs->r11;
	wr->r10 = regs->r10;
	wr->r9 = regs->r9;
	wr->r8 = regs->r8;
	wr->rax = regs->ax;
	wr->rcx = regs->cx;
	wr->rdx = regs->dx;
	wr->rsi = regs->si;
	wr->rdi = regs->di;
	wr->rip = regs->ip;
	wr->rflags = regs->flags;
	wr->rsp = regs->sp;
	wr->fsbase = x86_fsbase_read_task(current);
	wr->gsbase = x86_gsbase_read_task(current);
}

/* Addresses from a peer: user space ones only. */
bool pcn_wire_regs_valid(const struct pcn_wire_regs *wr)
{
	return wr->rip < TASK_SIZE_MAX && wr->rsp < TASK_SIZE_MAX &&
	       wr->fsbase < TASK_SIZE_MAX && wr->gsbase < TASK_SIZE_MAX;
}

/*
 * @wr into current's user registers @regs and FS/GS base. rax is the
 * thread's own: 0 after a popcorn_migrate() call, any value for a thread
 * moved from outside between two instructions (move.c). The FPU state is
 * not touched.
 */
int pcn_wire_regs_restore(struct pt_regs *regs, const struct pcn_wire_regs *wr)
{
	int ret;

	if (!pcn_wire_regs_valid(wr))
		return -EINVAL;
	ret = do_arch_prctl_64(current, ARCH_SET_FS, wr->fsbase);
	if (!ret)
		ret = do_arch_prctl_64(current, ARCH_SET_GS, wr->gsbase);
	if (ret)
		return ret;

	regs->r15 = wr->r15;
	regs->r14 = wr->r14;
	regs->r13 = wr->r13;
	regs->r12 = wr->r12;
	regs->bp = wr->rbp;
	regs->bx = wr->rbx;
	regs->r11 = wr->r11;
	regs->r10 = wr->r10;
	regs->r9 = wr->r9;
	regs->r8 = wr->r8;
	regs->cx = wr->rcx;
	regs->dx = wr->rdx;
	regs->si = wr->rsi;
	regs->di = wr->rdi;
	regs->ax = wr->rax;
	regs->orig_ax = -1;		/* no system call to restart */
	regs->ip = wr->rip;
	regs->sp = wr->rsp;
	regs->flags = X86_EFLAGS_FIXED | X86_EFLAGS_IF |
		      (wr->rflags & PCN_USER_FLAGS);
	regs->cs = __USER_CS;
	regs->ss = __USER_DS;
	return 0;
}

/* Size and kind of this CPU's FPU image; both nodes must agree. */
unsigned int pcn_fpu_image_size(u32 *kind)
{
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		*kind = PCN_FPU_XSAVE;
		return fpu_user_cfg.max_size;
	}
	*kind = PCN_FPU_FXSAVE;
	return sizeof(struct fxregs_state);
}

/*
 * Fill m->regs and m->fpu from the calling task: its registers at the
 * system call (@regs), or the register set user space gave (@rs, Popcorn's
 * ABI: the thread resumes at rs->rip). rax is 0 on the target either way.
 */
int pcn_regs_save(struct pcn_migrate_msg *m, const struct pt_regs *regs,
		  const struct regset_x86_64 *rs)
{
	struct pcn_wire_regs *wr = &m->regs;
	struct membuf to;
	u32 kind;
	int ret;

	if (rs) {
		wr->r15 = rs->r15;
		wr->r14 = rs->r14;
		wr->r13 = rs->r13;
		wr->r12 = rs->r12;
		wr->rbp = rs->rbp;
		wr->rbx = rs->rbx;
		wr->r11 = rs->r11;
		wr->r10 = rs->r10;
		wr->r9 = rs->r9;
		wr->r8 = rs->r8;
		wr->rcx = rs->rcx;
		wr->rdx = rs->rdx;
		wr->rsi = rs->rsi;
		wr->rdi = rs->rdi;
		wr->rip = rs->rip;
		wr->rflags = rs->rflags;
		wr->rsp = rs->rsp;
		wr->rax = 0;	/* popcorn_migrate() returns 0 there */
	} else {
		pcn_wire_regs_save(wr, regs);
	}
	wr->fsbase = x86_fsbase_read_task(current);
	wr->gsbase = x86_gsbase_read_task(current);
	m->fpu_size = pcn_fpu_image_size(&kind);
	m->fpu_kind = kind;
	if (m->fpu_size > PCN_FPU_MAX_SIZE)
		return -EOPNOTSUPP;
	to = (struct membuf){ .p = m->fpu, .left = m->fpu_size };
	if (kind == PCN_FPU_XSAVE)
		ret = xstateregs_get(current, NULL, to);
	else
		ret = xfpregs_get(current, NULL, to);
	return ret;
}

/*
 * Make the calling task, on its way back to user space, continue with the
 * state in @m. Everything from the peer is checked: addresses must be user
 * addresses, flags are limited to what user space may set, segments are
 * the standard 64-bit user ones, the FPU image must match this CPU.
 */
int pcn_regs_restore(struct pt_regs *regs, const struct pcn_migrate_msg *m)
{
	const struct pcn_wire_regs *wr = &m->regs;
	u32 kind;
	int ret;

	if (!pcn_wire_regs_valid(wr))
		return -EINVAL;
	if (m->fpu_size != pcn_fpu_image_size(&kind) || m->fpu_kind != kind)
		return -EINVAL;
	ret = fpu_set_current_uabi(m->fpu, m->fpu_size);
	if (ret)
		return ret;
	return pcn_wire_regs_restore(regs, wr);
}
