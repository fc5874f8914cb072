/*
 * uvm_mmap.c: the memory-management "system calls": mmap, munmap,
 * mprotect, minherit, madvise, mincore, mquery, mlock, munlock, mlockall,
 * munlockall.
 *
 * Each sys_* function checks its arguments exactly as OpenBSD's does, in
 * the same order, so that each bad argument gets the same errno (see
 * /docs/semantics.md and shared/reference/openbsd-syscall-rules.md), then
 * calls the map layer.  The paths of an mmap are the kernel's:
 *
 *   sys_mmap -> uvm_mmapanon -> uvm_mapanon -> uvm_map -> uvm_map_mkentry
 *   sys_mmap -> uvn_attach (the file's object), uvm_mmapobj -> uvm_map
 */
#include <fcntl.h>

#include "pmap.h"
#include "uvm.h"
#include "uvm_anon.h"
#include "uvm_fault.h"
#include "uvm_map.h"
#include "uvm_mmap.h"
#include "uvm_object.h"

/*
 * ALIGN_ADDR: round addr down to a page and size up, keeping the page
 * offset in pageoff; an unaligned address is moved, not refused.
 * => evaluates to EINVAL when the size wraps, else 0.
 */
static int
align_addr(vaddr_t *addr, vsize_t *size, vsize_t *pageoff)
{
	*pageoff = *addr & PAGE_MASK;
	if (*pageoff != 0) {
		if (*size > UINT64_MAX - *pageoff)
			return EINVAL;
		*addr -= *pageoff;
		*size += *pageoff;
	}
	if (*size != 0) {
		*size = round_page(*size);
		if (*size == 0)
			return EINVAL;
	}
	return 0;
}

/*
 * align_range: ALIGN_ADDR, then refuse a range that wraps the address
 * space: what every call but mmap checks first.  => EINVAL or 0.
 */
static int
align_range(vaddr_t *addr, vsize_t *size)
{
	vsize_t pageoff;

	if (align_addr(addr, size, &pageoff) != 0)
		return EINVAL;
	if (*addr > UINT64_MAX - *size)
		return EINVAL;
	return 0;
}

/*
 * clamp_user: the part of [addr, addr+size) inside user space, as
 * [*start, *end); OpenBSD ignores the rest for mprotect, minherit and
 * madvise.  => returns false if nothing is left.
 */
static bool
clamp_user(vaddr_t addr, vsize_t size, vaddr_t *start, vaddr_t *end)
{
	*end = MIN(addr + size, VM_MAXUSER_ADDRESS);
	*start = MAX(addr, VM_MIN_ADDRESS);
	return *start < *end;
}

/*
 * uvm_prot_check: the protection rules mmap and mprotect share: no bits
 * beyond R|W|X (EINVAL), and W^X (ENOTSUP) unless the system allows it.
 */
static int
uvm_prot_check(struct bvm_system *sys, int prot)
{
	if (prot & ~PROT_MASK)
		return EINVAL;
	if ((prot & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC) &&
	    !sys->wxallowed)
		return ENOTSUP;
	return 0;
}

/*
 * uvm_mmapanon: map anonymous memory for sys_mmap.
 * => *addr: the hint, or the exact address with MAP_FIXED.
 * => returns 0 and *addr, or ENOMEM.
 */
static int
uvm_mmapanon(struct vm_map *map, vaddr_t *addr, vsize_t size, vm_prot_t prot,
    vm_prot_t maxprot, int flags)
{
	int uvmflag;

	if (flags & BVM_MAP_SHARED)
		uvmflag = UVM_MAPFLAG(prot, maxprot, MAP_INHERIT_SHARE,
		    MADV_NORMAL, UVM_FLAG_OVERLAY);
	else
		uvmflag = UVM_MAPFLAG(prot, maxprot, MAP_INHERIT_COPY,
		    MADV_NORMAL, UVM_FLAG_COPYONW);
	if (flags & BVM_MAP_FIXED) {
		uvmflag |= UVM_FLAG_FIXED;
		if (!(flags & BVM_MAP_NOREPLACE))
			uvmflag |= UVM_FLAG_UNMAP;
	}
	if (flags & BVM_MAP_STACK)
		uvmflag |= UVM_FLAG_STACK;
	if (flags & BVM_MAP_CONCEAL)
		uvmflag |= UVM_FLAG_CONCEAL;
	return uvm_mapanon(map, addr, size, PAGE_SIZE, uvmflag);
}

