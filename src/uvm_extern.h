/*
 * uvm_extern.h: types and constants shared by every part of bsdvm
 * (the kernel's <uvm/uvm_extern.h> and <sys/param.h> rolled together).
 *
 * Every source file includes this first.  It defines the basic VM types,
 * the assertion macros, lock wrappers with assertions, and the small
 * helpers (atomics, page rounding) the rest uses.
 */
#ifndef UVM_EXTERN_H
#define UVM_EXTERN_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bsdvm.h"

typedef uint64_t vaddr_t;   /* virtual address */
typedef uint64_t vsize_t;   /* virtual size */
typedef uint64_t paddr_t;   /* physical address: a byte offset in frames */
typedef uint64_t psize_t;
typedef int64_t voff_t;     /* offset in an object */
typedef int vm_prot_t;
typedef int vm_inherit_t;

#define PAGE_SIZE  ((vsize_t)BVM_PAGE_SIZE)
#define PAGE_SHIFT BVM_PAGE_SHIFT
#define PAGE_MASK  (PAGE_SIZE - 1)

#define trunc_page(x) ((x) & ~PAGE_MASK)
#define round_page(x) (((x) + PAGE_MASK) & ~PAGE_MASK)
#define atop(x)       ((x) >> PAGE_SHIFT)
#define ptoa(x)       ((vaddr_t)(x) << PAGE_SHIFT)

#define PROT_NONE  BVM_PROT_NONE
#define PROT_READ  BVM_PROT_READ
#define PROT_WRITE BVM_PROT_WRITE
#define PROT_EXEC  BVM_PROT_EXEC
#define PROT_MASK  (PROT_READ | PROT_WRITE | PROT_EXEC)

#define MAP_INHERIT_SHARE BVM_INHERIT_SHARE
#define MAP_INHERIT_COPY  BVM_INHERIT_COPY
#define MAP_INHERIT_NONE  BVM_INHERIT_NONE
#define MAP_INHERIT_ZERO  BVM_INHERIT_ZERO

#define MADV_NORMAL     BVM_MADV_NORMAL
#define MADV_RANDOM     BVM_MADV_RANDOM
#define MADV_SEQUENTIAL BVM_MADV_SEQUENTIAL
#define MADV_WILLNEED   BVM_MADV_WILLNEED
#define MADV_DONTNEED   BVM_MADV_DONTNEED
#define MADV_SPACEAVAIL BVM_MADV_SPACEAVAIL
#define MADV_FREE       BVM_MADV_FREE

#define VM_MIN_ADDRESS     BVM_VM_MIN_ADDRESS
#define VM_MAXUSER_ADDRESS BVM_VM_MAXUSER_ADDRESS

/*
 * ERESTART: the fault handler's private "start over" code.  It never
 * leaves uvm_fault.c.  (Linux's errno.h has an ERESTART of its own, a
 * positive number; ours is negative so it can never be mistaken for an
 * errno that reaches the caller.)
 */
#undef ERESTART
#define ERESTART (-1)

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define __predict_true(x)  __builtin_expect(!!(x), 1)
#define __predict_false(x) __builtin_expect(!!(x), 0)

/*
 * Assertions.  KASSERT is compiled in debug builds (BVM_DEBUG) and names the
 * function and the broken condition; panic() is always there.
 */
void panic(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

#ifdef BVM_DEBUG
#define KASSERT(e) do {                                                 \
	if (__predict_false(!(e)))                                      \
		panic("%s: assertion \"%s\" failed (%s:%d)", __func__,  \
		    #e, __FILE__, __LINE__);                            \
} while (0)
#define KASSERTMSG(e, fmt, ...) do {                                    \
	if (__predict_false(!(e)))                                      \
		panic("%s: \"%s\": " fmt " (%s:%d)", __func__, #e,      \
		    ##__VA_ARGS__, __FILE__, __LINE__);                 \
} while (0)
#else
#define KASSERT(e)              do { } while (0)
#define KASSERTMSG(e, fmt, ...) do { } while (0)
#endif

/*
 * Counters: relaxed atomic increments, so faults on many threads never
 * lose a count and never serialise on a lock.
 */
#define CNT_INC(c)    __atomic_fetch_add(&(c), 1, __ATOMIC_RELAXED)
#define CNT_ADD(c, n) __atomic_fetch_add(&(c), (n), __ATOMIC_RELAXED)
#define CNT_SUB(c, n) __atomic_fetch_sub(&(c), (n), __ATOMIC_RELAXED)
#define CNT_GET(c)    __atomic_load_n(&(c), __ATOMIC_RELAXED)

/*
 * bvm_membar_full: a full memory barrier.  ThreadSanitizer does not model
 * fences, so its builds use a sequentially consistent read-modify-write on
 * a dummy word instead (a full barrier on x86 too).
 */
#if defined(__SANITIZE_THREAD__)
extern int bvm_membar_dummy;
#define bvm_membar_full() \
	((void)__atomic_fetch_add(&bvm_membar_dummy, 0, __ATOMIC_SEQ_CST))
#else
#define bvm_membar_full() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

/*
 * Guest memory is shared by design: a page-cache copy (bvm_file_read) of
 * a page that a thread stores into through a MAP_SHARED mapping at the
 * same moment races as a DMA races with a CPU, and the result is what
 * hardware gives.  ThreadSanitizer is told to ignore such copies.
 */
#if defined(__SANITIZE_THREAD__)
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
#define BVM_GUEST_COPY_BEGIN() do {                                     \
	AnnotateIgnoreReadsBegin(__FILE__, __LINE__);                   \
	AnnotateIgnoreWritesBegin(__FILE__, __LINE__);                  \
} while (0)
#define BVM_GUEST_COPY_END() do {                                       \
	AnnotateIgnoreWritesEnd(__FILE__, __LINE__);                    \
	AnnotateIgnoreReadsEnd(__FILE__, __LINE__);                     \
} while (0)
#else
#define BVM_GUEST_COPY_BEGIN() do { } while (0)
#define BVM_GUEST_COPY_END()   do { } while (0)
#endif

