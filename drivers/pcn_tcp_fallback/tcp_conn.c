// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn TCP transport: one connection -- dialling, accepting, the HELLO
 * handshake, the receive thread and framing.
 *
 * A frame is a struct pcn_kmsg_hdr followed by hdr.size payload bytes; the
 * header is validated before the size is used. Anything wrong closes the
 * connection: the stream cannot be resynchronised.
 */
#define pr_fmt(fmt) "pcn_tcp: " fmt

#include <linux/kthread.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <popcorn/auth.h>
#include "tcp.h"

/*
 * Blocks until @len bytes arrived; -ECONNRESET on end of stream. With a
 * @deadline (jiffies; 0: none), -EAGAIN once it passed: each receive waits
 * only for the time left, so a peer that trickles a byte now and then
 * cannot stretch a handshake beyond it.
 */
int pcn_tcp_recv_full(struct socket *sock, void *buf, size_t len,
		      unsigned long deadline)
{
	while (len) {
		struct kvec kv = { .iov_base = buf, .iov_len = len };
		struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
		int ret;

		if (deadline) {
			long left = (long)(deadline - jiffies);

			if (left <= 0)
				return -EAGAIN;
			WRITE_ONCE(sock->sk->sk_rcvtimeo, left);
		}
		ret = kernel_recvmsg(sock, &msg, &kv, 1, len, MSG_WAITALL);
		if (ret == 0)
			return -ECONNRESET;
		if (ret < 0)
			return ret;
		buf += ret;
		len -= ret;
	}
	return 0;
}

/*
 * A partial send leaves a torn frame behind: the caller must close. A frame
 * the core follows at once with another (a page and then its answer) is
 * corked (MSG_MORE): the next frame pushes both out in one segment, one
 * trip through the network stack instead of two.
 */
int pcn_tcp_send_frame(struct socket *sock, const struct pcn_kmsg_hdr *hdr,
		       const void *payload)
{
	struct kvec kv[2] = {
		{ .iov_base = (void *)hdr, .iov_len = sizeof(*hdr) },
		{ .iov_base = (void *)payload, .iov_len = hdr->size },
	};
	struct msghdr msg = {
		.msg_flags = MSG_NOSIGNAL |
			     (pcn_kmsg_more_follows(hdr) ? MSG_MORE : 0),
	};
	size_t len = sizeof(*hdr) + hdr->size;
	int ret;

	ret = kernel_sendmsg(sock, &msg, kv, hdr->size ? 2 : 1, len);
	if (ret < 0)
		return ret;
	return ret == len ? 0 : -EIO;
}

/*
 * No delay for small frames; a peer that goes silent is found out within
 * about ten seconds, idle (keepalive) or not (unacknowledged data).
 */
static void pcn_tcp_tune(struct socket *sock)
{
	tcp_sock_set_nodelay(sock->sk);
	sock_set_keepalive(sock->sk);
	tcp_sock_set_keepidle(sock->sk, 3);
	tcp_sock_set_keepintvl(sock->sk, 2);
	tcp_sock_set_keepcnt(sock->sk, 3);
	tcp_sock_set_user_timeout(sock->sk, 10000);
}

void pcn_tcp_set_timeout(struct socket *sock, unsigned int ms)
{
	long t = ms ? msecs_to_jiffies(ms) : MAX_SCHEDULE_TIMEOUT;

	WRITE_ONCE(sock->sk->sk_rcvtimeo, t);
	WRITE_ONCE(sock->sk->sk_sndtimeo, t);
}

static int pcn_tcp_send_hello(struct socket *sock, struct pcn_auth *auth)
{
	struct {
		struct pcn_kmsg msg;
		struct pcn_kmsg_hello hello;
	} __packed buf;

	pcn_hello_prepare(&buf.msg, auth);
	return pcn_tcp_send_frame(sock, &buf.msg.hdr, buf.msg.payload);
}

