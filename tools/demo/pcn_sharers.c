// SPDX-License-Identifier: GPL-2.0
/*
 * pcn_sharers: the cost of a write at the origin to pages that K other
 * nodes hold read-only copies of (bench/fault-sharers).
 *
 *   pcn_sharers --sharers K [--pages N]
 *
 * Node 0 fills N pages (default 256), so that it owns them. K threads are
 * created, and one after the other thread j migrates to node j+1 and reads
 * every page there: each of nodes 1..K then holds a read-only copy of each
 * page, and the origin's own mapping is write-protected. With the K copies
 * in place, the main thread writes one word to each page in turn at node 0,
 * timing each store alone: each write faults and the origin invalidates the
 * K copies, all at once, and waits for every acknowledgement. The threads
 * are then released: each checks at its node that its copies are gone (it
 * reads what node 0 wrote, not its old copy), migrates back to node 0,
 * checks again and is joined.
 *
 * K = 0 is the floor: no thread, and the first write to fresh anonymous
 * pages at node 0 (an ordinary fault: a zeroed page, no message).
 *
 * Prints "key value" lines like pcn_demo --bench, in microseconds:
 *   write_fault_k<K>_us       median over the N writes
 *   write_fault_k<K>_us_p99   99th percentile
 *
 * Run at node 0 from a path every node has (in the vcluster: /mnt/host,
 * --share): the threads map the program's text from that path.
 *
 * Exit status: 0 all data verified; 1 a check or a call failed; 2 usage;
 * 3 a thread stranded at a remote node (popcorn_migrate(0) failed there).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "popcorn.h"

#define __noreturn	__attribute__((noreturn))
#define __aligned(x)	__attribute__((aligned(x)))

#define ORIGIN		0
#define MAX_SHARERS	(POPCORN_MAX_NODES - 1)
#define DEFAULT_PAGES	256
#define MAX_PAGES	65536
#define PAGE_ALIGN	4096
#define GOLDEN		0x9e3779b97f4a7c15ull
#define SEED_OLD	0x0a0a0a0a0a0a0a0aull
#define SEED_NEW	0xb0b0b0b0b0b0b0b0ull
#define POLL_NS		2000000		/* 2 ms between looks at a flag */
#define READY_LIMIT_S	600		/* a thread's trip out and its reads */
#define EXIT_STRANDED	3

/* From the main thread to a sharer thread. */
enum { CMD_WAIT, CMD_GO, CMD_HOME };
/* From a sharer thread to the main thread. */
enum { ST_IDLE, ST_READY, ST_DONE, ST_FAILED };

/*
 * One sharer thread. Page-aligned, one page each (the mapping is per
 * thread): a thread's flags share a page with nobody else's, so setting
 * them up and releasing the threads moves no other page around.
 */
struct sharer {
	pthread_t thread;
	int nid;		/* where it goes */
	int cmd;		/* CMD_*, written by the main thread */
	int state;		/* ST_*, written by the thread */
	int where;		/* popcorn_getnid() once it arrived */
	int err;		/* errno of the call that failed */
	const char *what;	/* that call */
	size_t bad_first;	/* wrong words in its first reads, out there */
	size_t bad_remote;	/* the same after the writes, still out there */
	size_t bad_home;	/* and back at node 0 */
} __aligned(PAGE_ALIGN);

