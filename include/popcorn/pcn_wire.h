/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Popcorn wire protocol between kernels: the header every message carries
 * on every transport, every message's payload, and the one table of
 * message types. Not user ABI: only the kernels (and the selftests that
 * play a hostile peer) use it. kernel/popcorn/PROTOCOL.md describes each
 * message; the KUnit suite popcorn_wire (wire_kunit.c) keeps the two in
 * agreement.
 *
 * Fields are little-endian: the handshake admits x86_64 peers only.
 */
#ifndef _POPCORN_PCN_WIRE_H
#define _POPCORN_PCN_WIRE_H

#include <linux/types.h>

/* The selftests that play a hostile peer build this in user space. */
#ifndef __packed
#define __packed	__attribute__((packed))
#endif

#define PCN_KMSG_MAGIC		0x4b4e4350	/* "PCNK" in memory order */
#define PCN_KMSG_VERSION	16

/* Largest message, header included. RDMA ring slots are this big. */
#define PCN_KMSG_MAX_SIZE	8192

/*
 * @size is the payload length that follows the header; on TCP it is also
 * the frame length prefix. @seq numbers the messages of a session
 * (kernel/popcorn/session.c) one by one, in the order they go on the
 * link; transport messages (HELLO, AUTH, CREDIT, SESSION, ACK) carry 0.
 * @ack acknowledges the peer's messages: all below it arrived.
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
	__u32 seq;		/* session sequence number (session.c); 0: none */
	__u32 ack;		/* the sender has every message of ours below */
} __packed;

#define PCN_KMSG_MAX_PAYLOAD	(PCN_KMSG_MAX_SIZE - sizeof(struct pcn_kmsg_hdr))

#define PCN_KMSG_F_REPLY	0x0001	/* completes wait station hdr.ws */
#define PCN_KMSG_F_ALL		PCN_KMSG_F_REPLY

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
} __packed;

/* PAGE_WRITE: desc, then the page. PAGE_READ: desc. */
struct pcn_page_msg {
	struct pcn_page_desc desc;
	__u8 data[];
} __packed;

/* PAGE_WRITE_REPLY, PAGE_READ_REPLY (then the page), PAGE_TEST_REPLY. */
struct pcn_page_status {
	__s32 status;		/* 0 or -errno */
	__u32 reserved;
	__u8 data[];
} __packed;

/* PAGE_TEST: the peer writes (PULL) or reads (PUSH) the exposed page. */
struct pcn_page_test_msg {
	__u32 mode;		/* enum pcn_page_test_mode */
	__u32 index;		/* selects the content pattern */
	__u32 probe;		/* 1: the key is spent, try it anyway */
	__u32 reserved;
	struct pcn_page_desc desc;
} __packed;

/* The cluster key's challenge-response (popcorn/auth.h). */
#define PCN_AUTH_NONCE_LEN	16
#define PCN_AUTH_MAC_LEN	32	/* HMAC-SHA256 */
#define PCN_AUTH_ROLE_DIALLER	1	/* the role byte a proof is made with */
#define PCN_AUTH_ROLE_ACCEPTOR	2

#define PCN_HELLO_F_KEY		0x1	/* the sender has a cluster key */
#define PCN_HELLO_F_ALL		PCN_HELLO_F_KEY

/* Payload of PCN_KMSG_TYPE_HELLO. */
struct pcn_kmsg_hello {
	__u32 nid;
	__u32 arch;		/* enum pcn_arch */
	__u32 proto_version;	/* PCN_KMSG_VERSION */
	__u32 max_size;		/* PCN_KMSG_MAX_SIZE of the sender */
	__u32 flags;		/* PCN_HELLO_F_* */
	__u32 reserved;		/* 0 */
	__u8 nonce[PCN_AUTH_NONCE_LEN];	/* fresh for this handshake */
} __packed;

/*
 * Payload of PCN_KMSG_TYPE_SESSION, the first message each side sends on
 * a new link (session.c). @sid names the sender's stream of messages to
 * the receiver, @seen_sid the receiver's stream as the sender last knew
 * it (0: none), @rx_next the first of those it has not received.
 */
struct pcn_kmsg_session {
	__u64 sid;
	__u64 seen_sid;
	__u32 rx_next;
	__u32 flags;		/* 0 */
} __packed;

