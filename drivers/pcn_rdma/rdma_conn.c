// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn RDMA transport: connection management with rdma_cm.
 *
 * The dialler (the node with the higher id, see the core's peer_link.c)
 * resolves address and route, builds its queue pair and ring, and connects
 * with its node id, ring mode and size in the private data; the acceptor
 * checks that against the configuration (pcn_peer_admit), builds its side
 * and answers with its own. Once established, each side tells the other
 * where its ring is in one ring_info SEND (rdma_ring.c). Each side admits
 * the other before a message flows.
 *
 * Teardown of a connection always runs from pcn_rdma_wq (never from an
 * rdma_cm callback, which cannot destroy its own cm_id): unpublish, mark
 * dead, disconnect and drain the QP, wait for senders, free. Device
 * removal and peer removal queue teardowns and flush the workqueue.
 */
#define pr_fmt(fmt) "pcn_rdma: " fmt

#include <linux/inet.h>
#include <linux/slab.h>
#include <rdma/ib_cm.h>
#include "rdma.h"

#define PCN_RDMA_RESOLVE_MS	2000
/*
 * Local ACK timeout, 4.096 us * 2^17 = 0.5 s, times retry_count 7: on an
 * HCA a peer that stopped answering fails the queue pair in about four
 * seconds. Soft-RoCE takes retry_count 7 as "retry for ever" and never
 * fails the queue pair: there the keepalive's silence check (rdma_ring.c)
 * ends such a connection. Left to rdma_cm, RoCE gets no retransmission
 * timer at all with rxe, and a lost packet stalls the connection for good.
 */
#define PCN_RDMA_ACK_TIMEOUT	17

static struct rdma_cm_id *pcn_rdma_listen_id;
/* Every connection until it is freed; woken when one is. */
static LIST_HEAD(pcn_rdma_conns);
static DEFINE_MUTEX(pcn_rdma_conns_lock);
static DECLARE_WAIT_QUEUE_HEAD(pcn_rdma_conns_freed);
static atomic_t pcn_rdma_gen;

static int pcn_rdma_cm_handler(struct rdma_cm_id *id,
			       struct rdma_cm_event *ev);
static void pcn_rdma_teardown_work(struct work_struct *work);

/* ---- references ---- */

struct pcn_rdma_conn *pcn_rdma_conn_get(struct pcn_rdma_peer *peer)
{
	struct pcn_rdma_conn *conn;

	rcu_read_lock();
	conn = rcu_dereference(peer->conn);
	if (conn && !refcount_inc_not_zero(&conn->users))
		conn = NULL;
	rcu_read_unlock();
	return conn;
}

void pcn_rdma_conn_put(struct pcn_rdma_conn *conn)
{
	if (refcount_dec_and_test(&conn->users))
		complete(&conn->users_gone);
}

/* The last exposure or the teardown: free what the exposures kept. */
void pcn_rdma_conn_expos_put(struct pcn_rdma_conn *conn)
{
	if (!refcount_dec_and_test(&conn->expos))
		return;
	pcn_rdma_expo_mrs_free(conn);
	if (conn->pd)
		ib_dealloc_pd(conn->pd);
	mutex_lock(&pcn_rdma_conns_lock);
	list_del(&conn->list);
	mutex_unlock(&pcn_rdma_conns_lock);
	kfree(conn);
	wake_up_all(&pcn_rdma_conns_freed);
}

/* A non-zero generation, different from the last few thousand. */
static u16 pcn_rdma_next_gen(void)
{
	u16 gen;

	do {
		gen = atomic_inc_return(&pcn_rdma_gen);
	} while (!gen);
	return gen;
}

static struct pcn_rdma_conn *pcn_rdma_conn_alloc(struct pcn_rdma_peer *peer)
{
	struct pcn_rdma_conn *conn = kzalloc(sizeof(*conn), GFP_KERNEL);

	if (!conn)
		return NULL;
	conn->peer = peer;
	conn->nslots = pcn_rdma_slots;
	conn->state = PCN_RDMA_SETUP;
	init_waitqueue_head(&conn->tx_wait);
	sema_init(&conn->expo_slots, PCN_RDMA_PAGE_EXPOS);
	sema_init(&conn->page_wrs, PCN_RDMA_PAGE_WRS);
	spin_lock_init(&conn->expo_lock);
	conn->gen = pcn_rdma_next_gen();
	conn->expo_reg_cqe.done = pcn_rdma_expo_reg_failed;
	INIT_WORK(&conn->credit_work, pcn_rdma_credit_work);
	INIT_DELAYED_WORK(&conn->keepalive_work, pcn_rdma_keepalive_work);
	INIT_WORK(&conn->teardown_work, pcn_rdma_teardown_work);
	refcount_set(&conn->users, 1);	/* the owner's */
	init_completion(&conn->users_gone);
	refcount_set(&conn->expos, 1);	/* the owner's */
	init_completion(&conn->drained);
	INIT_LIST_HEAD(&conn->list);
	return conn;
}

static void pcn_rdma_conn_track(struct pcn_rdma_conn *conn)
{
	mutex_lock(&pcn_rdma_conns_lock);
	list_add_tail(&conn->list, &pcn_rdma_conns);
	mutex_unlock(&pcn_rdma_conns_lock);
}

/* ---- queue pair, CQ, ring ---- */

static void pcn_rdma_qp_event(struct ib_event *ev, void *ctx)
{
	pr_debug("QP event %s\n", ib_event_msg(ev->event));
}

/* All but the PD and the exposures' MRs (pcn_rdma_conn_expos_put()). */
static void pcn_rdma_conn_free_queue(struct pcn_rdma_conn *conn)
{
	if (conn->ring_counted) {
		atomic64_dec(&pcn_rdma_transport.remote_regions);
		atomic64_sub(conn->nslots * PCN_RDMA_SLOT_SIZE,
			     &pcn_rdma_transport.remote_bytes);
		conn->ring_counted = false;
	}
	if (conn->qp)
		rdma_destroy_qp(conn->cm_id);
	conn->qp = NULL;
	pcn_rdma_ring_free(conn);
	if (conn->cq)
		ib_cq_pool_put(conn->cq, conn->cq_size);
	conn->cq = NULL;
}

/* A connection that never was tracked (nor exposed anything). */
static void pcn_rdma_conn_free_untracked(struct pcn_rdma_conn *conn)
{
	pcn_rdma_conn_free_queue(conn);
	pcn_rdma_expo_mrs_free(conn);
	if (conn->pd)
		ib_dealloc_pd(conn->pd);
	pcn_auth_end(&conn->auth);
	kfree(conn);
}

static int pcn_rdma_conn_setup_queue(struct pcn_rdma_conn *conn)
{
	struct rdma_cm_id *id = conn->cm_id;
	struct ib_qp_init_attr attr = {};
	int ret;

	conn->dev = id->device;
	conn->mode = pcn_rdma_force_send ||
		     rdma_protocol_iwarp(id->device, id->port_num) ?
		     PCN_RDMA_SEND : PCN_RDMA_WRITE_IMM;
	conn->pd = ib_alloc_pd(conn->dev, 0);
	if (IS_ERR(conn->pd)) {
		ret = PTR_ERR(conn->pd);
		conn->pd = NULL;
		return ret;
	}
	conn->nrecvs = conn->nslots;
	if (conn->mode == PCN_RDMA_WRITE_IMM)
		conn->nrecvs += PCN_RDMA_IMM_RECVS;
	conn->cq_size = conn->nslots + conn->nrecvs + 2 + PCN_RDMA_PAGE_WRS +
			3 * PCN_RDMA_PAGE_EXPOS;
	conn->cq = ib_cq_pool_get(conn->dev, conn->cq_size, -1,
				  IB_POLL_WORKQUEUE);
	if (IS_ERR(conn->cq)) {
		ret = PTR_ERR(conn->cq);
		conn->cq = NULL;
		return ret;
	}
	attr.event_handler = pcn_rdma_qp_event;
	attr.qp_context = conn;
	attr.send_cq = conn->cq;
	attr.recv_cq = conn->cq;
	/*
	 * One per slot, the ring registration and its ring_info, page reads
	 * and writes, and REG_MR + LOCAL_INV of every exposure (plus a
	 * LOCAL_INV before the REG_MR where local operations are replayed).
	 */
	conn->replays_local_ops = conn->dev->ops.driver_id == RDMA_DRIVER_RXE;
	attr.cap.max_send_wr = conn->nslots + 2 + PCN_RDMA_PAGE_WRS +
			       3 * PCN_RDMA_PAGE_EXPOS;
	attr.cap.max_recv_wr = conn->nrecvs;
	attr.cap.max_send_sge = 1;
	attr.cap.max_recv_sge = 1;
	attr.sq_sig_type = IB_SIGNAL_REQ_WR;
	attr.qp_type = IB_QPT_RC;
	ret = rdma_create_qp(id, conn->pd, &attr);
	if (ret)
		return ret;
	conn->qp = id->qp;
	ret = pcn_rdma_expo_mrs_alloc(conn);
	if (ret)
		return ret;

	ret = pcn_rdma_ring_alloc(conn);
	if (ret)
		return ret;
	if (conn->mode == PCN_RDMA_WRITE_IMM) {
		ret = pcn_rdma_ring_map(conn);
		if (ret)
			return ret;
	}
	return pcn_rdma_ring_post_recvs(conn);
}

/* ---- handshake in the private data ---- */

static void pcn_rdma_priv_fill(struct pcn_rdma_conn *conn,
			       struct pcn_rdma_cm_priv *priv)
{
	memset(priv, 0, sizeof(*priv));
	priv->magic = PCN_KMSG_MAGIC;
	priv->proto_version = PCN_KMSG_VERSION;
	priv->nid = pcn_my_nid();
	priv->arch = PCN_ARCH_X86_64;
	priv->mode = conn->mode;
	priv->max_size = PCN_KMSG_MAX_SIZE;
	priv->slots = conn->nslots;
	priv->flags = conn->auth.keyed ? PCN_HELLO_F_KEY : 0;
	memcpy(priv->nonce, conn->auth.nonce, sizeof(priv->nonce));
}

static __be32 pcn_rdma_peer_addr(struct rdma_cm_id *id)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&id->route.addr.dst_addr;

	return sin->sin_family == AF_INET ? sin->sin_addr.s_addr : 0;
}

