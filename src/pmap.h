/*
 * pmap.h: the machine-dependent layer's interface.
 *
 * The machine-independent code (uvm_*.c) manages virtual memory only through
 * these calls, exactly as in BSD: pmap_enter, pmap_remove, pmap_protect,
 * pmap_page_protect, pmap_extract, pmap_unwire, and the referenced/modified
 * bit calls.  Each pmap implementation (pmap_soft.c; pmap_host.c later)
 * provides a `struct pmap_ops` and embeds `struct pmap` first in its own
 * pmap structure.
 *
 * Accesses through virtual addresses (copyin/copyout) ask pmap_access() for
 * the host address of a page; the software pmap answers from a per-thread
 * soft TLB, filling it from its page tables on a miss, and returns NULL when
 * the access needs a fault.
 */
#ifndef BVM_PMAP_H
#define BVM_PMAP_H

#include "uvm_extern.h"

/* pmap_enter flags: the access type (PROT_*) in the low bits, and: */
#define PMAP_WIRED   0x10 /* wired mapping */
#define PMAP_CANFAIL 0x20 /* return ENOMEM instead of panicking */

struct pmap {
	const struct pmap_ops *pm_ops;   /* [I] */
	struct bvm_system *pm_sys;       /* [I] */
	uint64_t pm_tlbgen;              /* [atomic] TLB generation */
	struct soft_tlb_thread *pm_tlbowner; /* [atomic] first TLB user */
	int pm_tlbmulti;                 /* [atomic] other threads used it */
	uint64_t pm_resident;            /* [pmaplock, atomic to read] */
	uint64_t pm_wired;               /* [pmaplock] wired pages */
};

/* a mapping of a page: on the page's pv list [pmaplock] */
struct pv_entry {
	struct pv_entry *pv_next;
	struct pmap *pv_pmap;
	vaddr_t pv_va;
};

struct soft_tlb_thread;

struct pmap_ops {
	const char *name;
	struct pmap *(*create)(struct bvm_system *);
	void (*destroy)(struct pmap *);
	int (*enter)(struct pmap *, vaddr_t, paddr_t, vm_prot_t, int);
	void (*remove)(struct pmap *, vaddr_t, vaddr_t);
	void (*protect)(struct pmap *, vaddr_t, vaddr_t, vm_prot_t);
	void (*page_protect)(struct bvm_system *, struct vm_page *, vm_prot_t);
	bool (*extract)(struct pmap *, vaddr_t, paddr_t *);
	/* bit i set: page sva + i*PAGE_SIZE is mapped (npages <= 32) */
	uint32_t (*mapped_mask)(struct pmap *, vaddr_t sva, int npages);
	bool (*unwire)(struct pmap *, vaddr_t);
	bool (*clear_modify)(struct bvm_system *, struct vm_page *);
	bool (*clear_reference)(struct bvm_system *, struct vm_page *);
	bool (*is_modified)(struct bvm_system *, struct vm_page *);
	bool (*is_referenced)(struct bvm_system *, struct vm_page *);
	void *(*fill)(struct soft_tlb_thread *, struct pmap *, vaddr_t,
	    vm_prot_t);
	/* for the invariant checker: call fn for every valid mapping */
	int (*foreach)(struct pmap *, int (*fn)(vaddr_t, paddr_t, vm_prot_t,
	    bool wired, void *), void *arg);
	/*
	 * defer / update: between the two, this thread's removals and
	 * protections need not wait for other threads' accesses; update
	 * waits once for all of them (NetBSD's pmap_update).
	 */
	void (*defer)(void);
	void (*update)(void);
};

extern const struct pmap_ops pmap_soft_ops;

/*
 * The soft TLB: per thread, direct mapped, tagged with the virtual page
 * number and the pmap's TLB generation.  Generations come from one global
 * counter, so a generation names one pmap at one time: a flush gives the
 * pmap a new generation and every entry it had becomes a miss, in every
 * thread, without touching them.
 *
 * Shootdowns wait, as a hardware shootdown waits for the other CPUs'
 * acknowledgements: each thread brackets every access (TLB lookup, fill,
 * and the copy through the host address) with pmap_access_enter/exit, which
 * make its sequence number odd and then even again.  A shootdown of a pmap
 * that another thread has used waits until every thread that was inside an
 * access has left it, so once pmap_remove/protect returns nobody can still
 * write through an old translation.  The wait side issues an asymmetric
 * fence (membarrier), so the access side needs no fence: two plain stores.
 */
