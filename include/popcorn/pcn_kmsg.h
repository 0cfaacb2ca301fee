/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Popcorn message layer: the wire header, the API the core offers to its
 * users (send, done, request/reply, page transfers) and the contract a transport
 * (pcn_tcp, pcn_rdma) implements. Transports include only this header.
 */
#ifndef _POPCORN_PCN_KMSG_H
#define _POPCORN_PCN_KMSG_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/uio.h>
#include <uapi/popcorn/pcn_netlink.h>
#include <popcorn/pcn_wire.h>
#include <popcorn/node.h>

struct pcn_kmsg {
	struct pcn_kmsg_hdr hdr;
	u8 payload[];
} __packed;

/* Size bounds of a type's payload, checked on every received header. */
struct pcn_kmsg_bounds {
	u32 min;
	u32 max;
};

/* One row of the message table (PCN_KMSG_TYPES in pcn_wire.h). */
struct pcn_kmsg_type_info {
	const char *name;
	struct pcn_kmsg_bounds size;
	u16 reply;		/* its answer's type; PCN_KMSG_TYPE_NONE */
	u16 flags;		/* PCN_KMSG_T_* */
};

int pcn_kmsg_check_hdr(const struct pcn_kmsg_hdr *hdr, int expect_nid,
		       const struct pcn_kmsg_type_info *types,
		       unsigned int ntypes);

/* pcn_kmsg_check_hdr() against the core's table of message types. */
int pcn_kmsg_validate(const struct pcn_kmsg_hdr *hdr, int expect_nid);

struct pcn_node;
struct pcn_transport;

/*
 * A received message. The handler owns it until pcn_kmsg_done(). @msg
 * points at the header; the payload follows it.
 */
struct pcn_kmsg_rx {
	struct work_struct work;	/* core: handler dispatch */
	struct pcn_node *from;		/* core: holds a reference */
	struct pcn_transport *transport;
	struct pcn_kmsg *msg;
	struct list_head list;		/* free for the handler's use */
	bool queued;			/* core: counted in from->rx_queued */
};

typedef void (*pcn_kmsg_handler_t)(struct pcn_kmsg_rx *rx);

/*
 * Handlers run in process context (a workqueue) and may sleep, but for
 * the types the table marks PCN_KMSG_T_INLINE: those run in the
 * transport's receive path, in arrival order with the replies from the
 * same peer, must not sleep for long and never wait on the network.
 */
int pcn_kmsg_register(enum pcn_kmsg_type type, pcn_kmsg_handler_t handler);

/* Copying send; may sleep. */
int pcn_kmsg_send(int nid, enum pcn_kmsg_type type, const void *payload,
		  size_t size);
/* Release a received message. */
void pcn_kmsg_done(struct pcn_kmsg_rx *rx);

/*
 * Request/response through a wait station. On success *reply holds the
 * response, of the request type's reply type (the table's), to be released
 * with pcn_kmsg_done(). Fails with -ETIMEDOUT, -ECONNRESET when the peer
 * goes away while we wait, or -EPROTO when it answers with another type.
 */
int pcn_kmsg_request(int nid, enum pcn_kmsg_type type, const void *payload,
		     size_t size, struct pcn_kmsg_rx **reply,
		     unsigned long timeout);
/* No time limit, but a fatal signal ends the wait (-EINTR). */
int pcn_kmsg_request_killable(int nid, enum pcn_kmsg_type type,
			      const void *payload, size_t size,
			      struct pcn_kmsg_rx **reply);
/*
 * The same request to each node of @nids at once. For each such nid,
 * results[nid] is 0 with the answer in replies[nid] (release it), or why
 * there is none. Returns 0, or an error before anything was sent.
 */
int pcn_kmsg_request_all(unsigned long nids, enum pcn_kmsg_type type,
			 const void *payload, size_t size,
			 struct pcn_kmsg_rx **replies, int *results,
			 unsigned long timeout);
/* The same request to each node of @nids for its effect; answers dropped. */
void pcn_kmsg_request_nodes(unsigned long nids, enum pcn_kmsg_type type,
			    const void *payload, size_t size,
			    unsigned long timeout);
/* Answer @req with its type's reply type (PCN_KMSG_TYPES). */
int pcn_kmsg_reply(struct pcn_kmsg_rx *req, const void *payload, size_t size);

/* ---- page transfers ---- */

/*
 * A page exposed to one peer for one transfer (the requester's side), or a
 * window of up to PCN_PAGE_WINDOW_MAX pages the peer writes: one
 * descriptor, page i at desc.addr + i * PCN_PAGE_SIZE (pcn_window_desc()).
 * The descriptor goes to the peer inside a request; pcn_page_unexpose()
 * ends the exposure: from its return on, the peer's key is dead.
 */
#define PCN_PAGE_WINDOW_MAX	PCN_PAGE_AHEAD_MAX

