/*
 * uvm_amap.c: amap operations.
 *
 * An amap is the upper, anonymous layer of one or more map entries: an
 * array of slots, one per page, each empty or pointing at an anon.  Map
 * entries reference it through an aref (amap, first slot).  Copy-on-write
 * works in two steps, both deferred to faults:
 *
 *   1. amap_copy: an entry marked needs-copy gets an amap of its own whose
 *      slots point at the same anons (each anon's reference count goes up).
 *   2. the fault handler (case 1B) copies an anon whose reference count is
 *      above one before letting the entry write to it.
 *
 * ppref: while every reference to an amap covers all of it, am_ref says how
 * many references each slot has.  Once some reference covers only part of
 * it (a clip, a partial unmap), am_ppref[slot] counts references per slot,
 * so that a slot no entry covers any more frees its anon at once.
 *
 * Locking: an amap and its anons are protected by am_lock, a lock object
 * shared by every amap that amap_copy made from another, because they share
 * anons.
 */
#include "pmap.h"
#include "uvm.h"
#include "uvm_amap.h"
#include "uvm_anon.h"
#include "uvm_map.h"

#define AMAP_B2SLOT(b) ((int)atop(b))

void
amap_init(struct bvm_system *sys)
{
	pool_init(&sys->amap_pool, sizeof(struct vm_amap), "amappl",
	    FI_AMAP_ALLOC);
}

void
amap_lock(struct vm_amap *amap)
{
	bvm_mutex_enter(&amap->am_lock->lo_mtx);
}

void
amap_unlock(struct vm_amap *amap)
{
	bvm_mutex_exit(&amap->am_lock->lo_mtx);
}

int
amap_flags(struct vm_amap *amap)
{
	return amap->am_flags;
}

int
amap_refs(struct vm_amap *amap)
{
	return amap->am_ref;
}

#define AMAP_ASSERT_LOCKED(a) MUTEX_ASSERT_LOCKED(&(a)->am_lock->lo_mtx)

/*
 * amap_alloc1: an amap of nslots empty slots, with no lock yet.
 * => returns NULL when out of memory.
 */
static struct vm_amap *
amap_alloc1(struct bvm_system *sys, int nslots)
{
	struct vm_amap *amap;
	size_t n = (size_t)nslots;

	amap = pool_get(&sys->amap_pool, PR_NOWAIT);
	if (amap == NULL)
		return NULL;
	amap->am_sys = sys;
	amap->am_lock = NULL;
	amap->am_ref = 1;
	amap->am_flags = 0;
	amap->am_nslot = nslots;
	amap->am_nused = 0;
	amap->am_ppref = NULL;
	/* slots and back pointers in one allocation, anons zeroed */
	amap->am_slots = malloc(2 * n * sizeof(int));
	amap->am_anon = calloc(n, sizeof(struct vm_anon *));
	if (amap->am_slots == NULL || amap->am_anon == NULL) {
		free(amap->am_slots);
		free(amap->am_anon);
		pool_put(&sys->amap_pool, amap);
		return NULL;
	}
	amap->am_bckptr = amap->am_slots + n;
	bvm_mutex_enter(&sys->listlock);
	LIST_INSERT_HEAD(&sys->amaps, amap, am_list);
	bvm_mutex_exit(&sys->listlock);
	CNT_INC(sys->uvmexp.amaps);
	return amap;
}

/*
 * amap_alloc: an amap covering sz bytes, with its own lock.
 * => returns NULL when out of memory.
 */
struct vm_amap *
amap_alloc(struct bvm_system *sys, vsize_t sz, int flags)
{
	struct vm_amap *amap;

	(void)flags;
	KASSERT((sz & PAGE_MASK) == 0 && sz != 0);
	if (atop(sz) > INT32_MAX)
		return NULL;
	amap = amap_alloc1(sys, AMAP_B2SLOT(sz));
	if (amap == NULL)
		return NULL;
	amap->am_lock = bvm_lockobj_alloc();
	if (amap->am_lock == NULL) {
		amap_free(amap);
		return NULL;
	}
	return amap;
}

