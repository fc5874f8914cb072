/*
 * test_msync.c: bvm_msync: OpenBSD's argument checks and their order
 * (flags, then wrap, then holes, then MS_INVALIDATE over wired memory),
 * anonymous memory (accepted; MS_INVALIDATE keeps it: OpenBSD only
 * deactivates anonymous pages), MS_INVALIDATE keeping a private file
 * mapping's copies (no discarding through copy-on-write), MS_SYNC and
 * MS_ASYNC writing a shared file mapping's modified pages (and only those)
 * to the host file with the counters, MS_INVALIDATE on a shared file
 * mapping (written first, then read again), ALIGN_ADDR rounding, len 0.
 *
 * Host files live in a mkdtemp() directory under /tmp.  A file made by
 * mkfile(..., base, seed) holds api_pat(base + off, seed) at off, so a
 * mapping of it at base checks with VERIFY(vm, base, len, seed).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot.h"

#define MA 0x30000000ULL
#define MB 0x38000000ULL
#define MAXU BVM_VM_MAXUSER_ADDRESS

struct tfiles {
	char dir[64];
	char path[8][96];
	int fd[8];
	int n;
};

/* directories left by failed tests (a failure skips tf_fini): at exit */
static char tf_left[32][64];
static int tf_nleft;

static void
tf_rmdir(const char *dir)
{
	char p[sizeof(tf_left[0]) + 300];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static void
tf_atexit(void)
{
	int i;

	for (i = 0; i < tf_nleft; i++)
		tf_rmdir(tf_left[i]);
}

static void
tf_init(struct tfiles *tf)
{
	memset(tf, 0, sizeof(*tf));
	snprintf(tf->dir, sizeof(tf->dir), "/tmp/bvm_msync.XXXXXX");
	if (mkdtemp(tf->dir) == NULL)
		bvm_test_fail(__FILE__, __LINE__, "mkdtemp: %s",
		    strerror(errno));
	if (tf_nleft == 0)
		atexit(tf_atexit);
	if (tf_nleft < 32)
		snprintf(tf_left[tf_nleft++], sizeof(tf_left[0]), "%s",
		    tf->dir);
}

/* A file of size bytes, api_pat(base + off, seed); => fd, O_RDWR. */
static int
mkfile(struct tfiles *tf, uint64_t size, uint64_t base, unsigned seed)
{
	char dir[sizeof(tf->dir)];
	unsigned char *buf;
	uint64_t i;
	int fd;

	if (tf->n == 8)
		bvm_test_fail(__FILE__, __LINE__, "too many files");
	/* (a copy of dir: -O3 cannot tell the two arrays apart) */
	memcpy(dir, tf->dir, sizeof(dir));
	snprintf(tf->path[tf->n], sizeof(tf->path[0]), "%s/f%d", dir, tf->n);
	fd = open(tf->path[tf->n], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		bvm_test_fail(__FILE__, __LINE__, "open: %s",
		    strerror(errno));
	buf = malloc(size + 1);
	for (i = 0; i < size; i++)
		buf[i] = api_pat(base + i, seed);
	if (size > 0 && pwrite(fd, buf, size, 0) != (ssize_t)size)
		bvm_test_fail(__FILE__, __LINE__, "pwrite: %s",
		    strerror(errno));
	free(buf);
	tf->fd[tf->n++] = fd;
	return fd;
}

static void
tf_fini(struct tfiles *tf)
{
	int i;

	for (i = 0; i < tf->n; i++) {
		close(tf->fd[i]);
		unlink(tf->path[i]);
	}
	rmdir(tf->dir);
}

/* The host file holds api_pat(base + off, seed) in [off, off+len). */
static void
fverify_at(int fd, uint64_t off, uint64_t len, uint64_t base, unsigned seed,
    const char *file, int line)
{
	unsigned char *buf = malloc(len);
	uint64_t i;
	ssize_t n;

	n = pread(fd, buf, len, (off_t)off);
	if (n != (ssize_t)len) {
		free(buf);
		bvm_test_fail(file, line, "pread %llu at %llu: %zd",
		    (unsigned long long)len, (unsigned long long)off, n);
	}
	for (i = 0; i < len; i++)
		if (buf[i] != api_pat(base + off + i, seed)) {
			unsigned char b = buf[i];

			free(buf);
			bvm_test_fail(file, line, "file byte %llu is 0x%02x, "
			    "want 0x%02x (seed %u)",
			    (unsigned long long)(off + i), b,
			    api_pat(base + off + i, seed), seed);
		}
	free(buf);
}
#define FVERIFY(fd, off, len, base, seed) \
	fverify_at((fd), (off), (len), (base), (seed), __FILE__, __LINE__)

static int
fbyte(int fd, uint64_t off)
{
	unsigned char b;

	if (pread(fd, &b, 1, (off_t)off) != 1)
		return -1;
	return b;
}

static uint64_t
fsize(int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) != 0)
		return (uint64_t)-1;
	return (uint64_t)sb.st_size;
}

