/*
 * test_pglist.c: bvm_pglist_alloc (uvm_pglistalloc): the low/high range,
 * alignment, boundary and segment constraints, zeroed pages; ENOMEM when
 * they cannot be met, EINVAL for bad arguments; bvm_pglist_free and
 * bvm_phys_read.
 */
#include <stdlib.h>

#include "snapshot.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Every address page aligned, in [low, high), no duplicates; at most
 * maxsegs runs in the order given; each run starts on align. */
static void
check_pas(const uint64_t *pas, uint64_t n, uint64_t low, uint64_t high,
    uint64_t align, int maxsegs, const char *file, int line)
{
	uint64_t *sorted, i;
	int runs = 1;

	for (i = 0; i < n; i++) {
		if (pas[i] & (PG - 1))
			bvm_test_fail(file, line, "pas[%llu] 0x%llx unaligned",
			    (unsigned long long)i,
			    (unsigned long long)pas[i]);
		if (pas[i] < low || pas[i] >= high)
			bvm_test_fail(file, line, "pas[%llu] 0x%llx outside "
			    "[0x%llx, 0x%llx)", (unsigned long long)i,
			    (unsigned long long)pas[i],
			    (unsigned long long)low,
			    (unsigned long long)high);
		if (i == 0 || pas[i] != pas[i - 1] + PG) {
			if (i != 0)
				runs++;
			if (pas[i] % align != 0)
				bvm_test_fail(file, line, "run at 0x%llx not "
				    "aligned to 0x%llx",
				    (unsigned long long)pas[i],
				    (unsigned long long)align);
		}
	}
	if (runs > maxsegs)
		bvm_test_fail(file, line, "%d runs, maxsegs %d", runs,
		    maxsegs);
	sorted = malloc(n * sizeof(*sorted));
	if (sorted == NULL)
		bvm_test_fail(file, line, "out of memory");
	memcpy(sorted, pas, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);
	for (i = 1; i < n; i++)
		if (sorted[i] == sorted[i - 1]) {
			uint64_t dup = sorted[i];

			free(sorted);
			bvm_test_fail(file, line, "duplicate frame 0x%llx",
			    (unsigned long long)dup);
		}
	free(sorted);
}

#define CHECK_PAS(pas, n, low, high, align, maxsegs) \
	check_pas((pas), (n), (low), (high), (align), (maxsegs), \
	    __FILE__, __LINE__)