/*
 * amap_free: free an amap that has no anons and no references left.
 * => amap must be unlocked (its lock object may go with it).
 */
void
amap_free(struct vm_amap *amap)
{
	struct bvm_system *sys = amap->am_sys;

	KASSERT(amap->am_nused == 0);
	bvm_mutex_enter(&sys->listlock);
	LIST_REMOVE(amap, am_list);
	bvm_mutex_exit(&sys->listlock);
	if (amap->am_lock != NULL)
		bvm_lockobj_free(amap->am_lock);
	free(amap->am_slots);
	free(amap->am_anon);
	free(amap->am_ppref);
	pool_put(&sys->amap_pool, amap);
	CNT_SUB(sys->uvmexp.amaps, 1);
}

/* put anon in an empty slot. => amap locked */
static inline void
amap_slot_set(struct vm_amap *amap, int slot, struct vm_anon *anon)
{
	KASSERT(amap->am_anon[slot] == NULL);
	amap->am_anon[slot] = anon;
	amap->am_bckptr[slot] = amap->am_nused;
	amap->am_slots[amap->am_nused++] = slot;
	anon_setlock(anon, amap->am_lock);
}

/* empty a used slot. => amap locked */
static inline void
amap_slot_clear(struct vm_amap *amap, int slot)
{
	int ptr = amap->am_bckptr[slot], last;

	KASSERT(amap->am_anon[slot] != NULL);
	KASSERT(amap->am_slots[ptr] == slot);
	last = amap->am_slots[--amap->am_nused];
	amap->am_slots[ptr] = last;
	amap->am_bckptr[last] = ptr;
	amap->am_anon[slot] = NULL;
}

/* drop a slot's reference to its anon, freeing the anon at zero. */
static void
amap_slot_release(struct vm_amap *amap, int slot)
{
	struct vm_anon *anon = amap->am_anon[slot];

	amap_slot_clear(amap, slot);
	if (--anon->an_ref == 0)
		uvm_anfree(amap->am_sys, anon);
}

/*
 * amap_lookup: the anon at byte offset `offset` of the aref, or NULL.
 * => amap locked (or the map write-locked).
 */
struct vm_anon *
amap_lookup(struct vm_aref *aref, vaddr_t offset)
{
	struct vm_amap *amap = aref->ar_amap;
	int slot = aref->ar_pageoff + AMAP_B2SLOT(offset);

	KASSERT(slot >= 0 && slot < amap->am_nslot);
	return amap->am_anon[slot];
}

/* amap_lookups: npages anons from byte offset `offset`. => amap locked */
void
amap_lookups(struct vm_aref *aref, vaddr_t offset, struct vm_anon **anons,
    int npages)
{
	struct vm_amap *amap = aref->ar_amap;
	int slot = aref->ar_pageoff + AMAP_B2SLOT(offset);

	KASSERT(slot >= 0 && slot + npages <= amap->am_nslot);
	memcpy(anons, &amap->am_anon[slot], (size_t)npages * sizeof(*anons));
}

/*
 * amap_add: put anon at byte offset `offset`; with replace, the slot's
 * current anon is replaced (the caller drops its reference).
 * => amap locked.
 */
void
amap_add(struct vm_aref *aref, vaddr_t offset, struct vm_anon *anon,
    bool replace)
{
	struct vm_amap *amap = aref->ar_amap;
	int slot = aref->ar_pageoff + AMAP_B2SLOT(offset);

	AMAP_ASSERT_LOCKED(amap);
	KASSERT(slot >= 0 && slot < amap->am_nslot);
	if (replace) {
		KASSERT(amap->am_anon[slot] != NULL);
		amap->am_anon[slot] = anon;
		anon_setlock(anon, amap->am_lock);
	} else
		amap_slot_set(amap, slot, anon);
}

/* amap_unadd: empty the slot at byte offset `offset`. => amap locked */
void
amap_unadd(struct vm_aref *aref, vaddr_t offset)
{
	struct vm_amap *amap = aref->ar_amap;

	AMAP_ASSERT_LOCKED(amap);
	amap_slot_clear(amap, aref->ar_pageoff + AMAP_B2SLOT(offset));
}

