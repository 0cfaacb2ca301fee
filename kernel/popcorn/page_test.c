// SPDX-License-Identifier: GPL-2.0
/*
 * Page-transfer self test (netlink PCN_CMD_PAGE_TEST, `pcnctl pagetest`).
 *
 * PULL: we expose an empty page, the peer writes a page of known content
 * into it, we unexpose and check every byte. PUSH: we expose a page of
 * known content, the peer reads it and checks it. With PROBE, after the
 * last transfer the peer tries once more with the spent key: the write must
 * fail and the page must stay as it was. Over RDMA the failed write breaks
 * the queue pair (a remote access error is fatal to it), so the link
 * drops and comes back; the test reports what the spent key got.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include "internal.h"

#define PCN_PAGE_TEST_TIMEOUT	(20 * HZ)
#define PCN_PAGE_PROBE_BYTE	0xee

static void pcn_page_fill(struct page *page, u32 index, int nid)
{
	u32 *p = kmap_local_page(page);
	u32 i;

	for (i = 0; i < PCN_PAGE_SIZE / sizeof(u32); i++)
		p[i] = (index * 2654435761U) ^ (i * 40503U) ^ ((u32)nid << 24);
	kunmap_local(p);
}

static bool pcn_page_check(struct page *page, u32 index, int nid)
{
	u32 *p = kmap_local_page(page);
	bool ok = true;
	u32 i;

	for (i = 0; i < PCN_PAGE_SIZE / sizeof(u32) && ok; i++)
		ok = p[i] == ((index * 2654435761U) ^ (i * 40503U) ^
			      ((u32)nid << 24));
	kunmap_local(p);
	return ok;
}

/* ---- the peer's side ---- */

static void pcn_page_test_handle(struct pcn_kmsg_rx *rx)
{
	struct pcn_page_test_msg *req = (void *)rx->msg->payload;
	struct pcn_page_status st = {};
	int from = rx->from->nid;
	struct page *page;

	page = alloc_page(GFP_KERNEL);
	if (!page) {
		st.status = -ENOMEM;
		goto reply;
	}
	if (req->probe) {
		memset_page(page, 0, PCN_PAGE_PROBE_BYTE, PCN_PAGE_SIZE);
		st.status = pcn_page_write(from, &req->desc, page);
	} else if (req->mode == PCN_PAGE_TEST_PULL) {
		/* The page content is keyed to the requester's id. */
		pcn_page_fill(page, req->index, from);
		st.status = pcn_page_write(from, &req->desc, page);
	} else if (req->mode == PCN_PAGE_TEST_PUSH) {
		st.status = pcn_page_read(from, &req->desc, page);
		if (!st.status && !pcn_page_check(page, req->index, from))
			st.status = -EILSEQ;
	} else {
		st.status = -EINVAL;
	}
	__free_page(page);
reply:
	pcn_kmsg_reply(rx, &st, sizeof(st));
	pcn_kmsg_done(rx);
}

/* ---- the tester's side ---- */

struct pcn_page_run {
	int nid;
	u32 mode;
};

/* One transfer of page @index through @page; 0 when its content checks. */
static int pcn_page_test_one(struct pcn_page_run *run, struct page *page,
			     u32 index, bool probe, struct pcn_page_desc *spent)
{
	struct pcn_page_test_msg req = {
		.mode = run->mode, .index = index, .probe = probe,
	};
	bool pull = run->mode == PCN_PAGE_TEST_PULL;
	struct pcn_kmsg_rx *reply;
	struct pcn_page_expo e;
	int ret;

	if (probe) {
		req.desc = *spent;
	} else {
		if (pull)
			memset_page(page, 0, 0x5a, PCN_PAGE_SIZE);
		else
			pcn_page_fill(page, index, pcn_my_nid());
		ret = pcn_page_expose(run->nid, page, pull, &e);
		if (ret)
			return ret;
		req.desc = e.desc;
	}
	ret = pcn_kmsg_request(run->nid, PCN_KMSG_TYPE_PAGE_TEST, &req,
			       sizeof(req), &reply, PCN_PAGE_TEST_TIMEOUT);
	if (!probe) {
		pcn_page_unexpose(&e);
		if (spent)
			*spent = e.desc;
	}
	if (ret)
		return ret;
	ret = ((struct pcn_page_status *)reply->msg->payload)->status;
	pcn_kmsg_done(reply);
	if (!ret && pull && !probe && !pcn_page_check(page, index, pcn_my_nid()))
		ret = -EILSEQ;
	return ret;
}

static void *pcn_page_alloc(void)
{
	return alloc_page(GFP_KERNEL);
}

static void pcn_page_free(void *page)
{
	__free_page(page);
}

static int pcn_page_item(void *ctx, void *page, u32 i, u64 *ns)
{
	ktime_t t0 = ktime_get();
	int ret = pcn_page_test_one(ctx, page, i, false, NULL);

	*ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	return ret;
}

/*
 * Probe: a normal PULL transfer, then the peer writes again with its spent
 * key. Returns the error that write got (as seen by us), or 0 if it got
 * through or the page changed. A write the peer only posted (RDMA: it
 * says 0, the data lands before its answer, or the link breaks and the
 * session sends it again, then as PAGE_DATA that finds no exposure) was
 * refused if the page did not change: -EACCES.
 */
static int pcn_page_probe(int nid)
{
	struct pcn_page_run run = { .nid = nid, .mode = PCN_PAGE_TEST_PULL };
	struct page *page = alloc_page(GFP_KERNEL);
	struct pcn_page_desc spent;
	int ret;

	if (!page)
		return -ENOMEM;
	ret = pcn_page_test_one(&run, page, 7, false, &spent);
	if (!ret) {
		ret = pcn_page_test_one(&run, page, 7, true, &spent);
		/* Refused or not, a changed page is a write that worked. */
		if (!pcn_page_check(page, 7, pcn_my_nid()))
			ret = 0;
		else if (!ret)
			ret = -EACCES;
	} else {
		ret = -EAGAIN;		/* no transfer to probe after */
	}
	__free_page(page);
	return ret;
}

int pcn_page_test_run(int nid, u32 pages, u32 threads, u32 mode, bool probe,
		      struct pcn_selftest_result *res, int *probe_err)
{
	struct pcn_page_run run = { .nid = nid, .mode = mode };
	struct pcn_selftest test = {
		.name = "pcn_pagetest", .count = pages, .threads = threads,
		.ctx = &run, .thread_init = pcn_page_alloc,
		.thread_exit = pcn_page_free, .item = pcn_page_item,
	};
	int ret;

	ret = pcn_selftest_run(&test, res);
	*probe_err = 0;
	if (!ret && probe)
		*probe_err = pcn_page_probe(nid);
	return ret;
}

int pcn_page_test_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_PAGE_TEST, pcn_page_test_handle);
}
