/*
 * uvm_pdaemon.c: the page daemon.
 *
 * Pages owned by anons and objects live on two paging queues: active
 * (recently used) and inactive (candidates for reclaim).  When free frames
 * fall below freemin the daemon runs until they reach freetarg, in UVM's
 * way (uvm_pageout / uvmpd_scan):
 *
 *   1. scan the inactive queue from its head (the oldest pages):
 *        referenced since it was deactivated  -> back to active (pdreact)
 *        clean (its data is also in its file or in its swap slot)
 *                                             -> freed
 *        dirty, anonymous or aobj             -> given a swap slot, added
 *            to a swap cluster; a full cluster goes out in one pwritev to
 *            contiguous slots, and its pages are freed
 *        dirty, a file's page                 -> written with its dirty
 *            neighbours (one pwritev per run), then freed
 *   2. refill the inactive queue to a third of the pageable pages: pages
 *      move from the head of active to inactive with their referenced bits
 *      cleared, so that the next scan sees which were used meanwhile.
 *
 * Wired pages are on no queue; loaned and busy pages are skipped.  A page's
 * owner (amap lock or object lock) is taken by trylock, as the queue lock
 * comes after it in the lock order: a busy owner is skipped.  The pages of
 * a swap cluster keep their owners locked until the cluster is written, so
 * nobody sees them between "unmapped" and "freed".
 *
 * Clean/dirty: a page is dirty if it was modified since it was last written
 * (PG_CLEAN clear, or a modified PTE), and for anonymous memory also if it
 * has no swap slot: a page filled with zeroes or copied has its only copy
 * in memory.  A page read back from swap keeps its slot and stays clean
 * until it is written to; then the old slot is dropped and a new one
 * (contiguous with the rest of its cluster) allocated at pageout.
 *
 * The daemon runs in its own thread (unless BVM_SYS_NOPDAEMON), woken by
 * allocations that take free frames below freemin; and any allocation that
 * finds no frame runs a scan itself (uvm_wait), so memory pressure works
 * without the thread and is deterministic in tests.  pdlock makes scans
 * one at a time; the thread that is scanning never waits for memory.
 *
 * Without swap (or with swap full) dirty anonymous pages cannot leave: they
 * go back to the active queue (pdnoswap), and the daemon thread gives up
 * after UVMPD_NUMDIRTYREACTS of them per scan, then rests (pd_stall) until
 * a swap area is added or UVMPD_STALL_NS pass; a synchronous scan always
 * looks at every inactive page before it reports ENOMEM.
 */
#include <time.h>
#include <unistd.h>

#include "pmap.h"
#include "uvm.h"
#include "uvm_anon.h"
#include "uvm_object.h"
#include "uvm_pdaemon.h"
#include "uvm_swap.h"

#define UVMPD_NUMDIRTYREACTS 16         /* the thread's limit per scan */
#define UVMPD_STALL_NS       (50 * 1000 * 1000ULL)
#define UVMPD_MAXPASSES      4          /* scans per run without target met */
#define UVMPD_VNCLUSTER      16         /* pages of a file's write cluster */
#define UVMPD_BUSYWAIT_US    100        /* rest when only busy pages were
                                           seen, before trying again */

/* set while this thread runs a scan: it must never wait for memory */
static __thread bool uvmpd_inscan;

/* a marker on a queue keeps the scan's place while the lock is dropped */
#define PQ_MARKER 0x80000000u

struct swapcluster {
	int swc_slot;                       /* first slot; 0: none yet */
	int swc_nallocated;
	int swc_nused;
	struct vm_page *swc_pages[SWCLUSTPAGES];
	int swc_nold;                       /* stale slots to free */
	int swc_old[SWCLUSTPAGES];          /* the pages' previous slots */
};

#define UVMPD_BATCH 32                  /* pages unmapped per TLB wait */

/*
 * The owner locks a scan holds: each once, counted by the pages (of the
 * batch being decided, and of the swap cluster being built) that need it.
 */
struct uvmpd_lock {
	struct bvm_mutex *m;
	int refs;
};