/*
 * Check the peer's private data (@len bytes at least: a connect request's
 * or an accept's), copied to @priv. Returns a node reference (the caller's
 * @expect_nid, or whoever it claims when accepting) or an ERR_PTR; with a
 * cluster key, @auth holds the proofs to exchange.
 */
static struct pcn_node *pcn_rdma_admit(struct rdma_cm_id *id,
				       const struct rdma_conn_param *param,
				       size_t len, int expect_nid,
				       struct pcn_rdma_cm_priv *priv,
				       struct pcn_auth *auth)
{
	struct pcn_kmsg_hello hello;

	if (!param->private_data || param->private_data_len < len) {
		pcn_kmsg_bad(NULL, "connection without Popcorn private data");
		return ERR_PTR(-EPROTO);
	}
	memcpy(priv, param->private_data, sizeof(*priv));
	if (priv->magic != PCN_KMSG_MAGIC) {
		pcn_kmsg_bad(NULL, "connection private data: bad magic");
		return ERR_PTR(-EPROTO);
	}
	hello.nid = priv->nid;
	hello.arch = priv->arch;
	hello.proto_version = priv->proto_version;
	hello.max_size = priv->max_size;
	hello.flags = priv->flags;
	hello.reserved = priv->reserved;
	memcpy(hello.nonce, priv->nonce, sizeof(hello.nonce));
	return pcn_peer_admit(&hello, auth, &pcn_rdma_transport,
			      pcn_rdma_peer_addr(id), expect_nid);
}

