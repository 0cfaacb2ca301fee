/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Popcorn user ABI: the migration system calls and their structures.
 *
 * Compatible with the Popcorn Linux x86_64 ABI: the same call numbers
 * (free on 6.1), the same register set layout (624 bytes) and the same
 * status and node-info records.
 */
#ifndef _UAPI_POPCORN_POPCORN_H
#define _UAPI_POPCORN_POPCORN_H

#include <linux/types.h>

#define __NR_popcorn_migrate		900	/* (int nid, void *uregs) */
#define __NR_popcorn_propose_migration	901	/* (pid_t tid, int nid) */
#define __NR_popcorn_get_thread_status	902	/* (struct popcorn_thread_status *) */
#define __NR_popcorn_get_node_info	903	/* (int *my_nid, struct popcorn_node_info *) */

#define POPCORN_MAX_NODES	32	/* entries of popcorn_get_node_info */
#define POPCORN_NID_PROPOSED	(-1)	/* popcorn_migrate: the proposed node */
#define POPCORN_NID_NONE	(-1)	/* thread status: no proposal, no peer */

/* popcorn_node_info.status */
#define POPCORN_NODE_OFFLINE	0
#define POPCORN_NODE_ONLINE	1

/* popcorn_node_info.arch (Popcorn's numbering) */
#define POPCORN_ARCH_UNKNOWN	(-1)
#define POPCORN_ARCH_X86_64	1

struct popcorn_node_info {
	__u32 status;		/* POPCORN_NODE_* */
	__s32 arch;		/* POPCORN_ARCH_*; UNKNOWN when not configured */
	__s32 distance;		/* 0 for this node, 1 for a peer, -1 unknown */
};

struct popcorn_thread_status {
	__s32 current_nid;	/* where the calling thread runs */
	__s32 proposed_nid;	/* pending proposal, or POPCORN_NID_NONE */
	__s32 peer_nid;		/* the other side of the pairing, or NONE */
	__s32 peer_pid;		/* the twin's pid there, or 0 */
};

/*
 * Popcorn's struct regset_x86_64: the registers a thread resumes with on
 * the target node of popcorn_migrate(). Offsets match Popcorn's layout, in
 * which the xmm array is 16-byte aligned (hence __pad0) and each x87
 * register is a long double in 16 bytes.
 */
struct regset_x86_64 {
	__u64 rip;
	__u64 rax, rdx, rcx, rbx;
	__u64 rsi, rdi, rbp, rsp;
	__u64 r8, r9, r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 mmx[8];
	__u64 __pad0;
	__u64 xmm[16][2];	/* low quadword first */
	__u64 st[8][2];		/* 80-bit value in the low 10 bytes */
	__u32 cs, ss, ds, es, fs, gs;
	__u64 rflags;
};

#define POPCORN_REGSET_SIZE	624

#endif /* _UAPI_POPCORN_POPCORN_H */
