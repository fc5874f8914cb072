/*
 * uvm_map.c: uvm map operations.
 *
 * A map is a sorted, non-overlapping set of entries, kept twice: on a
 * doubly-linked list headed by map->header (for walking ranges in order)
 * and in a red-black tree keyed by start address (for O(log n) lookup).
 * The tree is augmented with free space, as OpenBSD's was before its
 * uvm_addr rework:
 *
 *   entry->ownspace  the free space between this entry's end and the next
 *                    entry's start (or the map's end)
 *   entry->space     the largest ownspace in this entry's subtree
 *
 * so that uvm_map_findspace() descends only into subtrees that have a hole
 * big enough: O(log n) instead of a list walk.  The free space before the
 * first entry is checked separately (it belongs to the header).
 *
 * Every change to an entry's extent or to the set of entries goes through
 * uvm_map_entry_link/unlink or uvm_rb_fixup, which keep the augmentation
 * right; bvm_check.c verifies it after every operation in debug builds.
 *
 * Lock order (docs/locking.md): map lock -> amap lock -> (object lock) ->
 * page queue lock -> free list lock -> pmap lock.
 */
#include "pmap.h"
#include "uvm.h"
#include "uvm_amap.h"
#include "uvm_anon.h"
#include "uvm_fault.h"
#include "uvm_map.h"
#include "uvm_object.h"

/*
 * Where mmap without a hint starts looking (first fit, upward): 1 GiB,
 * leaving low memory to fixed mappings such as a program's text.  OpenBSD
 * picks a random address instead; bsdvm is deterministic so that runs can
 * be reproduced and compared (docs/semantics.md).
 */
#define UVM_MMAP_BASE 0x40000000ULL

static inline void uvm_rb_augment(struct vm_map_entry *);

#undef RB_AUGMENT
#define RB_AUGMENT(x) uvm_rb_augment(x)

static int
uvm_mapentry_addrcmp(struct vm_map_entry *e1, struct vm_map_entry *e2)
{
	return e1->start < e2->start ? -1 : e1->start > e2->start;
}

RB_GENERATE(uvm_map_addr, vm_map_entry, daddrs.addr_entry,
    uvm_mapentry_addrcmp)

#define ENTRY_LEFT(e)   RB_LEFT((e), daddrs.addr_entry)
#define ENTRY_RIGHT(e)  RB_RIGHT((e), daddrs.addr_entry)
#define ENTRY_PARENT(e) RB_PARENT((e), daddrs.addr_entry)

/* ---------------------------------------------------------------------
 * Locking.
 * ------------------------------------------------------------------- */

void
vm_map_lock(struct vm_map *map)
{
	bvm_rw_enter_write(&map->lock);
	map->timestamp++;
}

void
vm_map_unlock(struct vm_map *map)
{
	bvm_rw_exit_write(&map->lock);
}

void
vm_map_lock_read(struct vm_map *map)
{
	bvm_rw_enter_read(&map->lock);
}

void
vm_map_unlock_read(struct vm_map *map)
{
	bvm_rw_exit_read(&map->lock);
}

/* ---------------------------------------------------------------------
 * The augmented tree.
 * ------------------------------------------------------------------- */

/* uvm_rb_augment: recompute entry->space from its children. */
static inline void
uvm_rb_augment(struct vm_map_entry *entry)
{
	struct vm_map_entry *l = ENTRY_LEFT(entry), *r = ENTRY_RIGHT(entry);
	vsize_t space = entry->ownspace;

	if (l != NULL && l->space > space)
		space = l->space;
	if (r != NULL && r->space > space)
		space = r->space;
	entry->space = space;
}

/* the free space after entry. => map locked */
static inline vsize_t
uvm_rb_space(struct vm_map *map, struct vm_map_entry *entry)
{
	vaddr_t end = entry->next == &map->header ? map->max_offset :
	    entry->next->start;

	KASSERT(end >= entry->end);
	return end - entry->end;
}

/* recompute space on the path from entry to the root */
static void
uvm_rb_walkup(struct vm_map_entry *entry)
{
	for (; entry != NULL; entry = ENTRY_PARENT(entry))
		uvm_rb_augment(entry);
}

/*
 * uvm_rb_fixup: entry's extent or its successor changed: recompute its
 * ownspace and the augmentation up to the root.
 * => map must be write-locked.
 */
void
uvm_rb_fixup(struct vm_map *map, struct vm_map_entry *entry)
{
	entry->ownspace = uvm_rb_space(map, entry);
	uvm_rb_walkup(entry);
}

/*
 * uvm_map_entry_link: insert entry after `after` (which may be the header).
 * => map must be write-locked; entry must fit between after and its next.
 */
static void
uvm_map_entry_link(struct vm_map *map, struct vm_map_entry *after,
    struct vm_map_entry *entry)
{
	RW_ASSERT_WRLOCK(&map->lock);
	entry->prev = after;
	entry->next = after->next;
	after->next->prev = entry;
	after->next = entry;
	entry->ownspace = uvm_rb_space(map, entry);
	entry->space = entry->ownspace;
	if (RB_INSERT(uvm_map_addr, &map->addr, entry) != NULL)
		panic("uvm_map_entry_link: entry %#llx collides",
		    (unsigned long long)entry->start);
	uvm_rb_walkup(entry);
	if (after != &map->header)
		uvm_rb_fixup(map, after);
	map->nentries++;
}

/*
 * uvm_map_entry_unlink: take entry out of the list and the tree.
 * => map must be write-locked.
 */
