/*
 * test_radix.c: the object page index (a radix tree over page indices),
 * through uvm_object.c's page calls, against a sorted-array model.
 */
#include <stdlib.h>

#include "harness.h"

#include "uvm.h"
#include "uvm_object.h"

/* a bare object with no pager: only its index is exercised */
static const struct uvm_pagerops radix_test_ops;

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* inserts, lookups, next-lookups and removals at indices up to 2^40 */
TEST(radix_index_model)
{
	struct bvm_system *sys = tsys(512);
	struct uvm_object obj;
	struct vm_page *pgs[300];
	uint64_t keys[300], seed = 0x9e3779b97f4a7c15ULL, idx;
	int n = 0, i, round;

	memset(&obj, 0, sizeof(obj));
	uvm_obj_init(&obj, (struct bvm_system *)sys, &radix_test_ops, "test",
	    INT64_MAX);
	bvm_mutex_enter(&obj.vmobjlock);
	for (round = 0; round < 2000; round++) {
		int op = (int)(rnd(&seed) % 3);

		if (op != 2 && n < 300) {
			/* clustered keys, and far ones */
			uint64_t k = rnd(&seed) % 4 == 0 ?
			    rnd(&seed) % (1ULL << 40) : rnd(&seed) % 200;
			struct vm_page *pg;

			if (uvm_pagelookup(&obj, (voff_t)(k << 12)) != NULL)
				continue;
			pg = uvm_pagealloc(sys, NULL, 0, NULL, 0);
			ASSERT_TRUE(pg != NULL);
			ASSERT_OK(uvm_obj_pageinsert(&obj, pg,
			    (voff_t)(k << 12)));
			keys[n] = k;
			pgs[n++] = pg;
		} else if (n > 0) {
			i = (int)(rnd(&seed) % (uint64_t)n);
			uvm_obj_pagefree(&obj, pgs[i]);
			keys[i] = keys[n - 1];
			pgs[i] = pgs[--n];
		}
		ASSERT_EQ(obj.uo_npages, n);
		/* every key is found; next-lookups walk them in order */
		for (i = 0; i < n; i++)
			ASSERT_TRUE(uvm_pagelookup(&obj,
			    (voff_t)(keys[i] << 12)) == pgs[i]);
		if (round % 50 == 0) {
			uint64_t prev = 0;
			int seen = 0;
			voff_t off = 0;
			struct vm_page *pg;

			while ((pg = uvm_obj_nextpage(&obj, &off)) != NULL) {
				idx = (uint64_t)off >> 12;
				ASSERT_TRUE(seen == 0 || idx > prev);
				ASSERT_EQ(pg->offset, off);
				prev = idx;
				seen++;
				off += 4096;
			}
			ASSERT_EQ(seen, n);
		}
	}
	while (n > 0)
		uvm_obj_pagefree(&obj, pgs[--n]);
	ASSERT_TRUE(obj.uo_pages.root == NULL);
	ASSERT_EQ(obj.uo_pages.height, 0);
	bvm_mutex_exit(&obj.vmobjlock);
	uvm_obj_destroy(&obj);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* an allocation failure of an index node leaves the index as it was */
TEST(radix_insert_enomem)
{
	struct bvm_system *sys = tsys(64);
	struct uvm_object obj;
	struct vm_page *pg, *pg2;

	memset(&obj, 0, sizeof(obj));
	uvm_obj_init(&obj, (struct bvm_system *)sys, &radix_test_ops, "test",
	    INT64_MAX);
	bvm_mutex_enter(&obj.vmobjlock);
	pg = uvm_pagealloc(sys, NULL, 0, NULL, 0);
	ASSERT_OK(uvm_obj_pageinsert(&obj, pg, 0));
	pg2 = uvm_pagealloc(sys, NULL, 0, NULL, 0);
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_OBJ_ALLOC, 1));
	/* far away: the tree must grow, and the first node fails */
	ASSERT_ERR(uvm_obj_pageinsert(&obj, pg2, (voff_t)1 << 40), ENOMEM);
	bvm_failpoint_disarm();
	ASSERT_TRUE(uvm_pagelookup(&obj, 0) == pg);
	ASSERT_TRUE(uvm_pagelookup(&obj, (voff_t)1 << 40) == NULL);
	ASSERT_EQ(obj.uo_npages, 1);
	ASSERT_OK(uvm_obj_pageinsert(&obj, pg2, (voff_t)1 << 40));
	ASSERT_TRUE(uvm_pagelookup(&obj, (voff_t)1 << 40) == pg2);
	uvm_obj_pagefree(&obj, pg);
	uvm_obj_pagefree(&obj, pg2);
	ASSERT_TRUE(obj.uo_pages.root == NULL);
	bvm_mutex_exit(&obj.vmobjlock);
	uvm_obj_destroy(&obj);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}
