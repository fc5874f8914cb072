/*
 * uvm_anon.c: allocation and release of anons.
 */
#include "pmap.h"
#include "uvm.h"
#include "uvm_anon.h"

void
uvm_anon_init(struct bvm_system *sys)
{
	pool_init(&sys->anon_pool, sizeof(struct vm_anon), "anonpl",
	    FI_ANON_ALLOC);
}

/*
 * uvm_analloc: a new anon with one reference and no page.
 * => returns NULL when out of memory.
 */
struct vm_anon *
uvm_analloc(struct bvm_system *sys)
{
	struct vm_anon *anon = pool_get(&sys->anon_pool, PR_NOWAIT);

	if (anon == NULL)
		return NULL;
	anon->an_lock = NULL;
	anon->an_ref = 1;
	anon->an_page = NULL;
	anon->an_swslot = 0;
	CNT_INC(sys->uvmexp.anons);
	return anon;
}

/*
 * uvm_anfree: free an anon whose last reference is gone, and its page.
 * => anon's lock (if any) held; an_ref must be 0.
 * => the page's mappings are removed first: it may still be mapped
 *    read-only in a pmap that shared it.
 */
void
uvm_anfree(struct bvm_system *sys, struct vm_anon *anon)
{
	struct vm_page *pg = anon->an_page;

	KASSERT(anon->an_ref == 0);
	KASSERT(anon->an_lock == NULL || bvm_mutex_owned(&anon->an_lock->lo_mtx));
	if (pg != NULL) {
		KASSERT(pg->uanon == anon);
		pmap_page_protect(sys, pg, PROT_NONE);
		uvm_pagefree(sys, pg);
		anon->an_page = NULL;
	}
	pool_put(&sys->anon_pool, anon);
	CNT_SUB(sys->uvmexp.anons, 1);
}