TEST(pglist_basic_alloc_free)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_stats s0, s1;
	uint64_t pas[8];

	s0 = tstats(sys);
	ASSERT_OK(bvm_pglist_alloc(sys, 8, 0, 256 * PG, PG, 0, 8, 0, pas));
	CHECK_PAS(pas, 8, 0, 256 * PG, PG, 8);
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free - 8);
	ASSERT_OK(bvm_pglist_free(sys, pas, 8));
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* One segment: physically contiguous, aligned as asked. */
TEST(pglist_contiguous_aligned)
{
	struct bvm_system *sys = tsys(256);
	uint64_t pas[16], i;

	ASSERT_OK(bvm_pglist_alloc(sys, 8, 0, 256 * PG, 8 * PG, 0, 1, 0,
	    pas));
	CHECK_PAS(pas, 8, 0, 256 * PG, 8 * PG, 1);
	ASSERT_EQ(pas[0] % (8 * PG), 0);
	for (i = 1; i < 8; i++)
		ASSERT_EQ(pas[i], pas[0] + i * PG);
	ASSERT_OK(bvm_pglist_free(sys, pas, 8));
	/* A large alignment. */
	ASSERT_OK(bvm_pglist_alloc(sys, 3, 0, 256 * PG, 64 * PG, 0, 1, 0,
	    pas));
	ASSERT_EQ(pas[0] % (64 * PG), 0);
	ASSERT_EQ(pas[2], pas[0] + 2 * PG);
	ASSERT_OK(bvm_pglist_free(sys, pas, 3));
	/* Two aligned segments. */
	ASSERT_OK(bvm_pglist_alloc(sys, 16, 0, 256 * PG, 16 * PG, 0, 2, 0,
	    pas));
	CHECK_PAS(pas, 16, 0, 256 * PG, 16 * PG, 2);
	ASSERT_OK(bvm_pglist_free(sys, pas, 16));
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* Every frame inside [low, high). */
TEST(pglist_low_high)
{
	struct bvm_system *sys = tsys(256);
	uint64_t pas[20], scratch;

	ASSERT_OK(bvm_pglist_alloc(sys, 20, 100 * PG, 120 * PG, PG, 0, 20, 0,
	    pas));
	CHECK_PAS(pas, 20, 100 * PG, 120 * PG, PG, 20);
	/* The range is now used up. */
	ASSERT_ERR(bvm_pglist_alloc(sys, 1, 100 * PG, 120 * PG, PG, 0, 1, 0,
	    &scratch), ENOMEM);
	ASSERT_OK(bvm_pglist_free(sys, pas, 20));
	/* The top frames. */
	ASSERT_OK(bvm_pglist_alloc(sys, 4, 252 * PG, 256 * PG, PG, 0, 1, 0,
	    pas));
	CHECK_PAS(pas, 4, 252 * PG, 256 * PG, PG, 1);
	ASSERT_EQ(pas[0], 252 * PG);
	ASSERT_OK(bvm_pglist_free(sys, pas, 4));
	/* A high beyond the end of memory is fine. */
	ASSERT_OK(bvm_pglist_alloc(sys, 4, 250 * PG, 1ULL << 40, PG, 0, 4, 0,
	    pas));
	CHECK_PAS(pas, 4, 250 * PG, 256 * PG, PG, 4);
	ASSERT_OK(bvm_pglist_free(sys, pas, 4));
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* A run never crosses a boundary. */
TEST(pglist_boundary)
{
	struct bvm_system *sys = tsys(256);
	uint64_t pas[4];

	/* In [6, 20) with an 8-page boundary: 6 and 7 would cross 8, so the
	 * run is [8, 12) ... [12, 16) or [16, 20). */
	ASSERT_OK(bvm_pglist_alloc(sys, 4, 6 * PG, 20 * PG, PG, 8 * PG, 1, 0,
	    pas));
	CHECK_PAS(pas, 4, 6 * PG, 20 * PG, PG, 1);
	ASSERT_EQ(pas[0] / (8 * PG), pas[3] / (8 * PG));
	ASSERT_OK(bvm_pglist_free(sys, pas, 4));
	/* [5, 11) with boundary 8 and 4 pages: no run fits. */
	ASSERT_ERR(bvm_pglist_alloc(sys, 4, 5 * PG, 11 * PG, PG, 8 * PG, 1, 0,
	    pas), ENOMEM);
	/* With two segments it does. */
	ASSERT_OK(bvm_pglist_alloc(sys, 4, 5 * PG, 11 * PG, PG, 8 * PG, 2, 0,
	    pas));
	CHECK_PAS(pas, 4, 5 * PG, 11 * PG, PG, 2);
	ASSERT_OK(bvm_pglist_free(sys, pas, 4));
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* maxsegs 1 on fragmented memory: ENOMEM; more segments: fine. */
TEST(pglist_fragmented_maxsegs)
{
	struct bvm_system *sys = tsys(64);
	struct bvm_stats st;
	uint64_t *pas, n, i, two[2];

	st = tstats(sys);
	n = st.free;
	ASSERT_TRUE(n >= 8);
	pas = calloc(n, sizeof(*pas));
	ASSERT_TRUE(pas != NULL);
	ASSERT_OK(bvm_pglist_alloc(sys, n, 0, 64 * PG, PG, 0, (int)n, 0,
	    pas));
	ASSERT_EQ(tstats(sys).free, 0);
	ASSERT_ERR(bvm_pglist_alloc(sys, 1, 0, 64 * PG, PG, 0, 1, 0, two),
	    ENOMEM);
	qsort(pas, n, sizeof(*pas), cmp_u64);
	for (i = 0; i < n; i += 2)
		ASSERT_OK(bvm_pglist_free(sys, &pas[i], 1));
	ASSERT_ERR(bvm_pglist_alloc(sys, 2, 0, 64 * PG, PG, 0, 1, 0, two),
	    ENOMEM);
	ASSERT_OK(bvm_pglist_alloc(sys, 2, 0, 64 * PG, PG, 0, 2, 0, two));
	ASSERT_TRUE(two[0] + PG != two[1]);
	ASSERT_OK(bvm_pglist_free(sys, two, 2));
	for (i = 1; i < n; i += 2)
		ASSERT_OK(bvm_pglist_free(sys, &pas[i], 1));
	free(pas);
	ASSERT_EQ(tstats(sys).free, n);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

TEST(pglist_enomem)
{
	struct bvm_system *sys = tsys(64);
	struct bvm_stats s0;
	uint64_t pas[128], held[8];

	/* With 8 frames taken, one more than the rest is too many. */
	ASSERT_OK(bvm_pglist_alloc(sys, 8, 0, 64 * PG, PG, 0, 8, 0, held));
	s0 = tstats(sys);
	ASSERT_ERR(bvm_pglist_alloc(sys, s0.free + 1, 0, 64 * PG, PG, 0, 128,
	    0, pas), ENOMEM);
	ASSERT_ERR(bvm_pglist_alloc(sys, s0.free + 1, 0, 1ULL << 40, PG, 0,
	    128, 0, pas), ENOMEM);
	/* The range holds 4 frames, 5 are asked for. */
	ASSERT_ERR(bvm_pglist_alloc(sys, 5, 8 * PG, 12 * PG, PG, 0, 5, 0,
	    pas), ENOMEM);
	/* Beyond the end of memory. */
	ASSERT_ERR(bvm_pglist_alloc(sys, 1, 64 * PG, 128 * PG, PG, 0, 1, 0,
	    pas), ENOMEM);
	/* 32-page alignment from frame 1: the run must start at 32, where
	 * only 32 frames are left for 33. */
	ASSERT_ERR(bvm_pglist_alloc(sys, 33, PG, 64 * PG, 32 * PG, 0, 1, 0,
	    pas), ENOMEM);
	/* Nothing was taken. */
	ASSERT_EQ(tstats(sys).free, s0.free);
	ASSERT_OK(bvm_pglist_free(sys, held, 8));
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

TEST(pglist_bad_args_einval)
{
	struct bvm_system *sys = tsys(64);
	struct bvm_stats s0;
	uint64_t pas[8];

	s0 = tstats(sys);
	ASSERT_ERR(bvm_pglist_alloc(sys, 0, 0, 64 * PG, PG, 0, 1, 0, pas),
	    EINVAL);
	/* Alignment: a power of two, a multiple of the page size. */
	ASSERT_ERR(bvm_pglist_alloc(sys, 1, 0, 64 * PG, 3 * PG, 0, 1, 0, pas),
	    EINVAL);
	ASSERT_ERR(bvm_pglist_alloc(sys, 1, 0, 64 * PG, PG / 2, 0, 1, 0, pas),
	    EINVAL);
	ASSERT_ERR(bvm_pglist_alloc(sys, 1, 0, 64 * PG, PG + 1, 0, 1, 0, pas),
	    EINVAL);
	/* Boundary: likewise (0 is allowed). */
	ASSERT_ERR(bvm_pglist_alloc(sys, 1, 0, 64 * PG, PG, 3 * PG, 1, 0,
	    pas), EINVAL);
	ASSERT_ERR(bvm_pglist_alloc(sys, 1, 0, 64 * PG, PG, 2048, 1, 0, pas),
	    EINVAL);
	ASSERT_EQ(tstats(sys).free, s0.free);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* Zeroed allocations read as zero even where a vmspace wrote before. */
TEST(pglist_zeroed)
{
	struct bvm_system *sys = tsys(128);
	struct bvm_vmspace *vm = tvm(sys);
	unsigned char buf[4096], zero[4096];
	struct bvm_stats st;
	uint64_t *pas, n, a, i;

	/* Dirty (almost) every free frame. */
	st = tstats(sys);
	n = st.free - 16;
	a = MAP(vm, 0, n * PG, RW, ANONPRIV);
	for (i = 0; i < n; i++)
		ASSERT_OK(tpoke(vm, a + i * PG + (i % PG), 0xff));
	bvm_vmspace_destroy(vm);
	st = tstats(sys);
	n = st.free;
	pas = calloc(n, sizeof(*pas));
	ASSERT_TRUE(pas != NULL);
	ASSERT_OK(bvm_pglist_alloc(sys, n, 0, 128 * PG, PG, 0, (int)n,
	    BVM_PLA_ZERO, pas));
	memset(zero, 0, sizeof(zero));
	for (i = 0; i < n; i++) {
		memset(buf, 0xaa, sizeof(buf));
		ASSERT_OK(bvm_phys_read(sys, pas[i], buf, sizeof(buf)));
		if (memcmp(buf, zero, sizeof(buf)) != 0) {
			free(pas);
			ASSERT_EQ(i, -1);
		}
	}
	ASSERT_OK(bvm_pglist_free(sys, pas, n));
	free(pas);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

TEST(pglist_free_einval)
{
	struct bvm_system *sys = tsys(64);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0;
	uint64_t pas[2], bad, a;
	unsigned char vec[1];

	ASSERT_OK(bvm_pglist_alloc(sys, 2, 0, 64 * PG, PG, 0, 2, 0, pas));
	s0 = tstats(sys);
	/* Not page aligned, out of range. */
	bad = pas[0] + 1;
	ASSERT_ERR(bvm_pglist_free(sys, &bad, 1), EINVAL);
	bad = 64 * PG;
	ASSERT_ERR(bvm_pglist_free(sys, &bad, 1), EINVAL);
	bad = UINT64_MAX & ~(PG - 1);
	ASSERT_ERR(bvm_pglist_free(sys, &bad, 1), EINVAL);
	ASSERT_EQ(tstats(sys).free, s0.free);
	/* Freed once is fine, twice is not. */
	ASSERT_OK(bvm_pglist_free(sys, &pas[0], 1));
	ASSERT_ERR(bvm_pglist_free(sys, &pas[0], 1), EINVAL);
	ASSERT_EQ(tstats(sys).free, s0.free + 1);
	/* A frame a vmspace owns was not allocated by bvm_pglist_alloc. */
	a = MAP(vm, 0, PG, RW, ANONPRIV);
	ASSERT_OK(tpoke(vm, a, 1));
	ASSERT_OK(bvm_mincore(vm, a, PG, vec));
	{
		/* Find the frame that is neither free nor ours: try all. */
		uint64_t pa;
		int refused = 0;

		s0 = tstats(sys);
		for (pa = 0; pa < 64 * PG; pa += PG) {
			if (pa == pas[1])
				continue;
			if (bvm_pglist_free(sys, &pa, 1) == EINVAL)
				refused++;
		}
		ASSERT_EQ(refused, 63);
		ASSERT_EQ(tstats(sys).free, s0.free);
	}
	ASSERT_EQ(tpeek(vm, a), 1);
	ASSERT_OK(bvm_pglist_free(sys, &pas[1], 1));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(pglist_phys_read_range)
{
	struct bvm_system *sys = tsys(64);
	unsigned char buf[64];

	ASSERT_OK(bvm_phys_read(sys, 0, buf, sizeof(buf)));
	ASSERT_OK(bvm_phys_read(sys, 63 * PG, buf, sizeof(buf)));
	ASSERT_OK(bvm_phys_read(sys, 64 * PG - 64, buf, 64));
	ASSERT_ERR(bvm_phys_read(sys, 64 * PG, buf, 1), EINVAL);
	ASSERT_ERR(bvm_phys_read(sys, 64 * PG - 32, buf, 64), EINVAL);
	ASSERT_ERR(bvm_phys_read(sys, UINT64_MAX - 8, buf, 64), EINVAL);
	bvm_system_destroy(sys);
}