/*
 * amap_pp_establish: start counting references per slot.  Until now every
 * reference covered every slot, so each slot has am_ref references.
 * => amap locked.
 * => cannot fail: it runs inside clipping, which cannot fail either (the
 *    kernel sleeps for memory there); a host out of memory panics.
 */
static void
amap_pp_establish(struct vm_amap *amap)
{
	int i;

	AMAP_ASSERT_LOCKED(amap);
	amap->am_ppref = malloc((size_t)amap->am_nslot * sizeof(int));
	if (amap->am_ppref == NULL)
		panic("amap_pp_establish: out of host memory");
	for (i = 0; i < amap->am_nslot; i++)
		amap->am_ppref[i] = amap->am_ref;
}

/*
 * amap_pp_adjref: add adj to the reference count of slots
 * [slotoff, slotoff+slotlen); slots that reach zero lose their anon.
 * => amap locked; ppref established.
 */
static void
amap_pp_adjref(struct vm_amap *amap, int slotoff, int slotlen, int adj)
{
	int i;

	AMAP_ASSERT_LOCKED(amap);
	KASSERT(slotoff >= 0 && slotoff + slotlen <= amap->am_nslot);
	for (i = slotoff; i < slotoff + slotlen; i++) {
		amap->am_ppref[i] += adj;
		KASSERT(amap->am_ppref[i] >= 0);
		if (amap->am_ppref[i] == 0 && amap->am_anon[i] != NULL)
			amap_slot_release(amap, i);
	}
}

/*
 * amap_ref: add a reference covering slots [slotoff, slotoff+slotlen)
 * (AMAP_REFALL: all of them); AMAP_SHARED marks the amap shared.
 * => amap unlocked.
 */
void
amap_ref(struct vm_amap *amap, int slotoff, int slotlen, int flags)
{
	amap_lock(amap);
	if (flags & AMAP_SHARED)
		amap->am_flags |= AMAP_SHARED;
	if (flags & AMAP_REFALL) {
		slotoff = 0;
		slotlen = amap->am_nslot;
	}
	if (amap->am_ppref == NULL && slotlen != amap->am_nslot)
		amap_pp_establish(amap);
	amap->am_ref++;
	if (amap->am_ppref != NULL)
		amap_pp_adjref(amap, slotoff, slotlen, 1);
	amap_unlock(amap);
}

/*
 * amap_wipeout: drop every anon and free the amap.
 * => amap locked on entry, gone on return.
 */
static void
amap_wipeout(struct vm_amap *amap)
{
	struct vm_anon *dead[UVM_ANFREE_BATCH];
	int n = 0;

	/* the anons that die go in batches: their frames freed together */
	while (amap->am_nused > 0) {
		int slot = amap->am_slots[amap->am_nused - 1];
		struct vm_anon *anon = amap->am_anon[slot];

		amap_slot_clear(amap, slot);
		if (--anon->an_ref == 0) {
			dead[n++] = anon;
			if (n == UVM_ANFREE_BATCH) {
				uvm_anfree_n(amap->am_sys, dead, n);
				n = 0;
			}
		}
	}
	uvm_anfree_n(amap->am_sys, dead, n);
	amap_unlock(amap);
	amap_free(amap);
}

/*
 * amap_unref: drop a reference covering slots [slotoff, slotoff+slotlen)
 * (all: the whole amap).  The last reference frees the amap and its anons;
 * with ppref, slots nobody references any more are freed now.
 * => amap unlocked.
 */
void
amap_unref(struct vm_amap *amap, int slotoff, int slotlen, bool all)
{
	amap_lock(amap);
	KASSERT(amap->am_ref > 0);
	if (amap->am_ref == 1) {
		amap->am_ref = 0;
		amap_wipeout(amap);
		return;
	}
	if (all) {
		slotoff = 0;
		slotlen = amap->am_nslot;
	}
	if (amap->am_ppref == NULL && slotlen != amap->am_nslot)
		amap_pp_establish(amap);
	amap->am_ref--;
	if (amap->am_ref == 1 && (amap->am_flags & AMAP_SHARED))
		amap->am_flags &= ~AMAP_SHARED;
	if (amap->am_ppref != NULL)
		amap_pp_adjref(amap, slotoff, slotlen, -1);
	amap_unlock(amap);
}

