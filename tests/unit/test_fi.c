/*
 * test_fi.c: every allocation point fails cleanly when the fault injector
 * says so: ENOMEM, nothing changed, invariants hold, nothing leaks.
 */
#include "harness.h"
#include "uvm_extern.h"

#define PG BVM_PAGE_SIZE

/* A failing page allocation fails the fault with ENOMEM, and no more. */
TEST(fi_page_alloc_in_fault)
{
	struct bvm_system *sys = tsys(64);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	uint64_t va = tmap(vm, 4 * PG);
	unsigned char c = 7;

	bvm_fi_arm(FI_PAGE_ALLOC, 1);
	ASSERT_ERR(bvm_write(vm, va, &c, 1, &fi), ENOMEM);
	ASSERT_EQ(fi.error, ENOMEM);
	bvm_fi_disarm();
	ASSERT_EQ(tstats(sys).anons, 0);
	SYSCHECK(sys);
	ASSERT_OK(bvm_write(vm, va, &c, 1, &fi));
	ASSERT_EQ(tpeek(vm, va), 7);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Sweep every site over mmap + write + fork + COW + munmap. */
static int
workload(struct bvm_system *sys)
{
	struct bvm_vmspace *vm, *child = NULL;
	uint64_t va;
	int error, i;
	unsigned char c;

	if ((error = bvm_vmspace_create(sys, &vm)) != 0)
		return error;
	error = bvm_mmap(vm, 0, 8 * PG, BVM_PROT_READ | BVM_PROT_WRITE,
	    BVM_MAP_ANON | BVM_MAP_PRIVATE, -1, 0, &va);
	for (i = 0; error == 0 && i < 8; i++) {
		c = (unsigned char)i;
		error = bvm_write(vm, va + (uint64_t)i * PG, &c, 1, NULL);
	}
	if (error == 0)
		error = bvm_fork(vm, &child);
	if (error == 0) {
		c = 0xee;
		error = bvm_write(child, va + PG, &c, 1, NULL);
	}
	if (error == 0)
		error = bvm_munmap(vm, va + 2 * PG, 2 * PG);
	if (error == 0 && tpeek(vm, va + PG) != 1)
		error = EDOM;
	if (child != NULL)
		bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	return error;
}

TEST(fi_sweep_all_sites)
{
	int site, n, failures = 0;

	for (site = 0; site < FI_NSITES; site++) {
		for (n = 1; n < 200; n++) {
			struct bvm_system *sys = tsys(128);
			long calls;
			int error;

			bvm_fi_arm((enum bvm_fi_site)site, n);
			error = workload(sys);
			calls = bvm_fi_calls((enum bvm_fi_site)site);
			bvm_fi_disarm();
			/* either it failed cleanly, or it never reached call n */
			ASSERT_TRUE(error == 0 || error == ENOMEM);
			if (error == ENOMEM)
				failures++;
			SYSCHECK(sys);
			ASSERT_EQ(tstats(sys).free, 128);
			ASSERT_EQ(tstats(sys).anons, 0);
			ASSERT_EQ(tstats(sys).amaps, 0);
			bvm_system_destroy(sys);
			if (calls < n)
				break;
		}
	}
	ASSERT_TRUE(failures > 10);
}

/*
 * A failing mlockall changes nothing: memory locked before stays locked,
 * nothing else is, and MCL_FUTURE is as it was.
 */
TEST(fi_mlockall_failure_changes_nothing)
{
	struct bvm_params p;
	struct bvm_system *sys;
	struct bvm_vmspace *vm;
	struct bvm_vmspace_info info;
	uint64_t a, b, va;

	bvm_params_init(&p);
	p.npages = 256;
	p.flags = BVM_SYS_CHECK;
	p.rlimit_memlock = BVM_RLIM_INFINITY;
	ASSERT_OK(bvm_system_create(&p, &sys));
	vm = tvm(sys);
	a = tmap(vm, 2 * PG);
	ASSERT_OK(bvm_mmap(vm, a + 4 * PG, 8 * PG, BVM_PROT_READ |
	    BVM_PROT_WRITE, BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_FIXED, -1,
	    0, &b));
	ASSERT_OK(bvm_mlock(vm, a, 2 * PG));
	ASSERT_EQ(tstats(sys).wired, 2);
	bvm_fi_arm(FI_PAGE_ALLOC, 3);        /* fails inside the second entry */
	ASSERT_ERR(bvm_mlockall(vm, BVM_MCL_CURRENT | BVM_MCL_FUTURE), ENOMEM);
	bvm_fi_disarm();
	ASSERT_OK(bvm_vmspace_info(vm, &info));
	ASSERT_EQ(info.wired, 2 * PG);
	ASSERT_EQ(tstats(sys).wired, 2);
	SYSCHECK(sys);
	/* MCL_FUTURE was not set by the failed call: new memory is not wired */
	ASSERT_OK(bvm_mmap(vm, 0, PG, BVM_PROT_READ | BVM_PROT_WRITE,
	    BVM_MAP_ANON | BVM_MAP_PRIVATE, -1, 0, &va));
	ASSERT_OK(bvm_vmspace_info(vm, &info));
	ASSERT_EQ(info.wired, 2 * PG);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