static long page_size;
static size_t npages;
static uint64_t *pages;		/* npages pages, the shared data */

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* Only ever called at node 0, before any thread has left. */
static void __noreturn die(const char *what)
{
	fprintf(stderr, "pcn_sharers: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* This node's CLOCK_MONOTONIC in microseconds. */
static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/*
 * Sleep between two looks at a flag rather than spin: every guest has one
 * vCPU and the host fewer cores than guests. A thread spinning at node j
 * would hold off node j's kernel worker that answers the invalidation, and
 * take host CPU from node 0 while it is timing; asleep it costs nothing,
 * and its read-only copy of its flag's page stays put until node 0 writes.
 */
static void poll_pause(void)
{
	struct timespec ts = { 0, POLL_NS };

	nanosleep(&ts, NULL);
}

static int load_flag(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Release: what was written before the flag is seen before it. */
static void set_flag(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* The word at @w of page @i: before (SEED_OLD) and after the timed writes. */
static uint64_t pattern(size_t i, size_t w, uint64_t seed)
{
	return (i * (page_size / sizeof(uint64_t)) + w + 1) * GOLDEN ^ seed;
}

static void *map_pages(size_t n)
{
	void *p = mmap(NULL, n * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	/*
	 * One fault per 4 KiB page is what is measured. Without
	 * CONFIG_TRANSPARENT_HUGEPAGE this fails with EINVAL: nothing to do.
	 */
	madvise(p, n * page_size, MADV_NOHUGEPAGE);
	return p;
}

/*
 * Words of the shared pages that differ from what they should hold: the
 * fill pattern, and with @written, word 0 of every page as the timed write
 * left it. Reading page i faults it in at a remote: a copy from node 0.
 */
static size_t check_pages(bool written)
{
	size_t words = page_size / sizeof(uint64_t), i, w, bad = 0;
	const volatile uint64_t *p;

	for (i = 0; i < npages; i++) {
		p = pages + i * words;
		if (p[0] != pattern(i, 0, written ? SEED_NEW : SEED_OLD))
			bad++;
		for (w = 1; w < words; w++)
			bad += p[w] != pattern(i, w, SEED_OLD);
	}
	return bad;
}

/* ------------------------------------------------------------------ */
/* The sharer threads                                                 */
/* ------------------------------------------------------------------ */

/* Until the main thread says something other than @now. */
static int wait_cmd(struct sharer *s, int now)
{
	int cmd;

	while ((cmd = load_flag(&s->cmd)) == now)
		poll_pause();
	return cmd;
}

/*
 * Node 0 until told to go; node j+1 until told to come home. Out there it
 * makes no system call but nanosleep and popcorn_migrate: the process has
 * no open files at a remote node, and errors are reported from node 0.
 */
static void *sharer_main(void *arg)
{
	struct sharer *s = arg;

	if (wait_cmd(s, CMD_WAIT) != CMD_GO)
		goto out;		/* another thread failed first */
	if (popcorn_migrate(s->nid)) {
		s->err = errno;
		s->what = "popcorn_migrate";
		set_flag(&s->state, ST_FAILED);
		return NULL;
	}
	s->where = popcorn_getnid();
	s->bad_first = check_pages(false);
	set_flag(&s->state, ST_READY);

	wait_cmd(s, CMD_GO);
	/* Node 0 has written every page since: our copies must be gone. */
	s->bad_remote = check_pages(true);
	if (popcorn_migrate(ORIGIN))
		_exit(EXIT_STRANDED);
	s->bad_home = check_pages(true);
out:
	set_flag(&s->state, ST_DONE);
	return NULL;
}

/*
 * Send thread @s out and wait until it holds its copies. False when it
 * could not go; the end of the process when it did not report within
 * READY_LIMIT_S.
 */
static bool send_out(struct sharer *s)
{
	double limit = now_us() + READY_LIMIT_S * 1e6;
	int st;

	set_flag(&s->cmd, CMD_GO);
	while ((st = load_flag(&s->state)) == ST_IDLE) {
		if (now_us() > limit) {
			/* Stuck, maybe in a kernel: exit_group ends it there. */
			fprintf(stderr, "pcn_sharers: thread for node %d: not ready after %d s\n",
				s->nid, READY_LIMIT_S);
			exit(1);
		}
		poll_pause();
	}
	if (st == ST_READY)
		return true;
	fprintf(stderr, "pcn_sharers: thread for node %d: %s: %s\n", s->nid,
		s->what, strerror(s->err));
	return false;
}

/* ------------------------------------------------------------------ */
/* The measurement                                                    */
/* ------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* "KEY median" and "KEY_p99 p99" of @v (sorted here); as pcn_demo. */
static void print_stat(const char *key, double *v, size_t n)
{
	double med;
	size_t p99;

	qsort(v, n, sizeof(*v), cmp_double);
	med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	p99 = (n * 99 + 99) / 100 - 1;		/* ceil(0.99 n) - 1 */
	printf("%s %.1f\n%s_p99 %.1f\n", key, med, key, v[p99]);
}

/*
 * One store to word 0 of each of the @n pages at @base, timed apiece
 * (volatile: one store per page, exactly between the clock reads).
 */
static void time_writes(uint64_t *base, size_t n, double *us)
{
	size_t words = page_size / sizeof(uint64_t), i;
	volatile uint64_t *p = base;
	double t0;

	for (i = 0; i < n; i++) {
		t0 = now_us();
		asm volatile("" ::: "memory");
		p[i * words] = pattern(i, 0, SEED_NEW);
		asm volatile("" ::: "memory");
		us[i] = now_us() - t0;
	}
}

/* At node 0, before anything: are nodes 1..@k there to go to? */
static bool check_cluster(int k)
{
	struct popcorn_node_info ni[POPCORN_MAX_NODES];
	int me, j;

	if (popcorn_get_node_info(&me, ni)) {
		fprintf(stderr, "pcn_sharers: popcorn_get_node_info: %s (is this a Popcorn kernel?)\n",
			strerror(errno));
		return false;
	}
	if (me != ORIGIN) {
		fprintf(stderr, "pcn_sharers: this is node %d: run me at node %d\n",
			me, ORIGIN);
		return false;
	}
	for (j = 1; j <= k; j++) {
		if (ni[j].status != POPCORN_NODE_ONLINE) {
			fprintf(stderr, "pcn_sharers: node %d is not online (pcnctl node list)\n",
				j);
			return false;
		}
	}
	return true;
}

static int run(int k)
{
	size_t words = page_size / sizeof(uint64_t), bad, i, w;
	size_t spages = (npages * sizeof(double) + page_size - 1) / page_size;
	struct sharer *sh = NULL;
	bool ok = true;
	char key[32];
	double *us;
	void *warm;
	int j, err;

	if (!check_cluster(k))
		return 1;
	/*
	 * Samples on pages of their own; they, the timing code and the
	 * vDSO's pages fault in now, before the clock runs.
	 */
	us = map_pages(spages);
	memset(us, 0, spages * page_size);
	warm = map_pages(1);
	time_writes(warm, 1, us);
	pages = map_pages(npages);
	if (k) {
		for (i = 0; i < npages; i++)	/* node 0 owns every page */
			for (w = 0; w < words; w++)
				pages[i * words + w] = pattern(i, w, SEED_OLD);
		sh = map_pages((k * sizeof(*sh) + page_size - 1) / page_size);
		memset(sh, 0, k * sizeof(*sh));
	}

	/*
	 * Every thread exists before the first one leaves: the clones are
	 * plain local ones, and no thread's creation touches the pages of
	 * one that is out.
	 */
	for (j = 0; j < k; j++) {
		sh[j].nid = j + 1;
		err = pthread_create(&sh[j].thread, NULL, sharer_main, &sh[j]);
		if (err) {
			errno = err;
			die("pthread_create");
		}
	}
	/* One trip out at a time: the setup is not what is measured. */
	for (j = 0; j < k && ok; j++)
		ok = send_out(&sh[j]);

	if (ok)
		time_writes(pages, npages, us);

	/* Home, every thread: those out there and those that never left. */
	for (j = 0; j < k; j++)
		set_flag(&sh[j].cmd, CMD_HOME);
	for (j = 0; j < k; j++)
		pthread_join(sh[j].thread, NULL);
	if (!ok)
		return 1;

	for (j = 0; j < k; j++) {
		struct sharer *s = &sh[j];

		if (s->where != s->nid) {
			fprintf(stderr, "pcn_sharers: thread for node %d ran at node %d\n",
				s->nid, s->where);
			ok = false;
		}
		if (s->bad_first || s->bad_remote || s->bad_home) {
			fprintf(stderr, "pcn_sharers: node %d saw wrong data: %zu words in its first copies, %zu after node 0's writes (a stale copy?), %zu back at node 0\n",
				s->nid, s->bad_first, s->bad_remote, s->bad_home);
			ok = false;
		}
	}
	if (!k) {
		/* Fresh pages: what was written, and zeros. */
		for (i = 0, bad = 0; i < npages; i++) {
			bad += pages[i * words] != pattern(i, 0, SEED_NEW);
			for (w = 1; w < words; w++)
				bad += pages[i * words + w] != 0;
		}
	} else {
		bad = check_pages(true);
	}
	if (bad) {
		fprintf(stderr, "pcn_sharers: %zu wrong words at node 0\n", bad);
		ok = false;
	}
	if (!ok)
		return 1;

	printf("sharers %d\npages %zu\n", k, npages);
	snprintf(key, sizeof(key), "write_fault_k%d_us", k);
	print_stat(key, us, npages);
	fflush(stdout);
	return 0;
}

static void __noreturn print_usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: pcn_sharers --sharers K [--pages N]\n"
		"  K threads migrate to nodes 1..K (K <= %d) and read N pages\n"
		"  (default %d) that node 0 wrote; node 0 then writes each page\n"
		"  once, timed: write_fault_k<K>_us, median and p99, microseconds.\n"
		"  K = 0: first writes to fresh pages at node 0, no other node.\n"
		"Run at node 0, from a path that nodes 1..K have too.\n"
		"Exit status: 0 verified, 1 failure, 2 usage, 3 stranded at a remote.\n",
		MAX_SHARERS, DEFAULT_PAGES);
	exit(status);
}

static long number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		print_usage(2);
	return v;
}

int main(int argc, char **argv)
{
	long k = -1;
	int i;

	page_size = sysconf(_SC_PAGESIZE);
	npages = DEFAULT_PAGES;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			print_usage(0);
		if (i + 1 == argc)
			print_usage(2);
		if (!strcmp(argv[i], "--sharers"))
			k = number(argv[++i], 0, MAX_SHARERS);
		else if (!strcmp(argv[i], "--pages"))
			npages = number(argv[++i], 1, MAX_PAGES);
		else
			print_usage(2);
	}
	if (k < 0)
		print_usage(2);
	return run(k);
}
