/*
 * uvm_map.h: address maps: vmspace, vm_map, vm_map_entry.
 *
 * A vm_map is a set of non-overlapping entries, each a virtual range with
 * its protection, inheritance, advice, wiring, and what backs it: an upper
 * anonymous layer (an aref to an amap) over an optional lower object.
 * Entries live on a sorted list and in a red-black tree keyed by address
 * (libbsd's <sys/tree.h>, the macros of the BSD kernels); the tree is
 * augmented with free space as OpenBSD's was: each entry knows the free
 * space after it (ownspace) and the largest free space in its subtree
 * (space), so finding a hole is O(log n).
 *
 * Locks:
 *   [M] the map's lock: read to look up (faults), write to change
 *   [I] immutable while the entry or map exists
 *   [A] atomic
 */
#ifndef UVM_MAP_H
#define UVM_MAP_H

#include <sys/queue.h>
#include <sys/tree.h>

#include "uvm_amap.h"
#include "uvm_extern.h"
#include "uvm_object.h"

struct vm_map_entry {
	union {
		RB_ENTRY(vm_map_entry) addr_entry;  /* [M] tree by address */
		struct vm_map_entry *dead_next;     /* dead queue */
	} daddrs;
	struct vm_map_entry *prev;    /* [M] previous entry, or header */
	struct vm_map_entry *next;    /* [M] next entry, or header */
	vaddr_t start;                /* [M] start address */
	vaddr_t end;                  /* [M] end address (exclusive) */
	vsize_t ownspace;             /* [M] free space after this entry */
	vsize_t space;                /* [M] max ownspace in the subtree */
	struct uvm_object *object;    /* [M] lower layer, or NULL */
	voff_t offset;                /* [M] offset in object */
	int etype;                    /* [M] UVM_ET_* */
	vm_prot_t protection;         /* [M] */
	vm_prot_t max_protection;     /* [M] */
	vm_inherit_t inheritance;     /* [M] */
	int wired_count;              /* [M] can be paged if 0 */
	struct vm_aref aref;          /* [M] upper (anonymous) layer */
	int advice;                   /* [M] MADV_* */
	uint8_t flags;                /* [I] UVM_MAP_STATIC, UVM_MAP_KMEM */
	/*
	 * Swap read-ahead state (FreeBSD's next_read/read_ahead): where a
	 * sequential access faults next, and the read-ahead that brought
	 * the pages before it.  Hints, updated by faults under the map's
	 * read lock: [atomic], relaxed.
	 */
	vaddr_t next_read;
	int read_ahead;
};

/* entry flags: where it was allocated */
#define UVM_MAP_STATIC 0x01 /* from the static reserve */
#define UVM_MAP_KMEM   0x02 /* from the kernel entry pool */

/* etype */
#define UVM_ET_OBJ         0x0001 /* has a uvm_object */
#define UVM_ET_COPYONWRITE 0x0004 /* private: copy on write */
#define UVM_ET_NEEDSCOPY   0x0008 /* amap must be copied before writing */
#define UVM_ET_NOFAULT     0x0020 /* faults return EFAULT */
#define UVM_ET_STACK       0x0040 /* MAP_STACK */
#define UVM_ET_WC          0x0080
#define UVM_ET_CONCEAL     0x0400 /* MAP_CONCEAL */
#define UVM_ET_WIRING      0x0800 /* being wired now (uvm_map_wire_locked) */

#define UVM_ET_ISOBJ(e)         (((e)->etype & UVM_ET_OBJ) != 0)
#define UVM_ET_ISCOPYONWRITE(e) (((e)->etype & UVM_ET_COPYONWRITE) != 0)
#define UVM_ET_ISNEEDSCOPY(e)   (((e)->etype & UVM_ET_NEEDSCOPY) != 0)
#define UVM_ET_ISNOFAULT(e)     (((e)->etype & UVM_ET_NOFAULT) != 0)
#define VM_MAPENT_ISWIRED(e)    ((e)->wired_count != 0)

RB_HEAD(uvm_map_addr, vm_map_entry);

struct vm_map {
	struct pmap *pmap;            /* [I] physical map */
	struct bvm_rwlock lock;       /* the map lock */
	struct uvm_map_addr addr;     /* [M] entry tree */
	struct vm_map_entry header;   /* [M] list head; start/end unused */
	int nentries;                 /* [M] */
	vsize_t size;                 /* [M] bytes mapped */
	struct vm_map_entry *hint;    /* [A] last entry looked up */
	int flags;                    /* [M] VM_MAP_* */
	unsigned int timestamp;       /* [M] version, bumped by write locks */
	vaddr_t min_offset;           /* [I] */
	vaddr_t max_offset;           /* [I] */
	struct bvm_system *sys;       /* [I] */
};

/* map flags */
#define VM_MAP_PAGEABLE   0x01 /* entries are pageable */
#define VM_MAP_INTRSAFE   0x02 /* must not sleep: static entries */
#define VM_MAP_WIREFUTURE 0x04 /* mlockall(MCL_FUTURE) */
#define VM_MAP_ISVMSPACE  0x40 /* the map of a vmspace */

struct vmspace {
	struct vm_map vm_map;         /* must be first */
	int vm_refcnt;                /* [A] */
	vsize_t vm_dused;             /* [M] pages counted against DATA */
	uint64_t vm_rlimit_data;      /* [M] bytes */
	uint64_t vm_rlimit_memlock;   /* [M] bytes */
	LIST_ENTRY(vmspace) vm_list;  /* [listlock] */
};

/*
 * UVM_MAPFLAG: pack protection, maximum protection, inheritance, advice and
 * mapping flags into one int, as uvm_map() takes them.
 */
