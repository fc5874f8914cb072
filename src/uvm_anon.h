/*
 * uvm_anon.h: anons, the pages of anonymous memory.
 *
 * An anon is one page of anonymous memory: a reference count (the number of
 * amap slots pointing at it), the page holding its data if it is resident,
 * and the swap slot holding a copy if it has been paged out (an_page NULL:
 * only there; both set: the page is clean while it matches the slot).  An anon is locked by the lock of the amaps that hold it:
 * amaps that share anons (made by amap_copy from one another) share one
 * lock object, so an_lock is that lock.
 */
#ifndef UVM_ANON_H
#define UVM_ANON_H

#include "uvm_extern.h"

struct vm_anon {
	struct bvm_lockobj *an_lock;  /* [I after amap_add; atomic: the page
	                                 daemon reads it] the amap's lock */
	int an_ref;                   /* [an_lock] amap slots using this anon */
	struct vm_page *an_page;      /* [an_lock] resident page, or NULL */
	int an_swslot;                /* [an_lock] swap slot, or 0 */
};

/* anon_setlock: the anon joins an amap (the page daemon reads an_lock) */
static inline void
anon_setlock(struct vm_anon *anon, struct bvm_lockobj *lo)
{
	__atomic_store_n(&anon->an_lock, lo, __ATOMIC_RELEASE);
}

struct vm_anon *uvm_analloc(struct bvm_system *sys);
void uvm_anfree(struct bvm_system *sys, struct vm_anon *anon);
#define UVM_ANFREE_BATCH 64
void uvm_anfree_n(struct bvm_system *sys, struct vm_anon **anons, int n);
void uvm_anon_init(struct bvm_system *sys);
int uvm_anon_pagein(struct bvm_system *sys, struct vm_anon *anon);
void uvm_anon_dropswap(struct bvm_system *sys, struct vm_anon *anon);
int uvm_anon_swap_off(struct bvm_system *sys, struct vm_anon *anon, int slot);

#endif /* UVM_ANON_H */
