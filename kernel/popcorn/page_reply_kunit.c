// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the check of a page fetch or recall reply (page_reply.c):
 * every shape a peer may send, and the ones it may not, zero pages and
 * their block and pages sent ahead included.
 */
#include <kunit/test.h>
#include "internal.h"

#define FETCH	PCN_KMSG_TYPE_PAGE_FETCH_REPLY
#define RECALL	PCN_KMSG_TYPE_PAGE_RECALL_REPLY
#define DATA	PCN_PAGE_F_DATA
#define OWNER	PCN_PAGE_F_OWNER
#define ZERO	PCN_PAGE_F_ZERO
#define CLEAN	PCN_PAGE_F_CLEAN

/* The 6th page of a block. */
#define ADDR	(0x7f0000000000UL + 5 * PCN_PAGE_SIZE)

static int check_w(enum pcn_kmsg_type type, unsigned int window, s32 status,
		   u32 flags, u64 map, u64 ahead)
{
	struct pcn_page_fetch_reply r = {
		.status = status, .flags = flags, .zero_map = map,
		.ahead_map = ahead,
	};
	struct pcn_page_fetch_reply out;
	int ret;

	memset(&out, 0xa5, sizeof(out));
	ret = pcn_page_reply_check(type, &r, ADDR, window, &out);
	if (ret != -EPROTO && memcmp(&out, &r, sizeof(r)))
		return -ENOTRECOVERABLE;	/* not what was sent */
	return ret;
}

/* A reply to a request with a one-page exposure (recalls: the data). */
static int check(enum pcn_kmsg_type type, s32 status, u32 flags, u64 map)
{
	return check_w(type, 1, status, flags, map, 0);
}

static void grant_block(struct kunit *test)
{
	unsigned long base = 0x7f0000040000UL;

	KUNIT_EXPECT_EQ(test, pcn_page_grant_base(base), base);
	KUNIT_EXPECT_EQ(test, pcn_page_grant_bit(base), 0U);
	KUNIT_EXPECT_EQ(test, pcn_page_grant_base(base + PCN_PAGE_GRANT_BYTES -
						  PCN_PAGE_SIZE), base);
	KUNIT_EXPECT_EQ(test, pcn_page_grant_bit(base + PCN_PAGE_GRANT_BYTES -
						 PCN_PAGE_SIZE),
			PCN_PAGE_GRANT_PAGES - 1);
	KUNIT_EXPECT_EQ(test, pcn_page_grant_base(base + PCN_PAGE_GRANT_BYTES),
			base + PCN_PAGE_GRANT_BYTES);
	KUNIT_EXPECT_EQ(test, pcn_page_grant_bit(ADDR), 5U);
	/* A zero_map has a bit for every page of the block. */
	KUNIT_EXPECT_EQ(test, PCN_PAGE_GRANT_PAGES,
			(int)sizeof(u64) * BITS_PER_BYTE);
}

static void reply_good(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, DATA, 0), 0);
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, DATA | OWNER, 0), 0);
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, 0, 0), 0);	/* an upgrade */
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, OWNER | ZERO, BIT_ULL(5)), 0);
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, OWNER | ZERO, ~0ULL), 0);
	KUNIT_EXPECT_EQ(test, check(FETCH, -EAGAIN, 0, 0), -EAGAIN);
	KUNIT_EXPECT_EQ(test, check(FETCH, -MAX_ERRNO, 0, 0), -MAX_ERRNO);
	KUNIT_EXPECT_EQ(test, check(RECALL, 0, DATA, 0), 0);
	KUNIT_EXPECT_EQ(test, check(RECALL, 0, DATA | CLEAN, 0), 0);
	KUNIT_EXPECT_EQ(test, check(RECALL, 0, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, check(RECALL, -ESRCH, 0, 0), -ESRCH);
}

