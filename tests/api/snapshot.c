/*
 * snapshot.c: address-space snapshots and pattern helpers for the API
 * tests (see snapshot.h).
 */
#include <stdlib.h>

#include "snapshot.h"

static int
snap_cb(const struct bvm_region *r, void *arg)
{
	struct api_snap *s = arg;

	if (s->n == API_SNAP_MAX) {
		s->overflow = 1;
		return 0;
	}
	s->r[s->n] = *r;
	snprintf(s->type[s->n], sizeof(s->type[s->n]), "%s",
	    r->type != NULL ? r->type : "(null)");
	s->r[s->n].type = NULL;
	s->n++;
	return 0;
}

void
api_snap_take(struct bvm_vmspace *vm, struct bvm_system *sys,
    struct api_snap *s)
{
	int error;

	memset(s, 0, sizeof(*s));
	error = bvm_regions(vm, snap_cb, s);
	if (error != 0)
		bvm_test_fail(__FILE__, __LINE__, "bvm_regions: %d", error);
	if (s->overflow)
		bvm_test_fail(__FILE__, __LINE__, "snapshot: too many regions");
	error = bvm_vmspace_info(vm, &s->info);
	if (error != 0)
		bvm_test_fail(__FILE__, __LINE__, "bvm_vmspace_info: %s",
		    bvm_errname(error));
	if (sys != NULL) {
		s->have_stats = 1;
		bvm_stats(sys, &s->st);
	}
}

#define DIFF(what, x, y) do {                                            \
	if ((x) != (y)) {                                                 \
		snprintf(msg, msglen, "%s: 0x%llx -> 0x%llx", (what),     \
		    (unsigned long long)(x), (unsigned long long)(y));    \
		return 1;                                                 \
	}                                                                 \
} while (0)

#define RDIFF(field) do {                                                \
	if (ra->field != rb->field) {                                     \
		snprintf(msg, msglen, "region %d [0x%llx-0x%llx) %s: "   \
		    "0x%llx -> 0x%llx", i,                                \
		    (unsigned long long)ra->start,                        \
		    (unsigned long long)ra->end, #field,                  \
		    (unsigned long long)ra->field,                        \
		    (unsigned long long)rb->field);                       \
		return 1;                                                 \
	}                                                                 \
} while (0)

int
api_snap_diff(const struct api_snap *a, const struct api_snap *b, char *msg,
    size_t msglen)
{
	int i;

	if (a->n != b->n) {
		snprintf(msg, msglen, "number of regions: %d -> %d", a->n,
		    b->n);
		return 1;
	}
	for (i = 0; i < a->n; i++) {
		const struct bvm_region *ra = &a->r[i], *rb = &b->r[i];

		RDIFF(start);
		RDIFF(end);
		RDIFF(prot);
		RDIFF(maxprot);
		RDIFF(inherit);
		RDIFF(advice);
		RDIFF(wired_count);
		RDIFF(flags);
		RDIFF(resident);
		RDIFF(anons);
		RDIFF(amap_refs);
		if (strcmp(a->type[i], b->type[i]) != 0) {
			snprintf(msg, msglen, "region %d type: %s -> %s", i,
			    a->type[i], b->type[i]);
			return 1;
		}
	}
	DIFF("info.size", a->info.size, b->info.size);
	DIFF("info.resident", a->info.resident, b->info.resident);
	DIFF("info.dused", a->info.dused, b->info.dused);
	DIFF("info.wired", a->info.wired, b->info.wired);
	DIFF("info.nentries", a->info.nentries, b->info.nentries);
	DIFF("info.rlimit_data", a->info.rlimit_data, b->info.rlimit_data);
	DIFF("info.rlimit_memlock", a->info.rlimit_memlock,
	    b->info.rlimit_memlock);
	if (a->have_stats && b->have_stats) {
		DIFF("stats.free", a->st.free, b->st.free);
		DIFF("stats.wired", a->st.wired, b->st.wired);
		DIFF("stats.vmspaces", a->st.vmspaces, b->st.vmspaces);
		DIFF("stats.map_entries", a->st.map_entries,
		    b->st.map_entries);
		DIFF("stats.amaps", a->st.amaps, b->st.amaps);
		DIFF("stats.anons", a->st.anons, b->st.anons);
	}
	return 0;
}

void
api_snap_check(struct bvm_vmspace *vm, struct bvm_system *sys,
    const struct api_snap *before, const char *file, int line)
{
	struct api_snap *now;
	char msg[256];
	int d;

	now = malloc(sizeof(*now));
	if (now == NULL)
		bvm_test_fail(file, line, "out of memory");
	api_snap_take(vm, before->have_stats ? sys : NULL, now);
	d = api_snap_diff(before, now, msg, sizeof(msg));
	free(now);
	if (d)
		bvm_test_fail(file, line, "address space changed: %s", msg);
	tcheck(vm, file, line);
}

