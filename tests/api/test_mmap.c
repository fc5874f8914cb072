/*
 * test_mmap.c: bvm_mmap through the public API: OpenBSD's argument rules
 * (uvm_mmap.c sys_mmap, rules 1-7, 9, 10, 12, 13, 15 of
 * openbsd-syscall-rules.md) with their exact errno values and order, and an
 * address space left exactly as it was by every failing call; then what a
 * successful mapping looks like.
 */
#include "snapshot.h"

#define MAXU BVM_VM_MAXUSER_ADDRESS
#define MINU BVM_VM_MIN_ADDRESS

static int
mm(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int prot, int flags,
    int fd, int64_t off)
{
	uint64_t out = 0;

	return bvm_mmap(vm, addr, len, prot, flags, fd, off, &out);
}

/* Rule 1: prot bits outside READ|WRITE|EXEC. */
TEST(mmap_rule1_bad_prot_bits)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(mm(w.vm, 0, PG, 0x08, ANONPRIV, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, 0x10 | RW, ANONPRIV, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, -1, ANONPRIV, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, 0x100, ANONPRIV, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, W_A, PG, 0x08, ANONPRIV | BVM_MAP_FIXED, -1, 0),
	    EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Rule 2: WRITE|EXEC is ENOTSUP without BVM_SYS_WXALLOWED. */
TEST(mmap_rule2_wx_enotsup)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(mm(w.vm, 0, PG, BVM_PROT_WRITE | BVM_PROT_EXEC, ANONPRIV,
	    -1, 0), ENOTSUP);
	ASSERT_ERR(mm(w.vm, 0, PG, RW | BVM_PROT_EXEC, ANONPRIV, -1, 0),
	    ENOTSUP);
	ASSERT_ERR(mm(w.vm, 0, PG, RW | BVM_PROT_EXEC, ANONSHARED, -1, 0),
	    ENOTSUP);
	/* FIXED over an existing mapping: nothing replaced. */
	ASSERT_ERR(mm(w.vm, W_A, PG, RW | BVM_PROT_EXEC,
	    ANONPRIV | BVM_MAP_FIXED, -1, 0), ENOTSUP);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mmap_rule2_wx_allowed_system)
{
	struct bvm_system *sys = api_sys_flags(256, BVM_SYS_WXALLOWED);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t va;

	va = MAP(vm, 0, 2 * PG, RW | BVM_PROT_EXEC, ANONPRIV);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.prot, RW | BVM_PROT_EXEC);
	FILL(vm, va, 2 * PG, 3);
	ASSERT_OK(bvm_fault(vm, va, BVM_PROT_EXEC, NULL));
	VERIFY(vm, va, 2 * PG, 3);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Rule 1 comes before rule 2. */
