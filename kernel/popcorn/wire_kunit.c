// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite popcorn_wire: the wire protocol is what
 * kernel/popcorn/PROTOCOL.md says it is. Every number here is copied from
 * that document: the size and the offset of every field of every wire
 * struct, the constants, the number of every message type, its payload
 * size bounds (as the receiver enforces them), its reply type and flags.
 * A change that fails here changes the protocol: update PROTOCOL.md, and
 * PCN_KMSG_VERSION if old and new kernels can no longer talk.
 *
 * The struct sizes are also checked at build time (below).
 *
 * The RDMA transport's connection private data is covered here too (its
 * header is self-contained); its ring description (struct
 * pcn_rdma_ring_info, rdma.h) needs the verbs headers and is not.
 */
#include <kunit/test.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <popcorn/pcn_kmsg.h>
#include <popcorn/pcn_wire.h>
#include "../../drivers/pcn_rdma/rdma_cm_priv.h"

/* ---- the sizes, at build time ---- */

static_assert(sizeof(struct pcn_kmsg_hdr) == 32);
static_assert(sizeof(struct pcn_kmsg_hello) == 40);
static_assert(sizeof(struct pcn_kmsg_auth) == 32);
static_assert(sizeof(struct pcn_kmsg_session) == 24);
static_assert(sizeof(struct pcn_page_desc) == 16);
static_assert(sizeof(struct pcn_page_msg) == 16);
static_assert(sizeof(struct pcn_page_status) == 8);
static_assert(sizeof(struct pcn_page_test_msg) == 32);
static_assert(sizeof(struct pcn_wire_regs) == 160);
static_assert(sizeof(struct pcn_migrate_msg) == 440);
static_assert(sizeof(struct pcn_wire_sigaction) == 32);
static_assert(sizeof(struct pcn_migrate_reply) == 8);
static_assert(sizeof(struct pcn_thread_exit_msg) == 24);
static_assert(sizeof(struct pcn_vma_request) == 16);
static_assert(sizeof(struct pcn_vma_reply) == 56);
static_assert(sizeof(struct pcn_syscall_msg) == 64);
static_assert(sizeof(struct pcn_syscall_reply) == 8);
static_assert(sizeof(struct pcn_vma_drop) == 24);
static_assert(sizeof(struct pcn_page_inval) == 16);
static_assert(sizeof(struct pcn_page_inval_reply) == 16);
static_assert(sizeof(struct pcn_page_fetch) == 32);
static_assert(sizeof(struct pcn_page_fetch_reply) == 24);
static_assert(sizeof(struct pcn_futex_msg) == 56);
static_assert(sizeof(struct pcn_clone_msg) == 208);
static_assert(sizeof(struct pcn_signal_msg) == 88);
static_assert(sizeof(struct pcn_sigaction_msg) == 200);
static_assert(sizeof(struct pcn_move_msg) == 16);
static_assert(sizeof(struct pcn_stat_type_counts) == 32);
static_assert(sizeof(struct pcn_stat_reply) == 1808);
static_assert(sizeof(struct pcn_threads_request) == 8);
static_assert(sizeof(struct pcn_wire_thread) == 32);
static_assert(sizeof(struct pcn_threads_reply) == 8);
static_assert(sizeof(struct pcn_rdma_cm_priv) == 40);
static_assert(sizeof(struct pcn_rdma_cm_accept) == 72);
static_assert(PCN_KMSG_MAX_PAYLOAD == 8160);

/* ---- helpers ---- */

