// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn RDMA transport: one-sided, zero-copy page transfers.
 *
 * Exposing a page (or a window of up to PCN_PAGE_WINDOW_MAX pages a read
 * fault asks for) registers exactly those pages with a fast-registration
 * MR from the queue pair's pool and a fresh key, REMOTE_WRITE for pages the
 * peer fills or REMOTE_READ for a page the peer pulls; unexposing
 * invalidates the key (LOCAL_INV) and waits for that to execute before the
 * page is unmapped. The peer moves the page with one RDMA WRITE or READ
 * straight between the two pages: no bounce buffer, no copy.
 *
 * Latency matters here (a remote page fault waits on it), so nothing waits
 * that need not:
 *  - the REG_MR of an exposure is posted unsignaled: the request naming the
 *    key goes out after it on the same send queue, and the queue executes
 *    in order; the signaled LOCAL_INV at unexpose retires both (on
 *    Soft-RoCE a fenced LOCAL_INV goes first: see pcn_rdma_page_expose());
 *  - a page write is not waited for: the reply that follows it on the same
 *    RC queue pair cannot arrive before the written data is in place, and
 *    if the write fails the queue pair fails and the reply never comes;
 *  - a page reply is no message of its own: it rides as the immediate of
 *    the page's WRITE_WITH_IMM (pcn_rdma_send_page), whose completion at
 *    the requester says the data is in place.
 * What is waited for (LOCAL_INV, reads) uses an on-stack completion; a wait
 * that outlives its timeout fails the connection, and the drain at teardown
 * then completes it, so the completion is never left behind.
 *
 * An exposure outlives its connection: the session (kernel/popcorn/
 * session.c) sends the request that names it again on the next link, so
 * the requester must not unexpose when the link drops. It keeps the PD,
 * the MR and the connection struct (conn->expos), not the queue pair.
 * Its key cannot be used on another link (another PD), and the peer knows
 * it from the link generation in the address (rdma.h): for a key of an
 * earlier link our page operations return -ESTALE and the core sends the
 * data in a message (PAGE_DATA), which the requester copies into the page
 * (pcn_rdma_page_fill()). Unexposing on a dead connection waits for its
 * queue pair to be drained: from then on nothing can write the page.
 */
#define pr_fmt(fmt) "pcn_rdma: " fmt

#include <linux/scatterlist.h>
#include "rdma.h"

#define PCN_RDMA_WR_TIMEOUT	(30 * HZ)

struct pcn_rdma_wait {
	struct ib_cqe cqe;
	struct completion done;
	enum ib_wc_status status;
};

static void pcn_rdma_wait_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct pcn_rdma_wait *w = container_of(wc->wr_cqe, struct pcn_rdma_wait,
					       cqe);

	w->status = wc->status;
	complete(&w->done);
}

/*
 * Post one signaled work request and wait for its completion. @killable:
 * a fatal signal may abandon the wait for a send queue entry; never for an
 * invalidation, which must happen whatever the caller's fate.
 */
static int pcn_rdma_post_wait(struct pcn_rdma_conn *conn,
			      struct ib_send_wr *wr, bool killable)
{
	struct pcn_rdma_wait w;
	int ret;

	if (!killable)
		down(&conn->page_wrs);
	else if (down_killable(&conn->page_wrs))
		return -EINTR;
	if (READ_ONCE(conn->state) == PCN_RDMA_DEAD) {
		ret = -ENOTCONN;
		goto out;
	}
	w.cqe.done = pcn_rdma_wait_done;
	init_completion(&w.done);
	wr->wr_cqe = &w.cqe;
	wr->send_flags |= IB_SEND_SIGNALED;
	ret = ib_post_send(conn->qp, wr, NULL);
	if (ret)
		goto out;
	if (!wait_for_completion_timeout(&w.done, PCN_RDMA_WR_TIMEOUT)) {
		pcn_rdma_conn_fail(conn, "page transfer timed out");
		wait_for_completion(&w.done);
	}
	switch (w.status) {
	case IB_WC_SUCCESS:
		ret = 0;
		break;
	case IB_WC_WR_FLUSH_ERR:
		ret = -ECONNRESET;
		break;
	case IB_WC_REM_ACCESS_ERR:
	case IB_WC_LOC_PROT_ERR:
		ret = -EACCES;
		break;
	default:
		ret = -EIO;
		break;
	}
	if (ret && ret != -ECONNRESET)
		pcn_rdma_conn_fail(conn, ib_wc_status_msg(w.status));
out:
	up(&conn->page_wrs);
	return ret;
}

