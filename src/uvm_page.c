/*
 * uvm_page.c: physical page management.
 *
 * The frames are one memfd, mapped once into this process (the host pmap
 * will map the same memfd at guest addresses later).  Free frames sit on two
 * lists, as OpenBSD's pmemrange keeps free memory per "memtype": frames known
 * to be zero (at boot every frame is) and frames whose contents are unknown.
 * A frame freed by one address space goes on the dirty list and is zeroed
 * before any other user sees it: every allocation for user memory asks for
 * UVM_PGA_ZERO or overwrites the whole frame (a copy-on-write copy).
 *
 * Allocated pages owned by anons or objects are on the active or inactive
 * paging queue, where the page daemon (uvm_pdaemon.c) finds them; wired
 * pages are on neither.  An allocation that takes the free count below
 * freemin wakes the daemon.  One that finds no frame fails: its caller
 * drops its locks, runs the daemon's scan itself (uvm_wait) and starts
 * over, as OpenBSD's callers sleep in uvm_wait with every lock released
 * (the pages it holds locked could not be reclaimed otherwise).
 */
#include "bvm_host.h"
#include "uvm.h"
#include "uvm_pdaemon.h"

/*
 * uvm_page_init: create npages frames and their vm_page structures.
 * => returns 0, EINVAL (npages 0 or beyond the paddr range), ENOMEM.
 */
int
uvm_page_init(struct bvm_system *sys, uint64_t npages)
{
	uint64_t i, bytes;
	void *base;

	if (npages == 0 || npages > (1ULL << 28))  /* 1 TiB of frames */
		return EINVAL;
	bytes = npages * PAGE_SIZE;
	if (bvm_host_frames_alloc(bytes, &sys->memfd, &base) != 0)
		return ENOMEM;
	sys->frames = base;
	sys->pages = calloc(npages, sizeof(struct vm_page));
	if (sys->pages == NULL) {
		bvm_host_frames_free(sys->memfd, base, bytes);
		return ENOMEM;
	}
	sys->npages = npages;

	bvm_mutex_init(&sys->fpageqlock);
	bvm_mutex_init(&sys->pageqlock);
	TAILQ_INIT(&sys->page_free_zero);
	TAILQ_INIT(&sys->page_free_dirty);
	TAILQ_INIT(&sys->page_active);
	TAILQ_INIT(&sys->page_inactive);
	/* Insert in reverse, so that low frames are handed out first. */
	for (i = npages; i-- > 0;) {
		struct vm_page *pg = &sys->pages[i];
		pg->phys_addr = ptoa(i);
		PG_FLAGS_SET(pg, PG_FREE | PG_ZERO);
		TAILQ_INSERT_HEAD(&sys->page_free_zero, pg, pageq);
	}
	sys->uvmexp.npages = npages;
	sys->uvmexp.free = npages;
	sys->uvmexp.zeropages = npages;
	sys->uvmexp.wiredmax = npages / 3;
	return 0;
}

void
uvm_page_fini(struct bvm_system *sys)
{
	bvm_host_frames_free(sys->memfd, sys->frames, sys->npages * PAGE_SIZE);
	free(sys->pages);
	bvm_mutex_destroy(&sys->fpageqlock);
	bvm_mutex_destroy(&sys->pageqlock);
}

struct vm_page *
PHYS_TO_VM_PAGE(struct bvm_system *sys, paddr_t pa)
{
	if (atop(pa) >= sys->npages)
		return NULL;
	return &sys->pages[atop(pa)];
}

/*
 * uvm_pagezero_wait: wait for the zeroing thread's batch in flight to come
 * back to the free lists (frames being zeroed are on no list).
 * => fpageqlock held; it is dropped and retaken while waiting.
 * => returns true if there was a batch to wait for.
 */
