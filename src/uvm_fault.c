/*
 * uvm_fault.c: the page fault handler.
 *
 * uvm_fault() is called when an access finds no valid mapping (or not
 * enough rights) in the pmap.  It looks the address up in the map, checks
 * the protection, resolves needs-copy, finds or makes the page, and enters
 * it in the pmap.  Where the data is decides the case, as in UVM:
 *
 *          +-----------------+
 *          |  upper: amap    |  anon at the slot?  -> case 1
 *          +-----------------+
 *          |  lower: object  |  otherwise          -> case 2
 *          +-----------------+
 *
 *   case 1A  the anon's page is mapped as it is: read access, or a write to
 *            an anon only this amap refers to (an_ref == 1).
 *   case 1B  copy-on-write: a write to an anon shared with another amap
 *            (an_ref > 1) copies it into a new anon, which replaces it in
 *            this amap only.
 *   case 2A  the object's page is mapped directly: a read, or any access
 *            to a shared mapping.  The pager brings the page in if it is
 *            not resident (pgo_get, with read-ahead by advice).
 *   case 2B  promote: a write to a copy-on-write entry copies the object's
 *            page into a new anon in the amap; with no object at all this
 *            is zero-fill, the first touch of anonymous memory.
 *
 * Paged-out anons: an anon whose page the page daemon moved to swap has no
 * page, only a slot; case 1 reads it back first (uvm_fault_anonget), with
 * the anons of the following slots of the amap whose pages went out to the
 * following swap slots (a sequential pageout comes back in one preadv).
 *
 * Pager errors: a page beyond the end of the object is ENXIO, a failed
 * read EIO (both SIGBUS/BUS_OBJERR); a failed swap read is EIO too, and
 * the data stays in its slot for the next try.  An entry mapped with __MAP_NOFAULT
 * gets a zero-filled anon instead, as OpenBSD does.
 *
 * Needs-copy: an entry whose amap is still shared after fork (or that has
 * none yet) gets its own amap from amap_copy() before a write, or before
 * any access when there is no object below.  That changes the map entry,
 * so the fault drops its read lock, takes the write lock, copies, and
 * starts over (the ERESTART of the original is this loop).
 *
 * Fault-around: resident anons and object pages next to the faulting page
 * are entered too, according to the entry's advice (NORMAL 3 pages behind
 * and 4 ahead, SEQUENTIAL 8 and 7, RANDOM none), read-only if they are
 * shared or copy-on-write.
 *
 * Wiring: a page's wire_count is the number of wired entries holding it.
 * mlock wires an entry with VM_FAULT_WIRE faults, run with the map already
 * write-locked (uvm_fault_wire_locked): they resolve copy-on-write now
 * (access is the full protection), enter the page wired, and take the
 * entry's wiring of the page.  Any other fault in a wired entry enters the
 * page wired too, and a copy-on-write there moves the entry's wiring from
 * the old page to its copy.
 *
 * Locks: the map is read-locked for the whole fault (write-locked only to
 * copy an amap); the amap lock covers the anons, the object lock the
 * object's pages (pager I/O is done holding it); page allocation and pmap
 * calls nest inside them.
 */
#include "pmap.h"
#include "uvm.h"
#include "uvm_amap.h"
#include "uvm_anon.h"
#include "uvm_fault.h"
#include "uvm_map.h"
#include "uvm_object.h"
#include "uvm_pdaemon.h"
#include "uvm_swap.h"

struct uvm_advice {
	int nback;
	int nforw;
};

/* fault-around window by madvise advice (OpenBSD's uvmadvice[]) */
static const struct uvm_advice uvmadvice[] = {
	[MADV_NORMAL] = { 3, 4 },
	[MADV_RANDOM] = { 0, 0 },
	[MADV_SEQUENTIAL] = { 8, 7 },
};

/* the state of one fault, passed between the steps */
struct uvm_faultctx {
	struct vm_map *map;
	struct vm_map_entry *entry;
	vaddr_t va;               /* faulting page */
	vm_prot_t access_type;
	vm_prot_t enter_prot;
	bool maplocked;           /* the caller holds the map write-locked */
	bool wired;               /* enter the page wired */
	bool wirepage;            /* VM_FAULT_WIRE: the entry wires the page */
	vaddr_t startva;          /* fault-around window */
	int npages;
	int centeridx;
};