/* An unsignaled REG_MR (or the LOCAL_INV before it) completes only if it failed. */
void pcn_rdma_expo_reg_failed(struct ib_cq *cq, struct ib_wc *wc)
{
	struct pcn_rdma_conn *conn =
		container_of(wc->wr_cqe, struct pcn_rdma_conn, expo_reg_cqe);

	if (wc->status != IB_WC_WR_FLUSH_ERR)
		pcn_rdma_conn_fail(conn, ib_wc_status_msg(wc->status));
}

/* The exposures' MRs: allocated with the queue pair, freed with the PD. */
int pcn_rdma_expo_mrs_alloc(struct pcn_rdma_conn *conn)
{
	struct ib_mr *mr;

	while (conn->expo_free < PCN_RDMA_PAGE_EXPOS) {
		mr = ib_alloc_mr(conn->pd, IB_MR_TYPE_MEM_REG,
				 PCN_PAGE_WINDOW_MAX);
		if (IS_ERR(mr))
			return PTR_ERR(mr);
		conn->expo_mrs[conn->expo_free++] = mr;
	}
	return 0;
}

/* Once no exposure is left: every MR is back. */
void pcn_rdma_expo_mrs_free(struct pcn_rdma_conn *conn)
{
	while (conn->expo_free)
		ib_dereg_mr(conn->expo_mrs[--conn->expo_free]);
}

/* A free MR; the caller holds one of @expo_slots, so there is one. */
static struct ib_mr *pcn_rdma_expo_mr_get(struct pcn_rdma_conn *conn)
{
	struct ib_mr *mr = NULL;

	spin_lock(&conn->expo_lock);
	if (conn->expo_free)
		mr = conn->expo_mrs[--conn->expo_free];
	spin_unlock(&conn->expo_lock);
	return mr;
}

static void pcn_rdma_expo_mr_put(struct pcn_rdma_conn *conn, struct ib_mr *mr)
{
	spin_lock(&conn->expo_lock);
	conn->expo_mrs[conn->expo_free++] = mr;
	spin_unlock(&conn->expo_lock);
}

/* Unmap the first @n pages of @e's window. */
static void pcn_rdma_expo_unmap(struct pcn_rdma_conn *conn,
				struct pcn_page_expo *e, unsigned int n)
{
	enum dma_data_direction dir = e->peer_writes ? DMA_FROM_DEVICE :
						       DMA_TO_DEVICE;

	while (n--)
		ib_dma_unmap_page(conn->dev, e->tdma[n], PCN_PAGE_SIZE, dir);
}

/*
 * One registration for the whole window of e->npages pages: one key, the
 * pages at consecutive addresses from its iova.
 */
