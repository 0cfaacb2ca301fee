// SPDX-License-Identifier: GPL-2.0
/* KUnit tests of the ring credit logic (rdma_ring.h). */
#include <kunit/test.h>
#include "rdma_ring.h"

#define N 8

static void reserve_until_full(struct kunit *test)
{
	struct pcn_ring_tx tx;
	u32 seq, i;

	pcn_ring_tx_init(&tx, N, 0);
	for (i = 0; i < N - 1; i++) {
		KUNIT_ASSERT_EQ(test, pcn_ring_reserve(&tx, false, &seq), 0);
		KUNIT_EXPECT_EQ(test, seq, i);
	}
	/* Data may not take the last slot, a CREDIT message may. */
	KUNIT_EXPECT_EQ(test, pcn_ring_reserve(&tx, false, &seq), -EAGAIN);
	KUNIT_EXPECT_EQ(test, pcn_ring_reserve(&tx, true, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, N - 1);
	KUNIT_EXPECT_EQ(test, pcn_ring_reserve(&tx, true, &seq), -EAGAIN);
}

static void grant_releases(struct kunit *test)
{
	struct pcn_ring_tx tx;
	u32 seq, i;

	pcn_ring_tx_init(&tx, N, 0);
	for (i = 0; i < N - 1; i++)
		pcn_ring_reserve(&tx, false, &seq);
	KUNIT_EXPECT_EQ(test, pcn_ring_grant(&tx, 3), 1);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, pcn_ring_reserve(&tx, false, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, N + 1);
	KUNIT_EXPECT_EQ(test, pcn_ring_reserve(&tx, false, &seq), -EAGAIN);
	/* A stale report changes nothing; an impossible one is an error. */
	KUNIT_EXPECT_EQ(test, pcn_ring_grant(&tx, 2), 0);
	KUNIT_EXPECT_EQ(test, pcn_ring_grant(&tx, 3), 0);
	KUNIT_EXPECT_EQ(test, pcn_ring_grant(&tx, 100), -EPROTO);
	KUNIT_EXPECT_EQ(test, tx.granted, 3U);
}

static void wrap_around(struct kunit *test)
{
	struct pcn_ring_tx tx;
	struct pcn_ring_rx rx;
	unsigned long done = 0;
	u32 start = 0xfffffffcU, seq, i;

	/* Sender and receiver both start just before the u32 wraps. */
	pcn_ring_tx_init(&tx, N, start);
	rx.nslots = N;
	rx.freed = start;
	rx.done = &done;
	for (i = 0; i < 100; i++) {
		KUNIT_ASSERT_EQ(test, pcn_ring_reserve(&tx, false, &seq), 0);
		KUNIT_EXPECT_EQ(test, seq, start + i);
		KUNIT_ASSERT_EQ(test, pcn_ring_rx_consume(&rx, seq % N), 1);
		KUNIT_ASSERT_EQ(test, pcn_ring_grant(&tx, rx.freed), 1);
	}
	KUNIT_EXPECT_EQ(test, rx.freed, start + 100);
	KUNIT_EXPECT_EQ(test, done, 0UL);
}

static void consume_out_of_order(struct kunit *test)
{
	struct pcn_ring_rx rx;
	unsigned long done = 0;

	rx.nslots = N;
	rx.freed = 6;
	rx.done = &done;
	/* seq 7 (slot 7) and seq 8 (slot 0) arrive before seq 6 (slot 6) */
	KUNIT_EXPECT_EQ(test, pcn_ring_rx_consume(&rx, 7), 0);
	KUNIT_EXPECT_EQ(test, pcn_ring_rx_consume(&rx, 0), 0);
	KUNIT_EXPECT_EQ(test, rx.freed, 6U);
	KUNIT_EXPECT_EQ(test, pcn_ring_rx_consume(&rx, 6), 3);
	KUNIT_EXPECT_EQ(test, rx.freed, 9U);
	KUNIT_EXPECT_EQ(test, done, 0UL);
}

static void consume_rejects_bad_slots(struct kunit *test)
{
	struct pcn_ring_rx rx;
	unsigned long done = 0;

	rx.nslots = N;
	rx.freed = 0;
	rx.done = &done;
	KUNIT_EXPECT_EQ(test, pcn_ring_rx_consume(&rx, N), -EPROTO);
	KUNIT_EXPECT_EQ(test, pcn_ring_rx_consume(&rx, 0xffffffffU), -EPROTO);
	KUNIT_EXPECT_EQ(test, pcn_ring_rx_consume(&rx, 3), 0);
	KUNIT_EXPECT_EQ(test, pcn_ring_rx_consume(&rx, 3), -EPROTO);
}

static void credit_threshold(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, pcn_ring_credit_due(10, 9, N));
	KUNIT_EXPECT_TRUE(test, pcn_ring_credit_due(11, 9, N));
	KUNIT_EXPECT_TRUE(test, pcn_ring_credit_due(1, 0xffffffffU, N));
	KUNIT_EXPECT_TRUE(test, pcn_ring_credit_due(1, 0, 2));
}

