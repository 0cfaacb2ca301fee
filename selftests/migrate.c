// SPDX-License-Identifier: GPL-2.0
/*
 * Thread migration through libpopcorn between node 0, the origin, where
 * this runs, and node 1: identity, data in every kind of memory, a deep
 * stack, the register state, memory map changes made at node 1, the error
 * codes, migration proposals, and no Popcorn state left behind.
 *
 * Nothing is printed and nothing is asserted on node 1: what a test sees
 * there is recorded in memory and checked once the thread is back at the
 * origin, so that the checks do not depend on the deputy (deputy.c, whose
 * own tests are selftests/deputy.c).
 *
 * Environment: POPCORN_OFFLINE_NID, a node that is configured but not
 * online (test_migrate.sh sets one up); without it that case is skipped.
 * PCN_NODES (set by the vcluster): the node count, default 2.
 *
 * Helper modes for test_migrate_exit.sh, in place of the tests:
 *   --exit-at-origin-while-remote  a thread migrates to node 1 and stays
 *                                  there; main prints "remote" and returns 0
 *   --killed-while-remote          the main thread migrates to node 1 and
 *                                  waits there; another thread prints
 *                                  "remote"; the caller kills us (-9)
 *   --exit-at-remote               two threads migrate to node 1 and end
 *                                  there (pthread_exit, raw exit); main
 *                                  joins them, prints "joined", returns 0
 *   --exit-group-at-remote         the main thread migrates to node 1 and
 *                                  exits the process from there: status 3
 * Each prints "failed: ..." and returns 1 when it cannot get that far.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "pcn_stat.h"
#include "popcorn.h"

#define ORIGIN		0
#define REMOTE		1
#define MIB		(1024 * 1024)
#define GOLDEN		2654435761u
#define STATE_WAIT_S	10	/* per-process state must be gone by then */
#define PROPOSAL_WAIT_S	30

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* The outcome of one popcorn_migrate(), checked later at the origin. */
struct hop {
	int ret;
	int err;
};

static struct hop hop(int nid)
{
	struct hop h;

	h.ret = popcorn_migrate(nid);
	h.err = h.ret ? errno : 0;
	return h;
}

#define ASSERT_HOP(h, nid) \
	ASSERT_EQ((h).ret, 0) \
		TH_LOG("popcorn_migrate(%d): %s", nid, strerror((h).err))

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

static int env_int(const char *name, int dflt)
{
	const char *s = getenv(name);

	return s && *s ? atoi(s) : dflt;
}

/* A node id that no node of this cluster has. */
static int unconfigured_nid(void)
{
	return env_int("PCN_NODES", 2) < 5 ? 5 : POPCORN_MAX_NODES - 1;
}

static uint32_t pattern1(size_t i, uint32_t seed)
{
	return (uint32_t)i * GOLDEN + seed;
}

static uint32_t pattern2(size_t i, uint32_t seed)
{
	return ~((uint32_t)i * GOLDEN) ^ (seed << 16);
}

static uint64_t mix(uint64_t sum, uint32_t w)
{
	return (sum ^ w) * 0x100000001b3ull;	/* FNV-1a, by word */
}

static uint64_t checksum(const uint32_t *a, size_t n)
{
	uint64_t sum = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++)
		sum = mix(sum, a[i]);
	return sum;
}

/* Words of @a that differ from pattern2(seed); the first one in *@first. */
static size_t mismatches2(const uint32_t *a, size_t n, uint32_t seed,
			  size_t *first)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		if (a[i] != pattern2(i, seed) && !bad++)
			*first = i;
	}
	return bad;
}

