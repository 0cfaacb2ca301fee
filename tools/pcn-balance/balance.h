/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcn-balance: moves the threads of the processes started on this node
 * with `pcnctl run --balance` (or marked with `pcnctl balance PID`) among
 * the nodes, to even out CPU load. One round: a sample of every node's
 * load and every managed thread's CPU time, faults and forwarded calls
 * (sample.c), the decisions two samples give (policy.c: pure, tested on
 * the host), the moves (pcn-balance.c). Knobs: config.c and balance.conf.
 */
#ifndef PCN_BALANCE_H
#define PCN_BALANCE_H

#include <stdint.h>

#include "nl.h"
#include "pcnstat.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define BAL_EXIT_OK	0
#define BAL_EXIT_FAIL	1
#define BAL_EXIT_USAGE	2

/* The knobs (balance.conf documents each one). */
struct bal_config {
	double interval;	/* seconds between rounds */
	double busy_min;	/* a node is a source only this busy, % */
	double cpu_min;		/* a thread moves for load only with this
				 * share of a CPU (0..1)
				 */
	double home_rate;	/* faults + calls per second that bring a
				 * thread home...
				 */
	double home_cpu_max;	/* ...when it uses less than this share */
	unsigned int cooldown;	/* rounds a moved thread stays put */
	unsigned int max_moves;	/* per round */
};

void bal_config_default(struct bal_config *c);
/* Reads @path over @c; 0, or -1 with the reason on stderr. */
int bal_config_read(struct bal_config *c, const char *path);

/* One node, as it reported itself. */
struct bal_node {
	int online;		/* its counters came in this sample */
	uint32_t cpus, running;	/* running: runnable, the reader excluded */
	uint64_t busy_ns, uptime_ns;
};

/* One thread of a managed process. */
struct bal_thread {
	uint32_t tid;		/* at the origin (this node) */
	uint32_t nid;		/* where it runs */
	int have;		/* the figures below came */
	uint64_t cpu_ns, faults, calls;
};

struct bal_proc {
	uint32_t pid;
	char comm[32];
	uint32_t allowed;	/* bit per node it may run on */
	struct bal_thread *threads;
	unsigned int nthreads;
};

struct bal_sample {
	int self;		/* this node's id */
	struct bal_node node[PCN_MAX_NODES];
	struct bal_proc *procs;
	unsigned int nprocs;
};

/* sample.c */
int bal_sample_take(struct pcn_nl *nl, struct bal_sample *s);
void bal_sample_free(struct bal_sample *s);

/* What the policy decided, with its reason. */
struct bal_move {
	uint32_t pid, tid, from, to;
	char why[320];
};

/* Rounds a thread stays put after a move, by tid (policy state). */
struct bal_state {
	struct {
		uint32_t tid;
		unsigned int round;
	} recent[256];
	unsigned int nrecent, round;
};

/*
 * policy.c: the moves two samples call for, at most c->max_moves, into
 * @moves; their number. Pure: no system calls.
 */
unsigned int bal_decide(const struct bal_config *c, struct bal_state *st,
			const struct bal_sample *prev,
			const struct bal_sample *cur,
			struct bal_move *moves);
/* Record that @tid moved in this round. */
void bal_moved(struct bal_state *st, uint32_t tid);

#endif /* PCN_BALANCE_H */
