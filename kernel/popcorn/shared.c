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
 *  - only shmem objects (MAP_SHARED anonymous memory, memfd, SysV shm,
 *    tmpfs files) are distributed: a page stored home must need no more
 *    than the page cache (no ->page_mkwrite, no block reservation). A
 *    remote gets no page of another shared mapping (-EOPNOTSUPP, a SIGBUS
 *    there), and its mmap of one fails with EOPNOTSUPP;
 *  - only one mapping of the object is kept coherent: while another
 *    process, or another address of this one, maps the same pages too, a
 *    remote gets no page of it either, for the accesses through that
 *    mapping would bypass the page server;
 *  - the page-cache page is brought up to date whenever the origin maps
 *    the page, and before munmap, msync and mprotect of the range, fork
 *    and the end of the process (vma_ops.c, fork.c, process.c); and
 *    before the process reads or changes the object through a file
 *    descriptor (read, write, ftruncate... pcn_shared_fd_sync()), at the
 *    origin or for a thread at a remote.
 */
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <asm/unistd.h>
#include "process.h"

/*
 * May a remote have pages of shared mapping @vma? -EOPNOTSUPP when it is
 * not shmem, or when another mapping shares pages of the object with it:
 * another process's, or an alias at another address of this one (the
 * page server keeps pages coherent per address). -EAGAIN: busy, ask
 * again (a message handler does not wait for the lock).
 */
int pcn_shared_check(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	pgoff_t first = vma->vm_pgoff, last = first + vma_pages(vma) - 1;
	struct vm_area_struct *other;
	int ret = 0;

	if (!shmem_mapping(mapping))
		return -EOPNOTSUPP;
	if (!i_mmap_trylock_read(mapping))
		return -EAGAIN;
	vma_interval_tree_foreach(other, &mapping->i_mmap, first, last) {
		if (other != vma) {
			ret = -EOPNOTSUPP;
			break;
		}
	}
	i_mmap_unlock_read(mapping);
	return ret;
}

/*
 * mmap() with arguments @a, made for a thread at a remote: a shared
 * mapping of a file that is not shmem would never give it a page. The
 * call fails up front instead (true).
 */
bool pcn_shared_mmap_refused(const u64 *a)
{
	bool refused;
	struct fd f;

	if ((a[3] & MAP_TYPE) == MAP_PRIVATE || (a[3] & MAP_ANONYMOUS))
		return false;
	f = fdget(a[4]);
	if (!f.file)
		return false;	/* mmap() says EBADF */
	refused = !shmem_mapping(f.file->f_mapping);
	fdput(f);
	return refused;
}

/*
 * The pages of @proc's mappings of the shmem object open as @fd that
 * remotes hold come home. One range covers every such mapping (aliases
 * are not distributed, but a mapping may be split in several VMAs).
 */
static void pcn_shared_file_sync(struct pcn_process *proc, unsigned int fd)
{
	unsigned long start = TASK_SIZE_MAX, end = 0;
	struct address_space *mapping;
	struct vm_area_struct *vma;
	struct fd f = fdget(fd);

	if (!f.file)
		return;
	mapping = f.file->f_mapping;
	if (shmem_mapping(mapping)) {
		i_mmap_lock_read(mapping);
		vma_interval_tree_foreach(vma, &mapping->i_mmap, 0, ULONG_MAX) {
			if (vma->vm_mm != proc->mm)
				continue;
			start = min(start, vma->vm_start);
			end = max(end, vma->vm_end);
		}
		i_mmap_unlock_read(mapping);
	}
	fdput(f);
	if (start >= end)
		return;
	down_write(&proc->vma_lock);
	pcn_pages_writeback(proc, start, end);
	up_write(&proc->vma_lock);
}

/*
 * Before system call @nr (arguments @a) of a thread of origin process
 * @proc, made here by the thread or by its twin: a call that reads or
 * changes a file's data through a descriptor finds a shmem object's
 * pages home, those this process's mappings gave to remotes included.
 */
void pcn_shared_fd_sync(struct pcn_process *proc, unsigned int nr,
			const unsigned long *a)
{
	unsigned int fds[2];	/* as the calls take them */
	int i, n = 1;

	switch (nr) {
	case __NR_read:
	case __NR_write:
	case __NR_pread64:
	case __NR_pwrite64:
	case __NR_readv:
	case __NR_writev:
	case __NR_preadv:
	case __NR_pwritev:
	case __NR_preadv2:
	case __NR_pwritev2:
	case __NR_ftruncate:
	case __NR_fallocate:
		fds[0] = a[0];
		break;
	case __NR_sendfile:
		fds[0] = a[0];
		fds[1] = a[1];
		n = 2;
		break;
	case __NR_splice:
	case __NR_copy_file_range:
		fds[0] = a[0];
		fds[1] = a[2];
		n = 2;
		break;
	default:
		return;
	}
	if (xa_empty(&proc->pages))
		return;		/* no page ever left */
	for (i = 0; i < n; i++)
		pcn_shared_file_sync(proc, fds[i]);
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

	if (!shmem_mapping(mapping))
		return -EOPNOTSUPP;	/* never given away (pcn_shared_check) */
	page = shmem_read_mapping_page(mapping, index);
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
