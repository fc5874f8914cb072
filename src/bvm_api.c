/*
 * bvm_api.c: the public interface (bsdvm.h) over the VM.
 *
 * Each bvm_ function checks what only the library boundary can (NULL
 * handles), calls the kernel-named function that does the work, and, in
 * debug builds of a system created with BVM_SYS_CHECK, runs the invariant
 * checker on the vmspace after the call, panicking on a violation.
 */
#include <fcntl.h>

#include "pmap.h"
#include "uvm.h"
#include "uvm_amap.h"
#include "uvm_anon.h"
#include "uvm_fault.h"
#include "uvm_map.h"
#include "uvm_mmap.h"
#include "uvm_object.h"
#include "uvm_pdaemon.h"
#include "uvm_swap.h"

#define VMSPACE(p) ((struct vmspace *)(p))
#define SYS(vm)    ((vm)->vm_map.sys)

/*
 * bvm_after: after an operation on vm, check every invariant if the
 * system asks for it (debug builds, BVM_SYS_CHECK); a violation panics,
 * naming it.  => returns error unchanged.
 */
int
bvm_after(struct vmspace *vm, int error)
{
	char msg[512];

	if (__predict_false(SYS(vm)->check_each_op) &&
	    uvm_vmspace_sanity(vm, msg, sizeof(msg)) != 0)
		panic("invariant violated: %s", msg);
	return error;
}

void
bvm_params_init(struct bvm_params *p)
{
	memset(p, 0, sizeof(*p));
	p->npages = 16384;
	p->anon_mode = BVM_ANON_UVM;
	p->pmap = BVM_PMAP_SOFT;
	p->rlimit_data = BVM_RLIM_INFINITY;
	p->rlimit_memlock = 64 * 1024;
	p->flags = 0;
}

int
bvm_system_create(const struct bvm_params *p, struct bvm_system **out)
{
	struct bvm_params defaults;
	struct bvm_system *sys;
	int error;

	if (out == NULL)
		return EINVAL;
	if (p == NULL) {
		bvm_params_init(&defaults);
		p = &defaults;
	}
	if (p->pmap != BVM_PMAP_SOFT ||
	    (p->flags & ~(unsigned)(BVM_SYS_CHECK | BVM_SYS_WXALLOWED |
	    BVM_SYS_PAGEZERO | BVM_SYS_NOPDAEMON)))
		return EINVAL;
	if ((p->freemin != 0 && p->freemin >= p->npages) ||
	    (p->freetarg != 0 && (p->freetarg <= p->freemin ||
	    p->freetarg >= p->npages)))
		return EINVAL;
	if (p->anon_mode == BVM_ANON_MACH)
		return ENOTSUP;
	if (p->anon_mode != BVM_ANON_UVM)
		return EINVAL;
	sys = calloc(1, sizeof(*sys));
	if (sys == NULL)
		return ENOMEM;
	error = uvm_page_init(sys, p->npages);
	if (error) {
		free(sys);
		return error;
	}
	sys->params = *p;
	sys->anon_mode = p->anon_mode;
	sys->wxallowed = (p->flags & BVM_SYS_WXALLOWED) != 0;
#ifdef BVM_DEBUG
	sys->check_each_op = (p->flags & BVM_SYS_CHECK) != 0;
#endif
	sys->pmap_ops = &pmap_soft_ops;
	bvm_mutex_init(&sys->pmaplock);
	bvm_mutex_init(&sys->listlock);
	LIST_INIT(&sys->vmspaces);
	LIST_INIT(&sys->amaps);
	LIST_INIT(&sys->objects);
	LIST_INIT(&sys->handles);
	bvm_mutex_init(&sys->vnodelock);
	LIST_INIT(&sys->vnodes);
	bvm_mutex_init(&sys->shmlock);
	LIST_INIT(&sys->shmnames);
	pool_init(&sys->pv_pool, sizeof(struct pv_entry), "pvpl", FI_PV_ALLOC);
	uvm_map_init(sys);
	amap_init(sys);
	uvm_anon_init(sys);
	uvm_swap_init(sys);
	uvm_pdaemon_init(sys);
	if ((p->flags & BVM_SYS_PAGEZERO) &&
	    (error = uvm_pagezero_start(sys)) != 0) {
		bvm_system_destroy(sys);
		return error == EAGAIN ? ENOMEM : error;
	}
	if (!(p->flags & BVM_SYS_NOPDAEMON) &&
	    (error = uvm_pdaemon_start(sys)) != 0) {
		bvm_system_destroy(sys);
		return error == EAGAIN ? ENOMEM : error;
	}
	*out = sys;
	return 0;
}