TEST(mmap_order_prot_bits_before_wx)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(mm(w.vm, 0, PG, 0x08 | BVM_PROT_WRITE | BVM_PROT_EXEC,
	    ANONPRIV, -1, 0), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Rule 2 comes before every later rule. */
TEST(mmap_order_wx_before_later_rules)
{
	struct api_world w;
	int wx = BVM_PROT_WRITE | BVM_PROT_EXEC;

	WORLD_INIT(&w);
	ASSERT_ERR(mm(w.vm, 0, PG, wx, ANONPRIV | 0x8, -1, 0), ENOTSUP);
	ASSERT_ERR(mm(w.vm, 0, PG, wx, ANONPRIV | BVM_MAP_SHARED, -1, 0),
	    ENOTSUP);
	ASSERT_ERR(mm(w.vm, 0, PG, wx, ANONPRIV | BVM_MAP_NOREPLACE, -1, 0),
	    ENOTSUP);
	ASSERT_ERR(mm(w.vm, 0, 0, wx, ANONPRIV, -1, 0), ENOTSUP);
	ASSERT_ERR(mm(w.vm, 0, PG, wx, ANONPRIV | BVM_MAP_FIXED, -1, 0),
	    ENOTSUP);
	ASSERT_ERR(mm(w.vm, 0, PG, wx, ANONPRIV, 3, 0), ENOTSUP);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Rule 3: flag bits outside MAP_FLAGMASK (0xfff7). */
TEST(mmap_rule3_bad_flags)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, ANONPRIV | 0x0008, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, ANONPRIV | 0x10000, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, ANONPRIV | 0x40000000, -1, 0),
	    EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, (int)(ANONPRIV | 0x80000000u), -1, 0),
	    EINVAL);
	ASSERT_ERR(mm(w.vm, W_A, PG, RW, ANONPRIV | BVM_MAP_FIXED | 0x0008,
	    -1, 0), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Rule 4: SHARED and PRIVATE together. */
TEST(mmap_rule4_shared_and_private)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, BVM_MAP_ANON | BVM_MAP_SHARED |
	    BVM_MAP_PRIVATE, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, W_A, PG, RW, BVM_MAP_ANON | BVM_MAP_SHARED |
	    BVM_MAP_PRIVATE | BVM_MAP_FIXED, -1, 0), EINVAL);
	/* Before rule 7: len 0 as well, still EINVAL (both are). */
	ASSERT_ERR(mm(w.vm, 0, 0, RW, BVM_MAP_ANON | BVM_MAP_SHARED |
	    BVM_MAP_PRIVATE, -1, 0), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Rule 5: __MAP_NOREPLACE needs MAP_FIXED. */
TEST(mmap_rule5_noreplace_without_fixed)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, ANONPRIV | BVM_MAP_NOREPLACE, -1, 0),
	    EINVAL);
	/* Even at a free, aligned hint. */
	ASSERT_ERR(mm(w.vm, 0x40000000, PG, RW, ANONPRIV |
	    BVM_MAP_NOREPLACE, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, W_A, PG, RW, ANONPRIV | BVM_MAP_NOREPLACE, -1, 0),
	    EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Rule 6: MAP_STACK. */
TEST(mmap_rule6_stack_rules)
{
	struct api_world w;

	WORLD_INIT(&w);
	/* Needs ANON|PRIVATE: without ANON it is rule 6, not a bad fd. */
	ASSERT_ERR(mm(w.vm, 0, PG, RW, BVM_MAP_STACK | BVM_MAP_PRIVATE, -1, 0),
	    EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, BVM_MAP_STACK | BVM_MAP_ANON, -1, 0),
	    EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, BVM_MAP_STACK | ANONSHARED, -1, 0),
	    EINVAL);
	/* No flags beyond STACK|FIXED|ANON|PRIVATE. */
	ASSERT_ERR(mm(w.vm, 0, PG, RW, BVM_MAP_STACK | ANONPRIV |
	    BVM_MAP_CONCEAL, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0x40000000, PG, RW, BVM_MAP_STACK | ANONPRIV |
	    BVM_MAP_FIXED | BVM_MAP_NOREPLACE, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, BVM_MAP_STACK | ANONPRIV |
	    BVM_MAP_NOFAULT, -1, 0), EINVAL);
	/* pos must be 0. */
	ASSERT_ERR(mm(w.vm, 0, PG, RW, BVM_MAP_STACK | ANONPRIV, -1, PG),
	    EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, BVM_MAP_STACK | ANONPRIV, -1, 16),
	    EINVAL);
	/* prot must have READ and WRITE. */
	ASSERT_ERR(mm(w.vm, 0, PG, RO, BVM_MAP_STACK | ANONPRIV, -1, 0),
	    EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, BVM_PROT_WRITE, BVM_MAP_STACK | ANONPRIV,
	    -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, BVM_PROT_NONE, BVM_MAP_STACK | ANONPRIV,
	    -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, BVM_PROT_READ | BVM_PROT_EXEC,
	    BVM_MAP_STACK | ANONPRIV, -1, 0), EINVAL);
	/* Over an existing mapping, FIXED: nothing replaced. */
	ASSERT_ERR(mm(w.vm, W_A, PG, RO, BVM_MAP_STACK | ANONPRIV |
	    BVM_MAP_FIXED, -1, 0), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mmap_stack_ok)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t va;

	va = MAP(vm, 0, 4 * PG, RW, BVM_MAP_STACK | ANONPRIV);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_TRUE(r.flags & BVM_REGION_STACK);
	ASSERT_EQ(r.prot, RW);
	ASSERT_EQ(r.start, va);
	ASSERT_EQ(r.end, va + 4 * PG);
	VERIFY_ZERO(vm, va, 4 * PG);
	FILL(vm, va, 4 * PG, 9);
	VERIFY(vm, va, 4 * PG, 9);
	/* FIXED is allowed with STACK. */
	va = MAP(vm, 0x50000000, 2 * PG, RW,
	    BVM_MAP_STACK | ANONPRIV | BVM_MAP_FIXED);
	ASSERT_TRUE(api_region_at(vm, 0x50000000, &r));
	ASSERT_TRUE(r.flags & BVM_REGION_STACK);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Rule 7: len 0. */
