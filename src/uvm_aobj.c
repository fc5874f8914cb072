/*
 * uvm_aobj.c: anonymous UVM objects: memory with no file behind it that
 * several mappings share: named shared memory (shm_open) and unnamed
 * objects (memfd_create).
 *
 * An aobj page is made zero-filled on its first fault.  Under memory
 * pressure the page daemon writes it to swap and frees it; the object
 * then remembers its slot in u_swslots, a radix tree from page index to
 * slot (OpenBSD keeps a flat array or a hash of 16-slot clusters; the
 * page index's radix tree serves here), and uao_get reads it back.  A page
 * read back keeps its slot until it is modified (then the daemon gives it
 * a new one).  Discarding pages (truncate, MS_INVALIDATE, the last
 * reference) frees their slots too.
 *
 * The object has a size, as a shm object has after ftruncate: a page
 * wholly beyond it is ENXIO (SIGBUS).
 *
 * Names: the system's table of names holds one reference on each named
 * object, so it outlives its handles and mappings until bvm_shm_unlink,
 * as a POSIX shared-memory object does.
 *
 * Locks: sys->shmlock covers the names; vmobjlock the object.
 */
#include "uvm.h"
#include "uvm_object.h"
#include "uvm_swap.h"

#define SHM_NAME_MAX 255

struct uvm_aobj {
	struct uvm_object u_obj;       /* must be first */
	struct uvm_radix u_swslots;    /* [O] page index -> swap slot */
	uint64_t u_nswslots;           /* [O] slots held */
	bool u_linked;                 /* [shmlock] on the name list */
	LIST_ENTRY(uvm_aobj) u_list;   /* [shmlock] */
};

#define UAO(uobj) ((struct uvm_aobj *)(uobj))

/*
 * uao_create: a new aobj of size bytes with one reference.
 * => returns NULL when out of memory.
 */
struct uvm_object *
uao_create(struct bvm_system *sys, voff_t size, const char *name)
{
	struct uvm_aobj *aobj;

	if (bvm_fi_fail(FI_OBJ_ALLOC) ||
	    (aobj = calloc(1, sizeof(*aobj))) == NULL)
		return NULL;
	if (name != NULL && (aobj->u_obj.uo_name = strdup(name)) == NULL) {
		free(aobj);
		return NULL;
	}
	uvm_obj_init(&aobj->u_obj, sys, &aobj_pager, "aobj", size);
	return &aobj->u_obj;
}

/* ---------------------------------------------------------------------
 * Swap slots.
 * ------------------------------------------------------------------- */

#define SLOT2PTR(s) ((void *)(uintptr_t)(unsigned)(s))
#define PTR2SLOT(p) ((int)(uintptr_t)(p))

/* uao_find_swslot: the slot holding page idx, or 0.  => object locked */
int
uao_find_swslot(struct uvm_object *uobj, uint64_t idx)
{
	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	return PTR2SLOT(uvm_radix_lookup(&UAO(uobj)->u_swslots, idx));
}

/*
 * uao_set_swslot: page idx is now in slot (0: in no slot).  The slot it
 * had, if any, is the caller's to free.
 * => object locked.  => returns 0, or ENOMEM (nothing changed).
 */
int
uao_set_swslot(struct uvm_object *uobj, uint64_t idx, int slot)
{
	struct uvm_aobj *aobj = UAO(uobj);
	bool had;

	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	had = uvm_radix_lookup(&aobj->u_swslots, idx) != NULL;
	if (slot == 0) {
		if (had) {
			uvm_radix_remove(&aobj->u_swslots, idx);
			aobj->u_nswslots--;
		}
		return 0;
	}
	if (had) {
		uvm_radix_replace(&aobj->u_swslots, idx, SLOT2PTR(slot));
		return 0;
	}
	if (uvm_radix_insert(&aobj->u_swslots, idx, SLOT2PTR(slot)) != 0)
		return ENOMEM;
	aobj->u_nswslots++;
	return 0;
}

