/*
 * test_fork.c: bvm_fork by inheritance: COPY (copy-on-write: each side sees
 * its own writes), SHARE (shared both ways), NONE (a hole in the child),
 * ZERO (fresh zeroes); forks of forks, children outliving parents, a shared
 * amap inherited COPY by a grandchild, wired entries copied at once.
 */
#include "snapshot.h"

TEST(fork_cow_isolation)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	VERIFY(child, a, 4 * PG, 1);
	/* Parent writes pages 0-1, child writes pages 2-3. */
	FILL(vm, a, 2 * PG, 2);
	FILL(child, a + 2 * PG, 2 * PG, 3);
	VERIFY(vm, a, 2 * PG, 2);
	VERIFY(vm, a + 2 * PG, 2 * PG, 1);
	VERIFY(child, a, 2 * PG, 1);
	VERIFY(child, a + 2 * PG, 2 * PG, 3);
	/* Both write the same page. */
	ASSERT_OK(tpoke(vm, a + 5, 0xaa));
	ASSERT_OK(tpoke(child, a + 5, 0xbb));
	ASSERT_EQ(tpeek(vm, a + 5), 0xaa);
	ASSERT_EQ(tpeek(child, a + 5), 0xbb);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	VERIFY(vm, a + 2 * PG, 2 * PG, 1);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Untouched memory forks as zeroes, and writes stay private. */
TEST(fork_cow_untouched)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	ASSERT_OK(tpoke(vm, a, 1));
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_EQ(tpeek(child, a), 1);
	VERIFY_ZERO(child, a + PG, 3 * PG);
	FILL(child, a + PG, PG, 5);
	VERIFY_ZERO(vm, a + PG, 3 * PG);
	FILL(vm, a + 2 * PG, PG, 6);
	VERIFY_ZERO(child, a + 2 * PG, PG);
	VERIFY(child, a + PG, PG, 5);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* After fork both entries are needs-copy on one amap with two refs; the
 * first write gives the writer its own amap. */
TEST(fork_cow_structure)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_region r;
	struct bvm_stats s0, s1;
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 1);
	s0 = tstats(sys);
	ASSERT_OK(bvm_fork(vm, &child));
	s1 = tstats(sys);
	ASSERT_EQ(s1.forks, s0.forks + 1);
	ASSERT_EQ(s1.vmspaces, s0.vmspaces + 1);
	/* Lazy: no page copied, no frame used. */
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.anons, s0.anons);
	ASSERT_EQ(s1.cow_now, s0.cow_now);
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.flags & (BVM_REGION_COW | BVM_REGION_NEEDSCOPY),
	    BVM_REGION_COW | BVM_REGION_NEEDSCOPY);
	ASSERT_EQ(r.amap_refs, 2);
	ASSERT_EQ(r.anons, 4);
	ASSERT_TRUE(api_region_at(child, a, &r));
	ASSERT_EQ(r.start, a);
	ASSERT_EQ(r.end, a + 4 * PG);
	ASSERT_EQ(r.prot, RW);
	ASSERT_EQ(r.inherit, BVM_INHERIT_COPY);
	ASSERT_EQ(r.flags & (BVM_REGION_COW | BVM_REGION_NEEDSCOPY),
	    BVM_REGION_COW | BVM_REGION_NEEDSCOPY);
	ASSERT_EQ(r.amap_refs, 2);
	ASSERT_EQ(r.resident, 0);
	ASSERT_EQ(api_info(child).size, 4 * PG);
	/* Parent writes: its own amap now. */
	ASSERT_OK(tpoke(vm, a, 9));
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.flags & BVM_REGION_NEEDSCOPY, 0);
	ASSERT_EQ(r.amap_refs, 1);
	ASSERT_EQ(r.anons, 4);
	ASSERT_TRUE(api_region_at(child, a, &r));
	ASSERT_EQ(r.amap_refs, 1);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* SHARE: both see each other's writes. */
