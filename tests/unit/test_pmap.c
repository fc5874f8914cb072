/*
 * test_pmap.c: the software pmap through its machine-independent calls.
 */
#include "harness.h"
#include "pmap.h"
#include "uvm.h"

/* one access through the soft TLB, as uvm_io.c makes it */
static void *
acc(struct pmap *pm, vaddr_t va, vm_prot_t access)
{
	struct soft_tlb_thread *t = pmap_tlb_self();
	void *p;

	pmap_access_enter(t);
	p = pmap_access(t, pm, va, access);
	pmap_access_exit(t);
	return p;
}

static struct vm_page *
getpage(struct bvm_system *sys)
{
	struct vm_page *pg = uvm_pagealloc(sys, NULL, 0, NULL, UVM_PGA_ZERO);

	ASSERT_TRUE(pg != NULL);
	return pg;
}

static void
putpage(struct bvm_system *sys, struct vm_page *pg)
{
	pmap_page_protect(sys, pg, PROT_NONE);
	uvm_pagefree(sys, pg);
}

TEST(pmap_enter_access_remove)
{
	struct bvm_system *sys = tsys(64);
	struct pmap *pm = pmap_create(sys);
	struct vm_page *pg = getpage(sys);
	vaddr_t va = 0x7000000000ULL;
	paddr_t pa;
	uint8_t *p;

	ASSERT_TRUE(acc(pm, va, PROT_READ) == NULL);
	ASSERT_OK(pmap_enter(pm, va, pg->phys_addr, PROT_READ, PMAP_CANFAIL));
	ASSERT_TRUE(pmap_extract(pm, va + 5, &pa));
	ASSERT_EQ(pa, pg->phys_addr + 5);
	ASSERT_EQ(pmap_resident_count(pm), 1);
	p = acc(pm, va + 8, PROT_READ);
	ASSERT_TRUE(p == (uint8_t *)uvm_phys_to_host(sys, pg->phys_addr) + 8);
	/* read-only: a write needs a fault */
	ASSERT_TRUE(acc(pm, va, PROT_WRITE) == NULL);
	ASSERT_TRUE(pmap_is_referenced(sys, pg));
	ASSERT_TRUE(!pmap_is_modified(sys, pg) || !(pg->pg_flags & PG_CLEAN));
	/* upgrade to write: the write sets the modified bit */
	ASSERT_OK(pmap_enter(pm, va, pg->phys_addr, PROT_READ | PROT_WRITE,
	    PMAP_CANFAIL));
	pg->pg_flags |= PG_CLEAN;
	ASSERT_TRUE(!pmap_is_modified(sys, pg));
	ASSERT_TRUE(acc(pm, va, PROT_WRITE) != NULL);
	ASSERT_TRUE(pmap_is_modified(sys, pg));
	/* remove: the TLB entry goes too */
	pmap_remove(pm, va, va + PAGE_SIZE);
	ASSERT_TRUE(acc(pm, va, PROT_READ) == NULL);
	ASSERT_TRUE(!pmap_extract(pm, va, NULL));
	ASSERT_EQ(pmap_resident_count(pm), 0);
	ASSERT_TRUE(pg->pv_list == NULL);
	putpage(sys, pg);
	pmap_destroy(pm);
	bvm_system_destroy(sys);
}

/*
 * pmap_protect over whole 2 MiB regions clears one directory bit; the
 * pages inside lose write access at once, and a later writable enter
 * pushes the restriction down so only that page becomes writable.
 */
