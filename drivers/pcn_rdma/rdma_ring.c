// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn RDMA transport: the control-message ring.
 *
 * Each side of a connection owns a receive ring of nslots slots of
 * PCN_KMSG_MAX_SIZE bytes. A sender reserves a sequence number without a
 * lock (pcn_ring_reserve), copies the message into its own send slot and
 * puts it into the peer's slot seq % nslots:
 *  - WRITE_IMM mode: RDMA WRITE_WITH_IMM into the peer's ring, registered
 *    for REMOTE_WRITE over exactly its slots; the immediate names the slot
 *    and consumes one zero-length receive at the peer;
 *  - SEND mode (iWARP has no immediate data): SEND into the peer's ring
 *    slots, which are its pre-posted receive buffers.
 * A page reply (kmsg_imm.c) takes no slot: it is the immediate of the
 * page's WRITE_WITH_IMM, with PCN_RDMA_IMM_MSG set, and consumes one of
 * PCN_RDMA_IMM_RECVS receives posted beyond the slots' own.
 * Every header carries the sender's count of consumed slots (hdr.credits);
 * a CREDIT message goes out only when credits pile up with no traffic to
 * carry them. A full ring makes senders wait (back-pressure), never drops.
 *
 * Received messages are copied out of the ring before delivery, so a slot
 * is free again as soon as its completion has been handled and a slow
 * handler never holds the ring. Completions run in process context
 * (IB_POLL_WORKQUEUE), one at a time per CQ.
 */
#define pr_fmt(fmt) "pcn_rdma: " fmt

#include <linux/delay.h>
#include <linux/slab.h>
#include "rdma.h"

#define PCN_RDMA_SEND_TIMEOUT	(30 * HZ)

/* A received message, copied out of its ring slot. */
struct pcn_rdma_rx {
	struct pcn_kmsg_rx rx;
	struct pcn_kmsg msg;
};

static void pcn_rdma_rx_imm_done(struct ib_cq *cq, struct ib_wc *wc);
static void pcn_rdma_rx_send_done(struct ib_cq *cq, struct ib_wc *wc);
static void pcn_rdma_tx_done(struct ib_cq *cq, struct ib_wc *wc);

static void pcn_rdma_slots_free(struct pcn_rdma_conn *conn,
				struct pcn_rdma_slot *slots,
				enum dma_data_direction dir)
{
	u32 i;

	if (!slots)
		return;
	for (i = 0; i < conn->nslots; i++) {
		if (!slots[i].buf)
			break;
		ib_dma_unmap_single(conn->dev, slots[i].dma, PCN_RDMA_SLOT_SIZE,
				    dir);
		kfree(slots[i].buf);
	}
	kfree(slots);
}

static struct pcn_rdma_slot *pcn_rdma_slots_alloc(struct pcn_rdma_conn *conn,
						  enum dma_data_direction dir,
						  void (*done)(struct ib_cq *,
							       struct ib_wc *))
{
	struct pcn_rdma_slot *slots;
	u32 i;

	slots = kcalloc(conn->nslots, sizeof(*slots), GFP_KERNEL);
	if (!slots)
		return NULL;
	for (i = 0; i < conn->nslots; i++) {
		struct pcn_rdma_slot *s = &slots[i];
		/* kmalloc of a power of two is naturally aligned: page aligned */
		void *buf = kmalloc(PCN_RDMA_SLOT_SIZE, GFP_KERNEL);

		if (!buf)
			goto fail;
		s->dma = ib_dma_map_single(conn->dev, buf, PCN_RDMA_SLOT_SIZE,
					   dir);
		if (ib_dma_mapping_error(conn->dev, s->dma)) {
			kfree(buf);
			goto fail;
		}
		s->buf = buf;
		s->cqe.done = done;
		s->conn = conn;
		s->index = i;
	}
	return slots;
fail:
	pcn_rdma_slots_free(conn, slots, dir);
	return NULL;
}

