/*
 * uvm_object.h: memory objects and their pagers.
 *
 * A uvm_object is the lower layer of a map entry: a file (vnode pager,
 * uvm_vnode.c), an anonymous object (aobj, uvm_aobj.c: shared memory), a
 * device (uvm_device.c).  Its resident pages are found by offset in a radix
 * tree keyed by page index (NetBSD's uo_pages); a pager operations table
 * brings pages in and writes them out, so a new backing store is one ops
 * table.  The fault handler, msync and the page cache calls only use the
 * table.
 *
 * Locks:
 *   [O] vmobjlock: the object's pages, its index, its size, its references
 *   [I] immutable after creation
 *   [L] sys->objlistlock: the system's list of objects
 * Lock order (docs/locking.md): map -> amap -> object -> page queues ->
 * free lists -> pmap.  Pager I/O is done with the object locked: an object
 * does one I/O at a time, and nobody sees a page that is being read.
 */
#ifndef UVM_OBJECT_H
#define UVM_OBJECT_H

#include <sys/queue.h>

#include "uvm_extern.h"

/*
 * The page index: a radix tree of 64-way nodes over page indices.  A tree
 * of height h holds the indices below 64^h; empty nodes are freed.
 */
#define UVM_RADIX_SHIFT  6
#define UVM_RADIX_FANOUT (1 << UVM_RADIX_SHIFT)

struct uvm_radix_node {
	void *slots[UVM_RADIX_FANOUT];
	int count;                     /* non-NULL slots */
};

struct uvm_radix {
	struct uvm_radix_node *root;
	int height;                    /* 0: empty */
};

struct uvm_pagerops;

struct uvm_object {
	struct bvm_mutex vmobjlock;             /* lock on the object */
	const struct uvm_pagerops *pgops;       /* [I] pager */
	struct bvm_system *uo_sys;              /* [I] */
	struct uvm_radix uo_pages;              /* [O] resident pages */
	uint64_t uo_npages;                     /* [O] resident pages */
	int uo_refs;                            /* [O] map entries, handles */
	voff_t uo_size;                         /* [O] bytes */
	const char *uo_type;                    /* [I] "vnode", "aobj", ... */
	char *uo_name;                          /* [I] path or name, or NULL */
	LIST_ENTRY(uvm_object) uo_list;         /* [L] every object */
};

/* pgo_get flags */
#define PGO_PASTEOF   0x01 /* make a page beyond the end (write, extend) */

/* uvm_obj_flush and uvm_map_clean flags */
#define PGO_DEACTIVATE 0x01 /* move pages to the inactive queue */
#define PGO_FREE       0x02 /* discard pages (after cleaning them) */
#define PGO_CLEANIT    0x04 /* write modified pages first */
#define PGO_SYNCIO     0x08 /* and wait for the disk (fdatasync) */

struct uvm_pagerops {
	/* pgo_reference: one more reference.  => object unlocked */
	void (*pgo_reference)(struct uvm_object *);
	/*
	 * pgo_detach: drop a reference; the last one writes the object's
	 * modified pages out and frees it.  => object unlocked
	 */
	void (*pgo_detach)(struct uvm_object *);
	/*
	 * pgo_get: the page at offset off (page aligned), resident on
	 * return, reading it (and, by advice, its neighbours) from the
	 * backing store if needed.
	 * => object locked (I/O is done holding it).
	 * => returns 0 and *pgp, ENXIO (wholly beyond the end of the
	 *    object), EIO (the read failed), ENOMEM.
	 */
	int (*pgo_get)(struct uvm_object *, voff_t off, struct vm_page **pgp,
	    int advice, int flags);
	/*
	 * pgo_put: write npages consecutive resident pages, the first at
	 * pgs[0]->offset, to the backing store; NULL for pagers that keep
	 * their pages in memory (aobj until swap exists, devices).
	 * => object locked.  => returns 0 or EIO.
	 */
	int (*pgo_put)(struct uvm_object *, struct vm_page **pgs, int npages);
	/* pgo_sync: wait for written data to reach the disk.  => 0 or EIO */
	int (*pgo_sync)(struct uvm_object *);
	/*
	 * pgo_setsize: the object's new size (truncate); pages beyond it
	 * have already been freed.  => object locked.  => 0 or an errno.
	 */
	int (*pgo_setsize)(struct uvm_object *, voff_t size);
	/*
	 * pgo_mayfree: may unmodified pages be discarded by uvm_obj_flush
	 * with PGO_FREE (and these flags)?  A pager whose pages come back
	 * from its store says yes; aobj says no to msync's PGO_CLEANIT|
	 * PGO_FREE, as OpenBSD's uao_flush only deactivates then.
	 * NULL: never.
	 */
	bool (*pgo_mayfree)(struct uvm_object *, int flags);
	/*
	 * pgo_dropswap: forget the swap copies of the pages in [start, end)
	 * (their data is being discarded: they come back as zero).  NULL for
	 * pagers without swap.  => object locked.
	 */
	void (*pgo_dropswap)(struct uvm_object *, voff_t start, voff_t end);
};