static uint64_t
fmap_at(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int prot,
    int flags, int fd, int64_t off, const char *file, int line)
{
	uint64_t va = 0xdeadbeef;
	int error;

	error = bvm_mmap(vm, addr, len, prot, flags, fd, off, &va);
	if (error != 0)
		bvm_test_fail(file, line, "mmap fd %d (0x%llx, 0x%llx, %d, "
		    "0x%x): %s", fd, (unsigned long long)addr,
		    (unsigned long long)len, prot, flags, bvm_errname(error));
	if ((flags & BVM_MAP_FIXED) && va != addr)
		bvm_test_fail(file, line, "mmap FIXED 0x%llx returned 0x%llx",
		    (unsigned long long)addr, (unsigned long long)va);
	return va;
}
#define FMAP(vm, addr, len, prot, flags, fd) \
	fmap_at((vm), (addr), (len), (prot), (flags), (fd), 0, \
	    __FILE__, __LINE__)

#define SHFIX (BVM_MAP_SHARED | BVM_MAP_FIXED)
#define PRFIX (BVM_MAP_PRIVATE | BVM_MAP_FIXED)
#define ASYNC BVM_MS_ASYNC
#define SYNC BVM_MS_SYNC
#define INVAL BVM_MS_INVALIDATE

/* The flags are checked first, whatever the range. */
TEST(msync_flags_einval)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_msync(w.vm, W_A, 4 * PG, 0), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A, 4 * PG, 0x8), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A, 4 * PG, SYNC | 0x8), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A, 4 * PG, ASYNC | 0x100), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A, 4 * PG, INVAL | 0x10), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A, 4 * PG, -1), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A, 4 * PG, (int)0x80000002u), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A, 4 * PG, ASYNC | SYNC), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A, 4 * PG, ASYNC | SYNC | INVAL),
	    EINVAL);
	/* before the range checks: unmapped, wrapping, wired */
	ASSERT_ERR(bvm_msync(w.vm, 0x70000000, PG, ASYNC | SYNC), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, 0x70000000, PG, 0), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A + 4 * PG, PG, 0x8), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A, UINT64_MAX, 0), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A, UINT64_MAX, 0x8), EINVAL);
	WORLD_SAME(&w);
	/* ASYNC|SYNC on a hole is EINVAL, not EFAULT */
	ASSERT_ERR(bvm_msync(w.vm, W_A + 4 * PG, PG, ASYNC | SYNC), EINVAL);
	ASSERT_OK(bvm_mlock(w.vm, W_A, PG));
	ASSERT_ERR(bvm_msync(w.vm, W_A, PG, ASYNC | SYNC | INVAL), EINVAL);
	ASSERT_OK(bvm_munlock(w.vm, W_A, PG));
	/* each valid flag on its own, and with INVALIDATE */
	ASSERT_OK(bvm_msync(w.vm, W_B, 2 * PG, SYNC));
	ASSERT_OK(bvm_msync(w.vm, W_B, 2 * PG, ASYNC));
	ASSERT_OK(bvm_msync(w.vm, W_C, 3 * PG, INVAL));
	ASSERT_OK(bvm_msync(w.vm, W_C, 3 * PG, SYNC | INVAL));
	ASSERT_OK(bvm_msync(w.vm, W_C, 3 * PG, ASYNC | INVAL));
	VERIFY(w.vm, W_A, 4 * PG, 1);
	CHECK(w.vm);
	api_world_fini(&w);
}