struct pcn_page_expo {
	struct pcn_page_desc desc;
	struct pcn_node *node;
	struct page *page;	/* the first page */
	struct page **pages;	/* all of them (the caller's array) */
	unsigned int npages;
	bool peer_writes;	/* else the peer reads */
	unsigned long filled;	/* message fallback: pages a PAGE_PUT filled */
	struct pcn_transport *transport;	/* NULL: message fallback */
	void *tpriv[2];		/* transport state of the exposure */
	u64 tdma[PCN_PAGE_WINDOW_MAX];
};

int pcn_page_expose(int nid, struct page *page, bool peer_writes,
		    struct pcn_page_expo *e);
/* @n pages (1..PCN_PAGE_WINDOW_MAX) for @nid to write; @pages outlives it. */
int pcn_window_expose(int nid, struct page **pages, unsigned int n,
		      struct pcn_page_expo *e);
void pcn_page_unexpose(struct pcn_page_expo *e);

/* Page @i of the window @w, as a one-page descriptor. */
static inline struct pcn_page_desc pcn_window_desc(const struct pcn_page_desc *w,
						   unsigned int i)
{
	struct pcn_page_desc d = {
		.addr = w->addr + (u64)i * PCN_PAGE_SIZE,
		.key = w->key,
		.len = PCN_PAGE_SIZE,
	};

	return d;
}
/*
 * The peer side: put @page into the exposed page, posted. Over RDMA it may
 * return before the data has landed (it posts the write and goes on), but
 * anything sent to that node afterwards arrives after the data, and a
 * write that fails breaks the link instead; over messages it is one
 * PAGE_PUT, applied in order before anything sent after it. A put that
 * could not land leaves the exposure unfilled: the requester checks
 * pcn_page_filled() once the request that asked for the page is answered,
 * before it uses the page. @page may be freed by the caller at once: the
 * transport holds a reference.
 */
int pcn_page_put(int nid, const struct pcn_page_desc *to, struct page *page);
bool pcn_page_filled(const struct pcn_page_expo *e);
bool pcn_window_filled(const struct pcn_page_expo *e, unsigned int i);
/*
 * Answer @req (a page fetch or recall) with @page put into the requester's
 * exposure @to (one page) and the reply that says so ({0, PCN_PAGE_F_DATA
 * | @flags, 0, @ahead}; @flags: 0, or PCN_PAGE_F_OWNER for a fetch; @ahead:
 * the pages of the fetch's window put before, pcn_page_fetch_reply), the
 * data landing first. Where the transport can, both go as one write with
 * an immediate (kmsg_imm.c); else pcn_page_put() and the reply. Returns 0
 * once the answer is on its way; on an error the caller still owes @req
 * an answer.
 */
int pcn_kmsg_reply_page(struct pcn_kmsg_rx *req,
			const struct pcn_page_desc *to, struct page *page,
			u32 flags, u64 ahead);

/*
 * A page reply as an immediate (kmsg_imm.c): the transport keeps the bits
 * above PCN_KMSG_IMM_BITS to tell it from its own immediates. Wait station
 * ids stay within PCN_KMSG_IMM_WS_MAX for this.
 */
#define PCN_KMSG_IMM_BITS	31
#define PCN_KMSG_IMM_WS_MAX	0x1fffffffU
#define PCN_KMSG_IMM_PAYLOAD	sizeof(struct pcn_page_fetch_reply)
bool pcn_kmsg_to_imm(const struct pcn_kmsg_hdr *hdr, const void *payload,
		     u32 *imm);
int pcn_kmsg_from_imm(u32 imm, int from_nid, struct pcn_kmsg *msg);

/* ---- transport contract ---- */

/*
 * A message the core always follows at once with another one to the same
 * peer (a PAGE_PUT is followed by the answer it belongs to): a stream
 * transport may send both in one segment.
 */
static inline bool pcn_kmsg_more_follows(const struct pcn_kmsg_hdr *hdr)
{
	return hdr->type == PCN_KMSG_TYPE_PAGE_PUT;
}

