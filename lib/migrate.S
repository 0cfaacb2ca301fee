/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * int popcorn_migrate(int nid): x86_64 migration entry.
 *
 * Builds a struct regset_x86_64 in this function's frame with the values
 * the registers will hold at .Lresume, the instruction after the syscall,
 * and calls popcorn_migrate(nid, &regset) (syscall 900). On success the
 * kernel resumes the thread on the target node at regset.rip with the
 * regset's GPRs, rsp and rflags and rax = 0 (the FPU/SSE/AVX state travels
 * from the live thread); on failure the syscall returns -errno right there.
 *
 * No vector or x87 register is touched on the way: whatever the caller
 * holds in them arrives on the target as it was.
 */
#include "internal.h"

#define NR_POPCORN_MIGRATE	900

	.hidden	__popcorn_set_errno

	.text
	.globl	popcorn_migrate
	.type	popcorn_migrate, @function
	.p2align 4
popcorn_migrate:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	subq	$RS_SIZE, %rsp		/* 16-byte aligned: RS_SIZE % 16 == 0 */

	/* Zero the regset (mmx, xmm, st, padding): rax, rcx, r11 are free. */
	xorl	%eax, %eax
	movl	$(RS_SIZE / 8), %ecx
1:	movq	%rax, -8(%rsp, %rcx, 8)
	decl	%ecx
	jnz	1b

	leaq	.Lresume(%rip), %rax
	movq	%rax, RS_RIP(%rsp)
	/* rax (0 on resume), rcx and r11 (clobbered by syscall) stay 0. */
	movq	%rdx, RS_RDX(%rsp)
	movq	%rbx, RS_RBX(%rsp)
	movq	%rsi, RS_RSI(%rsp)
	movq	%rdi, RS_RDI(%rsp)
	movq	%rbp, RS_RBP(%rsp)
	movq	%rsp, RS_RSP(%rsp)	/* unchanged up to .Lresume */
	movq	%r8, RS_R8(%rsp)
	movq	%r9, RS_R9(%rsp)
	movq	%r10, RS_R10(%rsp)
	movq	%r12, RS_R12(%rsp)
	movq	%r13, RS_R13(%rsp)
	movq	%r14, RS_R14(%rsp)
	movq	%r15, RS_R15(%rsp)
	movw	%cs, RS_CS(%rsp)
	movw	%ss, RS_SS(%rsp)
	movw	%ds, RS_DS(%rsp)
	movw	%es, RS_ES(%rsp)
	movw	%fs, RS_FS(%rsp)
	movw	%gs, RS_GS(%rsp)
	pushfq
	popq	%rax
	movq	%rax, RS_RFLAGS(%rsp)

	/* popcorn_migrate(nid, &regset): edi is still nid. */
	movq	%rsp, %rsi
	movl	$NR_POPCORN_MIGRATE, %eax
	syscall
.Lresume:
	/* Here on the target (rax = 0) or, on failure, here (rax = -errno). */
	leave
	.cfi_def_cfa %rsp, 8
	.cfi_restore %rbp
	testq	%rax, %rax
	js	2f
	xorl	%eax, %eax
	ret
2:	negl	%eax
	movl	%eax, %edi
	jmp	__popcorn_set_errno	/* tail call: returns -1 */
	.cfi_endproc
	.size	popcorn_migrate, . - popcorn_migrate

	.section .note.GNU-stack, "", @progbits