void
bvm_system_destroy(struct bvm_system *sys)
{
	struct vmspace *vm;

	if (sys == NULL)
		return;
	uvm_pdaemon_stop(sys);
	uvm_pagezero_stop(sys);
	/* vmspaces the embedder left behind go now, with their memory */
	while ((vm = LIST_FIRST(&sys->vmspaces)) != NULL) {
		vm->vm_refcnt = 1;
		uvmspace_free(vm);
	}
	KASSERT(LIST_EMPTY(&sys->amaps));
	/* then handles left open, names, and vnodes kept for failed writes */
	while (!LIST_EMPTY(&sys->handles))
		bvm_object_release(LIST_FIRST(&sys->handles));
	uao_fini(sys);
	uvn_fini(sys);
	KASSERT(LIST_EMPTY(&sys->objects));
	uvm_swap_fini(sys);
	uvm_pdaemon_fini(sys);
	pmap_pv_drain(sys);
	pool_destroy(&sys->anon_pool);
	pool_destroy(&sys->amap_pool);
	pool_destroy(&sys->mapent_pool);
	pool_destroy(&sys->mapent_kmem_pool);
	pool_destroy(&sys->pv_pool);
	free(sys->kentry_static);
	bvm_mutex_destroy(&sys->kentry_lock);
	bvm_mutex_destroy(&sys->pmaplock);
	bvm_mutex_destroy(&sys->listlock);
	bvm_mutex_destroy(&sys->vnodelock);
	bvm_mutex_destroy(&sys->shmlock);
	uvm_page_fini(sys);
	free(sys);
}

int
bvm_vmspace_create(struct bvm_system *sys, struct bvm_vmspace **out)
{
	struct vmspace *vm;

	if (sys == NULL || out == NULL)
		return EINVAL;
	vm = uvmspace_alloc(sys);
	if (vm == NULL)
		return ENOMEM;
	*out = (struct bvm_vmspace *)vm;
	return 0;
}

void
bvm_vmspace_destroy(struct bvm_vmspace *vm)
{
	if (vm != NULL)
		uvmspace_free(VMSPACE(vm));
}

int
bvm_fork(struct bvm_vmspace *vm, struct bvm_vmspace **child)
{
	struct vmspace *vm2;
	int error;

	if (vm == NULL || child == NULL)
		return EINVAL;
	/* a fork that found no frame changed nothing: free some, again */
	do
		error = uvmspace_fork(VMSPACE(vm), &vm2);
	while (error == ENOMEM && uvm_wait(SYS(VMSPACE(vm))));
	if (error == 0) {
		*child = (struct bvm_vmspace *)vm2;
		bvm_after(vm2, 0);
	}
	return bvm_after(VMSPACE(vm), error);
}

int
bvm_exec(struct bvm_vmspace *vm)
{
	if (vm == NULL)
		return EINVAL;
	uvmspace_exec(VMSPACE(vm));
	return bvm_after(VMSPACE(vm), 0);
}

int
bvm_mmap(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int prot,
    int flags, int fd, int64_t off, uint64_t *out)
{
	vaddr_t va = 0;
	int error;

	if (vm == NULL)
		return EINVAL;
	error = sys_mmap(VMSPACE(vm), addr, len, prot, flags, fd, off, &va);
	if (error == 0 && out != NULL)
		*out = va;
	return bvm_after(VMSPACE(vm), error);
}

int
bvm_msync(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int flags)
{
	if (vm == NULL)
		return EINVAL;
	return bvm_after(VMSPACE(vm), sys_msync(VMSPACE(vm), addr, len, flags));
}

int
bvm_munmap(struct bvm_vmspace *vm, uint64_t addr, uint64_t len)
{
	if (vm == NULL)
		return EINVAL;
	return bvm_after(VMSPACE(vm), sys_munmap(VMSPACE(vm), addr, len));
}

int
bvm_mprotect(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int prot)
{
	if (vm == NULL)
		return EINVAL;
	return bvm_after(VMSPACE(vm),
	    sys_mprotect(VMSPACE(vm), addr, len, prot));
}

int
bvm_minherit(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int inherit)
{
	if (vm == NULL)
		return EINVAL;
	return bvm_after(VMSPACE(vm),
	    sys_minherit(VMSPACE(vm), addr, len, inherit));
}

