// SPDX-License-Identifier: GPL-2.0
/* KUnit tests of the page reply in an immediate (kmsg_imm.c). */
#include <kunit/test.h>
#include <popcorn/pcn_kmsg.h>

struct imm_msg {
	struct pcn_kmsg_hdr hdr;
	struct pcn_page_fetch_reply r;
} __packed;

static struct imm_msg page_reply(u16 type, u32 ws)
{
	struct imm_msg m = {
		.hdr = {
			.magic = PCN_KMSG_MAGIC,
			.version = PCN_KMSG_VERSION,
			.from_nid = 1,
			.type = type,
			.flags = PCN_KMSG_F_REPLY,
			.size = sizeof(struct pcn_page_fetch_reply),
			.ws = ws,
			.seq = 77,
		},
		.r = { .status = 0, .flags = PCN_PAGE_F_DATA },
	};
	return m;
}

static bool to_imm(struct imm_msg *m, u32 *imm)
{
	return pcn_kmsg_to_imm(&m->hdr, &m->r, imm);
}

/* Both kinds of page reply go there and come back whole. */
static void imm_round_trip(struct kunit *test)
{
	static const u16 types[] = { PCN_KMSG_TYPE_PAGE_FETCH_REPLY,
				     PCN_KMSG_TYPE_PAGE_RECALL_REPLY };
	static const u32 ids[] = { 1, 12345, PCN_KMSG_IMM_WS_MAX };
	struct imm_msg m, back;
	struct pcn_kmsg *msg = (struct pcn_kmsg *)&back;
	u32 imm, imm2;
	int i, j;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		for (j = 0; j < ARRAY_SIZE(ids); j++) {
			m = page_reply(types[i], ids[j]);
			KUNIT_ASSERT_TRUE(test, to_imm(&m, &imm));
			KUNIT_EXPECT_EQ(test, imm >> PCN_KMSG_IMM_BITS, 0);
			memset(&back, 0xa5, sizeof(back));
			KUNIT_ASSERT_EQ(test, pcn_kmsg_from_imm(imm, 5, msg), 0);
			KUNIT_EXPECT_EQ(test, back.hdr.magic, PCN_KMSG_MAGIC);
			KUNIT_EXPECT_EQ(test, back.hdr.version,
					PCN_KMSG_VERSION);
			KUNIT_EXPECT_EQ(test, back.hdr.from_nid, 5);
			KUNIT_EXPECT_EQ(test, back.hdr.type, types[i]);
			KUNIT_EXPECT_EQ(test, back.hdr.flags, PCN_KMSG_F_REPLY);
			KUNIT_EXPECT_EQ(test, back.hdr.reserved, 0);
			KUNIT_EXPECT_EQ(test, back.hdr.size, sizeof(back.r));
			KUNIT_EXPECT_EQ(test, back.hdr.ws, ids[j]);
			KUNIT_EXPECT_EQ(test, back.hdr.credits, 0);
			KUNIT_EXPECT_EQ(test, back.r.status, 0);
			KUNIT_EXPECT_EQ(test, back.r.flags, PCN_PAGE_F_DATA);
		}
	}
	/* Fetch and recall replies of one station differ. */
	m = page_reply(PCN_KMSG_TYPE_PAGE_FETCH_REPLY, 9);
	KUNIT_ASSERT_TRUE(test, to_imm(&m, &imm));
	m = page_reply(PCN_KMSG_TYPE_PAGE_RECALL_REPLY, 9);
	KUNIT_ASSERT_TRUE(test, to_imm(&m, &imm2));
	KUNIT_EXPECT_NE(test, imm, imm2);
}

