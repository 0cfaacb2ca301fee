/* SPDX-License-Identifier: GPL-2.0 */
/* Popcorn RDMA transport: state shared by its files. */
#ifndef _PCN_RDMA_H
#define _PCN_RDMA_H

#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/refcount.h>
#include <linux/semaphore.h>
#include <linux/sizes.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <rdma/ib_verbs.h>
#include <rdma/mr_pool.h>
#include <rdma/rdma_cm.h>
#include <popcorn/auth.h>
#include <popcorn/pcn_kmsg.h>
#include "rdma_cm_priv.h"
#include "rdma_ring.h"

#define PCN_RDMA_SLOT_SIZE	PCN_KMSG_MAX_SIZE
/* Page transfers: exposures and work requests in flight per connection. */
#define PCN_RDMA_PAGE_EXPOS	64
#define PCN_RDMA_PAGE_WRS	64
/* An idle connection sends a CREDIT message this often (see keepalive). */
#define PCN_RDMA_KEEPALIVE	(2 * HZ)
/*
 * A peer that sent nothing at all for this long is gone. A live peer sends
 * at least a keepalive every two PCN_RDMA_KEEPALIVE periods, so this leaves
 * room for two lost rounds on a slow (TCG) host; it matches pcn_tcp's
 * keepalive plus user timeout (10 s).
 */
#define PCN_RDMA_SILENT_LIMIT	(5 * PCN_RDMA_KEEPALIVE)

/*
 * WRITE_IMM mode immediates: a ring slot index, or with this bit a whole
 * message in the low PCN_KMSG_IMM_BITS (a page reply, kmsg_imm.c) that
 * came with a page write and takes no ring slot.
 */
#define PCN_RDMA_IMM_MSG	BIT(PCN_KMSG_IMM_BITS)
/*
 * Receives posted beyond one per slot, for those messages: a peer sends
 * one per exposure of ours, and we hold at most PCN_RDMA_PAGE_EXPOS.
 */
#define PCN_RDMA_IMM_RECVS	PCN_RDMA_PAGE_EXPOS

/*
 * Once its queue pair is up, each side SENDs this to the peer (into one of
 * the pre-posted receives) before anything else: in WRITE_IMM mode it says
 * where the ring is (registered just before; the peer writes into it only
 * after this message), in SEND mode the ring fields are 0. The dialler's
 * carries its proof of the cluster key (the acceptor's was in the accept
 * private data): the acceptor takes no message before it checked it.
 */
struct pcn_rdma_ring_info {
	__u32 magic;		/* PCN_KMSG_MAGIC */
	__u32 rkey;
	__u64 addr;
	__u32 slots;
	__u16 gen;		/* the sender's link generation, not 0 */
	__u16 reserved;
	__u8 mac[PCN_AUTH_MAC_LEN];	/* dialler, keyed: its proof; else 0 */
} __packed;

#define PCN_RDMA_CTRL_SIZE	64	/* receive buffer of a ring_info */
static_assert(sizeof(struct pcn_rdma_ring_info) <= PCN_RDMA_CTRL_SIZE);

/* What a connection waits for before it carries messages. */
#define PCN_RDMA_READY_CM	BIT(0)	/* established and admitted */
#define PCN_RDMA_READY_RING	BIT(1)	/* the peer's ring is known */
#define PCN_RDMA_READY_ALL	(PCN_RDMA_READY_CM | PCN_RDMA_READY_RING)

/*
 * The address a peer names in its operations on @mr: not the DMA address
 * ib_map_mr_sg() put there, which on rxe and siw is a kernel virtual
 * address (a peer must not learn where our memory is), but a label that
 * the device translates like any iova (it is taken from the MR at the
 * REG_MR): the link generation @gen of the connection that registers it
 * in bits 40..55, random bits 16..39. A window (at most 64 KiB) never
 * crosses into the generation. A peer tells from the generation whether
 * a key it was given belongs to the link it would use (see
 * pcn_rdma_desc_live()).
 */
#define PCN_RDMA_GEN_SHIFT	40
static_assert(PCN_PAGE_WINDOW_MAX * PCN_PAGE_SIZE <= SZ_64K);

static inline void pcn_rdma_mr_hide_iova(struct ib_mr *mr, u16 gen)
{
	mr->iova = (u64)gen << PCN_RDMA_GEN_SHIFT |
		   (u64)(get_random_u32() & 0xffffff) << 16;
}

