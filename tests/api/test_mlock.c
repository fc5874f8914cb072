/*
 * test_mlock.c: bvm_mlock/bvm_munlock and bvm_mlockall/bvm_munlockall:
 * wiring faults pages in and counts them; holes are ENOMEM, PROT_NONE is
 * EACCES, limits are EAGAIN; MCL_FUTURE wires later mappings and refuses
 * ones over the limit, leaving nothing mapped.
 */
#include "snapshot.h"

TEST(mlock_wires_and_faults_in)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	struct bvm_region r;
	uint64_t a;

	a = MAP(vm, 0, 6 * PG, RW, ANONPRIV);
	s0 = tstats(sys);
	ASSERT_OK(bvm_mlock(vm, a + PG, 4 * PG));
	s1 = tstats(sys);
	ASSERT_EQ(s1.wired, s0.wired + 4);
	ASSERT_EQ(s1.free, s0.free - 4);
	ASSERT_EQ(api_info(vm).wired, 4 * PG);
	ASSERT_EQ(api_nregions(vm), 3);
	ASSERT_TRUE(api_region_at(vm, a + PG, &r));
	ASSERT_EQ(r.start, a + PG);
	ASSERT_EQ(r.end, a + 5 * PG);
	ASSERT_EQ(r.wired_count, 1);
	ASSERT_EQ(r.resident, 4);
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.wired_count, 0);
	ASSERT_EQ(r.resident, 0);
	/* Wired pages need no fault. */
	s0 = tstats(sys);
	FILL(vm, a + PG, 4 * PG, 1);
	s1 = tstats(sys);
	ASSERT_EQ(s1.faults, s0.faults);
	VERIFY(vm, a + PG, 4 * PG, 1);
	ASSERT_OK(bvm_munlock(vm, a + PG, 4 * PG));
	s1 = tstats(sys);
	ASSERT_EQ(s1.wired, s0.wired - 4);
	ASSERT_EQ(api_info(vm).wired, 0);
	ASSERT_TRUE(api_region_at(vm, a + PG, &r));
	ASSERT_EQ(r.wired_count, 0);
	/* Unwired, the data stays. */
	VERIFY(vm, a + PG, 4 * PG, 1);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(mlock_hole_enomem)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_mlock(w.vm, W_A, 5 * PG), ENOMEM);
	ASSERT_ERR(bvm_mlock(w.vm, W_A + 4 * PG, PG), ENOMEM);
	ASSERT_ERR(bvm_mlock(w.vm, W_A, W_B + 2 * PG - W_A), ENOMEM);
	ASSERT_ERR(bvm_mlock(w.vm, 0x60000000, PG), ENOMEM);
	WORLD_SAME(&w);
	ASSERT_ERR(bvm_munlock(w.vm, W_A + 4 * PG, PG), ENOMEM);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mlock_prot_none_eacces)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_mlock(w.vm, W_C, 3 * PG), EACCES);
	ASSERT_ERR(bvm_mlock(w.vm, W_C + PG, PG), EACCES);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mlock_wrap_einval)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_mlock(w.vm, W_A, UINT64_MAX), EINVAL);
	ASSERT_ERR(bvm_mlock(w.vm, W_A + 16, UINT64_MAX - 8), EINVAL);
	ASSERT_ERR(bvm_mlock(w.vm, W_A, UINT64_MAX - PG + 1), EINVAL);
	ASSERT_ERR(bvm_munlock(w.vm, W_A, UINT64_MAX), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* The system-wide limit (wiredmax, npages/3). */
TEST(mlock_wiredmax_eagain)
{
	struct bvm_system *sys = tsys(300);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats st;
	struct api_snap s;
	uint64_t a;

	st = tstats(sys);
	ASSERT_EQ(st.wiredmax, 100);
	ASSERT_EQ(st.wired, 0);
	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_MEMLOCK, BVM_RLIM_INFINITY));
	a = MAP(vm, 0, 128 * PG, RW, ANONPRIV);
	SNAP(vm, sys, &s);
	ASSERT_ERR(bvm_mlock(vm, a, 101 * PG), EAGAIN);
	ASSERT_SNAP(vm, sys, &s);
	ASSERT_OK(bvm_mlock(vm, a, 100 * PG));
	ASSERT_EQ(tstats(sys).wired, 100);
	ASSERT_ERR(bvm_mlock(vm, a + 100 * PG, PG), EAGAIN);
	ASSERT_OK(bvm_munlock(vm, a, 100 * PG));
	ASSERT_EQ(tstats(sys).wired, 0);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* munmap and destroy of wired memory give everything back. */