int
bvm_madvise(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int advice)
{
	if (vm == NULL)
		return EINVAL;
	return bvm_after(VMSPACE(vm),
	    sys_madvise(VMSPACE(vm), addr, len, advice));
}

int
bvm_mincore(struct bvm_vmspace *vm, uint64_t addr, uint64_t len,
    unsigned char *vec)
{
	if (vm == NULL)
		return EINVAL;
	return bvm_after(VMSPACE(vm),
	    sys_mincore(VMSPACE(vm), addr, len, vec));
}

int
bvm_mquery(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int prot,
    int flags, int fd, int64_t off, uint64_t *out)
{
	vaddr_t va = 0;
	int error;

	if (vm == NULL)
		return EINVAL;
	error = sys_mquery(VMSPACE(vm), addr, len, prot, flags, fd, off, &va);
	if (error == 0 && out != NULL)
		*out = va;
	return error;
}

int
bvm_mlock(struct bvm_vmspace *vm, uint64_t addr, uint64_t len)
{
	if (vm == NULL)
		return EINVAL;
	return bvm_after(VMSPACE(vm), sys_mlock(VMSPACE(vm), addr, len));
}

int
bvm_munlock(struct bvm_vmspace *vm, uint64_t addr, uint64_t len)
{
	if (vm == NULL)
		return EINVAL;
	return bvm_after(VMSPACE(vm), sys_munlock(VMSPACE(vm), addr, len));
}

int
bvm_mlockall(struct bvm_vmspace *vm, int flags)
{
	if (vm == NULL)
		return EINVAL;
	return bvm_after(VMSPACE(vm), sys_mlockall(VMSPACE(vm), flags));
}

int
bvm_munlockall(struct bvm_vmspace *vm)
{
	if (vm == NULL)
		return EINVAL;
	return bvm_after(VMSPACE(vm), sys_munlockall(VMSPACE(vm)));
}

int
bvm_fault(struct bvm_vmspace *vm, uint64_t va, int access,
    struct bvm_fault_info *info)
{
	int error;

	if (vm == NULL || (access != PROT_READ && access != PROT_WRITE &&
	    access != PROT_EXEC))
		return EINVAL;
	error = uvm_fault(&VMSPACE(vm)->vm_map, va, VM_FAULT_INVALID, access);
	if (error)
		uvm_fault_info(error, va, info);
	return bvm_after(VMSPACE(vm), error);
}

int
bvm_setrlimit(struct bvm_vmspace *bvm, int resource, uint64_t limit)
{
	struct vmspace *vm = VMSPACE(bvm);

	if (vm == NULL)
		return EINVAL;
	vm_map_lock(&vm->vm_map);
	switch (resource) {
	case BVM_RLIMIT_DATA:
		vm->vm_rlimit_data = limit;
		break;
	case BVM_RLIMIT_MEMLOCK:
		vm->vm_rlimit_memlock = limit;
		break;
	default:
		vm_map_unlock(&vm->vm_map);
		return EINVAL;
	}
	vm_map_unlock(&vm->vm_map);
	return 0;
}

int
bvm_getrlimit(struct bvm_vmspace *bvm, int resource, uint64_t *limit)
{
	struct vmspace *vm = VMSPACE(bvm);

	if (vm == NULL || limit == NULL)
		return EINVAL;
	switch (resource) {
	case BVM_RLIMIT_DATA:
		*limit = vm->vm_rlimit_data;
		return 0;
	case BVM_RLIMIT_MEMLOCK:
		*limit = vm->vm_rlimit_memlock;
		return 0;
	default:
		return EINVAL;
	}
}

int
bvm_pglist_alloc(struct bvm_system *sys, uint64_t npages, uint64_t low,
    uint64_t high, uint64_t align, uint64_t boundary, int maxsegs, int flags,
    uint64_t *pas)
{
	struct pglist list;
	struct vm_page *pg;
	uint64_t i = 0;
	int error;

	if (sys == NULL || pas == NULL || npages == 0 ||
	    npages > sys->npages ||
	    (flags & ~BVM_PLA_ZERO))
		return EINVAL;
	TAILQ_INIT(&list);
	error = uvm_pglistalloc(sys, ptoa(npages), low, high, align, boundary,
	    &list, maxsegs, flags);
	if (error)
		return error;
	TAILQ_FOREACH(pg, &list, pageq)
		pas[i++] = VM_PAGE_TO_PHYS(pg);
	return 0;
}

