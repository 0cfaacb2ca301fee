// SPDX-License-Identifier: GPL-2.0
/*
 * Page server: page-level coherence of a distributed address space.
 *
 * The origin keeps a directory entry for every page a remote ever asked
 * for: the remote nodes holding a read-only copy (sharers), or the one
 * remote holding the only, writable copy (owner). A page without an entry,
 * or with owner -1, is the origin's: its own page table maps it (read-only
 * while there are sharers).
 *
 *  - A remote read fault fetches a copy (PAGE_FETCH); the origin writes the
 *    page straight into the remote's exposed page (RDMA WRITE, zero-copy)
 *    and write-protects its own mapping.
 *  - A remote write fault asks for ownership: the origin invalidates the
 *    other copies, sends the data if the remote has none, and unmaps its
 *    own page.
 *  - A fault on anonymous memory nobody ever had (a remote thread's own
 *    fresh allocations) gets no data: the page and the unused pages
 *    around it, up to an aligned block of 64, become the remote's as
 *    zeros, mapped at once (pcn_serve_zero()).
 *  - An origin fault on a page owned elsewhere recalls it (PAGE_RECALL,
 *    the holder writes it back); an origin write invalidates the sharers.
 *
 * Order between faults and invalidations: the directory entry's mutex at
 * the origin, and one per page (hashed) at a remote, serialise everything
 * on a page; concurrent faults on a page of one node queue behind the
 * first one's lock and find the page there when they get it. Handlers
 * never wait for a lock a faulting thread may hold while it waits for
 * them: they try it and answer -EAGAIN. A fault told "busy" backs off with
 * its locks dropped and tries again (a remote fault's fetch, an origin
 * fault's recall or invalidation alike), so a waits-for cycle through
 * the network cannot form.
 *
 * A write to a page shared by k nodes sends the k invalidations at once.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/delay.h>
#include <linux/hash.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/userfaultfd_k.h>
#include <popcorn/hooks.h>
#include "internal.h"
#include "page_dir.h"
#include "process.h"
#include "trace.h"

/*
 * Set as current->pcn_thread while this node's page server faults a page
 * of a distributed mm in for a peer: that fault is part of the coherence
 * work already under way, not a new one.
 */
static struct pcn_thread pcn_page_server_self;

void pcn_page_dir_free(struct pcn_process *proc)
{
	struct pcn_page_dir *dir;
	unsigned long idx;

	xa_for_each(&proc->pages, idx, dir)
		kfree(dir);
	xa_destroy(&proc->pages);
}

/*
 * Origin: node @nid is gone. Its read copies are forgotten (nothing will
 * invalidate them there again); returns true if it had the only copy of a
 * page, which the process has then lost.
 */
bool pcn_page_dir_node_lost(struct pcn_process *proc, int nid)
{
	struct pcn_page_dir *dir;
	unsigned long idx;
	bool lost = false;

	xa_for_each(&proc->pages, idx, dir) {
		mutex_lock(&dir->lock);
		dir->sharers &= ~BIT(nid);
		if (dir->owner == nid)
			lost = true;
		if (dir->writer == nid)
			dir->writer = -1;
		mutex_unlock(&dir->lock);
		cond_resched();
	}
	return lost;
}

struct pcn_page_dir *pcn_dir_get(struct pcn_process *proc,
				 unsigned long addr, bool create)
{
	unsigned long idx = addr >> PAGE_SHIFT;
	struct pcn_page_dir *dir, *old;

	dir = xa_load(&proc->pages, idx);
	if (dir || !create)
		return dir;
	dir = kmalloc(sizeof(*dir), GFP_KERNEL);
	if (!dir)
		return NULL;
	mutex_init(&dir->lock);
	dir->sharers = 0;
	dir->owner = -1;
	dir->zero = false;
	dir->migratory = false;
	dir->writer = -1;
	old = xa_cmpxchg(&proc->pages, idx, NULL, dir, GFP_KERNEL);
	if (old) {
		kfree(dir);
		return xa_is_err(old) ? NULL : old;
	}
	return dir;
}

struct mutex *pcn_page_lock(struct pcn_process *proc, unsigned long addr)
{
	return &proc->page_locks[hash_long(addr >> PAGE_SHIFT,
					   ilog2(PCN_PAGE_LOCKS))];
}

