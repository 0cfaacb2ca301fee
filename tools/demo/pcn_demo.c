// SPDX-License-Identifier: GPL-2.0
/*
 * pcn_demo: a thread migrates from node 0 to node 1 and back while it works
 * on 16 MiB of data, and tells what happens on the way.
 *
 *   pcn_demo                  the story, for people; run it at node 0
 *
 * The measurements of faults and migrations are bench/pcn_faultbench's.
 *
 * Node 1 maps the program's text from the path it has at node 0: run it
 * from a path that both nodes have (in the vcluster: /mnt/host, --share).
 *
 * At node 1 the thread's system calls run in node 1's kernel, where the
 * process has no open files: what it says there is kept in memory and
 * printed as soon as it is back at node 0.
 *
 * The CLOCK_MONOTONIC of node 0 and that of node 1 are different clocks:
 * times are taken on one node each. The migrations' cost is node 0's round
 * trip less the time the thread spent at node 1.
 *
 * Exit status: 0 all data verified; 1 a check or a call failed; 2 usage;
 * 3 stranded at node 1: popcorn_migrate(0) failed there (nothing printed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "popcorn.h"

#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define __noreturn	__attribute__((noreturn))

#define ORIGIN		0
#define REMOTE		1
#define DEMO_PAGES	4096		/* 16 MiB of 4 KiB pages */
#define GOLDEN		0x9e3779b97f4a7c15ull
#define SEED_A		0x0a0a0a0a0a0a0a0aull
#define SEED_B		0xb0b0b0b0b0b0b0b0ull
#define EXIT_STRANDED	3
#define LINE_SIZE	512
#define PENDING_SIZE	8192

static long page_size;
static int away;			/* the thread runs at node 1 */
static char pending[PENDING_SIZE];	/* what it said there */
static size_t pending_len;

/* ------------------------------------------------------------------ */
/* Saying things, from either node                                    */
/* ------------------------------------------------------------------ */

static void flush_pending(void)
{
	fwrite(pending, 1, pending_len, stdout);
	pending_len = 0;
	fflush(stdout);
}

static void vsay(const char *fmt, va_list ap)
{
	char line[LINE_SIZE];
	size_t n;

	n = snprintf(line, sizeof(line), "[node %d tid %d] ",
		     popcorn_getnid(), gettid());
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (!away) {
		flush_pending();
		puts(line);
		fflush(stdout);
		return;
	}
	/* No stdio at node 1: into memory, out when back at node 0. */
	n = strlen(line);
	if (pending_len + n + 1 <= sizeof(pending)) {
		memcpy(pending + pending_len, line, n);
		pending_len += n;
		pending[pending_len++] = '\n';
	}
}

static void __printf(1, 2) say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

/* Report an error; from node 1, go home first to be able to print it. */
static void __noreturn __printf(1, 2) die(const char *fmt, ...)
{
	char msg[LINE_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("error: %s", msg);
	if (away) {
		if (popcorn_migrate(ORIGIN))
			_exit(EXIT_STRANDED);
		away = 0;
	}
	flush_pending();
	exit(1);
}

/* ------------------------------------------------------------------ */
/* Clocks, faults, data                                               */
/* ------------------------------------------------------------------ */

/* This node's CLOCK_MONOTONIC in microseconds. */
static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Minor page faults of the calling thread so far, on this node. */
static long minflt(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		die("getrusage: %s", strerror(errno));
	return ru.ru_minflt;
}

/* A stretch of work: its time and the page faults it took. */
struct phase {
	double t0, ms;
	long flt0, faults;
};

static void phase_start(struct phase *p)
{
	p->flt0 = minflt();
	p->t0 = now_us();
}

static void phase_stop(struct phase *p)
{
	p->ms = (now_us() - p->t0) / 1000;
	p->faults = minflt() - p->flt0;
}

/* Microseconds per page of phase @p over @pages pages. */
static double per_page_us(const struct phase *p, long pages)
{
	return p->ms * 1000 / pages;
}

static uint64_t pattern(size_t i, uint64_t seed)
{
	return (i + 1) * GOLDEN ^ seed;
}

static void fill(uint64_t *a, size_t n, uint64_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		a[i] = pattern(i, seed);
}

static uint64_t checksum(const uint64_t *a, size_t n)
{
	uint64_t sum = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++)
		sum = (sum ^ a[i]) * 0x100000001b3ull;
	return sum;
}

/* Words of @a that are not pattern(@seed); the first one in *@first. */
static size_t mismatches(const uint64_t *a, size_t n, uint64_t seed,
			 size_t *first)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		if (a[i] != pattern(i, seed) && !bad++)
			*first = i;
	}
	return bad;
}

static void *map_pages(size_t pages)
{
	void *p = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap of %zu pages: %s", pages, strerror(errno));
	return p;
}

/*
 * Code and stack that a phase uses fault in at node 1 too (text from the
 * program's file there, stack pages from node 0): take those faults now.
 */
static void warm_up(void)
{
	uint64_t w[64];
	struct phase p;
	size_t first;

	phase_start(&p);
	fill(w, 64, SEED_A);
	mismatches(w, 64, SEED_A, &first);
	checksum(w, 64);
	phase_stop(&p);
}

/* ------------------------------------------------------------------ */
/* The story                                                          */
/* ------------------------------------------------------------------ */

/* At node 0, before anything: is there a node 1 to go to? */
static void check_cluster(void)
{
	struct popcorn_node_info ni[POPCORN_MAX_NODES];
	int me;

	if (popcorn_get_node_info(&me, ni))
		die("popcorn_get_node_info: %s (is this a Popcorn kernel?)",
		    strerror(errno));
	if (me != ORIGIN)
		die("this is node %d: run pcn_demo at node %d", me, ORIGIN);
	if (ni[REMOTE].status != POPCORN_NODE_ONLINE)
		die("node %d is not online (pcnctl node list)", REMOTE);
}

