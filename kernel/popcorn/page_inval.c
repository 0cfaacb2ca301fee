// SPDX-License-Identifier: GPL-2.0
/*
 * Invalidation ahead of a write stream. A thread at the origin that fills
 * a buffer a remote thread has read before (the input of a worker, a
 * producer and its consumer) writes page after page the remote shares,
 * and each write would wait for one invalidation round trip. When such
 * write faults follow each other up a mapping, the origin invalidates the
 * next pages that remote alone shares with the faulting one, in one
 * PAGE_INVALIDATE: the window doubles, as read-ahead does, up to
 * PCN_PAGE_INVAL_MAX pages, and the stream's later writes to those pages
 * are ordinary local faults (their entries have no sharer left).
 *
 * Every page of the span is the origin's own, read-only copy shared by
 * that remote alone; its directory entry is held (tried, never waited
 * for) across the round trip, as for a single invalidation, so that no
 * fetch or upgrade of it can slip in between.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/mm.h>
#include "internal.h"
#include "page_dir.h"

/*
 * The window of the origin's write fault at @addr: it doubles when the
 * fault is where a stream's last span ended, else a new stream starts in
 * place of the oldest, at one page. *@slot: the stream, for
 * pcn_write_stream_set().
 */
static unsigned int pcn_write_window(struct pcn_process *proc,
				     unsigned long addr, unsigned int *slot)
{
	struct pcn_write_stream *st;
	unsigned int i, n = 1;

	spin_lock(&proc->lock);
	for (i = 0; i < PCN_WRITE_STREAMS; i++) {
		st = &proc->wstreams[i];
		if (st->pages && st->next == addr) {
			n = min_t(unsigned int, st->pages * 2,
				  PCN_PAGE_INVAL_MAX);
			break;
		}
	}
	if (i == PCN_WRITE_STREAMS) {
		i = proc->wstream_next;
		proc->wstream_next = (i + 1) % PCN_WRITE_STREAMS;
	}
	spin_unlock(&proc->lock);
	*slot = i;
	return n;
}

/* The stream in @slot asked for @want pages at @addr and got @got. */
static void pcn_write_stream_set(struct pcn_process *proc, unsigned int slot,
				 unsigned long addr, unsigned int want,
				 unsigned int got)
{
	spin_lock(&proc->lock);
	proc->wstreams[slot].start = addr;
	proc->wstreams[slot].next = addr + got * PAGE_SIZE;
	proc->wstreams[slot].pages = want;
	spin_unlock(&proc->lock);
}

/*
 * The entries of the pages after @addr, up to @n - 1 of them, that the
 * one remote sharing @dir's page alone shares too and nobody else holds,
 * locked, into @span[1..]; how many pages the span has with @addr's.
 */
static unsigned int pcn_span_collect(struct pcn_process *proc,
				     struct vm_area_struct *vma,
				     struct pcn_page_dir *dir, unsigned long addr,
				     unsigned int n, struct pcn_page_dir **span)
{
	struct pcn_page_dir *d;
	unsigned int k;
	unsigned long a;

	span[0] = dir;
	for (k = 1; k < n; k++) {
		a = addr + k * PAGE_SIZE;
		if (a >= vma->vm_end)
			break;
		d = pcn_dir_get(proc, a, false);
		/* Tried only: the entry order is not ours to take. */
		if (!d || !mutex_trylock(&d->lock))
			break;
		if (d->owner >= 0 || d->sharers != dir->sharers) {
			mutex_unlock(&d->lock);
			break;
		}
		span[k] = d;
	}
	return k;
}

/*
 * Send the PAGE_INVALIDATE of @k pages from @addr to @nid: the pages it
 * dropped, as a bit map. A peer that cannot answer loses the process (its
 * threads' twins end it), so its copies are forgotten, as
 * pcn_invalidate_sharers() does.
 */
static u64 pcn_span_invalidate(struct pcn_process *proc, int nid,
			       unsigned long addr, unsigned int k)
{
	struct pcn_page_inval req = {
		.origin_tgid = proc->origin_tgid,
		.pages = k,
		.addr = addr,
	};
	u64 all = GENMASK_ULL(k - 1, 0);
	const struct pcn_page_inval_reply *r;
	struct pcn_kmsg_rx *reply;
	u64 dropped = all;
	int ret;

	ret = pcn_kmsg_request(nid, PCN_KMSG_TYPE_PAGE_INVALIDATE, &req,
			       sizeof(req), &reply, PCN_REQUEST_TIMEOUT);
	if (ret)
		return all;
	r = (const void *)reply->msg->payload;
	if (reply->msg->hdr.type != PCN_KMSG_TYPE_PAGE_INVALIDATE_REPLY ||
	    r->reserved || (r->dropped & ~all) ||
	    (r->status && r->status != -ESRCH) ||
	    (r->status && r->dropped)) {
		pcn_kmsg_bad(reply->from, "malformed invalidate reply");
	} else if (!r->status) {
		dropped = r->dropped;
	}
	/* -ESRCH: it has no such process any more, nor copies of it. */
	pcn_kmsg_done(reply);
	return dropped;
}