TEST(mmap_rule7_len_zero)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(mm(w.vm, 0, 0, RW, ANONPRIV, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, 0, RW, ANONSHARED, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, W_A, 0, RW, ANONPRIV | BVM_MAP_FIXED, -1, 0),
	    EINVAL);
	ASSERT_ERR(mm(w.vm, 0x40000000, 0, RW, ANONPRIV | BVM_MAP_FIXED, -1,
	    0), EINVAL);
	/* len 0 with a page offset is still len 0: rule 7 is before 9. */
	ASSERT_ERR(mm(w.vm, 0, 0, RW, ANONPRIV, -1, 16), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Rule 9: ALIGN_ADDR(pos, size, pageoff) wrap-around checks. */
TEST(mmap_rule9_size_wraps)
{
	struct api_world w;

	WORLD_INIT(&w);
	/* round_page(size) wraps to 0. */
	ASSERT_ERR(mm(w.vm, 0, UINT64_MAX, RW, ANONPRIV, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, UINT64_MAX - PG + 2, RW, ANONPRIV, -1, 0),
	    EINVAL);
	/* size > SIZE_MAX - pageoff. */
	ASSERT_ERR(mm(w.vm, 0, UINT64_MAX - 2, RW, ANONPRIV, -1, 16), EINVAL);
	/* size + pageoff rounds up past the top. */
	ASSERT_ERR(mm(w.vm, 0, UINT64_MAX - 100, RW, ANONPRIV, -1, 16),
	    EINVAL);
	ASSERT_ERR(mm(w.vm, W_A + 16, UINT64_MAX - 100, RW,
	    ANONPRIV | BVM_MAP_FIXED, -1, 16), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Rule 10: MAP_FIXED address checks. */
TEST(mmap_rule10_fixed_bad_address)
{
	struct api_world w;
	int f = ANONPRIV | BVM_MAP_FIXED;

	WORLD_INIT(&w);
	/* Not page aligned (pos 0). */
	ASSERT_ERR(mm(w.vm, W_A + 1, PG, RW, f, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0x40000800, PG, RW, f, -1, 0), EINVAL);
	/* addr - pageoff not aligned: aligned addr, unaligned off. */
	ASSERT_ERR(mm(w.vm, 0x40000000, PG, RW, f, -1, 16), EINVAL);
	ASSERT_ERR(mm(w.vm, W_A, PG, RW, f, -1, 16), EINVAL);
	/* FIXED at 0 fails (below VM_MIN_ADDRESS). */
	ASSERT_ERR(mm(w.vm, 0, PG, RW, f, -1, 0), EINVAL);
	/* Wraps. */
	ASSERT_ERR(mm(w.vm, UINT64_MAX - PG + 1, 2 * PG, RW, f, -1, 0),
	    EINVAL);
	ASSERT_ERR(mm(w.vm, 0xfffffffffff00000ULL, PG, RW, f, -1, 0), EINVAL);
	/* Past VM_MAXUSER_ADDRESS. */
	ASSERT_ERR(mm(w.vm, MAXU - PG, 2 * PG, RW, f, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, MAXU, PG, RW, f, -1, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, W_A, MAXU, RW, f, -1, 0), EINVAL);
	/* With NOREPLACE too, the address rule comes first (EINVAL). */
	ASSERT_ERR(mm(w.vm, MAXU, PG, RW, f | BVM_MAP_NOREPLACE, -1, 0),
	    EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mmap_fixed_at_user_limits)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;

	MAP(vm, MINU, PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, MAXU - PG, PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, MINU, PG, 1);
	FILL(vm, MAXU - PG, PG, 2);
	VERIFY(vm, MINU, PG, 1);
	VERIFY(vm, MAXU - PG, PG, 2);
	ASSERT_TRUE(api_region_at(vm, MINU, &r));
	ASSERT_EQ(r.start, MINU);
	ASSERT_EQ(r.end, MINU + PG);
	ASSERT_TRUE(api_region_at(vm, MAXU - PG, &r));
	ASSERT_EQ(r.end, MAXU);
	ASSERT_EQ(api_nregions(vm), 2);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Rule 12: anonymous memory takes no descriptor and no __MAP_NOFAULT. */
TEST(mmap_rule12_anon_fd_and_nofault)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, ANONPRIV, 0, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, ANONPRIV, 3, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, ANONPRIV, -2, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, ANONSHARED, 5, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, ANONPRIV | BVM_MAP_NOFAULT, -1, 0),
	    EINVAL);
	ASSERT_ERR(mm(w.vm, W_A, PG, RW, ANONPRIV | BVM_MAP_FIXED, 4, 0),
	    EINVAL);
	ASSERT_ERR(mm(w.vm, W_A, PG, RW, ANONPRIV | BVM_MAP_FIXED |
	    BVM_MAP_NOFAULT, -1, 0), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Rule 12 comes before rule 13 and before the RLIMIT_DATA check. */
TEST(mmap_order_fd_before_placement_and_limit)
{
	struct api_world w;
	int f = ANONPRIV | BVM_MAP_FIXED | BVM_MAP_NOREPLACE;

	WORLD_INIT(&w);
	/* A NOREPLACE collision would be ENOMEM; the fd is checked first. */
	ASSERT_ERR(mm(w.vm, W_A, PG, RW, f, 3, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, W_A, PG, RW, f | BVM_MAP_NOFAULT, -1, 0), EINVAL);
	/* So is a request that cannot fit anywhere. */
	ASSERT_ERR(mm(w.vm, 0, 1ULL << 47, RW, ANONPRIV, 3, 0), EINVAL);
	/* And one over RLIMIT_DATA. */
	ASSERT_OK(bvm_setrlimit(w.vm, BVM_RLIMIT_DATA, 0));
	SNAP(w.vm, w.sys, &w.snap);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, ANONPRIV, 3, 0), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, ANONPRIV, -1, 0), ENOMEM);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Without MAP_ANON, fd -1 is a bad descriptor (rule 11). */
TEST(mmap_no_anon_bad_fd)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, BVM_MAP_PRIVATE, -1, 0), EBADF);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, BVM_MAP_SHARED, -1, 0), EBADF);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Rule 13: __MAP_NOREPLACE collision is ENOMEM, nothing replaced. */
TEST(mmap_rule13_noreplace_collision)
{
	struct api_world w;
	int f = ANONPRIV | BVM_MAP_FIXED | BVM_MAP_NOREPLACE;

	WORLD_INIT(&w);
	ASSERT_ERR(mm(w.vm, W_A, PG, RW, f, -1, 0), ENOMEM);
	ASSERT_ERR(mm(w.vm, W_A + 3 * PG, PG, RW, f, -1, 0), ENOMEM);
	/* Partly over the hole after A. */
	ASSERT_ERR(mm(w.vm, W_A + 3 * PG, 3 * PG, RW, f, -1, 0), ENOMEM);
	/* Starts in the hole, runs into B. */
	ASSERT_ERR(mm(w.vm, W_B - 2 * PG, 4 * PG, RW, f, -1, 0), ENOMEM);
	/* Covers everything. */
	ASSERT_ERR(mm(w.vm, W_A - PG, W_END - W_A + 2 * PG, RW, f, -1, 0),
	    ENOMEM);
	ASSERT_ERR(mm(w.vm, W_C, 3 * PG, BVM_PROT_NONE, f, -1, 0), ENOMEM);
	ASSERT_ERR(mm(w.vm, W_B, PG, RW, ANONSHARED | BVM_MAP_FIXED |
	    BVM_MAP_NOREPLACE, -1, 0), ENOMEM);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mmap_noreplace_into_hole)
{
	struct api_world w;
	struct bvm_region r;

	WORLD_INIT(&w);
	/* The 4-page hole between A and B fits exactly. */
	MAP(w.vm, W_A + 4 * PG, 4 * PG, RW,
	    ANONPRIV | BVM_MAP_FIXED | BVM_MAP_NOREPLACE);
	ASSERT_TRUE(api_region_at(w.vm, W_A + 4 * PG, &r));
	ASSERT_EQ(r.start, W_A + 4 * PG);
	ASSERT_EQ(r.end, W_B);
	VERIFY_ZERO(w.vm, W_A + 4 * PG, 4 * PG);
	VERIFY(w.vm, W_A, 4 * PG, 1);
	VERIFY(w.vm, W_B, 2 * PG, 2);
	ASSERT_EQ(api_nregions(w.vm), 4);
	CHECK(w.vm);
	api_world_fini(&w);
}