bool
uvm_pagezero_wait(struct bvm_system *sys)
{
	MUTEX_ASSERT_LOCKED(&sys->fpageqlock);
	if (sys->zero_inflight == 0)
		return false;
	while (sys->zero_inflight != 0) {
		/* pthread_cond_wait needs the raw mutex */
#ifdef BVM_DEBUG
		__atomic_store_n(&sys->fpageqlock.held, 0, __ATOMIC_RELAXED);
#endif
		pthread_cond_wait(&sys->zero_done_cv, &sys->fpageqlock.mtx);
#ifdef BVM_DEBUG
		__atomic_store_n(&sys->fpageqlock.owner, pthread_self(),
		    __ATOMIC_RELAXED);
		__atomic_store_n(&sys->fpageqlock.held, 1, __ATOMIC_RELAXED);
#endif
	}
	return true;
}

/*
 * uvm_pagedequeue: take a page off the active or inactive queue.
 * => pageqlock held.
 */
static void
uvm_pagedequeue(struct bvm_system *sys, struct vm_page *pg)
{
	MUTEX_ASSERT_LOCKED(&sys->pageqlock);
	if (PG_FLAGS(pg) & PQ_ACTIVE) {
		TAILQ_REMOVE(&sys->page_active, pg, pageq);
		sys->uvmexp.active--;
	} else if (PG_FLAGS(pg) & PQ_INACTIVE) {
		TAILQ_REMOVE(&sys->page_inactive, pg, pageq);
		sys->uvmexp.inactive--;
	}
	atomic_clearbits_int(&pg->pg_flags, PQ_QUEUEMASK);
}

/*
 * Set when this thread's last failed allocation found no frame (rather
 * than the fault injector saying no): uvm_wait only waits for that.
 */
static __thread bool uvm_page_short __attribute__((tls_model("initial-exec")));

/* uvm_page_wasshort: test and clear this thread's shortage flag */
bool
uvm_page_wasshort(void)
{
	bool was = uvm_page_short;

	uvm_page_short = false;
	return was;
}

/*
 * uvm_pagealloc: allocate a frame for an object or an anon (or neither).
 * => if obj or anon is given, its lock must be held; the page is returned
 *    owned by it, busy (PG_BUSY|PG_FAKE cleared for zeroed pages), and on
 *    the active queue.
 * => UVM_PGA_ZERO: the page is zero on return.
 * => returns NULL when no frame is free (or the fault injector says so);
 *    the caller may then uvm_wait() with its locks released and retry.
 */
struct vm_page *
uvm_pagealloc(struct bvm_system *sys, struct uvm_object *obj, voff_t off,
    struct vm_anon *anon, int flags)
{
	struct vm_page *pg;
	bool zero;

	KASSERT(obj == NULL || anon == NULL);
	if (bvm_fi_fail(FI_PAGE_ALLOC))
		return NULL;

	bvm_mutex_enter(&sys->fpageqlock);
again:
	/* Zeroed requests prefer zeroed frames, others keep them. */
	if (flags & UVM_PGA_ZERO) {
		pg = TAILQ_FIRST(&sys->page_free_zero);
		if (pg == NULL)
			pg = TAILQ_FIRST(&sys->page_free_dirty);
	} else {
		pg = TAILQ_FIRST(&sys->page_free_dirty);
		if (pg == NULL)
			pg = TAILQ_FIRST(&sys->page_free_zero);
	}
	if (pg == NULL) {
		/* frames the zeroing thread holds are free too */
		if (uvm_pagezero_wait(sys))
			goto again;
		bvm_mutex_exit(&sys->fpageqlock);
		uvm_page_short = true;
		return NULL;
	}
	KASSERT(PG_FLAGS(pg) & PG_FREE);
	zero = (PG_FLAGS(pg) & PG_ZERO) != 0;
	if (zero) {
		TAILQ_REMOVE(&sys->page_free_zero, pg, pageq);
		sys->uvmexp.zeropages--;
	} else
		TAILQ_REMOVE(&sys->page_free_dirty, pg, pageq);
	__atomic_store_n(&sys->uvmexp.free, sys->uvmexp.free - 1,
	    __ATOMIC_RELAXED);
	if (sys->uvmexp.free < sys->freemin)
		uvm_pdaemon_wakeup_locked(sys);
	/*
	 * The next allocation takes the next page of this list: start
	 * bringing its vm_page into the cache now (the lists are LIFO, so
	 * after a large free it has usually left the cache).
	 */
	__builtin_prefetch(TAILQ_NEXT(pg, pageq), 1);
	bvm_mutex_exit(&sys->fpageqlock);