/* the fault's own map lock: none if the caller holds it */
static inline void
uvmfault_unlockmap(struct uvm_faultctx *flt)
{
	if (!flt->maplocked)
		vm_map_unlock_read(flt->map);
}

/*
 * uvm_fault_check: look up the entry, check protection, resolve
 * needs-copy.
 * => on 0 the map is read-locked (or still write-locked by the caller, if
 *    flt->maplocked) and flt->entry is set.
 * => returns 0, ERESTART (needs-copy resolved: start over), EFAULT,
 *    EACCES, ENOMEM; our map lock is dropped on every non-zero return.
 */
static int
uvm_fault_check(struct uvm_faultctx *flt, int fault_type)
{
	struct vm_map *map = flt->map;
	struct bvm_system *sys = map->sys;
	struct vm_map_entry *entry;
	const struct uvm_advice *adv;
	int error;

	if (!flt->maplocked)
		vm_map_lock_read(map);
	if (!uvm_map_lookup_entry(map, flt->va, &entry)) {
		uvmfault_unlockmap(flt);
		CNT_INC(sys->uvmexp.flt_nomap);
		return EFAULT;
	}
	if ((entry->protection & flt->access_type) != flt->access_type ||
	    entry->protection == PROT_NONE) {
		uvmfault_unlockmap(flt);
		CNT_INC(sys->uvmexp.flt_prot);
		return EACCES;
	}
	flt->entry = entry;
	flt->enter_prot = entry->protection;
	flt->wirepage = fault_type == VM_FAULT_WIRE;
	flt->wired = VM_MAPENT_ISWIRED(entry) || flt->wirepage;
	if (flt->wired)
		flt->access_type = flt->enter_prot;  /* resolve COW now */

	if (UVM_ET_ISNEEDSCOPY(entry)) {
		/* no object, or pager errors become anons: an amap now */
		bool need = (flt->access_type & PROT_WRITE) ||
		    entry->object == NULL || UVM_ET_ISNOFAULT(entry);

		if (need && flt->maplocked) {
			/* write-locked already: copy and go on */
			if ((error = amap_copy(map, entry)) != 0) {
				CNT_INC(sys->uvmexp.flt_noram);
				return error;
			}
			CNT_INC(sys->uvmexp.flt_amcopy);
		} else if (need) {
			/* the entry changes: the write lock is needed */
			vm_map_unlock_read(map);
			vm_map_lock(map);
			error = 0;
			if (uvm_map_lookup_entry(map, flt->va, &entry) &&
			    UVM_ET_ISNEEDSCOPY(entry)) {
				error = amap_copy(map, entry);
				if (error == 0)
					CNT_INC(sys->uvmexp.flt_amcopy);
			}
			vm_map_unlock(map);
			if (error) {
				CNT_INC(sys->uvmexp.flt_noram);
				return error;
			}
			return ERESTART;
		} else {
			/* a read of the object below: read-only for now */
			flt->enter_prot &= ~PROT_WRITE;
		}
	}
	if (entry->aref.ar_amap == NULL && entry->object == NULL) {
		uvmfault_unlockmap(flt);
		return EFAULT;
	}

	/* the fault-around window, inside the entry */
	adv = flt->wired ? &uvmadvice[MADV_RANDOM] : &uvmadvice[entry->advice];
	flt->startva = flt->va - MIN((vaddr_t)adv->nback,
	    atop(flt->va - entry->start)) * PAGE_SIZE;
	flt->npages = (int)atop(MIN(flt->va + ptoa(adv->nforw + 1),
	    entry->end) - flt->startva);
	flt->centeridx = (int)atop(flt->va - flt->startva);
	return 0;
}

/*
 * uvm_fault_upper_neighbors: enter resident anons around the fault.
 * => map read-locked, amap locked.
 */
