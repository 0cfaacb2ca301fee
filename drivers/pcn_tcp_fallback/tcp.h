/* SPDX-License-Identifier: GPL-2.0 */
/* Popcorn TCP transport: state shared by its two files. */
#ifndef _PCN_TCP_H
#define _PCN_TCP_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/net.h>
#include <linux/workqueue.h>
#include <popcorn/pcn_kmsg.h>

/*
 * One per configured peer (node->tpriv). @link (the core's) decides who
 * dials and when; link.lock covers conn attach/detach. Counted: node->tpriv
 * holds one reference, a handshake that found the peer another
 * (pcn_tcp_peer_get()), so that removing the node never waits for a
 * handshake in progress; freed after an RCU grace period.
 */
struct pcn_tcp_peer {
	struct pcn_peer_link link;
	struct mutex tx_lock;		/* one frame at a time; guards conn for senders */
	struct pcn_tcp_conn *conn;	/* written under link.lock and tx_lock */
	struct work_struct lost_work;
	/* The socket the dial work is connecting, to abort it (disconnect). */
	struct mutex dial_lock;
	struct socket *dial_sock;
	refcount_t ref;
	struct rcu_head rcu;
};

struct pcn_tcp_conn {
	struct socket *sock;
	struct task_struct *rx_task;
	struct pcn_tcp_peer *peer;
	bool dead;			/* set by the rx thread on a link error */
};

/* A received message and its buffer, in one allocation. */
struct pcn_tcp_rx {
	struct pcn_kmsg_rx rx;
	struct pcn_kmsg msg;		/* header, then payload */
};

extern struct pcn_transport pcn_tcp_transport;
extern struct workqueue_struct *pcn_tcp_wq;
extern unsigned int pcn_tcp_handshake_ms;
extern unsigned int pcn_tcp_max_handshakes;

/* tcp_main.c */
struct pcn_tcp_peer *pcn_tcp_peer_get(struct pcn_node *node);
void pcn_tcp_peer_put(struct pcn_tcp_peer *peer);

/* tcp_conn.c */
int pcn_tcp_recv_full(struct socket *sock, void *buf, size_t len,
		      unsigned long deadline);
int pcn_tcp_send_frame(struct socket *sock, const struct pcn_kmsg_hdr *hdr,
		       const void *payload);
int pcn_tcp_attach(struct pcn_tcp_peer *peer, struct socket *sock);
void pcn_tcp_detach(struct pcn_tcp_peer *peer);
void pcn_tcp_lost_work(struct work_struct *work);
void pcn_tcp_connect_work(struct work_struct *work);
int pcn_tcp_queue_accept(struct socket *sock);
void pcn_tcp_rx_init(struct pcn_transport *t);
void pcn_tcp_set_timeout(struct socket *sock, unsigned int ms);
void pcn_tcp_abort_handshakes(void);

#endif /* _PCN_TCP_H */
