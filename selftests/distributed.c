// SPDX-License-Identifier: GPL-2.0
/*
 * Many threads of one process on every node at once: barriers, mutexes,
 * condition variables and read-write locks shared between nodes (the
 * distributed futex), false sharing of one page, first touches of fresh
 * memory on every node at once, read-ahead (and none for MADV_RANDOM),
 * threads that end or are joined away from the origin, threads created at
 * a remote, migrations from a remote directly to another remote, and the
 * raw futex(2) operations across nodes (futex_ops: waits that fail or
 * time out on either clock, bitsets, requeue, wake-op; private and
 * shared). This runs
 * at node 0, the origin; thread i of a test goes to node i % N.
 *
 * Nothing is printed and nothing is asserted in the worker threads: what
 * they see is recorded in memory (struct worker) and checked by the test's
 * main thread, which never leaves node 0, once they are joined; a failure
 * is reported even where a remote cannot do I/O.
 *
 * A hang (a lost futex wake-up, a page that never comes) would only show
 * as the harness's timeout; a watchdog thread at node 0 instead reports
 * where every unfinished thread is and what it waits for once no thread
 * has made progress for POPCORN_TEST_STALL_S seconds, and aborts the test.
 *
 * Environment:
 *   POPCORN_NODES           nodes to use, 0 .. N-1 (default: every online
 *                           node; each of 0 .. N-1 must be online)
 *   POPCORN_TEST_ROUNDS     rounds of the mt test (default 100)
 *   POPCORN_TEST_INCREMENTS increments per thread of counter (default 10000)
 *   POPCORN_TEST_STALL_S    the watchdog's limit (default 120)
 * test_distributed.sh checks that no node keeps Popcorn state afterwards.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "pcn_stat.h"
#include "popcorn.h"

#define ORIGIN		0
#define PAGE		4096
#define STATE_WAIT_S	10	/* per-process state is gone by then */
#define STALL_S		120	/* default of POPCORN_TEST_STALL_S */
#define MAX_THREADS	(2 * POPCORN_MAX_NODES)

