/*
 * test_pagezero.c: the page-zeroing thread (BVM_SYS_PAGEZERO).
 */
#include <time.h>

#include "harness.h"

#define PG BVM_PAGE_SIZE

static struct bvm_system *
zsys(uint64_t npages)
{
	struct bvm_params p;
	struct bvm_system *sys;

	bvm_params_init(&p);
	p.npages = npages;
	p.flags = BVM_SYS_CHECK | BVM_SYS_PAGEZERO;
	ASSERT_OK(bvm_system_create(&p, &sys));
	return sys;
}

/* wait (at most 5 s) until every free frame is a zero frame */
static int
wait_all_zero(struct bvm_system *sys)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 5000; i++) {
		struct bvm_stats st = tstats(sys);
		if (st.zeropages == st.free)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

TEST(pagezero_thread_prezeroes_freed_frames)
{
	struct bvm_system *sys = zsys(512);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	uint64_t va = tmap(vm, 64 * PG);
	int i;

	for (i = 0; i < 64; i++)
		ASSERT_OK(tpoke(vm, va + (uint64_t)i * PG, 0xa5));
	ASSERT_OK(bvm_munmap(vm, va, 64 * PG));   /* 64 dirty frames */
	ASSERT_TRUE(wait_all_zero(sys));
	SYSCHECK(sys);
	s0 = tstats(sys);
	va = tmap(vm, 64 * PG);
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(tpeek(vm, va + (uint64_t)i * PG + 7), 0);
		ASSERT_OK(tpoke(vm, va + (uint64_t)i * PG, 1));
	}
	s1 = tstats(sys);
	ASSERT_EQ(s1.pga_zeromiss, s0.pga_zeromiss);
	ASSERT_EQ(s1.pga_zerohit, s0.pga_zerohit + 64);
	bvm_vmspace_destroy(vm);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* Faults racing the zeroing thread: contents and invariants stay right. */
TEST(pagezero_thread_races_faults)
{
	struct bvm_system *sys = zsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	int round, i;

	for (round = 0; round < 50; round++) {
		uint64_t va = tmap(vm, 32 * PG);
		for (i = 0; i < 32; i++) {
			ASSERT_EQ(tpeek(vm, va + (uint64_t)i * PG + 100), 0);
			ASSERT_OK(tpoke(vm, va + (uint64_t)i * PG + 100,
			    (unsigned char)(round + 1)));
		}
		ASSERT_OK(bvm_munmap(vm, va, 32 * PG));
	}
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
