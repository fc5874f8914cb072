/*
 * test_amap.c: amap reference counting, ppref and needs-copy, observed
 * through the counters and the system invariant checker.
 */
#include "harness.h"

#define PG BVM_PAGE_SIZE

/* Partial unmaps of a shared amap free exactly the anons nobody covers. */
TEST(amap_ppref_partial_unmap)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t va;
	int i;

	ASSERT_OK(bvm_mmap(vm, 0, 8 * PG, BVM_PROT_READ | BVM_PROT_WRITE,
	    BVM_MAP_ANON | BVM_MAP_SHARED, -1, 0, &va));
	for (i = 0; i < 8; i++)
		ASSERT_OK(tpoke(vm, va + (uint64_t)i * PG, (unsigned char)(i + 1)));
	ASSERT_EQ(tstats(sys).anons, 8);
	/* unmap pages 2..3: their anons are freed now, not at exit */
	ASSERT_OK(bvm_munmap(vm, va + 2 * PG, 2 * PG));
	ASSERT_EQ(tstats(sys).anons, 6);
	ASSERT_EQ(tstats(sys).amaps, 1);
	SYSCHECK(sys);
	/* the others kept their data */
	ASSERT_EQ(tpeek(vm, va + 1 * PG), 2);
	ASSERT_EQ(tpeek(vm, va + 4 * PG), 5);
	ASSERT_OK(bvm_munmap(vm, va + 5 * PG, 3 * PG));
	ASSERT_EQ(tstats(sys).anons, 3);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(tstats(sys).anons, 0);
	ASSERT_EQ(tstats(sys).amaps, 0);
	bvm_system_destroy(sys);
}

/*
 * A shared amap seen by two vmspaces (MAP_SHARED inherited SHARE): a
 * partial unmap in one keeps the pages the other still maps.
 */
