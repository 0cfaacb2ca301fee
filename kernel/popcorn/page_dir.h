/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page server's state, shared by its files (page_server.c, the
 * coherence protocol; page_ahead.c, a remote's read-ahead windows;
 * page_inval.c, invalidations ahead of a write stream).
 */
#ifndef _KERNEL_POPCORN_PAGE_DIR_H
#define _KERNEL_POPCORN_PAGE_DIR_H

#include <linux/mutex.h>
#include "process.h"

/* origin: one page a remote ever asked for (process.h: proc->pages) */
struct pcn_page_dir {
	struct mutex lock;
	unsigned long sharers;	/* remote nodes with a read-only copy */
	int owner;		/* remote node with the only copy, or -1 */
	/*
	 * The owner was handed the page as zeros, unwritten, and may not
	 * have mapped it yet (a block of zero pages, pcn_serve_zero()).
	 */
	bool zero;
	/*
	 * Migratory (pcn_page_migratory()): nodes in turn read the page and
	 * then write it (a lock, a counter, a structure handed around); a
	 * read then gets the only copy, to save the write its round trip.
	 * @writer: the node that last got write access (this node's id for
	 * the origin's own faults), -1 none.
	 */
	bool migratory;
	s16 writer;
};

struct pcn_page_dir *pcn_dir_get(struct pcn_process *proc,
				 unsigned long addr, bool create);
struct mutex *pcn_page_lock(struct pcn_process *proc, unsigned long addr);
void pcn_grant_revoke(struct pcn_process *proc, unsigned long addr);
int pcn_invalidate_sharers(struct pcn_process *proc, struct pcn_page_dir *dir,
			   unsigned long addr, int except);

/* Page @i of a read's window at @addr: upwards, or downwards (@down). */
static inline unsigned long pcn_window_page(unsigned long addr, unsigned int i,
					    bool down)
{
	return down ? addr - i * PAGE_SIZE : addr + i * PAGE_SIZE;
}

/* page_ahead.c */
unsigned int pcn_ahead_window(struct vm_area_struct *vma, unsigned long addr,
			      bool *down);
void pcn_ra_mapped(u32 mapped);

/* page_inval.c */
int pcn_invalidate_stream(struct pcn_process *proc,
			  struct vm_area_struct *vma, struct pcn_page_dir *dir,
			  unsigned long addr);
void pcn_page_invalidate_handle(struct pcn_kmsg_rx *rx);
bool pcn_write_stream_ahead(struct pcn_process *proc, unsigned long addr);

#endif /* _KERNEL_POPCORN_PAGE_DIR_H */