int
bvm_pglist_free(struct bvm_system *sys, const uint64_t *pas, uint64_t npages)
{
	struct pglist list;
	struct vm_page *pg;
	uint64_t i;

	if (sys == NULL || (pas == NULL && npages != 0))
		return EINVAL;
	/*
	 * Refuse the whole call if any frame is not ours to free, or named
	 * twice: the flag is cleared as each is checked (so a second mention
	 * fails), and put back on every frame checked if one fails.
	 */
	for (i = 0; i < npages; i++) {
		pg = PHYS_TO_VM_PAGE(sys, pas[i]);
		if (pg == NULL || (pas[i] & PAGE_MASK) ||
		    !(PG_FLAGS(pg) & PG_PGLIST)) {
			while (i-- > 0)
				atomic_setbits_int(&PHYS_TO_VM_PAGE(sys,
				    pas[i])->pg_flags, PG_PGLIST);
			return EINVAL;
		}
		atomic_clearbits_int(&pg->pg_flags, PG_PGLIST);
	}
	TAILQ_INIT(&list);
	for (i = 0; i < npages; i++) {
		pg = PHYS_TO_VM_PAGE(sys, pas[i]);
		atomic_setbits_int(&pg->pg_flags, PG_PGLIST);
		TAILQ_INSERT_TAIL(&list, pg, pageq);
	}
	uvm_pglistfree(sys, &list);
	return 0;
}

int
bvm_phys_read(struct bvm_system *sys, uint64_t pa, void *buf, size_t len)
{
	uint64_t bytes;

	if (sys == NULL || (buf == NULL && len != 0))
		return EINVAL;
	bytes = sys->npages * PAGE_SIZE;
	if (pa >= bytes || len > bytes - pa)
		return EINVAL;
	memcpy(buf, uvm_phys_to_host(sys, pa), len);
	return 0;
}

int
bvm_phys_write(struct bvm_system *sys, uint64_t pa, const void *buf,
    size_t len)
{
	uint64_t bytes;

	if (sys == NULL || (buf == NULL && len != 0))
		return EINVAL;
	bytes = sys->npages * PAGE_SIZE;
	if (pa >= bytes || len > bytes - pa)
		return EINVAL;
	memcpy(uvm_phys_to_host(sys, pa), buf, len);
	return 0;
}

/* ---------------------------------------------------------------------
 * Objects: handles on uvm_objects.
 * ------------------------------------------------------------------- */

struct bvm_object {
	struct uvm_object *uobj;       /* [I] one reference of it */
	vm_prot_t maxprot;             /* [I] what mappings may be given */
	struct bvm_system *sys;        /* [I] */
	LIST_ENTRY(bvm_object) link;   /* [listlock] */
};

/* a handle on uobj, taking over the caller's reference */
static int
bvm_object_handle(struct bvm_system *sys, struct uvm_object *uobj,
    vm_prot_t maxprot, struct bvm_object **out)
{
	struct bvm_object *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		uobj->pgops->pgo_detach(uobj);
		return ENOMEM;
	}
	h->uobj = uobj;
	h->maxprot = maxprot;
	h->sys = sys;
	bvm_mutex_enter(&sys->listlock);
	LIST_INSERT_HEAD(&sys->handles, h, link);
	bvm_mutex_exit(&sys->listlock);
	*out = h;
	return 0;
}

/*
 * uvm_obj_extrarefs: the references to uobj that are not map entries: the
 * handles on it and its name.  => quiescent system (the checker)
 */
int
uvm_obj_extrarefs(struct uvm_object *uobj)
{
	struct bvm_object *h;
	int n = uao_linked(uobj) ? 1 : 0;

	LIST_FOREACH(h, &uobj->uo_sys->handles, link)
		if (h->uobj == uobj)
			n++;
	return n;
}

int
bvm_shm_open(struct bvm_system *sys, const char *name, int oflags,
    struct bvm_object **out)
{
	struct uvm_object *uobj;
	int error;

	if (sys == NULL || out == NULL)
		return EINVAL;
	if ((error = uao_shm_open(sys, name, oflags, &uobj)) != 0)
		return error;
	return bvm_object_handle(sys, uobj, PROT_MASK, out);
}

int
bvm_shm_unlink(struct bvm_system *sys, const char *name)
{
	if (sys == NULL)
		return EINVAL;
	return uao_shm_unlink(sys, name);
}

