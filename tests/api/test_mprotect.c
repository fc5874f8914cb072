/*
 * test_mprotect.c: bvm_mprotect: OpenBSD's checks (bits, W^X, wrap), holes
 * skipped, outside user space ignored, all entries checked before any is
 * changed, splitting, and the protection really enforced on access.
 */
#include "snapshot.h"

#define MAXU BVM_VM_MAXUSER_ADDRESS
#define WX (BVM_PROT_WRITE | BVM_PROT_EXEC)

TEST(mprotect_bad_bits_einval)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_mprotect(w.vm, W_A, PG, 0x08), EINVAL);
	ASSERT_ERR(bvm_mprotect(w.vm, W_A, PG, RW | 0x10), EINVAL);
	ASSERT_ERR(bvm_mprotect(w.vm, W_A, 4 * PG, -1), EINVAL);
	ASSERT_ERR(bvm_mprotect(w.vm, W_A, W_END - W_A, 0x100), EINVAL);
	/* Bits before W^X. */
	ASSERT_ERR(bvm_mprotect(w.vm, W_A, PG, WX | 0x08), EINVAL);
	/* Bits before the wrap check. */
	ASSERT_ERR(bvm_mprotect(w.vm, W_A, UINT64_MAX, WX | 0x08), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mprotect_wx_enotsup)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_mprotect(w.vm, W_A, PG, WX), ENOTSUP);
	ASSERT_ERR(bvm_mprotect(w.vm, W_A, 4 * PG, WX | BVM_PROT_READ),
	    ENOTSUP);
	ASSERT_ERR(bvm_mprotect(w.vm, W_A, W_END - W_A, WX), ENOTSUP);
	/* W^X comes before the wrap check. */
	ASSERT_ERR(bvm_mprotect(w.vm, W_A, UINT64_MAX, WX), ENOTSUP);
	/* And applies even where nothing is mapped. */
	ASSERT_ERR(bvm_mprotect(w.vm, 0x60000000, PG, WX), ENOTSUP);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