/*
 * amap_splitref: an entry is being split at byte offset `offset`: origref
 * keeps the first part, splitref gets the amap from offset on.  The slots'
 * reference counts do not change (each is still referenced once by one of
 * the two); the amap gains a reference.
 * => the map is write-locked; amap unlocked.
 * => returns 0.
 */
int
amap_splitref(struct vm_aref *origref, struct vm_aref *splitref,
    vaddr_t offset)
{
	struct vm_amap *amap = origref->ar_amap;

	amap_lock(amap);
	if (amap->am_ppref == NULL)
		amap_pp_establish(amap);
	amap->am_ref++;
	splitref->ar_amap = amap;
	splitref->ar_pageoff = origref->ar_pageoff + AMAP_B2SLOT(offset);
	amap_unlock(amap);
	return 0;
}

/*
 * amap_copy: give a needs-copy entry an amap of its own.
 *   - no amap yet: a new, empty one (the first touch of private memory);
 *   - the amap has only this reference: just clear needs-copy;
 *   - otherwise: a new amap over the same lock, whose slots point at the
 *     same anons (their reference counts go up); the old amap loses this
 *     entry's reference.
 * The whole entry is copied: bsdvm does not chunk large amaps as
 * OpenBSD does (docs/design.md), so no range or canchunk argument.
 * => map must be write-locked.
 * => returns 0 or ENOMEM (the entry is unchanged).
 */
int
amap_copy(struct vm_map *map, struct vm_map_entry *entry)
{
	struct bvm_system *sys = map->sys;
	struct vm_amap *amap, *srcamap;
	int nslots, i, slot, off;

	RW_ASSERT_WRLOCK(&map->lock);
	KASSERT(UVM_ET_ISNEEDSCOPY(entry));
	nslots = AMAP_B2SLOT(entry->end - entry->start);

	srcamap = entry->aref.ar_amap;
	if (srcamap == NULL) {
		amap = amap_alloc(sys, entry->end - entry->start, 0);
		if (amap == NULL)
			return ENOMEM;
		entry->aref.ar_pageoff = 0;
		entry->aref.ar_amap = amap;
		entry->etype &= ~UVM_ET_NEEDSCOPY;
		return 0;
	}

	amap_lock(srcamap);
	if (srcamap->am_ref == 1) {
		/* nobody else refers to it: it is ours already */
		entry->etype &= ~UVM_ET_NEEDSCOPY;
		amap_unlock(srcamap);
		return 0;
	}
	amap = amap_alloc1(sys, nslots);
	if (amap == NULL) {
		amap_unlock(srcamap);
		return ENOMEM;
	}
	amap->am_lock = srcamap->am_lock;
	bvm_lockobj_hold(amap->am_lock);
	off = entry->aref.ar_pageoff;
	/* walk whichever is shorter: the used list or the slot range */
	if (srcamap->am_nused < nslots) {
		for (i = 0; i < srcamap->am_nused; i++) {
			slot = srcamap->am_slots[i];
			if (slot < off || slot >= off + nslots)
				continue;
			srcamap->am_anon[slot]->an_ref++;
			amap_slot_set(amap, slot - off, srcamap->am_anon[slot]);
		}
	} else {
		for (slot = 0; slot < nslots; slot++) {
			struct vm_anon *anon = srcamap->am_anon[off + slot];
			if (anon == NULL)
				continue;
			anon->an_ref++;
			amap_slot_set(amap, slot, anon);
		}
	}
	/* drop the entry's reference to the source */
	if (srcamap->am_ppref == NULL && nslots != srcamap->am_nslot)
		amap_pp_establish(srcamap);
	srcamap->am_ref--;
	KASSERT(srcamap->am_ref > 0);
	if (srcamap->am_ref == 1 && (srcamap->am_flags & AMAP_SHARED))
		srcamap->am_flags &= ~AMAP_SHARED;
	if (srcamap->am_ppref != NULL)
		amap_pp_adjref(srcamap, off, nslots, -1);
	amap_unlock(srcamap);

	entry->aref.ar_pageoff = 0;
	entry->aref.ar_amap = amap;
	entry->etype &= ~UVM_ET_NEEDSCOPY;
	return 0;
}

