// SPDX-License-Identifier: GPL-2.0
/*
 * Page-table work of the page server on one PTE: its state, installing a
 * page that came from another node (as do_anonymous_page() installs a new
 * one), giving write access, and taking it or the page away. Callers hold
 * the mm's mmap_lock, at least for read.
 */
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <asm/tlbflush.h>
#include "process.h"

/*
 * The PTE of @addr, mapped and locked; NULL when no page table has it. A
 * transparent huge page mapped there is split first: coherence works on
 * 4 KiB pages, and a huge PMD would hide the page from every operation
 * here (write-protecting it would do nothing). Distributed mms get no new
 * huge pages (MMF_DISABLE_THP, process.c and remote.c); this takes care
 * of those made before the process was distributed.
 */
static pte_t *pcn_pte_lock(struct vm_area_struct *vma, unsigned long addr,
			   spinlock_t **ptl, bool alloc)
{
	struct mm_struct *mm = vma->vm_mm;
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	if (alloc) {
		p4d = p4d_alloc(mm, pgd, addr);
		pud = p4d ? pud_alloc(mm, p4d, addr) : NULL;
		pmd = pud ? pmd_alloc(mm, pud, addr) : NULL;
		if (!pmd || pte_alloc(mm, pmd))
			return ERR_PTR(-ENOMEM);
	} else {
		if (pgd_none(*pgd) || pgd_bad(*pgd))
			return NULL;
		p4d = p4d_offset(pgd, addr);
		if (p4d_none(*p4d) || p4d_bad(*p4d))
			return NULL;
		pud = pud_offset(p4d, addr);
		if (pud_none(*pud) || pud_bad(*pud))
			return NULL;
		pmd = pmd_offset(pud, addr);
	}
	if (pmd_trans_huge(*pmd) || pmd_devmap(*pmd))
		split_huge_pmd(vma, pmd, addr);
	if (pmd_none(*pmd) || pmd_trans_huge(*pmd) || pmd_bad(*pmd))
		return alloc ? ERR_PTR(-EFAULT) : NULL;
	return pte_offset_map_lock(mm, pmd, addr, ptl);
}

enum pcn_pte_state pcn_pte_state(struct vm_area_struct *vma,
				 unsigned long addr)
{
	enum pcn_pte_state state;
	spinlock_t *ptl;
	pte_t *pte, e;

	pte = pcn_pte_lock(vma, addr, &ptl, false);
	if (!pte)
		return PCN_PTE_NONE;
	e = *pte;
	if (pte_none(e))
		state = PCN_PTE_NONE;
	else if (!pte_present(e))
		state = PCN_PTE_OTHER;
	else
		state = pte_write(e) ? PCN_PTE_RW : PCN_PTE_RO;
	pte_unmap_unlock(pte, ptl);
	return state;
}

/*
 * Map @page, which holds the data of @addr from another node, as an
 * anonymous page: read-only, writable (and dirty: it is about to be
 * written), writable and clean (handed over whole to be read: a write
 * will set the dirty bit, pcn_pte_dirty() tells), or read-only and old
 * (read ahead: a touch will set the accessed bit, pcn_pte_young() tells).
 * On success the page table owns the caller's reference. -EEXIST:
 * something is mapped there already.
 */
int pcn_pte_install(struct vm_area_struct *vma, unsigned long addr,
		    struct page *page, enum pcn_pte_install how)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;
	pte_t *pte, entry;

	if (unlikely(anon_vma_prepare(vma)))
		return -ENOMEM;
	if (mem_cgroup_charge(page_folio(page), mm, GFP_KERNEL))
		return -ENOMEM;
	/* Orders the copy of the data before the set_pte_at() below. */
	__SetPageUptodate(page);

	pte = pcn_pte_lock(vma, addr, &ptl, true);
	if (IS_ERR(pte))
		return PTR_ERR(pte);
	if (!pte_none(*pte)) {
		pte_unmap_unlock(pte, ptl);
		return -EEXIST;
	}
	entry = mk_pte(page, vma->vm_page_prot);
	/*
	 * Read ahead: old until the program touches it (pcn_pte_young());
	 * x86's protections carry the accessed bit, so it is taken off.
	 */
	if (how == PCN_PTE_INSTALL_AHEAD)
		entry = pte_mkold(entry);
	else
		entry = pte_sw_mkyoung(entry);
	if (how == PCN_PTE_INSTALL_CLEAN)
		entry = pte_mkwrite(entry);
	else if (how == PCN_PTE_INSTALL_WRITE)
		entry = pte_mkwrite(pte_mkdirty(entry));
	inc_mm_counter(mm, MM_ANONPAGES);
	page_add_new_anon_rmap(page, vma, addr);
	lru_cache_add_inactive_or_unevictable(page, vma);
	set_pte_at(mm, addr, pte, entry);
	update_mmu_cache(vma, addr, pte);
	pte_unmap_unlock(pte, ptl);
	return 0;
}

