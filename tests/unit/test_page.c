/*
 * test_page.c: the frame allocator's internals (uvm_page.c).
 */
#include "harness.h"

#include "uvm.h"
#include "uvm_anon.h"

/*
 * uvm_pagefree_n gives frames back so that the next allocations take them
 * in the order given (a pageout cluster freed in address order comes back
 * in address order: one I/O vector for the next cluster of them).
 */
TEST(pagefree_n_keeps_order)
{
	struct bvm_params p;
	struct bvm_system *sys;
	struct vm_page *pgs[8], *pg;
	struct bvm_stats s0, s1;
	int i;

	bvm_params_init(&p);
	p.npages = 64;
	p.flags = BVM_SYS_NOPDAEMON;
	ASSERT_OK(bvm_system_create(&p, &sys));
	s0 = tstats(sys);
	for (i = 0; i < 8; i++)
		ASSERT_TRUE((pgs[i] = uvm_pagealloc(sys, NULL, 0, NULL, 0)) !=
		    NULL);
	/* a different order than the allocation's */
	pg = pgs[2];
	pgs[2] = pgs[5];
	pgs[5] = pg;
	ASSERT_EQ(tstats(sys).free, s0.free - 8);
	uvm_pagefree_n(sys, pgs, 8);
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.pages_free, s0.pages_free + 8);
	for (i = 0; i < 8; i++) {
		pg = uvm_pagealloc(sys, NULL, 0, NULL, 0);
		ASSERT_TRUE(pg == pgs[i]);
	}
	uvm_pagefree_n(sys, pgs, 8);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/*
 * uvm_anfree_n leaves the free list as one uvm_anfree per anon would: the
 * last anon's frame is the first handed out again (an amap dies from its
 * last slot to its first, so its frames come back in the order it had
 * them).
 */
TEST(anfree_n_frees_as_one_by_one)
{
	struct bvm_params p;
	struct bvm_system *sys;
	struct vm_anon *anons[8];
	struct vm_page *pgs[8], *pg;
	struct bvm_stats s0;
	int i;

	bvm_params_init(&p);
	p.npages = 64;
	p.flags = BVM_SYS_NOPDAEMON;
	ASSERT_OK(bvm_system_create(&p, &sys));
	s0 = tstats(sys);
	for (i = 0; i < 8; i++) {
		ASSERT_TRUE((anons[i] = uvm_analloc(sys)) != NULL);
		ASSERT_TRUE((pgs[i] = uvm_pagealloc(sys, NULL, 0, anons[i],
		    0)) != NULL);
		atomic_clearbits_int(&pgs[i]->pg_flags, PG_BUSY | PG_FAKE);
		anons[i]->an_page = pgs[i];
		anons[i]->an_ref = 0;
	}
	ASSERT_EQ(tstats(sys).anons, s0.anons + 8);
	ASSERT_EQ(tstats(sys).active, s0.active + 8);
	uvm_anfree_n(sys, anons, 8);
	ASSERT_EQ(tstats(sys).anons, s0.anons);
	ASSERT_EQ(tstats(sys).active, s0.active);
	ASSERT_EQ(tstats(sys).free, s0.free);
	for (i = 7; i >= 0; i--) {
		pg = uvm_pagealloc(sys, NULL, 0, NULL, 0);
		ASSERT_TRUE(pg == pgs[i]);
	}
	for (i = 0; i < 8; i++)
		uvm_pagefree(sys, pgs[i]);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/*
 * uvm_pagealloc_n hands out what there is: all n, or as many as are free,
 * or up to the allocation the fault injector fails; each frame owned by
 * its anon, busy, on the active queue.
 */
TEST(pagealloc_n_takes_what_there_is)
{
	struct bvm_params p;
	struct bvm_system *sys;
	struct vm_anon *anons[8];
	struct vm_page *pgs[8], *hold[64];
	struct bvm_stats s0;
	int i, k, nhold = 0;

	bvm_params_init(&p);
	p.npages = 64;
	p.flags = BVM_SYS_NOPDAEMON;
	ASSERT_OK(bvm_system_create(&p, &sys));
	for (i = 0; i < 8; i++)
		ASSERT_TRUE((anons[i] = uvm_analloc(sys)) != NULL);
	s0 = tstats(sys);
	k = uvm_pagealloc_n(sys, anons, pgs, 8);
	ASSERT_EQ(k, 8);
	ASSERT_EQ(tstats(sys).free, s0.free - 8);
	ASSERT_EQ(tstats(sys).active, s0.active + 8);
	ASSERT_EQ(tstats(sys).pages_alloc, s0.pages_alloc + 8);
	for (i = 0; i < 8; i++) {
		ASSERT_TRUE(pgs[i]->uanon == anons[i]);
		ASSERT_TRUE((PG_FLAGS(pgs[i]) & (PG_BUSY | PQ_ACTIVE | PQ_ANON))
		    == (PG_BUSY | PQ_ACTIVE | PQ_ANON));
		uvm_pagefree(sys, pgs[i]);
	}
	/* the fault injector fails the third */
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_PAGE_ALLOC, 3));
	k = uvm_pagealloc_n(sys, anons, pgs, 8);
	bvm_failpoint_disarm();
	ASSERT_EQ(k, 2);
	for (i = 0; i < k; i++)
		uvm_pagefree(sys, pgs[i]);
	/* only three frames left */
	while (tstats(sys).free > 3)
		ASSERT_TRUE((hold[nhold++] = uvm_pagealloc(sys, NULL, 0, NULL,
		    0)) != NULL);
	k = uvm_pagealloc_n(sys, anons, pgs, 8);
	ASSERT_EQ(k, 3);
	ASSERT_EQ(tstats(sys).free, 0);
	for (i = 0; i < k; i++)
		uvm_pagefree(sys, pgs[i]);
	for (i = 0; i < nhold; i++)
		uvm_pagefree(sys, hold[i]);
	for (i = 0; i < 8; i++) {
		anons[i]->an_ref = 0;
		uvm_anfree(sys, anons[i]);
	}
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}
