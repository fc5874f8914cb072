/*
 * bvm_fi.c: deterministic fault injection.
 *
 * Every allocation point calls bvm_fi_fail(site) before allocating.  When a
 * site is armed with N, its Nth call from then on fails (returns true) once;
 * the sweep in the reliability tests arms every N in turn.  When nothing is
 * armed the check is one predictable load of bvm_fi_active.
 */
#include "uvm_extern.h"

int bvm_fi_active;
static long fi_countdown[FI_NSITES];  /* [atomic] calls left before failing */
static long fi_calls[FI_NSITES];      /* [atomic] calls while armed */

bool
bvm_fi_fail_slow(enum bvm_fi_site site)
{
	__atomic_fetch_add(&fi_calls[site], 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&fi_countdown[site], __ATOMIC_RELAXED) <= 0)
		return false;
	return __atomic_sub_fetch(&fi_countdown[site], 1,
	    __ATOMIC_RELAXED) == 0;
}

void
bvm_fi_arm(enum bvm_fi_site site, long nth)
{
	KASSERT(site < FI_NSITES);
	__atomic_store_n(&fi_calls[site], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fi_countdown[site], nth, __ATOMIC_RELAXED);
	__atomic_store_n(&bvm_fi_active, 1, __ATOMIC_RELAXED);
}

void
bvm_fi_disarm(void)
{
	int i;

	for (i = 0; i < FI_NSITES; i++)
		__atomic_store_n(&fi_countdown[i], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&bvm_fi_active, 0, __ATOMIC_RELAXED);
}

long
bvm_fi_calls(enum bvm_fi_site site)
{
	return __atomic_load_n(&fi_calls[site], __ATOMIC_RELAXED);
}

/* the public face (bsdvm.h) */
static const char *const fi_names[FI_NSITES] = {
	[FI_PAGE_ALLOC] = "page_alloc",
	[FI_MAPENT_ALLOC] = "mapent_alloc",
	[FI_AMAP_ALLOC] = "amap_alloc",
	[FI_ANON_ALLOC] = "anon_alloc",
	[FI_PV_ALLOC] = "pv_alloc",
	[FI_PTP_ALLOC] = "ptp_alloc",
	[FI_VMSPACE_ALLOC] = "vmspace_alloc",
	[FI_OBJ_ALLOC] = "obj_alloc",
	[FI_PAGER_READ] = "pager_read",
	[FI_PAGER_WRITE] = "pager_write",
	[FI_SWAP_READ] = "swap_read",
	[FI_SWAP_WRITE] = "swap_write",
	[FI_SWAP_ALLOC] = "swap_alloc",
};

int
bvm_failpoint_arm(int point, long nth)
{
	if (point < 0 || point >= FI_NSITES || nth < 0)
		return EINVAL;
	bvm_fi_arm((enum bvm_fi_site)point, nth);
	return 0;
}

void
bvm_failpoint_disarm(void)
{
	bvm_fi_disarm();
}

long
bvm_failpoint_calls(int point)
{
	if (point < 0 || point >= FI_NSITES)
		return 0;
	return bvm_fi_calls((enum bvm_fi_site)point);
}

const char *
bvm_failpoint_name(int point)
{
	if (point < 0 || point >= FI_NSITES)
		return NULL;
	return fi_names[point];
}
