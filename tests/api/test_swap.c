/*
 * test_swap.c: swap areas and the page daemon through the public API:
 * swapctl-like calls and their errors, paging anonymous memory, shared
 * memory, forked copy-on-write memory and file pages through a system
 * smaller than what it holds, swap-off, swap I/O errors, wiring, counters.
 *
 * Most tests run without the page daemon thread (BVM_SYS_NOPDAEMON), so
 * that every pageout is done by the allocation that needs the frame and
 * the counters are exact; the daemon thread has tests of its own.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define PG  ((uint64_t)BVM_PAGE_SIZE)
#define RW  (BVM_PROT_READ | BVM_PROT_WRITE)

static char sw_dir[64];

/* a private directory for this file's swap files, removed at exit */
static void
sw_cleanup(void)
{
	char cmd[128];

	if (sw_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", sw_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "test_swap: could not remove %s\n",
			    sw_dir);
		sw_dir[0] = '\0';
	}
}

static const char *
sw_path(const char *name)
{
	static char buf[8][160];
	static int k;
	char *p = buf[k++ & 7];

	if (sw_dir[0] == '\0') {
		snprintf(sw_dir, sizeof(sw_dir), "/tmp/bvm_swap.XXXXXX");
		if (mkdtemp(sw_dir) == NULL)
			bvm_test_fail(__FILE__, __LINE__, "mkdtemp: %s",
			    strerror(errno));
		atexit(sw_cleanup);
	}
	snprintf(p, 160, "%s/%s", sw_dir, name);
	return p;
}

/* a swap file of npages pages (sparse), made fresh */
static const char *
mkswap(const char *name, uint64_t npages)
{
	const char *path = sw_path(name);
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)(npages * PG)) != 0)
		bvm_test_fail(__FILE__, __LINE__, "swap file %s: %s", path,
		    strerror(errno));
	close(fd);
	return path;
}

/* a system of npages frames; flags added to BVM_SYS_CHECK */
static struct bvm_system *
swsys(uint64_t npages, unsigned flags)
{
	struct bvm_params p;
	struct bvm_system *sys;

	bvm_params_init(&p);
	p.npages = npages;
	p.flags = BVM_SYS_CHECK | flags;
	p.rlimit_memlock = BVM_RLIM_INFINITY;
	ASSERT_OK(bvm_system_create(&p, &sys));
	return sys;
}

/* the word stored at page i of a pattern `seed` */
static uint64_t
pat(uint64_t seed, uint64_t i)
{
	uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ (i * 0xbf58476d1ce4e5b9ULL);

	x ^= x >> 31;
	return x | 1;
}

/*
 * Write a whole page for each of n pages at va: the page's words are
 * pat(seed, i) and its index, so that a page read back in the wrong
 * place, or half written, is caught.
 */
static int
wpages(struct bvm_vmspace *vm, uint64_t va, uint64_t n, uint64_t seed,
    struct bvm_fault_info *fi)
{
	uint64_t buf[BVM_PAGE_SIZE / 8], i, k;
	int e;

	for (i = 0; i < n; i++) {
		for (k = 0; k < PG / 8; k++)
			buf[k] = pat(seed, i) + k;
		if ((e = bvm_write(vm, va + i * PG, buf, PG, fi)) != 0)
			return e;
	}
	return 0;
}

/* check n pages written by wpages; => 0, or the first access error */
static int
cpages(struct bvm_vmspace *vm, uint64_t va, uint64_t n, uint64_t seed,
    struct bvm_fault_info *fi)
{
	uint64_t buf[BVM_PAGE_SIZE / 8], i, k;
	int e;

	for (i = 0; i < n; i++) {
		if ((e = bvm_read(vm, va + i * PG, buf, PG, fi)) != 0)
			return e;
		for (k = 0; k < PG / 8; k++)
			if (buf[k] != pat(seed, i) + k)
				bvm_test_fail(__FILE__, __LINE__, "page %llu of "
				    "0x%llx word %llu: 0x%llx, want 0x%llx",
				    (unsigned long long)i,
				    (unsigned long long)va,
				    (unsigned long long)k,
				    (unsigned long long)buf[k],
				    (unsigned long long)(pat(seed, i) + k));
	}
	return 0;
}

static uint64_t
mapanon(struct bvm_vmspace *vm, uint64_t npages, int flags)
{
	uint64_t va;

	ASSERT_OK(bvm_mmap(vm, 0, npages * PG, RW, BVM_MAP_ANON | flags, -1, 0,
	    &va));
	return va;
}

TEST(swap_anon_more_than_memory)
{
	struct bvm_system *sys = swsys(256, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	struct bvm_stats st;
	uint64_t va;

	ASSERT_OK(bvm_swapon(sys, mkswap("a", 4096), 0));
	va = mapanon(vm, 2048, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 2048, 1, &fi));
	SYSCHECK(sys);
	st = tstats(sys);
	ASSERT_TRUE(st.pswpout >= 2048 - 256);
	ASSERT_TRUE(st.swpgonly >= 2048 - 256);
	ASSERT_OK(cpages(vm, va, 2048, 1, &fi));
	SYSCHECK(sys);
	st = tstats(sys);
	ASSERT_TRUE(st.pswpin >= 2048 - 256);
	ASSERT_OK(bvm_munmap(vm, va, 2048 * PG));
	st = tstats(sys);
	ASSERT_EQ(st.swpginuse, 0);
	ASSERT_EQ(st.swpgonly, 0);
	ASSERT_EQ(st.anons, 0);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
