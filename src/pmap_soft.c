/*
 * pmap_soft.c: the software pmap: page tables in software, a soft TLB.
 *
 * Page tables have the amd64 shape: four levels of 512 entries, 9 bits of
 * the virtual address each, 4 KiB pages:
 *
 *   47      39 38      30 29      21 20      12 11         0
 *   | L4 idx  | L3 idx   | L2 idx   | L1 idx   | page offset |
 *
 * A directory entry (L4, L3, L2) is the host address of the next table
 * (4 KiB aligned) ORed with PDE_V, and, in L2 entries, PDE_RW and PDE_X.
 * A page table
 * entry (L1) is the physical address of the frame ORed with:
 *
 *   PG_V  valid (the page may be read)    PG_A  referenced  (set on access)
 *   PG_RW writable                        PG_M  modified    (set on write)
 *   PG_X  executable                      PG_W  wired       (software bit)
 *
 * As on hardware the effective rights are the AND of the levels: a page is
 * writable when its PTE has PG_RW and its L2 entry has PDE_RW (executable:
 * PG_X and PDE_X).  This lets pmap_protect() take write (or exec) access
 * away from a whole 2 MiB region by clearing one bit in the L2 entry, which
 * is what makes fork O(regions), not O(pages).  pmap_enter() of a page with
 * a right its L2 entry withholds first pushes the restriction down into the
 * 512 PTEs of that table, then grants the right at the L2 level again.
 *
 * Referenced and modified bits are emulated as an MMU does: a TLB fill sets
 * PG_A, and a fill for a write sets PG_M; a TLB entry filled by a read does
 * not allow writes until PG_M is set, so the first write always fills.
 *
 * Locking: every change to page tables and every pv list is made under the
 * system's pmaplock.  Shootdowns wait for other threads' accesses in flight
 * (see pmap.h).  Fills walk the tables without locks, with atomic
 * loads: tables are freed only in pmap_destroy, and PTEs are updated with
 * single atomic stores (A/M bits with compare-and-swap).  A change that takes
 * rights away gives the pmap a new TLB generation (a shootdown).
 */
#include <sys/queue.h>

#include "bvm_host.h"
#include "pmap.h"
#include "uvm.h"

#define PG_V     0x001ULL
#define PG_RW    0x002ULL
#define PG_X     0x004ULL
#define PG_A     0x020ULL
#define PG_M     0x040ULL
#define PG_W     0x200ULL
#define PG_FRAME 0x000ffffffffff000ULL

#define PDE_V    0x001ULL
#define PDE_RW   0x002ULL
#define PDE_X    0x004ULL
#define PDE_RIGHTS (PDE_RW | PDE_X)
#define PDE_PTR  (~(uint64_t)0xfff)

#define NPTE     512
#define L1_SHIFT 12
#define L2_SHIFT 21
#define L3_SHIFT 30
#define L4_SHIFT 39
#define L2_SIZE  (1ULL << L2_SHIFT)   /* bytes mapped by one L1 table */
#define L3_SIZE  (1ULL << L3_SHIFT)
#define L4_SIZE  (1ULL << L4_SHIFT)
#define PTX(va, s) (((va) >> (s)) & (NPTE - 1))

struct pmap_soft {
	struct pmap pm;             /* must be first */
	uint64_t *pm_l4;            /* [pmaplock] top-level table */
	uint64_t pm_ntables;        /* [pmaplock] tables allocated */
};

__thread struct soft_tlb_thread *soft_tlb
    __attribute__((tls_model("initial-exec")));
int soft_tlb_fence;                   /* [I] accesses must fence */
static uint64_t tlbgen_next = 1;      /* [atomic] generation source */
static pthread_key_t soft_tlb_key;
static pthread_once_t soft_tlb_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t soft_tlb_registry = PTHREAD_MUTEX_INITIALIZER;
static struct soft_tlb_thread *soft_tlb_threads; /* [registry] */