/* Rule 13: no room at all is ENOMEM. */
TEST(mmap_rule13_no_space)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(mm(w.vm, 0, MAXU, RW, ANONPRIV, -1, 0), ENOMEM);
	ASSERT_ERR(mm(w.vm, 0, 1ULL << 47, RW, ANONPRIV, -1, 0), ENOMEM);
	ASSERT_ERR(mm(w.vm, 0, UINT64_MAX - PG + 1, RW, ANONPRIV, -1, 0),
	    ENOMEM);
	ASSERT_ERR(mm(w.vm, 0, 1ULL << 47, BVM_PROT_NONE, ANONPRIV, -1, 0),
	    ENOMEM);
	/* With a hint, too. */
	ASSERT_ERR(mm(w.vm, 0x40000000, 1ULL << 47, RW, ANONPRIV, -1, 0),
	    ENOMEM);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Rules 9 and 15: the page offset of pos is added to the result. */
TEST(mmap_rule9_pageoff_nonfixed)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t va = 0;

	ASSERT_OK(bvm_mmap(vm, 0, PG, RW, ANONPRIV, -1, 16, &va));
	ASSERT_EQ(va & (PG - 1), 16);
	/* size + pageoff = PG + 16 rounds up to two pages. */
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.start, va - 16);
	ASSERT_EQ(r.end, va - 16 + 2 * PG);
	FILL(vm, va, PG, 4);
	VERIFY(vm, va, PG, 4);
	/* munmap of the returned address and length removes it all. */
	ASSERT_OK(bvm_munmap(vm, va, PG));
	ASSERT_EQ(api_nregions(vm), 0);

	/* Offset PG + 5: pageoff 5 only; size PG - 5 + 5 = one page. */
	ASSERT_OK(bvm_mmap(vm, 0, PG - 5, RW, ANONPRIV, -1, PG + 5, &va));
	ASSERT_EQ(va & (PG - 1), 5);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.start, va - 5);
	ASSERT_EQ(r.end, va - 5 + PG);
	/* An aligned offset adds nothing (a hint far from the others, so
	 * that the entry stands alone). */
	ASSERT_OK(bvm_mmap(vm, 0x50000000, PG, RW, ANONPRIV, -1, 3 * PG,
	    &va));
	ASSERT_EQ(va, 0x50000000);
	ASSERT_EQ(va & (PG - 1), 0);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.end - r.start, PG);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Rule 10: FIXED with a page offset: addr - pageoff is mapped. */
