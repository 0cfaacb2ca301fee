// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the latency histograms (stats.c): the log2 bucket of a
 * latency, as pcnctl and pcn-top read percentiles back from them, and the
 * per-CPU histogram summed back exactly; and the check of a peer's
 * STAT_REPLY.
 */
#include <kunit/test.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include "internal.h"
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

/* This node's own snapshot passes; each malformed shape is refused. */
static void stat_reply_shapes(struct kunit *test)
{
	size_t size = pcn_stat_reply_size();
	struct pcn_stat_reply *r = kunit_kzalloc(test, size + 64, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, r != NULL);
	pcn_stats_snapshot(r);
	KUNIT_EXPECT_EQ(test, r->ntypes, (u16)PCN_KMSG_TYPE_MAX);
	KUNIT_EXPECT_GT(test, r->cpus, 0U);
	KUNIT_EXPECT_EQ(test, pcn_stat_reply_check(r, size), 0);
	/* Too short for the fixed part, for its types, or longer. */
	KUNIT_EXPECT_EQ(test, pcn_stat_reply_check(r, sizeof(*r) - 1), -EPROTO);
	KUNIT_EXPECT_EQ(test, pcn_stat_reply_check(r, size - 1), -EPROTO);
	KUNIT_EXPECT_EQ(test, pcn_stat_reply_check(r, size + 32), -EPROTO);
	/* Another type table (another protocol), and the size to match it. */
	r->ntypes++;
	KUNIT_EXPECT_EQ(test, pcn_stat_reply_check(r, size + 32), -EPROTO);
	r->ntypes = 0;
	KUNIT_EXPECT_EQ(test, pcn_stat_reply_check(r, sizeof(*r)), -EPROTO);
	r->ntypes = PCN_KMSG_TYPE_MAX;
	r->status = -EIO;
	KUNIT_EXPECT_EQ(test, pcn_stat_reply_check(r, size), -EPROTO);
	r->status = 0;
	r->reserved = 1;
	KUNIT_EXPECT_EQ(test, pcn_stat_reply_check(r, size), -EPROTO);
}

/* A THREADS_REPLY's shape: counts, sizes, ids, reserved bytes. */
static void threads_reply_shapes(struct kunit *test)
{
	size_t two = struct_size_t(struct pcn_threads_reply, threads, 2);
	struct pcn_threads_reply *r = kunit_kzalloc(test, two, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, r != NULL);
	r->count = 2;
	r->threads[0].origin_tid = 100;
	r->threads[1].origin_tid = 101;
	KUNIT_EXPECT_EQ(test, pcn_threads_reply_check(r, two), 0);
	KUNIT_EXPECT_EQ(test, pcn_threads_reply_check(r, two - 1), -EPROTO);
	KUNIT_EXPECT_EQ(test, pcn_threads_reply_check(r, sizeof(*r) - 1),
			-EPROTO);
	r->count = 3;		/* more than the payload holds */
	KUNIT_EXPECT_EQ(test, pcn_threads_reply_check(r, two), -EPROTO);
	r->count = 2;
	r->threads[1].origin_tid = 0;
	KUNIT_EXPECT_EQ(test, pcn_threads_reply_check(r, two), -EPROTO);
	r->threads[1].origin_tid = 101;
	r->threads[1].reserved = 1;
	KUNIT_EXPECT_EQ(test, pcn_threads_reply_check(r, two), -EPROTO);
	r->threads[1].reserved = 0;
	r->truncated = 2;
	KUNIT_EXPECT_EQ(test, pcn_threads_reply_check(r, two), -EPROTO);
	r->truncated = 1;
	KUNIT_EXPECT_EQ(test, pcn_threads_reply_check(r, two), 0);
	/* -ESRCH carries no threads; other statuses are not answers. */
	r->status = -ESRCH;
	KUNIT_EXPECT_EQ(test, pcn_threads_reply_check(r, two), -EPROTO);
	r->count = 0;
	r->truncated = 0;
	KUNIT_EXPECT_EQ(test, pcn_threads_reply_check(r, sizeof(*r)), 0);
	r->status = -EIO;
	KUNIT_EXPECT_EQ(test, pcn_threads_reply_check(r, sizeof(*r)), -EPROTO);
}

static struct kunit_case pcn_stats_cases[] = {
	KUNIT_CASE(hist_small),
	KUNIT_CASE(hist_edges),
	KUNIT_CASE(hist_overflow),
	KUNIT_CASE(hist_counts),
	KUNIT_CASE(stat_reply_shapes),
	KUNIT_CASE(threads_reply_shapes),
	{}
};

static struct kunit_suite pcn_stats_suite = {
	.name = "popcorn_stats",
	.test_cases = pcn_stats_cases,
};
kunit_test_suite(pcn_stats_suite);
