/*
 * test_failpoints.c: every allocation point, failing at every call of a
 * representative workload.
 *
 * For each failure point and each n, a fresh system runs the workload with
 * the point armed to fail its nth call.  The step that meets the failure
 * must return ENOMEM, leave the address spaces as they were (map-changing
 * steps; a fork may resolve needs-copy, which is invisible), leak nothing,
 * and keep every invariant; then the point is disarmed, the step is run
 * again (it must succeed now), and the workload goes on to the end, where
 * the contents are verified and everything is freed.  The sweep for a
 * point ends when the workload no longer reaches its nth call.
 */
#include <stdlib.h>

#include "harness.h"

#define PG    ((uint64_t)BVM_PAGE_SIZE)
#define RW    (BVM_PROT_READ | BVM_PROT_WRITE)
#define BASE  0x50000000ULL
#define NFR   256

struct fpw {
	struct bvm_system *sys;
	struct bvm_vmspace *p, *c, *g;
	uint64_t priv, shr, fresh;
	uint64_t pas[4];
	int have_pas;
};

enum kind { K_MAP, K_FORK, K_ACCESS, K_OTHER };

struct step {
	const char *name;
	enum kind kind;
	int (*fn)(struct fpw *);
};

static int
fill(struct bvm_vmspace *vm, uint64_t va, int npages, unsigned char base)
{
	int i, e;

	for (i = 0; i < npages; i++) {
		unsigned char b = (unsigned char)(base + i);
		if ((e = bvm_write(vm, va + (uint64_t)i * PG + 5, &b, 1,
		    NULL)) != 0)
			return e;
	}
	return 0;
}

static int
s_create(struct fpw *w)
{
	return bvm_vmspace_create(w->sys, &w->p);
}

static int
s_mmap_priv(struct fpw *w)
{
	return bvm_mmap(w->p, BASE, 16 * PG, RW, BVM_MAP_ANON |
	    BVM_MAP_PRIVATE | BVM_MAP_FIXED, -1, 0, &w->priv);
}

static int
s_touch_priv(struct fpw *w)
{
	return fill(w->p, w->priv, 16, 10);
}

static int
s_mmap_shared(struct fpw *w)
{
	return bvm_mmap(w->p, BASE + 32 * PG, 8 * PG, RW, BVM_MAP_ANON |
	    BVM_MAP_SHARED | BVM_MAP_FIXED, -1, 0, &w->shr);
}

static int
s_touch_shared(struct fpw *w)
{
	return fill(w->p, w->shr, 8, 100);
}

static int
s_mprotect_split(struct fpw *w)
{
	return bvm_mprotect(w->p, w->priv + 4 * PG, 2 * PG, BVM_PROT_READ);
}

static int
s_minherit_zero(struct fpw *w)
{
	return bvm_minherit(w->p, w->priv + 12 * PG, 2 * PG, BVM_INHERIT_ZERO);
}

static int
s_mlock(struct fpw *w)
{
	return bvm_mlock(w->p, w->priv + 8 * PG, 2 * PG);
}

static int
s_fork(struct fpw *w)
{
	return bvm_fork(w->p, &w->c);
}

static int
s_child_cow(struct fpw *w)
{
	return fill(w->c, w->priv, 4, 50);
}

static int
s_parent_cow(struct fpw *w)
{
	return fill(w->p, w->priv + 14 * PG, 2, 70);
}

static int
s_child_shared(struct fpw *w)
{
	return fill(w->c, w->shr + 6 * PG, 2, 200);
}

static int
s_madv_free(struct fpw *w)
{
	return bvm_madvise(w->p, w->priv + 2 * PG, 2 * PG, BVM_MADV_FREE);
}

static int
s_mincore(struct fpw *w)
{
	unsigned char vec[16];

	return bvm_mincore(w->p, w->priv, 16 * PG, vec);
}

static int
s_munmap_part(struct fpw *w)
{
	return bvm_munmap(w->p, w->priv + 6 * PG, PG);
}

static int
s_fixed_replace(struct fpw *w)
{
	return bvm_mmap(w->p, w->priv + 10 * PG, 2 * PG, RW, BVM_MAP_ANON |
	    BVM_MAP_PRIVATE | BVM_MAP_FIXED, -1, 0, &w->fresh);
}

static int
s_fork_child(struct fpw *w)
{
	return bvm_fork(w->c, &w->g);
}

static int
s_exec_grandchild(struct fpw *w)
{
	return bvm_exec(w->g);
}

static int
s_grandchild_map(struct fpw *w)
{
	uint64_t va;
	int e = bvm_mmap(w->g, 0, 4 * PG, RW, BVM_MAP_ANON | BVM_MAP_PRIVATE,
	    -1, 0, &va);

	return e ? e : fill(w->g, va, 4, 1);
}