static void *pcn_rdma_ctrl_alloc(struct pcn_rdma_conn *conn, u64 *dma,
				 enum dma_data_direction dir)
{
	void *buf = kzalloc(PCN_RDMA_CTRL_SIZE, GFP_KERNEL);

	if (!buf)
		return NULL;
	*dma = ib_dma_map_single(conn->dev, buf, PCN_RDMA_CTRL_SIZE, dir);
	if (ib_dma_mapping_error(conn->dev, *dma)) {
		kfree(buf);
		return NULL;
	}
	return buf;
}

static void pcn_rdma_ctrl_free(struct pcn_rdma_conn *conn, void *buf, u64 dma,
			       enum dma_data_direction dir)
{
	if (!buf)
		return;
	ib_dma_unmap_single(conn->dev, dma, PCN_RDMA_CTRL_SIZE, dir);
	kfree(buf);
}

int pcn_rdma_ring_alloc(struct pcn_rdma_conn *conn)
{
	conn->rx_ring.nslots = conn->nslots;
	conn->rx_ring.freed = 0;
	conn->rx_ring.done = bitmap_zalloc(conn->nslots, GFP_KERNEL);
	conn->rx = pcn_rdma_slots_alloc(conn, DMA_FROM_DEVICE,
					 pcn_rdma_rx_send_done);
	conn->tx = pcn_rdma_slots_alloc(conn, DMA_TO_DEVICE, pcn_rdma_tx_done);
	conn->rx_imm_cqe.done = pcn_rdma_rx_imm_done;
	pcn_ring_tx_init(&conn->tx_ring, conn->nslots, 0);
	conn->ctrl_rx = pcn_rdma_ctrl_alloc(conn, &conn->ctrl_rx_dma,
					    DMA_FROM_DEVICE);
	conn->ctrl_tx = pcn_rdma_ctrl_alloc(conn, &conn->ctrl_tx_dma,
					    DMA_TO_DEVICE);
	if (!conn->rx_ring.done || !conn->rx || !conn->tx || !conn->ctrl_rx ||
	    !conn->ctrl_tx)
		return -ENOMEM;
	return 0;
}

void pcn_rdma_ring_free(struct pcn_rdma_conn *conn)
{
	if (conn->rx_mr)
		ib_dereg_mr(conn->rx_mr);
	conn->rx_mr = NULL;
	kfree(conn->rx_sg);
	conn->rx_sg = NULL;
	pcn_rdma_slots_free(conn, conn->rx, DMA_FROM_DEVICE);
	pcn_rdma_slots_free(conn, conn->tx, DMA_TO_DEVICE);
	conn->rx = NULL;
	conn->tx = NULL;
	bitmap_free(conn->rx_ring.done);
	conn->rx_ring.done = NULL;
	pcn_rdma_ctrl_free(conn, conn->ctrl_rx, conn->ctrl_rx_dma,
			   DMA_FROM_DEVICE);
	pcn_rdma_ctrl_free(conn, conn->ctrl_tx, conn->ctrl_tx_dma,
			   DMA_TO_DEVICE);
	conn->ctrl_rx = NULL;
	conn->ctrl_tx = NULL;
}

static void pcn_rdma_reg_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct pcn_rdma_conn *conn =
		container_of(wc->wr_cqe, struct pcn_rdma_conn, reg_cqe);

	conn->reg_status = wc->status;
	complete(&conn->reg_done);
}

/*
 * WRITE_IMM mode, at setup: a fast-registration MR over the receive slots
 * and nothing else. It is registered (pcn_rdma_ring_announce) only once the
 * queue pair can send.
 */
