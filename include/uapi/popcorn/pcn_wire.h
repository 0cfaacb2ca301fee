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
	PCN_KMSG_TYPE_PAGE_WRITE,	/* message fallback of a page write */
	PCN_KMSG_TYPE_PAGE_WRITE_REPLY,
	PCN_KMSG_TYPE_PAGE_READ,	/* message fallback of a page read */
	PCN_KMSG_TYPE_PAGE_READ_REPLY,
	PCN_KMSG_TYPE_PAGE_TEST,	/* page transfer self test */
	PCN_KMSG_TYPE_PAGE_TEST_REPLY,
	PCN_KMSG_TYPE_MAX,
};

#define PCN_PAGE_SIZE		4096

/*
 * A page one node exposes to one peer for one transfer; it travels inside
 * requests. RDMA: @addr/@key are the address and rkey of a registration of
 * exactly this page, invalidated when the transfer ends. Transports
 * without remote memory access: @key is a cookie and the data moves in
 * PAGE_WRITE/PAGE_READ messages.
 */
struct pcn_page_desc {
	__u64 addr;
	__u32 key;
	__u32 len;		/* PCN_PAGE_SIZE */
} __attribute__((packed));

/* PAGE_WRITE: desc, then the page. PAGE_READ: desc. */
struct pcn_page_msg {
	struct pcn_page_desc desc;
	__u8 data[];
} __attribute__((packed));

/* PAGE_WRITE_REPLY, PAGE_READ_REPLY (then the page), PAGE_TEST_REPLY. */
struct pcn_page_status {
	__s32 status;		/* 0 or -errno */
	__u32 reserved;
	__u8 data[];
} __attribute__((packed));

/* PAGE_TEST: the peer writes (PULL) or reads (PUSH) the exposed page. */
struct pcn_page_test_msg {
	__u32 mode;		/* enum pcn_page_test_mode */
	__u32 index;		/* selects the content pattern */
	__u32 probe;		/* 1: the key is spent, try it anyway */
	__u32 reserved;
	struct pcn_page_desc desc;
} __attribute__((packed));

/* Payload of PCN_KMSG_TYPE_HELLO. */
struct pcn_kmsg_hello {
	__u32 nid;
	__u32 arch;		/* enum pcn_arch */
	__u32 proto_version;	/* PCN_KMSG_VERSION */
	__u32 max_size;		/* PCN_KMSG_MAX_SIZE of the sender */
} __attribute__((packed));

#endif /* _UAPI_POPCORN_PCN_WIRE_H */