/* "processes" of node @nid is 0 within STATE_WAIT_S; the last value read. */
static long long wait_no_processes(int nid)
{
	long long left = -1;
	int i;

	for (i = 0; i < STATE_WAIT_S * 2; i++) {
		left = pcn_stat_node(nid, "processes");
		if (left == 0)
			break;
		usleep(500000);
	}
	return left;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* The fixture: every test starts at the origin with nothing left over */
/* ------------------------------------------------------------------ */

FIXTURE(mig) {
	pid_t tid;
};

FIXTURE_SETUP(mig)
{
	long long left;
	int nid;

	/* Earlier test processes have exited: their state must be gone. */
	for (nid = ORIGIN; nid <= REMOTE; nid++) {
		left = wait_no_processes(nid);
		ASSERT_EQ(left, 0)
			TH_LOG("node %d: counter \"processes\" is %lld %ds after the last migrated process ended",
			       nid, left, STATE_WAIT_S);
	}
	ASSERT_EQ(popcorn_getnid(), ORIGIN)
		TH_LOG("popcorn_getnid: %s", strerror(errno));
	self->tid = gettid();
}

FIXTURE_TEARDOWN(mig)
{
	/* A test that failed between hops must not end away from home. */
	if (popcorn_getnid() > ORIGIN)
		popcorn_migrate(ORIGIN);
}

/* ------------------------------------------------------------------ */
/* Identity                                                           */
/* ------------------------------------------------------------------ */

TEST_F_TIMEOUT(mig, basic, 120)
{
	struct popcorn_thread_status st0, st1 = { 0 }, st2;
	int sret1 = -1, nid1 = -1, i, rounds = 0;
	struct hop out, back = { -1, 0 }, again = { 0, 0 };
	pid_t tid1 = -1;

	ASSERT_EQ(popcorn_get_thread_status(&st0), 0)
		TH_LOG("popcorn_get_thread_status: %s", strerror(errno));
	EXPECT_EQ(st0.current_nid, ORIGIN);
	EXPECT_EQ(st0.proposed_nid, POPCORN_NID_NONE);
	EXPECT_EQ(st0.peer_nid, POPCORN_NID_NONE);
	EXPECT_EQ(st0.peer_pid, 0);

	out = hop(REMOTE);
	if (!out.ret) {
		/* node 1: record only */
		sret1 = popcorn_get_thread_status(&st1);
		nid1 = popcorn_getnid();
		tid1 = gettid();
		back = hop(ORIGIN);
	}
	ASSERT_HOP(out, REMOTE);
	ASSERT_HOP(back, ORIGIN);
	ASSERT_EQ(sret1, 0);
	EXPECT_EQ(nid1, REMOTE);
	EXPECT_EQ(st1.current_nid, REMOTE);
	EXPECT_EQ(st1.peer_nid, ORIGIN);
	EXPECT_EQ(st1.peer_pid, self->tid)
		TH_LOG("at node 1 the twin at the origin should be our own tid");
	EXPECT_EQ(st1.proposed_nid, POPCORN_NID_NONE);
	/* gettid() at node 1 is made at the origin: the same tid. */
	EXPECT_EQ(tid1, self->tid);

	EXPECT_EQ(popcorn_getnid(), ORIGIN);
	EXPECT_EQ(gettid(), self->tid) TH_LOG("gettid() changed after coming back");
	ASSERT_EQ(popcorn_get_thread_status(&st2), 0);
	EXPECT_EQ(st2.current_nid, ORIGIN);
	EXPECT_EQ(st2.proposed_nid, POPCORN_NID_NONE);

	/* More round trips: the pairing is reused or rebuilt, never stuck. */
	for (i = 0; i < 5; i++) {
		again = hop(REMOTE);
		if (again.ret)
			break;
		nid1 = popcorn_getnid();
		again = hop(ORIGIN);
		if (again.ret || nid1 != REMOTE)
			break;
		rounds++;
	}
	EXPECT_EQ(rounds, 5)
		TH_LOG("round trip %d: %s, nid at node 1: %d", rounds + 1,
		       strerror(again.err), nid1);
	EXPECT_EQ(popcorn_getnid(), ORIGIN);
	EXPECT_EQ(gettid(), self->tid);
}

TEST_F_TIMEOUT(mig, node_info, 120)
{
	struct popcorn_node_info ni[POPCORN_MAX_NODES], ni1[POPCORN_MAX_NODES];
	int me = -1, me1 = -1, ret1 = -1, bad = unconfigured_nid();
	struct hop out, back = { -1, 0 };

	ASSERT_EQ(popcorn_get_node_info(&me, ni), 0)
		TH_LOG("popcorn_get_node_info: %s", strerror(errno));
	EXPECT_EQ(me, ORIGIN);
	EXPECT_EQ(ni[ORIGIN].status, POPCORN_NODE_ONLINE);
	EXPECT_EQ(ni[ORIGIN].arch, POPCORN_ARCH_X86_64);
	EXPECT_EQ(ni[ORIGIN].distance, 0);
	EXPECT_EQ(ni[REMOTE].status, POPCORN_NODE_ONLINE);
	EXPECT_EQ(ni[REMOTE].arch, POPCORN_ARCH_X86_64);
	EXPECT_EQ(ni[REMOTE].distance, 1);
	EXPECT_EQ(ni[bad].status, POPCORN_NODE_OFFLINE);
	EXPECT_EQ(ni[bad].arch, POPCORN_ARCH_UNKNOWN);

	out = hop(REMOTE);
	if (!out.ret) {
		ret1 = popcorn_get_node_info(&me1, ni1);
		back = hop(ORIGIN);
	}
	ASSERT_HOP(out, REMOTE);
	ASSERT_HOP(back, ORIGIN);
	ASSERT_EQ(ret1, 0);
	EXPECT_EQ(me1, REMOTE);
	EXPECT_EQ(ni1[REMOTE].status, POPCORN_NODE_ONLINE);
	EXPECT_EQ(ni1[REMOTE].distance, 0);
	EXPECT_EQ(ni1[ORIGIN].status, POPCORN_NODE_ONLINE);
	EXPECT_EQ(ni1[ORIGIN].arch, POPCORN_ARCH_X86_64);
	EXPECT_EQ(ni1[ORIGIN].distance, 1);
}

/* ------------------------------------------------------------------ */
/* Data: heap, .data, .bss, stack                                     */
/* ------------------------------------------------------------------ */

#define DATA_WORDS	(256 * 1024 / 4)
#define BSS_WORDS	(1024 * 1024 / 4)
#define STACK_WORDS	(64 * 1024 / 4)
#define DATA_INIT	0x5eed1234u

/* Initialised: .data. The first halves are never touched at the origin. */
static uint32_t data_arr[DATA_WORDS] = { [0 ... DATA_WORDS - 1] = DATA_INIT };
static uint32_t bss_arr[BSS_WORDS];

/*
 * A region of memory: words [0, fresh) keep their initial value @init
 * until node 1 reads them; the origin fills the rest with pattern1(seed).
 */
struct region {
	const char *name;
	uint32_t *a;
	size_t n, fresh;
	uint32_t init, seed;
	uint64_t expect;	/* checksum of what the origin holds */
	uint64_t seen;		/* checksum node 1 read */
};

static void region_prepare(struct region *r)
{
	uint64_t sum = 0xcbf29ce484222325ull;
	size_t i;

	for (i = r->fresh; i < r->n; i++)
		r->a[i] = pattern1(i, r->seed);
	for (i = 0; i < r->n; i++)
		sum = mix(sum, i < r->fresh ? r->init : pattern1(i, r->seed));
	r->expect = sum;
}

/* At node 1: read everything, then overwrite everything with pattern2. */
static void region_at_remote(struct region *r)
{
	size_t i;

	r->seen = checksum(r->a, r->n);
	for (i = 0; i < r->n; i++)
		r->a[i] = pattern2(i, r->seed);
}

/* Prepare @rs at the origin, visit node 1, check every word back home. */
static void round_trip(struct __test_metadata *_metadata,
		       struct region *rs, int count)
{
	struct hop out, back = { -1, 0 };
	int i, nid1 = -1;
	size_t bad, first = 0;

	for (i = 0; i < count; i++)
		region_prepare(&rs[i]);
	out = hop(REMOTE);
	if (!out.ret) {
		nid1 = popcorn_getnid();
		for (i = 0; i < count; i++)
			region_at_remote(&rs[i]);
		back = hop(ORIGIN);
	}
	ASSERT_HOP(out, REMOTE);
	ASSERT_HOP(back, ORIGIN);
	EXPECT_EQ(nid1, REMOTE);
	EXPECT_EQ(popcorn_getnid(), ORIGIN);
	for (i = 0; i < count; i++) {
		struct region *r = &rs[i];

		EXPECT_EQ(r->seen, r->expect)
			TH_LOG("%s (%zu KiB at %p): node 1 read other data than the origin wrote",
			       r->name, r->n * 4 / 1024, r->a);
		bad = mismatches2(r->a, r->n, r->seed, &first);
		EXPECT_EQ(bad, 0)
			TH_LOG("%s: %zu of %zu words wrong at the origin after node 1 wrote them; first at word %zu: %#x, expected %#x",
			       r->name, bad, r->n, first, r->a[first],
			       pattern2(first, r->seed));
	}
}

TEST_F_TIMEOUT(mig, data_heap, 420)
{
	size_t mib = env_int("POPCORN_TEST_HEAP_MIB", 64);
	struct region r = {
		.name = "malloc", .n = mib * MIB / 4, .seed = 1,
	};

	r.a = malloc(r.n * 4);
	ASSERT_NE(r.a, NULL);
	round_trip(_metadata, &r, 1);
	free(r.a);
}

TEST_F_TIMEOUT(mig, data_static_and_stack, 120)
{
	uint32_t stack_arr[STACK_WORDS];
	struct region rs[] = {
		{ .name = ".data", .a = data_arr, .n = DATA_WORDS,
		  .fresh = DATA_WORDS / 2, .init = DATA_INIT, .seed = 2 },
		{ .name = ".bss", .a = bss_arr, .n = BSS_WORDS,
		  .fresh = BSS_WORDS / 2, .init = 0, .seed = 3 },
		{ .name = "stack", .a = stack_arr, .n = STACK_WORDS,
		  .seed = 4 },
	};

	round_trip(_metadata, rs, ARRAY_SIZE(rs));
}

/* ------------------------------------------------------------------ */
/* A deep stack: out at depth 100, back at depth 200                  */
/* ------------------------------------------------------------------ */

#define DEEP		200
#define DEEP_OUT	100
#define DEEP_LOCALS	32

static struct {
	struct hop out, back;
	int nid_out, nid_bottom, bad_out, bad_frames, first_bad;
} deep_res;

static uint64_t deep_word(int depth, int i)
{
	return (uint64_t)depth * GOLDEN * 0x10001ull + i;
}

static int deep_check(volatile uint64_t *local, int depth)
{
	int i;

	for (i = 0; i < DEEP_LOCALS; i++) {
		if (local[i] != deep_word(depth, i))
			return 1;
	}
	return 0;
}

static __attribute__((noinline)) long deep(int depth)
{
	volatile uint64_t local[DEEP_LOCALS];
	long sum = 0;
	int i;

	for (i = 0; i < DEEP_LOCALS; i++)
		local[i] = deep_word(depth, i);
	if (depth == DEEP_OUT) {
		deep_res.out = hop(REMOTE);
		deep_res.nid_out = popcorn_getnid();
		deep_res.bad_out = deep_check(local, depth);
	}
	if (depth < DEEP) {
		sum = deep(depth + 1);
	} else {
		deep_res.nid_bottom = popcorn_getnid();
		if (!deep_res.out.ret)
			deep_res.back = hop(ORIGIN);
	}
	if (deep_check(local, depth) && !deep_res.bad_frames++)
		deep_res.first_bad = depth;
	return sum + depth;
}

TEST_F_TIMEOUT(mig, deep_stack, 120)
{
	long sum;

	memset(&deep_res, 0, sizeof(deep_res));
	deep_res.back.ret = -1;
	sum = deep(1);
	ASSERT_HOP(deep_res.out, REMOTE);
	ASSERT_HOP(deep_res.back, ORIGIN);
	EXPECT_EQ(deep_res.nid_out, REMOTE);
	EXPECT_EQ(deep_res.nid_bottom, REMOTE);
	EXPECT_EQ(deep_res.bad_out, 0)
		TH_LOG("frame %d read wrong locals at node 1", DEEP_OUT);
	EXPECT_EQ(deep_res.bad_frames, 0)
		TH_LOG("%d frames found wrong locals at the origin, the first at depth %d",
		       deep_res.bad_frames, deep_res.first_bad);
	EXPECT_EQ(sum, (long)DEEP * (DEEP + 1) / 2);
	EXPECT_EQ(popcorn_getnid(), ORIGIN);
}

/* ------------------------------------------------------------------ */
/* Registers                                                          */
/* ------------------------------------------------------------------ */

/*
 * regs_migrate(nid, io, avx): loads rbx, rbp, r12-r15, xmm0-15 (ymm0-15
 * when @avx), MXCSR and the x87 control word from @io, calls
 * popcorn_migrate(nid) and stores them all back into @io; returns what
 * popcorn_migrate() returned. The ABI preserves only the GPRs and the
 * control words across a call, but the kernel carries the whole FPU state,
 * so every vector register must arrive as it left.
 */
struct regs_io {
	uint64_t gpr_in[6];	/* rbx, rbp, r12, r13, r14, r15 */
	uint64_t gpr_out[6];
	uint8_t vec_in[16][32];
	uint8_t vec_out[16][32];
	uint32_t mxcsr_in, mxcsr_out;
	uint16_t fcw_in, fcw_out;
};

_Static_assert(offsetof(struct regs_io, gpr_out) == 48 &&
	       offsetof(struct regs_io, vec_in) == 96 &&
	       offsetof(struct regs_io, vec_out) == 608 &&
	       offsetof(struct regs_io, mxcsr_in) == 1120 &&
	       offsetof(struct regs_io, mxcsr_out) == 1124 &&
	       offsetof(struct regs_io, fcw_in) == 1128 &&
	       offsetof(struct regs_io, fcw_out) == 1130,
	       "regs_migrate offsets");

int regs_migrate(int nid, struct regs_io *io, int avx);

asm(
"	.text\n"
"	.globl	regs_migrate\n"
"	.type	regs_migrate, @function\n"
"regs_migrate:\n"
"	.cfi_startproc\n"
"	pushq	%rbp\n"
"	.cfi_adjust_cfa_offset 8\n"
"	.cfi_rel_offset %rbp, 0\n"
"	pushq	%rbx\n"
"	.cfi_adjust_cfa_offset 8\n"
"	.cfi_rel_offset %rbx, 0\n"
"	pushq	%r12\n"
"	.cfi_adjust_cfa_offset 8\n"
"	.cfi_rel_offset %r12, 0\n"
"	pushq	%r13\n"
"	.cfi_adjust_cfa_offset 8\n"
"	.cfi_rel_offset %r13, 0\n"
"	pushq	%r14\n"
"	.cfi_adjust_cfa_offset 8\n"
"	.cfi_rel_offset %r14, 0\n"
"	pushq	%r15\n"
"	.cfi_adjust_cfa_offset 8\n"
"	.cfi_rel_offset %r15, 0\n"
	/* 0(%rsp) io, 8 avx, 16 MXCSR, 20 x87 CW: 16-byte aligned at the call */
"	subq	$24, %rsp\n"
"	.cfi_adjust_cfa_offset 24\n"
"	movq	%rsi, 0(%rsp)\n"
"	movq	%rdx, 8(%rsp)\n"
"	stmxcsr	16(%rsp)\n"
"	fnstcw	20(%rsp)\n"
"	ldmxcsr	1120(%rsi)\n"
"	fldcw	1128(%rsi)\n"
"	testl	%edx, %edx\n"
"	jnz	1f\n"
"	.irp	i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
"	movdqu	96+32*\\i(%rsi), %xmm\\i\n"
"	.endr\n"
"	jmp	2f\n"
"1:\n"
"	.irp	i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
"	vmovdqu	96+32*\\i(%rsi), %ymm\\i\n"
"	.endr\n"
"2:	movq	0(%rsi), %rbx\n"
"	movq	8(%rsi), %rbp\n"
"	movq	16(%rsi), %r12\n"
"	movq	24(%rsi), %r13\n"
"	movq	32(%rsi), %r14\n"
"	movq	40(%rsi), %r15\n"
"	call	popcorn_migrate\n"
"	movq	0(%rsp), %rsi\n"
"	movq	%rbx, 48(%rsi)\n"
"	movq	%rbp, 56(%rsi)\n"
"	movq	%r12, 64(%rsi)\n"
"	movq	%r13, 72(%rsi)\n"
"	movq	%r14, 80(%rsi)\n"
"	movq	%r15, 88(%rsi)\n"
"	stmxcsr	1124(%rsi)\n"
"	fnstcw	1130(%rsi)\n"
"	cmpl	$0, 8(%rsp)\n"
"	jne	3f\n"
"	.irp	i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
"	movdqu	%xmm\\i, 608+32*\\i(%rsi)\n"
"	.endr\n"
"	jmp	4f\n"
"3:\n"
"	.irp	i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
"	vmovdqu	%ymm\\i, 608+32*\\i(%rsi)\n"
"	.endr\n"
"	vzeroupper\n"
"4:	ldmxcsr	16(%rsp)\n"
"	fldcw	20(%rsp)\n"
"	addq	$24, %rsp\n"
"	.cfi_adjust_cfa_offset -24\n"
"	popq	%r15\n"
"	.cfi_adjust_cfa_offset -8\n"
"	.cfi_restore %r15\n"
"	popq	%r14\n"
"	.cfi_adjust_cfa_offset -8\n"
"	.cfi_restore %r14\n"
"	popq	%r13\n"
"	.cfi_adjust_cfa_offset -8\n"
"	.cfi_restore %r13\n"
"	popq	%r12\n"
"	.cfi_adjust_cfa_offset -8\n"
"	.cfi_restore %r12\n"
"	popq	%rbx\n"
"	.cfi_adjust_cfa_offset -8\n"
"	.cfi_restore %rbx\n"
"	popq	%rbp\n"
"	.cfi_adjust_cfa_offset -8\n"
"	.cfi_restore %rbp\n"
"	ret\n"
"	.cfi_endproc\n"
"	.size	regs_migrate, . - regs_migrate\n");

#define MXCSR_FLAGS	0x3f		/* sticky exception flags */
#define MXCSR_UP	0x5f80		/* all masked, round up */
#define MXCSR_ZERO	0x7f80		/* all masked, round toward zero */
#define FCW_UP		0x0b7f		/* all masked, extended, round up */
#define FCW_DOWN	0x077f		/* all masked, extended, round down */

static void regs_prepare(struct regs_io *io, unsigned int seed)
{
	int i, j;

	memset(io, 0, sizeof(*io));
	for (i = 0; i < 6; i++)
		io->gpr_in[i] = 0x0123456789abcdefull * (seed + i + 1) ^
				((uint64_t)GOLDEN << 32);
	for (i = 0; i < 16; i++)
		for (j = 0; j < 32; j++)
			io->vec_in[i][j] = (uint8_t)((i * 32 + j) * 7 + seed);
	io->mxcsr_in = seed & 1 ? MXCSR_UP : MXCSR_ZERO;
	io->fcw_in = seed & 1 ? FCW_UP : FCW_DOWN;
}

static const char * const gpr_names[6] = {
	"rbx", "rbp", "r12", "r13", "r14", "r15"
};

static void regs_check(struct __test_metadata *_metadata,
		       const struct regs_io *io, size_t vec_bytes,
		       const char *trip)
{
	int i;

	/* Braces: TH_LOG after EXPECT_* is a statement of its own. */
	for (i = 0; i < 6; i++) {
		EXPECT_EQ(io->gpr_out[i], io->gpr_in[i])
			TH_LOG("%s: %s changed", trip, gpr_names[i]);
	}
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(memcmp(io->vec_out[i], io->vec_in[i], vec_bytes), 0)
			TH_LOG("%s: %s%d changed", trip,
			       vec_bytes == 32 ? "ymm" : "xmm", i);
	}
	EXPECT_EQ(io->mxcsr_out & ~MXCSR_FLAGS, io->mxcsr_in)
		TH_LOG("%s: MXCSR %#x, was %#x", trip, io->mxcsr_out,
		       io->mxcsr_in);
	EXPECT_EQ(io->fcw_out, io->fcw_in)
		TH_LOG("%s: x87 control word %#x, was %#x", trip, io->fcw_out,
		       io->fcw_in);
}