/* Then the range: wrapping is EINVAL, holes EFAULT, nothing done. */
TEST(msync_range_wrap_and_holes)
{
	struct api_world w;

	WORLD_INIT(&w);
	/* wraps: after rounding, or addr + len past the top */
	ASSERT_ERR(bvm_msync(w.vm, W_A, UINT64_MAX, SYNC), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A, UINT64_MAX - PG + 2, SYNC), EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A, UINT64_MAX - W_A + PG, SYNC),
	    EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, W_A + 100, UINT64_MAX - 50, INVAL),
	    EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, 0xfffffffffffff000ULL, 2 * PG, SYNC),
	    EINVAL);
	ASSERT_ERR(bvm_msync(w.vm, 0xfffffffffffff000ULL, 2 * PG, INVAL),
	    EINVAL);
	WORLD_SAME(&w);
	/* holes: anywhere in the range */
	ASSERT_ERR(bvm_msync(w.vm, W_A, 5 * PG, SYNC), EFAULT);
	ASSERT_ERR(bvm_msync(w.vm, W_A + 4 * PG, PG, SYNC), EFAULT);
	ASSERT_ERR(bvm_msync(w.vm, W_A - PG, 2 * PG, SYNC), EFAULT);
	ASSERT_ERR(bvm_msync(w.vm, W_A + 3 * PG, W_B - W_A - 2 * PG, ASYNC),
	    EFAULT);
	ASSERT_ERR(bvm_msync(w.vm, W_A, W_END - W_A, SYNC), EFAULT);
	ASSERT_ERR(bvm_msync(w.vm, 0x70000000, PG, SYNC), EFAULT);
	ASSERT_ERR(bvm_msync(w.vm, W_C, MAXU - W_C + PG, SYNC), EFAULT);
	/* MS_INVALIDATE over a hole discards nothing */
	ASSERT_ERR(bvm_msync(w.vm, W_A, 5 * PG, INVAL), EFAULT);
	ASSERT_ERR(bvm_msync(w.vm, W_A - PG, 5 * PG, SYNC | INVAL), EFAULT);
	ASSERT_ERR(bvm_msync(w.vm, W_A, W_B + 2 * PG - W_A, INVAL), EFAULT);
	WORLD_SAME(&w);
	/* but the mapped ranges are fine */
	ASSERT_OK(bvm_msync(w.vm, W_A, 4 * PG, SYNC));
	ASSERT_OK(bvm_msync(w.vm, W_A + PG, 2 * PG, ASYNC));
	ASSERT_OK(bvm_msync(w.vm, W_B, 2 * PG, SYNC));
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* Adjacent entries without a hole between them are one range. */
TEST(msync_adjacent_entries)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);

	MAP(vm, MA, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, MA + 2 * PG, 2 * PG, RW, ANONSHARED | BVM_MAP_FIXED);
	ASSERT_OK(bvm_mprotect(vm, MA + PG, PG, RO));
	FILL(vm, MA + 2 * PG, 2 * PG, 3);
	ASSERT_EQ(api_nregions(vm), 3);
	ASSERT_OK(bvm_msync(vm, MA, 4 * PG, SYNC));
	ASSERT_OK(bvm_msync(vm, MA + 100, 4 * PG - 200, ASYNC));
	ASSERT_ERR(bvm_msync(vm, MA, 5 * PG, SYNC), EFAULT);
	VERIFY(vm, MA + 2 * PG, 2 * PG, 3);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* MS_INVALIDATE over wired memory: EBUSY; after the hole check. */