/* a thread exits: its TLB leaves the registry */
static void
soft_tlb_thread_free(void *v)
{
	struct soft_tlb_thread *t = v, **pp;

	pthread_mutex_lock(&soft_tlb_registry);
	for (pp = &soft_tlb_threads; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	pthread_mutex_unlock(&soft_tlb_registry);
	soft_tlb = NULL;
	free(t);
}

/*
 * Set up once per process: the TLB key and membarrier.  Without
 * membarrier (old kernels), every access fences instead.
 */
static void
soft_tlb_key_init(void)
{
	pthread_key_create(&soft_tlb_key, soft_tlb_thread_free);
	if (bvm_host_membarrier_register() != 0)
		soft_tlb_fence = 1;
}

/*
 * soft_tlb_thread_alloc: the calling thread's TLB, made at its first
 * access, registered for shootdowns, freed when the thread exits.  Entries
 * start with generation 0, which no pmap ever has.
 * => returns NULL if the host has no memory.
 */
struct soft_tlb_thread *
soft_tlb_thread_alloc(void)
{
	struct soft_tlb_thread *t;

	pthread_once(&soft_tlb_once, soft_tlb_key_init);
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->fence = soft_tlb_fence;
	pthread_mutex_lock(&soft_tlb_registry);
	t->next = soft_tlb_threads;
	soft_tlb_threads = t;
	pthread_mutex_unlock(&soft_tlb_registry);
	pthread_setspecific(soft_tlb_key, t);
	soft_tlb = t;
	return t;
}

/*
 * pmap_tlb_note_user: thread t is about to cache translations of pm.  The
 * first user becomes the owner; any other makes the pmap multi-threaded,
 * and from then on its shootdowns wait for accesses in flight.  The full
 * fence orders this store before t reads the generation and PTEs; a
 * shootdown fences between its changes and reading these fields, so one of
 * the two always sees the other.
 */
static void
pmap_tlb_note_user(struct pmap *pm, struct soft_tlb_thread *t)
{
	struct soft_tlb_thread *owner = NULL;

	if (!__atomic_compare_exchange_n(&pm->pm_tlbowner, &owner, t, false,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) && owner != t &&
	    !__atomic_load_n(&pm->pm_tlbmulti, __ATOMIC_RELAXED))
		__atomic_store_n(&pm->pm_tlbmulti, 1, __ATOMIC_SEQ_CST);
	bvm_membar_full();
}

/*
 * pmap_tlb_wait: wait until every other thread that was inside an access
 * when the shootdown began has left it.
 */
static void
pmap_tlb_wait(void)
{
	struct soft_tlb_thread *t, *self = soft_tlb;
	uint64_t seq;

	if (!soft_tlb_fence)
		bvm_host_membarrier();
	pthread_mutex_lock(&soft_tlb_registry);
	for (t = soft_tlb_threads; t != NULL; t = t->next) {
		if (t == self)
			continue;
		seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		if (!(seq & 1))
			continue;
		while (__atomic_load_n(&t->seq, __ATOMIC_ACQUIRE) == seq)
			bvm_host_yield();
	}
	pthread_mutex_unlock(&soft_tlb_registry);
}

/*
 * pmap_tlb_shootdown: invalidate every cached translation of pm, in every
 * thread, by giving pm a new generation; then, if another thread may hold
 * one, wait for its accesses in flight to finish.
 * => pmaplock held.
 */
/*
 * Deferred waits (pmap_defer / pmap_update): while this thread defers, a
 * shootdown that would wait only notes that a wait is owed, and
 * pmap_update waits once for all of them.  The page daemon unmaps a batch
 * of pages this way before it looks at any of them.
 */
static __thread int soft_tlb_defer;      /* nesting depth */
static __thread bool soft_tlb_owed;      /* a wait is owed */

static void
pmap_tlb_invalidate(struct pmap *pm)
{
	uint64_t g = __atomic_fetch_add(&tlbgen_next, 1, __ATOMIC_RELAXED);

	__atomic_store_n(&pm->pm_tlbgen, g + 1, __ATOMIC_SEQ_CST);
	CNT_INC(pm->pm_sys->uvmexp.tlb_flush);
}

static void
pmap_tlb_shootdown(struct pmap *pm)
{
	struct soft_tlb_thread *owner;

	pmap_tlb_invalidate(pm);
	bvm_membar_full();
	owner = __atomic_load_n(&pm->pm_tlbowner, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&pm->pm_tlbmulti, __ATOMIC_SEQ_CST) ||
	    (owner != NULL && owner != soft_tlb)) {
		if (soft_tlb_defer > 0)
			soft_tlb_owed = true;
		else
			pmap_tlb_wait();
	}
}

/* pmap_soft_defer: shootdown waits of this thread wait for pmap_update */
static void
pmap_soft_defer(void)
{
	soft_tlb_defer++;
}

/*
 * pmap_soft_update: the end of a deferral: wait, once, for every access
 * that may still use a translation removed meanwhile.  => no locks needed
 */
static void
pmap_soft_update(void)
{
	KASSERT(soft_tlb_defer > 0);
	if (--soft_tlb_defer == 0 && soft_tlb_owed) {
		soft_tlb_owed = false;
		pmap_tlb_wait();
	}
}

/* the rights a PTE gives under its L2 entry */
static inline uint32_t
pte_rights(uint64_t pte, uint64_t l2)
{
	uint32_t prot = PROT_READ;

	if ((pte & PG_X) && (l2 & PDE_X))
		prot |= PROT_EXEC;
	if ((pte & PG_RW) && (l2 & PDE_RW))
		prot |= PROT_WRITE;
	return prot;
}

/*
 * soft_tlb_load: cache a valid PTE in the calling thread's TLB, tagged
 * with the generation read before the PTE was.  Write access is cached only
 * once the page is marked modified, so the first write always fills.
 * => returns the host address of the page.
 */
static inline uint8_t *
soft_tlb_load(struct soft_tlb_thread *t, struct pmap *pm, vaddr_t va,
    uint64_t pte, uint64_t l2, uint64_t gen)
{
	struct soft_tlb_entry *e;
	uint32_t prot = pte_rights(pte, l2);

	if (!(pte & PG_M))
		prot &= ~PROT_WRITE;
	e = &t->tlb[(va >> PAGE_SHIFT) & (SOFT_TLB_SIZE - 1)];
	e->vpn = va >> PAGE_SHIFT;
	e->gen = gen;
	e->hva = uvm_phys_to_host(pm->pm_sys, pte & PG_FRAME);
	e->prot = prot;
	return e->hva;
}

