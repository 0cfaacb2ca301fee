/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Popcorn nodes: the membership table of the core, as seen by the message
 * layer and the transports.
 */
#ifndef _POPCORN_NODE_H
#define _POPCORN_NODE_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/xarray.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/wait.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <uapi/popcorn/pcn_netlink.h>
#include <popcorn/pcn_wire.h>

struct pcn_transport;
struct pcn_kmsg;
struct pcn_kmsg_hello;
struct pcn_auth;
struct pcn_node_stats;		/* the core's (kernel/popcorn/stats.h) */

#define PCN_TRANSPORT_NAME_LEN	16

/*
 * The session with one peer (kernel/popcorn/session.c): our numbered
 * stream of messages to it, kept until it acknowledged them, and what we
 * received of its stream, so that a link that comes back within the grace
 * period carries on where the last one stopped.
 */
struct pcn_session {
	/* Orders numbering with sending; held across ->send(). */
	struct mutex tx_lock;
	struct list_head log;		/* unacknowledged, by seq; tx_lock */

	spinlock_t lock;		/* the rest */
	u32 tx_next;			/* the next number of ours */
	u32 replay_from;		/* the peer lacks ours from here on */
	u64 tx_sid;			/* our stream's name */
	u64 rx_sid;			/* the peer's, 0: no session */
	u32 acked;			/* the peer has all of ours below */
	u32 rx_next;			/* the next of the peer's we expect */
	u32 ack_sent;			/* the last @rx_next we told the peer */
	u32 link;			/* bumped whenever a link ends */
	bool sent_mine;			/* our SESSION went on this link */
	bool got_peer;			/* the peer's SESSION came */
	bool rx_ready;			/* and was judged: messages may flow */
	bool in_grace;			/* a link was lost, the timer runs */
	bool resumed;			/* the verdict on this link */
	u32 epoch;			/* bumped when our stream restarts */
	struct pcn_kmsg_session mine;	/* what our SESSION said */
	struct pcn_kmsg_session peer;	/* the peer's SESSION, until judged */
	wait_queue_head_t wait;		/* room in the log */

	struct work_struct replay_work;	/* send the log again, go online */
	struct work_struct trim_work;	/* free what the peer acknowledged */
	struct delayed_work ack_work;	/* acknowledge when nothing flows */
	struct delayed_work grace_work;	/* the link did not come back */
};

struct pcn_node {
	int nid;
	__be32 addr;			/* IPv4, network order */
	u16 port;
	char transport_name[PCN_TRANSPORT_NAME_LEN];
	/*
	 * The bound transport, NULL while its module is not loaded. Read
	 * inside pcn_transport_srcu; written under the core config mutex.
	 */
	struct pcn_transport __rcu *transport;
	void *tpriv;			/* the transport's per-peer state */

	spinlock_t lock;		/* state, arch */
	enum pcn_node_state state;
	u8 arch;

	struct pcn_session session;
	/* Live transport exposures for this peer, by key (page_xfer.c). */
	struct xarray expos;
	atomic_t rx_queued;		/* delivered, waiting for or in a handler */
	struct pcn_node_stats __percpu *stats;	/* the core's counters */
	struct kref ref;
	struct rcu_head rcu;
};

/* This node's id, or -1 before `pcnctl node self`. */
int pcn_my_nid(void);

/* A counted reference to a configured peer, or NULL. */
struct pcn_node *pcn_node_get(int nid);
void pcn_node_put(struct pcn_node *node);

/* Handshake helpers for transports. */
void pcn_hello_prepare(struct pcn_kmsg *msg, const struct pcn_auth *auth);
struct pcn_node *pcn_peer_admit(const struct pcn_kmsg_hello *hello,
				struct pcn_auth *auth, struct pcn_transport *t,
				__be32 peer_addr, int expect_nid);
struct pcn_node *pcn_hello_accept(const struct pcn_kmsg *msg,
				  struct pcn_auth *auth, struct pcn_transport *t,
				  __be32 peer_addr, int expect_nid);

/* Link state, reported by the transport. */
void pcn_node_connecting(struct pcn_node *node);
void pcn_node_online(struct pcn_node *node);
void pcn_node_offline(struct pcn_node *node);

#endif /* _POPCORN_NODE_H */