/*
 * The origin's write fault at @addr needs the read-only copies of @dir's
 * page gone (@dir locked): 0 when they are, -EAGAIN when a holder was
 * busy with it. One remote sharing a page the write stream reaches next
 * loses those pages' copies with it.
 */
int pcn_invalidate_stream(struct pcn_process *proc,
			  struct vm_area_struct *vma, struct pcn_page_dir *dir,
			  unsigned long addr)
{
	struct pcn_page_dir *span[PCN_PAGE_INVAL_MAX];
	unsigned int want, k, i, slot;
	int nid;
	u64 dropped;

	want = pcn_write_window(proc, addr, &slot);
	k = 1;
	if (want > 1 && !pcn_knob(inval_single) && hweight_long(dir->sharers) == 1 &&
	    !(vma->vm_flags & VM_SHARED))
		k = pcn_span_collect(proc, vma, dir, addr, want, span);
	pcn_write_stream_set(proc, slot, addr, want, k);
	if (k == 1)
		return pcn_invalidate_sharers(proc, dir, addr, -1);

	nid = __ffs(dir->sharers);
	dropped = pcn_span_invalidate(proc, nid, addr, k);
	pcn_stat_inval_sent(proc, hweight64(dropped));
	for (i = 0; i < k; i++) {
		if (dropped & BIT_ULL(i))
			__clear_bit(nid, &span[i]->sharers);
		if (i)
			mutex_unlock(&span[i]->lock);
	}
	return (dropped & 1) ? 0 : -EAGAIN;
}

/*
 * Whether @addr is in the span a write stream of ours just invalidated:
 * pages it is about to write, which read-ahead leaves alone (a copy sent
 * now would cost that write another invalidation).
 */
bool pcn_write_stream_ahead(struct pcn_process *proc, unsigned long addr)
{
	bool ahead = false;
	unsigned int i;

	spin_lock(&proc->lock);
	for (i = 0; i < PCN_WRITE_STREAMS && !ahead; i++)
		ahead = addr >= proc->wstreams[i].start &&
			addr < proc->wstreams[i].next;
	spin_unlock(&proc->lock);
	return ahead;
}

static bool pcn_page_inval_valid(const struct pcn_page_inval *req)
{
	return req->pages && req->pages <= PCN_PAGE_INVAL_MAX &&
	       PAGE_ALIGNED(req->addr) && req->addr < TASK_SIZE_MAX &&
	       req->pages <= (TASK_SIZE_MAX - req->addr) >> PAGE_SHIFT;
}

/*
 * A remote: drop our read-only copies of the pages the origin names. The
 * fault path's order is mmap_lock, then the page lock: both are tried, a
 * page whose lock is busy stays (its bit is not set), as a recall would
 * answer "busy".
 */
void pcn_page_invalidate_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_page_inval *req = (const void *)rx->msg->payload;
	struct pcn_page_inval_reply r = { .status = -ESRCH };
	struct vm_area_struct *vma;
	struct pcn_process *proc;
	struct mm_struct *mm = NULL;
	struct mutex *lock;
	unsigned long a;
	unsigned int i;

	if (!pcn_page_inval_valid(req)) {
		pcn_kmsg_bad(rx->from, "malformed page invalidate");
		r.status = -EPROTO;
		goto reply;
	}
	/* Only the process's origin may take its pages away. */
	proc = pcn_process_get_mm(rx->from->nid, req->origin_tgid,
				  rx->from->nid, &mm);
	if (!proc)
		goto reply;
	r.status = 0;
	if (!mmap_read_trylock(mm))
		goto put;
	for (i = 0; i < req->pages; i++) {
		a = req->addr + i * PAGE_SIZE;
		lock = pcn_page_lock(proc, a);
		if (!mutex_trylock(lock))
			continue;
		vma = vma_lookup(mm, a);
		if (vma) {
			/* One a fetch of ours may bring: not to be mapped. */
			if (pcn_pte_state(vma, a) == PCN_PTE_NONE)
				pcn_grant_revoke(proc, a);
			else
				pcn_pte_zap(vma, a);
		}
		mutex_unlock(lock);
		r.dropped |= BIT_ULL(i);
	}
	mmap_read_unlock(mm);
	pcn_stat_inval_recv(proc);
put:
	mmput(mm);
	pcn_process_put(proc);
reply:
	pcn_kmsg_reply(rx, &r, sizeof(r));
	pcn_kmsg_done(rx);
}
