/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Popcorn wire format: the header every message carries on every transport,
 * and the handshake payload. Exported so that tools and tests (which talk to
 * the TCP port directly) use the very same layout as the kernel.
 *
 * Fields are little-endian: the handshake admits x86_64 peers only.
 */
#ifndef _UAPI_POPCORN_PCN_WIRE_H
#define _UAPI_POPCORN_PCN_WIRE_H

#include <linux/types.h>

#define PCN_KMSG_MAGIC		0x4b4e4350	/* "PCNK" in memory order */
#define PCN_KMSG_VERSION	1

/* Largest message, header included. RDMA ring slots are this big. */
#define PCN_KMSG_MAX_SIZE	8192

/*
 * @size is the payload length that follows the header; on TCP it is also
 * the frame length prefix. @seq is unique per sender and peer; messages
 * sent concurrently may arrive out of @seq order.
 */
struct pcn_kmsg_hdr {
	__u32 magic;
	__u8 version;
	__u8 from_nid;
	__u16 type;
	__u16 flags;
	__u16 reserved;
	__u32 size;
	__u32 ws;		/* wait station of a request; echoed by its reply */
	__u32 credits;		/* transport use (RDMA ring credits); 0 on TCP */
	__u64 seq;
} __attribute__((packed));

#define PCN_KMSG_MAX_PAYLOAD	(PCN_KMSG_MAX_SIZE - sizeof(struct pcn_kmsg_hdr))

#define PCN_KMSG_F_REPLY	0x0001	/* completes wait station hdr.ws */
#define PCN_KMSG_F_ALL		PCN_KMSG_F_REPLY

enum pcn_kmsg_type {
	PCN_KMSG_TYPE_HELLO,		/* handshake, first message each way */
	PCN_KMSG_TYPE_ECHO_REQUEST,
	PCN_KMSG_TYPE_ECHO_REPLY,
	PCN_KMSG_TYPE_CREDIT,		/* transport: ring credits only (hdr.credits) */
	PCN_KMSG_TYPE_MAX,
};

/* Payload of PCN_KMSG_TYPE_HELLO. */
struct pcn_kmsg_hello {
	__u32 nid;
	__u32 arch;		/* enum pcn_arch */
	__u32 proto_version;	/* PCN_KMSG_VERSION */
	__u32 max_size;		/* PCN_KMSG_MAX_SIZE of the sender */
} __attribute__((packed));

#endif /* _UAPI_POPCORN_PCN_WIRE_H */