TEST(fork_share_both_ways)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_region r;
	uint64_t a, b;

	a = MAP(vm, 0, 3 * PG, RW, ANONPRIV);
	b = MAP(vm, 0, 3 * PG, RW, ANONSHARED);
	ASSERT_OK(bvm_minherit(vm, a, 3 * PG, BVM_INHERIT_SHARE));
	FILL(vm, a, PG, 1);
	FILL(vm, b, PG, 2);
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_TRUE(api_region_at(child, a, &r));
	ASSERT_EQ(r.inherit, BVM_INHERIT_SHARE);
	ASSERT_TRUE(api_region_at(child, b, &r));
	ASSERT_EQ(r.inherit, BVM_INHERIT_SHARE);
	ASSERT_TRUE(r.flags & BVM_REGION_SHAREDAMAP);
	VERIFY(child, a, PG, 1);
	VERIFY(child, b, PG, 2);
	/* Child writes touched and untouched pages; parent sees them. */
	FILL(child, a, 3 * PG, 3);
	FILL(child, b, 3 * PG, 4);
	VERIFY(vm, a, 3 * PG, 3);
	VERIFY(vm, b, 3 * PG, 4);
	/* And the other way. */
	FILL(vm, a + PG, PG, 5);
	FILL(vm, b + 2 * PG, PG, 6);
	VERIFY(child, a + PG, PG, 5);
	VERIFY(child, b + 2 * PG, PG, 6);
	VERIFY(child, a, PG, 3);
	CHECK(vm);
	CHECK(child);
	/* Sharing outlives the parent. */
	bvm_vmspace_destroy(vm);
	VERIFY(child, a + PG, PG, 5);
	VERIFY(child, b, PG, 4);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_system_destroy(sys);
}

/* NONE: the child has a hole there, and can map something else. */
TEST(fork_none_is_hole)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_region r;
	unsigned char vec[2];
	uint64_t a, b;

	a = MAP(vm, 0, 2 * PG, RW, ANONPRIV);
	b = MAP(vm, 0, 2 * PG, RW, ANONSHARED);
	FILL(vm, a, 2 * PG, 1);
	FILL(vm, b, 2 * PG, 2);
	ASSERT_OK(bvm_minherit(vm, a, 2 * PG, BVM_INHERIT_NONE));
	ASSERT_OK(bvm_minherit(vm, b, 2 * PG, BVM_INHERIT_NONE));
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_EQ(api_nregions(child), 0);
	ASSERT_EQ(api_info(child).size, 0);
	ASSERT_TRUE(!api_region_at(child, a, &r));
	NO_READ(child, a, BVM_SEGV_MAPERR);
	NO_WRITE(child, b + PG, BVM_SEGV_MAPERR);
	ASSERT_ERR(bvm_fault(child, a, BVM_PROT_READ, NULL), EFAULT);
	ASSERT_ERR(bvm_mincore(child, a, PG, vec), ENOMEM);
	ASSERT_ERR(bvm_munmap(child, a, PG), EINVAL);
	MAP(child, a, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED |
	    BVM_MAP_NOREPLACE);
	VERIFY_ZERO(child, a, 2 * PG);
	FILL(child, a, 2 * PG, 3);
	VERIFY(vm, a, 2 * PG, 1);
	VERIFY(vm, b, 2 * PG, 2);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* ZERO: the child gets fresh zeroes; the parent keeps its data. */
TEST(fork_zero_gives_zeroes)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_region r;
	uint64_t a;

	a = MAP(vm, 0, 3 * PG, RW, ANONPRIV);
	FILL(vm, a, 3 * PG, 1);
	ASSERT_OK(bvm_minherit(vm, a, 3 * PG, BVM_INHERIT_ZERO));
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_TRUE(api_region_at(child, a, &r));
	ASSERT_EQ(r.start, a);
	ASSERT_EQ(r.end, a + 3 * PG);
	ASSERT_EQ(r.prot, RW);
	ASSERT_EQ(r.inherit, BVM_INHERIT_ZERO);
	ASSERT_EQ(r.anons, 0);
	VERIFY_ZERO(child, a, 3 * PG);
	VERIFY(vm, a, 3 * PG, 1);
	FILL(child, a, PG, 2);
	VERIFY(vm, a, 3 * PG, 1);
	FILL(vm, a + PG, PG, 3);
	VERIFY_ZERO(child, a + PG, 2 * PG);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* ZERO on a shared mapping gives the child its own zeroes too. */
