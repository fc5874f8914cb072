/*
 * uvm_object.c: memory objects: the page index and the work every pager
 * shares (lookup, insertion, flushing, truncation).
 *
 * The index is a radix tree keyed by page index (offset >> PAGE_SHIFT), as
 * NetBSD's uo_pages: 64-way nodes, as high as the largest index needs.  A
 * lookup is `height` array steps; the tree of a 256 MiB file is 3 levels.
 * uvm_radix_next finds the first page at or after an index, so a range of
 * an object is walked in offset order without visiting empty space.
 */
#include "pmap.h"
#include "uvm.h"
#include "uvm_object.h"

/* ---------------------------------------------------------------------
 * The radix tree.
 * ------------------------------------------------------------------- */

/* the largest index a tree of height h can hold, plus one (0: no limit) */
static inline uint64_t
radix_limit(int h)
{
	return h * UVM_RADIX_SHIFT >= 64 ? 0 :
	    (uint64_t)1 << (h * UVM_RADIX_SHIFT);
}

static inline bool
radix_fits(int h, uint64_t idx)
{
	uint64_t lim = radix_limit(h);

	return lim == 0 || idx < lim;
}

static inline unsigned
radix_slot(uint64_t idx, int level)
{
	return (unsigned)(idx >> (level * UVM_RADIX_SHIFT)) &
	    (UVM_RADIX_FANOUT - 1);
}

static struct uvm_radix_node *
radix_node_alloc(void)
{
	if (bvm_fi_fail(FI_OBJ_ALLOC))
		return NULL;
	return calloc(1, sizeof(struct uvm_radix_node));
}

void *
uvm_radix_lookup(struct uvm_radix *r, uint64_t idx)
{
	struct uvm_radix_node *n = r->root;
	int level;

	if (n == NULL || !radix_fits(r->height, idx))
		return NULL;
	for (level = r->height - 1; level > 0; level--) {
		n = n->slots[radix_slot(idx, level)];
		if (n == NULL)
			return NULL;
	}
	return n->slots[radix_slot(idx, 0)];
}

/*
 * uvm_radix_replace: overwrite the item at idx, which must be set, with
 * item (not NULL).  Needs no allocation, so it cannot fail.
 */
void
uvm_radix_replace(struct uvm_radix *r, uint64_t idx, void *item)
{
	struct uvm_radix_node *n = r->root;
	int level;

	KASSERT(item != NULL && n != NULL && radix_fits(r->height, idx));
	for (level = r->height - 1; level > 0; level--) {
		n = n->slots[radix_slot(idx, level)];
		KASSERT(n != NULL);
	}
	KASSERT(n->slots[radix_slot(idx, 0)] != NULL);
	n->slots[radix_slot(idx, 0)] = item;
}

/*
 * radix_prune: free the empty nodes on idx's path, bottom-up (after an
 * insertion that could not finish).
 */
static void
radix_prune(struct uvm_radix *r, uint64_t idx)
{
	struct uvm_radix_node *path[12], *n = r->root;
	int level, depth = 0;

	if (n == NULL)
		return;
	for (level = r->height - 1; level > 0 && n != NULL; level--) {
		path[depth++] = n;
		n = n->slots[radix_slot(idx, level)];
	}
	if (n != NULL)
		path[depth++] = n;
	/* path[k] is at level height-1-k; free empty ones from the bottom */
	while (depth > 0 && path[depth - 1]->count == 0) {
		n = path[--depth];
		free(n);
		if (depth == 0) {
			r->root = NULL;
			r->height = 0;
			break;
		}
		level = r->height - depth;         /* the parent's level */
		path[depth - 1]->slots[radix_slot(idx, level)] = NULL;
		path[depth - 1]->count--;
	}
}

/*
 * uvm_radix_insert: store item (not NULL) at idx, which must be empty.
 * => returns 0 or ENOMEM (the tree holds what it held: nodes made on the
 *    way are freed again; levels added at the top stay, harmlessly).
 */
