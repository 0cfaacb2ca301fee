// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn message core: handler registry, send/post/done, delivery of
 * received messages to handlers, per-type counters.
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

struct pcn_core_stats pcn_stats;

const struct pcn_kmsg_bounds pcn_kmsg_type_bounds[PCN_KMSG_TYPE_MAX] = {
	[PCN_KMSG_TYPE_HELLO] = {
		sizeof(struct pcn_kmsg_hello), sizeof(struct pcn_kmsg_hello)
	},
	[PCN_KMSG_TYPE_ECHO_REQUEST] = { 0, PCN_KMSG_MAX_PAYLOAD },
	[PCN_KMSG_TYPE_ECHO_REPLY] = { 0, PCN_KMSG_MAX_PAYLOAD },
	[PCN_KMSG_TYPE_CREDIT] = { 0, 0 },
	[PCN_KMSG_TYPE_PAGE_WRITE] = {
		sizeof(struct pcn_page_msg) + PCN_PAGE_SIZE,
		sizeof(struct pcn_page_msg) + PCN_PAGE_SIZE
	},
	[PCN_KMSG_TYPE_PAGE_WRITE_REPLY] = {
		sizeof(struct pcn_page_status), sizeof(struct pcn_page_status)
	},
	[PCN_KMSG_TYPE_PAGE_READ] = {
		sizeof(struct pcn_page_msg), sizeof(struct pcn_page_msg)
	},
	[PCN_KMSG_TYPE_PAGE_READ_REPLY] = {
		sizeof(struct pcn_page_status),
		sizeof(struct pcn_page_status) + PCN_PAGE_SIZE
	},
	[PCN_KMSG_TYPE_PAGE_TEST] = {
		sizeof(struct pcn_page_test_msg), sizeof(struct pcn_page_test_msg)
	},
	[PCN_KMSG_TYPE_PAGE_TEST_REPLY] = {
		sizeof(struct pcn_page_status), sizeof(struct pcn_page_status)
	},
#define PCN_FIXED(t)	{ sizeof(t), sizeof(t) }
	[PCN_KMSG_TYPE_MIGRATE] = {
		sizeof(struct pcn_migrate_msg),
		sizeof(struct pcn_migrate_msg) + PCN_FPU_MAX_SIZE
	},
	[PCN_KMSG_TYPE_MIGRATE_REPLY] = PCN_FIXED(struct pcn_migrate_reply),
	[PCN_KMSG_TYPE_THREAD_EXIT] = PCN_FIXED(struct pcn_thread_exit_msg),
	[PCN_KMSG_TYPE_THREAD_KILL] = PCN_FIXED(struct pcn_thread_exit_msg),
	[PCN_KMSG_TYPE_PROCESS_EXIT] = PCN_FIXED(struct pcn_thread_exit_msg),
	[PCN_KMSG_TYPE_VMA_REQUEST] = PCN_FIXED(struct pcn_vma_request),
	[PCN_KMSG_TYPE_VMA_REPLY] = {
		sizeof(struct pcn_vma_reply),
		sizeof(struct pcn_vma_reply) + PCN_VMA_PATH_MAX
	},
	[PCN_KMSG_TYPE_VMA_OP] = PCN_FIXED(struct pcn_vma_op),
	[PCN_KMSG_TYPE_VMA_OP_REPLY] = PCN_FIXED(struct pcn_syscall_reply),
	[PCN_KMSG_TYPE_VMA_DROP] = PCN_FIXED(struct pcn_vma_drop),
	[PCN_KMSG_TYPE_VMA_DROP_REPLY] = PCN_FIXED(struct pcn_syscall_reply),
	[PCN_KMSG_TYPE_PAGE_FETCH] = PCN_FIXED(struct pcn_page_fetch),
	[PCN_KMSG_TYPE_PAGE_FETCH_REPLY] = PCN_FIXED(struct pcn_page_fetch_reply),
	[PCN_KMSG_TYPE_PAGE_RECALL] = PCN_FIXED(struct pcn_page_fetch),
	[PCN_KMSG_TYPE_PAGE_RECALL_REPLY] = PCN_FIXED(struct pcn_page_fetch_reply),
	[PCN_KMSG_TYPE_FUTEX] = PCN_FIXED(struct pcn_futex_msg),
	[PCN_KMSG_TYPE_FUTEX_REPLY] = PCN_FIXED(struct pcn_syscall_reply),
	[PCN_KMSG_TYPE_CLONE] = PCN_FIXED(struct pcn_clone_msg),
	[PCN_KMSG_TYPE_CLONE_REPLY] = PCN_FIXED(struct pcn_syscall_reply),
	[PCN_KMSG_TYPE_PAGE_PUT] = {
		sizeof(struct pcn_page_msg) + PCN_PAGE_SIZE,
		sizeof(struct pcn_page_msg) + PCN_PAGE_SIZE
	},
#undef PCN_FIXED
};

