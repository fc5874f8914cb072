/*
 * uvm_amap.h: anonymous maps (amaps), UVM's upper layer of anonymous memory.
 *
 * Part 1 is the interface the rest of the VM uses; part 2 is the layout,
 * which only uvm_amap.c (and the invariant checker) may touch.
 */
#ifndef UVM_AMAP_H
#define UVM_AMAP_H

#include <sys/queue.h>

#include "uvm_extern.h"

/* ---- part 1: interface -------------------------------------------- */

/*
 * An aref is a map entry's reference to its amap: the amap and the slot at
 * which the entry's first page is found.
 */
struct vm_aref {
	int ar_pageoff;           /* [M] slot of the entry's first page */
	struct vm_amap *ar_amap;  /* [M] the amap, or NULL */
};

/* amap flags */
#define AMAP_SHARED 0x1 /* amap is shared (MAP_SHARED or INHERIT_SHARE) */
#define AMAP_REFALL 0x2 /* amap_ref/unref: the whole amap */

struct vm_amap *amap_alloc(struct bvm_system *sys, vsize_t sz, int flags);
void amap_free(struct vm_amap *amap);
struct vm_anon *amap_lookup(struct vm_aref *aref, vaddr_t offset);
void amap_lookups(struct vm_aref *aref, vaddr_t offset,
    struct vm_anon **anons, int npages);
void amap_add(struct vm_aref *aref, vaddr_t offset, struct vm_anon *anon,
    bool replace);
void amap_unadd(struct vm_aref *aref, vaddr_t offset);
void amap_ref(struct vm_amap *amap, int slotoff, int slotlen, int flags);
void amap_unref(struct vm_amap *amap, int slotoff, int slotlen, bool all);
int amap_copy(struct vm_map *map, struct vm_map_entry *entry);
int amap_cow_now(struct vm_map *map, struct vm_map_entry *entry);
int amap_splitref(struct vm_aref *origref, struct vm_aref *splitref,
    vaddr_t offset);
void amap_lock(struct vm_amap *amap);
void amap_unlock(struct vm_amap *amap);
int amap_flags(struct vm_amap *amap);
int amap_refs(struct vm_amap *amap);
void amap_init(struct bvm_system *sys);
int amap_nslots_used(struct vm_aref *aref, int slotlen);
int amap_nslots_swapped(struct vm_aref *aref, int slotlen);
int amap_slot_refs(struct vm_aref *aref, vaddr_t offset);

/* ---- part 2: implementation (uvm_amap.c and bvm_check.c only) ----- */

/*
 * The array amap of UVM: am_anon[slot] is the anon at a slot or NULL;
 * am_slots[0..am_nused) lists the used slots densely, and
 * am_bckptr[slot] is the index in am_slots of a used slot, so that adding
 * and removing are O(1) and walking the used slots is O(used):
 *
 *             0      1      2      3
 *   am_anon:  NULL,  anon0, NULL,  anon1
 *   am_bckptr:  -    1       -     0       am_slots[am_bckptr[s]] == s
 *   am_slots: 3, 1
 *
 * am_ppref: when an amap is referenced by entries that each cover only part
 * of it (after a clip or a partial unmap), a per-slot reference count, so
 * that slots no entry references any more are freed at once.  NULL until
 * the first partial reference; am_ppref[s] is the number of references to
 * slot s.
 *
 * Locking: every field is protected by am_lock, which is shared by all the
 * amaps that share anons (see uvm_anon.h).
 */
struct vm_amap {
	struct bvm_lockobj *am_lock;  /* [I] lock of the amap and its anons */
	struct bvm_system *am_sys;    /* [I] */
	int am_ref;                   /* [am_lock] references (arefs) */
	int am_flags;                 /* [am_lock] AMAP_SHARED */
	int am_nslot;                 /* [am_lock] slots */
	int am_nused;                 /* [am_lock] used slots */
	int *am_slots;                /* [am_lock] used slots, dense */
	int *am_bckptr;               /* [am_lock] slot -> index in am_slots */
	struct vm_anon **am_anon;     /* [am_lock] slot -> anon */
	int *am_ppref;                /* [am_lock] per-slot refs, or NULL */
	LIST_ENTRY(vm_amap) am_list;  /* [listlock] every amap of the system */
};

#endif /* UVM_AMAP_H */