static void
uvm_fault_upper_neighbors(struct uvm_faultctx *flt, struct vm_anon **anons)
{
	struct pmap *pmap = flt->map->pmap;
	struct bvm_system *sys = flt->map->sys;
	struct vm_anon *anon;
	uint32_t mapped;
	vaddr_t va;
	int i;

	mapped = pmap_mapped_mask(pmap, flt->startva, flt->npages);
	for (i = 0; i < flt->npages; i++) {
		anon = anons[i];
		if (i == flt->centeridx || anon == NULL ||
		    (mapped & (1u << i)) || anon->an_page == NULL ||
		    (PG_FLAGS(anon->an_page) & PG_BUSY))
			continue;
		va = flt->startva + ptoa(i);
		if (pmap_enter(pmap, va, VM_PAGE_TO_PHYS(anon->an_page),
		    anon->an_ref > 1 ? flt->enter_prot & ~PROT_WRITE :
		    flt->enter_prot, PMAP_CANFAIL) == 0)
			CNT_INC(sys->uvmexp.flt_around);
	}
}

/* enter pg for the faulting access, wiring as the fault asks */
static int
uvm_fault_enter(struct uvm_faultctx *flt, struct vm_page *pg, vm_prot_t prot)
{
	struct bvm_system *sys = flt->map->sys;
	int error;

	error = pmap_enter(flt->map->pmap, flt->va, VM_PAGE_TO_PHYS(pg), prot,
	    flt->access_type | PMAP_CANFAIL | (flt->wired ? PMAP_WIRED : 0));
	if (error) {
		/*
		 * The amap may already hold a new anon here (1B, zero fill)
		 * while the pmap still maps the old page: take that mapping
		 * away (pmap_remove cannot fail), so the next access faults
		 * and finds the new one.
		 */
		pmap_remove(flt->map->pmap, flt->va, flt->va + PAGE_SIZE);
		CNT_INC(sys->uvmexp.flt_noram);
		return ENOMEM;
	}
	if (flt->wirepage) {
		uvm_pagewire(sys, pg);
		CNT_INC(sys->uvmexp.flt_wired);
	}
	return 0;
}

/*
 * Swap read-ahead, in pages including the faulting one.  It starts at the
 * advice's size; with MADV_NORMAL it grows while the access is sequential,
 * as FreeBSD's vm_fault_readahead: a fault where the last read-ahead ended
 * (entry->next_read) doubles it, up to a swap cluster; any other fault
 * starts again from the advice's size.  Only slots that follow the
 * faulting page's, for the pages that follow it in the amap, are read:
 * pages that went out together, in address order.
 */
#define UVM_SWAPRA_MAX SWCLUSTPAGES

static const int uvm_swapcluster[] = {
	[MADV_NORMAL] = 16,
	[MADV_RANDOM] = 1,
	[MADV_SEQUENTIAL] = UVM_SWAPRA_MAX,
};

/* the read-ahead for this fault.  => map read-locked */
static int
uvm_fault_swapra(struct uvm_faultctx *flt)
{
	struct vm_map_entry *entry = flt->entry;
	int ra;

	if (entry->advice != MADV_NORMAL)
		return uvm_swapcluster[entry->advice];
	ra = __atomic_load_n(&entry->read_ahead, __ATOMIC_RELAXED);
	if (ra > 0 && flt->va == __atomic_load_n(&entry->next_read,
	    __ATOMIC_RELAXED))
		return MIN(MAX(ra * 2, uvm_swapcluster[MADV_NORMAL]),
		    UVM_SWAPRA_MAX);
	return uvm_swapcluster[MADV_NORMAL];
}

/*
 * uvm_fault_anonget: bring the faulting anon's page in from swap, and
 * with it the paged-out anons of the slots after it in the amap whose
 * swap slots follow its slot (in the same area); the pages read ahead are
 * mapped too (FreeBSD's prefault of the pages a pager brought in).
 * Kept out of line: its arrays (4 KiB) would otherwise sit in the stack
 * frame of every fault (measured: first-touch faults 10-30% slower).
 * => map read-locked, amap locked.  => returns 0, ENOMEM, EIO.
 */