	/* a shortage met earlier (a read-ahead that did without) is over */
	if (__predict_false(uvm_page_short))
		uvm_page_short = false;
	KASSERT(pg->pv_list == NULL && pg->wire_count == 0);
	PG_FLAGS_SET(pg, PG_BUSY | PG_CLEAN | PG_FAKE);
	pg->uobject = obj;
	pg->uanon = anon;
	pg->offset = off;
	if (anon != NULL)
		atomic_setbits_int(&pg->pg_flags, PQ_ANON);
	if (flags & UVM_PGA_ZERO) {
		if (zero)
			CNT_INC(sys->uvmexp.pga_zerohit);
		else {
			memset(uvm_phys_to_host(sys, pg->phys_addr), 0,
			    PAGE_SIZE);
			CNT_INC(sys->uvmexp.pga_zeromiss);
		}
		atomic_clearbits_int(&pg->pg_flags, PG_FAKE);
	}
	CNT_INC(sys->uvmexp.pages_alloc);
	if (obj != NULL || anon != NULL)
		uvm_pageactivate(sys, pg);
	return pg;
}

/*
 * uvm_pagealloc_n: uvm_pagealloc(sys, NULL, 0, anons[i], 0) for i < n
 * with one hold of each queue lock: the frames of a swap read-ahead.  It
 * stops at the first frame it cannot have (none free, or the fault
 * injector says so) and records no shortage: a read-ahead does without.
 * => the anons' lock held.  => returns k, the frames in pgs[0..k-1], busy
 *    and on the active queue, as uvm_pagealloc returns them.
 */
int
uvm_pagealloc_n(struct bvm_system *sys, struct vm_anon **anons,
    struct vm_page **pgs, int n)
{
	struct vm_page *pg;
	int i, got = 0;

	if (n <= 0)
		return 0;
	bvm_mutex_enter(&sys->fpageqlock);
	while (got < n && !bvm_fi_fail(FI_PAGE_ALLOC)) {
		/* a non-zeroed request: dirty frames first, zeroed ones kept */
		if ((pg = TAILQ_FIRST(&sys->page_free_dirty)) != NULL)
			TAILQ_REMOVE(&sys->page_free_dirty, pg, pageq);
		else if ((pg = TAILQ_FIRST(&sys->page_free_zero)) != NULL) {
			TAILQ_REMOVE(&sys->page_free_zero, pg, pageq);
			sys->uvmexp.zeropages--;
		} else
			break;
		KASSERT(PG_FLAGS(pg) & PG_FREE);
		pgs[got++] = pg;
	}
	__atomic_store_n(&sys->uvmexp.free, sys->uvmexp.free - (uint64_t)got,
	    __ATOMIC_RELAXED);
	if (got > 0 && sys->uvmexp.free < sys->freemin)
		uvm_pdaemon_wakeup_locked(sys);
	bvm_mutex_exit(&sys->fpageqlock);

	for (i = 0; i < got; i++) {
		pg = pgs[i];
		KASSERT(pg->pv_list == NULL && pg->wire_count == 0);
		PG_FLAGS_SET(pg, PG_BUSY | PG_CLEAN | PG_FAKE | PQ_ANON);
		pg->uobject = NULL;
		pg->uanon = anons[i];
		pg->offset = 0;
	}
	CNT_ADD(sys->uvmexp.pages_alloc, (uint64_t)got);
	bvm_mutex_enter(&sys->pageqlock);
	for (i = 0; i < got; i++) {
		TAILQ_INSERT_TAIL(&sys->page_active, pgs[i], pageq);
		atomic_setbits_int(&pgs[i]->pg_flags, PQ_ACTIVE);
	}
	sys->uvmexp.active += (uint64_t)got;
	bvm_mutex_exit(&sys->pageqlock);
	return got;
}

/*
 * uvm_pagefree: free a page.
 * => the page must have no mappings left (pmap_page_protect(NONE) first)
 *    and must not be wired; its owner's lock must be held.
 */