/* popcorn_migrate(@nid) between two readings of the local clock. */
static void timed_hop(int nid, double *before, double *after)
{
	int ret;

	*before = now_us();
	ret = popcorn_migrate(nid);
	*after = now_us();
	if (ret)
		die("popcorn_migrate(%d): %s", nid, strerror(errno));
	away = nid != ORIGIN;
}

/* At node 1: the thread's status, as the kernel reports it. */
static int show_status(pid_t tid0)
{
	struct popcorn_thread_status st;
	int ok;

	if (popcorn_get_thread_status(&st))
		die("popcorn_get_thread_status: %s", strerror(errno));
	ok = st.current_nid == REMOTE && st.peer_nid == ORIGIN &&
	     st.peer_pid == tid0;
	say("thread status: current_nid %d, peer_nid %d, peer_pid %d %s",
	    st.current_nid, st.peer_nid, st.peer_pid,
	    ok ? "= my original tid, waiting at node 0" : "NOT as expected");
	return ok;
}

/* The second line of a phase: what it cost and what the faults were. */
static void show_phase(const struct phase *p, const char *each)
{
	say("   %.1f ms, %ld page faults, each %s: %.1f us a page", p->ms,
	    p->faults, each, per_page_us(p, DEMO_PAGES));
}

static int demo(void)
{
	size_t words = DEMO_PAGES * page_size / sizeof(uint64_t), bad, first = 0;
	double t_call, t_arrive, t_leave, t_home;
	struct phase p_fill, p_local, p_read, p_write, p_back;
	int ok;
	pid_t tid0 = gettid();
	uint64_t sum0, sum1;
	uint64_t *a;

	check_cluster();
	say("pcn_demo: this thread fills 16 MiB at node 0, then migrates to node 1 and back");
	say("1. at node 0: fill %d pages (%ld MiB) with pattern A", DEMO_PAGES,
	    DEMO_PAGES * page_size >> 20);
	a = map_pages(DEMO_PAGES);
	phase_start(&p_fill);
	fill(a, words, SEED_A);
	phase_stop(&p_fill);
	say("   %.1f ms, %ld page faults (each gives a new local page)",
	    p_fill.ms, p_fill.faults);
	phase_start(&p_local);
	sum0 = checksum(a, words);
	phase_stop(&p_local);
	say("   checksum %#018llx; reading it all again, now local: %.1f ms, %ld page faults",
	    (unsigned long long)sum0, p_local.ms, p_local.faults);

	say("2. popcorn_migrate(1): the thread moves to node 1; its memory stays at node 0 until touched");
	say("   (node 1 has none of the process's open files: its lines show once the thread is back)");
	timed_hop(REMOTE, &t_call, &t_arrive);

	/* Node 1 */
	say("arrived at node 1");
	ok = show_status(tid0);
	warm_up();
	phase_start(&p_read);
	sum1 = checksum(a, words);
	phase_stop(&p_read);
	ok &= sum1 == sum0;
	say("read all %d pages: checksum %#018llx %s", DEMO_PAGES,
	    (unsigned long long)sum1,
	    sum1 == sum0 ? "matches node 0's" : "DIFFERS from node 0's");
	show_phase(&p_read, "fetching a page from node 0");
	phase_start(&p_write);
	fill(a, words, SEED_B);
	phase_stop(&p_write);
	say("wrote pattern B to all %d pages", DEMO_PAGES);
	show_phase(&p_write, "moving a page's ownership to node 1");
	say("3. popcorn_migrate(0): back to node 0; what node 1 wrote stays there until node 0 reads it");
	timed_hop(ORIGIN, &t_leave, &t_home);

	/* Node 0 again */
	say("back at node 0");
	if (gettid() == tid0)
		say("gettid() is %d: the original tid again", tid0);
	else
		say("gettid() is %d, NOT the original tid %d", gettid(), tid0);
	ok &= gettid() == tid0 && popcorn_getnid() == ORIGIN;
	phase_start(&p_back);
	bad = mismatches(a, words, SEED_B, &first);
	phase_stop(&p_back);
	ok &= !bad;
	if (bad)
		say("read all %d pages back: pattern B WRONG in %zu of %zu words, the first at word %zu",
		    DEMO_PAGES, bad, words, first);
	else
		say("read all %d pages back and checked pattern B: data verified",
		    DEMO_PAGES);
	show_phase(&p_back, "recalling a page from node 1");

	/* node 0's round trip less node 1's stay: one clock each */
	say("summary: migrations 0->1 and 1->0 %.1f ms together; page fault 0->1 %.1f us (read), %.1f us (write), 1->0 %.1f us (read); local read %.2f us a page",
	    ((t_home - t_call) - (t_leave - t_arrive)) / 1000,
	    per_page_us(&p_read, DEMO_PAGES),
	    per_page_us(&p_write, DEMO_PAGES),
	    per_page_us(&p_back, DEMO_PAGES),
	    per_page_us(&p_local, DEMO_PAGES));
	if (!ok)
		say("FAILED: see above");
	munmap(a, DEMO_PAGES * page_size);
	return ok ? 0 : 1;
}

static void __noreturn print_usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: pcn_demo              a thread migrates 0 -> 1 -> 0 and says what happens\n"
		"Run at node 0, from a path that node 1 has too.\n"
		"Exit status: 0 verified, 1 failure, 2 usage, 3 stranded at node 1.\n");
	exit(status);
}

int main(int argc, char **argv)
{
	page_size = sysconf(_SC_PAGESIZE);
	if (argc == 1)
		return demo();
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		print_usage(0);
	print_usage(2);
}