TEST(msync_invalidate_wired_ebusy)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;

	MAP(vm, MA, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, MA, 4 * PG, 4);
	ASSERT_OK(bvm_mlock(vm, MA + PG, 2 * PG));
	s0 = tstats(sys);
	ASSERT_ERR(bvm_msync(vm, MA, 4 * PG, INVAL), EBUSY);
	ASSERT_ERR(bvm_msync(vm, MA, 4 * PG, SYNC | INVAL), EBUSY);
	ASSERT_ERR(bvm_msync(vm, MA + PG, PG, ASYNC | INVAL), EBUSY);
	/* nothing discarded, not even the unwired page before */
	VERIFY(vm, MA, 4 * PG, 4);
	s1 = tstats(sys);
	ASSERT_EQ(s1.anons, s0.anons);
	ASSERT_EQ(s1.free, s0.free);
	/* a hole before the wired entry: EFAULT */
	ASSERT_ERR(bvm_msync(vm, MA - PG, 2 * PG + 1, INVAL), EFAULT);
	ASSERT_ERR(bvm_msync(vm, MA - PG, 5 * PG, INVAL), EFAULT);
	/* without MS_INVALIDATE wired memory is fine */
	ASSERT_OK(bvm_msync(vm, MA, 4 * PG, SYNC));
	ASSERT_OK(bvm_msync(vm, MA, 4 * PG, ASYNC));
	/* only the unwired entry in the range: accepted (and kept) */
	ASSERT_OK(bvm_msync(vm, MA, PG, INVAL));
	VERIFY(vm, MA, 4 * PG, 4);
	/* mlockall'd too */
	ASSERT_OK(bvm_munlock(vm, MA + PG, 2 * PG));
	ASSERT_OK(bvm_msync(vm, MA + 3 * PG, PG, INVAL));
	VERIFY(vm, MA, 4 * PG, 4);
	ASSERT_OK(bvm_setrlimit(vm, BVM_RLIMIT_MEMLOCK, BVM_RLIM_INFINITY));
	ASSERT_OK(bvm_mlockall(vm, BVM_MCL_CURRENT));
	ASSERT_ERR(bvm_msync(vm, MA + 3 * PG, PG, INVAL), EBUSY);
	ASSERT_OK(bvm_munlockall(vm));
	VERIFY(vm, MA + PG, 2 * PG, 4);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/*
 * Anonymous memory: accepted, kept, even by MS_INVALIDATE (OpenBSD's
 * uvm_map_clean only deactivates anonymous pages for msync; madvise FREE
 * is what discards them).
 */
TEST(msync_anonymous_memory)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;

	MAP(vm, MA, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, MB, 2 * PG, RW, ANONSHARED | BVM_MAP_FIXED);
	FILL(vm, MA, 4 * PG, 1);
	FILL(vm, MB, 2 * PG, 2);
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(vm, MA, 4 * PG, SYNC));
	ASSERT_OK(bvm_msync(vm, MA, 4 * PG, ASYNC));
	ASSERT_OK(bvm_msync(vm, MB, 2 * PG, SYNC));
	ASSERT_OK(bvm_msync(vm, MB, 2 * PG, ASYNC));
	s1 = tstats(sys);
	ASSERT_EQ(s1.msync_calls, s0.msync_calls + 4);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout);
	ASSERT_EQ(s1.pageouts, s0.pageouts);
	ASSERT_EQ(s1.anons, s0.anons);
	VERIFY(vm, MA, 4 * PG, 1);
	VERIFY(vm, MB, 2 * PG, 2);
	/* MS_INVALIDATE: the pages are deactivated, their data kept */
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(vm, MA + PG, 2 * PG, INVAL));
	ASSERT_OK(bvm_msync(vm, MB, 2 * PG, SYNC | INVAL));
	s1 = tstats(sys);
	ASSERT_EQ(s1.anons, s0.anons);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.inactive, s0.inactive + 4);
	VERIFY(vm, MA, 4 * PG, 1);
	VERIFY(vm, MB, 2 * PG, 2);
	ASSERT_OK(bvm_msync(vm, MA + 3 * PG, PG, ASYNC | INVAL));
	VERIFY(vm, MA, 4 * PG, 1);
	/* still writable memory */
	FILL(vm, MA + PG, PG, 5);
	VERIFY(vm, MA + PG, PG, 5);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/*
 * A private file mapping: MS_INVALIDATE keeps the copies (OpenBSD neither
 * discards anonymous pages for msync nor flushes an object through a
 * copy-on-write mapping).
 */
