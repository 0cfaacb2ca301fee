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
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sort.h>
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
	pcn_kmsg_reply(rx, PCN_KMSG_TYPE_PAGE_TEST_REPLY, &st, sizeof(st));
	pcn_kmsg_done(rx);
}

/* ---- the tester's side ---- */

struct pcn_page_run {
	int nid;
	u32 pages, threads, mode;
	u64 *ns;		/* per page, 0 = failed */
	atomic_t first_err;
	atomic_t running;
	bool stop;
	struct completion all_done;
};

struct pcn_page_thread {
	struct pcn_page_run *run;
	u32 index;
};

/* One transfer of page @index through @page; 0 when its content checks. */
static int pcn_page_test_one(struct pcn_page_run *run, struct page *page,
			     u32 index, bool probe, struct pcn_page_expo *spent)
{
	struct pcn_page_test_msg req = {
		.mode = run->mode, .index = index, .probe = probe,
	};
	bool pull = run->mode == PCN_PAGE_TEST_PULL;
	struct pcn_kmsg_rx *reply;
	struct pcn_page_expo e;
	int ret;

	if (probe) {
		req.desc = spent->desc;
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
			*spent = e;	/* only the descriptor is used again */
	}
	if (ret)
		return ret;
	ret = ((struct pcn_page_status *)reply->msg->payload)->status;
	pcn_kmsg_done(reply);
	if (!ret && pull && !probe && !pcn_page_check(page, index, pcn_my_nid()))
		ret = -EILSEQ;
	return ret;
}

static int pcn_page_thread_fn(void *data)
{
	struct pcn_page_thread *th = data;
	struct pcn_page_run *run = th->run;
	struct page *page = alloc_page(GFP_KERNEL);
	u32 i;

	if (!page) {
		atomic_cmpxchg(&run->first_err, 0, -ENOMEM);
		goto out;
	}
	for (i = th->index; i < run->pages && !READ_ONCE(run->stop);
	     i += run->threads) {
		ktime_t t0 = ktime_get();
		int ret = pcn_page_test_one(run, page, i, false, NULL);

		if (ret) {
			atomic_cmpxchg(&run->first_err, 0, ret);
			if (ret == -ENOTCONN || ret == -EHOSTUNREACH)
				break;
			continue;
		}
		run->ns[i] = max_t(u64, 1, ktime_to_ns(ktime_sub(ktime_get(), t0)));
		cond_resched();
	}
	__free_page(page);
out:
	if (atomic_dec_and_test(&run->running))
		complete(&run->all_done);
	return 0;
}

/*
 * Probe: a normal PULL transfer, then the peer writes again with its spent
 * key. Returns the error that write got (as seen by us), or 0 if it got
 * through or the page changed.
 */
static int pcn_page_probe(struct pcn_page_run *run)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct pcn_page_expo spent;
	int ret;

	if (!page)
		return -ENOMEM;
	run->mode = PCN_PAGE_TEST_PULL;
	ret = pcn_page_test_one(run, page, 7, false, &spent);
	if (!ret) {
		ret = pcn_page_test_one(run, page, 7, true, &spent);
		/* Refused, yet the page changed: that is a write that worked. */
		if (ret && !pcn_page_check(page, 7, pcn_my_nid()))
			ret = 0;
	} else {
		ret = -EAGAIN;		/* no transfer to probe after */
	}
	__free_page(page);
	return ret;
}

static int pcn_u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

int pcn_page_test_run(int nid, u32 pages, u32 threads, u32 mode, bool probe,
		      struct pcn_page_test_result *res)
{
	struct pcn_page_run run = {
		.nid = nid, .pages = pages, .threads = threads, .mode = mode,
	};
	struct pcn_echo_result *r = &res->r;
	struct pcn_page_thread *th;
	ktime_t start;
	u32 i, n = 0;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	run.ns = kvcalloc(pages, sizeof(u64), GFP_KERNEL);
	th = kcalloc(threads, sizeof(*th), GFP_KERNEL);
	if (!run.ns || !th) {
		ret = -ENOMEM;
		goto out;
	}
	init_completion(&run.all_done);
	atomic_set(&run.running, 1);
	start = ktime_get();
	for (i = 0; i < threads; i++) {
		struct task_struct *task;

		th[i].run = &run;
		th[i].index = i;
		atomic_inc(&run.running);
		task = kthread_run(pcn_page_thread_fn, &th[i], "pcn_pagetest/%u", i);
		if (IS_ERR(task)) {
			atomic_dec(&run.running);
			atomic_cmpxchg(&run.first_err, 0, PTR_ERR(task));
			break;
		}
	}
	if (atomic_dec_and_test(&run.running))
		complete(&run.all_done);
	if (wait_for_completion_killable(&run.all_done)) {
		WRITE_ONCE(run.stop, true);
		wait_for_completion(&run.all_done);
	}
	r->wall_ns = ktime_to_ns(ktime_sub(ktime_get(), start));

	for (i = 0; i < pages; i++)
		if (run.ns[i])
			run.ns[n++] = run.ns[i];
	r->ok = n;
	r->errors = pages - n;
	r->first_err = atomic_read(&run.first_err);
	if (n) {
		sort(run.ns, n, sizeof(u64), pcn_u64_cmp, NULL);
		r->min_ns = run.ns[0];
		r->p50_ns = run.ns[(n - 1) / 2];
		r->p99_ns = run.ns[(u64)(n - 1) * 99 / 100];
		r->max_ns = run.ns[n - 1];
	}
	if (probe)
		res->probe_err = pcn_page_probe(&run);
out:
	kfree(th);
	kvfree(run.ns);
	return ret;
}

int pcn_page_test_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_PAGE_TEST, pcn_page_test_handle);
}
