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
 *    remote gets no page of another shared mapping (-EOPNOTSUPP): the
 *    thread that touches it there goes home and touches it there
 *    (pcn_move_home_for_fault(), move.c);
 *  - only one mapping of the object is kept coherent: while another
 *    process, or another address of this one, maps the same pages too, a
 *    remote gets no page of it either, for the accesses through that
 *    mapping would bypass the page server: the same, the thread goes
 *    home;
 *  - the page-cache page is brought up to date whenever the origin maps
 *    the page, and before munmap, msync and mprotect of the range, fork
 *    and the end of the process (vma_ops.c, fork.c, process.c); and
 *    before anyone reads or changes the object's data through a file
 *    (read, write, sendfile, splice, io_uring, AIO, truncate, fallocate:
 *    patches/0010) or maps it anew, whoever it is: the process at the
 *    origin, its twin for a thread at a remote, any other process
 *    (pcn_shared_object_sync()).
 */
#include <linux/file.h>
#include <linux/jump_label.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/sched/mm.h>
#include <asm/unistd.h>
#include <popcorn/hooks.h>
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
 * The hooks of patches/0010 (pcn_file_access_hook(), pcn_file_mapped_hook())
 * do nothing until this node is the origin of a distributed process.
 */
DEFINE_STATIC_KEY_FALSE(pcn_shared_out);

/* A process becomes distributed here (no lock held: the key may sleep). */
void pcn_shared_hooks_enable(void)
{
	if (!static_key_enabled(&pcn_shared_out))
		static_branch_enable(&pcn_shared_out);
}

/* The most processes one sync brings pages home for (shared.c allows one). */
#define PCN_SHARED_SYNC_MAX	4

struct pcn_shared_user {
	struct pcn_process *proc;
	struct mm_struct *mm;
	unsigned long start, end;	/* all its mappings of the object */
};

static void pcn_shared_user_sync(struct pcn_shared_user *u)
{
	down_write(&u->proc->vma_lock);
	pcn_pages_writeback(u->proc, u->start, u->end);
	up_write(&u->proc->vma_lock);
	mmput(u->mm);
	pcn_process_put(u->proc);
}

/*
 * Before a task reads, writes, truncates or allocates in the file of
 * @mapping, or (@mapped) has just mapped it: if it is a shmem object,
 * the pages of it that distributed processes of this origin gave to
 * remotes come home to the page cache, and read-only copies there go
 * (pcn_pages_writeback()), so the task sees, and changes, the newest
 * data. Whoever the task is: the process itself, its twin making a
 * remote thread's call, another process, io_uring or AIO workers.
 *
 * @mapped: current's own process is left out. Its mapping calls are
 * made with its vma_lock held for write (vma_ops.c), under which
 * pcn_shared_own_sync() did that work for it before the call (shmat:
 * pcn_shared_alias_sync() after it).
 *
 * No lock held by the caller that a recall needs: the page server's
 * handlers take none of the file's (inode, i_mmap) locks.
 */
