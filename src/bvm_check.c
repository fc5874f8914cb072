/*
 * bvm_check.c: invariant checkers (the uvm_tree_sanity of bsdvm).
 *
 * uvm_vmspace_sanity() checks one address space; it runs after every
 * operation in debug builds of systems created with BVM_SYS_CHECK, so it
 * takes the map's write lock (no fault of this vmspace runs meanwhile) and
 * the amap lock of each entry it looks into.  It checks:
 *
 *   V1  the entry list is sorted, non-overlapping, page aligned, inside the
 *       map, with consistent prev/next links, nentries and size
 *   V2  the tree holds exactly the list's entries in the same order, with
 *       right parent links, and every ownspace and space is exact
 *   V3  vm_dused equals the anonymous accessible pages of the map
 *   V4  each aref lies inside its amap; without ppref it covers all of it;
 *       NEEDSCOPY only on copy-on-write entries
 *   V5  each amap's used-slot list, back pointers and anons agree; every
 *       anon has a reference, the amap's lock, and a page it owns or a
 *       swap slot (paged out)
 *   V6  every pmap mapping lies in an entry, with no more rights than the
 *       entry, maps exactly the page of the anon at that slot, is writable
 *       only if that anon is not shared and the entry is not needs-copy,
 *       and is on the page's pv list; the resident count is right
 *   V7  a wired anonymous entry has a resident anon at every page
 *   (V6 for objects: where the amap has no anon, a mapping maps the
 *   object's page at that offset, never writable in a copy-on-write entry)
 *
 * uvm_system_sanity() checks the whole system and must run while no other
 * thread uses it (tests call it between steps).  On top of V1-V6 for each
 * vmspace:
 *
 *   S1  free lists: counts, flags, zero pages really zero, no owners
 *   S2  every amap's reference count (and ppref counts per slot) equals
 *       the arefs that point into it from all maps
 *   S3  every anon's reference count equals the amap slots holding it;
 *       the live anon and amap counters equal what is reachable (leaks)
 *   S4  every allocated page is owned by exactly the anon that points at it
 *       (or is a pglist page); queue counts match
 *   S5  every page's wire_count is the number of wired entries holding it
 *       (through an anon, or the object's page where the amap has none)
 *   S6  every object's page index holds exactly its resident pages, each
 *       owned by it at its offset; its reference count is the entries,
 *       handles and names referring to it; the object counters agree
 *   S7  every swap slot an anon or an aobj page records is in use, not bad,
 *       and records that owner; the slots in use are those and the bad
 *       ones; swpgonly counts the recorded slots whose page is not resident
 *
 * It holds the page daemon off (pdlock) while it counts; the per-vmspace
 * checks tolerate the daemon removing mappings while they walk.
 */
#include <stdarg.h>

#include "pmap.h"
#include "uvm.h"
#include "uvm_amap.h"
#include "uvm_anon.h"
#include "uvm_map.h"
#include "uvm_object.h"
#include "uvm_swap.h"

struct chk {
	char *msg;
	size_t msglen;
	int failed;
};

static int chk_fail(struct chk *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
chk_fail(struct chk *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->failed && c->msg != NULL && c->msglen > 0) {
		va_start(ap, fmt);
		vsnprintf(c->msg, c->msglen, fmt, ap);
		va_end(ap);
	}
	c->failed = 1;
	return EFAULT;
}

#define CHK(c, cond, ...) do {                                         \
	if (!(cond))                                                    \
		return chk_fail((c), __VA_ARGS__);                     \
} while (0)

/* V2: check the subtree of n; *it walks the list alongside. */
static int
chk_tree(struct chk *c, struct vm_map *map, struct vm_map_entry *n,
    struct vm_map_entry *parent, struct vm_map_entry **it, int depth)
{
	struct vm_map_entry *l, *r;
	vsize_t own, space;
	int error;