static vm_fault_t pcn_fault_error(int err)
{
	/*
	 * -EFAULT: nothing is mapped there at the origin, or the stack
	 * may not grow there: a SIGSEGV, as at home.
	 */
	if (err == -EFAULT)
		return VM_FAULT_SIGSEGV;
	return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

/*
 * The status of the answer to a request about @addr that exposed @window
 * pages for it (page_reply.c); the answer's flags and maps in *@r.
 */
static int pcn_reply_status(struct pcn_kmsg_rx *reply, unsigned long addr,
			    unsigned int window,
			    struct pcn_page_fetch_reply *r)
{
	return pcn_page_reply_check(reply->msg->hdr.type,
				    (const void *)reply->msg->payload, addr,
				    window, r);
}

/* The page for an owner's zero_map bit @i of @addr's block. */
static unsigned long pcn_grant_addr(unsigned long addr, unsigned int i)
{
	return pcn_page_grant_base(addr) + i * PAGE_SIZE;
}

/* ---- origin ---- */

/*
 * The origin's own faults and the pages it gives away or copies. A fault
 * of ours that finds no remote holding the page (or has just invalidated
 * the copies) lets the ordinary fault path run, which maps a new page if
 * our page table has none, or makes a read-only one writable. Were the
 * page handed to a remote meanwhile, that new page would be a second,
 * writable copy; were a copy of it sent, the write would never be seen
 * there. A page with a directory entry is safe: the fault holds the entry
 * across the ordinary path (pcn_origin_fault()). For one without, each
 * fault of ours counts itself in its page's bucket before it looks for
 * the entry, and the page server, once it has made the entry, gives the
 * page away or sends a copy only while that count is zero: either the
 * fault sees the entry (and waits for it), or the server sees the fault
 * (and answers "busy", or sends no copy ahead).
 */
static atomic_t *pcn_origin_bucket(struct pcn_process *proc,
				   unsigned long addr)
{
	return &proc->origin_faults[hash_long(addr >> PAGE_SHIFT,
					      ilog2(PCN_ORIGIN_FAULT_BUCKETS))];
}

/* A fault of ours on @addr's bucket is under way. Directory entry held. */
static bool pcn_origin_busy(struct pcn_process *proc, unsigned long addr)
{
	/* Pairs with smp_mb__after_atomic() in pcn_origin_fault_run(). */
	smp_mb();
	return atomic_read(pcn_origin_bucket(proc, addr));
}

/*
 * Ask @nid to give up its copy of @addr (or keep it read-only). With
 * @pagep, the copy's content comes back in a new page.
 */
static int pcn_recall(struct pcn_process *proc, int nid, unsigned long addr,
		      bool keep_copy, struct page **pagep, bool *clean)
{
	struct pcn_page_fetch req = {
		.origin_tgid = proc->origin_tgid,
		.flags = keep_copy ? PCN_PAGE_F_KEEP_COPY : 0,
		.addr = addr,
	};
	struct pcn_kmsg_rx *reply;
	struct pcn_page_expo e;
	struct pcn_page_fetch_reply r = {};
	struct page *page = NULL;
	u64 start;
	int ret;

	if (pagep) {
		/* Zeroed: what the holder does not write must not leak. */
		page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
		if (!page)
			return -ENOMEM;
		ret = pcn_page_expose(nid, page, true, &e);
		if (ret) {
			put_page(page);
			return ret;
		}
		req.desc = e.desc;
	}
	pcn_stat_inval_sent(proc, 1);
	start = ktime_get_ns();
	ret = pcn_kmsg_request(nid, PCN_KMSG_TYPE_PAGE_RECALL, &req,
			       sizeof(req), &reply, PCN_REQUEST_TIMEOUT);
	if (pagep)
		pcn_page_unexpose(&e);
	if (!ret) {
		ret = pcn_reply_status(reply, addr, pagep ? 1 : 0, &r);
		pcn_kmsg_done(reply);
	}
	if (!ret && pagep && !(r.flags & PCN_PAGE_F_DATA))
		ret = -ENODATA;	/* it has no copy (pcn_origin_reclaim()) */
	else if (!ret && pagep && !pcn_page_filled(&e))
		ret = -EIO;	/* the data never landed */
	trace_popcorn_invalidate(addr, BIT(nid), keep_copy, ret,
				 ktime_get_ns() - start);
	if (pagep) {
		if (ret) {
			put_page(page);
		} else {
			*pagep = page;
			*clean = r.flags & PCN_PAGE_F_CLEAN;
		}
	}
	return ret;
}

/*
 * Drop every read-only copy of @addr but @except's: all the invalidations
 * go out at once and are waited for together. -EAGAIN when a holder was
 * busy with the page (its copy stays, try again later). A node that cannot
 * answer at all loses the process anyway (its threads' twins end it), so
 * its copy is forgotten.
 */
int pcn_invalidate_sharers(struct pcn_process *proc, struct pcn_page_dir *dir,
			   unsigned long addr, int except)
{
	struct pcn_page_fetch req = {
		.origin_tgid = proc->origin_tgid,
		.addr = addr,
	};
	struct pcn_kmsg_rx *replies[PCN_MAX_NODES];
	int results[PCN_MAX_NODES];
	unsigned long nodes = dir->sharers;
	struct pcn_page_fetch_reply r;
	int nid, ret = 0;
	u64 start;

	if (except >= 0)
		__clear_bit(except, &nodes);
	if (!nodes)
		return 0;
	start = ktime_get_ns();
	/*
	 * One sharer (the common case) needs no batch to set up; the
	 * invalidate_serial knob (debugfs.c) asks for one at a time.
	 */
	if (hweight_long(nodes) == 1 || pcn_knob(invalidate_serial) ||
	    pcn_kmsg_request_all(nodes, PCN_KMSG_TYPE_PAGE_RECALL, &req,
				 sizeof(req), replies, results,
				 PCN_REQUEST_TIMEOUT)) {
		/* Asked to, or no memory for a batch: one at a time. */
		for_each_set_bit(nid, &nodes, PCN_MAX_NODES) {
			if (pcn_recall(proc, nid, addr, false, NULL, NULL) ==
			    -EAGAIN)
				ret = -EAGAIN;
			else
				__clear_bit(nid, &dir->sharers);
		}
		return ret;
	}
	pcn_stat_inval_sent(proc, hweight_long(nodes));
	for_each_set_bit(nid, &nodes, PCN_MAX_NODES) {
		if (!results[nid]) {
			results[nid] = pcn_reply_status(replies[nid], addr, 0,
							&r);
			if (results[nid] == -EPROTO)
				pcn_kmsg_bad(replies[nid]->from,
					     "malformed recall reply");
			pcn_kmsg_done(replies[nid]);
		}
		if (results[nid] == -EAGAIN)
			ret = -EAGAIN;
		else
			__clear_bit(nid, &dir->sharers);
	}
	trace_popcorn_invalidate(addr, nodes, false, ret,
				 ktime_get_ns() - start);
	return ret;
}

/* How pcn_origin_reclaim() brings a page home. */
enum pcn_reclaim {
	PCN_RECLAIM_SHARE,	/* the holder keeps a read-only copy */
	PCN_RECLAIM_WRITE,	/* ours alone, to be written (or passed on) */
	PCN_RECLAIM_READ,	/* ours alone for a read: mapped clean */
};

/*
 * A page handed around by its writers (page_dir.h): the origin's own
 * private writable mappings only (the migratory_off knob, debugfs.c,
 * turns it off).
 */
static bool pcn_page_migratory(struct pcn_page_dir *dir,
			       struct vm_area_struct *vma)
{
	return dir->migratory && !pcn_knob(migratory_off) &&
	       (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
}

/*
 * Node @nid gets write access to @dir's page. It had read the page first
 * (@had_copy), and another node wrote it last: the page goes from writer
 * to writer, each reading it first, and is migratory from now on.
 */
static void pcn_page_written(struct pcn_page_dir *dir, int nid, bool had_copy)
{
	if (had_copy && dir->writer >= 0 && dir->writer != nid)
		dir->migratory = true;
	dir->writer = nid;
}

/* The only copy of @addr is at dir->owner: bring it home. Entry locked. */
static int pcn_origin_reclaim(struct pcn_process *proc,
			      struct pcn_page_dir *dir,
			      struct vm_area_struct *vma, unsigned long addr,
			      enum pcn_reclaim how)
{
	bool keep_copy = how == PCN_RECLAIM_SHARE, clean = false;
	int owner = dir->owner;
	struct page *page;
	int ret;

	ret = pcn_recall(proc, owner, addr, keep_copy, &page, &clean);
	/* It was handed the page by a read and only read it: not migratory. */
	if (!ret && clean)
		dir->migratory = false;
	if (ret == -ENODATA && dir->zero) {
		/*
		 * It never mapped the zero page it was handed: nobody has
		 * the page, as before (our page table has nothing there).
		 */
		dir->owner = -1;
		dir->zero = false;
		return 0;
	}
	if (ret)
		return ret == -ENODATA ? -EIO : ret;	/* the only copy is gone */
	if (vma->vm_flags & VM_SHARED) {
		/* Home is the page cache (shared.c); the fault maps it. */
		ret = pcn_shared_store(vma, addr, page);
		put_page(page);
		if (ret)
			return ret;
		goto done;
	}
	if (pcn_pte_state(vma, addr) != PCN_PTE_NONE)
		pcn_pte_zap(vma, addr);
	ret = pcn_pte_install(vma, addr, page,
			      keep_copy || !(vma->vm_flags & VM_WRITE) ?
			      PCN_PTE_INSTALL_READ :
			      how == PCN_RECLAIM_READ ? PCN_PTE_INSTALL_CLEAN :
			      PCN_PTE_INSTALL_WRITE);
	if (ret) {
		put_page(page);
		return ret;
	}
done:
	dir->owner = -1;
	dir->zero = false;
	dir->sharers = keep_copy ? BIT(owner) : 0;
	return 0;
}

/* A fault of a distributed process, for the counters and trace events. */
struct pcn_fault {
	unsigned long addr;
	int kind;		/* enum pcn_fault_kind; -1: nothing asked */
	int owner;		/* the node asked; -1: the sharers */
	bool busy;		/* backed off */
	atomic_t *counted;	/* origin: its bucket, until uncounted */
};

/* An origin fault that is done with its count (pcn_origin_busy()). */
static void pcn_origin_uncount(struct pcn_fault *f)
{
	if (f->counted)
		atomic_dec(f->counted);
	f->counted = NULL;
}

/* The fault needs another node: from here on it is counted. */
static void pcn_fault_begin(struct pcn_fault *f, enum pcn_fault_kind kind,
			    int owner)
{
	f->kind = kind;
	f->owner = owner;
	trace_popcorn_fault_begin(f->addr, kind, owner);
}

/*
 * A fault that found the page busy elsewhere (a holder answered -EAGAIN):
 * back off without holding anything, then the access faults again.
 */
static vm_fault_t pcn_fault_backoff(struct pcn_fault *f,
				    struct vm_area_struct *vma,
				    unsigned int flags)
{
	f->busy = true;
	pcn_stat_inc(page_fetch_retries);
	if ((flags & FAULT_FLAG_ALLOW_RETRY) &&
	    !(flags & FAULT_FLAG_RETRY_NOWAIT)) {
		mmap_read_unlock(vma->vm_mm);
		usleep_range(200, 2000);
		return VM_FAULT_RETRY;
	}
	usleep_range(200, 2000);
	return VM_FAULT_NOPAGE;
}

/*
 * The coherence work of an origin fault. 0 lets the ordinary fault path
 * run, with *@held, the page's directory entry, locked across it when the
 * page has one: the page server cannot give the page away or copy it
 * until that path has mapped what it maps (a page without an entry is
 * covered by the fault's count instead, pcn_origin_busy()).
 */
static vm_fault_t pcn_origin_fault(struct pcn_process *proc,
				   struct vm_area_struct *vma,
				   struct pcn_fault *f, unsigned int flags,
				   struct pcn_page_dir **held)
{
	unsigned long addr = f->addr;
	struct pcn_page_dir *dir;
	bool write;
	int ret = 0;

	/*
	 * A writable shared mapping maps even a read fault's page writable
	 * (no write notification): such a fault takes the page back whole
	 * (shared.c).
	 */
	write = (flags & FAULT_FLAG_WRITE) ||
		(vma->vm_flags & (VM_SHARED | VM_WRITE)) ==
		(VM_SHARED | VM_WRITE);
	dir = pcn_dir_get(proc, addr, false);
	if (!dir)
		return 0;		/* never left this node: counted */
	/*
	 * The entry orders us with the page server from here on: a count
	 * held while we wait for it, or for the network, would keep every
	 * request for a page of the bucket busy meanwhile.
	 */
	pcn_origin_uncount(f);
	mutex_lock(&dir->lock);
	if (dir->owner >= 0) {
		/*
		 * The page comes back (whole for a write, or for a read of a
		 * migratory page); the access then faults again.
		 */
		pcn_fault_begin(f, write ? PCN_FAULT_WRITE : PCN_FAULT_READ,
				dir->owner);
		ret = pcn_origin_reclaim(proc, dir, vma, addr,
					 write ? PCN_RECLAIM_WRITE :
					 pcn_page_migratory(dir, vma) ?
					 PCN_RECLAIM_READ : PCN_RECLAIM_SHARE);
		if (!ret && write)
			pcn_page_written(dir, pcn_my_nid(), false);
		mutex_unlock(&dir->lock);
		if (ret == -EAGAIN)
			return pcn_fault_backoff(f, vma, flags);
		return ret ? pcn_fault_error(ret) : VM_FAULT_NOPAGE;
	}
	if (write && dir->sharers) {
		pcn_fault_begin(f, PCN_FAULT_UPGRADE, -1);
		ret = pcn_invalidate_stream(proc, vma, dir, addr);
	}
	if (ret == -EAGAIN) {
		mutex_unlock(&dir->lock);
		return pcn_fault_backoff(f, vma, flags);
	}
	if (write)
		pcn_page_written(dir, pcn_my_nid(),
				 pcn_pte_state(vma, addr) == PCN_PTE_RO);
	*held = dir;			/* the ordinary fault path goes on */
	return 0;
}

/*
 * Answer the fetch @rx with this node's page at @addr, written into the
 * requester's exposed page; from then on the page is read-only here
 * (@keep) or gone. The mapping changes first, the data is read after: a
 * write racing with the copy faults (and waits for the directory entry)
 * instead of being lost to the copy. The caller still holds the directory
 * entry: the requester's next request for the page waits for it.
 */
static int pcn_origin_page_get(struct vm_area_struct *vma, unsigned long addr,
			       bool keep, struct page **pagep)
{
	long got;

	current->pcn_thread = &pcn_page_server_self;
	got = get_user_pages_remote(vma->vm_mm, addr, 1, 0, pagep, NULL, NULL);
	current->pcn_thread = NULL;
	if (got != 1)
		return got < 0 ? got : -EFAULT;
	if (keep)
		pcn_pte_wrprotect(vma, addr);
	else
		pcn_pte_zap(vma, addr);
	return 0;
}

/* ... into the first page of @req's window, the pages @ahead put before. */
static int pcn_send_origin_page(struct vm_area_struct *vma,
				struct pcn_kmsg_rx *rx,
				const struct pcn_page_fetch *req, bool keep,
				u32 flags, u64 ahead)
{
	struct pcn_page_desc to = pcn_window_desc(&req->desc, 0);
	struct page *page;
	int ret;

	ret = pcn_origin_page_get(vma, req->addr, keep, &page);
	if (ret)
		return ret;
	ret = pcn_kmsg_reply_page(rx, &to, page, flags, ahead);
	put_page(page);
	return ret;
}

/*
 * Read-ahead: the pages after @req->addr that its window has room for and
 * that we hold (our page table maps them and no remote owns them), each
 * put into its place of the window as a read-only copy, as a read fetch
 * of it would, before the answer. The requester is their sharer from then
 * on. A page busy or not here is left out, and so is one a write stream
 * of ours is about to reach (page_inval.c). Private mappings only (shared
 * ones keep their pages in the page cache: shared.c), and none the
 * program said it reads at random (madvise(MADV_RANDOM), wherever its
 * thread ran it: the VMA is ours), as for the page cache's read-ahead.
 * Returns the pages put (bit i: @req->addr + i pages).
 */
static u64 pcn_send_ahead(struct pcn_process *proc, struct vm_area_struct *vma,
			  struct pcn_kmsg_rx *rx,
			  const struct pcn_page_fetch *req)
{
	unsigned int i, n = req->desc.len / PCN_PAGE_SIZE;
	bool down = req->flags & PCN_PAGE_F_DOWN;
	int from = rx->from->nid;
	struct pcn_page_desc to;
	enum pcn_pte_state state;
	struct pcn_page_dir *dir;
	struct page *page;
	unsigned long a;
	u64 sent = 0;

	if (vma->vm_flags & (VM_SHARED | VM_RAND_READ))
		return 0;
	for (i = 1; i < n; i++) {
		a = pcn_window_page(req->addr, i, down);
		if (a >= vma->vm_end || a < vma->vm_start)
			break;
		state = pcn_pte_state(vma, a);
		if ((state != PCN_PTE_RO && state != PCN_PTE_RW) ||
		    pcn_write_stream_ahead(proc, a))
			continue;
		dir = pcn_dir_get(proc, a, true);
		if (!dir || !mutex_trylock(&dir->lock))
			continue;
		if (dir->owner < 0 && !pcn_origin_busy(proc, a) &&
		    !pcn_origin_page_get(vma, a, true, &page)) {
			to = pcn_window_desc(&req->desc, i);
			if (!pcn_page_put(from, &to, page)) {
				dir->sharers |= BIT(from);
				sent |= BIT_ULL(i);
			}
			put_page(page);
		}
		mutex_unlock(&dir->lock);
	}
	pcn_stat_add(ahead_sent, hweight64(sent));
	return sent;
}

/*
 * A page no node has ever had: no remote holds it, and the origin never
 * touched it (nothing in its page table). A read of it hands the reader
 * the only copy, writable, as a first write would: the common "read the
 * fresh memory, then write it" of a remote thread's own allocations costs
 * one fetch, not a read and an upgrade. Private writable mappings only.
 */
static bool pcn_page_fresh(struct pcn_page_dir *dir,
			   struct vm_area_struct *vma, unsigned long addr)
{
	return dir->owner < 0 && !dir->sharers && !pcn_knob(fresh_read_copy) &&
	       (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE &&
	       pcn_pte_state(vma, addr) == PCN_PTE_NONE;
}

/*
 * A read of a migratory page, which no other remote shares: the reader
 * gets the only copy, as a write would, since it writes the page next.
 * A page this node had for a read and never wrote, or a holder sends
 * back unwritten, is not migratory any more (-ENOENT: serve a copy).
 */
static int pcn_serve_migratory(struct pcn_process *proc,
			       struct pcn_page_dir *dir,
			       struct vm_area_struct *vma,
			       struct pcn_kmsg_rx *rx,
			       const struct pcn_page_fetch *req, bool *replied)
{
	int ret;

	if (pcn_origin_busy(proc, req->addr))
		return -EAGAIN;		/* we are mapping it here */
	if (dir->owner >= 0) {
		ret = pcn_origin_reclaim(proc, dir, vma, req->addr,
					 PCN_RECLAIM_WRITE);
		if (ret)
			return ret;
		if (!dir->migratory)
			return -ENOENT;
	} else if (pcn_pte_state(vma, req->addr) == PCN_PTE_RW &&
		   !pcn_pte_dirty(vma, req->addr)) {
		dir->migratory = false;
		return -ENOENT;
	}
	ret = pcn_send_origin_page(vma, rx, req, false, PCN_PAGE_F_OWNER, 0);
	if (ret)
		return ret;
	*replied = true;
	dir->sharers = 0;
	dir->owner = rx->from->nid;
	dir->zero = false;
	return 0;
}

/* Both return the fetch's status; *replied when the page answered it. */
static int pcn_serve_read(struct pcn_process *proc, struct pcn_page_dir *dir,
			  struct vm_area_struct *vma, struct pcn_kmsg_rx *rx,
			  const struct pcn_page_fetch *req, bool *replied)
{
	int from = rx->from->nid;
	int ret;

	if (dir->owner == from)
		return -EIO;		/* it lost the only copy */
	if (pcn_page_migratory(dir, vma) && !(dir->sharers & ~BIT(from))) {
		ret = pcn_serve_migratory(proc, dir, vma, rx, req, replied);
		if (ret != -ENOENT)
			return ret;
	}
	if (pcn_page_fresh(dir, vma, req->addr) &&
	    !pcn_origin_busy(proc, req->addr)) {
		/* Nobody has it: the reader owns it (no upgrade fault). */
		ret = pcn_send_origin_page(vma, rx, req, false,
					   PCN_PAGE_F_OWNER, 0);
		if (ret)
			return ret;
		*replied = true;
		dir->owner = from;
		dir->zero = false;
		return 0;
	}
	if (dir->owner >= 0) {
		ret = pcn_origin_reclaim(proc, dir, vma, req->addr,
					 PCN_RECLAIM_SHARE);
		if (ret)
			return ret;
	} else if (pcn_origin_busy(proc, req->addr)) {
		/*
		 * A fault of ours may be making the page writable here
		 * (do_wp_page()) past its look at the sharers: a copy now
		 * would miss that write.
		 */
		return -EAGAIN;
	}
	ret = pcn_send_origin_page(vma, rx, req, true, 0,
				   pcn_send_ahead(proc, vma, rx, req));
	if (ret)
		return ret;
	*replied = true;
	dir->sharers |= BIT(from);
	return 0;
}

static int pcn_serve_write(struct pcn_process *proc, struct pcn_page_dir *dir,
			   struct vm_area_struct *vma, struct pcn_kmsg_rx *rx,
			   const struct pcn_page_fetch *req, bool *replied)
{
	bool have_copy = req->flags & PCN_PAGE_F_HAVE_COPY;
	int from = rx->from->nid;
	int ret;

	if (!(vma->vm_flags & VM_WRITE))
		return -EFAULT;
	if (dir->owner == from)
		return have_copy ? 0 : -EIO;
	if (pcn_origin_busy(proc, req->addr))
		return -EAGAIN;		/* we are mapping it here */
	if (dir->owner >= 0) {
		ret = pcn_origin_reclaim(proc, dir, vma, req->addr,
					 PCN_RECLAIM_WRITE);
		if (ret)
			return ret;
	}
	if (have_copy && !(dir->sharers & BIT(from)))
		return -ESTALE;		/* its copy was invalidated meanwhile */
	ret = pcn_invalidate_sharers(proc, dir, req->addr, from);
	if (ret)
		return ret;
	if (!have_copy) {
		ret = pcn_send_origin_page(vma, rx, req, false, 0, 0);
		if (ret)
			return ret;
		*replied = true;
	} else {
		pcn_pte_zap(vma, req->addr);
	}
	pcn_page_written(dir, from, have_copy);
	dir->sharers = 0;
	dir->owner = from;
	dir->zero = false;
	return 0;
}

/*
 * A page of an anonymous private writable mapping that no node has and
 * the origin never mapped (or dropped, as MADV_DONTNEED does): it is all
 * zeros, whoever asks first may have it without its data.
 */
static bool pcn_page_unused(struct pcn_process *proc, struct pcn_page_dir *dir,
			    struct vm_area_struct *vma, unsigned long addr)
{
	return dir->owner < 0 && !dir->sharers &&
	       pcn_pte_state(vma, addr) == PCN_PTE_NONE &&
	       !pcn_origin_busy(proc, addr);
}

static bool pcn_vma_zero_fill(struct vm_area_struct *vma)
{
	return vma_is_anonymous(vma) && !userfaultfd_armed(vma) &&
	       (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
}

/*
 * The aligned part of @addr's block that may come with it: the grant_pages
 * knob (debugfs.c), a power of two up to the block; 64 when not built.
 */
static void pcn_grant_span(unsigned long addr, unsigned long *start,
			   unsigned long *end)
{
	u32 n = pcn_knob_u32(grant_pages, PCN_PAGE_GRANT_PAGES);
	unsigned long bytes;

	n = clamp_t(u32, n, 1, PCN_PAGE_GRANT_PAGES);
	bytes = rounddown_pow_of_two(n) * PAGE_SIZE;
	*start = addr & ~(bytes - 1);
	*end = *start + bytes;
}

/*
 * Answer a fetch of an unused page (pcn_page_unused()) with the only copy,
 * as zeros, and with it every other unused page of its block within the
 * VMA (those whose entry is free now): the requester maps them all at
 * once, so a thread filling fresh memory at a remote asks once per block,
 * not once per page, and no page data travels. Pages sent this way are
 * owned by the requester like any other (dir->zero: it may not have
 * mapped one, pcn_origin_reclaim()). @dir is locked.
 */
static void pcn_serve_zero(struct pcn_process *proc, struct pcn_page_dir *dir,
			   struct vm_area_struct *vma, unsigned long addr,
			   int from, struct pcn_page_fetch_reply *r)
{
	unsigned long start, end, a;
	struct pcn_page_dir *other;
	u64 granted = 0;

	pcn_grant_span(addr, &start, &end);
	start = max(start, vma->vm_start);
	end = min(end, vma->vm_end);
	for (a = start; a < end; a += PAGE_SIZE) {
		if (a == addr)
			continue;
		/* No entry for a page we use ourselves. */
		if (pcn_pte_state(vma, a) != PCN_PTE_NONE)
			continue;
		other = pcn_dir_get(proc, a, true);
		if (!other || !mutex_trylock(&other->lock))
			continue;
		if (pcn_page_unused(proc, other, vma, a)) {
			other->owner = from;
			other->zero = true;
			granted |= BIT_ULL(pcn_page_grant_bit(a));
		}
		mutex_unlock(&other->lock);
	}
	dir->owner = from;
	dir->zero = true;
	r->status = 0;
	r->flags = PCN_PAGE_F_OWNER | PCN_PAGE_F_ZERO;
	r->zero_map = granted | BIT_ULL(pcn_page_grant_bit(addr));
	pcn_stat_add(pages_granted, hweight64(r->zero_map));
}

/* Serve the fetch @req, which needs no more than @dir, locked. */
static int pcn_serve(struct pcn_process *proc, struct pcn_page_dir *dir,
		     struct vm_area_struct *vma, struct pcn_kmsg_rx *rx,
		     const struct pcn_page_fetch *req,
		     struct pcn_page_fetch_reply *r, bool *replied)
{
	bool write = req->flags & PCN_PAGE_F_WRITE;
	int from = rx->from->nid;

	if (!(req->flags & PCN_PAGE_F_HAVE_COPY) && pcn_vma_zero_fill(vma)) {
		if (dir->owner == from && dir->zero) {
			/* It asks for a zero page it did not map: again. */
			r->flags = PCN_PAGE_F_OWNER | PCN_PAGE_F_ZERO;
			r->zero_map = BIT_ULL(pcn_page_grant_bit(req->addr));
			return 0;
		}
		if ((write || !pcn_knob(fresh_read_copy)) &&
		    pcn_page_unused(proc, dir, vma, req->addr)) {
			pcn_serve_zero(proc, dir, vma, req->addr, from, r);
			return 0;
		}
	}
	if (write)
		return pcn_serve_write(proc, dir, vma, rx, req, replied);
	return pcn_serve_read(proc, dir, vma, rx, req, replied);
}

static bool pcn_fetch_valid(const struct pcn_page_fetch *req)
{
	bool have_copy = req->flags & PCN_PAGE_F_HAVE_COPY;
	u32 len = req->desc.len;

	if ((req->flags & ~(PCN_PAGE_F_WRITE | PCN_PAGE_F_HAVE_COPY |
			    PCN_PAGE_F_DOWN)) ||
	    !PAGE_ALIGNED(req->addr) || req->addr >= TASK_SIZE_MAX)
		return false;
	if ((req->flags & PCN_PAGE_F_DOWN) &&
	    (req->flags & (PCN_PAGE_F_WRITE | PCN_PAGE_F_HAVE_COPY)))
		return false;		/* only a read has a window of pages */
	if (have_copy)
		return (req->flags & PCN_PAGE_F_WRITE) && !len;
	if (req->flags & PCN_PAGE_F_WRITE)
		return len == PAGE_SIZE;
	/* A read: a window of pages from addr up or down, in user space. */
	if (!len || len % PAGE_SIZE || len > PCN_PAGE_AHEAD_MAX * PAGE_SIZE)
		return false;
	if (req->flags & PCN_PAGE_F_DOWN)
		return req->addr >= len - PAGE_SIZE;
	return req->addr + len <= TASK_SIZE_MAX;
}

static void pcn_page_fetch_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_page_fetch *req = (const void *)rx->msg->payload;
	struct pcn_page_fetch_reply r = { .status = -ESRCH };
	int from = rx->from->nid;
	struct vm_area_struct *vma;
	struct pcn_page_dir *dir;
	struct pcn_process *proc;
	struct mm_struct *mm = NULL;
	bool replied = false;
	int shared;

	if (!pcn_fetch_valid(req)) {
		pcn_kmsg_bad(rx->from, "malformed page fetch");
		r.status = -EPROTO;
		goto reply;
	}
	proc = pcn_process_get_mm(pcn_my_nid(), req->origin_tgid, from, &mm);
	if (!proc)
		goto reply;
	r.status = -EAGAIN;
	if (!down_read_trylock(&proc->vma_lock))
		goto mmput;
	if (!mmap_read_trylock(mm)) {
		up_read(&proc->vma_lock);
		goto mmput;
	}
	vma = vma_lookup(mm, req->addr);
	if (!vma && pcn_stack_below(mm, req->addr)) {
		/* Its stack grew there: ours grows too, then it asks again. */
		mmap_read_unlock(mm);
		r.status = pcn_stack_grow(proc, mm, req->addr);
		goto unlock_vma;
	}
	/* A shared mapping that is not distributed (shared.c), or busy. */
	shared = vma && (vma->vm_flags & VM_SHARED) ?
		 pcn_shared_check(vma) : 0;
	if (vma && (vma->vm_flags & PCN_VM_HOME_ONLY))
		shared = -EOPNOTSUPP;	/* a device's or hugetlb pages */
	dir = vma && !shared ? pcn_dir_get(proc, req->addr, true) : NULL;
	if (shared) {
		r.status = shared;
	} else if (!vma || !dir) {
		r.status = vma ? -ENOMEM : -EFAULT;
	} else if (mutex_trylock(&dir->lock)) {
		r.status = pcn_serve(proc, dir, vma, rx, req, &r, &replied);
		mutex_unlock(&dir->lock);
		pcn_stat_inc(page_served);
	}
	mmap_read_unlock(mm);
unlock_vma:
	up_read(&proc->vma_lock);
mmput:
	mmput(mm);
	pcn_process_put(proc);
reply:
	if (!replied)
		pcn_kmsg_reply(rx, &r, sizeof(r));
	pcn_kmsg_done(rx);
}

/*
 * Before the origin changes [start, end) (mprotect, mremap): pages whose
 * only copy is at a remote come home, read-only copies elsewhere go.
 * Current is a thread of the origin process; proc->vma_lock is held.
 */
void pcn_pages_writeback(struct pcn_process *proc, unsigned long start,
			 unsigned long end)
{
	struct mm_struct *mm = proc->mm;
	struct vm_area_struct *vma;
	struct pcn_page_dir *dir;
	unsigned long idx;
	int ret;

	mmap_read_lock(mm);
	xa_for_each_range(&proc->pages, idx, dir, start >> PAGE_SHIFT,
			  (end - 1) >> PAGE_SHIFT) {
		unsigned long addr = idx << PAGE_SHIFT;

		for (;;) {
			mutex_lock(&dir->lock);
			vma = vma_lookup(mm, addr);
			ret = 0;
			if (vma && dir->owner >= 0)
				ret = pcn_origin_reclaim(proc, dir, vma, addr,
							 PCN_RECLAIM_WRITE);
			if (ret && ret != -EAGAIN)
				pr_warn_ratelimited("process %d: page %lx lost\n",
						    proc->origin_tgid, addr);
			if (ret != -EAGAIN)
				ret = pcn_invalidate_sharers(proc, dir, addr,
							     -1);
			if (ret != -EAGAIN) {
				dir->owner = -1;
				dir->zero = false;
			}
			mutex_unlock(&dir->lock);
			if (ret != -EAGAIN)
				break;
			/* A holder is busy with it: it lets go soon. */
			usleep_range(200, 2000);
		}
	}
	mmap_read_unlock(mm);
}

/* After the origin changed [start, end): no remote has a copy any more. */
void pcn_pages_forget(struct pcn_process *proc, unsigned long start,
		      unsigned long end)
{
	struct pcn_page_dir *dir;
	unsigned long idx;

	xa_for_each_range(&proc->pages, idx, dir, start >> PAGE_SHIFT,
			  (end - 1) >> PAGE_SHIFT) {
		mutex_lock(&dir->lock);
		dir->owner = -1;
		dir->zero = false;
		dir->sharers = 0;
		mutex_unlock(&dir->lock);
	}
}

/* ---- remote ---- */

/*
 * The vDSO and [vvar] are this node's own. Every other mapping of a remote
 * is anonymous (vma_server.c), file mappings of the origin included: their
 * pages come from the origin.
 */
static bool pcn_vma_local(struct vm_area_struct *vma)
{
	return !vma_is_anonymous(vma);
}

/*
 * A fetch under way whose answer may hand us pages besides the one asked
 * for (a block of zero pages, pcn_serve_zero(); pages ahead,
 * pcn_send_ahead()). A recall of one of them that finds nothing mapped
 * here is answered "nothing here", and the origin takes the page back or
 * writes it: so the recall revokes the page for the fetch, which then
 * does not map it. Both look at the page under its page lock, so one of
 * them comes first: the page is mapped and recalled, or revoked and never
 * mapped. (Answering "busy" instead would starve the origin while this
 * node's threads keep fetching pages of the block.)
 */
#define PCN_GRANT_WAIT_PAGES	(PCN_PAGE_GRANT_PAGES + PCN_PAGE_AHEAD_MAX)

struct pcn_grant_wait {
	struct list_head node;
	unsigned long start, end;	/* the pages it may bring */
	DECLARE_BITMAP(revoked, PCN_GRANT_WAIT_PAGES);	/* proc->lock */
};

static void pcn_grant_wait_add(struct pcn_process *proc,
			       struct pcn_grant_wait *w, unsigned long addr,
			       unsigned int window, bool down)
{
	unsigned long base = pcn_page_grant_base(addr);

	/* At most 15 pages below the block, or 16 from addr above it. */
	w->start = down ? min(base, addr - (window - 1) * PAGE_SIZE) : base;
	w->end = max(base + PCN_PAGE_GRANT_BYTES,
		     down ? addr + PAGE_SIZE : addr + window * PAGE_SIZE);
	bitmap_zero(w->revoked, PCN_GRANT_WAIT_PAGES);
	spin_lock(&proc->lock);
	list_add(&w->node, &proc->grant_waits);
	spin_unlock(&proc->lock);
}

static void pcn_grant_wait_del(struct pcn_process *proc,
			       struct pcn_grant_wait *w)
{
	spin_lock(&proc->lock);
	list_del(&w->node);
	spin_unlock(&proc->lock);
}

/* A recall found nothing at @addr: no fetch under way may map it now. */
void pcn_grant_revoke(struct pcn_process *proc, unsigned long addr)
{
	struct pcn_grant_wait *w;

	spin_lock(&proc->lock);
	list_for_each_entry(w, &proc->grant_waits, node) {
		if (addr >= w->start && addr < w->end)
			__set_bit((addr - w->start) >> PAGE_SHIFT, w->revoked);
	}
	spin_unlock(&proc->lock);
}

static bool pcn_grant_revoked(struct pcn_process *proc,
			      struct pcn_grant_wait *w, unsigned long addr)
{
	bool revoked;

	spin_lock(&proc->lock);
	revoked = test_bit((addr - w->start) >> PAGE_SHIFT, w->revoked);
	spin_unlock(&proc->lock);
	return revoked;
}

/*
 * Map @page at @addr of @vma, a page other than the one the fault asked
 * for (fetch @w brought it), if nothing is there, no recall revoked it
 * and nobody here is busy with it (@own: the page lock we hold, which may
 * be @addr's too). True when mapped.
 */
static bool pcn_map_extra(struct pcn_process *proc, struct vm_area_struct *vma,
			  struct pcn_grant_wait *w, unsigned long addr,
			  struct page *page, enum pcn_pte_install how,
			  struct mutex *own)
{
	struct mutex *lock = pcn_page_lock(proc, addr);
	bool mapped = false;

	if (addr < vma->vm_start || addr >= vma->vm_end ||
	    addr < w->start || addr >= w->end)
		return false;
	if (lock != own && !mutex_trylock(lock))
		return false;
	if (pcn_pte_state(vma, addr) == PCN_PTE_NONE &&
	    !pcn_grant_revoked(proc, w, addr))
		mapped = !pcn_pte_install(vma, addr, page, how);
	if (lock != own)
		mutex_unlock(lock);
	return mapped;
}

/*
 * Map the other zero pages of @addr's block the origin handed us
 * (@zero_map) that our VMA covers and nobody here is busy with; the rest
 * stay ours unmapped, and a fault on one asks again.
 */
static void pcn_map_zero_pages(struct pcn_process *proc,
			       struct vm_area_struct *vma,
			       struct pcn_grant_wait *w, unsigned long addr,
			       u64 zero_map, struct mutex *own)
{
	enum pcn_pte_install how = vma->vm_flags & VM_WRITE ?
				   PCN_PTE_INSTALL_WRITE : PCN_PTE_INSTALL_READ;
	unsigned int i, mapped = 0;
	struct page *page;
	unsigned long a;

	for (i = 0; i < PCN_PAGE_GRANT_PAGES; i++) {
		a = pcn_grant_addr(addr, i);
		if (!(zero_map & BIT_ULL(i)) || a == addr ||
		    a < vma->vm_start || a >= vma->vm_end)
			continue;
		page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
		if (!page)
			break;
		if (pcn_map_extra(proc, vma, w, a, page, how, own))
			mapped++;
		else
			put_page(page);
	}
	pcn_stat_add(granted_mapped, mapped);
}

/*
 * Map the read-only copies the origin put ahead into our window @e
 * (@ahead: bit i for page i of the window, pcn_window_page()), old, so
 * that read-ahead can tell whether they were used (page_ahead.c); each
 * mapped one leaves @pages.
 */
static void pcn_map_ahead(struct pcn_process *proc, struct vm_area_struct *vma,
			  struct pcn_grant_wait *w, unsigned long addr,
			  bool down, struct pcn_page_expo *e,
			  struct page **pages, u64 ahead, struct mutex *own)
{
	u32 mapped = 0;
	unsigned int i;

	for (i = 1; i < e->npages; i++) {
		if (!(ahead & BIT_ULL(i)) || !pcn_window_filled(e, i))
			continue;
		if (pcn_map_extra(proc, vma, w, pcn_window_page(addr, i, down),
				  pages[i], PCN_PTE_INSTALL_AHEAD, own)) {
			pages[i] = NULL;	/* the page table's now */
			mapped |= BIT(i);
		}
	}
	pcn_stat_add(ahead_mapped, hweight32(mapped));
	pcn_ra_mapped(mapped);
}

/*
 * The answer to our fetch of @addr, checked: map what it brought.
 * @pages[0] is @addr's page, mapped (and cleared from @pages) on success.
 */
static int pcn_fetch_map(struct pcn_process *proc, struct vm_area_struct *vma,
			 struct pcn_grant_wait *w, unsigned long addr,
			 bool write, bool down, struct pcn_page_expo *e,
			 struct page **pages,
			 const struct pcn_page_fetch_reply *r)
{
	struct mutex *own = pcn_page_lock(proc, addr);
	enum pcn_pte_install how = write ? PCN_PTE_INSTALL_WRITE :
				   PCN_PTE_INSTALL_READ;
	int ret;

	if (!(r->flags & (PCN_PAGE_F_DATA | PCN_PAGE_F_ZERO)))
		return -EPROTO;
	if ((r->flags & PCN_PAGE_F_DATA) && !pcn_page_filled(e))
		return -EIO;		/* the data never landed */
	/* No data came: the page is zeros (and no longer exposed). */
	if (r->flags & PCN_PAGE_F_ZERO)
		clear_highpage(pages[0]);
	/*
	 * Handed the only copy on a read: writable, if it may be, and
	 * clean, so that a recall can tell whether we wrote it.
	 */
	if ((r->flags & PCN_PAGE_F_OWNER) && !write)
		how = vma->vm_flags & VM_WRITE ? PCN_PTE_INSTALL_CLEAN :
						  PCN_PTE_INSTALL_READ;
	ret = pcn_pte_install(vma, addr, pages[0], how);
	if (ret)
		return ret == -EEXIST ? -EAGAIN : ret;
	pages[0] = NULL;		/* the page table's now */
	if (r->flags & PCN_PAGE_F_ZERO)
		pcn_map_zero_pages(proc, vma, w, addr, r->zero_map, own);
	if (r->ahead_map)
		pcn_map_ahead(proc, vma, w, addr, down, e, pages, r->ahead_map,
			      own);
	return 0;
}

/* Get a copy of @addr (or, @have_copy, write access to ours). Page locked. */
static int pcn_fetch(struct pcn_process *proc, struct vm_area_struct *vma,
		     unsigned long addr, bool write, bool have_copy)
{
	struct pcn_page_fetch req = {
		.origin_tgid = proc->origin_tgid,
		.addr = addr,
	};
	struct page *pages[PCN_PAGE_AHEAD_MAX] = {};
	struct pcn_page_fetch_reply r = {};
	struct pcn_grant_wait wait;
	struct pcn_kmsg_rx *reply;
	unsigned int i, n = 0;
	struct pcn_page_expo e;
	bool down = false;
	int ret;

	if (write)
		req.flags |= PCN_PAGE_F_WRITE;
	if (have_copy) {
		req.flags |= PCN_PAGE_F_HAVE_COPY;
	} else {
		n = write ? 1 : pcn_ahead_window(vma, addr, &down);
		if (down)
			req.flags |= PCN_PAGE_F_DOWN;
		/*
		 * Zeroed: a page the origin said it wrote but did not (a
		 * buggy or hostile peer; an RDMA write cut short) must not
		 * show user space what this memory held before.
		 */
		for (i = 0; i < n; i++) {
			pages[i] = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
			if (!pages[i])
				break;
		}
		n = i;
		ret = n ? pcn_window_expose(proc->origin_nid, pages, n, &e) :
			  -ENOMEM;
		if (ret)
			goto free;
		req.desc = e.desc;
		pcn_grant_wait_add(proc, &wait, addr, n, down);
	}
	pcn_stat_inc(page_fetches);
	ret = pcn_kmsg_request(proc->origin_nid, PCN_KMSG_TYPE_PAGE_FETCH,
			       &req, sizeof(req), &reply, PCN_REQUEST_TIMEOUT);
	if (n)
		pcn_page_unexpose(&e);	/* the origin's key dies here */
	if (!ret) {
		ret = pcn_reply_status(reply, addr, n, &r);
		if (ret == -EPROTO)
			pcn_kmsg_bad(reply->from, "malformed page reply");
		pcn_kmsg_done(reply);
	}
	if (ret == -ESTALE) {
		pcn_pte_zap(vma, addr);	/* our copy is stale: fetch anew */
		ret = -EAGAIN;
	}
	if (!ret && have_copy) {
		ret = r.flags ? -EPROTO : pcn_pte_mkwrite(vma, addr);
		if (ret == -EAGAIN)
			pcn_pte_zap(vma, addr);
	} else if (!ret) {
		ret = pcn_fetch_map(proc, vma, &wait, addr, write, down, &e,
				    pages, &r);
	}
	if (n)
		pcn_grant_wait_del(proc, &wait);
free:
	for (i = 0; i < n; i++) {
		if (pages[i])
			put_page(pages[i]);
	}
	return ret;
}

static vm_fault_t pcn_remote_fault(struct pcn_process *proc,
				   struct vm_area_struct *vma,
				   struct pcn_fault *f, unsigned int flags)
{
	unsigned long addr = f->addr;
	struct mutex *lock = pcn_page_lock(proc, addr);
	bool write = flags & FAULT_FLAG_WRITE;
	enum pcn_pte_state state;
	int ret;

	if (pcn_vma_local(vma))
		return 0;
	mutex_lock(lock);
	state = pcn_pte_state(vma, addr);
	if (state == PCN_PTE_RW || state == PCN_PTE_OTHER ||
	    (state == PCN_PTE_RO && !write)) {
		mutex_unlock(lock);
		return 0;		/* nothing to fetch: a spurious fault */
	}
	pcn_fault_begin(f, state == PCN_PTE_RO ? PCN_FAULT_UPGRADE :
			write ? PCN_FAULT_WRITE : PCN_FAULT_READ,
			proc->origin_nid);
	ret = pcn_fetch(proc, vma, addr, write, state == PCN_PTE_RO);
	mutex_unlock(lock);
	if (ret == -EAGAIN)
		return pcn_fault_backoff(f, vma, flags); /* busy at the origin */
	/* Not to be had here: the thread makes the access at home (move.c). */
	if (ret == -EOPNOTSUPP && pcn_move_home_for_fault(proc, flags))
		return VM_FAULT_NOPAGE;
	return ret ? pcn_fault_error(ret) : VM_FAULT_NOPAGE;
}

/* The origin recalls or invalidates our copy of a page. */
static void pcn_page_recall_handle(struct pcn_kmsg_rx *rx)
{
	const struct pcn_page_fetch *req = (const void *)rx->msg->payload;
	struct pcn_page_fetch_reply r = { .status = -ESRCH };
	bool keep = req->flags & PCN_PAGE_F_KEEP_COPY;
	struct vm_area_struct *vma;
	struct pcn_process *proc;
	struct mm_struct *mm = NULL;
	bool replied = false;
	struct mutex *lock;
	struct page *page;
	u32 flags = 0;

	if ((req->flags & ~PCN_PAGE_F_KEEP_COPY) ||
	    !PAGE_ALIGNED(req->addr) || req->addr >= TASK_SIZE_MAX ||
	    (req->desc.len && req->desc.len != PAGE_SIZE)) {
		pcn_kmsg_bad(rx->from, "malformed page recall");
		r.status = -EPROTO;
		goto reply;
	}
	/* Only the process's origin may recall its pages. */
	proc = pcn_process_get_mm(rx->from->nid, req->origin_tgid,
				  rx->from->nid, &mm);
	if (!proc)
		goto reply;
	/*
	 * The fault path's order: mmap_lock, then the page lock. Never wait
	 * for either: a local fault holding them may be waiting for the
	 * origin, which waits for us. Busy: the origin tries again.
	 */
	lock = pcn_page_lock(proc, req->addr);
	r.status = -EAGAIN;
	if (!mmap_read_trylock(mm))
		goto put;
	if (!mutex_trylock(lock)) {
		mmap_read_unlock(mm);
		goto put;
	}
	r.status = 0;
	vma = vma_lookup(mm, req->addr);
	page = vma && req->desc.len ? pcn_pte_page_get(vma, req->addr) : NULL;
	/*
	 * Handed over whole by a read and mapped clean (pcn_fetch_map()):
	 * never written if still clean. A write racing with this look only
	 * makes the origin's guess wrong (page_dir.h), never the data.
	 */
	if (page && pcn_pte_state(vma, req->addr) == PCN_PTE_RW &&
	    !pcn_pte_dirty(vma, req->addr))
		flags = PCN_PAGE_F_CLEAN;
	/* One a fetch of ours may bring: it must not map it any more. */
	if (!page && vma && pcn_pte_state(vma, req->addr) == PCN_PTE_NONE)
		pcn_grant_revoke(proc, req->addr);
	/* Unmap or protect before the data is read, as the origin does. */
	if (vma) {
		if (keep)
			pcn_pte_wrprotect(vma, req->addr);
		else
			pcn_pte_zap(vma, req->addr);
	}
	if (page) {
		r.status = pcn_kmsg_reply_page(rx, &req->desc, page, flags, 0);
		put_page(page);
		replied = !r.status;
	}
	mutex_unlock(lock);
	mmap_read_unlock(mm);
put:
	pcn_stat_inval_recv(proc);
	mmput(mm);
	pcn_process_put(proc);
reply:
	trace_popcorn_recall(rx->from->nid, req->addr, keep, r.status);
	if (!replied)
		pcn_kmsg_reply(rx, &r, sizeof(r));
	pcn_kmsg_done(rx);
}

/*
 * An origin fault: counted in its page's bucket (pcn_origin_busy()) from
 * before it looks at the directory until it finds the page's entry, or,
 * for a page without one, until the ordinary fault path, which may drop
 * the mmap lock (and @vma with it), is done.
 */
static vm_fault_t pcn_origin_fault_run(struct pcn_process *proc,
				       struct vm_area_struct *vma,
				       unsigned long addr, struct pcn_fault *f,
				       unsigned int flags, pcn_fault_fn fault)
{
	struct pcn_page_dir *held = NULL;
	vm_fault_t ret;

	f->counted = pcn_origin_bucket(proc, f->addr);
	atomic_inc(f->counted);
	/* Pairs with smp_mb() in pcn_origin_busy(). */
	smp_mb__after_atomic();
	ret = pcn_origin_fault(proc, vma, f, flags, &held);
	if (!ret)
		ret = fault(vma, addr, flags);
	if (held)
		mutex_unlock(&held->lock);
	pcn_origin_uncount(f);
	return ret;
}

/* The fault hook (include/popcorn/hooks.h). */
vm_fault_t pcn_handle_fault(struct vm_area_struct *vma, unsigned long addr,
			    unsigned int flags, pcn_fault_fn fault)
{
	struct pcn_process *proc = READ_ONCE(vma->vm_mm->pcn_process);
	struct pcn_fault f = { .addr = addr & PAGE_MASK, .kind = -1 };
	enum pcn_fault_result result;
	vm_fault_t ret;
	u64 start, ns;

	if (!proc || current->pcn_thread == &pcn_page_server_self)
		return fault(vma, addr, flags);
	start = ktime_get_ns();
	if (proc->is_origin) {
		ret = pcn_origin_fault_run(proc, vma, addr, &f, flags,
					   fault);
	} else {
		ret = pcn_remote_fault(proc, vma, &f, flags);
		if (!ret)
			ret = fault(vma, addr, flags);
	}
	if (f.kind < 0)
		return ret;
	/*
	 * @proc stays valid: the faulting thread's mm holds it. A fault that
	 * backed off has dropped the mmap lock, not the mm.
	 */
	ns = ktime_get_ns() - start;
	result = f.busy ? PCN_FAULT_BUSY :
		 (ret & VM_FAULT_ERROR) ? PCN_FAULT_FAILED : PCN_FAULT_DONE;
	pcn_stat_fault(proc, f.kind, result, ns);
	if (current->pcn_thread)
		WRITE_ONCE(current->pcn_thread->faults,
			   current->pcn_thread->faults + 1);
	trace_popcorn_fault_end(f.addr, f.kind, f.owner, result, ns);
	return ret;
}

int pcn_page_server_init(void)
{
	int ret;

	ret = pcn_kmsg_register(PCN_KMSG_TYPE_PAGE_FETCH,
				pcn_page_fetch_handle);
	if (!ret)
		ret = pcn_kmsg_register(PCN_KMSG_TYPE_PAGE_RECALL,
					pcn_page_recall_handle);
	if (!ret)
		ret = pcn_kmsg_register(PCN_KMSG_TYPE_PAGE_INVALIDATE,
					pcn_page_invalidate_handle);
	return ret;
}