/*
 * uvm_mmapobj: map an object (a file, shared memory, a device) for
 * sys_mmap, as OpenBSD's uvm_mmapfile: MAP_SHARED mappings are inherited
 * shared, MAP_PRIVATE ones copy on write; __MAP_NOFAULT ones turn the
 * pages the pager cannot give into zero-filled anons, so they need an
 * amap from the start when shared.
 * => the mapping takes over the caller's reference to uobj on success.
 * => returns 0 and *addr, or ENOMEM.
 */
static int
uvm_mmapobj(struct vm_map *map, vaddr_t *addr, vsize_t size, vm_prot_t prot,
    vm_prot_t maxprot, int flags, struct uvm_object *uobj, voff_t foff)
{
	int uvmflag;

	if (flags & BVM_MAP_SHARED)
		uvmflag = UVM_MAPFLAG(prot, maxprot, MAP_INHERIT_SHARE,
		    MADV_NORMAL, 0);
	else
		uvmflag = UVM_MAPFLAG(prot, maxprot, MAP_INHERIT_COPY,
		    MADV_NORMAL, UVM_FLAG_COPYONW);
	if (flags & BVM_MAP_FIXED) {
		uvmflag |= UVM_FLAG_FIXED;
		if (!(flags & BVM_MAP_NOREPLACE))
			uvmflag |= UVM_FLAG_UNMAP;
	}
	if (flags & BVM_MAP_CONCEAL)
		uvmflag |= UVM_FLAG_CONCEAL;
	if (flags & BVM_MAP_NOFAULT) {
		uvmflag |= UVM_FLAG_NOFAULT;
		if (flags & BVM_MAP_SHARED)
			uvmflag |= UVM_FLAG_OVERLAY;
	}
	return uvm_map(map, addr, size, uobj, foff, PAGE_SIZE, uvmflag);
}

/*
 * uvm_mmaplock: mlockall(MCL_FUTURE) wires a new mapping, or takes it back
 * (OpenBSD's uvm_mmaplock).
 * => returns 0 or ENOMEM (the mapping is gone again).
 */
static int
uvm_mmaplock(struct vmspace *vm, vaddr_t addr, vsize_t size, vm_prot_t prot)
{
	struct vm_map *map = &vm->vm_map;
	struct bvm_system *sys = map->sys;
	vsize_t wired;

	if (!(map->flags & VM_MAP_WIREFUTURE) || prot == PROT_NONE)
		return 0;
	vm_map_lock_read(map);
	wired = uvm_map_wired(map);  /* the new mapping is not, yet */
	vm_map_unlock_read(map);
	if (atop(size) + CNT_GET(sys->uvmexp.wired) > sys->uvmexp.wiredmax ||
	    (vm->vm_rlimit_memlock != BVM_RLIM_INFINITY &&
	    size + wired > vm->vm_rlimit_memlock) ||
	    uvm_map_pageable(map, addr, addr + size, false) != 0) {
		uvm_unmap(map, addr, addr + size);
		return ENOMEM;
	}
	return 0;
}

/*
 * uvm_mmap_checkobj: the checks of a mapping of an object, after the
 * descriptor's (OpenBSD's order): the offset, MAP_SHARED/PRIVATE (a device
 * is always shared), the maximum protection the object allows (objprot:
 * for a file, what its descriptor's mode allows), RLIMIT_DATA for private
 * writable mappings, and prot within the maximum.
 * => *flags may be changed; *maxprotp is the entry's maximum protection.
 * => returns 0, EINVAL, EACCES, ENOMEM.
 */
