/*
 * test_madvise.c: bvm_madvise: bad advice and SPACEAVAIL are EINVAL,
 * NORMAL/RANDOM/SEQUENTIAL set the entry's advice (and the fault-around
 * window), WILLNEED does nothing, DONTNEED keeps the data, FREE discards
 * private anonymous pages unless the amap is shared.
 */
#include "snapshot.h"

static int
advice_at(struct bvm_vmspace *vm, uint64_t va)
{
	struct bvm_region r;

	if (!api_region_at(vm, va, &r))
		return -1;
	return r.advice;
}

TEST(madvise_bad_advice_einval)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_madvise(w.vm, W_A, PG, 7), EINVAL);
	ASSERT_ERR(bvm_madvise(w.vm, W_A, 4 * PG, -1), EINVAL);
	ASSERT_ERR(bvm_madvise(w.vm, W_A, 4 * PG, 100), EINVAL);
	ASSERT_ERR(bvm_madvise(w.vm, 0x60000000, PG, 8), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(madvise_spaceavail_einval)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_madvise(w.vm, W_A, 4 * PG, BVM_MADV_SPACEAVAIL),
	    EINVAL);
	ASSERT_ERR(bvm_madvise(w.vm, W_B, PG, BVM_MADV_SPACEAVAIL), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(madvise_wrap_einval)
{
	struct api_world w;
	int adv[] = { BVM_MADV_NORMAL, BVM_MADV_RANDOM, BVM_MADV_SEQUENTIAL,
	    BVM_MADV_WILLNEED, BVM_MADV_DONTNEED, BVM_MADV_FREE };
	size_t i;

	WORLD_INIT(&w);
	for (i = 0; i < sizeof(adv) / sizeof(adv[0]); i++) {
		ASSERT_ERR(bvm_madvise(w.vm, W_A, UINT64_MAX, adv[i]), EINVAL);
		ASSERT_ERR(bvm_madvise(w.vm, W_A + 16, UINT64_MAX - 8,
		    adv[i]), EINVAL);
		ASSERT_ERR(bvm_madvise(w.vm, W_A, UINT64_MAX - PG + 1,
		    adv[i]), EINVAL);
	}
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(madvise_willneed_noop)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_OK(bvm_madvise(w.vm, W_A, 4 * PG, BVM_MADV_WILLNEED));
	ASSERT_OK(bvm_madvise(w.vm, W_C, 3 * PG, BVM_MADV_WILLNEED));
	ASSERT_OK(bvm_madvise(w.vm, W_A, W_END - W_A, BVM_MADV_WILLNEED));
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(madvise_sets_advice_and_splits)
{
	struct api_world w;
	struct bvm_region r;

	WORLD_INIT(&w);
	ASSERT_EQ(advice_at(w.vm, W_A), BVM_MADV_NORMAL);
	ASSERT_OK(bvm_madvise(w.vm, W_A + PG, 2 * PG, BVM_MADV_RANDOM));
	ASSERT_EQ(advice_at(w.vm, W_A), BVM_MADV_NORMAL);
	ASSERT_EQ(advice_at(w.vm, W_A + PG), BVM_MADV_RANDOM);
	ASSERT_EQ(advice_at(w.vm, W_A + 3 * PG), BVM_MADV_NORMAL);
	ASSERT_TRUE(api_region_at(w.vm, W_A + PG, &r));
	ASSERT_EQ(r.start, W_A + PG);
	ASSERT_EQ(r.end, W_A + 3 * PG);
	ASSERT_EQ(api_nregions(w.vm), 5);
	/* Over holes: skipped. */
	ASSERT_OK(bvm_madvise(w.vm, W_A, W_END - W_A + 4 * PG,
	    BVM_MADV_SEQUENTIAL));
	ASSERT_EQ(advice_at(w.vm, W_A), BVM_MADV_SEQUENTIAL);
	ASSERT_EQ(advice_at(w.vm, W_A + PG), BVM_MADV_SEQUENTIAL);
	ASSERT_EQ(advice_at(w.vm, W_B), BVM_MADV_SEQUENTIAL);
	ASSERT_EQ(advice_at(w.vm, W_C + 2 * PG), BVM_MADV_SEQUENTIAL);
	ASSERT_OK(bvm_madvise(w.vm, W_B, 2 * PG, BVM_MADV_NORMAL));
	ASSERT_EQ(advice_at(w.vm, W_B), BVM_MADV_NORMAL);
	VERIFY(w.vm, W_A, 4 * PG, 1);
	VERIFY(w.vm, W_B, 2 * PG, 2);
	CHECK(w.vm);
	api_world_fini(&w);
}

/* An unaligned start is rounded down, the length rounded up. */
TEST(madvise_unaligned_rounds)
{
	struct api_world w;
	struct bvm_region r;

	WORLD_INIT(&w);
	ASSERT_OK(bvm_madvise(w.vm, W_A + PG + 1, 1, BVM_MADV_RANDOM));
	ASSERT_TRUE(api_region_at(w.vm, W_A + PG, &r));
	ASSERT_EQ(r.start, W_A + PG);
	ASSERT_EQ(r.end, W_A + 2 * PG);
	ASSERT_EQ(r.advice, BVM_MADV_RANDOM);
	/* FREE of [D+PG+100, D+2PG+100): pages 1 and 2.  (A fresh entry:
	 * once an entry is split its amap has more than one reference, and
	 * FREE then only deactivates, as OpenBSD's uvm_map_clean.) */
	MAP(w.vm, 0x40000000, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(w.vm, 0x40000000, 4 * PG, 5);
	ASSERT_OK(bvm_madvise(w.vm, 0x40000000 + PG + 100, PG,
	    BVM_MADV_FREE));
	VERIFY(w.vm, 0x40000000, PG, 5);
	VERIFY_ZERO(w.vm, 0x40000000 + PG, 2 * PG);
	VERIFY(w.vm, 0x40000000 + 3 * PG, PG, 5);
	CHECK(w.vm);
	api_world_fini(&w);
}

/* DONTNEED deactivates; the data stays. */
TEST(madvise_dontneed_keeps_data)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	uint64_t a, b;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	b = MAP(vm, 0, 2 * PG, RW, ANONSHARED);
	FILL(vm, a, 4 * PG, 1);
	FILL(vm, b, 2 * PG, 2);
	s0 = tstats(sys);
	ASSERT_OK(bvm_madvise(vm, a, 4 * PG, BVM_MADV_DONTNEED));
	ASSERT_OK(bvm_madvise(vm, b, 2 * PG, BVM_MADV_DONTNEED));
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.anons, s0.anons);
	ASSERT_EQ(s1.inactive, s0.inactive + 6);
	ASSERT_EQ(s1.active, s0.active - 6);
	VERIFY(vm, a, 4 * PG, 1);
	VERIFY(vm, b, 2 * PG, 2);
	ASSERT_EQ(tstats(sys).free, s0.free);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* FREE discards private anonymous pages: they read back zero and their
 * frames are free again. */
TEST(madvise_free_private_zeroes)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	struct bvm_region r;
	uint64_t a;

	a = MAP(vm, 0, 6 * PG, RW, ANONPRIV);
	FILL(vm, a, 6 * PG, 1);
	s0 = tstats(sys);
	ASSERT_OK(bvm_madvise(vm, a + 2 * PG, 3 * PG, BVM_MADV_FREE));
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free + 3);
	ASSERT_EQ(s1.anons, s0.anons - 3);
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.anons, 3);
	ASSERT_EQ(r.resident, 3);
	/* The entry itself is unchanged. */
	ASSERT_EQ(r.start, a);
	ASSERT_EQ(r.end, a + 6 * PG);
	ASSERT_EQ(api_info(vm).size, 6 * PG);
	VERIFY(vm, a, 2 * PG, 1);
	VERIFY_ZERO(vm, a + 2 * PG, 3 * PG);
	VERIFY(vm, a + 5 * PG, PG, 1);
	/* And the pages are usable again. */
	FILL(vm, a, 6 * PG, 2);
	VERIFY(vm, a, 6 * PG, 2);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* FREE of a COW amap still shared with a child only deactivates: both
 * keep the data. */
