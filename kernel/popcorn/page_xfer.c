// SPDX-License-Identifier: GPL-2.0
/*
 * Page transfers between nodes, transport-agnostic.
 *
 * The requester exposes a page for one peer and one transfer and names it
 * in its request; the peer writes its page into it (a fault fetching a
 * page) or reads it (a bulk pull); the requester then unexposes it. Over
 * RDMA this is one-sided and zero-copy (the transport's page_* operations:
 * a registration of exactly that page, invalidated at unexpose). Over a
 * transport without remote memory access, the core moves the page in
 * PAGE_PUT messages (and, for the self test, PAGE_WRITE/PAGE_READ
 * requests: page_rw.c) and the descriptor's key is a cookie that dies at
 * unexpose just the same.
 *
 * A transport exposure is also kept in its node's table (node->expos, by
 * key): a page write that a session must send again on a later link, for
 * which the key is no longer good, comes as a PAGE_DATA message and is
 * copied into the exposure it names (pcn_page_data_rx()).
 *
 * The page server answers a fault with the page and one reply
 * (pcn_kmsg_reply_page): a fault waits for one answer only. Over RDMA the
 * page goes as a WRITE_WITH_IMM whose immediate is the reply; over
 * messages it is a PAGE_PUT, handled inline by the receiver, in order
 * before the reply that follows it from the same peer.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include "internal.h"
#include "trace.h"

/* Message fallback: live exposures by cookie. */
static DEFINE_XARRAY_ALLOC1(pcn_page_cookies);
static u32 pcn_page_cookie_next;

static int pcn_expose_transport(struct pcn_node *node,
				struct pcn_transport *t,
				struct pcn_page_expo *e)
{
	/* The transport's exposure pins what it needs until unexpose. */
	int ret = t->page_expose(node, e);

	if (ret)
		return ret;
	e->transport = t;
	ret = xa_insert(&node->expos, e->desc.key, e, GFP_KERNEL);
	if (ret) {
		/* A key still in use by an exposure on another device. */
		t->page_unexpose(e);
		e->transport = NULL;
	}
	return ret;
}

/*
 * A link down for a moment (the session's grace period) or being
 * replaced: wait for the next rather than fail. Returns 0 to try again.
 */
static int pcn_expose_wait(struct pcn_node *node)
{
	switch (pcn_node_state(node)) {
	case PCN_NODE_RECONNECTING:
		return wait_event_killable(node->session.wait,
					   pcn_node_state(node) !=
					   PCN_NODE_RECONNECTING);
	case PCN_NODE_ONLINE:
		/* The transport lost it and has not said so yet. */
		schedule_timeout_killable(HZ / 50);
		return fatal_signal_pending(current) ? -EINTR : 0;
	default:
		return -ENOTCONN;
	}
}

static int pcn_expose(int nid, struct page **pages, unsigned int n,
		      bool peer_writes, struct pcn_page_expo *e)
{
	struct pcn_transport *t;
	struct pcn_node *node;
	int idx, ret;
	u32 cookie;

	node = pcn_node_get(nid);
	if (!node)
		return -EHOSTUNREACH;
	e->node = node;
	e->page = pages[0];
	e->pages = pages;
	e->npages = n;
	e->peer_writes = peer_writes;
	e->desc.len = n * PCN_PAGE_SIZE;

again:
	t = pcn_node_transport_lock(node, &idx);
	if (!t) {
		ret = -ENOTCONN;
		goto fail;
	}
	if (t->page_expose) {
		ret = pcn_expose_transport(node, t, e);
		if (ret == -ENOTCONN && t->resumable) {
			pcn_node_transport_unlock(idx);
			ret = pcn_expose_wait(node);
			if (ret)
				goto fail;
			goto again;
		}
	} else {
		ret = xa_alloc_cyclic(&pcn_page_cookies, &cookie, e,
				      xa_limit_32b, &pcn_page_cookie_next,
				      GFP_KERNEL);
		if (ret >= 0) {
			e->desc.key = cookie;
			ret = 0;
		}
	}
	pcn_node_transport_unlock(idx);
	if (ret)
		goto fail;
	pcn_stat_add(pages_exposed, n);
	pcn_stat_add(pages_exposed_total, n);
	trace_popcorn_page_expose(nid, e->desc.addr, e->desc.key, n,
				  peer_writes);
	return 0;
fail:
	pcn_node_put(node);
	e->node = NULL;
	return ret;
}

int pcn_page_expose(int nid, struct page *page, bool peer_writes,
		    struct pcn_page_expo *e)
{
	memset(e, 0, sizeof(*e));
	e->page = page;
	return pcn_expose(nid, &e->page, 1, peer_writes, e);
}

