/*
 * uvm_swap.h: swap space: areas on real host files, slots, swap I/O.
 *
 * A swap slot is one page of swap space.  Slots are numbered across every
 * area of a system (OpenBSD's "drum"): area k holds the slots
 * [sw_base, sw_base + sw_nslots); slot 0 means "no slot".  An anon keeps
 * its slot in an_swslot, an aobj keeps one per page index; swap also keeps
 * the reverse: the owner of every slot in use, so that removing an area
 * can find and page back in everything stored on it.
 *
 * Locks:
 *   [S] sys->swaplock: the area list, every bitmap, owner table and
 *       counter here.  It nests inside every owner lock (amap, object):
 *       owner -> swaplock -> page queues -> free lists -> pmap.
 *   [I] immutable while the area exists.
 * Swap I/O is done without swaplock, holding the lock of every owner
 * whose page moves: an area cannot go away under I/O, because its slots
 * stay in use until their owners, locked, let them go.
 */
#ifndef UVM_SWAP_H
#define UVM_SWAP_H

#include <sys/queue.h>

#include "uvm_extern.h"

#define SWSLOT_NONE   0
#define SWCLUSTPAGES  256   /* pages of one clustered pageout (1 MiB) */
#define SWAP_MINPAGES 16    /* the smallest area: one cluster's worth */

/* what a slot in use stores: an anon's page, or an aobj's page `idx` */
struct swap_owner {
	uintptr_t so_owner;  /* struct vm_anon *, or uvm_object * | 1 */
	uint64_t so_idx;     /* aobj: page index */
};
#define SWO_AOBJ 0x1

struct swapdev {
	TAILQ_ENTRY(swapdev) sw_list;  /* [S] by priority, then age */
	char *sw_path;                 /* [I] as given to swapon */
	int sw_fd;                     /* [I] */
	dev_t sw_dev;                  /* [I] */
	ino_t sw_ino;                  /* [I] */
	int sw_priority;               /* [I] lower values are used first */
	int sw_flags;                  /* [S] SWF_* */
	int sw_base;                   /* [I] first slot */
	int sw_nslots;                 /* [I] */
	int sw_inuse;                  /* [S] slots allocated, bad ones too */
	int sw_nbad;                   /* [S] slots marked bad (never free) */
	int sw_rotor;                  /* [S] where the next search starts */
	uint64_t *sw_map;              /* [S] bit set: slot allocated */
	uint64_t *sw_bad;              /* [S] bit set: slot bad */
	struct swap_owner *sw_owner;   /* [S] owner of each slot, or 0 */
	uint64_t sw_pgin;              /* [S] pages read from this area */
	uint64_t sw_pgout;             /* [S] pages written to it */
};

#define SWF_ENABLE  0x1  /* slots may be allocated here */
#define SWF_OFFLINE 0x2  /* being removed: no allocation */

TAILQ_HEAD(swapdev_list, swapdev);

void uvm_swap_init(struct bvm_system *sys);
void uvm_swap_fini(struct bvm_system *sys);

int uvm_swap_alloc(struct bvm_system *sys, int *nslots, bool lessok);
void uvm_swap_free(struct bvm_system *sys, int slot, int nslots);
void uvm_swap_markbad(struct bvm_system *sys, int slot, int nslots);
void uvm_swap_setowners(struct bvm_system *sys, int slot,
    const struct swap_owner *so, int n);
bool uvm_swapisfull(struct bvm_system *sys);
int uvm_swap_runlen(struct bvm_system *sys, int slot, int n);
bool uvm_swap_configured(struct bvm_system *sys);

int uvm_swap_get(struct bvm_system *sys, struct vm_page **pgs, int slot,
    int npages);
int uvm_swap_put(struct bvm_system *sys, struct vm_page **pgs, int slot,
    int npages);

int uvm_swap_on(struct bvm_system *sys, const char *path, int priority);
int uvm_swap_off(struct bvm_system *sys, const char *path);
int uvm_swap_stats(struct bvm_system *sys, struct bvm_swapent *ents,
    int nents, int *count);

/* the slot search (for the unit test) */
int uvm_swap_findrun(struct swapdev *sdp, int want, bool lessok, int *got);

/* for the checker: the owner recorded for slot (0 if free or bad) */
bool uvm_swap_slot_owner(struct bvm_system *sys, int slot,
    struct swap_owner *so, bool *bad);

#endif /* UVM_SWAP_H */