TEST(fork_zero_on_shared)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t b;

	b = MAP(vm, 0, 2 * PG, RW, ANONSHARED);
	FILL(vm, b, 2 * PG, 1);
	ASSERT_OK(bvm_minherit(vm, b, 2 * PG, BVM_INHERIT_ZERO));
	ASSERT_OK(bvm_fork(vm, &child));
	VERIFY_ZERO(child, b, 2 * PG);
	FILL(child, b, 2 * PG, 2);
	VERIFY(vm, b, 2 * PG, 1);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Mixed: one fork honours each entry's inheritance. */
TEST(fork_mixed_entries)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t a = 0x40000000;

	MAP(vm, a, 8 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a, 8 * PG, 1);
	ASSERT_OK(bvm_minherit(vm, a + 2 * PG, 2 * PG, BVM_INHERIT_SHARE));
	ASSERT_OK(bvm_minherit(vm, a + 4 * PG, 2 * PG, BVM_INHERIT_NONE));
	ASSERT_OK(bvm_minherit(vm, a + 6 * PG, 2 * PG, BVM_INHERIT_ZERO));
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_EQ(api_nregions(child), 3);
	VERIFY(child, a, 4 * PG, 1);
	NO_READ(child, a + 4 * PG, BVM_SEGV_MAPERR);
	NO_READ(child, a + 5 * PG + 99, BVM_SEGV_MAPERR);
	VERIFY_ZERO(child, a + 6 * PG, 2 * PG);
	FILL(child, a, 4 * PG, 2);
	VERIFY(vm, a, 2 * PG, 1);
	VERIFY(vm, a + 2 * PG, 2 * PG, 2);
	VERIFY(vm, a + 4 * PG, 4 * PG, 1);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Fork of a fork: three generations, each isolated. */
TEST(fork_of_fork)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child, *grand;
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	FILL(child, a + PG, PG, 2);
	ASSERT_OK(bvm_fork(child, &grand));
	VERIFY(grand, a, PG, 1);
	VERIFY(grand, a + PG, PG, 2);
	VERIFY(grand, a + 2 * PG, 2 * PG, 1);
	FILL(grand, a + 2 * PG, PG, 3);
	FILL(vm, a + 3 * PG, PG, 4);
	FILL(child, a, PG, 5);
	VERIFY(vm, a, PG, 1);
	VERIFY(vm, a + PG, 2 * PG, 1);
	VERIFY(vm, a + 3 * PG, PG, 4);
	VERIFY(child, a, PG, 5);
	VERIFY(child, a + PG, PG, 2);
	VERIFY(child, a + 2 * PG, 2 * PG, 1);
	VERIFY(grand, a, PG, 1);
	VERIFY(grand, a + PG, PG, 2);
	VERIFY(grand, a + 2 * PG, PG, 3);
	VERIFY(grand, a + 3 * PG, PG, 1);
	CHECK(vm);
	CHECK(child);
	CHECK(grand);
	/* Destroy the middle one first. */
	bvm_vmspace_destroy(child);
	VERIFY(grand, a + PG, PG, 2);
	VERIFY(vm, a + PG, PG, 1);
	CHECK(grand);
	CHECK(vm);
	bvm_vmspace_destroy(grand);
	bvm_vmspace_destroy(vm);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* The child keeps the data after the parent is gone and can write it. */
TEST(fork_child_outlives_parent)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_stats s0, s1;
	uint64_t a;

	s0 = tstats(sys);
	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	FILL(vm, a, PG, 2);
	bvm_vmspace_destroy(vm);
	VERIFY(child, a, 4 * PG, 1);
	FILL(child, a + PG, 2 * PG, 3);
	VERIFY(child, a, PG, 1);
	VERIFY(child, a + PG, 2 * PG, 3);
	VERIFY(child, a + 3 * PG, PG, 1);
	CHECK(child);
	/* Exactly the child's four pages are in use. */
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free - 4);
	ASSERT_EQ(s1.anons, s0.anons + 4);
	bvm_vmspace_destroy(child);
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.anons, s0.anons);
	ASSERT_EQ(s1.amaps, s0.amaps);
	ASSERT_EQ(s1.vmspaces, s0.vmspaces - 1);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* A shared amap inherited COPY by a grandchild: the grandchild gets a
 * snapshot at its fork; the parent's later writes reach the child (which
 * shares the amap) but not the grandchild.  (The per-operation checker is
 * off here so that a violation fails this test instead of panicking the
 * runner; the invariants are checked explicitly.) */