/* Payload of PCN_KMSG_TYPE_AUTH: the sender's proof of the cluster key. */
struct pcn_kmsg_auth {
	__u8 mac[PCN_AUTH_MAC_LEN];
} __packed;

/* ---- process server ---- */

/* x86_64 user registers of a migrating thread. */
struct pcn_wire_regs {
	__u64 r15, r14, r13, r12, rbp, rbx, r11, r10;
	__u64 r9, r8, rax, rcx, rdx, rsi, rdi;
	__u64 rip, rflags, rsp;
	__u64 fsbase, gsbase;
} __packed;

#define PCN_FPU_FXSAVE		1	/* 512-byte FXSAVE image */
#define PCN_FPU_XSAVE		2	/* standard-format XSAVE (ptrace) image */
#define PCN_FPU_MAX_SIZE	4096

#define PCN_MIGRATE_BACK	0x1	/* to the origin, where the twin waits */
#define PCN_MIGRATE_RELAY	0x2	/* with BACK: the twin goes on to relay_nid */

/*
 * MIGRATE: a thread of process (origin_nid, origin_tgid) continues on the
 * receiver with these registers and FPU state. Forward (the receiver is
 * not the origin) also describes what a new remote process needs.
 */
/*
 * A signal's action as a forward MIGRATE carries it: SIG_DFL (0), SIG_IGN
 * (1) or a handler, with its sa_flags, restorer and blocked mask.
 */
struct pcn_wire_sigaction {
	__u64 handler, flags, restorer, mask;
} __packed;

/*
 * The signals a thread raises itself by faulting at a remote, whose
 * actions a forward MIGRATE carries in this order: SIGILL, SIGTRAP,
 * SIGBUS, SIGFPE, SIGSEGV, SIGSYS. Every other signal of a migrated
 * thread is taken at the origin and comes with its action (SIGNAL).
 */
#define PCN_FAULT_SIGNALS	6

struct pcn_migrate_msg {
	__s32 origin_nid;
	__s32 origin_tgid;
	__s32 origin_tid;	/* the thread's tid at the origin */
	__u32 flags;		/* PCN_MIGRATE_* */
	__s32 relay_nid;	/* PCN_MIGRATE_RELAY: the node it moves to */
	__u32 reserved;
	__u64 vdso;		/* origin's vDSO text address */
	__u64 clock_mono;	/* forward: the origin's CLOCK_MONOTONIC, ns */
	__u64 clock_boot;	/* forward: and its CLOCK_BOOTTIME (clock.c) */
	__u32 uid, gid;		/* for information: no right (remote.c) */
	char comm[16];
	__u64 sigmask;		/* the thread's blocked signals, bit n-1: n */
	struct pcn_wire_sigaction fault_actions[PCN_FAULT_SIGNALS];
	struct pcn_wire_regs regs;
	__u32 fpu_kind;		/* PCN_FPU_* */
	__u32 fpu_size;
	__u8 fpu[];
} __packed;

struct pcn_migrate_reply {
	__s32 status;		/* 0 or -errno */
	__s32 tid;		/* the thread's tid on the receiver */
} __packed;

/* THREAD_EXIT, THREAD_KILL, PROCESS_EXIT */
struct pcn_thread_exit_msg {
	__s32 origin_tgid;
	__s32 origin_tid;	/* 0 for PROCESS_EXIT */
	__s32 remote_tid;	/* THREAD_KILL: the thread to end there */
	__s32 code;		/* THREAD_EXIT: exit code (wait status) */
	__u32 group;		/* THREAD_EXIT: the whole process exits */
	__u32 reserved;
} __packed;

/* ---- VMA server ---- */

struct pcn_vma_request {
	__s32 origin_tgid;
	__u32 reserved;
	__u64 addr;
} __packed;

#define PCN_VMA_ANON		1
#define PCN_VMA_FILE		2	/* private file mapping, path follows */
#define PCN_VMA_VDSO		3	/* [vvar] and [vdso] */

#define PCN_VMA_PATH_MAX	1024

