/*
 * uvm_object.h: memory objects and their pagers.
 *
 * A uvm_object is the lower layer of a map entry: a file (vnode pager), an
 * anonymous object (aobj), a device.  Its pages are found by offset, and a
 * pager operations table brings them in and out, so a new backing store is
 * one ops table.  The object layer arrives with the objects issue; the fault
 * handler already calls it through these operations.
 */
#ifndef UVM_OBJECT_H
#define UVM_OBJECT_H

#include "uvm_extern.h"

struct uvm_pagerops;

struct uvm_object {
	struct bvm_mutex vmobjlock;             /* lock on the object */
	const struct uvm_pagerops *pgops;       /* [I] pager */
	int uo_refs;                            /* [vmobjlock] */
	uint64_t uo_npages;                     /* [vmobjlock] resident */
	const char *uo_type;                    /* [I] "vnode", "aobj", ... */
};

/* pgo_get flags */
#define PGO_LOCKED 0x01 /* don't sleep; return only resident pages */

struct uvm_pagerops {
	void (*pgo_reference)(struct uvm_object *);
	void (*pgo_detach)(struct uvm_object *);
	/*
	 * pgo_get: the page at offset `off`, busy, for an access of type
	 * access.  => object locked.  => returns 0, EIO, ENOMEM, or
	 * EFAULT-class BUS_OBJERR (ERANGE: beyond the object).
	 */
	int (*pgo_get)(struct uvm_object *, voff_t off, struct vm_page **pg,
	    vm_prot_t access, int flags);
	int (*pgo_put)(struct uvm_object *, voff_t start, voff_t end,
	    int flags);
	int (*pgo_flush)(struct uvm_object *, voff_t start, voff_t end,
	    int flags);
};

#endif /* UVM_OBJECT_H */
