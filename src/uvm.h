/*
 * uvm.h: the state of one bsdvm system (what the kernel keeps in the global
 * `struct uvm uvm` and `struct uvmexp uvmexp`).
 *
 * Only uvm_*.c, pmap_*.c and bvm_*.c include this; the public interface is
 * bsdvm.h.  A process may create many systems; nothing is global.
 */
#ifndef UVM_UVM_H
#define UVM_UVM_H

#include <sys/queue.h>

#include "pool.h"
#include "uvm_extern.h"
#include "uvm_page.h"

/*
 * uvmexp: the counters of vmstat -s.  Updated with CNT_INC (relaxed
 * atomics) without locks; read with CNT_GET.  Gauges (free, active, ...)
 * are kept exactly under the lock named beside them.
 */
struct uvmexp {
	uint64_t npages;        /* [I] */
	uint64_t free;          /* [F] free frames */
	uint64_t zeropages;     /* [F] free frames that are zero */
	uint64_t active;        /* [Q] */
	uint64_t inactive;      /* [Q] */
	uint64_t wired;         /* [Q] wired frames */
	uint64_t wiredmax;      /* [I] npages / 3 */
	uint64_t vmspaces;      /* [atomic] */
	uint64_t map_entries;   /* [atomic] */
	uint64_t amaps;         /* [atomic] */
	uint64_t anons;         /* [atomic] */
	uint64_t faults;
	uint64_t flt_anon;
	uint64_t flt_acow;
	uint64_t flt_amcopy;
	uint64_t flt_zfill;
	uint64_t flt_noram;
	uint64_t flt_nomap;
	uint64_t flt_prot;
	uint64_t flt_around;
	uint64_t flt_wired;
	uint64_t pga_zerohit;
	uint64_t pga_zeromiss;
	uint64_t pages_alloc;
	uint64_t pages_free;
	uint64_t forks;
	uint64_t cow_now;
	uint64_t pmap_enter;
	uint64_t pmap_remove;
	uint64_t pmap_protect;
	uint64_t tlb_miss;
	uint64_t tlb_flush;
	uint64_t mmap_calls;
	uint64_t munmap_calls;
	uint64_t mprotect_calls;
	uint64_t objects;       /* [atomic] live uvm_objects */
	uint64_t vnodes;        /* [atomic] live vnode objects */
	uint64_t obj_pages;     /* [atomic] frames owned by objects */
	uint64_t flt_obj;
	uint64_t flt_prcopy;
	uint64_t pgpgin;
	uint64_t pgpgout;
	uint64_t pageins;
	uint64_t pageouts;
	uint64_t pager_errors;
	uint64_t msync_calls;
	/* swap: gauges under swaplock (read without it) */
	uint64_t swpages;       /* [S] slots in every area */
	uint64_t swpginuse;     /* [S] slots allocated, bad ones included */
	uint64_t swpgbad;       /* [S] slots marked bad */
	uint64_t swpgonly;      /* [atomic] pages that live only in swap */
	uint64_t pswpin;        /* pages read from swap */
	uint64_t pswpout;       /* pages written to swap */
	uint64_t swapins;       /* swap read operations (clustered) */
	uint64_t swapouts;      /* swap write operations (clustered) */
	uint64_t swap_errors;   /* swap reads and writes that failed */
	/* the page daemon */
	uint64_t pdwoke;        /* times the daemon thread was woken */
	uint64_t pdrevs;        /* scans (passes over the queues) */
	uint64_t pdsync;        /* scans run by a failing allocation */
	uint64_t pdscans;       /* inactive pages examined */
	uint64_t pdfreed;       /* pages freed */
	uint64_t pdreact;       /* inactive pages found referenced */
	uint64_t pddeact;       /* active pages moved to inactive */
	uint64_t pdbusy;        /* pages skipped: owner or page busy */
	uint64_t pdpageouts;    /* pageout operations started */
	uint64_t pdnoswap;      /* dirty anonymous pages kept: no swap */
};

#define MAX_KMAPENT 64 /* static map entries for maps that must not sleep */

struct bvm_system {
	/* physical memory */
	int memfd;                     /* [I] the frames' host memory */
	uint8_t *frames;               /* [I] frames mapped in this process */
	struct vm_page *pages;         /* [I] one per frame */
	uint64_t npages;               /* [I] */

