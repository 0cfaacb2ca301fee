// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn TCP transport (pcn_tcp.ko): kernel sockets, one connection per
 * peer, frames of struct pcn_kmsg_hdr + payload. This file: the module, the
 * listener and the transport operations the core calls.
 */
#define pr_fmt(fmt) "pcn_tcp: " fmt

#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <net/sock.h>
#include "tcp.h"

static unsigned short port = PCN_DEFAULT_PORT;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP port to listen on (default 10100)");

unsigned int pcn_tcp_handshake_ms = 5000;
module_param_named(handshake_ms, pcn_tcp_handshake_ms, uint, 0644);
MODULE_PARM_DESC(handshake_ms, "time allowed to connect and handshake, ms");

unsigned int pcn_tcp_max_handshakes = 16;
module_param_named(max_handshakes, pcn_tcp_max_handshakes, uint, 0644);
MODULE_PARM_DESC(max_handshakes,
		 "accepted connections handshaking at once; more are closed");

struct workqueue_struct *pcn_tcp_wq;
static struct socket *pcn_tcp_listen_sock;
static struct task_struct *pcn_tcp_listener;

static int pcn_tcp_connect(struct pcn_node *node)
{
	struct pcn_tcp_peer *peer;

	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return -ENOMEM;
	pcn_peer_link_init(&peer->link, node, pcn_tcp_wq,
			   pcn_tcp_connect_work);
	mutex_init(&peer->tx_lock);
	mutex_init(&peer->dial_lock);
	INIT_WORK(&peer->lost_work, pcn_tcp_lost_work);
	refcount_set(&peer->ref, 1);
	/* Paired with rcu_dereference() in pcn_tcp_peer_get(). */
	rcu_assign_pointer(*(void __rcu **)&node->tpriv, peer);
	pcn_peer_link_start(&peer->link);
	return 0;
}

/* The peer of @node for a handshake that names it, counted, or NULL. */
struct pcn_tcp_peer *pcn_tcp_peer_get(struct pcn_node *node)
{
	struct pcn_tcp_peer *peer;

	rcu_read_lock();
	peer = rcu_dereference(*(void __rcu **)&node->tpriv);
	if (peer && !refcount_inc_not_zero(&peer->ref))
		peer = NULL;
	rcu_read_unlock();
	return peer;
}

void pcn_tcp_peer_put(struct pcn_tcp_peer *peer)
{
	if (refcount_dec_and_test(&peer->ref))
		kfree_rcu(peer, rcu);
}

/*
 * Called with the core's configuration mutex held: nothing here waits
 * for a handshake. A dial in progress is aborted (its socket shut down);
 * an accepted handshake that names this node holds its own reference and
 * finds the link stopping when it tries to attach.
 */
static void pcn_tcp_disconnect(struct pcn_node *node)
{
	struct pcn_tcp_peer *peer = node->tpriv;

	mutex_lock(&peer->link.lock);
	WRITE_ONCE(peer->link.stopping, true);
	mutex_unlock(&peer->link.lock);
	/* A dial that published its socket before it saw @stopping. */
	mutex_lock(&peer->dial_lock);
	if (peer->dial_sock)
		kernel_sock_shutdown(peer->dial_sock, SHUT_RDWR);
	mutex_unlock(&peer->dial_lock);
	pcn_peer_link_stop(&peer->link);
	mutex_lock(&peer->link.lock);
	pcn_tcp_detach(peer);
	mutex_unlock(&peer->link.lock);
	/* The dying rx thread may have queued it again. */
	cancel_work_sync(&peer->lost_work);
}

static void pcn_tcp_destroy(struct pcn_node *node)
{
	struct pcn_tcp_peer *peer = node->tpriv;

	node->tpriv = NULL;
	pcn_tcp_peer_put(peer);
}

static int pcn_tcp_send(struct pcn_node *node, const struct pcn_kmsg_hdr *hdr,
			const void *payload)
{
	struct pcn_tcp_peer *peer = node->tpriv;
	int ret = -ENOTCONN;

	mutex_lock(&peer->tx_lock);
	if (peer->conn) {
		ret = pcn_tcp_send_frame(peer->conn->sock, hdr, payload);
		if (ret)	/* a torn frame: the stream is unusable */
			kernel_sock_shutdown(peer->conn->sock, SHUT_RDWR);
	}
	mutex_unlock(&peer->tx_lock);
	return ret;
}