TEST(msync_invalidate_private_file)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	struct tfiles tf;
	int fd;

	tf_init(&tf);
	fd = mkfile(&tf, 4 * PG, MA, 1);
	FMAP(vm, MA, 4 * PG, RW, PRFIX, fd);
	VERIFY(vm, MA, 4 * PG, 1);
	s0 = tstats(sys);
	FILL(vm, MA + PG, 2 * PG, 2);
	s1 = tstats(sys);
	ASSERT_EQ(s1.flt_prcopy, s0.flt_prcopy + 2);
	ASSERT_EQ(s1.anons, s0.anons + 2);
	VERIFY(vm, MA + PG, 2 * PG, 2);
	/* MS_SYNC: private stores never reach the file */
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(vm, MA, 4 * PG, SYNC));
	s1 = tstats(sys);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout);
	FVERIFY(fd, 0, 4 * PG, MA, 1);
	VERIFY(vm, MA + PG, 2 * PG, 2);
	/* MS_INVALIDATE: the copies stay, the file is untouched */
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(vm, MA, 4 * PG, INVAL));
	s1 = tstats(sys);
	ASSERT_EQ(s1.anons, s0.anons);
	ASSERT_EQ(s1.obj_pages, s0.obj_pages);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout);
	VERIFY(vm, MA, PG, 1);
	VERIFY(vm, MA + PG, 2 * PG, 2);
	VERIFY(vm, MA + 3 * PG, PG, 1);
	FVERIFY(fd, 0, 4 * PG, MA, 1);
	/* again, with SYNC|INVALIDATE, over part of the range */
	FILL(vm, MA, 4 * PG, 3);
	ASSERT_OK(bvm_msync(vm, MA + 2 * PG, PG, SYNC | INVAL));
	VERIFY(vm, MA, 4 * PG, 3);
	/* madvise FREE is what discards private copies */
	ASSERT_OK(bvm_madvise(vm, MA + 2 * PG, PG, BVM_MADV_FREE));
	VERIFY(vm, MA, 2 * PG, 3);
	VERIFY(vm, MA + 2 * PG, PG, 1);
	VERIFY(vm, MA + 3 * PG, PG, 3);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	FVERIFY(fd, 0, 4 * PG, MA, 1);
	ASSERT_EQ(fsize(fd), 4 * PG);
	ASSERT_EQ(tstats(sys).objects, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	tf_fini(&tf);
}

/* MS_SYNC writes the modified pages of a shared mapping, only those. */
TEST(msync_sync_writes_shared_file)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	struct tfiles tf;
	int fd;

	tf_init(&tf);
	fd = mkfile(&tf, 4 * PG, MA, 1);
	FMAP(vm, MA, 4 * PG, RW, SHFIX, fd);
	VERIFY(vm, MA + 3 * PG, PG, 1);      /* page 3: read, clean */
	FILL(vm, MA, 3 * PG, 2);             /* pages 0-2: modified */
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(vm, MA, 4 * PG, SYNC));
	s1 = tstats(sys);
	ASSERT_EQ(s1.msync_calls, s0.msync_calls + 1);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout + 3);
	ASSERT_TRUE(s1.pageouts >= s0.pageouts + 1);
	ASSERT_TRUE(s1.pageouts <= s0.pageouts + 3);
	ASSERT_EQ(s1.pager_errors, s0.pager_errors);
	FVERIFY(fd, 0, 3 * PG, MA, 2);
	FVERIFY(fd, 3 * PG, PG, MA, 1);
	ASSERT_EQ(fsize(fd), 4 * PG);
	VERIFY(vm, MA, 3 * PG, 2);
	/* clean now: nothing more to write */
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(vm, MA, 4 * PG, SYNC));
	s1 = tstats(sys);
	ASSERT_EQ(s1.msync_calls, s0.msync_calls + 1);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout);
	ASSERT_EQ(s1.pageouts, s0.pageouts);
	/* one more store, one more page */
	ASSERT_OK(tpoke(vm, MA + 3 * PG + 9, 0x99));
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(vm, MA, 4 * PG, SYNC));
	s1 = tstats(sys);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout + 1);
	ASSERT_EQ(s1.pageouts, s0.pageouts + 1);
	ASSERT_EQ(fbyte(fd, 3 * PG + 9), 0x99);
	FVERIFY(fd, 3 * PG, 9, MA, 1);
	FVERIFY(fd, 3 * PG + 10, PG - 10, MA, 1);
	/* a range over part of the mapping writes only that part */
	ASSERT_OK(tpoke(vm, MA + 5, 0x55));
	ASSERT_OK(tpoke(vm, MA + 2 * PG + 5, 0x56));
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(vm, MA + 2 * PG, PG, SYNC));
	s1 = tstats(sys);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout + 1);
	ASSERT_EQ(fbyte(fd, 2 * PG + 5), 0x56);
	ASSERT_OK(bvm_msync(vm, MA, PG, SYNC));
	ASSERT_EQ(tstats(sys).pgpgout, s0.pgpgout + 2);
	ASSERT_EQ(fbyte(fd, 5), 0x55);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(tstats(sys).objects, 0);
	ASSERT_EQ(tstats(sys).obj_pages, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	tf_fini(&tf);
}