/* When a handshake starting now must be done (jiffies); 0: never. */
static unsigned long pcn_tcp_deadline(void)
{
	unsigned int ms = READ_ONCE(pcn_tcp_handshake_ms);

	return ms ? jiffies + msecs_to_jiffies(ms) ?: 1 : 0;
}

static void pcn_tcp_handshake_lost(int ret)
{
	if (ret == -EAGAIN)
		pcn_kmsg_bad(NULL, "no handshake before the timeout");
	else
		pcn_kmsg_bad(NULL, "connection closed in the handshake");
}

/*
 * Read and check the peer's HELLO; @expect_nid is the node we dialled or
 * -1. Returns a node reference or an ERR_PTR.
 */
static struct pcn_node *pcn_tcp_recv_hello(struct socket *sock,
					   struct pcn_auth *auth,
					   int expect_nid,
					   unsigned long deadline)
{
	struct {
		struct pcn_kmsg msg;
		struct pcn_kmsg_hello hello;
	} __packed buf;
	struct sockaddr_in sin;
	int ret;

	ret = pcn_tcp_recv_full(sock, &buf.msg.hdr, sizeof(buf.msg.hdr),
				deadline);
	if (ret)
		goto fail;
	ret = pcn_kmsg_validate(&buf.msg.hdr, expect_nid);
	if (ret || buf.msg.hdr.type != PCN_KMSG_TYPE_HELLO) {
		pcn_kmsg_bad(NULL, "malformed handshake frame");
		return ERR_PTR(-EPROTO);
	}
	ret = pcn_tcp_recv_full(sock, &buf.hello, sizeof(buf.hello),
				deadline);
	if (ret)
		goto fail;
	ret = kernel_getpeername(sock, (struct sockaddr *)&sin);
	if (ret < 0)
		return ERR_PTR(ret);
	return pcn_hello_accept(&buf.msg, auth, &pcn_tcp_transport,
				sin.sin_addr.s_addr, expect_nid);
fail:
	pcn_tcp_handshake_lost(ret);
	return ERR_PTR(ret);
}

/* Our proof of the cluster key, when the handshake is keyed. */
static int pcn_tcp_send_auth(struct socket *sock, struct pcn_auth *auth)
{
	struct {
		struct pcn_kmsg msg;
		struct pcn_kmsg_auth auth;
	} __packed buf;
	int ret;

	if (!auth->keyed)
		return 0;
	pcn_auth_msg_prepare(&buf.msg, auth);
	ret = pcn_tcp_send_frame(sock, &buf.msg.hdr, buf.msg.payload);
	memzero_explicit(&buf, sizeof(buf));
	return ret;
}

/* The peer's proof, the frame after its HELLO (keyed handshakes only). */
static int pcn_tcp_recv_auth(struct socket *sock, struct pcn_auth *auth,
			     int nid, unsigned long deadline)
{
	struct {
		struct pcn_kmsg_hdr hdr;
		struct pcn_kmsg_auth auth;
	} __packed buf;
	struct sockaddr_in sin;
	int ret;

	if (!auth->keyed)
		return 0;
	ret = pcn_tcp_recv_full(sock, &buf.hdr, sizeof(buf.hdr), deadline);
	if (ret) {
		pcn_tcp_handshake_lost(ret);
		return ret;
	}
	if (pcn_kmsg_validate(&buf.hdr, nid) ||
	    buf.hdr.type != PCN_KMSG_TYPE_AUTH) {
		pcn_kmsg_bad(NULL, "handshake without the cluster key's proof");
		return -EPROTO;
	}
	ret = pcn_tcp_recv_full(sock, &buf.auth, sizeof(buf.auth), deadline);
	if (ret) {
		pcn_tcp_handshake_lost(ret);
		return ret;
	}
	ret = kernel_getpeername(sock, (struct sockaddr *)&sin);
	if (ret < 0)
		return ret;
	return pcn_auth_check(auth, buf.auth.mac, sin.sin_addr.s_addr);
}