/* Field @f of struct @s: at byte @off, @len bytes long. */
#define WIRE_FIELD(test, s, f, off, len)				\
	do {								\
		KUNIT_EXPECT_EQ_MSG(test, offsetof(struct s, f),	\
				    (size_t)(off), #s "." #f " offset"); \
		KUNIT_EXPECT_EQ_MSG(test, sizeof_field(struct s, f),	\
				    (size_t)(len), #s "." #f " size");	\
	} while (0)

/* The flexible array @f ends struct @s, which is @off bytes long. */
#define WIRE_TAIL(test, s, f, off)					\
	do {								\
		KUNIT_EXPECT_EQ_MSG(test, offsetof(struct s, f),	\
				    (size_t)(off), #s "." #f " offset"); \
		KUNIT_EXPECT_EQ_MSG(test, sizeof(struct s),		\
				    (size_t)(off), "sizeof " #s);	\
	} while (0)

#define WIRE_SIZE(test, s, len)						\
	KUNIT_EXPECT_EQ_MSG(test, sizeof(struct s), (size_t)(len),	\
			    "sizeof " #s)

/* ---- the header and the constants (PROTOCOL.md sections 1 and 2) ---- */

static void wire_header(struct kunit *test)
{
	WIRE_SIZE(test, pcn_kmsg_hdr, 32);
	WIRE_FIELD(test, pcn_kmsg_hdr, magic, 0, 4);
	WIRE_FIELD(test, pcn_kmsg_hdr, version, 4, 1);
	WIRE_FIELD(test, pcn_kmsg_hdr, from_nid, 5, 1);
	WIRE_FIELD(test, pcn_kmsg_hdr, type, 6, 2);
	WIRE_FIELD(test, pcn_kmsg_hdr, flags, 8, 2);
	WIRE_FIELD(test, pcn_kmsg_hdr, reserved, 10, 2);
	WIRE_FIELD(test, pcn_kmsg_hdr, size, 12, 4);
	WIRE_FIELD(test, pcn_kmsg_hdr, ws, 16, 4);
	WIRE_FIELD(test, pcn_kmsg_hdr, credits, 20, 4);
	WIRE_FIELD(test, pcn_kmsg_hdr, seq, 24, 4);
	WIRE_FIELD(test, pcn_kmsg_hdr, ack, 28, 4);
}

static void wire_constants(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, PCN_KMSG_MAGIC, 0x4b4e4350);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_VERSION, 16);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_MAX_SIZE, 8192);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_MAX_PAYLOAD, (size_t)8160);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_F_REPLY, 0x1);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_F_ALL, 0x1);
	KUNIT_EXPECT_EQ(test, PCN_MAX_NODES, 32);
	KUNIT_EXPECT_EQ(test, PCN_ARCH_X86_64, 1);
	KUNIT_EXPECT_EQ(test, PCN_PAGE_SIZE, 4096);
	KUNIT_EXPECT_EQ(test, PCN_PAGE_TEST_PULL, 1);
	KUNIT_EXPECT_EQ(test, PCN_PAGE_TEST_PUSH, 2);
	KUNIT_EXPECT_EQ(test, PCN_FPU_FXSAVE, 1);
	KUNIT_EXPECT_EQ(test, PCN_FPU_XSAVE, 2);
	KUNIT_EXPECT_EQ(test, PCN_FPU_MAX_SIZE, 4096);
	KUNIT_EXPECT_EQ(test, PCN_MIGRATE_BACK, 0x1);
	KUNIT_EXPECT_EQ(test, PCN_MIGRATE_RELAY, 0x2);
	KUNIT_EXPECT_EQ(test, PCN_VMA_ANON, 1);
	KUNIT_EXPECT_EQ(test, PCN_VMA_FILE, 2);
	KUNIT_EXPECT_EQ(test, PCN_VMA_VDSO, 3);
	KUNIT_EXPECT_EQ(test, PCN_VMA_PATH_MAX, 1024);
	KUNIT_EXPECT_EQ(test, PCN_PAGE_F_WRITE, 0x1);
	KUNIT_EXPECT_EQ(test, PCN_PAGE_F_HAVE_COPY, 0x2);
	KUNIT_EXPECT_EQ(test, PCN_PAGE_F_DATA, 0x4);
	KUNIT_EXPECT_EQ(test, PCN_PAGE_F_KEEP_COPY, 0x8);
	KUNIT_EXPECT_EQ(test, PCN_PAGE_F_OWNER, 0x10);
	KUNIT_EXPECT_EQ(test, PCN_PAGE_F_ZERO, 0x20);
	KUNIT_EXPECT_EQ(test, PCN_PAGE_F_DOWN, 0x40);
	KUNIT_EXPECT_EQ(test, PCN_PAGE_GRANT_PAGES, 64);
	KUNIT_EXPECT_EQ(test, PCN_PAGE_AHEAD_MAX, 16);
	KUNIT_EXPECT_EQ(test, PCN_SYSCALL_INLINE_MAX, 4096);
	KUNIT_EXPECT_EQ(test, PCN_SYSCALL_BULK_WINDOWS, 4);
	KUNIT_EXPECT_EQ(test, PCN_SYSCALL_BULK_MAX, 262144);
	KUNIT_EXPECT_EQ(test, PCN_SYSCALL_NO_BULK, -524);
	/* Immediates (section 4.5). */
	KUNIT_EXPECT_EQ(test, PCN_KMSG_IMM_BITS, 31);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_IMM_WS_MAX, 0x1fffffffU);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_IMM_PAYLOAD, (size_t)24);
}

/* ---- the message types (section 6) ---- */

/* Type flags as the document's table writes them. */
#define W_T	0x1	/* transport only */
#define W_R	0x2	/* a reply: travels with PCN_KMSG_F_REPLY */
#define W_I	0x4	/* handled inline, in the receive path */
#define W_S	0x8	/* self test: CONFIG_POPCORN_SELFTEST only */
#define W_NONE	(-1)	/* not a request: no reply type */

#define W_PAGE	(16 + 4096)	/* struct pcn_page_msg and the page */

struct wire_type {
	unsigned int nr;	/* the number the document gives */
	unsigned int type;	/* the enum's */
	const char *name;
	u32 min, max;		/* payload size bounds */
	int reply;		/* the reply type's number, or W_NONE */
	unsigned int flags;	/* W_* */
};