static int pcn_rdma_check_ring(struct pcn_rdma_conn *conn,
			       const struct pcn_rdma_cm_priv *priv)
{
	if (priv->mode != conn->mode || priv->slots != conn->nslots) {
		pcn_kmsg_bad(conn->peer->link.node, "ring mode or size differs");
		return -EPROTO;
	}
	return 0;
}

static void pcn_rdma_conn_param(struct rdma_conn_param *param,
				const void *priv, size_t len)
{
	memset(param, 0, sizeof(*param));
	param->private_data = priv;
	param->private_data_len = len;
	param->responder_resources = 1;
	param->initiator_depth = 1;
	param->retry_count = 7;
	param->rnr_retry_count = 7;
}

/* ---- live ---- */

static void pcn_rdma_conn_publish(struct pcn_rdma_conn *conn)
{
	struct pcn_rdma_peer *peer = conn->peer;
	struct pcn_rdma_conn *old;

	mutex_lock(&peer->link.lock);
	if (peer->link.stopping || conn->state != PCN_RDMA_SETUP) {
		mutex_unlock(&peer->link.lock);
		pcn_rdma_conn_fail(conn, "peer going away");
		return;
	}
	old = rcu_dereference_protected(peer->conn,
					lockdep_is_held(&peer->link.lock));
	if (old) {
		RCU_INIT_POINTER(peer->conn, NULL);
		pcn_rdma_conn_fail(old, "replaced");
	}
	WRITE_ONCE(conn->last_rx, jiffies);
	WRITE_ONCE(conn->state, PCN_RDMA_LIVE);
	rcu_assign_pointer(peer->conn, conn);
	queue_delayed_work(pcn_rdma_wq, &conn->keepalive_work,
			   PCN_RDMA_KEEPALIVE);
	pcn_peer_link_up(&peer->link, old != NULL);
	mutex_unlock(&peer->link.lock);
}

