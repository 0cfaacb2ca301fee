// SPDX-License-Identifier: GPL-2.0
/*
 * A node's counters for its peers (STAT_REQUEST / STAT_REPLY): what lets
 * pcnctl stat --all and pcn-top's cluster view show every node from any
 * one of them.
 *
 * Who may ask: any connected peer; the answer is the node-wide counters
 * and CPU load a local user reads with PCN_CMD_STAT_GET anyway, nothing
 * of any process. A request carries no payload (the message table checks
 * that). A reply is checked for its shape before it is shown
 * (pcn_stat_reply_check()); one that fails it is counted as a bad message
 * and the caller gets -EPROTO.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/err.h>
#include <linux/slab.h>
#include "internal.h"
#include "stats.h"

#define PCN_STAT_TIMEOUT	(5 * HZ)

static void pcn_stat_handle(struct pcn_kmsg_rx *rx)
{
	size_t size = pcn_stat_reply_size();
	struct pcn_stat_reply *r = kzalloc(size, GFP_KERNEL);

	/*
	 * With no memory the request goes unanswered and times out at the
	 * peer: there is no reply of this type that says "failed" but the
	 * status, and that needs the reply's memory too.
	 */
	if (r) {
		pcn_stats_snapshot(r);
		pcn_kmsg_reply(rx, r, size);
		kfree(r);
	}
	pcn_kmsg_done(rx);
}

struct pcn_stat_reply *pcn_stat_remote_get(int nid)
{
	struct pcn_stat_reply *r;
	struct pcn_kmsg_rx *reply;
	size_t size;
	int ret;

	ret = pcn_kmsg_request(nid, PCN_KMSG_TYPE_STAT_REQUEST, NULL, 0,
			       &reply, PCN_STAT_TIMEOUT);
	if (ret)
		return ERR_PTR(ret);
	r = (struct pcn_stat_reply *)reply->msg->payload;
	size = reply->msg->hdr.size;
	if (pcn_stat_reply_check(r, size)) {
		pcn_kmsg_bad(reply->from, "stat reply");
		r = ERR_PTR(-EPROTO);
	} else {
		r = kmemdup(r, size, GFP_KERNEL);
		if (!r)
			r = ERR_PTR(-ENOMEM);
	}
	pcn_kmsg_done(reply);
	return r;
}

int pcn_stat_remote_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_STAT_REQUEST, pcn_stat_handle);
}
