/*
 * pool.c: fixed-size object pools.
 *
 * Map entries, amaps, anons and pv entries are allocated from pools, one
 * pool per kind, as the kernel does.  A pool is a mutex-protected free list
 * over slabs of SLAB_BYTES; items are never handed back to the host until
 * the pool is destroyed, which keeps allocation O(1) and makes a use after
 * free of a pool item stay inside the pool (and visible to ASan as the
 * poisoned pattern below in debug builds).
 */
#include "pool.h"

#define SLAB_BYTES (64 * 1024)
#define POOL_POISON 0xdb

void
pool_init(struct pool *pp, size_t size, const char *wchan,
    enum bvm_fi_site site)
{
	memset(pp, 0, sizeof(*pp));
	bvm_mutex_init(&pp->pr_lock);
	if (size < sizeof(struct pool_item))
		size = sizeof(struct pool_item);
	pp->pr_size = (size + 15) & ~(size_t)15;
	pp->pr_wchan = wchan;
	pp->pr_fisite = site;
}

/*
 * pool_destroy: free every slab.
 * => every item should have been returned; a debug build says which pool
 *    leaked.
 */
void
pool_destroy(struct pool *pp)
{
	struct pool_slab *ps, *next;

	KASSERTMSG(pp->pr_nout == 0, "pool %s: %llu items still out",
	    pp->pr_wchan, (unsigned long long)pp->pr_nout);
	for (ps = pp->pr_slabs; ps != NULL; ps = next) {
		next = ps->ps_next;
		free(ps);
	}
	pp->pr_slabs = NULL;
	pp->pr_freelist = NULL;
	bvm_mutex_destroy(&pp->pr_lock);
}

/*
 * pool_grow: add a slab's worth of items to the free list.
 * => pool must be locked.  => returns 0 or ENOMEM.
 */
static int
pool_grow(struct pool *pp)
{
	struct pool_slab *ps;
	char *p, *end;
	size_t hdr = (sizeof(*ps) + 15) & ~(size_t)15;

	MUTEX_ASSERT_LOCKED(&pp->pr_lock);
	ps = malloc(SLAB_BYTES);
	if (ps == NULL)
		return ENOMEM;
	ps->ps_next = pp->pr_slabs;
	pp->pr_slabs = ps;
	pp->pr_nslabs++;
	p = (char *)ps + hdr;
	end = (char *)ps + SLAB_BYTES;
	for (; p + pp->pr_size <= end; p += pp->pr_size) {
		struct pool_item *pi = (struct pool_item *)p;
		pi->pi_next = pp->pr_freelist;
		pp->pr_freelist = pi;
	}
	return 0;
}

/*
 * pool_get: take an item.
 * => returns the item (zeroed with PR_ZERO), or NULL when out of memory
 *    or when the fault injector fails this site.
 */
void *
pool_get(struct pool *pp, int flags)
{
	struct pool_item *pi;

	if (!(flags & (PR_NOFAIL | PR_NOINJECT)) && bvm_fi_fail(pp->pr_fisite))
		return NULL;
	bvm_mutex_enter(&pp->pr_lock);
	if (pp->pr_freelist == NULL && pool_grow(pp) != 0) {
		bvm_mutex_exit(&pp->pr_lock);
		if (flags & PR_NOFAIL)
			panic("pool_get: %s: out of host memory",
			    pp->pr_wchan);
		return NULL;
	}
	pi = pp->pr_freelist;
	pp->pr_freelist = pi->pi_next;
	pp->pr_nout++;
	/* the next get takes the new head: bring it in while we work */
	__builtin_prefetch(pp->pr_freelist, 1);
	bvm_mutex_exit(&pp->pr_lock);
	if (flags & PR_ZERO)
		memset(pi, 0, pp->pr_size);
	return pi;
}

/* pool_put: return an item.  Debug builds poison it first. */
void
pool_put(struct pool *pp, void *v)
{
	struct pool_item *pi = v;

#ifdef BVM_DEBUG
	memset(v, POOL_POISON, pp->pr_size);
#endif
	bvm_mutex_enter(&pp->pr_lock);
	KASSERT(pp->pr_nout > 0);
	pi->pi_next = pp->pr_freelist;
	pp->pr_freelist = pi;
	pp->pr_nout--;
	bvm_mutex_exit(&pp->pr_lock);
}