int pcn_window_expose(int nid, struct page **pages, unsigned int n,
		      struct pcn_page_expo *e)
{
	memset(e, 0, sizeof(*e));
	if (!n || n > PCN_PAGE_WINDOW_MAX)
		return -EINVAL;
	return pcn_expose(nid, pages, n, true, e);
}

void pcn_page_unexpose(struct pcn_page_expo *e)
{
	if (!e->node)
		return;
	if (e->transport) {
		/* Under the lock: a PAGE_DATA copy into it is done. */
		xa_erase(&e->node->expos, e->desc.key);
		e->transport->page_unexpose(e);
	} else {
		/*
		 * Erasing under the xarray lock: a PAGE_WRITE handler that
		 * found the cookie holds the lock while it copies.
		 */
		xa_erase(&pcn_page_cookies, e->desc.key);
	}
	pcn_stat_sub(pages_exposed, e->npages);
	pcn_node_put(e->node);
	e->node = NULL;
}

/* Run a transport page operation if there is one; 1 means "use messages". */
int pcn_page_op(int nid, const struct pcn_page_desc *desc, struct page *page,
		bool write)
{
	struct pcn_transport *t;
	struct pcn_node *node;
	int idx, ret = 1;

	if (desc->len != PCN_PAGE_SIZE)
		return -EINVAL;
	node = pcn_node_get(nid);
	if (!node)
		return -EHOSTUNREACH;
	t = pcn_node_transport_lock(node, &idx);
	if (!t) {
		ret = -ENOTCONN;
	} else {
		/* A session keeps a page write until the peer has it. */
		if (write && t->page_write && t->resumable)
			ret = pcn_session_put_page(node, t, desc, page);
		else if (write && t->page_write)
			ret = t->page_write(node, desc, page);
		else if (!write && t->page_read)
			ret = t->page_read(node, desc, page);
		pcn_node_transport_unlock(idx);
	}
	pcn_node_put(node);
	/* A key of an earlier link: in messages. */
	return ret == -ESTALE ? 1 : ret;
}

/*
 * A write of @page to the exposure @to at @nid: done by the transport
 * (NULL, *ret 0 or why it failed), or the message fallback's PAGE_WRITE
 * or PAGE_PUT payload with @page's data, for the caller to send and free.
 */
struct pcn_page_msg *pcn_page_write_msg(int nid,
					const struct pcn_page_desc *to,
					struct page *page, int *ret)
{
	struct pcn_page_msg *msg;

	*ret = pcn_page_op(nid, to, page, true);
	if (*ret <= 0)
		return NULL;
	msg = kmalloc(sizeof(*msg) + PCN_PAGE_SIZE, GFP_KERNEL);
	*ret = msg ? 0 : -ENOMEM;
	if (msg) {
		msg->desc = *to;
		memcpy_from_page(msg->data, page, 0, PCN_PAGE_SIZE);
	}
	return msg;
}

int pcn_page_put(int nid, const struct pcn_page_desc *to, struct page *page)
{
	struct pcn_page_msg *msg;
	int ret;

	msg = pcn_page_write_msg(nid, to, page, &ret);
	if (!msg)
		return ret;
	ret = pcn_kmsg_send(nid, PCN_KMSG_TYPE_PAGE_PUT, msg,
			    sizeof(*msg) + PCN_PAGE_SIZE);
	kfree(msg);
	return ret;
}

int pcn_kmsg_reply_page(struct pcn_kmsg_rx *req,
			const struct pcn_page_desc *to, struct page *page,
			u32 flags, u64 ahead)
{
	enum pcn_kmsg_type type = pcn_kmsg_types[req->msg->hdr.type].reply;
	const struct pcn_page_fetch_reply r = {
		.flags = PCN_PAGE_F_DATA | flags,
		.ahead_map = ahead,
	};
	struct pcn_kmsg_hdr hdr;
	int ret;

	/* Only these replies can be an immediate (kmsg_imm.c). */
	if (to->len != PCN_PAGE_SIZE ||
	    (type != PCN_KMSG_TYPE_PAGE_FETCH_REPLY &&
	     type != PCN_KMSG_TYPE_PAGE_RECALL_REPLY) ||
	    (flags & ~(PCN_PAGE_F_OWNER | PCN_PAGE_F_CLEAN)) ||
	    ((flags & PCN_PAGE_F_OWNER) &&
	     type != PCN_KMSG_TYPE_PAGE_FETCH_REPLY) ||
	    ((flags & PCN_PAGE_F_CLEAN) &&
	     type != PCN_KMSG_TYPE_PAGE_RECALL_REPLY) ||
	    (ahead && type != PCN_KMSG_TYPE_PAGE_FETCH_REPLY))
		return -EINVAL;
	ret = pcn_kmsg_check_out(type, sizeof(r), PCN_KMSG_OUT_REPLY);
	if (ret)
		return ret;
	pcn_kmsg_fill_hdr(&hdr, type, sizeof(r));
	hdr.flags = PCN_KMSG_F_REPLY;
	hdr.ws = req->msg->hdr.ws;
	ret = pcn_kmsg_send_hdr_page(req->from, &hdr, &r, to, page);
	if (ret != -EOPNOTSUPP)
		return ret;
	/* A transport without it: the posted put, then the reply. */
	ret = pcn_page_put(req->from->nid, to, page);
	return ret ? ret : pcn_kmsg_reply(req, &r, sizeof(r));
}

