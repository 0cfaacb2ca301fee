// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: a link to a peer that drops and comes back within the grace
 * period (popcorn.grace_ms) loses no message and kills nothing.
 *
 * Over a transport that can resume (->resumable), every message but the
 * transport's own gets a sequence number, in the order it goes on the
 * link (numbering and sending happen under s->tx_lock), and a copy of it
 * stays in s->log until the peer acknowledges it: every header carries
 * the sender's count of what it received (hdr.ack), and an ACK message
 * goes out when nothing else would carry one for a while. The receiver
 * takes the messages strictly in order: a duplicate is dropped, a gap or
 * an acknowledgement of something never sent breaks the protocol.
 *
 * When a link is lost the node is RECONNECTING: senders keep going (their
 * messages wait in the log), waiters keep waiting, and the grace timer
 * runs. The first message on a new link is a SESSION each way: the
 * sender's stream name (sid), the peer's as the sender knows it, and how
 * far it received. Both sides judge the same two SESSIONs the same way:
 * if each knows the other's stream, the session resumes and each sends
 * again what the other has not received; if not (a peer that restarted or
 * gave us up), a new session starts and, if there was one before, the
 * old is lost: the requests waiting on the peer fail and the processes
 * that needed it end (process.c). The same happens when the grace period
 * passes without a link.
 *
 * Over a transport with one-sided page writes (RDMA) a page write is
 * kept in the log too, ahead of the message it goes with (or of the next
 * one): a link that dies may have lost it. It goes again on the next link
 * before that message; if the key it names is of an earlier link, which
 * the transport says with -ESTALE, its data goes in a PAGE_DATA message
 * (unnumbered, like SESSION and ACK), copied into the exposure by the
 * receiver. A page write is kept until the peer has the message after it.
 *
 * Locking: s->tx_lock (a mutex, held across ->send()) orders numbering,
 * the log and sending; s->lock (a spinlock, taken in receive context)
 * covers the rest, and nests outside node->lock. The receive path never
 * takes s->tx_lock: a sender may hold it while it waits for the peer.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "internal.h"
#include "process.h"
#include "session.h"

static unsigned int pcn_grace_ms = 5000;
module_param_named(grace_ms, pcn_grace_ms, uint, 0644);
MODULE_PARM_DESC(grace_ms,
		 "time a lost link has to come back before its peer counts as dead, ms");

/* Messages sent and not yet acknowledged, at most (the log's length). */
#define PCN_SESSION_WINDOW	1024
/* Acknowledge at once after this many, or after PCN_SESSION_ACK_DELAY. */
#define PCN_SESSION_ACK_EVERY	(PCN_SESSION_WINDOW / 8)
#define PCN_SESSION_ACK_DELAY	msecs_to_jiffies(20)
/* A sender waits this long for room in the log before it gives up. */
#define PCN_SESSION_ROOM_WAIT	(30 * HZ)

/*
 * A message, a page write, or a page write and the message it goes with
 * (pcn_kmsg_reply_page()). A page write without a message has the number
 * of the next message (msg.hdr.seq): it is kept until the peer has that.
 */
struct pcn_session_entry {
	struct list_head list;
	u32 epoch;			/* s->epoch when numbered */
	bool has_msg;
	struct page *page;		/* a page write of this page, or NULL */
	struct pcn_page_desc to;	/* to this exposure of the peer's */
	struct pcn_kmsg msg;		/* a copy: header, then payload */
};

static struct workqueue_struct *pcn_session_wq;

static u64 pcn_session_new_sid(void)
{
	u64 sid;

	do {
		sid = get_random_u64();
	} while (!sid);
	return sid;
}

/* ---- the log (s->tx_lock) ---- */

static void pcn_session_entry_free(struct pcn_session_entry *e)
{
	if (e->page)
		put_page(e->page);
	kfree(e);
}