static int
uvm_mmap_checkobj(struct vmspace *vm, struct uvm_object *uobj, vm_prot_t prot,
    int *flags, vm_prot_t objprot, vaddr_t upos, vsize_t size,
    vm_prot_t *maxprotp)
{
	vm_prot_t maxprot;

	if ((int64_t)upos < 0 || size > (vsize_t)INT64_MAX ||
	    upos > (vaddr_t)INT64_MAX - size)
		return EINVAL;
	if (UVM_OBJ_IS_DEVICE(uobj))
		*flags = (*flags & ~BVM_MAP_PRIVATE) | BVM_MAP_SHARED;
	else if (!(*flags & (BVM_MAP_SHARED | BVM_MAP_PRIVATE)))
		*flags |= BVM_MAP_PRIVATE;
	maxprot = PROT_EXEC | (objprot & PROT_READ);
	if ((prot & PROT_READ) && !(objprot & PROT_READ))
		return EACCES;
	if (*flags & BVM_MAP_SHARED) {
		if (objprot & PROT_WRITE)
			maxprot |= PROT_WRITE;
		else if (prot & PROT_WRITE)
			return EACCES;
	} else
		maxprot |= PROT_WRITE;   /* private: copy on write */
	if ((*flags & BVM_MAP_PRIVATE) && (prot & PROT_WRITE) &&
	    vm->vm_rlimit_data != BVM_RLIM_INFINITY &&
	    (size > vm->vm_rlimit_data ||
	    ptoa(vm->vm_dused) > vm->vm_rlimit_data - size))
		return ENOMEM;
	if ((prot & maxprot) != prot)
		return EACCES;
	*maxprotp = maxprot;
	return 0;
}

/*
 * sys_msync: see bvm_msync in bsdvm.h.  MS_ASYNC writes without waiting
 * for the disk (OpenBSD forces a synchronous write for both; the data
 * reaches the file either way).
 */
int
sys_msync(struct vmspace *vm, vaddr_t addr, vsize_t size, int flags)
{
	int uvmflags;

	CNT_INC(vm->vm_map.sys->uvmexp.msync_calls);
	if ((flags & ~(BVM_MS_ASYNC | BVM_MS_SYNC | BVM_MS_INVALIDATE)) != 0 ||
	    (flags & (BVM_MS_ASYNC | BVM_MS_SYNC | BVM_MS_INVALIDATE)) == 0 ||
	    (flags & (BVM_MS_ASYNC | BVM_MS_SYNC)) ==
	    (BVM_MS_ASYNC | BVM_MS_SYNC))
		return EINVAL;
	if ((flags & (BVM_MS_ASYNC | BVM_MS_SYNC)) == 0)
		flags |= BVM_MS_SYNC;
	if (align_range(&addr, &size) != 0)
		return EINVAL;
	uvmflags = PGO_CLEANIT;
	if (flags & BVM_MS_INVALIDATE)
		uvmflags |= PGO_FREE;
	if (flags & BVM_MS_SYNC)
		uvmflags |= PGO_SYNCIO;
	return uvm_map_clean(&vm->vm_map, addr, addr + size, uvmflags);
}

/*
 * sys_mmap: see bvm_mmap in bsdvm.h.
 */
int
sys_mmap(struct vmspace *vm, vaddr_t addr, vsize_t size, int prot, int flags,
    int fd, voff_t pos, vaddr_t *retval)
{
	return sys_mmap_object(vm, addr, size, prot, flags, fd, NULL, 0, pos,
	    retval);
}

/*
 * sys_mmap_object: sys_mmap of the descriptor fd (uobj NULL), or of the
 * object uobj with the maximum protection objprot (fd is then ignored).
 * The argument checks are OpenBSD's, in its order.
 */