void pcn_shared_object_sync(struct address_space *mapping, bool mapped)
{
	struct pcn_shared_user u[PCN_SHARED_SYNC_MAX];
	struct vm_area_struct *vma;
	bool more = false;
	int i, n = 0;

	if (!shmem_mapping(mapping) || !mapping_mapped(mapping))
		return;
	i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(vma, &mapping->i_mmap, 0, ULONG_MAX) {
		struct mm_struct *mm = vma->vm_mm;
		struct pcn_process *proc;

		/*
		 * A private mapping's pages are the process's own, not the
		 * object's (what it has not written yet may or may not
		 * show later changes of the file, as POSIX allows).
		 */
		if (!(vma->vm_flags & VM_SHARED) ||
		    !READ_ONCE(mm->pcn_process) ||
		    (mapped && mm == current->mm))
			continue;
		for (i = 0; i < n && u[i].mm != mm; i++)
			;
		if (i < n) {
			u[i].start = min(u[i].start, vma->vm_start);
			u[i].end = max(u[i].end, vma->vm_end);
			continue;
		}
		if (n == PCN_SHARED_SYNC_MAX) {
			more = true;
			continue;
		}
		/*
		 * An mm on its way out writes its pages back itself. One
		 * with users keeps its process (pcn_mm_exit() comes after
		 * the last one): only then is mm->pcn_process safe to use.
		 * The last put must not be here, under i_mmap_rwsem, which
		 * exit_mmap() takes: mmput_async().
		 */
		if (!mmget_not_zero(mm))
			continue;
		proc = READ_ONCE(mm->pcn_process);
		if (!proc || !proc->is_origin || xa_empty(&proc->pages)) {
			mmput_async(mm);
			continue;
		}
		kref_get(&proc->ref);
		u[n++] = (struct pcn_shared_user){
			.proc = proc, .mm = mm,
			.start = vma->vm_start, .end = vma->vm_end,
		};
	}
	i_mmap_unlock_read(mapping);
	for (i = 0; i < n; i++)
		pcn_shared_user_sync(&u[i]);
	if (more)
		pr_warn_ratelimited("popcorn: a shmem object mapped by over %d distributed processes: not all brought home\n",
				    PCN_SHARED_SYNC_MAX);
}

/*
 * The pages of @proc's shared mappings of @file's object that remotes
 * hold come home (@proc's vma_lock held for write).
 */
void pcn_shared_own_sync(struct pcn_process *proc, struct file *file)
{
	struct address_space *mapping = file->f_mapping;
	unsigned long start = TASK_SIZE_MAX, end = 0;
	struct vm_area_struct *vma;

	i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(vma, &mapping->i_mmap, 0, ULONG_MAX) {
		if (vma->vm_mm != proc->mm || !(vma->vm_flags & VM_SHARED))
			continue;
		start = min(start, vma->vm_start);
		end = max(end, vma->vm_end);
	}
	i_mmap_unlock_read(mapping);
	if (start < end)
		pcn_pages_writeback(proc, start, end);
}

/*
 * The shmem object that call @nr (arguments @a) of origin process @proc
 * is about to map anew, if some page ever left @proc: mmap of a file
 * descriptor, remap_file_pages of a mapping (a new alias of its object).
 * Referenced; NULL if none.
 */
struct file *pcn_shared_call_object(struct pcn_process *proc, int nr,
				    const unsigned long *a)
{
	struct file *file = NULL;
	struct vm_area_struct *vma;
	struct fd f;

	if (xa_empty(&proc->pages))
		return NULL;		/* no page ever left */
	if (nr == __NR_mmap && !(a[3] & MAP_ANONYMOUS)) {
		f = fdget(a[4]);
		if (f.file)
			file = get_file(f.file);
		fdput(f);
	} else if (nr == __NR_remap_file_pages) {
		mmap_read_lock(proc->mm);
		vma = vma_lookup(proc->mm, a[0]);
		if (vma && vma->vm_file)
			file = get_file(vma->vm_file);
		mmap_read_unlock(proc->mm);
	}
	if (file && !shmem_mapping(file->f_mapping)) {
		fput(file);
		file = NULL;
	}
	return file;
}

/*
 * After @proc's own shmat returned @addr, its vma_lock released: the
 * pages of the segment this process gave away come home (an alias is
 * not distributed). Made after the call: the segment is known then.
 */
void pcn_shared_alias_sync(struct pcn_process *proc, unsigned long addr)
{
	struct mm_struct *mm = proc->mm;
	struct vm_area_struct *vma;
	struct file *file = NULL;

	if (xa_empty(&proc->pages))
		return;		/* no page ever left */
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma && (vma->vm_flags & VM_SHARED) && vma->vm_file &&
	    shmem_mapping(vma->vm_file->f_mapping))
		file = get_file(vma->vm_file);
	mmap_read_unlock(mm);
	if (!file)
		return;
	pcn_shared_object_sync(file->f_mapping, false);
	fput(file);
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
