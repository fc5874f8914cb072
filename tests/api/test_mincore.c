/*
 * test_mincore.c: bvm_mincore with NetBSD's semantics: EINVAL for an
 * unaligned address or a wrapping range, ENOMEM for any unmapped page,
 * EFAULT for a NULL vector; one byte per page, INCORE when resident.
 */
#include "snapshot.h"

#define IN BVM_MINCORE_INCORE

TEST(mincore_unaligned_einval)
{
	struct api_world w;
	unsigned char vec[8];

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_mincore(w.vm, W_A + 1, PG, vec), EINVAL);
	ASSERT_ERR(bvm_mincore(w.vm, W_A + PG - 1, 1, vec), EINVAL);
	ASSERT_ERR(bvm_mincore(w.vm, W_B + 2048, 2 * PG, vec), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mincore_wrap_einval)
{
	struct api_world w;
	unsigned char vec[8];

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_mincore(w.vm, W_A, UINT64_MAX, vec), EINVAL);
	ASSERT_ERR(bvm_mincore(w.vm, W_A, UINT64_MAX - PG + 1, vec), EINVAL);
	ASSERT_ERR(bvm_mincore(w.vm, UINT64_MAX - PG + 1, 2 * PG, vec),
	    EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mincore_hole_enomem)
{
	struct api_world w;
	unsigned char vec[64];

	WORLD_INIT(&w);
	/* A plus one page of the hole after it. */
	ASSERT_ERR(bvm_mincore(w.vm, W_A, 5 * PG, vec), ENOMEM);
	/* From A over the hole into B. */
	ASSERT_ERR(bvm_mincore(w.vm, W_A, W_B + PG - W_A, vec), ENOMEM);
	/* Only the hole. */
	ASSERT_ERR(bvm_mincore(w.vm, W_A + 4 * PG, PG, vec), ENOMEM);
	/* From the hole into B. */
	ASSERT_ERR(bvm_mincore(w.vm, W_B - PG, 2 * PG, vec), ENOMEM);
	/* Nothing mapped at all. */
	ASSERT_ERR(bvm_mincore(w.vm, 0x60000000, 4 * PG, vec), ENOMEM);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mincore_null_vec_efault)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_mincore(w.vm, W_A, 4 * PG, NULL), EFAULT);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* One byte per page; the bytes after the range are left alone. */
TEST(mincore_residency)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct api_snap s;
	unsigned char vec[8];
	uint64_t a;
	int i;

	a = MAP(vm, 0, 6 * PG, RW, ANONPRIV);
	memset(vec, 0xfe, sizeof(vec));
	ASSERT_OK(bvm_mincore(vm, a, 6 * PG, vec));
	for (i = 0; i < 6; i++)
		ASSERT_EQ(vec[i] & IN, 0);
	ASSERT_EQ(vec[6], 0xfe);
	ASSERT_OK(tpoke(vm, a, 1));
	ASSERT_OK(tpoke(vm, a + 2 * PG + 17, 2));
	ASSERT_EQ(tpeek(vm, a + 5 * PG + PG - 1), 0);
	SNAP(vm, sys, &s);
	memset(vec, 0xfe, sizeof(vec));
	ASSERT_OK(bvm_mincore(vm, a, 6 * PG, vec));
	ASSERT_EQ(vec[0] & IN, IN);
	ASSERT_EQ(vec[1] & IN, 0);
	ASSERT_EQ(vec[2] & IN, IN);
	ASSERT_EQ(vec[3] & IN, 0);
	ASSERT_EQ(vec[4] & IN, 0);
	ASSERT_EQ(vec[5] & IN, IN);
	ASSERT_EQ(vec[6], 0xfe);
	/* mincore changes nothing. */
	ASSERT_SNAP(vm, sys, &s);
	/* A sub-range; a length that is not a page multiple rounds up. */
	memset(vec, 0xfe, sizeof(vec));
	ASSERT_OK(bvm_mincore(vm, a + 2 * PG, PG + 1, vec));
	ASSERT_EQ(vec[0] & IN, IN);
	ASSERT_EQ(vec[1] & IN, 0);
	ASSERT_EQ(vec[2], 0xfe);
	memset(vec, 0xfe, sizeof(vec));
	ASSERT_OK(bvm_mincore(vm, a + 5 * PG, 1, vec));
	ASSERT_EQ(vec[0] & IN, IN);
	ASSERT_EQ(vec[1], 0xfe);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Over several adjacent entries, including a PROT_NONE one. */
TEST(mincore_adjacent_entries)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	unsigned char vec[8];
	uint64_t a = 0x40000000;

	MAP(vm, a, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 2 * PG, 2 * PG, BVM_PROT_NONE, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 4 * PG, 2 * PG, RW, ANONSHARED | BVM_MAP_FIXED);
	ASSERT_OK(tpoke(vm, a + PG, 1));
	ASSERT_OK(tpoke(vm, a + 4 * PG, 1));
	memset(vec, 0xfe, sizeof(vec));
	ASSERT_OK(bvm_mincore(vm, a, 6 * PG, vec));
	ASSERT_EQ(vec[0] & IN, 0);
	ASSERT_EQ(vec[1] & IN, IN);
	ASSERT_EQ(vec[2] & IN, 0);
	ASSERT_EQ(vec[3] & IN, 0);
	ASSERT_EQ(vec[4] & IN, IN);
	ASSERT_EQ(vec[5] & IN, 0);
	ASSERT_EQ(vec[6], 0xfe);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Pages discarded by MADV_FREE are no longer resident; wired ones are. */
TEST(mincore_after_free_and_mlock)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	unsigned char vec[4];
	uint64_t a;
	int i;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 1);
	ASSERT_OK(bvm_madvise(vm, a + PG, 2 * PG, BVM_MADV_FREE));
	ASSERT_OK(bvm_mincore(vm, a, 4 * PG, vec));
	ASSERT_EQ(vec[0] & IN, IN);
	ASSERT_EQ(vec[1] & IN, 0);
	ASSERT_EQ(vec[2] & IN, 0);
	ASSERT_EQ(vec[3] & IN, IN);
	ASSERT_OK(bvm_mlock(vm, a, 4 * PG));
	ASSERT_OK(bvm_mincore(vm, a, 4 * PG, vec));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(vec[i] & IN, IN);
	ASSERT_OK(bvm_munlock(vm, a, 4 * PG));
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