/* Keeps the compiler from reusing what it just stored: read memory again. */
#define reload()	asm volatile("" ::: "memory")

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static int env_int(const char *name, int dflt)
{
	const char *s = getenv(name);

	return s && *s ? atoi(s) : dflt;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A 64-bit mixer (murmur3's finaliser): patterns no stale page matches. */
static uint32_t hash32(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (uint32_t)x;
}

/*
 * Zeroed, page-aligned memory of its own: what one test shares between
 * nodes never shares a page with the harness's data or a thread's stack.
 */
static void *pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* @name of node @nid is 0 within STATE_WAIT_S; the last value read. */
static long long wait_zero(int nid, const char *name)
{
	long long left = -1;
	int i;

	for (i = 0; i < STATE_WAIT_S * 2; i++) {
		left = pcn_stat_node(nid, name);
		if (left == 0)
			break;
		usleep(500000);
	}
	return left;
}

/*
 * The nodes the tests use: 0 .. N-1. N is POPCORN_NODES when set, else the
 * number of online nodes; each of 0 .. N-1 must be online, so that a hole
 * in the numbering is reported here rather than as failed migrations.
 */
static int cluster_nodes(struct __test_metadata *_metadata)
{
	struct popcorn_node_info ni[POPCORN_MAX_NODES];
	int me = -1, n = 0, nid;

	ASSERT_EQ(popcorn_get_node_info(&me, ni), 0)
		TH_LOG("popcorn_get_node_info: %s", strerror(errno));
	ASSERT_EQ(me, ORIGIN) TH_LOG("these tests run at node 0, not %d", me);
	for (nid = 0; nid < POPCORN_MAX_NODES; nid++)
		n += ni[nid].status == POPCORN_NODE_ONLINE;
	/* POPCORN_NODES=1 keeps every thread home: the bench's baseline. */
	n = env_int("POPCORN_NODES", n);
	ASSERT_GE(n, getenv("POPCORN_NODES") ? 1 : 2)
		TH_LOG("%d nodes: these tests need 2 or more", n);
	ASSERT_LE(n, POPCORN_MAX_NODES);
	for (nid = 0; nid < n; nid++) {
		ASSERT_EQ(ni[nid].status, POPCORN_NODE_ONLINE)
			TH_LOG("node %d of 0..%d is not online", nid, n - 1);
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Worker threads: what they see, recorded for the main thread        */
/* ------------------------------------------------------------------ */

/* The first failed check of a thread. */
struct fault {
	int line;		/* source line of the check, 0: none */
	const char *what;
	int nid;		/* where the thread was */
	long step;		/* its progress counter then */
	long index, expected, seen;
};

/* The first failed migration of a thread. */
struct mig_fault {
	int from, to, ret, err, now;
	long step;
};

/*
 * One thread of a test. A page each: a thread at one node updating its
 * progress does not pull the page from under a thread at another node.
 */
struct worker {
	pthread_t th;
	int idx;
	int home;		/* the node the test sends it to */
	int end_expect;		/* where it must end, -1: anywhere */
	int used;
	void *ctx;		/* the test's shared state */
	/* Written by the thread itself, wherever it runs. */
	const char *volatile stage;	/* what it does, for the watchdog */
	volatile long progress;
	volatile int at;	/* the node it runs on, as far as it knows */
	volatile int to;	/* the target of its last migration */
	volatile int done;
	int end_nid;
	int hops;		/* successful migrations */
	int fails, mig_fails;
	struct fault first;
	struct mig_fault mig;
} __attribute__((aligned(PAGE)));

static void w_fail(struct worker *w, int line, const char *what, long index,
		   long expected, long seen)
{
	if (w->fails++)
		return;
	w->first.line = line;
	w->first.what = what;
	w->first.nid = popcorn_getnid();
	w->first.step = w->progress;
	w->first.index = index;
	w->first.expected = expected;
	w->first.seen = seen;
}

#define W_FAIL(w, what, index, expected, seen)				\
	w_fail((w), __LINE__, (what), (long)(index), (long)(expected),	\
	       (long)(seen))

/* A pthread call of a worker that returned an error. */
#define W_CHECK0(w, call) do {						\
	int __ret = (call);						\
									\
	if (__ret)							\
		W_FAIL((w), #call " failed", 0, 0, __ret);		\
} while (0)

/*
 * Moves the calling thread to @nid unless it is there already. A failure
 * (an error, or not landing on @nid) is recorded, not fatal: the thread
 * goes on so that the others do not wait for it at a barrier forever.
 */
static int w_go(struct worker *w, int nid)
{
	int from = popcorn_getnid(), ret, err, now;

	if (from == nid)
		return 0;
	w->stage = "popcorn_migrate";
	w->to = nid;
	ret = popcorn_migrate(nid);
	err = ret ? errno : 0;
	now = popcorn_getnid();
	if (ret || now != nid) {
		if (!w->mig_fails++) {
			w->mig.from = from;
			w->mig.to = nid;
			w->mig.ret = ret;
			w->mig.err = err;
			w->mig.now = now;
			w->mig.step = w->progress;
		}
		w->at = now;
		return -1;
	}
	w->at = nid;
	w->hops++;
	return 0;
}

/* A barrier of @w's test, the error recorded. */
static void w_barrier(struct worker *w, pthread_barrier_t *bar,
		      const char *stage)
{
	int ret;

	w->stage = stage;
	ret = pthread_barrier_wait(bar);
	if (ret && ret != PTHREAD_BARRIER_SERIAL_THREAD)
		W_FAIL(w, "pthread_barrier_wait failed", 0, 0, ret);
}

/* The last thing a worker does. */
static void w_end(struct worker *w)
{
	w->end_nid = popcorn_getnid();
	w->stage = "finished";
	w->done = 1;
}

/* @n workers of one test, thread i sent to node i % @nodes, ending at 0. */
static struct worker *workers_new(int n, void *ctx, int nodes)
{
	struct worker *w = pages(n * sizeof(*w));
	int i;

	for (i = 0; w && i < n; i++) {
		w[i].idx = i;
		w[i].home = i % nodes;
		w[i].end_expect = ORIGIN;
		w[i].used = 1;
		w[i].ctx = ctx;
		w[i].stage = "not started";
	}
	return w;
}

/*
 * At node 0 after the join: every migration succeeded (else the test
 * stops here), every check of the threads passed, each ended where it
 * should. Every failing thread is logged, not only the first.
 */
static void report_workers(struct __test_metadata *_metadata,
			   struct worker *w, int n)
{
	int i, mig = 0, bad = 0;

	for (i = 0; i < n; i++) {
		struct worker *t = &w[i];

		if (!t->used)
			continue;
		if (t->mig_fails) {
			mig += t->mig_fails;
			TH_LOG("thread %d: %d migrations failed; the first at step %ld: popcorn_migrate(%d) from node %d returned %d (%s), then at node %d",
			       i, t->mig_fails, t->mig.step, t->mig.to,
			       t->mig.from, t->mig.ret,
			       t->mig.ret ? strerror(t->mig.err) : "no error",
			       t->mig.now);
		}
		if (t->fails) {
			bad += t->fails;
			TH_LOG("thread %d (sent to node %d): %d checks failed; the first (line %d) at step %ld at node %d: %s: index %ld: expected %ld (%#lx), seen %ld (%#lx)",
			       i, t->home, t->fails, t->first.line,
			       t->first.step, t->first.nid, t->first.what,
			       t->first.index, t->first.expected,
			       t->first.expected, t->first.seen, t->first.seen);
		}
		if (!t->done) {
			bad++;
			TH_LOG("thread %d joined but never finished (stage '%s')",
			       i, t->stage);
		} else if (t->end_expect >= 0 &&
			   t->end_nid != t->end_expect) {
			bad++;
			TH_LOG("thread %d ended at node %d, not %d", i,
			       t->end_nid, t->end_expect);
		}
	}
	ASSERT_EQ(mig, 0) TH_LOG("%d migrations failed", mig);
	EXPECT_EQ(bad, 0) TH_LOG("%d checks failed in the threads", bad);
}

/* ------------------------------------------------------------------ */
/* The watchdog: a hang becomes a report of who waits where           */
/* ------------------------------------------------------------------ */

/* Static: it must outlive a test body that an ASSERT left. */
static struct watchdog {
	struct __test_metadata *md;
	struct worker *w;
	int n, stall_s;
	atomic_int stop;
	pthread_t th;
} wd;

static long wd_progress(void)
{
	long sum = 0;
	int i;

	for (i = 0; i < wd.n; i++)
		sum += wd.w[i].progress + wd.w[i].done + wd.w[i].hops;
	return sum;
}

static void *watchdog_fn(void *arg)
{
	struct __test_metadata *_metadata = wd.md;
	double since = now_s();
	long last = -1, sum;
	int i, tick = 0;

	(void)arg;
	while (!atomic_load(&wd.stop)) {
		sleep_s(0.1);
		/* Every 2 s: reading the workers' pages costs them a fault. */
		if (++tick % 20)
			continue;
		sum = wd_progress();
		if (sum != last) {
			last = sum;
			since = now_s();
			continue;
		}
		if (now_s() - since < wd.stall_s)
			continue;
		TH_LOG("no thread made progress for %d s (a lost futex wake-up or a page that never came?); threads not finished:",
		       wd.stall_s);
		for (i = 0; i < wd.n; i++) {
			struct worker *t = &wd.w[i];

			if (!t->used || t->done)
				continue;
			TH_LOG("  thread %d (sent to node %d): %s, at node %d (last migration to %d), progress %ld, %d migrations, %d failed checks",
			       i, t->home, t->stage, t->at, t->to,
			       t->progress, t->hops, t->fails);
		}
		abort();
	}
	return NULL;
}

static void watchdog_start(struct __test_metadata *_metadata,
			   struct worker *w, int n)
{
	wd.md = _metadata;
	wd.w = w;
	wd.n = n;
	wd.stall_s = env_int("POPCORN_TEST_STALL_S", STALL_S);
	atomic_store(&wd.stop, 0);
	ASSERT_EQ(pthread_create(&wd.th, NULL, watchdog_fn, NULL), 0);
}

static void watchdog_stop(void)
{
	atomic_store(&wd.stop, 1);
	pthread_join(wd.th, NULL);
}

/*
 * Runs @fn in every used worker, started at node 0, and joins them all
 * there under the watchdog.
 */
static void run_workers(struct __test_metadata *_metadata, struct worker *w,
			int n, void *(*fn)(void *))
{
	int i, err;

	watchdog_start(_metadata, w, n);
	for (i = 0; i < n; i++) {
		if (!w[i].used)
			continue;
		err = pthread_create(&w[i].th, NULL, fn, &w[i]);
		ASSERT_EQ(err, 0)
			TH_LOG("pthread_create of thread %d: %s", i,
			       strerror(err));
	}
	for (i = 0; i < n; i++) {
		if (!w[i].used)
			continue;
		err = pthread_join(w[i].th, NULL);
		ASSERT_EQ(err, 0)
			TH_LOG("pthread_join of thread %d: %s", i,
			       strerror(err));
	}
	watchdog_stop();
}

/* ------------------------------------------------------------------ */
/* The fixture: every test starts at the origin with nothing left over */
/* ------------------------------------------------------------------ */

FIXTURE(dist) {
	int nodes;
};

/* Whether @name is one of the comma-separated @list. */
static bool name_listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p += len) {
		if ((p == list || p[-1] == ',') && (!p[len] || p[len] == ','))
			return true;
	}
	return false;
}

FIXTURE_SETUP(dist)
{
	static const char * const counters[] = {
		"processes", "remote_threads"
	};
	const char *only = getenv("POPCORN_TEST_ONLY");
	long long left;
	int nid, k;

	/*
	 * POPCORN_TEST_ONLY=mt: that test alone (the bench); a,b: those two. The harness runs
	 * the body even after a SKIP in setup; exit status 255 is its skip.
	 */
	if (only && *only && !name_listed(only, _metadata->name))
		SKIP(_exit(255), "POPCORN_TEST_ONLY=%s", only);
	self->nodes = cluster_nodes(_metadata);
	/* Earlier test processes have exited: their state must be gone. */
	for (nid = 0; nid < self->nodes; nid++) {
		for (k = 0; k < 2; k++) {
			left = wait_zero(nid, counters[k]);
			ASSERT_EQ(left, 0)
				TH_LOG("node %d: counter \"%s\" is %lld %ds after the last test process ended",
				       nid, counters[k], left, STATE_WAIT_S);
		}
	}
	ASSERT_EQ(popcorn_getnid(), ORIGIN)
		TH_LOG("popcorn_getnid: %s", strerror(errno));
}

FIXTURE_TEARDOWN(dist)
{
	/* The main thread stays home; should it not, do not strand it. */
	if (popcorn_getnid() > ORIGIN)
		popcorn_migrate(ORIGIN);
}

/* ------------------------------------------------------------------ */
/* mt: 32 threads, rounds of barrier, migrations, work, barrier       */
/* ------------------------------------------------------------------ */

#define MT_THREADS	32
#define MT_SLICE	1536	/* words: 6 KiB, so slices share pages */

struct mt_ctx {
	pthread_barrier_t bar;
	int nodes, rounds;
	uint32_t *arr;		/* MT_THREADS slices of MT_SLICE words */
	int last[MT_THREADS];	/* the stamp each slice holds at the end */
};

static uint32_t mt_word(int t, int stamp, size_t i)
{
	return hash32((uint64_t)t << 48 | (uint64_t)stamp << 16 | i);
}

/*
 * Where thread @t goes in round @r before it comes home: node (t + r) % N,
 * so that each round has threads on every node and each thread visits
 * every node; with 3 nodes or more, odd rounds then move on directly to a
 * neighbouring node, up or down in turn, so that remote-to-remote
 * migrations go both ways (1 -> 2 and 2 -> 1), as do remote -> 0 ones.
 */
static int mt_path(int t, int r, int n, int path[2])
{
	path[0] = (t + r) % n;
	if (n < 3 || !(r & 1))
		return 1;
	path[1] = (path[0] + (r & 2 ? n - 1 : 1)) % n;
	return 2;
}

/*
 * Wherever the thread now is: its slice still holds what it wrote last,
 * at another node maybe (stamp @old; -1: nothing yet), although the pages
 * are shared with the neighbouring slices; then a new pattern, read back.
 */
static void mt_work(struct worker *w, uint32_t *s, int old, int new)
{
	size_t i;

	for (i = 0; old >= 0 && i < MT_SLICE; i++) {
		if (s[i] != mt_word(w->idx, old, i)) {
			W_FAIL(w, "the slice changed since this thread wrote it, maybe at another node",
			       i, mt_word(w->idx, old, i), s[i]);
			break;
		}
	}
	for (i = 0; i < MT_SLICE; i++)
		s[i] = mt_word(w->idx, new, i);
	reload();
	for (i = 0; i < MT_SLICE; i++) {
		if (s[i] != mt_word(w->idx, new, i)) {
			W_FAIL(w, "the slice read back wrong right after writing it",
			       i, mt_word(w->idx, new, i), s[i]);
			break;
		}
	}
}

static void *mt_thread(void *arg)
{
	struct worker *w = arg;
	struct mt_ctx *c = w->ctx;
	uint32_t *s = c->arr + (size_t)w->idx * MT_SLICE;
	int r, h, hops, path[2], stamp = -1;

	for (r = 0; r < c->rounds; r++) {
		w_barrier(w, &c->bar, "barrier at the start of a round");
		hops = mt_path(w->idx, r, c->nodes, path);
		for (h = 0; h < hops; h++) {
			if (w_go(w, path[h]))
				break;
			w->stage = "work on its slice";
			mt_work(w, s, stamp, r * 2 + h);
			stamp = r * 2 + h;
		}
		w_go(w, ORIGIN);
		w_barrier(w, &c->bar, "barrier at the end of a round");
		w->progress++;
	}
	c->last[w->idx] = stamp;
	w_end(w);
	return NULL;
}

TEST_F_TIMEOUT(dist, mt, 1800)
{
	struct mt_ctx *c = pages(sizeof(*c));
	size_t i, bad, first;
	struct worker *w;
	long migrations = 0;
	double t0, wall;
	int t;

	ASSERT_NE(c, NULL);
	c->nodes = self->nodes;
	c->rounds = env_int("POPCORN_TEST_ROUNDS", 100);
	ASSERT_GT(c->rounds, 0) TH_LOG("POPCORN_TEST_ROUNDS must be > 0");
	c->arr = pages(MT_THREADS * MT_SLICE * sizeof(uint32_t));
	ASSERT_NE(c->arr, NULL);
	ASSERT_EQ(pthread_barrier_init(&c->bar, NULL, MT_THREADS), 0);
	w = workers_new(MT_THREADS, c, self->nodes);
	ASSERT_NE(w, NULL);

	t0 = now_s();
	run_workers(_metadata, w, MT_THREADS, mt_thread);
	wall = now_s() - t0;
	for (t = 0; t < MT_THREADS; t++)
		migrations += w[t].hops;
	ksft_print_msg("mt wall time: %.3f s on %d nodes\n", wall,
		       self->nodes);
	ksft_print_msg("mt: %d threads, %d rounds, %ld migrations\n",
		       MT_THREADS, c->rounds, migrations);
	fflush(stdout);	/* the harness's child ends with _exit() */

	report_workers(_metadata, w, MT_THREADS);
	/* Back at node 0: every slice holds what its thread wrote last. */
	for (t = 0; t < MT_THREADS; t++) {
		uint32_t *s = c->arr + (size_t)t * MT_SLICE;

		EXPECT_GE(c->last[t], 0) TH_LOG("thread %d never wrote", t);
		if (c->last[t] < 0)
			continue;
		bad = 0;
		first = 0;
		for (i = 0; i < MT_SLICE; i++) {
			if (s[i] != mt_word(t, c->last[t], i) && !bad++)
				first = i;
		}
		EXPECT_EQ(bad, 0)
			TH_LOG("slice %d: %zu of %d words wrong at node 0; first at word %zu: %#x, expected %#x",
			       t, bad, MT_SLICE, first, s[first],
			       mt_word(t, c->last[t], first));
	}
	pthread_barrier_destroy(&c->bar);
}

/* ------------------------------------------------------------------ */
/* counter: one mutex, threads on every node                          */
/* ------------------------------------------------------------------ */

#define CTR_THREADS	16

struct ctr_shared {
	pthread_mutex_t lock;
	volatile long count;
	volatile int holder;	/* 1 + the thread inside, 0: none */
};

struct ctr_ctx {
	pthread_barrier_t bar;
	long incs;
	struct ctr_shared *s;
	long done[CTR_THREADS];
};

static void *ctr_thread(void *arg)
{
	struct worker *w = arg;
	struct ctr_ctx *c = w->ctx;
	struct ctr_shared *s = c->s;
	long k, last = 0, seen;

	w_go(w, w->home);
	/* All start together: the lock is contended across nodes. */
	w_barrier(w, &c->bar, "barrier before the increments");
	w->stage = "increments under the mutex";
	for (k = 0; k < c->incs; k++) {
		W_CHECK0(w, pthread_mutex_lock(&s->lock));
		if (s->holder)
			W_FAIL(w, "another thread holds the mutex too", k, 0,
			       s->holder - 1);
		s->holder = w->idx + 1;
		/* Our last increment is visible to us at any node. */
		seen = s->count;
		if (seen < last)
			W_FAIL(w, "the counter went backwards under the mutex",
			       k, last, seen);
		s->count = seen + 1;
		last = seen + 1;
		s->holder = 0;
		W_CHECK0(w, pthread_mutex_unlock(&s->lock));
		if (!(k & 63))
			w->progress++;
	}
	c->done[w->idx] = k;
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

TEST_F_TIMEOUT(dist, counter, 1800)
{
	struct ctr_ctx *c = pages(sizeof(*c));
	struct worker *w;
	long expect;
	int t;

	ASSERT_NE(c, NULL);
	c->incs = env_int("POPCORN_TEST_INCREMENTS", 10000);
	ASSERT_GT(c->incs, 0) TH_LOG("POPCORN_TEST_INCREMENTS must be > 0");
	c->s = pages(sizeof(*c->s));
	ASSERT_NE(c->s, NULL);
	ASSERT_EQ(pthread_mutex_init(&c->s->lock, NULL), 0);
	ASSERT_EQ(pthread_barrier_init(&c->bar, NULL, CTR_THREADS), 0);
	w = workers_new(CTR_THREADS, c, self->nodes);
	ASSERT_NE(w, NULL);

	run_workers(_metadata, w, CTR_THREADS, ctr_thread);
	report_workers(_metadata, w, CTR_THREADS);
	for (t = 0; t < CTR_THREADS; t++) {
		EXPECT_EQ(c->done[t], c->incs)
			TH_LOG("thread %d (node %d) did %ld increments", t,
			       w[t].home, c->done[t]);
	}
	expect = CTR_THREADS * c->incs;
	EXPECT_EQ(c->s->count, expect)
		TH_LOG("%ld increments lost (negative: too many) by %d threads on %d nodes",
		       expect - c->s->count, CTR_THREADS, self->nodes);
	EXPECT_EQ(c->s->holder, 0);
	pthread_barrier_destroy(&c->bar);
}

/* ------------------------------------------------------------------ */
/* false_sharing: one page, a word per thread, writers on every node  */
/* ------------------------------------------------------------------ */

#define FS_WRITES	2000
#define FS_WORDS	(PAGE / sizeof(long))

struct fs_ctx {
	pthread_barrier_t bar;
	int threads;
	volatile long *word;	/* one page: FS_WORDS words */
};

static void *fs_thread(void *arg)
{
	struct worker *w = arg;
	struct fs_ctx *c = w->ctx;
	volatile long *mine = &c->word[w->idx];
	volatile long *next = &c->word[(w->idx + 1) % c->threads];
	long v, seen, last_next = 0;

	w_go(w, w->home);
	w_barrier(w, &c->bar, "barrier before the writes");
	w->stage = "writes to its word";
	for (v = 1; v <= FS_WRITES; v++) {
		/* The page moved to other writers since: our word stays. */
		seen = *mine;
		if (seen != v - 1)
			W_FAIL(w, "its own word is not what it last wrote",
			       v, v - 1, seen);
		*mine = v;
		seen = *mine;
		if (seen != v)
			W_FAIL(w, "its own word read back wrong", v, v, seen);
		/* The neighbour (another node, mostly) only counts up. */
		if (!(v & 7)) {
			seen = *next;
			if (seen < last_next || seen > FS_WRITES)
				W_FAIL(w, "the neighbour's word went backwards or out of range",
				       v, last_next, seen);
			last_next = seen;
		}
		if (!(v & 63))
			w->progress++;
	}
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

TEST_F_TIMEOUT(dist, false_sharing, 900)
{
	struct fs_ctx *c = pages(sizeof(*c));
	struct worker *w;
	size_t i;
	int t;

	ASSERT_NE(c, NULL);
	c->threads = 2 * self->nodes;
	c->word = pages(PAGE);
	ASSERT_NE(c->word, NULL);
	ASSERT_EQ(pthread_barrier_init(&c->bar, NULL, c->threads), 0);
	w = workers_new(c->threads, c, self->nodes);
	ASSERT_NE(w, NULL);

	run_workers(_metadata, w, c->threads, fs_thread);
	report_workers(_metadata, w, c->threads);
	for (t = 0; t < c->threads; t++) {
		EXPECT_EQ(c->word[t], FS_WRITES)
			TH_LOG("word of thread %d (node %d) is %ld at node 0",
			       t, w[t].home, c->word[t]);
	}
	/* Nobody wrote the rest of the page. */
	for (i = c->threads; i < FS_WORDS; i++) {
		EXPECT_EQ(c->word[i], 0)
			TH_LOG("word %zu, written by no thread, is %#lx", i,
			       c->word[i]);
	}
	pthread_barrier_destroy(&c->bar);
}

/* ------------------------------------------------------------------ */
/* migratory: a word read then written by node 0 and node 1 in turn   */
/* ------------------------------------------------------------------ */

#define MG_TURNS	200

struct mg_ctx {
	pthread_barrier_t bar;
	volatile long *counter;	/* alone on its page */
};

static void *mg_thread(void *arg)
{
	struct worker *w = arg;
	struct mg_ctx *c = w->ctx;
	long i, v;

	w_go(w, w->home);
	w->stage = "adds one in its turns";
	for (i = 0; i < MG_TURNS; i++) {
		w_barrier(w, &c->bar, "barrier between turns");
		if (i % 2 != w->idx)
			continue;
		v = *c->counter;	/* read first ... */
		if (v != i)
			W_FAIL(w, "the counter is not what the last turn left",
			       i, i, v);
		*c->counter = v + 1;	/* ... then write */
		w->progress++;
	}
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

/*
 * migratory: a page that node 0 and node 1 take turns to read and then
 * write (a lock word, a counter handed around) goes whole with each read
 * once the pattern shows (page_dir.h): the write after it faults no more,
 * one fetch a turn instead of a read and an upgrade. The counter is
 * exact.
 */
TEST_F_TIMEOUT(dist, migratory, 600)
{
	struct mg_ctx *c = pages(sizeof(*c));
	long long upgrades;
	struct worker *w;

	ASSERT_NE(c, NULL);
	c->counter = pages(PAGE);
	ASSERT_NE(c->counter, NULL);
	ASSERT_EQ(pthread_barrier_init(&c->bar, NULL, 2), 0);
	w = workers_new(2, c, self->nodes);	/* 0 stays home, 1 at node 1 */
	ASSERT_NE(w, NULL);

	upgrades = pcn_stat_after(1, "\"upgrade\":{", "ok");
	run_workers(_metadata, w, 2, mg_thread);
	report_workers(_metadata, w, 2);
	upgrades = pcn_stat_after(1, "\"upgrade\":{", "ok") - upgrades;
	EXPECT_EQ(*c->counter, MG_TURNS);
	/* Without: one upgrade at node 1 for each of its 100 turns. */
	EXPECT_LE(upgrades, MG_TURNS / 8)
		TH_LOG("%lld upgrade faults at node 1 in %d turns of read, then write",
		       upgrades, MG_TURNS / 2);
	pthread_barrier_destroy(&c->bar);
}

/* ------------------------------------------------------------------ */
/* fresh_memory: first touches of new memory on every node at once    */
/* ------------------------------------------------------------------ */

/*
 * A page nobody ever had is handed to the first node that asks, with the
 * unused pages of its 64-page block, as zeros (page_server.c). Here the
 * threads of every node touch new memory page by page, interleaved, so
 * that each block is being handed to one node while threads of the others
 * (the origin's included) touch its other pages: every page must read
 * zero before its writer's first store and keep what its writer stored.
 */
#define FM_PAGES	1024	/* 16 blocks */
#define FM_WORDS	(PAGE / sizeof(long))

struct fm_ctx {
	pthread_barrier_t bar;
	int threads;
	volatile long *mem;	/* FM_PAGES fresh pages */
};

/* What thread @t writes into page @i. */
static long fm_stamp(int t, size_t i)
{
	return 0x5a00000000L + ((long)t << 16) + (long)i;
}

static void fm_check_page(struct worker *w, volatile long *pg, size_t i,
			  long stamp)
{
	if (pg[0] != stamp || pg[FM_WORDS / 2] != stamp ||
	    pg[FM_WORDS - 1] != stamp)
		W_FAIL(w, "a page does not hold what its writer stored", i,
		       stamp, pg[0] != stamp ? pg[0] : pg[FM_WORDS - 1]);
	if (pg[1] || pg[FM_WORDS - 2])
		W_FAIL(w, "a word nobody wrote is not zero", i, 0,
		       pg[1] ? pg[1] : pg[FM_WORDS - 2]);
}

static void *fm_thread(void *arg)
{
	struct worker *w = arg;
	struct fm_ctx *c = w->ctx;
	volatile long *pg;
	size_t i;
	int t;

	w_go(w, w->home);
	w_barrier(w, &c->bar, "barrier before the first touches");
	w->stage = "first touches of its pages";
	for (i = w->idx; i < FM_PAGES; i += c->threads) {
		pg = c->mem + i * FM_WORDS;
		if (pg[FM_WORDS - 1] || pg[0] || pg[FM_WORDS / 2])
			W_FAIL(w, "a fresh page is not zero", i, 0,
			       pg[0] ? pg[0] : pg[FM_WORDS - 1]);
		pg[0] = fm_stamp(w->idx, i);
		pg[FM_WORDS / 2] = fm_stamp(w->idx, i);
		pg[FM_WORDS - 1] = fm_stamp(w->idx, i);
		w->progress++;
	}
	w_barrier(w, &c->bar, "barrier before the reads");
	w->stage = "reads every page";
	for (i = 0; i < FM_PAGES; i++) {
		t = i % c->threads;
		fm_check_page(w, c->mem + i * FM_WORDS, i, fm_stamp(t, i));
		w->progress++;
	}
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

TEST_F_TIMEOUT(dist, fresh_memory, 900)
{
	struct fm_ctx *c = pages(sizeof(*c));
	long long granted;
	struct worker *w;
	size_t i;

	ASSERT_NE(c, NULL);
	c->threads = 2 * self->nodes;
	c->mem = pages(FM_PAGES * PAGE);
	ASSERT_NE(c->mem, NULL);
	ASSERT_EQ(pthread_barrier_init(&c->bar, NULL, c->threads), 0);
	w = workers_new(c->threads, c, self->nodes);
	ASSERT_NE(w, NULL);

	granted = pcn_stat_node(ORIGIN, "pages_granted");
	run_workers(_metadata, w, c->threads, fm_thread);
	report_workers(_metadata, w, c->threads);
	for (i = 0; i < FM_PAGES; i++) {
		volatile long *pg = c->mem + i * FM_WORDS;
		long stamp = fm_stamp(i % c->threads, i);

		EXPECT_EQ(pg[0], stamp) TH_LOG("page %zu at node 0", i);
		EXPECT_EQ(pg[FM_WORDS - 1], stamp) TH_LOG("page %zu at node 0", i);
		EXPECT_EQ(pg[1], 0) TH_LOG("page %zu at node 0", i);
	}
	/* The remotes were handed fresh pages without their data. */
	EXPECT_GT(pcn_stat_node(ORIGIN, "pages_granted"), granted);
	pthread_barrier_destroy(&c->bar);
}

/*
 * fresh_block: one thread at node 1 fills new memory from start to end,
 * as a thread filling its own allocation does: it asks the origin once a
 * block, not once a page (node 1's counters), and reads back what it
 * wrote, at node 1 and at home.
 */
#define FB_PAGES	512

static void *fb_thread(void *arg)
{
	struct worker *w = arg;
	volatile long *mem = w->ctx, *pg;
	size_t i;

	w_go(w, w->home);
	w->stage = "fills its memory";
	for (i = 0; i < FB_PAGES; i++) {
		pg = mem + i * FM_WORDS;
		if (pg[0] || pg[FM_WORDS - 1])
			W_FAIL(w, "a fresh page is not zero", i, 0,
			       pg[0] ? pg[0] : pg[FM_WORDS - 1]);
		pg[0] = pg[FM_WORDS - 1] = fm_stamp(1, i);
		w->progress++;
	}
	for (i = 0; i < FB_PAGES; i++) {
		pg = mem + i * FM_WORDS;
		if (pg[0] != fm_stamp(1, i) || pg[FM_WORDS - 1] != fm_stamp(1, i))
			W_FAIL(w, "a page lost what it stored", i,
			       fm_stamp(1, i), pg[0]);
	}
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

/*
 * New memory no page of which the origin has: this process became
 * distributed at its first migration, and a transparent huge page made
 * before that (the test kernel has THP "always") for a thread's stack
 * that the memory merged with may cover part of it. The origin splits
 * such a page when a remote asks (deputy.c's thp_region), but its
 * untouched pages are then the origin's, not unused: read and upgraded
 * one by one instead of handed over as zeros.
 */
static void *fresh_pages(size_t size)
{
	void *p = pages(size);

	if (p && madvise(p, size, MADV_NOHUGEPAGE)) {
		munmap(p, size);
		return NULL;
	}
	return p;
}

TEST_F_TIMEOUT(dist, fresh_block, 300)
{
	volatile long *mem = fresh_pages(FB_PAGES * PAGE);
	long long fetches, ahead, granted;
	struct worker *w;
	size_t i;

	ASSERT_NE(mem, NULL);
	w = workers_new(2, (void *)mem, self->nodes);
	ASSERT_NE(w, NULL);
	w[0].used = 0;		/* thread 1 alone, at node 1 */

	fetches = pcn_stat_node(1, "page_fetches");
	ahead = pcn_stat_node(1, "granted_mapped");
	granted = pcn_stat_node(ORIGIN, "pages_granted");
	run_workers(_metadata, w, 2, fb_thread);
	report_workers(_metadata, w, 2);
	fetches = pcn_stat_node(1, "page_fetches") - fetches;
	ahead = pcn_stat_node(1, "granted_mapped") - ahead;
	granted = pcn_stat_node(ORIGIN, "pages_granted") - granted;
	for (i = 0; i < FB_PAGES; i++)
		EXPECT_EQ(mem[i * FM_WORDS], fm_stamp(1, i))
			TH_LOG("page %zu at node 0", i);
	/* 8 blocks; its stack and code pages ask too, a few dozen at most. */
	EXPECT_GE(ahead, FB_PAGES / 2)
		TH_LOG("%lld pages mapped ahead of %lld granted, %lld fetches",
		       ahead, granted, fetches);
	EXPECT_LE(fetches, FB_PAGES / 4)
		TH_LOG("%lld fetches for %d fresh pages (%lld granted)",
		       fetches, FB_PAGES, granted);
}

/*
 * populate_here: madvise calls that ask for pages, made at node 1, bring
 * them to node 1 (and none away from it): one thread at node 1 writes
 * new memory, then MADV_POPULATE_WRITE, MADV_POPULATE_READ and
 * MADV_WILLNEED it, reads it back, then MADV_POPULATE_READs memory the
 * origin wrote and reads that. Made at the origin, the calls would take
 * node 1's pages home (node 0's recalls) and node 1 would fetch them
 * again. An unmapped range gets ENOMEM, as at home.
 */
#define PH_PAGES	256

struct ph_ctx {
	volatile long *mine, *theirs;
	void *hole;
	int ret[3], hole_err[2];
};

static void *ph_thread(void *arg)
{
	struct worker *w = arg;
	struct ph_ctx *c = w->ctx;
	size_t i, len = PH_PAGES * PAGE;
	volatile long *pg;

	w_go(w, w->home);
	w->stage = "fills its memory";
	for (i = 0; i < PH_PAGES; i++)
		c->mine[i * FM_WORDS] = fm_stamp(1, i);
	w->stage = "madvise";
	c->ret[0] = madvise((void *)c->mine, len, MADV_POPULATE_WRITE);
	c->ret[1] = madvise((void *)c->mine, len, MADV_POPULATE_READ);
	c->ret[2] = madvise((void *)c->mine, len, MADV_WILLNEED);
	c->hole_err[0] = madvise(c->hole, PAGE, MADV_POPULATE_READ) ? errno : 0;
	c->hole_err[1] = madvise(c->hole, PAGE, MADV_WILLNEED) ? errno : 0;
	w->stage = "reads its memory";
	for (i = 0; i < PH_PAGES; i++) {
		if (c->mine[i * FM_WORDS] != fm_stamp(1, i))
			W_FAIL(w, "a page lost what it stored", i,
			       fm_stamp(1, i), c->mine[i * FM_WORDS]);
	}
	w->stage = "populates and reads the origin's memory";
	if (madvise((void *)c->theirs, len, MADV_POPULATE_READ))
		W_FAIL(w, "MADV_POPULATE_READ of the origin's memory failed",
		       0, 0, errno);
	for (i = 0; i < PH_PAGES; i++) {
		pg = c->theirs + i * FM_WORDS;
		if (pg[0] != fm_stamp(0, i))
			W_FAIL(w, "a page does not hold what the origin wrote",
			       i, fm_stamp(0, i), pg[0]);
	}
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

TEST_F_TIMEOUT(dist, populate_here, 300)
{
	struct ph_ctx *c = pages(sizeof(*c));
	long long recalls, fetches;
	struct worker *w;
	size_t i;

	ASSERT_NE(c, NULL);
	c->mine = pages(PH_PAGES * PAGE);
	c->theirs = pages(PH_PAGES * PAGE);
	/* Below the program and above mmap_min_addr: nothing is there. */
	c->hole = (void *)0x100000;
	ASSERT_NE(c->mine, NULL);
	ASSERT_NE(c->theirs, NULL);
	ASSERT_NE(madvise(c->hole, PAGE, MADV_WILLNEED), 0);
	ASSERT_EQ(errno, ENOMEM);
	for (i = 0; i < PH_PAGES; i++)
		c->theirs[i * FM_WORDS] = fm_stamp(0, i);
	w = workers_new(2, c, self->nodes);
	ASSERT_NE(w, NULL);
	w[0].used = 0;		/* thread 1 alone, at node 1 */

	recalls = pcn_stat_node(ORIGIN, "page_recalls");
	fetches = pcn_stat_node(1, "page_fetches");
	run_workers(_metadata, w, 2, ph_thread);
	report_workers(_metadata, w, 2);
	recalls = pcn_stat_node(ORIGIN, "page_recalls") - recalls;
	fetches = pcn_stat_node(1, "page_fetches") - fetches;
	EXPECT_EQ(c->ret[0], 0);
	EXPECT_EQ(c->ret[1], 0);
	EXPECT_EQ(c->ret[2], 0);
	EXPECT_EQ(c->hole_err[0], ENOMEM);
	EXPECT_EQ(c->hole_err[1], ENOMEM);
	for (i = 0; i < PH_PAGES; i++)
		EXPECT_EQ(c->mine[i * FM_WORDS], fm_stamp(1, i))
			TH_LOG("page %zu at node 0", i);
	/*
	 * Node 1's pages stayed there (the origin takes back only the
	 * context's page and the stack, code and data it shares); the
	 * fresh blocks and the origin's pages came several at a time.
	 */
	EXPECT_LE(recalls, PH_PAGES / 8)
		TH_LOG("%lld recalls: node 1's pages went home", recalls);
	EXPECT_LE(fetches, PH_PAGES / 2)
		TH_LOG("%lld fetches for 2 x %d pages", fetches, PH_PAGES);
}

/*
 * read_ahead: memory the origin wrote, read at node 1 from start to end:
 * pages come several at a time (node 1's counters), each with what the
 * origin last wrote; the origin writes them all again, and the second
 * pass at node 1 sees only the new values (pages sent ahead are copies
 * like any other, taken back on the origin's write).
 */
#define RA_PAGES	512
#define RA_WINDOW_MAX	16	/* PCN_PAGE_AHEAD_MAX: the largest window */

struct ra_ctx {
	pthread_barrier_t bar;
	volatile long *mem;
	int pass;
	bool down;		/* rs_thread: from end to start */
	size_t chunk;		/* rs_thread: chunks of pages, each top down */
	size_t part;		/* rs_thread: the first pages of each 16 only */
};

static void *ra_thread(void *arg)
{
	struct worker *w = arg;
	struct ra_ctx *c = w->ctx;
	volatile long *pg;
	int pass;
	size_t i;

	w_go(w, w->home);
	for (pass = 1; pass <= 2; pass++) {
		w_barrier(w, &c->bar, "barrier before a pass");
		w->stage = "reads every page";
		for (i = 0; i < RA_PAGES; i++) {
			pg = c->mem + i * FM_WORDS;
			if (pg[0] != fm_stamp(pass, i) ||
			    pg[FM_WORDS - 1] != fm_stamp(pass, i))
				W_FAIL(w, "a page does not hold what the origin wrote",
				       i, fm_stamp(pass, i), pg[0]);
			w->progress++;
		}
		w_barrier(w, &c->bar, "barrier after a pass");
	}
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

static void ra_write_n(struct ra_ctx *c, int pass, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		c->mem[i * FM_WORDS] = fm_stamp(pass, i);
		c->mem[i * FM_WORDS + FM_WORDS - 1] = fm_stamp(pass, i);
	}
}

static void ra_write(struct ra_ctx *c, int pass)
{
	ra_write_n(c, pass, RA_PAGES);
}

static void *ra_origin_thread(void *arg)
{
	struct worker *w = arg;
	struct ra_ctx *c = w->ctx;
	int pass;

	for (pass = 1; pass <= 2; pass++) {
		w->stage = "writes every page";
		ra_write(c, pass);
		w_barrier(w, &c->bar, "barrier before a pass");
		w_barrier(w, &c->bar, "barrier after a pass");
	}
	w_end(w);
	return NULL;
}

static void *ra_start(void *arg)
{
	struct worker *w = arg;

	return w->idx ? ra_thread(arg) : ra_origin_thread(arg);
}

TEST_F_TIMEOUT(dist, read_ahead, 300)
{
	struct ra_ctx *c = pages(sizeof(*c));
	long long fetches, ahead, inval, msgs;
	struct worker *w;

	ASSERT_NE(c, NULL);
	c->mem = pages(RA_PAGES * PAGE);
	ASSERT_NE(c->mem, NULL);
	ASSERT_EQ(pthread_barrier_init(&c->bar, NULL, 2), 0);
	w = workers_new(2, c, self->nodes);	/* 0 stays home, 1 at node 1 */
	ASSERT_NE(w, NULL);

	fetches = pcn_stat_node(1, "page_fetches");
	ahead = pcn_stat_node(1, "ahead_mapped");
	inval = pcn_stat("inval_sent");
	msgs = pcn_stat_after(0, "\"name\":\"page_recall\",", "msgs_out") +
	       pcn_stat_after(0, "\"name\":\"page_invalidate\",", "msgs_out");
	run_workers(_metadata, w, 2, ra_start);
	report_workers(_metadata, w, 2);
	fetches = pcn_stat_node(1, "page_fetches") - fetches;
	ahead = pcn_stat_node(1, "ahead_mapped") - ahead;
	inval = pcn_stat("inval_sent") - inval;
	msgs = pcn_stat_after(0, "\"name\":\"page_recall\",", "msgs_out") +
	       pcn_stat_after(0, "\"name\":\"page_invalidate\",", "msgs_out") - msgs;
	/* Two passes of 512 pages, 16 at a time once under way. */
	EXPECT_GE(ahead, RA_PAGES)
		TH_LOG("%lld pages mapped ahead, %lld fetches", ahead, fetches);
	EXPECT_LE(fetches, RA_PAGES / 2)
		TH_LOG("%lld fetches for 2 x %d pages read in order", fetches,
		       RA_PAGES);
	/*
	 * The second pass's writes at the origin take node 1's copies of
	 * all 512 pages away, up to 16 in one message (page_inval.c).
	 */
	EXPECT_GE(inval, RA_PAGES)
		TH_LOG("%lld copies invalidated for %d pages rewritten", inval,
		       RA_PAGES);
	EXPECT_LE(msgs, RA_PAGES / 8)
		TH_LOG("%lld recall and invalidate messages for %lld copies",
		       msgs, inval);
	pthread_barrier_destroy(&c->bar);
}

/*
 * One thread at node 1 reads RA_PAGES / 2 pages the origin wrote, upwards
 * or (c->down) from end to start; node 1's fetches and pages mapped ahead
 * meanwhile in *fetches and *ahead.
 */
static void *rs_thread(void *arg)
{
	struct worker *w = arg;
	struct ra_ctx *c = w->ctx;
	size_t k, i, n = RA_PAGES / 2;
	volatile long *pg;

	w_go(w, w->home);
	w->stage = "reads every page";
	for (k = 0; k < n; k++) {
		i = c->down ? n - 1 - k : k;
		if (c->chunk)
			i = k - k % c->chunk + c->chunk - 1 - k % c->chunk;
		if (c->part && i % 16 >= c->part)
			continue;
		pg = c->mem + i * FM_WORDS;
		if (pg[0] != fm_stamp(1, i))
			W_FAIL(w, "a page does not hold what the origin wrote",
			       i, fm_stamp(1, i), pg[0]);
		w->progress++;
	}
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

static void ra_single(struct __test_metadata *_metadata, int nodes,
		      struct ra_ctx *c, long long *fetches, long long *ahead)
{
	struct worker *w = workers_new(2, c, nodes);

	ASSERT_NE(w, NULL);
	w[0].used = 0;		/* thread 1 alone, at node 1 */
	*fetches = pcn_stat_node(1, "page_fetches");
	*ahead = pcn_stat_node(1, "ahead_mapped");
	run_workers(_metadata, w, 2, rs_thread);
	report_workers(_metadata, w, 2);
	*fetches = pcn_stat_node(1, "page_fetches") - *fetches;
	*ahead = pcn_stat_node(1, "ahead_mapped") - *ahead;
}

/*
 * read_down: memory the origin wrote, read at node 1 from end to start
 * (a copy that runs backwards): read-ahead follows downwards, pages come
 * several at a time.
 */
TEST_F_TIMEOUT(dist, read_down, 300)
{
	struct ra_ctx *c = pages(sizeof(*c));
	long long fetches, ahead;

	ASSERT_NE(c, NULL);
	c->mem = pages(RA_PAGES / 2 * PAGE);
	ASSERT_NE(c->mem, NULL);
	ra_write_n(c, 1, RA_PAGES / 2);
	c->down = true;
	ra_single(_metadata, self->nodes, c, &fetches, &ahead);
	TH_LOG("%lld fetches, %lld pages mapped ahead, for %d pages read last first",
	       fetches, ahead, RA_PAGES / 2);
	EXPECT_GE(ahead, RA_PAGES / 4);
	EXPECT_LE(fetches, RA_PAGES / 8);
}

/*
 * read_chunks: the same memory read at node 1 a chunk of 4 pages at a
 * time, each chunk from its last page down, as glibc's memcpy copies a
 * buffer into one at the same page offset: the first fault of a chunk
 * brings the pages down to the last chunk's: about one fetch per chunk
 * (three without the gap filled: the top page, then two windows down;
 * the thread's own stack and code add a few).
 */
TEST_F_TIMEOUT(dist, read_chunks, 300)
{
	struct ra_ctx *c = pages(sizeof(*c));
	long long fetches, ahead;

	ASSERT_NE(c, NULL);
	c->mem = pages(RA_PAGES / 2 * PAGE);
	ASSERT_NE(c->mem, NULL);
	ra_write_n(c, 1, RA_PAGES / 2);
	c->chunk = 4;
	ra_single(_metadata, self->nodes, c, &fetches, &ahead);
	TH_LOG("%lld fetches, %lld pages mapped ahead for %d pages in chunks of 4",
	       fetches, ahead, RA_PAGES / 2);
	EXPECT_GE(ahead, RA_PAGES / 2 * 3 / 4 - 8);
	EXPECT_LE(fetches, RA_PAGES / 2 / 4 + 32);
}

/*
 * read_ahead_used: whether read-ahead paid, as node 1 counts it (pages
 * mapped ahead are looked at again at the stream's next fault). Memory the
 * origin wrote, read at node 1 in order: nearly every page that came
 * ahead is counted used, hardly any unused. Then other memory, read 8
 * pages of every 16: the windows that follow the reads run into the 8
 * pages not read, and the gap filled below the next group's first read
 * is not read either: about as many unused as used.
 */
/*
 * ra_single() on RA_PAGES / 2 new pages the origin wrote, reading the first
 * @part of every 16 (0: all): node 1's pages mapped ahead meanwhile, and
 * those counted used and unused.
 */
static void ra_used(struct __test_metadata *_metadata, int nodes,
		    struct ra_ctx *c, size_t part, long long *ahead,
		    long long *used, long long *unused)
{
	long long fetches;

	c->mem = pages(RA_PAGES / 2 * PAGE);
	ASSERT_NE(c->mem, NULL);
	ra_write_n(c, 1, RA_PAGES / 2);
	c->part = part;
	*used = pcn_stat_node(1, "ahead_used");
	*unused = pcn_stat_node(1, "ahead_unused");
	ra_single(_metadata, nodes, c, &fetches, ahead);
	*used = pcn_stat_node(1, "ahead_used") - *used;
	*unused = pcn_stat_node(1, "ahead_unused") - *unused;
	TH_LOG("%zu of 16 read: %lld mapped ahead, %lld used, %lld unused",
	       part ? part : 16, *ahead, *used, *unused);
}

TEST_F_TIMEOUT(dist, read_ahead_used, 300)
{
	struct ra_ctx *c = pages(sizeof(*c));
	long long ahead, used, unused;

	ASSERT_NE(c, NULL);
	ra_used(_metadata, self->nodes, c, 0, &ahead, &used, &unused);
	/*
	 * All but the last window, looked at by no later fault; its stack's
	 * windows below it may go unused.
	 */
	EXPECT_GE(used, ahead - RA_WINDOW_MAX);
	EXPECT_LE(unused, ahead / 16);

	ra_used(_metadata, self->nodes, c, 8, &ahead, &used, &unused);
	/* 16 groups: up to 7 used and 8 unused in each (104 and 120). */
	EXPECT_GE(used, RA_PAGES / 2 / 16 * 2);
	EXPECT_GE(unused, RA_PAGES / 2 / 16 * 4);
}

/*
 * read_random: the same reads at node 1 of memory the program declared
 * read at random (madvise(MADV_RANDOM), made at node 0): none of its
 * pages comes ahead, each read fault brings its page alone.
 */
TEST_F_TIMEOUT(dist, read_random, 300)
{
	struct ra_ctx *c = pages(sizeof(*c));
	long long fetches, ahead;

	ASSERT_NE(c, NULL);
	c->mem = pages(RA_PAGES / 2 * PAGE);
	ASSERT_NE(c->mem, NULL);
	ra_write_n(c, 1, RA_PAGES / 2);
	ASSERT_EQ(madvise((void *)c->mem, RA_PAGES / 2 * PAGE, MADV_RANDOM), 0)
		TH_LOG("madvise: %s", strerror(errno));
	ra_single(_metadata, self->nodes, c, &fetches, &ahead);
	/* The thread's own stack and code may bring a neighbour or two. */
	EXPECT_LE(ahead, 8)
		TH_LOG("%lld pages mapped ahead of MADV_RANDOM reads", ahead);
	EXPECT_GE(fetches, RA_PAGES / 2)
		TH_LOG("%lld fetches for %d pages", fetches, RA_PAGES / 2);
}

/* ------------------------------------------------------------------ */
/* producer_consumer: a bounded queue, a mutex, two condition vars    */
/* ------------------------------------------------------------------ */

#define PC_SLOTS	8
#define PC_ITEMS	2000

struct pc_item {
	int id;
	uint32_t val;
};

struct pc_queue {
	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
	struct pc_item slot[PC_SLOTS];
	int head, count;
	int taken;		/* items taken out so far */
};

struct pc_ctx {
	struct pc_queue *q;
	unsigned char *seen;	/* PC_ITEMS: times each item was consumed */
	int producers;		/* the first threads; consumers after */
	long produced[MAX_THREADS], consumed[MAX_THREADS];
	uint64_t sum[MAX_THREADS];
};

static uint32_t pc_value(int id)
{
	return hash32(0x9c0000000ull + id);
}

static void pc_produce(struct worker *w, struct pc_ctx *c)
{
	struct pc_queue *q = c->q;
	long n = 0;
	int id;

	/* Producer p makes items p, p + P, p + 2P, ... */
	for (id = w->idx; id < PC_ITEMS; id += c->producers) {
		w->stage = "producer: lock";
		W_CHECK0(w, pthread_mutex_lock(&q->lock));
		w->stage = "producer: waits for a free slot";
		while (q->count == PC_SLOTS)
			W_CHECK0(w, pthread_cond_wait(&q->not_full, &q->lock));
		q->slot[(q->head + q->count) % PC_SLOTS] =
			(struct pc_item){ id, pc_value(id) };
		q->count++;
		W_CHECK0(w, pthread_cond_signal(&q->not_empty));
		W_CHECK0(w, pthread_mutex_unlock(&q->lock));
		n++;
		w->progress++;
	}
	c->produced[w->idx] = n;
}

static void pc_consume(struct worker *w, struct pc_ctx *c)
{
	struct pc_queue *q = c->q;
	struct pc_item it;
	uint64_t sum = 0;
	long n = 0;
	int last;

	for (;;) {
		w->stage = "consumer: lock";
		W_CHECK0(w, pthread_mutex_lock(&q->lock));
		w->stage = "consumer: waits for an item";
		while (!q->count && q->taken < PC_ITEMS)
			W_CHECK0(w, pthread_cond_wait(&q->not_empty, &q->lock));
		if (!q->count) {
			/* All taken: the last taker woke us all. */
			W_CHECK0(w, pthread_mutex_unlock(&q->lock));
			break;
		}
		it = q->slot[q->head];
		q->head = (q->head + 1) % PC_SLOTS;
		q->count--;
		last = ++q->taken == PC_ITEMS;
		W_CHECK0(w, pthread_cond_signal(&q->not_full));
		if (last)
			W_CHECK0(w, pthread_cond_broadcast(&q->not_empty));
		W_CHECK0(w, pthread_mutex_unlock(&q->lock));

		if (it.id < 0 || it.id >= PC_ITEMS) {
			W_FAIL(w, "an item id out of range", n, 0, it.id);
			continue;
		}
		if (it.val != pc_value(it.id))
			W_FAIL(w, "an item's value is wrong", it.id,
			       pc_value(it.id), it.val);
		if (__atomic_fetch_add(&c->seen[it.id], 1, __ATOMIC_RELAXED))
			W_FAIL(w, "an item consumed twice", it.id, 0, 1);
		sum += it.val;
		n++;
		w->progress++;
	}
	c->consumed[w->idx] = n;
	c->sum[w->idx] = sum;
}

static void *pc_thread(void *arg)
{
	struct worker *w = arg;
	struct pc_ctx *c = w->ctx;

	w_go(w, w->home);
	if (w->idx < c->producers)
		pc_produce(w, c);
	else
		pc_consume(w, c);
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

TEST_F_TIMEOUT(dist, producer_consumer, 900)
{
	struct pc_ctx *c = pages(sizeof(*c));
	int n = self->nodes, threads = 2 * n, t, id, missing, twice, first;
	uint64_t expect_sum = 0, sum = 0;
	long produced = 0, consumed = 0;
	struct worker *w;
	char line[512];
	size_t len;

	ASSERT_NE(c, NULL);
	c->q = pages(sizeof(*c->q));
	c->seen = pages(PC_ITEMS);
	ASSERT_NE(c->q, NULL);
	ASSERT_NE(c->seen, NULL);
	ASSERT_EQ(pthread_mutex_init(&c->q->lock, NULL), 0);
	ASSERT_EQ(pthread_cond_init(&c->q->not_full, NULL), 0);
	ASSERT_EQ(pthread_cond_init(&c->q->not_empty, NULL), 0);
	c->producers = n;
	w = workers_new(threads, c, n);
	ASSERT_NE(w, NULL);
	/*
	 * Producer p at node p, consumer c at node c + 1: a producer and a
	 * consumer on every node, and no consumer next to the producer of
	 * the same number, so items mostly cross nodes.
	 */
	for (t = n; t < threads; t++)
		w[t].home = (t - n + 1) % n;

	run_workers(_metadata, w, threads, pc_thread);
	report_workers(_metadata, w, threads);
	for (t = 0; t < threads; t++) {
		if (t < n) {
			produced += c->produced[t];
		} else {
			consumed += c->consumed[t];
			sum += c->sum[t];
		}
	}
	for (id = 0; id < PC_ITEMS; id++)
		expect_sum += pc_value(id);
	EXPECT_EQ(produced, PC_ITEMS);
	EXPECT_EQ(consumed, PC_ITEMS)
		TH_LOG("%ld items consumed of %d", consumed, PC_ITEMS);
	EXPECT_EQ(sum, expect_sum) TH_LOG("the items' values add up wrong");
	missing = twice = 0;
	first = -1;
	for (id = 0; id < PC_ITEMS; id++) {
		if (c->seen[id] != 1 && first < 0)
			first = id;
		missing += !c->seen[id];
		twice += c->seen[id] > 1;
	}
	EXPECT_EQ(missing + twice, 0)
		TH_LOG("%d items never consumed, %d more than once; first: item %d, %d times",
		       missing, twice, first, first < 0 ? 0 : c->seen[first]);
	EXPECT_EQ(c->q->count, 0);
	for (t = n, len = 0; t < threads && len < sizeof(line); t++)
		len += snprintf(line + len, sizeof(line) - len, " %ld@%d",
				c->consumed[t], w[t].home);
	TH_LOG("items per consumer (count@node):%s", line);
}

/* ------------------------------------------------------------------ */
/* join_remote_exit: threads end away from the origin and are joined  */
/* ------------------------------------------------------------------ */

enum {
	JR_A,	/* ends at node 1, joined at node 0 */
	JR_B,	/* 3+ nodes: ends at node 2, joined at node 0 */
	JR_C,	/* ends at node 2 (3+ nodes) or 0, joined by JR_J */
	JR_J,	/* joins JR_C from node 1, comes back */
	JR_THREADS
};

struct jr_ctx {
	struct worker *w;
	atomic_int joiner_ready;
	volatile long wrote[JR_THREADS];
	int join_ret, nid_join;
	void *join_val;
};

static void *jr_ret(int k)
{
	return (void *)(uintptr_t)(0x5eed0000 + k);
}

static long jr_wrote(int k)
{
	return 0x7a110000L + k;
}

static void *jr_thread(void *arg)
{
	struct worker *w = arg;
	struct jr_ctx *c = w->ctx;
	struct worker *joinee = &c->w[JR_C];

	switch (w->idx) {
	case JR_C:
		w_go(w, w->home);
		/* Ends once the joiner waits at node 1, all being well. */
		w->stage = "waits for the joiner to reach node 1";
		while (!atomic_load(&c->joiner_ready))
			sleep_s(0.001);
		w->stage = "gives the joiner time to sleep in pthread_join";
		sleep_s(0.2);
		break;
	case JR_J:
		w_go(w, 1);
		atomic_store(&c->joiner_ready, 1);
		w->stage = "pthread_join of the thread ending elsewhere";
		c->join_ret = pthread_join(joinee->th, &c->join_val);
		c->nid_join = popcorn_getnid();
		w->progress++;
		w_go(w, ORIGIN);
		w_end(w);
		return NULL;
	default:
		w_go(w, w->home);
		break;
	}
	/*
	 * Ends here: A at node 1, B at node 2, C at node 2 or 0; the return
	 * value reaches the joiner from there.
	 */
	c->wrote[w->idx] = jr_wrote(w->idx);
	w_end(w);
	return jr_ret(w->idx);
}

TEST_F_TIMEOUT(dist, join_remote_exit, 300)
{
	struct jr_ctx *c = pages(sizeof(*c));
	int three = self->nodes >= 3, k, err;
	struct worker *w;
	void *val;

	ASSERT_NE(c, NULL);
	w = workers_new(JR_THREADS, c, self->nodes);
	ASSERT_NE(w, NULL);
	c->w = w;
	w[JR_A].home = w[JR_A].end_expect = 1;
	w[JR_B].used = three;
	w[JR_B].home = w[JR_B].end_expect = 2;
	w[JR_C].home = w[JR_C].end_expect = three ? 2 : ORIGIN;
	w[JR_J].home = 1;
	w[JR_J].end_expect = ORIGIN;
	c->join_ret = -1;
	c->nid_join = -1;

	watchdog_start(_metadata, w, JR_THREADS);
	/* C before J: J joins C by the pthread_t created here. */
	for (k = 0; k < JR_THREADS; k++) {
		if (!w[k].used)
			continue;
		err = pthread_create(&w[k].th, NULL, jr_thread, &w[k]);
		ASSERT_EQ(err, 0) TH_LOG("pthread_create: %s", strerror(err));
	}
	/* A and B end at their remote, most likely while we wait here. */
	for (k = JR_A; k <= JR_B; k++) {
		if (!w[k].used)
			continue;
		val = NULL;
		err = pthread_join(w[k].th, &val);
		ASSERT_EQ(err, 0)
			TH_LOG("pthread_join of the thread ending at node %d: %s",
			       w[k].home, strerror(err));
		EXPECT_EQ(val, jr_ret(k))
			TH_LOG("the thread that ended at node %d returned %p, not %p",
			       w[k].home, val, jr_ret(k));
	}
	ASSERT_EQ(pthread_join(w[JR_J].th, NULL), 0);
	watchdog_stop();

	report_workers(_metadata, w, JR_THREADS);
	EXPECT_EQ(c->join_ret, 0)
		TH_LOG("pthread_join at node 1 of a thread that ended at node %d: %s",
		       w[JR_C].home, strerror(c->join_ret));
	EXPECT_EQ(c->join_val, jr_ret(JR_C))
		TH_LOG("pthread_join at node 1: value %p, not %p", c->join_val,
		       jr_ret(JR_C));
	EXPECT_EQ(c->nid_join, 1) TH_LOG("the joiner left node 1 meanwhile");
	for (k = 0; k < JR_THREADS; k++) {
		if (!w[k].used || k == JR_J)
			continue;
		EXPECT_EQ(c->wrote[k], jr_wrote(k))
			TH_LOG("what thread %d wrote at node %d before ending: %#lx",
			       k, w[k].home, c->wrote[k]);
	}
}

/* ------------------------------------------------------------------ */
/* rwlock: readers on every node, writers at nodes 0 and 1            */
/* ------------------------------------------------------------------ */

#define RW_ENTRIES	64
#define RW_STRIDE	16	/* longs: the entries span two pages */
#define RW_WRITES	200
#define RW_WRITERS	2	/* threads 0 (node 0) and 1 (node 1) */

struct rw_ctx {
	pthread_barrier_t bar;
	pthread_rwlock_t lock;
	volatile long *arr;	/* RW_ENTRIES * RW_STRIDE longs */
	atomic_int writers_left;
	long reads[MAX_THREADS + RW_WRITERS];
};

static void rw_write(struct worker *w, struct rw_ctx *c)
{
	long v;
	int k, j;

	for (k = 0; k < RW_WRITES; k++) {
		w->stage = "writer: write lock";
		W_CHECK0(w, pthread_rwlock_wrlock(&c->lock));
		w->stage = "writer: rewrites the array";
		v = c->arr[0];
		for (j = 0; j < RW_ENTRIES; j++) {
			if (c->arr[j * RW_STRIDE] != v) {
				W_FAIL(w, "the array is inconsistent under the write lock",
				       j, v, c->arr[j * RW_STRIDE]);
				break;
			}
		}
		/* One more than before: both writers' updates add up. */
		for (j = 0; j < RW_ENTRIES; j++)
			c->arr[j * RW_STRIDE] = v + 1;
		W_CHECK0(w, pthread_rwlock_unlock(&c->lock));
		w->progress++;
		/* Let readers in between the writes. */
		sleep_s(0.001);
	}
	atomic_fetch_sub(&c->writers_left, 1);
}

static void rw_read(struct worker *w, struct rw_ctx *c)
{
	long v, last = 0, reads = 0;
	int j;

	do {
		w->stage = "reader: read lock";
		W_CHECK0(w, pthread_rwlock_rdlock(&c->lock));
		w->stage = "reader: reads the array";
		v = c->arr[0];
		for (j = 1; j < RW_ENTRIES; j++) {
			if (c->arr[j * RW_STRIDE] != v) {
				W_FAIL(w, "a torn read under the read lock", j,
				       v, c->arr[j * RW_STRIDE]);
				break;
			}
		}
		W_CHECK0(w, pthread_rwlock_unlock(&c->lock));
		if (v < last || v > RW_WRITERS * RW_WRITES)
			W_FAIL(w, "the array's value went backwards or out of range",
			       reads, last, v);
		last = v;
		reads++;
		w->progress++;
		/* Leave the lock and its page alone a little. */
		sleep_s(0.0002);
	} while (atomic_load(&c->writers_left));
	c->reads[w->idx] = reads;
}

static void *rw_thread(void *arg)
{
	struct worker *w = arg;
	struct rw_ctx *c = w->ctx;

	w_go(w, w->home);
	/* Readers and writers all in place: they overlap. */
	w_barrier(w, &c->bar, "barrier before reading and writing");
	if (w->idx < RW_WRITERS)
		rw_write(w, c);
	else
		rw_read(w, c);
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

TEST_F_TIMEOUT(dist, rwlock, 900)
{
	struct rw_ctx *c = pages(sizeof(*c));
	int threads = RW_WRITERS + 2 * self->nodes, t, j;
	pthread_rwlockattr_t attr;
	struct worker *w;
	long reads = 0;

	ASSERT_NE(c, NULL);
	c->arr = pages(RW_ENTRIES * RW_STRIDE * sizeof(long));
	ASSERT_NE(c->arr, NULL);
	/*
	 * Writer-preferring: glibc's default prefers readers, and readers on
	 * every node would keep the writers out for ever.
	 */
	ASSERT_EQ(pthread_rwlockattr_init(&attr), 0);
	ASSERT_EQ(pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP), 0);
	ASSERT_EQ(pthread_rwlock_init(&c->lock, &attr), 0);
	pthread_rwlockattr_destroy(&attr);
	atomic_store(&c->writers_left, RW_WRITERS);
	ASSERT_EQ(pthread_barrier_init(&c->bar, NULL, threads), 0);
	w = workers_new(threads, c, self->nodes);
	ASSERT_NE(w, NULL);
	w[0].home = ORIGIN;
	w[1].home = 1;
	/* Two readers per node. */
	for (t = RW_WRITERS; t < threads; t++)
		w[t].home = (t - RW_WRITERS) % self->nodes;

	run_workers(_metadata, w, threads, rw_thread);
	report_workers(_metadata, w, threads);
	for (j = 0; j < RW_ENTRIES; j++) {
		EXPECT_EQ(c->arr[j * RW_STRIDE], RW_WRITERS * RW_WRITES)
			TH_LOG("entry %d is %ld at node 0", j,
			       c->arr[j * RW_STRIDE]);
	}
	for (t = RW_WRITERS; t < threads; t++)
		reads += c->reads[t];
	TH_LOG("%d readers on %d nodes: %ld reads", threads - RW_WRITERS,
	       self->nodes, reads);
	pthread_rwlock_destroy(&c->lock);
	pthread_barrier_destroy(&c->bar);
}

/* ------------------------------------------------------------------ */
/* futex_ops: futex(2) itself across nodes                            */
/* ------------------------------------------------------------------ */

/*
 * Every futex(2) of a thread at a remote is made at the origin by its twin
 * (kernel/popcorn/futex.c), a timeout turned into the time left. Scenes,
 * each with threads of its own:
 *  - probes: one thread at node 1 waits where it must fail (a word that
 *    does not match) or time out: 200 ms relative, absolute on
 *    CLOCK_MONOTONIC and CLOCK_REALTIME, a deadline already passed, and
 *    pthread_cond_timedwait. No wait that times out may end before its
 *    deadline on that clock at node 1; how late is no matter of semantics
 *    and has no bound here.
 *  - bitset: a waiter at node 1 with bitset 0x2; a wake of bitset 0x1 from
 *    node 0 wakes nobody, one of 0x2 wakes it.
 *  - requeue: waiters on A at nodes 1 and 2 (or 1 and 0), moved to B by
 *    FUTEX_CMP_REQUEUE from node 1 and woken there by a FUTEX_WAKE of B.
 *  - wake_op: FUTEX_WAKE_OP from node 1 wakes a waiter of A at node 0 and
 *    one of B at node 2 (or 1) and sets B; shared (not private) futexes.
 * The private ops are glibc's; the shared ones key the futex by its page.
 * A waiter is known asleep before it is woken: the futex counts it (a
 * FUTEX_CMP_REQUEUE, or a wake that returns 1), never a sleep of a while.
 */

#define FX_NS		200000000LL	/* the timeouts: 200 ms */
#define FX_SEC		1000000000LL
#define FX_POLLS	20000		/* polls 1 ms apart: 20 s or more */
#define FX_UNSET	LONG_MIN	/* a result never recorded */
#define FX_RELEASED	0xdeadu		/* a word on which nobody may sleep */

/* The futex words and a condition variable: a page of their own. */
struct fx_words {
	uint32_t zero;		/* 0: the probes wait on it */
	uint32_t f;		/* bitset */
	uint32_t a5, b5;	/* requeue: from A to B */
	uint32_t a6, b6;	/* wake_op, shared */
	pthread_mutex_t m;
	pthread_cond_t cv;
};

enum {
	FXP_NOMATCH,		/* FUTEX_WAIT_PRIVATE, 1 expected, 0 there */
	FXP_NOMATCH_SHARED,	/* FUTEX_WAIT, the same */
	FXP_REL,		/* FUTEX_WAIT_PRIVATE, 200 ms relative */
	FXP_REL_SHARED,		/* FUTEX_WAIT, the same */
	FXP_ABS_MONO,		/* FUTEX_WAIT_BITSET_PRIVATE, now + 200 ms */
	FXP_ABS_REAL,		/*   | FUTEX_CLOCK_REALTIME, now + 200 ms */
	FXP_PAST_MONO,		/* FUTEX_WAIT_BITSET_PRIVATE, now - 1 s */
	FXP_PAST_REAL,		/*   | FUTEX_CLOCK_REALTIME, now - 1 s */
	FXP_COND,		/* pthread_cond_timedwait, now + 200 ms */
	FXP_N
};

enum { FXT_NONE, FXT_REL, FXT_ABS };

static const struct fx_spec {
	const char *tag;	/* short, for the log of the times */
	const char *what;
	int op;			/* -1: pthread_cond_timedwait */
	uint32_t val;		/* the value expected (the word is 0) */
	int tmo;		/* FXT_*: the kind of timeout */
	clockid_t clk;		/* the clock of the deadline */
	long long off;		/* the deadline, from now (ns) */
	long expect;		/* -errno */
} fx_spec[FXP_N] = {
	[FXP_NOMATCH] = {
		"nomatch", "FUTEX_WAIT_PRIVATE on a word that does not match",
		FUTEX_WAIT_PRIVATE, 1, FXT_NONE, CLOCK_MONOTONIC, 0,
		-EAGAIN },
	[FXP_NOMATCH_SHARED] = {
		"nomatch-shared", "FUTEX_WAIT (shared) on a word that does not match",
		FUTEX_WAIT, 1, FXT_NONE, CLOCK_MONOTONIC, 0, -EAGAIN },
	[FXP_REL] = {
		"rel", "FUTEX_WAIT_PRIVATE, 200 ms relative timeout",
		FUTEX_WAIT_PRIVATE, 0, FXT_REL, CLOCK_MONOTONIC, FX_NS,
		-ETIMEDOUT },
	[FXP_REL_SHARED] = {
		"rel-shared", "FUTEX_WAIT (shared), 200 ms relative timeout",
		FUTEX_WAIT, 0, FXT_REL, CLOCK_MONOTONIC, FX_NS, -ETIMEDOUT },
	[FXP_ABS_MONO] = {
		"abs-mono", "FUTEX_WAIT_BITSET_PRIVATE, CLOCK_MONOTONIC deadline now + 200 ms",
		FUTEX_WAIT_BITSET_PRIVATE, 0, FXT_ABS, CLOCK_MONOTONIC, FX_NS,
		-ETIMEDOUT },
	[FXP_ABS_REAL] = {
		"abs-real", "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, CLOCK_REALTIME deadline now + 200 ms",
		FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, FXT_ABS,
		CLOCK_REALTIME, FX_NS, -ETIMEDOUT },
	[FXP_PAST_MONO] = {
		"past-mono", "FUTEX_WAIT_BITSET_PRIVATE, CLOCK_MONOTONIC deadline 1 s ago",
		FUTEX_WAIT_BITSET_PRIVATE, 0, FXT_ABS, CLOCK_MONOTONIC, -FX_SEC,
		-ETIMEDOUT },
	[FXP_PAST_REAL] = {
		"past-real", "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, CLOCK_REALTIME deadline 1 s ago",
		FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, FXT_ABS,
		CLOCK_REALTIME, -FX_SEC, -ETIMEDOUT },
	[FXP_COND] = {
		"cond", "pthread_cond_timedwait, CLOCK_REALTIME deadline now + 200 ms, never signalled",
		-1, 0, FXT_ABS, CLOCK_REALTIME, FX_NS, -ETIMEDOUT },
};

struct fx_result {
	long ret;		/* what it returned, or -errno; FX_UNSET */
	int nid;		/* where it was made */
	long long late_ns;	/* the clock at its return minus the deadline */
};

struct fx_ctx {
	struct fx_words *x;
	struct fx_result probe[FXP_N];
	atomic_int rq_waking;	/* requeue: B is being woken */
	atomic_int wo_waking;	/* wake_op: FUTEX_WAKE_OP is being made */
};

/* futex(2): what it returned, or -errno. @val2: a timeout or a count. */
static long fx_call(uint32_t *uaddr, int op, uint32_t val, unsigned long val2,
		    uint32_t *uaddr2, uint32_t val3)
{
	long ret = syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);

	return ret < 0 ? -errno : ret;
}

static long long clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (long long)ts.tv_sec * FX_SEC + ts.tv_nsec;
}

static struct timespec ns_ts(long long ns)
{
	return (struct timespec){ ns / FX_SEC, ns % FX_SEC };
}

/*
 * The waiters asleep on @word (whose value is @val), counted without
 * waking or moving any: FUTEX_CMP_REQUEUE (@op, private or not) of none to
 * wake and all to requeue onto @word itself. Polled every ms until @n
 * sleep (or more), an error, or FX_POLLS polls: the last count, or -errno.
 */
static long fx_sleepers(struct worker *w, uint32_t *word, uint32_t val,
			int op, long n)
{
	long r = 0;
	int i;

	for (i = 0; i < FX_POLLS; i++) {
		r = fx_call(word, op, 0, INT_MAX, word, val);
		if (r < 0 || r >= n)
			break;
		w->progress++;
		sleep_s(0.001);
	}
	return r;
}

/*
 * After a failed check, so that no waiter of the scene sleeps for ever:
 * the word changes (a waiter yet to come does not sleep), then every
 * waiter on it is woken (@wake: FUTEX_WAKE, private or not).
 */
static void fx_release(uint32_t *word, int wake)
{
	__atomic_store_n(word, FX_RELEASED, __ATOMIC_SEQ_CST);
	fx_call(word, wake, INT_MAX, 0, NULL, 0);
}

static uint32_t fx_read(uint32_t *word)
{
	return __atomic_load_n(word, __ATOMIC_SEQ_CST);
}

/* At node 1: probe @k, its result and how late it ended on its clock. */
static void fx_probe(struct worker *w, struct fx_ctx *c, int k)
{
	const struct fx_spec *s = &fx_spec[k];
	struct fx_result *r = &c->probe[k];
	long long deadline;
	struct timespec ts;
	int err;

	w->stage = s->what;
	r->nid = popcorn_getnid();
	deadline = clock_ns(s->clk) + s->off;
	if (deadline < 0)	/* 1 s ago: a clock younger than that */
		deadline = 0;
	ts = ns_ts(s->tmo == FXT_REL ? s->off : deadline);
	if (s->op < 0) {
		W_CHECK0(w, pthread_mutex_lock(&c->x->m));
		err = pthread_cond_timedwait(&c->x->cv, &c->x->m, &ts);
		r->late_ns = clock_ns(s->clk) - deadline;
		W_CHECK0(w, pthread_mutex_unlock(&c->x->m));
		r->ret = -err;
	} else {
		r->ret = fx_call(&c->x->zero, s->op, s->val,
				 s->tmo == FXT_NONE ? 0 : (unsigned long)&ts,
				 NULL, FUTEX_BITSET_MATCH_ANY);
		r->late_ns = clock_ns(s->clk) - deadline;
	}
	w->progress++;
}

static void *fx_probe_thread(void *arg)
{
	struct worker *w = arg;
	int k;

	/* Not made at all elsewhere: a failed migration is reported. */
	if (!w_go(w, 1)) {
		for (k = 0; k < FXP_N; k++)
			fx_probe(w, w->ctx, k);
	}
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

enum { BS_WAKER, BS_WAITER, BS_THREADS };

/*
 * At node 0. Round 1: a wake of bitset 0x2 tried until it wakes the waiter,
 * one of 0x1 before each, which must wake nobody. The waiter may fall
 * asleep between the two of the last try; so round 2: the waiter, asleep
 * again, is counted first, and a wake of 0x1 surely finds it asleep.
 */
static void fx_bitset_wake(struct worker *w, uint32_t *f)
{
	long r1, r2 = 0, n;
	int i, wrong = 0;

	w->stage = "bitset: wakes of bitset 0x1, then 0x2 until one wakes the waiter at node 1";
	for (i = 0; i < FX_POLLS; i++) {
		r1 = fx_call(f, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, 0, NULL,
			     0x1);
		if (r1 && !wrong++)
			W_FAIL(w, "bitset, round 1: FUTEX_WAKE_BITSET_PRIVATE of bitset 0x1 woke a waiter of bitset 0x2, or failed (woken, or -errno)",
			       i, 0, r1);
		r2 = fx_call(f, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 0x2);
		if (r2)
			break;
		w->progress++;
		sleep_s(0.001);
	}
	if (r2 != 1) {
		W_FAIL(w, "bitset, round 1: FUTEX_WAKE_BITSET_PRIVATE of bitset 0x2 never woke the waiter at node 1 (index: tries; woken, or -errno)",
		       i, 1, r2);
		goto out;
	}
	w->progress++;

	w->stage = "bitset: counts the waiter at node 1 asleep again";
	n = fx_sleepers(w, f, 0, FUTEX_CMP_REQUEUE_PRIVATE, 1);
	if (n != 1) {
		W_FAIL(w, "bitset, round 2: the waiter at node 1 was never counted asleep (FUTEX_CMP_REQUEUE_PRIVATE onto its own word: waiters, or -errno)",
		       0, 1, n);
		goto out;
	}
	w->stage = "bitset: wakes of bitset 0x1, then 0x2, the waiter asleep";
	r1 = fx_call(f, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, 0, NULL, 0x1);
	if (r1)
		W_FAIL(w, "bitset, round 2: FUTEX_WAKE_BITSET_PRIVATE of bitset 0x1 woke the waiter of bitset 0x2 asleep at node 1, or failed (woken, or -errno)",
		       0, 0, r1);
	r2 = fx_call(f, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 0x2);
	if (r2 != 1)
		W_FAIL(w, "bitset, round 2: FUTEX_WAKE_BITSET_PRIVATE of bitset 0x2 did not wake the waiter asleep at node 1 (woken, or -errno)",
		       0, 1, r2);
out:
	if (w->fails)
		fx_release(f, FUTEX_WAKE_PRIVATE);
}

static void *fx_bitset_thread(void *arg)
{
	struct worker *w = arg;
	struct fx_ctx *c = w->ctx;
	long r;
	int round;

	w_go(w, w->home);
	if (w->idx == BS_WAKER) {
		fx_bitset_wake(w, &c->x->f);
	} else {
		for (round = 1; round <= 2; round++) {
			w->stage = "bitset: FUTEX_WAIT_BITSET_PRIVATE, bitset 0x2";
			r = fx_call(&c->x->f, FUTEX_WAIT_BITSET_PRIVATE, 0, 0,
				    NULL, 0x2);
			if (r)
				W_FAIL(w, "bitset: FUTEX_WAIT_BITSET_PRIVATE of bitset 0x2 at node 1 did not return 0 once woken (index: round; -errno)",
				       round, 0, r);
			w->progress++;
		}
	}
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

enum { RQ_CTL, RQ_W1, RQ_W2, RQ_THREADS };

/*
 * At node 1: the waiters requeued from A to B until both are (a count of
 * what moved: it is how one knows they sleep), then a requeue back with a
 * wrong expected value, which must fail and move neither, then a wake of
 * both on B.
 */
static void fx_requeue_ctl(struct worker *w, struct fx_ctx *c)
{
	uint32_t *a = &c->x->a5, *b = &c->x->b5;
	long r = 0, moved = 0;
	int i;

	w->stage = "requeue: FUTEX_CMP_REQUEUE_PRIVATE from A to B until both waiters moved";
	for (i = 0; i < FX_POLLS && moved < 2; i++) {
		r = fx_call(a, FUTEX_CMP_REQUEUE_PRIVATE, 0, 2, b, 0);
		if (r < 0 || moved + r > 2) {
			W_FAIL(w, "requeue: FUTEX_CMP_REQUEUE_PRIVATE of A to B (none to wake, 2 to requeue) failed or moved more than the two waiters (index: moved before; moved, or -errno)",
			       moved, 2 - moved, r);
			break;
		}
		moved += r;
		if (moved < 2) {
			w->progress++;
			sleep_s(0.001);
		}
	}
	if (!w->fails && moved != 2)
		W_FAIL(w, "requeue: the two waiters were never both asleep on A (moved to B by FUTEX_CMP_REQUEUE_PRIVATE; index: polls)",
		       i, 2, moved);
	w->progress++;
	if (!w->fails) {
		w->stage = "requeue: FUTEX_CMP_REQUEUE_PRIVATE with a wrong expected value";
		r = fx_call(b, FUTEX_CMP_REQUEUE_PRIVATE, 0, 2, a, 1);
		if (r != -EAGAIN)
			W_FAIL(w, "requeue: FUTEX_CMP_REQUEUE_PRIVATE of B to A expecting 1 where B is 0 did not fail with EAGAIN (moved, or -errno)",
			       0, -EAGAIN, r);
		w->stage = "requeue: FUTEX_WAKE_PRIVATE of 2 on B";
		atomic_store(&c->rq_waking, 1);
		r = fx_call(b, FUTEX_WAKE_PRIVATE, 2, 0, NULL, 0);
		if (r != 2)
			W_FAIL(w, "requeue: FUTEX_WAKE_PRIVATE of 2 on B at node 1 did not wake both waiters requeued from A (woken, or -errno)",
			       0, 2, r);
	}
	if (w->fails) {
		atomic_store(&c->rq_waking, 1);
		fx_release(a, FUTEX_WAKE_PRIVATE);
		fx_release(b, FUTEX_WAKE_PRIVATE);
	}
}

static void *fx_requeue_thread(void *arg)
{
	struct worker *w = arg;
	struct fx_ctx *c = w->ctx;
	long r;

	w_go(w, w->home);
	if (w->idx == RQ_CTL) {
		fx_requeue_ctl(w, c);
	} else {
		w->stage = "requeue: FUTEX_WAIT_PRIVATE on A";
		r = fx_call(&c->x->a5, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
		if (r)
			W_FAIL(w, "requeue: FUTEX_WAIT_PRIVATE on A did not return 0 once woken on B (-errno)",
			       0, 0, r);
		if (!atomic_load(&c->rq_waking))
			W_FAIL(w, "requeue: FUTEX_WAIT_PRIVATE on A returned before B was woken",
			       0, 1, 0);
		w->progress++;
	}
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

enum { WO_WAKER, WO_A, WO_B, WO_THREADS };

/* FUTEX_WAKE_OP: *B = 5; wake 1 on A; wake 1 on B if *B was 0. */
#define WO_OP	FUTEX_OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0)

/* At node 1: both waiters counted asleep, then FUTEX_WAKE_OP. */
static void fx_wake_op(struct worker *w, struct fx_ctx *c)
{
	uint32_t *a = &c->x->a6, *b = &c->x->b6;
	long n, r;

	w->stage = "wake_op: counts the waiter on A asleep";
	n = fx_sleepers(w, a, 0, FUTEX_CMP_REQUEUE, 1);
	if (n != 1)
		W_FAIL(w, "wake_op: the waiter on A at node 0 was never counted asleep, or not alone (FUTEX_CMP_REQUEUE onto its own word: waiters, or -errno)",
		       0, 1, n);
	w->stage = "wake_op: counts the waiter on B asleep";
	n = fx_sleepers(w, b, 0, FUTEX_CMP_REQUEUE, 1);
	if (n != 1)
		W_FAIL(w, "wake_op: the waiter on B was never counted asleep, or not alone (FUTEX_CMP_REQUEUE onto its own word: waiters, or -errno)",
		       1, 1, n);
	w->progress++;
	if (!w->fails) {
		w->stage = "wake_op: FUTEX_WAKE_OP";
		atomic_store(&c->wo_waking, 1);
		r = fx_call(a, FUTEX_WAKE_OP, 1, 1, b, WO_OP);
		if (r != 2)
			W_FAIL(w, "wake_op: FUTEX_WAKE_OP (A 1, B 1, B = 5 if B == 0) with B 0 did not wake both (woken, or -errno)",
			       0, 2, r);
		if (fx_read(b) != 5)
			W_FAIL(w, "wake_op: B at node 1 after FUTEX_WAKE_OP set it to 5",
			       0, 5, fx_read(b));
	}
	if (w->fails) {
		atomic_store(&c->wo_waking, 1);
		fx_release(a, FUTEX_WAKE);
		fx_release(b, FUTEX_WAKE);
	}
}

static void *fx_wake_op_thread(void *arg)
{
	struct worker *w = arg;
	struct fx_ctx *c = w->ctx;
	uint32_t *word = w->idx == WO_A ? &c->x->a6 : &c->x->b6;
	long r;

	w_go(w, w->home);
	if (w->idx == WO_WAKER) {
		fx_wake_op(w, c);
	} else {
		w->stage = w->idx == WO_A ? "wake_op: FUTEX_WAIT on A" :
					    "wake_op: FUTEX_WAIT on B";
		r = fx_call(word, FUTEX_WAIT, 0, 0, NULL, 0);
		if (r)
			W_FAIL(w, "wake_op: FUTEX_WAIT (shared) did not return 0 once woken by FUTEX_WAKE_OP (index: 0 on A, 1 on B; -errno)",
			       w->idx == WO_B, 0, r);
		if (!atomic_load(&c->wo_waking))
			W_FAIL(w, "wake_op: FUTEX_WAIT (shared) returned before FUTEX_WAKE_OP (index: 0 on A, 1 on B)",
			       w->idx == WO_B, 1, 0);
		/* Where it was woken: at node 0 (A) and node 2 or 1 (B). */
		if (fx_read(&c->x->b6) != 5)
			W_FAIL(w, "wake_op: B where its waiter was woken after FUTEX_WAKE_OP set it to 5 (index: 0 on A, 1 on B)",
			       w->idx == WO_B, 5, fx_read(&c->x->b6));
		w->progress++;
	}
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

TEST_F_TIMEOUT(dist, futex_ops, 300)
{
	struct fx_ctx *c = pages(sizeof(*c));
	int three = self->nodes >= 3, k;
	char line[512], err[64];
	struct worker *w;
	size_t len = 0;

	if (self->nodes < 2)
		SKIP(return, "%d node: this test needs 2 or more", self->nodes);
	ASSERT_NE(c, NULL);
	c->x = pages(sizeof(*c->x));
	ASSERT_NE(c->x, NULL);
	ASSERT_EQ(pthread_mutex_init(&c->x->m, NULL), 0);
	ASSERT_EQ(pthread_cond_init(&c->x->cv, NULL), 0);

	/* Probes: waits at node 1 that fail or time out. */
	for (k = 0; k < FXP_N; k++) {
		c->probe[k].ret = FX_UNSET;
		c->probe[k].nid = -1;
	}
	w = workers_new(1, c, self->nodes);
	ASSERT_NE(w, NULL);
	w[0].home = 1;
	run_workers(_metadata, w, 1, fx_probe_thread);
	report_workers(_metadata, w, 1);
	for (k = 0; k < FXP_N; k++) {
		const struct fx_spec *s = &fx_spec[k];
		struct fx_result *r = &c->probe[k];

		if (r->ret == FX_UNSET)
			snprintf(err, sizeof(err), "never made");
		else
			snprintf(err, sizeof(err), "%ld (%s)", r->ret,
				 r->ret < 0 ? strerror(-r->ret) : "no error");
		EXPECT_EQ(r->nid, 1)
			TH_LOG("%s: made at node %d, not 1", s->what, r->nid);
		EXPECT_EQ(r->ret, s->expect)
			TH_LOG("%s, at node 1: %s, not %ld (%s)", s->what, err,
			       s->expect, strerror(-s->expect));
		/* Timed out: never before the deadline, on its clock. */
		if (r->ret != -ETIMEDOUT || s->off < 0)
			continue;
		EXPECT_GE(r->late_ns, 0)
			TH_LOG("%s, at node 1: timed out %lld us before the deadline on %s",
			       s->what, -r->late_ns / 1000,
			       s->clk == CLOCK_REALTIME ? "CLOCK_REALTIME" :
							  "CLOCK_MONOTONIC");
		if (len < sizeof(line))
			len += snprintf(line + len, sizeof(line) - len,
					" %s %.1f", s->tag, r->late_ns / 1e6);
	}
	if (len)
		TH_LOG("waits at node 1 timed out this late after their deadlines (ms):%s",
		       line);

	/* bitset: a waiter at node 1, woken from node 0. */
	w = workers_new(BS_THREADS, c, self->nodes);
	ASSERT_NE(w, NULL);
	w[BS_WAKER].home = ORIGIN;
	w[BS_WAITER].home = 1;
	run_workers(_metadata, w, BS_THREADS, fx_bitset_thread);
	report_workers(_metadata, w, BS_THREADS);

	/* requeue: waiters at nodes 1 and 2 (or 0), moved and woken at 1. */
	w = workers_new(RQ_THREADS, c, self->nodes);
	ASSERT_NE(w, NULL);
	w[RQ_CTL].home = 1;
	w[RQ_W1].home = 1;
	w[RQ_W2].home = three ? 2 : ORIGIN;
	run_workers(_metadata, w, RQ_THREADS, fx_requeue_thread);
	report_workers(_metadata, w, RQ_THREADS);

	/* wake_op: a waiter at node 0 and one at 2 (or 1), woken from 1. */
	w = workers_new(WO_THREADS, c, self->nodes);
	ASSERT_NE(w, NULL);
	w[WO_WAKER].home = 1;
	w[WO_A].home = ORIGIN;
	w[WO_B].home = three ? 2 : 1;
	run_workers(_metadata, w, WO_THREADS, fx_wake_op_thread);
	report_workers(_metadata, w, WO_THREADS);
	/* Unless released after a failure, reported above already. */
	if (fx_read(&c->x->a6) != FX_RELEASED) {
		EXPECT_EQ(fx_read(&c->x->b6), 5u)
			TH_LOG("wake_op: B at node 0 is %#x after FUTEX_WAKE_OP set it to 5",
			       fx_read(&c->x->b6));
		EXPECT_EQ(fx_read(&c->x->a6), 0u)
			TH_LOG("wake_op: A at node 0 is %#x: FUTEX_WAKE_OP changed it",
			       fx_read(&c->x->a6));
	}

	pthread_cond_destroy(&c->x->cv);
	pthread_mutex_destroy(&c->x->m);
}

/* ------------------------------------------------------------------ */
/* parallel_kernel: a blocked matrix multiply, rows split over nodes  */
/* ------------------------------------------------------------------ */

#define MM_N		256
#define MM_BLK		32
#define MM_THREADS	8
#define MM_BYTES	(MM_N * MM_N * sizeof(double))

struct mm_ctx {
	const double *a, *b;
	double *out;
};

/* One block: rows [i0, i1), MM_BLK terms from k0, MM_BLK columns from j0. */
static void matmul_block(const double *a, const double *b, double *c,
			 int i0, int i1, int k0, int j0)
{
	int i, k, j;
	double aik;

	for (i = i0; i < i1; i++) {
		for (k = k0; k < k0 + MM_BLK; k++) {
			aik = a[i * MM_N + k];
			for (j = j0; j < j0 + MM_BLK; j++)
				c[i * MM_N + j] += aik * b[k * MM_N + j];
		}
	}
}

/*
 * Rows [r0, r1) of c = a * b, blocked. Every element sums its products in
 * the order of k whatever the rows, so that any split of the rows gives
 * the same bits as one thread doing them all.
 */
static void matmul_rows(const double *a, const double *b, double *c,
			int r0, int r1, volatile long *progress)
{
	int ii, kk, jj, i, j, iend;

	for (i = r0; i < r1; i++)
		for (j = 0; j < MM_N; j++)
			c[i * MM_N + j] = 0;
	for (ii = r0; ii < r1; ii += MM_BLK) {
		iend = ii + MM_BLK < r1 ? ii + MM_BLK : r1;
		for (kk = 0; kk < MM_N; kk += MM_BLK) {
			for (jj = 0; jj < MM_N; jj += MM_BLK)
				matmul_block(a, b, c, ii, iend, kk, jj);
			if (progress)
				(*progress)++;
		}
	}
}

/* Deterministic inputs in [-0.5, 0.5) from a 64-bit LCG. */
static void mm_fill(double *m, uint64_t *x)
{
	int i;

	for (i = 0; i < MM_N * MM_N; i++) {
		*x = *x * 6364136223846793005ull + 1442695040888963407ull;
		m[i] = (double)(*x >> 11) / 9007199254740992.0 - 0.5;
	}
}

static void *mm_thread(void *arg)
{
	struct worker *w = arg;
	struct mm_ctx *c = w->ctx;
	int rows = MM_N / MM_THREADS;

	w_go(w, w->home);
	w->stage = "multiplies its rows";
	matmul_rows(c->a, c->b, c->out, w->idx * rows, (w->idx + 1) * rows,
		    &w->progress);
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

TEST_F_TIMEOUT(dist, parallel_kernel, 900)
{
	static const int sample[][2] = {
		{ 0, 0 }, { 17, 200 }, { 128, 5 }, { MM_N - 1, MM_N - 1 },
	};
	struct mm_ctx *c = pages(sizeof(*c));
	double *a, *b, *ref, *out, naive;
	size_t i, bad = 0, first = 0;
	uint64_t x = 12345;
	struct worker *w;
	int s, k, row, col;

	ASSERT_NE(c, NULL);
	a = pages(MM_BYTES);
	b = pages(MM_BYTES);
	ref = pages(MM_BYTES);
	out = pages(MM_BYTES);
	ASSERT_TRUE(a && b && ref && out);
	mm_fill(a, &x);
	mm_fill(b, &x);
	/* One thread at node 0: the reference. */
	matmul_rows(a, b, ref, 0, MM_N, NULL);
	/* The reference itself against a plain dot product, to rounding. */
	for (s = 0; s < (int)ARRAY_SIZE(sample); s++) {
		row = sample[s][0];
		col = sample[s][1];
		naive = 0;
		for (k = 0; k < MM_N; k++)
			naive += a[row * MM_N + k] * b[k * MM_N + col];
		EXPECT_TRUE(fabs(ref[row * MM_N + col] - naive) <=
			    1e-9 * (1 + fabs(naive)))
			TH_LOG("reference [%d][%d] = %.17g, a dot product gives %.17g",
			       row, col, ref[row * MM_N + col], naive);
	}

	c->a = a;
	c->b = b;
	c->out = out;
	w = workers_new(MM_THREADS, c, self->nodes);
	ASSERT_NE(w, NULL);
	run_workers(_metadata, w, MM_THREADS, mm_thread);
	report_workers(_metadata, w, MM_THREADS);

	if (memcmp(ref, out, MM_BYTES)) {
		for (i = 0; i < (size_t)MM_N * MM_N; i++) {
			if (memcmp(&ref[i], &out[i], sizeof(double)) && !bad++)
				first = i;
		}
	}
	EXPECT_EQ(memcmp(ref, out, MM_BYTES), 0)
		TH_LOG("%zu of %d elements differ; first [%zu][%zu] (rows of thread %zu, node %d): %a, reference %a",
		       bad, MM_N * MM_N, first / MM_N, first % MM_N,
		       first / MM_N / (MM_N / MM_THREADS),
		       w[first / MM_N / (MM_N / MM_THREADS)].home,
		       out[first], ref[first]);
}

/* ------------------------------------------------------------------ */
/* pthread_create_remote: threads created at node 1                   */
/* ------------------------------------------------------------------ */

enum {
	PCR_CREATOR,	/* goes to node 1 and creates the others there */
	PCR_ALONE,	/* created alone: 1 (-> 2) -> 0 */
	PCR_STAYS,	/* the batch of four: ends where it was created */
	PCR_HOME,	/*   1 -> 0 */
	PCR_FAR,	/*   1 -> 2 (3+ nodes) or 0 */
	PCR_RETURNS,	/*   1 -> 0 -> 1 */
	PCR_THREADS
};

struct pcr_ctx {
	int nodes;
	struct worker *w;
	volatile long shared[PCR_THREADS];	/* written by each child */
	int create_ret[PCR_THREADS], join_ret[PCR_THREADS];
	int nid_create[PCR_THREADS], nid_join[PCR_THREADS];
	void *val[PCR_THREADS];
	long seen[PCR_THREADS];	/* shared[] as the creator saw it */
};

static long pcr_value(int k)
{
	return 0x600d0000L + k;
}

static void *pcr_ret(int k)
{
	return (void *)(uintptr_t)(0xc41d0000 + k);
}

static void *pcr_child(void *arg)
{
	struct worker *w = arg;
	struct pcr_ctx *c = w->ctx;
	int born = popcorn_getnid();

	w->at = born;
	/* The documented placement: at its creator's node. */
	if (born != 1)
		W_FAIL(w, "a thread created at node 1 runs elsewhere", 0, 1,
		       born);
	c->shared[w->idx] = pcr_value(w->idx);
	w->progress++;
	switch (w->idx) {
	case PCR_ALONE:
		if (c->nodes >= 3)
			w_go(w, 2);
		w_go(w, ORIGIN);
		break;
	case PCR_HOME:
		w_go(w, ORIGIN);
		break;
	case PCR_FAR:
		w_go(w, c->nodes >= 3 ? 2 : ORIGIN);
		break;
	case PCR_RETURNS:
		w_go(w, ORIGIN);
		w_go(w, 1);
		break;
	}
	w_end(w);
	return pcr_ret(w->idx);
}

static void pcr_spawn(struct pcr_ctx *c, int k)
{
	/* Watched and reported from now on; not if it never existed. */
	c->w[k].used = 1;
	c->nid_create[k] = popcorn_getnid();
	c->create_ret[k] = pthread_create(&c->w[k].th, NULL, pcr_child,
					  &c->w[k]);
	if (c->create_ret[k])
		c->w[k].used = 0;
}

static void pcr_join(struct worker *w, struct pcr_ctx *c, int k)
{
	if (c->create_ret[k])
		return;
	w->stage = "pthread_join at node 1";
	c->join_ret[k] = pthread_join(c->w[k].th, &c->val[k]);
	c->nid_join[k] = popcorn_getnid();
	c->seen[k] = c->shared[k];
	w->progress++;
}

static void *pcr_creator(void *arg)
{
	struct worker *w = arg;
	struct pcr_ctx *c = w->ctx;
	int k;

	if (!w_go(w, 1)) {
		w->stage = "pthread_create at node 1";
		pcr_spawn(c, PCR_ALONE);
		pcr_join(w, c, PCR_ALONE);
		/* Four at once, all alive together. */
		w->stage = "pthread_create of four at node 1";
		for (k = PCR_STAYS; k < PCR_THREADS; k++)
			pcr_spawn(c, k);
		for (k = PCR_STAYS; k < PCR_THREADS; k++)
			pcr_join(w, c, k);
	}
	w_go(w, ORIGIN);
	w_end(w);
	return NULL;
}

TEST_F_TIMEOUT(dist, pthread_create_remote, 300)
{
	struct pcr_ctx *c = pages(sizeof(*c));
	int three = self->nodes >= 3, k, err;
	struct worker *w;

	ASSERT_NE(c, NULL);
	c->nodes = self->nodes;
	w = workers_new(PCR_THREADS, c, self->nodes);
	ASSERT_NE(w, NULL);
	c->w = w;
	for (k = PCR_ALONE; k < PCR_THREADS; k++) {
		w[k].used = 0;		/* until its creator makes it */
		w[k].home = 1;
		c->create_ret[k] = c->join_ret[k] = -1;
		c->nid_create[k] = c->nid_join[k] = -1;
	}
	w[PCR_CREATOR].home = 1;
	w[PCR_STAYS].end_expect = 1;
	w[PCR_FAR].end_expect = three ? 2 : ORIGIN;
	w[PCR_RETURNS].end_expect = 1;

	watchdog_start(_metadata, w, PCR_THREADS);
	err = pthread_create(&w[PCR_CREATOR].th, NULL, pcr_creator,
			     &w[PCR_CREATOR]);
	ASSERT_EQ(err, 0) TH_LOG("pthread_create: %s", strerror(err));
	ASSERT_EQ(pthread_join(w[PCR_CREATOR].th, NULL), 0);
	watchdog_stop();

	/* Migrations first: without them the rest means nothing. */
	report_workers(_metadata, w, PCR_THREADS);
	for (k = PCR_ALONE; k < PCR_THREADS; k++) {
		EXPECT_EQ(c->nid_create[k], 1);
		EXPECT_EQ(c->create_ret[k], 0)
			TH_LOG("pthread_create at node 1 of child %d: %s", k,
			       strerror(c->create_ret[k]));
		if (c->create_ret[k])
			continue;
		EXPECT_EQ(c->join_ret[k], 0)
			TH_LOG("pthread_join at node 1 of child %d (ended at node %d): %s",
			       k, w[k].end_nid, strerror(c->join_ret[k]));
		EXPECT_EQ(c->nid_join[k], 1)
			TH_LOG("the creator left node 1 while joining child %d",
			       k);
		EXPECT_EQ(c->val[k], pcr_ret(k))
			TH_LOG("child %d (ended at node %d) returned %p, not %p",
			       k, w[k].end_nid, c->val[k], pcr_ret(k));
		EXPECT_EQ(c->seen[k], pcr_value(k))
			TH_LOG("what child %d wrote at node 1, seen there by its creator: %#lx",
			       k, c->seen[k]);
		EXPECT_EQ(c->shared[k], pcr_value(k))
			TH_LOG("what child %d wrote at node 1, seen at node 0: %#lx",
			       k, c->shared[k]);
	}
}

/* Runs last: the state of the last test process must be gone too. */
TEST_F_TIMEOUT(dist, no_state_left, 60)
{
	/* FIXTURE_SETUP checked every node: nothing else to do. */
	EXPECT_EQ(popcorn_getnid(), ORIGIN);
}

TEST_HARNESS_MAIN
