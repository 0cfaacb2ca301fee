// SPDX-License-Identifier: GPL-2.0
/* KUnit tests of the sessions' pure logic (session.h). */
#include <kunit/test.h>
#include "session.h"

/* Numbers wrap and skip 0; order holds across the wrap. */
static void session_seq_wrap(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pcn_seq_next(1), 2U);
	KUNIT_EXPECT_EQ(test, pcn_seq_next(0xffffffffU), 1U);
	KUNIT_EXPECT_TRUE(test, pcn_seq_before(1, 2));
	KUNIT_EXPECT_FALSE(test, pcn_seq_before(2, 2));
	KUNIT_EXPECT_TRUE(test, pcn_seq_before(0xfffffff0U, 5));
	KUNIT_EXPECT_FALSE(test, pcn_seq_before(5, 0xfffffff0U));
}

static void session_seq_check(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pcn_seq_check(7, 7), PCN_SEQ_NEXT);
	KUNIT_EXPECT_EQ(test, pcn_seq_check(6, 7), PCN_SEQ_DUP);
	KUNIT_EXPECT_EQ(test, pcn_seq_check(8, 7), PCN_SEQ_GAP);
	KUNIT_EXPECT_EQ(test, pcn_seq_check(0x80000006U, 7), PCN_SEQ_GAP);
	/* Across the wrap: 0xffffffff came just before 1. */
	KUNIT_EXPECT_EQ(test, pcn_seq_check(0xffffffffU, 1), PCN_SEQ_DUP);
	KUNIT_EXPECT_EQ(test, pcn_seq_check(2, 1), PCN_SEQ_GAP);
}

static void session_ack_check(struct kunit *test)
{
	/* acked 10, numbered up to 19 (tx_next 20) */
	KUNIT_EXPECT_EQ(test, pcn_ack_check(0, 10, 20), 0);
	KUNIT_EXPECT_EQ(test, pcn_ack_check(9, 10, 20), 0);
	KUNIT_EXPECT_EQ(test, pcn_ack_check(10, 10, 20), 0);
	KUNIT_EXPECT_EQ(test, pcn_ack_check(11, 10, 20), 1);
	KUNIT_EXPECT_EQ(test, pcn_ack_check(20, 10, 20), 1);
	KUNIT_EXPECT_EQ(test, pcn_ack_check(21, 10, 20), -1);
	KUNIT_EXPECT_EQ(test, pcn_ack_check(0x90000000U, 10, 20), 0);
}

/* One side's session with the other, as session.c keeps it. */
struct side {
	u64 tx_sid, rx_sid;
	u32 rx_next, acked, tx_next;
};

static struct pcn_kmsg_session said(const struct side *s)
{
	struct pcn_kmsg_session m = {
		.sid = s->tx_sid, .seen_sid = s->rx_sid, .rx_next = s->rx_next,
	};
	return m;
}

/* Both sides judge the pair of SESSIONs; they must agree. */
static int verdict(struct kunit *test, const struct side *a,
		   const struct side *b)
{
	struct pcn_kmsg_session ma = said(a), mb = said(b);
	bool ra = pcn_session_resumes(&ma, &mb, a->acked, a->tx_next);
	bool rb = pcn_session_resumes(&mb, &ma, b->acked, b->tx_next);

	KUNIT_EXPECT_EQ(test, ra, rb);
	return ra;
}

static void session_verdicts(struct kunit *test)
{
	/* A sent 1..49, B acknowledged up to 40 and received up to 45. */
	struct side a = { 0xa, 0xb, 30, 40, 50 };
	struct side b = { 0xb, 0xa, 45, 30, 30 };
	struct side b_new = { 0xb2, 0, 1, 1, 1 };
	struct side a_gave_up = { 0xa2, 0, 1, 1, 1 };
	struct side a_first = { 0xa, 0, 1, 1, 1 };
	struct side b_first = { 0xb, 0, 1, 1, 1 };

	KUNIT_EXPECT_TRUE(test, verdict(test, &a, &b));
	/* B restarted, or A gave B up: a new session on both sides. */
	KUNIT_EXPECT_FALSE(test, verdict(test, &a, &b_new));
	KUNIT_EXPECT_FALSE(test, verdict(test, &a_gave_up, &b));
	/* First contact. */
	KUNIT_EXPECT_FALSE(test, verdict(test, &a_first, &b_first));
}

/* A peer that claims what we never sent, or forgot what it acknowledged. */
static void session_verdict_lies(struct kunit *test)
{
	struct pcn_kmsg_session mine = { .sid = 0xa, .seen_sid = 0xb };
	struct pcn_kmsg_session peer = { .sid = 0xb, .seen_sid = 0xa };

	peer.rx_next = 51;
	KUNIT_EXPECT_FALSE(test, pcn_session_resumes(&mine, &peer, 40, 50));
	peer.rx_next = 39;
	KUNIT_EXPECT_FALSE(test, pcn_session_resumes(&mine, &peer, 40, 50));
	peer.rx_next = 40;
	KUNIT_EXPECT_TRUE(test, pcn_session_resumes(&mine, &peer, 40, 50));
	peer.rx_next = 50;
	KUNIT_EXPECT_TRUE(test, pcn_session_resumes(&mine, &peer, 40, 50));
}

static struct kunit_case session_cases[] = {
	KUNIT_CASE(session_seq_wrap),
	KUNIT_CASE(session_seq_check),
	KUNIT_CASE(session_ack_check),
	KUNIT_CASE(session_verdicts),
	KUNIT_CASE(session_verdict_lies),
	{}
};

static struct kunit_suite session_suite = {
	.name = "popcorn_session",
	.test_cases = session_cases,
};
kunit_test_suite(session_suite);

MODULE_LICENSE("GPL");