TEST(fork_shared_amap_copied_by_grandchild)
{
	struct bvm_system *sys = api_sys_nocheck(256);
	struct bvm_vmspace *vm = tvm(sys), *child, *grand;
	struct bvm_region r;
	uint64_t b;

	b = MAP(vm, 0, 4 * PG, RW, ANONSHARED);
	FILL(vm, b, 2 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	FILL(child, b + PG, 2 * PG, 2);
	VERIFY(vm, b + PG, 2 * PG, 2);
	ASSERT_OK(bvm_minherit(child, b, 4 * PG, BVM_INHERIT_COPY));
	ASSERT_TRUE(api_region_at(vm, b, &r));
	ASSERT_EQ(r.inherit, BVM_INHERIT_SHARE);
	CHECK(vm);
	CHECK(child);
	ASSERT_OK(bvm_fork(child, &grand));
	ASSERT_TRUE(api_region_at(grand, b, &r));
	ASSERT_TRUE(r.flags & BVM_REGION_COW);
	ASSERT_EQ(r.flags & BVM_REGION_SHAREDAMAP, 0);
	VERIFY(grand, b, PG, 1);
	VERIFY(grand, b + PG, 2 * PG, 2);
	VERIFY_ZERO(grand, b + 3 * PG, PG);
	/* Parent writes: child sees it, grandchild does not. */
	FILL(vm, b, PG, 3);
	FILL(vm, b + 3 * PG, PG, 3);
	VERIFY(child, b, PG, 3);
	VERIFY(child, b + 3 * PG, PG, 3);
	VERIFY(grand, b, PG, 1);
	VERIFY_ZERO(grand, b + 3 * PG, PG);
	CHECK(vm);
	CHECK(child);
	CHECK(grand);
	/* Grandchild writes: nobody else sees it. */
	FILL(grand, b + PG, PG, 4);
	VERIFY(vm, b + PG, PG, 2);
	VERIFY(child, b + PG, PG, 2);
	/* Child writes: the grandchild does not see it.  (Whether the
	 * parent does is not asserted: in UVM the forking entry is left
	 * needs-copy, so its next fault copies the amap.) */
	FILL(child, b + 2 * PG, PG, 5);
	VERIFY(child, b + 2 * PG, PG, 5);
	VERIFY(grand, b + 2 * PG, PG, 2);
	VERIFY(grand, b + PG, PG, 4);
	CHECK(vm);
	CHECK(child);
	CHECK(grand);
	bvm_vmspace_destroy(vm);
	bvm_vmspace_destroy(child);
	VERIFY(grand, b, PG, 1);
	VERIFY(grand, b + PG, PG, 4);
	VERIFY(grand, b + 2 * PG, PG, 2);
	CHECK(grand);
	bvm_vmspace_destroy(grand);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* The forking side of a shared amap inherited COPY: its own writes to
 * pages it already had mapped writable must not reach the new child. */
TEST(fork_shared_amap_forker_writes_isolated)
{
	struct bvm_system *sys = api_sys_nocheck(256);
	struct bvm_vmspace *vm = tvm(sys), *sharer, *child;
	uint64_t b;

	b = MAP(vm, 0, 2 * PG, RW, ANONSHARED);
	FILL(vm, b, 2 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &sharer));
	ASSERT_OK(bvm_minherit(vm, b, 2 * PG, BVM_INHERIT_COPY));
	ASSERT_OK(bvm_fork(vm, &child));
	VERIFY(child, b, 2 * PG, 1);
	/* vm had both pages mapped writable before the fork. */
	FILL(vm, b, 2 * PG, 2);
	VERIFY(sharer, b, 2 * PG, 2);
	VERIFY(child, b, 2 * PG, 1);
	/* And the sharer's writes do not reach the child either. */
	FILL(sharer, b + PG, PG, 3);
	VERIFY(vm, b + PG, PG, 3);
	VERIFY(child, b, 2 * PG, 1);
	CHECK(vm);
	CHECK(sharer);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(sharer);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Wired COPY entries are copied at fork (amap_cow_now). */
TEST(fork_wired_copied_now)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_stats s0, s1;
	struct bvm_region r;
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 1);
	ASSERT_OK(bvm_mlock(vm, a, 4 * PG));
	s0 = tstats(sys);
	ASSERT_OK(bvm_fork(vm, &child));
	s1 = tstats(sys);
	ASSERT_EQ(s1.cow_now, s0.cow_now + 4);
	ASSERT_EQ(s1.free, s0.free - 4);
	/* The child's entry is not wired (mlock is not inherited). */
	ASSERT_TRUE(api_region_at(child, a, &r));
	ASSERT_EQ(r.wired_count, 0);
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.wired_count, 1);
	ASSERT_EQ(r.flags & BVM_REGION_NEEDSCOPY, 0);
	VERIFY(child, a, 4 * PG, 1);
	/* The parent writes its wired pages without a fault; the child
	 * keeps the old data. */
	s0 = tstats(sys);
	FILL(vm, a, 4 * PG, 2);
	s1 = tstats(sys);
	ASSERT_EQ(s1.faults, s0.faults);
	ASSERT_EQ(s1.free, s0.free);
	VERIFY(child, a, 4 * PG, 1);
	FILL(child, a, 4 * PG, 3);
	VERIFY(vm, a, 4 * PG, 2);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	ASSERT_OK(bvm_munlock(vm, a, 4 * PG));
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* The child inherits limits and data size. */
TEST(fork_inherits_limits)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_vmspace_info pi, ci;
	uint64_t lim;

	MAP(vm, 0, 3 * PG, RW, ANONPRIV);
	MAP(vm, 0, 2 * PG, BVM_PROT_NONE, ANONPRIV);
	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_DATA, 5 * PG));
	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_MEMLOCK, 3 * PG));
	ASSERT_OK(bvm_fork(vm, &child));
	pi = api_info(vm);
	ci = api_info(child);
	ASSERT_EQ(ci.dused, pi.dused);
	ASSERT_EQ(ci.dused, 3 * PG);
	ASSERT_EQ(ci.size, 5 * PG);
	ASSERT_EQ(ci.rlimit_data, 5 * PG);
	ASSERT_EQ(ci.rlimit_memlock, 3 * PG);
	ASSERT_OK(bvm_getrlimit(child, BVM_RLIMIT_DATA, &lim));
	ASSERT_EQ(lim, 5 * PG);
	/* The limit applies to the child's own use. */
	MAP(child, 0, 2 * PG, RW, ANONPRIV);
	ASSERT_ERR(bvm_mmap(child, 0, PG, RW, ANONPRIV, -1, 0, &lim), ENOMEM);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Forking an empty vmspace, and many children of one parent. */