struct pcn_vma_reply {
	__s32 status;		/* 0 or -errno (-EFAULT: nothing mapped) */
	__u32 kind;		/* PCN_VMA_* */
	__u64 start, end;
	__u64 pgoff;		/* in pages, file mappings */
	__u64 vm_flags;		/* VM_READ|VM_WRITE|VM_EXEC|VM_GROWSDOWN... */
	__u64 vdso;		/* PCN_VMA_VDSO: the vDSO text address */
	__u32 path_len;		/* bytes of path, with its NUL */
	__u32 reserved;
	char path[];
} __packed;

/*
 * VMA_OP (a system call changing the address space) and SYSCALL (any other
 * forwarded call): made by a migrated thread at a remote, carried out at
 * the origin by its twin with these arguments. Pointers among them are
 * addresses in the process's coherent address space. A SYSCALL for read,
 * pread64, write or pwrite64 of up to PCN_SYSCALL_INLINE_MAX bytes may
 * carry the buffer: in_len bytes of it follow (write), or the answer may
 * carry up to out_max bytes after pcn_syscall_reply (read). VMA_OP: 0, 0.
 */
struct pcn_syscall_msg {
	__s32 origin_tgid;
	__s32 origin_tid;	/* the twin */
	__u32 nr;		/* x86_64 system call number */
	__u16 in_len;		/* bytes of the call's buffer that follow */
	__u16 out_max;		/* bytes of output the answer may carry */
	__u64 args[6];
} __packed;

#define PCN_SYSCALL_INLINE_MAX	4096

/*
 * A SYSCALL for read or pread64 of more than PCN_SYSCALL_INLINE_MAX bytes,
 * up to PCN_SYSCALL_BULK_MAX, may name pages for the bytes instead: in_len
 * bytes of struct pcn_page_desc follow, one window of up to 16 pages per
 * 64 KiB (deputy_bulk.c). The answer PCN_SYSCALL_NO_BULK (the kernel's
 * internal ENOTSUPP, which no read returns) means "nothing was read: make
 * the call again without pages".
 */
#define PCN_SYSCALL_BULK_WINDOWS	4
#define PCN_SYSCALL_BULK_MAX	(PCN_SYSCALL_BULK_WINDOWS * 16 * PCN_PAGE_SIZE)
#define PCN_SYSCALL_NO_BULK	(-524)

/* The answer to VMA_OP, VMA_DROP, FUTEX, CLONE, SYSCALL and SIGNAL. */
struct pcn_syscall_reply {
	__s64 ret;		/* the system call's return value */
} __packed;

/*
 * MOVE: the origin asks a remote to move one of the process's threads
 * there (pcnctl migrate) to node @nid at its next return to user space:
 * home (the origin) or on to another node.
 */
struct pcn_move_msg {
	__s32 origin_tgid;
	__s32 origin_tid;	/* the twin, the sender's task */
	__s32 remote_tid;	/* the thread at the receiver */
	__s32 nid;		/* where it goes */
} __packed;

/*
 * SIGACTION: the origin's actions of the fault signals changed (a thread
 * of the process made rt_sigaction for one of them); the remote installs
 * them. Same order as pcn_migrate_msg.fault_actions.
 */
struct pcn_sigaction_msg {
	__u32 origin_tgid;
	__u32 reserved;		/* 0 */
	struct pcn_wire_sigaction actions[PCN_FAULT_SIGNALS];
} __packed;

/* VMA_DROP: [start, end) changed at the origin; unmap it here. */
struct pcn_vma_drop {
	__s32 origin_tgid;
	__u32 reserved;
	__u64 start, end;
} __packed;

/* ---- page server ---- */

#define PCN_PAGE_F_WRITE	0x1	/* fetch: exclusive ownership wanted */
#define PCN_PAGE_F_HAVE_COPY	0x2	/* fetch: the data is already here */
#define PCN_PAGE_F_DATA		0x4	/* reply: the page was written to desc */
#define PCN_PAGE_F_KEEP_COPY	0x8	/* recall: keep a read-only copy */
#define PCN_PAGE_F_OWNER	0x10	/* fetch reply: the only copy: map it
					 * writable (a fresh page read first)
					 */
#define PCN_PAGE_F_ZERO		0x20	/* fetch reply, with OWNER: the pages
					 * of zero_map are the requester's,
					 * all zeros (nothing was written)
					 */