/* MS_ASYNC writes too; one object per file, whoever stored. */
TEST(msync_async_writes_shared_file)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *v1 = tvm(sys), *v2 = tvm(sys);
	struct bvm_stats s0, s1;
	struct tfiles tf;
	int fd, fd2;

	tf_init(&tf);
	fd = mkfile(&tf, 2 * PG, MA, 1);
	fd2 = open(tf.path[0], O_RDWR);
	ASSERT_TRUE(fd2 >= 0);
	FMAP(v1, MA, 2 * PG, RW, SHFIX, fd);
	FMAP(v2, MA, 2 * PG, RW, SHFIX, fd2);
	FILL(v1, MA + PG, PG, 2);
	VERIFY(v2, MA + PG, PG, 2);            /* the same pages */
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(v1, MA, 2 * PG, ASYNC));
	s1 = tstats(sys);
	ASSERT_EQ(s1.msync_calls, s0.msync_calls + 1);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout + 1);
	ASSERT_EQ(s1.pageouts, s0.pageouts + 1);
	FVERIFY(fd, 0, PG, MA, 1);
	FVERIFY(fd, PG, PG, MA, 2);
	/* v2 stores, v2 never wrote before: its msync writes them */
	FILL(v2, MA, PG, 3);
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(v2, MA, 2 * PG, ASYNC));
	s1 = tstats(sys);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout + 1);
	FVERIFY(fd2, 0, PG, MA, 3);
	/* v1's msync writes v2's stores as well: one object */
	FILL(v2, MA + PG, PG, 4);
	ASSERT_OK(bvm_msync(v1, MA + PG, PG, ASYNC));
	FVERIFY(fd, PG, PG, MA, 4);
	VERIFY(v1, MA, PG, 3);
	ASSERT_EQ(tstats(sys).vnodes, 1);
	CHECK(v1);
	CHECK(v2);
	bvm_vmspace_destroy(v1);
	bvm_vmspace_destroy(v2);
	close(fd2);
	ASSERT_EQ(tstats(sys).vnodes, 0);
	ASSERT_EQ(tstats(sys).objects, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	tf_fini(&tf);
}

