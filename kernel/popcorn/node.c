// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn node membership: the node table, this node's id, the transport
 * registry and the handshake checks.
 *
 * Locking: pcn_config_mutex serialises every membership change and every
 * transport (un)registration. Lookups from the message paths go through
 * RCU plus a kref (pcn_node_get). Calls into a transport from the send path
 * run inside pcn_transport_srcu so that unregistering a transport can wait
 * for them. Functions that transports call from their receive or connect
 * context (pcn_node_online/offline, pcn_hello_accept) never take the config
 * mutex: transport->disconnect() is called with it held and waits for
 * those contexts to finish.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/inet.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <popcorn/auth.h>
#include "internal.h"
#include "process.h"

DEFINE_MUTEX(pcn_config_mutex);
DEFINE_SRCU(pcn_transport_srcu);

static struct pcn_node __rcu *pcn_nodes[PCN_MAX_NODES];
static int pcn_self_nid = -1;
static LIST_HEAD(pcn_transports);

static const char * const pcn_transport_names[] = { "tcp", "rdma" };

int pcn_my_nid(void)
{
	return READ_ONCE(pcn_self_nid);
}
EXPORT_SYMBOL_GPL(pcn_my_nid);

static struct pcn_node *pcn_node_locked(int nid)
{
	return rcu_dereference_protected(pcn_nodes[nid],
					 lockdep_is_held(&pcn_config_mutex));
}

struct pcn_node *pcn_node_get(int nid)
{
	struct pcn_node *node;

	if (nid < 0 || nid >= PCN_MAX_NODES)
		return NULL;
	rcu_read_lock();
	node = rcu_dereference(pcn_nodes[nid]);
	if (node && !kref_get_unless_zero(&node->ref))
		node = NULL;
	rcu_read_unlock();
	return node;
}

static void pcn_node_release(struct kref *ref)
{
	struct pcn_node *node = container_of(ref, struct pcn_node, ref);

	/* RCU lookups only take a reference (pcn_node_get), never count. */
	free_percpu(node->stats);
	kfree_rcu(node, rcu);
}

void pcn_node_put(struct pcn_node *node)
{
	if (node)
		kref_put(&node->ref, pcn_node_release);
}
EXPORT_SYMBOL_GPL(pcn_node_put);

/* Returns the node's transport inside an SRCU read section, or NULL. */
struct pcn_transport *pcn_node_transport_lock(struct pcn_node *node, int *idx)
{
	struct pcn_transport *t;

	*idx = srcu_read_lock(&pcn_transport_srcu);
	t = srcu_dereference(node->transport, &pcn_transport_srcu);
	if (!t)
		srcu_read_unlock(&pcn_transport_srcu, *idx);
	return t;
}

void pcn_node_transport_unlock(int idx)
{
	srcu_read_unlock(&pcn_transport_srcu, idx);
}

static struct pcn_transport *pcn_transport_find(const char *name)
{
	struct pcn_transport *t;