TEST(mprotect_wx_allowed_system)
{
	struct bvm_system *sys = api_sys_flags(256, BVM_SYS_WXALLOWED);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t va;

	va = MAP(vm, 0, 2 * PG, RW, ANONPRIV);
	FILL(vm, va, 2 * PG, 1);
	ASSERT_ERR(bvm_fault(vm, va, BVM_PROT_EXEC, NULL), EACCES);
	ASSERT_OK(bvm_mprotect(vm, va, 2 * PG, RW | BVM_PROT_EXEC));
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.prot, RW | BVM_PROT_EXEC);
	ASSERT_OK(bvm_fault(vm, va, BVM_PROT_EXEC, NULL));
	FILL(vm, va, 2 * PG, 2);
	VERIFY(vm, va, 2 * PG, 2);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(mprotect_wrap_einval)
{
	struct api_world w;

	WORLD_INIT(&w);
	/* round_page(len) wraps. */
	ASSERT_ERR(bvm_mprotect(w.vm, W_A, UINT64_MAX, RO), EINVAL);
	/* len + page offset wraps. */
	ASSERT_ERR(bvm_mprotect(w.vm, W_A + 16, UINT64_MAX - 8, RO), EINVAL);
	/* addr + len wraps. */
	ASSERT_ERR(bvm_mprotect(w.vm, W_A, UINT64_MAX - PG + 1, RO), EINVAL);
	ASSERT_ERR(bvm_mprotect(w.vm, UINT64_MAX - PG + 1, 2 * PG, RO),
	    EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Holes are skipped silently (Linux says ENOMEM). */
TEST(mprotect_skips_holes)
{
	struct api_world w;
	struct bvm_region r;

	WORLD_INIT(&w);
	ASSERT_OK(bvm_mprotect(w.vm, W_A, W_END - W_A + 8 * PG, RO));
	ASSERT_EQ(api_nregions(w.vm), 3);
	ASSERT_TRUE(api_region_at(w.vm, W_A, &r));
	ASSERT_EQ(r.prot, RO);
	ASSERT_EQ(r.start, W_A);
	ASSERT_EQ(r.end, W_A + 4 * PG);
	ASSERT_TRUE(api_region_at(w.vm, W_B, &r));
	ASSERT_EQ(r.prot, RO);
	ASSERT_TRUE(api_region_at(w.vm, W_C, &r));
	ASSERT_EQ(r.prot, RO);
	VERIFY(w.vm, W_A, 4 * PG, 1);
	VERIFY(w.vm, W_B, 2 * PG, 2);
	VERIFY_ZERO(w.vm, W_C, 3 * PG);
	NO_WRITE(w.vm, W_A, BVM_SEGV_ACCERR);
	NO_READ(w.vm, W_A + 4 * PG, BVM_SEGV_MAPERR);
	CHECK(w.vm);
	api_world_fini(&w);
}

/* A range with nothing mapped, or nothing in user space, or no length,
 * is 0 and changes nothing. */
TEST(mprotect_nothing_to_do)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_OK(bvm_mprotect(w.vm, W_A + 4 * PG, 4 * PG, BVM_PROT_NONE));
	ASSERT_OK(bvm_mprotect(w.vm, 0x60000000, 64 * PG, RO));
	ASSERT_OK(bvm_mprotect(w.vm, MAXU, PG, BVM_PROT_NONE));
	ASSERT_OK(bvm_mprotect(w.vm, MAXU + 64 * PG, 16 * PG, RO));
	ASSERT_OK(bvm_mprotect(w.vm, 0, PG, BVM_PROT_NONE));
	ASSERT_OK(bvm_mprotect(w.vm, W_A, 0, BVM_PROT_NONE));
	ASSERT_OK(bvm_mprotect(w.vm, W_B, 0, RW));
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* The part of a range above user space is ignored; the rest is done. */
TEST(mprotect_clamped_to_user_space)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;

	MAP(vm, MAXU - 2 * PG, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, MAXU - 2 * PG, 2 * PG, 1);
	ASSERT_OK(bvm_mprotect(vm, MAXU - PG, 8 * PG, RO));
	ASSERT_TRUE(api_region_at(vm, MAXU - PG, &r));
	ASSERT_EQ(r.prot, RO);
	ASSERT_EQ(r.start, MAXU - PG);
	ASSERT_TRUE(api_region_at(vm, MAXU - 2 * PG, &r));
	ASSERT_EQ(r.prot, RW);
	NO_WRITE(vm, MAXU - PG, BVM_SEGV_ACCERR);
	VERIFY(vm, MAXU - 2 * PG, 2 * PG, 1);
	/* From below the minimum address. */
	MAP(vm, BVM_VM_MIN_ADDRESS, PG, RW, ANONPRIV | BVM_MAP_FIXED);
	ASSERT_OK(bvm_mprotect(vm, 0, 2 * PG, BVM_PROT_NONE));
	ASSERT_TRUE(api_region_at(vm, BVM_VM_MIN_ADDRESS, &r));
	ASSERT_EQ(r.prot, BVM_PROT_NONE);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A sub-range splits the entry into three. */
TEST(mprotect_splits_entry)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t a;

	a = MAP(vm, 0, 6 * PG, RW, ANONPRIV);
	FILL(vm, a, 6 * PG, 1);
	ASSERT_OK(bvm_mprotect(vm, a + 2 * PG, 2 * PG, RO));
	ASSERT_EQ(api_nregions(vm), 3);
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.end, a + 2 * PG);
	ASSERT_EQ(r.prot, RW);
	ASSERT_TRUE(api_region_at(vm, a + 2 * PG, &r));
	ASSERT_EQ(r.start, a + 2 * PG);
	ASSERT_EQ(r.end, a + 4 * PG);
	ASSERT_EQ(r.prot, RO);
	ASSERT_EQ(r.resident, 2);
	ASSERT_TRUE(api_region_at(vm, a + 4 * PG, &r));
	ASSERT_EQ(r.start, a + 4 * PG);
	ASSERT_EQ(r.prot, RW);
	NO_WRITE(vm, a + 2 * PG, BVM_SEGV_ACCERR);
	NO_WRITE(vm, a + 4 * PG - 1, BVM_SEGV_ACCERR);
	ASSERT_OK(tpoke(vm, a + 2 * PG - 1, 0xab));
	ASSERT_OK(tpoke(vm, a + 4 * PG, 0xcd));
	ASSERT_EQ(tpeek(vm, a + 2 * PG - 1), 0xab);
	ASSERT_EQ(tpeek(vm, a + 4 * PG), 0xcd);
	VERIFY(vm, a + 2 * PG, 2 * PG, 1);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* An unaligned start is rounded down; the length grows with it. */
TEST(mprotect_unaligned_rounds)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t a = 0x40000000;

	MAP(vm, a, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	ASSERT_OK(bvm_mprotect(vm, a + PG + 1, 1, RO));
	ASSERT_TRUE(api_region_at(vm, a + PG, &r));
	ASSERT_EQ(r.start, a + PG);
	ASSERT_EQ(r.end, a + 2 * PG);
	ASSERT_EQ(r.prot, RO);
	/* [a+2PG+100, a+3PG+100): pages 2 and 3. */
	ASSERT_OK(bvm_mprotect(vm, a + 2 * PG + 100, PG, BVM_PROT_NONE));
	ASSERT_TRUE(api_region_at(vm, a + 2 * PG, &r));
	ASSERT_EQ(r.start, a + 2 * PG);
	ASSERT_EQ(r.end, a + 4 * PG);
	ASSERT_EQ(r.prot, BVM_PROT_NONE);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* NONE hides the data, READ|WRITE brings it back intact. */
TEST(mprotect_none_and_back_keeps_data)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	FILL(vm, a, 4 * PG, 3);
	ASSERT_OK(bvm_mprotect(vm, a, 4 * PG, BVM_PROT_NONE));
	NO_READ(vm, a, BVM_SEGV_ACCERR);
	NO_READ(vm, a + 3 * PG + 5, BVM_SEGV_ACCERR);
	NO_WRITE(vm, a + PG, BVM_SEGV_ACCERR);
	ASSERT_OK(bvm_mprotect(vm, a, 4 * PG, RO));
	VERIFY(vm, a, 4 * PG, 3);
	NO_WRITE(vm, a + 2 * PG, BVM_SEGV_ACCERR);
	ASSERT_OK(bvm_mprotect(vm, a, 4 * PG, RW));
	VERIFY(vm, a, 4 * PG, 3);
	FILL(vm, a, 4 * PG, 4);
	VERIFY(vm, a, 4 * PG, 4);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Downgrading a page that is already mapped writable takes effect at
 * once (the pmap is write-protected), for private and shared memory. */
TEST(mprotect_downgrade_mapped_pages)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a, b;

	a = MAP(vm, 0, 2 * PG, RW, ANONPRIV);
	b = MAP(vm, 0, 2 * PG, RW, ANONSHARED);
	FILL(vm, a, 2 * PG, 1);
	FILL(vm, b, 2 * PG, 2);
	ASSERT_OK(bvm_mprotect(vm, a, 2 * PG, RO));
	ASSERT_OK(bvm_mprotect(vm, b, 2 * PG, RO));
	NO_WRITE(vm, a, BVM_SEGV_ACCERR);
	NO_WRITE(vm, a + PG + 7, BVM_SEGV_ACCERR);
	NO_WRITE(vm, b, BVM_SEGV_ACCERR);
	NO_WRITE(vm, b + PG + 7, BVM_SEGV_ACCERR);
	ASSERT_ERR(bvm_fault(vm, a, BVM_PROT_WRITE, NULL), EACCES);
	VERIFY(vm, a, 2 * PG, 1);
	VERIFY(vm, b, 2 * PG, 2);
	ASSERT_OK(bvm_mprotect(vm, a, 2 * PG, RW));
	ASSERT_OK(bvm_mprotect(vm, b, 2 * PG, RW));
	FILL(vm, a, 2 * PG, 3);
	FILL(vm, b, 2 * PG, 4);
	VERIFY(vm, a, 2 * PG, 3);
	VERIFY(vm, b, 2 * PG, 4);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* All entries are checked before any is changed: a failure on the last
 * entry (RLIMIT_DATA) leaves the first untouched. */
TEST(mprotect_checks_all_entries_first)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct api_snap s;
	struct bvm_region r;
	uint64_t a = 0x40000000;

	MAP(vm, a, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 2 * PG, 4 * PG, BVM_PROT_NONE, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a, 2 * PG, 1);
	ASSERT_EQ(api_info(vm).dused, 2 * PG);
	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_DATA, 3 * PG));
	SNAP(vm, sys, &s);
	ASSERT_ERR(bvm_mprotect(vm, a, 6 * PG, RO), ENOMEM);
	ASSERT_SNAP(vm, sys, &s);
	/* The first entry is still writable. */
	FILL(vm, a, 2 * PG, 2);
	VERIFY(vm, a, 2 * PG, 2);
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.prot, RW);
	NO_READ(vm, a + 2 * PG, BVM_SEGV_ACCERR);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Anonymous memory always has every protection in its maximum, so any
 * valid protection can be set (EACCES is not reachable for it). */