struct uvmpd_scan {
	struct bvm_system *sys;
	uint64_t shortage;                  /* frames to free */
	uint64_t freed;
	uint64_t busy;                      /* pages skipped: owner busy */
	int dirtyreacts;
	int maxreacts;
	struct swapcluster swc;
	struct bvm_mutex *swc_locks[SWCLUSTPAGES]; /* each cluster page's */
	struct uvmpd_lock locks[UVMPD_BATCH + SWCLUSTPAGES];
	int nlocks;
	struct vm_page *batch[UVMPD_BATCH];  /* pages being decided */
	struct bvm_mutex *batch_locks[UVMPD_BATCH];
	int nbatch;
	/* batch pages detached from their owners, freed with the batch */
	struct vm_page *frees[UVMPD_BATCH];
	struct bvm_mutex *free_locks[UVMPD_BATCH];
	int nfrees;
	int nfrees_swapped;                 /* of them, with a swap copy */
};

static uint64_t
uvmpd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * uvmpd_tune: freemin is npages/30, at least 16 pages (OpenBSD's); the
 * free target 4/3 of it.  An embedder may set both (bvm_params).
 */
static void
uvmpd_tune(struct bvm_system *sys)
{
	uint64_t val = sys->npages / 30;

	if (val < 16)
		val = 16;
	if (sys->params.freemin != 0)
		val = sys->params.freemin;
	if (val >= sys->npages)
		val = sys->npages / 2;
	sys->freemin = val;
	val = sys->freemin * 4 / 3;
	if (val <= sys->freemin)
		val = sys->freemin + 1;
	if (sys->params.freetarg > sys->freemin)
		val = sys->params.freetarg;
	sys->freetarg = val;
}

void
uvm_pdaemon_init(struct bvm_system *sys)
{
	pthread_condattr_t ca;

	bvm_mutex_init(&sys->pdlock);
	/* the daemon's rests are timed on the monotonic clock */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sys->pd_cv, &ca);
	pthread_condattr_destroy(&ca);
	sys->pd_running = false;
	uvmpd_tune(sys);
}

void
uvm_pdaemon_fini(struct bvm_system *sys)
{
	pthread_cond_destroy(&sys->pd_cv);
	bvm_mutex_destroy(&sys->pdlock);
}

/* the owner's lock of a queued page, or NULL.  => pageqlock held */
static struct bvm_mutex *
uvmpd_ownerlock(struct vm_page *pg)
{
	struct bvm_lockobj *lo;

	if (pg->uobject != NULL)
		return &pg->uobject->vmobjlock;
	if (pg->uanon == NULL)
		return NULL;
	/* an anon not yet in an amap has no lock: nobody can page it */
	lo = __atomic_load_n(&pg->uanon->an_lock, __ATOMIC_ACQUIRE);
	return lo != NULL ? &lo->lo_mtx : NULL;
}

/*
 * uvmpd_lock: take m for one more page: if the scan holds it already, one
 * more reference; otherwise by trylock (the queue lock comes after owner
 * locks).  => returns false if m is busy.
 */
static bool
uvmpd_lock(struct uvmpd_scan *sc, struct bvm_mutex *m)
{
	int i;

	for (i = 0; i < sc->nlocks; i++)
		if (sc->locks[i].m == m) {
			sc->locks[i].refs++;
			return true;
		}
	KASSERT(sc->nlocks < (int)(sizeof(sc->locks) / sizeof(sc->locks[0])));
	if (!bvm_mutex_tryenter(m))
		return false;
	sc->locks[sc->nlocks].m = m;
	sc->locks[sc->nlocks].refs = 1;
	sc->nlocks++;
	return true;
}

/* uvmpd_unlock: one page is done with m; the last lets it go */
static void
uvmpd_unlock(struct uvmpd_scan *sc, struct bvm_mutex *m)
{
	int i;

	for (i = 0; i < sc->nlocks; i++)
		if (sc->locks[i].m == m) {
			if (--sc->locks[i].refs == 0) {
				bvm_mutex_exit(m);
				sc->locks[i] = sc->locks[--sc->nlocks];
			}
			return;
		}
	panic("uvmpd_unlock: %p not held", (void *)m);
}