/*
 * The slot of a sequence number at the u32 wrap: with a power of two the
 * slot after seq 0xffffffff is the next one round the ring, with an odd
 * count it is not (the mapping jumps), so such counts are refused.
 */
static void slots_at_sequence_wrap(struct kunit *test)
{
	const u32 last = 0xffffffffU;

	KUNIT_EXPECT_EQ(test, (last % N + 1) % N, 0U % N);
	/* 3 slots: seq 0xffffffff is slot 0, and so is seq 0 after it. */
	KUNIT_EXPECT_EQ(test, last % 3, 0U);
	KUNIT_EXPECT_NE(test, (last % 3 + 1) % 3, 0U % 3);
	KUNIT_EXPECT_FALSE(test, pcn_ring_slots_valid(3));
	KUNIT_EXPECT_FALSE(test, pcn_ring_slots_valid(96));
	KUNIT_EXPECT_FALSE(test, pcn_ring_slots_valid(1));
	KUNIT_EXPECT_FALSE(test, pcn_ring_slots_valid(0));
	KUNIT_EXPECT_FALSE(test, pcn_ring_slots_valid(2048));
	KUNIT_EXPECT_TRUE(test, pcn_ring_slots_valid(2));
	KUNIT_EXPECT_TRUE(test, pcn_ring_slots_valid(64));
	KUNIT_EXPECT_TRUE(test, pcn_ring_slots_valid(1024));
}

/* A receiver consuming in order across the wrap frees every slot once. */
static void consume_across_wrap(struct kunit *test)
{
	struct pcn_ring_rx rx;
	unsigned long done = 0;
	u32 seq;

	rx.nslots = N;
	rx.freed = 0xfffffffcU;
	rx.done = &done;
	for (seq = 0xfffffffcU; seq != 4; seq++)
		KUNIT_ASSERT_EQ(test, pcn_ring_rx_consume(&rx, seq % N), 1);
	KUNIT_EXPECT_EQ(test, rx.freed, 4U);
	KUNIT_EXPECT_EQ(test, done, 0UL);
}

static struct kunit_case pcn_ring_cases[] = {
	KUNIT_CASE(reserve_until_full),
	KUNIT_CASE(grant_releases),
	KUNIT_CASE(wrap_around),
	KUNIT_CASE(consume_out_of_order),
	KUNIT_CASE(consume_rejects_bad_slots),
	KUNIT_CASE(credit_threshold),
	KUNIT_CASE(slots_at_sequence_wrap),
	KUNIT_CASE(consume_across_wrap),
	{}
};

static struct kunit_suite pcn_ring_suite = {
	.name = "popcorn_ring",
	.test_cases = pcn_ring_cases,
};
kunit_test_suite(pcn_ring_suite);

MODULE_LICENSE("GPL");