#define SOFT_TLB_SIZE 256
struct soft_tlb_entry {
	uint64_t vpn;
	uint64_t gen;
	uint8_t *hva;         /* host address of the page */
	uint32_t prot;        /* accesses allowed without a fill */
};

struct soft_tlb_thread {
	uint64_t seq;                 /* [owner writes, atomic] odd: in access */
	int fence;                    /* [I] soft_tlb_fence, kept at hand */
	struct soft_tlb_thread *next; /* [registry lock] every thread's TLB */
	struct soft_tlb_entry tlb[SOFT_TLB_SIZE];
};

/*
 * The calling thread's TLB, allocated at its first access.  A pointer in
 * initial-exec TLS: one %fs-relative load, no __tls_get_addr call, and
 * only 8 bytes of the static TLS a dlopen'ed library may use.
 */
extern __thread struct soft_tlb_thread *soft_tlb
    __attribute__((tls_model("initial-exec")));
extern int soft_tlb_fence;   /* [I] no membarrier: accesses must fence */
struct soft_tlb_thread *soft_tlb_thread_alloc(void);

/* the calling thread's TLB, or NULL if the host has no memory for it */
static inline struct soft_tlb_thread *
pmap_tlb_self(void)
{
	struct soft_tlb_thread *t = soft_tlb;

	return __predict_true(t != NULL) ? t : soft_tlb_thread_alloc();
}

static inline void
pmap_access_enter(struct soft_tlb_thread *t)
{
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELAXED);
	if (__predict_false(t->fence))
		bvm_membar_full();
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void
pmap_access_exit(struct soft_tlb_thread *t)
{
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELEASE);
}

/*
 * pmap_access: host address for an access of type `access` at va, or NULL
 * when the page is not mapped for that access (the caller leaves the
 * access, faults, and asks again).
 * => t is pmap_tlb_self(); the caller is between pmap_access_enter/exit.
 */
static inline void *
pmap_access(struct soft_tlb_thread *t, struct pmap *pm, vaddr_t va,
    vm_prot_t access)
{
	uint64_t vpn = va >> PAGE_SHIFT;
	struct soft_tlb_entry *e = &t->tlb[vpn & (SOFT_TLB_SIZE - 1)];

	if (__predict_true(e->vpn == vpn &&
	    e->gen == __atomic_load_n(&pm->pm_tlbgen, __ATOMIC_ACQUIRE) &&
	    (e->prot & access) == (uint32_t)access))
		return e->hva + (va & PAGE_MASK);
	return pm->pm_ops->fill(t, pm, va, access);
}

/* the machine-independent calls */
static inline int
pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, vm_prot_t prot, int flags)
{
	return pm->pm_ops->enter(pm, va, pa, prot, flags);
}
static inline void
pmap_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva)
{
	pm->pm_ops->remove(pm, sva, eva);
}
static inline void
pmap_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, vm_prot_t prot)
{
	pm->pm_ops->protect(pm, sva, eva, prot);
}
static inline bool
pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa)
{
	return pm->pm_ops->extract(pm, va, pa);
}
/* pmap_unwire: => returns whether the mapping was wired */
static inline bool
pmap_unwire(struct pmap *pm, vaddr_t va)
{
	return pm->pm_ops->unwire(pm, va);
}
/* pmap_mapped_mask: which of npages (<= 32) pages from sva are mapped */
static inline uint32_t
pmap_mapped_mask(struct pmap *pm, vaddr_t sva, int npages)
{
	return pm->pm_ops->mapped_mask(pm, sva, npages);
}
static inline void
pmap_destroy(struct pmap *pm)
{
	pm->pm_ops->destroy(pm);
}
static inline uint64_t
pmap_resident_count(struct pmap *pm)
{
	return __atomic_load_n(&pm->pm_resident, __ATOMIC_RELAXED);
}

/* per-page calls go through the system's pmap ops */
void pmap_page_protect(struct bvm_system *, struct vm_page *, vm_prot_t);
bool pmap_clear_modify(struct bvm_system *, struct vm_page *);
bool pmap_clear_reference(struct bvm_system *, struct vm_page *);
bool pmap_is_modified(struct bvm_system *, struct vm_page *);
bool pmap_is_referenced(struct bvm_system *, struct vm_page *);
void pmap_defer(struct bvm_system *);
void pmap_update(struct bvm_system *);
struct pmap *pmap_create(struct bvm_system *);
void pmap_pv_drain(struct bvm_system *);

#endif /* BVM_PMAP_H */