/* is pg's memory swap-backed (an anon's, or an aobj's)? */
static inline bool
uvmpd_swapbacked(struct vm_page *pg)
{
	return pg->uobject == NULL || UVM_OBJ_IS_AOBJ(pg->uobject);
}

/* the swap slot that holds pg's data, or 0.  => owner locked */
static int
uvmpd_getslot(struct vm_page *pg)
{
	if (pg->uobject == NULL)
		return pg->uanon->an_swslot;
	return uao_find_swslot(pg->uobject, (uint64_t)pg->offset >> PAGE_SHIFT);
}

/*
 * uvmpd_setslot: record slot as pg's swap copy (0: none) in its owner (the
 * slot learns its owner when the cluster goes out: swapcluster_flush).
 * => owner locked.  => returns 0 or ENOMEM (aobj).
 */
static int
uvmpd_setslot(struct vm_page *pg, int slot)
{
	uint64_t idx = (uint64_t)pg->offset >> PAGE_SHIFT;

	if (pg->uobject == NULL) {
		pg->uanon->an_swslot = slot;
		return 0;
	}
	return uao_set_swslot(pg->uobject, idx, slot) != 0 ? ENOMEM : 0;
}

/* the owner of pg's slot, as swap records it */
static void
uvmpd_owner(struct vm_page *pg, struct swap_owner *so)
{
	if (pg->uobject == NULL) {
		so->so_owner = (uintptr_t)pg->uanon;
		so->so_idx = 0;
	} else {
		so->so_owner = (uintptr_t)pg->uobject | SWO_AOBJ;
		so->so_idx = (uint64_t)pg->offset >> PAGE_SHIFT;
	}
}

/*
 * uvmpd_detach: pg, whose data is safe elsewhere (or never mattered),
 * leaves its anon or object; it is the caller's to free.
 * => owner locked, pg unmapped.
 */
static void
uvmpd_detach(struct vm_page *pg)
{
	if (pg->uobject != NULL)
		uvm_obj_pageremove(pg->uobject, pg);
	else
		pg->uanon->an_page = NULL;      /* pg->uanon: uvm_pagefree_n */
}

/*
 * uvmpd_freepage: a page whose data is safe elsewhere (or never mattered)
 * leaves its anon or object now, and is freed with the rest of the batch
 * (uvmpd_freebatch), which takes over its reference on m, the owner's
 * lock.  => m held, pg unmapped.
 */
static void
uvmpd_freepage(struct uvmpd_scan *sc, struct vm_page *pg, bool swapped,
    struct bvm_mutex *m)
{
	KASSERT(sc->nfrees < UVMPD_BATCH);
	uvmpd_detach(pg);
	sc->frees[sc->nfrees] = pg;
	sc->free_locks[sc->nfrees++] = m;
	if (swapped)
		sc->nfrees_swapped++;
}

/*
 * uvmpd_freebatch: free the pages uvmpd_freepage set aside, in one hold
 * of each queue lock, then let their owners go.
 */
static void
uvmpd_freebatch(struct uvmpd_scan *sc)
{
	struct bvm_system *sys = sc->sys;
	int i;

	uvm_pagefree_n(sys, sc->frees, sc->nfrees);
	CNT_ADD(sys->uvmexp.swpgonly, (uint64_t)sc->nfrees_swapped);
	CNT_ADD(sys->uvmexp.pdfreed, (uint64_t)sc->nfrees);
	sc->freed += (uint64_t)sc->nfrees;
	for (i = 0; i < sc->nfrees; i++)
		uvmpd_unlock(sc, sc->free_locks[i]);
	sc->nfrees = 0;
	sc->nfrees_swapped = 0;
}

/*
 * swapcluster_flush: write the cluster's pages to their slots, then free
 * them; on a write error the slots are marked bad and the pages stay, as
 * modified as they were.  The slots the pages had before (stale: they were
 * written to since) are freed first, in runs, while their owners are still
 * locked.  The cluster's references on owner locks go.
 */