int
sys_mmap_object(struct vmspace *vm, vaddr_t addr, vsize_t size, int prot,
    int flags, int fd, struct uvm_object *uobj, vm_prot_t objprot, voff_t pos,
    vaddr_t *retval)
{
	struct vm_map *map = &vm->vm_map;
	struct bvm_system *sys = map->sys;
	vsize_t pageoff;
	vaddr_t upos = (vaddr_t)pos;
	vm_prot_t maxprot;
	int error, mode;

	CNT_INC(sys->uvmexp.mmap_calls);
	if ((error = uvm_prot_check(sys, prot)) != 0)
		return error;
	if ((unsigned)flags & ~(unsigned)BVM_MAP_FLAGMASK)
		return EINVAL;
	if ((flags & (BVM_MAP_SHARED | BVM_MAP_PRIVATE)) ==
	    (BVM_MAP_SHARED | BVM_MAP_PRIVATE))
		return EINVAL;
	if ((flags & (BVM_MAP_FIXED | BVM_MAP_NOREPLACE)) ==
	    BVM_MAP_NOREPLACE)
		return EINVAL;
	if (flags & BVM_MAP_STACK) {
		if ((flags & (BVM_MAP_ANON | BVM_MAP_PRIVATE)) !=
		    (BVM_MAP_ANON | BVM_MAP_PRIVATE))
			return EINVAL;
		if (flags & ~(BVM_MAP_STACK | BVM_MAP_FIXED | BVM_MAP_ANON |
		    BVM_MAP_PRIVATE))
			return EINVAL;
		if (pos != 0)
			return EINVAL;
		if ((prot & (PROT_READ | PROT_WRITE)) !=
		    (PROT_READ | PROT_WRITE))
			return EINVAL;
	}
	if (size == 0)
		return EINVAL;

	/* the offset's page offset carries over to the address */
	if (align_addr(&upos, &size, &pageoff) != 0)
		return EINVAL;
	if (flags & BVM_MAP_FIXED) {
		addr -= pageoff;
		if (addr & PAGE_MASK)
			return EINVAL;
		if (addr > UINT64_MAX - size)
			return EINVAL;
		if (addr + size > VM_MAXUSER_ADDRESS)
			return EINVAL;
		if (addr < VM_MIN_ADDRESS)
			return EINVAL;
	}

	if (!(flags & BVM_MAP_ANON) || uobj != NULL) {
		if (uobj == NULL) {
			/* a file: its object, with a reference of ours */
			if (fd < 0)
				return EBADF;
			if ((error = uvn_attach(sys, fd, &uobj, &mode)) != 0)
				return error;
			objprot = PROT_READ | PROT_EXEC;
			if (mode == O_RDWR)
				objprot |= PROT_WRITE;
		} else
			uobj->pgops->pgo_reference(uobj);
		error = uvm_mmap_checkobj(vm, uobj, prot, &flags, objprot,
		    upos, size, &maxprot);
		if (error == 0) {
			if (!(flags & BVM_MAP_FIXED))
				addr = round_page(addr);
			error = uvm_mmapobj(map, &addr, size, prot, maxprot,
			    flags, uobj, (voff_t)upos);
		}
		if (error) {
			uobj->pgops->pgo_detach(uobj);
			return error;
		}
		if ((error = uvm_mmaplock(vm, addr, size, prot)) != 0)
			return error;
		*retval = addr + pageoff;
		return 0;
	}
	if (fd != -1)
		return EINVAL;
	if (flags & BVM_MAP_NOFAULT)
		return EINVAL;
	if ((prot != PROT_NONE || (flags & BVM_MAP_SHARED)) &&
	    vm->vm_rlimit_data != BVM_RLIM_INFINITY &&
	    (size > vm->vm_rlimit_data ||
	    ptoa(vm->vm_dused) > vm->vm_rlimit_data - size))
		return ENOMEM;
	if (!(flags & BVM_MAP_FIXED))
		addr = round_page(addr);

	error = uvm_mmapanon(map, &addr, size, prot, PROT_MASK, flags);
	if (error)
		return error;
	if ((error = uvm_mmaplock(vm, addr, size, prot)) != 0)
		return error;
	*retval = addr + pageoff;
	return 0;
}

/*
 * sys_munmap: remove [addr, addr+size).  Unlike Linux, a range with any
 * unmapped page is refused (EINVAL) and nothing is removed.
 */
int
sys_munmap(struct vmspace *vm, vaddr_t addr, vsize_t size)
{
	struct vm_map *map = &vm->vm_map;
	struct uvm_map_deadq dead;

	CNT_INC(map->sys->uvmexp.munmap_calls);
	if (align_range(&addr, &size) != 0)
		return EINVAL;
	if (addr + size > VM_MAXUSER_ADDRESS)
		return EINVAL;
	if (addr < VM_MIN_ADDRESS)
		return EINVAL;
	if (size == 0)
		return 0;

	DEADQ_INIT(&dead);
	vm_map_lock(map);
	if (!uvm_map_checkallmapped(map, addr, addr + size)) {
		vm_map_unlock(map);
		return EINVAL;
	}
	uvm_unmap_remove(map, addr, addr + size, &dead);
	vm_map_unlock(map);
	uvm_unmap_detach(map, &dead);
	return 0;
}

