/*
 * uvm_device.c: the device pager: fixed physical frames (a simulated frame
 * buffer) mapped into vmspaces.
 *
 * A device owns npages physically contiguous frames from its creation to
 * its death; they are never paged, never on the paging queues, and never
 * given to anybody else.  Its "device side" reads and writes them by
 * physical address (bvm_phys_read/bvm_phys_write), and every mapping sees
 * them at once.  As in UVM, a device object is always mapped shared; a
 * page beyond its frames is ENXIO.
 *
 * The frames come from uvm_pglistalloc (contiguous, zeroed); they are
 * marked PG_DEVICE, not PG_PGLIST, so that bvm_pglist_free cannot take
 * them, and they are in the object's page index like any object page.
 */
#include "pmap.h"
#include "uvm.h"
#include "uvm_object.h"

struct uvm_device {
	struct uvm_object u_obj;       /* must be first */
	paddr_t u_pa;                  /* [I] first frame */
	uint64_t u_npages;             /* [I] */
};

#define UDV(uobj) ((struct uvm_device *)(uobj))

/* give the device's frames in the index back.  => object locked */
static void
udv_freepages(struct uvm_object *uobj)
{
	struct vm_page *pg;
	voff_t off = 0;

	while ((pg = uvm_obj_nextpage(uobj, &off)) != NULL) {
		KASSERT(pg->wire_count == 0);
		atomic_clearbits_int(&pg->pg_flags, PG_DEVICE);
		uvm_obj_pagefree(uobj, pg);
	}
}

/*
 * udv_create: a device of npages zeroed contiguous frames, one reference.
 * => returns 0, *uobjp and *pa, or EINVAL (npages 0), ENOMEM.
 */
int
udv_create(struct bvm_system *sys, uint64_t npages, const char *name,
    struct uvm_object **uobjp, paddr_t *pa)
{
	struct uvm_device *udv;
	struct pglist list;
	struct vm_page *pg;
	uint64_t i = 0;

	if (npages == 0)
		return EINVAL;
	if (npages > sys->npages)
		return ENOMEM;
	if (bvm_fi_fail(FI_OBJ_ALLOC) ||
	    (udv = calloc(1, sizeof(*udv))) == NULL)
		return ENOMEM;
	if (name != NULL && (udv->u_obj.uo_name = strdup(name)) == NULL) {
		free(udv);
		return ENOMEM;
	}
	TAILQ_INIT(&list);
	if (uvm_pglistalloc(sys, ptoa(npages), 0, ptoa(sys->npages),
	    PAGE_SIZE, 0, &list, 1, UVM_PLA_ZERO) != 0) {
		free(udv->u_obj.uo_name);
		free(udv);
		return ENOMEM;
	}
	udv->u_pa = TAILQ_FIRST(&list)->phys_addr;
	udv->u_npages = npages;
	uvm_obj_init(&udv->u_obj, sys, &uvm_deviceops, "device",
	    (voff_t)ptoa(npages));
	/*
	 * Into the index, page by page (PG_DEVICE: not on the paging
	 * queues, never paged).
	 */
	bvm_mutex_enter(&udv->u_obj.vmobjlock);
	while ((pg = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, pg, pageq);
		atomic_clearbits_int(&pg->pg_flags, PG_PGLIST);
		atomic_setbits_int(&pg->pg_flags, PG_DEVICE);
		if (uvm_obj_pageinsert(&udv->u_obj, pg, (voff_t)ptoa(i)) != 0)
			break;
		i++;
	}
	if (pg != NULL) {
		/* no memory for the index: give every frame back */
		TAILQ_INSERT_HEAD(&list, pg, pageq);
		atomic_clearbits_int(&pg->pg_flags, PG_DEVICE);
		atomic_setbits_int(&pg->pg_flags, PG_PGLIST);
		udv_freepages(&udv->u_obj);
		bvm_mutex_exit(&udv->u_obj.vmobjlock);
		uvm_pglistfree(sys, &list);
		free(udv->u_obj.uo_name);
		uvm_obj_destroy(&udv->u_obj);
		free(udv);
		return ENOMEM;
	}
	bvm_mutex_exit(&udv->u_obj.vmobjlock);
	*uobjp = &udv->u_obj;
	*pa = udv->u_pa;
	return 0;
}

static void
udv_reference(struct uvm_object *uobj)
{
	bvm_mutex_enter(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0);
	uobj->uo_refs++;
	bvm_mutex_exit(&uobj->vmobjlock);
}

/* the last reference gives the frames back to the free lists */
static void
udv_detach(struct uvm_object *uobj)
{
	bvm_mutex_enter(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0);
	if (--uobj->uo_refs > 0) {
		bvm_mutex_exit(&uobj->vmobjlock);
		return;
	}
	udv_freepages(uobj);
	bvm_mutex_exit(&uobj->vmobjlock);
	free(uobj->uo_name);
	uvm_obj_destroy(uobj);
	free(UDV(uobj));
}

/* => object locked.  => returns 0 or ENXIO: the frames are always there */
static int
udv_get(struct uvm_object *uobj, voff_t off, struct vm_page **pgp,
    int advice, int flags)
{
	struct vm_page *pg;

	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	if (off < 0 || (pg = uvm_pagelookup(uobj, off)) == NULL)
		return ENXIO;
	*pgp = pg;
	return 0;
}

const struct uvm_pagerops uvm_deviceops = {
	.pgo_reference = udv_reference,
	.pgo_detach = udv_detach,
	.pgo_get = udv_get,
};
