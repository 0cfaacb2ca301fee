// SPDX-License-Identifier: GPL-2.0
/*
 * libpopcorn's control calls (lib/control.c): popcorn_place() and
 * popcorn_move_thread() do what pcnctl place and pcnctl migrate do, from
 * a program, and the kernel's checks of PLACE that pcnctl refuses before
 * asking (a node given twice, an id out of range, an unknown mode) answer
 * with the right errno. Runs at node 0 with node 1 online (test_run.sh).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "popcorn.h"

static void *where(void *arg)
{
	*(int *)arg = popcorn_getnid();
	return NULL;
}

/* The node a thread created now starts on. */
static int new_thread_node(void)
{
	pthread_t t;
	int nid = -2;

	if (pthread_create(&t, NULL, where, &nid))
		return -3;
	pthread_join(t, NULL);
	return nid;
}

TEST(place_spread_then_none)
{
	const int nodes[] = { 0, 1 };

	ASSERT_EQ(0, popcorn_place(0, PCN_PLACE_SPREAD, nodes, 2));
	EXPECT_EQ(1, new_thread_node());
	EXPECT_EQ(0, new_thread_node());
	ASSERT_EQ(0, popcorn_place(0, PCN_PLACE_NONE, NULL, 0));
	EXPECT_EQ(0, new_thread_node());
	EXPECT_EQ(0, new_thread_node());
}

TEST(place_refused)
{
	const int twice[] = { 1, 1 }, far[] = { 0, 31 }, big[] = { 0, 40 };
	const int one[] = { 1 };

	EXPECT_EQ(-1, popcorn_place(0, PCN_PLACE_SPREAD, twice, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, popcorn_place(0, PCN_PLACE_SPREAD, big, 2));
	EXPECT_EQ(EINVAL, errno);
	/* In range, but not configured. */
	EXPECT_EQ(-1, popcorn_place(0, PCN_PLACE_SPREAD, far, 2));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, popcorn_place(0, PCN_PLACE_NONE, one, 1));
	EXPECT_EQ(EINVAL, errno);
	/* An unknown mode: the netlink policy's range check. */
	EXPECT_EQ(-1, popcorn_place(0, 7, NULL, 0));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, popcorn_place(999999, PCN_PLACE_NONE, NULL, 0));
	EXPECT_EQ(ESRCH, errno);
	/* Nothing changed: new threads start here. */
	EXPECT_EQ(0, new_thread_node());
}

static atomic_int spin_nid = -1, spin_stop;
static atomic_int spin_tid;

static void *spinner(void *arg)
{
	(void)arg;
	spin_tid = gettid();
	while (!spin_stop)
		spin_nid = popcorn_getnid();
	return NULL;
}

/* Waits up to 10 s for the spinner to report node @nid. */
static int spinner_on(int nid)
{
	int i;

	for (i = 0; i < 1000 && spin_nid != nid; i++)
		usleep(10000);
	return spin_nid == nid;
}

TEST(move_thread_there_and_back)
{
	pthread_t t;
	pid_t child;
	int status;

	ASSERT_EQ(0, pthread_create(&t, NULL, spinner, NULL));
	ASSERT_TRUE(spinner_on(0));
	EXPECT_EQ(0, popcorn_move_thread(spin_tid, 1, 5000));
	EXPECT_TRUE(spinner_on(1));
	/* Already there: not an error. */
	EXPECT_EQ(0, popcorn_move_thread(spin_tid, 1, 5000));

	/* Another user may not move it. */
	child = fork();
	ASSERT_GE(child, 0);
	if (!child) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(popcorn_move_thread(spin_tid, 0, 0) == -1 &&
		      errno == EPERM ? 0 : 1);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	EXPECT_EQ(0, popcorn_move_thread(spin_tid, 0, 5000));
	EXPECT_TRUE(spinner_on(0));
	spin_stop = 1;
	pthread_join(t, NULL);
}

TEST(move_refused)
{
	EXPECT_EQ(-1, popcorn_move_thread(999999, 1, 0));
	EXPECT_EQ(ESRCH, errno);
	EXPECT_EQ(-1, popcorn_move_thread(gettid(), 40, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, popcorn_move_thread(0, 1, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