static inline struct pmap_soft *
PMS(struct pmap *pm)
{
	return (struct pmap_soft *)pm;
}

static inline uint64_t *
pde_table(uint64_t pde)
{
	return (uint64_t *)(uintptr_t)(pde & PDE_PTR);
}

static inline uint64_t
ld(uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void
st(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static uint64_t *
ptp_alloc(struct pmap_soft *pms)
{
	uint64_t *t;

	if (bvm_fi_fail(FI_PTP_ALLOC))
		return NULL;
	t = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (t != NULL) {
		memset(t, 0, PAGE_SIZE);
		pms->pm_ntables++;
	}
	return t;
}

static struct pmap *
pmap_soft_create(struct bvm_system *sys)
{
	struct pmap_soft *pms = calloc(1, sizeof(*pms));

	if (pms == NULL)
		return NULL;
	pms->pm.pm_ops = &pmap_soft_ops;
	pms->pm.pm_sys = sys;
	pms->pm_l4 = ptp_alloc(pms);
	if (pms->pm_l4 == NULL) {
		free(pms);
		return NULL;
	}
	pmap_tlb_shootdown(&pms->pm);
	return &pms->pm;
}

/*
 * pmap_soft_destroy: free the page tables.
 * => every mapping must already be removed (uvmspace_free unmaps first).
 */
static void
pmap_soft_destroy(struct pmap *pm)
{
	struct pmap_soft *pms = PMS(pm);
	int i, j, k;

	KASSERTMSG(pm->pm_resident == 0, "%llu pages still mapped",
	    (unsigned long long)pm->pm_resident);
	for (i = 0; i < NPTE; i++) {
		uint64_t *l3;
		if (!(pms->pm_l4[i] & PDE_V))
			continue;
		l3 = pde_table(pms->pm_l4[i]);
		for (j = 0; j < NPTE; j++) {
			uint64_t *l2;
			if (!(l3[j] & PDE_V))
				continue;
			l2 = pde_table(l3[j]);
			for (k = 0; k < NPTE; k++)
				if (l2[k] & PDE_V)
					free(pde_table(l2[k]));
			free(l2);
		}
		free(l3);
	}
	free(pms->pm_l4);
	pmap_tlb_shootdown(pm);
	free(pms);
}

/*
 * pmap_l2e: the L2 entry covering va, or NULL when a level above is missing.
 * With alloc, missing levels are allocated (NULL: out of memory).
 * => pmaplock held when alloc is set.
 */
static uint64_t *
pmap_l2e(struct pmap_soft *pms, vaddr_t va, bool alloc)
{
	uint64_t *l4e, *l3e, *t;

	l4e = &pms->pm_l4[PTX(va, L4_SHIFT)];
	if (!(ld(l4e) & PDE_V)) {
		if (!alloc || (t = ptp_alloc(pms)) == NULL)
			return NULL;
		st(l4e, (uint64_t)(uintptr_t)t | PDE_V | PDE_RIGHTS);
	}
	l3e = &pde_table(ld(l4e))[PTX(va, L3_SHIFT)];
	if (!(ld(l3e) & PDE_V)) {
		if (!alloc || (t = ptp_alloc(pms)) == NULL)
			return NULL;
		st(l3e, (uint64_t)(uintptr_t)t | PDE_V | PDE_RIGHTS);
	}
	return &pde_table(ld(l3e))[PTX(va, L2_SHIFT)];
}

/*
 * The calling thread's last L2 entry found, tagged with its pmap's TLB
 * generation, so that walks in one 2 MiB region (fault-around checks,
 * fills) skip the upper levels.  Safe without locks: a valid L2 entry and
 * its table live as long as the pmap, and a generation never names
 * another pmap (a dead pmap's generation is never reused).
 */
struct l2_cache {
	uint64_t gen;
	uint64_t va2m;       /* va >> L2_SHIFT */
	uint64_t *l2e;
};
static __thread struct l2_cache l2_cache
    __attribute__((tls_model("initial-exec")));

/* pmap_pte: the PTE for va and its L2 entry, or NULL if no L1 table. */
static uint64_t *
pmap_pte(struct pmap_soft *pms, vaddr_t va, uint64_t **l2ep)
{
	uint64_t gen = __atomic_load_n(&pms->pm.pm_tlbgen, __ATOMIC_ACQUIRE);
	uint64_t *l2e;

	if (l2_cache.gen == gen && l2_cache.va2m == va >> L2_SHIFT)
		l2e = l2_cache.l2e;
	else {
		l2e = pmap_l2e(pms, va, false);
		if (l2e == NULL || !(ld(l2e) & PDE_V))
			return NULL;
		l2_cache.gen = gen;
		l2_cache.va2m = va >> L2_SHIFT;
		l2_cache.l2e = l2e;
	}
	if (l2ep != NULL)
		*l2ep = l2e;
	return &pde_table(ld(l2e))[PTX(va, L1_SHIFT)];
}

/*
 * pv entries come from a free list kept under pmaplock, which every caller
 * holds already, so a mapping costs no pool lock; the list refills from
 * and spills to the pool in batches.
 */
#define PV_CACHE_MAX 256

static struct pv_entry *
pmap_pv_alloc(struct bvm_system *sys)
{
	struct pv_entry *pve;

	MUTEX_ASSERT_LOCKED(&sys->pmaplock);
	if (bvm_fi_fail(FI_PV_ALLOC))
		return NULL;
	if ((pve = sys->pv_free) != NULL) {
		sys->pv_free = pve->pv_next;
		sys->pv_nfree--;
		return pve;
	}
	return pool_get(&sys->pv_pool, PR_NOWAIT | PR_NOINJECT);
}

static void
pmap_pv_free(struct bvm_system *sys, struct pv_entry *pve)
{
	MUTEX_ASSERT_LOCKED(&sys->pmaplock);
	if (sys->pv_nfree >= PV_CACHE_MAX) {
		pool_put(&sys->pv_pool, pve);
		return;
	}
	pve->pv_next = sys->pv_free;
	sys->pv_free = pve;
	sys->pv_nfree++;
}

/* pmap_pv_drain: give the cached pv entries back (system teardown) */
void
pmap_pv_drain(struct bvm_system *sys)
{
	struct pv_entry *pve;

	bvm_mutex_enter(&sys->pmaplock);
	while ((pve = sys->pv_free) != NULL) {
		sys->pv_free = pve->pv_next;
		pool_put(&sys->pv_pool, pve);
	}
	sys->pv_nfree = 0;
	bvm_mutex_exit(&sys->pmaplock);
}

/* pv list management.  => pmaplock held */
static void
pmap_pv_insert(struct vm_page *pg, struct pv_entry *pve, struct pmap *pm,
    vaddr_t va)
{
	pve->pv_pmap = pm;
	pve->pv_va = va;
	pve->pv_next = pg->pv_list;
	/* atomic: pmap_test_bit reads the head without pmaplock */
	__atomic_store_n(&pg->pv_list, pve, __ATOMIC_RELEASE);
}

static struct pv_entry *
pmap_pv_remove(struct vm_page *pg, struct pmap *pm, vaddr_t va)
{
	struct pv_entry **pp, *pve;

	for (pp = &pg->pv_list; (pve = *pp) != NULL; pp = &pve->pv_next) {
		if (pve->pv_pmap == pm && pve->pv_va == va) {
			__atomic_store_n(pp, pve->pv_next, __ATOMIC_RELEASE);
			return pve;
		}
	}
	panic("pmap_pv_remove: no pv for va %#llx pa %#llx",
	    (unsigned long long)va, (unsigned long long)pg->phys_addr);
}

/*
 * pmap_sync_flags: carry a dying PTE's modified bit to its page.
 * PG_CLEAN cleared means "must be written back" to the pagers.
 */
static inline void
pmap_sync_flags(struct vm_page *pg, uint64_t pte)
{
	if (pte & PG_M)
		atomic_clearbits_int(&pg->pg_flags, PG_CLEAN);
}

/*
 * pmap_kill_pte: remove one valid mapping.
 * => pmaplock held.  => returns the pv entry to free (outside nothing).
 */
static void
pmap_kill_pte(struct pmap *pm, uint64_t *ptep, vaddr_t va)
{
	struct bvm_system *sys = pm->pm_sys;
	uint64_t pte = ld(ptep);
	struct vm_page *pg = PHYS_TO_VM_PAGE(sys, pte & PG_FRAME);

	st(ptep, 0);
	pmap_sync_flags(pg, pte);
	pmap_pv_free(sys, pmap_pv_remove(pg, pm, va));
	if (pte & PG_W)
		pm->pm_wired--;
	__atomic_store_n(&pm->pm_resident, pm->pm_resident - 1,
	    __ATOMIC_RELAXED);
	CNT_INC(sys->uvmexp.pmap_remove);
}

/*
 * pmap_soft_enter: map va to the frame at pa with protection prot.
 * => flags: the access type that caused the fault (sets PG_A/PG_M at once,
 *    saving the refill), PMAP_WIRED, PMAP_CANFAIL.
 * => returns 0 or ENOMEM (no memory for a page table or pv entry; nothing
 *    changed) when PMAP_CANFAIL; panics otherwise.
 */
static int
pmap_soft_enter(struct pmap *pm, vaddr_t va, paddr_t pa, vm_prot_t prot,
    int flags)
{
	struct pmap_soft *pms = PMS(pm);
	struct bvm_system *sys = pm->pm_sys;
	struct vm_page *pg = PHYS_TO_VM_PAGE(sys, pa);
	struct pv_entry *pve = NULL;
	uint64_t *l2e, *ptp, *ptep, opte, npte, t, grant;
	bool flush = false;
	int i;

	KASSERT((va & PAGE_MASK) == 0 && pg != NULL);
	KASSERT(prot != PROT_NONE);
	bvm_mutex_enter(&sys->pmaplock);
	l2e = pmap_l2e(pms, va, true);
	if (l2e == NULL)
		goto nomem;
	if (!(ld(l2e) & PDE_V)) {
		if ((ptp = ptp_alloc(pms)) == NULL)
			goto nomem;
		st(l2e, (uint64_t)(uintptr_t)ptp | PDE_V | PDE_RIGHTS);
	}
	ptp = pde_table(ld(l2e));
	ptep = &ptp[PTX(va, L1_SHIFT)];
	opte = ld(ptep);

	if (!(opte & PG_V) || (opte & PG_FRAME) != pa) {
		pve = pmap_pv_alloc(sys);
		if (pve == NULL)
			goto nomem;
	}
	/*
	 * A right the region withholds: push the restriction down into the
	 * PTEs (PG_RW and PG_X have the PDE bits' values), then grant it at
	 * the L2 level again.
	 */
	grant = ((prot & PROT_WRITE) ? PDE_RW : 0) |
	    ((prot & PROT_EXEC) ? PDE_X : 0);
	if ((grant & ~ld(l2e)) != 0) {
		uint64_t push = grant & ~ld(l2e);

		for (i = 0; i < NPTE; i++) {
			t = ld(&ptp[i]);
			if (t & push) {
				/* keep A/M bits that fills may set meanwhile */
				__atomic_fetch_and(&ptp[i], ~push,
				    __ATOMIC_ACQ_REL);
			}
		}
		opte = ld(ptep);
		__atomic_fetch_or(l2e, push, __ATOMIC_RELEASE);
	}

	npte = pa | PG_V;
	if (prot & PROT_WRITE)
		npte |= PG_RW;
	if (prot & PROT_EXEC)
		npte |= PG_X;
	if (flags & PMAP_WIRED)
		npte |= PG_W;
	if (flags & PROT_MASK)
		npte |= PG_A;
	if (flags & PROT_WRITE)
		npte |= PG_M;

	if (opte & PG_V) {
		if ((opte & PG_FRAME) == pa) {
			/* same page: new rights, keep its A/M history */
			npte |= opte & (PG_A | PG_M);
			if ((opte & ~npte) & (PG_RW | PG_X))
				flush = true;
			if ((opte & PG_W) && !(npte & PG_W))
				pm->pm_wired--;
			else if (!(opte & PG_W) && (npte & PG_W))
				pm->pm_wired++;
		} else {
			/* a different page: the old mapping goes */
			pmap_kill_pte(pm, ptep, va);
			flush = true;
			__atomic_store_n(&pm->pm_resident,
			    pm->pm_resident + 1, __ATOMIC_RELAXED);
			if (npte & PG_W)
				pm->pm_wired++;
		}
	} else {
		__atomic_store_n(&pm->pm_resident, pm->pm_resident + 1,
		    __ATOMIC_RELAXED);
		if (npte & PG_W)
			pm->pm_wired++;
	}
	if (pve != NULL)
		pmap_pv_insert(pg, pve, pm, va);
	st(ptep, npte);
	if (flush)
		pmap_tlb_shootdown(pm);
	/*
	 * The faulting thread retries its access next: load its TLB now, as
	 * the fill would (A, and M for a write, are already set above).
	 */
	if ((flags & PROT_MASK) && soft_tlb != NULL) {
		if (__atomic_load_n(&pm->pm_tlbowner, __ATOMIC_RELAXED) !=
		    soft_tlb)
			pmap_tlb_note_user(pm, soft_tlb);
		soft_tlb_load(soft_tlb, pm, va, npte, ld(l2e),
		    __atomic_load_n(&pm->pm_tlbgen, __ATOMIC_ACQUIRE));
	}
	bvm_mutex_exit(&sys->pmaplock);
	CNT_INC(sys->uvmexp.pmap_enter);
	return 0;

nomem:
	bvm_mutex_exit(&sys->pmaplock);
	if (!(flags & PMAP_CANFAIL))
		panic("pmap_soft_enter: out of memory");
	return ENOMEM;
}

/*
 * pmap_walk_range: call fn on each L1 table that covers part of [sva, eva),
 * with the sub-range it covers; skips unpopulated levels in big steps.
 * => pmaplock held.
 */
static bool
pmap_walk_range(struct pmap_soft *pms, vaddr_t sva, vaddr_t eva,
    bool (*fn)(struct pmap_soft *, uint64_t *l2e, vaddr_t, vaddr_t, void *),
    void *arg)
{
	vaddr_t va = sva, next;
	uint64_t *l4e, *l3e, *l2e;
	bool any = false;

	while (va < eva) {
		l4e = &pms->pm_l4[PTX(va, L4_SHIFT)];
		if (!(ld(l4e) & PDE_V)) {
			next = (va & ~(L4_SIZE - 1)) + L4_SIZE;
			goto skip;
		}
		l3e = &pde_table(ld(l4e))[PTX(va, L3_SHIFT)];
		if (!(ld(l3e) & PDE_V)) {
			next = (va & ~(L3_SIZE - 1)) + L3_SIZE;
			goto skip;
		}
		l2e = &pde_table(ld(l3e))[PTX(va, L2_SHIFT)];
		next = (va & ~(L2_SIZE - 1)) + L2_SIZE;
		if (ld(l2e) & PDE_V)
			any |= fn(pms, l2e, va, MIN(next, eva), arg);
skip:
		if (next <= va)  /* wrapped at the top of the address space */
			break;
		va = next;
	}
	return any;
}

static bool
remove_l1(struct pmap_soft *pms, uint64_t *l2e, vaddr_t sva, vaddr_t eva,
    void *arg)
{
	uint64_t *ptp = pde_table(ld(l2e));
	vaddr_t va;
	bool any = false;

	for (va = sva; va < eva; va += PAGE_SIZE) {
		uint64_t *ptep = &ptp[PTX(va, L1_SHIFT)];
		if (ld(ptep) & PG_V) {
			pmap_kill_pte(&pms->pm, ptep, va);
			any = true;
		}
	}
	return any;
}

/*
 * pmap_soft_remove: remove every mapping in [sva, eva).
 * An empty pmap (a fresh mapping never touched) needs no lock: callers
 * hold the map's write lock, or the amap lock of the pages they remove, so
 * no fault can map anything they remove meanwhile.
 */
static void
pmap_soft_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva)
{
	struct bvm_system *sys = pm->pm_sys;

	if (__atomic_load_n(&pm->pm_resident, __ATOMIC_RELAXED) == 0)
		return;
	bvm_mutex_enter(&sys->pmaplock);
	if (pm->pm_resident != 0 &&
	    pmap_walk_range(PMS(pm), sva, eva, remove_l1, NULL))
		pmap_tlb_shootdown(pm);
	bvm_mutex_exit(&sys->pmaplock);
}

static bool
protect_l1(struct pmap_soft *pms, uint64_t *l2e, vaddr_t sva, vaddr_t eva,
    void *arg)
{
	vm_prot_t prot = *(vm_prot_t *)arg;
	uint64_t *ptp = pde_table(ld(l2e));
	uint64_t clear = 0;
	vaddr_t va;
	bool any = false;

	if (!(prot & PROT_WRITE))
		clear |= PG_RW;
	if (!(prot & PROT_EXEC))
		clear |= PG_X;
	/* A whole table: the rights go at the L2 level, in one step. */
	if ((sva & (L2_SIZE - 1)) == 0 && eva - sva == L2_SIZE) {
		if (ld(l2e) & clear) {
			__atomic_fetch_and(l2e, ~clear, __ATOMIC_ACQ_REL);
			return true;
		}
		return false;
	}
	for (va = sva; va < eva; va += PAGE_SIZE) {
		uint64_t *ptep = &ptp[PTX(va, L1_SHIFT)];
		uint64_t pte = ld(ptep);
		if ((pte & PG_V) && (pte & clear)) {
			__atomic_fetch_and(ptep, ~clear, __ATOMIC_ACQ_REL);
			any = true;
		}
	}
	return any;
}

/*
 * pmap_soft_protect: reduce the rights of the mappings in [sva, eva) to
 * prot.  Rights are never added here: faults add them.
 */
static void
pmap_soft_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, vm_prot_t prot)
{
	struct bvm_system *sys = pm->pm_sys;

	if (!(prot & PROT_READ)) {
		pmap_soft_remove(pm, sva, eva);
		return;
	}
	CNT_INC(sys->uvmexp.pmap_protect);
	bvm_mutex_enter(&sys->pmaplock);
	if (pm->pm_resident != 0 &&
	    pmap_walk_range(PMS(pm), sva, eva, protect_l1, &prot))
		pmap_tlb_shootdown(pm);
	bvm_mutex_exit(&sys->pmaplock);
}

