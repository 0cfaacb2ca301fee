// SPDX-License-Identifier: GPL-2.0
/*
 * The life cycle of a transport's link to one peer, the same for every
 * transport: who dials, dialling again with back-off, a new link replacing
 * an old one, a link lost, the peer going away. The transport owns the
 * link itself (a socket, a queue pair) and keeps it under @pl->lock; this
 * file decides when to dial and tells the core when a link is up; the
 * transport calls pcn_node_offline() when it takes a live link down.
 *
 * The node with the higher id dials; the other one accepts, so that two
 * nodes never race each other with two links. The dialler dials again
 * after a failed attempt or a lost link, waiting PCN_LINK_BACKOFF_MIN_MS
 * at first and twice as long each time up to PCN_LINK_BACKOFF_MAX_MS; a
 * link that comes up resets the wait.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/jiffies.h>
#include <linux/minmax.h>
#include "internal.h"

#define PCN_LINK_BACKOFF_MIN_MS	100
#define PCN_LINK_BACKOFF_MAX_MS	2000

void pcn_peer_link_init(struct pcn_peer_link *pl, struct pcn_node *node,
			struct workqueue_struct *wq, work_func_t dial)
{
	pl->node = node;
	pl->wq = wq;
	mutex_init(&pl->lock);
	INIT_DELAYED_WORK(&pl->dial_work, dial);
	pl->backoff_ms = PCN_LINK_BACKOFF_MIN_MS;
	pl->dialler = pcn_my_nid() > node->nid;
	pl->stopping = false;
}
EXPORT_SYMBOL_GPL(pcn_peer_link_init);

/* After the transport published its peer state (node->tpriv). */
void pcn_peer_link_start(struct pcn_peer_link *pl)
{
	pcn_node_connecting(pl->node);
	if (pl->dialler)
		queue_delayed_work(pl->wq, &pl->dial_work, 0);
}
EXPORT_SYMBOL_GPL(pcn_peer_link_start);

/*
 * With @pl->lock held, after a dial attempt failed or a link went down:
 * dial again after the back-off, if we are the one who dials.
 */
void pcn_peer_link_redial(struct pcn_peer_link *pl)
{
	lockdep_assert_held(&pl->lock);
	if (!pl->dialler || pl->stopping)
		return;
	queue_delayed_work(pl->wq, &pl->dial_work,
			   msecs_to_jiffies(pl->backoff_ms));
	pl->backoff_ms = min(pl->backoff_ms * 2, PCN_LINK_BACKOFF_MAX_MS);
}
EXPORT_SYMBOL_GPL(pcn_peer_link_redial);

/* A dial attempt failed before it made a link. */
void pcn_peer_link_dial_failed(struct pcn_peer_link *pl, int err)
{
	pr_debug("node %d: dial failed (%d)\n", pl->node->nid, err);
	mutex_lock(&pl->lock);
	pcn_peer_link_redial(pl);
	mutex_unlock(&pl->lock);
}
EXPORT_SYMBOL_GPL(pcn_peer_link_dial_failed);

/*
 * With @pl->lock held, the transport installs a new link (@replacing: in
 * place of one that was up, which it tears down). The node is online.
 */
void pcn_peer_link_up(struct pcn_peer_link *pl, bool replacing)
{
	lockdep_assert_held(&pl->lock);
	if (replacing)
		pr_info("node %d: new connection replaces the old one\n",
			pl->node->nid);
	pl->backoff_ms = PCN_LINK_BACKOFF_MIN_MS;
	pcn_node_online(pl->node);
}
EXPORT_SYMBOL_GPL(pcn_peer_link_up);

/*
 * With @pl->lock held, after the transport took its live link down (and
 * pcn_node_offline() with it): the node is connecting again, and the
 * dialler dials after the back-off.
 */
void pcn_peer_link_lost(struct pcn_peer_link *pl)
{
	lockdep_assert_held(&pl->lock);
	if (!pl->stopping)
		pcn_node_connecting(pl->node);
	pcn_peer_link_redial(pl);
}
EXPORT_SYMBOL_GPL(pcn_peer_link_lost);

/*
 * The peer is going away (->disconnect): no dialling from here on. The
 * transport then takes its link down; pcn_peer_link_redial() dials no
 * more.
 */
void pcn_peer_link_stop(struct pcn_peer_link *pl)
{
	mutex_lock(&pl->lock);
	WRITE_ONCE(pl->stopping, true);
	mutex_unlock(&pl->lock);
	cancel_delayed_work_sync(&pl->dial_work);
}
EXPORT_SYMBOL_GPL(pcn_peer_link_stop);