static __attribute__((noinline)) int
uvm_fault_anonget(struct uvm_faultctx *flt, struct vm_anon *anon)
{
	struct bvm_system *sys = flt->map->sys;
	struct vm_map_entry *entry = flt->entry;
	struct vm_page *pgs[UVM_SWAPRA_MAX];
	struct vm_anon *anons[UVM_SWAPRA_MAX], *a;
	vaddr_t off = flt->va - entry->start;
	int slot = anon->an_swslot, n, i, ra, want, error;

	KASSERT(anon->an_page == NULL && slot != 0);
	if (flt->wired)
		return uvm_anon_pagein(sys, anon);
	pgs[0] = uvm_pagealloc(sys, NULL, 0, anon, 0);
	if (pgs[0] == NULL)
		return ENOMEM;
	anons[0] = anon;
	ra = uvm_fault_swapra(flt);
	want = uvm_swap_runlen(sys, slot, MIN(ra,
	    (int)atop(entry->end - flt->va)));
	for (n = 1; n < want; n++) {
		a = amap_lookup(&entry->aref, off + ptoa(n));
		if (a == NULL || a->an_page != NULL || a->an_swslot != slot + n)
			break;
		anons[n] = a;
	}
	/* frames for the rest, as many as there are (no shortage if not) */
	n = 1 + uvm_pagealloc_n(sys, anons + 1, pgs + 1, n - 1);
	error = uvm_swap_get(sys, pgs, slot, n);
	if (error && n > 1) {
		/* a read-ahead slot may be what failed: the page alone */
		for (i = 1; i < n; i++)
			uvm_pagefree(sys, pgs[i]);
		n = 1;
		error = uvm_swap_get(sys, pgs, slot, 1);
	}
	for (i = 0; i < n; i++) {
		if (error) {
			uvm_pagefree(sys, pgs[i]);
			continue;
		}
		atomic_clearbits_int(&pgs[i]->pg_flags, PG_BUSY | PG_FAKE);
		anons[i]->an_page = pgs[i];
		CNT_SUB(sys->uvmexp.swpgonly, 1);
	}
	if (error)
		return error;
	/* the sequential state is NORMAL advice's (another starts afresh) */
	__atomic_store_n(&entry->read_ahead, entry->advice == MADV_NORMAL ?
	    ra : 0, __ATOMIC_RELAXED);
	__atomic_store_n(&entry->next_read, flt->va + ptoa(n),
	    __ATOMIC_RELAXED);
	/*
	 * The pages read ahead are mapped now too, as fault-around maps
	 * resident neighbours: the access that brought them back is most
	 * likely going through them in order.
	 */
	for (i = 1; i < n; i++) {
		vm_prot_t prot = flt->enter_prot;

		if (anons[i]->an_ref > 1)
			prot &= ~PROT_WRITE;
		if (pmap_enter(flt->map->pmap, flt->va + ptoa(i),
		    VM_PAGE_TO_PHYS(pgs[i]), prot, PMAP_CANFAIL) == 0)
			CNT_INC(sys->uvmexp.flt_around);
	}
	return 0;
}

/*
 * uvm_fault_upper: case 1, the page is in an anon.
 * => map read-locked, amap locked; both stay locked.
 */