int
uvm_radix_insert(struct uvm_radix *r, uint64_t idx, void *item)
{
	struct uvm_radix_node *n, *child;
	int level;

	if (r->root == NULL) {
		if ((r->root = radix_node_alloc()) == NULL)
			return ENOMEM;
		r->height = 1;
	}
	/* grow at the top until idx fits */
	while (!radix_fits(r->height, idx)) {
		if (r->root->count == 0) {
			r->height++;    /* an empty root just gets taller */
			continue;
		}
		if ((n = radix_node_alloc()) == NULL)
			return ENOMEM;
		n->slots[0] = r->root;
		n->count = 1;
		r->root = n;
		r->height++;
	}
	n = r->root;
	for (level = r->height - 1; level > 0; level--) {
		unsigned s = radix_slot(idx, level);

		child = n->slots[s];
		if (child == NULL) {
			if ((child = radix_node_alloc()) == NULL) {
				radix_prune(r, idx);
				return ENOMEM;
			}
			n->slots[s] = child;
			n->count++;
		}
		n = child;
	}
	KASSERT(n->slots[radix_slot(idx, 0)] == NULL);
	n->slots[radix_slot(idx, 0)] = item;
	n->count++;
	return 0;
}

/* uvm_radix_remove: clear idx (which must be set); empty nodes are freed */
void
uvm_radix_remove(struct uvm_radix *r, uint64_t idx)
{
	struct uvm_radix_node *path[12];
	struct uvm_radix_node *n = r->root;
	int level, depth = 0;

	KASSERT(n != NULL && radix_fits(r->height, idx));
	for (level = r->height - 1; level > 0; level--) {
		path[depth++] = n;
		n = n->slots[radix_slot(idx, level)];
		KASSERT(n != NULL);
	}
	KASSERT(n->slots[radix_slot(idx, 0)] != NULL);
	n->slots[radix_slot(idx, 0)] = NULL;
	n->count--;
	/* free empty nodes bottom-up */
	for (level = 0; n->count == 0 && depth > 0; level++) {
		struct uvm_radix_node *parent = path[--depth];

		free(n);
		parent->slots[radix_slot(idx, level + 1)] = NULL;
		parent->count--;
		n = parent;
	}
	if (n == r->root && n->count == 0) {
		free(n);
		r->root = NULL;
		r->height = 0;
	}
}

/* the first item at or after *idx below node n of `level`, or NULL */
static void *
radix_next_node(struct uvm_radix_node *n, int level, uint64_t *idx)
{
	uint64_t span = (uint64_t)1 << (level * UVM_RADIX_SHIFT);
	uint64_t base = *idx & ~(span * UVM_RADIX_FANOUT - 1);
	unsigned s;

	for (s = radix_slot(*idx, level); s < UVM_RADIX_FANOUT; s++) {
		void *p = n->slots[s];

		if (p != NULL) {
			if (level == 0)
				return p;
			p = radix_next_node(p, level - 1, idx);
			if (p != NULL)
				return p;
		}
		/* on to the next slot's first index */
		*idx = base + (uint64_t)(s + 1) * span;
		if (*idx == 0)
			return NULL;   /* wrapped past the last index */
	}
	return NULL;
}

/*
 * uvm_radix_next: the item with the smallest index >= *idx; *idx is set
 * to its index.  => returns NULL when there is none.
 */
void *
uvm_radix_next(struct uvm_radix *r, uint64_t *idx)
{
	if (r->root == NULL || !radix_fits(r->height, *idx))
		return NULL;
	return radix_next_node(r->root, r->height - 1, idx);
}

/* ---------------------------------------------------------------------
 * Objects and their pages.
 * ------------------------------------------------------------------- */

/*
 * uvm_obj_init: set up an object with one reference and put it on the
 * system's list.
 */