/* ---- receive ---- */

static void pcn_tcp_rx_release(struct pcn_kmsg_rx *rx)
{
	kfree(container_of(rx, struct pcn_tcp_rx, rx));
}

static int pcn_tcp_rx_one(struct pcn_tcp_conn *conn)
{
	struct pcn_node *node = conn->peer->link.node;
	struct pcn_kmsg_hdr hdr;
	struct pcn_tcp_rx *rx;
	int ret;

	ret = pcn_tcp_recv_full(conn->sock, &hdr, sizeof(hdr), 0);
	if (ret)
		return ret;
	ret = pcn_kmsg_validate(&hdr, node->nid);
	if (!ret && (hdr.type == PCN_KMSG_TYPE_HELLO ||
		     hdr.type == PCN_KMSG_TYPE_AUTH))
		ret = -EPROTO;
	if (ret) {
		pcn_kmsg_bad(node, "invalid header");
		return ret;
	}
	rx = kmalloc(sizeof(*rx) + hdr.size, GFP_KERNEL);
	if (!rx)
		return -ENOMEM;
	rx->msg.hdr = hdr;
	ret = pcn_tcp_recv_full(conn->sock, rx->msg.payload, hdr.size, 0);
	if (ret) {
		kfree(rx);
		return ret;
	}
	rx->rx.msg = &rx->msg;
	rx->rx.from = node;
	rx->rx.transport = &pcn_tcp_transport;
	ret = pcn_kmsg_deliver(&rx->rx);
	if (ret)
		pcn_kmsg_bad(node, ret == -ENOBUFS ? "too many waiting for handlers" :
			     "out of place (session order or reply type)");
	return ret;
}