static void
swapcluster_flush(struct uvmpd_scan *sc)
{
	struct bvm_system *sys = sc->sys;
	struct swapcluster *swc = &sc->swc;
	int i, n, error = 0;

	/*
	 * The pages' stale copies, in runs (they went out together).  Slot
	 * numbers run on from one area into the next: a run stops at the
	 * end of its area, as uvm_swap_free works in one.
	 */
	for (i = 0; i < swc->swc_nold; i += n) {
		int max = uvm_swap_runlen(sys, swc->swc_old[i],
		    swc->swc_nold - i);

		for (n = 1; n < max &&
		    swc->swc_old[i + n] == swc->swc_old[i] + n; n++)
			continue;
		uvm_swap_free(sys, swc->swc_old[i], n);
	}
	swc->swc_nold = 0;
	if (swc->swc_slot == 0)
		return;
	if (swc->swc_nused < swc->swc_nallocated)
		uvm_swap_free(sys, swc->swc_slot + swc->swc_nused,
		    swc->swc_nallocated - swc->swc_nused);
	if (swc->swc_nused > 0) {
		struct swap_owner so[SWCLUSTPAGES];

		/* the slots learn their owners, in one go */
		for (i = 0; i < swc->swc_nused; i++)
			uvmpd_owner(swc->swc_pages[i], &so[i]);
		uvm_swap_setowners(sys, swc->swc_slot, so, swc->swc_nused);
		CNT_INC(sys->uvmexp.pdpageouts);
		error = uvm_swap_put(sys, swc->swc_pages, swc->swc_slot,
		    swc->swc_nused);
	}
	if (error)
		uvm_swap_markbad(sys, swc->swc_slot, swc->swc_nused);
	for (i = 0; i < swc->swc_nused; i++) {
		struct vm_page *pg = swc->swc_pages[i];

		if (error == 0)
			uvmpd_detach(pg);
		else {
			/* kept in memory, modified, with no slot */
			(void)uvmpd_setslot(pg, 0);
			atomic_clearbits_int(&pg->pg_flags, PG_CLEAN);
			uvm_pageactivate(sys, pg);
		}
	}
	if (error == 0) {
		/* in one go, so that they come back in this order */
		uvm_pagefree_n(sys, swc->swc_pages, swc->swc_nused);
		CNT_ADD(sys->uvmexp.swpgonly, (uint64_t)swc->swc_nused);
		CNT_ADD(sys->uvmexp.pdfreed, (uint64_t)swc->swc_nused);
		sc->freed += (uint64_t)swc->swc_nused;
	}
	for (i = 0; i < swc->swc_nused; i++)
		uvmpd_unlock(sc, sc->swc_locks[i]);
	swc->swc_slot = 0;
	swc->swc_nused = 0;
	swc->swc_nallocated = 0;
}

/* uvmpd_reactivate: a page that cannot go now goes back to active */
static void
uvmpd_reactivate(struct uvmpd_scan *sc, struct vm_page *pg, bool dirty)
{
	uvm_pageactivate(sc->sys, pg);
	if (dirty)
		sc->dirtyreacts++;
}

/*
 * uvmpd_swapout: a dirty swap-backed page joins the swap cluster, which
 * takes over the page's reference on its owner lock m.
 * => m held, pg unmapped.
 */
static void
uvmpd_swapout(struct uvmpd_scan *sc, struct vm_page *pg, struct bvm_mutex *m)
{
	struct bvm_system *sys = sc->sys;
	struct swapcluster *swc = &sc->swc;
	int oldslot, slot, n;

	if (!uvm_swap_configured(sys) ||
	    (swc->swc_slot == 0 && uvm_swapisfull(sys))) {
		CNT_INC(sys->uvmexp.pdnoswap);
		uvmpd_reactivate(sc, pg, uvm_swap_configured(sys));
		uvmpd_unlock(sc, m);
		return;
	}
	if (swc->swc_slot == 0) {
		n = SWCLUSTPAGES;
		slot = uvm_swap_alloc(sys, &n, true);
		if (slot == 0) {
			CNT_INC(sys->uvmexp.pdnoswap);
			uvmpd_reactivate(sc, pg, true);
			uvmpd_unlock(sc, m);
			return;
		}
		swc->swc_slot = slot;
		swc->swc_nallocated = n;
		swc->swc_nused = 0;
	}
	/* the old copy, if any, is stale: the page was written since */
	oldslot = uvmpd_getslot(pg);
	slot = swc->swc_slot + swc->swc_nused;
	if (uvmpd_setslot(pg, slot) != 0) {
		/* no memory for the aobj's slot table: try again later */
		uvmpd_reactivate(sc, pg, true);
		uvmpd_unlock(sc, m);
		return;
	}
	if (oldslot != 0)
		swc->swc_old[swc->swc_nold++] = oldslot;
	/* unmapped and owner-locked: nobody can store into it now */
	pmap_clear_modify(sys, pg);
	sc->swc_locks[swc->swc_nused] = m;
	swc->swc_pages[swc->swc_nused++] = pg;
	if (swc->swc_nused == swc->swc_nallocated)
		swapcluster_flush(sc);
}

