// SPDX-License-Identifier: GPL-2.0
/*
 * pcn-balance's policy: the moves two samples call for. Pure (no system
 * calls), so the host tests feed it made-up samples (test/policy_test.c).
 *
 * Rates are over each node's own clock (its boot clock in both samples),
 * so the nodes' clocks need not agree. Per node: load = runnable threads
 * per CPU now (the reader of the counters excluded), busy = share of its
 * CPUs' time not idle over the interval. Per thread: share = CPU time it
 * used over the interval on its node / the interval (1.0: one whole CPU),
 * rate = its faults that needed another node plus its system calls
 * forwarded to the origin, per second. A thread that moved between the
 * two samples has no share or rate yet and is left alone.
 *
 * In this order, at most max_moves per round, a thread at most once every
 * cooldown rounds:
 *  1. home: a thread away from home whose share is under home_cpu_max
 *     while its rate is home_rate or more mostly waits on pages or calls
 *     at the origin: it goes home.
 *  2. load: for each process, among the nodes it may use that answered:
 *     the most loaded node B, at least busy_min busy, and the least
 *     loaded L (fewest runnable per CPU, then least busy). When one
 *     thread fewer on B and one more on L still leaves L less loaded than
 *     B was ((rL + 1) / cL < rB / cB), the process's thread on B with the
 *     largest share moves to L, if it is CPU-bound (its share is cpu_min
 *     of what it can get there: one CPU, or cB / rB when rB threads share
 *     B's cB CPUs) and its rate under home_rate (a thread that faults or calls that much
 *     shares pages or files with the threads it is with: moving it would
 *     cost more than it gives). The loads are updated for the next move.
 */
#include <stdio.h>
#include <string.h>

#include "balance.h"

static uint64_t delta(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : 0;
}

/* Node @nid's interval in seconds, 0 when it was not read twice. */
static double node_dt(const struct bal_sample *prev,
		      const struct bal_sample *cur, uint32_t nid)
{
	const struct bal_node *a = &prev->node[nid], *b = &cur->node[nid];

	if (!a->online || !b->online || b->uptime_ns <= a->uptime_ns)
		return 0;
	return (b->uptime_ns - a->uptime_ns) / 1e9;
}

static double node_busy(const struct bal_sample *prev,
			const struct bal_sample *cur, uint32_t nid)
{
	const struct bal_node *a = &prev->node[nid], *b = &cur->node[nid];
	double dt = node_dt(prev, cur, nid);

	if (dt <= 0 || !b->cpus)
		return 0;
	return 100.0 * delta(b->busy_ns, a->busy_ns) / 1e9 / dt / b->cpus;
}

static const struct bal_thread *thread_find(const struct bal_sample *s,
					    uint32_t pid, uint32_t tid)
{
	unsigned int i, j;

	for (i = 0; i < s->nprocs; i++) {
		if (s->procs[i].pid != pid)
			continue;
		for (j = 0; j < s->procs[i].nthreads; j++)
			if (s->procs[i].threads[j].tid == tid)
				return &s->procs[i].threads[j];
	}
	return NULL;
}

/* Share and rate of @t over the interval; 0 when it has none. */
static int thread_rates(const struct bal_sample *prev,
			const struct bal_sample *cur, uint32_t pid,
			const struct bal_thread *t, double *share,
			double *rate)
{
	const struct bal_thread *p = thread_find(prev, pid, t->tid);
	double dt = node_dt(prev, cur, t->nid);

	if (!p || !p->have || !t->have || p->nid != t->nid || dt <= 0)
		return 0;
	*share = delta(t->cpu_ns, p->cpu_ns) / 1e9 / dt;
	*rate = (delta(t->faults, p->faults) + delta(t->calls, p->calls)) /
		dt;
	return 1;
}

static int cooling(const struct bal_config *c, const struct bal_state *st,
		   uint32_t tid)
{
	unsigned int i;

	for (i = 0; i < st->nrecent; i++)
		if (st->recent[i].tid == tid &&
		    st->round - st->recent[i].round < c->cooldown)
			return 1;
	return 0;
}

void bal_moved(struct bal_state *st, uint32_t tid)
{
	unsigned int i, oldest = 0;

	for (i = 0; i < st->nrecent; i++) {
		if (st->recent[i].tid == tid)
			break;
		if (st->recent[i].round < st->recent[oldest].round)
			oldest = i;
	}
	if (i == st->nrecent) {
		if (st->nrecent < ARRAY_SIZE(st->recent))
			st->nrecent++;
		else
			i = oldest;
	}
	st->recent[i].tid = tid;
	st->recent[i].round = st->round;
}

/* Runnable per CPU of node @nid with @running threads. */
static double load_of(const struct bal_sample *s, uint32_t nid,
		      int64_t running)
{
	return (double)running / (s->node[nid].cpus ? s->node[nid].cpus : 1);
}

static unsigned int decide_home(const struct bal_config *c,
				struct bal_state *st,
				const struct bal_sample *prev,
				const struct bal_sample *cur,
				struct bal_move *moves, unsigned int n)
{
	double share, rate;
	unsigned int i, j;