int pcn_rdma_page_expose(struct pcn_node *node, struct pcn_page_expo *e)
{
	enum dma_data_direction dir = e->peer_writes ? DMA_FROM_DEVICE :
						       DMA_TO_DEVICE;
	struct scatterlist sg[PCN_PAGE_WINDOW_MAX];
	unsigned int i, n = e->npages;
	struct pcn_rdma_conn *conn;
	struct ib_reg_wr wr = {};
	struct ib_send_wr inv = {};
	struct ib_send_wr *first = &wr.wr;
	struct ib_mr *mr;
	int ret;

	conn = pcn_rdma_conn_get(node->tpriv);
	if (!conn)
		return -ENOTCONN;
	ret = -EINTR;
	if (down_killable(&conn->expo_slots))
		goto put;
	ret = -ENOMEM;
	mr = pcn_rdma_expo_mr_get(conn);
	if (!mr)
		goto up;
	sg_init_table(sg, n);
	for (i = 0; i < n; i++) {
		e->tdma[i] = ib_dma_map_page(conn->dev, e->pages[i], 0,
					     PCN_PAGE_SIZE, dir);
		if (ib_dma_mapping_error(conn->dev, e->tdma[i])) {
			pcn_rdma_expo_unmap(conn, e, i);
			goto mr_put;
		}
		sg_dma_address(&sg[i]) = e->tdma[i];
		sg_dma_len(&sg[i]) = PCN_PAGE_SIZE;
	}
	ret = ib_map_mr_sg(mr, sg, n, NULL, PCN_PAGE_SIZE);
	if (ret != (int)n) {
		ret = ret < 0 ? ret : -EINVAL;
		goto unmap;
	}
	pcn_rdma_mr_hide_iova(mr, conn->gen);
	/*
	 * Soft-RoCE replays local work requests: a retransmission rewinds its
	 * send queue to the oldest unacknowledged request and executes every
	 * one after it again, a REG_MR already done included, which then
	 * finds its MR valid and fails the queue pair ("not free"). rxe runs
	 * a LOCAL_INV only once every request before it has completed, so
	 * one ahead of the REG_MR (of the key the MR already has, which the
	 * last unexpose invalidated: a no-op) leaves nothing before the
	 * REG_MR that a retransmission could rewind to.
	 */
	if (conn->replays_local_ops) {
		inv.opcode = IB_WR_LOCAL_INV;
		inv.ex.invalidate_rkey = mr->rkey;
		inv.wr_cqe = &conn->expo_reg_cqe;
		inv.next = &wr.wr;
		first = &inv;
	}
	/* A fresh key: whatever the last user of this MR held is dead. */
	ib_update_fast_reg_key(mr, ib_inc_rkey(mr->rkey));
	wr.wr.opcode = IB_WR_REG_MR;
	wr.wr.wr_cqe = &conn->expo_reg_cqe;
	wr.mr = mr;
	wr.key = mr->rkey;
	wr.access = e->peer_writes ?
		    IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE :
		    IB_ACCESS_REMOTE_READ;
	/* Unsignaled; their send queue entries are covered by @expo_slots. */
	ret = ib_post_send(conn->qp, first, NULL);
	if (ret)
		goto unmap;

	e->desc.addr = mr->iova;
	e->desc.key = mr->rkey;
	e->tpriv[0] = conn;
	e->tpriv[1] = mr;
	atomic64_inc(&pcn_rdma_transport.remote_regions);
	atomic64_add(n * PCN_PAGE_SIZE, &pcn_rdma_transport.remote_bytes);
	/* The exposure keeps the MR and PD, not the link (top of file). */
	refcount_inc(&conn->expos);
	pcn_rdma_conn_put(conn);
	return 0;

unmap:
	pcn_rdma_expo_unmap(conn, e, n);
mr_put:
	pcn_rdma_expo_mr_put(conn, mr);
up:
	up(&conn->expo_slots);
put:
	pcn_rdma_conn_put(conn);
	return ret;
}

void pcn_rdma_page_unexpose(struct pcn_page_expo *e)
{
	struct pcn_rdma_conn *conn = e->tpriv[0];
	struct ib_mr *mr = e->tpriv[1];
	struct ib_send_wr wr = {};
	int ret;

	/*
	 * Retires the REG_MR before it as well. A connection that is dead,
	 * or dies meanwhile, invalidates nothing: then wait until its queue
	 * pair is drained; from then on no peer can reach the MR (a new link
	 * has another PD).
	 */
	wr.opcode = IB_WR_LOCAL_INV;
	wr.ex.invalidate_rkey = mr->rkey;
	ret = -ENOTCONN;
	/* A sender's reference: the teardown keeps the queue pair for it. */
	if (refcount_inc_not_zero(&conn->users)) {
		ret = pcn_rdma_post_wait(conn, &wr, false);
		pcn_rdma_conn_put(conn);
	}
	if (ret)
		wait_for_completion(&conn->drained);

	pcn_rdma_expo_unmap(conn, e, e->npages);
	pcn_rdma_expo_mr_put(conn, mr);
	atomic64_dec(&pcn_rdma_transport.remote_regions);
	atomic64_sub(e->npages * PCN_PAGE_SIZE,
		     &pcn_rdma_transport.remote_bytes);
	up(&conn->expo_slots);
	pcn_rdma_conn_expos_put(conn);
}