/* Anything wrong with a connection ends it; the dialler dials again. */
void pcn_rdma_conn_fail(struct pcn_rdma_conn *conn, const char *why)
{
	if (atomic_xchg(&conn->teardown_queued, 1))
		return;
	if (READ_ONCE(conn->state) == PCN_RDMA_LIVE)
		pr_info("node %d: connection lost (%s)\n", conn->peer->link.node->nid,
			why);
	else
		pr_info_ratelimited("node %d: connection attempt failed (%s)\n",
				    conn->peer->link.node->nid, why);
	WRITE_ONCE(conn->state, PCN_RDMA_DEAD);
	wake_up_all(&conn->tx_wait);
	queue_work(pcn_rdma_wq, &conn->teardown_work);
}

static void pcn_rdma_teardown_work(struct work_struct *work)
{
	struct pcn_rdma_conn *conn =
		container_of(work, struct pcn_rdma_conn, teardown_work);
	struct pcn_rdma_peer *peer = conn->peer;
	bool was_live = false;

	mutex_lock(&peer->link.lock);
	if (rcu_access_pointer(peer->conn) == conn) {
		RCU_INIT_POINTER(peer->conn, NULL);
		was_live = true;
	}
	mutex_unlock(&peer->link.lock);
	WRITE_ONCE(conn->state, PCN_RDMA_DEAD);
	wake_up_all(&conn->tx_wait);
	/* Whoever found @conn under RCU holds a reference by now. */
	synchronize_rcu();
	if (was_live)
		pcn_node_offline(peer->link.node);

	if (conn->qp) {
		rdma_disconnect(conn->cm_id);
		ib_drain_qp(conn->qp);
	}
	/* No key of this link can be used now: exposures may let go. */
	complete_all(&conn->drained);
	cancel_work_sync(&conn->credit_work);
	cancel_delayed_work_sync(&conn->keepalive_work);
	pcn_rdma_conn_put(conn);
	wait_for_completion(&conn->users_gone);

	pcn_rdma_conn_free_queue(conn);
	if (conn->cm_id)
		rdma_destroy_id(conn->cm_id);
	mutex_lock(&pcn_rdma_conns_lock);
	conn->cm_id = NULL;
	mutex_unlock(&pcn_rdma_conns_lock);
	pcn_auth_end(&conn->auth);

	/* Exposures still held wait for the session, not for this link. */
	mutex_lock(&peer->link.lock);
	pcn_peer_link_redial(&peer->link);
	mutex_unlock(&peer->link.lock);
	pcn_rdma_conn_expos_put(conn);
}