void
uvm_pagefree(struct bvm_system *sys, struct vm_page *pg)
{
	KASSERT((PG_FLAGS(pg) & PG_FREE) == 0);
	KASSERTMSG(pg->pv_list == NULL, "page %#llx still mapped",
	    (unsigned long long)pg->phys_addr);

	if (PG_FLAGS(pg) & PQ_QUEUEMASK || pg->wire_count != 0) {
		bvm_mutex_enter(&sys->pageqlock);
		uvm_pagedequeue(sys, pg);
		if (pg->wire_count != 0) {
			pg->wire_count = 0;
			sys->uvmexp.wired--;
		}
		bvm_mutex_exit(&sys->pageqlock);
	}
	pg->uobject = NULL;
	pg->uanon = NULL;
	pg->offset = 0;
	pg->loan_count = 0;

	bvm_mutex_enter(&sys->fpageqlock);
	PG_FLAGS_SET(pg, PG_FREE);
	TAILQ_INSERT_HEAD(&sys->page_free_dirty, pg, pageq);
	__atomic_store_n(&sys->uvmexp.free, sys->uvmexp.free + 1,
	    __ATOMIC_RELAXED);
	if (sys->zero_idle) {
		sys->zero_idle = false;
		pthread_cond_signal(&sys->zero_cv);
	}
	bvm_mutex_exit(&sys->fpageqlock);
	CNT_INC(sys->uvmexp.pages_free);
}

/*
 * uvm_pagefree_n: free the n pages pgs[], as uvm_pagefree each, with one
 * hold of each queue lock; the next allocations take them in the order
 * given (frames freed in address order come back in address order, so a
 * later cluster of them is one I/O vector).
 * => the pages are unmapped and not wired; their owners (held locked) no
 *    longer point at them (an_page NULL, out of the object's index).
 *    pg->uanon is cleared here, off the queues: the page daemon reads it
 *    under the queue lock, so the anon must outlive this call.
 */
void
uvm_pagefree_n(struct bvm_system *sys, struct vm_page **pgs, int n)
{
	int i;

	if (n <= 0)
		return;
	bvm_mutex_enter(&sys->pageqlock);
	for (i = 0; i < n; i++) {
		struct vm_page *pg = pgs[i];

		KASSERT((PG_FLAGS(pg) & PG_FREE) == 0 && pg->wire_count == 0);
		KASSERT(pg->uobject == NULL);
		KASSERTMSG(pg->pv_list == NULL, "page %#llx still mapped",
		    (unsigned long long)pg->phys_addr);
		if (PG_FLAGS(pg) & PQ_QUEUEMASK)
			uvm_pagedequeue(sys, pg);
		pg->uanon = NULL;
		pg->offset = 0;
		pg->loan_count = 0;
	}
	bvm_mutex_exit(&sys->pageqlock);

	bvm_mutex_enter(&sys->fpageqlock);
	for (i = n - 1; i >= 0; i--) {
		PG_FLAGS_SET(pgs[i], PG_FREE);
		TAILQ_INSERT_HEAD(&sys->page_free_dirty, pgs[i], pageq);
	}
	__atomic_store_n(&sys->uvmexp.free, sys->uvmexp.free + (uint64_t)n,
	    __ATOMIC_RELAXED);
	if (sys->zero_idle) {
		sys->zero_idle = false;
		pthread_cond_signal(&sys->zero_cv);
	}
	bvm_mutex_exit(&sys->fpageqlock);
	CNT_ADD(sys->uvmexp.pages_free, (uint64_t)n);
}

/*
 * The page-zeroing thread (OpenBSD's uvm_pageidlezero, in a thread of its
 * own): it takes frames off the dirty free list a batch at a time, zeroes
 * them outside the lock, and puts them on the zero list, so that zero-fill
 * faults find zeroed frames (pga_zerohit) instead of zeroing on demand.
 * Frames being zeroed are on no list and not counted free; zero_mtx is
 * held meanwhile, so the system checker can wait for a consistent state.
 */
#define PAGEZERO_BATCH 16