/*
 * pmap_soft_page_protect: reduce every mapping of pg to prot: NONE removes
 * them all (the page is about to be freed or replaced), READ makes them
 * read-only (copy-on-write).
 */
static void
pmap_soft_page_protect(struct bvm_system *sys, struct vm_page *pg,
    vm_prot_t prot)
{
	struct pv_entry *pve, *next;
	uint64_t *ptep;

	if (prot & PROT_WRITE)
		return;
	/*
	 * Always under pmaplock, even when the list looks empty: a removal
	 * that unlinked the last mapping may still be waiting (holding the
	 * lock) for an access through it, and our caller is about to free
	 * or reuse the page.
	 */
	bvm_mutex_enter(&sys->pmaplock);
	for (pve = pg->pv_list; pve != NULL; pve = next) {
		struct pmap *pm = pve->pv_pmap;  /* pve may be freed below */

		next = pve->pv_next;
		ptep = pmap_pte(PMS(pm), pve->pv_va, NULL);
		KASSERT(ptep != NULL && (ld(ptep) & PG_V));
		if (prot == PROT_NONE)
			pmap_kill_pte(pm, ptep, pve->pv_va);
		else
			__atomic_fetch_and(ptep, ~PG_RW, __ATOMIC_ACQ_REL);
		pmap_tlb_shootdown(pm);
	}
	bvm_mutex_exit(&sys->pmaplock);
}