	if (n == NULL)
		return 0;
	CHK(c, depth < 128, "tree deeper than 128");
	CHK(c, RB_PARENT(n, daddrs.addr_entry) == parent,
	    "entry %#llx: bad parent link", (unsigned long long)n->start);
	l = RB_LEFT(n, daddrs.addr_entry);
	r = RB_RIGHT(n, daddrs.addr_entry);
	if ((error = chk_tree(c, map, l, n, it, depth + 1)) != 0)
		return error;
	CHK(c, *it == n, "tree order differs from the list at %#llx",
	    (unsigned long long)n->start);
	*it = n->next;
	own = (n->next == &map->header ? map->max_offset : n->next->start) -
	    n->end;
	CHK(c, n->ownspace == own, "entry %#llx: ownspace %#llx, want %#llx",
	    (unsigned long long)n->start, (unsigned long long)n->ownspace,
	    (unsigned long long)own);
	space = own;
	if (l != NULL && l->space > space)
		space = l->space;
	if (r != NULL && r->space > space)
		space = r->space;
	CHK(c, n->space == space, "entry %#llx: space %#llx, want %#llx",
	    (unsigned long long)n->start, (unsigned long long)n->space,
	    (unsigned long long)space);
	return chk_tree(c, map, r, n, it, depth + 1);
}

/* V5: one amap's internal consistency.  => amap locked (or quiescent) */
static int
chk_amap(struct chk *c, struct vm_amap *amap)
{
	int i, slot, used = 0;

	CHK(c, amap->am_ref > 0, "amap %p: no references", (void *)amap);
	CHK(c, amap->am_nused >= 0 && amap->am_nused <= amap->am_nslot,
	    "amap %p: nused %d of %d", (void *)amap, amap->am_nused,
	    amap->am_nslot);
	for (i = 0; i < amap->am_nused; i++) {
		slot = amap->am_slots[i];
		CHK(c, slot >= 0 && slot < amap->am_nslot,
		    "amap %p: used slot %d out of range", (void *)amap, slot);
		CHK(c, amap->am_anon[slot] != NULL && amap->am_bckptr[slot] == i,
		    "amap %p: slot %d: used list and anons disagree",
		    (void *)amap, slot);
	}
	for (slot = 0; slot < amap->am_nslot; slot++) {
		struct vm_anon *anon = amap->am_anon[slot];
		if (anon == NULL)
			continue;
		used++;
		CHK(c, anon->an_ref > 0, "anon %p: no references",
		    (void *)anon);
		CHK(c, anon->an_lock == amap->am_lock,
		    "anon %p: not under its amap's lock", (void *)anon);
		CHK(c, anon->an_page != NULL || anon->an_swslot != 0,
		    "anon %p: neither a page nor a swap slot", (void *)anon);
		CHK(c, anon->an_page == NULL ||
		    (anon->an_page->uanon == anon &&
		    !(PG_FLAGS(anon->an_page) & PG_FREE)),
		    "anon %p: page %#llx not owned by it", (void *)anon,
		    (unsigned long long)anon->an_page->phys_addr);
		if (amap->am_ppref != NULL)
			CHK(c, amap->am_ppref[slot] > 0,
			    "amap %p: slot %d holds an anon with no reference",
			    (void *)amap, slot);
	}
	CHK(c, used == amap->am_nused, "amap %p: %d anons, nused %d",
	    (void *)amap, used, amap->am_nused);
	return 0;
}

struct chk_pmap_arg {
	struct chk *c;
	struct vm_map *map;
	uint64_t count;
	uint64_t gone;    /* mappings removed while the walk ran */
};

