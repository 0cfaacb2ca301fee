// SPDX-License-Identifier: GPL-2.0
/*
 * What an operator sees, against what a scripted workload did: the counters
 * of `pcnctl stat --json`, `pcnctl proc --json` and `pcnctl node list
 * --json` (read with jq), and pcn-top's batch mode, while a thread of this
 * process runs at node 1.
 *
 * Counters are read before and after the workload on the node that counts
 * them; nothing else migrates or faults meanwhile, so every "at least N"
 * below is a real lower bound, and the migration counts are exact.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "popcorn.h"

#define ORIGIN		0
#define REMOTE		1
#define PAGES		64
#define PAGE		4096
#define OUT_MAX		(64 * 1024)

/* Run @cmd on node @nid (locally for 0) and return its output, or NULL. */
static char *node_run(int nid, const char *cmd)
{
	char *buf = malloc(OUT_MAX), full[512];
	size_t n = 0, got;
	FILE *f;

	if (!buf)
		return NULL;
	if (nid)
		snprintf(full, sizeof(full), "vc-exec %d '%s' 2>&1", nid, cmd);
	else
		snprintf(full, sizeof(full), "%s 2>&1", cmd);
	f = popen(full, "r");
	if (!f) {
		free(buf);
		return NULL;
	}
	while (n < OUT_MAX - 1 &&
	       (got = fread(buf + n, 1, OUT_MAX - 1 - n, f)) > 0)
		n += got;
	buf[n] = 0;
	if (pclose(f)) {
		fprintf(stderr, "# '%s' failed: %s\n", full, buf);
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * A number from `pcnctl ARGS` JSON on node @nid through the jq filter
 * @filter (null counts as 0), or -1 when pcnctl or jq fails.
 */
static long long jq_num(int nid, const char *args, const char *filter)
{
	char cmd[512], *out;
	long long v = -1;

	snprintf(cmd, sizeof(cmd), "pcnctl %s | jq -e \"%s // 0\"", args,
		 filter);
	out = node_run(nid, cmd);
	if (out && sscanf(out, "%lld", &v) != 1)
		v = -1;
	free(out);
	return v;
}

static long long stat_num(int nid, const char *filter)
{
	return jq_num(nid, "stat --json", filter);
}

/* A counter of this process in node @nid's `pcnctl proc --json`. */
static long long proc_num(int nid, const char *field)
{
	char filter[256];

	snprintf(filter, sizeof(filter),
		 "[.processes[] | select(.origin_pid == %d) | %s] | add",
		 getpid(), field);
	return jq_num(nid, "proc --json", filter);
}

static char *pages_new(void)
{
	char *p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == MAP_FAILED)
		return NULL;
	for (i = 0; i < PAGES; i++)
		memset(p + i * PAGE, i + 1, PAGE);
	return p;
}

TEST(json_parses_on_every_node)
{
	static const char * const cmds[] = {
		"pcnctl stat --json | jq -e \".faults.read.ok and .faults.write and .faults.upgrade and .migrations.forward and .migrations.home and (.inval_sent != null) and (.transport_errors != null)\"",
		"pcnctl proc --json | jq -e \".processes\"",
		"pcnctl node list --json | jq -e .",
	};
	int nodes = getenv("PCN_NODES") ? atoi(getenv("PCN_NODES")) : 2;
	unsigned int i;
	int nid;
	char *out;

	for (nid = 0; nid < nodes; nid++) {
		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			out = node_run(nid, cmds[i]);
			EXPECT_NE(NULL, out) TH_LOG("node %d: %s", nid, cmds[i]);
			free(out);
		}
	}
}

/*
 * N first reads at node 1 of pages the origin wrote, scattered (page
 * k * 19 mod 64: never next to one of the 4 reads before it, the streams
 * the kernel's read-ahead follows): N read faults there.
 */
