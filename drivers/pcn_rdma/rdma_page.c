// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn RDMA transport: one-sided, zero-copy page transfers.
 *
 * Exposing a page registers exactly that page with a fast-registration MR
 * from the queue pair's pool and a fresh key, REMOTE_WRITE for a page the
 * peer fills or REMOTE_READ for a page the peer pulls; unexposing
 * invalidates the key (LOCAL_INV) and waits for that to execute before the
 * page is unmapped. The peer moves the page with one RDMA WRITE or READ
 * straight between the two pages: no bounce buffer, no copy.
 *
 * Every work request here is waited for. A wait that outlives its timeout
 * fails the connection, and the drain at teardown then completes it, so the
 * on-stack completion is never left behind.
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

/* Post one signaled work request and wait for its completion. */
static int pcn_rdma_post_wait(struct pcn_rdma_conn *conn,
			      struct ib_send_wr *wr)
{
	struct pcn_rdma_wait w;
	int ret;

	if (down_killable(&conn->page_wrs))
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

int pcn_rdma_page_expose(struct pcn_node *node, struct pcn_page_expo *e)
{
	enum dma_data_direction dir = e->peer_writes ? DMA_FROM_DEVICE :
						       DMA_TO_DEVICE;
	struct pcn_rdma_conn *conn;
	struct ib_reg_wr wr = {};
	struct scatterlist sg;
	struct ib_mr *mr;
	u64 dma;
	int ret;

	conn = pcn_rdma_conn_get(node->tpriv);
	if (!conn)
		return -ENOTCONN;
	ret = -EINTR;
	if (down_killable(&conn->expo_slots))
		goto put;
	ret = -ENOMEM;
	mr = ib_mr_pool_get(conn->qp, &conn->qp->rdma_mrs);
	if (!mr)
		goto up;
	dma = ib_dma_map_page(conn->dev, e->page, 0, PCN_PAGE_SIZE, dir);
	if (ib_dma_mapping_error(conn->dev, dma))
		goto mr_put;
	sg_init_table(&sg, 1);
	sg_dma_address(&sg) = dma;
	sg_dma_len(&sg) = PCN_PAGE_SIZE;
	ret = ib_map_mr_sg(mr, &sg, 1, NULL, PCN_PAGE_SIZE);
	if (ret != 1) {
		ret = ret < 0 ? ret : -EINVAL;
		goto unmap;
	}
	/* A fresh key: whatever the last user of this MR held is dead. */
	ib_update_fast_reg_key(mr, ib_inc_rkey(mr->rkey));
	wr.wr.opcode = IB_WR_REG_MR;
	wr.mr = mr;
	wr.key = mr->rkey;
	wr.access = e->peer_writes ?
		    IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE :
		    IB_ACCESS_REMOTE_READ;
	ret = pcn_rdma_post_wait(conn, &wr.wr);
	if (ret)
		goto unmap;

	e->desc.addr = mr->iova;
	e->desc.key = mr->rkey;
	e->tpriv[0] = conn;
	e->tpriv[1] = mr;
	e->tdma = dma;
	atomic64_inc(&pcn_rdma_transport.remote_regions);
	atomic64_add(PCN_PAGE_SIZE, &pcn_rdma_transport.remote_bytes);
	return 0;

unmap:
	ib_dma_unmap_page(conn->dev, dma, PCN_PAGE_SIZE, dir);
mr_put:
	ib_mr_pool_put(conn->qp, &conn->qp->rdma_mrs, mr);
up:
	up(&conn->expo_slots);
put:
	pcn_rdma_conn_put(conn);
	return ret;
}

void pcn_rdma_page_unexpose(struct pcn_page_expo *e)
{
	enum dma_data_direction dir = e->peer_writes ? DMA_FROM_DEVICE :
						       DMA_TO_DEVICE;
	struct pcn_rdma_conn *conn = e->tpriv[0];
	struct ib_mr *mr = e->tpriv[1];
	struct ib_send_wr wr = {};

	/*
	 * On a dead queue pair the flush completes this at once, and nothing
	 * can reach the MR through it any more.
	 */
	wr.opcode = IB_WR_LOCAL_INV;
	wr.ex.invalidate_rkey = mr->rkey;
	pcn_rdma_post_wait(conn, &wr);

	ib_dma_unmap_page(conn->dev, e->tdma, PCN_PAGE_SIZE, dir);
	ib_mr_pool_put(conn->qp, &conn->qp->rdma_mrs, mr);
	atomic64_dec(&pcn_rdma_transport.remote_regions);
	atomic64_sub(PCN_PAGE_SIZE, &pcn_rdma_transport.remote_bytes);
	up(&conn->expo_slots);
	pcn_rdma_conn_put(conn);
}

/* One RDMA WRITE (@write) or READ between @page and the peer's page. */
static int pcn_rdma_page_rw(struct pcn_node *node,
			    const struct pcn_page_desc *remote,
			    struct page *page, bool write)
{
	enum dma_data_direction dir = write ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	struct pcn_rdma_conn *conn;
	struct ib_rdma_wr wr = {};
	struct ib_sge sge;
	u64 dma;
	int ret;

	conn = pcn_rdma_conn_get(node->tpriv);
	if (!conn)
		return -ENOTCONN;
	dma = ib_dma_map_page(conn->dev, page, 0, PCN_PAGE_SIZE, dir);
	if (ib_dma_mapping_error(conn->dev, dma)) {
		ret = -ENOMEM;
		goto put;
	}
	sge.addr = dma;
	sge.length = PCN_PAGE_SIZE;
	sge.lkey = conn->pd->local_dma_lkey;
	wr.wr.opcode = write ? IB_WR_RDMA_WRITE : IB_WR_RDMA_READ;
	wr.wr.sg_list = &sge;
	wr.wr.num_sge = 1;
	wr.remote_addr = remote->addr;
	wr.rkey = remote->key;
	ret = pcn_rdma_post_wait(conn, &wr.wr);
	ib_dma_unmap_page(conn->dev, dma, PCN_PAGE_SIZE, dir);
put:
	pcn_rdma_conn_put(conn);
	return ret;
}

int pcn_rdma_page_write(struct pcn_node *node, const struct pcn_page_desc *to,
			struct page *page)
{
	return pcn_rdma_page_rw(node, to, page, true);
}

int pcn_rdma_page_read(struct pcn_node *node,
		       const struct pcn_page_desc *from, struct page *page)
{
	return pcn_rdma_page_rw(node, from, page, false);
}