/* ---- dialling ---- */

void pcn_rdma_connect_work(struct work_struct *work)
{
	struct pcn_rdma_peer *peer = container_of(pcn_peer_link_of(work),
						  struct pcn_rdma_peer, link);
	struct sockaddr_in dst = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = peer->link.node->addr,
		.sin_port = htons(peer->link.node->port),
	};
	struct pcn_rdma_conn *conn;
	struct rdma_cm_id *id;
	int ret;

	if (READ_ONCE(peer->link.stopping) || rcu_access_pointer(peer->conn))
		return;
	pcn_node_connecting(peer->link.node);
	conn = pcn_rdma_conn_alloc(peer);
	if (!conn) {
		ret = -ENOMEM;
		goto retry;
	}
	pcn_auth_begin(&conn->auth);
	id = rdma_create_id(&init_net, pcn_rdma_cm_handler, conn, RDMA_PS_TCP,
			    IB_QPT_RC);
	if (IS_ERR(id)) {
		pcn_auth_end(&conn->auth);
		kfree(conn);
		ret = PTR_ERR(id);
		goto retry;
	}
	conn->cm_id = id;
	pcn_rdma_conn_track(conn);
	ret = rdma_resolve_addr(id, NULL, (struct sockaddr *)&dst,
				PCN_RDMA_RESOLVE_MS);
	if (ret)
		pcn_rdma_conn_fail(conn, "address resolution");
	return;
retry:
	pcn_peer_link_dial_failed(&peer->link, ret);
}

static int pcn_rdma_route_resolved(struct pcn_rdma_conn *conn)
{
	struct pcn_rdma_cm_priv priv;
	struct rdma_conn_param param;
	int ret;

	ret = pcn_rdma_conn_setup_queue(conn);
	if (ret)
		return ret;
	ret = rdma_set_ack_timeout(conn->cm_id, PCN_RDMA_ACK_TIMEOUT);
	if (ret)
		return ret;
	pcn_rdma_priv_fill(conn, &priv);
	pcn_rdma_conn_param(&param, &priv, sizeof(priv));
	return rdma_connect_locked(conn->cm_id, &param);
}

static int pcn_rdma_established(struct pcn_rdma_conn *conn,
				const struct rdma_conn_param *param)
{
	struct pcn_rdma_cm_priv priv;
	struct pcn_node *node;
	int ret;

	if (conn->peer->link.dialler) {
		const struct pcn_rdma_cm_accept *acc = param->private_data;

		node = pcn_rdma_admit(conn->cm_id, param, sizeof(*acc),
				      conn->peer->link.node->nid, &priv,
				      &conn->auth);
		if (IS_ERR(node))
			return PTR_ERR(node);
		pcn_node_put(node);
		ret = pcn_rdma_check_ring(conn, &priv);
		if (ret)
			return ret;
		/* The acceptor proved the key before our ring is exposed. */
		ret = pcn_auth_check(&conn->auth, acc->mac,
				     pcn_rdma_peer_addr(conn->cm_id));
		if (ret)
			return ret;
		/*
		 * Its completions may have run already (its ring_info can
		 * come before this event); its messages count from here.
		 */
		smp_store_release(&conn->proven, true);
	}
	ret = pcn_rdma_ring_announce(conn);
	if (ret)
		return ret;
	pcn_rdma_conn_ready(conn, PCN_RDMA_READY_CM);
	return 0;
}

/* Publish the connection once it is established and knows the peer's ring. */
void pcn_rdma_conn_ready(struct pcn_rdma_conn *conn, int bit)
{
	if ((atomic_fetch_or(bit, &conn->ready) | bit) == PCN_RDMA_READY_ALL)
		pcn_rdma_conn_publish(conn);
}

/* ---- accepting ---- */

static int pcn_rdma_connect_request(struct rdma_cm_id *id,
				    struct rdma_cm_event *ev)
{
	struct pcn_rdma_cm_accept mine = {};
	struct pcn_rdma_cm_priv priv;
	struct rdma_conn_param param;
	struct pcn_rdma_conn *conn;
	struct pcn_rdma_peer *peer;
	struct pcn_node *node;
	struct pcn_auth auth;
	int ret = -EPROTO;