static int
uvm_fault_upper(struct uvm_faultctx *flt, struct vm_anon *anon)
{
	struct bvm_system *sys = flt->map->sys;
	struct vm_map_entry *entry = flt->entry;
	struct vm_anon *nanon;
	struct vm_page *pg, *npg;
	vm_prot_t prot = flt->enter_prot;
	int error;

	if (anon->an_page == NULL) {
		if ((error = uvm_fault_anonget(flt, anon)) != 0) {
			if (error == ENOMEM)
				CNT_INC(sys->uvmexp.flt_noram);
			return error;
		}
	}
	pg = anon->an_page;
	if (flt->wired && anon->an_ref == 1) {
		/* a wired page never goes out: its swap copy is waste */
		uvm_anon_dropswap(sys, anon);
	}
	if ((flt->access_type & PROT_WRITE) && anon->an_ref > 1) {
		/* case 1B: copy on write */
		CNT_INC(sys->uvmexp.flt_acow);
		nanon = uvm_analloc(sys);
		npg = nanon != NULL ? uvm_pagealloc(sys, NULL, 0, nanon, 0) :
		    NULL;
		if (npg == NULL) {
			if (nanon != NULL) {
				nanon->an_ref = 0;
				uvm_anfree(sys, nanon);
			}
			CNT_INC(sys->uvmexp.flt_noram);
			return ENOMEM;
		}
		uvm_pagecopy(sys, pg, npg);
		atomic_clearbits_int(&npg->pg_flags, PG_BUSY);
		nanon->an_page = npg;
		/*
		 * In a shared amap the other sharers map the old page at
		 * this slot: their mappings go, so that they fault and find
		 * the new anon.  (Mappings of it by amaps that keep the old
		 * anon simply fault it back in.)
		 */
		if (amap_flags(entry->aref.ar_amap) & AMAP_SHARED)
			pmap_page_protect(sys, pg, PROT_NONE);
		amap_add(&entry->aref, flt->va - entry->start, nanon, true);
		anon->an_ref--;   /* still held by the other amap(s) */
		/* a wired entry's wiring moves to the copy */
		if (VM_MAPENT_ISWIRED(entry) && !flt->wirepage) {
			uvm_pageunwire(sys, pg);
			uvm_pagewire(sys, npg);
		}
		pg = npg;
	} else {
		/* case 1A */
		CNT_INC(sys->uvmexp.flt_anon);
		if (anon->an_ref > 1)
			prot &= ~PROT_WRITE;
		if (!flt->wired)
			uvm_pageactivate(sys, pg);
	}
	return uvm_fault_enter(flt, pg, prot);
}

/*
 * uvm_fault_lower_neighbors: enter the object's resident pages around the
 * fault where the amap has no anon.
 * => map read-locked, amap (if any) and object locked.
 */
static void
uvm_fault_lower_neighbors(struct uvm_faultctx *flt, struct uvm_object *uobj,
    struct vm_anon **anons)
{
	struct vm_map_entry *entry = flt->entry;
	struct pmap *pmap = flt->map->pmap;
	struct bvm_system *sys = flt->map->sys;
	struct vm_page *pg;
	vm_prot_t prot = flt->enter_prot;
	uint32_t mapped;
	vaddr_t va;
	int i;

	if (UVM_ET_ISCOPYONWRITE(entry))
		prot &= ~PROT_WRITE;
	mapped = pmap_mapped_mask(pmap, flt->startva, flt->npages);
	for (i = 0; i < flt->npages; i++) {
		if (i == flt->centeridx || anons[i] != NULL ||
		    (mapped & (1u << i)))
			continue;
		va = flt->startva + ptoa(i);
		pg = uvm_pagelookup(uobj, entry->offset +
		    (voff_t)(va - entry->start));
		if (pg == NULL || (PG_FLAGS(pg) & PG_BUSY))
			continue;
		if (pmap_enter(pmap, va, VM_PAGE_TO_PHYS(pg), prot,
		    PMAP_CANFAIL) == 0)
			CNT_INC(sys->uvmexp.flt_around);
	}
}

/*
 * uvm_fault_promote: case 2B: a new anon in the amap at the fault, a copy
 * of uobjpage, or zeroed if there is none (anonymous memory, or a
 * __MAP_NOFAULT page the pager could not give).
 * => map read-locked, amap locked, object (if uobjpage) locked.
 * => returns 0 and *npgp, or ENOMEM.
 */
static int
uvm_fault_promote(struct uvm_faultctx *flt, struct vm_page *uobjpage,
    struct vm_page **npgp)
{
	struct bvm_system *sys = flt->map->sys;
	struct vm_map_entry *entry = flt->entry;
	struct vm_anon *anon;
	struct vm_page *pg;

	KASSERT(entry->aref.ar_amap != NULL);
	anon = uvm_analloc(sys);
	pg = anon != NULL ? uvm_pagealloc(sys, NULL, 0, anon,
	    uobjpage == NULL ? UVM_PGA_ZERO : 0) : NULL;
	if (pg == NULL) {
		if (anon != NULL) {
			anon->an_ref = 0;
			uvm_anfree(sys, anon);
		}
		CNT_INC(sys->uvmexp.flt_noram);
		return ENOMEM;
	}
	if (uobjpage != NULL) {
		uvm_pagecopy(sys, uobjpage, pg);
		CNT_INC(sys->uvmexp.flt_prcopy);
	} else
		CNT_INC(sys->uvmexp.flt_zfill);
	atomic_clearbits_int(&pg->pg_flags, PG_BUSY);
	anon->an_page = pg;
	amap_add(&entry->aref, flt->va - entry->start, anon, false);
	*npgp = pg;
	return 0;
}