#define WT(nr, NAME, lname, min, max, reply, flags) \
	{ nr, PCN_KMSG_TYPE_##NAME, #lname, min, max, reply, flags }

static const struct wire_type wire_types[] = {
	WT(0, HELLO, hello, 40, 40, W_NONE, W_T),
	WT(1, ECHO_REQUEST, echo_request, 0, 8160, 2, W_S),
	WT(2, ECHO_REPLY, echo_reply, 0, 8160, W_NONE, W_R | W_S),
	WT(3, CREDIT, credit, 0, 0, W_NONE, W_T),
	WT(4, PAGE_WRITE, page_write, W_PAGE, W_PAGE, 5, W_S),
	WT(5, PAGE_WRITE_REPLY, page_write_reply, 8, 8, W_NONE, W_R | W_S),
	WT(6, PAGE_READ, page_read, 16, 16, 7, W_S),
	WT(7, PAGE_READ_REPLY, page_read_reply, 8, 8 + 4096, W_NONE,
	   W_R | W_S),
	WT(8, PAGE_TEST, page_test, 32, 32, 9, W_S),
	WT(9, PAGE_TEST_REPLY, page_test_reply, 8, 8, W_NONE, W_R | W_S),
	WT(10, MIGRATE, migrate, 440, 440 + 4096, 11, 0),
	WT(11, MIGRATE_REPLY, migrate_reply, 8, 8, W_NONE, W_R),
	WT(12, THREAD_EXIT, thread_exit, 24, 24, W_NONE, 0),
	WT(13, THREAD_KILL, thread_kill, 24, 24, W_NONE, 0),
	WT(14, PROCESS_EXIT, process_exit, 24, 24, W_NONE, 0),
	WT(15, VMA_REQUEST, vma_request, 16, 16, 16, 0),
	WT(16, VMA_REPLY, vma_reply, 56, 56 + 1024, W_NONE, W_R),
	WT(17, VMA_OP, vma_op, 64, 64, 18, 0),
	WT(18, VMA_OP_REPLY, vma_op_reply, 8, 8, W_NONE, W_R),
	WT(19, VMA_DROP, vma_drop, 24, 24, 20, 0),
	WT(20, VMA_DROP_REPLY, vma_drop_reply, 8, 8, W_NONE, W_R),
	WT(21, PAGE_FETCH, page_fetch, 32, 32, 22, 0),
	WT(22, PAGE_FETCH_REPLY, page_fetch_reply, 24, 24, W_NONE, W_R),
	WT(23, PAGE_RECALL, page_recall, 32, 32, 24, 0),
	WT(24, PAGE_RECALL_REPLY, page_recall_reply, 24, 24, W_NONE, W_R),
	WT(25, FUTEX, futex, 56, 56, 26, 0),
	WT(26, FUTEX_REPLY, futex_reply, 8, 8, W_NONE, W_R),
	WT(27, CLONE, clone, 208, 208, 28, 0),
	WT(28, CLONE_REPLY, clone_reply, 8, 8, W_NONE, W_R),
	WT(29, PAGE_PUT, page_put, W_PAGE, W_PAGE, W_NONE, W_I),
	WT(30, SYSCALL, syscall, 64, 64 + 4096, 31, 0),
	WT(31, SYSCALL_REPLY, syscall_reply, 8, 8 + 4096, W_NONE, W_R),
	WT(32, SIGNAL, signal, 88, 88, 33, 0),
	WT(33, SIGNAL_REPLY, signal_reply, 8, 8, W_NONE, W_R),
	WT(34, SIGACTION, sigaction, 200, 200, 35, 0),
	WT(35, SIGACTION_REPLY, sigaction_reply, 8, 8, W_NONE, W_R),
	WT(36, MOVE, move, 16, 16, 37, 0),
	WT(37, MOVE_REPLY, move_reply, 8, 8, W_NONE, W_R),
	WT(38, STAT_REQUEST, stat_request, 0, 0, 39, 0),
	WT(39, STAT_REPLY, stat_reply, 1808, 1808 + 64 * 32, W_NONE, W_R),
	WT(40, THREADS_REQUEST, threads_request, 8, 8, 41, 0),
	WT(41, THREADS_REPLY, threads_reply, 8, 8 + 254 * 32, W_NONE, W_R),
	WT(42, PAGE_INVALIDATE, page_invalidate, 16, 16, 43, 0),
	WT(43, PAGE_INVALIDATE_REPLY, page_invalidate_reply, 16, 16, W_NONE,
	   W_R),
	WT(44, AUTH, auth, 32, 32, W_NONE, W_T),
	WT(45, SESSION, session, 24, 24, W_NONE, W_T),
	WT(46, ACK, ack, 0, 0, W_NONE, W_T),
	WT(47, PAGE_DATA, page_data, W_PAGE, W_PAGE, W_NONE, W_T),
};

static void wire_type_numbers(struct kunit *test)
{
	unsigned int i;

	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(wire_types), (size_t)48);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_TYPE_MAX, 48);
	for (i = 0; i < ARRAY_SIZE(wire_types); i++) {
		KUNIT_EXPECT_EQ_MSG(test, wire_types[i].nr, i,
				    "%s out of order", wire_types[i].name);
		KUNIT_EXPECT_EQ_MSG(test, wire_types[i].type, wire_types[i].nr,
				    "number of %s", wire_types[i].name);
	}
	/* A few the document names in its text, and adjacent pairs. */
	KUNIT_EXPECT_EQ(test, PCN_KMSG_TYPE_HELLO, 0);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_TYPE_CREDIT, 3);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_TYPE_MIGRATE, 10);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_TYPE_VMA_OP_REPLY,
			PCN_KMSG_TYPE_VMA_OP + 1);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_TYPE_FUTEX_REPLY,
			PCN_KMSG_TYPE_FUTEX + 1);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_TYPE_CLONE_REPLY,
			PCN_KMSG_TYPE_CLONE + 1);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_TYPE_PAGE_PUT, 29);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_TYPE_SIGNAL, 32);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_TYPE_SIGACTION, 34);
}

