/*
 * test_limits.c: RLIMIT_DATA through vm_dused (bvm_vmspace_info.dused):
 * what is charged, the mmap and mprotect checks, munmap giving it back;
 * RLIMIT_MEMLOCK for mlock; bvm_setrlimit/bvm_getrlimit.
 */
#include "snapshot.h"

TEST(limits_defaults)
{
	struct bvm_params p;
	struct bvm_system *sys;
	struct bvm_vmspace *vm;
	uint64_t lim = 0;

	bvm_params_init(&p);
	ASSERT_EQ(p.npages, 16384);
	ASSERT_EQ(p.anon_mode, BVM_ANON_UVM);
	ASSERT_EQ(p.pmap, BVM_PMAP_SOFT);
	ASSERT_EQ(p.rlimit_data, BVM_RLIM_INFINITY);
	ASSERT_EQ(p.rlimit_memlock, 64 * 1024);
	ASSERT_EQ(p.flags, 0);
	sys = tsys(256);
	vm = tvm(sys);
	ASSERT_OK(bvm_getrlimit(vm, BVM_RLIMIT_DATA, &lim));
	ASSERT_EQ(lim, BVM_RLIM_INFINITY);
	ASSERT_OK(bvm_getrlimit(vm, BVM_RLIMIT_MEMLOCK, &lim));
	ASSERT_EQ(lim, 64 * 1024);
	ASSERT_EQ(api_info(vm).rlimit_data, BVM_RLIM_INFINITY);
	ASSERT_EQ(api_info(vm).rlimit_memlock, 64 * 1024);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* The system's parameters set the limits of its new vmspaces. */
TEST(limits_from_params)
{
	struct bvm_params p;
	struct bvm_system *sys;
	struct bvm_vmspace *vm;
	uint64_t lim = 0, va;

	bvm_params_init(&p);
	p.npages = 256;
	p.flags = BVM_SYS_CHECK;
	p.rlimit_data = 4 * PG;
	p.rlimit_memlock = 2 * PG;
	ASSERT_OK(bvm_system_create(&p, &sys));
	vm = tvm(sys);
	ASSERT_OK(bvm_getrlimit(vm, BVM_RLIMIT_DATA, &lim));
	ASSERT_EQ(lim, 4 * PG);
	ASSERT_OK(bvm_getrlimit(vm, BVM_RLIMIT_MEMLOCK, &lim));
	ASSERT_EQ(lim, 2 * PG);
	va = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	ASSERT_ERR(bvm_mmap(vm, 0, PG, RW, ANONPRIV, -1, 0, &lim), ENOMEM);
	ASSERT_ERR(bvm_mlock(vm, va, 3 * PG), EAGAIN);
	ASSERT_OK(bvm_mlock(vm, va, 2 * PG));
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(limits_bad_resource_einval)
{
	struct bvm_system *sys = tsys(64);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t lim = 77;

	ASSERT_ERR(bvm_setrlimit(vm, 0, PG), EINVAL);
	ASSERT_ERR(bvm_setrlimit(vm, 99, PG), EINVAL);
	ASSERT_ERR(bvm_setrlimit(vm, -1, PG), EINVAL);
	ASSERT_ERR(bvm_getrlimit(vm, 3, &lim), EINVAL);
	ASSERT_ERR(bvm_getrlimit(vm, -1, &lim), EINVAL);
	ASSERT_EQ(lim, 77);
	ASSERT_OK(bvm_getrlimit(vm, BVM_RLIMIT_DATA, &lim));
	ASSERT_EQ(lim, BVM_RLIM_INFINITY);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* What is charged to vm_dused. */
TEST(limits_dused_accounting)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a, n;

	ASSERT_EQ(api_info(vm).dused, 0);
	a = MAP(vm, 0, 3 * PG, RW, ANONPRIV);
	ASSERT_EQ(api_info(vm).dused, 3 * PG);
	MAP(vm, 0, 2 * PG, RO, ANONSHARED);
	ASSERT_EQ(api_info(vm).dused, 5 * PG);
	/* Private PROT_NONE is not charged. */
	n = MAP(vm, 0, 4 * PG, BVM_PROT_NONE, ANONPRIV);
	ASSERT_EQ(api_info(vm).dused, 5 * PG);
	/* Touching memory does not change the charge. */
	FILL(vm, a, 3 * PG, 1);
	ASSERT_EQ(api_info(vm).dused, 5 * PG);
	/* NONE -> accessible is charged, accessible -> NONE is given back. */
	ASSERT_OK(bvm_mprotect(vm, n, 2 * PG, RW));
	ASSERT_EQ(api_info(vm).dused, 7 * PG);
	ASSERT_OK(bvm_mprotect(vm, n, 4 * PG, RO));
	ASSERT_EQ(api_info(vm).dused, 9 * PG);
	ASSERT_OK(bvm_mprotect(vm, a, 3 * PG, BVM_PROT_NONE));
	ASSERT_EQ(api_info(vm).dused, 6 * PG);
	/* Accessible -> accessible changes nothing. */
	ASSERT_OK(bvm_mprotect(vm, n, 4 * PG, RW));
	ASSERT_EQ(api_info(vm).dused, 6 * PG);
	/* munmap gives back what was charged, and only that. */
	ASSERT_OK(bvm_munmap(vm, a, 3 * PG));
	ASSERT_EQ(api_info(vm).dused, 6 * PG);
	ASSERT_OK(bvm_munmap(vm, n + PG, 2 * PG));
	ASSERT_EQ(api_info(vm).dused, 4 * PG);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* mmap over the limit: ENOMEM; exactly up to the limit is fine. */
TEST(limits_mmap_over_limit)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct api_snap s;
	uint64_t a, out;

	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_DATA, 4 * PG));
	ASSERT_ERR(bvm_mmap(vm, 0, 5 * PG, RW, ANONPRIV, -1, 0, &out), ENOMEM);
	a = MAP(vm, 0, 3 * PG, RW, ANONPRIV);
	FILL(vm, a, 3 * PG, 1);
	SNAP(vm, sys, &s);
	ASSERT_ERR(bvm_mmap(vm, 0, 2 * PG, RW, ANONPRIV, -1, 0, &out), ENOMEM);
	ASSERT_ERR(bvm_mmap(vm, 0, 2 * PG, RO, ANONSHARED, -1, 0, &out),
	    ENOMEM);
	ASSERT_ERR(bvm_mmap(vm, 0x40000000, 2 * PG, RW,
	    ANONPRIV | BVM_MAP_FIXED, -1, 0, &out), ENOMEM);
	/* A page offset counts too: PG + 16 bytes is two pages. */
	ASSERT_ERR(bvm_mmap(vm, 0, PG, RW, ANONPRIV, -1, 16, &out), ENOMEM);
	ASSERT_SNAP(vm, sys, &s);
	VERIFY(vm, a, 3 * PG, 1);
	/* Exactly at the limit. */
	MAP(vm, 0, PG, RW, ANONPRIV);
	ASSERT_EQ(api_info(vm).dused, 4 * PG);
	ASSERT_ERR(bvm_mmap(vm, 0, PG, RW, ANONPRIV, -1, 0, &out), ENOMEM);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Private PROT_NONE is not charged and not refused; shared PROT_NONE is
 * checked (rule 12: prot != NONE or SHARED). */
TEST(limits_prot_none_not_charged)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct api_snap s;
	uint64_t out;

	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_DATA, 0));
	MAP(vm, 0, 8 * PG, BVM_PROT_NONE, ANONPRIV);
	ASSERT_EQ(api_info(vm).dused, 0);
	SNAP(vm, sys, &s);
	ASSERT_ERR(bvm_mmap(vm, 0, PG, BVM_PROT_NONE, ANONSHARED, -1, 0, &out),
	    ENOMEM);
	ASSERT_ERR(bvm_mmap(vm, 0, PG, RO, ANONPRIV, -1, 0, &out), ENOMEM);
	ASSERT_SNAP(vm, sys, &s);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* mprotect NONE -> RW over the limit: ENOMEM, nothing changed. */