/*
 * uvmpd_page: decide the fate of one inactive page, already unmapped
 * (and every access through an old translation finished).  The page's
 * reference on m, its owner's lock, is dropped (or passed to the cluster).
 */
static void
uvmpd_page(struct uvmpd_scan *sc, struct vm_page *pg, struct bvm_mutex *m)
{
	struct bvm_system *sys = sc->sys;
	struct uvm_object *uobj = pg->uobject;
	voff_t start;

	if (uvmpd_swapbacked(pg)) {
		int slot = uvmpd_getslot(pg);

		if (slot != 0 && !pmap_is_modified(sys, pg)) {
			uvmpd_freepage(sc, pg, true, m);
			return;
		}
		uvmpd_swapout(sc, pg, m);
		return;
	}

	/* a file's page */
	if (pmap_is_modified(sys, pg)) {
		if (uobj->pgops->pgo_put == NULL) {
			uvmpd_reactivate(sc, pg, true);
			uvmpd_unlock(sc, m);
			return;
		}
		/* write clustering: the dirty neighbours go with it */
		start = pg->offset & ~(voff_t)(ptoa(UVMPD_VNCLUSTER) - 1);
		CNT_INC(sys->uvmexp.pdpageouts);
		(void)uvm_obj_flush(uobj, start,
		    start + (voff_t)ptoa(UVMPD_VNCLUSTER), PGO_CLEANIT);
		if (pmap_is_modified(sys, pg)) {
			/* the write failed: it stays, modified */
			uvmpd_reactivate(sc, pg, true);
			uvmpd_unlock(sc, m);
			return;
		}
	}
	uvmpd_freepage(sc, pg, false, m);
}

/*
 * uvmpd_batch: decide the pages gathered in the batch.  Pages used since
 * they were deactivated go back; the others are unmapped together, with
 * one wait for other threads' accesses (pmap_update) before any of them
 * is looked at, then decided one by one.
 * => pdlock held, pageqlock not; each batch page holds a reference on its
 *    owner's lock.
 */
static void
uvmpd_batch(struct uvmpd_scan *sc)
{
	struct bvm_system *sys = sc->sys;
	int i, n = 0;

	for (i = 0; i < sc->nbatch; i++) {
		struct vm_page *pg = sc->batch[i];

		if (pmap_is_referenced(sys, pg)) {
			CNT_INC(sys->uvmexp.pdreact);
			uvmpd_reactivate(sc, pg, false);
			uvmpd_unlock(sc, sc->batch_locks[i]);
			continue;
		}
		sc->batch[n] = pg;
		sc->batch_locks[n] = sc->batch_locks[i];
		n++;
	}
	pmap_defer(sys);
	for (i = 0; i < n; i++)
		pmap_page_protect(sys, sc->batch[i], PROT_NONE);
	pmap_update(sys);
	for (i = 0; i < n; i++)
		uvmpd_page(sc, sc->batch[i], sc->batch_locks[i]);
	uvmpd_freebatch(sc);
	sc->nbatch = 0;
}

/*
 * uvmpd_scan_inactive: work on the free target from the inactive queue:
 * gather up to UVMPD_BATCH pages whose owners can be locked, decide them,
 * and go on from a marker that keeps the scan's place in the queue.
 * => pdlock held, pageqlock not.
 */