static bool
pmap_soft_extract(struct pmap *pm, vaddr_t va, paddr_t *pa)
{
	uint64_t *ptep = pmap_pte(PMS(pm), va, NULL);
	uint64_t pte;

	if (ptep == NULL || !((pte = ld(ptep)) & PG_V))
		return false;
	if (pa != NULL)
		*pa = (pte & PG_FRAME) | (va & PAGE_MASK);
	return true;
}

/*
 * pmap_soft_mapped_mask: one walk for the fault-around window instead of a
 * pmap_extract per page.  => no locks (as a fill).
 */
static uint32_t
pmap_soft_mapped_mask(struct pmap *pm, vaddr_t sva, int npages)
{
	uint64_t *ptep = NULL;
	uint32_t mask = 0;
	vaddr_t va = sva;
	int i;

	KASSERT(npages <= 32);
	for (i = 0; i < npages; i++, va += PAGE_SIZE) {
		if (ptep == NULL || PTX(va, L1_SHIFT) == 0)
			ptep = pmap_pte(PMS(pm), va, NULL);
		else
			ptep++;
		if (ptep != NULL && (ld(ptep) & PG_V))
			mask |= 1u << i;
	}
	return mask;
}

static bool
pmap_soft_unwire(struct pmap *pm, vaddr_t va)
{
	struct bvm_system *sys = pm->pm_sys;
	uint64_t *ptep;
	bool was = false;

	bvm_mutex_enter(&sys->pmaplock);
	ptep = pmap_pte(PMS(pm), va, NULL);
	if (ptep != NULL && (ld(ptep) & (PG_V | PG_W)) == (PG_V | PG_W)) {
		__atomic_fetch_and(ptep, ~PG_W, __ATOMIC_ACQ_REL);
		pm->pm_wired--;
		was = true;
	}
	bvm_mutex_exit(&sys->pmaplock);
	return was;
}