/* V6 for one mapping */
static int
chk_mapping(vaddr_t va, paddr_t pa, vm_prot_t prot, bool wired, void *arg)
{
	struct chk_pmap_arg *a = arg;
	struct chk *c = a->c;
	struct vm_map *map = a->map;
	struct bvm_system *sys = map->sys;
	struct vm_map_entry *entry;
	struct vm_anon *anon;
	struct vm_page *pg = PHYS_TO_VM_PAGE(sys, pa);
	struct pv_entry *pve;
	int error = 0;
	bool found = false;

	(void)wired;
	a->count++;
	CHK(c, pg != NULL, "va %#llx maps pa %#llx beyond memory",
	    (unsigned long long)va, (unsigned long long)pa);
	CHK(c, uvm_map_lookup_entry(map, va, &entry),
	    "va %#llx mapped in the pmap but not in the map",
	    (unsigned long long)va);
	CHK(c, (prot & ~(entry->protection | PROT_READ)) == 0 &&
	    entry->protection != PROT_NONE,
	    "va %#llx: pmap allows %d, entry %d", (unsigned long long)va,
	    prot, entry->protection);
	CHK(c, !(PG_FLAGS(pg) & PG_FREE), "va %#llx maps free page %#llx",
	    (unsigned long long)va, (unsigned long long)pa);
	anon = entry->aref.ar_amap != NULL ?
	    amap_lookup(&entry->aref, va - entry->start) : NULL;
	if (anon != NULL) {
		if (anon->an_page != pg)
			error = chk_fail(c, "va %#llx maps %#llx, anon has %#llx",
			    (unsigned long long)va, (unsigned long long)pa,
			    (unsigned long long)(anon->an_page ?
			    anon->an_page->phys_addr : 0));
		else if ((prot & PROT_WRITE) && (anon->an_ref > 1 ||
		    UVM_ET_ISNEEDSCOPY(entry)))
			error = chk_fail(c, "va %#llx writable but shared "
			    "(an_ref %d, needscopy %d)", (unsigned long long)va,
			    anon->an_ref, UVM_ET_ISNEEDSCOPY(entry));
	} else if (entry->object != NULL) {
		struct uvm_object *uobj = entry->object;
		struct vm_page *opg;

		paddr_t now;

		bvm_mutex_enter(&uobj->vmobjlock);
		opg = uvm_pagelookup(uobj, entry->offset +
		    (voff_t)(va - entry->start));
		/*
		 * The page daemon (or a truncate through another handle) may
		 * have taken the page away since the walk saw the mapping:
		 * only a mapping that is still there counts.
		 */
		if (!pmap_extract(map->pmap, va, &now) || now != pa) {
			bvm_mutex_exit(&uobj->vmobjlock);
			a->count--;
			a->gone++;
			return 0;
		}
		bvm_mutex_exit(&uobj->vmobjlock);
		if (opg != pg)
			error = chk_fail(c, "va %#llx maps %#llx, the object "
			    "has %#llx", (unsigned long long)va,
			    (unsigned long long)pa,
			    (unsigned long long)(opg ? opg->phys_addr : 0));
		else if ((prot & PROT_WRITE) && UVM_ET_ISCOPYONWRITE(entry))
			error = chk_fail(c, "va %#llx: object page writable "
			    "in a copy-on-write entry", (unsigned long long)va);
	} else if (entry->aref.ar_amap != NULL)
		error = chk_fail(c, "va %#llx mapped, no anon in the amap",
		    (unsigned long long)va);
	else
		error = chk_fail(c, "va %#llx mapped in an entry with no "
		    "backing", (unsigned long long)va);
	if (error)
		return error;
	bvm_mutex_enter(&sys->pmaplock);
	for (pve = pg->pv_list; pve != NULL; pve = pve->pv_next)
		if (pve->pv_pmap == map->pmap && pve->pv_va == va)
			found = true;
	bvm_mutex_exit(&sys->pmaplock);
	CHK(c, found, "va %#llx not on page %#llx's pv list",
	    (unsigned long long)va, (unsigned long long)pa);
	return 0;
}

static int
lockobj_cmp(const void *a, const void *b)
{
	const void *x = *(const void *const *)a, *y = *(const void *const *)b;

	return x < y ? -1 : x > y;
}