TEST(mmap_rule10_pageoff_fixed)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t va = 0;

	ASSERT_OK(bvm_mmap(vm, 0x40000010, PG, RW, ANONPRIV | BVM_MAP_FIXED,
	    -1, 16, &va));
	ASSERT_EQ(va, 0x40000010);
	ASSERT_TRUE(api_region_at(vm, 0x40000000, &r));
	ASSERT_EQ(r.start, 0x40000000);
	ASSERT_EQ(r.end, 0x40002000);
	ASSERT_EQ(api_nregions(vm), 1);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Rule 13: a free, aligned hint is used exactly; an unaligned one rounds
 * up; a busy one is not used. */
TEST(mmap_rule13_hints)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t va = 0, vb = 0, vc = 0, vd = 0;

	ASSERT_OK(bvm_mmap(vm, 0x40000000, 2 * PG, RW, ANONPRIV, -1, 0, &va));
	ASSERT_EQ(va, 0x40000000);
	ASSERT_OK(bvm_mmap(vm, 0x60000123, PG, RW, ANONPRIV, -1, 0, &vb));
	ASSERT_EQ(vb, 0x60001000);
	/* The hint plus the offset of pos. */
	ASSERT_OK(bvm_mmap(vm, 0x70000000, PG, RW, ANONPRIV, -1, 32, &vd));
	ASSERT_EQ(vd, 0x70000020);
	/* An unaligned hint is rounded up, then the offset is added. */
	ASSERT_OK(bvm_mmap(vm, 0x70100123, PG, RW, ANONPRIV, -1, 32, &vd));
	ASSERT_EQ(vd, 0x70101020);
	/* A busy hint: placed elsewhere, nothing replaced. */
	FILL(vm, va, 2 * PG, 6);
	ASSERT_OK(bvm_mmap(vm, 0x40000000, 2 * PG, RW, ANONPRIV, -1, 0, &vc));
	ASSERT_NE(vc, 0x40000000);
	ASSERT_TRUE(vc + 2 * PG <= 0x40000000 || vc >= 0x40002000);
	VERIFY(vm, va, 2 * PG, 6);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.start, 0x40000000);
	ASSERT_EQ(r.end, 0x40002000);
	ASSERT_EQ(api_nregions(vm), 5);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Default placement never overlaps and stays in user space. */