void
uvm_obj_init(struct uvm_object *uobj, struct bvm_system *sys,
    const struct uvm_pagerops *ops, const char *type, voff_t size)
{
	bvm_mutex_init(&uobj->vmobjlock);
	uobj->pgops = ops;
	uobj->uo_sys = sys;
	uobj->uo_pages.root = NULL;
	uobj->uo_pages.height = 0;
	uobj->uo_npages = 0;
	uobj->uo_refs = 1;
	uobj->uo_size = size;
	uobj->uo_type = type;
	bvm_mutex_enter(&sys->listlock);
	LIST_INSERT_HEAD(&sys->objects, uobj, uo_list);
	bvm_mutex_exit(&sys->listlock);
	CNT_INC(sys->uvmexp.objects);
}

/* uvm_obj_destroy: take a dead object off the list.  => no pages left */
void
uvm_obj_destroy(struct uvm_object *uobj)
{
	struct bvm_system *sys = uobj->uo_sys;

	KASSERT(uobj->uo_npages == 0 && uobj->uo_pages.root == NULL);
	bvm_mutex_enter(&sys->listlock);
	LIST_REMOVE(uobj, uo_list);
	bvm_mutex_exit(&sys->listlock);
	CNT_SUB(sys->uvmexp.objects, 1);
	bvm_mutex_destroy(&uobj->vmobjlock);
}

/* uvm_pagelookup: the resident page at off, or NULL.  => object locked */
struct vm_page *
uvm_pagelookup(struct uvm_object *uobj, voff_t off)
{
	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	return uvm_radix_lookup(&uobj->uo_pages, (uint64_t)off >> PAGE_SHIFT);
}

/*
 * uvm_obj_nextpage: the first resident page at or after *off; *off is
 * set to its offset.  => object locked.  => NULL if none.
 */
struct vm_page *
uvm_obj_nextpage(struct uvm_object *uobj, voff_t *off)
{
	uint64_t idx = (uint64_t)*off >> PAGE_SHIFT;
	struct vm_page *pg;

	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	pg = uvm_radix_next(&uobj->uo_pages, &idx);
	if (pg != NULL)
		*off = (voff_t)(idx << PAGE_SHIFT);
	return pg;
}

/*
 * uvm_obj_pageinsert: make pg (allocated with no owner) the object's page
 * at off; it goes on the active queue.
 * => object locked.  => returns 0 or ENOMEM (pg untouched).
 */
int
uvm_obj_pageinsert(struct uvm_object *uobj, struct vm_page *pg, voff_t off)
{
	struct bvm_system *sys = uobj->uo_sys;

	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	KASSERT(pg->uobject == NULL && pg->uanon == NULL);
	if (uvm_radix_insert(&uobj->uo_pages, (uint64_t)off >> PAGE_SHIFT,
	    pg) != 0)
		return ENOMEM;
	pg->uobject = uobj;
	pg->offset = off;
	atomic_setbits_int(&pg->pg_flags, PG_TABLED);
	atomic_clearbits_int(&pg->pg_flags, PG_BUSY | PG_FAKE);
	uobj->uo_npages++;
	CNT_INC(sys->uvmexp.obj_pages);
	if (!(PG_FLAGS(pg) & PG_DEVICE))
		uvm_pageactivate(sys, pg);
	return 0;
}

/*
 * uvm_obj_pageremove: take pg, mapped nowhere, out of the object; it is
 * the caller's to free (uvm_pagefree_n).  => object locked; pg not wired.
 */
void
uvm_obj_pageremove(struct uvm_object *uobj, struct vm_page *pg)
{
	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	KASSERT(pg->uobject == uobj && pg->wire_count == 0);
	KASSERT(pg->pv_list == NULL);
	uvm_radix_remove(&uobj->uo_pages, (uint64_t)pg->offset >> PAGE_SHIFT);
	atomic_clearbits_int(&pg->pg_flags, PG_TABLED);
	pg->uobject = NULL;
	uobj->uo_npages--;
	CNT_SUB(uobj->uo_sys->uvmexp.obj_pages, 1);
}

/*
 * uvm_obj_pagefree: take pg out of every pmap and of the object, and free
 * it.  => object locked; pg not wired.
 */