/*
 * sys_mprotect: the range is clamped to user space; holes are skipped.
 */
int
sys_mprotect(struct vmspace *vm, vaddr_t addr, vsize_t size, int prot)
{
	struct vm_map *map = &vm->vm_map;
	struct bvm_system *sys = map->sys;
	vaddr_t end;
	int error;

	CNT_INC(sys->uvmexp.mprotect_calls);
	if ((error = uvm_prot_check(sys, prot)) != 0)
		return error;
	if (align_range(&addr, &size) != 0)
		return EINVAL;
	if (!clamp_user(addr, size, &addr, &end))
		return 0;
	return uvm_map_protect(map, addr, end, prot, false);
}

/* sys_minherit */
int
sys_minherit(struct vmspace *vm, vaddr_t addr, vsize_t size, int inherit)
{
	vaddr_t end;

	if (align_range(&addr, &size) != 0)
		return EINVAL;
	if (!clamp_user(addr, size, &addr, &end))
		addr = end = 0;  /* still validates inherit */
	return uvm_map_inherit(&vm->vm_map, addr, end, inherit);
}

/*
 * sys_madvise: NORMAL/RANDOM/SEQUENTIAL set the entries' advice; WILLNEED
 * does nothing; DONTNEED and FREE clean pages and, as OpenBSD's
 * uvm_map_clean, refuse a range with holes (EFAULT).
 */
int
sys_madvise(struct vmspace *vm, vaddr_t addr, vsize_t size, int advice)
{
	struct vm_map *map = &vm->vm_map;
	vaddr_t end;
	bool mapped;

	if (align_range(&addr, &size) != 0)
		return EINVAL;
	end = addr + size;
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
		if (!clamp_user(addr, size, &addr, &end))
			return 0;
		return uvm_map_advice(map, addr, end, advice);
	case MADV_WILLNEED:
		return 0;
	case MADV_DONTNEED:
	case MADV_FREE:
		if (size == 0)
			return 0;
		vm_map_lock_read(map);
		mapped = uvm_map_checkallmapped(map, addr, end);
		vm_map_unlock_read(map);
		if (!mapped)
			return EFAULT;
		return uvm_map_clean(map, addr, end, advice == MADV_FREE ?
		    PGO_FREE : PGO_DEACTIVATE);
	default:
		return EINVAL;
	}
}

/*
 * sys_mincore: NetBSD's: the address must be page aligned, every page must
 * be mapped (ENOMEM otherwise), and a page is in core when it is mapped in
 * the pmap, or held by its anon, or (no anon) resident in the object below.
 */
int
sys_mincore(struct vmspace *vm, vaddr_t addr, vsize_t len, unsigned char *vec)
{
	struct vm_map *map = &vm->vm_map;
	struct vm_map_entry *entry;
	struct vm_anon *anon;
	vaddr_t end, va;
	unsigned char *out;
	int error = 0;

	if (addr & PAGE_MASK)
		return EINVAL;
	len = round_page(len);
	end = addr + len;
	if (end <= addr)
		return EINVAL;
	if (vec == NULL)
		return EFAULT;

	vm_map_lock_read(map);
	if (!uvm_map_checkallmapped(map, addr, end)) {
		error = ENOMEM;
		goto out;
	}
	uvm_map_lookup_entry(map, addr, &entry);
	out = vec;
	for (; entry != &map->header && entry->start < end;
	    entry = entry->next) {
		vaddr_t s = MAX(addr, entry->start), e = MIN(end, entry->end);
		struct vm_amap *amap = entry->aref.ar_amap;

		struct uvm_object *uobj = entry->object;

		if (amap != NULL)
			amap_lock(amap);
		if (uobj != NULL)
			bvm_mutex_enter(&uobj->vmobjlock);
		for (va = s; va < e; va += PAGE_SIZE) {
			bool incore = pmap_extract(map->pmap, va, NULL);

			anon = NULL;
			if (!incore && amap != NULL) {
				/* the upper layer first */
				anon = amap_lookup(&entry->aref,
				    va - entry->start);
				incore = anon != NULL && anon->an_page != NULL;
			}
			/* then the object's page, resident if not mapped */
			if (!incore && anon == NULL && uobj != NULL)
				incore = uvm_pagelookup(uobj, entry->offset +
				    (voff_t)(va - entry->start)) != NULL;
			*out++ = incore ? BVM_MINCORE_INCORE : 0;
		}
		if (uobj != NULL)
			bvm_mutex_exit(&uobj->vmobjlock);
		if (amap != NULL)
			amap_unlock(amap);
	}
out:
	vm_map_unlock_read(map);
	return error;
}