/* V1-V6 with the map already write-locked */
static int
chk_vmspace_locked(struct chk *c, struct vmspace *vm)
{
	struct vm_map *map = &vm->vm_map;
	struct vm_map_entry *e, *it;
	struct chk_pmap_arg pa;
	struct bvm_lockobj **locks;
	size_t nlocks, k;
	vaddr_t last = map->min_offset;
	vsize_t size = 0, dused = 0;
	uint64_t r0, r1;
	int n = 0, error, nslots;

	/* V1 */
	for (e = map->header.next; e != &map->header; e = e->next) {
		CHK(c, e->prev->next == e && e->next->prev == e,
		    "entry %#llx: broken list links",
		    (unsigned long long)e->start);
		CHK(c, e->start < e->end && !(e->start & PAGE_MASK) &&
		    !(e->end & PAGE_MASK), "entry [%#llx, %#llx): bad extent",
		    (unsigned long long)e->start, (unsigned long long)e->end);
		CHK(c, e->start >= last, "entry %#llx overlaps or is out of "
		    "order", (unsigned long long)e->start);
		CHK(c, e->end <= map->max_offset, "entry %#llx beyond the map",
		    (unsigned long long)e->start);
		last = e->end;
		size += e->end - e->start;
		n++;
		if (e->object == NULL && e->protection != PROT_NONE)
			dused += atop(e->end - e->start);
	}
	CHK(c, n == map->nentries, "nentries %d, list has %d", map->nentries,
	    n);
	CHK(c, size == map->size, "size %#llx, entries add up to %#llx",
	    (unsigned long long)map->size, (unsigned long long)size);
	/* V2 */
	it = map->header.next;
	CHK(c, RB_ROOT(&map->addr) == NULL ||
	    RB_PARENT(RB_ROOT(&map->addr), daddrs.addr_entry) == NULL,
	    "root has a parent");
	if ((error = chk_tree(c, map, RB_ROOT(&map->addr), NULL, &it, 0)))
		return error;
	CHK(c, it == &map->header, "the tree lacks entries of the list");
	/* V3 */
	CHK(c, dused == vm->vm_dused, "vm_dused %llu, want %llu",
	    (unsigned long long)vm->vm_dused, (unsigned long long)dused);
	/* V4, V5 */
	for (e = map->header.next; e != &map->header; e = e->next) {
		struct vm_amap *amap = e->aref.ar_amap;

		CHK(c, !UVM_ET_ISNEEDSCOPY(e) || UVM_ET_ISCOPYONWRITE(e),
		    "entry %#llx: needs-copy but not copy-on-write",
		    (unsigned long long)e->start);
		CHK(c, !(e->wired_count && UVM_ET_ISNEEDSCOPY(e)),
		    "entry %#llx: wired and needs-copy",
		    (unsigned long long)e->start);
		if (amap == NULL) {
			CHK(c, !VM_MAPENT_ISWIRED(e) || e->object != NULL,
			    "entry %#llx: wired without an amap",
			    (unsigned long long)e->start);
			continue;
		}
		nslots = (int)atop(e->end - e->start);
		amap_lock(amap);
		error = 0;
		if (e->aref.ar_pageoff < 0 ||
		    e->aref.ar_pageoff + nslots > amap->am_nslot)
			error = chk_fail(c, "entry %#llx: aref [%d, +%d) outside "
			    "amap of %d", (unsigned long long)e->start,
			    e->aref.ar_pageoff, nslots, amap->am_nslot);
		else if (amap->am_ppref == NULL && (e->aref.ar_pageoff != 0 ||
		    nslots != amap->am_nslot))
			error = chk_fail(c, "entry %#llx: partial aref without "
			    "ppref", (unsigned long long)e->start);
		else
			error = chk_amap(c, amap);
		if (error == 0 && VM_MAPENT_ISWIRED(e) && e->object == NULL &&
		    amap_nslots_used(&e->aref, nslots) != nslots)
			error = chk_fail(c, "entry %#llx: wired but not every "
			    "page is resident", (unsigned long long)e->start);
		amap_unlock(amap);
		if (error)
			return error;
	}
	/*
	 * V6: every mapping, with the amap locks of all entries held (each
	 * lock object once, in address order: entries and amaps share them).
	 */
	pa.c = c;
	pa.map = map;
	pa.count = 0;
	pa.gone = 0;
	nlocks = 0;
	locks = malloc(((size_t)map->nentries + 1) * sizeof(*locks));
	if (locks == NULL)
		return ENOMEM;
	for (e = map->header.next; e != &map->header; e = e->next)
		if (e->aref.ar_amap != NULL)
			locks[nlocks++] = e->aref.ar_amap->am_lock;
	qsort(locks, nlocks, sizeof(*locks), lockobj_cmp);
	for (k = 0; k < nlocks; k++)
		if (k == 0 || locks[k] != locks[k - 1])
			bvm_mutex_enter(&locks[k]->lo_mtx);
	/*
	 * With the map write-locked nothing enters this pmap, but the page
	 * daemon (or a truncate elsewhere) may remove mappings meanwhile: the
	 * count is compared only if the resident count did not move.
	 */
	r0 = pmap_resident_count(map->pmap);
	error = map->pmap->pm_ops->foreach(map->pmap, chk_mapping, &pa);
	r1 = pmap_resident_count(map->pmap);
	for (k = nlocks; k-- > 0;)
		if (k == 0 || locks[k] != locks[k - 1])
			bvm_mutex_exit(&locks[k]->lo_mtx);
	free(locks);
	if (error)
		return error;
	CHK(c, pa.gone != 0 || r0 != r1 || pa.count == r1,
	    "pmap resident %llu, page tables hold %llu",
	    (unsigned long long)pmap_resident_count(map->pmap),
	    (unsigned long long)pa.count);
	return 0;
}

/*
 * uvm_vmspace_sanity: V1-V6 on one vmspace.
 * => map unlocked.  => returns 0 or EFAULT with a message.
 */