static void pcn_session_trim_locked(struct pcn_session *s)
{
	struct pcn_session_entry *e, *next;
	u32 acked = READ_ONCE(s->acked);

	lockdep_assert_held(&s->tx_lock);
	list_for_each_entry_safe(e, next, &s->log, list) {
		/* Older epochs first: the log is in the order of numbering. */
		if (e->epoch == READ_ONCE(s->epoch) &&
		    !pcn_seq_before(e->msg.hdr.seq, acked))
			break;
		list_del(&e->list);
		pcn_session_entry_free(e);
	}
}

static void pcn_session_clear_locked(struct pcn_session *s)
{
	struct pcn_session_entry *e, *next;

	lockdep_assert_held(&s->tx_lock);
	list_for_each_entry_safe(e, next, &s->log, list) {
		list_del(&e->list);
		pcn_session_entry_free(e);
	}
}

static void pcn_session_trim_fn(struct work_struct *work)
{
	struct pcn_session *s = container_of(work, struct pcn_session,
					     trim_work);

	mutex_lock(&s->tx_lock);
	pcn_session_trim_locked(s);
	mutex_unlock(&s->tx_lock);
}

/* Room for one more, or no session to wait for. */
static bool pcn_session_room(struct pcn_node *node)
{
	struct pcn_session *s = &node->session;
	enum pcn_node_state state = pcn_node_state(node);
	bool room;

	spin_lock(&s->lock);
	room = (state != PCN_NODE_ONLINE && state != PCN_NODE_RECONNECTING &&
		!s->rx_ready) ||
	       s->tx_next - s->acked < PCN_SESSION_WINDOW;
	spin_unlock(&s->lock);
	return room;
}

/* @hdr carries our current acknowledgement. */
static void pcn_session_stamp_ack(struct pcn_session *s,
				  struct pcn_kmsg_hdr *hdr)
{
	lockdep_assert_held(&s->tx_lock);
	spin_lock(&s->lock);
	hdr->ack = s->rx_next;
	s->ack_sent = s->rx_next;
	spin_unlock(&s->lock);
}

/* Put @hdr/@payload on the link, with our current acknowledgement. */
static int pcn_session_xmit(struct pcn_node *node, struct pcn_transport *t,
			    struct pcn_kmsg_hdr *hdr, const void *payload)
{
	pcn_session_stamp_ack(&node->session, hdr);
	return t->send(node, hdr, payload);
}

