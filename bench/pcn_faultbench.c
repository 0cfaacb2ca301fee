// SPDX-License-Identifier: GPL-2.0
/*
 * pcn_faultbench: the page fault and migration measurements of the
 * benchmark suite (bench/run) and of the single-purpose benches
 * (bench/fault-sharers, migration-latency, param-ab, fault-breakdown).
 * Run at node 0, from a path every node has (in the vcluster: /mnt/host,
 * --share): the threads that migrate map the program's text from that path.
 *
 *   pcn_faultbench read       [--pages N]
 *       node 0 writes N pages (default 64); the thread migrates to node 1
 *       and reads each page once, timing each first touch: a read fault
 *       of a page node 0 owns, one page over the network.
 *   pcn_faultbench upgrade    [--pages N]
 *       the same, then at node 1 writes each page it has just read, timed:
 *       a write to a read-only copy, which only asks for ownership.
 *   pcn_faultbench recall     [--pages N]
 *       node 0 writes N pages; the thread migrates to node 1 and writes
 *       each page once, timed (remote_write: the page and its ownership
 *       move to node 1), comes back and reads each page once, timed
 *       (recall: node 0 takes the page back from node 1).
 *   pcn_faultbench write      --sharers K [--pages N]
 *       K threads migrate to nodes 1..K and read N pages node 0 wrote;
 *       node 0 then writes each page once, timed: each write invalidates K
 *       copies (K = 0: the first write to a fresh page, no message).
 *   pcn_faultbench touch      --pages N[,N...]
 *       per N: node 0 writes N fresh pages, the thread migrates to node 1
 *       and reads one word of each, in order (read-ahead brings several
 *       at a time): the time to first-touch all N after a migration, in
 *       total and per page.
 *   pcn_faultbench stream     --pages N [--random]
 *       node 0 writes N pages; the thread migrates to node 1 and reads one
 *       word of each, in order or (--random) in a pseudo-random order
 *       that read-ahead cannot follow: the first touch of a working set
 *       as a bandwidth (figure stream_seq or stream_random, PARAM N, the
 *       value in microseconds per MiB: MiB/s = 1e6 / value), and node 0's
 *       busy CPU time from the migration there to the one back (info
 *       FIGURE_node0_busy_us: what serving the faults cost it).
 *   pcn_faultbench throughput --threads T [--pages P]
 *       T threads migrate to node 1 and, released at once, each reads its
 *       own P pages (default 64) that node 0 wrote: every fault timed, and
 *       the T*P faults over the wall time from the first start to the last
 *       end (node 1's clock).
 *   pcn_faultbench migrate    [--rounds R] [--clock HOST:PORT]
 *       R (default 20) migrations 0 -> 1 -> 0: the round trip at node 0,
 *       and with --clock the forward (0 -> 1) and back (1 -> 0) legs
 *       alone, node 1's clock put on node 0's by UDP exchanges with
 *       `pcn_faultbench clockd` at node 1 (offset = the remote reading
 *       minus the midpoint of the fastest exchange; its half round trip
 *       bounds the error and is printed).
 *   pcn_faultbench clockd     --port P [--idle S]
 *       at node 1: answer every UDP datagram on port P with this node's
 *       CLOCK_MONOTONIC; exits after S seconds (default 120) without one.
 *
 * Output, one record a line, microseconds:
 *   sample,FIGURE,PARAM,VALUE      one measurement (PARAM "-" when none)
 *   summary,FIGURE,PARAM,median,M,p99,P,n,N
 *   info,KEY,VALUE                 context (clock offset, pages, ...)
 * FIGUREs: read, upgrade, remote_write, recall, write (PARAM K), touch
 * (PARAM N: total time), touch_page (PARAM N: total / N), stream_seq and
 * stream_random (PARAM N: microseconds per MiB), mt_fault (PARAM
 * T: each fault with T threads), throughput (PARAM T: wall time per fault
 * of all T threads together, so faults/s = 1e6 / VALUE), migrate_rtt,
 * migrate_fwd, migrate_back.
 *
 * Pages are 4 KiB anonymous private pages (MADV_NOHUGEPAGE). At node 1 the
 * process has none of its open files: nothing is printed there; samples
 * are kept in pages moved to node 1 before the clock runs, and printed
 * back at node 0. Every value read or written is checked.
 *
 * Exit status: 0 all data verified; 1 a check or a call failed; 2 usage;
 * 3 a thread stranded at a remote node (popcorn_migrate(0) failed there).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "popcorn.h"

#define __noreturn	__attribute__((noreturn))
#define __aligned(x)	__attribute__((aligned(x)))
#define noinline	__attribute__((noinline))

#define ORIGIN		0
#define REMOTE		1
#define MAX_SHARERS	(POPCORN_MAX_NODES - 1)
#define MAX_THREADS	64
#define DEFAULT_PAGES	64
#define MAX_PAGES	65536
#define MAX_TOUCH	16
#define DEFAULT_ROUNDS	20
#define MAX_ROUNDS	100000
#define PAGE_ALIGN	4096
#define GOLDEN		0x9e3779b97f4a7c15ull
#define SEED_OLD	0x0a0a0a0a0a0a0a0aull
#define SEED_NEW	0xb0b0b0b0b0b0b0b0ull
#define POLL_NS		1000000		/* 1 ms between looks at a flag */
#define READY_LIMIT_S	600		/* a thread's trip out and its setup */
#define CLOCK_TRIES	64		/* UDP exchanges per clock reading */
#define EXIT_STRANDED	3