/*
 * Whether the page mapped at @addr was accessed since it was mapped old
 * (PCN_PTE_INSTALL_AHEAD): 1 yes, 0 no, -1 nothing is mapped there. The
 * CPU sets the accessed bit itself on the first load or store through the
 * mapping, the kernel's own accesses to user memory included.
 */
int pcn_pte_young(struct vm_area_struct *vma, unsigned long addr)
{
	spinlock_t *ptl;
	int young = -1;
	pte_t *pte;

	pte = pcn_pte_lock(vma, addr, &ptl, false);
	if (!pte)
		return -1;
	if (pte_present(*pte))
		young = pte_young(*pte);
	pte_unmap_unlock(pte, ptl);
	return young;
}

/* Whether the page mapped at @addr was written since it was mapped clean. */
bool pcn_pte_dirty(struct vm_area_struct *vma, unsigned long addr)
{
	spinlock_t *ptl;
	bool dirty = false;
	pte_t *pte;

	pte = pcn_pte_lock(vma, addr, &ptl, false);
	if (!pte)
		return false;
	dirty = pte_present(*pte) && pte_dirty(*pte);
	pte_unmap_unlock(pte, ptl);
	return dirty;
}

/*
 * Write access to the read-only copy at @addr, which must be an anonymous
 * page of ours (-EAGAIN otherwise: the caller drops it and fetches again).
 */
int pcn_pte_mkwrite(struct vm_area_struct *vma, unsigned long addr)
{
	struct page *page;
	spinlock_t *ptl;
	pte_t *pte, entry;
	int ret = -EAGAIN;

	pte = pcn_pte_lock(vma, addr, &ptl, false);
	if (!pte)
		return -EAGAIN;
	if (pte_present(*pte)) {
		page = vm_normal_page(vma, addr, *pte);
		if (page && PageAnon(page) && PageAnonExclusive(page)) {
			entry = pte_mkyoung(pte_mkdirty(pte_mkwrite(*pte)));
			if (ptep_set_access_flags(vma, addr, pte, entry, 1))
				update_mmu_cache(vma, addr, pte);
			ret = 0;
		}
	}
	pte_unmap_unlock(pte, ptl);
	return ret;
}

/* Make the page at @addr read-only here (another node got a copy). */
void pcn_pte_wrprotect(struct vm_area_struct *vma, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *pte;

	pte = pcn_pte_lock(vma, addr, &ptl, false);
	if (!pte)
		return;
	if (pte_present(*pte) && pte_write(*pte)) {
		ptep_set_wrprotect(vma->vm_mm, addr, pte);
		flush_tlb_page(vma, addr);
	}
	pte_unmap_unlock(pte, ptl);
}

/* The page mapped at @addr, with a reference, or NULL. */
struct page *pcn_pte_page_get(struct vm_area_struct *vma, unsigned long addr)
{
	struct page *page = NULL;
	spinlock_t *ptl;
	pte_t *pte;

	pte = pcn_pte_lock(vma, addr, &ptl, false);
	if (!pte)
		return NULL;
	if (pte_present(*pte)) {
		page = vm_normal_page(vma, addr, *pte);
		if (page)
			get_page(page);
	}
	pte_unmap_unlock(pte, ptl);
	return page;
}

/* Drop the page at @addr here (another node owns it now). */
void pcn_pte_zap(struct vm_area_struct *vma, unsigned long addr)
{
	zap_page_range_single(vma, addr, PAGE_SIZE, NULL);
}