#define PCN_PAGE_F_DOWN		0x40	/* fetch, a read: the window's page
					 * i is addr - i * 4096 (a stream
					 * read downwards), not addr + i * 4096
					 */
#define PCN_PAGE_F_CLEAN	0x80	/* recall reply, with DATA: the
					 * holder was handed the only copy by
					 * a read and never wrote it
					 */

/*
 * A fetch of a page no node ever had may be answered with the pages
 * around it that nobody had either: the block of PCN_PAGE_GRANT_PAGES
 * pages, aligned, that holds the page. Bit i of zero_map is the page at
 * (addr & ~(PCN_PAGE_GRANT_PAGES * 4096 - 1)) + i * 4096.
 */
#define PCN_PAGE_GRANT_PAGES	64

/*
 * A read fetch may expose a window of up to PCN_PAGE_AHEAD_MAX pages
 * (desc.len a multiple of the page size): page i of it is for addr + i
 * pages; the origin may fill pages 1.. too (read-ahead, ahead_map).
 */
#define PCN_PAGE_AHEAD_MAX	16

struct pcn_page_fetch {
	__s32 origin_tgid;
	__u32 flags;		/* PCN_PAGE_F_* */
	__u64 addr;
	struct pcn_page_desc desc;	/* where to write the page(s) */
} __packed;

struct pcn_page_fetch_reply {
	__s32 status;		/* 0, -EAGAIN (busy: retry) or -errno */
	__u32 flags;		/* DATA [| OWNER], or OWNER | ZERO */
	__u64 zero_map;		/* with ZERO: pages handed over, else 0 */
	__u64 ahead_map;	/* with DATA alone: pages 1.. of the window
				 * written too, read-only copies; else 0
				 */
} __packed;

/*
 * PAGE_INVALIDATE (origin to a remote): drop the read-only copies of
 * @pages pages (1..PCN_PAGE_INVAL_MAX) from @addr up: the page an origin
 * write faulted on and the next ones its write stream will reach, all
 * shared by that remote alone. The reply's @dropped: bit i set, the page
 * at addr + i * 4096 is gone there (dropped, or it was not there); a page
 * the remote was busy with stays, and is asked for again when written.
 */
#define PCN_PAGE_INVAL_MAX	16

struct pcn_page_inval {
	__s32 origin_tgid;
	__u32 pages;
	__u64 addr;
} __packed;

struct pcn_page_inval_reply {
	__s32 status;		/* 0 or -errno */
	__u32 reserved;		/* 0 */
	__u64 dropped;
} __packed;

/* ---- system calls made at the origin for a remote thread ---- */

/*
 * FUTEX: futex(2) of a thread at a remote, made at the origin by its twin,
 * where every futex of the process lives. A timeout travels as the time
 * left, so that the nodes' clocks need not agree.
 */
struct pcn_futex_msg {
	__s32 origin_tgid;
	__s32 origin_tid;	/* the twin */
	__u64 uaddr, uaddr2;
	__s64 timeout_ns;	/* time left; -1: none */
	__u64 val2;		/* the 4th argument when it is not a timeout */
	__u32 op, val, val3;
	__u32 reserved;
} __packed;

/*
 * CLONE: a thread at a remote creates a thread. The twin creates it at the
 * origin, in the process, and it moves at once to the creator's node,
 * with the creator's registers as clone(2) would give it.
 */
struct pcn_clone_msg {
	__s32 origin_tgid;
	__s32 origin_tid;	/* the twin */
	__u64 flags;		/* CLONE_*: a thread of the same process */
	__u64 parent_tid, child_tid;	/* user addresses, as in clone3() */
	__u64 stack;		/* the child's stack pointer; 0: the caller's */
	__u64 tls;		/* CLONE_SETTLS: the child's FS base */
	struct pcn_wire_regs regs;	/* the caller's, at the call */
} __packed;

/*
 * SIGNAL: the origin delivers a signal to a thread at a remote. Signals
 * for a thread reach its twin (the origin has the thread's ids); the twin
 * takes them as the thread would (signal.c) and sends each one that runs
 * a handler here, with the handler, so that the remote runs what the
 * process has installed now.
 */