/* A header of type @t from node 1, @size payload bytes, as senders make it. */
static struct pcn_kmsg_hdr wire_hdr(const struct wire_type *t, u32 size)
{
	struct pcn_kmsg_hdr h = {
		.magic = PCN_KMSG_MAGIC,
		.version = PCN_KMSG_VERSION,
		.from_nid = 1,
		.type = t->nr,
		.flags = t->flags & W_R ? PCN_KMSG_F_REPLY : 0,
		.size = size,
	};
	return h;
}

/* The bounds the receiver enforces (pcn_kmsg_validate) are the document's. */
static void wire_type_bounds(struct kunit *test)
{
	struct pcn_kmsg_hdr h;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wire_types); i++) {
		const struct wire_type *t = &wire_types[i];

		h = wire_hdr(t, t->min);
		KUNIT_EXPECT_EQ_MSG(test, pcn_kmsg_validate(&h, 1), 0,
				    "%s of %u bytes", t->name, t->min);
		h = wire_hdr(t, t->max);
		KUNIT_EXPECT_EQ_MSG(test, pcn_kmsg_validate(&h, 1), 0,
				    "%s of %u bytes", t->name, t->max);
		h = wire_hdr(t, t->max + 1);
		KUNIT_EXPECT_EQ_MSG(test, pcn_kmsg_validate(&h, 1), -EMSGSIZE,
				    "%s of %u bytes", t->name, t->max + 1);
		if (t->min) {
			h = wire_hdr(t, t->min - 1);
			KUNIT_EXPECT_EQ_MSG(test, pcn_kmsg_validate(&h, 1),
					    -EMSGSIZE, "%s of %u bytes",
					    t->name, t->min - 1);
		}
		/* The reply flag goes with the reply types and only them. */
		h = wire_hdr(t, t->min);
		h.flags ^= PCN_KMSG_F_REPLY;
		KUNIT_EXPECT_EQ_MSG(test, pcn_kmsg_validate(&h, 1), -EOPNOTSUPP,
				    "%s with the reply flag flipped", t->name);
	}
}

#ifdef PCN_KMSG_TYPES
/* The message table of pcn_wire.h, expanded here on its own. */
struct wire_table_row {
	unsigned int type;
	const char *name;
	struct {
		u32 min, max;
	} size;
	unsigned int reply;
	unsigned int flags;
};

#define WIRE_TABLE_ROW(NAME, lname, bounds, reply_type, type_flags)	\
	{ PCN_KMSG_TYPE_##NAME, #lname, bounds,				\
	  PCN_KMSG_TYPE_##reply_type, type_flags },

static const struct wire_table_row wire_table[] = {
	PCN_KMSG_TYPES(WIRE_TABLE_ROW)
};

static unsigned int wire_flags(unsigned int w)
{
	return (w & W_T ? PCN_KMSG_T_TRANSPORT : 0) |
	       (w & W_R ? PCN_KMSG_T_REPLY : 0) |
	       (w & W_I ? PCN_KMSG_T_INLINE : 0) |
	       (w & W_S ? PCN_KMSG_T_SELFTEST : 0);
}
#endif

/* Names, bounds, reply types and flags of the table are the document's. */
static void wire_type_table(struct kunit *test)
{
#ifdef PCN_KMSG_TYPES
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(wire_table), ARRAY_SIZE(wire_types));
	for (i = 0; i < ARRAY_SIZE(wire_types); i++) {
		const struct wire_type *t = &wire_types[i];
		const struct wire_table_row *r = &wire_table[i];

		KUNIT_EXPECT_EQ(test, r->type, t->nr);
		KUNIT_EXPECT_STREQ(test, r->name, t->name);
		KUNIT_EXPECT_EQ_MSG(test, r->size.min, t->min, "%s", t->name);
		KUNIT_EXPECT_EQ_MSG(test, r->size.max, t->max, "%s", t->name);
		KUNIT_EXPECT_EQ_MSG(test, r->reply,
				    t->reply == W_NONE ? PCN_KMSG_TYPE_NONE :
							 (unsigned int)t->reply,
				    "reply type of %s", t->name);
		KUNIT_EXPECT_EQ_MSG(test, r->flags, wire_flags(t->flags),
				    "flags of %s", t->name);
	}
#else
	kunit_skip(test, "pcn_wire.h has no PCN_KMSG_TYPES table");
#endif
}

/* ---- payloads (sections 5 and 6) ---- */