/*
 * uao_next_swslot: the first page index >= *idx that has a slot (set in
 * *idx), for the checker.  => returns the slot, or 0 if none.
 */
int
uao_next_swslot(struct uvm_object *uobj, uint64_t *idx)
{
	return PTR2SLOT(uvm_radix_next(&UAO(uobj)->u_swslots, idx));
}

/* uao_swslots: how many slots the object holds.  => object locked */
uint64_t
uao_swslots(struct uvm_object *uobj)
{
	return UAO(uobj)->u_nswslots;
}

/*
 * uao_dropswap: free the slots of pages [start, end); the data of those
 * not resident is gone with them.  => object locked.
 */
static void
uao_dropswap(struct uvm_object *uobj, voff_t start, voff_t end)
{
	struct uvm_aobj *aobj = UAO(uobj);
	struct bvm_system *sys = uobj->uo_sys;
	uint64_t idx = (uint64_t)start >> PAGE_SHIFT;
	uint64_t last = end >= INT64_MAX - (voff_t)PAGE_MASK ? UINT64_MAX :
	    (uint64_t)round_page((uint64_t)end) >> PAGE_SHIFT;
	void *p;

	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	while (aobj->u_nswslots > 0 &&
	    (p = uvm_radix_next(&aobj->u_swslots, &idx)) != NULL &&
	    idx < last) {
		if (uvm_pagelookup(uobj, (voff_t)(idx << PAGE_SHIFT)) == NULL)
			CNT_SUB(sys->uvmexp.swpgonly, 1);
		uvm_radix_remove(&aobj->u_swslots, idx);
		aobj->u_nswslots--;
		uvm_swap_free(sys, PTR2SLOT(p), 1);
		if (++idx == 0)
			break;
	}
}

/*
 * uao_pagein: read page idx from its slot into a new resident page.
 * => object locked, page not resident, slot != 0.
 * => returns 0 and *pgp, ENOMEM, or EIO (the slot keeps the data).
 */
static int
uao_pagein(struct uvm_object *uobj, uint64_t idx, int slot,
    struct vm_page **pgp)
{
	struct bvm_system *sys = uobj->uo_sys;
	struct vm_page *pg;

	pg = uvm_pagealloc(sys, NULL, 0, NULL, 0);
	if (pg == NULL)
		return ENOMEM;
	if (uvm_swap_get(sys, &pg, slot, 1) != 0) {
		uvm_pagefree(sys, pg);
		return EIO;
	}
	if (uvm_obj_pageinsert(uobj, pg, (voff_t)(idx << PAGE_SHIFT)) != 0) {
		uvm_pagefree(sys, pg);
		return ENOMEM;
	}
	CNT_SUB(sys->uvmexp.swpgonly, 1);
	*pgp = pg;
	return 0;
}

/*
 * uao_swap_off: swap-off of the area holding slot: bring page idx in and
 * let the slot go.  => object locked.  => returns 0, ENOMEM, EIO.
 */
int
uao_swap_off(struct uvm_object *uobj, uint64_t idx, int slot)
{
	struct vm_page *pg;
	int error;

	KASSERT(uao_find_swslot(uobj, idx) == slot);
	if (uvm_pagelookup(uobj, (voff_t)(idx << PAGE_SHIFT)) == NULL &&
	    (error = uao_pagein(uobj, idx, slot, &pg)) != 0)
		return error;
	/* resident without a slot: dirty, as a new page is */
	(void)uao_set_swslot(uobj, idx, 0);
	uvm_swap_free(uobj->uo_sys, slot, 1);
	return 0;
}

static void
uao_reference(struct uvm_object *uobj)
{
	bvm_mutex_enter(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0);
	uobj->uo_refs++;
	bvm_mutex_exit(&uobj->vmobjlock);
}