	pcn_auth_begin(&auth);
	node = pcn_rdma_admit(id, &ev->param.conn, sizeof(priv), -1, &priv,
			      &auth);
	if (IS_ERR(node))
		goto reject;
	/*
	 * Until the connection is tracked, the peer's removal must not pass:
	 * it tears down the tracked connections under this lock, and only
	 * then frees the peer (pcn_rdma_destroy() clears node->tpriv under
	 * it too). So the peer read here lives until the unlock, and a
	 * connection is either tracked before the removal looks, or refused.
	 */
	mutex_lock(&pcn_rdma_conns_lock);
	/* Paired with smp_store_release() in pcn_rdma_connect(). */
	peer = smp_load_acquire(&node->tpriv);
	if (!peer || peer->link.dialler || READ_ONCE(peer->link.stopping)) {
		pcn_kmsg_bad(node, "unexpected connection direction");
		goto unlock;
	}
	ret = -ENOMEM;
	conn = pcn_rdma_conn_alloc(peer);
	if (!conn)
		goto unlock;
	conn->cm_id = id;
	id->context = conn;
	conn->auth = auth;
	ret = pcn_rdma_conn_setup_queue(conn);
	if (!ret)
		ret = rdma_set_ack_timeout(id, PCN_RDMA_ACK_TIMEOUT);
	if (!ret)
		ret = pcn_rdma_check_ring(conn, &priv);
	if (!ret) {
		/* Our proof now; the dialler's comes in its ring_info. */
		pcn_rdma_priv_fill(conn, &mine.priv);
		if (auth.keyed)
			memcpy(mine.mac, auth.mine, sizeof(mine.mac));
		pcn_rdma_conn_param(&param, &mine, sizeof(mine));
		ret = rdma_accept(id, &param);
	}
	if (ret) {
		/* rdma_cm destroys @id when we return non-zero */
		pcn_rdma_conn_free_untracked(conn);
		goto unlock;
	}
	list_add_tail(&conn->list, &pcn_rdma_conns);
	mutex_unlock(&pcn_rdma_conns_lock);
	pcn_node_put(node);
	pcn_auth_end(&auth);
	return 0;
unlock:
	mutex_unlock(&pcn_rdma_conns_lock);
	pcn_node_put(node);
reject:
	pcn_auth_end(&auth);
	rdma_reject(id, NULL, 0, IB_CM_REJ_CONSUMER_DEFINED);
	return 1;
}

static int pcn_rdma_cm_handler(struct rdma_cm_id *id,
			       struct rdma_cm_event *ev)
{
	struct pcn_rdma_conn *conn = id->context;
	int ret = 0;

	if (ev->event == RDMA_CM_EVENT_CONNECT_REQUEST)
		return pcn_rdma_connect_request(id, ev);
	if (!conn)
		return 0;	/* the listener */
	if (READ_ONCE(conn->state) == PCN_RDMA_DEAD)
		return 0;

	switch (ev->event) {
	case RDMA_CM_EVENT_ADDR_RESOLVED:
		ret = rdma_resolve_route(id, PCN_RDMA_RESOLVE_MS);
		break;
	case RDMA_CM_EVENT_ROUTE_RESOLVED:
		ret = pcn_rdma_route_resolved(conn);
		break;
	case RDMA_CM_EVENT_ESTABLISHED:
		ret = pcn_rdma_established(conn, &ev->param.conn);
		break;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		/* pcn_rdma_remove_device() tears everything down. */
		pcn_rdma_conn_fail(conn, rdma_event_msg(ev->event));
		break;
	case RDMA_CM_EVENT_CONNECT_RESPONSE:
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
		break;
	default:
		/* errors, rejections, disconnects, address changes */
		pcn_rdma_conn_fail(conn, rdma_event_msg(ev->event));
		break;
	}
	if (ret) {
		pr_info_ratelimited("node %d: %s: error %d\n",
				    conn->peer->link.node->nid,
				    rdma_event_msg(ev->event), ret);
		pcn_rdma_conn_fail(conn, rdma_event_msg(ev->event));
	}
	return 0;
}

