/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Popcorn nodes: the membership table of the core, as seen by the message
 * layer and the transports.
 */
#ifndef _POPCORN_NODE_H
#define _POPCORN_NODE_H

#include <linux/atomic.h>
#include <linux/kref.h>
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

	atomic64_t tx_seq;
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