#define UVM_PROT_MASK     0x07
#define UVM_INH_MASK      0x30
#define UVM_ADV_MASK      0x700
#define UVM_MAXPROT_SHIFT 8
#define UVM_MAPFLAG(prot, maxprot, inh, advice, flags)                   \
	((prot) | ((inh) << 4) | ((maxprot) << 12) | ((advice) << 16) |  \
	 (flags))
#define UVM_PROTECTION(x) ((x) & 0x7)
#define UVM_INHERIT(x)    (((x) >> 4) & 0x3)
#define UVM_MAXPROTECTION(x) (((x) >> 12) & 0x7)
#define UVM_ADVICE(x)     (((x) >> 16) & 0x7)
#define UVM_FLAG_FIXED    0x0100000 /* the address is exact */
#define UVM_FLAG_OVERLAY  0x0200000 /* create an amap now */
#define UVM_FLAG_NOMERGE  0x0400000 /* never merge with a neighbour */
#define UVM_FLAG_COPYONW  0x0800000 /* private: copy on write */
#define UVM_FLAG_UNMAP    0x1000000 /* FIXED: remove what is there */
#define UVM_FLAG_STACK    0x2000000 /* MAP_STACK */
#define UVM_FLAG_CONCEAL  0x4000000 /* MAP_CONCEAL */
#define UVM_FLAG_NOFAULT  0x8000000

/* the dead-entry queue: entries removed under the lock, freed after it */
struct uvm_map_deadq {
	struct vm_map_entry *head;
};
#define DEADQ_INIT(dq) ((dq)->head = NULL)

/* map locking */
void vm_map_lock(struct vm_map *map);
void vm_map_unlock(struct vm_map *map);
void vm_map_lock_read(struct vm_map *map);
void vm_map_unlock_read(struct vm_map *map);

/* uvm_map.c */
void uvm_map_init(struct bvm_system *sys);
void uvm_map_setup(struct vm_map *map, struct bvm_system *sys,
    struct pmap *pmap, vaddr_t min, vaddr_t max, int flags);
bool uvm_map_lookup_entry(struct vm_map *map, vaddr_t addr,
    struct vm_map_entry **entry);
struct vm_map_entry *uvm_mapent_alloc(struct vm_map *map, int flags);
void uvm_mapent_free(struct vm_map *map, struct vm_map_entry *me);
void uvm_map_clip_start(struct vm_map *map, struct vm_map_entry *entry,
    vaddr_t addr);
void uvm_map_clip_end(struct vm_map *map, struct vm_map_entry *entry,
    vaddr_t addr);
#define UVM_MAP_CLIP_START(map, entry, va) do {                          \
	if ((va) > (entry)->start)                                       \
		uvm_map_clip_start((map), (entry), (va));                \
} while (0)
#define UVM_MAP_CLIP_END(map, entry, va) do {                            \
	if ((va) < (entry)->end)                                         \
		uvm_map_clip_end((map), (entry), (va));                  \
} while (0)
int uvm_map_findspace(struct vm_map *map, vaddr_t hint, vsize_t sz,
    vsize_t align, vaddr_t *addr);
bool uvm_map_isavail(struct vm_map *map, vaddr_t addr, vsize_t sz);
int uvm_map(struct vm_map *map, vaddr_t *addr, vsize_t sz,
    struct uvm_object *uobj, voff_t uoffset, vsize_t align, int flags);
int uvm_mapanon(struct vm_map *map, vaddr_t *addr, vsize_t sz, vsize_t align,
    int flags);
int uvm_map_mkentry(struct vm_map *map, vaddr_t start, vsize_t sz,
    int flags, struct vm_map_entry **entryp);
void uvm_unmap_remove(struct vm_map *map, vaddr_t start, vaddr_t end,
    struct uvm_map_deadq *dead);
void uvm_unmap_detach(struct vm_map *map, struct uvm_map_deadq *dead);
int uvm_unmap(struct vm_map *map, vaddr_t start, vaddr_t end);
bool uvm_map_checkallmapped(struct vm_map *map, vaddr_t start, vaddr_t end);
int uvm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_prot_t prot, bool set_max);
int uvm_map_inherit(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_inherit_t inherit);
int uvm_map_advice(struct vm_map *map, vaddr_t start, vaddr_t end,
    int advice);
int uvm_map_clean(struct vm_map *map, vaddr_t start, vaddr_t end, int flags);
int uvm_map_pageable(struct vm_map *map, vaddr_t start, vaddr_t end,
    bool new_pageable);
int uvm_map_pageable_all(struct vm_map *map, int flags, vsize_t limit);
vsize_t uvm_map_wired(struct vm_map *map);
int uvm_map_mquery(struct vm_map *map, vaddr_t *addr, vsize_t sz, int flags);
vsize_t uvmspace_dused(struct vm_map *map, vaddr_t start, vaddr_t end);
void uvm_rb_fixup(struct vm_map *map, struct vm_map_entry *entry);

/* uvm_map_clean flags (madvise, msync): PGO_* in uvm_object.h */

/* vmspaces */
struct vmspace *uvmspace_alloc(struct bvm_system *sys);
void uvmspace_free(struct vmspace *vm);
int uvmspace_fork(struct vmspace *vm1, struct vmspace **vm2);
void uvmspace_exec(struct vmspace *vm);

/* the entry tree, for the checker */
RB_PROTOTYPE(uvm_map_addr, vm_map_entry, daddrs.addr_entry,
    uvm_mapentry_addrcmp)

#endif /* UVM_MAP_H */