int pcn_rdma_ring_map(struct pcn_rdma_conn *conn)
{
	u32 pages_per_slot = PCN_RDMA_SLOT_SIZE / PAGE_SIZE;
	struct ib_mr *mr;
	u32 i;
	int n;

	conn->rx_sg = kcalloc(conn->nslots, sizeof(*conn->rx_sg), GFP_KERNEL);
	if (!conn->rx_sg)
		return -ENOMEM;
	sg_init_table(conn->rx_sg, conn->nslots);
	for (i = 0; i < conn->nslots; i++) {
		sg_dma_address(&conn->rx_sg[i]) = conn->rx[i].dma;
		sg_dma_len(&conn->rx_sg[i]) = PCN_RDMA_SLOT_SIZE;
	}
	mr = ib_alloc_mr(conn->pd, IB_MR_TYPE_MEM_REG,
			 conn->nslots * pages_per_slot);
	if (IS_ERR(mr))
		return PTR_ERR(mr);
	conn->rx_mr = mr;
	n = ib_map_mr_sg(mr, conn->rx_sg, conn->nslots, NULL, PAGE_SIZE);
	if (n != conn->nslots)
		return n < 0 ? n : -EINVAL;
	pcn_rdma_mr_hide_iova(mr, conn->gen);
	return 0;
}

static void pcn_rdma_ctrl_tx_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct pcn_rdma_conn *conn =
		container_of(wc->wr_cqe, struct pcn_rdma_conn, ctrl_tx_cqe);

	if (wc->status != IB_WC_SUCCESS && wc->status != IB_WC_WR_FLUSH_ERR)
		pcn_rdma_conn_fail(conn, ib_wc_status_msg(wc->status));
}

/* WRITE_IMM mode: register the ring for remote write with a fresh key. */
static int pcn_rdma_ring_register(struct pcn_rdma_conn *conn)
{
	struct ib_reg_wr wr = {};
	int ret;

	ib_update_fast_reg_key(conn->rx_mr, ib_inc_rkey(conn->rx_mr->rkey));
	init_completion(&conn->reg_done);
	conn->reg_cqe.done = pcn_rdma_reg_done;
	wr.wr.opcode = IB_WR_REG_MR;
	wr.wr.wr_cqe = &conn->reg_cqe;
	wr.wr.send_flags = IB_SEND_SIGNALED;
	wr.mr = conn->rx_mr;
	wr.key = conn->rx_mr->rkey;
	wr.access = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE;
	ret = ib_post_send(conn->qp, &wr.wr, NULL);
	if (ret)
		return ret;
	if (!wait_for_completion_timeout(&conn->reg_done, 10 * HZ))
		return -ETIMEDOUT;	/* drained at teardown */
	if (conn->reg_status != IB_WC_SUCCESS)
		return -EIO;
	/* Open to remote writes from here until the MR is deregistered. */
	atomic64_inc(&pcn_rdma_transport.remote_regions);
	atomic64_add(conn->nslots * PCN_RDMA_SLOT_SIZE,
		     &pcn_rdma_transport.remote_bytes);
	conn->ring_counted = true;
	return 0;
}

/*
 * Once established, before anything else: in WRITE_IMM mode register the
 * ring for remote write with a fresh key and wait until that has executed;
 * then tell the peer where it is (SEND mode: nothing to tell) and, from
 * the dialler, prove the cluster key. Called from the rdma_cm handler;
 * completions run elsewhere.
 */
int pcn_rdma_ring_announce(struct pcn_rdma_conn *conn)
{
	struct pcn_rdma_ring_info *info = conn->ctrl_tx;
	struct ib_send_wr swr = {};
	struct ib_sge sge;
	int ret;

	memset(info, 0, sizeof(*info));
	if (conn->mode == PCN_RDMA_WRITE_IMM) {
		ret = pcn_rdma_ring_register(conn);
		if (ret)
			return ret;
		info->rkey = conn->rx_mr->rkey;
		info->addr = conn->rx_mr->iova;
	}
	info->magic = PCN_KMSG_MAGIC;
	info->slots = conn->nslots;
	info->gen = conn->gen;
	if (conn->peer->link.dialler && conn->auth.keyed)
		memcpy(info->mac, conn->auth.mine, sizeof(info->mac));
	ib_dma_sync_single_for_device(conn->dev, conn->ctrl_tx_dma,
				      sizeof(*info), DMA_TO_DEVICE);
	sge.addr = conn->ctrl_tx_dma;
	sge.length = sizeof(*info);
	sge.lkey = conn->pd->local_dma_lkey;
	conn->ctrl_tx_cqe.done = pcn_rdma_ctrl_tx_done;
	swr.opcode = IB_WR_SEND;
	swr.wr_cqe = &conn->ctrl_tx_cqe;
	swr.sg_list = &sge;
	swr.num_sge = 1;
	swr.send_flags = IB_SEND_SIGNALED;
	return ib_post_send(conn->qp, &swr, NULL);
}