	struct bvm_mutex fpageqlock;   /* free lists */
	struct pglist page_free_zero;  /* [F] free and zeroed */
	struct pglist page_free_dirty; /* [F] free, contents unknown */

	/* the page-zeroing thread (BVM_SYS_PAGEZERO) */
	pthread_t zero_thread;         /* [I] */
	bool zero_running;             /* [I] */
	pthread_mutex_t zero_mtx;      /* held while frames are off the lists */
	pthread_cond_t zero_cv;        /* [fpageqlock] wakes the thread */
	pthread_cond_t zero_done_cv;   /* [fpageqlock] a batch is back */
	bool zero_stop;                /* [fpageqlock] */
	bool zero_idle;                /* [fpageqlock] the thread waits */
	int zero_inflight;             /* [fpageqlock] frames being zeroed */

	struct bvm_mutex pageqlock;    /* paging queues */
	struct pglist page_active;     /* [Q] */
	struct pglist page_inactive;   /* [Q] */

	/* pmap: all pmap modifications and every pv list */
	struct bvm_mutex pmaplock;
	const struct pmap_ops *pmap_ops; /* [I] */
	struct pv_entry *pv_free;      /* [pmaplock] cache over pv_pool */
	uint64_t pv_nfree;             /* [pmaplock] */

	/* pools */
	struct pool mapent_pool;       /* user map entries */
	struct pool mapent_kmem_pool;  /* kernel map entries (uvm_km, later) */
	struct pool amap_pool;
	struct pool anon_pool;
	struct pool pv_pool;

	/* static map entries for VM_MAP_INTRSAFE maps */
	struct bvm_mutex kentry_lock;
	struct vm_map_entry *kentry_free; /* [kentry_lock] */
	struct vm_map_entry *kentry_static; /* [I] MAX_KMAPENT of them */

	/* every vmspace and amap, for the checkers and system destroy */
	struct bvm_mutex listlock;
	LIST_HEAD(, vmspace) vmspaces; /* [listlock] */
	LIST_HEAD(, vm_amap) amaps;    /* [listlock] */
	LIST_HEAD(, uvm_object) objects; /* [listlock] every object */
	LIST_HEAD(, bvm_object) handles; /* [listlock] bvm_object handles */

	/* the vnode objects by file, and the shared-memory names */
	struct bvm_mutex vnodelock;
	LIST_HEAD(, uvm_vnode) vnodes; /* [vnodelock] */
	struct bvm_mutex shmlock;
	LIST_HEAD(, uvm_aobj) shmnames; /* [shmlock] named aobjs */

	/* swap areas (uvm_swap.c) */
	struct bvm_mutex swaplock;
	TAILQ_HEAD(, swapdev) swapdevs; /* [swaplock] by priority */
	uint64_t swap_free;            /* [swaplock, atomic reads] slots free
	                                  in enabled areas */
	uint64_t nswapdev;             /* [swaplock, atomic reads] */

	/* the page daemon (uvm_pdaemon.c) */
	struct bvm_mutex pdlock;       /* one scan at a time */
	pthread_t pd_thread;           /* [I] */
	bool pd_running;               /* [I] */
	pthread_cond_t pd_cv;          /* [fpageqlock] wakes the daemon */
	bool pd_stop;                  /* [fpageqlock] */
	bool pd_idle;                  /* [fpageqlock] the daemon waits */
	bool pd_kicked;                /* [fpageqlock] scan even if stalled */
	uint64_t pd_stall_until;       /* [fpageqlock] ns: wakeups ignored */
	uint64_t freemin;              /* [I] wake the daemon below this */
	uint64_t freetarg;             /* [I] the daemon frees up to this */
	uint64_t inactarg;             /* [pageqlock, atomic reads] inactive
	                                  target */

	struct bvm_params params;      /* [I] */
	int anon_mode;                 /* [I] BVM_ANON_* */
	bool check_each_op;            /* [I] BVM_SYS_CHECK and BVM_DEBUG */
	bool wxallowed;                /* [I] */

	struct uvmexp uvmexp;
};

/* system-level invariant checker (bvm_check.c) */
int uvm_system_sanity(struct bvm_system *sys, char *msg, size_t msglen);
int uvm_vmspace_sanity(struct vmspace *vm, char *msg, size_t msglen);

/* frames: host address of a physical address */
static inline void *
uvm_phys_to_host(struct bvm_system *sys, paddr_t pa)
{
	return sys->frames + pa;
}

#endif /* UVM_UVM_H */