/* MS_INVALIDATE on a shared mapping: written first, then read again. */
TEST(msync_invalidate_shared_file)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *v1 = tvm(sys), *v2 = tvm(sys);
	struct bvm_stats s0, s1, s2;
	struct tfiles tf;
	int fd;

	tf_init(&tf);
	fd = mkfile(&tf, 2 * PG, MA, 1);
	s0 = tstats(sys);
	FMAP(v1, MA, 2 * PG, RW, SHFIX, fd);
	FMAP(v2, MA, 2 * PG, RW, SHFIX, fd);
	FILL(v1, MA, 2 * PG, 2);
	VERIFY(v2, MA, 2 * PG, 2);
	ASSERT_EQ(tstats(sys).obj_pages, s0.obj_pages + 2);
	s1 = tstats(sys);
	ASSERT_OK(bvm_msync(v1, MA, 2 * PG, INVAL));
	s2 = tstats(sys);
	ASSERT_EQ(s2.pgpgout, s1.pgpgout + 2);      /* written first */
	ASSERT_EQ(s2.obj_pages, s0.obj_pages);      /* then discarded */
	ASSERT_EQ(s2.free, s1.free + 2);
	FVERIFY(fd, 0, 2 * PG, MA, 2);
	/* the next access reads the file again */
	VERIFY(v1, MA, 2 * PG, 2);
	s1 = tstats(sys);
	ASSERT_EQ(s1.pgpgin, s2.pgpgin + 2);
	ASSERT_TRUE(s1.pageins >= s2.pageins + 1);
	ASSERT_EQ(s1.obj_pages, s0.obj_pages + 2);
	/* the other vmspace sees the same new pages, both ways */
	VERIFY(v2, MA, 2 * PG, 2);
	ASSERT_OK(tpoke(v2, MA + PG + 3, 0x33));
	ASSERT_EQ(tpeek(v1, MA + PG + 3), 0x33);
	ASSERT_OK(tpoke(v1, MA + 4, 0x44));
	ASSERT_EQ(tpeek(v2, MA + 4), 0x44);
	/* ASYNC|INVALIDATE from the other side */
	s1 = tstats(sys);
	ASSERT_OK(bvm_msync(v2, MA, 2 * PG, ASYNC | INVAL));
	s2 = tstats(sys);
	ASSERT_EQ(s2.pgpgout, s1.pgpgout + 2);
	ASSERT_EQ(s2.obj_pages, s0.obj_pages);
	ASSERT_EQ(fbyte(fd, PG + 3), 0x33);
	ASSERT_EQ(fbyte(fd, 4), 0x44);
	ASSERT_EQ(tpeek(v1, MA + PG + 3), 0x33);
	ASSERT_EQ(tpeek(v2, MA + 4), 0x44);
	ASSERT_TRUE(tstats(sys).pgpgin > s2.pgpgin);
	/* an unmodified page is simply discarded */
	s1 = tstats(sys);
	ASSERT_OK(bvm_msync(v1, MA, PG, SYNC | INVAL));
	s2 = tstats(sys);
	ASSERT_EQ(s2.pgpgout, s1.pgpgout);
	ASSERT_EQ(s2.obj_pages, s1.obj_pages - 1);
	ASSERT_EQ(tpeek(v2, MA + 4), 0x44);
	CHECK(v1);
	CHECK(v2);
	bvm_vmspace_destroy(v1);
	bvm_vmspace_destroy(v2);
	ASSERT_EQ(tstats(sys).objects, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	tf_fini(&tf);
}

/* An address inside a page: its offset is added to len (ALIGN_ADDR). */
TEST(msync_unaligned_addr_rounds)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0;
	struct tfiles tf;
	int fd;

	MAP(vm, MA, PG, RW, ANONPRIV | BVM_MAP_FIXED);  /* hole after it */
	ASSERT_OK(bvm_msync(vm, MA + 100, PG - 100, SYNC));
	ASSERT_OK(bvm_msync(vm, MA + 100, PG - 101, SYNC));
	ASSERT_OK(bvm_msync(vm, MA + PG - 1, 1, SYNC));
	ASSERT_ERR(bvm_msync(vm, MA + 100, PG, SYNC), EFAULT);
	ASSERT_ERR(bvm_msync(vm, MA + PG - 1, 2, SYNC), EFAULT);
	/* with a file: which pages get written */
	tf_init(&tf);
	fd = mkfile(&tf, 2 * PG, MB, 1);
	FMAP(vm, MB, 2 * PG, RW, SHFIX, fd);
	ASSERT_OK(tpoke(vm, MB + 7, 0x70));
	ASSERT_OK(tpoke(vm, MB + PG + 7, 0x71));
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(vm, MB + PG - 1, 1, SYNC));    /* page 0 only */
	ASSERT_EQ(tstats(sys).pgpgout, s0.pgpgout + 1);
	ASSERT_EQ(fbyte(fd, 7), 0x70);
	ASSERT_OK(bvm_msync(vm, MB + PG - 1, 2, SYNC));    /* pages 0, 1 */
	ASSERT_EQ(tstats(sys).pgpgout, s0.pgpgout + 2);
	ASSERT_EQ(fbyte(fd, PG + 7), 0x71);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	tf_fini(&tf);
}