/*
 * The peer's ring_info, copied out of @buf once (the peer cannot change
 * what is checked). Returns NULL, or why the peer broke the protocol. A
 * wrong proof of the cluster key ends the connection on its own count
 * (hs_refused), and NULL is returned: the caller sees it dead.
 */
static const char *pcn_rdma_rx_ring_info(struct pcn_rdma_conn *conn,
					 const void *buf, u32 byte_len)
{
	struct pcn_rdma_ring_info info;
	struct pcn_node *node = conn->peer->link.node;

	if (byte_len != sizeof(info) ||
	    (atomic_read(&conn->ready) & PCN_RDMA_READY_RING))
		return "bad ring description";
	memcpy(&info, buf, sizeof(info));
	if (info.magic != PCN_KMSG_MAGIC || info.slots != conn->nslots ||
	    !info.gen || info.reserved)
		return "bad ring description";
	/* The dialler checked our proof in the accept; we check its here. */
	if (!conn->peer->link.dialler &&
	    pcn_auth_check(&conn->auth, info.mac, node->addr)) {
		pcn_rdma_conn_fail(conn, "wrong cluster key");
		return NULL;
	}
	if (conn->mode == PCN_RDMA_WRITE_IMM) {
		conn->remote_addr = info.addr;
		conn->remote_rkey = info.rkey;
	}
	/* Before any message of the peer's, which may name its keys. */
	WRITE_ONCE(conn->peer_gen, info.gen);
	if (conn->peer->link.dialler)
		return NULL;
	/*
	 * The acceptor's peer is proven now: the release pairs with the
	 * acquire in the receive paths (rdma.h).
	 */
	smp_store_release(&conn->proven, true);
	return NULL;
}

static int pcn_rdma_post_recv(struct pcn_rdma_conn *conn, u32 slot)
{
	struct ib_recv_wr wr = {};
	struct ib_sge sge;

	if (conn->mode == PCN_RDMA_WRITE_IMM) {
		/*
		 * A WRITE_WITH_IMM only consumes the receive (its data lands
		 * in the ring); the buffer takes the one ring_info SEND.
		 */
		sge.addr = conn->ctrl_rx_dma;
		sge.length = PCN_RDMA_CTRL_SIZE;
		sge.lkey = conn->pd->local_dma_lkey;
		wr.wr_cqe = &conn->rx_imm_cqe;
	} else {
		sge.addr = conn->rx[slot].dma;
		sge.length = PCN_RDMA_SLOT_SIZE;
		sge.lkey = conn->pd->local_dma_lkey;
		wr.wr_cqe = &conn->rx[slot].cqe;
	}
	wr.sg_list = &sge;
	wr.num_sge = 1;
	return ib_post_recv(conn->qp, &wr, NULL);
}