struct pcn_transport {
	const char *name;		/* "tcp", "rdma": matches pcnctl --transport */
	struct module *owner;
	/*
	 * Start connecting to (or accepting from) @node; returns at once,
	 * the transport reports progress through its pcn_peer_link
	 * (pcn_peer_link_up()) and with pcn_node_offline().
	 */
	int (*connect)(struct pcn_node *node);
	/*
	 * Tear the connection down and stop reconnecting; synchronous: no
	 * callback for @node runs afterwards. Senders blocked in ->send()
	 * must return.
	 */
	void (*disconnect)(struct pcn_node *node);
	/* Free the per-peer state; no ->send() can be running any more. */
	void (*destroy)(struct pcn_node *node);
	/*
	 * Send one message: header @hdr (filled by the core) and @hdr->size
	 * payload bytes in @payload. May sleep. Messages from concurrent
	 * callers must not interleave. A message for which
	 * pcn_kmsg_more_follows() is true may be held back until the next
	 * one to that peer, to go out together.
	 */
	int (*send)(struct pcn_node *node, const struct pcn_kmsg_hdr *hdr,
		    const void *payload);
	/* Give back a received buffer handed over by pcn_kmsg_deliver(). */
	void (*release)(struct pcn_kmsg_rx *rx);
	/*
	 * Optional: take the live link down now (a send failed, or a test
	 * says so); the transport reports it lost and connects again.
	 */
	void (*drop)(struct pcn_node *node);
	/*
	 * The core keeps a session over this transport's links: a link
	 * that comes back within the grace period resumes it (session.c).
	 * With page operations: an exposure outlives the link it was made
	 * on (the request naming it is sent again on the next one), the
	 * page operations return -ESTALE for a key of an earlier link (the
	 * core then sends the data in a message, PAGE_DATA) and page_fill
	 * is there.
	 */
	bool resumable;
	/*
	 * Optional one-sided page transfers (RDMA). Without them the core
	 * moves pages in messages. page_expose fills e->desc; page_unexpose
	 * must not return before the key is invalid. All may sleep.
	 */
	int (*page_expose)(struct pcn_node *node, struct pcn_page_expo *e);
	void (*page_unexpose)(struct pcn_page_expo *e);
	/* Page @i of live exposure @e from the CPU. Atomic context. */
	void (*page_fill)(struct pcn_page_expo *e, unsigned int i,
			  const void *data);
	int (*page_write)(struct pcn_node *node, const struct pcn_page_desc *to,
			  struct page *page);
	int (*page_read)(struct pcn_node *node, const struct pcn_page_desc *from,
			 struct page *page);
	/*
	 * Optional: page_write of @page to @to, then send(@hdr, @payload),
	 * in one operation where the message fits an immediate
	 * (pcn_kmsg_to_imm()); the receiving transport rebuilds it with
	 * pcn_kmsg_from_imm() and delivers it. May sleep.
	 */
	int (*send_page)(struct pcn_node *node, const struct pcn_kmsg_hdr *hdr,
			 const void *payload, const struct pcn_page_desc *to,
			 struct page *page);

	/* Registered for remote access right now (pcnctl stat). */
	atomic64_t remote_regions;
	atomic64_t remote_bytes;
	/* Sends that had to wait for the peer to make room (back-pressure). */
	atomic64_t tx_stalls;

	/* core private */
	struct list_head list;
	atomic_t rx_outstanding;
};

/*
 * A transport's link to one peer: its life cycle, the same for every
 * transport (kernel/popcorn/peer_link.c). The transport embeds it in its
 * per-peer state, keeps its own link (socket, queue pair) under @lock, and
 * dials from @dial_work.
 */
struct pcn_peer_link {
	struct pcn_node *node;
	struct mutex lock;		/* the transport's link; @stopping */
	struct delayed_work dial_work;
	struct workqueue_struct *wq;	/* @dial_work runs there */
	unsigned int backoff_ms;
	bool dialler;			/* this side dials (the higher id) */
	bool stopping;			/* the peer is going away */
};

void pcn_peer_link_init(struct pcn_peer_link *pl, struct pcn_node *node,
			struct workqueue_struct *wq, work_func_t dial);
void pcn_peer_link_start(struct pcn_peer_link *pl);
void pcn_peer_link_dial_failed(struct pcn_peer_link *pl, int err);
void pcn_peer_link_up(struct pcn_peer_link *pl, bool replacing);
void pcn_peer_link_redial(struct pcn_peer_link *pl);
void pcn_peer_link_lost(struct pcn_peer_link *pl);
void pcn_peer_link_stop(struct pcn_peer_link *pl);

static inline struct pcn_peer_link *pcn_peer_link_of(struct work_struct *w)
{
	return container_of(to_delayed_work(w), struct pcn_peer_link,
			    dial_work);
}

#ifdef CONFIG_POPCORN_SELFTEST
/* The core's debugfs folder, where a transport puts its test knobs. */
struct dentry *pcn_debugfs_dir(void);
#endif

int pcn_transport_register(struct pcn_transport *t);
void pcn_transport_unregister(struct pcn_transport *t);

/*
 * Transport -> core notifications (any context that may sleep).
 * pcn_kmsg_deliver() consumes @rx; it returns -EPROTO for a message that
 * broke the protocol beyond its header (a reply of the wrong type): the
 * transport counts it with pcn_kmsg_bad() and closes the link.
 */
int pcn_kmsg_deliver(struct pcn_kmsg_rx *rx);
void pcn_kmsg_bad(struct pcn_node *node, const char *why);

#endif /* _POPCORN_PCN_KMSG_H */