unsigned char
api_pat(uint64_t va, unsigned seed)
{
	uint64_t x = va * 0x9e3779b97f4a7c15ULL + seed * 0x85ebca6bULL;

	x ^= x >> 29;
	return (unsigned char)(x | 1);
}

#define CHUNK 1024

void
api_fill(struct bvm_vmspace *vm, uint64_t va, uint64_t len, unsigned seed,
    const char *file, int line)
{
	unsigned char buf[CHUNK];
	struct bvm_fault_info fi;
	uint64_t done, i, n;
	int error;

	for (done = 0; done < len; done += n) {
		n = len - done < CHUNK ? len - done : CHUNK;
		for (i = 0; i < n; i++)
			buf[i] = api_pat(va + done + i, seed);
		memset(&fi, 0, sizeof(fi));
		error = bvm_write(vm, va + done, buf, n, &fi);
		if (error != 0)
			bvm_test_fail(file, line, "fill 0x%llx: %s at 0x%llx "
			    "(code %d)", (unsigned long long)(va + done),
			    bvm_errname(error), (unsigned long long)fi.addr,
			    fi.code);
	}
}

void
api_verify(struct bvm_vmspace *vm, uint64_t va, uint64_t len, unsigned seed,
    const char *file, int line)
{
	unsigned char buf[CHUNK];
	struct bvm_fault_info fi;
	uint64_t done, i, n;
	int error;

	for (done = 0; done < len; done += n) {
		n = len - done < CHUNK ? len - done : CHUNK;
		memset(&fi, 0, sizeof(fi));
		error = bvm_read(vm, va + done, buf, n, &fi);
		if (error != 0)
			bvm_test_fail(file, line, "verify 0x%llx: %s at "
			    "0x%llx (code %d)",
			    (unsigned long long)(va + done),
			    bvm_errname(error), (unsigned long long)fi.addr,
			    fi.code);
		for (i = 0; i < n; i++)
			if (buf[i] != api_pat(va + done + i, seed))
				bvm_test_fail(file, line, "verify: byte at "
				    "0x%llx is 0x%02x, want 0x%02x (seed %u)",
				    (unsigned long long)(va + done + i),
				    buf[i], api_pat(va + done + i, seed),
				    seed);
	}
}

void
api_verify_zero(struct bvm_vmspace *vm, uint64_t va, uint64_t len,
    const char *file, int line)
{
	unsigned char buf[CHUNK];
	struct bvm_fault_info fi;
	uint64_t done, i, n;
	int error;

	for (done = 0; done < len; done += n) {
		n = len - done < CHUNK ? len - done : CHUNK;
		memset(buf, 0xee, sizeof(buf));
		memset(&fi, 0, sizeof(fi));
		error = bvm_read(vm, va + done, buf, n, &fi);
		if (error != 0)
			bvm_test_fail(file, line, "verify_zero 0x%llx: %s at "
			    "0x%llx (code %d)",
			    (unsigned long long)(va + done),
			    bvm_errname(error), (unsigned long long)fi.addr,
			    fi.code);
		for (i = 0; i < n; i++)
			if (buf[i] != 0)
				bvm_test_fail(file, line, "verify_zero: byte "
				    "at 0x%llx is 0x%02x",
				    (unsigned long long)(va + done + i),
				    buf[i]);
	}
}

void
api_noaccess(struct bvm_vmspace *vm, uint64_t va, int write, int code,
    const char *file, int line)
{
	struct bvm_fault_info fi;
	unsigned char c = 0x5a;
	int error;

	memset(&fi, 0, sizeof(fi));
	if (write)
		error = bvm_write(vm, va, &c, 1, &fi);
	else
		error = bvm_read(vm, va, &c, 1, &fi);
	if (error != EFAULT)
		bvm_test_fail(file, line, "%s 0x%llx: got %s, want EFAULT",
		    write ? "write" : "read", (unsigned long long)va,
		    bvm_errname(error));
	if (fi.addr != va || fi.signo != BVM_SIGSEGV || fi.code != code)
		bvm_test_fail(file, line, "%s 0x%llx: info addr 0x%llx "
		    "signo %d code %d, want addr 0x%llx signo %d code %d",
		    write ? "write" : "read", (unsigned long long)va,
		    (unsigned long long)fi.addr, fi.signo, fi.code,
		    (unsigned long long)va, BVM_SIGSEGV, code);
	if (fi.error != (code == BVM_SEGV_MAPERR ? EFAULT : EACCES))
		bvm_test_fail(file, line, "%s 0x%llx: info error %s, want %s",
		    write ? "write" : "read", (unsigned long long)va,
		    bvm_errname(fi.error),
		    code == BVM_SEGV_MAPERR ? "EFAULT" : "EACCES");
}