TEST(fork_many_children)
{
	struct bvm_system *sys = tsys(512);
	struct bvm_vmspace *vm = tvm(sys), *kids[8], *empty;
	uint64_t a;
	int i;

	ASSERT_OK(bvm_fork(vm, &empty));
	ASSERT_EQ(api_nregions(empty), 0);
	bvm_vmspace_destroy(empty);
	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 100);
	for (i = 0; i < 8; i++) {
		ASSERT_OK(bvm_fork(vm, &kids[i]));
		FILL(kids[i], a + (uint64_t)(i % 4) * PG, PG, (unsigned)i);
	}
	for (i = 0; i < 8; i++) {
		VERIFY(kids[i], a + (uint64_t)(i % 4) * PG, PG, (unsigned)i);
		CHECK(kids[i]);
	}
	VERIFY(vm, a, 4 * PG, 100);
	for (i = 0; i < 8; i++)
		bvm_vmspace_destroy(kids[i]);
	VERIFY(vm, a, 4 * PG, 100);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* mprotect READ then READ|WRITE on a copy-on-write entry must not give
 * write access to the shared pages: the next write still copies. */
TEST(fork_cow_after_mprotect_roundtrip)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	VERIFY(child, a, 4 * PG, 1);
	ASSERT_OK(bvm_mprotect(child, a, 4 * PG, RO));
	ASSERT_OK(bvm_mprotect(child, a, 4 * PG, RW));
	ASSERT_OK(bvm_mprotect(vm, a, 2 * PG, RO));
	ASSERT_OK(bvm_mprotect(vm, a, 2 * PG, RW));
	FILL(child, a, 2 * PG, 2);
	FILL(vm, a + 2 * PG, 2 * PG, 3);
	VERIFY(vm, a, 2 * PG, 1);
	VERIFY(child, a + 2 * PG, 2 * PG, 1);
	FILL(vm, a, PG, 4);
	VERIFY(child, a, 2 * PG, 2);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Unmapping, replacing or freeing in one side after fork leaves the
 * other side's copy alone. */
