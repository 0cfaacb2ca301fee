// SPDX-License-Identifier: GPL-2.0
/*
 * pcn-balance: one sample of what the policy needs. Every node's own load
 * (STAT_GET, each peer asked over the network): CPUs, busy time, boot
 * clock, runnable threads; and each managed process (PLACE_GET, mode
 * balance) with every thread's node, CPU time, faults and forwarded calls
 * wherever it runs (PROC_GET PID). A node that does not answer is left
 * out of this sample; a process that ended meanwhile too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balance.h"

static void node_fill(struct bal_node *n, const struct pcn_stat *st)
{
	uint32_t running = pcn_val(&st->c, PCN_A_STAT_NR_RUNNING);

	if (!pcn_has(&st->c, PCN_A_STAT_CPUS) ||
	    !pcn_has(&st->c, PCN_A_STAT_UPTIME_NS))
		return;		/* an older kernel: no load to judge */
	n->online = 1;
	n->cpus = pcn_val(&st->c, PCN_A_STAT_CPUS);
	/* The snapshot was taken by a running task: ours, or a worker. */
	n->running = running ? running - 1 : 0;
	n->busy_ns = pcn_val(&st->c, PCN_A_STAT_CPU_BUSY_NS);
	n->uptime_ns = pcn_val(&st->c, PCN_A_STAT_UPTIME_NS);
}

static int sample_nodes(struct pcn_nl *nl, struct bal_sample *s,
			uint32_t *known)
{
	struct pcn_nodes nodes = { 0 };
	struct pcn_stat st = { 0 };
	unsigned int i;
	int err;

	err = pcn_nodes_get(nl, &nodes);
	if (err)
		return err;
	for (i = 0; i < nodes.n; i++) {
		const struct pcn_node *n = &nodes.v[i];

		if (n->nid >= PCN_MAX_NODES)
			continue;
		*known |= 1u << n->nid;
		if (n->self)
			s->self = n->nid;
		else if (n->state != PCN_NODE_ONLINE)
			continue;
		if (!pcn_stat_get_node(nl, n->self ? -1 : (int)n->nid, &st))
			node_fill(&s->node[n->nid], &st);
	}
	pcn_stat_free(&st);
	pcn_nodes_free(&nodes);
	return s->self < 0 ? -ENODATA : 0;
}

/* Process @pl's threads into @p; -errno when it cannot be read. */
static int sample_proc(struct pcn_nl *nl, const struct pcn_place *pl,
		       uint32_t known, struct bal_proc *p)
{
	struct pcn_procs procs = { 0 };
	const struct pcn_proc *src;
	unsigned int i;
	int err;

	err = pcn_proc_get(nl, pl->pid, &procs);
	if (err) {
		pcn_procs_free(&procs);
		return err;
	}
	src = &procs.v[0];
	memset(p, 0, sizeof(*p));
	p->pid = pl->pid;
	snprintf(p->comm, sizeof(p->comm), "%s", src->comm);
	p->allowed = pl->nnodes ? 0 : known;
	for (i = 0; i < pl->nnodes; i++)
		p->allowed |= 1u << pl->nodes[i];
	p->threads = calloc(src->nthreads ? src->nthreads : 1,
			    sizeof(*p->threads));
	if (!p->threads) {
		pcn_procs_free(&procs);
		return -ENOMEM;
	}
	for (i = 0; i < src->nthreads; i++) {
		const struct pcn_thread *t = &src->threads[i];
		struct bal_thread *b = &p->threads[p->nthreads];

		if (t->tid == PCN_NONE || t->nid >= PCN_MAX_NODES)
			continue;
		b->tid = t->tid;
		b->nid = t->nid;
		b->have = t->have_cpu;
		b->cpu_ns = t->cpu_ns;
		b->faults = t->faults;
		b->calls = t->calls;
		p->nthreads++;
	}
	pcn_procs_free(&procs);
	return 0;
}

int bal_sample_take(struct pcn_nl *nl, struct bal_sample *s)
{
	struct pcn_places places = { 0 };
	uint32_t known = 0;
	unsigned int i;
	int err;

	memset(s, 0, sizeof(*s));
	s->self = -1;
	err = sample_nodes(nl, s, &known);
	if (!err)
		err = pcn_places_get(nl, &places);
	if (err) {
		pcn_places_free(&places);
		return err;
	}
	s->procs = calloc(places.n ? places.n : 1, sizeof(*s->procs));
	if (!s->procs) {
		pcn_places_free(&places);
		return -ENOMEM;
	}
	for (i = 0; i < places.n; i++) {
		if (places.v[i].mode != PCN_PLACE_BALANCE)
			continue;
		err = sample_proc(nl, &places.v[i], known,
				  &s->procs[s->nprocs]);
		if (err == -ENOMEM)
			break;
		if (!err)
			s->nprocs++;
		err = 0;	/* ended meanwhile, or not ours to read */
	}
	pcn_places_free(&places);
	return err;
}

void bal_sample_free(struct bal_sample *s)
{
	unsigned int i;

	for (i = 0; i < s->nprocs; i++)
		free(s->procs[i].threads);
	free(s->procs);
	memset(s, 0, sizeof(*s));
	s->self = -1;
}