TEST(read_faults_counted)
{
	long long fault0, fetch0, served0, in0, fault1, fetch1, served1, in1;
	long long proc_reads;
	volatile char *p = (volatile char *)pages_new();
	int i, bad = 0;

	ASSERT_NE(NULL, p);
	fault0 = stat_num(REMOTE, ".faults.read.ok");
	fetch0 = stat_num(REMOTE, ".page_fetches");
	served0 = stat_num(ORIGIN, ".page_served");
	in0 = jq_num(ORIGIN, "node list --json",
		     "[.. | objects | select(.id == 1) | .types.page_fetch.msgs_in] | add");
	ASSERT_LE(0, fault0);
	ASSERT_LE(0, fetch0);
	ASSERT_LE(0, served0);
	ASSERT_LE(0, in0);

	ASSERT_EQ(0, popcorn_migrate(REMOTE));
	for (i = 0; i < PAGES; i++) {
		int j = i * 19 % PAGES;

		bad += p[j * PAGE] != (char)(j + 1);
	}
	ASSERT_EQ(0, popcorn_migrate(ORIGIN));
	EXPECT_EQ(0, bad);

	fault1 = stat_num(REMOTE, ".faults.read.ok");
	fetch1 = stat_num(REMOTE, ".page_fetches");
	served1 = stat_num(ORIGIN, ".page_served");
	in1 = jq_num(ORIGIN, "node list --json",
		     "[.. | objects | select(.id == 1) | .types.page_fetch.msgs_in] | add");
	proc_reads = proc_num(REMOTE, ".faults.read.ok");
	EXPECT_LE(PAGES, fault1 - fault0);
	EXPECT_LE(PAGES, fetch1 - fetch0);
	EXPECT_LE(PAGES, served1 - served0);
	EXPECT_LE(PAGES, in1 - in0);
	/* Node 1's copy of this process counted them as its own. */
	EXPECT_LE(PAGES, proc_reads);
	munmap((void *)p, PAGES * PAGE);
}

/*
 * Node 1 reads, then writes N pages (N upgrades, each invalidating the
 * origin's copy); back home, the origin reads them again: N read faults at
 * the origin, each recalling node 1's exclusive copy.
 */
TEST(upgrade_and_recall_counted)
{
	long long up0, rd0, sent0, recv0, up1, rd1, sent1, recv1;
	volatile char *p = (volatile char *)pages_new();
	int i, bad = 0;

	ASSERT_NE(NULL, p);
	up0 = stat_num(REMOTE, ".faults.upgrade.ok");
	recv0 = stat_num(REMOTE, ".inval_recv");
	rd0 = stat_num(ORIGIN, ".faults.read.ok");
	sent0 = stat_num(ORIGIN, ".inval_sent");
	ASSERT_LE(0, up0);
	ASSERT_LE(0, recv0);
	ASSERT_LE(0, rd0);
	ASSERT_LE(0, sent0);

	ASSERT_EQ(0, popcorn_migrate(REMOTE));
	for (i = 0; i < PAGES; i++)
		bad += p[i * PAGE] != (char)(i + 1);
	for (i = 0; i < PAGES; i++)
		p[i * PAGE] = (char)(i + 2);
	ASSERT_EQ(0, popcorn_migrate(ORIGIN));
	for (i = 0; i < PAGES; i++)
		bad += p[i * PAGE] != (char)(i + 2);
	EXPECT_EQ(0, bad);

	up1 = stat_num(REMOTE, ".faults.upgrade.ok");
	recv1 = stat_num(REMOTE, ".inval_recv");
	rd1 = stat_num(ORIGIN, ".faults.read.ok");
	sent1 = stat_num(ORIGIN, ".inval_sent");
	EXPECT_LE(PAGES, up1 - up0);
	EXPECT_LE(PAGES, rd1 - rd0);
	EXPECT_LE(PAGES, sent1 - sent0);
	EXPECT_LE(PAGES, recv1 - recv0);
	munmap((void *)p, PAGES * PAGE);
}

/*
 * Node 1 reads, then writes N pages nobody ever had (memory it mapped
 * itself): the first read of one hands it the only copy, writable, with
 * the other unused pages of its 64-page block (counted at both ends), so
 * the reads make a fault or two, not N, and the writes no upgrade fault
 * (a read copy would cost N upgrades); back home, the origin reads what
 * node 1 wrote.
 */
