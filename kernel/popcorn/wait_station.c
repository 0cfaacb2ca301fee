// SPDX-License-Identifier: GPL-2.0
/*
 * Wait stations: pair a request with its reply.
 *
 * A requester puts a station (on its stack; pcn_kmsg_request_all() has one
 * per node) into an allocating xarray and sends the id in hdr.ws; the
 * reply echoes it with PCN_KMSG_F_REPLY. The station is removed from the
 * xarray, under the xarray lock, by whoever finishes it first: the reply,
 * the peer going offline, or the requester giving up. Completing happens under that same lock, so once the requester
 * has taken the lock and found its station gone, nobody touches it again.
 * Ids are allocated cyclically so that a late reply does not hit a station
 * reused for a newer request.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/completion.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include "internal.h"

struct pcn_ws {
	struct completion done;
	int nid;
	u16 reply_type;		/* the only answer it takes */
	int err;
	struct pcn_kmsg_rx *reply;
};

static DEFINE_XARRAY_ALLOC1(pcn_ws_xa);
static u32 pcn_ws_next;

/* Put @ws, for a @type request to @nid, in the table; *id names it. */
static int pcn_ws_add(struct pcn_ws *ws, int nid, enum pcn_kmsg_type type,
		      u32 *id)
{
	int ret;

	init_completion(&ws->done);
	ws->nid = nid;
	ws->reply_type = pcn_kmsg_types[type].reply;
	ws->err = 0;
	ws->reply = NULL;
	/* Ids fit a page reply's immediate (kmsg_imm.c). */
	ret = xa_alloc_cyclic(&pcn_ws_xa, id, ws,
			      XA_LIMIT(1, PCN_KMSG_IMM_WS_MAX), &pcn_ws_next,
			      GFP_KERNEL);
	return ret < 0 ? ret : 0;	/* 1: the ids wrapped, fine */
}

static int pcn_ws_send(struct pcn_node *node, enum pcn_kmsg_type type,
		       const void *payload, size_t size, u32 id)
{
	struct pcn_kmsg_hdr hdr;

	pcn_kmsg_fill_hdr(&hdr, type, size);
	hdr.ws = id;
	return pcn_kmsg_send_hdr(node, &hdr, payload);
}

/*
 * Take station @id out of the table after the wait ended with @ret (0:
 * completed, or why not); returns the request's result.
 */
static int pcn_ws_end(struct pcn_ws *ws, u32 id, int ret,
		      struct pcn_kmsg_rx **reply)
{
	xa_lock(&pcn_ws_xa);
	if (xa_load(&pcn_ws_xa, id) == ws) {
		/* Nobody finished it: the send failed or we gave up. */
		__xa_erase(&pcn_ws_xa, id);
		if (ret == -ETIMEDOUT)
			pcn_stat_inc(ws_timeouts);
		if (!ret)
			ret = -EIO;
	} else {
		/* Finished under the lock before we took it. */
		ret = ws->err;
	}
	xa_unlock(&pcn_ws_xa);
	if (!ret)
		*reply = ws->reply;
	return ret;
}

/*
 * One request; @timeout 0 waits as long as it takes, but killably (for
 * requests that wait on user space, such as a futex wait).
 */
static int pcn_request_one(int nid, enum pcn_kmsg_type type,
			   const void *payload, size_t size,
			   struct pcn_kmsg_rx **reply, unsigned long timeout)
{
	struct pcn_node *node;
	struct pcn_ws ws;
	u32 id;
	int ret;

	ret = pcn_kmsg_check_out(type, size, PCN_KMSG_OUT_REQUEST);
	if (ret)
		return ret;
	node = pcn_node_get(nid);
	if (!node)
		return -EHOSTUNREACH;
	ret = pcn_ws_add(&ws, nid, type, &id);
	if (ret) {
		pcn_node_put(node);
		return ret;
	}
	ret = pcn_ws_send(node, type, payload, size, id);
	if (!ret && timeout) {
		if (!wait_for_completion_timeout(&ws.done, timeout))
			ret = -ETIMEDOUT;
	} else if (!ret) {
		if (wait_for_completion_killable(&ws.done))
			ret = -EINTR;
	}
	ret = pcn_ws_end(&ws, id, ret, reply);
	pcn_node_put(node);
	return ret;
}

int pcn_kmsg_request(int nid, enum pcn_kmsg_type type, const void *payload,
		     size_t size, struct pcn_kmsg_rx **reply,
		     unsigned long timeout)
{
	return pcn_request_one(nid, type, payload, size, reply,
			       max(timeout, 1UL));
}

int pcn_kmsg_request_killable(int nid, enum pcn_kmsg_type type,
			      const void *payload, size_t size,
			      struct pcn_kmsg_rx **reply)
{
	return pcn_request_one(nid, type, payload, size, reply, 0);
}