	lockdep_assert_held(&pcn_config_mutex);
	list_for_each_entry(t, &pcn_transports, list)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

bool pcn_node_transport_loaded(struct pcn_node *node)
{
	return rcu_access_pointer(node->transport) != NULL;
}

/* ---- link state, reported by transports ---- */

void pcn_node_connecting(struct pcn_node *node)
{
	spin_lock(&node->lock);
	if (node->state == PCN_NODE_DOWN)
		node->state = PCN_NODE_CONNECTING;
	spin_unlock(&node->lock);
}
EXPORT_SYMBOL_GPL(pcn_node_connecting);

/* The node is online: messages flow (from the session's replay, or here). */
void pcn_node_announce(struct pcn_node *node)
{
	pcn_peer_stat_inc(node, connects);
	pr_info_ratelimited("node %d online (%pI4:%u, %s)\n", node->nid,
			    &node->addr, node->port, node->transport_name);
}

/*
 * A transport's link is up, called with its link lock held. Over a
 * resumable transport the node goes online once the SESSIONs are
 * exchanged (session.c); otherwise now.
 */
void pcn_node_online(struct pcn_node *node)
{
	struct pcn_transport *t;
	int idx;

	t = pcn_node_transport_lock(node, &idx);
	if (t && t->resumable) {
		pcn_session_link_up(node, t);
		pcn_node_transport_unlock(idx);
		return;
	}
	if (t)
		pcn_node_transport_unlock(idx);
	spin_lock(&node->lock);
	node->state = PCN_NODE_ONLINE;
	spin_unlock(&node->lock);
	pcn_node_announce(node);
}

/* No link, and none to wait for: the peer is given up. */
static void pcn_node_gone(struct pcn_node *node, bool was_online)
{
	spin_lock(&node->lock);
	node->state = PCN_NODE_DOWN;
	spin_unlock(&node->lock);
	/* A session over a resumable transport ends with its waiters. */
	if (!pcn_session_end(node, "the peer is gone") && was_online)
		pr_warn("node %d gone: requests to it fail, processes that need it end\n",
			node->nid);
	/* Requests waiting on this peer fail now rather than time out. */
	pcn_ws_fail_node(node->nid);
	/* Threads that ran there, processes that came from there. */
	if (was_online)
		pcn_process_node_offline(node->nid);
}

/*
 * A transport took a live link down (or lost one mid-handshake). With a
 * session to keep, the node is RECONNECTING for the grace period;
 * otherwise it is gone.
 */
void pcn_node_offline(struct pcn_node *node)
{
	enum pcn_node_state was;
	struct pcn_transport *t;
	bool resumable;
	int idx;

	t = pcn_node_transport_lock(node, &idx);
	resumable = t && t->resumable;
	if (t)
		pcn_node_transport_unlock(idx);
	was = pcn_node_state(node);
	if (was == PCN_NODE_ONLINE) {
		pr_info("node %d offline\n", node->nid);
		pcn_peer_stat_inc(node, transport_errors);
		pcn_stat_inc(transport_errors);
	}
	if (resumable && pcn_session_link_lost(node))
		return;
	pcn_node_gone(node, was == PCN_NODE_ONLINE ||
		      was == PCN_NODE_RECONNECTING);
}
EXPORT_SYMBOL_GPL(pcn_node_offline);

enum pcn_node_state pcn_node_state(struct pcn_node *node)
{
	enum pcn_node_state state;