static void wire_handshake_pages(struct kunit *test)
{
	WIRE_SIZE(test, pcn_kmsg_hello, 40);
	WIRE_FIELD(test, pcn_kmsg_hello, nid, 0, 4);
	WIRE_FIELD(test, pcn_kmsg_hello, arch, 4, 4);
	WIRE_FIELD(test, pcn_kmsg_hello, proto_version, 8, 4);
	WIRE_FIELD(test, pcn_kmsg_hello, max_size, 12, 4);
	WIRE_FIELD(test, pcn_kmsg_hello, flags, 16, 4);
	WIRE_FIELD(test, pcn_kmsg_hello, reserved, 20, 4);
	WIRE_FIELD(test, pcn_kmsg_hello, nonce, 24, 16);
	KUNIT_EXPECT_EQ(test, PCN_HELLO_F_KEY, 1);
	WIRE_SIZE(test, pcn_kmsg_auth, 32);
	WIRE_FIELD(test, pcn_kmsg_auth, mac, 0, 32);
	KUNIT_EXPECT_EQ(test, PCN_AUTH_ROLE_DIALLER, 1);
	KUNIT_EXPECT_EQ(test, PCN_AUTH_ROLE_ACCEPTOR, 2);

	WIRE_SIZE(test, pcn_page_desc, 16);
	WIRE_FIELD(test, pcn_page_desc, addr, 0, 8);
	WIRE_FIELD(test, pcn_page_desc, key, 8, 4);
	WIRE_FIELD(test, pcn_page_desc, len, 12, 4);

	WIRE_FIELD(test, pcn_page_msg, desc, 0, 16);
	WIRE_TAIL(test, pcn_page_msg, data, 16);

	WIRE_FIELD(test, pcn_page_status, status, 0, 4);
	WIRE_FIELD(test, pcn_page_status, reserved, 4, 4);
	WIRE_TAIL(test, pcn_page_status, data, 8);

	WIRE_SIZE(test, pcn_page_test_msg, 32);
	WIRE_FIELD(test, pcn_page_test_msg, mode, 0, 4);
	WIRE_FIELD(test, pcn_page_test_msg, index, 4, 4);
	WIRE_FIELD(test, pcn_page_test_msg, probe, 8, 4);
	WIRE_FIELD(test, pcn_page_test_msg, reserved, 12, 4);
	WIRE_FIELD(test, pcn_page_test_msg, desc, 16, 16);
}

static void wire_process(struct kunit *test)
{
	WIRE_SIZE(test, pcn_wire_regs, 160);
	WIRE_FIELD(test, pcn_wire_regs, r15, 0, 8);
	WIRE_FIELD(test, pcn_wire_regs, r14, 8, 8);
	WIRE_FIELD(test, pcn_wire_regs, r13, 16, 8);
	WIRE_FIELD(test, pcn_wire_regs, r12, 24, 8);
	WIRE_FIELD(test, pcn_wire_regs, rbp, 32, 8);
	WIRE_FIELD(test, pcn_wire_regs, rbx, 40, 8);
	WIRE_FIELD(test, pcn_wire_regs, r11, 48, 8);
	WIRE_FIELD(test, pcn_wire_regs, r10, 56, 8);
	WIRE_FIELD(test, pcn_wire_regs, r9, 64, 8);
	WIRE_FIELD(test, pcn_wire_regs, r8, 72, 8);
	WIRE_FIELD(test, pcn_wire_regs, rax, 80, 8);
	WIRE_FIELD(test, pcn_wire_regs, rcx, 88, 8);
	WIRE_FIELD(test, pcn_wire_regs, rdx, 96, 8);
	WIRE_FIELD(test, pcn_wire_regs, rsi, 104, 8);
	WIRE_FIELD(test, pcn_wire_regs, rdi, 112, 8);
	WIRE_FIELD(test, pcn_wire_regs, rip, 120, 8);
	WIRE_FIELD(test, pcn_wire_regs, rflags, 128, 8);
	WIRE_FIELD(test, pcn_wire_regs, rsp, 136, 8);
	WIRE_FIELD(test, pcn_wire_regs, fsbase, 144, 8);
	WIRE_FIELD(test, pcn_wire_regs, gsbase, 152, 8);

	WIRE_FIELD(test, pcn_migrate_msg, origin_nid, 0, 4);
	WIRE_FIELD(test, pcn_migrate_msg, origin_tgid, 4, 4);
	WIRE_FIELD(test, pcn_migrate_msg, origin_tid, 8, 4);
	WIRE_FIELD(test, pcn_migrate_msg, flags, 12, 4);
	WIRE_FIELD(test, pcn_migrate_msg, relay_nid, 16, 4);
	WIRE_FIELD(test, pcn_migrate_msg, reserved, 20, 4);
	WIRE_FIELD(test, pcn_migrate_msg, vdso, 24, 8);
	WIRE_FIELD(test, pcn_migrate_msg, clock_mono, 32, 8);
	WIRE_FIELD(test, pcn_migrate_msg, clock_boot, 40, 8);
	WIRE_FIELD(test, pcn_migrate_msg, uid, 48, 4);
	WIRE_FIELD(test, pcn_migrate_msg, gid, 52, 4);
	WIRE_FIELD(test, pcn_migrate_msg, comm, 56, 16);
	WIRE_FIELD(test, pcn_migrate_msg, sigmask, 72, 8);
	WIRE_FIELD(test, pcn_migrate_msg, fault_actions, 80, 192);
	WIRE_FIELD(test, pcn_migrate_msg, regs, 272, 160);
	WIRE_FIELD(test, pcn_migrate_msg, fpu_kind, 432, 4);
	WIRE_FIELD(test, pcn_migrate_msg, fpu_size, 436, 4);
	WIRE_TAIL(test, pcn_migrate_msg, fpu, 440);
	WIRE_SIZE(test, pcn_wire_sigaction, 32);
	WIRE_FIELD(test, pcn_wire_sigaction, handler, 0, 8);
	WIRE_FIELD(test, pcn_wire_sigaction, flags, 8, 8);
	WIRE_FIELD(test, pcn_wire_sigaction, restorer, 16, 8);
	WIRE_FIELD(test, pcn_wire_sigaction, mask, 24, 8);

	WIRE_SIZE(test, pcn_migrate_reply, 8);
	WIRE_FIELD(test, pcn_migrate_reply, status, 0, 4);
	WIRE_FIELD(test, pcn_migrate_reply, tid, 4, 4);

	WIRE_SIZE(test, pcn_thread_exit_msg, 24);
	WIRE_FIELD(test, pcn_thread_exit_msg, origin_tgid, 0, 4);
	WIRE_FIELD(test, pcn_thread_exit_msg, origin_tid, 4, 4);
	WIRE_FIELD(test, pcn_thread_exit_msg, remote_tid, 8, 4);
	WIRE_FIELD(test, pcn_thread_exit_msg, code, 12, 4);
	WIRE_FIELD(test, pcn_thread_exit_msg, group, 16, 4);
	WIRE_FIELD(test, pcn_thread_exit_msg, reserved, 20, 4);
}

