// SPDX-License-Identifier: GPL-2.0
/* KUnit tests of pcn_kmsg_check_hdr(): every rule, and its boundaries. */
#include <kunit/test.h>
#include <popcorn/pcn_kmsg.h>

enum { T_FIXED, T_ANY, T_BIG, T_N };

static const struct pcn_kmsg_bounds test_bounds[T_N] = {
	[T_FIXED] = { 16, 16 },
	[T_ANY] = { 0, 100 },
	[T_BIG] = { 0, 1u << 30 },	/* wider than the global limit */
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
	return pcn_kmsg_check_hdr(h, expect, test_bounds, T_N);
}

static void hdr_good(struct kunit *test)
{
	struct pcn_kmsg_hdr h = good_hdr();

	KUNIT_EXPECT_EQ(test, check(&h, 3), 0);
	KUNIT_EXPECT_EQ(test, check(&h, -1), 0);
	h.flags = PCN_KMSG_F_REPLY;
	KUNIT_EXPECT_EQ(test, check(&h, 3), 0);
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
	KUNIT_EXPECT_EQ(test, check(&h, 3), 0);
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
