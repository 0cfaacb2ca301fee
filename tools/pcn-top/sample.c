// SPDX-License-Identifier: GPL-2.0
/*
 * pcn-top: one sample of this node's counters: the node dump, STAT_GET and
 * the process dump, each of which may fail on its own; and each online
 * peer's own STAT_GET (asked over the network) for the cluster view, whose
 * failures show in that node's row only. After a failure the
 * netlink socket is reopened at the next sample, so a reply left half read
 * cannot confuse the requests that follow.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "top.h"

double top_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Appends "what: kernel message (strerror)" to the status line. */
static void note(struct top_sample *s, const struct pcn_nl *nl,
		 const char *what, int err)
{
	size_t n = strlen(s->status);
	const char *sep = n ? "; " : "";

	if (nl && nl->extack[0])
		snprintf(s->status + n, sizeof(s->status) - n, "%s%s: %s (%s)",
			 sep, what, nl->extack, strerror(-err));
	else
		snprintf(s->status + n, sizeof(s->status) - n, "%s%s: %s",
			 sep, what, strerror(-err));
}

static void sample_peers(struct top_ctx *ctx, struct top_sample *s)
{
	const struct pcn_node *n;
	unsigned int i;

	memset(s->peer_asked, 0, sizeof(s->peer_asked));
	for (i = 0; i < s->nodes.n; i++) {
		n = &s->nodes.v[i];
		if (n->self || n->nid >= PCN_MAX_NODES ||
		    n->state != PCN_NODE_ONLINE)
			continue;
		s->peer_asked[n->nid] = 1;
		s->peer_err[n->nid] = pcn_stat_get_node(&ctx->nl, n->nid,
							&s->peer[n->nid]);
	}
}

/* Returns 0 when every request worked (an old kernel's missing PROC_GET
 * counts as working), else -errno of the first failure.
 */
int top_sample_take(struct top_ctx *ctx, struct top_sample *s)
{
	int ret = 0;

	s->status[0] = '\0';
	s->t = top_now();
	if (!ctx->open) {
		if (pcn_nl_open(&ctx->nl, "netlink") < 0) {
			s->err_nodes = s->err_stat = s->err_procs = -ENOENT;
			snprintf(s->status, sizeof(s->status),
				 "cannot reach the popcorn netlink family, retrying");
			return -ENOENT;
		}
		ctx->open = 1;
	}

	s->err_nodes = pcn_nodes_get(&ctx->nl, &s->nodes);
	if (s->err_nodes)
		note(s, &ctx->nl, "nodes", s->err_nodes);
	s->err_stat = pcn_stat_get(&ctx->nl, &s->stat);
	if (s->err_stat)
		note(s, &ctx->nl, "stat", s->err_stat);
	s->err_procs = pcn_procs_get(&ctx->nl, &s->procs);
	if (s->err_procs && s->err_procs != -EOPNOTSUPP)
		note(s, &ctx->nl, "processes", s->err_procs);
	if (!s->err_nodes)
		sample_peers(ctx, s);
	s->t = (s->t + top_now()) / 2;	/* the middle of the requests */

	if (s->err_nodes)
		ret = s->err_nodes;
	else if (s->err_stat)
		ret = s->err_stat;
	else if (s->err_procs != -EOPNOTSUPP)
		ret = s->err_procs;
	if (ret) {
		pcn_nl_close(&ctx->nl);
		ctx->open = 0;
	}
	return ret;
}

void top_sample_free(struct top_sample *s)
{
	int i;

	pcn_nodes_free(&s->nodes);
	pcn_stat_free(&s->stat);
	pcn_procs_free(&s->procs);
	for (i = 0; i < PCN_MAX_NODES; i++)
		pcn_stat_free(&s->peer[i]);
}