TEST(mlock_munmap_wired)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	uint64_t a, b;

	s0 = tstats(sys);
	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	b = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	ASSERT_OK(bvm_mlock(vm, a, 4 * PG));
	ASSERT_OK(bvm_mlock(vm, b, 4 * PG));
	ASSERT_OK(bvm_munmap(vm, a, 4 * PG));
	s1 = tstats(sys);
	ASSERT_EQ(s1.wired, s0.wired + 4);
	ASSERT_EQ(s1.free, s0.free - 4);
	ASSERT_EQ(api_info(vm).wired, 4 * PG);
	bvm_vmspace_destroy(vm);
	s1 = tstats(sys);
	ASSERT_EQ(s1.wired, s0.wired);
	ASSERT_EQ(s1.free, s0.free);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

TEST(mlockall_bad_flags_einval)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_mlockall(w.vm, 0), EINVAL);
	ASSERT_ERR(bvm_mlockall(w.vm, 0x4), EINVAL);
	ASSERT_ERR(bvm_mlockall(w.vm, BVM_MCL_CURRENT | 0x8), EINVAL);
	ASSERT_ERR(bvm_mlockall(w.vm, -1), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mlockall_current)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t a, b, c;

	a = MAP(vm, 0, 3 * PG, RW, ANONPRIV);
	b = MAP(vm, 0, 2 * PG, RO, ANONSHARED);
	FILL(vm, a, PG, 1);
	ASSERT_OK(bvm_mlockall(vm, BVM_MCL_CURRENT));
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.wired_count, 1);
	ASSERT_EQ(r.resident, 3);
	ASSERT_TRUE(api_region_at(vm, b, &r));
	ASSERT_EQ(r.wired_count, 1);
	ASSERT_EQ(api_info(vm).wired, 5 * PG);
	ASSERT_EQ(tstats(sys).wired, 5);
	/* Not FUTURE: a new mapping is not wired. */
	c = MAP(vm, 0, PG, RW, ANONPRIV);
	ASSERT_TRUE(api_region_at(vm, c, &r));
	ASSERT_EQ(r.wired_count, 0);
	VERIFY(vm, a, PG, 1);
	ASSERT_OK(bvm_munlockall(vm));
	ASSERT_EQ(api_info(vm).wired, 0);
	ASSERT_EQ(tstats(sys).wired, 0);
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.wired_count, 0);
	VERIFY(vm, a, PG, 1);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(mlockall_future)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t a, n;

	ASSERT_OK(bvm_mlockall(vm, BVM_MCL_FUTURE));
	a = MAP(vm, 0, 3 * PG, RW, ANONPRIV);
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.wired_count, 1);
	ASSERT_EQ(r.resident, 3);
	ASSERT_EQ(tstats(sys).wired, 3);
	/* PROT_NONE is not wired. */
	n = MAP(vm, 0, 2 * PG, BVM_PROT_NONE, ANONPRIV);
	ASSERT_TRUE(api_region_at(vm, n, &r));
	ASSERT_EQ(r.wired_count, 0);
	ASSERT_OK(bvm_munlockall(vm));
	a = MAP(vm, 0, PG, RW, ANONPRIV);
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.wired_count, 0);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Rule 14: with MCL_FUTURE, a mapping over RLIMIT_MEMLOCK is ENOMEM and
 * is unmapped again. */
TEST(mlockall_future_over_limit_enomem)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct api_snap s;
	uint64_t a, out;

	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_MEMLOCK, 4 * PG));
	a = MAP(vm, 0, 2 * PG, RW, ANONPRIV);
	FILL(vm, a, 2 * PG, 1);
	ASSERT_OK(bvm_mlockall(vm, BVM_MCL_FUTURE));
	SNAP(vm, sys, &s);
	ASSERT_ERR(bvm_mmap(vm, 0, 5 * PG, RW, ANONPRIV, -1, 0, &out), ENOMEM);
	ASSERT_ERR(bvm_mmap(vm, 0x40000000, 8 * PG, RO, ANONSHARED, -1, 0,
	    &out), ENOMEM);
	ASSERT_SNAP(vm, sys, &s);
	VERIFY(vm, a, 2 * PG, 1);
	/* Within the limit it works, wired. */
	out = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	ASSERT_EQ(api_info(vm).wired, 4 * PG);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Wiring is one wiring fault per page. */
TEST(mlock_counts_wiring_faults)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	s0 = tstats(sys);
	ASSERT_OK(bvm_mlock(vm, a, 4 * PG));
	s1 = tstats(sys);
	ASSERT_EQ(s1.flt_wired, s0.flt_wired + 4);
	ASSERT_EQ(s1.flt_zfill, s0.flt_zfill + 4);
	ASSERT_OK(bvm_munlock(vm, a, 4 * PG));
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* MAP_FIXED over wired memory unwires and frees it. */
TEST(mlock_fixed_replaces_wired)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	struct bvm_region r;
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	s0 = tstats(sys);
	ASSERT_OK(bvm_mlock(vm, a, 4 * PG));
	MAP(vm, a, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	s1 = tstats(sys);
	ASSERT_EQ(s1.wired, s0.wired);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(api_info(vm).wired, 0);
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.wired_count, 0);
	VERIFY_ZERO(vm, a, 4 * PG);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
