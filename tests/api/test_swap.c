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

/* ---------------------------------------------------------------------
 * swapctl: adding, listing, removing areas, and their errors.
 * ------------------------------------------------------------------- */

TEST(swap_on_errors)
{
	struct bvm_system *sys = swsys(64, BVM_SYS_NOPDAEMON);
	char longpath[BVM_SWAP_PATHMAX + 8];
	const char *ok = mkswap("ok", 64);
	const char *small = mkswap("small", BVM_SWAP_MINPAGES - 1);
	struct bvm_stats st;

	ASSERT_ERR(bvm_swapon(sys, NULL, 0), EINVAL);
	ASSERT_ERR(bvm_swapon(sys, "", 0), EINVAL);
	ASSERT_ERR(bvm_swapon(sys, sw_path("none"), 0), ENOENT);
	ASSERT_ERR(bvm_swapon(sys, sw_dir, 0), ENODEV);      /* a directory */
	ASSERT_ERR(bvm_swapon(sys, "/dev/null", 0), ENODEV); /* a device */
	ASSERT_ERR(bvm_swapon(sys, small, 0), EINVAL);       /* too small */
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	ASSERT_ERR(bvm_swapon(sys, longpath, 0), ENAMETOOLONG);
	/* unreadable: the first read at swapon fails */
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_SWAP_READ, 1));
	ASSERT_ERR(bvm_swapon(sys, ok, 0), EIO);
	bvm_failpoint_disarm();
	ASSERT_ERR(bvm_swapon(NULL, ok, 0), EINVAL);
	st = tstats(sys);
	ASSERT_EQ(st.nswapdev, 0);
	ASSERT_EQ(st.swpages, 0);

	ASSERT_OK(bvm_swapon(sys, ok, 0));
	ASSERT_ERR(bvm_swapon(sys, ok, 3), EBUSY);            /* again */
	{
		/* the same file by another name is the same area */
		const char *link = sw_path("link");

		unlink(link);
		ASSERT_EQ(symlink(ok, link), 0);
		ASSERT_ERR(bvm_swapon(sys, link, 0), EBUSY);
		ASSERT_OK(bvm_swapoff(sys, link));             /* and off */
		unlink(link);
	}
	ASSERT_ERR(bvm_swapoff(sys, ok), ENXIO);              /* not any more */
	ASSERT_ERR(bvm_swapoff(sys, sw_path("none")), ENXIO);
	ASSERT_ERR(bvm_swapoff(sys, NULL), EINVAL);
	st = tstats(sys);
	ASSERT_EQ(st.nswapdev, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

TEST(swap_stats_listing_by_priority)
{
	struct bvm_system *sys = swsys(64, BVM_SYS_NOPDAEMON);
	struct bvm_swapent ents[4];
	struct bvm_stats st;
	const char *a = mkswap("pa", 100), *b = mkswap("pb", 50),
	    *c = mkswap("pc", 17);
	int n = -1;

	ASSERT_OK(bvm_swapstats(sys, NULL, 0, &n));
	ASSERT_EQ(n, 0);
	ASSERT_OK(bvm_swapon(sys, a, 5));
	ASSERT_OK(bvm_swapon(sys, b, 1));
	ASSERT_OK(bvm_swapon(sys, c, 5));
	ASSERT_OK(bvm_swapstats(sys, ents, 4, &n));
	ASSERT_EQ(n, 3);
	/* lower priority values first; equal ones in the order added */
	ASSERT_EQ(strcmp(ents[0].path, b), 0);
	ASSERT_EQ(ents[0].priority, 1);
	ASSERT_EQ(ents[0].npages, 50);
	ASSERT_EQ(strcmp(ents[1].path, a), 0);
	ASSERT_EQ(ents[1].npages, 100);
	ASSERT_EQ(strcmp(ents[2].path, c), 0);
	ASSERT_EQ(ents[2].npages, 17);
	ASSERT_EQ(ents[2].flags, BVM_SWF_ENABLE);
	ASSERT_EQ(ents[0].inuse + ents[1].inuse + ents[2].inuse, 0);
	/* a short array: the count is still all of them */
	ASSERT_OK(bvm_swapstats(sys, ents, 1, &n));
	ASSERT_EQ(n, 3);
	ASSERT_ERR(bvm_swapstats(sys, NULL, 2, &n), EINVAL);
	ASSERT_ERR(bvm_swapstats(sys, ents, -1, &n), EINVAL);
	st = tstats(sys);
	ASSERT_EQ(st.nswapdev, 3);
	ASSERT_EQ(st.swpages, 167);
	ASSERT_OK(bvm_swapoff(sys, a));
	ASSERT_OK(bvm_swapstats(sys, ents, 4, &n));
	ASSERT_EQ(n, 2);
	ASSERT_EQ(strcmp(ents[1].path, c), 0);
	st = tstats(sys);
	ASSERT_EQ(st.swpages, 67);
	bvm_system_destroy(sys);     /* areas left on go with the system */
}

/* the area with the lower priority value fills first */
TEST(swap_priority_fills_first)
{
	struct bvm_system *sys = swsys(128, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_swapent ents[2];
	struct bvm_fault_info fi;
	const char *lo = mkswap("lo", 2048), *hi = mkswap("hi", 2048);
	uint64_t va;
	int n;

	ASSERT_OK(bvm_swapon(sys, hi, 10));
	ASSERT_OK(bvm_swapon(sys, lo, -3));
	va = mapanon(vm, 512, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 512, 7, &fi));
	ASSERT_OK(bvm_swapstats(sys, ents, 2, &n));
	ASSERT_EQ(strcmp(ents[0].path, lo), 0);
	ASSERT_TRUE(ents[0].inuse >= 512 - 128);
	ASSERT_EQ(ents[1].inuse, 0);
	ASSERT_TRUE(ents[0].pgout >= 512 - 128);
	if (cpages(vm, va, 512, 7, &fi) != 0)
		bvm_test_fail(__FILE__, __LINE__, "read: %s at 0x%llx",
		    bvm_errname(fi.error), (unsigned long long)fi.addr);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* ---------------------------------------------------------------------
 * Without swap, and with too little.
 * ------------------------------------------------------------------- */

TEST(swap_none_anon_enomem_nothing_lost)
{
	struct bvm_system *sys = swsys(128, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	struct bvm_stats st;
	uint64_t va, i, buf[BVM_PAGE_SIZE / 8];
	int e = 0;

	va = mapanon(vm, 256, BVM_MAP_PRIVATE);
	for (i = 0; i < 256; i++) {
		memset(buf, (int)i, sizeof(buf));
		if ((e = bvm_write(vm, va + i * PG, buf, PG, &fi)) != 0)
			break;
	}
	/* the memory ran out: ENOMEM, with no signal for the emulator */
	ASSERT_ERR(e, ENOMEM);
	ASSERT_EQ(fi.error, ENOMEM);
	ASSERT_EQ(fi.signo, 0);
	ASSERT_TRUE(i > 100 && i <= 128);
	st = tstats(sys);
	ASSERT_TRUE(st.pdsync > 0);
	ASSERT_EQ(st.pswpout, 0);
	/* every page written before reads back */
	for (uint64_t k = 0; k < i; k++)
		ASSERT_EQ(tpeek(vm, va + k * PG + 77), (int)(k & 0xff));
	SYSCHECK(sys);
	/* and once some is freed, the rest goes on */
	ASSERT_OK(bvm_munmap(vm, va, 64 * PG));
	memset(buf, 1, sizeof(buf));
	ASSERT_OK(bvm_write(vm, va + i * PG, buf, PG, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(swap_full_enomem_nothing_lost)
{
	struct bvm_system *sys = swsys(128, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	struct bvm_stats st;
	uint64_t va, i;
	int e = 0;

	ASSERT_OK(bvm_swapon(sys, mkswap("full", 128), 0));
	va = mapanon(vm, 512, BVM_MAP_PRIVATE);
	for (i = 0; i < 512; i++)
		if ((e = wpages(vm, va + i * PG, 1, 1000 + i, &fi)) != 0)
			break;
	ASSERT_ERR(e, ENOMEM);
	/* memory and swap both hold pages: about 128 + 128 of them */
	ASSERT_TRUE(i > 200 && i <= 256);
	st = tstats(sys);
	ASSERT_EQ(st.swpginuse, 128);
	ASSERT_TRUE(st.pdnoswap > 0);
	/*
	 * Memory and swap are both full of data: reading a page that is
	 * out needs a frame no pageout can make (ENOMEM), but it is all
	 * there: once some memory goes, everything reads back.
	 */
	SYSCHECK(sys);
	ASSERT_OK(bvm_munmap(vm, va + (i - 16) * PG, 16 * PG));
	for (uint64_t k = 0; k < i - 16; k++)
		ASSERT_OK(cpages(vm, va + k * PG, 1, 1000 + k, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	st = tstats(sys);
	ASSERT_EQ(st.swpginuse, 0);
	ASSERT_EQ(st.free, 128);
	bvm_system_destroy(sys);
}