static void *
uvm_pagezero_thread(void *arg)
{
	struct bvm_system *sys = arg;
	struct vm_page *batch[PAGEZERO_BATCH];
	int i, n;

	for (;;) {
		pthread_mutex_lock(&sys->zero_mtx);
		bvm_mutex_enter(&sys->fpageqlock);
		while (!sys->zero_stop &&
		    TAILQ_EMPTY(&sys->page_free_dirty)) {
			sys->zero_idle = true;
			pthread_mutex_unlock(&sys->zero_mtx);
			/* the condition variable needs the raw mutex */
#ifdef BVM_DEBUG
			__atomic_store_n(&sys->fpageqlock.held, 0,
			    __ATOMIC_RELAXED);
#endif
			pthread_cond_wait(&sys->zero_cv, &sys->fpageqlock.mtx);
#ifdef BVM_DEBUG
			__atomic_store_n(&sys->fpageqlock.owner, pthread_self(),
			    __ATOMIC_RELAXED);
			__atomic_store_n(&sys->fpageqlock.held, 1,
			    __ATOMIC_RELAXED);
#endif
			bvm_mutex_exit(&sys->fpageqlock);
			pthread_mutex_lock(&sys->zero_mtx);
			bvm_mutex_enter(&sys->fpageqlock);
		}
		if (sys->zero_stop) {
			bvm_mutex_exit(&sys->fpageqlock);
			pthread_mutex_unlock(&sys->zero_mtx);
			return NULL;
		}
		for (n = 0; n < PAGEZERO_BATCH; n++) {
			struct vm_page *pg = TAILQ_FIRST(&sys->page_free_dirty);
			if (pg == NULL)
				break;
			TAILQ_REMOVE(&sys->page_free_dirty, pg, pageq);
			/* on no list: not free to anyone until it is back */
			PG_FLAGS_SET(pg, PG_BUSY);
			CNT_SUB(sys->uvmexp.free, 1);
			batch[n] = pg;
		}
		sys->zero_inflight = n;
		bvm_mutex_exit(&sys->fpageqlock);

		for (i = 0; i < n; i++)
			memset(uvm_phys_to_host(sys, batch[i]->phys_addr), 0,
			    PAGE_SIZE);

		bvm_mutex_enter(&sys->fpageqlock);
		for (i = 0; i < n; i++) {
			PG_FLAGS_SET(batch[i], PG_FREE | PG_ZERO);
			TAILQ_INSERT_TAIL(&sys->page_free_zero, batch[i], pageq);
		}
		CNT_ADD(sys->uvmexp.free, (uint64_t)n);
		sys->uvmexp.zeropages += (uint64_t)n;
		sys->zero_inflight = 0;
		pthread_cond_broadcast(&sys->zero_done_cv);
		bvm_mutex_exit(&sys->fpageqlock);
		pthread_mutex_unlock(&sys->zero_mtx);
	}
}

/* uvm_pagezero_start: start the thread.  => returns 0 or an errno */
int
uvm_pagezero_start(struct bvm_system *sys)
{
	int error;

	pthread_mutex_init(&sys->zero_mtx, NULL);
	pthread_cond_init(&sys->zero_cv, NULL);
	pthread_cond_init(&sys->zero_done_cv, NULL);
	sys->zero_inflight = 0;
	sys->zero_stop = false;
	sys->zero_idle = false;
	error = pthread_create(&sys->zero_thread, NULL, uvm_pagezero_thread,
	    sys);
	if (error != 0) {
		pthread_cond_destroy(&sys->zero_done_cv);
		pthread_cond_destroy(&sys->zero_cv);
		pthread_mutex_destroy(&sys->zero_mtx);
		return error;
	}
	sys->zero_running = true;
	return 0;
}

/* uvm_pagezero_stop: stop the thread and wait for it */
void
uvm_pagezero_stop(struct bvm_system *sys)
{
	if (!sys->zero_running)
		return;
	bvm_mutex_enter(&sys->fpageqlock);
	sys->zero_stop = true;
	pthread_cond_signal(&sys->zero_cv);
	bvm_mutex_exit(&sys->fpageqlock);
	pthread_join(sys->zero_thread, NULL);
	pthread_cond_destroy(&sys->zero_done_cv);
	pthread_cond_destroy(&sys->zero_cv);
	pthread_mutex_destroy(&sys->zero_mtx);
	sys->zero_running = false;
}