/* uao_detach: drop a reference; the last frees the pages and the object */
static void
uao_detach(struct uvm_object *uobj)
{
	bvm_mutex_enter(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0);
	if (--uobj->uo_refs > 0) {
		bvm_mutex_exit(&uobj->vmobjlock);
		return;
	}
	KASSERT(!UAO(uobj)->u_linked);
	/* the slots first: swpgonly counts those of pages not resident */
	uao_dropswap(uobj, 0, INT64_MAX);
	uvm_obj_free_all(uobj);
	bvm_mutex_exit(&uobj->vmobjlock);
	free(uobj->uo_name);
	uvm_obj_destroy(uobj);
	free(UAO(uobj));
}

/*
 * uao_get: the page at off; a page never touched is made now, zeroed.
 * => object locked.  => returns 0, ENXIO (beyond the size), ENOMEM.
 */
static int
uao_get(struct uvm_object *uobj, voff_t off, struct vm_page **pgp,
    int advice, int flags)
{
	struct bvm_system *sys = uobj->uo_sys;
	struct vm_page *pg;
	int slot;

	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	if ((pg = uvm_pagelookup(uobj, off)) != NULL) {
		*pgp = pg;
		return 0;
	}
	if (off >= uobj->uo_size && !(flags & PGO_PASTEOF))
		return ENXIO;
	slot = uao_find_swslot(uobj, (uint64_t)off >> PAGE_SHIFT);
	if (slot != 0)
		return uao_pagein(uobj, (uint64_t)off >> PAGE_SHIFT, slot, pgp);
	pg = uvm_pagealloc(sys, NULL, 0, NULL, UVM_PGA_ZERO);
	if (pg == NULL)
		return ENOMEM;
	if (uvm_obj_pageinsert(uobj, pg, off) != 0) {
		uvm_pagefree(sys, pg);
		return ENOMEM;
	}
	*pgp = pg;
	return 0;
}

/*
 * uao_mayfree: an aobj's pages exist nowhere else, so only a plain
 * PGO_FREE (madvise FREE) discards them, and only while one reference is
 * left (another mapping still needs the data); msync's CLEANIT|FREE
 * deactivates them, as OpenBSD's uao_flush does.
 */
static bool
uao_mayfree(struct uvm_object *uobj, int flags)
{
	return !(flags & PGO_CLEANIT) && uobj->uo_refs == 1;
}

/*
 * uao_setsize: truncate: the slots of pages wholly beyond the new size go;
 * the page holding the old or the new end (whose tail uvm_obj_truncate
 * zeroes) is brought in first if it is out in swap.
 * => object locked.  => returns 0, ENOMEM, EIO (nothing changed).
 */
static int
uao_setsize(struct uvm_object *uobj, voff_t size)
{
	voff_t edge = MIN(size, uobj->uo_size);
	uint64_t idx = (uint64_t)edge >> PAGE_SHIFT;
	struct vm_page *pg;
	int slot, error;

	if ((edge & (voff_t)PAGE_MASK) != 0 &&
	    uvm_pagelookup(uobj, (voff_t)trunc_page((uint64_t)edge)) == NULL &&
	    (slot = uao_find_swslot(uobj, idx)) != 0 &&
	    (error = uao_pagein(uobj, idx, slot, &pg)) != 0)
		return error;
	if (size < uobj->uo_size)
		uao_dropswap(uobj, (voff_t)round_page((uint64_t)size),
		    INT64_MAX);
	return 0;
}

const struct uvm_pagerops aobj_pager = {
	.pgo_reference = uao_reference,
	.pgo_detach = uao_detach,
	.pgo_get = uao_get,
	.pgo_setsize = uao_setsize,
	.pgo_mayfree = uao_mayfree,
	.pgo_dropswap = uao_dropswap,
};