/*
 * Page @i of the live exposure @e gets @data from the CPU (a page the peer
 * sent in a PAGE_DATA message): the page stays mapped for the device, so
 * the copy goes between the two syncs. Atomic context.
 */
void pcn_rdma_page_fill(struct pcn_page_expo *e, unsigned int i,
			const void *data)
{
	struct pcn_rdma_conn *conn = e->tpriv[0];

	ib_dma_sync_single_for_cpu(conn->dev, e->tdma[i], PCN_PAGE_SIZE,
				   DMA_FROM_DEVICE);
	memcpy_to_page(e->pages[i], 0, data, PCN_PAGE_SIZE);
	ib_dma_sync_single_for_device(conn->dev, e->tdma[i], PCN_PAGE_SIZE,
				      DMA_FROM_DEVICE);
}

/* A page write in flight: the page stays pinned and mapped until done. */
struct pcn_rdma_page_write {
	struct ib_cqe cqe;
	struct pcn_rdma_conn *conn;
	struct page *page;
	u64 dma;
};

static void pcn_rdma_page_write_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct pcn_rdma_page_write *pw =
		container_of(wc->wr_cqe, struct pcn_rdma_page_write, cqe);
	struct pcn_rdma_conn *conn = pw->conn;

	if (wc->status != IB_WC_SUCCESS && wc->status != IB_WC_WR_FLUSH_ERR)
		pcn_rdma_conn_fail(conn, ib_wc_status_msg(wc->status));
	ib_dma_unmap_page(conn->dev, pw->dma, PCN_PAGE_SIZE, DMA_TO_DEVICE);
	put_page(pw->page);
	kfree(pw);
	up(&conn->page_wrs);
	pcn_rdma_conn_put(conn);
}

static void pcn_rdma_page_wr(struct ib_rdma_wr *wr, struct ib_sge *sge,
			     struct pcn_rdma_conn *conn, u64 dma,
			     const struct pcn_page_desc *remote)
{
	sge->addr = dma;
	sge->length = PCN_PAGE_SIZE;
	sge->lkey = conn->pd->local_dma_lkey;
	wr->wr.sg_list = sge;
	wr->wr.num_sge = 1;
	wr->remote_addr = remote->addr;
	wr->rkey = remote->key;
}

/*
 * RDMA WRITE @page into the peer's exposed page; with @imm, a
 * WRITE_WITH_IMM carrying it (the peer's receive completes once the data
 * is in place). Returns once posted: whatever the caller sends the peer
 * next on this connection arrives after the data (see the top of this
 * file). The write holds its own reference on @conn.
 */