TEST(limits_mprotect_over_limit)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct api_snap s;
	struct bvm_region r;
	uint64_t n;

	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_DATA, 2 * PG));
	MAP(vm, 0, PG, RW, ANONPRIV);
	n = MAP(vm, 0, 4 * PG, BVM_PROT_NONE, ANONPRIV);
	SNAP(vm, sys, &s);
	ASSERT_ERR(bvm_mprotect(vm, n, 4 * PG, RW), ENOMEM);
	ASSERT_ERR(bvm_mprotect(vm, n, 2 * PG, RO), ENOMEM);
	ASSERT_ERR(bvm_mprotect(vm, n + PG, 3 * PG, BVM_PROT_EXEC), ENOMEM);
	ASSERT_SNAP(vm, sys, &s);
	NO_READ(vm, n, BVM_SEGV_ACCERR);
	/* One page fits exactly. */
	ASSERT_OK(bvm_mprotect(vm, n + 3 * PG, PG, RW));
	ASSERT_EQ(api_info(vm).dused, 2 * PG);
	ASSERT_TRUE(api_region_at(vm, n + 3 * PG, &r));
	ASSERT_EQ(r.prot, RW);
	ASSERT_ERR(bvm_mprotect(vm, n, PG, RW), ENOMEM);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* munmap gives the charge back: what failed now fits. */
