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

/* page i of the run at base: written / checked as wpages' page i */
static int
wpage1(struct bvm_vmspace *vm, uint64_t base, uint64_t i, uint64_t seed,
    struct bvm_fault_info *fi)
{
	uint64_t buf[BVM_PAGE_SIZE / 8], k;

	for (k = 0; k < PG / 8; k++)
		buf[k] = pat(seed, i) + k;
	return bvm_write(vm, base + i * PG, buf, PG, fi);
}

static int
cpage1(struct bvm_vmspace *vm, uint64_t base, uint64_t i, uint64_t seed,
    struct bvm_fault_info *fi)
{
	uint64_t buf[BVM_PAGE_SIZE / 8], k;
	int e;

	if ((e = bvm_read(vm, base + i * PG, buf, PG, fi)) != 0)
		return e;
	for (k = 0; k < PG / 8; k++)
		if (buf[k] != pat(seed, i) + k)
			bvm_test_fail(__FILE__, __LINE__, "page %llu of 0x%llx "
			    "word %llu: 0x%llx, want 0x%llx",
			    (unsigned long long)i, (unsigned long long)base,
			    (unsigned long long)k, (unsigned long long)buf[k],
			    (unsigned long long)(pat(seed, i) + k));
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
	 * out may need a frame no pageout can make (ENOMEM), but it is all
	 * there: with more swap, everything reads back.
	 */
	SYSCHECK(sys);
	ASSERT_OK(bvm_swapon(sys, mkswap("more", 256), 0));
	for (uint64_t k = 0; k < i; k++)
		ASSERT_OK(cpages(vm, va + k * PG, 1, 1000 + k, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	st = tstats(sys);
	ASSERT_EQ(st.swpginuse, 0);
	ASSERT_EQ(st.free, 128);
	bvm_system_destroy(sys);
}

/* ---------------------------------------------------------------------
 * What pages: forked copy-on-write, shared memory, files.
 * ------------------------------------------------------------------- */

/* a forked address space's shared anons go out and come back, both ways */
TEST(swap_fork_cow_under_pressure)
{
	struct bvm_system *sys = swsys(256, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *p = tvm(sys), *c;
	struct bvm_fault_info fi;
	struct bvm_stats st;
	uint64_t va, i;

	ASSERT_OK(bvm_swapon(sys, mkswap("fork", 4096), 0));
	va = mapanon(p, 1024, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(p, va, 1024, 1, &fi));
	ASSERT_OK(bvm_fork(p, &c));
	/* the child rewrites the odd pages: copy-on-write of swapped anons */
	for (i = 1; i < 1024; i += 2)
		ASSERT_OK(wpage1(c, va, i, 2, &fi));
	/* the parent rewrites every fourth page */
	for (i = 0; i < 1024; i += 4)
		ASSERT_OK(wpage1(p, va, i, 3, &fi));
	SYSCHECK(sys);
	for (i = 0; i < 1024; i++) {
		ASSERT_OK(cpage1(p, va, i, i % 4 == 0 ? 3 : 1, &fi));
		ASSERT_OK(cpage1(c, va, i, (i & 1) ? 2 : 1, &fi));
	}
	st = tstats(sys);
	ASSERT_TRUE(st.pswpout > 1024);
	ASSERT_TRUE(st.pswpin > 512);
	SYSCHECK(sys);
	bvm_vmspace_destroy(p);
	/* the child alone still has everything */
	for (i = 0; i < 1024; i++)
		ASSERT_OK(cpage1(c, va, i, (i & 1) ? 2 : 1, &fi));
	bvm_vmspace_destroy(c);
	st = tstats(sys);
	ASSERT_EQ(st.swpginuse, 0);
	ASSERT_EQ(st.swpgonly, 0);
	ASSERT_EQ(st.anons, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* shared memory larger than memory: the aobj's pages go to swap */
TEST(swap_shm_under_pressure_two_vmspaces)
{
	struct bvm_system *sys = swsys(256, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *a = tvm(sys), *b = tvm(sys);
	struct bvm_object *h;
	struct bvm_fault_info fi;
	struct bvm_stats st;
	uint64_t va, vb, i;

	ASSERT_OK(bvm_swapon(sys, mkswap("shm", 4096), 0));
	ASSERT_OK(bvm_shm_open(sys, "/big", BVM_O_CREAT, &h));
	ASSERT_OK(bvm_object_truncate(h, 1024 * PG));
	ASSERT_OK(bvm_mmap_object(a, 0, 1024 * PG, RW, BVM_MAP_SHARED, h, 0,
	    &va));
	ASSERT_OK(bvm_mmap_object(b, 0, 1024 * PG, RW, BVM_MAP_SHARED, h, 0,
	    &vb));
	ASSERT_OK(wpages(a, va, 1024, 9, &fi));
	SYSCHECK(sys);
	st = tstats(sys);
	ASSERT_TRUE(st.pswpout >= 1024 - 256);
	/* b sees a's stores, from swap */
	ASSERT_OK(cpages(b, vb, 1024, 9, &fi));
	/* b rewrites half, a sees it */
	for (i = 0; i < 1024; i += 2)
		ASSERT_OK(wpage1(b, vb, i, 10, &fi));
	for (i = 0; i < 1024; i++)
		ASSERT_OK(cpage1(a, va, i, (i & 1) ? 9 : 10, &fi));
	SYSCHECK(sys);
	/* truncating away the second half frees its slots */
	ASSERT_OK(bvm_munmap(a, va + 512 * PG, 512 * PG));
	ASSERT_OK(bvm_munmap(b, vb + 512 * PG, 512 * PG));
	ASSERT_OK(bvm_object_truncate(h, 512 * PG));
	SYSCHECK(sys);
	for (i = 0; i < 512; i++)
		ASSERT_OK(cpage1(b, vb, i, (i & 1) ? 9 : 10, &fi));
	bvm_vmspace_destroy(a);
	bvm_vmspace_destroy(b);
	bvm_object_release(h);
	/* the name keeps the object, and its pages in swap */
	ASSERT_TRUE(tstats(sys).swpginuse > 0);
	ASSERT_OK(bvm_shm_unlink(sys, "/big"));
	st = tstats(sys);
	ASSERT_EQ(st.swpginuse, 0);
	ASSERT_EQ(st.swpgonly, 0);
	ASSERT_EQ(st.objects, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* truncating an aobj whose last page is out in swap zeroes its tail */
TEST(swap_shm_truncate_swapped_tail)
{
	struct bvm_system *sys = swsys(64, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *h;
	struct bvm_fault_info fi;
	uint64_t va, freed;
	unsigned char b;

	ASSERT_OK(bvm_swapon(sys, mkswap("tail", 256), 0));
	ASSERT_OK(bvm_shm_open(sys, NULL, 0, &h));
	ASSERT_OK(bvm_object_truncate(h, 4 * PG));
	ASSERT_OK(bvm_mmap_object(vm, 0, 4 * PG, RW, BVM_MAP_SHARED, h, 0,
	    &va));
	ASSERT_OK(wpages(vm, va, 4, 4, &fi));
	/* push everything out (twice: deactivate, then free) */
	ASSERT_OK(bvm_pageout(sys, 64, &freed));
	ASSERT_OK(bvm_pageout(sys, 64, &freed));
	ASSERT_EQ(tstats(sys).obj_pages, 0);
	ASSERT_EQ(tstats(sys).swpgonly, 4);
	/* cut inside page 2, grow again: the old bytes after the cut are 0 */
	ASSERT_OK(bvm_object_truncate(h, 2 * PG + 100));
	ASSERT_OK(bvm_object_truncate(h, 4 * PG));
	ASSERT_OK(bvm_read(vm, va + 2 * PG + 99, &b, 1, &fi));
	ASSERT_NE(b, 0);
	ASSERT_OK(bvm_read(vm, va + 2 * PG + 100, &b, 1, &fi));
	ASSERT_EQ(b, 0);
	ASSERT_OK(bvm_read(vm, va + 3 * PG, &b, 1, &fi));
	ASSERT_EQ(b, 0);
	ASSERT_OK(cpages(vm, va, 2, 4, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_object_release(h);
	ASSERT_EQ(tstats(sys).swpginuse, 0);
	bvm_system_destroy(sys);
}

/* a shared file mapping larger than memory: dirty pages go to the file */
TEST(swap_file_shared_pageout_writes_file)
{
	struct bvm_system *sys = swsys(256, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	struct bvm_stats st;
	const char *path = sw_path("data");
	uint64_t va, i, w;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(ftruncate(fd, 1024 * PG), 0);
	ASSERT_OK(bvm_mmap(vm, 0, 1024 * PG, RW, BVM_MAP_SHARED, fd, 0, &va));
	/* no swap at all: file pages need none */
	ASSERT_OK(wpages(vm, va, 1024, 21, &fi));
	st = tstats(sys);
	ASSERT_TRUE(st.pgpgout >= 1024 - 256);
	ASSERT_EQ(st.pswpout, 0);
	/* pages written by the daemon are in the file already */
	for (i = 0; i < 512; i++) {
		ASSERT_EQ(pread(fd, &w, 8, (off_t)(i * PG + 8)), 8);
		if (w != pat(21, i) + 1)
			break;
	}
	ASSERT_TRUE(i > 0);
	ASSERT_OK(cpages(vm, va, 1024, 21, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	for (i = 0; i < 1024; i++) {
		ASSERT_EQ(pread(fd, &w, 8, (off_t)(i * PG + 16)), 8);
		ASSERT_EQ(w, pat(21, i) + 2);
	}
	bvm_system_destroy(sys);
	close(fd);
}

/* a private file mapping larger than memory: copies go to swap */
TEST(swap_file_private_cow_under_pressure)
{
	struct bvm_system *sys = swsys(256, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	const char *path = sw_path("src");
	uint64_t va, i, buf[BVM_PAGE_SIZE / 8], k;
	int fd;

	ASSERT_OK(bvm_swapon(sys, mkswap("priv", 2048), 0));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	for (i = 0; i < 1024; i++) {
		for (k = 0; k < PG / 8; k++)
			buf[k] = pat(30, i) + k;
		ASSERT_EQ(pwrite(fd, buf, PG, (off_t)(i * PG)), (ssize_t)PG);
	}
	ASSERT_OK(bvm_mmap(vm, 0, 1024 * PG, RW, BVM_MAP_PRIVATE, fd, 0, &va));
	for (i = 0; i < 1024; i += 3)
		ASSERT_OK(wpage1(vm, va, i, 31, &fi));
	for (i = 0; i < 1024; i++)
		ASSERT_OK(cpage1(vm, va, i, i % 3 == 0 ? 31 : 30, &fi));
	ASSERT_TRUE(tstats(sys).pswpout > 0);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	/* the file never saw the private stores */
	for (i = 0; i < 1024; i += 3) {
		ASSERT_EQ(pread(fd, buf, 8, (off_t)(i * PG)), 8);
		ASSERT_EQ(buf[0], pat(30, i));
	}
	ASSERT_EQ(tstats(sys).swpginuse, 0);
	bvm_system_destroy(sys);
	close(fd);
}

/* ---------------------------------------------------------------------
 * Swap-off: everything comes back in; nothing is lost when it cannot.
 * ------------------------------------------------------------------- */

TEST(swap_off_pages_everything_back_in)
{
	struct bvm_system *sys = swsys(1024, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *h;
	struct bvm_fault_info fi;
	struct bvm_stats st;
	const char *sw = mkswap("off", 1024);
	uint64_t va, vs, freed;

	ASSERT_OK(bvm_swapon(sys, sw, 0));
	va = mapanon(vm, 256, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 256, 40, &fi));
	ASSERT_OK(bvm_shm_open(sys, NULL, 0, &h));
	ASSERT_OK(bvm_object_truncate(h, 64 * PG));
	ASSERT_OK(bvm_mmap_object(vm, 0, 64 * PG, RW, BVM_MAP_SHARED, h, 0,
	    &vs));
	ASSERT_OK(wpages(vm, vs, 64, 41, &fi));
	ASSERT_OK(bvm_pageout(sys, 1024, &freed));
	ASSERT_OK(bvm_pageout(sys, 1024, &freed));
	st = tstats(sys);
	ASSERT_EQ(st.swpgonly, 320);
	ASSERT_OK(bvm_swapoff(sys, sw));
	st = tstats(sys);
	ASSERT_EQ(st.nswapdev, 0);
	ASSERT_EQ(st.swpginuse, 0);
	ASSERT_EQ(st.swpgonly, 0);
	ASSERT_EQ(st.swpages, 0);
	SYSCHECK(sys);
	/* all resident: reading needs no swap */
	ASSERT_OK(cpages(vm, va, 256, 40, &fi));
	ASSERT_OK(cpages(vm, vs, 64, 41, &fi));
	ASSERT_EQ(tstats(sys).pswpin, st.pswpin);
	ASSERT_ERR(bvm_swapoff(sys, sw), ENXIO);
	bvm_vmspace_destroy(vm);
	bvm_object_release(h);
	bvm_system_destroy(sys);
}

TEST(swap_off_without_room_enomem_keeps_area)
{
	struct bvm_system *sys = swsys(128, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_swapent se;
	struct bvm_fault_info fi;
	const char *sw = mkswap("noroom", 1024);
	uint64_t va;
	int n;

	ASSERT_OK(bvm_swapon(sys, sw, 0));
	va = mapanon(vm, 512, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 512, 50, &fi));
	/* 512 pages will not fit in 128 frames and no other area */
	ASSERT_ERR(bvm_swapoff(sys, sw), ENOMEM);
	ASSERT_OK(bvm_swapstats(sys, &se, 1, &n));
	ASSERT_EQ(n, 1);
	ASSERT_EQ(se.flags, BVM_SWF_ENABLE);
	SYSCHECK(sys);
	ASSERT_OK(cpages(vm, va, 512, 50, &fi));
	/* and paging still works on it */
	ASSERT_OK(wpages(vm, va, 512, 51, &fi));
	ASSERT_OK(cpages(vm, va, 512, 51, &fi));
	/* with a second area it goes: its pages move there */
	ASSERT_OK(bvm_swapon(sys, mkswap("room", 1024), 0));
	ASSERT_OK(bvm_swapoff(sys, sw));
	ASSERT_OK(bvm_swapstats(sys, &se, 1, &n));
	ASSERT_EQ(n, 1);
	ASSERT_EQ(strcmp(se.path, sw_path("room")), 0);
	ASSERT_TRUE(se.inuse >= 512 - 128);
	SYSCHECK(sys);
	ASSERT_OK(cpages(vm, va, 512, 51, &fi));
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* ---------------------------------------------------------------------
 * Swap I/O errors: reported, nothing lost, bad slots never reused.
 * ------------------------------------------------------------------- */

TEST(swap_write_error_keeps_page_marks_slots_bad)
{
	struct bvm_system *sys = swsys(128, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_swapent se;
	struct bvm_fault_info fi;
	struct bvm_stats st;
	uint64_t va, freed;
	int n;

	ASSERT_OK(bvm_swapon(sys, mkswap("werr", 1024), 0));
	va = mapanon(vm, 100, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 100, 60, &fi));
	ASSERT_OK(bvm_pageout(sys, 128, &freed));      /* deactivates */
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_SWAP_WRITE, 1));
	ASSERT_OK(bvm_pageout(sys, 128, &freed));
	bvm_failpoint_disarm();
	st = tstats(sys);
	ASSERT_TRUE(st.swap_errors >= 1);
	ASSERT_TRUE(st.swpgbad > 0);
	ASSERT_OK(bvm_swapstats(sys, &se, 1, &n));
	ASSERT_EQ(se.bad, st.swpgbad);
	ASSERT_EQ(se.inuse, st.swpginuse);
	SYSCHECK(sys);
	/* the pages of the failed cluster stayed; everything reads back */
	ASSERT_OK(cpages(vm, va, 100, 60, &fi));
	/* bad slots are never handed out again: what pages out now
	 * goes elsewhere, and still reads back */
	ASSERT_OK(bvm_pageout(sys, 128, &freed));
	ASSERT_OK(bvm_pageout(sys, 128, &freed));
	ASSERT_OK(cpages(vm, va, 100, 60, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	st = tstats(sys);
	ASSERT_EQ(st.swpginuse, st.swpgbad);          /* only the bad ones */
	ASSERT_EQ(st.swpgonly, 0);
	/* an area with bad slots can still be removed */
	ASSERT_OK(bvm_swapoff(sys, sw_path("werr")));
	ASSERT_EQ(tstats(sys).swpgbad, 0);
	bvm_system_destroy(sys);
}

TEST(swap_read_error_sigbus_then_retry)
{
	struct bvm_system *sys = swsys(128, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	uint64_t va, freed, w;

	ASSERT_OK(bvm_swapon(sys, mkswap("rerr", 1024), 0));
	va = mapanon(vm, 64, BVM_MAP_PRIVATE);
	/* one page per swap read: a failed read is that page's */
	ASSERT_OK(bvm_madvise(vm, va, 64 * PG, BVM_MADV_RANDOM));
	ASSERT_OK(wpages(vm, va, 64, 70, &fi));
	ASSERT_OK(bvm_pageout(sys, 128, &freed));
	ASSERT_OK(bvm_pageout(sys, 128, &freed));
	ASSERT_EQ(tstats(sys).swpgonly, 64);
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_SWAP_READ, 1));
	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_read(vm, va + 5 * PG, &w, 8, &fi), EFAULT);
	bvm_failpoint_disarm();
	/* an I/O error: the emulator raises SIGBUS/BUS_OBJERR */
	ASSERT_EQ(fi.error, EIO);
	ASSERT_EQ(fi.signo, BVM_SIGBUS);
	ASSERT_EQ(fi.code, BVM_BUS_OBJERR);
	ASSERT_EQ(fi.addr, va + 5 * PG);
	ASSERT_TRUE(tstats(sys).swap_errors >= 1);
	ASSERT_EQ(tstats(sys).swpgonly, 64);          /* still in swap */
	SYSCHECK(sys);
	/* bvm_fault says the same */
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_SWAP_READ, 1));
	ASSERT_ERR(bvm_fault(vm, va + 6 * PG, BVM_PROT_READ, NULL), EIO);
	bvm_failpoint_disarm();
	/* the next try reads it */
	ASSERT_OK(cpages(vm, va, 64, 70, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* ---------------------------------------------------------------------
 * What never leaves memory, and what the daemon does.
 * ------------------------------------------------------------------- */

TEST(swap_wired_pages_stay_resident)
{
	struct bvm_system *sys = swsys(256, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	unsigned char vec[32];
	uint64_t va, vb, freed, i;

	ASSERT_OK(bvm_swapon(sys, mkswap("wired", 2048), 0));
	va = mapanon(vm, 32, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 32, 80, &fi));
	ASSERT_OK(bvm_mlock(vm, va, 32 * PG));
	/* the swap copies of wired pages are dropped: no waste */
	vb = mapanon(vm, 1024, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, vb, 1024, 81, &fi));
	ASSERT_OK(bvm_pageout(sys, 256, &freed));
	ASSERT_OK(bvm_pageout(sys, 256, &freed));
	ASSERT_OK(bvm_mincore(vm, va, 32 * PG, vec));
	for (i = 0; i < 32; i++)
		ASSERT_EQ(vec[i], BVM_MINCORE_INCORE);
	ASSERT_EQ(tstats(sys).wired, 32);
	ASSERT_OK(cpages(vm, va, 32, 80, &fi));
	ASSERT_OK(cpages(vm, vb, 1024, 81, &fi));
	SYSCHECK(sys);
	/* unwired, they may go like any other */
	ASSERT_OK(bvm_munlock(vm, va, 32 * PG));
	ASSERT_OK(bvm_pageout(sys, 256, &freed));
	ASSERT_OK(bvm_pageout(sys, 256, &freed));
	ASSERT_OK(cpages(vm, va, 32, 80, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* clean file pages are freed without I/O; used pages are reactivated */
TEST(swap_pageout_clean_file_pages_and_reactivation)
{
	struct bvm_system *sys = swsys(512, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	const char *path = sw_path("clean");
	uint64_t va, freed;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_EQ(ftruncate(fd, 128 * PG), 0);
	ASSERT_OK(bvm_mmap(vm, 0, 128 * PG, BVM_PROT_READ, BVM_MAP_SHARED, fd,
	    0, &va));
	for (uint64_t i = 0; i < 128; i++)
		ASSERT_EQ(tpeek(vm, va + i * PG), 0);
	ASSERT_EQ(tstats(sys).obj_pages, 128);
	/*
	 * A first small pageout: with nothing inactive yet, it moves the
	 * oldest third to the inactive queue (their referenced bits
	 * cleared) and frees one of them.
	 */
	ASSERT_OK(bvm_pageout(sys, 1, &freed));
	ASSERT_EQ(freed, 1);
	s0 = tstats(sys);
	ASSERT_TRUE(s0.inactive >= 40);
	/* use them all again: the inactive ones are referenced now */
	for (uint64_t i = 0; i < 128; i++)
		ASSERT_EQ(tpeek(vm, va + i * PG), 0);
	ASSERT_EQ(tstats(sys).obj_pages, 128);         /* one read back */
	ASSERT_OK(bvm_pageout(sys, 512, &freed));
	s1 = tstats(sys);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout);             /* clean: no I/O */
	ASSERT_EQ(s1.pswpout, 0);
	ASSERT_TRUE(s1.pdreact >= s0.pdreact + s0.inactive - 1);
	ASSERT_EQ(s1.obj_pages + freed, 128);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	ASSERT_ERR(bvm_pageout(NULL, 1, &freed), EINVAL);
	bvm_system_destroy(sys);
	close(fd);
}

/* madvise FREE and munmap of paged-out memory free its slots */
TEST(swap_madv_free_releases_slots)
{
	struct bvm_system *sys = swsys(128, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	uint64_t va, freed, z;

	ASSERT_OK(bvm_swapon(sys, mkswap("madv", 1024), 0));
	va = mapanon(vm, 64, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 64, 90, &fi));
	ASSERT_OK(bvm_pageout(sys, 128, &freed));
	ASSERT_OK(bvm_pageout(sys, 128, &freed));
	ASSERT_EQ(tstats(sys).swpgonly, 64);
	ASSERT_OK(bvm_madvise(vm, va, 32 * PG, BVM_MADV_FREE));
	ASSERT_EQ(tstats(sys).swpgonly, 32);
	ASSERT_EQ(tstats(sys).swpginuse, 32);
	ASSERT_OK(bvm_read(vm, va + 3 * PG, &z, 8, &fi));
	ASSERT_EQ(z, 0);
	for (uint64_t i = 32; i < 64; i++)
		ASSERT_OK(cpage1(vm, va, i, 90, &fi));
	SYSCHECK(sys);
	ASSERT_OK(bvm_munmap(vm, va, 64 * PG));
	ASSERT_EQ(tstats(sys).swpginuse, 0);
	ASSERT_EQ(tstats(sys).swpgonly, 0);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* ---------------------------------------------------------------------
 * Fault injection: every swap and page daemon point, at every call.
 * ------------------------------------------------------------------- */

struct swfp {
	struct bvm_system *sys;
	struct bvm_vmspace *p, *c;
	struct bvm_object *shm;
	uint64_t a, s;
	int fork_done, swapped_off;
	const char *sw1, *sw2;
};

#define SWFP_NA 160      /* anonymous pages */
#define SWFP_NS 32       /* shared-memory pages */

/* one access or call: 0, or the errno the step reports */
static int
swfp_acc(int e, const struct bvm_fault_info *fi)
{
	if (e == EFAULT)
		return fi->error;    /* EIO from a swap read, SIGBUS */
	return e;
}

static int
swfp_step(struct swfp *w, int step)
{
	struct bvm_fault_info fi;
	uint64_t i;
	int e;

	memset(&fi, 0, sizeof(fi));
	switch (step) {
	case 0:         /* anonymous memory, more than the frames */
		for (i = 0; i < SWFP_NA; i++)
			if ((e = swfp_acc(wpage1(w->p, w->a, i, 1, &fi), &fi)))
				return e;
		return 0;
	case 1:         /* shared memory through another vmspace */
		for (i = 0; i < SWFP_NS; i++)
			if ((e = swfp_acc(wpage1(w->p, w->s, i, 2, &fi), &fi)))
				return e;
		return 0;
	case 2:
		if (w->fork_done)
			return 0;
		if ((e = bvm_fork(w->p, &w->c)) == 0)
			w->fork_done = 1;
		return e;
	case 3:         /* the child writes a quarter: copy-on-write */
		for (i = 0; i < SWFP_NA; i += 4)
			if ((e = swfp_acc(wpage1(w->c, w->a, i, 3, &fi), &fi)))
				return e;
		return 0;
	case 4:         /* everything read back, both sides */
		for (i = 0; i < SWFP_NA; i++) {
			if ((e = swfp_acc(cpage1(w->p, w->a, i, 1, &fi), &fi)))
				return e;
			if ((e = swfp_acc(cpage1(w->c, w->a, i,
			    i % 4 == 0 ? 3 : 1, &fi), &fi)))
				return e;
		}
		for (i = 0; i < SWFP_NS; i++)
			if ((e = swfp_acc(cpage1(w->c, w->s, i, 2, &fi), &fi)))
				return e;
		return 0;
	case 5:         /* a second area, then the first goes */
		if (w->swapped_off)
			return 0;
		e = bvm_swapon(w->sys, w->sw2, 1);
		if (e != 0 && e != EBUSY)
			return e;
		if ((e = bvm_swapoff(w->sys, w->sw1)) == 0)
			w->swapped_off = 1;
		return e;
	case 6:         /* and it all reads back again */
		return swfp_step(w, 4);
	}
	return 0;
}
#define SWFP_STEPS 7

/* => whether the nth call of point came */
static int
swfp_run(int point, long n, int *failures)
{
	struct bvm_params par;
	struct swfp w;
	struct bvm_stats st;
	int step, e, want;

	memset(&w, 0, sizeof(w));
	w.sw1 = mkswap("fp1", 512);
	w.sw2 = mkswap("fp2", 512);
	bvm_params_init(&par);
	par.npages = 64;
	/* the checkers run after each failure and at the end, not per op */
	par.flags = BVM_SYS_NOPDAEMON;
	ASSERT_OK(bvm_system_create(&par, &w.sys));
	ASSERT_OK(bvm_swapon(w.sys, w.sw1, 0));
	ASSERT_OK(bvm_vmspace_create(w.sys, &w.p));
	w.a = mapanon(w.p, SWFP_NA, BVM_MAP_PRIVATE);
	ASSERT_OK(bvm_shm_open(w.sys, NULL, 0, &w.shm));
	ASSERT_OK(bvm_object_truncate(w.shm, SWFP_NS * PG));
	ASSERT_OK(bvm_mmap_object(w.p, 0, SWFP_NS * PG, RW, BVM_MAP_SHARED,
	    w.shm, 0, &w.s));
	want = point == BVM_FP_SWAP_READ ? EIO : ENOMEM;
	ASSERT_OK(bvm_failpoint_arm(point, n));
	for (step = 0; step < SWFP_STEPS; step++) {
		e = swfp_step(&w, step);
		if (e == 0)
			continue;
		/* a swap read failing in swap-off is EIO; allocation: ENOMEM */
		if (e != want && !(point == BVM_FP_SWAP_READ && e == ENOMEM))
			bvm_test_fail(__FILE__, __LINE__, "step %d at %s call "
			    "%ld: %s, want %s", step, bvm_failpoint_name(point),
			    n, bvm_errname(e), bvm_errname(want));
		(*failures)++;
		bvm_failpoint_disarm();
		SYSCHECK(w.sys);
		ASSERT_OK(swfp_step(&w, step));        /* and now it works */
	}
	e = bvm_failpoint_calls(point) >= n;
	bvm_failpoint_disarm();
	/* a failed pageout is no error to anyone, but it shows */
	st = tstats(w.sys);
	if (e && point == BVM_FP_SWAP_WRITE)
		ASSERT_EQ(st.swap_errors, 1);   /* its slots went with sw1 */
	if (e && point == BVM_FP_SWAP_ALLOC)
		ASSERT_TRUE(st.pdnoswap > 0);
	/* whatever failed, nothing was lost */
	ASSERT_OK(swfp_step(&w, 4));
	SYSCHECK(w.sys);
	bvm_vmspace_destroy(w.c);
	bvm_vmspace_destroy(w.p);
	bvm_object_release(w.shm);
	st = tstats(w.sys);
	ASSERT_EQ(st.free, 64);
	ASSERT_EQ(st.anons, 0);
	ASSERT_EQ(st.objects, 0);
	ASSERT_EQ(st.swpgonly, 0);
	ASSERT_EQ(st.swpginuse, st.swpgbad);
	SYSCHECK(w.sys);
	bvm_system_destroy(w.sys);
	return e;
}

TEST(swap_failpoints_sweep)
{
	/*
	 * The swap points at every call; the allocation points, which the
	 * main sweep (test_failpoints.c) takes at every call of its own
	 * workload, at every 5th call of this one, paging.
	 */
	static const struct { int point, stride; } points[] = {
		{ BVM_FP_SWAP_READ, 1 }, { BVM_FP_SWAP_WRITE, 1 },
		{ BVM_FP_SWAP_ALLOC, 1 }, { BVM_FP_OBJ_ALLOC, 1 },
		{ BVM_FP_AMAP_ALLOC, 1 }, { BVM_FP_PAGE_ALLOC, 5 },
		{ BVM_FP_ANON_ALLOC, 5 }, { BVM_FP_PV_ALLOC, 5 },
	};
	size_t k;
	long n;
	int failures, calls;

	for (k = 0; k < sizeof(points) / sizeof(points[0]); k++) {
		failures = 0;
		calls = 0;
		for (n = 1; swfp_run(points[k].point, n, &failures);
		    n += points[k].stride)
			calls++;
		/* the swap points are reached; every call may fail */
		ASSERT_TRUE(calls > 0);
		if (getenv("BVM_FP_VERBOSE") != NULL)
			fprintf(stderr, "    %-14s %d calls, %d failures\n",
			    bvm_failpoint_name(points[k].point), calls,
			    failures);
	}
}

/* ---------------------------------------------------------------------
 * Regressions from the review of the paging code.
 * ------------------------------------------------------------------- */

/* a tail zeroed by truncate is not undone by the page's old swap copy */
TEST(swap_truncate_zeroed_tail_survives_pageout)
{
	struct bvm_system *sys = swsys(256, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *h;
	struct bvm_fault_info fi;
	unsigned char buf[2 * BVM_PAGE_SIZE], c;
	uint64_t va, fr;
	int i;

	ASSERT_OK(bvm_swapon(sys, mkswap("ztail", 1024), 0));
	ASSERT_OK(bvm_shm_open(sys, NULL, 0, &h));
	ASSERT_OK(bvm_object_truncate(h, 2 * PG));
	ASSERT_OK(bvm_mmap_object(vm, 0, 2 * PG, RW, BVM_MAP_SHARED, h, 0,
	    &va));
	memset(buf, 0xaa, sizeof(buf));
	ASSERT_OK(bvm_write(vm, va, buf, sizeof(buf), &fi));
	for (i = 0; i < 3; i++)
		ASSERT_OK(bvm_pageout(sys, 1000, &fr));
	ASSERT_EQ(tstats(sys).swpgonly, 2);
	ASSERT_OK(bvm_object_truncate(h, 100));       /* brings page 0 in */
	for (i = 0; i < 3; i++)
		ASSERT_OK(bvm_pageout(sys, 1000, &fr));
	ASSERT_OK(bvm_read(vm, va + 99, &c, 1, &fi));
	ASSERT_EQ(c, 0xaa);
	ASSERT_OK(bvm_read(vm, va + 200, &c, 1, &fi));
	ASSERT_EQ(c, 0);
	ASSERT_OK(bvm_object_truncate(h, 2 * PG));
	for (i = 0; i < 3; i++)
		ASSERT_OK(bvm_pageout(sys, 1000, &fr));
	ASSERT_OK(bvm_read(vm, va + 200, &c, 1, &fi));
	ASSERT_EQ(c, 0);
	ASSERT_OK(bvm_read(vm, va + PG + 5, &c, 1, &fi));
	ASSERT_EQ(c, 0);
	SYSCHECK(sys);
	bvm_object_release(h);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* truncating at a page that is out in swap, with no free frame: it waits */
TEST(swap_truncate_needs_frame_reclaims)
{
	struct bvm_system *sys = swsys(128, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *h;
	struct bvm_fault_info fi;
	unsigned char buf[2 * BVM_PAGE_SIZE], c;
	uint64_t va, vb, fr;
	int i;

	ASSERT_OK(bvm_swapon(sys, mkswap("trnomem", 4096), 0));
	ASSERT_OK(bvm_shm_open(sys, NULL, 0, &h));
	ASSERT_OK(bvm_object_truncate(h, 2 * PG));
	ASSERT_OK(bvm_mmap_object(vm, 0, 2 * PG, RW, BVM_MAP_SHARED, h, 0,
	    &va));
	memset(buf, 0xaa, sizeof(buf));
	ASSERT_OK(bvm_write(vm, va, buf, sizeof(buf), &fi));
	for (i = 0; i < 3; i++)
		ASSERT_OK(bvm_pageout(sys, 1000, &fr));
	vb = mapanon(vm, 1024, BVM_MAP_PRIVATE);
	for (i = 0; i < 1024 && tstats(sys).free > 0; i++)
		ASSERT_OK(bvm_write(vm, vb + (uint64_t)i * PG, "x", 1, &fi));
	ASSERT_EQ(tstats(sys).free, 0);
	ASSERT_OK(bvm_object_truncate(h, 100));
	ASSERT_OK(bvm_read(vm, va + 50, &c, 1, &fi));
	ASSERT_EQ(c, 0xaa);
	ASSERT_OK(bvm_read(vm, va + 150, &c, 1, &fi));
	ASSERT_EQ(c, 0);
	SYSCHECK(sys);
	bvm_object_release(h);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* a bad read-ahead slot does not fail the faulting page */
TEST(swap_readahead_error_faulting_page_still_read)
{
	struct bvm_system *sys = swsys(128, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	uint64_t va, fr;

	ASSERT_OK(bvm_swapon(sys, mkswap("ra", 1024), 0));
	va = mapanon(vm, 64, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 64, 95, &fi));
	ASSERT_OK(bvm_pageout(sys, 128, &fr));
	ASSERT_OK(bvm_pageout(sys, 128, &fr));
	ASSERT_EQ(tstats(sys).swpgonly, 64);
	/* the clustered read fails; the page alone is read again */
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_SWAP_READ, 1));
	ASSERT_OK(cpage1(vm, va, 10, 95, &fi));
	bvm_failpoint_disarm();
	ASSERT_EQ(tstats(sys).swap_errors, 1);
	ASSERT_OK(cpages(vm, va, 64, 95, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* page out every page of a system until n live only in swap */
static void
pageout_all(struct bvm_system *sys, uint64_t n)
{
	uint64_t fr;
	int i;

	for (i = 0; i < 8 && tstats(sys).swpgonly < n; i++)
		ASSERT_OK(bvm_pageout(sys, n, &fr));
	ASSERT_EQ(tstats(sys).swpgonly, n);
}

/* read one word of page i; => the swap reads it took */
static uint64_t
touch(struct bvm_system *sys, struct bvm_vmspace *vm, uint64_t va,
    uint64_t i, uint64_t seed)
{
	struct bvm_fault_info fi;
	uint64_t w, before = tstats(sys).swapins;

	ASSERT_OK(bvm_read(vm, va + i * PG, &w, sizeof(w), &fi));
	ASSERT_EQ(w, pat(seed, i));
	return tstats(sys).swapins - before;
}

/*
 * A sequential pass over memory paged out in order: the read-ahead starts
 * at 16 pages and doubles at each fault where the last one ended (16, 32,
 * 64, 128, then 256 a read), and the pages read ahead are mapped, so each
 * read costs one fault.
 */
TEST(swap_readahead_grows_while_sequential)
{
	struct bvm_system *sys = swsys(2048, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	struct bvm_stats s0, s1;
	uint64_t va, i;

	ASSERT_OK(bvm_swapon(sys, mkswap("seq", 4096), 0));
	va = mapanon(vm, 1024, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 1024, 96, &fi));
	pageout_all(sys, 1024);
	s0 = tstats(sys);
	for (i = 0; i < 1024; i++)
		(void)touch(sys, vm, va, i, 96);
	s1 = tstats(sys);
	/* 16 + 32 + 64 + 128 + 256 + 256 + 256 + 16 */
	ASSERT_EQ(s1.swapins - s0.swapins, 8);
	ASSERT_EQ(s1.pswpin - s0.pswpin, 1024);
	ASSERT_EQ(s1.faults - s0.faults, 8);
	ASSERT_EQ(s1.swpgonly, 0);
	ASSERT_OK(cpages(vm, va, 1024, 96, &fi));
	ASSERT_EQ(tstats(sys).faults, s1.faults);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* a fault anywhere else starts again at 16; advice sets the size */
TEST(swap_readahead_resets_and_follows_advice)
{
	struct bvm_system *sys = swsys(2048, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	uint64_t va, in0;

	ASSERT_OK(bvm_swapon(sys, mkswap("adv", 4096), 0));
	va = mapanon(vm, 1024, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 1024, 97, &fi));
	pageout_all(sys, 1024);
	in0 = tstats(sys).pswpin;
	ASSERT_EQ(touch(sys, vm, va, 500, 97), 1);     /* 500..515 */
	ASSERT_EQ(tstats(sys).pswpin - in0, 16);
	ASSERT_EQ(touch(sys, vm, va, 100, 97), 1);     /* elsewhere: 16 */
	ASSERT_EQ(tstats(sys).pswpin - in0, 32);
	ASSERT_EQ(touch(sys, vm, va, 116, 97), 1);     /* where it ended */
	ASSERT_EQ(tstats(sys).pswpin - in0, 64);       /* 116..147 */
	ASSERT_EQ(touch(sys, vm, va, 147, 97), 0);     /* read and mapped */
	/* MADV_RANDOM: the page alone */
	ASSERT_OK(bvm_madvise(vm, va + 600 * PG, 100 * PG, BVM_MADV_RANDOM));
	ASSERT_EQ(touch(sys, vm, va, 620, 97), 1);
	ASSERT_EQ(tstats(sys).pswpin - in0, 65);
	ASSERT_EQ(touch(sys, vm, va, 621, 97), 1);
	ASSERT_EQ(tstats(sys).pswpin - in0, 66);
	/* MADV_SEQUENTIAL: a whole cluster, up to the end of the entry */
	ASSERT_OK(bvm_madvise(vm, va + 700 * PG, 324 * PG,
	    BVM_MADV_SEQUENTIAL));
	ASSERT_EQ(touch(sys, vm, va, 700, 97), 1);     /* 700..955 */
	ASSERT_EQ(tstats(sys).pswpin - in0, 322);
	ASSERT_EQ(touch(sys, vm, va, 955, 97), 0);
	ASSERT_EQ(touch(sys, vm, va, 956, 97), 1);     /* 956..1023 */
	ASSERT_EQ(tstats(sys).pswpin - in0, 390);
	ASSERT_OK(cpages(vm, va, 1024, 97, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/*
 * Pages read ahead and mapped in a forked child are still copy-on-write:
 * its store into one of them copies, and the parent keeps its data.
 */
TEST(swap_readahead_mapped_pages_stay_cow)
{
	struct bvm_system *sys = swsys(512, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_fault_info fi;
	uint64_t va, w = 0x5eed, acow;

	ASSERT_OK(bvm_swapon(sys, mkswap("cow", 1024), 0));
	va = mapanon(vm, 64, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 64, 98, &fi));
	ASSERT_OK(bvm_fork(vm, &child));
	pageout_all(sys, 64);
	ASSERT_EQ(touch(sys, child, va, 0, 98), 1);    /* 0..15, mapped */
	acow = tstats(sys).flt_acow;
	ASSERT_OK(bvm_write(child, va + 5 * PG, &w, sizeof(w), &fi));
	ASSERT_EQ(tstats(sys).flt_acow, acow + 1);
	ASSERT_OK(cpages(vm, va, 64, 98, &fi));
	w = 0;
	ASSERT_OK(bvm_read(child, va + 5 * PG, &w, sizeof(w), &fi));
	ASSERT_EQ(w, 0x5eed);
	ASSERT_OK(cpage1(child, va, 4, 98, &fi));
	ASSERT_OK(cpage1(child, va, 6, 98, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/*
 * Stale slots freed in runs at pageout must not run from one area into the
 * next (slot numbers are continuous across areas; a review found a run
 * freed past an area's end: a panic in debug builds, memory overwritten in
 * release ones).  Two 16-slot areas filled by one pageout, then each page
 * read back alone, rewritten, and paged out to a third area: its 32 stale
 * slots are consecutive numbers in two areas.
 */
TEST(swap_stale_slot_runs_stop_at_area_end)
{
	struct bvm_system *sys = swsys(1024, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	uint64_t va, i, fr;

	ASSERT_OK(bvm_swapon(sys, mkswap("sa", 16), 0));
	ASSERT_OK(bvm_swapon(sys, mkswap("sb", 16), 0));
	va = mapanon(vm, 32, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 32, 99, &fi));
	pageout_all(sys, 32);
	ASSERT_EQ(tstats(sys).swpginuse, 32);
	ASSERT_OK(bvm_swapon(sys, mkswap("sc", 1024), 0));
	ASSERT_OK(bvm_madvise(vm, va, 32 * PG, BVM_MADV_RANDOM));
	for (i = 0; i < 32; i++)
		ASSERT_EQ(touch(sys, vm, va, i, 99), 1);
	ASSERT_OK(wpages(vm, va, 32, 100, &fi));
	for (i = 0; i < 8 && tstats(sys).swpgonly < 32; i++)
		ASSERT_OK(bvm_pageout(sys, 32, &fr));
	ASSERT_EQ(tstats(sys).swpgonly, 32);
	ASSERT_EQ(tstats(sys).swpginuse, 32);   /* the old 32 all freed */
	SYSCHECK(sys);
	ASSERT_OK(cpages(vm, va, 32, 100, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(tstats(sys).swpginuse, 0);
	bvm_system_destroy(sys);
}

/*
 * Read-ahead pages mapped in a forked child of a private file mapping:
 * its store copies them, the parent's data and the file's stay.
 */
TEST(swap_readahead_mapped_private_file_stays_cow)
{
	struct bvm_system *sys = swsys(512, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_fault_info fi;
	const char *path = sw_path("private-ra");
	uint64_t va, w = 0x5eed;
	int fd;

	ASSERT_OK(bvm_swapon(sys, mkswap("pra", 1024), 0));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(ftruncate(fd, (off_t)(64 * PG)), 0);
	ASSERT_OK(bvm_mmap(vm, 0, 64 * PG, RW, BVM_MAP_PRIVATE, fd, 0, &va));
	ASSERT_OK(wpages(vm, va, 64, 101, &fi));
	ASSERT_OK(bvm_fork(vm, &child));
	pageout_all(sys, 64);
	ASSERT_EQ(touch(sys, child, va, 0, 101), 1);   /* 16 read, mapped */
	ASSERT_OK(bvm_write(child, va + 5 * PG, &w, sizeof(w), &fi));
	SYSCHECK(sys);
	ASSERT_OK(cpages(vm, va, 64, 101, &fi));
	ASSERT_OK(bvm_write(vm, va + 25 * PG, &w, sizeof(w), &fi));
	ASSERT_OK(cpage1(child, va, 25, 101, &fi));
	w = 0;
	ASSERT_OK(bvm_read(child, va + 5 * PG, &w, sizeof(w), &fi));
	ASSERT_EQ(w, 0x5eed);
	SYSCHECK(sys);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	close(fd);
	bvm_system_destroy(sys);
}

/* advice other than NORMAL leaves no sequential state behind */
TEST(swap_readahead_after_random_starts_at_16)
{
	struct bvm_system *sys = swsys(1024, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	uint64_t va, in0;

	ASSERT_OK(bvm_swapon(sys, mkswap("rn", 1024), 0));
	va = mapanon(vm, 256, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 256, 102, &fi));
	pageout_all(sys, 256);
	ASSERT_OK(bvm_madvise(vm, va, 256 * PG, BVM_MADV_RANDOM));
	in0 = tstats(sys).pswpin;
	ASSERT_EQ(touch(sys, vm, va, 10, 102), 1);
	ASSERT_EQ(tstats(sys).pswpin - in0, 1);
	ASSERT_OK(bvm_madvise(vm, va, 256 * PG, BVM_MADV_NORMAL));
	ASSERT_EQ(touch(sys, vm, va, 11, 102), 1);     /* where it ended */
	ASSERT_EQ(tstats(sys).pswpin - in0, 17);       /* 16, not 2 */
	ASSERT_OK(cpages(vm, va, 256, 102, &fi));
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* bvm_regions counts, per region, the anons whose only copy is in swap */
static int
region_swapped(const struct bvm_region *r, void *arg)
{
	uint64_t *out = arg;

	out[0] += r->anons;
	out[1] += r->swapped;
	return 0;
}

TEST(swap_regions_count_swapped_anons)
{
	struct bvm_system *sys = swsys(512, BVM_SYS_NOPDAEMON);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	uint64_t va, c[2] = { 0, 0 };

	ASSERT_OK(bvm_swapon(sys, mkswap("rg", 1024), 0));
	va = mapanon(vm, 64, BVM_MAP_PRIVATE);
	ASSERT_OK(wpages(vm, va, 64, 103, &fi));
	ASSERT_OK(bvm_regions(vm, region_swapped, c));
	ASSERT_EQ(c[0], 64);
	ASSERT_EQ(c[1], 0);
	pageout_all(sys, 64);
	c[0] = c[1] = 0;
	ASSERT_OK(bvm_regions(vm, region_swapped, c));
	ASSERT_EQ(c[0], 64);
	ASSERT_EQ(c[1], 64);
	ASSERT_OK(bvm_madvise(vm, va, 64 * PG, BVM_MADV_RANDOM));
	ASSERT_EQ(touch(sys, vm, va, 3, 103), 1);      /* one page back in */
	c[0] = c[1] = 0;
	ASSERT_OK(bvm_regions(vm, region_swapped, c));
	ASSERT_EQ(c[1], 63);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