TEST(mprotect_anon_maxprot_all)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t a;
	int prot;

	a = MAP(vm, 0, PG, BVM_PROT_NONE, ANONPRIV);
	for (prot = 0; prot <= 7; prot++) {
		if ((prot & WX) == WX)
			continue;
		ASSERT_OK(bvm_mprotect(vm, a, PG, prot));
		ASSERT_TRUE(api_region_at(vm, a, &r));
		ASSERT_EQ(r.prot, prot);
		ASSERT_EQ(r.maxprot, 7);
	}
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* EXEC is a protection of its own. */
TEST(mprotect_exec_fault)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	uint64_t a;

	a = MAP(vm, 0, 2 * PG, RW, ANONPRIV);
	FILL(vm, a, 2 * PG, 1);
	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_fault(vm, a, BVM_PROT_EXEC, &fi), EACCES);
	ASSERT_EQ(fi.code, BVM_SEGV_ACCERR);
	ASSERT_EQ(fi.signo, BVM_SIGSEGV);
	ASSERT_OK(bvm_mprotect(vm, a, PG, BVM_PROT_READ | BVM_PROT_EXEC));
	ASSERT_OK(bvm_fault(vm, a, BVM_PROT_EXEC, NULL));
	ASSERT_OK(bvm_fault(vm, a + 5, BVM_PROT_READ, NULL));
	ASSERT_ERR(bvm_fault(vm, a, BVM_PROT_WRITE, NULL), EACCES);
	ASSERT_ERR(bvm_fault(vm, a + PG, BVM_PROT_EXEC, NULL), EACCES);
	ASSERT_OK(bvm_mprotect(vm, a + PG, PG, BVM_PROT_EXEC));
	ASSERT_OK(bvm_fault(vm, a + PG, BVM_PROT_EXEC, NULL));
	VERIFY(vm, a, PG, 1);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(mprotect_counts_calls)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	uint64_t a;

	a = MAP(vm, 0, 2 * PG, RW, ANONPRIV);
	s0 = tstats(sys);
	ASSERT_OK(bvm_mprotect(vm, a, PG, RO));
	ASSERT_OK(bvm_mprotect(vm, a, PG, RW));
	s1 = tstats(sys);
	ASSERT_EQ(s1.mprotect_calls, s0.mprotect_calls + 2);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