/*
 * test and clear a bit in every mapping of pg.  Clearing PG_M must wait
 * for accesses in flight (a write cached before could go on unrecorded);
 * clearing PG_A need not: an access that misses the new generation only
 * fails to mark a page used, which the page daemon's unmapping, which
 * does wait, makes harmless.
 */
static bool
pmap_test_bit(struct bvm_system *sys, struct vm_page *pg, uint64_t bit,
    bool clear)
{
	struct pv_entry *pve;
	uint64_t *ptep;
	bool found = false;

	/*
	 * A page mapped nowhere has no bits to see.  Mappings are only
	 * added by holders of the page's owner lock, as the callers are, so
	 * an empty list read without pmaplock stays empty meanwhile (the
	 * page daemon asks this of every page it has just unmapped).  Not
	 * for clearing PG_M: a removal may have unlinked the last mapping
	 * and still be waiting, holding pmaplock, for a store through it;
	 * marking the page clean before that store lands would lose it.
	 */
	if (!(clear && bit == PG_M) &&
	    __atomic_load_n(&pg->pv_list, __ATOMIC_ACQUIRE) == NULL)
		return false;
	bvm_mutex_enter(&sys->pmaplock);
	for (pve = pg->pv_list; pve != NULL; pve = pve->pv_next) {
		ptep = pmap_pte(PMS(pve->pv_pmap), pve->pv_va, NULL);
		if (ptep == NULL || !(ld(ptep) & bit))
			continue;
		found = true;
		if (clear) {
			__atomic_fetch_and(ptep, ~bit, __ATOMIC_ACQ_REL);
			if (bit == PG_A)
				pmap_tlb_invalidate(pve->pv_pmap);
			else
				pmap_tlb_shootdown(pve->pv_pmap);
		}
	}
	bvm_mutex_exit(&sys->pmaplock);
	return found;
}

