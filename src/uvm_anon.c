/*
 * uvm_anon.c: allocation and release of anons, and moving their pages in
 * from swap.
 */
#include "pmap.h"
#include "uvm.h"
#include "uvm_anon.h"
#include "uvm_swap.h"

void
uvm_anon_init(struct bvm_system *sys)
{
	pool_init(&sys->anon_pool, sizeof(struct vm_anon), "anonpl",
	    FI_ANON_ALLOC);
}

/*
 * uvm_analloc: a new anon with one reference and no page.
 * => returns NULL when out of memory.
 */
struct vm_anon *
uvm_analloc(struct bvm_system *sys)
{
	struct vm_anon *anon = pool_get(&sys->anon_pool, PR_NOWAIT);

	if (anon == NULL)
		return NULL;
	anon->an_lock = NULL;
	anon->an_ref = 1;
	anon->an_page = NULL;
	anon->an_swslot = 0;
	CNT_INC(sys->uvmexp.anons);
	return anon;
}

/*
 * uvm_anfree: free an anon whose last reference is gone, and its page.
 * => anon's lock (if any) held; an_ref must be 0.
 * => the page's mappings are removed first: it may still be mapped
 *    read-only in a pmap that shared it.
 */
void
uvm_anfree(struct bvm_system *sys, struct vm_anon *anon)
{
	struct vm_page *pg = anon->an_page;

	KASSERT(anon->an_ref == 0);
	KASSERT(anon->an_lock == NULL || bvm_mutex_owned(&anon->an_lock->lo_mtx));
	/* the slot goes first: swap-off finds live anons through it */
	if (anon->an_swslot != 0) {
		if (pg == NULL)
			CNT_SUB(sys->uvmexp.swpgonly, 1);
		uvm_swap_free(sys, anon->an_swslot, 1);
		anon->an_swslot = 0;
	}
	if (pg != NULL) {
		KASSERT(pg->uanon == anon);
		pmap_page_protect(sys, pg, PROT_NONE);
		uvm_pagefree(sys, pg);
		anon->an_page = NULL;
	}
	pool_put(&sys->anon_pool, anon);
	CNT_SUB(sys->uvmexp.anons, 1);
}

/*
 * uvm_anfree_n: uvm_anfree for n anons (at most UVM_ANFREE_BATCH) at
 * once: their frames are freed together, with one hold of each queue lock
 * (uvm_pagefree_n), leaving the free list as n calls of uvm_anfree would.
 * => the anons' lock held; an_ref 0 for each.
 */
void
uvm_anfree_n(struct bvm_system *sys, struct vm_anon **anons, int n)
{
	struct vm_page *pgs[UVM_ANFREE_BATCH], *pg;
	int i, j, npg = 0;

	KASSERT(n <= UVM_ANFREE_BATCH);
	for (i = 0; i < n; i++) {
		struct vm_anon *anon = anons[i];

		pg = anon->an_page;
		if (pg == NULL || pg->wire_count != 0) {
			/* nothing to batch */
			uvm_anfree(sys, anon);
			anons[i] = NULL;
			continue;
		}
		KASSERT(anon->an_ref == 0 && pg->uanon == anon);
		/* the slot goes first: swap-off finds live anons through it */
		if (anon->an_swslot != 0) {
			uvm_swap_free(sys, anon->an_swslot, 1);
			anon->an_swslot = 0;
		}
		pmap_page_protect(sys, pg, PROT_NONE);
		anon->an_page = NULL;
		pgs[npg++] = pg;
	}
	/*
	 * The free list as uvm_anfree one by one leaves it: the last page
	 * given is the first taken.  An amap dies from its last slot to its
	 * first, so its frames are handed out again in the order it had them.
	 */
	for (i = 0, j = npg - 1; i < j; i++, j--) {
		pg = pgs[i];
		pgs[i] = pgs[j];
		pgs[j] = pg;
	}
	/* the frames leave the queues before their anons are gone */
	uvm_pagefree_n(sys, pgs, npg);
	for (i = 0; i < n; i++)
		if (anons[i] != NULL) {
			pool_put(&sys->anon_pool, anons[i]);
			CNT_SUB(sys->uvmexp.anons, 1);
		}
}

/*
 * uvm_anon_pagein: bring a paged-out anon's page back from its swap slot
 * (uvmfault_anonget's I/O).  The slot stays: the page is clean.
 * => anon locked, an_page NULL, an_swslot set.
 * => returns 0, ENOMEM (no frame), or EIO (the slot keeps the data: a
 *    later access tries again).
 */
int
uvm_anon_pagein(struct bvm_system *sys, struct vm_anon *anon)
{
	struct vm_page *pg;

	KASSERT(anon->an_page == NULL && anon->an_swslot != 0);
	pg = uvm_pagealloc(sys, NULL, 0, anon, 0);
	if (pg == NULL)
		return ENOMEM;
	if (uvm_swap_get(sys, &pg, anon->an_swslot, 1) != 0) {
		uvm_pagefree(sys, pg);
		return EIO;
	}
	atomic_clearbits_int(&pg->pg_flags, PG_BUSY | PG_FAKE);
	anon->an_page = pg;
	CNT_SUB(sys->uvmexp.swpgonly, 1);
	return 0;
}

/*
 * uvm_anon_dropswap: a resident anon gives up its swap copy (its page
 * becomes its only copy: dirty).  => anon locked, an_page set.
 */
void
uvm_anon_dropswap(struct bvm_system *sys, struct vm_anon *anon)
{
	KASSERT(anon->an_page != NULL);
	if (anon->an_swslot == 0)
		return;
	uvm_swap_free(sys, anon->an_swslot, 1);
	anon->an_swslot = 0;
}

/*
 * uvm_anon_swap_off: swap-off of the area holding slot: the anon's page
 * comes in (if it is out) and the slot goes.
 * => anon locked.  => returns 0, ENOMEM, EIO.
 */
int
uvm_anon_swap_off(struct bvm_system *sys, struct vm_anon *anon, int slot)
{
	int error;

	KASSERT(anon->an_swslot == slot);
	if (anon->an_page == NULL &&
	    (error = uvm_anon_pagein(sys, anon)) != 0)
		return error;
	uvm_anon_dropswap(sys, anon);
	return 0;
}