static void
uvmpd_scan_inactive(struct uvmpd_scan *sc)
{
	struct bvm_system *sys = sc->sys;
	struct vm_page marker, *pg;
	struct bvm_mutex *m;

	memset(&marker, 0, sizeof(marker));
	marker.pg_flags = PQ_MARKER;
	bvm_mutex_enter(&sys->pageqlock);
	/* the marker stays just before the next page to look at */
	TAILQ_INSERT_HEAD(&sys->page_inactive, &marker, pageq);
	while ((pg = TAILQ_NEXT(&marker, pageq)) != NULL) {
		if (sc->freed + (uint64_t)sc->swc.swc_nused +
		    (uint64_t)sc->nbatch >= sc->shortage ||
		    sc->dirtyreacts >= sc->maxreacts)
			break;
		TAILQ_REMOVE(&sys->page_inactive, &marker, pageq);
		TAILQ_INSERT_AFTER(&sys->page_inactive, pg, &marker, pageq);
		CNT_INC(sys->uvmexp.pdscans);
		m = uvmpd_ownerlock(pg);
		if ((PG_FLAGS(pg) & PG_BUSY) || pg->loan_count != 0 ||
		    m == NULL || !uvmpd_lock(sc, m)) {
			CNT_INC(sys->uvmexp.pdbusy);
			sc->busy++;
			continue;
		}
		/* nobody else can free pg now: its owner is ours */
		sc->batch_locks[sc->nbatch] = m;
		sc->batch[sc->nbatch++] = pg;
		if (sc->nbatch == UVMPD_BATCH) {
			bvm_mutex_exit(&sys->pageqlock);
			uvmpd_batch(sc);
			bvm_mutex_enter(&sys->pageqlock);
		}
	}
	TAILQ_REMOVE(&sys->page_inactive, &marker, pageq);
	bvm_mutex_exit(&sys->pageqlock);
	if (sc->nbatch > 0)
		uvmpd_batch(sc);
	swapcluster_flush(sc);
	KASSERT(sc->nlocks == 0);
}

/*
 * uvmpd_scan_active: move up to n pages from the head of the active queue
 * to the inactive one, clearing their referenced bits.
 * => pdlock held.  => returns the pages moved.
 */
static uint64_t
uvmpd_scan_active(struct bvm_system *sys, uint64_t n)
{
	struct vm_page *pg;
	uint64_t moved = 0;

	bvm_mutex_enter(&sys->pageqlock);
	while (moved < n && (pg = TAILQ_FIRST(&sys->page_active)) != NULL) {
		/* the queue lock keeps pg owned; PTE bits need no owner */
		(void)pmap_clear_reference(sys, pg);
		TAILQ_REMOVE(&sys->page_active, pg, pageq);
		sys->uvmexp.active--;
		TAILQ_INSERT_TAIL(&sys->page_inactive, pg, pageq);
		atomic_clearbits_int(&pg->pg_flags, PQ_ACTIVE);
		atomic_setbits_int(&pg->pg_flags, PQ_INACTIVE);
		sys->uvmexp.inactive++;
		moved++;
	}
	bvm_mutex_exit(&sys->pageqlock);
	CNT_ADD(sys->uvmexp.pddeact, moved);
	return moved;
}

static inline uint64_t
uvmpd_free(struct bvm_system *sys)
{
	return __atomic_load_n(&sys->uvmexp.free, __ATOMIC_RELAXED);
}

/*
 * uvmpd_run: scan until `want` frames are freed (0: until free reaches
 * freetarg) or a scan gets nowhere.  sync: called by a failing
 * allocation or bvm_pageout: look at every inactive page.
 * => pdlock held.  => returns the frames freed; *busyp (may be NULL)
 *    gets the pages skipped because their owners were busy.
 */