struct pcn_rdma_slot {
	void *buf;		/* PCN_RDMA_SLOT_SIZE bytes */
	u64 dma;
	struct ib_cqe cqe;
	struct pcn_rdma_conn *conn;
	u32 index;
	atomic_t busy;		/* tx: posted, completion pending */
};

enum pcn_rdma_conn_state {
	PCN_RDMA_SETUP,		/* resolving, connecting, accepting */
	PCN_RDMA_LIVE,		/* established and admitted */
	PCN_RDMA_DEAD,		/* failed or torn down: no new sends */
};

/*
 * One RC connection to a peer. Owned by the peer (peer->conn) once live;
 * before that by the connection-manager events that build it. Senders hold
 * a reference (@users) while they use it.
 */
struct pcn_rdma_conn {
	struct pcn_rdma_peer *peer;
	struct rdma_cm_id *cm_id;
	struct ib_device *dev;
	struct ib_pd *pd;
	struct ib_cq *cq;
	unsigned int cq_size;
	struct ib_qp *qp;
	bool ring_counted;		/* ring in the remote_* counters */
	enum pcn_rdma_mode mode;
	u32 nslots;
	u32 nrecvs;		/* receives posted: nslots, + PCN_RDMA_IMM_RECVS */
	enum pcn_rdma_conn_state state;

	/* receive side: the ring we own and the peer fills */
	struct pcn_rdma_slot *rx;
	struct pcn_ring_rx rx_ring;
	u32 rx_reported;	/* last freed count we told the peer */
	struct ib_cqe rx_imm_cqe;	/* WRITE_IMM notifications */
	struct ib_mr *rx_mr;
	struct scatterlist *rx_sg;
	struct ib_cqe reg_cqe;
	struct completion reg_done;
	int reg_status;
	void *ctrl_rx;			/* ring_info from the peer */
	u64 ctrl_rx_dma;
	void *ctrl_tx;			/* our ring_info */
	u64 ctrl_tx_dma;
	struct ib_cqe ctrl_tx_cqe;
	atomic_t ready;			/* PCN_RDMA_READY_* */
	struct pcn_auth auth;		/* this handshake's cluster key proofs */
	/*
	 * The peer was admitted and proved the key (if any): only from then
	 * on is a message of its taken. Set once, before our ring_info goes
	 * out (dialler) or when the peer's is checked (acceptor); release /
	 * acquire with the completion handler that reads it.
	 */
	bool proven;

	/* send side: the peer's ring */
	struct pcn_rdma_slot *tx;
	struct pcn_ring_tx tx_ring;
	u64 remote_addr;
	u32 remote_rkey;
	wait_queue_head_t tx_wait;
	struct work_struct credit_work;
	struct delayed_work keepalive_work;
	u32 tx_count;			/* messages sent, for the keepalive */
	u32 keepalive_seen;
	unsigned long last_rx;		/* jiffies of the last receive */

	/* page transfers (rdma_page.c) */
	struct semaphore expo_slots;	/* MRs left in qp->rdma_mrs */
	struct semaphore page_wrs;	/* send queue entries left for them */
	struct ib_cqe expo_reg_cqe;	/* unsignaled REG_MRs that fail */
	bool replays_local_ops;		/* see pcn_rdma_page_expose() */
	spinlock_t expo_lock;		/* @expo_mrs */
	unsigned int expo_free;		/* expo_mrs[0..expo_free) are free */
	struct ib_mr *expo_mrs[PCN_RDMA_PAGE_EXPOS];
	/*
	 * Link generations (rdma.h, pcn_rdma_mr_hide_iova()): ours, in our
	 * keys; the peer's, from its ring_info: a key of the peer's with
	 * another generation is of an earlier link of the peer's.
	 */
	u16 gen;
	u16 peer_gen;

	refcount_t users;
	struct completion users_gone;
	/*
	 * Exposures outlive the link (the session sends the request naming
	 * them again on the next one): each holds @expos, which keeps the
	 * PD, the MRs and this struct; the owner holds one until teardown
	 * is done. @drained: the queue pair is drained, no key of it can be
	 * used any more.
	 */
	refcount_t expos;
	struct completion drained;
	struct work_struct teardown_work;
	atomic_t teardown_queued;
	struct list_head list;		/* pcn_rdma_conns */
};

