/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Popcorn RDMA transport: the handshake it carries in the rdma_cm private
 * data. Compiles in the kernel and in user space, where the selftest that
 * plays a hostile peer (selftests/rdma_bad_connect.c) includes it: the
 * layout exists once.
 */
#ifndef _PCN_RDMA_CM_PRIV_H
#define _PCN_RDMA_CM_PRIV_H

#include <linux/types.h>
#include <popcorn/pcn_wire.h>

/* The selftests that play a hostile peer build this in user space. */
#ifndef __packed
#define __packed	__attribute__((packed))
#endif

/* How a message reaches the peer's ring slot. */
enum pcn_rdma_mode {
	PCN_RDMA_WRITE_IMM = 1,	/* RDMA WRITE_WITH_IMM, immediate = slot */
	PCN_RDMA_SEND = 2,	/* SEND into a pre-posted RECV (iWARP/siw) */
};

/*
 * rdma_cm private data of the connect request. Fits the 56 bytes
 * InfiniBand leaves to the consumer. Where a WRITE_IMM ring is travels
 * later, in struct pcn_rdma_ring_info (rdma.h), with the dialler's proof
 * of the cluster key.
 */
struct pcn_rdma_cm_priv {
	__u32 magic;		/* PCN_KMSG_MAGIC (popcorn/pcn_wire.h) */
	__u8 proto_version;	/* PCN_KMSG_VERSION */
	__u8 nid;
	__u8 arch;		/* PCN_ARCH_* */
	__u8 mode;		/* enum pcn_rdma_mode */
	__u32 max_size;		/* PCN_KMSG_MAX_SIZE */
	__u32 slots;
	__u32 flags;		/* PCN_HELLO_F_* */
	__u32 reserved;		/* 0 */
	__u8 nonce[PCN_AUTH_NONCE_LEN];
} __packed;

_Static_assert(sizeof(struct pcn_rdma_cm_priv) == 40,
	       "pcn_rdma_cm_priv is wire format");

/* The accept's private data: the same, and the acceptor's proof (or 0s). */
struct pcn_rdma_cm_accept {
	struct pcn_rdma_cm_priv priv;
	__u8 mac[PCN_AUTH_MAC_LEN];
} __packed;

_Static_assert(sizeof(struct pcn_rdma_cm_accept) == 72,
	       "pcn_rdma_cm_accept is wire format");

#endif /* _PCN_RDMA_CM_PRIV_H */
