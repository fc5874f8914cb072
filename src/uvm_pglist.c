/*
 * uvm_pglist.c: allocation of physical page lists with constraints
 * (uvm_pglistalloc), for DMA-like users that need frames in an address
 * window, aligned, not crossing a boundary, in few contiguous segments.
 *
 * The search scans the vm_page array under the free-list lock.  One segment:
 * the first aligned run that fits wins.  Several segments: first fit,
 * greedily; a request that only a cleverer packing could meet gets ENOMEM.
 */
#include "uvm.h"

static inline bool
pg_isfree(struct bvm_system *sys, uint64_t i)
{
	return (PG_FLAGS(&sys->pages[i]) & PG_FREE) != 0;
}

static inline uint64_t
roundup_pow2(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* the end (exclusive) of the boundary window holding frame i */
static inline uint64_t
bound_end(uint64_t i, uint64_t boundpg, uint64_t highpg)
{
	if (boundpg == 0)
		return highpg;
	return MIN(highpg, (i & ~(boundpg - 1)) + boundpg);
}

/* take frame i off its free list. => fpageqlock held */
static void
pglist_take(struct bvm_system *sys, uint64_t i, struct pglist *rlist)
{
	struct vm_page *pg = &sys->pages[i];

	MUTEX_ASSERT_LOCKED(&sys->fpageqlock);
	if (PG_FLAGS(pg) & PG_ZERO) {
		TAILQ_REMOVE(&sys->page_free_zero, pg, pageq);
		sys->uvmexp.zeropages--;
	} else
		TAILQ_REMOVE(&sys->page_free_dirty, pg, pageq);
	CNT_SUB(sys->uvmexp.free, 1);
	/* keep PG_ZERO for the caller to see, drop PG_FREE */
	PG_FLAGS_SET(pg, (PG_FLAGS(pg) & PG_ZERO) | PG_PGLIST);
	TAILQ_INSERT_TAIL(rlist, pg, pageq);
}

/*
 * uvm_pglistalloc: allocate size bytes of frames into rlist.
 * => every frame's address is in [low, high); each contiguous segment starts
 *    on `alignment` and does not cross a multiple of `boundary` (0: none);
 *    at most nsegs segments.
 * => UVM_PLA_ZERO: frames are zeroed.
 * => returns 0, EINVAL (bad arguments), ENOMEM (cannot be met).
 */
int
uvm_pglistalloc(struct bvm_system *sys, psize_t size, paddr_t low,
    paddr_t high, paddr_t alignment, paddr_t boundary, struct pglist *rlist,
    int nsegs, int flags)
{
	uint64_t need, lowpg, highpg, alignpg, boundpg, i, j, got;
	int segs;
	struct vm_page *pg;

	if (size == 0 || (size & PAGE_MASK) || nsegs < 1 || low >= high ||
	    alignment < PAGE_SIZE || (alignment & (alignment - 1)) ||
	    (boundary != 0 && (boundary < PAGE_SIZE ||
	    (boundary & (boundary - 1)))))
		return EINVAL;
	if (bvm_fi_fail(FI_PAGE_ALLOC))
		return ENOMEM;
	need = atop(size);
	lowpg = atop(round_page(low));
	highpg = MIN(atop(trunc_page(high)), sys->npages);
	alignpg = atop(alignment);
	boundpg = atop(boundary);
	if (nsegs == 1 && boundpg != 0 && need > boundpg)
		return ENOMEM;

	bvm_mutex_enter(&sys->fpageqlock);
	/* the scan must see every free frame on its list */
	uvm_pagezero_wait(sys);
	if (sys->uvmexp.free < need)
		goto fail;
	if (nsegs == 1) {
		/* first aligned run of `need` free frames in one window */
		for (i = roundup_pow2(lowpg, alignpg); i + need <= highpg;
		    i += alignpg) {
			if (bound_end(i, boundpg, highpg) < i + need)
				continue;
			for (j = 0; j < need && pg_isfree(sys, i + j); j++)
				;
			if (j == need)
				break;
		}
		if (i + need > highpg)
			goto fail;
		for (j = 0; j < need; j++)
			pglist_take(sys, i + j, rlist);
	} else {
		struct pglist tmp;

		TAILQ_INIT(&tmp);
		got = 0;
		segs = 0;
		i = roundup_pow2(lowpg, alignpg);
		while (got < need && i < highpg) {
			uint64_t end;

			if (!pg_isfree(sys, i)) {
				i = roundup_pow2(i + 1, alignpg);
				continue;
			}
			if (++segs > nsegs)
				break;
			end = bound_end(i, boundpg, highpg);
			for (j = i; j < end && got < need && pg_isfree(sys, j);
			    j++, got++)
				pglist_take(sys, j, &tmp);
			i = roundup_pow2(j, alignpg);
		}
		if (got < need) {
			/* give back what we took */
			while ((pg = TAILQ_FIRST(&tmp)) != NULL) {
				TAILQ_REMOVE(&tmp, pg, pageq);
				if (PG_FLAGS(pg) & PG_ZERO) {
					TAILQ_INSERT_HEAD(&sys->page_free_zero,
					    pg, pageq);
					sys->uvmexp.zeropages++;
				} else
					TAILQ_INSERT_HEAD(
					    &sys->page_free_dirty, pg, pageq);
				PG_FLAGS_SET(pg, (PG_FLAGS(pg) & PG_ZERO) | PG_FREE);
				CNT_INC(sys->uvmexp.free);
			}
			goto fail;
		}
		TAILQ_CONCAT(rlist, &tmp, pageq);
	}
	bvm_mutex_exit(&sys->fpageqlock);

	TAILQ_FOREACH(pg, rlist, pageq) {
		if ((flags & UVM_PLA_ZERO) && (PG_FLAGS(pg) & PG_ZERO) == 0)
			uvm_pagezero(sys, pg);
		atomic_clearbits_int(&pg->pg_flags, PG_ZERO);
		CNT_INC(sys->uvmexp.pages_alloc);
	}
	return 0;
fail:
	bvm_mutex_exit(&sys->fpageqlock);
	return ENOMEM;
}

/* uvm_pglistfree: free every page of a list from uvm_pglistalloc. */
void
uvm_pglistfree(struct bvm_system *sys, struct pglist *list)
{
	struct vm_page *pg;

	while ((pg = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, pg, pageq);
		KASSERT(PG_FLAGS(pg) & PG_PGLIST);
		atomic_clearbits_int(&pg->pg_flags, PG_PGLIST);
		uvm_pagefree(sys, pg);
	}
}