	spin_lock(&node->lock);
	state = node->state;
	spin_unlock(&node->lock);
	return state;
}

/* @nid is this node or a configured peer (online or not). */
bool pcn_node_known(int nid)
{
	struct pcn_node *node;

	if (nid == pcn_my_nid())
		return nid >= 0;
	node = pcn_node_get(nid);
	pcn_node_put(node);
	return node != NULL;
}

/*
 * Can a thread go to @nid now? 0; -EINVAL: no such node; -EAGAIN: offline.
 * A node RECONNECTING is reachable: its session carries the thread over
 * once the link is back (or the move fails when the grace period ends).
 */
int pcn_node_reachable(int nid)
{
	struct pcn_node *node = pcn_node_get(nid);
	enum pcn_node_state state;

	if (!node)
		return -EINVAL;
	state = pcn_node_state(node);
	pcn_node_put(node);
	return state == PCN_NODE_ONLINE || state == PCN_NODE_RECONNECTING ?
	       0 : -EAGAIN;
}

/* ---- handshake ---- */

/* Our HELLO, with @auth's nonce (pcn_auth_begin() first). */
void pcn_hello_prepare(struct pcn_kmsg *msg, const struct pcn_auth *auth)
{
	struct pcn_kmsg_hello *hello = (struct pcn_kmsg_hello *)msg->payload;

	pcn_kmsg_fill_hdr(&msg->hdr, PCN_KMSG_TYPE_HELLO, sizeof(*hello));
	hello->nid = pcn_my_nid();
	hello->arch = PCN_ARCH_X86_64;
	hello->proto_version = PCN_KMSG_VERSION;
	hello->max_size = PCN_KMSG_MAX_SIZE;
	hello->flags = auth->keyed ? PCN_HELLO_F_KEY : 0;
	hello->reserved = 0;
	memcpy(hello->nonce, auth->nonce, sizeof(hello->nonce));
}
EXPORT_SYMBOL_GPL(pcn_hello_prepare);

static struct pcn_node *pcn_hello_refuse(struct pcn_node *node, __be32 addr,
					 const char *why)
{
	pcn_stat_inc(hs_refused);
	pr_warn_ratelimited("handshake from %pI4 refused: %s\n", &addr, why);
	pcn_node_put(node);
	return ERR_PTR(-EPROTO);
}

/*
 * May the peer that presented @hello from @peer_addr over @t join? The
 * transport-neutral half of the handshake: TCP gets @hello from a HELLO
 * frame, RDMA from the connection's private data. @expect_nid is the node
 * we dialled, or -1 when accepting. Both sides must have a cluster key or
 * neither; with one, @auth gets the proofs to exchange next (the transport
 * calls pcn_auth_check() on the peer's before anything else flows).
 * Returns a node reference or an ERR_PTR.
 */
struct pcn_node *pcn_peer_admit(const struct pcn_kmsg_hello *hello,
				struct pcn_auth *auth, struct pcn_transport *t,
				__be32 peer_addr, int expect_nid)
{
	bool peer_keyed = hello->flags & PCN_HELLO_F_KEY;
	struct pcn_node *node;
	int self = pcn_my_nid();

	if (hello->nid >= PCN_MAX_NODES ||
	    (expect_nid >= 0 && hello->nid != expect_nid))
		return pcn_hello_refuse(NULL, peer_addr, "unexpected node id");
	if (hello->proto_version != PCN_KMSG_VERSION)
		return pcn_hello_refuse(NULL, peer_addr, "protocol version");
	if (hello->arch != PCN_ARCH_X86_64)
		return pcn_hello_refuse(NULL, peer_addr, "architecture");
	if (hello->max_size != PCN_KMSG_MAX_SIZE)
		return pcn_hello_refuse(NULL, peer_addr, "message size limit");
	if (self < 0 || hello->nid == self)
		return pcn_hello_refuse(NULL, peer_addr, "node id is ours");
	node = pcn_node_get(hello->nid);
	if (!node)
		return pcn_hello_refuse(NULL, peer_addr, "node id not configured");
	if (node->addr != peer_addr)
		return pcn_hello_refuse(node, peer_addr, "address does not match node id");
	if (rcu_access_pointer(node->transport) != t)
		return pcn_hello_refuse(node, peer_addr, "node uses another transport");
	if ((hello->flags & ~PCN_HELLO_F_ALL) || hello->reserved)
		return pcn_hello_refuse(node, peer_addr, "unknown handshake flags");
	if (auth->keyed && !peer_keyed)
		return pcn_hello_refuse(node, peer_addr,
					"the peer has no cluster key, this node has one");
	if (!auth->keyed && peer_keyed)
		return pcn_hello_refuse(node, peer_addr,
					"the peer has a cluster key, this node none");
	if (auth->keyed && pcn_auth_prepare(auth, expect_nid >= 0, hello->nid,
					    hello->nonce))
		return pcn_hello_refuse(node, peer_addr,
					"no proof computed (key cleared?)");

	spin_lock(&node->lock);
	node->arch = hello->arch;
	spin_unlock(&node->lock);
	return node;
}
EXPORT_SYMBOL_GPL(pcn_peer_admit);

/* A HELLO frame (header already read and checked by pcn_kmsg_validate()). */
struct pcn_node *pcn_hello_accept(const struct pcn_kmsg *msg,
				  struct pcn_auth *auth, struct pcn_transport *t,
				  __be32 peer_addr, int expect_nid)
{
	const struct pcn_kmsg_hello *hello = (const void *)msg->payload;

	if (pcn_kmsg_validate(&msg->hdr, expect_nid) ||
	    msg->hdr.type != PCN_KMSG_TYPE_HELLO)
		return pcn_hello_refuse(NULL, peer_addr, "bad HELLO header");
	if (hello->nid != msg->hdr.from_nid)
		return pcn_hello_refuse(NULL, peer_addr, "node id mismatch");
	return pcn_peer_admit(hello, auth, t, peer_addr, expect_nid);
}
EXPORT_SYMBOL_GPL(pcn_hello_accept);

/* ---- configuration (netlink) ---- */

int pcn_self_set(int nid, struct netlink_ext_ack *extack)
{
	int i, ret = 0;

	if (nid < 0 || nid >= PCN_MAX_NODES) {
		NL_SET_ERR_MSG(extack, "node id out of range 0..31");
		return -ERANGE;
	}
	mutex_lock(&pcn_config_mutex);
	for (i = 0; i < PCN_MAX_NODES; i++) {
		if (pcn_node_locked(i)) {
			NL_SET_ERR_MSG(extack, "remove every peer before changing this node's id");
			ret = -EBUSY;
			break;
		}
	}
	if (!ret)
		WRITE_ONCE(pcn_self_nid, nid);
	mutex_unlock(&pcn_config_mutex);
	return ret;
}

static int pcn_bind_transport(struct pcn_node *node, struct pcn_transport *t)
{
	int ret;

	rcu_assign_pointer(node->transport, t);
	ret = t->connect(node);
	if (ret) {
		RCU_INIT_POINTER(node->transport, NULL);
		synchronize_srcu(&pcn_transport_srcu);
	}
	return ret;
}

/* Tear @node's connection down and forget the transport's state for it. */
static void pcn_unbind_transport(struct pcn_node *node)
{
	struct pcn_transport *t;

	t = rcu_dereference_protected(node->transport,
				      lockdep_is_held(&pcn_config_mutex));

	if (!t)
		return;
	/* New senders fail from here on; running ones see the link drop. */
	RCU_INIT_POINTER(node->transport, NULL);
	/*
	 * No link will resume: the requests waiting on the peer fail first,
	 * so that their exposures end, which ->disconnect() waits for (a
	 * request that raced with this fails when the link goes down).
	 */
	pcn_ws_fail_node(node->nid);
	t->disconnect(node);
	synchronize_srcu(&pcn_transport_srcu);
	t->destroy(node);
	pcn_node_gone(node, true);
}

/* The arguments of pcn_node_add() on their own; *ip is the address. */
static int pcn_node_check_args(int nid, const char *addr, u16 port,
			       const char *tname, __be32 *ip,
			       struct netlink_ext_ack *extack)
{
	const char *end;
	int i;