struct pcn_signal_msg {
	__s32 origin_tgid;
	__s32 origin_tid;	/* the twin */
	__s32 remote_tid;	/* the thread at the receiver */
	__s32 signo;		/* 1.._NSIG; also the siginfo's si_signo */
	__s32 si_errno, si_code;
	__u8 si_fields[32];	/* siginfo's union, as x86_64 lays it out */
	__u64 sa_handler, sa_flags, sa_restorer, sa_mask;
} __packed;

/* ---- a node's counters, for a peer (pcnctl stat --all, pcn-top) ---- */

/* The shapes of pcn_netlink.h's enums, fixed here for the wire. */
#define PCN_STAT_FAULT_KINDS	3	/* PCN_FAULT_KINDS */
#define PCN_STAT_FAULT_RESULTS	3	/* PCN_FAULT_RESULTS */
#define PCN_STAT_MIGRATE_DIRS	2	/* PCN_MIGRATE_DIRS */
#define PCN_STAT_LAT_BUCKETS	36	/* PCN_LAT_BUCKETS */
#define PCN_STAT_TYPES_MAX	64	/* bound of STAT_REPLY's size */

/* One message type's traffic, all peers. */
struct pcn_stat_type_counts {
	__u64 msgs_in, msgs_out, bytes_in, bytes_out;
} __packed;

/*
 * STAT_REPLY: the answering node's node-wide counters (STAT_REQUEST has no
 * payload), as its own PCN_CMD_STAT_GET reports them, and its CPU load:
 * @cpu_busy_ns is the time all its CPUs spent not idle since boot,
 * @uptime_ns the boot clock it was read at (busy share over an interval:
 * the busy delta over the uptime delta times @cpus). @types: one entry per
 * message type in wire order, @ntypes of them (the sender's
 * PCN_KMSG_TYPE_MAX: the same protocol version has the same table).
 */
struct pcn_stat_reply {
	__s32 status;		/* 0 */
	__u16 ntypes;
	__u16 reserved;		/* 0 */
	__u64 uptime_ns;
	__u64 cpu_busy_ns;
	__u32 cpus;		/* online */
	__u32 nr_running;	/* runnable threads, all CPUs */
	/* message layer */
	__u64 rx_bad, hs_refused, ws_timeouts, late_replies, transport_errors;
	__u64 max_payload;
	/* remote memory */
	__u64 pages_exposed, pages_exposed_total;
	__u64 remote_regions, remote_bytes, tx_stalls;
	/* processes, VMA and page servers, invalidations */
	__u64 processes, remote_threads, migrations_out, migrations_in;
	__u64 vma_fetches, page_fetches, page_fetch_retries, page_served;
	__u64 inval_sent, inval_recv;
	/* faults and migrations, with log2 latency histograms */
	__u64 faults[PCN_STAT_FAULT_KINDS][PCN_STAT_FAULT_RESULTS];
	__u64 fault_lat[PCN_STAT_FAULT_KINDS][PCN_STAT_LAT_BUCKETS];
	__u64 migrations[PCN_STAT_MIGRATE_DIRS];
	__u64 migrate_lat[PCN_STAT_MIGRATE_DIRS][PCN_STAT_LAT_BUCKETS];
	/*
	 * zero pages handed over with a fetch, those of them mapped, pages
	 * sent ahead of a read fault, those of them mapped, and of those the
	 * ones found used and unused
	 */
	__u64 pages_granted, granted_mapped, ahead_sent, ahead_mapped;
	__u64 ahead_used, ahead_unused;
	/*
	 * sessions resumed on a new link, sessions lost, messages sent again
	 * on resuming, duplicates received (session.c)
	 */
	__u64 sessions_resumed, sessions_lost, msgs_resent, rx_dups;
	struct pcn_stat_type_counts types[];
} __packed;

/* ---- a process's threads at a node, for its origin (pcnctl proc PID) ---- */

/* THREADS_REQUEST: the threads of the sender's process @origin_tgid here. */
struct pcn_threads_request {
	__s32 origin_tgid;
	__u32 reserved;		/* 0 */
} __packed;

/* One thread the receiver runs for the origin. */
struct pcn_wire_thread {
	__s32 origin_tid;	/* the thread's twin at the origin */
	__u32 reserved;		/* 0 */
	__u64 cpu_ns;		/* CPU time used at the receiver */
	__u64 faults;		/* its faults that needed another node */
	__u64 calls;		/* its system calls forwarded to the origin */
} __packed;