TEST(limits_munmap_gives_back)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a, out;

	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_DATA, 4 * PG));
	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	ASSERT_ERR(bvm_mmap(vm, 0, 2 * PG, RW, ANONPRIV, -1, 0, &out), ENOMEM);
	ASSERT_OK(bvm_munmap(vm, a + PG, 2 * PG));
	ASSERT_EQ(api_info(vm).dused, 2 * PG);
	MAP(vm, 0, 2 * PG, RW, ANONPRIV);
	ASSERT_EQ(api_info(vm).dused, 4 * PG);
	/* FIXED replacement of charged memory by PROT_NONE gives back. */
	MAP(vm, a, PG, BVM_PROT_NONE, ANONPRIV | BVM_MAP_FIXED);
	ASSERT_EQ(api_info(vm).dused, 3 * PG);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Lowering the limit below the current use is allowed; memory already
 * mapped stays usable; only new use is refused. */
TEST(limits_lower_below_use)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a, out, lim;

	a = MAP(vm, 0, 6 * PG, RW, ANONPRIV);
	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_DATA, 2 * PG));
	ASSERT_OK(bvm_getrlimit(vm, BVM_RLIMIT_DATA, &lim));
	ASSERT_EQ(lim, 2 * PG);
	ASSERT_EQ(api_info(vm).dused, 6 * PG);
	FILL(vm, a, 6 * PG, 1);
	VERIFY(vm, a, 6 * PG, 1);
	ASSERT_ERR(bvm_mmap(vm, 0, PG, RW, ANONPRIV, -1, 0, &out), ENOMEM);
	ASSERT_OK(bvm_munmap(vm, a, 5 * PG));
	MAP(vm, 0, PG, RW, ANONPRIV);
	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_DATA, BVM_RLIM_INFINITY));
	MAP(vm, 0, 64 * PG, RW, ANONPRIV);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* RLIMIT_MEMLOCK: mlock beyond it is EAGAIN, nothing wired. */
TEST(limits_memlock_eagain)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct api_snap s;
	uint64_t a;

	a = MAP(vm, 0, 32 * PG, RW, ANONPRIV);
	/* The default: 64 KiB, 16 pages. */
	SNAP(vm, sys, &s);
	ASSERT_ERR(bvm_mlock(vm, a, 17 * PG), EAGAIN);
	ASSERT_SNAP(vm, sys, &s);
	ASSERT_OK(bvm_mlock(vm, a, 16 * PG));
	ASSERT_EQ(api_info(vm).wired, 16 * PG);
	SNAP(vm, sys, &s);
	ASSERT_ERR(bvm_mlock(vm, a + 16 * PG, PG), EAGAIN);
	ASSERT_SNAP(vm, sys, &s);
	ASSERT_OK(bvm_munlock(vm, a, 8 * PG));
	ASSERT_OK(bvm_mlock(vm, a + 16 * PG, 8 * PG));
	ASSERT_EQ(api_info(vm).wired, 16 * PG);
	/* A smaller limit. */
	ASSERT_OK(bvm_munlock(vm, a, 32 * PG));
	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_MEMLOCK, 2 * PG));
	ASSERT_ERR(bvm_mlock(vm, a, 3 * PG), EAGAIN);
	ASSERT_OK(bvm_mlock(vm, a, 2 * PG));
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