uint64_t
api_map(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int prot,
    int flags, const char *file, int line)
{
	uint64_t va = 0xdeadbeef;
	int error;

	error = bvm_mmap(vm, addr, len, prot, flags, -1, 0, &va);
	if (error != 0)
		bvm_test_fail(file, line, "mmap(0x%llx, 0x%llx, %d, 0x%x): %s",
		    (unsigned long long)addr, (unsigned long long)len, prot,
		    flags, bvm_errname(error));
	if ((flags & BVM_MAP_FIXED) && va != addr)
		bvm_test_fail(file, line, "mmap FIXED 0x%llx returned 0x%llx",
		    (unsigned long long)addr, (unsigned long long)va);
	if (va & (PG - 1))
		bvm_test_fail(file, line, "mmap returned unaligned 0x%llx",
		    (unsigned long long)va);
	return va;
}

struct region_at {
	uint64_t va;
	struct bvm_region *out;
	int found;
};

static int
region_at_cb(const struct bvm_region *r, void *arg)
{
	struct region_at *ra = arg;

	if (r->start <= ra->va && ra->va < r->end) {
		*ra->out = *r;
		ra->found = 1;
		return 1;
	}
	return 0;
}

int
api_region_at(struct bvm_vmspace *vm, uint64_t va, struct bvm_region *r)
{
	struct region_at ra = { va, r, 0 };

	bvm_regions(vm, region_at_cb, &ra);
	return ra.found;
}

static int
count_cb(const struct bvm_region *r, void *arg)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

int
api_nregions(struct bvm_vmspace *vm)
{
	int n = 0;

	bvm_regions(vm, count_cb, &n);
	return n;
}

struct bvm_vmspace_info
api_info(struct bvm_vmspace *vm)
{
	struct bvm_vmspace_info info;
	int error;

	memset(&info, 0, sizeof(info));
	error = bvm_vmspace_info(vm, &info);
	if (error != 0)
		bvm_test_fail(__FILE__, __LINE__, "bvm_vmspace_info: %s",
		    bvm_errname(error));
	return info;
}

struct bvm_system *
api_sys_flags(uint64_t npages, unsigned flags)
{
	struct bvm_params p;
	struct bvm_system *sys;
	int error;

	bvm_params_init(&p);
	p.npages = npages;
	p.flags |= BVM_SYS_CHECK | flags;
	error = bvm_system_create(&p, &sys);
	if (error)
		bvm_test_fail(__FILE__, __LINE__, "bvm_system_create: %s",
		    bvm_errname(error));
	return sys;
}

struct bvm_system *
api_sys_nocheck(uint64_t npages)
{
	struct bvm_params p;
	struct bvm_system *sys;
	int error;

	bvm_params_init(&p);
	p.npages = npages;
	error = bvm_system_create(&p, &sys);
	if (error)
		bvm_test_fail(__FILE__, __LINE__, "bvm_system_create: %s",
		    bvm_errname(error));
	return sys;
}

void
api_world_init(struct api_world *w, const char *file, int line)
{
	int error;

	w->sys = tsys(1024);
	w->vm = tvm(w->sys);
	api_map(w->vm, W_A, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED, file, line);
	api_fill(w->vm, W_A, 4 * PG, 1, file, line);
	api_map(w->vm, W_B, 2 * PG, RW, ANONSHARED | BVM_MAP_FIXED, file,
	    line);
	api_fill(w->vm, W_B, 2 * PG, 2, file, line);
	error = bvm_mprotect(w->vm, W_B, 2 * PG, RO);
	if (error != 0)
		bvm_test_fail(file, line, "world mprotect: %s",
		    bvm_errname(error));
	api_map(w->vm, W_C, 3 * PG, BVM_PROT_NONE, ANONPRIV | BVM_MAP_FIXED,
	    file, line);
	tcheck(w->vm, file, line);
	api_snap_take(w->vm, w->sys, &w->snap);
	if (w->snap.n != 3)
		bvm_test_fail(file, line, "world: %d regions, want 3",
		    w->snap.n);
}

void
api_world_same(struct api_world *w, const char *file, int line)
{
	api_snap_check(w->vm, w->sys, &w->snap, file, line);
	api_verify(w->vm, W_A, 4 * PG, 1, file, line);
	api_verify(w->vm, W_B, 2 * PG, 2, file, line);
	/* The reads above must not have changed anything either. */
	api_snap_check(w->vm, w->sys, &w->snap, file, line);
}

void
api_world_fini(struct api_world *w)
{
	bvm_vmspace_destroy(w->vm);
	bvm_system_destroy(w->sys);
}