/*
 * Did the peer's data land? Over RDMA, yes once its answer is here (a
 * failed write fails the queue pair instead). Over messages, only if the
 * PAGE_PUT found the exposure. Call after pcn_page_unexpose(), or after
 * the answer arrived.
 */
bool pcn_page_filled(const struct pcn_page_expo *e)
{
	return pcn_window_filled(e, 0);
}

bool pcn_window_filled(const struct pcn_page_expo *e, unsigned int i)
{
	return e->transport || (READ_ONCE(e->filled) & BIT(i));
}

/*
 * Look up a live fallback exposure for @rx's sender and run @fn on its page
 * under the xarray lock, so that pcn_page_unexpose() cannot finish while
 * the page is being copied. A dead or foreign cookie gets -EACCES, as a
 * spent rkey would.
 */
/*
 * Which page of exposure @e does @desc name, if @from may @write it? -1:
 * none. A window's page i is at desc.addr + i * PCN_PAGE_SIZE (for the
 * fallback's cookies, desc.addr is 0).
 */
static int pcn_expo_index(const struct pcn_page_expo *e,
			  const struct pcn_page_desc *desc, bool write,
			  const struct pcn_node *from)
{
	u64 off;

	if (!e || e->node != from || e->peer_writes != write ||
	    desc->addr < e->desc.addr)
		return -1;
	off = desc->addr - e->desc.addr;
	if (off % PCN_PAGE_SIZE || off / PCN_PAGE_SIZE >= e->npages)
		return -1;
	return off / PCN_PAGE_SIZE;
}

/* Copy @buf into page @i of @e, or page @i into @buf. */
static void pcn_expo_copy(struct pcn_page_expo *e, int i, bool write,
			  void *buf)
{
	if (!write)
		memcpy_from_page(buf, e->pages[i], 0, PCN_PAGE_SIZE);
	else if (e->transport)
		e->transport->page_fill(e, i, buf);
	else
		memcpy_to_page(e->pages[i], 0, buf, PCN_PAGE_SIZE);
	if (write)
		WRITE_ONCE(e->filled, e->filled | BIT(i));
}

int pcn_page_cookie_access(struct pcn_kmsg_rx *rx,
			   const struct pcn_page_desc *desc, bool write,
			   void *buf)
{
	struct xarray *expos = &rx->from->expos;
	struct pcn_page_expo *e;
	int i, ret = -EACCES;

	if (desc->len != PCN_PAGE_SIZE || desc->addr % PCN_PAGE_SIZE)
		return -EINVAL;
	xa_lock(&pcn_page_cookies);
	e = xa_load(&pcn_page_cookies, desc->key);
	i = pcn_expo_index(e, desc, write, rx->from);
	if (i >= 0) {
		pcn_expo_copy(e, i, write, buf);
		ret = 0;
	}
	xa_unlock(&pcn_page_cookies);
	if (!ret)
		return 0;
	/* A transport's key: the data of a write it could not do (RDMA). */
	xa_lock(expos);
	e = xa_load(expos, desc->key);
	i = pcn_expo_index(e, desc, write, rx->from);
	if (i >= 0) {
		pcn_expo_copy(e, i, write, buf);
		ret = 0;
	}
	xa_unlock(expos);
	return ret;
}

/*
 * A session's PAGE_DATA (session.c): a page write sent again. Counted
 * here, as the session consumes it before the core counts messages.
 */
void pcn_page_data_rx(struct pcn_kmsg_rx *rx)
{
	struct pcn_page_msg *msg = (void *)rx->msg->payload;

	pcn_stat_msg(rx->from, &rx->msg->hdr, in);
	pcn_page_cookie_access(rx, &msg->desc, true, msg->data);
}

/*
 * Inline (receive path): no answer. A put for a dead cookie is dropped;
 * the requester sees its exposure unfilled and fails the fault.
 */
static void pcn_page_put_handle(struct pcn_kmsg_rx *rx)
{
	struct pcn_page_msg *msg = (void *)rx->msg->payload;

	pcn_page_cookie_access(rx, &msg->desc, true, msg->data);
	pcn_kmsg_done(rx);
}

int pcn_page_xfer_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_PAGE_PUT, pcn_page_put_handle);
}
