/*
 * snapshot.h: helpers shared by the API tests (tests/api/).
 *
 * A snapshot records every map entry of a vmspace (bvm_regions), the
 * vmspace's figures (bvm_vmspace_info) and, when a system is given, the
 * system-wide object counts.  A failing call must leave all of them exactly
 * as they were: ASSERT_SNAP(vm, &before) takes a new snapshot and fails the
 * test, naming the first difference, if anything changed.
 *
 * The fill/verify helpers write and check a position-dependent pattern that
 * is never zero, so a page that was lost (reads back zero) or moved is
 * caught.
 */
#ifndef BVM_API_SNAPSHOT_H
#define BVM_API_SNAPSHOT_H

#include "harness.h"

#define PG ((uint64_t)BVM_PAGE_SIZE)
#define RW (BVM_PROT_READ | BVM_PROT_WRITE)
#define RO BVM_PROT_READ
#define ANONPRIV (BVM_MAP_ANON | BVM_MAP_PRIVATE)
#define ANONSHARED (BVM_MAP_ANON | BVM_MAP_SHARED)

#define API_SNAP_MAX 128

struct api_snap {
	int n;                          /* regions recorded */
	int overflow;                   /* more than API_SNAP_MAX regions */
	struct bvm_region r[API_SNAP_MAX];
	char type[API_SNAP_MAX][16];    /* copies of r[i].type */
	struct bvm_vmspace_info info;
	int have_stats;
	struct bvm_stats st;
};

/* Record vm (and sys's counts, if sys is not NULL) into *s. */
void api_snap_take(struct bvm_vmspace *vm, struct bvm_system *sys,
    struct api_snap *s);
/* 0 if a and b are the same, else 1 with the first difference in msg. */
int api_snap_diff(const struct api_snap *a, const struct api_snap *b,
    char *msg, size_t msglen);
void api_snap_check(struct bvm_vmspace *vm, struct bvm_system *sys,
    const struct api_snap *before, const char *file, int line);

#define SNAP(vm, sys, s) api_snap_take((vm), (sys), (s))
#define ASSERT_SNAP(vm, sys, s) \
	api_snap_check((vm), (sys), (s), __FILE__, __LINE__)

/* The pattern byte at virtual address va for seed. Never 0. */
unsigned char api_pat(uint64_t va, unsigned seed);

void api_fill(struct bvm_vmspace *vm, uint64_t va, uint64_t len,
    unsigned seed, const char *file, int line);
void api_verify(struct bvm_vmspace *vm, uint64_t va, uint64_t len,
    unsigned seed, const char *file, int line);
void api_verify_zero(struct bvm_vmspace *vm, uint64_t va, uint64_t len,
    const char *file, int line);
/* The read of one byte at va fails with EFAULT and this info code. */
void api_noaccess(struct bvm_vmspace *vm, uint64_t va, int write, int code,
    const char *file, int line);

#define FILL(vm, va, len, seed) api_fill((vm), (va), (len), (seed), \
	__FILE__, __LINE__)
#define VERIFY(vm, va, len, seed) api_verify((vm), (va), (len), (seed), \
	__FILE__, __LINE__)
#define VERIFY_ZERO(vm, va, len) api_verify_zero((vm), (va), (len), \
	__FILE__, __LINE__)
#define NO_READ(vm, va, code) api_noaccess((vm), (va), 0, (code), \
	__FILE__, __LINE__)
#define NO_WRITE(vm, va, code) api_noaccess((vm), (va), 1, (code), \
	__FILE__, __LINE__)

/*
 * bvm_mmap that must succeed; with BVM_MAP_FIXED the result must be addr.
 * Returns the address.
 */
uint64_t api_map(struct bvm_vmspace *vm, uint64_t addr, uint64_t len,
    int prot, int flags, const char *file, int line);
#define MAP(vm, addr, len, prot, flags) \
	api_map((vm), (addr), (len), (prot), (flags), __FILE__, __LINE__)

/* The entry containing va into *r; 0 if there is none (1 if found). */
int api_region_at(struct bvm_vmspace *vm, uint64_t va, struct bvm_region *r);
/* Number of map entries (by bvm_regions). */
int api_nregions(struct bvm_vmspace *vm);
/* bvm_vmspace_info, which must succeed. */
struct bvm_vmspace_info api_info(struct bvm_vmspace *vm);

/* A system with the checker on and extra BVM_SYS_* flags. */
struct bvm_system *api_sys_flags(uint64_t npages, unsigned flags);
/*
 * A system without the per-operation checker: for tests of states where a
 * library bug makes the checker panic (abort the whole runner); such tests
 * call CHECK() themselves, which fails only the test.
 */
struct bvm_system *api_sys_nocheck(uint64_t npages);

/*
 * A standard small world for the failing-call tests, at fixed addresses:
 *   W_A: 4 pages, private, READ|WRITE, filled with seed 1;
 *   a 4-page hole;
 *   W_B: 2 pages, shared, filled with seed 2, then READ only;
 *   a 6-page hole;
 *   W_C: 3 pages, private, PROT_NONE, never touched.
 * api_world_same() checks the snapshot and the contents of A and B.
 */
#define W_A 0x10000000ULL
#define W_B 0x10008000ULL
#define W_C 0x10010000ULL
#define W_END (W_C + 3 * PG)

struct api_world {
	struct bvm_system *sys;
	struct bvm_vmspace *vm;
	struct api_snap snap;
};
void api_world_init(struct api_world *w, const char *file, int line);
void api_world_same(struct api_world *w, const char *file, int line);
void api_world_fini(struct api_world *w);
#define WORLD_INIT(w) api_world_init((w), __FILE__, __LINE__)
#define WORLD_SAME(w) api_world_same((w), __FILE__, __LINE__)

#endif /* BVM_API_SNAPSHOT_H */