void
uvm_obj_pagefree(struct uvm_object *uobj, struct vm_page *pg)
{
	struct bvm_system *sys = uobj->uo_sys;

	pmap_page_protect(sys, pg, PROT_NONE);
	uvm_obj_pageremove(uobj, pg);
	uvm_pagefree(sys, pg);
}

/* uvm_obj_free_all: free every page (the object is dying). => locked */
void
uvm_obj_free_all(struct uvm_object *uobj)
{
	struct vm_page *pg;
	voff_t off = 0;

	while ((pg = uvm_obj_nextpage(uobj, &off)) != NULL) {
		KASSERT(pg->wire_count == 0);
		uvm_obj_pagefree(uobj, pg);
	}
}

/* is pg modified since it was last written out?  => object locked */
static inline bool
uvm_obj_pagedirty(struct bvm_system *sys, struct vm_page *pg)
{
	return pmap_is_modified(sys, pg);
}

/*
 * uvm_obj_clean: write the modified pages of [start, end) through
 * pgo_put, in clusters of consecutive pages (UVM_PAGER_CLUSTER at most).
 * A page is marked clean before it is written, so a store racing with
 * the write marks it modified again; a page whose write fails is marked
 * modified again and stays, so nothing is lost.
 * => object locked.  => returns 0 or the first error (EIO).
 */
#define UVM_PAGER_CLUSTER 64

static int
uvm_obj_clean(struct uvm_object *uobj, voff_t start, voff_t end)
{
	struct bvm_system *sys = uobj->uo_sys;
	struct vm_page *pgs[UVM_PAGER_CLUSTER], *pg;
	voff_t off = start;
	int n = 0, error = 0, e, i;

	for (;;) {
		pg = uvm_obj_nextpage(uobj, &off);
		if (pg != NULL && off >= end)
			pg = NULL;
		/* a cluster ends at a gap, a clean page, or when full */
		if (n > 0 && (pg == NULL || n == UVM_PAGER_CLUSTER ||
		    pg->offset != pgs[n - 1]->offset + (voff_t)PAGE_SIZE ||
		    !uvm_obj_pagedirty(sys, pg))) {
			for (i = 0; i < n; i++)
				pmap_clear_modify(sys, pgs[i]);
			e = uobj->pgops->pgo_put(uobj, pgs, n);
			if (e != 0) {
				for (i = 0; i < n; i++)
					atomic_clearbits_int(&pgs[i]->pg_flags,
					    PG_CLEAN);
				if (error == 0)
					error = e;
			}
			n = 0;
		}
		if (pg == NULL)
			break;
		if (uvm_obj_pagedirty(sys, pg))
			pgs[n++] = pg;
		off += PAGE_SIZE;
	}
	return error;
}

/*
 * uvm_obj_flush: msync's and madvise's work on [start, end) of an object:
 *   PGO_CLEANIT     write modified pages (if the pager has a store)
 *   PGO_SYNCIO      then wait for the disk
 *   PGO_FREE        discard pages that can come back from the store:
 *                   unwired, unloaned, unmodified (written out first)
 *   PGO_DEACTIVATE  move pages to the inactive queue
 * => object locked.  => returns 0 or EIO (pages that could not be written
 *    stay, modified).
 */