#define PCN_THREADS_MAX		254	/* entries that fit one reply */

/*
 * THREADS_REPLY: @count entries (at most PCN_THREADS_MAX; @truncated 1
 * when the process has more threads here, 0 otherwise).
 */
struct pcn_threads_reply {
	__s32 status;		/* 0, or -ESRCH: no such process here */
	__u16 count;
	__u8 truncated;
	__u8 reserved;		/* 0 */
	struct pcn_wire_thread threads[];
} __packed;

/* ---- the message types ---- */

/*
 * Per-type properties (PCN_KMSG_TYPES' last column).
 * TRANSPORT: made and consumed by the transports and the handshake; no
 *	handler may register for it and no user may send it.
 * REPLY: answers a request; travels with PCN_KMSG_F_REPLY and only so.
 * INLINE: handled in the receive path, in order with the replies from the
 *	same peer (it must not sleep for long nor wait on the network).
 * SELFTEST: only handled with CONFIG_POPCORN_SELFTEST.
 */
#define PCN_KMSG_T_TRANSPORT	0x1
#define PCN_KMSG_T_REPLY	0x2
#define PCN_KMSG_T_INLINE	0x4
#define PCN_KMSG_T_SELFTEST	0x8

/* A type's payload size bounds, in bytes. */
#define PCN_KMSG_SIZE(min, max)	{ (min), (max) }
#define PCN_KMSG_FIXED(t)	PCN_KMSG_SIZE(sizeof(struct t), sizeof(struct t))
#define PCN_KMSG_PAGE_PAYLOAD	(sizeof(struct pcn_page_msg) + PCN_PAGE_SIZE)

/*
 * Every message type, in wire order: a type's number is its position, so
 * a new type goes at the end (and PCN_KMSG_VERSION changes when the
 * meaning of an existing one does). One line each:
 *   X(NAME, name, payload size bounds, REPLY TYPE, flags)
 * NAME makes PCN_KMSG_TYPE_NAME; name is what counters and trace events
 * print; REPLY TYPE is the type that answers it (NONE: not a request).
 */