TEST(fork_cow_survives_unmap_fixed_free)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t a = 0x40000000;

	MAP(vm, a, 8 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a, 8 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_OK(bvm_munmap(vm, a, 2 * PG));
	MAP(vm, a + 2 * PG, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	ASSERT_OK(bvm_madvise(vm, a + 4 * PG, 2 * PG, BVM_MADV_FREE));
	ASSERT_OK(bvm_madvise(child, a + 6 * PG, 2 * PG, BVM_MADV_FREE));
	VERIFY(child, a, 8 * PG, 1);
	VERIFY(vm, a + 4 * PG, 4 * PG, 1);
	VERIFY_ZERO(vm, a + 2 * PG, 2 * PG);
	/* After the child writes (its own amap now), FREE discards its
	 * pages and only its pages. */
	FILL(child, a, 8 * PG, 2);
	ASSERT_OK(bvm_madvise(child, a, 8 * PG, BVM_MADV_FREE));
	VERIFY_ZERO(child, a, 8 * PG);
	VERIFY(vm, a + 4 * PG, 4 * PG, 1);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* mlock in the child wires its own copies; the parent is unaffected. */
TEST(fork_mlock_in_child_copies)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_stats s0, s1;
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	s0 = tstats(sys);
	ASSERT_OK(bvm_mlock(child, a, 4 * PG));
	s1 = tstats(sys);
	ASSERT_EQ(s1.wired, s0.wired + 4);
	ASSERT_EQ(s1.free, s0.free - 4);
	VERIFY(child, a, 4 * PG, 1);
	FILL(vm, a, 4 * PG, 2);
	VERIFY(child, a, 4 * PG, 1);
	FILL(child, a, 4 * PG, 3);
	VERIFY(vm, a, 4 * PG, 2);
	ASSERT_OK(bvm_munlock(child, a, 4 * PG));
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A PROT_NONE entry is copied too: made accessible in the child it shows
 * the parent's data as of the fork. */
TEST(fork_prot_none_copied)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t a;

	a = MAP(vm, 0, 2 * PG, RW, ANONPRIV);
	FILL(vm, a, 2 * PG, 1);
	ASSERT_OK(bvm_mprotect(vm, a, 2 * PG, BVM_PROT_NONE));
	ASSERT_OK(bvm_fork(vm, &child));
	NO_READ(child, a, BVM_SEGV_ACCERR);
	ASSERT_EQ(api_info(child).dused, 0);
	ASSERT_OK(bvm_mprotect(child, a, 2 * PG, RW));
	ASSERT_EQ(api_info(child).dused, 2 * PG);
	VERIFY(child, a, 2 * PG, 1);
	FILL(child, a, 2 * PG, 2);
	ASSERT_OK(bvm_mprotect(vm, a, 2 * PG, RO));
	VERIFY(vm, a, 2 * PG, 1);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* exec in the parent leaves a child's copy-on-write data alone. */
TEST(fork_parent_exec_child_keeps)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_OK(bvm_exec(vm));
	VERIFY(child, a, 4 * PG, 1);
	FILL(child, a, 2 * PG, 2);
	VERIFY(child, a + 2 * PG, 2 * PG, 1);
	CHECK(child);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_vmspace_destroy(child);
	bvm_system_destroy(sys);
}

/* The child's data size counts what it inherited, by inheritance: COPY,
 * SHARE and ZERO entries that are accessible; not NONE, not PROT_NONE. */
TEST(fork_dused_by_inheritance)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t a = 0x40000000;

	MAP(vm, a, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 4 * PG, 3 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 8 * PG, 4 * PG, RW, ANONSHARED | BVM_MAP_FIXED);
	MAP(vm, a + 16 * PG, 5 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 24 * PG, 6 * PG, BVM_PROT_NONE, ANONPRIV | BVM_MAP_FIXED);
	ASSERT_OK(bvm_minherit(vm, a + 4 * PG, 3 * PG, BVM_INHERIT_ZERO));
	ASSERT_OK(bvm_minherit(vm, a + 16 * PG, 5 * PG, BVM_INHERIT_NONE));
	ASSERT_EQ(api_info(vm).dused, 14 * PG);
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_EQ(api_info(child).dused, 9 * PG);
	ASSERT_EQ(api_info(child).size, 15 * PG);
	ASSERT_EQ(api_info(child).nentries, 4);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Neighbours mapped by fault-around in a child are mapped read-only: a
 * later write to one still copies. */
TEST(fork_faultaround_then_write_copies)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_stats s0, s1;
	uint64_t a = 0x40000000;

	MAP(vm, a, 16 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a, 16 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_EQ(tpeek(child, a + 8 * PG), api_pat(a + 8 * PG, 1));
	s0 = tstats(sys);
	ASSERT_OK(tpoke(child, a + 9 * PG, 0x99));
	ASSERT_OK(tpoke(child, a + 7 * PG, 0x77));
	s1 = tstats(sys);
	ASSERT_EQ(s1.flt_acow, s0.flt_acow + 2);
	ASSERT_EQ(s1.free, s0.free - 2);
	VERIFY(vm, a, 16 * PG, 1);
	ASSERT_EQ(tpeek(child, a + 9 * PG), 0x99);
	/* And the same in the parent. */
	ASSERT_OK(tpoke(vm, a + 10 * PG, 0xaa));
	ASSERT_EQ(tpeek(child, a + 10 * PG), api_pat(a + 10 * PG, 1));
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A shared mapping partly unmapped or replaced on one side: the other
 * side keeps all of it, and the new memory is not shared. */
TEST(fork_share_partial_unmap_and_replace)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t b = 0x40000000;

	MAP(vm, b, 8 * PG, RW, ANONSHARED | BVM_MAP_FIXED);
	FILL(vm, b, 8 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_OK(bvm_munmap(vm, b + 2 * PG, 2 * PG));
	MAP(vm, b + 4 * PG, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	VERIFY(child, b, 8 * PG, 1);
	FILL(child, b, 8 * PG, 2);
	VERIFY(vm, b, 2 * PG, 2);
	VERIFY_ZERO(vm, b + 4 * PG, 2 * PG);
	VERIFY(vm, b + 6 * PG, 2 * PG, 2);
	FILL(vm, b + 4 * PG, 2 * PG, 3);
	VERIFY(child, b + 4 * PG, 2 * PG, 2);
	FILL(vm, b + 7 * PG, PG, 4);
	VERIFY(child, b + 7 * PG, PG, 4);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(vm);
	VERIFY(child, b + 2 * PG, 2 * PG, 2);
	CHECK(child);
	bvm_vmspace_destroy(child);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* A large region (over UVM_AMAP_LARGE pages, where amap copies may be
 * chunked): sparse writes on both sides stay isolated. */
TEST(fork_large_region_sparse)
{
	struct bvm_system *sys = tsys(1024);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t a = 0x40000000, i, n = 300;

	MAP(vm, a, n * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	for (i = 0; i < n; i += 7)
		FILL(vm, a + i * PG, 64, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	for (i = 0; i < n; i += 7)
		VERIFY(child, a + i * PG, 64, 1);
	for (i = 0; i < n; i += 11)
		FILL(child, a + i * PG + 128, 64, 2);
	for (i = 3; i < n; i += 13)
		FILL(vm, a + i * PG + 256, 64, 3);
	for (i = 0; i < n; i += 7)
		VERIFY(child, a + i * PG, 64, 1);
	for (i = 0; i < n; i += 11) {
		VERIFY(child, a + i * PG + 128, 64, 2);
		VERIFY_ZERO(vm, a + i * PG + 128, 64);
	}
	for (i = 3; i < n; i += 13) {
		VERIFY(vm, a + i * PG + 256, 64, 3);
		VERIFY_ZERO(child, a + i * PG + 256, 64);
	}
	ASSERT_OK(bvm_mprotect(child, a + 100 * PG, 100 * PG, RO));
	NO_WRITE(child, a + 150 * PG, BVM_SEGV_ACCERR);
	ASSERT_OK(bvm_munmap(vm, a + 50 * PG, 200 * PG));
	VERIFY(child, a + 147 * PG, 64, 1);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}