static void wire_vma(struct kunit *test)
{
	WIRE_SIZE(test, pcn_vma_request, 16);
	WIRE_FIELD(test, pcn_vma_request, origin_tgid, 0, 4);
	WIRE_FIELD(test, pcn_vma_request, reserved, 4, 4);
	WIRE_FIELD(test, pcn_vma_request, addr, 8, 8);

	WIRE_FIELD(test, pcn_vma_reply, status, 0, 4);
	WIRE_FIELD(test, pcn_vma_reply, kind, 4, 4);
	WIRE_FIELD(test, pcn_vma_reply, start, 8, 8);
	WIRE_FIELD(test, pcn_vma_reply, end, 16, 8);
	WIRE_FIELD(test, pcn_vma_reply, pgoff, 24, 8);
	WIRE_FIELD(test, pcn_vma_reply, vm_flags, 32, 8);
	WIRE_FIELD(test, pcn_vma_reply, vdso, 40, 8);
	WIRE_FIELD(test, pcn_vma_reply, path_len, 48, 4);
	WIRE_FIELD(test, pcn_vma_reply, reserved, 52, 4);
	WIRE_TAIL(test, pcn_vma_reply, path, 56);

	WIRE_SIZE(test, pcn_syscall_msg, 64);
	WIRE_FIELD(test, pcn_syscall_msg, origin_tgid, 0, 4);
	WIRE_FIELD(test, pcn_syscall_msg, origin_tid, 4, 4);
	WIRE_FIELD(test, pcn_syscall_msg, nr, 8, 4);
	WIRE_FIELD(test, pcn_syscall_msg, in_len, 12, 2);
	WIRE_FIELD(test, pcn_syscall_msg, out_max, 14, 2);
	WIRE_FIELD(test, pcn_syscall_msg, args, 16, 48);

	WIRE_SIZE(test, pcn_syscall_reply, 8);
	WIRE_FIELD(test, pcn_syscall_reply, ret, 0, 8);

	WIRE_SIZE(test, pcn_signal_msg, 88);
	WIRE_FIELD(test, pcn_signal_msg, origin_tgid, 0, 4);
	WIRE_FIELD(test, pcn_signal_msg, origin_tid, 4, 4);
	WIRE_FIELD(test, pcn_signal_msg, remote_tid, 8, 4);
	WIRE_FIELD(test, pcn_signal_msg, signo, 12, 4);
	WIRE_FIELD(test, pcn_signal_msg, si_errno, 16, 4);
	WIRE_FIELD(test, pcn_signal_msg, si_code, 20, 4);
	WIRE_FIELD(test, pcn_signal_msg, si_fields, 24, 32);
	WIRE_FIELD(test, pcn_signal_msg, sa_handler, 56, 8);
	WIRE_FIELD(test, pcn_signal_msg, sa_flags, 64, 8);
	WIRE_FIELD(test, pcn_signal_msg, sa_restorer, 72, 8);
	WIRE_FIELD(test, pcn_signal_msg, sa_mask, 80, 8);

	WIRE_SIZE(test, pcn_sigaction_msg, 200);
	WIRE_FIELD(test, pcn_sigaction_msg, origin_tgid, 0, 4);
	WIRE_FIELD(test, pcn_sigaction_msg, reserved, 4, 4);
	WIRE_FIELD(test, pcn_sigaction_msg, actions, 8, 192);

	WIRE_SIZE(test, pcn_move_msg, 16);
	WIRE_FIELD(test, pcn_move_msg, origin_tgid, 0, 4);
	WIRE_FIELD(test, pcn_move_msg, origin_tid, 4, 4);
	WIRE_FIELD(test, pcn_move_msg, remote_tid, 8, 4);
	WIRE_FIELD(test, pcn_move_msg, nid, 12, 4);

	WIRE_SIZE(test, pcn_vma_drop, 24);
	WIRE_FIELD(test, pcn_vma_drop, origin_tgid, 0, 4);
	WIRE_FIELD(test, pcn_vma_drop, reserved, 4, 4);
	WIRE_FIELD(test, pcn_vma_drop, start, 8, 8);
	WIRE_FIELD(test, pcn_vma_drop, end, 16, 8);
	WIRE_SIZE(test, pcn_page_inval, 16);
	WIRE_FIELD(test, pcn_page_inval, origin_tgid, 0, 4);
	WIRE_FIELD(test, pcn_page_inval, pages, 4, 4);
	WIRE_FIELD(test, pcn_page_inval, addr, 8, 8);
	WIRE_SIZE(test, pcn_page_inval_reply, 16);
	WIRE_FIELD(test, pcn_page_inval_reply, status, 0, 4);
	WIRE_FIELD(test, pcn_page_inval_reply, reserved, 4, 4);
	WIRE_FIELD(test, pcn_page_inval_reply, dropped, 8, 8);
}