static int
s_pglist(struct fpw *w)
{
	int e = bvm_pglist_alloc(w->sys, 4, 0, NFR * PG, PG, 0, 2,
	    BVM_PLA_ZERO, w->pas);

	w->have_pas = e == 0;
	return e;
}

static const struct step steps[] = {
	{ "vmspace_create", K_OTHER, s_create },
	{ "mmap private", K_MAP, s_mmap_priv },
	{ "touch private", K_ACCESS, s_touch_priv },
	{ "mmap shared", K_MAP, s_mmap_shared },
	{ "touch shared", K_ACCESS, s_touch_shared },
	{ "mprotect split", K_MAP, s_mprotect_split },
	{ "minherit zero", K_MAP, s_minherit_zero },
	{ "mlock", K_MAP, s_mlock },
	{ "fork", K_FORK, s_fork },
	{ "child cow", K_ACCESS, s_child_cow },
	{ "parent cow", K_ACCESS, s_parent_cow },
	{ "child shared write", K_ACCESS, s_child_shared },
	{ "madvise free", K_MAP, s_madv_free },
	{ "mincore", K_MAP, s_mincore },
	{ "munmap part", K_MAP, s_munmap_part },
	{ "mmap fixed replace", K_MAP, s_fixed_replace },
	{ "fork child", K_FORK, s_fork_child },
	{ "exec grandchild", K_OTHER, s_exec_grandchild },
	{ "grandchild map", K_ACCESS, s_grandchild_map },
	{ "pglist", K_OTHER, s_pglist },
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

/* what must not change when a step fails */
#define SNAPMAX 64
struct snap {
	int n;
	struct bvm_region r[SNAPMAX];
	struct bvm_vmspace_info info;
	uint64_t free, anons, map_entries, vmspaces;
};

static int
snap_region(const struct bvm_region *r, void *arg)
{
	struct snap *s = arg;
	struct bvm_region *d;

	if (s->n == SNAPMAX)
		return E2BIG;
	d = &s->r[s->n++];
	*d = *r;
	/* invisible to the program: needs-copy state and amap identity */
	d->flags &= ~(unsigned)(BVM_REGION_NEEDSCOPY | BVM_REGION_SHAREDAMAP);
	d->amap_refs = 0;
	d->anons = 0;
	d->resident = 0;
	d->type = NULL;
	return 0;
}

static void
take(struct fpw *w, struct bvm_vmspace *vm, struct snap *s)
{
	struct bvm_stats st;

	memset(s, 0, sizeof(*s));
	if (vm != NULL) {
		ASSERT_OK(bvm_regions(vm, snap_region, s));
		ASSERT_OK(bvm_vmspace_info(vm, &s->info));
		s->info.resident = 0;
	}
	bvm_stats(w->sys, &st);
	s->free = st.free;
	s->anons = st.anons;
	s->map_entries = st.map_entries;
	s->vmspaces = st.vmspaces;
}

static void
same(const struct snap *a, const struct snap *b, enum kind k,
    const char *what)
{
	int i;

	if (a->n != b->n || memcmp(&a->info, &b->info, sizeof(a->info)) != 0)
		bvm_test_fail(__FILE__, __LINE__, "%s: the address space "
		    "changed (%d regions, now %d)", what, a->n, b->n);
	for (i = 0; i < a->n; i++)
		if (memcmp(&a->r[i], &b->r[i], sizeof(a->r[i])) != 0)
			bvm_test_fail(__FILE__, __LINE__, "%s: region %d "
			    "[%#llx, %#llx) changed", what, i,
			    (unsigned long long)a->r[i].start,
			    (unsigned long long)a->r[i].end);
	/* nothing leaked (a fork may have made amaps, not frames/anons) */
	if (a->free != b->free || a->anons != b->anons ||
	    a->vmspaces != b->vmspaces ||
	    (k == K_MAP && a->map_entries != b->map_entries))
		bvm_test_fail(__FILE__, __LINE__, "%s: free %llu->%llu anons "
		    "%llu->%llu vmspaces %llu->%llu", what,
		    (unsigned long long)a->free, (unsigned long long)b->free,
		    (unsigned long long)a->anons, (unsigned long long)b->anons,
		    (unsigned long long)a->vmspaces,
		    (unsigned long long)b->vmspaces);
}

static int
peek(struct bvm_vmspace *vm, uint64_t va)
{
	unsigned char b;

	ASSERT_OK(bvm_read(vm, va + 5, &b, 1, NULL));
	return b;
}

/* the workload's end state, whatever failed on the way */
static void
verify(struct fpw *w)
{
	int i;

	for (i = 0; i < 4; i++)       /* the child's copies */
		ASSERT_EQ(peek(w->c, w->priv + (uint64_t)i * PG), 50 + i);
	ASSERT_EQ(peek(w->p, w->priv), 10);           /* parent kept its own */
	ASSERT_EQ(peek(w->p, w->priv + 2 * PG), 0);   /* MADV_FREE */
	ASSERT_EQ(peek(w->p, w->priv + 4 * PG), 14);  /* read-only part */
	ASSERT_EQ(peek(w->p, w->priv + 8 * PG), 18);  /* wired */
	ASSERT_EQ(peek(w->p, w->priv + 10 * PG), 0);  /* replaced */
	ASSERT_EQ(peek(w->c, w->priv + 12 * PG), 0);  /* inherit zero */
	ASSERT_EQ(peek(w->p, w->priv + 14 * PG), 70);
	ASSERT_EQ(peek(w->c, w->priv + 14 * PG), 24);
	ASSERT_EQ(peek(w->p, w->shr + 6 * PG), 200);  /* shared */
	ASSERT_EQ(peek(w->p, w->shr), 100);
}

/* run the workload with point armed at n; => true if the nth call came */
static int
run_once(int point, long n, int *failures)
{
	struct bvm_params par;
	struct fpw w;
	struct snap before, after;
	struct bvm_stats st;
	size_t i;
	int e, reached;

	memset(&w, 0, sizeof(w));
	bvm_params_init(&par);
	par.npages = NFR;
	par.flags = BVM_SYS_CHECK;
	par.rlimit_memlock = BVM_RLIM_INFINITY;
	ASSERT_OK(bvm_system_create(&par, &w.sys));
	ASSERT_OK(bvm_failpoint_arm(point, n));
	for (i = 0; i < NSTEPS; i++) {
		struct bvm_vmspace *vm = steps[i].kind == K_FORK &&
		    i > 9 ? w.c : w.p;

		take(&w, vm, &before);
		e = steps[i].fn(&w);
		if (e == 0)
			continue;
		if (e != ENOMEM)
			bvm_test_fail(__FILE__, __LINE__, "%s at %s call %ld: "
			    "%s, want ENOMEM", steps[i].name,
			    bvm_failpoint_name(point), n, bvm_errname(e));
		(*failures)++;
		bvm_failpoint_disarm();
		take(&w, vm, &after);
		if (steps[i].kind == K_MAP || steps[i].kind == K_FORK)
			same(&before, &after, steps[i].kind, steps[i].name);
		SYSCHECK(w.sys);
		ASSERT_OK(steps[i].fn(&w));   /* and now it works */
	}
	reached = bvm_failpoint_calls(point) >= n;
	bvm_failpoint_disarm();
	verify(&w);
	SYSCHECK(w.sys);
	if (w.have_pas)
		ASSERT_OK(bvm_pglist_free(w.sys, w.pas, 4));
	bvm_vmspace_destroy(w.g);
	bvm_vmspace_destroy(w.c);
	bvm_vmspace_destroy(w.p);
	bvm_stats(w.sys, &st);
	ASSERT_EQ(st.free, NFR);
	ASSERT_EQ(st.anons, 0);
	ASSERT_EQ(st.amaps, 0);
	ASSERT_EQ(st.map_entries, 0);
	bvm_system_destroy(w.sys);
	return reached;
}

TEST(failpoints_sweep_every_point_every_call)
{
	int point, failures;
	long n;

	for (point = 0; point < BVM_FP_NPOINTS; point++) {
		failures = 0;
		for (n = 1; run_once(point, n, &failures); n++)
			;
		/* every point is reached by this workload at least once */
		if (failures == 0)
			bvm_test_fail(__FILE__, __LINE__, "%s: never failed",
			    bvm_failpoint_name(point));
		if (getenv("BVM_FP_VERBOSE") != NULL)
			fprintf(stderr, "    %-14s %ld calls, %d failures\n",
			    bvm_failpoint_name(point), n - 1, failures);
	}
}

TEST(failpoints_arm_arguments)
{
	ASSERT_ERR(bvm_failpoint_arm(-1, 1), EINVAL);
	ASSERT_ERR(bvm_failpoint_arm(BVM_FP_NPOINTS, 1), EINVAL);
	ASSERT_ERR(bvm_failpoint_arm(BVM_FP_PAGE_ALLOC, -1), EINVAL);
	ASSERT_TRUE(bvm_failpoint_name(BVM_FP_NPOINTS) == NULL);
	ASSERT_EQ(strcmp(bvm_failpoint_name(BVM_FP_PV_ALLOC), "pv_alloc"), 0);
	bvm_failpoint_disarm();
}