static void registers(struct __test_metadata *_metadata, int avx)
{
	static struct regs_io io_out, io_back;
	volatile double seed = 1.0 / 3.0;
	double a = seed * 3.5, b = seed + 1e10, c = seed / 7.0;
	double d = a * b - c, a1 = 0, d1 = 0;
	int ret_out, ret_back = -1, err_out, err_back = 0, nid1 = -1;

	regs_prepare(&io_out, 1);
	regs_prepare(&io_back, 2);
	ret_out = regs_migrate(REMOTE, &io_out, avx);
	err_out = errno;
	if (!ret_out) {
		nid1 = popcorn_getnid();
		a1 = a;
		d1 = d;
		ret_back = regs_migrate(ORIGIN, &io_back, avx);
		err_back = errno;
	}
	ASSERT_EQ(ret_out, 0)
		TH_LOG("popcorn_migrate(1): %s", strerror(err_out));
	ASSERT_EQ(ret_back, 0)
		TH_LOG("popcorn_migrate(0): %s", strerror(err_back));
	EXPECT_EQ(nid1, REMOTE);
	EXPECT_EQ(popcorn_getnid(), ORIGIN);
	regs_check(_metadata, &io_out, avx ? 32 : 16, "to node 1");
	regs_check(_metadata, &io_back, avx ? 32 : 16, "back to node 0");

	/* Doubles live across both calls (in callee frames or spilled). */
	EXPECT_TRUE(a1 == seed * 3.5 && a == a1);
	EXPECT_TRUE(d1 == seed * 3.5 * (seed + 1e10) - seed / 7.0 && d == d1);
	EXPECT_TRUE(b == seed + 1e10 && c == seed / 7.0);
}