TEST(amap_ppref_shared_between_vmspaces)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *a = tvm(sys), *b;
	uint64_t va;
	int i;

	ASSERT_OK(bvm_mmap(a, 0, 4 * PG, BVM_PROT_READ | BVM_PROT_WRITE,
	    BVM_MAP_ANON | BVM_MAP_SHARED, -1, 0, &va));
	for (i = 0; i < 4; i++)
		ASSERT_OK(tpoke(a, va + (uint64_t)i * PG, (unsigned char)(10 + i)));
	ASSERT_OK(bvm_fork(a, &b));
	ASSERT_OK(bvm_munmap(a, va + PG, 2 * PG));
	ASSERT_EQ(tstats(sys).anons, 4);       /* b still maps them */
	ASSERT_EQ(tpeek(b, va + PG), 11);
	ASSERT_OK(tpoke(b, va + 3 * PG, 99));
	ASSERT_EQ(tpeek(a, va + 3 * PG), 99);  /* still shared */
	SYSCHECK(sys);
	ASSERT_OK(bvm_munmap(b, va + PG, PG));
	ASSERT_EQ(tstats(sys).anons, 3);       /* page 1: nobody */
	SYSCHECK(sys);
	bvm_vmspace_destroy(a);
	bvm_vmspace_destroy(b);
	ASSERT_EQ(tstats(sys).anons, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/*
 * Needs-copy is resolved at the first write, not at fork: fork costs no
 * amap copy; the first write copies the amap once, then each written page
 * is copied once.
 */
TEST(amap_needscopy_deferred)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *p = tvm(sys), *c;
	struct bvm_stats s0, s1;
	uint64_t va = tmap(p, 16 * PG);
	int i;

	for (i = 0; i < 16; i++)
		ASSERT_OK(tpoke(p, va + (uint64_t)i * PG, 1));
	s0 = tstats(sys);
	ASSERT_OK(bvm_fork(p, &c));
	s1 = tstats(sys);
	ASSERT_EQ(s1.flt_amcopy, s0.flt_amcopy);
	ASSERT_EQ(s1.amaps, s0.amaps);
	ASSERT_EQ(s1.anons, s0.anons);
	ASSERT_EQ(s1.free, s0.free);
	/* the child's first write: one amap copy and one page copy */
	ASSERT_OK(tpoke(c, va, 2));
	s1 = tstats(sys);
	ASSERT_EQ(s1.flt_amcopy, s0.flt_amcopy + 1);
	ASSERT_EQ(s1.flt_acow, s0.flt_acow + 1);
	ASSERT_EQ(s1.amaps, s0.amaps + 1);
	ASSERT_EQ(s1.free, s0.free - 1);
	/* the parent's write to the same page: it is alone now: no copy */
	ASSERT_OK(tpoke(p, va, 3));
	s0 = tstats(sys);
	ASSERT_EQ(s0.flt_acow, s1.flt_acow);
	/* the parent's write to another page: shared: copied */
	ASSERT_OK(tpoke(p, va + PG, 3));
	ASSERT_EQ(tstats(sys).flt_acow, s0.flt_acow + 1);
	ASSERT_EQ(tpeek(c, va + PG), 1);
	ASSERT_EQ(tpeek(c, va), 2);
	ASSERT_EQ(tpeek(p, va), 3);
	SYSCHECK(sys);
	bvm_vmspace_destroy(c);
	bvm_vmspace_destroy(p);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* Clipping an entry splits its amap reference; both halves keep data. */
TEST(amap_split_on_clip)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t va = tmap(vm, 8 * PG);
	int i;

	for (i = 0; i < 8; i++)
		ASSERT_OK(tpoke(vm, va + (uint64_t)i * PG, (unsigned char)(i + 1)));
	ASSERT_OK(bvm_mprotect(vm, va + 3 * PG, 2 * PG, BVM_PROT_READ));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(tpeek(vm, va + (uint64_t)i * PG), i + 1);
	ASSERT_ERR(tpoke(vm, va + 3 * PG, 0), EFAULT);
	ASSERT_OK(tpoke(vm, va + 5 * PG, 42));
	ASSERT_EQ(tpeek(vm, va + 5 * PG), 42);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/*
 * MADV_FREE after a clip: the amap now has two references, but each page
 * has one, so FREE still frees (OpenBSD's whole-amap test would not).  A
 * page a fork child still shares is only deactivated.
 */
TEST(amap_madv_free_uses_slot_refs)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t va = tmap(vm, 4 * PG);
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_OK(tpoke(vm, va + (uint64_t)i * PG, (unsigned char)(i + 1)));
	ASSERT_OK(bvm_mprotect(vm, va + 2 * PG, 2 * PG, BVM_PROT_READ));
	ASSERT_OK(bvm_madvise(vm, va, 2 * PG, BVM_MADV_FREE));
	ASSERT_EQ(tpeek(vm, va), 0);
	ASSERT_EQ(tpeek(vm, va + PG), 0);
	ASSERT_EQ(tpeek(vm, va + 2 * PG), 3);
	SYSCHECK(sys);
	/* after fork the parent's pages are the child's too: kept */
	ASSERT_OK(tpoke(vm, va, 9));
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_OK(bvm_madvise(vm, va, PG, BVM_MADV_FREE));
	ASSERT_EQ(tpeek(child, va), 9);
	SYSCHECK(sys);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/*
 * Shared memory, wired by one sharer, inherited COPY by a fork of another
 * sharer: the wired sharer's pages must stay its wired pages whatever the
 * others write (the wiring is counted from the entries: SYSCHECK).
 */
TEST(amap_shared_copy_fork_keeps_wiring)
{
	struct bvm_params p;
	struct bvm_system *sys;
	struct bvm_vmspace *a, *b, *g;
	uint64_t va;
	int i;

	bvm_params_init(&p);
	p.npages = 256;
	p.flags = BVM_SYS_CHECK;
	p.rlimit_memlock = BVM_RLIM_INFINITY;
	ASSERT_OK(bvm_system_create(&p, &sys));
	a = tvm(sys);
	ASSERT_OK(bvm_mmap(a, 0, 4 * PG, BVM_PROT_READ | BVM_PROT_WRITE,
	    BVM_MAP_ANON | BVM_MAP_SHARED, -1, 0, &va));
	for (i = 0; i < 4; i++)
		ASSERT_OK(tpoke(a, va + (uint64_t)i * PG, (unsigned char)(i + 1)));
	ASSERT_OK(bvm_fork(a, &b));                  /* b shares */
	ASSERT_OK(bvm_mlock(a, va, 4 * PG));         /* a wires */
	ASSERT_OK(bvm_minherit(b, va, 4 * PG, BVM_INHERIT_COPY));
	ASSERT_OK(bvm_fork(b, &g));                  /* g: a snapshot */
	SYSCHECK(sys);
	ASSERT_OK(tpoke(b, va, 0x42));               /* shared: a sees it */
	ASSERT_EQ(tpeek(a, va), 0x42);
	ASSERT_EQ(tpeek(g, va), 1);
	ASSERT_OK(tpoke(g, va + PG, 0x99));          /* private to g */
	ASSERT_EQ(tpeek(a, va + PG), 2);
	ASSERT_EQ(tpeek(b, va + PG), 2);
	ASSERT_EQ(tstats(sys).wired, 4);
	SYSCHECK(sys);
	bvm_vmspace_destroy(g);
	bvm_vmspace_destroy(b);
	ASSERT_OK(bvm_munlock(a, va, 4 * PG));
	ASSERT_EQ(tstats(sys).wired, 0);
	SYSCHECK(sys);
	bvm_vmspace_destroy(a);
	bvm_system_destroy(sys);
}

/*
 * MAP_SHARED memory marked INHERIT_COPY, forked before anyone shares it
 * (found by fuzzing): the child gets a snapshot at fork, and the parent's
 * entry stays shared memory, never needs-copy.
 */
TEST(amap_shared_mapping_inherit_copy_fork)
{
	struct bvm_system *sys = tsys(128);
	struct bvm_vmspace *p = tvm(sys), *c;
	uint64_t va;

	ASSERT_OK(bvm_mmap(p, 0, 2 * PG, BVM_PROT_READ | BVM_PROT_WRITE,
	    BVM_MAP_ANON | BVM_MAP_SHARED, -1, 0, &va));
	ASSERT_OK(tpoke(p, va, 1));
	ASSERT_OK(bvm_minherit(p, va, 2 * PG, BVM_INHERIT_COPY));
	ASSERT_OK(bvm_fork(p, &c));
	CHECK(p);
	CHECK(c);
	ASSERT_OK(tpoke(p, va, 2));
	ASSERT_EQ(tpeek(c, va), 1);
	ASSERT_OK(tpoke(c, va + PG, 3));
	ASSERT_EQ(tpeek(p, va + PG), 0);
	SYSCHECK(sys);
	bvm_vmspace_destroy(c);
	bvm_vmspace_destroy(p);
	bvm_system_destroy(sys);
}