TEST(mmap_placement_disjoint)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t va[16], len[16];
	int i, j;

	for (i = 0; i < 16; i++) {
		len[i] = (uint64_t)(i % 5 + 1) * PG;
		va[i] = MAP(vm, 0, len[i], i % 3 ? RW : BVM_PROT_NONE,
		    i % 2 ? ANONSHARED : ANONPRIV);
		ASSERT_TRUE(va[i] >= MINU);
		ASSERT_TRUE(va[i] + len[i] <= MAXU);
		for (j = 0; j < i; j++)
			ASSERT_TRUE(va[i] + len[i] <= va[j] ||
			    va[j] + len[j] <= va[i]);
	}
	ASSERT_EQ(api_info(vm).nentries, 16);
	ASSERT_EQ(api_nregions(vm), 16);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Placement is deterministic: two fresh vmspaces get the same addresses. */
TEST(mmap_placement_deterministic)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *v1 = tvm(sys), *v2 = tvm(sys);
	int i;

	for (i = 0; i < 8; i++) {
		uint64_t len = (uint64_t)(i + 1) * PG;

		ASSERT_EQ(MAP(v1, 0, len, RW, ANONPRIV),
		    MAP(v2, 0, len, RW, ANONPRIV));
	}
	bvm_vmspace_destroy(v1);
	bvm_vmspace_destroy(v2);
	bvm_system_destroy(sys);
}

/* A private anonymous mapping as procstat shows it. */
TEST(mmap_private_region_fields)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_vmspace_info info;
	struct bvm_region r;
	uint64_t va;

	va = MAP(vm, 0, 3 * PG, RW, ANONPRIV);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.start, va);
	ASSERT_EQ(r.end, va + 3 * PG);
	ASSERT_EQ(r.prot, RW);
	ASSERT_EQ(r.maxprot, BVM_PROT_READ | BVM_PROT_WRITE | BVM_PROT_EXEC);
	ASSERT_EQ(r.inherit, BVM_INHERIT_COPY);
	ASSERT_EQ(r.advice, BVM_MADV_NORMAL);
	ASSERT_EQ(r.wired_count, 0);
	ASSERT_EQ(r.flags & (BVM_REGION_COW | BVM_REGION_NEEDSCOPY),
	    BVM_REGION_COW | BVM_REGION_NEEDSCOPY);
	ASSERT_EQ(r.flags & (BVM_REGION_SHAREDAMAP | BVM_REGION_STACK |
	    BVM_REGION_CONCEAL | BVM_REGION_NOFAULT), 0);
	ASSERT_EQ(r.resident, 0);
	ASSERT_EQ(r.anons, 0);
	ASSERT_EQ(r.amap_refs, 0);
	ASSERT_TRUE(r.type != NULL && strcmp(r.type, "anon") == 0);
	info = api_info(vm);
	ASSERT_EQ(info.size, 3 * PG);
	ASSERT_EQ(info.resident, 0);
	ASSERT_EQ(info.nentries, 1);
	ASSERT_EQ(info.wired, 0);
	ASSERT_EQ(info.dused, 3 * PG);

	/* Touch two pages: an amap with two anons, needs-copy cleared. */
	ASSERT_OK(tpoke(vm, va, 1));
	ASSERT_OK(tpoke(vm, va + 2 * PG, 2));
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.resident, 2);
	ASSERT_EQ(r.anons, 2);
	ASSERT_EQ(r.amap_refs, 1);
	ASSERT_TRUE(r.flags & BVM_REGION_COW);
	ASSERT_EQ(r.flags & BVM_REGION_NEEDSCOPY, 0);
	ASSERT_EQ(api_info(vm).resident, 2);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A shared anonymous mapping: amap now (OVERLAY), inherit SHARE, no COW;
 * two of them side by side stay two entries. */
