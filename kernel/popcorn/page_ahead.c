// SPDX-License-Identifier: GPL-2.0
/*
 * Read-ahead at a remote: how many pages a read fault asks the origin
 * for, and which way, from the streams its thread has been reading (the
 * origin fills what it holds of the window, page_server.c's
 * pcn_send_ahead()). Per thread (struct pcn_ra_stream, process.h), so
 * no lock: only the faulting thread itself looks at its streams.
 *
 * Whether read-ahead pays: pages mapped ahead are mapped old, and the
 * CPU marks one accessed when the program touches it, without a fault.
 * When a stream's next fault comes (or another fault takes its place),
 * its last window has had its chance: each page of it still mapped counts
 * as used or unused (the counters ahead_used and ahead_unused). A page
 * taken away before then (recalled, invalidated, unmapped) counts as
 * neither, nor do the last windows of a thread that leaves or ends.
 */
#include <linux/mm.h>
#include "internal.h"
#include "page_dir.h"

static_assert(PCN_PAGE_AHEAD_MAX <= 32);	/* pcn_ra_stream.mapped */

/* Count how the pages mapped ahead in @st's last window were used. */
static void pcn_ra_account(struct pcn_ra_stream *st)
{
	struct mm_struct *mm = current->mm;
	unsigned int i, used = 0, unused = 0;
	struct vm_area_struct *vma = NULL;
	unsigned long a;
	int young;

	for (i = 1; st->mapped >> i; i++) {
		if (!(st->mapped & BIT(i)))
			continue;
		a = pcn_window_page(st->fault, i, st->fault_down);
		if (!vma || a < vma->vm_start || a >= vma->vm_end)
			vma = vma_lookup(mm, a);
		young = vma ? pcn_pte_young(vma, a) : -1;
		if (young > 0)
			used++;
		else if (!young)
			unused++;
	}
	st->mapped = 0;
	pcn_stat_add(ahead_used, used);
	pcn_stat_add(ahead_unused, unused);
}

/* The pages of this thread's fault's window that were mapped ahead. */
void pcn_ra_mapped(u32 mapped)
{
	struct pcn_thread *t = current->pcn_thread;

	if (t && t->ra_fault)
		t->ra_fault->mapped = mapped;
}

/*
 * Does a read fault at @addr continue stream @st, and which way? Up: at
 * or just past the end of its last window, above its fault. Down: at or
 * just below its start, below its fault (a one-page window goes either).
 */
static bool pcn_ra_follows(const struct pcn_ra_stream *st, unsigned long addr,
			   bool *down)
{
	bool any = st->pages == 1;

	if ((!st->down || any) && addr > st->start && addr <= st->end) {
		*down = false;
		return true;
	}
	if ((st->down || any) && st->start >= PAGE_SIZE &&
	    addr >= st->start - PAGE_SIZE && addr + PAGE_SIZE < st->end) {
		*down = true;
		return true;
	}
	return false;
}

/*
 * The stream a read fault at @addr that continues none replaces: one that
 * began at @addr (the same page faulted again, as a page other nodes
 * write does now and then), else the least recently used, so that a
 * stream a thread goes on reading survives the faults on other pages it
 * makes in between.
 */
static struct pcn_ra_stream *pcn_ra_victim(struct pcn_thread *t,
					   unsigned long addr)
{
	struct pcn_ra_stream *st = &t->ra[0];
	unsigned int i;

	for (i = 0; i < PCN_RA_STREAMS; i++) {
		if (t->ra[i].start == addr)
			return &t->ra[i];
		if (t->ra[i].used < st->used)
			st = &t->ra[i];
	}
	return st;
}

/*
 * A stream whose pages end a little below @addr (less than its last
 * window, and than @max pages: a reader that jumps about never qualifies):
 * a program that copies a buffer a chunk at a time, each chunk from its
 * end down (glibc's memcpy goes backwards when source and destination
 * sit at nearly the same offset in their pages), first faults at the top
 * of the next chunk. *@gap: the pages from @addr down to that stream's
 * top, the skipped ones with it.
 */
static struct pcn_ra_stream *pcn_ra_above(struct pcn_thread *t,
					  unsigned long addr, unsigned int max,
					  unsigned int *gap)
{
	struct pcn_ra_stream *st;
	unsigned int i;

	for (i = 0; i < PCN_RA_STREAMS; i++) {
		st = &t->ra[i];
		if (st->top && addr >= st->top &&
		    addr - st->top < min(st->pages, max) * PAGE_SIZE) {
			*gap = (addr - st->top) / PAGE_SIZE + 1;
			return st;
		}
	}
	return NULL;
}

/*
 * How many pages a read fault at @addr asks for, and which way
 * (*@down: @addr and the pages below it): read-ahead, like the page
 * cache's, on each of the few streams a thread reads at once (a buffer it
 * consumes, with a lock elsewhere it takes in between), upwards or
 * downwards (a copy that runs backwards). A fault that continues a
 * stream's last window doubles it (up to the ahead_pages knob, debugfs.c;
 * PCN_PAGE_AHEAD_MAX when not built); a fault a little above a stream
 * fills the gap down to it (pcn_ra_above()); any other fault starts a
 * stream, in place of another (pcn_ra_victim()), at one page. A window
 * ends at the VMA's bound and at the first page we have.
 */
unsigned int pcn_ahead_window(struct vm_area_struct *vma,
				     unsigned long addr, bool *down)
{
	u32 max = pcn_knob_u32(ahead_pages, PCN_PAGE_AHEAD_MAX);
	struct pcn_thread *t = current->pcn_thread;
	struct pcn_ra_stream *st = NULL;
	unsigned int i, n = 1;
	bool fill = false;
	unsigned long a;

	*down = false;
	if (!t)
		return 1;
	t->ra_fault = NULL;
	max = clamp_t(u32, max, 1, PCN_PAGE_AHEAD_MAX);
	for (i = 0; i < PCN_RA_STREAMS && !st; i++) {
		if (pcn_ra_follows(&t->ra[i], addr, down) &&
		    !(*down && pcn_knob(ahead_up_only)))
			st = &t->ra[i];
	}
	if (!st && !pcn_knob(ahead_up_only)) {
		st = pcn_ra_above(t, addr, max, &n);
		fill = st;
		*down = fill;	/* down to the stream's top */
	}
	if (st && !fill) {
		n = min_t(unsigned int, max(st->pages, 1U) * 2, max);
	} else if (!st) {
		*down = false;
		st = pcn_ra_victim(t, addr);
		st->top = 0;
	}
	if (st->mapped)
		pcn_ra_account(st);
	st->used = ++t->ra_clock;
	st->pages = n;
	st->down = *down && !fill;	/* a filled gap: still going up */
	for (i = 1; i < n; i++) {
		a = pcn_window_page(addr, i, *down);
		if (a >= vma->vm_end || a < vma->vm_start ||
		    pcn_pte_state(vma, a) != PCN_PTE_NONE)
			break;
	}
	if (*down) {
		st->start = addr - (i - 1) * PAGE_SIZE;
		st->end = addr + PAGE_SIZE;
	} else {
		st->start = addr;
		st->end = addr + i * PAGE_SIZE;
	}
	st->top = max(st->top, st->end);
	st->fault = addr;
	st->fault_down = *down;
	t->ra_fault = st;
	return i;
}