static const char * const pcn_kmsg_type_names[PCN_KMSG_TYPE_MAX] = {
	[PCN_KMSG_TYPE_HELLO] = "hello",
	[PCN_KMSG_TYPE_ECHO_REQUEST] = "echo_request",
	[PCN_KMSG_TYPE_ECHO_REPLY] = "echo_reply",
	[PCN_KMSG_TYPE_CREDIT] = "credit",
	[PCN_KMSG_TYPE_PAGE_WRITE] = "page_write",
	[PCN_KMSG_TYPE_PAGE_WRITE_REPLY] = "page_write_reply",
	[PCN_KMSG_TYPE_PAGE_READ] = "page_read",
	[PCN_KMSG_TYPE_PAGE_READ_REPLY] = "page_read_reply",
	[PCN_KMSG_TYPE_PAGE_TEST] = "page_test",
	[PCN_KMSG_TYPE_PAGE_TEST_REPLY] = "page_test_reply",
	[PCN_KMSG_TYPE_MIGRATE] = "migrate",
	[PCN_KMSG_TYPE_MIGRATE_REPLY] = "migrate_reply",
	[PCN_KMSG_TYPE_THREAD_EXIT] = "thread_exit",
	[PCN_KMSG_TYPE_THREAD_KILL] = "thread_kill",
	[PCN_KMSG_TYPE_PROCESS_EXIT] = "process_exit",
	[PCN_KMSG_TYPE_VMA_REQUEST] = "vma_request",
	[PCN_KMSG_TYPE_VMA_REPLY] = "vma_reply",
	[PCN_KMSG_TYPE_VMA_OP] = "vma_op",
	[PCN_KMSG_TYPE_VMA_OP_REPLY] = "vma_op_reply",
	[PCN_KMSG_TYPE_VMA_DROP] = "vma_drop",
	[PCN_KMSG_TYPE_VMA_DROP_REPLY] = "vma_drop_reply",
	[PCN_KMSG_TYPE_PAGE_FETCH] = "page_fetch",
	[PCN_KMSG_TYPE_PAGE_FETCH_REPLY] = "page_fetch_reply",
	[PCN_KMSG_TYPE_PAGE_RECALL] = "page_recall",
	[PCN_KMSG_TYPE_PAGE_RECALL_REPLY] = "page_recall_reply",
	[PCN_KMSG_TYPE_FUTEX] = "futex",
	[PCN_KMSG_TYPE_FUTEX_REPLY] = "futex_reply",
	[PCN_KMSG_TYPE_CLONE] = "clone",
	[PCN_KMSG_TYPE_CLONE_REPLY] = "clone_reply",
	[PCN_KMSG_TYPE_PAGE_PUT] = "page_put",
};

const char *pcn_kmsg_type_name(unsigned int type)
{
	return type < PCN_KMSG_TYPE_MAX ? pcn_kmsg_type_names[type] : "?";
}

int pcn_kmsg_validate(const struct pcn_kmsg_hdr *hdr, int expect_nid)
{
	return pcn_kmsg_check_hdr(hdr, expect_nid, pcn_kmsg_type_bounds,
				  PCN_KMSG_TYPE_MAX);
}
EXPORT_SYMBOL_GPL(pcn_kmsg_validate);