TEST(mmap_shared_region_fields)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t va;

	va = MAP(vm, 0, 2 * PG, RW, ANONSHARED);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.start, va);
	ASSERT_EQ(r.end, va + 2 * PG);
	ASSERT_EQ(r.inherit, BVM_INHERIT_SHARE);
	/* (AMAP_SHARED is only set once a second reference shares it.) */
	ASSERT_EQ(r.flags & (BVM_REGION_COW | BVM_REGION_NEEDSCOPY), 0);
	ASSERT_EQ(r.amap_refs, 1);
	ASSERT_EQ(r.maxprot, BVM_PROT_READ | BVM_PROT_WRITE | BVM_PROT_EXEC);
	VERIFY_ZERO(vm, va, 2 * PG);
	MAP(vm, va + 2 * PG, PG, RW, ANONSHARED | BVM_MAP_FIXED);
	ASSERT_EQ(api_nregions(vm), 2);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(mmap_conceal_flag)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t va;

	va = MAP(vm, 0, PG, RW, ANONPRIV | BVM_MAP_CONCEAL);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_TRUE(r.flags & BVM_REGION_CONCEAL);
	FILL(vm, va, PG, 1);
	VERIFY(vm, va, PG, 1);
	va = MAP(vm, 0, PG, RW, ANONPRIV);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.flags & BVM_REGION_CONCEAL, 0);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* New memory reads as zero, private and shared, every byte. */
TEST(mmap_zero_filled)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a, b;

	a = MAP(vm, 0, 5 * PG, RW, ANONPRIV);
	b = MAP(vm, 0, 5 * PG, RO, ANONSHARED);
	VERIFY_ZERO(vm, a, 5 * PG);
	VERIFY_ZERO(vm, b, 5 * PG);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* MAP_FIXED replaces what was there: the old pages are gone, neighbours
 * keep their data, entries are split where the new mapping ends. */
TEST(mmap_fixed_replaces)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t a = 0x40000000;

	MAP(vm, a, 6 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a, 6 * PG, 1);
	MAP(vm, a + 2 * PG, 2 * PG, RO, ANONPRIV | BVM_MAP_FIXED);
	ASSERT_EQ(api_nregions(vm), 3);
	VERIFY(vm, a, 2 * PG, 1);
	VERIFY_ZERO(vm, a + 2 * PG, 2 * PG);
	VERIFY(vm, a + 4 * PG, 2 * PG, 1);
	ASSERT_TRUE(api_region_at(vm, a + 2 * PG, &r));
	ASSERT_EQ(r.start, a + 2 * PG);
	ASSERT_EQ(r.end, a + 4 * PG);
	ASSERT_EQ(r.prot, RO);
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.end, a + 2 * PG);
	ASSERT_EQ(r.prot, RW);
	ASSERT_TRUE(api_region_at(vm, a + 5 * PG, &r));
	ASSERT_EQ(r.start, a + 4 * PG);
	ASSERT_EQ(r.prot, RW);
	NO_WRITE(vm, a + 2 * PG, BVM_SEGV_ACCERR);
	ASSERT_EQ(api_info(vm).size, 6 * PG);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* FIXED over two entries and the hole between them. */