/*
 * uvm_pagewire / uvm_pageunwire: wired pages leave the paging queues.
 * => page's owner must be locked.
 */
void
uvm_pagewire(struct bvm_system *sys, struct vm_page *pg)
{
	bvm_mutex_enter(&sys->pageqlock);
	if (pg->wire_count == 0) {
		uvm_pagedequeue(sys, pg);
		sys->uvmexp.wired++;
	}
	pg->wire_count++;
	bvm_mutex_exit(&sys->pageqlock);
}

void
uvm_pageunwire(struct bvm_system *sys, struct vm_page *pg)
{
	bvm_mutex_enter(&sys->pageqlock);
	KASSERT(pg->wire_count > 0);
	if (--pg->wire_count == 0) {
		/* a device's frames are never on the queues */
		if (!(PG_FLAGS(pg) & PG_DEVICE)) {
			TAILQ_INSERT_TAIL(&sys->page_active, pg, pageq);
			atomic_setbits_int(&pg->pg_flags, PQ_ACTIVE);
			sys->uvmexp.active++;
		}
		sys->uvmexp.wired--;
	}
	bvm_mutex_exit(&sys->pageqlock);
}

/*
 * uvm_pageactivate: put a page at the tail of the active queue.
 * => page's owner must be locked.  Wired pages stay off the queues.
 */
void
uvm_pageactivate(struct bvm_system *sys, struct vm_page *pg)
{
	if (PG_FLAGS(pg) & PG_DEVICE)
		return;
	bvm_mutex_enter(&sys->pageqlock);
	if (pg->wire_count == 0) {
		if (PG_FLAGS(pg) & PQ_INACTIVE) {
			TAILQ_REMOVE(&sys->page_inactive, pg, pageq);
			sys->uvmexp.inactive--;
		}
		if (PG_FLAGS(pg) & PQ_ACTIVE)
			TAILQ_REMOVE(&sys->page_active, pg, pageq);
		else
			sys->uvmexp.active++;
		TAILQ_INSERT_TAIL(&sys->page_active, pg, pageq);
		atomic_clearbits_int(&pg->pg_flags, PQ_INACTIVE);
		atomic_setbits_int(&pg->pg_flags, PQ_ACTIVE);
	}
	bvm_mutex_exit(&sys->pageqlock);
}

/*
 * uvm_pagedeactivate: move a page to the inactive queue (madvise DONTNEED;
 * later the page daemon).
 * => page's owner must be locked.
 */
void
uvm_pagedeactivate(struct bvm_system *sys, struct vm_page *pg)
{
	if (PG_FLAGS(pg) & PG_DEVICE)
		return;
	bvm_mutex_enter(&sys->pageqlock);
	if (pg->wire_count == 0 && (PG_FLAGS(pg) & PQ_INACTIVE) == 0) {
		if (PG_FLAGS(pg) & PQ_ACTIVE) {
			TAILQ_REMOVE(&sys->page_active, pg, pageq);
			sys->uvmexp.active--;
		}
		TAILQ_INSERT_TAIL(&sys->page_inactive, pg, pageq);
		atomic_clearbits_int(&pg->pg_flags, PQ_ACTIVE);
		atomic_setbits_int(&pg->pg_flags, PQ_INACTIVE);
		sys->uvmexp.inactive++;
	}
	bvm_mutex_exit(&sys->pageqlock);
}

void
uvm_pagecopy(struct bvm_system *sys, struct vm_page *src, struct vm_page *dst)
{
	memcpy(uvm_phys_to_host(sys, dst->phys_addr),
	    uvm_phys_to_host(sys, src->phys_addr), PAGE_SIZE);
	atomic_clearbits_int(&dst->pg_flags, PG_FAKE);
}

void
uvm_pagezero(struct bvm_system *sys, struct vm_page *pg)
{
	memset(uvm_phys_to_host(sys, pg->phys_addr), 0, PAGE_SIZE);
	atomic_clearbits_int(&pg->pg_flags, PG_FAKE);
}
