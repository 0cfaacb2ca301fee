// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn message core: the message table, handler registry, send/done,
 * delivery of received messages to handlers, per-type counters.
 *
 * Received messages reach handlers through an unbound workqueue, never in
 * the transport's receive context: a handler may sleep and send, and a
 * receive thread that blocked on a send could deadlock two peers whose
 * socket buffers are both full. Replies (PCN_KMSG_F_REPLY) complete their
 * wait station directly from the receive context.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include "internal.h"
#include "trace.h"

#define PCN_KMSG_TYPE_INFO(NAME, lname, bounds, reply_type, type_flags)	\
	[PCN_KMSG_TYPE_##NAME] = {					\
		.name = #lname,						\
		.size = bounds,						\
		.reply = PCN_KMSG_TYPE_##reply_type,			\
		.flags = type_flags,					\
	},

const struct pcn_kmsg_type_info pcn_kmsg_types[PCN_KMSG_TYPE_MAX] = {
	PCN_KMSG_TYPES(PCN_KMSG_TYPE_INFO)
};

const char *pcn_kmsg_type_name(unsigned int type)
{
	return type < PCN_KMSG_TYPE_MAX ? pcn_kmsg_types[type].name : "?";
}

int pcn_kmsg_validate(const struct pcn_kmsg_hdr *hdr, int expect_nid)
{
	return pcn_kmsg_check_hdr(hdr, expect_nid, pcn_kmsg_types,
				  PCN_KMSG_TYPE_MAX);
}
EXPORT_SYMBOL_GPL(pcn_kmsg_validate);

static pcn_kmsg_handler_t pcn_handlers[PCN_KMSG_TYPE_MAX];
static struct workqueue_struct *pcn_kmsg_wq;

/*
 * Messages of one peer waiting for (or in) a handler, at most: a peer
 * that sends faster than the handlers finish has its link closed (over
 * TCP the session sends the rest again on the next link) instead of
 * growing this node's memory without bound.
 */
static unsigned int pcn_rx_queue_max = 4096;
module_param_named(rx_queue_max, pcn_rx_queue_max, uint, 0644);
MODULE_PARM_DESC(rx_queue_max,
		 "messages of one peer waiting for handlers, at most (more close its link)");

/*
 * Types a user of the message layer may handle and send: not the ones the
 * transports consume themselves, and the self tests' only when built.
 */
static bool pcn_kmsg_user_type(unsigned int type)
{
	u16 flags;

	if (type >= PCN_KMSG_TYPE_MAX)
		return false;
	flags = pcn_kmsg_types[type].flags;
	if (flags & PCN_KMSG_T_TRANSPORT)
		return false;
	return IS_ENABLED(CONFIG_POPCORN_SELFTEST) ||
	       !(flags & PCN_KMSG_T_SELFTEST);
}

int pcn_kmsg_register(enum pcn_kmsg_type type, pcn_kmsg_handler_t handler)
{
	if (!pcn_kmsg_user_type(type) ||
	    (pcn_kmsg_types[type].flags & PCN_KMSG_T_REPLY))
		return -EINVAL;
	if (cmpxchg(&pcn_handlers[type], NULL, handler))
		return -EBUSY;
	return 0;
}

void pcn_kmsg_flush(void)
{
	flush_workqueue(pcn_kmsg_wq);
}

void pcn_kmsg_fill_hdr(struct pcn_kmsg_hdr *hdr, enum pcn_kmsg_type type,
		       size_t size)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = PCN_KMSG_MAGIC;
	hdr->version = PCN_KMSG_VERSION;
	hdr->from_nid = pcn_my_nid();
	hdr->type = type;
	hdr->size = size;
}

/*
 * Send a message whose header is filled but for the session's fields; with
 * @page, after writing @page to the peer's exposure @to (-EOPNOTSUPP, with
 * nothing sent, when the transport cannot do both in one call).
 */
int pcn_kmsg_send_hdr_page(struct pcn_node *node, struct pcn_kmsg_hdr *hdr,
			   const void *payload, const struct pcn_page_desc *to,
			   struct page *page)
{
	struct pcn_transport *t;
	int idx, ret;

	t = pcn_node_transport_lock(node, &idx);
	if (!t)
		return -ENOTCONN;
	if (page && !t->send_page) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (t->resumable) {
		/* Numbered and kept until the peer has it (session.c). */
		ret = pcn_session_send(node, t, hdr, payload, to, page);
	} else if (pcn_node_state(node) != PCN_NODE_ONLINE) {
		ret = -ENOTCONN;
		goto out;
	} else if (page) {
		ret = t->send_page(node, hdr, payload, to, page);
	} else {
		ret = t->send(node, hdr, payload);
	}
	trace_popcorn_msg_send(node->nid, hdr->type,
			       pcn_kmsg_type_name(hdr->type), hdr->size,
			       hdr->seq);
	if (!ret) {
		pcn_stat_msg(node, hdr, out);
	} else {
		pcn_peer_stat_inc(node, transport_errors);
		pcn_stat_inc(transport_errors);
	}
out:
	pcn_node_transport_unlock(idx);
	return ret;
}

int pcn_kmsg_send_hdr(struct pcn_node *node, struct pcn_kmsg_hdr *hdr,
		      const void *payload)
{
	return pcn_kmsg_send_hdr_page(node, hdr, payload, NULL, NULL);
}

/*
 * May a user send a @type message of @size payload bytes @as a one-way
 * message (a type with no reply), a request (a type with one) or a reply
 * (a reply type)?
 */
int pcn_kmsg_check_out(enum pcn_kmsg_type type, size_t size,
		       enum pcn_kmsg_out as)
{
	const struct pcn_kmsg_type_info *t;