TEST_F_TIMEOUT(mig, registers_sse, 120)
{
	registers(_metadata, 0);
}

TEST_F_TIMEOUT(mig, registers_avx, 120)
{
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx"))
		SKIP(return, "this CPU has no AVX");
	registers(_metadata, 1);
}

/* ------------------------------------------------------------------ */
/* The memory map changed at node 1                                   */
/* ------------------------------------------------------------------ */

#define MM_PAGES	16

TEST_F_TIMEOUT(mig, mm_remote_mmap, 120)
{
	long pg = page_size();
	size_t n = MM_PAGES * pg / 4, bad, first = 0, i;
	struct hop out, back = { -1, 0 };
	uint32_t *p = MAP_FAILED;
	int err = 0;

	out = hop(REMOTE);
	if (!out.ret) {
		p = mmap(NULL, MM_PAGES * pg, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		err = errno;
		if (p != MAP_FAILED)
			for (i = 0; i < n; i++)
				p[i] = pattern2(i, 5);
		back = hop(ORIGIN);
	}
	ASSERT_HOP(out, REMOTE);
	ASSERT_HOP(back, ORIGIN);
	ASSERT_NE(p, MAP_FAILED) TH_LOG("mmap at node 1: %s", strerror(err));
	bad = mismatches2(p, n, 5, &first);
	EXPECT_EQ(bad, 0)
		TH_LOG("%zu words of a mapping made and written at node 1 wrong at the origin, first at %zu",
		       bad, first);
	EXPECT_EQ(munmap(p, MM_PAGES * pg), 0);
}

/*
 * popcorn_migrate_with(): 256 pages the origin wrote go along with the
 * thread. It then reads them scattered (page i * 97 mod 256), an order
 * read-ahead does not follow (a fetch a page without the call): node 1
 * fetched them in bulk on arrival, in far fewer fetches than pages.
 */
#define WITH_PAGES	256

TEST_F_TIMEOUT(mig, migrate_with_range, 120)
{
	long pg = page_size(), words = pg / sizeof(uint32_t);
	struct hop back = { -1, 0 };
	long long fetches;
	size_t bad = 0, i;
	int ret, nid1 = -1;
	uint32_t *p;

	p = mmap(NULL, WITH_PAGES * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(p, MAP_FAILED);
	for (i = 0; i < WITH_PAGES; i++)
		p[i * words] = pattern2(i, 7);
	fetches = pcn_stat_node(REMOTE, "page_fetches");
	ret = popcorn_migrate_with(REMOTE, p, WITH_PAGES * pg, 0);
	if (!ret) {
		nid1 = popcorn_getnid();
		for (i = 0; i < WITH_PAGES; i++) {
			size_t j = i * 97 % WITH_PAGES;

			bad += p[j * words] != pattern2(j, 7);
		}
		back = hop(ORIGIN);
	}
	ASSERT_EQ(ret, 0) TH_LOG("popcorn_migrate_with: %s", strerror(errno));
	ASSERT_HOP(back, ORIGIN);
	fetches = pcn_stat_node(REMOTE, "page_fetches") - fetches;
	TH_LOG("%lld fetches for %d pages taken along", fetches, WITH_PAGES);
	EXPECT_EQ(nid1, REMOTE);
	EXPECT_EQ(bad, 0);
	EXPECT_LE(fetches, WITH_PAGES / 4)
		TH_LOG("%lld fetches for %d pages taken along", fetches,
		       WITH_PAGES);
	EXPECT_EQ(munmap(p, WITH_PAGES * pg), 0);
}

TEST_F_TIMEOUT(mig, mm_remote_munmap, 120)
{
	long pg = page_size();
	unsigned char vec[MM_PAGES];
	int um_ret = -1, um_err = 0, err = 0, o_ret = -1, o_err = 0;
	char *q = MAP_FAILED, *o;
	struct hop out, back = { -1, 0 };

	/* o: mapped and written at the origin; q: mapped at node 1. */
	o = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(o, MAP_FAILED);
	memset(o, 0x6b, 4 * pg);

	out = hop(REMOTE);
	if (!out.ret) {
		q = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		err = errno;
		if (q != MAP_FAILED) {
			memset(q, 0x5a, 8 * pg);
			um_ret = munmap(q + 2 * pg, 4 * pg);
			um_err = errno;
		}
		o_ret = munmap(o + pg, 2 * pg);
		o_err = errno;
		back = hop(ORIGIN);
	}
	ASSERT_HOP(out, REMOTE);
	ASSERT_HOP(back, ORIGIN);
	ASSERT_NE(q, MAP_FAILED) TH_LOG("mmap at node 1: %s", strerror(err));
	ASSERT_EQ(um_ret, 0) TH_LOG("munmap at node 1: %s", strerror(um_err));
	ASSERT_EQ(o_ret, 0) TH_LOG("munmap at node 1: %s", strerror(o_err));

	errno = 0;
	EXPECT_EQ(mincore(q + 2 * pg, 4 * pg, vec), -1)
		TH_LOG("pages unmapped at node 1 still mapped at the origin");
	EXPECT_EQ(errno, ENOMEM);
	EXPECT_EQ(mincore(q, 2 * pg, vec), 0);
	EXPECT_EQ(mincore(q + 6 * pg, 2 * pg, vec), 0);
	EXPECT_EQ(q[0], 0x5a);
	EXPECT_EQ(q[8 * pg - 1], 0x5a);

	errno = 0;
	EXPECT_EQ(mincore(o + pg, 2 * pg, vec), -1)
		TH_LOG("origin's pages unmapped at node 1 still mapped at the origin");
	EXPECT_EQ(errno, ENOMEM);
	EXPECT_EQ(o[0], 0x6b);
	EXPECT_EQ(o[4 * pg - 1], 0x6b);

	munmap(q, 2 * pg);
	munmap(q + 6 * pg, 2 * pg);
	munmap(o, pg);
	munmap(o + 3 * pg, pg);
}

static sigjmp_buf segv_env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(segv_env, 1);
}

/* 1 when writing @v at @p faults (SIGSEGV), 0 when the write succeeds. */
static int write_faults(volatile char *p, char v)
{
	struct sigaction sa = { .sa_handler = on_segv }, old;
	volatile int faulted = 1;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old);
	if (!sigsetjmp(segv_env, 1)) {
		*p = v;
		faulted = 0;
	}
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

TEST_F_TIMEOUT(mig, mm_remote_mprotect, 120)
{
	long pg = page_size();
	int mp_ret = -1, mp_err = 0;
	struct hop out, back = { -1, 0 };
	char seen1 = 0;
	char *p;

	p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(p, MAP_FAILED);
	memset(p, 'a', 4 * pg);

	out = hop(REMOTE);
	if (!out.ret) {
		mp_ret = mprotect(p + pg, pg, PROT_READ);
		mp_err = errno;
		seen1 = p[pg];
		back = hop(ORIGIN);
	}
	ASSERT_HOP(out, REMOTE);
	ASSERT_HOP(back, ORIGIN);
	ASSERT_EQ(mp_ret, 0) TH_LOG("mprotect at node 1: %s", strerror(mp_err));
	EXPECT_EQ(seen1, 'a');

	EXPECT_EQ(write_faults(p + pg, 'x'), 1)
		TH_LOG("a page made read-only at node 1 is writable at the origin");
	EXPECT_EQ(p[pg], 'a');
	EXPECT_EQ(write_faults(p, 'y'), 0);
	EXPECT_EQ(write_faults(p + 2 * pg, 'z'), 0);
	EXPECT_EQ(mprotect(p + pg, pg, PROT_READ | PROT_WRITE), 0);
	EXPECT_EQ(write_faults(p + pg, 'w'), 0);
	EXPECT_EQ(p[pg], 'w');
	munmap(p, 4 * pg);
}

TEST_F_TIMEOUT(mig, mm_remote_brk, 120)
{
	size_t n = MIB / 4, bad, first = 0, i;
	void *old = (void *)-1, *cur1 = NULL;
	struct hop out, back = { -1, 0 };
	int err = 0;

	out = hop(REMOTE);
	if (!out.ret) {
		old = sbrk(MIB);
		err = errno;
		if (old != (void *)-1) {
			for (i = 0; i < n; i++)
				((uint32_t *)old)[i] = pattern2(i, 6);
			cur1 = sbrk(0);
		}
		back = hop(ORIGIN);
	}
	ASSERT_HOP(out, REMOTE);
	ASSERT_HOP(back, ORIGIN);
	ASSERT_NE(old, (void *)-1) TH_LOG("sbrk at node 1: %s", strerror(err));
	EXPECT_EQ(cur1, (char *)old + MIB);
	/* The kernel's break at the origin, not glibc's cached one. */
	EXPECT_EQ(syscall(SYS_brk, 0), (long)old + MIB)
		TH_LOG("the break moved at node 1 did not move at the origin");
	bad = mismatches2(old, n, 6, &first);
	EXPECT_EQ(bad, 0)
		TH_LOG("%zu words of the break area written at node 1 wrong at the origin, first at %zu",
		       bad, first);
	EXPECT_NE(sbrk(-MIB), (void *)-1);
	EXPECT_EQ(syscall(SYS_brk, 0), (long)old);
}

/* ------------------------------------------------------------------ */
/* Errors                                                             */
/* ------------------------------------------------------------------ */

#define EXPECT_FAILS(call, err) do {					\
	errno = 0;							\
	EXPECT_EQ((call), -1) TH_LOG("%s succeeded", #call);		\
	EXPECT_EQ(errno, (err))						\
		TH_LOG("%s: %s, expected %s", #call, strerror(errno),	\
		       strerror(err));					\
} while (0)

TEST_F_TIMEOUT(mig, errors, 120)
{
	struct hop out, back = { -1, 0 }, busy1 = { 0 }, inval1 = { 0 };
	int nid1 = -1;

	EXPECT_FAILS(popcorn_migrate(99), EINVAL);
	EXPECT_FAILS(popcorn_migrate(POPCORN_MAX_NODES), EINVAL);
	EXPECT_FAILS(popcorn_migrate(-2), EINVAL);
	EXPECT_FAILS(popcorn_migrate(unconfigured_nid()), EINVAL);
	EXPECT_FAILS(popcorn_migrate(ORIGIN), EBUSY);
	EXPECT_FAILS(syscall(__NR_popcorn_migrate, REMOTE, (void *)1), EFAULT);
	EXPECT_FAILS(syscall(__NR_popcorn_get_thread_status, NULL), EFAULT);
	EXPECT_FAILS(syscall(__NR_popcorn_get_node_info, NULL, NULL), EFAULT);
	EXPECT_FAILS(popcorn_propose_migration(0, 99), EINVAL);
	/* Nothing proposed: nowhere to go (the errno is not specified). */
	errno = 0;
	EXPECT_EQ(popcorn_migrate(POPCORN_NID_PROPOSED), -1)
		TH_LOG("popcorn_migrate(-1) without a proposal succeeded");
	TH_LOG("popcorn_migrate(-1) without a proposal: %s", strerror(errno));
	EXPECT_EQ(popcorn_check_migrate(), 0);
	ASSERT_EQ(popcorn_getnid(), ORIGIN) TH_LOG("a failed call moved us");

	out = hop(REMOTE);
	if (!out.ret) {
		nid1 = popcorn_getnid();
		busy1 = hop(REMOTE);
		inval1 = hop(99);
		back = hop(ORIGIN);
	}
	ASSERT_HOP(out, REMOTE);
	ASSERT_HOP(back, ORIGIN);
	EXPECT_EQ(nid1, REMOTE);
	EXPECT_EQ(busy1.ret, -1);
	EXPECT_EQ(busy1.err, EBUSY)
		TH_LOG("popcorn_migrate(1) at node 1: %s", strerror(busy1.err));
	EXPECT_EQ(inval1.ret, -1);
	EXPECT_EQ(inval1.err, EINVAL)
		TH_LOG("popcorn_migrate(99) at node 1: %s", strerror(inval1.err));
	EXPECT_EQ(popcorn_getnid(), ORIGIN);
}

TEST_F_TIMEOUT(mig, errors_offline, 60)
{
	const char *s = getenv("POPCORN_OFFLINE_NID");
	struct popcorn_node_info ni[POPCORN_MAX_NODES];
	int off, me;

	if (!s || !*s)
		SKIP(return, "POPCORN_OFFLINE_NID not set");
	off = atoi(s);
	ASSERT_GT(off, REMOTE);
	ASSERT_LT(off, POPCORN_MAX_NODES);
	ASSERT_EQ(popcorn_get_node_info(&me, ni), 0);
	ASSERT_EQ(ni[off].status, POPCORN_NODE_OFFLINE)
		TH_LOG("node %d is not offline", off);
	EXPECT_FAILS(popcorn_migrate(off), EAGAIN);
	EXPECT_EQ(popcorn_getnid(), ORIGIN);
}

/* ------------------------------------------------------------------ */
/* Proposals                                                          */
/* ------------------------------------------------------------------ */

TEST_F_TIMEOUT(mig, proposal_self, 120)
{
	struct popcorn_thread_status st0, st1 = { 0 };
	int check1 = -1, err1 = 0, again1 = -1, sret1 = -1;
	struct hop back = { -1, 0 };

	ASSERT_EQ(popcorn_propose_migration(0, REMOTE), 0)
		TH_LOG("popcorn_propose_migration(0, 1): %s", strerror(errno));
	ASSERT_EQ(popcorn_get_thread_status(&st0), 0);
	EXPECT_EQ(st0.current_nid, ORIGIN);
	EXPECT_EQ(st0.proposed_nid, REMOTE);

	check1 = popcorn_check_migrate();
	err1 = errno;
	if (check1 == 1) {
		sret1 = popcorn_get_thread_status(&st1);
		again1 = popcorn_check_migrate();
		back = hop(ORIGIN);
	}
	ASSERT_EQ(check1, 1)
		TH_LOG("popcorn_check_migrate: %d (%s)", check1, strerror(err1));
	ASSERT_HOP(back, ORIGIN);
	ASSERT_EQ(sret1, 0);
	EXPECT_EQ(st1.current_nid, REMOTE);
	EXPECT_EQ(st1.proposed_nid, POPCORN_NID_NONE)
		TH_LOG("the proposal was not cleared when acted upon");
	EXPECT_EQ(again1, 0);
	EXPECT_EQ(popcorn_getnid(), ORIGIN);
}

struct prop_thread {
	atomic_int tid;
	int check, err, nid1, sret1, nid_back;
	struct popcorn_thread_status st1;
	struct hop back;
	double waited;
};

static void *prop_thread_fn(void *arg)
{
	struct prop_thread *t = arg;
	double start = now_s();

	t->back.ret = -1;
	atomic_store(&t->tid, gettid());
	while ((t->check = popcorn_check_migrate()) == 0 &&
	       now_s() - start < PROPOSAL_WAIT_S)
		usleep(10000);
	t->err = errno;
	if (t->check == 1) {
		t->nid1 = popcorn_getnid();
		t->sret1 = popcorn_get_thread_status(&t->st1);
		t->back = hop(ORIGIN);
		t->nid_back = popcorn_getnid();
	} else {
		t->waited = now_s() - start;
	}
	return NULL;
}

TEST_F_TIMEOUT(mig, proposal_other_thread, 120)
{
	struct prop_thread t = { 0 };
	pthread_t th;
	int i, ret;

	ASSERT_EQ(pthread_create(&th, NULL, prop_thread_fn, &t), 0);
	for (i = 0; i < 1000 && !atomic_load(&t.tid); i++)
		usleep(10000);
	ret = atomic_load(&t.tid) ? 0 : -1;
	if (!ret) {
		EXPECT_FAILS(popcorn_propose_migration(t.tid, 99), EINVAL);
		ret = popcorn_propose_migration(t.tid, REMOTE);
		if (ret)
			TH_LOG("popcorn_propose_migration(%d, 1): %s",
			       atomic_load(&t.tid), strerror(errno));
	}
	/* Without a proposal the thread gives up after PROPOSAL_WAIT_S. */
	ASSERT_EQ(pthread_join(th, NULL), 0);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(t.check, 1)
		TH_LOG("popcorn_check_migrate: %d (%s) after %.1f s", t.check,
		       t.check < 0 ? strerror(t.err) : "no proposal seen",
		       t.waited);
	ASSERT_HOP(t.back, ORIGIN);
	EXPECT_EQ(t.nid1, REMOTE);
	EXPECT_EQ(t.sret1, 0);
	EXPECT_EQ(t.st1.current_nid, REMOTE);
	EXPECT_EQ(t.st1.proposed_nid, POPCORN_NID_NONE);
	EXPECT_EQ(t.nid_back, ORIGIN);
	EXPECT_EQ(popcorn_getnid(), ORIGIN);
}

/* Runs last: the state of the last test process must be gone too. */
TEST_F_TIMEOUT(mig, no_state_left, 60)
{
	/* FIXTURE_SETUP checked both nodes: nothing else to do. */
	EXPECT_EQ(popcorn_getnid(), ORIGIN);
}

/* ------------------------------------------------------------------ */
/* Helper modes for test_migrate_exit.sh                              */
/* ------------------------------------------------------------------ */

/* 0 not yet, 1 at node 1, -errno: the migration failed. */
static atomic_int at_remote[2];

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* At the origin: until @flag says where the thread is (30 s at most). */
static int wait_remote(atomic_int *flag)
{
	int i, v = 0;

	for (i = 0; i < 3000 && !(v = atomic_load(flag)); i++)
		usleep(10000);
	return v;
}

static int no_thread(void)
{
	printf("failed: pthread_create\n");
	fflush(stdout);
	return 1;
}

static int report(int v)
{
	if (v == 1) {
		printf("remote\n");
	} else {
		printf("failed: migration to node 1: %s\n",
		       v ? strerror(-v) : "no news after 30 s");
	}
	fflush(stdout);
	return v == 1 ? 0 : 1;
}

/* Migrates to node 1 and stays there for 60 s (all being well, less). */
static void *stay_remote(void *arg)
{
	atomic_int *flag = arg;
	int i;

	if (popcorn_migrate(REMOTE)) {
		atomic_store(flag, -errno);
		return NULL;
	}
	atomic_store(flag, 1);
	for (i = 0; i < 600; i++)
		sleep_s(0.1);
	popcorn_migrate(ORIGIN);
	return NULL;
}

static int exit_at_origin_while_remote(void)
{
	pthread_t th;

	if (pthread_create(&th, NULL, stay_remote, &at_remote[0]))
		return no_thread();
	/* main returns: exit_group at the origin, a thread on node 1 */
	return report(wait_remote(&at_remote[0]));
}

static void *report_thread(void *arg)
{
	report(wait_remote(arg));
	return NULL;
}

static int killed_while_remote(void)
{
	pthread_t th;

	if (pthread_create(&th, NULL, report_thread, &at_remote[0]))
		return no_thread();
	stay_remote(&at_remote[0]);
	pthread_join(th, NULL);
	if (atomic_load(&at_remote[0]) != 1)
		return 1;
	printf("failed: not killed within 60 s\n");
	return 1;
}

static void *end_at_remote(void *arg)
{
	atomic_int *flag = arg;

	if (popcorn_migrate(REMOTE)) {
		atomic_store(flag, -errno);
		return NULL;
	}
	atomic_store(flag, 1);
	if (flag == &at_remote[0])
		pthread_exit((void *)42);
	syscall(SYS_exit, 0);
	return NULL;
}

static int exit_at_remote(void)
{
	static const char * const how[2] = { "pthread_exit", "exit" };
	pthread_t th[2];
	struct timespec deadline;
	void *ret[2] = { NULL, NULL };
	int i, err, ok = 1;

	for (i = 0; i < 2; i++) {
		if (pthread_create(&th[i], NULL, end_at_remote, &at_remote[i]))
			return no_thread();
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 30;
	for (i = 0; i < 2; i++) {
		err = pthread_timedjoin_np(th[i], &ret[i], &deadline);
		if (err) {
			printf("failed: thread ending with %s at node 1 not joined: %s\n",
			       how[i], strerror(err));
			ok = 0;
		} else if (atomic_load(&at_remote[i]) != 1) {
			report(atomic_load(&at_remote[i]));
			ok = 0;
		}
	}
	if (ok && ret[0] != (void *)42) {
		printf("failed: pthread_exit value %p at the origin, not 0x2a\n",
		       ret[0]);
		ok = 0;
	}
	if (ok && popcorn_getnid() != ORIGIN) {
		printf("failed: main thread at node %d\n", popcorn_getnid());
		ok = 0;
	}
	if (ok)
		printf("joined\n");
	fflush(stdout);
	return ok ? 0 : 1;
}

static void *sleeper(void *arg)
{
	(void)arg;
	sleep_s(60);
	return NULL;
}

static int exit_group_at_remote(void)
{
	pthread_t th;

	/* A thread stays at the origin: the exit from node 1 ends it too. */
	if (pthread_create(&th, NULL, sleeper, NULL))
		return no_thread();
	if (popcorn_migrate(REMOTE))
		return report(-errno);
	_exit(3);
}

static const struct {
	const char *name;
	int (*fn)(void);
} modes[] = {
	{ "--exit-at-origin-while-remote", exit_at_origin_while_remote },
	{ "--killed-while-remote", killed_while_remote },
	{ "--exit-at-remote", exit_at_remote },
	{ "--exit-group-at-remote", exit_group_at_remote },
};

/* As TEST_HARNESS_MAIN, with the helper modes in front. */
static void __attribute__((constructor)) __constructor_order_last(void)
{
	if (!__constructor_order)
		__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;
}

int main(int argc, char **argv)
{
	size_t i;

	for (i = 0; argc == 2 && i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(argv[1], modes[i].name))
			return modes[i].fn();
	}
	return test_harness_run(argc, argv);
}