/* uvm_object.c: the page index and the work common to every pager */
void uvm_obj_init(struct uvm_object *uobj, struct bvm_system *sys,
    const struct uvm_pagerops *ops, const char *type, voff_t size);
void uvm_obj_destroy(struct uvm_object *uobj);
struct vm_page *uvm_pagelookup(struct uvm_object *uobj, voff_t off);
struct vm_page *uvm_obj_nextpage(struct uvm_object *uobj, voff_t *off);
int uvm_obj_pageinsert(struct uvm_object *uobj, struct vm_page *pg,
    voff_t off);
void uvm_obj_pagefree(struct uvm_object *uobj, struct vm_page *pg);
void uvm_obj_pageremove(struct uvm_object *uobj, struct vm_page *pg);
int uvm_obj_flush(struct uvm_object *uobj, voff_t start, voff_t end,
    int flags);
int uvm_obj_truncate(struct uvm_object *uobj, voff_t size);
void uvm_obj_zerotail(struct uvm_object *uobj, voff_t from, voff_t upto);
void uvm_obj_free_all(struct uvm_object *uobj);

/* the radix tree (also an aobj's swap slot table) */
void *uvm_radix_lookup(struct uvm_radix *r, uint64_t idx);
void *uvm_radix_next(struct uvm_radix *r, uint64_t *idx);
int uvm_radix_insert(struct uvm_radix *r, uint64_t idx, void *item);
void uvm_radix_remove(struct uvm_radix *r, uint64_t idx);
void uvm_radix_replace(struct uvm_radix *r, uint64_t idx, void *item);

/* uvm_pager.c: I/O between frames and host files */
int uvm_pager_read(struct bvm_system *sys, int fd, voff_t off,
    struct vm_page **pgs, int npages, size_t *got, enum bvm_fi_site site);
int uvm_pager_write(struct bvm_system *sys, int fd, voff_t off,
    struct vm_page **pgs, int npages, size_t len, enum bvm_fi_site site);

/* the pagers */
int uvn_attach(struct bvm_system *sys, int fd, struct uvm_object **uobjp,
    int *fdmodep);
void uvn_fini(struct bvm_system *sys);
bool uvn_writable(struct uvm_object *uobj);
int uvn_setwfd(struct uvm_object *uobj, int fd);
int uvn_file_io(struct bvm_system *sys, int fd, void *buf, size_t len,
    voff_t off, bool write, size_t *done);

struct uvm_object *uao_create(struct bvm_system *sys, voff_t size,
    const char *name);
int uao_shm_open(struct bvm_system *sys, const char *name, int oflags,
    struct uvm_object **uobjp);
int uao_shm_unlink(struct bvm_system *sys, const char *name);
void uao_fini(struct bvm_system *sys);
bool uao_linked(struct uvm_object *uobj);
int uao_find_swslot(struct uvm_object *uobj, uint64_t idx);
int uao_set_swslot(struct uvm_object *uobj, uint64_t idx, int slot);
int uao_swap_off(struct uvm_object *uobj, uint64_t idx, int slot);
uint64_t uao_swslots(struct uvm_object *uobj);
int uao_next_swslot(struct uvm_object *uobj, uint64_t *idx);

/* bvm_api.c: references held by handles and names, for the checker */
int uvm_obj_extrarefs(struct uvm_object *uobj);

int udv_create(struct bvm_system *sys, uint64_t npages, const char *name,
    struct uvm_object **uobjp, paddr_t *pa);

extern const struct uvm_pagerops uvm_vnodeops;
extern const struct uvm_pagerops aobj_pager;
extern const struct uvm_pagerops uvm_deviceops;

#define UVM_OBJ_IS_VNODE(u)  ((u)->pgops == &uvm_vnodeops)
#define UVM_OBJ_IS_AOBJ(u)   ((u)->pgops == &aobj_pager)
#define UVM_OBJ_IS_DEVICE(u) ((u)->pgops == &uvm_deviceops)

#endif /* UVM_OBJECT_H */
