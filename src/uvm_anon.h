/*
 * uvm_anon.h: anons, the pages of anonymous memory.
 *
 * An anon is one page of anonymous memory: a reference count (the number of
 * amap slots pointing at it) and the page holding its data (later, or its
 * swap slot).  An anon is locked by the lock of the amaps that hold it:
 * amaps that share anons (made by amap_copy from one another) share one
 * lock object, so an_lock is that lock.
 */
#ifndef UVM_ANON_H
#define UVM_ANON_H

#include "uvm_extern.h"

struct vm_anon {
	struct bvm_lockobj *an_lock;  /* [I after amap_add] the amap's lock */
	int an_ref;                   /* [an_lock] amap slots using this anon */
	struct vm_page *an_page;      /* [an_lock] resident page, or NULL */
	int an_swslot;                /* [an_lock] swap slot (swap issue) */
};

struct vm_anon *uvm_analloc(struct bvm_system *sys);
void uvm_anfree(struct bvm_system *sys, struct vm_anon *anon);
void uvm_anon_init(struct bvm_system *sys);

#endif /* UVM_ANON_H */