static uint64_t
uvmpd_run(struct bvm_system *sys, uint64_t want, bool sync, uint64_t *busyp)
{
	struct uvmpd_scan sc;
	uint64_t total = 0, busy = 0, pageable, inactive, moved;
	int pass;

	MUTEX_ASSERT_LOCKED(&sys->pdlock);
	uvmpd_inscan = true;
	for (pass = 0; pass < UVMPD_MAXPASSES; pass++) {
		uint64_t free = uvmpd_free(sys), target;

		if (want != 0)
			target = want > total ? want - total : 0;
		else
			target = sys->freetarg > free ? sys->freetarg - free : 0;
		if (target == 0)
			break;
		CNT_INC(sys->uvmexp.pdrevs);
		memset(&sc, 0, sizeof(sc));
		sc.sys = sys;
		sc.shortage = target;
		sc.maxreacts = sync ? INT32_MAX : UVMPD_NUMDIRTYREACTS;
		uvmpd_scan_inactive(&sc);
		total += sc.freed;
		busy += sc.busy;

		/* refill the inactive queue to a third of the pageable pages */
		bvm_mutex_enter(&sys->pageqlock);
		pageable = sys->uvmexp.active + sys->uvmexp.inactive;
		inactive = sys->uvmexp.inactive;
		/* (bvm_stats reads it without the lock) */
		__atomic_store_n(&sys->inactarg, MAX(pageable / 3,
		    MIN(sys->freetarg + 1, pageable)), __ATOMIC_RELAXED);
		bvm_mutex_exit(&sys->pageqlock);
		moved = 0;
		if (sys->inactarg > inactive)
			moved = uvmpd_scan_active(sys, sys->inactarg - inactive);
		/*
		 * Going on makes sense only if this pass freed something or
		 * gave the next one new candidates.
		 */
		if (sc.freed == 0 && moved == 0)
			break;
		if (sc.freed == 0 && !sync && sc.dirtyreacts >= sc.maxreacts)
			break;
	}
	uvmpd_inscan = false;
	if (busyp != NULL)
		*busyp = busy;
	return total;
}

/* ---------------------------------------------------------------------
 * The thread, and waiting for memory.
 * ------------------------------------------------------------------- */

/* the condition variable needs the raw mutex (see uvm_pagezero_wait) */
static void
uvmpd_cv_wait(struct bvm_system *sys, const struct timespec *abs)
{
#ifdef BVM_DEBUG
	__atomic_store_n(&sys->fpageqlock.held, 0, __ATOMIC_RELAXED);
#endif
	if (abs != NULL)
		pthread_cond_timedwait(&sys->pd_cv, &sys->fpageqlock.mtx, abs);
	else
		pthread_cond_wait(&sys->pd_cv, &sys->fpageqlock.mtx);
#ifdef BVM_DEBUG
	__atomic_store_n(&sys->fpageqlock.owner, pthread_self(),
	    __ATOMIC_RELAXED);
	__atomic_store_n(&sys->fpageqlock.held, 1, __ATOMIC_RELAXED);
#endif
}

static void *
uvm_pageout(void *arg)
{
	struct bvm_system *sys = arg;
	struct timespec abs;
	uint64_t freed, now;

	bvm_mutex_enter(&sys->fpageqlock);
	for (;;) {
		if (sys->pd_stop)
			break;
		now = uvmpd_now();
		if (!sys->pd_kicked && (sys->uvmexp.free >= sys->freemin ||
		    now < sys->pd_stall_until)) {
			if (sys->uvmexp.free >= sys->freemin) {
				sys->pd_idle = true;
				uvmpd_cv_wait(sys, NULL);
			} else {
				/* resting after a useless scan */
				abs.tv_sec = (time_t)(sys->pd_stall_until /
				    1000000000ULL);
				abs.tv_nsec = (long)(sys->pd_stall_until %
				    1000000000ULL);
				uvmpd_cv_wait(sys, &abs);
			}
			continue;
		}
		sys->pd_idle = false;
		sys->pd_kicked = false;
		bvm_mutex_exit(&sys->fpageqlock);

		CNT_INC(sys->uvmexp.pdwoke);
		bvm_mutex_enter(&sys->pdlock);
		freed = uvmpd_run(sys, 0, false, NULL);
		bvm_mutex_exit(&sys->pdlock);

		bvm_mutex_enter(&sys->fpageqlock);
		if (freed == 0 && sys->uvmexp.free < sys->freemin)
			sys->pd_stall_until = uvmpd_now() + UVMPD_STALL_NS;
	}
	bvm_mutex_exit(&sys->fpageqlock);
	return NULL;
}