	if (nid < 0 || nid >= PCN_MAX_NODES) {
		NL_SET_ERR_MSG(extack, "node id out of range 0..31");
		return -ERANGE;
	}
	if (!in4_pton(addr, -1, (u8 *)ip, '\0', &end) || *end) {
		NL_SET_ERR_MSG(extack, "address is not an IPv4 address (a.b.c.d)");
		return -EINVAL;
	}
	if (ipv4_is_zeronet(*ip) || ipv4_is_multicast(*ip) ||
	    ipv4_is_lbcast(*ip)) {
		NL_SET_ERR_MSG(extack, "address is not a unicast IPv4 address");
		return -EINVAL;
	}
	if (!port) {
		NL_SET_ERR_MSG(extack, "port 0 is not valid");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(pcn_transport_names); i++)
		if (!strcmp(tname, pcn_transport_names[i]))
			break;
	if (i == ARRAY_SIZE(pcn_transport_names)) {
		NL_SET_ERR_MSG(extack, "unknown transport (tcp or rdma)");
		return -EINVAL;
	}
	return 0;
}

int pcn_node_add(int nid, const char *addr, u16 port, const char *tname,
		 struct netlink_ext_ack *extack)
{
	struct pcn_transport *t;
	struct pcn_node *node;
	__be32 ip;
	int i, ret;

	ret = pcn_node_check_args(nid, addr, port, tname, &ip, extack);
	if (ret)
		return ret;
	mutex_lock(&pcn_config_mutex);
	ret = -EINVAL;
	if (pcn_self_nid < 0) {
		NL_SET_ERR_MSG(extack, "set this node's id first (pcnctl node self ID)");
		goto out;
	}
	if (nid == pcn_self_nid) {
		NL_SET_ERR_MSG(extack, "node id is this node's own id");
		goto out;
	}
	ret = -EEXIST;
	if (pcn_node_locked(nid)) {
		NL_SET_ERR_MSG(extack, "node id already configured");
		goto out;
	}
	for (i = 0; i < PCN_MAX_NODES; i++) {
		struct pcn_node *other = pcn_node_locked(i);

		if (other && other->addr == ip && other->port == port) {
			NL_SET_ERR_MSG(extack, "address already used by another node");
			goto out;
		}
	}

	ret = -ENOMEM;
	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		goto out;
	node->stats = alloc_percpu(struct pcn_node_stats);
	if (!node->stats) {
		kfree(node);
		goto out;
	}
	node->nid = nid;
	node->addr = ip;
	node->port = port;
	strscpy(node->transport_name, tname, sizeof(node->transport_name));
	spin_lock_init(&node->lock);
	node->state = PCN_NODE_DOWN;
	pcn_session_init(node);
	xa_init(&node->expos);
	kref_init(&node->ref);
	rcu_assign_pointer(pcn_nodes[nid], node);