int
uvm_vmspace_sanity(struct vmspace *vm, char *msg, size_t msglen)
{
	struct chk c = { msg, msglen, 0 };
	int error;

	if (msg != NULL && msglen > 0)
		msg[0] = '\0';
	vm_map_lock(&vm->vm_map);
	error = chk_vmspace_locked(&c, vm);
	vm_map_unlock(&vm->vm_map);
	return error;
}

/* ---------------------------------------------------------------------
 * The whole system.
 * ------------------------------------------------------------------- */

struct ptrcount {
	const void *p;
	long count;
};

static int
ptrcount_cmp(const void *a, const void *b)
{
	const struct ptrcount *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

static struct ptrcount *
ptrcount_find(struct ptrcount *v, size_t n, const void *p)
{
	struct ptrcount key = { p, 0 };

	return bsearch(&key, v, n, sizeof(*v), ptrcount_cmp);
}

/* S1 */
static int
chk_freelists(struct chk *c, struct bvm_system *sys)
{
	static const uint8_t zero[BVM_PAGE_SIZE];
	struct vm_page *pg;
	uint64_t nzero = 0, ndirty = 0;

	TAILQ_FOREACH(pg, &sys->page_free_zero, pageq) {
		CHK(c, (PG_FLAGS(pg) & (PG_FREE | PG_ZERO)) ==
		    (PG_FREE | PG_ZERO), "page %#llx on the zero list: flags "
		    "%#x", (unsigned long long)pg->phys_addr, PG_FLAGS(pg));
		CHK(c, memcmp(uvm_phys_to_host(sys, pg->phys_addr), zero,
		    PAGE_SIZE) == 0, "page %#llx on the zero list is not zero",
		    (unsigned long long)pg->phys_addr);
		nzero++;
	}
	TAILQ_FOREACH(pg, &sys->page_free_dirty, pageq) {
		CHK(c, PG_FLAGS(pg) == PG_FREE, "page %#llx on the free list:"
		    " flags %#x", (unsigned long long)pg->phys_addr,
		    PG_FLAGS(pg));
		ndirty++;
	}
	CHK(c, nzero == sys->uvmexp.zeropages, "zero list %llu, counter %llu",
	    (unsigned long long)nzero,
	    (unsigned long long)sys->uvmexp.zeropages);
	CHK(c, nzero + ndirty == sys->uvmexp.free,
	    "free lists hold %llu, counter %llu",
	    (unsigned long long)(nzero + ndirty),
	    (unsigned long long)sys->uvmexp.free);
	return 0;
}

/* S6: the objects.  => quiescent system */
static int
chk_objects(struct chk *c, struct bvm_system *sys)
{
	struct uvm_object *uobj;
	struct vmspace *vm;
	struct vm_map_entry *e;
	uint64_t nobj = 0, nvn = 0;

	LIST_FOREACH(uobj, &sys->objects, uo_list) {
		struct vm_page *pg;
		uint64_t idx = 0, n = 0;
		int refs = uvm_obj_extrarefs(uobj);

		nobj++;
		if (UVM_OBJ_IS_VNODE(uobj))
			nvn++;
		while ((pg = uvm_radix_next(&uobj->uo_pages, &idx)) != NULL) {
			CHK(c, pg->uobject == uobj && (uint64_t)pg->offset ==
			    idx << PAGE_SHIFT && !(PG_FLAGS(pg) & PG_FREE),
			    "object %p: index %#llx holds page %#llx of %p "
			    "at %#llx", (void *)uobj, (unsigned long long)idx,
			    (unsigned long long)pg->phys_addr,
			    (void *)pg->uobject,
			    (unsigned long long)pg->offset);
			n++;
			if (++idx == 0)
				break;
		}
		CHK(c, n == uobj->uo_npages, "object %p: %llu pages indexed, "
		    "uo_npages %llu", (void *)uobj, (unsigned long long)n,
		    (unsigned long long)uobj->uo_npages);
		LIST_FOREACH(vm, &sys->vmspaces, vm_list)
			for (e = vm->vm_map.header.next;
			    e != &vm->vm_map.header; e = e->next)
				if (e->object == uobj)
					refs++;
		CHK(c, refs == uobj->uo_refs, "object %p (%s): uo_refs %d, "
		    "%d references", (void *)uobj, uobj->uo_type,
		    uobj->uo_refs, refs);
	}
	CHK(c, nobj == CNT_GET(sys->uvmexp.objects) &&
	    nvn == CNT_GET(sys->uvmexp.vnodes), "objects %llu/%llu, vnodes "
	    "%llu/%llu", (unsigned long long)nobj,
	    (unsigned long long)CNT_GET(sys->uvmexp.objects),
	    (unsigned long long)nvn,
	    (unsigned long long)CNT_GET(sys->uvmexp.vnodes));
	return 0;
}

/*
 * S7: swap slots.  Every slot an anon or aobj page records is in use, not
 * bad, and names that owner; slots in use are exactly those plus the bad
 * ones; swpgonly counts the recorded slots whose page is not resident.
 * => quiescent system (no pageout in flight).
 */
static int
chk_swap(struct chk *c, struct bvm_system *sys, struct ptrcount *anons,
    size_t nanons)
{
	struct uvm_object *uobj;
	struct swap_owner so;
	uint64_t slots = 0, only = 0;
	size_t i;
	bool bad;

	for (i = 0; i < nanons; i++) {
		const struct vm_anon *anon = anons[i].p;

		if (i > 0 && anons[i - 1].p == anon)
			continue;
		if (anon->an_swslot == 0)
			continue;
		CHK(c, uvm_swap_slot_owner(sys, anon->an_swslot, &so, &bad) &&
		    !bad && so.so_owner == (uintptr_t)anon,
		    "anon %p: swap slot %d not recorded as its own",
		    (const void *)anon, anon->an_swslot);
		slots++;
		if (anon->an_page == NULL)
			only++;
	}
	LIST_FOREACH(uobj, &sys->objects, uo_list) {
		uint64_t idx = 0;
		int slot;

		if (!UVM_OBJ_IS_AOBJ(uobj))
			continue;
		while ((slot = uao_next_swslot(uobj, &idx)) != 0) {
			CHK(c, uvm_swap_slot_owner(sys, slot, &so, &bad) &&
			    !bad && so.so_owner == ((uintptr_t)uobj | SWO_AOBJ) &&
			    so.so_idx == idx, "aobj %p page %#llx: swap slot "
			    "%d not recorded as its own", (void *)uobj,
			    (unsigned long long)idx, slot);
			slots++;
			if (uvm_radix_lookup(&uobj->uo_pages, idx) == NULL)
				only++;
			if (++idx == 0)
				break;
		}
	}
	CHK(c, slots + CNT_GET(sys->uvmexp.swpgbad) ==
	    CNT_GET(sys->uvmexp.swpginuse), "swap: %llu slots recorded + %llu "
	    "bad, %llu in use", (unsigned long long)slots,
	    (unsigned long long)CNT_GET(sys->uvmexp.swpgbad),
	    (unsigned long long)CNT_GET(sys->uvmexp.swpginuse));
	CHK(c, only == CNT_GET(sys->uvmexp.swpgonly), "swap: %llu pages only "
	    "in swap, swpgonly %llu", (unsigned long long)only,
	    (unsigned long long)CNT_GET(sys->uvmexp.swpgonly));
	return 0;
}

/* S2-S4.  => quiescent system */
static int
chk_system(struct chk *c0, struct bvm_system *sys)
{
	struct chk c = *c0;
	struct vmspace *vm;
	struct vm_amap *amap;
	struct vm_map_entry *e;
	struct ptrcount *amaps = NULL, *anons = NULL, *pc;
	size_t namaps = 0, nanons = 0, i;
	uint64_t owned = 0, active = 0, inactive = 0, wired = 0, pglist = 0;
	uint64_t objpages = 0;
	int error = 0, s, j;


	/* S2: references to each amap, from every map */
	LIST_FOREACH(amap, &sys->amaps, am_list)
		namaps++;
	CHK(&c, namaps == CNT_GET(sys->uvmexp.amaps),
	    "%zu amaps on the list, counter %llu", namaps,
	    (unsigned long long)CNT_GET(sys->uvmexp.amaps));
	amaps = calloc(namaps + 1, sizeof(*amaps));
	if (amaps == NULL)
		return ENOMEM;
	i = 0;
	LIST_FOREACH(amap, &sys->amaps, am_list)
		amaps[i++].p = amap;
	qsort(amaps, namaps, sizeof(*amaps), ptrcount_cmp);
	LIST_FOREACH(vm, &sys->vmspaces, vm_list) {
		for (e = vm->vm_map.header.next; e != &vm->vm_map.header;
		    e = e->next) {
			if (e->aref.ar_amap == NULL)
				continue;
			pc = ptrcount_find(amaps, namaps, e->aref.ar_amap);
			if (pc == NULL) {
				error = chk_fail(&c, "entry %#llx: amap %p is "
				    "not a live amap",
				    (unsigned long long)e->start,
				    (void *)e->aref.ar_amap);
				goto out;
			}
			pc->count++;
		}
	}
	for (i = 0; i < namaps; i++) {
		amap = (struct vm_amap *)amaps[i].p;
		if (amap->am_ref != amaps[i].count) {
			error = chk_fail(&c, "amap %p: am_ref %d, %ld arefs",
			    (void *)amap, amap->am_ref, amaps[i].count);
			goto out;
		}
		if ((error = chk_amap(&c, amap)) != 0)
			goto out;
		nanons += (size_t)amap->am_nused;
	}
	/* ppref: per slot, the arefs covering it */
	LIST_FOREACH(amap, &sys->amaps, am_list) {
		int *refs;

		if (amap->am_ppref == NULL)
			continue;
		refs = calloc((size_t)amap->am_nslot, sizeof(int));
		if (refs == NULL) {
			error = ENOMEM;
			goto out;
		}
		LIST_FOREACH(vm, &sys->vmspaces, vm_list)
			for (e = vm->vm_map.header.next;
			    e != &vm->vm_map.header; e = e->next)
				if (e->aref.ar_amap == amap)
					for (j = 0; j < (int)atop(e->end -
					    e->start); j++)
						refs[e->aref.ar_pageoff + j]++;
		for (s = 0; s < amap->am_nslot; s++)
			if (refs[s] != amap->am_ppref[s])
				break;
		if (s < amap->am_nslot)
			error = chk_fail(&c, "amap %p slot %d: ppref %d, %d "
			    "arefs", (void *)amap, s, amap->am_ppref[s],
			    refs[s]);
		free(refs);
		if (error)
			goto out;
	}

	/* S3: references to each anon, from every amap slot */
	anons = calloc(nanons + 1, sizeof(*anons));
	if (anons == NULL) {
		error = ENOMEM;
		goto out;
	}
	i = 0;
	LIST_FOREACH(amap, &sys->amaps, am_list)
		for (j = 0; j < amap->am_nused; j++)
			anons[i++].p = amap->am_anon[amap->am_slots[j]];
	qsort(anons, nanons, sizeof(*anons), ptrcount_cmp);
	{
		size_t distinct = 0;

		for (i = 0; i < nanons; ) {
			size_t k = i;
			struct vm_anon *anon = (struct vm_anon *)anons[i].p;

			while (k < nanons && anons[k].p == anon)
				k++;
			if ((long)anon->an_ref != (long)(k - i)) {
				error = chk_fail(&c, "anon %p: an_ref %d, %zu "
				    "slots", (void *)anon, anon->an_ref, k - i);
				goto out;
			}
			distinct++;
			i = k;
		}
		if (distinct != CNT_GET(sys->uvmexp.anons)) {
			error = chk_fail(&c, "%zu anons reachable, %llu live "
			    "(leak)", distinct,
			    (unsigned long long)CNT_GET(sys->uvmexp.anons));
			goto out;
		}
	}

	/* S5: wiring, counted from the wired entries */
	{
		uint32_t *wires = calloc(sys->npages, sizeof(*wires));

		if (wires == NULL) {
			error = ENOMEM;
			goto out;
		}
		LIST_FOREACH(vm, &sys->vmspaces, vm_list)
			for (e = vm->vm_map.header.next;
			    e != &vm->vm_map.header; e = e->next) {
				if (!VM_MAPENT_ISWIRED(e))
					continue;
				for (j = 0; j < (int)atop(e->end - e->start);
				    j++) {
					struct vm_anon *an = e->aref.ar_amap ==
					    NULL ? NULL : e->aref.ar_amap->
					    am_anon[e->aref.ar_pageoff + j];
					struct vm_page *wp = NULL;

					if (an != NULL)
						wp = an->an_page;
					else if (e->object != NULL)
						wp = uvm_radix_lookup(
						    &e->object->uo_pages,
						    ((uint64_t)e->offset >>
						    PAGE_SHIFT) + (uint64_t)j);
					if (wp != NULL)
						wires[atop(wp->phys_addr)]++;
				}
			}
		for (i = 0; i < sys->npages; i++)
			if (sys->pages[i].wire_count != wires[i])
				break;
		if (i < sys->npages)
			error = chk_fail(&c, "page %#llx: wire_count %u, %u "
			    "wired entries hold it",
			    (unsigned long long)sys->pages[i].phys_addr,
			    sys->pages[i].wire_count, wires[i]);
		free(wires);
		if (error)
			goto out;
	}

	/* S4: page ownership and queues */
	for (i = 0; i < sys->npages; i++) {
		struct vm_page *pg = &sys->pages[i];

		if (PG_FLAGS(pg) & PG_FREE)
			continue;
		if (PG_FLAGS(pg) & PG_PGLIST) {
			pglist++;
			continue;
		}
		if (pg->uobject != NULL) {
			/* S6 looks at the object's side */
			if (pg->uanon != NULL || !(PG_FLAGS(pg) & PG_TABLED) ||
			    uvm_radix_lookup(&pg->uobject->uo_pages,
			    (uint64_t)pg->offset >> PAGE_SHIFT) != pg) {
				error = chk_fail(&c, "page %#llx: owned by "
				    "object %p at %#llx, not in its index",
				    (unsigned long long)pg->phys_addr,
				    (void *)pg->uobject,
				    (unsigned long long)pg->offset);
				goto out;
			}
			objpages++;
			if ((PG_FLAGS(pg) & PG_DEVICE) &&
			    (PG_FLAGS(pg) & PQ_QUEUEMASK)) {
				error = chk_fail(&c, "device page %#llx on a "
				    "paging queue",
				    (unsigned long long)pg->phys_addr);
				goto out;
			}
		} else if (pg->uanon == NULL || pg->uanon->an_page != pg ||
		    ptrcount_find(anons, nanons, pg->uanon) == NULL) {
			error = chk_fail(&c, "page %#llx: allocated but not "
			    "owned by a live anon",
			    (unsigned long long)pg->phys_addr);
			goto out;
		}
		owned++;
		if (PG_FLAGS(pg) & PQ_ACTIVE)
			active++;
		if (PG_FLAGS(pg) & PQ_INACTIVE)
			inactive++;
		if (pg->wire_count)
			wired++;
	}
	if (active != sys->uvmexp.active || inactive != sys->uvmexp.inactive ||
	    wired != sys->uvmexp.wired)
		error = chk_fail(&c, "queues: active %llu/%llu inactive "
		    "%llu/%llu wired %llu/%llu", (unsigned long long)active,
		    (unsigned long long)sys->uvmexp.active,
		    (unsigned long long)inactive,
		    (unsigned long long)sys->uvmexp.inactive,
		    (unsigned long long)wired,
		    (unsigned long long)sys->uvmexp.wired);
	else if (objpages != CNT_GET(sys->uvmexp.obj_pages))
		error = chk_fail(&c, "%llu object pages, counter %llu",
		    (unsigned long long)objpages,
		    (unsigned long long)CNT_GET(sys->uvmexp.obj_pages));
	else if (owned + pglist + sys->uvmexp.free != sys->npages)
		error = chk_fail(&c, "pages: %llu owned + %llu pglist + %llu "
		    "free != %llu", (unsigned long long)owned,
		    (unsigned long long)pglist,
		    (unsigned long long)sys->uvmexp.free,
		    (unsigned long long)sys->npages);
	if (error == 0)
		error = chk_objects(&c, sys);
	if (error == 0)
		error = chk_swap(&c, sys, anons, nanons);
out:
	free(amaps);
	free(anons);
	return error;
}

/*
 * uvm_system_sanity: V1-V6 on every vmspace, then S1-S4.
 * => no other thread may use the system meanwhile (the zeroing thread is
 *    held off).  => returns 0, or EFAULT with a message.
 */
int
uvm_system_sanity(struct bvm_system *sys, char *msg, size_t msglen)
{
	struct chk c = { msg, msglen, 0 };
	struct vmspace *vm;
	int error;

	if (msg != NULL && msglen > 0)
		msg[0] = '\0';
	LIST_FOREACH(vm, &sys->vmspaces, vm_list)
		if ((error = uvm_vmspace_sanity(vm, msg, msglen)) != 0)
			return error;
	/*
	 * The page daemon must not be half-way through a scan (a swap
	 * cluster in flight), nor the zeroing thread hold frames off the
	 * lists meanwhile.
	 */
	bvm_mutex_enter(&sys->pdlock);
	if (sys->zero_running)
		pthread_mutex_lock(&sys->zero_mtx);
	error = chk_freelists(&c, sys);
	if (error == 0)
		error = chk_system(&c, sys);
	if (sys->zero_running)
		pthread_mutex_unlock(&sys->zero_mtx);
	bvm_mutex_exit(&sys->pdlock);
	return error;
}