#define PCN_KMSG_TYPES(X)						\
	X(HELLO, hello, PCN_KMSG_FIXED(pcn_kmsg_hello), NONE,		\
	  PCN_KMSG_T_TRANSPORT)						\
	X(ECHO_REQUEST, echo_request, PCN_KMSG_SIZE(0, PCN_KMSG_MAX_PAYLOAD),\
	  ECHO_REPLY, PCN_KMSG_T_SELFTEST)				\
	X(ECHO_REPLY, echo_reply, PCN_KMSG_SIZE(0, PCN_KMSG_MAX_PAYLOAD),	\
	  NONE, PCN_KMSG_T_REPLY | PCN_KMSG_T_SELFTEST)			\
	X(CREDIT, credit, PCN_KMSG_SIZE(0, 0), NONE, PCN_KMSG_T_TRANSPORT)	\
	X(PAGE_WRITE, page_write,					\
	  PCN_KMSG_SIZE(PCN_KMSG_PAGE_PAYLOAD, PCN_KMSG_PAGE_PAYLOAD),	\
	  PAGE_WRITE_REPLY, PCN_KMSG_T_SELFTEST)			\
	X(PAGE_WRITE_REPLY, page_write_reply,				\
	  PCN_KMSG_FIXED(pcn_page_status), NONE,			\
	  PCN_KMSG_T_REPLY | PCN_KMSG_T_SELFTEST)			\
	X(PAGE_READ, page_read, PCN_KMSG_FIXED(pcn_page_msg),		\
	  PAGE_READ_REPLY, PCN_KMSG_T_SELFTEST)				\
	X(PAGE_READ_REPLY, page_read_reply,				\
	  PCN_KMSG_SIZE(sizeof(struct pcn_page_status),			\
			sizeof(struct pcn_page_status) + PCN_PAGE_SIZE),\
	  NONE, PCN_KMSG_T_REPLY | PCN_KMSG_T_SELFTEST)			\
	X(PAGE_TEST, page_test, PCN_KMSG_FIXED(pcn_page_test_msg),	\
	  PAGE_TEST_REPLY, PCN_KMSG_T_SELFTEST)				\
	X(PAGE_TEST_REPLY, page_test_reply,				\
	  PCN_KMSG_FIXED(pcn_page_status), NONE,			\
	  PCN_KMSG_T_REPLY | PCN_KMSG_T_SELFTEST)			\
	X(MIGRATE, migrate,						\
	  PCN_KMSG_SIZE(sizeof(struct pcn_migrate_msg),			\
			sizeof(struct pcn_migrate_msg) + PCN_FPU_MAX_SIZE),\
	  MIGRATE_REPLY, 0)						\
	X(MIGRATE_REPLY, migrate_reply, PCN_KMSG_FIXED(pcn_migrate_reply),\
	  NONE, PCN_KMSG_T_REPLY)					\
	X(THREAD_EXIT, thread_exit, PCN_KMSG_FIXED(pcn_thread_exit_msg),	\
	  NONE, 0)							\
	X(THREAD_KILL, thread_kill, PCN_KMSG_FIXED(pcn_thread_exit_msg),	\
	  NONE, 0)							\
	X(PROCESS_EXIT, process_exit, PCN_KMSG_FIXED(pcn_thread_exit_msg),\
	  NONE, 0)							\
	X(VMA_REQUEST, vma_request, PCN_KMSG_FIXED(pcn_vma_request),	\
	  VMA_REPLY, 0)							\
	X(VMA_REPLY, vma_reply,						\
	  PCN_KMSG_SIZE(sizeof(struct pcn_vma_reply),			\
			sizeof(struct pcn_vma_reply) + PCN_VMA_PATH_MAX),\
	  NONE, PCN_KMSG_T_REPLY)					\
	X(VMA_OP, vma_op, PCN_KMSG_FIXED(pcn_syscall_msg), VMA_OP_REPLY, 0)	\
	X(VMA_OP_REPLY, vma_op_reply, PCN_KMSG_FIXED(pcn_syscall_reply),	\
	  NONE, PCN_KMSG_T_REPLY)					\
	X(VMA_DROP, vma_drop, PCN_KMSG_FIXED(pcn_vma_drop),		\
	  VMA_DROP_REPLY, 0)						\
	X(VMA_DROP_REPLY, vma_drop_reply,				\
	  PCN_KMSG_FIXED(pcn_syscall_reply), NONE, PCN_KMSG_T_REPLY)	\
	X(PAGE_FETCH, page_fetch, PCN_KMSG_FIXED(pcn_page_fetch),	\
	  PAGE_FETCH_REPLY, 0)						\
	X(PAGE_FETCH_REPLY, page_fetch_reply,				\
	  PCN_KMSG_FIXED(pcn_page_fetch_reply), NONE, PCN_KMSG_T_REPLY)	\
	X(PAGE_RECALL, page_recall, PCN_KMSG_FIXED(pcn_page_fetch),	\
	  PAGE_RECALL_REPLY, 0)						\
	X(PAGE_RECALL_REPLY, page_recall_reply,				\
	  PCN_KMSG_FIXED(pcn_page_fetch_reply), NONE, PCN_KMSG_T_REPLY)	\
	X(FUTEX, futex, PCN_KMSG_FIXED(pcn_futex_msg), FUTEX_REPLY, 0)	\
	X(FUTEX_REPLY, futex_reply, PCN_KMSG_FIXED(pcn_syscall_reply),	\
	  NONE, PCN_KMSG_T_REPLY)					\
	X(CLONE, clone, PCN_KMSG_FIXED(pcn_clone_msg), CLONE_REPLY, 0)	\
	X(CLONE_REPLY, clone_reply, PCN_KMSG_FIXED(pcn_syscall_reply),	\
	  NONE, PCN_KMSG_T_REPLY)					\
	X(PAGE_PUT, page_put,						\
	  PCN_KMSG_SIZE(PCN_KMSG_PAGE_PAYLOAD, PCN_KMSG_PAGE_PAYLOAD),	\
	  NONE, PCN_KMSG_T_INLINE)					\
	X(SYSCALL, syscall,						\
	  PCN_KMSG_SIZE(sizeof(struct pcn_syscall_msg),			\
			sizeof(struct pcn_syscall_msg) +		\
			PCN_SYSCALL_INLINE_MAX),			\
	  SYSCALL_REPLY, 0)						\
	X(SYSCALL_REPLY, syscall_reply,					\
	  PCN_KMSG_SIZE(sizeof(struct pcn_syscall_reply),		\
			sizeof(struct pcn_syscall_reply) +		\
			PCN_SYSCALL_INLINE_MAX),			\
	  NONE, PCN_KMSG_T_REPLY)					\
	X(SIGNAL, signal, PCN_KMSG_FIXED(pcn_signal_msg), SIGNAL_REPLY, 0)	\
	X(SIGNAL_REPLY, signal_reply, PCN_KMSG_FIXED(pcn_syscall_reply),	\
	  NONE, PCN_KMSG_T_REPLY)					\
	X(SIGACTION, sigaction, PCN_KMSG_FIXED(pcn_sigaction_msg),	\
	  SIGACTION_REPLY, 0)						\
	X(SIGACTION_REPLY, sigaction_reply,				\
	  PCN_KMSG_FIXED(pcn_syscall_reply), NONE, PCN_KMSG_T_REPLY)	\
	X(MOVE, move, PCN_KMSG_FIXED(pcn_move_msg), MOVE_REPLY, 0)	\
	X(MOVE_REPLY, move_reply, PCN_KMSG_FIXED(pcn_syscall_reply),	\
	  NONE, PCN_KMSG_T_REPLY)					\
	X(STAT_REQUEST, stat_request, PCN_KMSG_SIZE(0, 0), STAT_REPLY, 0)	\
	X(STAT_REPLY, stat_reply,					\
	  PCN_KMSG_SIZE(sizeof(struct pcn_stat_reply),			\
			sizeof(struct pcn_stat_reply) +			\
			PCN_STAT_TYPES_MAX *				\
			sizeof(struct pcn_stat_type_counts)),		\
	  NONE, PCN_KMSG_T_REPLY)					\
	X(THREADS_REQUEST, threads_request,				\
	  PCN_KMSG_FIXED(pcn_threads_request), THREADS_REPLY, 0)	\
	X(THREADS_REPLY, threads_reply,					\
	  PCN_KMSG_SIZE(sizeof(struct pcn_threads_reply),		\
			sizeof(struct pcn_threads_reply) +		\
			PCN_THREADS_MAX * sizeof(struct pcn_wire_thread)),\
	  NONE, PCN_KMSG_T_REPLY)					\
	X(PAGE_INVALIDATE, page_invalidate,				\
	  PCN_KMSG_FIXED(pcn_page_inval), PAGE_INVALIDATE_REPLY, 0)	\
	X(PAGE_INVALIDATE_REPLY, page_invalidate_reply,			\
	  PCN_KMSG_FIXED(pcn_page_inval_reply), NONE, PCN_KMSG_T_REPLY)	\
	X(AUTH, auth, PCN_KMSG_FIXED(pcn_kmsg_auth), NONE,		\
	  PCN_KMSG_T_TRANSPORT)						\
	X(SESSION, session, PCN_KMSG_FIXED(pcn_kmsg_session), NONE,	\
	  PCN_KMSG_T_TRANSPORT)						\
	X(ACK, ack, PCN_KMSG_SIZE(0, 0), NONE, PCN_KMSG_T_TRANSPORT)	\
	X(PAGE_DATA, page_data,						\
	  PCN_KMSG_SIZE(PCN_KMSG_PAGE_PAYLOAD, PCN_KMSG_PAGE_PAYLOAD),	\
	  NONE, PCN_KMSG_T_TRANSPORT)

#define PCN_KMSG_TYPE_ENUM(NAME, name, size, reply, flags)		\
	PCN_KMSG_TYPE_##NAME,

enum pcn_kmsg_type {
	PCN_KMSG_TYPES(PCN_KMSG_TYPE_ENUM)
	PCN_KMSG_TYPE_MAX,
};

/* The reply type of a message that is not a request. */
#define PCN_KMSG_TYPE_NONE	PCN_KMSG_TYPE_MAX

#endif /* _POPCORN_PCN_WIRE_H */