static void reply_bad(struct kunit *test)
{
	/* Not a page reply, a status that is no errno, unknown flags. */
	KUNIT_EXPECT_EQ(test, check(PCN_KMSG_TYPE_VMA_REPLY, 0, DATA, 0),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, check(FETCH, 1, 0, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, check(FETCH, -MAX_ERRNO - 1, 0, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, DATA | 0x40, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, PCN_PAGE_F_WRITE, 0), -EPROTO);
	/* An error carries nothing. */
	KUNIT_EXPECT_EQ(test, check(FETCH, -EIO, DATA, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, check(FETCH, -EIO, 0, BIT_ULL(5)), -EPROTO);
	/* The only copy with its data or as zeros, never both or neither. */
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, OWNER, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, OWNER | ZERO | DATA, BIT_ULL(5)),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, ZERO, BIT_ULL(5)), -EPROTO);
	/* Zero pages must include the page asked for; a map needs ZERO. */
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, OWNER | ZERO, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, OWNER | ZERO, BIT_ULL(4)),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, DATA, BIT_ULL(5)), -EPROTO);
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, 0, 1), -EPROTO);
	/* A recall answer never hands anything over. */
	KUNIT_EXPECT_EQ(test, check(RECALL, 0, DATA | OWNER, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, check(RECALL, 0, OWNER | ZERO, BIT_ULL(5)),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, check(RECALL, 0, 0, BIT_ULL(5)), -EPROTO);
	/* "Never written" only with the page, and only from its holder. */
	KUNIT_EXPECT_EQ(test, check(RECALL, 0, CLEAN, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, check(FETCH, 0, DATA | CLEAN, 0), -EPROTO);
}

/* Pages after the one asked for, in the room the request's window had. */
static void reply_ahead(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, check_w(FETCH, 16, 0, DATA, 0, 0xfffe), 0);
	KUNIT_EXPECT_EQ(test, check_w(FETCH, 16, 0, DATA, 0, 0x8002), 0);
	KUNIT_EXPECT_EQ(test, check_w(FETCH, 2, 0, DATA, 0, 0x2), 0);
	/* Beyond the window, the page asked for itself, without its data. */
	KUNIT_EXPECT_EQ(test, check_w(FETCH, 16, 0, DATA, 0, 0x10000), -EPROTO);
	KUNIT_EXPECT_EQ(test, check_w(FETCH, 1, 0, DATA, 0, 0x2), -EPROTO);
	KUNIT_EXPECT_EQ(test, check_w(FETCH, 16, 0, DATA, 0, 0x3), -EPROTO);
	KUNIT_EXPECT_EQ(test, check_w(FETCH, 16, 0, 0, 0, 0x2), -EPROTO);
	/* Only with plain data: not with the only copy, zeros or an error. */
	KUNIT_EXPECT_EQ(test, check_w(FETCH, 16, 0, DATA | OWNER, 0, 0x2),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, check_w(FETCH, 16, 0, OWNER | ZERO, BIT_ULL(5),
				      0x2), -EPROTO);
	KUNIT_EXPECT_EQ(test, check_w(FETCH, 16, -EAGAIN, 0, 0, 0x2), -EPROTO);
	KUNIT_EXPECT_EQ(test, check_w(RECALL, 16, 0, DATA, 0, 0x2), -EPROTO);
	/* No room at all (an upgrade, an invalidation): no data either. */
	KUNIT_EXPECT_EQ(test, check_w(FETCH, 0, 0, DATA, 0, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, check_w(RECALL, 0, 0, DATA, 0, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, check_w(RECALL, 0, 0, 0, 0, 0), 0);
}

static struct kunit_case pcn_page_reply_cases[] = {
	KUNIT_CASE(grant_block),
	KUNIT_CASE(reply_good),
	KUNIT_CASE(reply_bad),
	KUNIT_CASE(reply_ahead),
	{}
};

static struct kunit_suite pcn_page_reply_suite = {
	.name = "popcorn_page_reply",
	.test_cases = pcn_page_reply_cases,
};
kunit_test_suite(pcn_page_reply_suite);
