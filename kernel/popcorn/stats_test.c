// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the latency histograms (stats.c): the log2 bucket of a
 * latency, as pcnctl and pcn-top read percentiles back from them.
 */
#include <kunit/test.h>
#include "stats.h"

static u64 bucket_of(u64 ns)
{
	struct pcn_lat_hist h = { };
	u64 i;

	pcn_lat_hist_add(&h, ns);
	for (i = 0; i < PCN_LAT_BUCKETS; i++)
		if (atomic64_read(&h.bucket[i]))
			return i;
	return U64_MAX;
}

static void hist_small(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, bucket_of(0), 0ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(1), 0ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(2), 1ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(3), 1ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(4), 2ULL);
}

/* Bucket i holds [2^i, 2^(i+1)): both edges of a microsecond-ish one. */
static void hist_edges(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, bucket_of(1023), 9ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(1024), 10ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(2047), 10ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(1000000), 19ULL);	/* 1 ms */
}

/* Everything past the last bucket's start lands in it, never beyond. */
static void hist_overflow(struct kunit *test)
{
	u64 last = PCN_LAT_BUCKETS - 1;

	KUNIT_EXPECT_EQ(test, bucket_of(1ULL << last), last);
	KUNIT_EXPECT_EQ(test, bucket_of(1ULL << (last + 3)), last);
	KUNIT_EXPECT_EQ(test, bucket_of(U64_MAX), last);
}

static void hist_counts(struct kunit *test)
{
	struct pcn_lat_hist h = { };
	int i;

	for (i = 0; i < 5; i++)
		pcn_lat_hist_add(&h, 3000);
	pcn_lat_hist_add(&h, 100);
	KUNIT_EXPECT_EQ(test, atomic64_read(&h.bucket[11]), 5LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&h.bucket[6]), 1LL);
}

static struct kunit_case pcn_stats_cases[] = {
	KUNIT_CASE(hist_small),
	KUNIT_CASE(hist_edges),
	KUNIT_CASE(hist_overflow),
	KUNIT_CASE(hist_counts),
	{}
};

static struct kunit_suite pcn_stats_suite = {
	.name = "popcorn_stats",
	.test_cases = pcn_stats_cases,
};
kunit_test_suite(pcn_stats_suite);