/*
 * uvm_fault_lower: case 2, no anon at the slot.  With no object below,
 * zero-fill (case 2B without a source); over an object, the pager's page
 * is mapped (2A) or copied (2B).
 * => map read-locked, amap (if any) locked; both stay locked.
 */
static int
uvm_fault_lower(struct uvm_faultctx *flt, struct vm_anon **anons)
{
	struct bvm_system *sys = flt->map->sys;
	struct vm_map_entry *entry = flt->entry;
	struct uvm_object *uobj = entry->object;
	struct vm_page *uobjpage, *pg;
	vm_prot_t prot;
	bool promote;
	int error;

	if (uobj == NULL) {
		error = uvm_fault_promote(flt, NULL, &pg);
		return error ? error : uvm_fault_enter(flt, pg,
		    flt->enter_prot);
	}

	promote = (flt->access_type & PROT_WRITE) &&
	    UVM_ET_ISCOPYONWRITE(entry);
	bvm_mutex_enter(&uobj->vmobjlock);
	if (flt->npages > 1)
		uvm_fault_lower_neighbors(flt, uobj, anons);
	error = uobj->pgops->pgo_get(uobj, entry->offset +
	    (voff_t)(flt->va - entry->start), &uobjpage, entry->advice, 0);
	if (error) {
		if (error == ENOMEM || !UVM_ET_ISNOFAULT(entry)) {
			bvm_mutex_exit(&uobj->vmobjlock);
			if (error == ENOMEM)
				CNT_INC(sys->uvmexp.flt_noram);
			return error;
		}
		/* __MAP_NOFAULT: zeroes in a private anon instead */
		uobjpage = NULL;
		promote = true;
	}

	if (!promote) {
		/* case 2A */
		CNT_INC(sys->uvmexp.flt_obj);
		prot = flt->enter_prot;
		if (UVM_ET_ISCOPYONWRITE(entry))
			prot &= ~PROT_WRITE;
		if (!flt->wired)
			uvm_pageactivate(sys, uobjpage);
		error = uvm_fault_enter(flt, uobjpage, prot);
		bvm_mutex_exit(&uobj->vmobjlock);
		return error;
	}

	/* case 2B */
	error = uvm_fault_promote(flt, uobjpage, &pg);
	if (error == 0 && uobjpage != NULL && VM_MAPENT_ISWIRED(entry) &&
	    !flt->wirepage) {
		/* the entry wired the object's page: its wiring moves */
		uvm_pageunwire(sys, uobjpage);
		uvm_pagewire(sys, pg);
	}
	bvm_mutex_exit(&uobj->vmobjlock);
	return error ? error : uvm_fault_enter(flt, pg, flt->enter_prot);
}

/*
 * uvm_fault_internal: resolve a fault at vaddr.
 * => maplocked: the caller holds the map write-locked (wiring); otherwise
 *    the map must be unlocked.
 * => fault_type: VM_FAULT_INVALID, or VM_FAULT_WIRE (mlock).
 * => access_type: the access that faulted (PROT_READ/WRITE/EXEC).
 * => returns 0 (the page is mapped for the access), EFAULT (no mapping),
 *    EACCES (protection), ENOMEM (no memory), ENXIO (beyond the object),
 *    EIO (pager error).
 */