/* len 0: nothing to do. */
TEST(msync_len_zero)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	struct tfiles tf;
	int fd;

	tf_init(&tf);
	fd = mkfile(&tf, PG, MA, 1);
	FMAP(vm, MA, PG, RW, SHFIX, fd);
	MAP(vm, MB, PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, MB, PG, 2);
	ASSERT_OK(tpoke(vm, MA + 1, 0x11));
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(vm, MA, 0, SYNC));
	ASSERT_OK(bvm_msync(vm, MA, 0, ASYNC));
	ASSERT_OK(bvm_msync(vm, MB, 0, INVAL));
	s1 = tstats(sys);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout);
	VERIFY(vm, MB, PG, 2);
	ASSERT_ERR(bvm_msync(vm, MA, 0, 0), EINVAL);
	ASSERT_ERR(bvm_msync(vm, MA, 0, ASYNC | SYNC), EINVAL);
	ASSERT_OK(bvm_msync(vm, MA, PG, SYNC));
	ASSERT_EQ(fbyte(fd, 1), 0x11);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
	tf_fini(&tf);
}

/* EFAULT writes nothing; EBUSY neither. */
TEST(msync_errors_write_nothing)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	struct tfiles tf;
	int fd;

	tf_init(&tf);
	fd = mkfile(&tf, 2 * PG, MA, 1);
	FMAP(vm, MA, 2 * PG, RW, SHFIX, fd);
	FILL(vm, MA, 2 * PG, 2);
	s0 = tstats(sys);
	ASSERT_ERR(bvm_msync(vm, MA, 3 * PG, SYNC), EFAULT);
	ASSERT_ERR(bvm_msync(vm, MA - PG, 2 * PG, ASYNC), EFAULT);
	ASSERT_ERR(bvm_msync(vm, MA, 3 * PG, SYNC | INVAL), EFAULT);
	ASSERT_OK(bvm_mlock(vm, MA, PG));
	ASSERT_ERR(bvm_msync(vm, MA, 2 * PG, INVAL), EBUSY);
	s1 = tstats(sys);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout);
	ASSERT_EQ(s1.pageouts, s0.pageouts);
	ASSERT_EQ(s1.obj_pages, s0.obj_pages);
	VERIFY(vm, MA, 2 * PG, 2);
	ASSERT_OK(bvm_munlock(vm, MA, PG));
	ASSERT_OK(bvm_msync(vm, MA, 2 * PG, SYNC));
	s1 = tstats(sys);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout + 2);
	FVERIFY(fd, 0, 2 * PG, MA, 2);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
	tf_fini(&tf);
}

/* The last page of a file: the part beyond the end is never written. */
TEST(msync_partial_last_page)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct tfiles tf;
	int fd;

	tf_init(&tf);
	fd = mkfile(&tf, PG + 100, MA, 1);
	FMAP(vm, MA, 3 * PG, RW, SHFIX, fd);      /* page 2 beyond EOF */
	VERIFY(vm, MA, PG + 100, 1);
	VERIFY_ZERO(vm, MA + PG + 100, PG - 100);
	ASSERT_OK(tpoke(vm, MA + PG + 50, 0x50));
	ASSERT_OK(tpoke(vm, MA + PG + 200, 0x51));   /* beyond EOF */
	ASSERT_OK(bvm_msync(vm, MA, 3 * PG, SYNC));  /* mapped: fine */
	ASSERT_EQ(fsize(fd), PG + 100);
	ASSERT_EQ(fbyte(fd, PG + 50), 0x50);
	FVERIFY(fd, 0, PG + 50, MA, 1);
	FVERIFY(fd, PG + 51, 49, MA, 1);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(fsize(fd), PG + 100);
	bvm_system_destroy(sys);
	tf_fini(&tf);
}