/* A fetch reply that hands over the only copy keeps saying so. */
static void imm_owner_round_trip(struct kunit *test)
{
	static const u32 ids[] = { 1, 4242, PCN_KMSG_IMM_WS_MAX };
	struct imm_msg m, back;
	struct pcn_kmsg *msg = (struct pcn_kmsg *)&back;
	u32 imm, plain;
	int j;

	for (j = 0; j < ARRAY_SIZE(ids); j++) {
		m = page_reply(PCN_KMSG_TYPE_PAGE_FETCH_REPLY, ids[j]);
		KUNIT_ASSERT_TRUE(test, to_imm(&m, &plain));
		m.r.flags |= PCN_PAGE_F_OWNER;
		KUNIT_ASSERT_TRUE(test, to_imm(&m, &imm));
		KUNIT_EXPECT_NE(test, imm, plain);
		KUNIT_EXPECT_EQ(test, imm >> PCN_KMSG_IMM_BITS, 0);
		memset(&back, 0xa5, sizeof(back));
		KUNIT_ASSERT_EQ(test, pcn_kmsg_from_imm(imm, 2, msg), 0);
		KUNIT_EXPECT_EQ(test, back.hdr.type,
				PCN_KMSG_TYPE_PAGE_FETCH_REPLY);
		KUNIT_EXPECT_EQ(test, back.hdr.ws, ids[j]);
		KUNIT_EXPECT_EQ(test, back.r.status, 0);
		KUNIT_EXPECT_EQ(test, back.r.flags,
				PCN_PAGE_F_DATA | PCN_PAGE_F_OWNER);
	}
	/* A recall reply never hands over ownership: a message, if at all. */
	m = page_reply(PCN_KMSG_TYPE_PAGE_RECALL_REPLY, 9);
	m.r.flags |= PCN_PAGE_F_OWNER;
	KUNIT_EXPECT_FALSE(test, to_imm(&m, &imm));
	/* A recall reply saying "never written" keeps saying so. */
	m = page_reply(PCN_KMSG_TYPE_PAGE_RECALL_REPLY, 9);
	KUNIT_ASSERT_TRUE(test, to_imm(&m, &plain));
	m.r.flags |= PCN_PAGE_F_CLEAN;
	KUNIT_ASSERT_TRUE(test, to_imm(&m, &imm));
	KUNIT_EXPECT_NE(test, imm, plain);
	KUNIT_ASSERT_EQ(test, pcn_kmsg_from_imm(imm, 2, msg), 0);
	KUNIT_EXPECT_EQ(test, back.hdr.type, PCN_KMSG_TYPE_PAGE_RECALL_REPLY);
	KUNIT_EXPECT_EQ(test, back.hdr.ws, 9);
	KUNIT_EXPECT_EQ(test, back.r.flags, PCN_PAGE_F_DATA | PCN_PAGE_F_CLEAN);
	/* ... and a fetch reply never says it. */
	m = page_reply(PCN_KMSG_TYPE_PAGE_FETCH_REPLY, 9);
	m.r.flags |= PCN_PAGE_F_CLEAN;
	KUNIT_EXPECT_FALSE(test, to_imm(&m, &imm));
	/* Ownership without the data is not an immediate either. */
	m = page_reply(PCN_KMSG_TYPE_PAGE_FETCH_REPLY, 9);
	m.r.flags = PCN_PAGE_F_OWNER;
	KUNIT_EXPECT_FALSE(test, to_imm(&m, &imm));
}

/* Anything that says more than "the page is there" stays a message. */
static void imm_not_encodable(struct kunit *test)
{
	struct imm_msg m;
	u32 imm;

	m = page_reply(PCN_KMSG_TYPE_PAGE_FETCH_REPLY, 3);
	m.r.status = -EAGAIN;
	KUNIT_EXPECT_FALSE(test, to_imm(&m, &imm));
	m = page_reply(PCN_KMSG_TYPE_PAGE_FETCH_REPLY, 3);
	m.r.flags = 0;
	KUNIT_EXPECT_FALSE(test, to_imm(&m, &imm));
	m = page_reply(PCN_KMSG_TYPE_PAGE_FETCH_REPLY, 3);
	m.hdr.flags = 0;			/* a request, not a reply */
	KUNIT_EXPECT_FALSE(test, to_imm(&m, &imm));
	m = page_reply(PCN_KMSG_TYPE_PAGE_FETCH_REPLY, 0);
	KUNIT_EXPECT_FALSE(test, to_imm(&m, &imm));
	m = page_reply(PCN_KMSG_TYPE_PAGE_FETCH_REPLY, PCN_KMSG_IMM_WS_MAX + 1);
	KUNIT_EXPECT_FALSE(test, to_imm(&m, &imm));
	m = page_reply(PCN_KMSG_TYPE_PAGE_FETCH_REPLY, 3);
	m.hdr.size = 4;
	KUNIT_EXPECT_FALSE(test, to_imm(&m, &imm));
	m = page_reply(PCN_KMSG_TYPE_ECHO_REPLY, 3);
	KUNIT_EXPECT_FALSE(test, to_imm(&m, &imm));
	m = page_reply(PCN_KMSG_TYPE_PAGE_WRITE_REPLY, 3);
	KUNIT_EXPECT_FALSE(test, to_imm(&m, &imm));
}

/* What a peer's immediate may not be. */
static void imm_bad_from_peer(struct kunit *test)
{
	struct imm_msg back;
	struct pcn_kmsg *msg = (struct pcn_kmsg *)&back;

	KUNIT_EXPECT_EQ(test, pcn_kmsg_from_imm(0, 1, msg), -EPROTO);
	KUNIT_EXPECT_EQ(test, pcn_kmsg_from_imm(BIT(30), 1, msg), -EPROTO);
	KUNIT_EXPECT_EQ(test, pcn_kmsg_from_imm(BIT(29), 1, msg), -EPROTO);
	KUNIT_EXPECT_EQ(test, pcn_kmsg_from_imm(BIT(31) | 7, 1, msg), -EPROTO);
	KUNIT_EXPECT_EQ(test, pcn_kmsg_from_imm(7, -1, msg), -EPROTO);
	KUNIT_EXPECT_EQ(test, pcn_kmsg_from_imm(7, PCN_MAX_NODES, msg),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, pcn_kmsg_from_imm(7, PCN_MAX_NODES - 1, msg), 0);
}

static struct kunit_case pcn_kmsg_imm_cases[] = {
	KUNIT_CASE(imm_round_trip),
	KUNIT_CASE(imm_owner_round_trip),
	KUNIT_CASE(imm_not_encodable),
	KUNIT_CASE(imm_bad_from_peer),
	{}
};

static struct kunit_suite pcn_kmsg_imm_suite = {
	.name = "popcorn_kmsg_imm",
	.test_cases = pcn_kmsg_imm_cases,
};
kunit_test_suite(pcn_kmsg_imm_suite);

MODULE_LICENSE("GPL");
