/*
 * uvm_mmap.c: the memory-management "system calls": mmap, munmap,
 * mprotect, minherit, madvise, mincore, mquery, mlock, munlock, mlockall,
 * munlockall.
 *
 * Each sys_* function checks its arguments exactly as OpenBSD's does, in
 * the same order, so that each bad argument gets the same errno (see
 * /docs/semantics.md and shared/reference/openbsd-syscall-rules.md), then
 * calls the map layer.  The path of an anonymous mmap is the kernel's:
 *
 *   sys_mmap -> uvm_mmapanon -> uvm_mapanon -> uvm_map_mkentry
 *            -> uvm_mapent_alloc
 */
#include "pmap.h"
#include "uvm.h"
#include "uvm_anon.h"
#include "uvm_fault.h"
#include "uvm_map.h"
#include "uvm_mmap.h"

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
 * sys_mmap: see bvm_mmap in bsdvm.h.
 */
int
sys_mmap(struct vmspace *vm, vaddr_t addr, vsize_t size, int prot, int flags,
    int fd, voff_t pos, vaddr_t *retval)
{
	struct vm_map *map = &vm->vm_map;
	struct bvm_system *sys = map->sys;
	vsize_t pageoff;
	vaddr_t upos = (vaddr_t)pos;
	int error;

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

	if (!(flags & BVM_MAP_ANON)) {
		/* file mappings arrive with the object layer */
		return fd < 0 ? EBADF : ENODEV;
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

	/* mlockall(MCL_FUTURE): wire it, or take it back */
	if ((map->flags & VM_MAP_WIREFUTURE) && prot != PROT_NONE) {
		vsize_t wired;

		vm_map_lock_read(map);
		wired = uvm_map_wired(map);  /* the new mapping is not, yet */
		vm_map_unlock_read(map);
		if (atop(size) + CNT_GET(sys->uvmexp.wired) >
		    sys->uvmexp.wiredmax ||
		    (vm->vm_rlimit_memlock != BVM_RLIM_INFINITY &&
		    size + wired > vm->vm_rlimit_memlock) ||
		    uvm_map_pageable(map, addr, addr + size, false) != 0) {
			uvm_unmap(map, addr, addr + size);
			return ENOMEM;
		}
	}
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
 * the pmap or held by an anon.
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

		if (amap != NULL)
			amap_lock(amap);
		for (va = s; va < e; va += PAGE_SIZE) {
			bool incore = pmap_extract(map->pmap, va, NULL);

			if (!incore && amap != NULL) {
				anon = amap_lookup(&entry->aref,
				    va - entry->start);
				incore = anon != NULL && anon->an_page != NULL;
			}
			*out++ = incore ? BVM_MINCORE_INCORE : 0;
		}
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
	return uvm_map_pageable(map, addr, addr + size, false);
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