TEST(mmap_fixed_replaces_across_entries_and_hole)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	struct bvm_region r;
	uint64_t a = 0x40000000;

	MAP(vm, a, 3 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 5 * PG, 3 * PG, RW, ANONSHARED | BVM_MAP_FIXED);
	FILL(vm, a, 3 * PG, 1);
	FILL(vm, a + 5 * PG, 3 * PG, 2);
	s0 = tstats(sys);
	MAP(vm, a + PG, 6 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	s1 = tstats(sys);
	/* The four replaced pages were freed. */
	ASSERT_EQ(s1.free, s0.free + 4);
	ASSERT_EQ(api_nregions(vm), 3);
	VERIFY(vm, a, PG, 1);
	VERIFY_ZERO(vm, a + PG, 6 * PG);
	VERIFY(vm, a + 7 * PG, PG, 2);
	ASSERT_TRUE(api_region_at(vm, a + 7 * PG, &r));
	ASSERT_EQ(r.start, a + 7 * PG);
	ASSERT_EQ(r.end, a + 8 * PG);
	ASSERT_EQ(r.inherit, BVM_INHERIT_SHARE);
	ASSERT_EQ(api_info(vm).size, 8 * PG);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A FIXED replacement that fails (RLIMIT_DATA) replaces nothing. */
TEST(mmap_fixed_replace_failure_is_atomic)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct api_snap s;
	uint64_t a = 0x40000000;

	MAP(vm, a, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a, 2 * PG, 7);
	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_DATA, 3 * PG));
	SNAP(vm, sys, &s);
	/* Four pages over the two: over the limit however it is counted. */
	ASSERT_ERR(mm(vm, a, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED, -1, 0),
	    ENOMEM);
	ASSERT_SNAP(vm, sys, &s);
	VERIFY(vm, a, 2 * PG, 7);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* PROT_NONE mappings are fine and inaccessible. */
TEST(mmap_prot_none)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t va;

	va = MAP(vm, 0, 2 * PG, BVM_PROT_NONE, ANONPRIV);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.prot, BVM_PROT_NONE);
	ASSERT_EQ(r.maxprot, BVM_PROT_READ | BVM_PROT_WRITE | BVM_PROT_EXEC);
	NO_READ(vm, va, BVM_SEGV_ACCERR);
	NO_WRITE(vm, va + PG, BVM_SEGV_ACCERR);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A length that is not a multiple of the page size is rounded up. */
TEST(mmap_len_rounded_up)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t va;

	va = MAP(vm, 0, 1, RW, ANONPRIV);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.end - r.start, PG);
	va = MAP(vm, 0x50000000, PG + 1, RW, ANONPRIV);
	ASSERT_EQ(va, 0x50000000);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.end - r.start, 2 * PG);
	FILL(vm, va, 2 * PG, 3);
	VERIFY(vm, va, 2 * PG, 3);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* bvm_regions: address order, early stop. */
struct regions_walk {
	int calls;
	uint64_t last_end;
	int stop_at;
	int bad_order;
};

static int
regions_walk_cb(const struct bvm_region *r, void *arg)
{
	struct regions_walk *w = arg;

	if (r->start < w->last_end || r->end <= r->start)
		w->bad_order = 1;
	w->last_end = r->end;
	w->calls++;
	return w->calls == w->stop_at ? 42 : 0;
}

TEST(mmap_regions_order_and_stop)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct regions_walk w;

	MAP(vm, 0x50000000, PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, 0x30000000, PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, 0x40000000, PG, RW, ANONPRIV | BVM_MAP_FIXED);
	memset(&w, 0, sizeof(w));
	ASSERT_EQ(bvm_regions(vm, regions_walk_cb, &w), 0);
	ASSERT_EQ(w.calls, 3);
	ASSERT_EQ(w.bad_order, 0);
	ASSERT_EQ(w.last_end, 0x50001000);
	memset(&w, 0, sizeof(w));
	w.stop_at = 2;
	ASSERT_EQ(bvm_regions(vm, regions_walk_cb, &w), 42);
	ASSERT_EQ(w.calls, 2);
	ASSERT_EQ(w.last_end, 0x40001000);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(mmap_errname)
{
	ASSERT_EQ(strcmp(bvm_errname(EINVAL), "EINVAL"), 0);
	ASSERT_EQ(strcmp(bvm_errname(ENOMEM), "ENOMEM"), 0);
	ASSERT_EQ(strcmp(bvm_errname(ENOTSUP), "ENOTSUP"), 0);
	ASSERT_EQ(strcmp(bvm_errname(EACCES), "EACCES"), 0);
}
