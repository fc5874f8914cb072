/*
 * pool.h: fixed-size object pools (a small subr_pool.c).
 *
 * A pool hands out items of one size from page-sized slabs taken from the
 * host allocator, keeps freed items on a free list, and never returns slabs
 * until the pool is destroyed.  pool_get() with PR_NOWAIT fails instead of
 * growing when the fault injector says so or the host is out of memory.
 */
#ifndef BVM_POOL_H
#define BVM_POOL_H

#include "uvm_extern.h"

struct pool_item {
	struct pool_item *pi_next;
};

struct pool_slab {
	struct pool_slab *ps_next;
};

struct pool {
	struct bvm_mutex pr_lock;
	const char *pr_wchan;         /* [I] name */
	size_t pr_size;               /* [I] item size */
	enum bvm_fi_site pr_fisite;   /* [I] fault-injection site */
	struct pool_item *pr_freelist;/* [pr_lock] free items */
	struct pool_slab *pr_slabs;   /* [pr_lock] every slab, for destroy */
	uint64_t pr_nout;             /* [pr_lock] items handed out */
	uint64_t pr_nslabs;           /* [pr_lock] */
};

#define PR_WAITOK 0x0
#define PR_NOWAIT 0x1
#define PR_ZERO   0x2
#define PR_NOFAIL   0x4 /* cannot fail: no injection; panic on host OOM */
#define PR_NOINJECT 0x8 /* skip the fault injector: the caller asked it */

void pool_init(struct pool *pp, size_t size, const char *wchan,
    enum bvm_fi_site site);
void pool_destroy(struct pool *pp);
void *pool_get(struct pool *pp, int flags);
void pool_put(struct pool *pp, void *v);

#endif /* BVM_POOL_H */