static pcn_kmsg_handler_t pcn_handlers[PCN_KMSG_TYPE_MAX];
static bool pcn_handler_inline[PCN_KMSG_TYPE_MAX];
static struct workqueue_struct *pcn_kmsg_wq;

/* Types the transports consume themselves are not for users. */
static bool pcn_kmsg_user_type(unsigned int type)
{
	return type > PCN_KMSG_TYPE_HELLO && type < PCN_KMSG_TYPE_MAX &&
	       type != PCN_KMSG_TYPE_CREDIT;
}

int pcn_kmsg_register(enum pcn_kmsg_type type, pcn_kmsg_handler_t handler)
{
	if (!pcn_kmsg_user_type(type))
		return -EINVAL;
	if (cmpxchg(&pcn_handlers[type], NULL, handler))
		return -EBUSY;
	return 0;
}
EXPORT_SYMBOL_GPL(pcn_kmsg_register);

int pcn_kmsg_register_inline(enum pcn_kmsg_type type,
			     pcn_kmsg_handler_t handler)
{
	bool was;
	int ret;

	if (!pcn_kmsg_user_type(type))
		return -EINVAL;
	/* Set before the handler is published, cleared after it is gone. */
	was = READ_ONCE(pcn_handler_inline[type]);
	WRITE_ONCE(pcn_handler_inline[type], true);
	ret = pcn_kmsg_register(type, handler);
	if (ret)	/* another handler has the type: leave it as it was */
		WRITE_ONCE(pcn_handler_inline[type], was);
	return ret;
}
EXPORT_SYMBOL_GPL(pcn_kmsg_register_inline);