int pcn_rdma_page_post(struct pcn_rdma_conn *conn,
		       const struct pcn_page_desc *to, struct page *page,
		       const u32 *imm)
{
	struct pcn_rdma_page_write *pw;
	struct ib_rdma_wr wr = {};
	struct ib_sge sge;
	int ret;

	refcount_inc(&conn->users);	/* the caller holds one */
	ret = -ENOMEM;
	pw = kmalloc(sizeof(*pw), GFP_KERNEL);
	if (!pw)
		goto put;
	ret = -EINTR;
	if (down_killable(&conn->page_wrs))
		goto free;
	pw->conn = conn;
	pw->page = page;
	pw->cqe.done = pcn_rdma_page_write_done;
	pw->dma = ib_dma_map_page(conn->dev, page, 0, PCN_PAGE_SIZE,
				  DMA_TO_DEVICE);
	ret = -ENOMEM;
	if (ib_dma_mapping_error(conn->dev, pw->dma))
		goto up;
	get_page(page);
	pcn_rdma_page_wr(&wr, &sge, conn, pw->dma, to);
	if (imm) {
		wr.wr.opcode = IB_WR_RDMA_WRITE_WITH_IMM;
		wr.wr.ex.imm_data = cpu_to_be32(*imm);
		/* What the peer's receive counts, like a ring message. */
		WRITE_ONCE(conn->tx_count, conn->tx_count + 1);
	} else {
		wr.wr.opcode = IB_WR_RDMA_WRITE;
	}
	wr.wr.wr_cqe = &pw->cqe;
	wr.wr.send_flags = IB_SEND_SIGNALED;
	ret = ib_post_send(conn->qp, &wr.wr, NULL);
	if (!ret)
		return 0;	/* the completion releases it all */
	put_page(page);
	ib_dma_unmap_page(conn->dev, pw->dma, PCN_PAGE_SIZE, DMA_TO_DEVICE);
up:
	up(&conn->page_wrs);
free:
	kfree(pw);
put:
	pcn_rdma_conn_put(conn);
	return ret;
}

int pcn_rdma_page_write(struct pcn_node *node, const struct pcn_page_desc *to,
			struct page *page)
{
	struct pcn_rdma_conn *conn = pcn_rdma_conn_get(node->tpriv);
	int ret = -ESTALE;

	if (!conn)
		return -ENOTCONN;
	if (pcn_rdma_desc_live(conn, to))
		ret = pcn_rdma_page_post(conn, to, page, NULL);
	pcn_rdma_conn_put(conn);
	return ret;
}

/*
 * A page and the message after it. In WRITE_IMM mode a page reply is the
 * write's immediate (PCN_RDMA_IMM_MSG | pcn_kmsg_to_imm()): one work
 * request, one packet train and one ACK fewer on the fault path.
 */
int pcn_rdma_send_page(struct pcn_node *node, const struct pcn_kmsg_hdr *hdr,
		       const void *payload, const struct pcn_page_desc *to,
		       struct page *page)
{
	struct pcn_rdma_conn *conn = pcn_rdma_conn_get(node->tpriv);
	u32 imm;
	int ret;

	if (!conn)
		return -ENOTCONN;
	if (!pcn_rdma_desc_live(conn, to)) {
		ret = -ESTALE;
	} else if (conn->mode == PCN_RDMA_WRITE_IMM &&
		   READ_ONCE(pcn_rdma_imm_replies) &&
		   pcn_kmsg_to_imm(hdr, payload, &imm)) {
		imm |= PCN_RDMA_IMM_MSG;
		ret = pcn_rdma_page_post(conn, to, page, &imm);
	} else {
		ret = pcn_rdma_page_post(conn, to, page, NULL);
		if (!ret)
			ret = pcn_rdma_ring_send(conn, hdr, payload);
	}
	pcn_rdma_conn_put(conn);
	return ret;
}

/* RDMA READ the peer's exposed page into @page; waits for the data. */
int pcn_rdma_page_read(struct pcn_node *node,
		       const struct pcn_page_desc *from, struct page *page)
{
	struct pcn_rdma_conn *conn;
	struct ib_rdma_wr wr = {};
	struct ib_sge sge;
	u64 dma;
	int ret;

	conn = pcn_rdma_conn_get(node->tpriv);
	if (!conn)
		return -ENOTCONN;
	ret = -ESTALE;
	if (!pcn_rdma_desc_live(conn, from))
		goto put;
	dma = ib_dma_map_page(conn->dev, page, 0, PCN_PAGE_SIZE,
			      DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(conn->dev, dma)) {
		ret = -ENOMEM;
		goto put;
	}
	pcn_rdma_page_wr(&wr, &sge, conn, dma, from);
	wr.wr.opcode = IB_WR_RDMA_READ;
	ret = pcn_rdma_post_wait(conn, &wr.wr, true);
	ib_dma_unmap_page(conn->dev, dma, PCN_PAGE_SIZE, DMA_FROM_DEVICE);
put:
	pcn_rdma_conn_put(conn);
	return ret;
}