/* the named aobj, or NULL.  => shmlock held */
static struct uvm_aobj *
uao_lookup(struct bvm_system *sys, const char *name)
{
	struct uvm_aobj *aobj;

	LIST_FOREACH(aobj, &sys->shmnames, u_list)
		if (strcmp(aobj->u_obj.uo_name, name) == 0)
			return aobj;
	return NULL;
}

static int
uao_checkname(const char *name)
{
	if (name[0] != '/' || name[1] == '\0')
		return EINVAL;
	if (strlen(name) > SHM_NAME_MAX)
		return ENAMETOOLONG;
	return 0;
}

/*
 * uao_shm_open: shm_open(3): the named object (a new reference), created
 * with size 0 under BVM_O_CREAT; name NULL: a new unnamed object.
 * => returns 0 and *uobjp, or EINVAL, ENAMETOOLONG, ENOENT, EEXIST,
 *    ENOMEM.
 */
int
uao_shm_open(struct bvm_system *sys, const char *name, int oflags,
    struct uvm_object **uobjp)
{
	struct uvm_aobj *aobj;
	struct uvm_object *uobj;
	int error;

	if (oflags & ~(BVM_O_CREAT | BVM_O_EXCL))
		return EINVAL;
	if (name == NULL) {
		*uobjp = uao_create(sys, 0, NULL);
		return *uobjp != NULL ? 0 : ENOMEM;
	}
	if ((error = uao_checkname(name)) != 0)
		return error;
	bvm_mutex_enter(&sys->shmlock);
	aobj = uao_lookup(sys, name);
	if (aobj != NULL) {
		if ((oflags & (BVM_O_CREAT | BVM_O_EXCL)) ==
		    (BVM_O_CREAT | BVM_O_EXCL)) {
			bvm_mutex_exit(&sys->shmlock);
			return EEXIST;
		}
		uao_reference(&aobj->u_obj);
		bvm_mutex_exit(&sys->shmlock);
		*uobjp = &aobj->u_obj;
		return 0;
	}
	if (!(oflags & BVM_O_CREAT)) {
		bvm_mutex_exit(&sys->shmlock);
		return ENOENT;
	}
	if ((uobj = uao_create(sys, 0, name)) == NULL) {
		bvm_mutex_exit(&sys->shmlock);
		return ENOMEM;
	}
	/* one reference for the name, one for the caller */
	uobj->uo_refs = 2;
	UAO(uobj)->u_linked = true;
	LIST_INSERT_HEAD(&sys->shmnames, UAO(uobj), u_list);
	bvm_mutex_exit(&sys->shmlock);
	*uobjp = uobj;
	return 0;
}

/*
 * uao_shm_unlink: remove a name and its reference.
 * => returns 0, EINVAL, ENAMETOOLONG, ENOENT.
 */
int
uao_shm_unlink(struct bvm_system *sys, const char *name)
{
	struct uvm_aobj *aobj;
	int error;

	if (name == NULL)
		return EINVAL;
	if ((error = uao_checkname(name)) != 0)
		return error;
	bvm_mutex_enter(&sys->shmlock);
	if ((aobj = uao_lookup(sys, name)) == NULL) {
		bvm_mutex_exit(&sys->shmlock);
		return ENOENT;
	}
	LIST_REMOVE(aobj, u_list);
	aobj->u_linked = false;
	bvm_mutex_exit(&sys->shmlock);
	uao_detach(&aobj->u_obj);
	return 0;
}

/* uao_linked: does the name table hold a reference?  => quiescent */
bool
uao_linked(struct uvm_object *uobj)
{
	return UVM_OBJ_IS_AOBJ(uobj) && UAO(uobj)->u_linked;
}

/* uao_fini: at system destroy, the names go (and with them the objects) */
void
uao_fini(struct bvm_system *sys)
{
	struct uvm_aobj *aobj;

	while ((aobj = LIST_FIRST(&sys->shmnames)) != NULL) {
		LIST_REMOVE(aobj, u_list);
		aobj->u_linked = false;
		uao_detach(&aobj->u_obj);
	}
}