void pcn_kmsg_unregister(enum pcn_kmsg_type type)
{
	if (type < PCN_KMSG_TYPE_MAX)
		WRITE_ONCE(pcn_handlers[type], NULL);
	pcn_kmsg_flush();
	if (type < PCN_KMSG_TYPE_MAX)
		WRITE_ONCE(pcn_handler_inline[type], false);
}
EXPORT_SYMBOL_GPL(pcn_kmsg_unregister);

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
 * Send a message whose header is filled but for the sequence number; with
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
	if (pcn_node_state(node) != PCN_NODE_ONLINE) {
		ret = -ENOTCONN;
		goto out;
	}
	if (page && !t->send_page) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	hdr->seq = atomic64_inc_return(&node->tx_seq);
	trace_popcorn_msg_send(node->nid, hdr->type,
			       pcn_kmsg_type_name(hdr->type), hdr->size,
			       hdr->seq);
	if (page)
		ret = t->send_page(node, hdr, payload, to, page);
	else
		ret = t->send(node, hdr, payload);
	if (!ret) {
		atomic64_inc(&node->stats.msgs_out);
		atomic64_add(hdr->size, &node->stats.bytes_out);
		atomic64_inc(&node->stats.types[hdr->type].msgs_out);
		atomic64_add(hdr->size, &node->stats.types[hdr->type].bytes_out);
		atomic64_inc(&pcn_stats.types[hdr->type].msgs_out);
		atomic64_add(hdr->size, &pcn_stats.types[hdr->type].bytes_out);
	} else {
		atomic64_inc(&node->stats.transport_errors);
		atomic64_inc(&pcn_obs.transport_errors);
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

/* May a user send a @type message of @size payload bytes? */
int pcn_kmsg_check_out(enum pcn_kmsg_type type, size_t size)
{
	if (!pcn_kmsg_user_type(type))
		return -EINVAL;
	if (size > pcn_kmsg_type_bounds[type].max ||
	    size < pcn_kmsg_type_bounds[type].min)
		return -EMSGSIZE;
	return 0;
}

static int pcn_kmsg_check_send(int nid, enum pcn_kmsg_type type, size_t size,
			       struct pcn_node **node)
{
	int ret = pcn_kmsg_check_out(type, size);

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
EXPORT_SYMBOL_GPL(pcn_kmsg_send);

/*
 * Zero-copy send. The TCP transport frames straight from this buffer; a
 * transport with registered send buffers (RDMA) will hand out its own.
 */
struct pcn_kmsg *pcn_kmsg_get(int nid, size_t size)
{
	struct pcn_kmsg *msg;

	if (size > PCN_KMSG_MAX_PAYLOAD)
		return NULL;
	msg = kmalloc(sizeof(*msg) + size, GFP_KERNEL);
	if (msg)
		msg->hdr.size = size;
	return msg;
}
EXPORT_SYMBOL_GPL(pcn_kmsg_get);

void pcn_kmsg_put(struct pcn_kmsg *msg)
{
	kfree(msg);
}
EXPORT_SYMBOL_GPL(pcn_kmsg_put);

/* Sends and consumes @msg, whatever the outcome. */
int pcn_kmsg_post(int nid, enum pcn_kmsg_type type, struct pcn_kmsg *msg)
{
	struct pcn_node *node;
	size_t size = msg->hdr.size;
	int ret;

	ret = pcn_kmsg_check_send(nid, type, size, &node);
	if (!ret) {
		pcn_kmsg_fill_hdr(&msg->hdr, type, size);
		ret = pcn_kmsg_send_hdr(node, &msg->hdr, msg->payload);
		pcn_node_put(node);
	}
	pcn_kmsg_put(msg);
	return ret;
}
EXPORT_SYMBOL_GPL(pcn_kmsg_post);

void pcn_kmsg_done(struct pcn_kmsg_rx *rx)
{
	struct pcn_transport *t = rx->transport;
	struct pcn_node *node = rx->from;

	t->release(rx);
	/*
	 * wait_var_event() in pcn_transport_unregister() waits for this; the
	 * wake-up only hashes the address, it does not dereference @t.
	 */
	if (atomic_dec_and_test(&t->rx_outstanding))
		wake_up_var(&t->rx_outstanding);
	pcn_node_put(node);
}
EXPORT_SYMBOL_GPL(pcn_kmsg_done);

/* A peer broke the protocol: count it. The transport closes the link. */
void pcn_kmsg_bad(struct pcn_node *node, const char *why)
{
	atomic64_inc(&pcn_stats.rx_bad);
	if (node) {
		atomic64_inc(&node->stats.bad);
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
 * pcn_kmsg_check_hdr() against rx->from. From here the core owns @rx
 * until pcn_kmsg_done().
 */
void pcn_kmsg_deliver(struct pcn_kmsg_rx *rx)
{
	const struct pcn_kmsg_hdr *hdr = &rx->msg->hdr;
	struct pcn_node *node = rx->from;

	kref_get(&node->ref);
	atomic_inc(&rx->transport->rx_outstanding);

	trace_popcorn_msg_recv(node->nid, hdr->type,
			       pcn_kmsg_type_name(hdr->type), hdr->size,
			       hdr->seq);
	atomic64_inc(&node->stats.msgs_in);
	atomic64_add(hdr->size, &node->stats.bytes_in);
	atomic64_inc(&node->stats.types[hdr->type].msgs_in);
	atomic64_add(hdr->size, &node->stats.types[hdr->type].bytes_in);
	atomic64_inc(&pcn_stats.types[hdr->type].msgs_in);
	atomic64_add(hdr->size, &pcn_stats.types[hdr->type].bytes_in);

	if (hdr->flags & PCN_KMSG_F_REPLY) {
		pcn_ws_complete(rx);
		return;
	}
	if (READ_ONCE(pcn_handler_inline[hdr->type])) {
		pcn_kmsg_dispatch(&rx->work);
		return;
	}
	INIT_WORK(&rx->work, pcn_kmsg_dispatch);
	queue_work(pcn_kmsg_wq, &rx->work);
}
EXPORT_SYMBOL_GPL(pcn_kmsg_deliver);

int pcn_kmsg_init(void)
{
	pcn_kmsg_wq = alloc_workqueue("pcn_kmsg", WQ_UNBOUND, 0);
	return pcn_kmsg_wq ? 0 : -ENOMEM;
}
