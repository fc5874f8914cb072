/*
 * test_munmap.c: bvm_munmap: OpenBSD's argument checks (ALIGN_ADDR, wrap,
 * user-space bounds), its refusal of any unmapped page in the range, len 0,
 * rounding, splitting entries and giving memory back.
 */
#include "snapshot.h"

#define MAXU BVM_VM_MAXUSER_ADDRESS

TEST(munmap_hole_in_range_einval)
{
	struct api_world w;

	WORLD_INIT(&w);
	/* A, the hole after it, and B. */
	ASSERT_ERR(bvm_munmap(w.vm, W_A, W_B + 2 * PG - W_A), EINVAL);
	/* A plus one page of the hole. */
	ASSERT_ERR(bvm_munmap(w.vm, W_A, 5 * PG), EINVAL);
	ASSERT_ERR(bvm_munmap(w.vm, W_A + 3 * PG, 2 * PG), EINVAL);
	/* Starts in the hole, ends in B. */
	ASSERT_ERR(bvm_munmap(w.vm, W_B - PG, 2 * PG), EINVAL);
	/* Everything. */
	ASSERT_ERR(bvm_munmap(w.vm, W_A, W_END - W_A), EINVAL);
	/* Only the hole. */
	ASSERT_ERR(bvm_munmap(w.vm, W_A + 4 * PG, PG), EINVAL);
	ASSERT_ERR(bvm_munmap(w.vm, 0x60000000, 16 * PG), EINVAL);
	/* C plus the page after it. */
	ASSERT_ERR(bvm_munmap(w.vm, W_C, 4 * PG), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(munmap_len_zero_is_noop)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_OK(bvm_munmap(w.vm, W_A, 0));
	ASSERT_OK(bvm_munmap(w.vm, W_A + PG, 0));
	ASSERT_OK(bvm_munmap(w.vm, W_B, 0));
	/* Even where nothing is mapped. */
	ASSERT_OK(bvm_munmap(w.vm, W_A + 4 * PG, 0));
	ASSERT_OK(bvm_munmap(w.vm, 0x60000000, 0));
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(munmap_bad_addresses_einval)
{
	struct api_world w;

	WORLD_INIT(&w);
	/* munmap(NULL): below VM_MIN_ADDRESS, whatever the length. */
	ASSERT_ERR(bvm_munmap(w.vm, 0, PG), EINVAL);
	ASSERT_ERR(bvm_munmap(w.vm, 0, 0), EINVAL);
	ASSERT_ERR(bvm_munmap(w.vm, 0, W_A + 4 * PG), EINVAL);
	ASSERT_ERR(bvm_munmap(w.vm, 5, 1), EINVAL);
	/* Wraps. */
	ASSERT_ERR(bvm_munmap(w.vm, W_A, UINT64_MAX), EINVAL);
	ASSERT_ERR(bvm_munmap(w.vm, W_A, UINT64_MAX - PG + 1), EINVAL);
	ASSERT_ERR(bvm_munmap(w.vm, W_A + 16, UINT64_MAX - 8), EINVAL);
	ASSERT_ERR(bvm_munmap(w.vm, UINT64_MAX - PG + 1, 2 * PG), EINVAL);
	/* Past the top of user space. */
	ASSERT_ERR(bvm_munmap(w.vm, MAXU - PG, 2 * PG), EINVAL);
	ASSERT_ERR(bvm_munmap(w.vm, MAXU, PG), EINVAL);
	ASSERT_ERR(bvm_munmap(w.vm, W_A, MAXU), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Unmapping part of an entry splits it; the rest keeps its data. */
TEST(munmap_middle_splits)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t a;

	a = MAP(vm, 0, 8 * PG, RW, ANONPRIV);
	FILL(vm, a, 8 * PG, 5);
	ASSERT_OK(bvm_munmap(vm, a + 3 * PG, 2 * PG));
	ASSERT_EQ(api_nregions(vm), 2);
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.start, a);
	ASSERT_EQ(r.end, a + 3 * PG);
	ASSERT_EQ(r.resident, 3);
	ASSERT_TRUE(api_region_at(vm, a + 5 * PG, &r));
	ASSERT_EQ(r.start, a + 5 * PG);
	ASSERT_EQ(r.end, a + 8 * PG);
	ASSERT_EQ(r.resident, 3);
	ASSERT_TRUE(!api_region_at(vm, a + 3 * PG, &r));
	ASSERT_TRUE(!api_region_at(vm, a + 4 * PG, &r));
	VERIFY(vm, a, 3 * PG, 5);
	VERIFY(vm, a + 5 * PG, 3 * PG, 5);
	NO_READ(vm, a + 3 * PG, BVM_SEGV_MAPERR);
	NO_WRITE(vm, a + 4 * PG + 100, BVM_SEGV_MAPERR);
	ASSERT_EQ(api_info(vm).size, 6 * PG);
	ASSERT_EQ(api_info(vm).resident, 6);
	ASSERT_EQ(api_info(vm).dused, 6 * PG);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* An unaligned address is rounded down and the length grows with it. */
TEST(munmap_unaligned_rounds)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a = 0x40000000;

	MAP(vm, a, 8 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a, 8 * PG, 1);
	/* [a+PG+100, a+PG+101) is page a+PG only. */
	ASSERT_OK(bvm_munmap(vm, a + PG + 100, 1));
	NO_READ(vm, a + PG, BVM_SEGV_MAPERR);
	VERIFY(vm, a, PG, 1);
	VERIFY(vm, a + 2 * PG, PG, 1);
	/* [a+3PG+100, a+4PG+100) covers pages 3 and 4. */
	ASSERT_OK(bvm_munmap(vm, a + 3 * PG + 100, PG));
	NO_READ(vm, a + 3 * PG, BVM_SEGV_MAPERR);
	NO_READ(vm, a + 4 * PG, BVM_SEGV_MAPERR);
	VERIFY(vm, a + 2 * PG, PG, 1);
	VERIFY(vm, a + 5 * PG, 3 * PG, 1);
	ASSERT_EQ(api_info(vm).size, 5 * PG);
	/* A length that is not a page multiple rounds up. */
	ASSERT_OK(bvm_munmap(vm, a + 5 * PG, PG + 1));
	NO_READ(vm, a + 6 * PG, BVM_SEGV_MAPERR);
	VERIFY(vm, a + 7 * PG, PG, 1);
	ASSERT_EQ(api_info(vm).size, 3 * PG);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* ALIGN_ADDR: len 0 with an unaligned address is one page. */
TEST(munmap_len_zero_unaligned_is_one_page)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a = 0x40000000;

	MAP(vm, a, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a, 2 * PG, 1);
	ASSERT_OK(bvm_munmap(vm, a + 5, 0));
	NO_READ(vm, a, BVM_SEGV_MAPERR);
	VERIFY(vm, a + PG, PG, 1);
	/* And where that page is not mapped: EINVAL. */
	ASSERT_ERR(bvm_munmap(vm, a + 5, 0), EINVAL);
	ASSERT_EQ(api_info(vm).size, PG);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* One call over adjacent entries of different kinds. */
TEST(munmap_adjacent_entries)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	uint64_t a = 0x40000000;

	MAP(vm, a, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 2 * PG, 2 * PG, RW, ANONSHARED | BVM_MAP_FIXED);
	MAP(vm, a + 4 * PG, 2 * PG, BVM_PROT_NONE, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 6 * PG, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a, 4 * PG, 2);
	FILL(vm, a + 6 * PG, 2 * PG, 3);
	ASSERT_EQ(api_nregions(vm), 4);
	s0 = tstats(sys);
	ASSERT_OK(bvm_munmap(vm, a + PG, 6 * PG));
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free + 4);
	ASSERT_EQ(s1.anons, s0.anons - 4);
	ASSERT_EQ(api_nregions(vm), 2);
	VERIFY(vm, a, PG, 2);
	VERIFY(vm, a + 7 * PG, PG, 3);
	ASSERT_EQ(api_info(vm).size, 2 * PG);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Unmapping gives the frames, anons, amaps and entries back. */
TEST(munmap_frees_everything)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1, s2;
	uint64_t a;

	s0 = tstats(sys);
	a = MAP(vm, 0, 10 * PG, RW, ANONPRIV);
	FILL(vm, a, 10 * PG, 1);
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free - 10);
	ASSERT_EQ(s1.anons, s0.anons + 10);
	ASSERT_EQ(s1.amaps, s0.amaps + 1);
	ASSERT_EQ(s1.map_entries, s0.map_entries + 1);
	ASSERT_OK(bvm_munmap(vm, a, 10 * PG));
	s2 = tstats(sys);
	ASSERT_EQ(s2.free, s0.free);
	ASSERT_EQ(s2.anons, s0.anons);
	ASSERT_EQ(s2.amaps, s0.amaps);
	ASSERT_EQ(s2.map_entries, s0.map_entries);
	ASSERT_EQ(api_nregions(vm), 0);
	ASSERT_EQ(api_info(vm).size, 0);
	ASSERT_EQ(api_info(vm).resident, 0);
	ASSERT_EQ(api_info(vm).dused, 0);
	/* The space can be mapped again, and reads zero. */
	MAP(vm, a, 10 * PG, RW, ANONPRIV | BVM_MAP_FIXED | BVM_MAP_NOREPLACE);
	VERIFY_ZERO(vm, a, 10 * PG);
	CHECK(vm);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A second munmap of the same range finds a hole: EINVAL, nothing done. */
TEST(munmap_unmap_twice_einval)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct api_snap s;
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 1);
	ASSERT_OK(bvm_munmap(vm, a + PG, PG));
	SNAP(vm, sys, &s);
	ASSERT_ERR(bvm_munmap(vm, a + PG, PG), EINVAL);
	ASSERT_ERR(bvm_munmap(vm, a, 4 * PG), EINVAL);
	ASSERT_SNAP(vm, sys, &s);
	VERIFY(vm, a, PG, 1);
	VERIFY(vm, a + 2 * PG, 2 * PG, 1);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
