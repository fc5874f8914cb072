/*
 * test_mquery.c: bvm_mquery: a free address is returned as is; otherwise
 * the search goes forward to the first free range that fits; with FIXED
 * only the address itself is tried (EINVAL if not free); nothing is ever
 * mapped.
 */
#include "snapshot.h"

#define MAXU BVM_VM_MAXUSER_ADDRESS

static int
mq(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int flags,
    uint64_t *out)
{
	return bvm_mquery(vm, addr, len, RW, flags, -1, 0, out);
}

TEST(mquery_free_address_returned)
{
	struct api_world w;
	uint64_t out;

	WORLD_INIT(&w);
	out = 0;
	ASSERT_OK(mq(w.vm, 0x60000000, 4 * PG, 0, &out));
	ASSERT_EQ(out, 0x60000000);
	out = 0;
	ASSERT_OK(mq(w.vm, 0x60000000, 4 * PG, BVM_MAP_FIXED, &out));
	ASSERT_EQ(out, 0x60000000);
	/* The hole after A fits four pages exactly. */
	out = 0;
	ASSERT_OK(mq(w.vm, W_A + 4 * PG, 4 * PG, BVM_MAP_FIXED, &out));
	ASSERT_EQ(out, W_A + 4 * PG);
	out = 0;
	ASSERT_OK(mq(w.vm, W_A + 4 * PG, 4 * PG, 0, &out));
	ASSERT_EQ(out, W_A + 4 * PG);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mquery_fixed_busy_einval)
{
	struct api_world w;
	uint64_t out;

	WORLD_INIT(&w);
	ASSERT_ERR(mq(w.vm, W_A, PG, BVM_MAP_FIXED, &out), EINVAL);
	ASSERT_ERR(mq(w.vm, W_A + 3 * PG, 2 * PG, BVM_MAP_FIXED, &out),
	    EINVAL);
	/* Free start, runs into B. */
	ASSERT_ERR(mq(w.vm, W_A + 4 * PG, 5 * PG, BVM_MAP_FIXED, &out),
	    EINVAL);
	ASSERT_ERR(mq(w.vm, W_C + 2 * PG, PG, BVM_MAP_FIXED, &out), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Busy: search forward for the first free range that fits. */
TEST(mquery_searches_forward)
{
	struct api_world w;
	uint64_t out;

	WORLD_INIT(&w);
	out = 0;
	ASSERT_OK(mq(w.vm, W_A, PG, 0, &out));
	ASSERT_EQ(out, W_A + 4 * PG);
	out = 0;
	ASSERT_OK(mq(w.vm, W_A + 2 * PG, 4 * PG, 0, &out));
	ASSERT_EQ(out, W_A + 4 * PG);
	/* Five pages do not fit after A; six fit after B. */
	out = 0;
	ASSERT_OK(mq(w.vm, W_A, 5 * PG, 0, &out));
	ASSERT_EQ(out, W_B + 2 * PG);
	out = 0;
	ASSERT_OK(mq(w.vm, W_A, 6 * PG, 0, &out));
	ASSERT_EQ(out, W_B + 2 * PG);
	/* Seven pages only fit after C. */
	out = 0;
	ASSERT_OK(mq(w.vm, W_A, 7 * PG, 0, &out));
	ASSERT_EQ(out, W_END);
	/* Free start that bumps into B. */
	out = 0;
	ASSERT_OK(mq(w.vm, W_B - PG, 2 * PG, 0, &out));
	ASSERT_EQ(out, W_B + 2 * PG);
	/* Inside C. */
	out = 0;
	ASSERT_OK(mq(w.vm, W_C + PG, PG, 0, &out));
	ASSERT_EQ(out, W_END);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* What mquery returns can be mapped there without replacing anything. */
TEST(mquery_result_is_mappable)
{
	struct api_world w;
	uint64_t out = 0, len;

	WORLD_INIT(&w);
	for (len = PG; len <= 8 * PG; len += PG) {
		ASSERT_OK(mq(w.vm, W_A, len, 0, &out));
		ASSERT_TRUE(out >= W_A);
		ASSERT_EQ(out & (PG - 1), 0);
		MAP(w.vm, out, len, RW,
		    ANONPRIV | BVM_MAP_FIXED | BVM_MAP_NOREPLACE);
		ASSERT_OK(bvm_munmap(w.vm, out, len));
	}
	out = 0;
	ASSERT_OK(mq(w.vm, 0, 4 * PG, 0, &out));
	ASSERT_TRUE(out >= BVM_VM_MIN_ADDRESS);
	ASSERT_TRUE(out + 4 * PG <= MAXU);
	MAP(w.vm, out, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED |
	    BVM_MAP_NOREPLACE);
	ASSERT_OK(bvm_munmap(w.vm, out, 4 * PG));
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mquery_no_space_enomem)
{
	struct api_world w;
	uint64_t out;

	WORLD_INIT(&w);
	ASSERT_ERR(mq(w.vm, W_A, 1ULL << 47, 0, &out), ENOMEM);
	ASSERT_ERR(mq(w.vm, 0, MAXU, 0, &out), ENOMEM);
	/* At or above the top of user space. */
	ASSERT_ERR(mq(w.vm, MAXU, PG, 0, &out), ENOMEM);
	ASSERT_ERR(mq(w.vm, MAXU + 16 * PG, PG, 0, &out), ENOMEM);
	/* Nothing fits between addr and the top. */
	ASSERT_ERR(mq(w.vm, MAXU - 2 * PG, 4 * PG, 0, &out), ENOMEM);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mquery_bad_prot_einval)
{
	struct api_world w;
	uint64_t out;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_mquery(w.vm, 0x60000000, PG, 0x08, 0, -1, 0, &out),
	    EINVAL);
	ASSERT_ERR(bvm_mquery(w.vm, 0x60000000, PG, -1, BVM_MAP_FIXED, -1, 0,
	    &out), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}
