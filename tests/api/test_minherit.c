/*
 * test_minherit.c: bvm_minherit: values, EPERM for INHERIT_ZERO on an
 * entry that is not writable (checked on every entry before any change),
 * wrap, holes, splitting; the effect of each value is tested in
 * test_fork.c.
 */
#include "snapshot.h"

static int
inherit_at(struct bvm_vmspace *vm, uint64_t va)
{
	struct bvm_region r;

	if (!api_region_at(vm, va, &r))
		return -1;
	return r.inherit;
}

TEST(minherit_bad_value_einval)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_minherit(w.vm, W_A, PG, 4), EINVAL);
	ASSERT_ERR(bvm_minherit(w.vm, W_A, 4 * PG, -1), EINVAL);
	ASSERT_ERR(bvm_minherit(w.vm, W_A, W_END - W_A, 100), EINVAL);
	/* Where nothing is mapped, too. */
	ASSERT_ERR(bvm_minherit(w.vm, 0x60000000, PG, 5), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(minherit_wrap_einval)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_minherit(w.vm, W_A, UINT64_MAX, BVM_INHERIT_NONE),
	    EINVAL);
	ASSERT_ERR(bvm_minherit(w.vm, W_A + 16, UINT64_MAX - 8,
	    BVM_INHERIT_NONE), EINVAL);
	ASSERT_ERR(bvm_minherit(w.vm, W_A, UINT64_MAX - PG + 1,
	    BVM_INHERIT_SHARE), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* INHERIT_ZERO needs PROT_WRITE on every entry of the range. */
TEST(minherit_zero_readonly_eperm)
{
	struct api_world w;

	WORLD_INIT(&w);
	/* B is read-only, C is PROT_NONE. */
	ASSERT_ERR(bvm_minherit(w.vm, W_B, 2 * PG, BVM_INHERIT_ZERO), EPERM);
	ASSERT_ERR(bvm_minherit(w.vm, W_C, 3 * PG, BVM_INHERIT_ZERO), EPERM);
	/* A is writable but B is not: nothing changes on A either. */
	ASSERT_ERR(bvm_minherit(w.vm, W_A, W_B + 2 * PG - W_A,
	    BVM_INHERIT_ZERO), EPERM);
	ASSERT_ERR(bvm_minherit(w.vm, W_A, W_END - W_A, BVM_INHERIT_ZERO),
	    EPERM);
	WORLD_SAME(&w);
	ASSERT_EQ(inherit_at(w.vm, W_A), BVM_INHERIT_COPY);
	api_world_fini(&w);
}

/* The failing call must not even split the entry it starts inside. */
TEST(minherit_zero_eperm_no_clip)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_minherit(w.vm, W_B + PG, PG, BVM_INHERIT_ZERO), EPERM);
	ASSERT_ERR(bvm_minherit(w.vm, W_A + 2 * PG, W_B + PG - W_A - 2 * PG,
	    BVM_INHERIT_ZERO), EPERM);
	ASSERT_ERR(bvm_minherit(w.vm, W_C + PG, PG, BVM_INHERIT_ZERO), EPERM);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(minherit_zero_writable_ok)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_OK(bvm_minherit(w.vm, W_A, 4 * PG, BVM_INHERIT_ZERO));
	ASSERT_EQ(inherit_at(w.vm, W_A), BVM_INHERIT_ZERO);
	/* Other values are fine on read-only and PROT_NONE entries. */
	ASSERT_OK(bvm_minherit(w.vm, W_B, 2 * PG, BVM_INHERIT_NONE));
	ASSERT_EQ(inherit_at(w.vm, W_B), BVM_INHERIT_NONE);
	ASSERT_OK(bvm_minherit(w.vm, W_C, 3 * PG, BVM_INHERIT_SHARE));
	ASSERT_EQ(inherit_at(w.vm, W_C), BVM_INHERIT_SHARE);
	ASSERT_OK(bvm_minherit(w.vm, W_B, 2 * PG, BVM_INHERIT_COPY));
	ASSERT_EQ(inherit_at(w.vm, W_B), BVM_INHERIT_COPY);
	VERIFY(w.vm, W_A, 4 * PG, 1);
	VERIFY(w.vm, W_B, 2 * PG, 2);
	CHECK(w.vm);
	api_world_fini(&w);
}

TEST(minherit_skips_holes_and_splits)
{
	struct api_world w;
	struct bvm_region r;

	WORLD_INIT(&w);
	/* From the middle of A to the middle of B, over the hole. */
	ASSERT_OK(bvm_minherit(w.vm, W_A + 2 * PG, W_B + PG - W_A - 2 * PG,
	    BVM_INHERIT_NONE));
	ASSERT_EQ(api_nregions(w.vm), 5);
	ASSERT_TRUE(api_region_at(w.vm, W_A, &r));
	ASSERT_EQ(r.end, W_A + 2 * PG);
	ASSERT_EQ(r.inherit, BVM_INHERIT_COPY);
	ASSERT_TRUE(api_region_at(w.vm, W_A + 2 * PG, &r));
	ASSERT_EQ(r.start, W_A + 2 * PG);
	ASSERT_EQ(r.end, W_A + 4 * PG);
	ASSERT_EQ(r.inherit, BVM_INHERIT_NONE);
	ASSERT_TRUE(api_region_at(w.vm, W_B, &r));
	ASSERT_EQ(r.end, W_B + PG);
	ASSERT_EQ(r.inherit, BVM_INHERIT_NONE);
	ASSERT_TRUE(api_region_at(w.vm, W_B + PG, &r));
	ASSERT_EQ(r.start, W_B + PG);
	ASSERT_EQ(r.inherit, BVM_INHERIT_SHARE);
	ASSERT_TRUE(!api_region_at(w.vm, W_A + 4 * PG, &r));
	VERIFY(w.vm, W_A, 4 * PG, 1);
	VERIFY(w.vm, W_B, 2 * PG, 2);
	CHECK(w.vm);
	api_world_fini(&w);
}

/* Only holes, or no length: 0, nothing changed. */
TEST(minherit_nothing_to_do)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_OK(bvm_minherit(w.vm, W_A + 4 * PG, 4 * PG, BVM_INHERIT_NONE));
	ASSERT_OK(bvm_minherit(w.vm, 0x60000000, PG, BVM_INHERIT_ZERO));
	ASSERT_OK(bvm_minherit(w.vm, W_A, 0, BVM_INHERIT_NONE));
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* An unaligned start is rounded down; the length grows with it. */
TEST(minherit_unaligned_rounds)
{
	struct api_world w;
	struct bvm_region r;

	WORLD_INIT(&w);
	ASSERT_OK(bvm_minherit(w.vm, W_A + PG + 1, 1, BVM_INHERIT_NONE));
	ASSERT_TRUE(api_region_at(w.vm, W_A + PG, &r));
	ASSERT_EQ(r.start, W_A + PG);
	ASSERT_EQ(r.end, W_A + 2 * PG);
	ASSERT_EQ(r.inherit, BVM_INHERIT_NONE);
	ASSERT_OK(bvm_minherit(w.vm, W_A + 2 * PG + 100, PG, BVM_INHERIT_ZERO));
	ASSERT_TRUE(api_region_at(w.vm, W_A + 2 * PG, &r));
	ASSERT_EQ(r.start, W_A + 2 * PG);
	ASSERT_EQ(r.end, W_A + 4 * PG);
	ASSERT_EQ(r.inherit, BVM_INHERIT_ZERO);
	ASSERT_EQ(api_nregions(w.vm), 5);
	CHECK(w.vm);
	api_world_fini(&w);
}