	if (!pcn_kmsg_user_type(type))
		return -EINVAL;
	t = &pcn_kmsg_types[type];
	if (as != (t->flags & PCN_KMSG_T_REPLY ? PCN_KMSG_OUT_REPLY :
		   t->reply != PCN_KMSG_TYPE_NONE ? PCN_KMSG_OUT_REQUEST :
		   PCN_KMSG_OUT_ONE_WAY))
		return -EINVAL;
	if (size > pcn_kmsg_types[type].size.max ||
	    size < pcn_kmsg_types[type].size.min)
		return -EMSGSIZE;
	return 0;
}

static int pcn_kmsg_check_send(int nid, enum pcn_kmsg_type type, size_t size,
			       struct pcn_node **node)
{
	int ret = pcn_kmsg_check_out(type, size, PCN_KMSG_OUT_ONE_WAY);

	if (ret)
		return ret;
	*node = pcn_node_get(nid);
	return *node ? 0 : -EHOSTUNREACH;
}

int pcn_kmsg_send(int nid, enum pcn_kmsg_type type, const void *payload,
		  size_t size)
{
	struct pcn_kmsg_hdr hdr;
	struct pcn_node *node;
	int ret;

	ret = pcn_kmsg_check_send(nid, type, size, &node);
	if (ret)
		return ret;
	pcn_kmsg_fill_hdr(&hdr, type, size);
	ret = pcn_kmsg_send_hdr(node, &hdr, payload);
	pcn_node_put(node);
	return ret;
}

void pcn_kmsg_done(struct pcn_kmsg_rx *rx)
{
	struct pcn_transport *t = rx->transport;
	struct pcn_node *node = rx->from;

	if (rx->queued)
		atomic_dec(&node->rx_queued);
	t->release(rx);
	/*
	 * wait_var_event() in pcn_transport_unregister() waits for this; the
	 * wake-up only hashes the address, it does not dereference @t.
	 */
	if (atomic_dec_and_test(&t->rx_outstanding))
		wake_up_var(&t->rx_outstanding);
	pcn_node_put(node);
}

/* A peer broke the protocol: count it. The transport closes the link. */
void pcn_kmsg_bad(struct pcn_node *node, const char *why)
{
	pcn_stat_inc(rx_bad);
	if (node) {
		pcn_peer_stat_inc(node, bad);
		pr_warn_ratelimited("node %d: bad message (%s), closing\n",
				    node->nid, why);
	} else {
		pr_warn_ratelimited("bad message from a stranger (%s), closing\n",
				    why);
	}
}
EXPORT_SYMBOL_GPL(pcn_kmsg_bad);

static void pcn_kmsg_dispatch(struct work_struct *work)
{
	struct pcn_kmsg_rx *rx = container_of(work, struct pcn_kmsg_rx, work);
	pcn_kmsg_handler_t handler = READ_ONCE(pcn_handlers[rx->msg->hdr.type]);

	if (handler)
		handler(rx);
	else
		pcn_kmsg_done(rx);
}

/*
 * A transport hands over a message whose header it has checked with
 * pcn_kmsg_validate() against rx->from. From here the core owns @rx until
 * pcn_kmsg_done(). Returns 0, or -EPROTO when the message broke the
 * protocol in a way the header check cannot see (a reply of a type its
 * request does not take; a message out of its session's order), or
 * -ENOBUFS when the peer has more than rx_queue_max messages waiting for
 * handlers: the transport counts it and closes the link.
 */
int pcn_kmsg_deliver(struct pcn_kmsg_rx *rx)
{
	const struct pcn_kmsg_hdr *hdr = &rx->msg->hdr;
	struct pcn_node *node = rx->from;

	kref_get(&node->ref);
	atomic_inc(&rx->transport->rx_outstanding);
	rx->queued = false;

	/* Before the session counts it: the peer sends it again later. */
	if (!(hdr->flags & PCN_KMSG_F_REPLY) && hdr->type < PCN_KMSG_TYPE_MAX &&
	    !(pcn_kmsg_types[hdr->type].flags & (PCN_KMSG_T_INLINE |
						 PCN_KMSG_T_TRANSPORT))) {
		if (atomic_inc_return(&node->rx_queued) >
		    READ_ONCE(pcn_rx_queue_max)) {
			atomic_dec(&node->rx_queued);
			pr_warn_ratelimited("node %d: more than %u messages wait for handlers\n",
					    node->nid,
					    READ_ONCE(pcn_rx_queue_max));
			pcn_kmsg_done(rx);
			return -ENOBUFS;
		}
		rx->queued = true;
	}
	if (rx->transport->resumable) {
		int ret = pcn_session_rx(rx);

		if (ret) {
			/* Consumed by the session, or out of place. */
			pcn_kmsg_done(rx);
			return ret < 0 ? ret : 0;
		}
	}
	trace_popcorn_msg_recv(node->nid, hdr->type,
			       pcn_kmsg_type_name(hdr->type), hdr->size,
			       hdr->seq);
	pcn_stat_msg(node, hdr, in);

	if (hdr->flags & PCN_KMSG_F_REPLY)
		return pcn_ws_complete(rx);
	if (pcn_kmsg_types[hdr->type].flags & PCN_KMSG_T_INLINE) {
		pcn_kmsg_dispatch(&rx->work);
		return 0;
	}
	INIT_WORK(&rx->work, pcn_kmsg_dispatch);
	queue_work(pcn_kmsg_wq, &rx->work);
	return 0;
}
EXPORT_SYMBOL_GPL(pcn_kmsg_deliver);

int pcn_kmsg_init(void)
{
	pcn_kmsg_wq = alloc_workqueue("pcn_kmsg", WQ_UNBOUND, 0);
	return pcn_kmsg_wq ? 0 : -ENOMEM;
}