static void wire_page_server(struct kunit *test)
{
	WIRE_SIZE(test, pcn_page_fetch, 32);
	WIRE_FIELD(test, pcn_page_fetch, origin_tgid, 0, 4);
	WIRE_FIELD(test, pcn_page_fetch, flags, 4, 4);
	WIRE_FIELD(test, pcn_page_fetch, addr, 8, 8);
	WIRE_FIELD(test, pcn_page_fetch, desc, 16, 16);

	WIRE_SIZE(test, pcn_page_fetch_reply, 24);
	WIRE_FIELD(test, pcn_page_fetch_reply, status, 0, 4);
	WIRE_FIELD(test, pcn_page_fetch_reply, flags, 4, 4);
	WIRE_FIELD(test, pcn_page_fetch_reply, zero_map, 8, 8);
	WIRE_FIELD(test, pcn_page_fetch_reply, ahead_map, 16, 8);
}

static void wire_syscalls(struct kunit *test)
{
	WIRE_SIZE(test, pcn_futex_msg, 56);
	WIRE_FIELD(test, pcn_futex_msg, origin_tgid, 0, 4);
	WIRE_FIELD(test, pcn_futex_msg, origin_tid, 4, 4);
	WIRE_FIELD(test, pcn_futex_msg, uaddr, 8, 8);
	WIRE_FIELD(test, pcn_futex_msg, uaddr2, 16, 8);
	WIRE_FIELD(test, pcn_futex_msg, timeout_ns, 24, 8);
	WIRE_FIELD(test, pcn_futex_msg, val2, 32, 8);
	WIRE_FIELD(test, pcn_futex_msg, op, 40, 4);
	WIRE_FIELD(test, pcn_futex_msg, val, 44, 4);
	WIRE_FIELD(test, pcn_futex_msg, val3, 48, 4);
	WIRE_FIELD(test, pcn_futex_msg, reserved, 52, 4);

	WIRE_SIZE(test, pcn_clone_msg, 208);
	WIRE_FIELD(test, pcn_clone_msg, origin_tgid, 0, 4);
	WIRE_FIELD(test, pcn_clone_msg, origin_tid, 4, 4);
	WIRE_FIELD(test, pcn_clone_msg, flags, 8, 8);
	WIRE_FIELD(test, pcn_clone_msg, parent_tid, 16, 8);
	WIRE_FIELD(test, pcn_clone_msg, child_tid, 24, 8);
	WIRE_FIELD(test, pcn_clone_msg, stack, 32, 8);
	WIRE_FIELD(test, pcn_clone_msg, tls, 40, 8);
	WIRE_FIELD(test, pcn_clone_msg, regs, 48, 160);
}

/* ---- a node's counters for a peer ---- */

