// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the latency histograms (stats.c): the log2 bucket of a
 * latency, as pcnctl and pcn-top read percentiles back from them, and the
 * per-CPU histogram summed back exactly.
 */
#include <kunit/test.h>
#include <linux/percpu.h>
#include "stats.h"

/* A zeroed per-CPU histogram, u64[PCN_LAT_BUCKETS] on every CPU. */
static u64 __percpu *hist_new(struct kunit *test)
{
	u64 __percpu *h = __alloc_percpu(sizeof(u64) * PCN_LAT_BUCKETS,
					 __alignof__(u64));

	KUNIT_ASSERT_TRUE(test, h != NULL);
	return h;
}

/* The one bucket a single latency of @ns lands in, U64_MAX if none. */
static u64 bucket_of(struct kunit *test, u64 ns)
{
	u64 __percpu *h = hist_new(test);
	u64 i, found = U64_MAX;

	pcn_lat_hist_add(h, ns);
	for (i = 0; i < PCN_LAT_BUCKETS; i++) {
		if (pcn_lat_hist_read(h, i)) {
			found = i;
			break;
		}
	}
	free_percpu(h);
	KUNIT_EXPECT_EQ(test, found, (u64)pcn_lat_bucket(ns));
	return found;
}

static void hist_small(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, bucket_of(test, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(test, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(test, 2), 1ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(test, 3), 1ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(test, 4), 2ULL);
}

/* Bucket i holds [2^i, 2^(i+1)): both edges of a microsecond-ish one. */
static void hist_edges(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, bucket_of(test, 1023), 9ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(test, 1024), 10ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(test, 2047), 10ULL);
	KUNIT_EXPECT_EQ(test, bucket_of(test, 1000000), 19ULL);	/* 1 ms */
}

/* Everything past the last bucket's start lands in it, never beyond. */
static void hist_overflow(struct kunit *test)
{
	u64 last = PCN_LAT_BUCKETS - 1;

	KUNIT_EXPECT_EQ(test, bucket_of(test, 1ULL << last), last);
	KUNIT_EXPECT_EQ(test, bucket_of(test, 1ULL << (last + 3)), last);
	KUNIT_EXPECT_EQ(test, bucket_of(test, U64_MAX), last);
}

static void hist_counts(struct kunit *test)
{
	u64 __percpu *h = hist_new(test);
	int i;

	for (i = 0; i < 5; i++)
		pcn_lat_hist_add(h, 3000);
	pcn_lat_hist_add(h, 100);
	KUNIT_EXPECT_EQ(test, pcn_lat_hist_read(h, 11), 5ULL);
	KUNIT_EXPECT_EQ(test, pcn_lat_hist_read(h, 6), 1ULL);
	KUNIT_EXPECT_EQ(test, pcn_lat_hist_read(h, 12), 0ULL);
	free_percpu(h);
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
