/*
 * test_exec.c: bvm_exec empties the address space as execve(2) does: all
 * mappings and their memory go, limits stay, mlockall(MCL_FUTURE) is
 * cleared; memory shared with other vmspaces survives there.
 */
#include "snapshot.h"

TEST(exec_empties_vmspace)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_vmspace_info info;
	struct bvm_stats s0, s1;
	unsigned char vec[1];
	uint64_t a, b;

	s0 = tstats(sys);
	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	b = MAP(vm, 0, 2 * PG, RW, ANONSHARED);
	MAP(vm, 0, 2 * PG, BVM_PROT_NONE, ANONPRIV);
	FILL(vm, a, 4 * PG, 1);
	FILL(vm, b, 2 * PG, 2);
	ASSERT_OK(bvm_exec(vm));
	info = api_info(vm);
	ASSERT_EQ(info.size, 0);
	ASSERT_EQ(info.resident, 0);
	ASSERT_EQ(info.dused, 0);
	ASSERT_EQ(info.wired, 0);
	ASSERT_EQ(info.nentries, 0);
	ASSERT_EQ(api_nregions(vm), 0);
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.anons, s0.anons);
	ASSERT_EQ(s1.amaps, s0.amaps);
	ASSERT_EQ(s1.map_entries, s0.map_entries);
	ASSERT_EQ(s1.vmspaces, s0.vmspaces);
	NO_READ(vm, a, BVM_SEGV_MAPERR);
	NO_WRITE(vm, b, BVM_SEGV_MAPERR);
	ASSERT_ERR(bvm_mincore(vm, a, PG, vec), ENOMEM);
	/* The address space is usable again, and fresh. */
	MAP(vm, a, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED | BVM_MAP_NOREPLACE);
	VERIFY_ZERO(vm, a, 4 * PG);
	FILL(vm, a, 4 * PG, 3);
	VERIFY(vm, a, 4 * PG, 3);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(exec_keeps_limits)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t lim = 0, va;

	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_DATA, 3 * PG));
	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_MEMLOCK, 2 * PG));
	MAP(vm, 0, 3 * PG, RW, ANONPRIV);
	ASSERT_OK(bvm_exec(vm));
	ASSERT_OK(bvm_getrlimit(vm, BVM_RLIMIT_DATA, &lim));
	ASSERT_EQ(lim, 3 * PG);
	ASSERT_OK(bvm_getrlimit(vm, BVM_RLIMIT_MEMLOCK, &lim));
	ASSERT_EQ(lim, 2 * PG);
	ASSERT_EQ(api_info(vm).rlimit_data, 3 * PG);
	ASSERT_EQ(api_info(vm).rlimit_memlock, 2 * PG);
	/* The data use was reset: three pages fit again, four do not. */
	ASSERT_ERR(bvm_mmap(vm, 0, 4 * PG, RW, ANONPRIV, -1, 0, &va), ENOMEM);
	va = MAP(vm, 0, 3 * PG, RW, ANONPRIV);
	ASSERT_ERR(bvm_mlock(vm, va, 3 * PG), EAGAIN);
	ASSERT_OK(bvm_mlock(vm, va, 2 * PG));
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(exec_clears_mcl_future)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_region r;
	uint64_t va;

	ASSERT_OK(bvm_mlockall(vm, BVM_MCL_FUTURE));
	va = MAP(vm, 0, 2 * PG, RW, ANONPRIV);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.wired_count, 1);
	ASSERT_EQ(api_info(vm).wired, 2 * PG);
	ASSERT_OK(bvm_exec(vm));
	ASSERT_EQ(tstats(sys).wired, 0);
	va = MAP(vm, 0, 2 * PG, RW, ANONPRIV);
	ASSERT_TRUE(api_region_at(vm, va, &r));
	ASSERT_EQ(r.wired_count, 0);
	ASSERT_EQ(api_info(vm).wired, 0);
	ASSERT_EQ(r.resident, 0);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* exec in a child leaves the parent's memory, shared or copied, alone. */
TEST(exec_child_leaves_parent)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t a, b;

	a = MAP(vm, 0, 3 * PG, RW, ANONPRIV);
	b = MAP(vm, 0, 3 * PG, RW, ANONSHARED);
	FILL(vm, a, 3 * PG, 1);
	FILL(vm, b, 3 * PG, 2);
	ASSERT_OK(bvm_fork(vm, &child));
	FILL(child, b, PG, 3);
	ASSERT_OK(bvm_exec(child));
	ASSERT_EQ(api_nregions(child), 0);
	VERIFY(vm, a, 3 * PG, 1);
	VERIFY(vm, b, PG, 3);
	VERIFY(vm, b + PG, 2 * PG, 2);
	FILL(vm, a, 3 * PG, 4);
	VERIFY(vm, a, 3 * PG, 4);
	CHECK(vm);
	CHECK(child);
	/* And exec in the parent leaves nothing behind. */
	ASSERT_OK(bvm_exec(vm));
	ASSERT_EQ(tstats(sys).anons, 0);
	ASSERT_EQ(tstats(sys).amaps, 0);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* exec of an empty vmspace, twice. */
TEST(exec_empty)
{
	struct bvm_system *sys = tsys(64);
	struct bvm_vmspace *vm = tvm(sys);

	ASSERT_OK(bvm_exec(vm));
	ASSERT_OK(bvm_exec(vm));
	ASSERT_EQ(api_nregions(vm), 0);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