/*
 * The same request to every node in @nids at once; then wait for all the
 * answers, so that k requests cost about one round trip, not k.
 */
int pcn_kmsg_request_all(unsigned long nids, enum pcn_kmsg_type type,
			 const void *payload, size_t size,
			 struct pcn_kmsg_rx **replies, int *results,
			 unsigned long timeout)
{
	unsigned long deadline = jiffies + timeout;
	struct pcn_node *nodes[PCN_MAX_NODES] = {};
	u32 ids[PCN_MAX_NODES];
	struct pcn_ws *ws;
	int nid, ret;

	ret = pcn_kmsg_check_out(type, size, PCN_KMSG_OUT_REQUEST);
	if (ret)
		return ret;
	ws = kcalloc(PCN_MAX_NODES, sizeof(*ws), GFP_KERNEL);
	if (!ws)
		return -ENOMEM;
	for_each_set_bit(nid, &nids, PCN_MAX_NODES) {
		replies[nid] = NULL;
		nodes[nid] = pcn_node_get(nid);
		if (!nodes[nid]) {
			results[nid] = -EHOSTUNREACH;
			continue;
		}
		results[nid] = pcn_ws_add(&ws[nid], nid, type, &ids[nid]);
		if (results[nid]) {
			pcn_node_put(nodes[nid]);
			nodes[nid] = NULL;
			continue;
		}
		results[nid] = pcn_ws_send(nodes[nid], type, payload, size,
					   ids[nid]);
	}
	for_each_set_bit(nid, &nids, PCN_MAX_NODES) {
		long left = (long)(deadline - jiffies);

		if (!nodes[nid])
			continue;
		ret = results[nid];
		if (!ret && (left <= 0 ||
			     !wait_for_completion_timeout(&ws[nid].done, left)))
			ret = -ETIMEDOUT;
		results[nid] = pcn_ws_end(&ws[nid], ids[nid], ret,
					  &replies[nid]);
		pcn_node_put(nodes[nid]);
	}
	kfree(ws);
	return 0;
}

/*
 * The same request to every node in @nids, for its effect only: wait for
 * all the answers (or @timeout) and drop them. If the requests cannot go
 * out together, they go one at a time.
 */
void pcn_kmsg_request_nodes(unsigned long nids, enum pcn_kmsg_type type,
			    const void *payload, size_t size,
			    unsigned long timeout)
{
	struct pcn_kmsg_rx *replies[PCN_MAX_NODES], *reply;
	int results[PCN_MAX_NODES];
	int nid;

	if (!pcn_kmsg_request_all(nids, type, payload, size, replies,
				  results, timeout)) {
		for_each_set_bit(nid, &nids, PCN_MAX_NODES)
			if (!results[nid])
				pcn_kmsg_done(replies[nid]);
		return;
	}
	for_each_set_bit(nid, &nids, PCN_MAX_NODES)
		if (!pcn_kmsg_request(nid, type, payload, size, &reply,
				      timeout))
			pcn_kmsg_done(reply);
}

int pcn_kmsg_reply(struct pcn_kmsg_rx *req, const void *payload, size_t size)
{
	enum pcn_kmsg_type type = pcn_kmsg_types[req->msg->hdr.type].reply;
	struct pcn_kmsg_hdr hdr;
	int ret;

	ret = pcn_kmsg_check_out(type, size, PCN_KMSG_OUT_REPLY);
	if (ret)
		return ret;
	pcn_kmsg_fill_hdr(&hdr, type, size);
	hdr.flags = PCN_KMSG_F_REPLY;
	hdr.ws = req->msg->hdr.ws;
	return pcn_kmsg_send_hdr(req->from, &hdr, payload);
}

/*
 * A reply arrived (receive context): hand it to its station. A reply of
 * another type than the station's request takes fails the request and is
 * a protocol error (-EPROTO) for the transport to close the link on.
 */
int pcn_ws_complete(struct pcn_kmsg_rx *rx)
{
	u32 id = rx->msg->hdr.ws;
	bool wrong_type = false;
	struct pcn_ws *ws;

	xa_lock(&pcn_ws_xa);
	ws = xa_load(&pcn_ws_xa, id);
	if (ws && ws->nid == rx->from->nid) {
		__xa_erase(&pcn_ws_xa, id);
		if (rx->msg->hdr.type == ws->reply_type) {
			ws->reply = rx;
			rx = NULL;
		} else {
			ws->err = -EPROTO;
			wrong_type = true;
		}
		complete(&ws->done);
	}
	xa_unlock(&pcn_ws_xa);

	if (rx && !wrong_type)	/* timed out already, or not this peer's */
		pcn_stat_inc(late_replies);
	if (rx)
		pcn_kmsg_done(rx);
	return wrong_type ? -EPROTO : 0;
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