	for (i = 0; i < cur->nprocs && n < c->max_moves; i++) {
		const struct bal_proc *p = &cur->procs[i];

		for (j = 0; j < p->nthreads && n < c->max_moves; j++) {
			const struct bal_thread *t = &p->threads[j];

			if ((int)t->nid == cur->self || cooling(c, st, t->tid) ||
			    !thread_rates(prev, cur, p->pid, t, &share, &rate) ||
			    share >= c->home_cpu_max || rate < c->home_rate)
				continue;
			moves[n] = (struct bal_move){
				.pid = p->pid, .tid = t->tid,
				.from = t->nid, .to = cur->self,
			};
			snprintf(moves[n].why, sizeof(moves[n].why),
				 "home: it used %.0f%% of a CPU at node %u and made %.0f faults and calls a second there: it mostly waits on the origin",
				 100 * share, t->nid, rate);
			bal_moved(st, t->tid);
			n++;
		}
	}
	return n;
}

/* One pass over the processes, a move each at most. */
static unsigned int decide_load_pass(const struct bal_config *c,
				     struct bal_state *st,
				     const struct bal_sample *prev,
				     const struct bal_sample *cur,
				     int64_t *running, struct bal_move *moves,
				     unsigned int n)
{
	unsigned int i, j;
	uint32_t nid;

	for (i = 0; i < cur->nprocs && n < c->max_moves; i++) {
		const struct bal_proc *p = &cur->procs[i];
		const struct bal_thread *best = NULL;
		double best_share = 0, share, rate, need;
		int b = -1, l = -1;

		for (nid = 0; nid < PCN_MAX_NODES; nid++) {
			if (!(p->allowed & (1u << nid)) ||
			    node_dt(prev, cur, nid) <= 0)
				continue;
			if (node_busy(prev, cur, nid) >= c->busy_min &&
			    (b < 0 || load_of(cur, nid, running[nid]) >
				      load_of(cur, b, running[b])))
				b = nid;
			if (l < 0 || load_of(cur, nid, running[nid]) <
				     load_of(cur, l, running[l]) ||
			    (load_of(cur, nid, running[nid]) ==
			     load_of(cur, l, running[l]) &&
			     node_busy(prev, cur, nid) <
			     node_busy(prev, cur, l)))
				l = nid;
		}
		if (b < 0 || l < 0 || b == l ||
		    load_of(cur, l, running[l] + 1) >= load_of(cur, b, running[b]))
			continue;
		/* r runnable threads share B's c CPUs: c / r each at most. */
		need = c->cpu_min * (load_of(cur, b, running[b]) > 1 ?
				     1 / load_of(cur, b, running[b]) : 1);
		for (j = 0; j < p->nthreads; j++) {
			const struct bal_thread *t = &p->threads[j];

			if ((int)t->nid != b || cooling(c, st, t->tid) ||
			    !thread_rates(prev, cur, p->pid, t, &share, &rate) ||
			    share < need || rate >= c->home_rate ||
			    share <= best_share)
				continue;
			best = t;
			best_share = share;
		}
		if (!best)
			continue;
		thread_rates(prev, cur, p->pid, best, &share, &rate);
		moves[n] = (struct bal_move){
			.pid = p->pid, .tid = best->tid, .from = b, .to = l,
		};
		snprintf(moves[n].why, sizeof(moves[n].why),
			 "load: node %d has %lld runnable on %u CPU(s), %.0f%% busy; node %d has %lld on %u, %.0f%% busy; the thread used %.0f%% of a CPU with %.0f faults and calls a second",
			 b, (long long)running[b], cur->node[b].cpus,
			 node_busy(prev, cur, b), l, (long long)running[l],
			 cur->node[l].cpus, node_busy(prev, cur, l),
			 100 * share, rate);
		bal_moved(st, best->tid);
		running[b]--;
		running[l]++;
		n++;
	}
	return n;
}

/* Passes while they still find a move. */
static unsigned int decide_load(const struct bal_config *c,
				struct bal_state *st,
				const struct bal_sample *prev,
				const struct bal_sample *cur,
				int64_t *running, struct bal_move *moves,
				unsigned int n)
{
	unsigned int before;

	do {
		before = n;
		n = decide_load_pass(c, st, prev, cur, running, moves, n);
	} while (n > before && n < c->max_moves);
	return n;
}

unsigned int bal_decide(const struct bal_config *c, struct bal_state *st,
			const struct bal_sample *prev,
			const struct bal_sample *cur,
			struct bal_move *moves)
{
	int64_t running[PCN_MAX_NODES];
	unsigned int n, i;
	uint32_t nid;

	st->round++;
	if (cur->self < 0)
		return 0;
	n = decide_home(c, st, prev, cur, moves, 0);
	for (nid = 0; nid < PCN_MAX_NODES; nid++)
		running[nid] = cur->node[nid].running;
	/* The threads just sent home count there, not where they were. */
	for (i = 0; i < n; i++) {
		running[moves[i].from]--;
		running[moves[i].to]++;
	}
	return decide_load(c, st, prev, cur, running, moves, n);
}
