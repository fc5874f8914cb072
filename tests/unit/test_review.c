/*
 * test_review.c: tests written during a code review of the core.  Each
 * test either demonstrates a bug (it fails on the code it was written
 * against) or pins down a subtle behaviour that no other test covers.
 */
#include <pthread.h>
#include <unistd.h>

#include "harness.h"
#include "uvm_extern.h"
#include "uvm.h"

#define PG ((uint64_t)BVM_PAGE_SIZE)
#define RW (BVM_PROT_READ | BVM_PROT_WRITE)
#define ANONPRIV (BVM_MAP_ANON | BVM_MAP_PRIVATE)
#define ANONSHARED (BVM_MAP_ANON | BVM_MAP_SHARED)

static uint64_t
rmap(struct bvm_vmspace *vm, uint64_t len, int prot, int flags)
{
	uint64_t va = 0;

	ASSERT_OK(bvm_mmap(vm, 0, len, prot, flags, -1, 0, &va));
	return va;
}

static uint64_t
winfo(struct bvm_vmspace *vm)
{
	struct bvm_vmspace_info info;

	bvm_vmspace_info(vm, &info);
	return info.wired;
}

static struct bvm_system *
rsys(uint64_t npages, unsigned flags)
{
	struct bvm_params p;
	struct bvm_system *sys;

	bvm_params_init(&p);
	p.npages = npages;
	p.flags = flags;
	p.rlimit_memlock = BVM_RLIM_INFINITY;
	ASSERT_OK(bvm_system_create(&p, &sys));
	return sys;
}

/*
 * mlock of a range that is already wired, then munlock: the pages must be
 * unwired.  uvm_map_pageable skips already-wired entries when marking, but
 * uvm_fault_wire() faults the whole range with VM_FAULT_WIRE, so every
 * page already wired gets uvm_pagewire() a second time; munlock undoes
 * only one (one pmap_unwire per mapping).
 */