static long page_size;
static size_t words;			/* 64-bit words per page */

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* Only ever called at node 0 with no thread out. */
static void __noreturn die(const char *what)
{
	fprintf(stderr, "pcn_faultbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void __noreturn fail(const char *msg)
{
	fprintf(stderr, "pcn_faultbench: %s\n", msg);
	exit(1);
}

/* This node's CLOCK_MONOTONIC in microseconds. */
static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Sleep, not spin: a guest has one vCPU, the host fewer cores than guests. */
static void poll_pause(void)
{
	struct timespec ts = { 0, POLL_NS };

	nanosleep(&ts, NULL);
}

static int load_flag(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void set_flag(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* The word at @w of page @i, before (SEED_OLD) and after the timed writes. */
static uint64_t pattern(size_t i, size_t w, uint64_t seed)
{
	return (i * words + w + 1) * GOLDEN ^ seed;
}

static size_t pages_for(size_t bytes)
{
	return (bytes + page_size - 1) / page_size;
}

static void *map_pages(size_t n)
{
	void *p = mmap(NULL, n * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	/* One fault per 4 KiB page; EINVAL without THP: nothing to do. */
	madvise(p, n * page_size, MADV_NOHUGEPAGE);
	return p;
}

/* Node 0 writes every word of @n pages: it owns them, with data. */
static void fill(uint64_t *a, size_t n, size_t first)
{
	size_t i, w;

	for (i = 0; i < n; i++)
		for (w = 0; w < words; w++)
			a[i * words + w] = pattern(first + i, w, SEED_OLD);
}

/* Words of @n pages that are not the pattern (word 0: @seed0). */
static size_t check(const uint64_t *a, size_t n, size_t first, uint64_t seed0)
{
	const volatile uint64_t *p = a;
	size_t i, w, bad = 0;

	for (i = 0; i < n; i++) {
		bad += p[i * words] != pattern(first + i, 0, seed0);
		for (w = 1; w < words; w++)
			bad += p[i * words + w] != pattern(first + i, w, SEED_OLD);
	}
	return bad;
}

static size_t gcd(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * A stride that visits all of @n pages (page k * s mod n for k = 0..n-1)
 * and never puts a read next to one of the 4 before it: the kernel keeps
 * 4 read streams a thread and follows a read next to one of them, up or
 * down (read-ahead). 1 when @n is too small to have one.
 */
static size_t scatter_stride(size_t n)
{
	size_t s, j, d;

	for (s = 3; s < n; s++) {
		if (gcd(s, n) != 1)
			continue;
		for (j = 1; j <= 4; j++) {
			d = j * s % n;
			if (d <= 1 || d == n - 1)
				break;
		}
		if (j > 4)
			return s;
	}
	return 1;
}

/*
 * The first read of word 0 of each of @n pages, timed apiece (volatile:
 * one load per page, exactly between the clock reads), scattered
 * (scatter_stride()): the kernel's read-ahead follows reads of
 * neighbouring pages only, so that each read here is a fault of its own,
 * one page over the network (the touch figure reads in order, read-ahead
 * and all). Returns the words that were not pattern(@seed).
 */
static noinline size_t time_reads(const uint64_t *a, size_t n, size_t first,
				  uint64_t seed, double *us)
{
	const volatile uint64_t *p = a;
	size_t i, k, bad = 0, s = scatter_stride(n);
	uint64_t v;
	double t0;

	for (k = 0; k < n; k++) {
		i = k * s % n;
		t0 = now_us();
		asm volatile("" ::: "memory");
		v = p[i * words];
		asm volatile("" ::: "memory");
		us[i] = now_us() - t0;
		bad += v != pattern(first + i, 0, seed);
	}
	return bad;
}

/*
 * One store to word 0 of each of @n pages, timed apiece, scattered as the
 * reads are: the origin takes writes that run up a mapping for a buffer
 * being filled and invalidates a remote's copies of the next pages ahead
 * of them, which is not the fault this times.
 */
static noinline void time_writes(uint64_t *a, size_t n, size_t first,
				 double *us)
{
	volatile uint64_t *p = a;
	size_t i, k, s = scatter_stride(n);
	double t0;

	for (k = 0; k < n; k++) {
		i = k * s % n;
		t0 = now_us();
		asm volatile("" ::: "memory");
		p[i * words] = pattern(first + i, 0, SEED_NEW);
		asm volatile("" ::: "memory");
		us[i] = now_us() - t0;
	}
}

/*
 * Samples on pages of their own, written here first; with the timing code
 * and the vDSO they fault in at the node that calls this, not on the clock.
 */
static double *map_samples(size_t n)
{
	double *us = map_pages(pages_for(n * sizeof(double)));

	memset(us, 0, pages_for(n * sizeof(double)) * page_size);
	return us;
}

/*
 * At the node just arrived at: the code, the stack and the vDSO data of a
 * timed loop, and the sample pages @us (@n of them), fault in here now.
 * @warm is a page node 0 wrote.
 */
static void warm_up(uint64_t *warm, double *us, size_t n)
{
	memset(us, 0, n * sizeof(*us));
	time_reads(warm, 1, 0, SEED_OLD, us);
	time_writes(warm, 1, 0, us);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Every sample of @v, then its summary line (sorts @v). */
static void print_samples(const char *fig, const char *param, double *v,
			  size_t n)
{
	double med;
	size_t i, p99;

	for (i = 0; i < n; i++)
		printf("sample,%s,%s,%.1f\n", fig, param, v[i]);
	qsort(v, n, sizeof(*v), cmp_double);
	med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	p99 = (n * 99 + 99) / 100 - 1;		/* ceil(0.99 n) - 1 */
	printf("summary,%s,%s,median,%.1f,p99,%.1f,n,%zu\n", fig, param, med,
	       v[p99], n);
	fflush(stdout);
}

/* At node 0, before anything: am I node 0, are nodes 1..@k online? */
static void check_cluster(int k)
{
	struct popcorn_node_info ni[POPCORN_MAX_NODES];
	int me, j;

	if (popcorn_get_node_info(&me, ni))
		die("popcorn_get_node_info (is this a Popcorn kernel?)");
	if (me != ORIGIN) {
		fprintf(stderr, "pcn_faultbench: this is node %d: run me at node %d\n",
			me, ORIGIN);
		exit(1);
	}
	for (j = 1; j <= k; j++) {
		if (ni[j].status != POPCORN_NODE_ONLINE) {
			fprintf(stderr, "pcn_faultbench: node %d is not online (pcnctl node list)\n",
				j);
			exit(1);
		}
	}
}

static void go_remote(void)
{
	if (popcorn_migrate(REMOTE))
		die("popcorn_migrate(1)");
}

/* At node 1: nothing can be reported from there. */
static void go_home(void)
{
	if (popcorn_migrate(ORIGIN))
		_exit(EXIT_STRANDED);
}

static void report_bad(const char *what, size_t bad)
{
	if (bad) {
		fprintf(stderr, "pcn_faultbench: %s: %zu wrong words\n", what, bad);
		exit(1);
	}
}

/* ------------------------------------------------------------------ */
/* read, upgrade, recall                                              */
/* ------------------------------------------------------------------ */

enum { RUN_READ, RUN_UPGRADE, RUN_RECALL };

/*
 * On pages node 0 wrote, at node 1: read each (read); read, then write
 * each (upgrade); or write each (recall), and then, back at node 0, read
 * each (the recall itself).
 */
static int cmd_read(size_t n, int run)
{
	uint64_t *a, *warm;
	double *rd, *wr, *bk = NULL;
	size_t bad_rd = 0;

	check_cluster(1);
	rd = map_samples(n);
	wr = map_samples(n);
	if (run == RUN_RECALL)
		bk = map_samples(n);	/* stays at node 0 */
	warm = map_pages(1);
	fill(warm, 1, 0);
	a = map_pages(n);
	fill(a, n, 0);			/* node 0 owns every page */

	go_remote();
	warm_up(warm, run == RUN_RECALL ? wr : rd, n);
	if (run == RUN_UPGRADE)
		memset(wr, 0, n * sizeof(*wr));
	if (run != RUN_RECALL)
		bad_rd = time_reads(a, n, 0, SEED_OLD, rd);
	if (run != RUN_READ)
		time_writes(a, n, 0, wr);
	go_home();

	report_bad("data read at node 1", bad_rd);
	if (run == RUN_RECALL)
		report_bad("data recalled to node 0",
			   time_reads(a, n, 0, SEED_NEW, bk));
	/* Back at node 0: node 1's writes, recalled. */
	report_bad("data back at node 0",
		   check(a, n, 0, run == RUN_READ ? SEED_OLD : SEED_NEW));
	printf("info,pages,%zu\n", n);
	if (run == RUN_READ)
		print_samples("read", "-", rd, n);
	else if (run == RUN_UPGRADE)
		print_samples("upgrade", "-", wr, n);
	else {
		print_samples("remote_write", "-", wr, n);
		print_samples("recall", "-", bk, n);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* stream                                                             */
/* ------------------------------------------------------------------ */

/*
 * Page @k of a pseudo-random visit of @n pages: a full-period linear
 * congruential sequence modulo the power of two @m >= @n (c odd, a - 1 a
 * multiple of 4: every residue once per period), values >= @n skipped.
 * Nothing is stored: a table of the order would itself fault at node 1.
 */
static size_t lcg_next(size_t x, size_t m)
{
	return (x * 1103515245u + 12345u) & (m - 1);
}

static noinline size_t stream_reads(const uint64_t *a, size_t n, bool random)
{
	const volatile uint64_t *p = a;
	size_t i, k, m = 1, bad = 0;

	while (m < n)
		m <<= 1;
	for (k = 0, i = 0; k < n; k++) {
		if (random) {
			do {
				i = lcg_next(i, m);
			} while (i >= n);
		} else {
			i = k;
		}
		bad += p[i * words] != pattern(i, 0, SEED_OLD);
	}
	return bad;
}

/*
 * This node's busy CPU time so far, in microseconds (/proc/stat's "cpu"
 * line: user, nice, system, irq, softirq and steal, in USER_HZ ticks);
 * -1 when unreadable.
 */
static double cpu_busy_us(void)
{
	unsigned long long v[8];
	FILE *f = fopen("/proc/stat", "r");
	int got;

	if (!f)
		return -1;
	got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		     &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (got != 8)
		return -1;
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 1e6 /
	       sysconf(_SC_CLK_TCK);
}

static int cmd_stream(size_t n, bool random)
{
	const char *fig = random ? "stream_random" : "stream_seq";
	double t0, t1, c0, c1, mib = (double)n * page_size / (1 << 20);
	uint64_t *a, *warm;
	size_t bad;
	double *us;

	check_cluster(1);
	us = map_samples(1);
	warm = map_pages(1);
	fill(warm, 1, 0);
	a = map_pages(n);
	fill(a, n, 0);
	c0 = cpu_busy_us();
	go_remote();
	warm_up(warm, us, 1);
	t0 = now_us();
	asm volatile("" ::: "memory");
	bad = stream_reads(a, n, random);
	asm volatile("" ::: "memory");
	t1 = now_us();
	go_home();
	c1 = cpu_busy_us();
	report_bad("data read at node 1", bad);
	printf("sample,%s,%zu,%.1f\n", fig, n, (t1 - t0) / mib);
	printf("info,%s_total_us,%.0f\n", fig, t1 - t0);
	/* Node 0 meanwhile served the faults (and two migrations). */
	if (c0 >= 0 && c1 >= c0)
		printf("info,%s_node0_busy_us,%.0f\n", fig, c1 - c0);
	return 0;
}

/* ------------------------------------------------------------------ */
/* touch                                                              */
/* ------------------------------------------------------------------ */

static int cmd_touch(const size_t *ns, int count)
{
	size_t n, bad, i, max = 0;
	double t0, t1, v;
	uint64_t *a, *warm;
	double *us;
	char param[24];
	int c;

	check_cluster(1);
	for (c = 0; c < count; c++)
		max = ns[c] > max ? ns[c] : max;
	us = map_samples(1);
	warm = map_pages(1);
	fill(warm, 1, 0);
	for (c = 0; c < count; c++) {
		const volatile uint64_t *p;

		n = ns[c];
		a = map_pages(n);
		fill(a, n, 0);
		p = a;
		bad = 0;
		go_remote();
		warm_up(warm, us, 1);
		t0 = now_us();
		asm volatile("" ::: "memory");
		for (i = 0; i < n; i++)
			bad += p[i * words] != pattern(i, 0, SEED_OLD);
		asm volatile("" ::: "memory");
		t1 = now_us();
		go_home();
		report_bad("data read at node 1", bad);
		snprintf(param, sizeof(param), "%zu", n);
		v = t1 - t0;
		printf("sample,touch,%s,%.1f\n", param, v);
		printf("sample,touch_page,%s,%.2f\n", param, v / n);
		fflush(stdout);
	}
	printf("info,touch_max_pages,%zu\n", max);
	return 0;
}

/* ------------------------------------------------------------------ */
/* migrate, clockd                                                    */
/* ------------------------------------------------------------------ */

/*
 * Node 1's clock less node 0's, in microseconds, from @tries UDP
 * exchanges with clockd at @addr: the fastest exchange's remote reading
 * against its midpoint. *@unc: half that exchange's round trip, which
 * bounds the error. False when no answer came.
 */
static bool clock_offset(const struct sockaddr_in *addr, double *off,
			 double *unc)
{
	struct timeval tv = { 0, 500000 };
	double best = -1, t0, t3;
	int fd, i, got = 0;
	uint64_t seq, buf[2];
	ssize_t r;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)))
		die("connect");
	for (i = 0; i < CLOCK_TRIES; i++) {
		if (i == 3 && !got)
			break;		/* nobody there */
		seq = i + 1;
		t0 = now_us();
		if (send(fd, &seq, sizeof(seq), 0) != sizeof(seq))
			continue;
		/* Skip late answers to earlier tries. */
		do
			r = recv(fd, buf, sizeof(buf), 0);
		while (r == sizeof(buf) && buf[0] != seq);
		t3 = now_us();
		if (r != sizeof(buf))
			continue;
		got++;
		if (best < 0 || t3 - t0 < best) {
			double tr;

			memcpy(&tr, &buf[1], sizeof(tr));
			best = t3 - t0;
			*off = tr - (t0 + t3) / 2;
			*unc = best / 2;
		}
	}
	close(fd);
	return got > 0;
}

static int cmd_clockd(int port, int idle)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timeval tv = { idle, 0 };
	struct sockaddr_storage from;
	socklen_t fl;
	uint64_t buf[2];
	double t;
	int fd;

	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die("bind");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		fl = sizeof(from);
		if (recvfrom(fd, buf, sizeof(buf[0]), 0, (struct sockaddr *)&from,
			     &fl) != sizeof(buf[0])) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;	/* idle: done */
			continue;
		}
		t = now_us();
		memcpy(&buf[1], &t, sizeof(t));
		sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, fl);
	}
}

/* Node 1's readings of one round, on a page that stays there. */
struct hop {
	double arrive, leave;
};

static int cmd_migrate(int rounds, const char *clock)
{
	struct sockaddr_in ca = { .sin_family = AF_INET };
	double off = 0, off0 = 0, off1 = 0, unc0 = 0, unc1 = 0;
	double *rtt, *fwd, *back, t0, t3;
	bool synced = false;
	struct hop *hops;
	int i;

	if (clock) {
		char host[64], *colon;

		snprintf(host, sizeof(host), "%s", clock);
		colon = strrchr(host, ':');
		if (!colon)
			fail("--clock HOST:PORT");
		*colon = 0;
		ca.sin_port = htons(atoi(colon + 1));
		if (inet_pton(AF_INET, host, &ca.sin_addr) != 1)
			fail("--clock: not an IPv4 address");
	}
	check_cluster(1);
	rtt = map_samples(rounds);
	fwd = map_samples(rounds);
	back = map_samples(rounds);
	hops = map_pages(pages_for((rounds + 1) * sizeof(*hops)));

	/*
	 * A first round untimed: the process becomes distributed, node 1
	 * sets it up, and the pages used at node 1 (stack, hops, code, vDSO)
	 * move there.
	 */
	go_remote();
	memset(hops, 0, (rounds + 1) * sizeof(*hops));
	hops[rounds].arrive = now_us();
	go_home();

	if (clock)
		synced = clock_offset(&ca, &off0, &unc0);
	/*
	 * Node 0 keeps its readings in rtt[] and fwd[] (t0, t3), node 1 in
	 * hops[]: neither touches the other's pages until the loop is over.
	 */
	for (i = 0; i < rounds; i++) {
		t0 = now_us();
		if (popcorn_migrate(REMOTE))
			die("popcorn_migrate(1)");
		hops[i].arrive = now_us();
		hops[i].leave = now_us();
		if (popcorn_migrate(ORIGIN))
			_exit(EXIT_STRANDED);
		t3 = now_us();
		fwd[i] = t0;
		back[i] = t3;
	}
	if (synced)
		synced = clock_offset(&ca, &off1, &unc1);
	for (i = 0; i < rounds; i++) {
		t0 = fwd[i];
		t3 = back[i];
		rtt[i] = t3 - t0;
		fwd[i] = hops[i].arrive - t0;		/* node 1's clock */
		back[i] = t3 - hops[i].leave;		/* less that offset */
	}

	printf("info,rounds,%d\n", rounds);
	print_samples("migrate_rtt", "-", rtt, rounds);
	if (!clock)
		return 0;
	if (!synced) {
		fprintf(stderr, "pcn_faultbench: no answer from clockd at %s: no forward and back legs\n",
			clock);
		return 0;
	}
	off = (off0 + off1) / 2;
	printf("info,clock_offset_us,%.1f\ninfo,clock_uncertainty_us,%.1f\ninfo,clock_drift_us,%.1f\n",
	       off, unc0 > unc1 ? unc0 : unc1, off1 - off0);
	for (i = 0; i < rounds; i++) {
		fwd[i] -= off;
		back[i] += off;
	}
	print_samples("migrate_fwd", "-", fwd, rounds);
	print_samples("migrate_back", "-", back, rounds);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Helper threads: write (sharers), throughput                        */
/* ------------------------------------------------------------------ */

/* From the main thread to a helper thread, in this order. */
enum { CMD_WAIT, CMD_GO, CMD_HOME };
/* From a helper thread to the main thread. */
enum { ST_IDLE, ST_READY, ST_RAN, ST_DONE, ST_FAILED };

/*
 * One helper thread, page-aligned, one page each: a thread's flags share a
 * page with nobody else's.
 */
struct helper {
	pthread_t thread;
	int nid;		/* where it goes */
	int cmd;		/* CMD_*, written by the main thread */
	int state;		/* ST_*, written by the thread */
	int where;		/* popcorn_getnid() once it arrived */
	int err;		/* errno of the call that failed */
	const char *what;	/* that call */
	bool sharer;		/* write: read all pages; else: throughput */
	uint64_t *pages;	/* its pages */
	size_t first, n;	/* their numbers */
	double *us;		/* throughput: each fault */
	double start, end;	/* throughput: node 1's clock */
	size_t bad_first;	/* wrong words in its reads out there */
	size_t bad_remote;	/* sharer: after node 0's writes, still out */
	size_t bad_home;	/* sharer: and back at node 0 */
} __aligned(PAGE_ALIGN);

/* The throughput run's start line: one page, read by every thread. */
static struct {
	int go;
} *start_line;

static int wait_cmd(struct helper *s, int now)
{
	int cmd;

	while ((cmd = load_flag(&s->cmd)) == now)
		poll_pause();
	return cmd;
}

/*
 * Node 0 until told to go; node @nid until told to come home. Out there
 * no system call but clock_gettime, nanosleep and popcorn_migrate: the
 * process has no open files at a remote node; node 0 reports.
 */
static void *helper_main(void *arg)
{
	struct helper *s = arg;
	size_t n, first, bad;
	uint64_t *pages;
	double t0, t1, *us;

	if (wait_cmd(s, CMD_WAIT) != CMD_GO)
		goto out;		/* another thread failed first */
	if (popcorn_migrate(s->nid)) {
		s->err = errno;
		s->what = "popcorn_migrate";
		set_flag(&s->state, ST_FAILED);
		return NULL;
	}
	s->where = popcorn_getnid();
	if (s->sharer) {
		s->bad_first = check(s->pages, s->n, s->first, SEED_OLD);
		set_flag(&s->state, ST_READY);
		wait_cmd(s, CMD_GO);
		/* Node 0 has written every page since: our copies are gone. */
		s->bad_remote = check(s->pages, s->n, s->first, SEED_NEW);
		go_home();
		s->bad_home = check(s->pages, s->n, s->first, SEED_NEW);
		goto out;
	}

	/*
	 * Throughput: samples and code here, and what the run needs in
	 * locals (node 0 reads this page meanwhile), then wait for the start.
	 */
	pages = s->pages;
	n = s->n;
	first = s->first;
	us = s->us;
	memset(us, 0, n * sizeof(*us));
	time_reads((const uint64_t *)s, 1, 0, SEED_OLD, us);	/* code, vDSO */
	set_flag(&s->state, ST_READY);
	while (!load_flag(&start_line->go))
		poll_pause();
	t0 = now_us();
	bad = time_reads(pages, n, first, SEED_OLD, us);
	t1 = now_us();
	s->bad_first = bad;
	s->start = t0;
	s->end = t1;
	set_flag(&s->state, ST_RAN);
	wait_cmd(s, CMD_GO);
	go_home();
out:
	set_flag(&s->state, ST_DONE);
	return NULL;
}

/* Wait until @s leaves state @from; the end of the process on a hang. */
static int wait_state(struct helper *s, int from)
{
	double limit = now_us() + READY_LIMIT_S * 1e6;
	int st;

	while ((st = load_flag(&s->state)) == from) {
		if (now_us() > limit) {
			/* Stuck, maybe in a kernel: exit_group ends it there. */
			fprintf(stderr, "pcn_faultbench: thread for node %d: no progress after %d s\n",
				s->nid, READY_LIMIT_S);
			exit(1);
		}
		poll_pause();
	}
	return st;
}

static struct helper *make_helpers(int k)
{
	struct helper *h = map_pages(pages_for(k * sizeof(*h)));

	memset(h, 0, k * sizeof(*h));
	return h;
}

static void start_helpers(struct helper *h, int k)
{
	int j, err;

	/* Every thread exists before the first one leaves. */
	for (j = 0; j < k; j++) {
		err = pthread_create(&h[j].thread, NULL, helper_main, &h[j]);
		if (err) {
			errno = err;
			die("pthread_create");
		}
	}
}

/* Send @s out and wait until it is ready there. False if it could not go. */
static bool send_out(struct helper *s)
{
	set_flag(&s->cmd, CMD_GO);
	if (wait_state(s, ST_IDLE) == ST_READY)
		return true;
	fprintf(stderr, "pcn_faultbench: thread for node %d: %s: %s\n", s->nid,
		s->what ? s->what : "?", strerror(s->err));
	return false;
}

static void home_helpers(struct helper *h, int k)
{
	int j;

	for (j = 0; j < k; j++)
		set_flag(&h[j].cmd, CMD_HOME);
	for (j = 0; j < k; j++)
		pthread_join(h[j].thread, NULL);
}

static int cmd_write(int k, size_t n)
{
	struct helper *sh = NULL;
	uint64_t *pages, *warm;
	bool ok = true;
	size_t bad = 0, i, w;
	char param[16];
	double *us;
	int j;

	check_cluster(k);
	us = map_samples(n);
	warm = map_pages(1);
	time_writes(warm, 1, 0, us);
	pages = map_pages(n);
	if (k) {
		fill(pages, n, 0);		/* node 0 owns every page */
		sh = make_helpers(k);
		for (j = 0; j < k; j++) {
			sh[j].nid = j + 1;
			sh[j].sharer = true;
			sh[j].pages = pages;
			sh[j].n = n;
		}
		start_helpers(sh, k);
	}
	/* One trip out at a time: the setup is not what is measured. */
	for (j = 0; j < k && ok; j++)
		ok = send_out(&sh[j]);
	if (ok)
		time_writes(pages, n, 0, us);
	home_helpers(sh, k);
	if (!ok)
		return 1;

	for (j = 0; j < k; j++) {
		struct helper *s = &sh[j];

		if (s->where != s->nid) {
			fprintf(stderr, "pcn_faultbench: thread for node %d ran at node %d\n",
				s->nid, s->where);
			ok = false;
		}
		if (s->bad_first || s->bad_remote || s->bad_home) {
			fprintf(stderr, "pcn_faultbench: node %d saw wrong data: %zu words in its first copies, %zu after node 0's writes (a stale copy?), %zu back at node 0\n",
				s->nid, s->bad_first, s->bad_remote, s->bad_home);
			ok = false;
		}
	}
	if (!k) {
		/* Fresh pages: what was written, and zeros. */
		for (i = 0; i < n; i++) {
			bad += pages[i * words] != pattern(i, 0, SEED_NEW);
			for (w = 1; w < words; w++)
				bad += pages[i * words + w] != 0;
		}
	} else {
		bad = check(pages, n, 0, SEED_NEW);
	}
	if (bad) {
		fprintf(stderr, "pcn_faultbench: %zu wrong words at node 0\n", bad);
		ok = false;
	}
	if (!ok)
		return 1;
	printf("info,pages,%zu\n", n);
	snprintf(param, sizeof(param), "%d", k);
	print_samples("write", param, us, n);
	return 0;
}

static int cmd_throughput(int t, size_t per)
{
	double start = 0, end = 0, *all, wall;
	struct helper *th;
	uint64_t *pages;
	char param[16];
	bool ok = true;
	size_t n = t * per;
	int j, st;

	check_cluster(1);
	start_line = map_pages(1);
	start_line->go = 0;
	pages = map_pages(n);
	fill(pages, n, 0);
	th = make_helpers(t);
	for (j = 0; j < t; j++) {
		th[j].nid = REMOTE;
		th[j].pages = pages + j * per * words;
		th[j].first = j * per;
		th[j].n = per;
		th[j].us = map_samples(per);
	}
	start_helpers(th, t);
	for (j = 0; j < t && ok; j++)
		ok = send_out(&th[j]);
	/* All at once; after a failure too, for those already out there. */
	set_flag(&start_line->go, 1);
	if (ok) {
		for (j = 0; j < t; j++) {
			st = wait_state(&th[j], ST_READY);
			if (st != ST_RAN) {
				ok = false;
				break;
			}
		}
	}
	home_helpers(th, t);
	if (!ok) {
		fprintf(stderr, "pcn_faultbench: throughput: a thread failed\n");
		return 1;
	}

	all = map_samples(n);
	for (j = 0; j < t; j++) {
		struct helper *s = &th[j];

		if (s->where != REMOTE || s->bad_first) {
			fprintf(stderr, "pcn_faultbench: thread %d: ran at node %d, %zu wrong words\n",
				j, s->where, s->bad_first);
			ok = false;
		}
		if (!j || s->start < start)
			start = s->start;
		if (!j || s->end > end)
			end = s->end;
		memcpy(all + j * per, s->us, per * sizeof(double));
	}
	report_bad("data back at node 0", check(pages, n, 0, SEED_OLD));
	if (!ok)
		return 1;
	wall = end - start;
	snprintf(param, sizeof(param), "%d", t);
	printf("info,threads,%d\ninfo,pages_per_thread,%zu\n", t, per);
	printf("info,faults_per_s,%.1f\n", n / wall * 1e6);
	printf("sample,throughput,%s,%.2f\n", param, wall / n);
	print_samples("mt_fault", param, all, n);
	return 0;
}

/* ------------------------------------------------------------------ */
/* main                                                               */
/* ------------------------------------------------------------------ */

static void __noreturn print_usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: pcn_faultbench read       [--pages N]\n"
		"       pcn_faultbench upgrade    [--pages N]\n"
		"       pcn_faultbench recall     [--pages N]\n"
		"       pcn_faultbench write      --sharers K [--pages N]\n"
		"       pcn_faultbench touch      --pages N[,N...]\n"
		"       pcn_faultbench stream     --pages N [--random]\n"
		"       pcn_faultbench throughput --threads T [--pages P]\n"
		"       pcn_faultbench migrate    [--rounds R] [--clock HOST:PORT]\n"
		"       pcn_faultbench clockd     --port P [--idle S]\n"
		"Run at node 0 (clockd: at node 1), from a path every node has.\n"
		"Prints sample,FIGURE,PARAM,US and summary lines; see the source.\n"
		"Exit status: 0 verified, 1 failure, 2 usage, 3 stranded at a remote.\n");
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
	long pages = -1, sharers = -1, threads = -1, rounds = DEFAULT_ROUNDS;
	long port = -1, idle = 120;
	size_t touch[MAX_TOUCH];
	const char *cmd, *clock = NULL, *list = NULL;
	int i, ntouch = 0;
	bool random = false;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	page_size = sysconf(_SC_PAGESIZE);
	words = page_size / sizeof(uint64_t);
	if (argc < 2)
		print_usage(2);
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
		print_usage(0);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--random") && !strcmp(cmd, "stream")) {
			random = true;
			continue;
		}
		if (i + 1 == argc)
			print_usage(2);
		if (!strcmp(argv[i], "--pages") && !strcmp(cmd, "touch"))
			list = argv[++i];
		else if (!strcmp(argv[i], "--pages"))
			pages = number(argv[++i], 1, MAX_PAGES);
		else if (!strcmp(argv[i], "--sharers"))
			sharers = number(argv[++i], 0, MAX_SHARERS);
		else if (!strcmp(argv[i], "--threads"))
			threads = number(argv[++i], 1, MAX_THREADS);
		else if (!strcmp(argv[i], "--rounds"))
			rounds = number(argv[++i], 1, MAX_ROUNDS);
		else if (!strcmp(argv[i], "--clock"))
			clock = argv[++i];
		else if (!strcmp(argv[i], "--port"))
			port = number(argv[++i], 1, 65535);
		else if (!strcmp(argv[i], "--idle"))
			idle = number(argv[++i], 1, 86400);
		else
			print_usage(2);
	}
	if (pages < 0)
		pages = DEFAULT_PAGES;

	if (!strcmp(cmd, "read"))
		return cmd_read(pages, RUN_READ);
	if (!strcmp(cmd, "upgrade"))
		return cmd_read(pages, RUN_UPGRADE);
	if (!strcmp(cmd, "recall"))
		return cmd_read(pages, RUN_RECALL);
	if (!strcmp(cmd, "write")) {
		if (sharers < 0)
			print_usage(2);
		return cmd_write(sharers, pages);
	}
	if (!strcmp(cmd, "touch")) {
		char *copy, *tok, *save;

		if (!list)
			print_usage(2);
		copy = strdup(list);
		for (tok = strtok_r(copy, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (ntouch == MAX_TOUCH)
				print_usage(2);
			touch[ntouch++] = number(tok, 1, MAX_PAGES);
		}
		if (!ntouch)
			print_usage(2);
		return cmd_touch(touch, ntouch);
	}
	if (!strcmp(cmd, "stream"))
		return cmd_stream(pages, random);
	if (!strcmp(cmd, "throughput")) {
		if (threads < 0)
			print_usage(2);
		return cmd_throughput(threads, pages);
	}
	if (!strcmp(cmd, "migrate"))
		return cmd_migrate(rounds, clock);
	if (!strcmp(cmd, "clockd")) {
		if (port < 0)
			print_usage(2);
		return cmd_clockd(port, idle);
	}
	print_usage(2);
}
