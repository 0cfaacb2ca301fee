// SPDX-License-Identifier: GPL-2.0
/*
 * Shared mappings (MAP_SHARED anonymous, memfd, SysV shm, shared files) of
 * a distributed process, at the origin.
 *
 * The home copy of such a page is the object's page in the origin's page
 * cache, not a page of the process's page table. A remote gets copies and
 * ownership of it exactly as of private memory (page_server.c); the
 * differences are here:
 *
 *  - a page that comes back from a remote is stored into the page-cache
 *    page (pcn_shared_store()), and the ordinary fault path maps that;
 *  - the origin never keeps a read-only mapping of a page that remotes
 *    also read: a shared mapping has no write notification, so the next
 *    fault, a read one included, would map the page writable behind the
 *    remotes' backs. An origin fault takes the page back whole instead;
 *  - only one mapping of the object is kept coherent: while another
 *    process, or another address of this one, maps the same pages too, a
 *    remote gets no page of it (-EOPNOTSUPP, a SIGBUS there), for the
 *    accesses through that mapping would bypass the page server;
 *  - the page-cache page is brought up to date whenever the origin maps
 *    the page, and before munmap, msync and mprotect of the range, fork
 *    and the end of the process (vma_ops.c, fork.c, process.c).
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include "process.h"

/*
 * Does another mapping share pages of the object with @vma: another
 * process's, or an alias at another address of this one (the page server
 * keeps pages coherent per address)?
 */
bool pcn_shared_elsewhere(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	pgoff_t first = vma->vm_pgoff, last = first + vma_pages(vma) - 1;
	struct vm_area_struct *other;
	bool found = false;

	i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(other, &mapping->i_mmap, first, last) {
		if (other != vma) {
			found = true;
			break;
		}
	}
	i_mmap_unlock_read(mapping);
	return found;
}

/* Is any part of [start, end) of @mm a shared mapping? mmap_lock held. */
bool pcn_range_shared(struct mm_struct *mm, unsigned long start,
		      unsigned long end)
{
	struct vm_area_struct *vma;
	VMA_ITERATOR(vmi, mm, start);

	for_each_vma_range(vmi, vma, end)
		if (vma->vm_flags & VM_SHARED)
			return true;
	return false;
}

/*
 * Store @data, the content of @addr that came back from a remote, into
 * the object's page in the page cache.
 */
int pcn_shared_store(struct vm_area_struct *vma, unsigned long addr,
		     struct page *data)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	pgoff_t index = linear_page_index(vma, addr);
	struct page *page;

	if (shmem_mapping(mapping))
		page = shmem_read_mapping_page(mapping, index);
	else
		page = read_mapping_page(mapping, index, vma->vm_file);
	if (IS_ERR(page))
		return PTR_ERR(page);
	lock_page(page);
	if (page->mapping != mapping) {
		/* Truncated meanwhile: the data has nowhere to go. */
		unlock_page(page);
		put_page(page);
		return -EFAULT;
	}
	copy_highpage(page, data);
	set_page_dirty(page);
	unlock_page(page);
	put_page(page);
	return 0;
}

/*
 * The end of a distributed process at the origin (its mm's last user is
 * gone, the mappings are still there): what remotes hold of its shared
 * mappings goes home, the objects outlive the process.
 */
void pcn_shared_writeback(struct pcn_process *proc)
{
	struct mm_struct *mm = proc->mm;
	struct vm_area_struct *vma;
	unsigned long start = 0, end;

	if (xa_empty(&proc->pages))
		return;
	down_write(&proc->vma_lock);
	for (;;) {
		mmap_read_lock(mm);
		vma = find_vma(mm, start);
		while (vma && !(vma->vm_flags & VM_SHARED))
			vma = find_vma(mm, vma->vm_end);
		if (vma) {
			start = vma->vm_start;
			end = vma->vm_end;
		}
		mmap_read_unlock(mm);
		if (!vma)
			break;
		pcn_pages_writeback(proc, start, end);
		start = end;
	}
	up_write(&proc->vma_lock);
}