int
uvm_obj_flush(struct uvm_object *uobj, voff_t start, voff_t end, int flags)
{
	struct bvm_system *sys = uobj->uo_sys;
	struct vm_page *pg;
	voff_t off;
	int error = 0;

	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	if ((flags & PGO_CLEANIT) && uobj->pgops->pgo_put != NULL)
		error = uvm_obj_clean(uobj, start, end);
	if ((flags & PGO_FREE) && uobj->pgops->pgo_mayfree != NULL &&
	    uobj->pgops->pgo_mayfree(uobj, flags)) {
		/* pages out in swap are discarded too (before the resident
		 * ones go, which the swap accounting tells apart) */
		if (uobj->pgops->pgo_dropswap != NULL)
			uobj->pgops->pgo_dropswap(uobj, start, end);
		off = start;
		while ((pg = uvm_obj_nextpage(uobj, &off)) != NULL &&
		    off < end) {
			off += PAGE_SIZE;
			if (pg->wire_count != 0 || pg->loan_count != 0)
				continue;
			/* unmapped first, so no store can come after the test */
			pmap_page_protect(sys, pg, PROT_NONE);
			if (uobj->pgops->pgo_put != NULL &&
			    uvm_obj_pagedirty(sys, pg)) {
				if (!(flags & PGO_CLEANIT))
					continue;
				pmap_clear_modify(sys, pg);
				if (uobj->pgops->pgo_put(uobj, &pg, 1) != 0) {
					atomic_clearbits_int(&pg->pg_flags,
					    PG_CLEAN);
					if (error == 0)
						error = EIO;
					continue;
				}
			}
			uvm_obj_pagefree(uobj, pg);
		}
	} else if (flags & (PGO_FREE | PGO_DEACTIVATE)) {
		off = start;
		while ((pg = uvm_obj_nextpage(uobj, &off)) != NULL &&
		    off < end) {
			off += PAGE_SIZE;
			if (pg->wire_count != 0 || !(PG_FLAGS(pg) &
			    PQ_QUEUEMASK))
				continue;
			pmap_clear_reference(sys, pg);
			uvm_pagedeactivate(sys, pg);
		}
	}
	if ((flags & PGO_SYNCIO) && uobj->pgops->pgo_sync != NULL) {
		int e = uobj->pgops->pgo_sync(uobj);

		if (error == 0)
			error = e;
	}
	return error;
}

/*
 * uvm_obj_zerotail: zero [from, upto) of the page holding `from`, if it is
 * resident: the bytes past the old end of an object that grows (stores
 * there were never part of it), or past the new end of one that shrinks.
 * => object locked.
 */
void
uvm_obj_zerotail(struct uvm_object *uobj, voff_t from, voff_t upto)
{
	voff_t pgoff = (voff_t)trunc_page((uint64_t)from);
	struct vm_page *pg;
	size_t a, b;

	if (from == pgoff || upto <= from ||
	    (pg = uvm_pagelookup(uobj, pgoff)) == NULL)
		return;
	a = (size_t)(from - pgoff);
	b = (size_t)MIN(upto - pgoff, (voff_t)PAGE_SIZE);
	memset((uint8_t *)uvm_phys_to_host(uobj->uo_sys, pg->phys_addr) + a,
	    0, b - a);
	/* changed: its copy in swap (or the file) is stale now */
	atomic_clearbits_int(&pg->pg_flags, PG_CLEAN);
}

/*
 * uvm_obj_truncate: set the size; pages wholly beyond it are freed (their
 * contents are gone, as the file's are) and the tail of the new last page
 * is zeroed, in every mapping at once.
 * => object locked.  => returns 0, EBUSY (a wired page beyond the end;
 *    nothing changed), or the pager's setsize error.
 */
int
uvm_obj_truncate(struct uvm_object *uobj, voff_t size)
{
	voff_t first = (voff_t)round_page((uint64_t)size), off;
	struct vm_page *pg;
	int error;

	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	off = first;
	while ((pg = uvm_obj_nextpage(uobj, &off)) != NULL) {
		if (pg->wire_count != 0 || pg->loan_count != 0)
			return EBUSY;
		off += PAGE_SIZE;
	}
	if (uobj->pgops->pgo_setsize != NULL &&
	    (error = uobj->pgops->pgo_setsize(uobj, size)) != 0)
		return error;
	off = first;
	while ((pg = uvm_obj_nextpage(uobj, &off)) != NULL)
		uvm_obj_pagefree(uobj, pg);
	if (size < uobj->uo_size)
		uvm_obj_zerotail(uobj, size, INT64_MAX);
	else
		uvm_obj_zerotail(uobj, uobj->uo_size, size);
	uobj->uo_size = size;
	return 0;
}
