/*
 * test_system.c: bvm_system_create's checks and defaults, and
 * bvm_system_destroy with vmspaces still alive.
 */
#include "snapshot.h"

TEST(system_create_defaults)
{
	struct bvm_system *sys = NULL;
	struct bvm_stats st;

	ASSERT_OK(bvm_system_create(NULL, &sys));
	ASSERT_TRUE(sys != NULL);
	st = tstats(sys);
	ASSERT_EQ(st.npages, 16384);
	ASSERT_EQ(st.pagesize, BVM_PAGE_SIZE);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

TEST(system_create_einval)
{
	struct bvm_params p;
	struct bvm_system *sys = NULL;

	bvm_params_init(&p);
	p.npages = 0;
	ASSERT_ERR(bvm_system_create(&p, &sys), EINVAL);
	bvm_params_init(&p);
	p.npages = UINT64_MAX;
	ASSERT_ERR(bvm_system_create(&p, &sys), EINVAL);
	bvm_params_init(&p);
	p.npages = 64;
	p.anon_mode = 7;
	ASSERT_ERR(bvm_system_create(&p, &sys), EINVAL);
	bvm_params_init(&p);
	p.npages = 64;
	p.pmap = 9;
	ASSERT_ERR(bvm_system_create(&p, &sys), EINVAL);
	bvm_params_init(&p);
	p.npages = 64;
	p.flags = 0x80;
	ASSERT_ERR(bvm_system_create(&p, &sys), EINVAL);
}

TEST(system_create_mach_enotsup)
{
	struct bvm_params p;
	struct bvm_system *sys = NULL;

	bvm_params_init(&p);
	p.npages = 64;
	p.anon_mode = BVM_ANON_MACH;
	ASSERT_ERR(bvm_system_create(&p, &sys), ENOTSUP);
}

/* Destroying a system destroys its remaining vmspaces and their memory
 * (LeakSanitizer checks that nothing is left). */
TEST(system_destroy_with_live_vmspaces)
{
	struct bvm_system *sys = tsys(128);
	struct bvm_vmspace *vm = tvm(sys), *child;
	uint64_t a, b;

	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	b = MAP(vm, 0, 4 * PG, RW, ANONSHARED);
	FILL(vm, a, 4 * PG, 1);
	FILL(vm, b, 4 * PG, 2);
	ASSERT_OK(bvm_mlock(vm, a, 2 * PG));
	ASSERT_OK(bvm_fork(vm, &child));
	FILL(child, a, 4 * PG, 3);
	ASSERT_EQ(tstats(sys).vmspaces, 2);
	bvm_system_destroy(sys);
}

/* Two systems are independent. */
TEST(system_two_independent)
{
	struct bvm_system *s1 = tsys(64), *s2 = tsys(128);
	struct bvm_vmspace *v1 = tvm(s1), *v2 = tvm(s2);
	uint64_t a = 0x40000000;

	MAP(v1, a, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(v2, a, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(v1, a, 4 * PG, 1);
	FILL(v2, a, 4 * PG, 2);
	ASSERT_EQ(tstats(s1).npages, 64);
	ASSERT_EQ(tstats(s2).npages, 128);
	ASSERT_EQ(tstats(s1).anons, 4);
	ASSERT_EQ(tstats(s2).anons, 4);
	VERIFY(v1, a, 4 * PG, 1);
	VERIFY(v2, a, 4 * PG, 2);
	bvm_vmspace_destroy(v1);
	bvm_system_destroy(s1);
	VERIFY(v2, a, 4 * PG, 2);
	bvm_vmspace_destroy(v2);
	bvm_system_destroy(s2);
}
