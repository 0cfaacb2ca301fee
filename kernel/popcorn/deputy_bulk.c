// SPDX-License-Identifier: GPL-2.0
/*
 * Reads too big to travel with the answer (deputy_inline.c) come back as
 * pages.
 *
 * A read or pread64 of a remote thread of more than
 * PCN_SYSCALL_INLINE_MAX bytes, up to PCN_SYSCALL_BULK_MAX, exposes
 * kernel pages here to the origin in windows of up to PCN_PAGE_WINDOW_MAX
 * pages (over RDMA one registration each; over TCP cookies) and names
 * them in the SYSCALL, after the message (in_len: their descriptors).
 * The twin reads the file into a kernel buffer, as the inline path does,
 * writes the pages that hold bytes into the windows (RDMA WRITEs or
 * PAGE_PUTs, ahead of its answer), and answers with the count. The
 * thread copies the bytes into its buffer here. Without this, the twin
 * wrote the buffer through the coherent memory: every page of it went
 * home and came back, two round trips a page.
 *
 * A file the twin cannot read into a kernel buffer (deputy_inline.c's
 * rules) gets nothing read: the answer is PCN_SYSCALL_NO_BULK, and the
 * thread makes the call again the ordinary way.
 */
#include <linux/highmem.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/unistd.h>
#include "internal.h"
#include "process.h"

#define PCN_BULK_PAGES	(PCN_SYSCALL_BULK_MAX / PCN_PAGE_SIZE)

/* The wire's 16 pages a window (pcn_wire.h) are the transports'. */
static_assert(PCN_SYSCALL_BULK_MAX ==
	      PCN_SYSCALL_BULK_WINDOWS * PCN_PAGE_WINDOW_MAX * PCN_PAGE_SIZE);

struct pcn_bulk {
	unsigned int npages, nwin;
	struct page *pages[PCN_BULK_PAGES];
	struct pcn_page_expo win[PCN_SYSCALL_BULK_WINDOWS];
};

/* Windows of a bulk read of @len bytes. */
static unsigned int pcn_bulk_windows(size_t len)
{
	return DIV_ROUND_UP(DIV_ROUND_UP(len, PCN_PAGE_SIZE),
			    PCN_PAGE_WINDOW_MAX);
}

/* ---- remote ---- */

static void pcn_bulk_free(struct pcn_bulk *b)
{
	unsigned int i;

	for (i = 0; i < b->nwin; i++)
		pcn_page_unexpose(&b->win[i]);	/* the origin's keys die */
	for (i = 0; i < b->npages; i++) {
		if (b->pages[i])
			__free_page(b->pages[i]);
	}
	kfree(b);
}

/*
 * A SYSCALL message for read or pread64 (@nr) with @regs' arguments, its
 * windows exposed to @nid and named after it; *size: the message's size,
 * *bp: the windows, for pcn_bulk_finish(). NULL: not a bulk read, or no
 * room for one now (the call goes the other ways).
 */
struct pcn_syscall_msg *pcn_bulk_request(int nid, unsigned int nr,
					 const struct pt_regs *regs,
					 size_t *size, struct pcn_bulk **bp)
{
	void __user *buf = (void __user *)regs->si;
	struct pcn_page_desc *descs;
	struct pcn_syscall_msg *m;
	size_t len = regs->dx;
	struct pcn_bulk *b;
	unsigned int i, n;

	if ((nr != __NR_read && nr != __NR_pread64) ||
	    len <= PCN_SYSCALL_INLINE_MAX || len > PCN_SYSCALL_BULK_MAX)
		return NULL;
	/* A bad buffer: the origin finds EFAULT before it reads a byte. */
	if (fault_in_safe_writeable(buf, len))
		return NULL;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return NULL;
	n = DIV_ROUND_UP(len, PCN_PAGE_SIZE);
	for (b->npages = 0; b->npages < n; b->npages++) {
		/* Zeroed: the origin's count is copied out, written or not. */
		b->pages[b->npages] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!b->pages[b->npages])
			goto fail;
	}
	m = kzalloc(sizeof(*m) + pcn_bulk_windows(len) * sizeof(*descs),
		    GFP_KERNEL);
	if (!m)
		goto fail;
	descs = (void *)(m + 1);
	for (i = 0; i < pcn_bulk_windows(len); i++) {
		unsigned int first = i * PCN_PAGE_WINDOW_MAX;

		if (pcn_window_expose(nid, &b->pages[first],
				      min_t(unsigned int, n - first,
					    PCN_PAGE_WINDOW_MAX),
				      &b->win[i])) {
			kfree(m);
			goto fail;	/* out of registrations: later */
		}
		b->nwin++;
		descs[i] = b->win[i].desc;
	}
	m->in_len = b->nwin * sizeof(*descs);
	*size = sizeof(*m) + m->in_len;
	*bp = b;
	return m;