int
bvm_device_create(struct bvm_system *sys, uint64_t npages, const char *name,
    struct bvm_object **out, uint64_t *pa)
{
	struct uvm_object *uobj;
	paddr_t p;
	int error;

	if (sys == NULL || out == NULL)
		return EINVAL;
	if ((error = udv_create(sys, npages, name, &uobj, &p)) != 0)
		return error;
	if ((error = bvm_object_handle(sys, uobj, PROT_MASK, out)) != 0)
		return error;
	if (pa != NULL)
		*pa = p;
	return 0;
}

int
bvm_object_file(struct bvm_system *sys, int fd, struct bvm_object **out)
{
	struct uvm_object *uobj;
	int error, mode;

	if (sys == NULL || out == NULL)
		return EINVAL;
	if ((error = uvn_attach(sys, fd, &uobj, &mode)) != 0)
		return error;
	return bvm_object_handle(sys, uobj, PROT_READ | PROT_EXEC |
	    (mode == O_RDWR ? PROT_WRITE : 0), out);
}

int
bvm_object_truncate(struct bvm_object *h, uint64_t size)
{
	struct uvm_object *uobj;
	int error;

	if (h == NULL)
		return EINVAL;
	uobj = h->uobj;
	if (UVM_OBJ_IS_DEVICE(uobj))
		return EINVAL;
	if (size > (uint64_t)INT64_MAX)
		return EINVAL;
	/* ftruncate(2) needs a descriptor open for writing */
	if (UVM_OBJ_IS_VNODE(uobj) && !(h->maxprot & PROT_WRITE))
		return EBADF;
	/* an aobj's edge page out in swap may need a frame: make room */
	do {
		bvm_mutex_enter(&uobj->vmobjlock);
		error = uvm_obj_truncate(uobj, (voff_t)size);
		bvm_mutex_exit(&uobj->vmobjlock);
	} while (error == ENOMEM && uvm_wait(h->sys));
	return error;
}

int
bvm_object_size(struct bvm_object *h, uint64_t *size)
{
	if (h == NULL || size == NULL)
		return EINVAL;
	bvm_mutex_enter(&h->uobj->vmobjlock);
	*size = (uint64_t)h->uobj->uo_size;
	bvm_mutex_exit(&h->uobj->vmobjlock);
	return 0;
}

void
bvm_object_release(struct bvm_object *h)
{
	struct bvm_system *sys;

	if (h == NULL)
		return;
	sys = h->sys;
	bvm_mutex_enter(&sys->listlock);
	LIST_REMOVE(h, link);
	bvm_mutex_exit(&sys->listlock);
	h->uobj->pgops->pgo_detach(h->uobj);
	free(h);
}

int
bvm_mmap_object(struct bvm_vmspace *vm, uint64_t addr, uint64_t len,
    int prot, int flags, struct bvm_object *h, int64_t off, uint64_t *out)
{
	vaddr_t va = 0;
	int error;

	if (vm == NULL || h == NULL || h->sys != SYS(VMSPACE(vm)))
		return EINVAL;
	if (flags & BVM_MAP_ANON)
		return EINVAL;
	error = sys_mmap_object(VMSPACE(vm), addr, len, prot, flags, -1,
	    h->uobj, h->maxprot, off, &va);
	if (error == 0 && out != NULL)
		*out = va;
	return bvm_after(VMSPACE(vm), error);
}

/* ---------------------------------------------------------------------
 * File I/O through the page cache.
 * ------------------------------------------------------------------- */

int
bvm_file_read(struct bvm_system *sys, int fd, void *buf, size_t len,
    int64_t off, size_t *nread)
{
	size_t done;
	int error;

	if (sys == NULL || (buf == NULL && len != 0))
		return EINVAL;
	error = uvn_file_io(sys, fd, buf, len, off, false, &done);
	if (nread != NULL)
		*nread = done;
	return error;
}

int
bvm_file_write(struct bvm_system *sys, int fd, const void *buf, size_t len,
    int64_t off)
{
	size_t done;

	if (sys == NULL || (buf == NULL && len != 0))
		return EINVAL;
	return uvn_file_io(sys, fd, (void *)(uintptr_t)buf, len, off, true,
	    &done);
}