static int pcn_tcp_rx_thread(void *data)
{
	struct pcn_tcp_conn *conn = data;
	int ret;

	do {
		ret = pcn_tcp_rx_one(conn);
	} while (!ret && !kthread_should_stop());

	if (!kthread_should_stop()) {
		if (ret != -ECONNRESET && ret != -EPIPE)
			pr_info("node %d: link lost (%d)\n",
				conn->peer->link.node->nid, ret);
		WRITE_ONCE(conn->dead, true);
		queue_work(pcn_tcp_wq, &conn->peer->lost_work);
	}
	/* The thread is reaped by pcn_tcp_detach() with kthread_stop(). */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* ---- attach / detach ---- */

/* Called with peer->link.lock held. */
void pcn_tcp_detach(struct pcn_tcp_peer *peer)
{
	struct pcn_tcp_conn *conn = peer->conn;

	lockdep_assert_held(&peer->link.lock);
	if (!conn)
		return;
	/* Unblocks the rx thread and any sender waiting for buffer space. */
	kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	mutex_lock(&peer->tx_lock);
	peer->conn = NULL;
	mutex_unlock(&peer->tx_lock);
	pcn_node_offline(peer->link.node);
	kthread_stop(conn->rx_task);
	put_task_struct(conn->rx_task);
	sock_release(conn->sock);
	kfree(conn);
}

/* Takes over @sock, whose handshake succeeded; it replaces an older link. */
int pcn_tcp_attach(struct pcn_tcp_peer *peer, struct socket *sock)
{
	struct pcn_tcp_conn *conn;
	struct task_struct *task;
	bool replacing;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return -ENOMEM;
	conn->sock = sock;
	conn->peer = peer;
	pcn_tcp_set_timeout(sock, 0);

	mutex_lock(&peer->link.lock);
	if (peer->link.stopping) {
		mutex_unlock(&peer->link.lock);
		kfree(conn);
		return -ESHUTDOWN;
	}
	replacing = peer->conn != NULL;
	pcn_tcp_detach(peer);
	task = kthread_create(pcn_tcp_rx_thread, conn, "pcn_tcp_rx/%d",
			      peer->link.node->nid);
	if (IS_ERR(task)) {
		mutex_unlock(&peer->link.lock);
		kfree(conn);
		return PTR_ERR(task);
	}
	get_task_struct(task);
	conn->rx_task = task;
	mutex_lock(&peer->tx_lock);
	peer->conn = conn;
	mutex_unlock(&peer->tx_lock);
	pcn_peer_link_up(&peer->link, replacing);
	wake_up_process(task);
	mutex_unlock(&peer->link.lock);
	return 0;
}

void pcn_tcp_lost_work(struct work_struct *work)
{
	struct pcn_tcp_peer *peer =
		container_of(work, struct pcn_tcp_peer, lost_work);

	mutex_lock(&peer->link.lock);
	if (peer->conn && READ_ONCE(peer->conn->dead)) {
		pcn_tcp_detach(peer);
		pcn_peer_link_lost(&peer->link);
	}
	mutex_unlock(&peer->link.lock);
}

/* ---- dialling and accepting ---- */

/* The dial's socket is ours again: no abort can reach it any more. */
static void pcn_tcp_dial_done(struct pcn_tcp_peer *peer)
{
	mutex_lock(&peer->dial_lock);
	peer->dial_sock = NULL;
	mutex_unlock(&peer->dial_lock);
}

void pcn_tcp_connect_work(struct work_struct *work)
{
	struct pcn_tcp_peer *peer = container_of(pcn_peer_link_of(work),
						 struct pcn_tcp_peer, link);
	struct pcn_node *node = peer->link.node, *got;
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = node->addr,
		.sin_port = htons(node->port),
	};
	unsigned long deadline;
	struct pcn_auth auth;
	struct socket *sock;
	int ret;

	if (READ_ONCE(peer->link.stopping) || READ_ONCE(peer->conn))
		return;
	deadline = pcn_tcp_deadline();
	pcn_node_connecting(node);
	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &sock);
	if (ret)
		goto retry;
	/* Published for pcn_tcp_disconnect(), which aborts it. */
	mutex_lock(&peer->dial_lock);
	if (READ_ONCE(peer->link.stopping)) {
		mutex_unlock(&peer->dial_lock);
		sock_release(sock);
		return;
	}
	peer->dial_sock = sock;
	mutex_unlock(&peer->dial_lock);
	pcn_tcp_tune(sock);
	pcn_tcp_set_timeout(sock, pcn_tcp_handshake_ms);
	pcn_auth_begin(&auth);
	ret = kernel_connect(sock, (struct sockaddr *)&sin, sizeof(sin), 0);
	if (!ret)
		ret = pcn_tcp_send_hello(sock, &auth);
	if (ret)
		goto release;
	got = pcn_tcp_recv_hello(sock, &auth, node->nid, deadline);
	if (IS_ERR(got)) {
		ret = PTR_ERR(got);
		goto release;
	}
	pcn_node_put(got);	/* it is @node: the nid was checked */
	/* Keyed: we prove the key first, the acceptor answers with its proof. */
	ret = pcn_tcp_send_auth(sock, &auth);
	if (!ret)
		ret = pcn_tcp_recv_auth(sock, &auth, node->nid, deadline);
	pcn_tcp_dial_done(peer);
	if (!ret)
		ret = pcn_tcp_attach(peer, sock);
	if (!ret)
		goto out;
	sock_release(sock);
	goto retry;
release:
	pcn_tcp_dial_done(peer);
	sock_release(sock);
retry:
	pcn_peer_link_dial_failed(&peer->link, ret);
out:
	pcn_auth_end(&auth);
}

struct pcn_tcp_accept {
	struct work_struct work;
	struct socket *sock;
	unsigned long deadline;		/* jiffies: the whole handshake */
	struct list_head list;		/* pcn_tcp_accepting */
};

/* Accepted connections whose handshake is in progress. */
static atomic_t pcn_tcp_handshakes = ATOMIC_INIT(0);
static LIST_HEAD(pcn_tcp_accepting);
static DEFINE_MUTEX(pcn_tcp_accepting_lock);

