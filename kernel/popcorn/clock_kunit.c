// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what clocks a peer's MIGRATE may carry (clock.c): any
 * pair a node's clocks can have, none that would overflow the time
 * namespace they become, or a boot time behind the monotonic time.
 */
#include <kunit/test.h>
#include <linux/ktime.h>
#include "internal.h"
#include "process.h"

#define HALF	((u64)KTIME_MAX / 2)

static void clock_good(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, pcn_clock_valid(0, 0));
	KUNIT_EXPECT_TRUE(test, pcn_clock_valid(5 * NSEC_PER_SEC,
						5 * NSEC_PER_SEC));
	/* Suspended for a day: boot time ahead of monotonic. */
	KUNIT_EXPECT_TRUE(test, pcn_clock_valid(NSEC_PER_SEC,
						86400 * NSEC_PER_SEC));
	KUNIT_EXPECT_TRUE(test, pcn_clock_valid(HALF, HALF));
}

static void clock_bad(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, pcn_clock_valid(HALF + 1, HALF + 1));
	KUNIT_EXPECT_FALSE(test, pcn_clock_valid(0, HALF + 1));
	KUNIT_EXPECT_FALSE(test, pcn_clock_valid(U64_MAX, U64_MAX));
	/* A negative clock, as a peer might mean it. */
	KUNIT_EXPECT_FALSE(test, pcn_clock_valid((u64)-1LL, 0));
	/* Boot time never runs behind monotonic time. */
	KUNIT_EXPECT_FALSE(test, pcn_clock_valid(2 * NSEC_PER_SEC,
						 NSEC_PER_SEC));
}

static struct kunit_case pcn_clock_cases[] = {
	KUNIT_CASE(clock_good),
	KUNIT_CASE(clock_bad),
	{}
};

static struct kunit_suite pcn_clock_suite = {
	.name = "popcorn_clock",
	.test_cases = pcn_clock_cases,
};
kunit_test_suite(pcn_clock_suite);