int
bvm_file_sync(struct bvm_system *sys, int fd)
{
	struct uvm_object *uobj;
	int error;

	if (sys == NULL)
		return EINVAL;
	if ((error = uvn_attach(sys, fd, &uobj, NULL)) != 0)
		return error;
	bvm_mutex_enter(&uobj->vmobjlock);
	error = uvm_obj_flush(uobj, 0, INT64_MAX, PGO_CLEANIT | PGO_SYNCIO);
	bvm_mutex_exit(&uobj->vmobjlock);
	uobj->pgops->pgo_detach(uobj);
	return error;
}

int
bvm_file_truncate(struct bvm_system *sys, int fd, uint64_t size)
{
	struct uvm_object *uobj;
	int error, mode;

	if (sys == NULL)
		return EINVAL;
	if (size > (uint64_t)INT64_MAX)
		return EINVAL;
	if ((error = uvn_attach(sys, fd, &uobj, &mode)) != 0)
		return error;
	if (mode != O_RDWR) {
		uobj->pgops->pgo_detach(uobj);
		return EBADF;
	}
	bvm_mutex_enter(&uobj->vmobjlock);
	error = uvn_setwfd(uobj, fd);
	if (error == 0)
		error = uvm_obj_truncate(uobj, (voff_t)size);
	bvm_mutex_exit(&uobj->vmobjlock);
	uobj->pgops->pgo_detach(uobj);
	return error;
}

int
bvm_stats(struct bvm_system *sys, struct bvm_stats *st)
{
	struct uvmexp *u;

	if (sys == NULL || st == NULL)
		return EINVAL;
	u = &sys->uvmexp;
	memset(st, 0, sizeof(*st));
	st->pagesize = PAGE_SIZE;
	st->npages = u->npages;
	bvm_mutex_enter(&sys->fpageqlock);
	st->free = u->free;
	st->zeropages = u->zeropages;
	bvm_mutex_exit(&sys->fpageqlock);
	bvm_mutex_enter(&sys->pageqlock);
	st->active = u->active;
	st->inactive = u->inactive;
	st->wired = u->wired;
	bvm_mutex_exit(&sys->pageqlock);
	st->wiredmax = u->wiredmax;
#define C(f) st->f = CNT_GET(u->f)
	C(vmspaces); C(map_entries); C(amaps); C(anons);
	C(faults); C(flt_anon); C(flt_acow); C(flt_amcopy); C(flt_zfill);
	C(flt_noram); C(flt_nomap); C(flt_prot); C(flt_around); C(flt_wired);
	C(pga_zerohit); C(pga_zeromiss); C(pages_alloc); C(pages_free);
	C(forks); C(cow_now); C(pmap_enter); C(pmap_remove); C(pmap_protect);
	C(tlb_miss); C(tlb_flush); C(mmap_calls); C(munmap_calls);
	C(mprotect_calls);
	C(objects); C(vnodes); C(obj_pages); C(flt_obj); C(flt_prcopy);
	C(pgpgin); C(pgpgout); C(pageins); C(pageouts); C(pager_errors);
	C(msync_calls);
	C(swpages); C(swpginuse); C(swpgbad); C(swpgonly);
	C(pswpin); C(pswpout); C(swapins); C(swapouts); C(swap_errors);
	C(pdwoke); C(pdrevs); C(pdsync); C(pdscans); C(pdfreed); C(pdreact);
	C(pddeact); C(pdbusy); C(pdpageouts); C(pdnoswap);
#undef C
	st->freemin = sys->freemin;
	st->freetarg = sys->freetarg;
	st->inactarg = __atomic_load_n(&sys->inactarg, __ATOMIC_RELAXED);
	st->nswapdev = CNT_GET(sys->nswapdev);
	return 0;
}

/* ---------------------------------------------------------------------
 * Swap and the page daemon.
 * ------------------------------------------------------------------- */

int
bvm_swapon(struct bvm_system *sys, const char *path, int priority)
{
	if (sys == NULL)
		return EINVAL;
	return uvm_swap_on(sys, path, priority);
}

int
bvm_swapoff(struct bvm_system *sys, const char *path)
{
	if (sys == NULL)
		return EINVAL;
	return uvm_swap_off(sys, path);
}

int
bvm_swapstats(struct bvm_system *sys, struct bvm_swapent *ents, int nents,
    int *count)
{
	if (sys == NULL)
		return EINVAL;
	return uvm_swap_stats(sys, ents, nents, count);
}