static int
uvm_fault_internal(struct vm_map *map, vaddr_t vaddr, int fault_type,
    vm_prot_t access_type, bool maplocked)
{
	struct bvm_system *sys = map->sys;
	struct uvm_faultctx flt;
	struct vm_anon *anons[UVM_MAXRANGE];
	struct vm_amap *amap;
	int error;

	CNT_INC(sys->uvmexp.faults);
	flt.map = map;
	flt.maplocked = maplocked;
	flt.va = trunc_page(vaddr);
	do {
		flt.access_type = access_type;
		error = uvm_fault_check(&flt, fault_type);
	} while (error == ERESTART);
	if (error)
		return error;

	amap = flt.entry->aref.ar_amap;
	if (amap != NULL) {
		amap_lock(amap);
		amap_lookups(&flt.entry->aref, flt.startva - flt.entry->start,
		    anons, flt.npages);
		if (flt.npages > 1)
			uvm_fault_upper_neighbors(&flt, anons);
	} else
		memset(anons, 0, sizeof(anons));

	if (anons[flt.centeridx] != NULL)
		error = uvm_fault_upper(&flt, anons[flt.centeridx]);
	else
		error = uvm_fault_lower(&flt, anons);

	if (amap != NULL)
		amap_unlock(amap);
	uvmfault_unlockmap(&flt);
	return error;
}

/*
 * uvm_fault_retry: uvm_fault_internal, and when it found no frame, the
 * page daemon's scan run here with the fault's locks released (uvm_wait),
 * then the fault again, while the scan frees frames.
 */
#define UVM_FAULT_MAXWAIT 1000

static int
uvm_fault_retry(struct vm_map *map, vaddr_t vaddr, int fault_type,
    vm_prot_t access_type, bool maplocked)
{
	int error, waits = 0;

	for (;;) {
		error = uvm_fault_internal(map, vaddr, fault_type, access_type,
		    maplocked);
		if (error != ENOMEM || waits++ == UVM_FAULT_MAXWAIT ||
		    !uvm_wait(map->sys))
			return error;
	}
}

/* uvm_fault: a fault from an access.  => map must be unlocked. */
int
uvm_fault(struct vm_map *map, vaddr_t vaddr, int fault_type,
    vm_prot_t access_type)
{
	return uvm_fault_retry(map, vaddr, fault_type, access_type, false);
}

/*
 * uvm_fault_wire_locked: fault in every page of [start, end) of one entry
 * that has just been marked wired; each page enters wired and the entry
 * takes its wiring of it.
 * => map write-locked.
 * => returns 0, or the first fault's error with *failva its address: the
 *    pages before it are wired.
 */
int
uvm_fault_wire_locked(struct vm_map *map, vaddr_t start, vaddr_t end,
    vaddr_t *failva)
{
	vaddr_t va;
	int error;

	RW_ASSERT_WRLOCK(&map->lock);
	for (va = start; va < end; va += PAGE_SIZE) {
		error = uvm_fault_retry(map, va, VM_FAULT_WIRE, PROT_NONE,
		    true);
		if (error) {
			*failva = va;
			return error;
		}
	}
	return 0;
}

/*
 * uvm_fault_unwire_locked: drop entry's wiring of its pages in
 * [start, end): the pages are found through the amap and the object, not
 * the pmap, since mprotect(PROT_NONE) may have removed their mappings;
 * wired mappings that are still there become unwired.
 * => map write-locked; the entry is wired and every page in the range
 *    was wired by it.
 */
void
uvm_fault_unwire_locked(struct vm_map *map, struct vm_map_entry *entry,
    vaddr_t start, vaddr_t end)
{
	struct bvm_system *sys = map->sys;
	struct vm_amap *amap = entry->aref.ar_amap;
	struct uvm_object *uobj = entry->object;
	struct vm_anon *anon;
	struct vm_page *pg;
	vaddr_t va;

	RW_ASSERT_WRLOCK(&map->lock);
	KASSERT(VM_MAPENT_ISWIRED(entry));
	if (amap != NULL)
		amap_lock(amap);
	if (uobj != NULL)
		bvm_mutex_enter(&uobj->vmobjlock);
	for (va = start; va < end; va += PAGE_SIZE) {
		anon = amap != NULL ? amap_lookup(&entry->aref,
		    va - entry->start) : NULL;
		if (anon != NULL)
			pg = anon->an_page;
		else if (uobj != NULL)
			pg = uvm_pagelookup(uobj, entry->offset +
			    (voff_t)(va - entry->start));
		else
			pg = NULL;
		if (pg == NULL)
			continue;
		uvm_pageunwire(sys, pg);
		pmap_unwire(map->pmap, va);
	}
	if (uobj != NULL)
		bvm_mutex_exit(&uobj->vmobjlock);
	if (amap != NULL)
		amap_unlock(amap);
}