TEST(review_mlock_twice_then_munlock_unwires)
{
	struct bvm_system *sys = rsys(256, BVM_SYS_CHECK);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a = tmap(vm, 2 * PG);

	ASSERT_OK(tpoke(vm, a, 1));
	ASSERT_OK(tpoke(vm, a + PG, 2));
	ASSERT_OK(bvm_mlock(vm, a, 2 * PG));
	ASSERT_EQ(tstats(sys).wired, 2);
	ASSERT_OK(bvm_mlock(vm, a, 2 * PG));     /* idempotent for users */
	ASSERT_EQ(tstats(sys).wired, 2);
	ASSERT_OK(bvm_munlock(vm, a, 2 * PG));
	ASSERT_EQ(winfo(vm), 0);
	ASSERT_EQ(tstats(sys).wired, 0);          /* bug: 2 stay wired */
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* The same through an overlapping mlock: page 0 wired twice. */
TEST(review_mlock_overlap_then_munlock_unwires)
{
	struct bvm_system *sys = rsys(256, BVM_SYS_CHECK);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a = tmap(vm, 2 * PG);

	ASSERT_OK(bvm_mlock(vm, a, PG));
	ASSERT_OK(bvm_mlock(vm, a, 2 * PG));
	ASSERT_EQ(tstats(sys).wired, 2);
	ASSERT_OK(bvm_munlock(vm, a, 2 * PG));
	ASSERT_EQ(tstats(sys).wired, 0);
	/* and wiredmax is not eaten up: 85 pages are wirable again */
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/*
 * mprotect(PROT_NONE) of wired memory: pmap_protect(NONE) is a
 * pmap_remove, which drops the wired mappings but not the pages' wire
 * counts; munlock then finds no wired mapping to unwire, and the pages
 * stay wired (uvmexp.wired, wiredmax) until they are freed.
 */
TEST(review_mprotect_none_of_wired_then_munlock)
{
	struct bvm_system *sys = rsys(256, BVM_SYS_CHECK);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a = tmap(vm, 2 * PG);

	ASSERT_OK(bvm_mlock(vm, a, 2 * PG));
	ASSERT_EQ(tstats(sys).wired, 2);
	ASSERT_OK(bvm_mprotect(vm, a, 2 * PG, BVM_PROT_NONE));
	ASSERT_OK(bvm_munlock(vm, a, 2 * PG));
	ASSERT_EQ(winfo(vm), 0);
	ASSERT_EQ(tstats(sys).wired, 0);          /* bug: 2 */
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/*
 * A copy-on-write fault in a wired entry (not a VM_FAULT_WIRE fault):
 * mlock of a read-only private page shared with a fork child wires the
 * shared page read-only; after mprotect(RW) the first write copies it
 * (case 1B) and enters the copy with PMAP_WIRED, but the copy's
 * wire_count is never raised and the old page (now the child's alone)
 * keeps its wire_count.  Once the child exits the parent's wired page is
 * not counted wired, and munlock would underflow its wire_count.
 */
TEST(review_wired_entry_cow_fault_moves_wiring)
{
	struct bvm_system *sys = rsys(256, BVM_SYS_CHECK);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t a = tmap(vm, PG);

	ASSERT_OK(tpoke(vm, a, 0x11));
	ASSERT_OK(bvm_mprotect(vm, a, PG, BVM_PROT_READ));
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_OK(bvm_mlock(vm, a, PG));
	ASSERT_EQ(tstats(sys).wired, 1);
	ASSERT_OK(bvm_mprotect(vm, a, PG, RW));
	ASSERT_OK(tpoke(vm, a, 0x22));
	ASSERT_EQ(tpeek(child, a), 0x11);
	bvm_vmspace_destroy(child);
	/* the parent's page is wired; nothing else is */
	ASSERT_EQ(tstats(sys).wired, 1);          /* bug: 0 */
	ASSERT_OK(bvm_munlock(vm, a, PG));        /* bug: KASSERT */
	ASSERT_EQ(tstats(sys).wired, 0);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/*
 * A failing mlock must leave the address space as it was (bsdvm.h):
 * memory that was locked before the call stays locked.  uvm_map_pageable
 * undoes a failed wiring by unwiring the whole range, including entries
 * that were wired before the call.
 */
TEST(review_failed_mlock_keeps_earlier_lock)
{
	struct bvm_system *sys = rsys(256, BVM_SYS_CHECK);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a = tmap(vm, 2 * PG);

	ASSERT_OK(bvm_mlock(vm, a + PG, PG));
	ASSERT_EQ(winfo(vm), PG);
	ASSERT_EQ(tstats(sys).wired, 1);
	/* page 0's zero-fill fails */
	bvm_fi_arm(FI_PAGE_ALLOC, 1);
	ASSERT_ERR(bvm_mlock(vm, a, 2 * PG), ENOMEM);
	bvm_fi_disarm();
	ASSERT_EQ(winfo(vm), PG);                 /* bug: 0 */
	ASSERT_EQ(tstats(sys).wired, 1);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/*
 * mlockall(MCL_FUTURE): a PROT_NONE mapping is not wired, but OpenBSD's
 * uvm_map_protect wires an entry of a VM_MAP_WIREFUTURE map when it goes
 * from PROT_NONE to accessible.  bsdvm's uvm_map_protect never does.
 */
TEST(review_wirefuture_mprotect_from_none_wires)
{
	struct bvm_system *sys = rsys(256, BVM_SYS_CHECK);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a;

	ASSERT_OK(bvm_mlockall(vm, BVM_MCL_FUTURE));
	a = rmap(vm, 2 * PG, BVM_PROT_NONE, ANONPRIV);
	ASSERT_EQ(winfo(vm), 0);
	ASSERT_OK(bvm_mprotect(vm, a, 2 * PG, RW));
	ASSERT_EQ(winfo(vm), 2 * PG);             /* bug: 0 */
	ASSERT_EQ(tstats(sys).wired, 2);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/*
 * bvm_pglist_free refuses the whole call when a frame is not its to free,
 * but it clears PG_PGLIST on the frames it validated before the bad one:
 * those frames can then never be freed.
 */
TEST(review_pglist_free_einval_keeps_frames_freeable)
{
	struct bvm_system *sys = rsys(64, 0);
	uint64_t pas[2], bad[2];
	uint64_t free0 = tstats(sys).free;

	ASSERT_OK(bvm_pglist_alloc(sys, 1, 0, 64 * PG, PG, 0, 1, 0, pas));
	bad[0] = pas[0];
	bad[1] = 1ULL << 40;                      /* not a frame */
	ASSERT_ERR(bvm_pglist_free(sys, bad, 2), EINVAL);
	ASSERT_OK(bvm_pglist_free(sys, pas, 1));  /* bug: EINVAL */
	ASSERT_EQ(tstats(sys).free, free0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/*
 * The page-zeroing thread takes frames off the dirty list but leaves
 * PG_FREE set while it zeroes them; uvm_pglistalloc decides "free" by
 * PG_FREE and TAILQ_REMOVEs such a frame from a list it is not on, and the
 * thread later puts the (now allocated) frame on the zero list.
 */
TEST(review_pagezero_vs_pglistalloc)
{
	struct bvm_system *sys = rsys(512, BVM_SYS_PAGEZERO);
	static uint64_t pas[512];
	int iter, i, n = 480, bad = 0, spin;

	for (iter = 0; iter < 300 && !bad; iter++) {
		/*
		 * Frames freed by the last round are dirty: the thread wakes
		 * and zeroes them in batches; allocate at varying moments
		 * of that.
		 */
		usleep((useconds_t)(iter % 4) * 20);
		if (bvm_pglist_alloc(sys, (uint64_t)n, 0, 512 * PG, PG, 0, n,
		    0, pas) != 0)
			continue;
		/* let the thread finish its batch (no list walks: a corrupt
		 * list would make the system checker loop) */
		for (spin = 0; spin < 1000 &&
		    tstats(sys).free + (uint64_t)n < 512; spin++)
			usleep(100);
		usleep(1000);
		if (tstats(sys).free + (uint64_t)n != 512)
			bad = 1;
		for (i = 0; i < n; i++) {
			struct vm_page *pg = PHYS_TO_VM_PAGE(sys, pas[i]);
			if ((PG_FLAGS(pg) & (PG_PGLIST | PG_FREE)) != PG_PGLIST)
				bad = 2;
		}
		if (bad) {
			fprintf(stderr, "iter %d: allocated frames back on the "
			    "free lists (free %llu + %d allocated)\n", iter,
			    (unsigned long long)tstats(sys).free, n);
			break;   /* leave it: freeing would panic */
		}
		ASSERT_OK(bvm_pglist_free(sys, pas, (uint64_t)n));
	}
	ASSERT_EQ(bad, 0);
	bvm_system_destroy(sys);
}

/*
 * With the page-zeroing thread, frames it is zeroing are on no free list
 * and not counted free: an allocation that finds both lists empty fails
 * although frames are free, so a fault returns ENOMEM in a system that
 * has enough memory.
 */
TEST(review_pagezero_spurious_enomem)
{
	struct bvm_system *sys = rsys(64, BVM_SYS_PAGEZERO);
	struct bvm_vmspace *vm = tvm(sys);
	int iter, i, failures = 0;
	uint64_t a;

	for (iter = 0; iter < 2000; iter++) {
		a = rmap(vm, 64 * PG, RW, ANONPRIV);
		for (i = 0; i < 64; i++)
			if (tpoke(vm, a + (uint64_t)i * PG, 0x5a) != 0)
				failures++;
		ASSERT_OK(bvm_munmap(vm, a, 64 * PG));
		if (failures)
			break;
	}
	ASSERT_EQ(failures, 0);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