int
bvm_pageout(struct bvm_system *sys, uint64_t npages, uint64_t *freed)
{
	uint64_t n;

	if (sys == NULL)
		return EINVAL;
	n = uvm_pageout_now(sys, npages);
	if (freed != NULL)
		*freed = n;
	return 0;
}

int
bvm_vmspace_info(struct bvm_vmspace *bvm, struct bvm_vmspace_info *info)
{
	struct vmspace *vm = VMSPACE(bvm);
	struct vm_map *map;
	struct vm_map_entry *entry;

	if (vm == NULL || info == NULL)
		return EINVAL;
	map = &vm->vm_map;
	memset(info, 0, sizeof(*info));
	vm_map_lock_read(map);
	info->size = map->size;
	info->resident = pmap_resident_count(map->pmap);
	info->dused = ptoa(vm->vm_dused);
	info->nentries = (uint64_t)map->nentries;
	for (entry = map->header.next; entry != &map->header;
	    entry = entry->next)
		if (VM_MAPENT_ISWIRED(entry))
			info->wired += entry->end - entry->start;
	info->rlimit_data = vm->vm_rlimit_data;
	info->rlimit_memlock = vm->vm_rlimit_memlock;
	vm_map_unlock_read(map);
	return 0;
}

int
bvm_regions(struct bvm_vmspace *bvm, int (*fn)(const struct bvm_region *,
    void *), void *arg)
{
	struct vm_map *map;
	struct vm_map_entry *entry;
	struct bvm_region r;
	vaddr_t va;
	int error = 0;

	if (bvm == NULL || fn == NULL)
		return EINVAL;
	map = &VMSPACE(bvm)->vm_map;
	vm_map_lock_read(map);
	for (entry = map->header.next; entry != &map->header && error == 0;
	    entry = entry->next) {
		memset(&r, 0, sizeof(r));
		r.start = entry->start;
		r.end = entry->end;
		r.prot = entry->protection;
		r.maxprot = entry->max_protection;
		r.inherit = entry->inheritance;
		r.advice = entry->advice;
		r.wired_count = entry->wired_count;
		if (UVM_ET_ISCOPYONWRITE(entry))
			r.flags |= BVM_REGION_COW;
		if (UVM_ET_ISNEEDSCOPY(entry))
			r.flags |= BVM_REGION_NEEDSCOPY;
		if (UVM_ET_ISNOFAULT(entry))
			r.flags |= BVM_REGION_NOFAULT;
		if (entry->etype & UVM_ET_STACK)
			r.flags |= BVM_REGION_STACK;
		if (entry->etype & UVM_ET_CONCEAL)
			r.flags |= BVM_REGION_CONCEAL;
		for (va = entry->start; va < entry->end; va += 32 * PAGE_SIZE)
			r.resident += (uint64_t)__builtin_popcount(
			    pmap_mapped_mask(map->pmap, va,
			    (int)MIN(32, atop(entry->end - va))));
		if (entry->aref.ar_amap != NULL) {
			struct vm_amap *amap = entry->aref.ar_amap;
			amap_lock(amap);
			r.amap_refs = amap_refs(amap);
			if (amap_flags(amap) & AMAP_SHARED)
				r.flags |= BVM_REGION_SHAREDAMAP;
			r.anons = (uint64_t)amap_nslots_used(&entry->aref,
			    (int)atop(entry->end - entry->start));
			r.swapped = (uint64_t)amap_nslots_swapped(&entry->aref,
			    (int)atop(entry->end - entry->start));
			amap_unlock(amap);
		}
		r.type = "anon";
		r.name = "";
		if (entry->object != NULL) {
			struct uvm_object *uobj = entry->object;

			r.type = uobj->uo_type;
			r.name = uobj->uo_name != NULL ? uobj->uo_name : "";
			r.offset = (uint64_t)entry->offset;
			r.obj_resident = __atomic_load_n(&uobj->uo_npages,
			    __ATOMIC_RELAXED);
		}
		error = fn(&r, arg);
	}
	vm_map_unlock_read(map);
	return error;
}

int
bvm_check(struct bvm_vmspace *vm, char *msg, size_t msglen)
{
	if (vm == NULL)
		return EINVAL;
	return uvm_vmspace_sanity(VMSPACE(vm), msg, msglen);
}

int
bvm_system_check(struct bvm_system *sys, char *msg, size_t msglen)
{
	if (sys == NULL)
		return EINVAL;
	return uvm_system_sanity(sys, msg, msglen);
}