/* Shut the live socket: the rx thread reports the link lost. */
static void pcn_tcp_drop(struct pcn_node *node)
{
	struct pcn_tcp_peer *peer = node->tpriv;

	mutex_lock(&peer->tx_lock);
	if (peer->conn)
		kernel_sock_shutdown(peer->conn->sock, SHUT_RDWR);
	mutex_unlock(&peer->tx_lock);
}

struct pcn_transport pcn_tcp_transport = {
	.name = "tcp",
	.owner = THIS_MODULE,
	.connect = pcn_tcp_connect,
	.disconnect = pcn_tcp_disconnect,
	.destroy = pcn_tcp_destroy,
	.send = pcn_tcp_send,
	.drop = pcn_tcp_drop,
	/* Pages travel in messages: a session can replay everything. */
	.resumable = true,
};

/*
 * Accepts with a short receive timeout so that kthread_stop() is noticed;
 * each new socket gets its handshake in a work item (bounded by
 * handshake_ms), so a stranger that never speaks blocks nobody.
 */
static int pcn_tcp_listen_thread(void *unused)
{
	while (!kthread_should_stop()) {
		struct socket *sock;
		int ret;

		ret = kernel_accept(pcn_tcp_listen_sock, &sock, 0);
		if (ret == -EAGAIN || ret == -EINTR || ret == -ERESTARTSYS)
			continue;
		if (ret) {
			pr_warn_ratelimited("accept failed: %d\n", ret);
			schedule_timeout_interruptible(HZ / 10);
			continue;
		}
		if (pcn_tcp_queue_accept(sock))
			sock_release(sock);
	}
	return 0;
}

static int pcn_tcp_listen_start(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(port),
	};
	struct socket *sock;
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &sock);
	if (ret)
		return ret;
	sock_set_reuseaddr(sock->sk);
	WRITE_ONCE(sock->sk->sk_rcvtimeo, HZ / 4);
	ret = kernel_bind(sock, (struct sockaddr *)&sin, sizeof(sin));
	if (!ret)
		ret = kernel_listen(sock, 64);
	if (ret) {
		pr_err("cannot listen on port %u: %d\n", port, ret);
		sock_release(sock);
		return ret;
	}
	pcn_tcp_listen_sock = sock;
	pcn_tcp_listener = kthread_run(pcn_tcp_listen_thread, NULL,
				       "pcn_tcp_listen");
	if (IS_ERR(pcn_tcp_listener)) {
		ret = PTR_ERR(pcn_tcp_listener);
		sock_release(sock);
		return ret;
	}
	return 0;
}

static void pcn_tcp_listen_stop(void)
{
	kthread_stop(pcn_tcp_listener);
	sock_release(pcn_tcp_listen_sock);
}

static int __init pcn_tcp_init(void)
{
	int ret;

	pcn_tcp_rx_init(&pcn_tcp_transport);
	pcn_tcp_wq = alloc_workqueue("pcn_tcp", WQ_UNBOUND, 0);
	if (!pcn_tcp_wq)
		return -ENOMEM;
	ret = pcn_tcp_listen_start();
	if (ret)
		goto destroy_wq;
	ret = pcn_transport_register(&pcn_tcp_transport);
	if (ret)
		goto stop_listen;
	pr_info("listening on port %u\n", port);
	return 0;

stop_listen:
	pcn_tcp_listen_stop();
destroy_wq:
	destroy_workqueue(pcn_tcp_wq);
	return ret;
}

static void __exit pcn_tcp_exit(void)
{
	/* No new connections, then every peer down, then the leftovers. */
	pcn_tcp_listen_stop();
	pcn_transport_unregister(&pcn_tcp_transport);
	/* Handshakes still in progress end now, not at their deadline. */
	pcn_tcp_abort_handshakes();
	destroy_workqueue(pcn_tcp_wq);
}

module_init(pcn_tcp_init);
module_exit(pcn_tcp_exit);
MODULE_DESCRIPTION("Popcorn TCP transport");
MODULE_LICENSE("GPL");
