// SPDX-License-Identifier: GPL-2.0
/*
 * Wait stations: pair a request with its reply.
 *
 * A requester puts a station (on its stack) into an allocating xarray and
 * sends the id in hdr.ws; the reply echoes it with PCN_KMSG_F_REPLY. The
 * station is removed from the xarray, under the xarray lock, by whoever
 * finishes it first: the reply, the peer going offline, or the requester
 * giving up. Completing happens under that same lock, so once the requester
 * has taken the lock and found its station gone, nobody touches it again.
 * Ids are allocated cyclically so that a late reply does not hit a station
 * reused for a newer request.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/completion.h>
#include <linux/xarray.h>
#include "internal.h"

struct pcn_ws {
	struct completion done;
	int nid;
	int err;
	struct pcn_kmsg_rx *reply;
};

static DEFINE_XARRAY_ALLOC1(pcn_ws_xa);
static u32 pcn_ws_next;

int pcn_kmsg_request(int nid, enum pcn_kmsg_type type, const void *payload,
		     size_t size, struct pcn_kmsg_rx **reply,
		     unsigned long timeout)
{
	struct pcn_kmsg_hdr hdr;
	struct pcn_node *node;
	struct pcn_ws ws;
	u32 id;
	int ret;

	ret = pcn_kmsg_check_out(type, size);
	if (ret)
		return ret;
	node = pcn_node_get(nid);
	if (!node)
		return -EHOSTUNREACH;

	init_completion(&ws.done);
	ws.nid = nid;
	ws.err = 0;
	ws.reply = NULL;
	ret = xa_alloc_cyclic(&pcn_ws_xa, &id, &ws, xa_limit_32b, &pcn_ws_next,
			      GFP_KERNEL);
	if (ret < 0)
		goto out_put;

	pcn_kmsg_fill_hdr(&hdr, type, size);
	hdr.ws = id;
	ret = pcn_kmsg_send_hdr(node, &hdr, payload);
	if (!ret && !wait_for_completion_timeout(&ws.done, timeout))
		ret = -ETIMEDOUT;

	xa_lock(&pcn_ws_xa);
	if (xa_load(&pcn_ws_xa, id) == &ws) {
		/* Nobody finished it: our send failed or we timed out. */
		__xa_erase(&pcn_ws_xa, id);
		if (ret == -ETIMEDOUT)
			atomic64_inc(&pcn_stats.ws_timeouts);
	} else {
		/* Finished under the lock before we took it. */
		ret = ws.err;
	}
	xa_unlock(&pcn_ws_xa);

	if (!ret)
		*reply = ws.reply;
out_put:
	pcn_node_put(node);
	return ret;
}
EXPORT_SYMBOL_GPL(pcn_kmsg_request);

int pcn_kmsg_reply(struct pcn_kmsg_rx *req, enum pcn_kmsg_type type,
		   const void *payload, size_t size)
{
	struct pcn_kmsg_hdr hdr;
	int ret;

	ret = pcn_kmsg_check_out(type, size);
	if (ret)
		return ret;
	pcn_kmsg_fill_hdr(&hdr, type, size);
	hdr.flags = PCN_KMSG_F_REPLY;
	hdr.ws = req->msg->hdr.ws;
	return pcn_kmsg_send_hdr(req->from, &hdr, payload);
}
EXPORT_SYMBOL_GPL(pcn_kmsg_reply);

/* A reply arrived (receive context): hand it to its station. */
void pcn_ws_complete(struct pcn_kmsg_rx *rx)
{
	u32 id = rx->msg->hdr.ws;
	struct pcn_ws *ws;

	xa_lock(&pcn_ws_xa);
	ws = xa_load(&pcn_ws_xa, id);
	if (ws && ws->nid == rx->from->nid) {
		__xa_erase(&pcn_ws_xa, id);
		ws->reply = rx;
		complete(&ws->done);
		rx = NULL;
	}
	xa_unlock(&pcn_ws_xa);

	if (rx) {
		/* Timed out already, or not a station of this peer. */
		atomic64_inc(&pcn_stats.late_replies);
		pcn_kmsg_done(rx);
	}
}

/* @nid went away: fail every request waiting on it. */
void pcn_ws_fail_node(int nid)
{
	struct pcn_ws *ws;
	unsigned long id;

	xa_lock(&pcn_ws_xa);
	xa_for_each(&pcn_ws_xa, id, ws) {
		if (ws->nid != nid)
			continue;
		__xa_erase(&pcn_ws_xa, id);
		ws->err = -ECONNRESET;
		complete(&ws->done);
	}
	xa_unlock(&pcn_ws_xa);
}