static void
uvm_map_entry_unlink(struct vm_map *map, struct vm_map_entry *entry)
{
	struct vm_map_entry *parent, *prev = entry->prev;

	RW_ASSERT_WRLOCK(&map->lock);
	parent = ENTRY_PARENT(entry);
	RB_REMOVE(uvm_map_addr, &map->addr, entry);
	entry->next->prev = prev;
	prev->next = entry->next;
	/*
	 * The removal changed the subtree of every node from the unlinked
	 * position to the root; RB_REMOVE's rotations only fixed some.
	 */
	if (parent != NULL && parent != entry)
		uvm_rb_walkup(parent);
	if (prev != &map->header)
		uvm_rb_fixup(map, prev);
	map->nentries--;
	if (__atomic_load_n(&map->hint, __ATOMIC_RELAXED) == entry)
		__atomic_store_n(&map->hint, NULL, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------------
 * Entry allocation.
 * ------------------------------------------------------------------- */

/*
 * uvm_mapent_alloc: a map entry, its fields unset but `flags` (where it
 * came from): every caller fills in all of them (uvm_map_mkentry, or
 * uvm_mapent_copy), and linking sets the tree and space fields.
 * => maps that must not sleep (VM_MAP_INTRSAFE) take entries from the
 *    static reserve; other maps from the user (or kernel) entry pool.
 * => flags: PR_NOFAIL for allocations that cannot fail (clipping).
 * => returns NULL when out of memory.
 */
struct vm_map_entry *
uvm_mapent_alloc(struct vm_map *map, int flags)
{
	struct bvm_system *sys = map->sys;
	struct vm_map_entry *me;
	uint8_t eflags = 0;

	if (map->flags & VM_MAP_INTRSAFE) {
		bvm_mutex_enter(&sys->kentry_lock);
		me = sys->kentry_free;
		if (me != NULL)
			sys->kentry_free = me->next;
		bvm_mutex_exit(&sys->kentry_lock);
		if (me == NULL)
			panic("uvm_mapent_alloc: out of static map entries");
		eflags = UVM_MAP_STATIC;
	} else if (map->flags & VM_MAP_ISVMSPACE) {
		me = pool_get(&sys->mapent_pool, flags);
	} else {
		me = pool_get(&sys->mapent_kmem_pool, flags);
		eflags = UVM_MAP_KMEM;
	}
	if (me == NULL)
		return NULL;
	me->flags = eflags;
	me->next_read = 0;
	me->read_ahead = 0;
	CNT_INC(sys->uvmexp.map_entries);
	return me;
}

/* uvm_mapent_free: give an entry back to where it came from. */
void
uvm_mapent_free(struct vm_map *map, struct vm_map_entry *me)
{
	struct bvm_system *sys = map->sys;

	CNT_SUB(sys->uvmexp.map_entries, 1);
	if (me->flags & UVM_MAP_STATIC) {
		bvm_mutex_enter(&sys->kentry_lock);
		me->next = sys->kentry_free;
		sys->kentry_free = me;
		bvm_mutex_exit(&sys->kentry_lock);
	} else if (me->flags & UVM_MAP_KMEM)
		pool_put(&sys->mapent_kmem_pool, me);
	else
		pool_put(&sys->mapent_pool, me);
}

/* copy an entry's attributes (not its links) */
static void
uvm_mapent_copy(struct vm_map_entry *src, struct vm_map_entry *dst)
{
	uint8_t flags = dst->flags;

	dst->start = src->start;
	dst->end = src->end;
	dst->object = src->object;
	dst->offset = src->offset;
	dst->etype = src->etype;
	dst->protection = src->protection;
	dst->max_protection = src->max_protection;
	dst->inheritance = src->inheritance;
	dst->wired_count = src->wired_count;
	dst->aref = src->aref;
	dst->advice = src->advice;
	dst->flags = flags;
}

void
uvm_map_init(struct bvm_system *sys)
{
	int i;

	pool_init(&sys->mapent_pool, sizeof(struct vm_map_entry), "vmmpepl",
	    FI_MAPENT_ALLOC);
	pool_init(&sys->mapent_kmem_pool, sizeof(struct vm_map_entry),
	    "vmmpekpl", FI_MAPENT_ALLOC);
	bvm_mutex_init(&sys->kentry_lock);
	sys->kentry_static = calloc(MAX_KMAPENT, sizeof(struct vm_map_entry));
	if (sys->kentry_static == NULL)
		panic("uvm_map_init: no memory for static entries");
	sys->kentry_free = NULL;
	for (i = 0; i < MAX_KMAPENT; i++) {
		sys->kentry_static[i].next = sys->kentry_free;
		sys->kentry_free = &sys->kentry_static[i];
	}
}

/*
 * uvm_map_setup: initialise an empty map over [min, max).
 */
void
uvm_map_setup(struct vm_map *map, struct bvm_system *sys, struct pmap *pmap,
    vaddr_t min, vaddr_t max, int flags)
{
	memset(map, 0, sizeof(*map));
	bvm_rw_init(&map->lock);
	RB_INIT(&map->addr);
	map->header.next = map->header.prev = &map->header;
	map->header.start = map->header.end = min;
	map->pmap = pmap;
	map->min_offset = min;
	map->max_offset = max;
	map->flags = flags;
	map->sys = sys;
}

/* ---------------------------------------------------------------------
 * Lookup.
 * ------------------------------------------------------------------- */

/*
 * uvm_map_lookup_entry: find the entry containing addr.
 * => map must be locked (read or write).
 * => returns true and *entry = the entry if addr is mapped; otherwise false
 *    and *entry = the last entry before addr, or &map->header.
 */
bool
uvm_map_lookup_entry(struct vm_map *map, vaddr_t addr,
    struct vm_map_entry **entry)
{
	struct vm_map_entry *cur, *best = NULL;

	RW_ASSERT_ANYLOCK(&map->lock);
	cur = __atomic_load_n(&map->hint, __ATOMIC_RELAXED);
	if (cur != NULL && cur->start <= addr && addr < cur->end) {
		*entry = cur;
		return true;
	}
	cur = RB_ROOT(&map->addr);
	while (cur != NULL) {
		if (addr < cur->start)
			cur = ENTRY_LEFT(cur);
		else {
			best = cur;
			if (addr < cur->end) {
				__atomic_store_n(&map->hint, cur,
				    __ATOMIC_RELAXED);
				*entry = cur;
				return true;
			}
			cur = ENTRY_RIGHT(cur);
		}
	}
	*entry = best != NULL ? best : &map->header;
	return false;
}

/* ---------------------------------------------------------------------
 * Clipping.
 * ------------------------------------------------------------------- */

/*
 * uvm_map_clip_start: split entry so that it starts at addr; the part
 * before addr becomes a new entry.
 * => map must be write-locked; entry->start < addr < entry->end.
 * => cannot fail (as in the kernel, where it sleeps for memory).
 */
void
uvm_map_clip_start(struct vm_map *map, struct vm_map_entry *entry,
    vaddr_t addr)
{
	struct vm_map_entry *new;
	vsize_t adj = addr - entry->start;

	RW_ASSERT_WRLOCK(&map->lock);
	KASSERT(entry->start < addr && addr < entry->end);
	new = uvm_mapent_alloc(map, PR_NOFAIL);
	uvm_mapent_copy(entry, new);
	new->end = addr;
	if (entry->aref.ar_amap != NULL)
		amap_splitref(&new->aref, &entry->aref, adj);
	if (entry->object != NULL) {
		entry->object->pgops->pgo_reference(entry->object);
		entry->offset += adj;
	}
	entry->start = addr;   /* keeps the tree order: new goes before */
	uvm_map_entry_link(map, entry->prev, new);
}

/*
 * uvm_map_clip_end: split entry so that it ends at addr; the part from addr
 * on becomes a new entry.
 * => map must be write-locked; entry->start < addr < entry->end.
 */
void
uvm_map_clip_end(struct vm_map *map, struct vm_map_entry *entry, vaddr_t addr)
{
	struct vm_map_entry *new;
	vsize_t adj = addr - entry->start;

	RW_ASSERT_WRLOCK(&map->lock);
	KASSERT(entry->start < addr && addr < entry->end);
	new = uvm_mapent_alloc(map, PR_NOFAIL);
	uvm_mapent_copy(entry, new);
	new->start = addr;
	if (entry->aref.ar_amap != NULL)
		amap_splitref(&entry->aref, &new->aref, adj);
	if (entry->object != NULL) {
		entry->object->pgops->pgo_reference(entry->object);
		new->offset += adj;
	}
	entry->end = addr;
	uvm_map_entry_link(map, entry, new);
}

/* ---------------------------------------------------------------------
 * Free space.
 * ------------------------------------------------------------------- */

/* the aligned place for sz bytes in the part of [gs, ge) at or above lo */
static bool
uvm_map_fits(vaddr_t gs, vaddr_t ge, vaddr_t lo, vsize_t sz, vsize_t align,
    vaddr_t *addr)
{
	vaddr_t a;

	if (gs < lo)
		gs = lo;
	a = (gs + align - 1) & ~(align - 1);
	if (a < gs || a >= ge || ge - a < sz)
		return false;
	*addr = a;
	return true;
}

/*
 * the lowest hole at or above lo in the subtree of n: skip subtrees whose
 * largest hole is too small, and left subtrees that lie wholly below lo.
 */
static bool
uvm_map_findspace_tree(struct vm_map_entry *n, vaddr_t lo, vsize_t sz,
    vsize_t align, vaddr_t *addr)
{
	while (n != NULL && n->space >= sz) {
		if (n->start > lo &&
		    uvm_map_findspace_tree(ENTRY_LEFT(n), lo, sz, align, addr))
			return true;
		if (n->ownspace >= sz && uvm_map_fits(n->end,
		    n->end + n->ownspace, lo, sz, align, addr))
			return true;
		n = ENTRY_RIGHT(n);
	}
	return false;
}

static bool
uvm_map_findspace_from(struct vm_map *map, vaddr_t lo, vsize_t sz,
    vsize_t align, vaddr_t *addr)
{
	struct vm_map_entry *first = map->header.next;
	vaddr_t ge = first == &map->header ? map->max_offset : first->start;

	if (uvm_map_fits(map->min_offset, ge, lo, sz, align, addr))
		return true;
	return uvm_map_findspace_tree(RB_ROOT(&map->addr), lo, sz, align,
	    addr);
}

/*
 * uvm_map_findspace: find sz free bytes, aligned to align, at the lowest
 * address at or above hint (0: the mmap base); failing that, anywhere.
 * => map must be locked.
 * => returns 0 and *addr, or ENOMEM.
 */
int
uvm_map_findspace(struct vm_map *map, vaddr_t hint, vsize_t sz, vsize_t align,
    vaddr_t *addr)
{
	RW_ASSERT_ANYLOCK(&map->lock);
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (sz == 0 || sz > map->max_offset - map->min_offset)
		return ENOMEM;
	if (hint == 0)
		hint = UVM_MMAP_BASE;
	if (uvm_map_findspace_from(map, MAX(hint, map->min_offset), sz, align,
	    addr))
		return 0;
	if (uvm_map_findspace_from(map, map->min_offset, sz, align, addr))
		return 0;
	return ENOMEM;
}

/*
 * uvm_map_isavail: is [addr, addr+sz) inside the map and wholly free?
 * => map must be locked.
 */
bool
uvm_map_isavail(struct vm_map *map, vaddr_t addr, vsize_t sz)
{
	struct vm_map_entry *prev;

	if (addr < map->min_offset || addr + sz < addr ||
	    addr + sz > map->max_offset)
		return false;
	if (uvm_map_lookup_entry(map, addr, &prev))
		return false;
	return prev->next == &map->header || prev->next->start >= addr + sz;
}

/*
 * uvm_map_checkallmapped: is every page of [start, end) mapped?
 * => map must be locked.
 */
bool
uvm_map_checkallmapped(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *entry;

	if (!uvm_map_lookup_entry(map, start, &entry))
		return false;
	while (entry->end < end) {
		if (entry->next == &map->header ||
		    entry->next->start != entry->end)
			return false;
		entry = entry->next;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * RLIMIT_DATA accounting.
 * ------------------------------------------------------------------- */

/*
 * uvmspace_dused: the pages of [start, end) counted against RLIMIT_DATA.
 * OpenBSD leaves the process's stack region out; bsdvm has no stack region
 * (MAP_STACK mappings are counted like the rest, as on OpenBSD).
 */
vsize_t
uvmspace_dused(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	(void)map;
	return atop(end - start);
}

/* does this entry count against RLIMIT_DATA? anonymous and accessible */
static inline bool
uvm_mapent_isdata(struct vm_map_entry *entry)
{
	return entry->object == NULL && entry->protection != PROT_NONE;
}

/* ---------------------------------------------------------------------
 * Mapping.
 * ------------------------------------------------------------------- */

/* can `b` (new, no amap) be merged onto the end of `a`? */
static bool
uvm_mapent_isjoinable(struct vm_map_entry *a, struct vm_map_entry *b)
{
	return a->end == b->start &&
	    a->object == NULL && b->object == NULL &&
	    a->aref.ar_amap == NULL && b->aref.ar_amap == NULL &&
	    a->etype == b->etype &&
	    a->protection == b->protection &&
	    a->max_protection == b->max_protection &&
	    a->inheritance == b->inheritance &&
	    a->advice == b->advice &&
	    a->wired_count == 0 && b->wired_count == 0 &&
	    a->flags == b->flags;
}

/*
 * uvm_map_mkentry: make and link the entry for [start, start+sz) with the
 * attributes in flags (UVM_MAPFLAG).  Anonymous entries without an amap are
 * merged with an adjacent entry of the same kind, so that many small mmaps
 * in a row do not grow the map (UVM_FLAG_NOMERGE prevents it).
 * => map must be write-locked; the range must be free.
 * => *entryp, if not NULL, is a preallocated entry (consumed or freed).
 * => returns 0 and sets *entryp to the entry covering the range, or ENOMEM.
 */
int
uvm_map_mkentry(struct vm_map *map, vaddr_t start, vsize_t sz, int flags,
    struct vm_map_entry **entryp)
{
	struct vm_map_entry *entry, *prev, *next;
	vm_prot_t prot = UVM_PROTECTION(flags);

	RW_ASSERT_WRLOCK(&map->lock);
	entry = *entryp != NULL ? *entryp : uvm_mapent_alloc(map, 0);
	if (entry == NULL)
		return ENOMEM;
	entry->start = start;
	entry->end = start + sz;
	entry->object = NULL;
	entry->offset = 0;
	entry->etype = 0;
	if (flags & UVM_FLAG_COPYONW)
		entry->etype |= UVM_ET_COPYONWRITE | UVM_ET_NEEDSCOPY;
	if (flags & UVM_FLAG_STACK)
		entry->etype |= UVM_ET_STACK;
	if (flags & UVM_FLAG_CONCEAL)
		entry->etype |= UVM_ET_CONCEAL;
	if (flags & UVM_FLAG_NOFAULT)
		entry->etype |= UVM_ET_NOFAULT;
	entry->protection = prot;
	entry->max_protection = UVM_MAXPROTECTION(flags);
	entry->inheritance = UVM_INHERIT(flags);
	entry->advice = UVM_ADVICE(flags);
	entry->wired_count = 0;
	entry->aref.ar_pageoff = 0;
	entry->aref.ar_amap = NULL;

	uvm_map_lookup_entry(map, start, &prev);
	KASSERT(prev == &map->header || prev->end <= start);
	next = prev->next;
	map->size += sz;

	if (!(flags & (UVM_FLAG_NOMERGE | UVM_FLAG_OVERLAY))) {
		bool back = prev != &map->header &&
		    uvm_mapent_isjoinable(prev, entry);
		bool fwd = next != &map->header &&
		    uvm_mapent_isjoinable(entry, next);

		if (back && fwd) {
			/* the new range fills the hole between two twins */
			vaddr_t end = next->end;
			uvm_map_entry_unlink(map, next);
			uvm_mapent_free(map, next);
			prev->end = end;
			uvm_rb_fixup(map, prev);
		} else if (back) {
			prev->end = entry->end;
			uvm_rb_fixup(map, prev);
		} else if (fwd) {
			next->start = entry->start;  /* order is unchanged */
			if (prev != &map->header)
				uvm_rb_fixup(map, prev);
		}
		if (back || fwd) {
			uvm_mapent_free(map, entry);
			*entryp = back ? prev : next;
			return 0;
		}
	}
	uvm_map_entry_link(map, prev, entry);
	*entryp = entry;
	return 0;
}

/*
 * uvm_map: map [*addr, *addr+sz) to uobj at uoffset (uobj NULL:
 * anonymous memory).
 * => *addr is the hint (or the exact address with UVM_FLAG_FIXED).
 * => UVM_FLAG_FIXED|UVM_FLAG_UNMAP replaces what is there, atomically: the
 *    new entry (and amap) are allocated before the old range is removed, so
 *    a failure leaves the map as it was.  FIXED without UNMAP fails with
 *    ENOMEM if the range is not free (__MAP_NOREPLACE).
 * => UVM_FLAG_OVERLAY: the amap is created now (MAP_SHARED anonymous
 *    memory, __MAP_NOFAULT objects).
 * => on success the entry takes over the caller's reference to uobj; on
 *    failure the caller keeps it.
 * => map must be unlocked.  => returns 0 and *addr, or ENOMEM.
 */
int
uvm_map(struct vm_map *map, vaddr_t *addr, vsize_t sz,
    struct uvm_object *uobj, voff_t uoffset, vsize_t align, int flags)
{
	struct vmspace *vm = (struct vmspace *)map;
	struct uvm_map_deadq dead;
	struct vm_map_entry *entry;
	struct vm_amap *amap = NULL;
	vaddr_t va = *addr;
	int error;

	KASSERT((sz & PAGE_MASK) == 0 && sz != 0);
	DEADQ_INIT(&dead);
	/* allocate before locking, and before anything is removed */
	entry = uvm_mapent_alloc(map, 0);
	if (entry == NULL)
		return ENOMEM;
	if (flags & UVM_FLAG_OVERLAY) {
		amap = amap_alloc(map->sys, sz, 0);
		if (amap == NULL) {
			uvm_mapent_free(map, entry);
			return ENOMEM;
		}
	}

	vm_map_lock(map);
	if (flags & UVM_FLAG_FIXED) {
		if (va < map->min_offset || va + sz < va ||
		    va + sz > map->max_offset) {
			error = ENOMEM;
			goto fail;
		}
		if (flags & UVM_FLAG_UNMAP)
			uvm_unmap_remove(map, va, va + sz, &dead);
		else if (!uvm_map_isavail(map, va, sz)) {
			error = ENOMEM;
			goto fail;
		}
	} else {
		/* a free, aligned hint is used as it is */
		if (va == 0 || (va & (align - 1)) != 0 ||
		    !uvm_map_isavail(map, va, sz)) {
			error = uvm_map_findspace(map, va, sz, align, &va);
			if (error)
				goto fail;
		}
	}
	if ((flags & UVM_FLAG_OVERLAY) || uobj != NULL)
		flags |= UVM_FLAG_NOMERGE;
	error = uvm_map_mkentry(map, va, sz, flags, &entry);
	KASSERT(error == 0);  /* the entry was preallocated */
	if (uobj != NULL) {
		entry->object = uobj;
		entry->offset = uoffset;
		entry->etype |= UVM_ET_OBJ;
	}
	if (amap != NULL) {
		entry->aref.ar_amap = amap;
		entry->aref.ar_pageoff = 0;
		entry->etype &= ~UVM_ET_NEEDSCOPY;
	}
	if ((map->flags & VM_MAP_ISVMSPACE) && uvm_mapent_isdata(entry))
		vm->vm_dused += uvmspace_dused(map, va, va + sz);
	vm_map_unlock(map);
	uvm_unmap_detach(map, &dead);
	*addr = va;
	return 0;

fail:
	vm_map_unlock(map);
	uvm_mapent_free(map, entry);
	if (amap != NULL)
		amap_unref(amap, 0, atop(sz), true);
	return error;
}

/* uvm_mapanon: map anonymous memory (uvm_map without an object) */
int
uvm_mapanon(struct vm_map *map, vaddr_t *addr, vsize_t sz, vsize_t align,
    int flags)
{
	return uvm_map(map, addr, sz, NULL, 0, align, flags);
}

/* ---------------------------------------------------------------------
 * Unmapping.
 * ------------------------------------------------------------------- */

/*
 * uvm_unmap_remove: remove the entries in [start, end) from the map and
 * its pmap; put them on the dead queue for uvm_unmap_detach, which drops
 * their amap and object references after the map is unlocked.
 * => map must be write-locked.
 */
void
uvm_unmap_remove(struct vm_map *map, vaddr_t start, vaddr_t end,
    struct uvm_map_deadq *dead)
{
	struct vmspace *vm = (struct vmspace *)map;
	struct vm_map_entry *entry, *next;

	RW_ASSERT_WRLOCK(&map->lock);
	if (uvm_map_lookup_entry(map, start, &entry))
		UVM_MAP_CLIP_START(map, entry, start);
	else
		entry = entry->next;
	while (entry != &map->header && entry->start < end) {
		UVM_MAP_CLIP_END(map, entry, end);
		next = entry->next;
		if (VM_MAPENT_ISWIRED(entry)) {
			uvm_fault_unwire_locked(map, entry, entry->start,
			    entry->end);
			entry->wired_count = 0;
		}
		/* with neither amap nor object nothing can be mapped */
		if (entry->aref.ar_amap != NULL || entry->object != NULL)
			pmap_remove(map->pmap, entry->start, entry->end);
		if ((map->flags & VM_MAP_ISVMSPACE) &&
		    uvm_mapent_isdata(entry))
			vm->vm_dused -= uvmspace_dused(map, entry->start,
			    entry->end);
		map->size -= entry->end - entry->start;
		uvm_map_entry_unlink(map, entry);
		entry->daddrs.dead_next = dead->head;
		dead->head = entry;
		entry = next;
	}
}

/*
 * uvm_unmap_detach: drop the references of dead entries and free them.
 * => map must be unlocked (amap_unref may free pages).
 */
void
uvm_unmap_detach(struct vm_map *map, struct uvm_map_deadq *dead)
{
	struct vm_map_entry *entry;

	while ((entry = dead->head) != NULL) {
		dead->head = entry->daddrs.dead_next;
		if (entry->aref.ar_amap != NULL)
			amap_unref(entry->aref.ar_amap, entry->aref.ar_pageoff,
			    (int)atop(entry->end - entry->start), false);
		if (entry->object != NULL)
			entry->object->pgops->pgo_detach(entry->object);
		uvm_mapent_free(map, entry);
	}
}

/*
 * uvm_unmap: remove [start, end).
 * => map must be unlocked.  => returns 0.
 */
int
uvm_unmap(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct uvm_map_deadq dead;

	DEADQ_INIT(&dead);
	vm_map_lock(map);
	uvm_unmap_remove(map, start, end, &dead);
	vm_map_unlock(map);
	uvm_unmap_detach(map, &dead);
	return 0;
}

/* ---------------------------------------------------------------------
 * Attributes: protection, inheritance, advice.
 * ------------------------------------------------------------------- */

static int uvm_map_wire_locked(struct vm_map *, vaddr_t, vaddr_t);

/* the first entry that overlaps [start, end), clipped to start */
static struct vm_map_entry *
uvm_map_first(struct vm_map *map, vaddr_t start)
{
	struct vm_map_entry *entry;

	if (uvm_map_lookup_entry(map, start, &entry))
		return entry;
	return entry->next;
}

/*
 * uvm_map_protect: set the protection (or, with set_max, the maximum
 * protection, lowering the protection with it) of [start, end).
 * All entries are checked before any is changed.  Holes are skipped.
 * => map must be unlocked.
 * => returns 0, EACCES (above max_protection), ENOMEM (RLIMIT_DATA).
 */
int
uvm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_prot_t new_prot, bool set_max)
{
	struct vmspace *vm = (struct vmspace *)map;
	struct vm_map_entry *entry, *first;
	vsize_t dused_delta = 0;
	vm_prot_t old_prot, mask;
	int error = 0;

	if (start >= end)
		return 0;
	vm_map_lock(map);
	first = uvm_map_first(map, start);

	/* pass 1: may every entry take the new protection? */
	for (entry = first; entry != &map->header && entry->start < end;
	    entry = entry->next) {
		if (!set_max && (new_prot & entry->max_protection) != new_prot) {
			error = EACCES;
			goto out;
		}
		if ((map->flags & VM_MAP_ISVMSPACE) && entry->object == NULL &&
		    entry->protection == PROT_NONE && new_prot != PROT_NONE)
			dused_delta += uvmspace_dused(map,
			    MAX(entry->start, start), MIN(entry->end, end));
	}
	if (dused_delta != 0 && vm->vm_rlimit_data != BVM_RLIM_INFINITY &&
	    ptoa(vm->vm_dused + dused_delta) > vm->vm_rlimit_data) {
		error = ENOMEM;
		goto out;
	}

	/* pass 2: change them */
	entry = first;
	if (entry != &map->header && entry->start < start)
		UVM_MAP_CLIP_START(map, entry, start);
	for (; entry != &map->header && entry->start < end;
	    entry = entry->next) {
		UVM_MAP_CLIP_END(map, entry, end);
		old_prot = entry->protection;
		if (set_max) {
			entry->max_protection = new_prot;
			entry->protection &= new_prot;
		} else
			entry->protection = new_prot;
		if ((map->flags & VM_MAP_ISVMSPACE) && entry->object == NULL) {
			vsize_t n = uvmspace_dused(map, entry->start,
			    entry->end);
			if (old_prot == PROT_NONE &&
			    entry->protection != PROT_NONE)
				vm->vm_dused += n;
			else if (old_prot != PROT_NONE &&
			    entry->protection == PROT_NONE)
				vm->vm_dused -= n;
		}
		/*
		 * Take rights away in the pmap.  Copy-on-write entries never
		 * keep write access there: a page may be shared, and the
		 * next write must fault to find out.
		 */
		mask = UVM_ET_ISCOPYONWRITE(entry) ? ~PROT_WRITE : PROT_MASK;
		if (entry->protection != old_prot)
			pmap_protect(map->pmap, entry->start, entry->end,
			    entry->protection & mask);
		/*
		 * mlockall(MCL_FUTURE): memory that becomes accessible is
		 * wired now, as OpenBSD does; the protection stays changed
		 * if it cannot be.
		 */
		if ((map->flags & VM_MAP_WIREFUTURE) &&
		    !VM_MAPENT_ISWIRED(entry) && old_prot == PROT_NONE &&
		    entry->protection != PROT_NONE &&
		    uvm_map_wire_locked(map, entry->start, entry->end) != 0)
			error = ENOMEM;
	}
out:
	vm_map_unlock(map);
	return error;
}

/*
 * uvm_map_inherit: set the inheritance of [start, end).
 * => returns 0, EINVAL (bad value), EPERM (INHERIT_ZERO on an entry that is
 *    not writable; nothing changed).
 */
int
uvm_map_inherit(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_inherit_t inherit)
{
	struct vm_map_entry *entry, *first;

	switch (inherit) {
	case MAP_INHERIT_SHARE:
	case MAP_INHERIT_COPY:
	case MAP_INHERIT_NONE:
	case MAP_INHERIT_ZERO:
		break;
	default:
		return EINVAL;
	}
	if (start >= end)
		return 0;
	vm_map_lock(map);
	first = uvm_map_first(map, start);
	if (inherit == MAP_INHERIT_ZERO) {
		for (entry = first; entry != &map->header &&
		    entry->start < end; entry = entry->next) {
			if ((entry->protection & PROT_WRITE) == 0) {
				vm_map_unlock(map);
				return EPERM;
			}
		}
	}
	entry = first;
	if (entry != &map->header && entry->start < start)
		UVM_MAP_CLIP_START(map, entry, start);
	for (; entry != &map->header && entry->start < end;
	    entry = entry->next) {
		UVM_MAP_CLIP_END(map, entry, end);
		entry->inheritance = inherit;
	}
	vm_map_unlock(map);
	return 0;
}

/*
 * uvm_map_advice: set the fault-around advice of [start, end).
 * => returns 0 or EINVAL (advice other than NORMAL/RANDOM/SEQUENTIAL).
 */
int
uvm_map_advice(struct vm_map *map, vaddr_t start, vaddr_t end, int advice)
{
	struct vm_map_entry *entry;

	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
		break;
	default:
		return EINVAL;
	}
	if (start >= end)
		return 0;
	vm_map_lock(map);
	entry = uvm_map_first(map, start);
	if (entry != &map->header && entry->start < start)
		UVM_MAP_CLIP_START(map, entry, start);
	for (; entry != &map->header && entry->start < end;
	    entry = entry->next) {
		UVM_MAP_CLIP_END(map, entry, end);
		entry->advice = advice;
	}
	vm_map_unlock(map);
	return 0;
}

/*
 * uvm_map_clean: the work of msync and of madvise's DONTNEED and FREE on
 * [start, end):
 *   PGO_CLEANIT     the objects' modified pages are written (msync)
 *   PGO_SYNCIO      and the objects wait for their disks (MS_SYNC)
 *   PGO_DEACTIVATE  pages move to the inactive queue, contents kept
 *   PGO_FREE        alone (madvise FREE): private anonymous pages are
 *                   discarded and read back as zero (a page another
 *                   mapping also references through the amap, shared
 *                   memory or a fork child that has not copied yet, is
 *                   only deactivated); objects' pages are deactivated.
 *                   With PGO_CLEANIT (msync MS_INVALIDATE), as OpenBSD:
 *                   anonymous and aobj pages are only deactivated, and a
 *                   file's pages are written, then discarded (through
 *                   writable, non-copy-on-write mappings only)
 * Wired pages are left alone.
 * => map must be unlocked.
 * => returns 0, EFAULT (a hole in the range; nothing done), EBUSY
 *    (PGO_FREE|PGO_CLEANIT, msync's invalidate, over a wired entry), EIO
 *    (an object could not write a page; the rest is done).
 */
int
uvm_map_clean(struct vm_map *map, vaddr_t start, vaddr_t end, int flags)
{
	struct bvm_system *sys = map->sys;
	struct vm_map_entry *entry, *first;
	struct vm_amap *amap;
	struct uvm_object *uobj;
	struct vm_anon *anon;
	struct vm_page *pg;
	vaddr_t va, s, e;
	int error = 0, rv;

	vm_map_lock_read(map);
	if (!uvm_map_checkallmapped(map, start, end)) {
		vm_map_unlock_read(map);
		return EFAULT;
	}
	first = uvm_map_first(map, start);
	if ((flags & (PGO_FREE | PGO_CLEANIT)) == (PGO_FREE | PGO_CLEANIT))
		for (entry = first; entry != &map->header &&
		    entry->start < end; entry = entry->next)
			if (VM_MAPENT_ISWIRED(entry)) {
				vm_map_unlock_read(map);
				return EBUSY;
			}
	for (entry = first; entry != &map->header && entry->start < end;
	    entry = entry->next) {
		s = MAX(start, entry->start);
		e = MIN(end, entry->end);
		amap = entry->aref.ar_amap;
		if (amap == NULL || !(flags & (PGO_FREE | PGO_DEACTIVATE)))
			goto flush_object;
		amap_lock(amap);
		for (va = s; va < e; va += PAGE_SIZE) {
			anon = amap_lookup(&entry->aref, va - entry->start);
			if (anon == NULL)
				continue;
			/* pg NULL: the anon is out in swap */
			pg = anon->an_page;
			if (pg != NULL && (pg->wire_count != 0 ||
			    pg->loan_count != 0))
				continue;
			/*
			 * FREE (madvise's; msync's CLEANIT|FREE only
			 * deactivates, as OpenBSD) only what this entry alone
			 * references: OpenBSD tests the whole amap's
			 * reference count, which a mere clip of the entry
			 * raises; the slot's own count (ppref) is exact.
			 */
			if ((flags & (PGO_FREE | PGO_CLEANIT)) == PGO_FREE &&
			    !(amap_flags(amap) & AMAP_SHARED) &&
			    amap_slot_refs(&entry->aref,
			    va - entry->start) == 1) {
				if (pg != NULL)
					pmap_remove(map->pmap, va,
					    va + PAGE_SIZE);
				amap_unadd(&entry->aref, va - entry->start);
				if (--anon->an_ref == 0)
					uvm_anfree(sys, anon);
				continue;
			}
			if (pg == NULL)
				continue;
			pmap_clear_reference(sys, pg);
			uvm_pagedeactivate(sys, pg);
		}
		amap_unlock(amap);
flush_object:
		uobj = entry->object;
		if (uobj == NULL || !(flags & (PGO_CLEANIT | PGO_DEACTIVATE |
		    PGO_FREE)))
			continue;
		/*
		 * As OpenBSD: no discarding through a mapping that could not
		 * write the object, nor through a copy-on-write one (its
		 * rights on the object are not known).
		 */
		if ((flags & PGO_FREE) && (!(entry->max_protection &
		    PROT_WRITE) || UVM_ET_ISCOPYONWRITE(entry)))
			continue;
		/*
		 * madvise(FREE) of an object's pages only deactivates them:
		 * discarding a file's page is msync's MS_INVALIDATE, which
		 * writes it first.
		 */
		bvm_mutex_enter(&uobj->vmobjlock);
		rv = uvm_obj_flush(uobj, entry->offset + (voff_t)(s -
		    entry->start), entry->offset + (voff_t)(e - entry->start),
		    (flags & PGO_CLEANIT) ? flags : PGO_DEACTIVATE);
		bvm_mutex_exit(&uobj->vmobjlock);
		if (rv != 0 && error == 0)
			error = rv;
	}
	vm_map_unlock_read(map);
	return error;
}

/* ---------------------------------------------------------------------
 * Wiring (mlock).
 * ------------------------------------------------------------------- */

/*
 * uvm_map_wired: bytes in wired entries (what RLIMIT_MEMLOCK counts).
 * => map locked.
 */
vsize_t
uvm_map_wired(struct vm_map *map)
{
	struct vm_map_entry *entry;
	vsize_t sz = 0;

	RW_ASSERT_ANYLOCK(&map->lock);
	for (entry = map->header.next; entry != &map->header;
	    entry = entry->next)
		if (VM_MAPENT_ISWIRED(entry))
			sz += entry->end - entry->start;
	return sz;
}

/*
 * uvm_map_wire_locked: wire the entries of [start, end) that are not wired
 * yet (user wiring does not nest): each is marked, then its pages are
 * faulted in wired.  If a fault fails, the entries this call wired are
 * unwired again, page for page; entries wired before the call stay wired.
 * => map write-locked; [start, end) wholly mapped, no PROT_NONE entry.
 * => returns 0 or the fault's error (ENOMEM).
 */
static int
uvm_map_wire_locked(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *first, *entry, *e;
	vaddr_t failva = 0;
	int error = 0;

	RW_ASSERT_WRLOCK(&map->lock);
	first = uvm_map_first(map, start);
	UVM_MAP_CLIP_START(map, first, start);
	for (entry = first; entry != &map->header && entry->start < end;
	    entry = entry->next) {
		UVM_MAP_CLIP_END(map, entry, end);
		if (VM_MAPENT_ISWIRED(entry))
			continue;
		entry->wired_count = 1;
		entry->etype |= UVM_ET_WIRING;
		error = uvm_fault_wire_locked(map, entry->start, entry->end,
		    &failva);
		if (error)
			break;
	}
	for (e = first; e != &map->header && e->start < end; e = e->next) {
		if (!(e->etype & UVM_ET_WIRING))
			continue;
		e->etype &= ~UVM_ET_WIRING;
		if (error) {
			uvm_fault_unwire_locked(map, e, e->start,
			    e == entry ? failva : e->end);
			e->wired_count = 0;
		}
	}
	return error;
}

/* uvm_map_unwire_entry: drop an entry's wiring.  => map write-locked */
static void
uvm_map_unwire_entry(struct vm_map *map, struct vm_map_entry *entry)
{
	if (VM_MAPENT_ISWIRED(entry)) {
		uvm_fault_unwire_locked(map, entry, entry->start, entry->end);
		entry->wired_count = 0;
	}
}

/*
 * uvm_map_pageable: wire (new_pageable false) or unwire [start, end).
 * Wiring resolves copy-on-write now and faults every page in, wired, all
 * under the map's write lock (the faults do not take it again), so no
 * other change to the map can come between; user wiring does not nest: an
 * entry is wired or not, and one unwire undoes any number of wirings.
 * => map must be unlocked.
 * => returns 0, ENOMEM (a hole in the range, or no memory to wire; the
 *    address space is as it was), EACCES (a PROT_NONE entry).
 */
int
uvm_map_pageable(struct vm_map *map, vaddr_t start, vaddr_t end,
    bool new_pageable)
{
	struct vm_map_entry *entry;
	int error = 0;

	vm_map_lock(map);
	if (!uvm_map_checkallmapped(map, start, end)) {
		vm_map_unlock(map);
		return ENOMEM;
	}
	entry = uvm_map_first(map, start);
	if (new_pageable) {
		UVM_MAP_CLIP_START(map, entry, start);
		for (; entry != &map->header && entry->start < end;
		    entry = entry->next) {
			UVM_MAP_CLIP_END(map, entry, end);
			uvm_map_unwire_entry(map, entry);
		}
	} else {
		for (; entry != &map->header && entry->start < end;
		    entry = entry->next)
			if (entry->protection == PROT_NONE)
				error = EACCES;
		if (error == 0)
			error = uvm_map_wire_locked(map, start, end);
	}
	vm_map_unlock(map);
	return error;
}

/*
 * uvm_map_pageable_all: mlockall / munlockall.
 * => flags: BVM_MCL_CURRENT, BVM_MCL_FUTURE; 0 means munlockall.
 * => limit: RLIMIT_MEMLOCK in bytes.
 * => returns 0, or ENOMEM (over the limits, or a wiring fault failed);
 *    a failure leaves the map as it was: the entries this call wired are
 *    unwired, those wired before stay, and MCL_FUTURE is as it was.
 */
int
uvm_map_pageable_all(struct vm_map *map, int flags, vsize_t limit)
{
	struct bvm_system *sys = map->sys;
	struct vm_map_entry *entry, **wired;
	vsize_t size = 0;
	size_t nwired = 0;
	int error = 0, oflags;

	vm_map_lock(map);
	if (flags == 0) {
		map->flags &= ~VM_MAP_WIREFUTURE;
		for (entry = map->header.next; entry != &map->header;
		    entry = entry->next)
			uvm_map_unwire_entry(map, entry);
		vm_map_unlock(map);
		return 0;
	}
	oflags = map->flags;
	if (flags & BVM_MCL_FUTURE)
		map->flags |= VM_MAP_WIREFUTURE;
	if (!(flags & BVM_MCL_CURRENT)) {
		vm_map_unlock(map);
		return 0;
	}
	for (entry = map->header.next; entry != &map->header;
	    entry = entry->next)
		if (entry->protection != PROT_NONE &&
		    !VM_MAPENT_ISWIRED(entry))
			size += entry->end - entry->start;
	if (atop(size) + CNT_GET(sys->uvmexp.wired) > sys->uvmexp.wiredmax ||
	    (limit != BVM_RLIM_INFINITY &&
	    size + uvm_map_wired(map) > limit)) {
		map->flags = oflags;
		vm_map_unlock(map);
		return ENOMEM;
	}
	/*
	 * Wire entry by entry (whole entries: nothing is clipped, so the
	 * list stays as it is); remember which ones, to undo them alone.
	 */
	wired = malloc((size_t)map->nentries * sizeof(*wired) + 1);
	if (wired == NULL) {
		map->flags = oflags;
		vm_map_unlock(map);
		return ENOMEM;
	}
	for (entry = map->header.next; entry != &map->header && error == 0;
	    entry = entry->next) {
		if (entry->protection == PROT_NONE || VM_MAPENT_ISWIRED(entry))
			continue;
		error = uvm_map_wire_locked(map, entry->start, entry->end);
		if (error == 0)
			wired[nwired++] = entry;
	}
	if (error) {
		while (nwired > 0)
			uvm_map_unwire_entry(map, wired[--nwired]);
		map->flags = oflags;
		error = ENOMEM;
	}
	free(wired);
	vm_map_unlock(map);
	return error;
}

/* ---------------------------------------------------------------------
 * mquery.
 * ------------------------------------------------------------------- */

/*
 * uvm_map_mquery: where could sz bytes go at or after *addr?  With
 * UVM_FLAG_FIXED only *addr itself is tried.
 * => returns 0 and *addr, EINVAL (fixed and not free), ENOMEM.
 */
int
uvm_map_mquery(struct vm_map *map, vaddr_t *addr, vsize_t sz, int flags)
{
	vaddr_t va = *addr;
	int error = 0;

	vm_map_lock_read(map);
	if (uvm_map_isavail(map, va, sz))
		goto out;
	if (flags & UVM_FLAG_FIXED) {
		error = EINVAL;
		goto out;
	}
	if (va < map->min_offset)
		va = map->min_offset;
	if (!uvm_map_findspace_from(map, va, sz, PAGE_SIZE, &va))
		error = ENOMEM;
out:
	vm_map_unlock_read(map);
	if (error == 0)
		*addr = va;
	return error;
}

/* ---------------------------------------------------------------------
 * vmspaces: alloc, free, fork, exec.
 * ------------------------------------------------------------------- */

/*
 * uvmspace_alloc: a new, empty vmspace with its pmap.
 * => returns NULL when out of memory.
 */
struct vmspace *
uvmspace_alloc(struct bvm_system *sys)
{
	struct vmspace *vm;
	struct pmap *pmap;

	if (bvm_fi_fail(FI_VMSPACE_ALLOC))
		return NULL;
	vm = calloc(1, sizeof(*vm));
	if (vm == NULL)
		return NULL;
	pmap = pmap_create(sys);
	if (pmap == NULL) {
		free(vm);
		return NULL;
	}
	uvm_map_setup(&vm->vm_map, sys, pmap, VM_MIN_ADDRESS,
	    VM_MAXUSER_ADDRESS, VM_MAP_PAGEABLE | VM_MAP_ISVMSPACE);
	vm->vm_refcnt = 1;
	vm->vm_rlimit_data = sys->params.rlimit_data;
	vm->vm_rlimit_memlock = sys->params.rlimit_memlock;
	bvm_mutex_enter(&sys->listlock);
	LIST_INSERT_HEAD(&sys->vmspaces, vm, vm_list);
	bvm_mutex_exit(&sys->listlock);
	CNT_INC(sys->uvmexp.vmspaces);
	return vm;
}

/*
 * uvmspace_free: drop a reference; the last one unmaps everything and
 * frees the vmspace and its pmap.
 */
void
uvmspace_free(struct vmspace *vm)
{
	struct vm_map *map = &vm->vm_map;
	struct bvm_system *sys = map->sys;

	if (__atomic_sub_fetch(&vm->vm_refcnt, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	uvm_unmap(map, map->min_offset, map->max_offset);
	KASSERT(map->nentries == 0 && map->size == 0);
	pmap_destroy(map->pmap);
	bvm_rw_destroy(&map->lock);
	bvm_mutex_enter(&sys->listlock);
	LIST_REMOVE(vm, vm_list);
	bvm_mutex_exit(&sys->listlock);
	CNT_SUB(sys->uvmexp.vmspaces, 1);
	free(vm);
}

/*
 * uvmspace_exec: give vm an empty address space, as execve does; the
 * resource limits stay, mlockall(MCL_FUTURE) does not.
 */
void
uvmspace_exec(struct vmspace *vm)
{
	struct vm_map *map = &vm->vm_map;

	uvm_unmap(map, map->min_offset, map->max_offset);
	vm_map_lock(map);
	map->flags &= ~VM_MAP_WIREFUTURE;
	KASSERT(vm->vm_dused == 0);
	vm->vm_dused = 0;
	vm_map_unlock(map);
}

/* clone old_entry into new_map, after the new map's last entry */
static struct vm_map_entry *
uvm_mapent_clone(struct vm_map *new_map, struct vm_map_entry *old_entry)
{
	struct vm_map_entry *new_entry;

	new_entry = uvm_mapent_alloc(new_map, 0);
	if (new_entry == NULL)
		return NULL;
	uvm_mapent_copy(old_entry, new_entry);
	new_entry->wired_count = 0;   /* wiring is not inherited */
	new_entry->aref.ar_amap = NULL;
	new_entry->aref.ar_pageoff = 0;
	if (new_entry->object != NULL)
		new_entry->object->pgops->pgo_reference(new_entry->object);
	uvm_map_entry_link(new_map, new_map->header.prev, new_entry);
	new_map->size += new_entry->end - new_entry->start;
	if (uvm_mapent_isdata(new_entry))
		((struct vmspace *)new_map)->vm_dused += uvmspace_dused(
		    new_map, new_entry->start, new_entry->end);
	return new_entry;
}

/*
 * uvmspace_fork: make vm2, a child of vm1, entry by entry according to
 * inheritance:
 *   SHARE  the child shares the amap (resolving needs-copy first, so both
 *          see one amap); the amap becomes AMAP_SHARED.
 *   COPY   the child references the same amap and both entries become
 *          needs-copy; the parent's pmap loses write access, so the next
 *          write on either side faults and copies.  An amap that is shared
 *          (AMAP_SHARED) or a wired entry is copied for the child at once
 *          (amap_copy; amap_cow_now for wired memory).
 *   ZERO   the child gets a fresh zero-fill entry.
 *   NONE   nothing.
 * => the cost is O(entries) plus O(2 MiB regions) for write-protection.
 * => returns 0 and *vm2, or ENOMEM (vm1 unchanged but for needs-copy
 *    resolutions, which are invisible).
 */
int
uvmspace_fork(struct vmspace *vm1, struct vmspace **vm2p)
{
	struct vm_map *old_map = &vm1->vm_map, *new_map;
	struct vm_map_entry *old_entry, *new_entry;
	struct vmspace *vm2;
	struct bvm_system *sys = old_map->sys;
	int error = 0;

	vm2 = uvmspace_alloc(sys);
	if (vm2 == NULL)
		return ENOMEM;
	new_map = &vm2->vm_map;
	vm_map_lock(old_map);
	vm_map_lock(new_map);
	vm2->vm_rlimit_data = vm1->vm_rlimit_data;
	vm2->vm_rlimit_memlock = vm1->vm_rlimit_memlock;

	for (old_entry = old_map->header.next; old_entry != &old_map->header;
	    old_entry = old_entry->next) {
		vsize_t len = old_entry->end - old_entry->start;

		switch (old_entry->inheritance) {
		case MAP_INHERIT_NONE:
			continue;

		case MAP_INHERIT_SHARE:
			if (UVM_ET_ISNEEDSCOPY(old_entry)) {
				error = amap_copy(old_map, old_entry);
				if (error)
					goto fail;
			}
			new_entry = uvm_mapent_clone(new_map, old_entry);
			if (new_entry == NULL) {
				error = ENOMEM;
				goto fail;
			}
			new_entry->aref = old_entry->aref;
			if (new_entry->aref.ar_amap != NULL)
				amap_ref(new_entry->aref.ar_amap,
				    new_entry->aref.ar_pageoff, (int)atop(len),
				    AMAP_SHARED);
			break;

		case MAP_INHERIT_COPY:
			new_entry = uvm_mapent_clone(new_map, old_entry);
			if (new_entry == NULL) {
				error = ENOMEM;
				goto fail;
			}
			new_entry->etype |= UVM_ET_COPYONWRITE |
			    UVM_ET_NEEDSCOPY;
			if (old_entry->aref.ar_amap == NULL)
				break;
			new_entry->aref = old_entry->aref;
			amap_ref(new_entry->aref.ar_amap,
			    new_entry->aref.ar_pageoff, (int)atop(len), 0);
			if ((amap_flags(old_entry->aref.ar_amap) &
			    AMAP_SHARED) || !UVM_ET_ISCOPYONWRITE(old_entry) ||
			    VM_MAPENT_ISWIRED(old_entry)) {
				/*
				 * The child's copy is made now, pages and
				 * all: the amap is wired (no faults
				 * allowed), or shared memory (MAP_SHARED,
				 * or shared with other entries),
				 * which must keep sharing one set of anons
				 * that any of them may have wired.  Lazy
				 * copy-on-write would give those anons a
				 * second reference behind the sharers'
				 * backs.
				 */
				error = amap_copy(new_map, new_entry);
				if (error == 0)
					error = amap_cow_now(new_map,
					    new_entry);
				if (error)
					goto fail;
				break;
			}
			if (!UVM_ET_ISNEEDSCOPY(old_entry)) {
				if (old_entry->protection & PROT_WRITE)
					pmap_protect(old_map->pmap,
					    old_entry->start, old_entry->end,
					    old_entry->protection &
					    ~PROT_WRITE);
				old_entry->etype |= UVM_ET_NEEDSCOPY;
			}
			break;

		case MAP_INHERIT_ZERO:
			new_entry = uvm_mapent_clone(new_map, old_entry);
			if (new_entry == NULL) {
				error = ENOMEM;
				goto fail;
			}
			new_entry->etype |= UVM_ET_COPYONWRITE |
			    UVM_ET_NEEDSCOPY;
			if (new_entry->object != NULL) {
				/* fresh anonymous memory: no object below */
				new_entry->object->pgops->pgo_detach(
				    new_entry->object);
				new_entry->object = NULL;
				new_entry->etype &= ~UVM_ET_OBJ;
				if (uvm_mapent_isdata(new_entry))
					vm2->vm_dused += uvmspace_dused(
					    new_map, new_entry->start,
					    new_entry->end);
			}
			new_entry->offset = 0;
			break;

		default:
			panic("uvmspace_fork: inheritance %d",
			    old_entry->inheritance);
		}
	}
	vm_map_unlock(new_map);
	vm_map_unlock(old_map);
	CNT_INC(sys->uvmexp.forks);
	*vm2p = vm2;
	return 0;

fail:
	vm_map_unlock(new_map);
	vm_map_unlock(old_map);
	uvmspace_free(vm2);
	return error;
}