/*
 * amap_cow_now: resolve every copy-on-write of the entry now: each anon
 * shared with another amap is replaced by a private copy.  Used at fork
 * for wired memory, which must not fault later.
 * => map must be write-locked; the entry has its own amap (amap_copy).
 * => returns 0, ENOMEM, or EIO (a paged-out anon could not be read back);
 *    pages copied so far stay copied: consistent.
 */
int
amap_cow_now(struct vm_map *map, struct vm_map_entry *entry)
{
	struct bvm_system *sys = map->sys;
	struct vm_amap *amap = entry->aref.ar_amap;
	struct vm_anon *anon, *nanon;
	struct vm_page *pg, *npg;
	int i, slot, error = 0;

	RW_ASSERT_WRLOCK(&map->lock);
	KASSERT(amap != NULL && !UVM_ET_ISNEEDSCOPY(entry));
	amap_lock(amap);
	for (i = 0; i < amap->am_nused; i++) {
		slot = amap->am_slots[i];
		anon = amap->am_anon[slot];
		if (anon->an_ref == 1)
			continue;
		/* the copy needs the data: out of swap first */
		if (anon->an_page == NULL &&
		    (error = uvm_anon_pagein(sys, anon)) != 0)
			break;
		pg = anon->an_page;
		nanon = uvm_analloc(sys);
		if (nanon == NULL) {
			error = ENOMEM;
			break;
		}
		npg = uvm_pagealloc(sys, NULL, 0, nanon, 0);
		if (npg == NULL) {
			nanon->an_ref = 0;
			uvm_anfree(sys, nanon);
			error = ENOMEM;
			break;
		}
		uvm_pagecopy(sys, pg, npg);
		atomic_clearbits_int(&npg->pg_flags, (PG_BUSY | PG_FAKE));
		nanon->an_page = npg;
		anon->an_ref--;
		amap->am_anon[slot] = nanon;
		anon_setlock(nanon, amap->am_lock);
		CNT_INC(sys->uvmexp.cow_now);
	}
	amap_unlock(amap);
	return error;
}

/*
 * amap_slot_refs: how many map references cover the slot at byte offset
 * `offset` of the aref (the ppref count, or am_ref without ppref).
 * => amap locked.
 */
int
amap_slot_refs(struct vm_aref *aref, vaddr_t offset)
{
	struct vm_amap *amap = aref->ar_amap;

	AMAP_ASSERT_LOCKED(amap);
	if (amap->am_ppref == NULL)
		return amap->am_ref;
	return amap->am_ppref[aref->ar_pageoff + AMAP_B2SLOT(offset)];
}

/*
 * amap_nslots_used: how many of the aref's first slotlen slots hold anons.
 * => amap locked.
 */
int
amap_nslots_used(struct vm_aref *aref, int slotlen)
{
	struct vm_amap *amap = aref->ar_amap;
	int i, n = 0;

	for (i = 0; i < slotlen; i++)
		if (amap->am_anon[aref->ar_pageoff + i] != NULL)
			n++;
	return n;
}

/*
 * amap_nslots_swapped: how many of the aref's first slotlen slots hold
 * anons whose only copy is in swap.  => amap locked.
 */
int
amap_nslots_swapped(struct vm_aref *aref, int slotlen)
{
	struct vm_amap *amap = aref->ar_amap;
	struct vm_anon *anon;
	int i, n = 0;

	for (i = 0; i < slotlen; i++) {
		anon = amap->am_anon[aref->ar_pageoff + i];
		if (anon != NULL && anon->an_page == NULL &&
		    anon->an_swslot != 0)
			n++;
	}
	return n;
}