	t = pcn_transport_find(tname);
	if (t) {
		ret = pcn_bind_transport(node, t);
		if (ret) {
			NL_SET_ERR_MSG(extack, "transport could not start connecting");
			RCU_INIT_POINTER(pcn_nodes[nid], NULL);
			pcn_node_put(node);
			goto out;
		}
	} else {
		pr_info("node %d added; transport %s is not loaded yet\n",
			nid, tname);
	}
	ret = 0;
out:
	mutex_unlock(&pcn_config_mutex);
	return ret;
}

static void pcn_node_remove_locked(int nid)
{
	struct pcn_node *node = pcn_node_locked(nid);

	pcn_unbind_transport(node);
	RCU_INIT_POINTER(pcn_nodes[nid], NULL);
	pcn_session_stop(node);
	pcn_ws_fail_node(nid);
	pcn_node_put(node);
}

int pcn_node_del(int nid, struct netlink_ext_ack *extack)
{
	int ret = 0;

	if (nid < 0 || nid >= PCN_MAX_NODES) {
		NL_SET_ERR_MSG(extack, "node id out of range 0..31");
		return -ERANGE;
	}
	mutex_lock(&pcn_config_mutex);
	if (pcn_node_locked(nid)) {
		pcn_node_remove_locked(nid);
	} else {
		NL_SET_ERR_MSG(extack, "no such node");
		ret = -ENOENT;
	}
	mutex_unlock(&pcn_config_mutex);
	return ret;
}

/* Snapshot of every node for the netlink dump; caller holds the mutex. */
struct pcn_node *pcn_node_config_get(int nid)
{
	return pcn_node_locked(nid);
}

/* ---- transports ---- */

/* Counters of every loaded transport, summed. */
void pcn_transports_stats(u64 *regions, u64 *bytes, u64 *stalls)
{
	struct pcn_transport *t;

	*regions = 0;
	*bytes = 0;
	*stalls = 0;
	mutex_lock(&pcn_config_mutex);
	list_for_each_entry(t, &pcn_transports, list) {
		*regions += atomic64_read(&t->remote_regions);
		*bytes += atomic64_read(&t->remote_bytes);
		*stalls += atomic64_read(&t->tx_stalls);
	}
	mutex_unlock(&pcn_config_mutex);
}

int pcn_transport_register(struct pcn_transport *t)
{
	int i, ret;

	if (!t->connect || !t->disconnect || !t->destroy || !t->send ||
	    !t->release)
		return -EINVAL;
	atomic_set(&t->rx_outstanding, 0);
	atomic64_set(&t->remote_regions, 0);
	atomic64_set(&t->remote_bytes, 0);
	atomic64_set(&t->tx_stalls, 0);
	if (!t->page_expose != !t->page_unexpose)
		return -EINVAL;
	/*
	 * A session sends page writes again on the next link: the transport
	 * must write them (or say -ESTALE) and fill a page from the CPU.
	 */
	if (t->resumable && t->page_expose &&
	    (!t->page_write || !t->send_page || !t->page_fill))
		return -EINVAL;
	mutex_lock(&pcn_config_mutex);
	if (pcn_transport_find(t->name)) {
		mutex_unlock(&pcn_config_mutex);
		return -EEXIST;
	}
	list_add_tail(&t->list, &pcn_transports);
	for (i = 0; i < PCN_MAX_NODES; i++) {
		struct pcn_node *node = pcn_node_locked(i);

		if (!node || strcmp(node->transport_name, t->name))
			continue;
		ret = pcn_bind_transport(node, t);
		if (ret)
			pr_warn("node %d: %s could not connect (%d)\n", i,
				t->name, ret);
	}
	mutex_unlock(&pcn_config_mutex);
	pr_info("transport %s registered\n", t->name);
	return 0;
}
EXPORT_SYMBOL_GPL(pcn_transport_register);

void pcn_transport_unregister(struct pcn_transport *t)
{
	int i;

	mutex_lock(&pcn_config_mutex);
	for (i = 0; i < PCN_MAX_NODES; i++) {
		struct pcn_node *node = pcn_node_locked(i);

		if (node && rcu_access_pointer(node->transport) == t)
			pcn_unbind_transport(node);
	}
	list_del(&t->list);
	mutex_unlock(&pcn_config_mutex);

	/* Received messages still with handlers go back to @t first. */
	pcn_kmsg_flush();
	wait_var_event(&t->rx_outstanding, !atomic_read(&t->rx_outstanding));
	pr_info("transport %s unregistered\n", t->name);
}
EXPORT_SYMBOL_GPL(pcn_transport_unregister);