TEST(fresh_pages_owned_on_first_read)
{
	long long up0, rd0, up1, rd1, granted0, granted1, mapped0, mapped1;
	volatile char *p;
	int i, bad = 0;

	up0 = stat_num(REMOTE, ".faults.upgrade.ok");
	rd0 = stat_num(REMOTE, ".faults.read.ok");
	granted0 = stat_num(ORIGIN, ".pages_granted");
	mapped0 = stat_num(REMOTE, ".granted_mapped");
	ASSERT_LE(0, up0);
	ASSERT_LE(0, rd0);
	ASSERT_LE(0, granted0);
	ASSERT_LE(0, mapped0);

	ASSERT_EQ(0, popcorn_migrate(REMOTE));
	p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		for (i = 0; i < PAGES; i++)
			bad += p[i * PAGE] != 0;
		for (i = 0; i < PAGES; i++)
			p[i * PAGE] = (char)(i + 3);
	}
	ASSERT_EQ(0, popcorn_migrate(ORIGIN));
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < PAGES; i++)
		bad += p[i * PAGE] != (char)(i + 3);
	EXPECT_EQ(0, bad);

	up1 = stat_num(REMOTE, ".faults.upgrade.ok");
	rd1 = stat_num(REMOTE, ".faults.read.ok");
	granted1 = stat_num(ORIGIN, ".pages_granted");
	mapped1 = stat_num(REMOTE, ".granted_mapped");
	/* N pages span two blocks at most; its stack and code fault too. */
	EXPECT_LE(1, rd1 - rd0);
	EXPECT_GT(PAGES / 4, rd1 - rd0) TH_LOG("%lld read faults", rd1 - rd0);
	EXPECT_LE(PAGES, granted1 - granted0);
	EXPECT_LE(PAGES - 2, mapped1 - mapped0);
	/* A few of the thread's other pages (its stack) may upgrade. */
	EXPECT_GT(PAGES / 4, up1 - up0) TH_LOG("%lld upgrades", up1 - up0);
	munmap((void *)p, PAGES * PAGE);
}

/* K round trips: exactly K forward at the origin, K home at node 1. */
TEST(migrations_counted)
{
	long long fw0, home0, fw1, home1, pout0, pout1;
	const int k = 5;
	int i;

	fw0 = stat_num(ORIGIN, ".migrations.forward.count");
	home0 = stat_num(REMOTE, ".migrations.home.count");
	pout0 = proc_num(ORIGIN, ".migrations_out");
	ASSERT_LE(0, fw0);
	ASSERT_LE(0, home0);
	for (i = 0; i < k; i++) {
		ASSERT_EQ(0, popcorn_migrate(REMOTE));
		ASSERT_EQ(0, popcorn_migrate(ORIGIN));
	}
	fw1 = stat_num(ORIGIN, ".migrations.forward.count");
	home1 = stat_num(REMOTE, ".migrations.home.count");
	pout1 = proc_num(ORIGIN, ".migrations_out");
	EXPECT_EQ(k, fw1 - fw0);
	EXPECT_EQ(k, home1 - home0);
	/* Each test runs in a fresh process: it starts from nothing. */
	EXPECT_EQ(0, pout0);
	EXPECT_EQ(k, pout1);
}

/* ---- pcn-top while a thread of ours runs at node 1 ---- */

struct visitor {
	volatile char *pages;
	pid_t tid;
	int err;
	atomic_int at_remote;	/* 1: pages written there; -1: failed */
	atomic_int may_leave;
};

static void *visitor_main(void *arg)
{
	struct visitor *v = arg;
	int i;

	v->tid = syscall(SYS_gettid);
	v->err = popcorn_migrate(REMOTE);
	if (v->err) {
		atomic_store(&v->at_remote, -1);
		return NULL;
	}
	for (i = 0; i < PAGES; i++)
		v->pages[i * PAGE] = (char)(i + 3);	/* write faults */
	atomic_store(&v->at_remote, 1);
	while (!atomic_load(&v->may_leave))
		usleep(10000);
	v->err = popcorn_migrate(ORIGIN);
	return NULL;
}