/* ---- bulk teardown ---- */

static bool pcn_rdma_conn_matches(struct pcn_rdma_conn *conn,
				   struct pcn_rdma_peer *peer,
				   struct ib_device *dev)
{
	lockdep_assert_held(&pcn_rdma_conns_lock);
	if (peer && conn->peer != peer)
		return false;
	return !dev || conn->dev == dev ||
	       (conn->cm_id && conn->cm_id->device == dev);
}

/* Is any connection matching still there (in teardown, or exposed)? */
static bool pcn_rdma_conns_left(struct pcn_rdma_peer *peer,
				struct ib_device *dev)
{
	struct pcn_rdma_conn *conn;
	bool left = false;

	mutex_lock(&pcn_rdma_conns_lock);
	list_for_each_entry(conn, &pcn_rdma_conns, list)
		left |= pcn_rdma_conn_matches(conn, peer, dev);
	mutex_unlock(&pcn_rdma_conns_lock);
	return left;
}

/*
 * Tear down every connection matching; waits until they are freed, which
 * includes their exposures' end: a requester lets go of those when its
 * request is answered or fails (the core fails them when the node is
 * removed; for a removed device, when the grace period ends).
 */
static void pcn_rdma_teardown_matching(struct pcn_rdma_peer *peer,
				       struct ib_device *dev)
{
	struct pcn_rdma_conn *conn;

	mutex_lock(&pcn_rdma_conns_lock);
	list_for_each_entry(conn, &pcn_rdma_conns, list) {
		if (pcn_rdma_conn_matches(conn, peer, dev))
			pcn_rdma_conn_fail(conn, dev ? "device removed" :
						       "peer removed");
	}
	mutex_unlock(&pcn_rdma_conns_lock);
	flush_workqueue(pcn_rdma_wq);
	wait_event(pcn_rdma_conns_freed, !pcn_rdma_conns_left(peer, dev));
}

void pcn_rdma_peer_drop(struct pcn_rdma_peer *peer)
{
	pcn_rdma_teardown_matching(peer, NULL);
}

/*
 * ->destroy: no connection request may find @node's peer from here on
 * (pcn_rdma_connect_request() reads it under the same lock). Returns it,
 * for the caller to free.
 */
struct pcn_rdma_peer *pcn_rdma_peer_forget(struct pcn_node *node)
{
	struct pcn_rdma_peer *peer;

	mutex_lock(&pcn_rdma_conns_lock);
	peer = node->tpriv;
	WRITE_ONCE(node->tpriv, NULL);
	mutex_unlock(&pcn_rdma_conns_lock);
	return peer;
}

/* debugfs drop_link, or a session's failed send: the link goes, now. */
void pcn_rdma_drop(struct pcn_node *node)
{
	struct pcn_rdma_conn *conn = pcn_rdma_conn_get(node->tpriv);

	if (conn) {
		pcn_rdma_conn_fail(conn, "dropped");
		pcn_rdma_conn_put(conn);
	}
}

void pcn_rdma_remove_device(struct ib_device *dev)
{
	pcn_rdma_teardown_matching(NULL, dev);
}

/* ---- listener ---- */

int pcn_rdma_listen(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(pcn_rdma_port),
	};
	struct rdma_cm_id *id;
	int ret;

	id = rdma_create_id(&init_net, pcn_rdma_cm_handler, NULL, RDMA_PS_TCP,
			    IB_QPT_RC);
	if (IS_ERR(id))
		return PTR_ERR(id);
	ret = rdma_bind_addr(id, (struct sockaddr *)&sin);
	if (!ret)
		ret = rdma_listen(id, 64);
	if (ret) {
		pr_err("cannot listen on port %u: %d\n", pcn_rdma_port, ret);
		rdma_destroy_id(id);
		return ret;
	}
	pcn_rdma_listen_id = id;
	return 0;
}

void pcn_rdma_unlisten(void)
{
	rdma_destroy_id(pcn_rdma_listen_id);
}
