/*
 * uvm_page.h: physical pages (vm_page) and their queues.
 *
 * Physical memory is one host shared-memory region (a memfd) of npages
 * frames, mapped once.  A physical address is a byte offset into it, so
 * uvm_pglistalloc's constraints (low/high, alignment, boundary) mean what
 * they mean on hardware.  There is one struct vm_page per frame.
 *
 * Locks (lock order: see docs/locking.md):
 *   [F] uvm.fpageqlock   free lists
 *   [Q] uvm.pageqlock    paging queues, wire_count
 *   [O] owner's lock     the amap lock for an anon's page, vmobjlock for an
 *                        object's
 *   [P] pmap lock        the pv list
 *   [I] immutable after boot
 */
#ifndef UVM_PAGE_H
#define UVM_PAGE_H

#include <sys/queue.h>

#include "uvm_extern.h"

struct pv_entry;

struct vm_page {
	TAILQ_ENTRY(vm_page) pageq;   /* [F|Q] free list or paging queue */
	struct uvm_object *uobject;   /* [O] object owning the page, or NULL */
	struct vm_anon *uanon;        /* [O] anon owning the page, or NULL */
	voff_t offset;                /* [O] offset in uobject */
	paddr_t phys_addr;            /* [I] physical address */
	struct pv_entry *pv_list;     /* [P] mappings of this page */
	uint32_t pg_flags;            /* [F|O] PG_* and PQ_* below */
	uint16_t wire_count;          /* [Q] wired mappings */
	uint16_t loan_count;          /* [O] loans (uvm_loan, later) */
};

TAILQ_HEAD(pglist, vm_page);

/* pg_flags */
#define PG_BUSY      0x00000001 /* page is being worked on: I/O, creation */
#define PG_WANTED    0x00000002 /* someone waits for PG_BUSY to clear */
#define PG_TABLED    0x00000004 /* page is in an object's index */
#define PG_CLEAN     0x00000008 /* page has not been modified since pagein */
#define PG_RELEASED  0x00000020 /* free page when no longer busy */
#define PG_FAKE      0x00000040 /* page has no valid contents yet */
#define PG_RDONLY    0x00000080 /* map read-only only */
#define PG_ZERO      0x00000100 /* free page known to be all zeroes */
#define PG_FREE      0x00000200 /* page is on a free list */
#define PG_PGLIST    0x00000400 /* page allocated by uvm_pglistalloc */
#define PG_DEVICE    0x00000800 /* a device's frame: never paged */
#define PQ_ACTIVE    0x00040000 /* on the active queue */
#define PQ_INACTIVE  0x00080000 /* on the inactive queue */
#define PQ_ANON      0x00100000 /* owned by an anon */
#define PQ_AOBJ      0x00200000 /* owned by an aobj (later) */
#define PQ_QUEUEMASK (PQ_ACTIVE | PQ_INACTIVE)

/*
 * pg_flags is changed by holders of different locks (the owner's lock, the
 * page queue lock, the pmap lock for PG_CLEAN), so every change is an
 * atomic read-modify-write, as OpenBSD's atomic_setbits_int, and racy
 * reads are atomic loads.
 */
static inline uint32_t
PG_FLAGS(const struct vm_page *pg)
{
	return __atomic_load_n(&pg->pg_flags, __ATOMIC_RELAXED);
}

static inline void
atomic_setbits_int(uint32_t *p, uint32_t bits)
{
	__atomic_fetch_or(p, bits, __ATOMIC_RELAXED);
}

static inline void
atomic_clearbits_int(uint32_t *p, uint32_t bits)
{
	__atomic_fetch_and(p, ~bits, __ATOMIC_RELAXED);
}

static inline void
PG_FLAGS_SET(struct vm_page *pg, uint32_t flags)
{
	__atomic_store_n(&pg->pg_flags, flags, __ATOMIC_RELAXED);
}

/* uvm_pagealloc flags */
#define UVM_PGA_ZERO    0x0001  /* page must be zeroed */

/* uvm_pglistalloc flags */
#define UVM_PLA_ZERO    BVM_PLA_ZERO

struct vm_page *uvm_pagealloc(struct bvm_system *sys, struct uvm_object *obj,
    voff_t off, struct vm_anon *anon, int flags);
void uvm_pagefree(struct bvm_system *sys, struct vm_page *pg);
void uvm_pagefree_n(struct bvm_system *sys, struct vm_page **pgs, int n);
struct vm_anon;
int uvm_pagealloc_n(struct bvm_system *sys, struct vm_anon **anons,
    struct vm_page **pgs, int n);
bool uvm_page_wasshort(void);
void uvm_pagewire(struct bvm_system *sys, struct vm_page *pg);
void uvm_pageunwire(struct bvm_system *sys, struct vm_page *pg);
void uvm_pageactivate(struct bvm_system *sys, struct vm_page *pg);
void uvm_pagedeactivate(struct bvm_system *sys, struct vm_page *pg);
void uvm_pagecopy(struct bvm_system *sys, struct vm_page *src,
    struct vm_page *dst);
void uvm_pagezero(struct bvm_system *sys, struct vm_page *pg);

int uvm_page_init(struct bvm_system *sys, uint64_t npages);
void uvm_page_fini(struct bvm_system *sys);
int uvm_pagezero_start(struct bvm_system *sys);
bool uvm_pagezero_wait(struct bvm_system *sys);
void uvm_pagezero_stop(struct bvm_system *sys);

int uvm_pglistalloc(struct bvm_system *sys, psize_t size, paddr_t low,
    paddr_t high, paddr_t alignment, paddr_t boundary, struct pglist *rlist,
    int nsegs, int flags);
void uvm_pglistfree(struct bvm_system *sys, struct pglist *list);

/* PHYS_TO_VM_PAGE / VM_PAGE_TO_PHYS and the page's bytes in the host. */
struct vm_page *PHYS_TO_VM_PAGE(struct bvm_system *sys, paddr_t pa);
#define VM_PAGE_TO_PHYS(pg) ((pg)->phys_addr)

#endif /* UVM_PAGE_H */