/* A page write whose key is of an earlier link: the data in a message. */
static int pcn_session_xmit_page_data(struct pcn_node *node,
				      struct pcn_transport *t,
				      const struct pcn_session_entry *e)
{
	struct pcn_kmsg_hdr hdr;
	struct pcn_page_msg *msg;
	int ret;

	msg = kmalloc(PCN_KMSG_PAGE_PAYLOAD, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	msg->desc = e->to;
	memcpy_from_page(msg->data, e->page, 0, PCN_PAGE_SIZE);
	pcn_kmsg_fill_hdr(&hdr, PCN_KMSG_TYPE_PAGE_DATA, PCN_KMSG_PAGE_PAYLOAD);
	ret = pcn_session_xmit(node, t, &hdr, msg);
	kfree(msg);
	if (!ret)
		pcn_stat_msg(node, &hdr, out);
	return ret;
}

/* Put entry @e on the link: its page write, then its message. */
static int pcn_session_xmit_entry(struct pcn_node *node,
				  struct pcn_transport *t,
				  struct pcn_session_entry *e)
{
	int ret;

	if (!e->page)
		return pcn_session_xmit(node, t, &e->msg.hdr, e->msg.payload);
	if (e->has_msg) {
		/*
		 * Not counted as told (ack_sent): the transport may carry the
		 * message in an immediate, which has no room for it.
		 */
		spin_lock(&node->session.lock);
		e->msg.hdr.ack = node->session.rx_next;
		spin_unlock(&node->session.lock);
		ret = t->send_page(node, &e->msg.hdr, e->msg.payload, &e->to,
				   e->page);
	} else {
		ret = t->page_write(node, &e->to, e->page);
	}
	if (ret != -ESTALE)
		return ret;
	ret = pcn_session_xmit_page_data(node, t, e);
	if (ret || !e->has_msg)
		return ret;
	return pcn_session_xmit(node, t, &e->msg.hdr, e->msg.payload);
}

/* A send failed on a live link: drop it, the session carries on. */
static void pcn_session_drop_link(struct pcn_node *node,
				  struct pcn_transport *t, int err)
{
	/* A link already going down says so itself ("offline"). */
	if (err != -EPIPE && err != -ECONNRESET && err != -ENOTCONN)
		pr_info_ratelimited("node %d: send failed (%d), reconnecting\n",
				    node->nid, err);
	if (t->drop)
		t->drop(node);
}

/*
 * Number @e (a message: the next number; a page write alone: the number
 * of the next message, which it goes ahead of), log it and send it if the
 * link is up. Returns -ENOTCONN without a session; else the entry is the
 * session's.
 */
static int pcn_session_log(struct pcn_node *node, struct pcn_transport *t,
			   struct pcn_session_entry *e)
{
	struct pcn_session *s = &node->session;
	enum pcn_node_state state;
	int ret;

	mutex_lock(&s->tx_lock);
	pcn_session_trim_locked(s);
	state = pcn_node_state(node);
	spin_lock(&s->lock);
	/* Judged, the replay not yet done: the message joins the log. */
	if (state != PCN_NODE_ONLINE && state != PCN_NODE_RECONNECTING &&
	    !s->rx_ready) {
		spin_unlock(&s->lock);
		mutex_unlock(&s->tx_lock);
		return -ENOTCONN;
	}
	e->epoch = s->epoch;
	e->msg.hdr.seq = s->tx_next;
	if (e->has_msg)
		s->tx_next = pcn_seq_next(s->tx_next);
	spin_unlock(&s->lock);
	list_add_tail(&e->list, &s->log);
	/* ONLINE under tx_lock: the replay of the log is done. */
	if (state == PCN_NODE_ONLINE) {
		ret = pcn_session_xmit_entry(node, t, e);
		if (ret)
			pcn_session_drop_link(node, t, ret);
	}
	mutex_unlock(&s->tx_lock);
	return 0;
}

/**
 * pcn_session_send - number, keep and send one message of a session
 * @node: the peer, inside its transport's SRCU read section
 * @t: its transport (->resumable)
 * @hdr: filled but for seq and ack, which this fills in
 * @payload: @hdr->size bytes
 * @to: with @page, the peer's exposure @page is written to first
 * @page: NULL, or the page of a page reply (pcn_kmsg_reply_page())
 *
 * While the link is down within its grace period the message waits in
 * the log. Return: 0 once the message is the session's (it goes out now
 * or when the link is back; if the peer is declared dead first, the
 * requests waiting on it fail), -ENOTCONN without a session, or an error
 * with nothing sent.
 */
int pcn_session_send(struct pcn_node *node, struct pcn_transport *t,
		     struct pcn_kmsg_hdr *hdr, const void *payload,
		     const struct pcn_page_desc *to, struct page *page)
{
	struct pcn_session *s = &node->session;
	struct pcn_session_entry *e;
	long left;
	int ret;

	e = kmalloc(sizeof(*e) + hdr->size, GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->has_msg = true;
	e->page = NULL;
	if (page) {
		get_page(page);
		e->page = page;
		e->to = *to;
	}
	e->msg.hdr = *hdr;
	memcpy(e->msg.payload, payload, hdr->size);

	left = wait_event_killable_timeout(s->wait, pcn_session_room(node),
					   PCN_SESSION_ROOM_WAIT);
	ret = left ?: -ETIMEDOUT;
	if (left > 0)
		ret = pcn_session_log(node, t, e);
	if (ret) {
		pcn_session_entry_free(e);
		return ret;
	}
	hdr->seq = e->msg.hdr.seq;
	return 0;
}

/**
 * pcn_session_put_page - a page write of a session
 * @node: the peer, inside its transport's SRCU read section
 * @t: its transport (->resumable, with page operations)
 * @to: the peer's exposure
 * @page: the data; the session holds a reference until the peer has the
 *	message sent after it
 *
 * Return: 0 once the write is the session's, -ENOTCONN without a session.
 */
int pcn_session_put_page(struct pcn_node *node, struct pcn_transport *t,
			 const struct pcn_page_desc *to, struct page *page)
{
	struct pcn_session_entry *e;
	int ret;

	e = kzalloc(sizeof(*e), GFP_KERNEL);	/* no message: header 0 */
	if (!e)
		return -ENOMEM;
	get_page(page);
	e->page = page;
	e->to = *to;
	ret = pcn_session_log(node, t, e);
	if (ret)
		pcn_session_entry_free(e);
	return ret;
}

/* ---- acknowledgements ---- */

static void pcn_session_ack_fn(struct work_struct *work)
{
	struct pcn_session *s = container_of(to_delayed_work(work),
					     struct pcn_session, ack_work);
	struct pcn_node *node = container_of(s, struct pcn_node, session);
	struct pcn_kmsg_hdr hdr;
	struct pcn_transport *t;
	int idx, ret;

	t = pcn_node_transport_lock(node, &idx);
	if (!t)
		return;
	mutex_lock(&s->tx_lock);
	if (pcn_node_state(node) == PCN_NODE_ONLINE &&
	    READ_ONCE(s->ack_sent) != READ_ONCE(s->rx_next)) {
		pcn_kmsg_fill_hdr(&hdr, PCN_KMSG_TYPE_ACK, 0);
		ret = pcn_session_xmit(node, t, &hdr, NULL);
		if (ret)
			pcn_session_drop_link(node, t, ret);
	}
	mutex_unlock(&s->tx_lock);
	pcn_node_transport_unlock(idx);
}

/* With s->lock held: the peer has everything of ours below @ack. */
static int pcn_session_acked_locked(struct pcn_session *s, u32 ack)
{
	int news = pcn_ack_check(ack, s->acked, s->tx_next);

	if (news < 0)
		return -EPROTO;		/* never sent */
	if (news) {
		WRITE_ONCE(s->acked, ack);
		queue_work(pcn_session_wq, &s->trim_work);
		wake_up_all(&s->wait);
	}
	return 0;
}

/* ---- a new link: SESSION both ways, judged, the log sent again ---- */

/* The peer's side of the session is gone: so are the requests to it. */
static void pcn_session_lost(struct pcn_node *node, const char *why)
{
	pr_warn_ratelimited("node %d: session lost (%s): requests to it fail, processes that need it end\n",
		node->nid, why);
	pcn_stat_inc(sessions_lost);
	pcn_ws_fail_node(node->nid);
	pcn_process_node_offline(node->nid);
	wake_up_all(&node->session.wait);
}

/*
 * With s->lock held: forget our stream and start a new one (the entries
 * of the old epoch are dropped from the log under tx_lock later).
 */
static void pcn_session_restart_tx_locked(struct pcn_session *s)
{
	WRITE_ONCE(s->epoch, s->epoch + 1);
	s->tx_next = 1;
	WRITE_ONCE(s->acked, 1);
	s->replay_from = 1;
}

/*
 * With s->lock held, once both SESSIONs are known: resume, or start
 * afresh. Both sides judge the same pair of SESSIONs, so both come to
 * the same verdict. Returns true if an old session was lost (the caller
 * calls pcn_session_lost() once the lock is dropped).
 */
static bool pcn_session_judge_locked(struct pcn_node *node)
{
	struct pcn_session *s = &node->session;
	const struct pcn_kmsg_session *m = &s->mine, *p = &s->peer;
	bool reset;

	reset = !pcn_session_resumes(m, p, s->acked, s->tx_next);
	s->resumed = !reset;
	if (reset) {
		s->rx_sid = p->sid;
		s->rx_next = 1;
		s->ack_sent = 1;
		pcn_session_restart_tx_locked(s);
	} else {
		s->replay_from = p->rx_next;
		WRITE_ONCE(s->acked, p->rx_next);
	}
	s->in_grace = false;
	/* Not waited for: a timer that fires finds no grace period. */
	cancel_delayed_work(&s->grace_work);
	s->rx_ready = true;
	queue_work(pcn_session_wq, &s->replay_work);
	return reset && m->seen_sid;
}

/*
 * Send the log again from where the peer stopped (nothing of an old
 * epoch); then the node is online. Runs once per link, after the verdict.
 */
static void pcn_session_replay_fn(struct work_struct *work)
{
	struct pcn_session *s = container_of(work, struct pcn_session,
					     replay_work);
	struct pcn_node *node = container_of(s, struct pcn_node, session);
	struct pcn_session_entry *e;
	struct pcn_transport *t;
	unsigned int n = 0, pages = 0;
	bool resumed, online;
	int idx, ret = 0;
	u32 link, from;

	t = pcn_node_transport_lock(node, &idx);
	if (!t)
		return;
	mutex_lock(&s->tx_lock);
	spin_lock(&s->lock);
	online = s->rx_ready;
	resumed = s->resumed;
	link = s->link;
	from = s->replay_from;
	spin_unlock(&s->lock);
	if (!online)
		goto out;

	pcn_session_trim_locked(s);
	list_for_each_entry(e, &s->log, list) {
		if (pcn_seq_before(e->msg.hdr.seq, from))
			continue;
		ret = pcn_session_xmit_entry(node, t, e);
		if (ret)
			break;
		n += e->has_msg;
		pages += !!e->page;
	}
	if (ret) {
		pcn_session_drop_link(node, t, ret);
		goto out;
	}
	if (resumed) {
		pcn_stat_inc(sessions_resumed);
		pcn_stat_add(msgs_resent, n);
		pr_info("node %d: link back, session resumed (%u messages, %u page writes sent again)\n",
			node->nid, n, pages);
	}
	/* Unless this link was lost meanwhile. */
	spin_lock(&s->lock);
	online = s->link == link && s->rx_ready;
	if (online) {
		spin_lock(&node->lock);
		node->state = PCN_NODE_ONLINE;
		spin_unlock(&node->lock);
	}
	spin_unlock(&s->lock);
	if (online)
		pcn_node_announce(node);
	wake_up_all(&s->wait);
out:
	mutex_unlock(&s->tx_lock);
	pcn_node_transport_unlock(idx);
}

/**
 * pcn_session_link_up - a transport's new link is ready
 * @node: the peer
 * @t: its transport
 *
 * Sends our SESSION, the link's first message, and judges once the
 * peer's is here too. Called with the transport's link lock held.
 */
void pcn_session_link_up(struct pcn_node *node, struct pcn_transport *t)
{
	struct pcn_session *s = &node->session;
	struct {
		struct pcn_kmsg_hdr hdr;
		struct pcn_kmsg_session body;
	} __packed msg;
	bool lost = false;
	int ret;

	/* tx_lock first: no replay may overtake our SESSION. */
	mutex_lock(&s->tx_lock);
	spin_lock(&s->lock);
	s->mine.sid = s->tx_sid;
	s->mine.seen_sid = s->rx_sid;
	s->mine.rx_next = s->rx_next;
	s->mine.flags = 0;
	s->sent_mine = true;
	msg.body = s->mine;
	if (s->got_peer)
		lost = pcn_session_judge_locked(node);
	spin_unlock(&s->lock);
	if (lost)
		pcn_session_lost(node, "the peer does not know it");
	pcn_kmsg_fill_hdr(&msg.hdr, PCN_KMSG_TYPE_SESSION, sizeof(msg.body));
	ret = t->send(node, &msg.hdr, &msg.body);
	if (ret)
		pcn_session_drop_link(node, t, ret);
	mutex_unlock(&s->tx_lock);
}

/* The peer's SESSION: once per link, then judged. */
static int pcn_session_rx_session(struct pcn_node *node,
				  const struct pcn_kmsg_session *p)
{
	struct pcn_session *s = &node->session;
	bool lost = false;
	int ret = 0;

	spin_lock(&s->lock);
	if (s->got_peer || !p->sid || p->flags) {
		ret = -EPROTO;
	} else {
		s->peer = *p;
		s->got_peer = true;
		if (s->sent_mine)
			lost = pcn_session_judge_locked(node);
	}
	spin_unlock(&s->lock);
	if (lost)
		pcn_session_lost(node, "the peer does not know it");
	return ret;
}

/**
 * pcn_session_rx - the session's part of receiving a message
 * @rx: as the transport delivers it
 *
 * Return: 0 to deliver it, 1 when the session consumed it (a SESSION, an
 * ACK, a duplicate: the caller releases it), -EPROTO when it broke the
 * protocol.
 */
int pcn_session_rx(struct pcn_kmsg_rx *rx)
{
	const struct pcn_kmsg_hdr *hdr = &rx->msg->hdr;
	struct pcn_node *node = rx->from;
	struct pcn_session *s = &node->session;
	bool ack_now, ack_later, data = false;
	u32 seq;
	int ret;

	if (hdr->type == PCN_KMSG_TYPE_SESSION)
		return pcn_session_rx_session(node,
				(const struct pcn_kmsg_session *)rx->msg->payload) ?: 1;

	spin_lock(&s->lock);
	ret = -EPROTO;
	if (!s->rx_ready || pcn_session_acked_locked(s, hdr->ack))
		goto out;
	/* The transports' own types do not come this far, but these. */
	if ((pcn_kmsg_types[hdr->type].flags & PCN_KMSG_T_TRANSPORT) &&
	    hdr->type != PCN_KMSG_TYPE_ACK &&
	    hdr->type != PCN_KMSG_TYPE_PAGE_DATA)
		goto out;
	ret = 1;
	data = hdr->type == PCN_KMSG_TYPE_PAGE_DATA;
	if (hdr->type == PCN_KMSG_TYPE_ACK || data)
		goto out;
	/* A message carried by an immediate has no number: the next one. */
	seq = hdr->seq ?: s->rx_next;
	switch (pcn_seq_check(seq, s->rx_next)) {
	case PCN_SEQ_DUP:
		pcn_stat_inc(rx_dups);
		goto out;
	case PCN_SEQ_GAP:
		ret = -EPROTO;
		goto out;
	case PCN_SEQ_NEXT:
		break;
	}
	s->rx_next = pcn_seq_next(seq);
	ret = 0;
out:
	ack_now = !ret && s->rx_next - s->ack_sent >= PCN_SESSION_ACK_EVERY;
	ack_later = !ret && !ack_now;
	spin_unlock(&s->lock);
	/*
	 * Before the message it goes with, which this path delivers next.
	 * One for an exposure that is gone is dropped: its requester gave up.
	 */
	if (data)
		pcn_page_data_rx(rx);
	if (ack_now)
		mod_delayed_work(pcn_session_wq, &s->ack_work, 0);
	else if (ack_later)
		queue_delayed_work(pcn_session_wq, &s->ack_work,
				   PCN_SESSION_ACK_DELAY);
	return ret;
}

/* ---- a link lost, the grace period, death ---- */

/**
 * pcn_session_link_lost - a link of a session went down
 * @node: the peer
 *
 * Return: true if the node is RECONNECTING in its grace period now,
 * false if there is no session to keep (the caller gives the peer up).
 */
bool pcn_session_link_lost(struct pcn_node *node)
{
	struct pcn_session *s = &node->session;
	bool grace;

	spin_lock(&s->lock);
	s->link++;
	s->sent_mine = false;
	s->got_peer = false;
	s->rx_ready = false;
	grace = s->rx_sid && READ_ONCE(pcn_grace_ms);
	spin_lock(&node->lock);
	if (grace)
		node->state = PCN_NODE_RECONNECTING;
	else
		node->state = PCN_NODE_DOWN;
	spin_unlock(&node->lock);
	/*
	 * The period runs from this loss: a timer left from an earlier one
	 * (judged since, see pcn_session_judge_locked()) is moved.
	 */
	if (grace && !s->in_grace) {
		s->in_grace = true;
		mod_delayed_work(pcn_session_wq, &s->grace_work,
				 msecs_to_jiffies(READ_ONCE(pcn_grace_ms)));
	}
	spin_unlock(&s->lock);
	cancel_delayed_work(&s->ack_work);
	return grace;
}

/*
 * The peer is gone for good (the grace period passed: @expiring; or it
 * was removed): the session is lost, the next link starts a new one.
 * Returns false if @expiring and the link came back meanwhile; *@judging
 * (if not NULL) tells whether a link was in its SESSION exchange.
 */
static bool pcn_session_finish(struct pcn_node *node, const char *why,
			       bool expiring, bool *judging, bool *had_one)
{
	struct pcn_session *s = &node->session;
	bool had;

	mutex_lock(&s->tx_lock);
	spin_lock(&s->lock);
	if (expiring && !s->in_grace) {
		spin_unlock(&s->lock);
		mutex_unlock(&s->tx_lock);
		return false;
	}
	if (judging)
		*judging = s->sent_mine;
	had = s->rx_sid != 0;
	s->in_grace = false;
	/*
	 * A link in its SESSION exchange is dropped by the caller. The next
	 * link starts from nothing (a SESSION left from this one would make
	 * the next one's look like a second).
	 */
	s->sent_mine = false;
	s->got_peer = false;
	s->rx_ready = false;
	s->rx_sid = 0;
	s->tx_sid = pcn_session_new_sid();
	s->rx_next = 1;
	s->ack_sent = 1;
	pcn_session_restart_tx_locked(s);
	spin_lock(&node->lock);
	if (node->state == PCN_NODE_RECONNECTING)
		node->state = PCN_NODE_CONNECTING;
	spin_unlock(&node->lock);
	spin_unlock(&s->lock);
	pcn_session_clear_locked(s);
	mutex_unlock(&s->tx_lock);
	if (had)
		pcn_session_lost(node, why);
	if (had_one)
		*had_one = had;
	return true;
}

/* Returns whether there was a session to lose (and it said so). */
bool pcn_session_end(struct pcn_node *node, const char *why)
{
	bool had;

	pcn_session_finish(node, why, false, NULL, &had);
	return had;
}

static void pcn_session_grace_fn(struct work_struct *work)
{
	struct pcn_session *s = container_of(to_delayed_work(work),
					     struct pcn_session, grace_work);
	struct pcn_node *node = container_of(s, struct pcn_node, session);
	struct pcn_transport *t;
	bool judging;
	int idx;

	if (!pcn_session_finish(node, "no link within the grace period", true,
				&judging, NULL))
		return;
	/* A link mid-SESSION said what we just forgot: it must go. */
	if (!judging)
		return;
	t = pcn_node_transport_lock(node, &idx);
	if (t) {
		if (t->drop)
			t->drop(node);
		pcn_node_transport_unlock(idx);
	}
}

/* ---- life cycle ---- */

void pcn_session_init(struct pcn_node *node)
{
	struct pcn_session *s = &node->session;

	mutex_init(&s->tx_lock);
	INIT_LIST_HEAD(&s->log);
	spin_lock_init(&s->lock);
	init_waitqueue_head(&s->wait);
	s->tx_sid = pcn_session_new_sid();
	s->tx_next = 1;
	s->acked = 1;
	s->rx_next = 1;
	s->ack_sent = 1;
	INIT_WORK(&s->replay_work, pcn_session_replay_fn);
	INIT_WORK(&s->trim_work, pcn_session_trim_fn);
	INIT_DELAYED_WORK(&s->ack_work, pcn_session_ack_fn);
	INIT_DELAYED_WORK(&s->grace_work, pcn_session_grace_fn);
}

/* The node is being removed; its transport is unbound, nothing queues. */
void pcn_session_stop(struct pcn_node *node)
{
	struct pcn_session *s = &node->session;

	cancel_delayed_work_sync(&s->grace_work);
	cancel_delayed_work_sync(&s->ack_work);
	cancel_work_sync(&s->replay_work);
	cancel_work_sync(&s->trim_work);
	mutex_lock(&s->tx_lock);
	pcn_session_clear_locked(s);
	mutex_unlock(&s->tx_lock);
}

int pcn_session_sys_init(void)
{
	pcn_session_wq = alloc_workqueue("pcn_session", WQ_UNBOUND, 0);
	return pcn_session_wq ? 0 : -ENOMEM;
}