/* Module exit: every handshake still in progress fails now. */
void pcn_tcp_abort_handshakes(void)
{
	struct pcn_tcp_accept *acc;

	mutex_lock(&pcn_tcp_accepting_lock);
	list_for_each_entry(acc, &pcn_tcp_accepting, list)
		kernel_sock_shutdown(acc->sock, SHUT_RDWR);
	mutex_unlock(&pcn_tcp_accepting_lock);
}

static void pcn_tcp_accept_work(struct work_struct *work)
{
	struct pcn_tcp_accept *acc = container_of(work, struct pcn_tcp_accept,
						  work);
	unsigned long deadline = acc->deadline;
	struct socket *sock = acc->sock;
	struct pcn_tcp_peer *peer;
	struct pcn_auth auth;
	struct pcn_node *node;
	int ret = -EPROTO;

	pcn_tcp_tune(sock);
	pcn_tcp_set_timeout(sock, pcn_tcp_handshake_ms);
	pcn_auth_begin(&auth);
	node = pcn_tcp_recv_hello(sock, &auth, -1, deadline);
	if (IS_ERR(node))
		goto release;
	/* Counted: the node may be removed while we handshake. */
	peer = pcn_tcp_peer_get(node);
	if (!peer || peer->link.dialler) {
		pcn_kmsg_bad(node, "unexpected connection direction");
		goto put;
	}
	ret = pcn_tcp_send_hello(sock, &auth);
	/* Keyed: the dialler's proof first; ours only to a proven peer. */
	if (!ret)
		ret = pcn_tcp_recv_auth(sock, &auth, node->nid, deadline);
	if (!ret)
		ret = pcn_tcp_send_auth(sock, &auth);
	mutex_lock(&pcn_tcp_accepting_lock);
	list_del(&acc->list);
	mutex_unlock(&pcn_tcp_accepting_lock);
	if (!ret)
		ret = pcn_tcp_attach(peer, sock);
	pcn_tcp_peer_put(peer);
	pcn_node_put(node);
	if (!ret)
		goto done;
	sock_release(sock);
	goto done;
put:
	if (peer)
		pcn_tcp_peer_put(peer);
	pcn_node_put(node);
release:
	mutex_lock(&pcn_tcp_accepting_lock);
	list_del(&acc->list);
	mutex_unlock(&pcn_tcp_accepting_lock);
	sock_release(sock);
done:
	kfree(acc);
	pcn_auth_end(&auth);
	atomic_dec(&pcn_tcp_handshakes);
}

/*
 * Each accepted connection gets its handshake in a work item, at most
 * pcn_tcp_max_handshakes at a time and each within handshake_ms from the
 * accept: strangers that connect and say nothing, or trickle, hold no more
 * than that many sockets and workers for no longer than that.
 */
int pcn_tcp_queue_accept(struct socket *sock)
{
	struct pcn_tcp_accept *acc;

	if (atomic_inc_return(&pcn_tcp_handshakes) >
	    READ_ONCE(pcn_tcp_max_handshakes)) {
		atomic_dec(&pcn_tcp_handshakes);
		pcn_kmsg_bad(NULL, "too many handshakes in progress");
		return -EBUSY;
	}
	acc = kmalloc(sizeof(*acc), GFP_KERNEL);
	if (!acc) {
		atomic_dec(&pcn_tcp_handshakes);
		return -ENOMEM;
	}
	acc->sock = sock;
	acc->deadline = pcn_tcp_deadline();
	mutex_lock(&pcn_tcp_accepting_lock);
	list_add(&acc->list, &pcn_tcp_accepting);
	mutex_unlock(&pcn_tcp_accepting_lock);
	INIT_WORK(&acc->work, pcn_tcp_accept_work);
	queue_work(pcn_tcp_wq, &acc->work);
	return 0;
}

void pcn_tcp_rx_init(struct pcn_transport *t)
{
	t->release = pcn_tcp_rx_release;
}