/* uvm_pdaemon_start: start the thread.  => returns 0 or an errno */
int
uvm_pdaemon_start(struct bvm_system *sys)
{
	int error;

	sys->pd_stop = false;
	sys->pd_idle = false;
	sys->pd_kicked = false;
	sys->pd_stall_until = 0;
	error = pthread_create(&sys->pd_thread, NULL, uvm_pageout, sys);
	if (error != 0)
		return error;
	sys->pd_running = true;
	return 0;
}

/* uvm_pdaemon_stop: stop the thread and wait for it */
void
uvm_pdaemon_stop(struct bvm_system *sys)
{
	if (!sys->pd_running)
		return;
	bvm_mutex_enter(&sys->fpageqlock);
	sys->pd_stop = true;
	pthread_cond_signal(&sys->pd_cv);
	bvm_mutex_exit(&sys->fpageqlock);
	pthread_join(sys->pd_thread, NULL);
	sys->pd_running = false;
}

/*
 * uvm_pdaemon_wakeup_locked: free frames fell below freemin: wake the
 * daemon if it sleeps.  => fpageqlock held.
 */
void
uvm_pdaemon_wakeup_locked(struct bvm_system *sys)
{
	MUTEX_ASSERT_LOCKED(&sys->fpageqlock);
	if (sys->pd_idle) {
		sys->pd_idle = false;
		pthread_cond_signal(&sys->pd_cv);
	}
}

/* uvm_pdaemon_kick: something changed (swap added): scan again now */
void
uvm_pdaemon_kick(struct bvm_system *sys)
{
	if (!sys->pd_running)
		return;
	bvm_mutex_enter(&sys->fpageqlock);
	sys->pd_kicked = true;
	sys->pd_stall_until = 0;
	pthread_cond_signal(&sys->pd_cv);
	bvm_mutex_exit(&sys->fpageqlock);
}

/*
 * uvm_wait: an allocation found no free frame: run a scan now, in this
 * thread (OpenBSD sleeps until the daemon has run; running it here keeps
 * memory pressure deterministic).
 * => call it with every owner lock released (the map lock may be held:
 *    the scan takes none), after this thread's allocation found no frame;
 *    never from inside a scan.
 * => returns true if frames are free now, so the allocation may retry;
 *    false if the failure was not a shortage (the fault injector) or no
 *    frame could be freed.
 */
bool
uvm_wait(struct bvm_system *sys)
{
	uint64_t freed, busy;

	/* only a real shortage: an injected failure is a failure */
	if (!uvm_page_wasshort() || uvmpd_inscan)
		return false;
	bvm_mutex_enter(&sys->pdlock);
	if (uvmpd_free(sys) > 0) {
		/* somebody's scan freed frames while we waited for it */
		bvm_mutex_exit(&sys->pdlock);
		return true;
	}
	CNT_INC(sys->uvmexp.pdsync);
	freed = uvmpd_run(sys, MAX(sys->freetarg, 1), true, &busy);
	bvm_mutex_exit(&sys->pdlock);
	if (freed > 0 || uvmpd_free(sys) > 0)
		return true;
	/*
	 * Nothing freed, but pages were passed over because their owners
	 * were busy (other threads in faults, whose page-ins hold their amap
	 * locks): memory is coming, as the kernel's sleeper would find.
	 * Let them finish, and try again.
	 */
	if (busy > 0) {
		usleep(UVMPD_BUSYWAIT_US);
		return true;
	}
	return false;
}

/*
 * uvm_pageout_now: bvm_pageout: free npages frames now (as many as can
 * be), as the daemon would.  => returns the frames freed.
 */
uint64_t
uvm_pageout_now(struct bvm_system *sys, uint64_t npages)
{
	uint64_t freed;

	if (npages == 0 || uvmpd_inscan)
		return 0;
	bvm_mutex_enter(&sys->pdlock);
	freed = uvmpd_run(sys, npages, true, NULL);
	bvm_mutex_exit(&sys->pdlock);
	return freed;
}