/*
 * Locks.  A mutex and a reader/writer lock that remember their owner in
 * debug builds, so that "=> map must be locked" contracts can be asserted.
 */
struct bvm_mutex {
	pthread_mutex_t mtx;
#ifdef BVM_DEBUG
	pthread_t owner;
	int held;
#endif
};

struct bvm_rwlock {
	pthread_rwlock_t rw;
#ifdef BVM_DEBUG
	pthread_t writer;
	int wheld;
	int readers;  /* atomic */
#endif
};

void bvm_mutex_init(struct bvm_mutex *);
void bvm_mutex_destroy(struct bvm_mutex *);
void bvm_mutex_enter(struct bvm_mutex *);
bool bvm_mutex_tryenter(struct bvm_mutex *);
void bvm_mutex_exit(struct bvm_mutex *);
bool bvm_mutex_owned(struct bvm_mutex *);

void bvm_rw_init(struct bvm_rwlock *);
void bvm_rw_destroy(struct bvm_rwlock *);
void bvm_rw_enter_read(struct bvm_rwlock *);
void bvm_rw_enter_write(struct bvm_rwlock *);
void bvm_rw_exit_read(struct bvm_rwlock *);
void bvm_rw_exit_write(struct bvm_rwlock *);
bool bvm_rw_write_held(struct bvm_rwlock *);
bool bvm_rw_lock_held(struct bvm_rwlock *);

#define MUTEX_ASSERT_LOCKED(m) KASSERT(bvm_mutex_owned(m))
#define RW_ASSERT_WRLOCK(l)    KASSERT(bvm_rw_write_held(l))
#define RW_ASSERT_ANYLOCK(l)   KASSERT(bvm_rw_lock_held(l))

/*
 * A reference-counted mutex object: amaps made by amap_copy share their
 * source's lock, because their anons are shared (NetBSD's mutex_obj).
 */
struct bvm_lockobj {
	struct bvm_mutex lo_mtx;
	int lo_refs;            /* [atomic] */
};
struct bvm_lockobj *bvm_lockobj_alloc(void);
void bvm_lockobj_hold(struct bvm_lockobj *);
void bvm_lockobj_free(struct bvm_lockobj *);

/*
 * Fault injection (bvm_fi.c): every allocation point asks bvm_fi_fail()
 * first; a test can make the Nth call of a site fail.
 */
enum bvm_fi_site {
	FI_PAGE_ALLOC = BVM_FP_PAGE_ALLOC,
	FI_MAPENT_ALLOC = BVM_FP_MAPENT_ALLOC,
	FI_AMAP_ALLOC = BVM_FP_AMAP_ALLOC,
	FI_ANON_ALLOC = BVM_FP_ANON_ALLOC,
	FI_PV_ALLOC = BVM_FP_PV_ALLOC,
	FI_PTP_ALLOC = BVM_FP_PTP_ALLOC,
	FI_VMSPACE_ALLOC = BVM_FP_VMSPACE_ALLOC,
	FI_OBJ_ALLOC = BVM_FP_OBJ_ALLOC,
	FI_PAGER_READ = BVM_FP_PAGER_READ,
	FI_PAGER_WRITE = BVM_FP_PAGER_WRITE,
	FI_SWAP_READ = BVM_FP_SWAP_READ,
	FI_SWAP_WRITE = BVM_FP_SWAP_WRITE,
	FI_SWAP_ALLOC = BVM_FP_SWAP_ALLOC,
	FI_NSITES = BVM_FP_NPOINTS
};
extern int bvm_fi_active;    /* nonzero when some site is armed */
bool bvm_fi_fail_slow(enum bvm_fi_site);
static inline bool
bvm_fi_fail(enum bvm_fi_site site)
{
	return __predict_false(bvm_fi_active) && bvm_fi_fail_slow(site);
}
void bvm_fi_arm(enum bvm_fi_site site, long nth);  /* nth call fails; 0 off */
void bvm_fi_disarm(void);
long bvm_fi_calls(enum bvm_fi_site site);          /* calls seen while armed */

struct bvm_system;
struct vm_page;
struct vm_anon;
struct vm_amap;
struct vm_map;
struct vm_map_entry;
struct vmspace;
struct pmap;
struct uvm_object;

#endif /* UVM_EXTERN_H */