TEST(pmap_protect_region_and_pushdown)
{
	struct bvm_system *sys = tsys(1100);
	struct pmap *pm = pmap_create(sys);
	struct vm_page *pgs[1024];
	vaddr_t base = 0x40000000ULL, va;
	int i;

	for (i = 0; i < 1024; i++) {
		pgs[i] = getpage(sys);
		ASSERT_OK(pmap_enter(pm, base + ptoa(i), pgs[i]->phys_addr,
		    PROT_READ | PROT_WRITE, PROT_WRITE | PMAP_CANFAIL));
		ASSERT_TRUE(acc(pm, base + ptoa(i), PROT_WRITE));
	}
	pmap_protect(pm, base, base + ptoa(1024), PROT_READ);
	for (i = 0; i < 1024; i++) {
		va = base + ptoa(i);
		ASSERT_TRUE(acc(pm, va, PROT_WRITE) == NULL);
		ASSERT_TRUE(acc(pm, va, PROT_READ) != NULL);
	}
	/* make page 7 writable again: only page 7 */
	ASSERT_OK(pmap_enter(pm, base + ptoa(7), pgs[7]->phys_addr,
	    PROT_READ | PROT_WRITE, PMAP_CANFAIL));
	for (i = 0; i < 1024; i++)
		ASSERT_EQ(acc(pm, base + ptoa(i), PROT_WRITE) != NULL,
		    i == 7);
	/* page_protect READ on page 7: read-only again, via its pv list */
	pmap_page_protect(sys, pgs[7], PROT_READ);
	ASSERT_TRUE(acc(pm, base + ptoa(7), PROT_WRITE) == NULL);
	pmap_remove(pm, base, base + ptoa(1024));
	ASSERT_EQ(pmap_resident_count(pm), 0);
	for (i = 0; i < 1024; i++)
		putpage(sys, pgs[i]);
	pmap_destroy(pm);
	bvm_system_destroy(sys);
}

/* One page in two pmaps: pv list has both; page_protect(NONE) kills both. */
TEST(pmap_pv_two_pmaps)
{
	struct bvm_system *sys = tsys(64);
	struct pmap *a = pmap_create(sys), *b = pmap_create(sys);
	struct vm_page *pg = getpage(sys);
	int n = 0;
	struct pv_entry *pve;

	ASSERT_OK(pmap_enter(a, 0x10000, pg->phys_addr, PROT_READ, 0));
	ASSERT_OK(pmap_enter(b, 0x20000, pg->phys_addr, PROT_READ, 0));
	ASSERT_TRUE(acc(a, 0x10000, PROT_READ) != NULL);
	ASSERT_TRUE(acc(b, 0x20000, PROT_READ) != NULL);
	for (pve = pg->pv_list; pve != NULL; pve = pve->pv_next)
		n++;
	ASSERT_EQ(n, 2);
	pmap_page_protect(sys, pg, PROT_NONE);
	ASSERT_TRUE(pg->pv_list == NULL);
	ASSERT_TRUE(acc(a, 0x10000, PROT_READ) == NULL);
	ASSERT_TRUE(acc(b, 0x20000, PROT_READ) == NULL);
	ASSERT_EQ(pmap_resident_count(a) + pmap_resident_count(b), 0);
	uvm_pagefree(sys, pg);
	pmap_destroy(a);
	pmap_destroy(b);
	bvm_system_destroy(sys);
}

/* Replacing a mapping with another page invalidates the cached one. */
TEST(pmap_replace_flushes_tlb)
{
	struct bvm_system *sys = tsys(64);
	struct pmap *pm = pmap_create(sys);
	struct vm_page *p1 = getpage(sys), *p2 = getpage(sys);
	vaddr_t va = 0x5000;
	uint8_t *h;

	ASSERT_OK(pmap_enter(pm, va, p1->phys_addr, PROT_READ, 0));
	h = acc(pm, va, PROT_READ);
	ASSERT_TRUE(h == uvm_phys_to_host(sys, p1->phys_addr));
	ASSERT_OK(pmap_enter(pm, va, p2->phys_addr, PROT_READ, 0));
	h = acc(pm, va, PROT_READ);
	ASSERT_TRUE(h == uvm_phys_to_host(sys, p2->phys_addr));
	ASSERT_TRUE(p1->pv_list == NULL);
	pmap_remove(pm, va, va + PAGE_SIZE);
	putpage(sys, p1);
	putpage(sys, p2);
	pmap_destroy(pm);
	bvm_system_destroy(sys);
}