fail:
	pcn_bulk_free(b);
	return NULL;
}

/*
 * The answer @ret to a bulk read came (or the request failed): the bytes
 * go to the caller's buffer. The call's result; -EPROTO for an answer
 * the request cannot have (the caller counts it). Frees @b.
 */
long pcn_bulk_finish(struct pcn_bulk *b, const struct pt_regs *regs,
		     long ret)
{
	void __user *buf = (void __user *)regs->si;
	size_t len = regs->dx, chunk, left;
	unsigned int i, n;

	/* Unexposed first: nothing lands in the pages from here on. */
	for (i = 0; i < b->nwin; i++)
		pcn_page_unexpose(&b->win[i]);
	if (ret <= 0)
		goto out;
	if (ret > len) {
		ret = -EPROTO;
		goto out;
	}
	n = DIV_ROUND_UP(ret, PCN_PAGE_SIZE);
	for (i = 0; i < n; i++) {
		if (!pcn_window_filled(&b->win[i / PCN_PAGE_WINDOW_MAX],
				       i % PCN_PAGE_WINDOW_MAX)) {
			ret = -EIO;	/* read there, lost on the way */
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		chunk = min_t(size_t, PCN_PAGE_SIZE, ret - i * PCN_PAGE_SIZE);
		left = copy_to_user(buf + i * PCN_PAGE_SIZE,
				    page_address(b->pages[i]), chunk);
		if (left) {
			/* A buffer that went bad meanwhile, as at home. */
			chunk = i * PCN_PAGE_SIZE + chunk - left;
			ret = chunk ? chunk : -EFAULT;
			break;
		}
	}
out:
	pcn_bulk_free(b);
	return ret;
}

/* ---- origin ---- */

/* Is @m's window list (in_len bytes after it) right for its read? */
bool pcn_bulk_valid(const struct pcn_syscall_msg *m)
{
	const struct pcn_page_desc *descs = (const void *)(m + 1);
	size_t len = m->args[2];
	unsigned int i, nwin, pages;

	if (m->out_max || len <= PCN_SYSCALL_INLINE_MAX ||
	    len > PCN_SYSCALL_BULK_MAX ||
	    m->in_len != pcn_bulk_windows(len) * sizeof(*descs))
		return false;
	nwin = pcn_bulk_windows(len);
	pages = DIV_ROUND_UP(len, PCN_PAGE_SIZE);
	for (i = 0; i < nwin; i++) {
		/* Whole windows but the last, which ends with the buffer. */
		if (descs[i].len != min_t(unsigned int,
					  pages - i * PCN_PAGE_WINDOW_MAX,
					  PCN_PAGE_WINDOW_MAX) * PCN_PAGE_SIZE)
			return false;
	}
	return true;
}

/*
 * Twin: the @count bytes of @vbuf it read for bulk read @m go to its
 * windows at @nid, page by page, ahead of the answer. The tail of the
 * last page is cleared first: no kernel memory travels.
 */
int pcn_bulk_put(int nid, const struct pcn_syscall_msg *m, void *vbuf,
		 size_t count)
{
	const struct pcn_page_desc *descs = (const void *)(m + 1);
	unsigned int i, n = DIV_ROUND_UP(count, PCN_PAGE_SIZE);
	struct pcn_page_desc to;
	int ret;

	memset(vbuf + count, 0, n * PCN_PAGE_SIZE - count);
	for (i = 0; i < n; i++) {
		to = pcn_window_desc(&descs[i / PCN_PAGE_WINDOW_MAX],
				     i % PCN_PAGE_WINDOW_MAX);
		ret = pcn_page_put(nid, &to,
				   vmalloc_to_page(vbuf + i * PCN_PAGE_SIZE));
		if (ret)
			return ret;
	}
	return 0;
}