static bool
pmap_soft_clear_modify(struct bvm_system *sys, struct vm_page *pg)
{
	bool was = pmap_test_bit(sys, pg, PG_M, true) ||
	    !(PG_FLAGS(pg) & PG_CLEAN);

	atomic_setbits_int(&pg->pg_flags, PG_CLEAN);
	return was;
}

static bool
pmap_soft_clear_reference(struct bvm_system *sys, struct vm_page *pg)
{
	return pmap_test_bit(sys, pg, PG_A, true);
}

static bool
pmap_soft_is_modified(struct bvm_system *sys, struct vm_page *pg)
{
	return !(PG_FLAGS(pg) & PG_CLEAN) || pmap_test_bit(sys, pg, PG_M,
	    false);
}

static bool
pmap_soft_is_referenced(struct bvm_system *sys, struct vm_page *pg)
{
	return pmap_test_bit(sys, pg, PG_A, false);
}

/*
 * pmap_soft_fill: the soft TLB's miss handler: walk the tables as an MMU
 * does, set PG_A (and PG_M for a write), and load the TLB.
 * => returns the host address, or NULL when the access needs a fault.
 * => no locks: tables are never freed under a live pmap; the PTE is
 *    updated with compare-and-swap so a concurrent change is not undone.
 */
static void *
pmap_soft_fill(struct soft_tlb_thread *t, struct pmap *pm, vaddr_t va,
    vm_prot_t access)
{
	struct bvm_system *sys = pm->pm_sys;
	uint64_t gen, *l2e = NULL, *ptep, pte, l2, want;

	CNT_INC(sys->uvmexp.tlb_miss);
	if (__predict_false(__atomic_load_n(&pm->pm_tlbowner,
	    __ATOMIC_RELAXED) != t))
		pmap_tlb_note_user(pm, t);
again:
	gen = __atomic_load_n(&pm->pm_tlbgen, __ATOMIC_ACQUIRE);
	ptep = pmap_pte(PMS(pm), va, &l2e);
	if (ptep == NULL)
		return NULL;
	pte = ld(ptep);
	l2 = ld(l2e);
	if (!(pte & PG_V))
		return NULL;
	if ((pte_rights(pte, l2) & access) != (uint32_t)access)
		return NULL;
	want = PG_A | ((access & PROT_WRITE) ? PG_M : 0);
	if ((pte & want) != want) {
		if (!__atomic_compare_exchange_n(ptep, &pte, pte | want, false,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			goto again;
		pte |= want;
	}
	return soft_tlb_load(t, pm, va, pte, l2, gen) + (va & PAGE_MASK);
}

static int
pmap_soft_foreach(struct pmap *pm, int (*fn)(vaddr_t, paddr_t, vm_prot_t,
    bool, void *), void *arg)
{
	struct pmap_soft *pms = PMS(pm);
	vaddr_t va;
	int i, j, k, l, error;

	for (i = 0; i < NPTE; i++) {
		uint64_t l4 = ld(&pms->pm_l4[i]), *l3;
		if (!(l4 & PDE_V))
			continue;
		l3 = pde_table(l4);
		for (j = 0; j < NPTE; j++) {
			uint64_t *l2;
			if (!(ld(&l3[j]) & PDE_V))
				continue;
			l2 = pde_table(ld(&l3[j]));
			for (k = 0; k < NPTE; k++) {
				uint64_t l2v = ld(&l2[k]), *ptp;
				if (!(l2v & PDE_V))
					continue;
				ptp = pde_table(l2v);
				for (l = 0; l < NPTE; l++) {
					uint64_t pte = ld(&ptp[l]);
					vm_prot_t p;
					if (!(pte & PG_V))
						continue;
					p = (vm_prot_t)pte_rights(pte, l2v);
					va = ((vaddr_t)i << L4_SHIFT) |
					    ((vaddr_t)j << L3_SHIFT) |
					    ((vaddr_t)k << L2_SHIFT) |
					    ((vaddr_t)l << L1_SHIFT);
					error = fn(va, pte & PG_FRAME, p,
					    (pte & PG_W) != 0, arg);
					if (error)
						return error;
				}
			}
		}
	}
	return 0;
}

const struct pmap_ops pmap_soft_ops = {
	.name = "soft",
	.create = pmap_soft_create,
	.destroy = pmap_soft_destroy,
	.enter = pmap_soft_enter,
	.remove = pmap_soft_remove,
	.protect = pmap_soft_protect,
	.page_protect = pmap_soft_page_protect,
	.extract = pmap_soft_extract,
	.mapped_mask = pmap_soft_mapped_mask,
	.unwire = pmap_soft_unwire,
	.clear_modify = pmap_soft_clear_modify,
	.clear_reference = pmap_soft_clear_reference,
	.is_modified = pmap_soft_is_modified,
	.is_referenced = pmap_soft_is_referenced,
	.fill = pmap_soft_fill,
	.foreach = pmap_soft_foreach,
	.defer = pmap_soft_defer,
	.update = pmap_soft_update,
};

/* The per-page and creation calls dispatch on the system's pmap. */
struct pmap *
pmap_create(struct bvm_system *sys)
{
	return sys->pmap_ops->create(sys);
}

void
pmap_page_protect(struct bvm_system *sys, struct vm_page *pg, vm_prot_t prot)
{
	sys->pmap_ops->page_protect(sys, pg, prot);
}

bool
pmap_clear_modify(struct bvm_system *sys, struct vm_page *pg)
{
	return sys->pmap_ops->clear_modify(sys, pg);
}

bool
pmap_clear_reference(struct bvm_system *sys, struct vm_page *pg)
{
	return sys->pmap_ops->clear_reference(sys, pg);
}

bool
pmap_is_modified(struct bvm_system *sys, struct vm_page *pg)
{
	return sys->pmap_ops->is_modified(sys, pg);
}

bool
pmap_is_referenced(struct bvm_system *sys, struct vm_page *pg)
{
	return sys->pmap_ops->is_referenced(sys, pg);
}

void
pmap_defer(struct bvm_system *sys)
{
	sys->pmap_ops->defer();
}

void
pmap_update(struct bvm_system *sys)
{
	sys->pmap_ops->update();
}