/* The value of column @col (0-based) of the first line starting @prefix. */
static long long top_col(const char *out, const char *prefix, int col)
{
	size_t len = strlen(prefix);
	const char *l = out;
	long long v = -1;
	char fmt[64];
	int i;

	while (l && *l) {
		if (!strncmp(l, prefix, len)) {
			strcpy(fmt, "");
			for (i = 0; i < col; i++)
				strcat(fmt, "%*s ");
			strcat(fmt, "%lld");
			if (sscanf(l, fmt, &v) != 1)
				v = -1;
			return v;
		}
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return -1;
}

/* Is there a line that starts with @text (@whole: that is @text)? */
static int find_line(const char *out, const char *text, int whole)
{
	size_t len = strlen(text);
	const char *l = out;

	while (l && *l) {
		if (!strncmp(l, text, len) &&
		    (!whole || l[len] == '\n' || l[len] == 0))
			return 1;
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return 0;
}

static int has_line(const char *out, const char *line)
{
	return find_line(out, line, 1);
}

static int has_prefix(const char *out, const char *prefix)
{
	return find_line(out, prefix, 0);
}

TEST(pcn_top_batch_sees_the_remote_thread)
{
	struct visitor v = { 0 };
	char line[128], *top0, *top1;
	pthread_t t;
	int i, bad = 0;

	v.pages = (volatile char *)pages_new();
	ASSERT_NE(NULL, v.pages);
	ASSERT_EQ(0, pthread_create(&t, NULL, visitor_main, &v));
	while (!atomic_load(&v.at_remote))
		usleep(10000);
	if (atomic_load(&v.at_remote) < 0) {
		pthread_join(t, NULL);
		ASSERT_EQ(0, v.err);
	}
	/* Node 1 owns the pages now: reading them here recalls each one. */
	for (i = 0; i < PAGES; i++)
		bad += v.pages[i * PAGE] != (char)(i + 3);

	top0 = node_run(ORIGIN, "pcn-top -b -n 2 -d 1");
	top1 = node_run(REMOTE, "pcn-top -b -n 2 -d 1");
	atomic_store(&v.may_leave, 1);
	pthread_join(t, NULL);
	EXPECT_EQ(0, v.err);
	EXPECT_EQ(0, bad);
	ASSERT_NE(NULL, top0);
	ASSERT_NE(NULL, top1);

	/* Two snapshots, each with every section. */
	EXPECT_TRUE(has_prefix(top0, "pcn-top: node 0, snapshot 2 of 2"))
		TH_LOG("node 0:\n%s", top0);
	EXPECT_TRUE(has_line(top0, "NODES"));
	EXPECT_TRUE(has_line(top0, "FAULTS"));
	EXPECT_TRUE(has_line(top0, "PROCESSES"));
	/* Both nodes: this one, and node 1 online, from either side. */
	EXPECT_TRUE(has_prefix(top0, "0 self "));
	EXPECT_TRUE(has_prefix(top0, "1 online "));
	EXPECT_TRUE(has_prefix(top1, "0 online ")) TH_LOG("node 1:\n%s", top1);
	EXPECT_TRUE(has_prefix(top1, "1 self "));
	/* Faults: the origin's recalls, node 1's write faults (TOTAL). */
	EXPECT_LE(PAGES, top_col(top0, "read ", 1));
	EXPECT_LE(PAGES, top_col(top1, "write ", 1));
	/* The visitor, on node 1, as both nodes see it. */
	snprintf(line, sizeof(line), "THREAD %d 1 %d", v.tid, getpid());
	EXPECT_TRUE(has_line(top0, line)) TH_LOG("no '%s' in:\n%s", line, top0);
	snprintf(line, sizeof(line), "THREAD %d 1 ", v.tid);
	EXPECT_TRUE(has_prefix(top1, line)) TH_LOG("no '%s' in:\n%s", line, top1);
	free(top0);
	free(top1);
	munmap((void *)v.pages, PAGES * PAGE);
}

TEST_HARNESS_MAIN