/*
 * One per configured peer (node->tpriv). @link (the core's) decides who
 * dials and when; link.lock covers the publication of @conn.
 */
struct pcn_rdma_peer {
	struct pcn_peer_link link;
	struct pcn_rdma_conn __rcu *conn;	/* live connection or NULL */
};

extern struct pcn_transport pcn_rdma_transport;
extern struct workqueue_struct *pcn_rdma_wq;
extern unsigned int pcn_rdma_slots;
extern bool pcn_rdma_force_send;
extern u32 pcn_rdma_rx_delay_us;
extern bool pcn_rdma_imm_replies;
extern bool pcn_rdma_stale_keys;
extern unsigned short pcn_rdma_port;

/* rdma_conn.c: connection management */
int pcn_rdma_listen(void);
void pcn_rdma_unlisten(void);
void pcn_rdma_connect_work(struct work_struct *work);
void pcn_rdma_conn_fail(struct pcn_rdma_conn *conn, const char *why);
void pcn_rdma_conn_teardown_sync(struct pcn_rdma_conn *conn);
void pcn_rdma_remove_device(struct ib_device *dev);
void pcn_rdma_peer_drop(struct pcn_rdma_peer *peer);
struct pcn_rdma_peer *pcn_rdma_peer_forget(struct pcn_node *node);
struct pcn_rdma_conn *pcn_rdma_conn_get(struct pcn_rdma_peer *peer);
void pcn_rdma_conn_put(struct pcn_rdma_conn *conn);
void pcn_rdma_conn_expos_put(struct pcn_rdma_conn *conn);
void pcn_rdma_drop(struct pcn_node *node);

/* Is @desc, a key the peer gave us, of the link @conn is? */
static inline bool pcn_rdma_desc_live(const struct pcn_rdma_conn *conn,
				      const struct pcn_page_desc *desc)
{
	return !READ_ONCE(pcn_rdma_stale_keys) &&
	       (u16)(desc->addr >> PCN_RDMA_GEN_SHIFT) ==
	       READ_ONCE(conn->peer_gen);
}

/* rdma_page.c: one-sided page transfers */
int pcn_rdma_expo_mrs_alloc(struct pcn_rdma_conn *conn);
void pcn_rdma_expo_mrs_free(struct pcn_rdma_conn *conn);
void pcn_rdma_page_fill(struct pcn_page_expo *e, unsigned int i,
			const void *data);
void pcn_rdma_expo_reg_failed(struct ib_cq *cq, struct ib_wc *wc);
int pcn_rdma_page_expose(struct pcn_node *node, struct pcn_page_expo *e);
void pcn_rdma_page_unexpose(struct pcn_page_expo *e);
int pcn_rdma_page_post(struct pcn_rdma_conn *conn,
		       const struct pcn_page_desc *to, struct page *page,
		       const u32 *imm);
int pcn_rdma_send_page(struct pcn_node *node, const struct pcn_kmsg_hdr *hdr,
		       const void *payload, const struct pcn_page_desc *to,
		       struct page *page);
int pcn_rdma_page_write(struct pcn_node *node, const struct pcn_page_desc *to,
			struct page *page);
int pcn_rdma_page_read(struct pcn_node *node,
		       const struct pcn_page_desc *from, struct page *page);

/* rdma_ring.c: the data path */
int pcn_rdma_ring_alloc(struct pcn_rdma_conn *conn);
void pcn_rdma_ring_free(struct pcn_rdma_conn *conn);
int pcn_rdma_ring_map(struct pcn_rdma_conn *conn);
int pcn_rdma_ring_announce(struct pcn_rdma_conn *conn);
void pcn_rdma_conn_ready(struct pcn_rdma_conn *conn, int bit);
int pcn_rdma_ring_post_recvs(struct pcn_rdma_conn *conn);
int pcn_rdma_ring_send(struct pcn_rdma_conn *conn,
		       const struct pcn_kmsg_hdr *hdr, const void *payload);
void pcn_rdma_credit_work(struct work_struct *work);
void pcn_rdma_keepalive_work(struct work_struct *work);
void pcn_rdma_rx_release(struct pcn_kmsg_rx *rx);

#endif /* _PCN_RDMA_H */
