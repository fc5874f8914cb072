/*
 * uvm_aobj.c: anonymous UVM objects: memory with no file behind it that
 * several mappings share: named shared memory (shm_open) and unnamed
 * objects (memfd_create).
 *
 * An aobj page is made zero-filled on its first fault and lives in memory
 * (swap arrives with the paging issue: pgo_put is then the swap pager).
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

#define SHM_NAME_MAX 255

struct uvm_aobj {
	struct uvm_object u_obj;       /* must be first */
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

	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	if ((pg = uvm_pagelookup(uobj, off)) != NULL) {
		*pgp = pg;
		return 0;
	}
	if (off >= uobj->uo_size && !(flags & PGO_PASTEOF))
		return ENXIO;
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
 * uao_mayfree: MS_INVALIDATE and MADV_FREE discard an aobj's pages (they
 * come back zero) only when one reference is left, as OpenBSD's uao_flush:
 * otherwise another mapping still needs the data.
 */
static bool
uao_mayfree(struct uvm_object *uobj)
{
	return uobj->uo_refs == 1;
}

const struct uvm_pagerops aobj_pager = {
	.pgo_reference = uao_reference,
	.pgo_detach = uao_detach,
	.pgo_get = uao_get,
	.pgo_mayfree = uao_mayfree,
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