static void wire_stat(struct kunit *test)
{
	WIRE_SIZE(test, pcn_stat_type_counts, 32);
	WIRE_FIELD(test, pcn_stat_type_counts, msgs_in, 0, 8);
	WIRE_FIELD(test, pcn_stat_type_counts, bytes_out, 24, 8);
	WIRE_SIZE(test, pcn_stat_reply, 1808);
	WIRE_FIELD(test, pcn_stat_reply, status, 0, 4);
	WIRE_FIELD(test, pcn_stat_reply, ntypes, 4, 2);
	WIRE_FIELD(test, pcn_stat_reply, reserved, 6, 2);
	WIRE_FIELD(test, pcn_stat_reply, uptime_ns, 8, 8);
	WIRE_FIELD(test, pcn_stat_reply, cpu_busy_ns, 16, 8);
	WIRE_FIELD(test, pcn_stat_reply, cpus, 24, 4);
	WIRE_FIELD(test, pcn_stat_reply, nr_running, 28, 4);
	WIRE_FIELD(test, pcn_stat_reply, rx_bad, 32, 8);
	WIRE_FIELD(test, pcn_stat_reply, max_payload, 72, 8);
	WIRE_FIELD(test, pcn_stat_reply, pages_exposed, 80, 8);
	WIRE_FIELD(test, pcn_stat_reply, tx_stalls, 112, 8);
	WIRE_FIELD(test, pcn_stat_reply, processes, 120, 8);
	WIRE_FIELD(test, pcn_stat_reply, inval_recv, 192, 8);
	WIRE_FIELD(test, pcn_stat_reply, faults, 200, 72);
	WIRE_FIELD(test, pcn_stat_reply, fault_lat, 272, 864);
	WIRE_FIELD(test, pcn_stat_reply, migrations, 1136, 16);
	WIRE_FIELD(test, pcn_stat_reply, migrate_lat, 1152, 576);
	WIRE_FIELD(test, pcn_stat_reply, pages_granted, 1728, 8);
	WIRE_FIELD(test, pcn_stat_reply, granted_mapped, 1736, 8);
	WIRE_FIELD(test, pcn_stat_reply, ahead_sent, 1744, 8);
	WIRE_FIELD(test, pcn_stat_reply, ahead_mapped, 1752, 8);
	WIRE_FIELD(test, pcn_stat_reply, ahead_used, 1760, 8);
	WIRE_FIELD(test, pcn_stat_reply, ahead_unused, 1768, 8);
	WIRE_FIELD(test, pcn_stat_reply, sessions_resumed, 1776, 8);
	WIRE_FIELD(test, pcn_stat_reply, sessions_lost, 1784, 8);
	WIRE_FIELD(test, pcn_stat_reply, msgs_resent, 1792, 8);
	WIRE_FIELD(test, pcn_stat_reply, rx_dups, 1800, 8);
	KUNIT_EXPECT_EQ(test, offsetof(struct pcn_stat_reply, types),
			(size_t)1808);
	KUNIT_EXPECT_EQ(test, PCN_STAT_TYPES_MAX, 64);

	WIRE_SIZE(test, pcn_threads_request, 8);
	WIRE_FIELD(test, pcn_threads_request, origin_tgid, 0, 4);
	WIRE_FIELD(test, pcn_threads_request, reserved, 4, 4);
	WIRE_SIZE(test, pcn_wire_thread, 32);
	WIRE_FIELD(test, pcn_wire_thread, origin_tid, 0, 4);
	WIRE_FIELD(test, pcn_wire_thread, reserved, 4, 4);
	WIRE_FIELD(test, pcn_wire_thread, cpu_ns, 8, 8);
	WIRE_FIELD(test, pcn_wire_thread, faults, 16, 8);
	WIRE_FIELD(test, pcn_wire_thread, calls, 24, 8);
	WIRE_SIZE(test, pcn_threads_reply, 8);
	WIRE_FIELD(test, pcn_threads_reply, status, 0, 4);
	WIRE_FIELD(test, pcn_threads_reply, count, 4, 2);
	WIRE_FIELD(test, pcn_threads_reply, truncated, 6, 1);
	WIRE_FIELD(test, pcn_threads_reply, reserved, 7, 1);
	KUNIT_EXPECT_EQ(test, PCN_THREADS_MAX, 254);
}

/* ---- the RDMA connection's private data (section 4.1) ---- */

static void wire_rdma_cm_priv(struct kunit *test)
{
	WIRE_SIZE(test, pcn_rdma_cm_priv, 40);
	WIRE_FIELD(test, pcn_rdma_cm_priv, magic, 0, 4);
	WIRE_FIELD(test, pcn_rdma_cm_priv, proto_version, 4, 1);
	WIRE_FIELD(test, pcn_rdma_cm_priv, nid, 5, 1);
	WIRE_FIELD(test, pcn_rdma_cm_priv, arch, 6, 1);
	WIRE_FIELD(test, pcn_rdma_cm_priv, mode, 7, 1);
	WIRE_FIELD(test, pcn_rdma_cm_priv, max_size, 8, 4);
	WIRE_FIELD(test, pcn_rdma_cm_priv, slots, 12, 4);
	WIRE_FIELD(test, pcn_rdma_cm_priv, flags, 16, 4);
	WIRE_FIELD(test, pcn_rdma_cm_priv, reserved, 20, 4);
	WIRE_FIELD(test, pcn_rdma_cm_priv, nonce, 24, 16);
	WIRE_SIZE(test, pcn_rdma_cm_accept, 72);
	WIRE_FIELD(test, pcn_rdma_cm_accept, priv, 0, 40);
	WIRE_FIELD(test, pcn_rdma_cm_accept, mac, 40, 32);
	KUNIT_EXPECT_EQ(test, PCN_RDMA_WRITE_IMM, 1);
	KUNIT_EXPECT_EQ(test, PCN_RDMA_SEND, 2);
}

static struct kunit_case pcn_wire_cases[] = {
	KUNIT_CASE(wire_header),
	KUNIT_CASE(wire_constants),
	KUNIT_CASE(wire_type_numbers),
	KUNIT_CASE(wire_type_bounds),
	KUNIT_CASE(wire_type_table),
	KUNIT_CASE(wire_handshake_pages),
	KUNIT_CASE(wire_process),
	KUNIT_CASE(wire_vma),
	KUNIT_CASE(wire_page_server),
	KUNIT_CASE(wire_syscalls),
	KUNIT_CASE(wire_stat),
	KUNIT_CASE(wire_rdma_cm_priv),
	{}
};

static struct kunit_suite pcn_wire_suite = {
	.name = "popcorn_wire",
	.test_cases = pcn_wire_cases,
};
kunit_test_suite(pcn_wire_suite);

MODULE_LICENSE("GPL");
