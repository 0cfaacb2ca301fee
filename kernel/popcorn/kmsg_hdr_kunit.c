// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of pcn_kmsg_check_hdr(): every rule, and its boundaries; and
 * of the message table itself (kmsg.c, from PCN_KMSG_TYPES).
 */
#include <kunit/test.h>
#include "internal.h"

enum { T_FIXED, T_ANY, T_BIG, T_REPLY, T_N };

static const struct pcn_kmsg_type_info test_types[T_N] = {
	[T_FIXED] = { .size = { 16, 16 } },
	[T_ANY] = { .size = { 0, 100 } },
	[T_BIG] = { .size = { 0, 1u << 30 } },	/* wider than the global limit */
	[T_REPLY] = { .size = { 0, 100 }, .flags = PCN_KMSG_T_REPLY },
};

static struct pcn_kmsg_hdr good_hdr(void)
{
	struct pcn_kmsg_hdr h = {
		.magic = PCN_KMSG_MAGIC,
		.version = PCN_KMSG_VERSION,
		.from_nid = 3,
		.type = T_ANY,
		.size = 10,
	};
	return h;
}

static int check(const struct pcn_kmsg_hdr *h, int expect)
{
	return pcn_kmsg_check_hdr(h, expect, test_types, T_N);
}

static void hdr_good(struct kunit *test)
{
	struct pcn_kmsg_hdr h = good_hdr();

	KUNIT_EXPECT_EQ(test, check(&h, 3), 0);
	KUNIT_EXPECT_EQ(test, check(&h, -1), 0);
	h.type = T_REPLY;
	h.flags = PCN_KMSG_F_REPLY;
	KUNIT_EXPECT_EQ(test, check(&h, 3), 0);
}

/* The reply flag goes with a reply type, and only with one. */
static void hdr_reply_flag(struct kunit *test)
{
	struct pcn_kmsg_hdr h = good_hdr();

	h.flags = PCN_KMSG_F_REPLY;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EOPNOTSUPP);
	h.type = T_REPLY;
	h.flags = 0;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EOPNOTSUPP);
}

/*
 * The core's table: every request is answered by a reply type of the same
 * kind, a reply answers nothing, the transport's own types are neither,
 * every type has a name and bounds within a message.
 */
static void table_consistent(struct kunit *test)
{
	const struct pcn_kmsg_type_info *t, *r;
	unsigned int i;

	for (i = 0; i < PCN_KMSG_TYPE_MAX; i++) {
		t = &pcn_kmsg_types[i];
		KUNIT_EXPECT_NOT_ERR_OR_NULL(test, t->name);
		KUNIT_EXPECT_LE(test, t->size.min, t->size.max);
		KUNIT_EXPECT_LE(test, t->size.max, PCN_KMSG_MAX_PAYLOAD);
		if (t->flags & (PCN_KMSG_T_REPLY | PCN_KMSG_T_TRANSPORT)) {
			KUNIT_EXPECT_EQ(test, t->reply, PCN_KMSG_TYPE_NONE);
			KUNIT_EXPECT_NE(test, t->flags & PCN_KMSG_T_REPLY,
					t->flags & PCN_KMSG_T_TRANSPORT);
		}
		if (t->reply == PCN_KMSG_TYPE_NONE)
			continue;
		KUNIT_ASSERT_LT(test, t->reply, PCN_KMSG_TYPE_MAX);
		r = &pcn_kmsg_types[t->reply];
		KUNIT_EXPECT_TRUE(test, r->flags & PCN_KMSG_T_REPLY);
		KUNIT_EXPECT_EQ(test, r->flags & PCN_KMSG_T_SELFTEST,
				t->flags & PCN_KMSG_T_SELFTEST);
	}
	KUNIT_EXPECT_STREQ(test, pcn_kmsg_type_name(PCN_KMSG_TYPE_PAGE_PUT),
			   "page_put");
	KUNIT_EXPECT_STREQ(test, pcn_kmsg_type_name(PCN_KMSG_TYPE_MAX), "?");
}

static void hdr_magic_version(struct kunit *test)
{
	struct pcn_kmsg_hdr h = good_hdr();

	h.magic = ~PCN_KMSG_MAGIC;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EBADMSG);
	h = good_hdr();
	h.version = PCN_KMSG_VERSION + 1;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EPROTO);
	h.version = 0;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EPROTO);
}

static void hdr_type(struct kunit *test)
{
	struct pcn_kmsg_hdr h = good_hdr();

	h.type = T_N - 1;
	h.flags = PCN_KMSG_F_REPLY;	/* T_REPLY */
	KUNIT_EXPECT_EQ(test, check(&h, 3), 0);
	h.flags = 0;
	h.type = T_N;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EINVAL);
	h.type = 0xffff;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EINVAL);
	h = good_hdr();
	h.reserved = 1;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EINVAL);
	h = good_hdr();
	h.flags = 0x8000;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EOPNOTSUPP);
}

static void hdr_size(struct kunit *test)
{
	struct pcn_kmsg_hdr h = good_hdr();

	h.size = 100;
	KUNIT_EXPECT_EQ(test, check(&h, 3), 0);
	h.size = 101;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EMSGSIZE);
	h.size = 0xffffffff;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EMSGSIZE);
	h.type = T_FIXED;
	h.size = 16;
	KUNIT_EXPECT_EQ(test, check(&h, 3), 0);
	h.size = 15;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EMSGSIZE);
	h.size = 17;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EMSGSIZE);
	/* The global limit holds even where a type's bound is wider. */
	h.type = T_BIG;
	h.size = PCN_KMSG_MAX_PAYLOAD;
	KUNIT_EXPECT_EQ(test, check(&h, 3), 0);
	h.size = PCN_KMSG_MAX_PAYLOAD + 1;
	KUNIT_EXPECT_EQ(test, check(&h, 3), -EMSGSIZE);
}

static void hdr_sender(struct kunit *test)
{
	struct pcn_kmsg_hdr h = good_hdr();

	KUNIT_EXPECT_EQ(test, check(&h, 4), -EPERM);
	h.from_nid = PCN_MAX_NODES - 1;
	KUNIT_EXPECT_EQ(test, check(&h, -1), 0);
	h.from_nid = PCN_MAX_NODES;
	KUNIT_EXPECT_EQ(test, check(&h, -1), -EPERM);
	h.from_nid = 0xff;
	KUNIT_EXPECT_EQ(test, check(&h, -1), -EPERM);
}

static void hdr_layout(struct kunit *test)
{
	/* The wire header is part of the protocol: 32 bytes, fixed. */
	KUNIT_EXPECT_EQ(test, sizeof(struct pcn_kmsg_hdr), 32);
	KUNIT_EXPECT_EQ(test, PCN_KMSG_MAX_PAYLOAD + 32, PCN_KMSG_MAX_SIZE);
}

static struct kunit_case pcn_kmsg_hdr_cases[] = {
	KUNIT_CASE(hdr_good),
	KUNIT_CASE(hdr_reply_flag),
	KUNIT_CASE(table_consistent),
	KUNIT_CASE(hdr_magic_version),
	KUNIT_CASE(hdr_type),
	KUNIT_CASE(hdr_size),
	KUNIT_CASE(hdr_sender),
	KUNIT_CASE(hdr_layout),
	{}
};

static struct kunit_suite pcn_kmsg_hdr_suite = {
	.name = "popcorn_kmsg_hdr",
	.test_cases = pcn_kmsg_hdr_cases,
};
kunit_test_suite(pcn_kmsg_hdr_suite);

MODULE_LICENSE("GPL");