/*
 * sys_mquery: where would mmap put it?  MAP_FIXED alone selects the fixed
 * mode: the address itself or EINVAL.
 */
int
sys_mquery(struct vmspace *vm, vaddr_t addr, vsize_t size, int prot,
    int flags, int fd, voff_t pos, vaddr_t *retval)
{
	vsize_t pageoff;
	vaddr_t upos = (vaddr_t)pos;
	int uvmflags = 0, error;

	if (prot & ~PROT_MASK)
		return EINVAL;
	if ((unsigned)flags & ~(unsigned)BVM_MAP_FLAGMASK)
		return EINVAL;
	if (size == 0)
		return EINVAL;
	if (!(flags & BVM_MAP_ANON) && fd != -1)
		return fd < 0 ? EBADF : ENODEV;
	if (align_addr(&upos, &size, &pageoff) != 0)
		return EINVAL;
	if (flags & BVM_MAP_FIXED) {
		if (addr & PAGE_MASK)
			return EINVAL;
		uvmflags |= UVM_FLAG_FIXED;
	} else {
		addr = round_page(addr);
		if (addr == 0)
			addr = VM_MIN_ADDRESS;
	}
	if (addr > UINT64_MAX - size)
		return (flags & BVM_MAP_FIXED) ? EINVAL : ENOMEM;
	error = uvm_map_mquery(&vm->vm_map, &addr, size, uvmflags);
	if (error == 0)
		*retval = addr;
	return error;
}

/*
 * sys_mlock: wire [addr, addr+size).  Over the system's wired-page limit
 * or RLIMIT_MEMLOCK: EAGAIN.
 */
int
sys_mlock(struct vmspace *vm, vaddr_t addr, vsize_t size)
{
	struct vm_map *map = &vm->vm_map;
	struct bvm_system *sys = map->sys;
	int error;

	if (align_range(&addr, &size) != 0)
		return EINVAL;
	if (atop(size) + CNT_GET(sys->uvmexp.wired) > sys->uvmexp.wiredmax)
		return EAGAIN;
	if (vm->vm_rlimit_memlock != BVM_RLIM_INFINITY) {
		vsize_t wired;

		vm_map_lock_read(map);
		wired = uvm_map_wired(map);
		vm_map_unlock_read(map);
		if (size + wired > vm->vm_rlimit_memlock)
			return EAGAIN;
	}
	if (size == 0)
		return 0;
	error = uvm_map_pageable(map, addr, addr + size, false);
	/* a page that cannot be faulted in (beyond a file, I/O): ENOMEM */
	if (error == ENXIO || error == EIO)
		error = ENOMEM;
	return error;
}

int
sys_munlock(struct vmspace *vm, vaddr_t addr, vsize_t size)
{

	if (align_range(&addr, &size) != 0)
		return EINVAL;
	if (size == 0)
		return 0;
	return uvm_map_pageable(&vm->vm_map, addr, addr + size, true);
}

int
sys_mlockall(struct vmspace *vm, int flags)
{
	int error;

	if (flags == 0 || (flags & ~(BVM_MCL_CURRENT | BVM_MCL_FUTURE)))
		return EINVAL;
	error = uvm_map_pageable_all(&vm->vm_map, flags,
	    vm->vm_rlimit_memlock);
	if (error != 0 && error != ENOMEM)
		return EAGAIN;
	return error;
}

int
sys_munlockall(struct vmspace *vm)
{
	return uvm_map_pageable_all(&vm->vm_map, 0, 0);
}