TEST(madvise_free_shared_amap_keeps_data)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_stats s0, s1;
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	s0 = tstats(sys);
	ASSERT_OK(bvm_madvise(vm, a, 4 * PG, BVM_MADV_FREE));
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.anons, s0.anons);
	VERIFY(child, a, 4 * PG, 1);
	VERIFY(vm, a, 4 * PG, 1);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* FREE of a MAP_SHARED amap shared with a child (INHERIT_SHARE) also only
 * deactivates: both keep the data. */
TEST(madvise_free_shared_mapping_keeps_data)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_stats s0, s1;
	uint64_t b;

	b = MAP(vm, 0, 4 * PG, RW, ANONSHARED);
	FILL(vm, b, 4 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	s0 = tstats(sys);
	ASSERT_OK(bvm_madvise(child, b, 4 * PG, BVM_MADV_FREE));
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	VERIFY(vm, b, 4 * PG, 1);
	VERIFY(child, b, 4 * PG, 1);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Fault-around: a read fault in the child (whose pmap is empty but whose
 * amap holds resident anons) maps the advised window of neighbours. */
static void
around_case(int advice, uint64_t page, uint64_t want, const char *file,
    int line)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_stats s0, s1;
	struct bvm_region r;
	uint64_t a = 0x40000000;
	int error;

	api_map(vm, a, 16 * PG, RW, ANONPRIV | BVM_MAP_FIXED, file, line);
	api_fill(vm, a, 16 * PG, 1, file, line);
	error = bvm_madvise(vm, a, 16 * PG, advice);
	if (error != 0)
		bvm_test_fail(file, line, "madvise: %s", bvm_errname(error));
	error = bvm_fork(vm, &child);
	if (error != 0)
		bvm_test_fail(file, line, "fork: %s", bvm_errname(error));
	memset(&r, 0, sizeof(r));
	if (!api_region_at(child, a, &r))
		bvm_test_fail(file, line, "child has no region");
	if (r.advice != advice)
		bvm_test_fail(file, line, "child advice %d, want %d",
		    r.advice, advice);
	if (r.resident != 0)
		bvm_test_fail(file, line, "child resident %llu before fault",
		    (unsigned long long)r.resident);
	s0 = tstats(sys);
	if (tpeek(child, a + page * PG) != api_pat(a + page * PG, 1))
		bvm_test_fail(file, line, "child read wrong byte");
	s1 = tstats(sys);
	if (s1.faults != s0.faults + 1)
		bvm_test_fail(file, line, "faults +%llu, want +1",
		    (unsigned long long)(s1.faults - s0.faults));
	if (s1.flt_around != s0.flt_around + want)
		bvm_test_fail(file, line, "flt_around +%llu, want +%llu",
		    (unsigned long long)(s1.flt_around - s0.flt_around),
		    (unsigned long long)want);
	api_region_at(child, a, &r);
	if (r.resident != want + 1)
		bvm_test_fail(file, line, "child resident %llu, want %llu",
		    (unsigned long long)r.resident,
		    (unsigned long long)(want + 1));
	api_verify(child, a, 16 * PG, 1, file, line);
	tcheck(child, file, line);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(madvise_faultaround_normal)
{
	/* 3 back, 4 forward. */
	around_case(BVM_MADV_NORMAL, 8, 7, __FILE__, __LINE__);
	/* Clamped to the entry. */
	around_case(BVM_MADV_NORMAL, 0, 4, __FILE__, __LINE__);
	around_case(BVM_MADV_NORMAL, 15, 3, __FILE__, __LINE__);
	around_case(BVM_MADV_NORMAL, 1, 5, __FILE__, __LINE__);
}

TEST(madvise_faultaround_random)
{
	around_case(BVM_MADV_RANDOM, 8, 0, __FILE__, __LINE__);
	around_case(BVM_MADV_RANDOM, 0, 0, __FILE__, __LINE__);
}

TEST(madvise_faultaround_sequential)
{
	/* 7 forward from the start of the entry. */
	around_case(BVM_MADV_SEQUENTIAL, 0, 7, __FILE__, __LINE__);
}