int pcn_rdma_ring_post_recvs(struct pcn_rdma_conn *conn)
{
	u32 i;
	int ret;

	/* SEND mode: nrecvs == nslots, receive i is slot i. */
	for (i = 0; i < conn->nrecvs; i++) {
		ret = pcn_rdma_post_recv(conn, i);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- send ---- */

static bool pcn_rdma_dead(struct pcn_rdma_conn *conn)
{
	return READ_ONCE(conn->state) == PCN_RDMA_DEAD;
}

/*
 * Post one message. May sleep waiting for credits (back-pressure) unless
 * it is a CREDIT message, which uses the slot kept for it or gives up.
 */
int pcn_rdma_ring_send(struct pcn_rdma_conn *conn,
		       const struct pcn_kmsg_hdr *hdr, const void *payload)
{
	bool credit = hdr->type == PCN_KMSG_TYPE_CREDIT;
	size_t len = sizeof(*hdr) + hdr->size;
	struct pcn_rdma_slot *slot;
	struct pcn_kmsg_hdr *h;
	struct ib_rdma_wr wr = {};
	struct ib_sge sge;
	long left;
	u32 seq, idx;
	int ret;

	if (credit) {
		if (pcn_ring_reserve(&conn->tx_ring, true, &seq))
			return -EAGAIN;
	} else if (pcn_ring_reserve(&conn->tx_ring, false, &seq)) {
		/* Back-pressure: the peer has not freed enough slots yet. */
		atomic64_inc(&pcn_rdma_transport.tx_stalls);
		left = wait_event_killable_timeout(conn->tx_wait,
				pcn_rdma_dead(conn) ||
				!pcn_ring_reserve(&conn->tx_ring, false, &seq),
				PCN_RDMA_SEND_TIMEOUT);
		if (left < 0)
			return left;
		if (!left) {
			pcn_rdma_conn_fail(conn, "peer returns no credits");
			return -ETIMEDOUT;
		}
	}
	if (pcn_rdma_dead(conn))
		return -ENOTCONN;

	idx = seq % conn->nslots;
	slot = &conn->tx[idx];
	/* Rare: the send that used this slot nslots ago has not completed. */
	wait_event(conn->tx_wait, !atomic_read(&slot->busy) || pcn_rdma_dead(conn));
	if (pcn_rdma_dead(conn))
		return -ENOTCONN;
	atomic_set(&slot->busy, 1);

	h = slot->buf;
	memcpy(h, hdr, sizeof(*hdr));
	h->credits = READ_ONCE(conn->rx_ring.freed);
	WRITE_ONCE(conn->rx_reported, h->credits);
	if (hdr->size)
		memcpy(h + 1, payload, hdr->size);
	ib_dma_sync_single_for_device(conn->dev, slot->dma, len, DMA_TO_DEVICE);

	sge.addr = slot->dma;
	sge.length = len;
	sge.lkey = conn->pd->local_dma_lkey;
	wr.wr.wr_cqe = &slot->cqe;
	wr.wr.sg_list = &sge;
	wr.wr.num_sge = 1;
	wr.wr.send_flags = IB_SEND_SIGNALED;
	if (conn->mode == PCN_RDMA_WRITE_IMM) {
		wr.wr.opcode = IB_WR_RDMA_WRITE_WITH_IMM;
		wr.wr.ex.imm_data = cpu_to_be32(idx);
		wr.remote_addr = conn->remote_addr + (u64)idx * PCN_RDMA_SLOT_SIZE;
		wr.rkey = conn->remote_rkey;
	} else {
		wr.wr.opcode = IB_WR_SEND;
	}
	WRITE_ONCE(conn->tx_count, conn->tx_count + 1);
	ret = ib_post_send(conn->qp, &wr.wr, NULL);
	if (ret) {
		/* The sequence number is lost: the ring cannot go on. */
		atomic_set(&slot->busy, 0);
		pcn_rdma_conn_fail(conn, "post send failed");
	}
	return ret;
}

static void pcn_rdma_tx_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct pcn_rdma_slot *slot =
		container_of(wc->wr_cqe, struct pcn_rdma_slot, cqe);
	struct pcn_rdma_conn *conn = slot->conn;

	atomic_set(&slot->busy, 0);
	wake_up_all(&conn->tx_wait);
	if (wc->status != IB_WC_SUCCESS && wc->status != IB_WC_WR_FLUSH_ERR)
		pcn_rdma_conn_fail(conn, ib_wc_status_msg(wc->status));
}

/* -EAGAIN when the slot kept for it is taken: a grant re-queues us. */
static int pcn_rdma_send_credit(struct pcn_rdma_conn *conn)
{
	struct pcn_kmsg_hdr hdr = {
		.magic = PCN_KMSG_MAGIC,
		.version = PCN_KMSG_VERSION,
		.from_nid = pcn_my_nid(),
		.type = PCN_KMSG_TYPE_CREDIT,
	};

	return pcn_rdma_ring_send(conn, &hdr, NULL);
}

void pcn_rdma_credit_work(struct work_struct *work)
{
	struct pcn_rdma_conn *conn =
		container_of(work, struct pcn_rdma_conn, credit_work);

	if (READ_ONCE(conn->state) == PCN_RDMA_LIVE &&
	    pcn_ring_credit_due(READ_ONCE(conn->rx_ring.freed),
				READ_ONCE(conn->rx_reported), conn->nslots))
		pcn_rdma_send_credit(conn);
}

/*
 * Heartbeat. Every PCN_RDMA_KEEPALIVE a link that sent nothing since the
 * last round sends a CREDIT message, so a live peer is never silent for
 * long. We do not rely on the RC transport's retries to notice a peer that
 * went away: Soft-RoCE does not report a retry error on a link that merely
 * stopped answering. A peer we heard nothing from for PCN_RDMA_SILENT_LIMIT
 * is declared dead here instead: its connection fails, waiting requests
 * fail with it, and the dialler redials.
 */
void pcn_rdma_keepalive_work(struct work_struct *work)
{
	struct pcn_rdma_conn *conn = container_of(to_delayed_work(work),
						  struct pcn_rdma_conn,
						  keepalive_work);
	u32 sent = READ_ONCE(conn->tx_count);

	if (READ_ONCE(conn->state) != PCN_RDMA_LIVE)
		return;
	if (time_after(jiffies,
		       READ_ONCE(conn->last_rx) + PCN_RDMA_SILENT_LIMIT)) {
		pcn_rdma_conn_fail(conn, "peer silent");
		return;
	}
	if (sent == conn->keepalive_seen)
		pcn_rdma_send_credit(conn);
	conn->keepalive_seen = READ_ONCE(conn->tx_count);
	queue_delayed_work(pcn_rdma_wq, &conn->keepalive_work,
			   PCN_RDMA_KEEPALIVE);
}

/* ---- receive ---- */

void pcn_rdma_rx_release(struct pcn_kmsg_rx *rx)
{
	kfree(container_of(rx, struct pcn_rdma_rx, rx));
}

static void pcn_rdma_rx_credit_check(struct pcn_rdma_conn *conn);

/* Handle the message in @slot; false if it broke the protocol. */
static bool pcn_rdma_rx_message(struct pcn_rdma_conn *conn,
				struct pcn_rdma_slot *slot, u32 byte_len)
{
	struct pcn_node *node = conn->peer->link.node;
	struct pcn_kmsg_hdr hdr;
	struct pcn_rdma_rx *rx;
	bool ok = true;
	int ret;

	/* Nothing from a peer that has not proved itself (rdma.h). */
	if (!smp_load_acquire(&conn->proven))
		return false;
	ib_dma_sync_single_for_cpu(conn->dev, slot->dma, PCN_RDMA_SLOT_SIZE,
				   DMA_FROM_DEVICE);
	if (unlikely(READ_ONCE(pcn_rdma_rx_delay_us)))
		usleep_range(pcn_rdma_rx_delay_us, pcn_rdma_rx_delay_us + 100);
	if (byte_len < sizeof(hdr))
		return false;
	/*
	 * In WRITE_IMM mode the peer can still write the slot: the header is
	 * read once into @hdr and checked there, the payload copied once
	 * with the checked size; nothing is read from the slot twice.
	 */
	memcpy(&hdr, slot->buf, sizeof(hdr));
	if (pcn_kmsg_validate(&hdr, node->nid) ||
	    hdr.type == PCN_KMSG_TYPE_HELLO || hdr.type == PCN_KMSG_TYPE_AUTH ||
	    byte_len < sizeof(hdr) + hdr.size)
		return false;
	/* A grant for slots we never sent is a protocol error too. */
	ret = pcn_ring_grant(&conn->tx_ring, hdr.credits);
	if (ret < 0)
		return false;
	if (ret > 0) {
		wake_up_all(&conn->tx_wait);
		/* A CREDIT message of ours may have waited for this grant. */
		pcn_rdma_rx_credit_check(conn);
	}
	/*
	 * A link that is gone (maybe replaced already) delivers nothing: the
	 * session continues on the next one, which must not see this message
	 * out of its order (PROTOCOL.md G22).
	 */
	if (hdr.type == PCN_KMSG_TYPE_CREDIT ||
	    READ_ONCE(conn->state) == PCN_RDMA_DEAD)
		goto done;

	rx = kmalloc(sizeof(*rx) + hdr.size, GFP_KERNEL);
	if (!rx) {
		/* Cannot drop it silently: end the link, the peer retries. */
		pcn_rdma_conn_fail(conn, "out of memory");
		goto done;
	}
	rx->msg.hdr = hdr;
	memcpy(rx->msg.payload, slot->buf + sizeof(hdr), hdr.size);
	rx->rx.msg = &rx->msg;
	rx->rx.from = node;
	rx->rx.transport = &pcn_rdma_transport;
	ok = !pcn_kmsg_deliver(&rx->rx);
done:
	/* The slot goes back to the peer. */
	ib_dma_sync_single_for_device(conn->dev, slot->dma, PCN_RDMA_SLOT_SIZE,
				      DMA_FROM_DEVICE);
	return ok;
}

/*
 * A message that came as the immediate of a page write (its data is in
 * our exposure by now); false if no peer may send that immediate.
 */
static bool pcn_rdma_rx_imm_message(struct pcn_rdma_conn *conn, u32 imm)
{
	struct pcn_node *node = conn->peer->link.node;
	struct pcn_rdma_rx *rx;

	/* Pairs with the stores that mark the peer proven (rdma.h). */
	if (!smp_load_acquire(&conn->proven))
		return false;
	/* As in pcn_rdma_rx_message(): nothing from a link that is gone. */
	if (READ_ONCE(conn->state) == PCN_RDMA_DEAD)
		return true;
	rx = kmalloc(sizeof(*rx) + PCN_KMSG_IMM_PAYLOAD, GFP_KERNEL);
	if (!rx) {
		pcn_rdma_conn_fail(conn, "out of memory");
		return true;
	}
	if (pcn_kmsg_from_imm(imm, node->nid, &rx->msg)) {
		kfree(rx);
		return false;
	}
	rx->rx.msg = &rx->msg;
	rx->rx.from = node;
	rx->rx.transport = &pcn_rdma_transport;
	return !pcn_kmsg_deliver(&rx->rx);
}

static void pcn_rdma_rx_error(struct pcn_rdma_conn *conn, struct ib_wc *wc)
{
	if (wc->status != IB_WC_WR_FLUSH_ERR)
		pcn_rdma_conn_fail(conn, ib_wc_status_msg(wc->status));
}

static void pcn_rdma_rx_credit_check(struct pcn_rdma_conn *conn)
{
	if (pcn_ring_credit_due(conn->rx_ring.freed,
				READ_ONCE(conn->rx_reported), conn->nslots))
		queue_work(pcn_rdma_wq, &conn->credit_work);
}

/* A receive that cannot be reposted is a credit lost: end the link. */
static void pcn_rdma_repost(struct pcn_rdma_conn *conn, u32 slot)
{
	if (pcn_rdma_post_recv(conn, slot))
		pcn_rdma_conn_fail(conn, "post recv failed");
}

/*
 * The peer's ring_info in receive buffer @buf (@size bytes at @dma):
 * checked; then receive @slot goes back and the ring is known.
 */
static const char *pcn_rdma_rx_setup(struct pcn_rdma_conn *conn, void *buf,
				     u64 dma, u32 size, u32 slot, u32 byte_len)
{
	const char *why;

	ib_dma_sync_single_for_cpu(conn->dev, dma, size, DMA_FROM_DEVICE);
	why = pcn_rdma_rx_ring_info(conn, buf, byte_len);
	ib_dma_sync_single_for_device(conn->dev, dma, size, DMA_FROM_DEVICE);
	if (!why && !pcn_rdma_dead(conn)) {
		pcn_rdma_repost(conn, slot);
		pcn_rdma_conn_ready(conn, PCN_RDMA_READY_RING);
	}
	return why;
}

/*
 * WRITE_IMM mode: the immediate names the slot the peer wrote; a plain
 * RECV is the peer's ring_info. Returns NULL, or why the peer broke the
 * protocol.
 */
static const char *pcn_rdma_rx_imm(struct pcn_rdma_conn *conn,
				   struct ib_wc *wc)
{
	u32 idx = be32_to_cpu(wc->ex.imm_data);

	if (wc->opcode == IB_WC_RECV)
		return pcn_rdma_rx_setup(conn, conn->ctrl_rx, conn->ctrl_rx_dma,
					 PCN_RDMA_CTRL_SIZE, 0, wc->byte_len);
	if (wc->opcode != IB_WC_RECV_RDMA_WITH_IMM ||
	    !(wc->wc_flags & IB_WC_WITH_IMM))
		return "bad ring notification";
	if (!(atomic_read(&conn->ready) & PCN_RDMA_READY_RING))
		return "ring message before the ring was described";
	if (idx & PCN_RDMA_IMM_MSG) {
		if (!pcn_rdma_rx_imm_message(conn, idx & ~PCN_RDMA_IMM_MSG))
			return "bad message in an immediate";
		pcn_rdma_repost(conn, 0);
		return NULL;
	}
	if (idx >= conn->nslots)
		return "bad ring notification";
	if (!pcn_rdma_rx_message(conn, &conn->rx[idx], wc->byte_len))
		return "invalid message";
	if (pcn_ring_rx_consume(&conn->rx_ring, idx) < 0)
		return "ring slot used twice";
	pcn_rdma_repost(conn, 0);
	pcn_rdma_rx_credit_check(conn);
	return NULL;
}

/* SEND mode: the message is in the receive buffer, which is the slot. */
static const char *pcn_rdma_rx_send(struct pcn_rdma_conn *conn,
				    struct pcn_rdma_slot *slot,
				    struct ib_wc *wc)
{
	if (wc->opcode != IB_WC_RECV)
		return "unexpected receive";
	/* The first SEND is the peer's ring_info; it takes no credit. */
	if (!(atomic_read(&conn->ready) & PCN_RDMA_READY_RING))
		return pcn_rdma_rx_setup(conn, slot->buf, slot->dma,
					 PCN_RDMA_SLOT_SIZE, slot->index,
					 wc->byte_len);
	if (!pcn_rdma_rx_message(conn, slot, wc->byte_len))
		return "invalid message";
	pcn_rdma_repost(conn, slot->index);
	/* Receives are reposted as they come: credits are a plain count. */
	conn->rx_ring.freed++;
	pcn_rdma_rx_credit_check(conn);
	return NULL;
}

static void pcn_rdma_rx_verdict(struct pcn_rdma_conn *conn, const char *why)
{
	if (!why)
		return;
	pcn_kmsg_bad(conn->peer->link.node, why);
	pcn_rdma_conn_fail(conn, "protocol error");
}

static void pcn_rdma_rx_imm_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct pcn_rdma_conn *conn =
		container_of(wc->wr_cqe, struct pcn_rdma_conn, rx_imm_cqe);

	if (wc->status != IB_WC_SUCCESS)
		pcn_rdma_rx_error(conn, wc);
	else if (!pcn_rdma_dead(conn))
		pcn_rdma_rx_verdict(conn, pcn_rdma_rx_imm(conn, wc));
	WRITE_ONCE(conn->last_rx, jiffies);
}

static void pcn_rdma_rx_send_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct pcn_rdma_slot *slot =
		container_of(wc->wr_cqe, struct pcn_rdma_slot, cqe);
	struct pcn_rdma_conn *conn = slot->conn;

	if (wc->status != IB_WC_SUCCESS)
		pcn_rdma_rx_error(conn, wc);
	else if (!pcn_rdma_dead(conn))
		pcn_rdma_rx_verdict(conn, pcn_rdma_rx_send(conn, slot, wc));
	WRITE_ONCE(conn->last_rx, jiffies);
}
