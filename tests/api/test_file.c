/*
 * test_file.c: mappings of real host files and the page-cache file I/O API
 * (bvm_mmap with a descriptor, bvm_msync, bvm_file_read/write/sync/
 * truncate): shared stores reach the file (and a separate host process sees
 * them), private stores never do, the end of the file (zero tail, SIGBUS
 * beyond), unaligned offsets, the descriptor checks, fork, truncation,
 * pager I/O errors, the counters, bvm_regions and mlock.
 *
 * Every host file lives in one mkdtemp() directory under /tmp, removed at
 * exit (tests remove their own files as they finish).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snapshot.h"

#define SHARED BVM_MAP_SHARED
#define PRIVATE BVM_MAP_PRIVATE

/* ---------------------------------------------------------------------
 * Host files.
 * ------------------------------------------------------------------- */

static char tf_root[PATH_MAX];
static int tf_seq;
static int tf_atexit_done;

static void
tf_cleanup(void)
{
	char p[PATH_MAX + 300];
	struct dirent *de;
	DIR *d;

	if (tf_root[0] == '\0')
		return;
	d = opendir(tf_root);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", tf_root, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(tf_root);
	tf_root[0] = '\0';
}

static const char *
tf_dir(void)
{
	if (tf_root[0] == '\0') {
		snprintf(tf_root, sizeof(tf_root), "/tmp/bvm-test-file.XXXXXX");
		if (mkdtemp(tf_root) == NULL) {
			tf_root[0] = '\0';
			bvm_test_fail(__FILE__, __LINE__, "mkdtemp: %s",
			    strerror(errno));
		}
		if (!tf_atexit_done) {
			atexit(tf_cleanup);
			tf_atexit_done = 1;
		}
	}
	return tf_root;
}

/* The pattern byte of file offset off for seed.  Never 0. */
static unsigned char
fpat(uint64_t off, unsigned seed)
{
	uint64_t x = (off + 1) * 0x9e3779b97f4a7c15ULL + seed * 0xc2b2ae3dULL;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return (unsigned char)(x | 1);
}

static void
fill_pat(unsigned char *buf, uint64_t off, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = fpat(off + i, seed);
}

/* Create a new file of size bytes of pattern seed; its path into path. */
static void
tf_file_at(char *path, uint64_t size, unsigned seed, const char *file,
    int line)
{
	unsigned char buf[4096];
	uint64_t done, n;
	int fd;

	if (snprintf(path, PATH_MAX, "%s/f%d", tf_dir(), ++tf_seq) >= PATH_MAX)
		bvm_test_fail(file, line, "file name too long");
	fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0)
		bvm_test_fail(file, line, "create %s: %s", path,
		    strerror(errno));
	for (done = 0; done < size; done += n) {
		n = size - done < sizeof(buf) ? size - done : sizeof(buf);
		fill_pat(buf, done, n, seed);
		if (pwrite(fd, buf, n, (off_t)done) != (ssize_t)n)
			bvm_test_fail(file, line, "write %s: %s", path,
			    strerror(errno));
	}
	close(fd);
}
#define TF_FILE(path, size, seed) tf_file_at((path), (size), (seed), \
	__FILE__, __LINE__)

static int
tf_open_at(const char *path, int flags, const char *file, int line)
{
	int fd = open(path, flags);

	if (fd < 0)
		bvm_test_fail(file, line, "open %s: %s", path,
		    strerror(errno));
	return fd;
}
#define TF_OPEN(path, flags) tf_open_at((path), (flags), __FILE__, __LINE__)

static uint64_t
host_size_at(const char *path, const char *file, int line)
{
	struct stat st;

	if (stat(path, &st) != 0)
		bvm_test_fail(file, line, "stat %s: %s", path,
		    strerror(errno));
	return (uint64_t)st.st_size;
}
#define HOST_SIZE(path) host_size_at((path), __FILE__, __LINE__)

/* pread on a fresh descriptor; the whole range must be there. */
static void
host_read_at(const char *path, uint64_t off, void *buf, size_t len,
    const char *file, int line)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		bvm_test_fail(file, line, "open %s: %s", path,
		    strerror(errno));
	n = pread(fd, buf, len, (off_t)off);
	close(fd);
	if (n != (ssize_t)len)
		bvm_test_fail(file, line, "pread %s at %llu: %zd of %zu bytes",
		    path, (unsigned long long)off, n, len);
}
#define HOST_READ(path, off, buf, len) host_read_at((path), (off), (buf), \
	(len), __FILE__, __LINE__)

/* The host file has pattern seed over [off, off+len). */
static void
host_verify_at(const char *path, uint64_t off, size_t len, unsigned seed,
    const char *file, int line)
{
	unsigned char *buf = malloc(len + 1);
	size_t i;

	if (buf == NULL)
		bvm_test_fail(file, line, "malloc");
	host_read_at(path, off, buf, len, file, line);
	for (i = 0; i < len; i++)
		if (buf[i] != fpat(off + i, seed)) {
			unsigned got = buf[i];

			free(buf);
			bvm_test_fail(file, line, "host file byte %llu is "
			    "0x%02x, want 0x%02x (seed %u)",
			    (unsigned long long)(off + i), got,
			    fpat(off + i, seed), seed);
		}
	free(buf);
}
#define HOST_VERIFY(path, off, len, seed) host_verify_at((path), (off), \
	(len), (seed), __FILE__, __LINE__)

/* The host file has exactly the bytes want[0..len) and no more. */
static void
host_equals_at(const char *path, const unsigned char *want, size_t len,
    const char *file, int line)
{
	unsigned char *buf;
	size_t i;

	if (host_size_at(path, file, line) != len)
		bvm_test_fail(file, line, "host file size %llu, want %zu",
		    (unsigned long long)host_size_at(path, file, line), len);
	buf = malloc(len + 1);
	if (buf == NULL)
		bvm_test_fail(file, line, "malloc");
	host_read_at(path, 0, buf, len, file, line);
	for (i = 0; i < len; i++)
		if (buf[i] != want[i]) {
			unsigned got = buf[i];

			free(buf);
			bvm_test_fail(file, line, "host file byte %zu is "
			    "0x%02x, want 0x%02x", i, got, want[i]);
		}
	free(buf);
}
#define HOST_EQUALS(path, want, len) host_equals_at((path), (want), (len), \
	__FILE__, __LINE__)

/*
 * A separate host process (fork + _exit, no atexit handlers) opens path,
 * reads it and compares it with want[0..len): the file must be exactly
 * that.  => returns the child's exit status (0: same).
 */
static int
child_sees(const char *path, const unsigned char *want, size_t len)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		unsigned char *buf = malloc(len + 1);
		ssize_t n;
		int fd;

		fd = open(path, O_RDONLY);
		if (fd < 0 || buf == NULL)
			_exit(2);
		n = pread(fd, buf, len + 1, 0);
		if (n != (ssize_t)len || memcmp(buf, want, len) != 0)
			_exit(1);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A checked system, with every failure point disarmed first (a failed
 * failpoint test must not leave one armed for the next test). */
static struct bvm_system *
fsys(uint64_t npages)
{
	bvm_failpoint_disarm();
	return tsys(npages);
}

/* ---------------------------------------------------------------------
 * Mappings.
 * ------------------------------------------------------------------- */

static uint64_t
fmap_at(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int prot,
    int flags, int fd, int64_t off, const char *file, int line)
{
	uint64_t out = 0;
	int error;

	error = bvm_mmap(vm, addr, len, prot, flags, fd, off, &out);
	if (error != 0)
		bvm_test_fail(file, line, "bvm_mmap(len %llu, prot %d, flags "
		    "0x%x, fd %d, off %lld): %s", (unsigned long long)len,
		    prot, flags, fd, (long long)off, bvm_errname(error));
	return out;
}
#define FMAP(vm, addr, len, prot, flags, fd, off) fmap_at((vm), (addr), \
	(len), (prot), (flags), (fd), (off), __FILE__, __LINE__)

static int
mm(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int prot, int flags,
    int fd, int64_t off)
{
	uint64_t out = 0;

	return bvm_mmap(vm, addr, len, prot, flags, fd, off, &out);
}

/* The mapping at va shows the file's pattern seed from offset off. */
static void
vverify_file_at(struct bvm_vmspace *vm, uint64_t va, uint64_t off,
    uint64_t len, unsigned seed, const char *file, int line)
{
	unsigned char buf[1024];
	struct bvm_fault_info fi;
	uint64_t done, i, n;
	int error;

	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		memset(&fi, 0, sizeof(fi));
		error = bvm_read(vm, va + done, buf, n, &fi);
		if (error != 0)
			bvm_test_fail(file, line, "read 0x%llx: %s (info %s "
			    "at 0x%llx)", (unsigned long long)(va + done),
			    bvm_errname(error), bvm_errname(fi.error),
			    (unsigned long long)fi.addr);
		for (i = 0; i < n; i++)
			if (buf[i] != fpat(off + done + i, seed))
				bvm_test_fail(file, line, "byte at 0x%llx "
				    "(file offset %llu) is 0x%02x, want "
				    "0x%02x (seed %u)",
				    (unsigned long long)(va + done + i),
				    (unsigned long long)(off + done + i),
				    buf[i], fpat(off + done + i, seed), seed);
	}
}
#define VERIFY_FILE(vm, va, off, len, seed) vverify_file_at((vm), (va), \
	(off), (len), (seed), __FILE__, __LINE__)

static void
vput_at(struct bvm_vmspace *vm, uint64_t va, const void *p, size_t len,
    const char *file, int line)
{
	struct bvm_fault_info fi;
	int error;

	memset(&fi, 0, sizeof(fi));
	error = bvm_write(vm, va, p, len, &fi);
	if (error != 0)
		bvm_test_fail(file, line, "bvm_write 0x%llx: %s (info %s at "
		    "0x%llx)", (unsigned long long)va, bvm_errname(error),
		    bvm_errname(fi.error), (unsigned long long)fi.addr);
}
#define VPUT(vm, va, str) vput_at((vm), (va), (str), strlen(str), \
	__FILE__, __LINE__)

/* The bytes at va are the string s. */
static void
vis_at(struct bvm_vmspace *vm, uint64_t va, const char *s, const char *file,
    int line)
{
	char buf[256];
	struct bvm_fault_info fi;
	size_t n = strlen(s);
	int error;

	memset(buf, 0, sizeof(buf));
	memset(&fi, 0, sizeof(fi));
	error = bvm_read(vm, va, buf, n, &fi);
	if (error != 0)
		bvm_test_fail(file, line, "bvm_read 0x%llx: %s (info %s at "
		    "0x%llx)", (unsigned long long)va, bvm_errname(error),
		    bvm_errname(fi.error), (unsigned long long)fi.addr);
	if (memcmp(buf, s, n) != 0)
		bvm_test_fail(file, line, "at 0x%llx: \"%.*s\", want \"%s\"",
		    (unsigned long long)va, (int)n, buf, s);
}
#define VIS(vm, va, s) vis_at((vm), (va), (s), __FILE__, __LINE__)

/*
 * A one-byte read (or write) at va fails with EFAULT and info: addr va,
 * error err (ENXIO or EIO), SIGBUS, BUS_OBJERR.
 */
static void
nobus_at(struct bvm_vmspace *vm, uint64_t va, int write, int err,
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
	if (fi.addr != va || fi.error != err || fi.signo != BVM_SIGBUS ||
	    fi.code != BVM_BUS_OBJERR)
		bvm_test_fail(file, line, "%s 0x%llx: info addr 0x%llx error "
		    "%s signo %d code %d, want addr 0x%llx error %s signo %d "
		    "code %d", write ? "write" : "read",
		    (unsigned long long)va, (unsigned long long)fi.addr,
		    bvm_errname(fi.error), fi.signo, fi.code,
		    (unsigned long long)va, bvm_errname(err), BVM_SIGBUS,
		    BVM_BUS_OBJERR);
}
#define NOBUS_READ(vm, va, err) nobus_at((vm), (va), 0, (err), __FILE__, \
	__LINE__)
#define NOBUS_WRITE(vm, va, err) nobus_at((vm), (va), 1, (err), __FILE__, \
	__LINE__)

/* bvm_fault at va returns err (ENXIO or EIO) with SIGBUS/BUS_OBJERR. */
static void
fault_bus_at(struct bvm_vmspace *vm, uint64_t va, int access, int err,
    const char *file, int line)
{
	struct bvm_fault_info fi;
	int error;

	memset(&fi, 0, sizeof(fi));
	error = bvm_fault(vm, va, access, &fi);
	if (error != err)
		bvm_test_fail(file, line, "bvm_fault 0x%llx: got %s, want %s",
		    (unsigned long long)va, bvm_errname(error),
		    bvm_errname(err));
	if (fi.addr != va || fi.error != err || fi.signo != BVM_SIGBUS ||
	    fi.code != BVM_BUS_OBJERR)
		bvm_test_fail(file, line, "bvm_fault 0x%llx: info addr 0x%llx "
		    "error %s signo %d code %d, want error %s signo %d code %d",
		    (unsigned long long)va, (unsigned long long)fi.addr,
		    bvm_errname(fi.error), fi.signo, fi.code,
		    bvm_errname(err), BVM_SIGBUS, BVM_BUS_OBJERR);
}
#define FAULT_BUS(vm, va, access, err) fault_bus_at((vm), (va), (access), \
	(err), __FILE__, __LINE__)

/* Region lookup keeping copies of the strings. */
struct region_copy {
	uint64_t va;
	int found;
	struct bvm_region r;
	char type[16];
	char name[PATH_MAX];
};

static int
region_copy_cb(const struct bvm_region *r, void *arg)
{
	struct region_copy *rc = arg;

	if (rc->va >= r->start && rc->va < r->end) {
		rc->found = 1;
		rc->r = *r;
		snprintf(rc->type, sizeof(rc->type), "%s",
		    r->type != NULL ? r->type : "(null)");
		snprintf(rc->name, sizeof(rc->name), "%s",
		    r->name != NULL ? r->name : "(null)");
		rc->r.type = rc->type;
		rc->r.name = rc->name;
		return 1;
	}
	return 0;
}

static int
region_copy_at(struct bvm_vmspace *vm, uint64_t va, struct region_copy *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->va = va;
	bvm_regions(vm, region_copy_cb, rc);
	return rc->found;
}

/* Free the vmspaces (NULL allowed) and the system; check it first. */
static void
teardown(struct bvm_system *sys, struct bvm_vmspace *a, struct bvm_vmspace *b)
{
	if (a != NULL) {
		CHECK(a);
		bvm_vmspace_destroy(a);
	}
	if (b != NULL) {
		CHECK(b);
		bvm_vmspace_destroy(b);
	}
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* ---------------------------------------------------------------------
 * 1. MAP_SHARED.
 * ------------------------------------------------------------------- */

/*
 * The contents are the file's; a store is seen at once by a second vmspace
 * mapping the file through a second descriptor (one object per file); after
 * msync(MS_SYNC) the host file has it; a later store with no msync reaches
 * the file when the vmspaces and the system go, and a separate host
 * process then reads the file with every store in it.
 */
TEST(file_shared_seen_everywhere_and_by_host_process)
{
	static unsigned char want[4 * 4096];
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm1 = tvm(sys), *vm2 = tvm(sys);
	char path[PATH_MAX];
	uint64_t a, b;
	int fd1, fd2;

	TF_FILE(path, 4 * PG, 1);
	fd1 = TF_OPEN(path, O_RDWR);
	fd2 = TF_OPEN(path, O_RDWR);
	a = FMAP(vm1, 0, 4 * PG, RW, SHARED, fd1, 0);
	b = FMAP(vm2, 0, 4 * PG, RW, SHARED, fd2, 0);
	VERIFY_FILE(vm1, a, 0, 4 * PG, 1);
	VERIFY_FILE(vm2, b, 0, 4 * PG, 1);
	ASSERT_EQ(tstats(sys).vnodes, 1);
	ASSERT_EQ(tstats(sys).objects, 1);

	/* Both ways, at once. */
	VPUT(vm1, a + 100, "alpha");
	VIS(vm2, b + 100, "alpha");
	VPUT(vm2, b + 3 * PG + 7, "beta");
	VIS(vm1, a + 3 * PG + 7, "beta");
	CHECK(vm1);
	CHECK(vm2);
	SYSCHECK(sys);

	/* MS_SYNC through vm1 writes both stores (one object). */
	ASSERT_OK(bvm_msync(vm1, a, 4 * PG, BVM_MS_SYNC));
	fill_pat(want, 0, sizeof(want), 1);
	memcpy(want + 100, "alpha", 5);
	memcpy(want + 3 * PG + 7, "beta", 4);
	HOST_EQUALS(path, want, sizeof(want));

	/* A store with no msync: written when the last reference goes. */
	VPUT(vm2, b + 2 * PG + 4000, "gamma");
	memcpy(want + 2 * PG + 4000, "gamma", 5);
	teardown(sys, vm1, vm2);
	close(fd1);
	close(fd2);
	ASSERT_EQ(child_sees(path, want, sizeof(want)), 0);
	/* And the check can fail: a wrong expectation is refused. */
	want[5] ^= 0xff;
	ASSERT_EQ(child_sees(path, want, sizeof(want)), 1);
	unlink(path);
}

/*
 * The descriptor is duplicated: closing it does not end the mapping, and
 * the last munmap writes the stores back; so does destroying a vmspace.
 */
TEST(file_shared_fd_closed_unmap_writes_back)
{
	static unsigned char want[3 * 4096];
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys), *vm2 = tvm(sys);
	char path[PATH_MAX];
	uint64_t a, b;
	int fd;

	TF_FILE(path, 3 * PG, 2);
	fd = TF_OPEN(path, O_RDWR);
	a = FMAP(vm, 0, 3 * PG, RW, SHARED, fd, 0);
	ASSERT_EQ(close(fd), 0);
	VERIFY_FILE(vm, a, 0, 3 * PG, 2);
	VPUT(vm, a + PG + 1, "unmapped");
	ASSERT_OK(bvm_munmap(vm, a, 3 * PG));
	fill_pat(want, 0, sizeof(want), 2);
	memcpy(want + PG + 1, "unmapped", 8);
	HOST_EQUALS(path, want, sizeof(want));
	ASSERT_EQ(tstats(sys).vnodes, 0);
	CHECK(vm);

	/* vmspace destroy with the system still alive. */
	fd = TF_OPEN(path, O_RDWR);
	b = FMAP(vm2, 0, 3 * PG, RW, SHARED, fd, 0);
	ASSERT_EQ(close(fd), 0);
	VPUT(vm2, b + 2 * PG + 17, "destroyed");
	bvm_vmspace_destroy(vm2);
	memcpy(want + 2 * PG + 17, "destroyed", 9);
	HOST_EQUALS(path, want, sizeof(want));
	ASSERT_EQ(tstats(sys).vnodes, 0);
	teardown(sys, vm, NULL);
	unlink(path);
}

/* MS_ASYNC writes too (without waiting for the disk). */
TEST(file_shared_msync_async_writes)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	char path[PATH_MAX], buf[8];
	uint64_t a;
	int fd;

	TF_FILE(path, 2 * PG, 3);
	fd = TF_OPEN(path, O_RDWR);
	a = FMAP(vm, 0, 2 * PG, RW, SHARED, fd, 0);
	VPUT(vm, a + PG + 8, "async!");
	ASSERT_OK(bvm_msync(vm, a, 2 * PG, BVM_MS_ASYNC));
	HOST_READ(path, PG + 8, buf, 6);
	ASSERT_MEM(buf, "async!", 6);
	HOST_VERIFY(path, 0, PG + 8, 3);
	HOST_VERIFY(path, PG + 14, PG - 14, 3);
	ASSERT_EQ(HOST_SIZE(path), 2 * PG);
	teardown(sys, vm, NULL);
	close(fd);
	unlink(path);
}

/* ---------------------------------------------------------------------
 * 2. MAP_PRIVATE.
 * ------------------------------------------------------------------- */

TEST(file_private_stores_never_reach_file)
{
	static unsigned char want[4 * 4096], ones[2 * 4096];
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys), *vm2 = tvm(sys);
	char path[PATH_MAX];
	uint64_t p, s;
	int fd;

	TF_FILE(path, 4 * PG, 4);
	fd = TF_OPEN(path, O_RDWR);
	p = FMAP(vm, 0, 4 * PG, RW, PRIVATE, fd, 0);
	s = FMAP(vm2, 0, 4 * PG, RW, SHARED, fd, 0);
	VERIFY_FILE(vm, p, 0, 4 * PG, 4);
	memset(ones, 0xa5, sizeof(ones));
	vput_at(vm, p, ones, sizeof(ones), __FILE__, __LINE__);
	VPUT(vm, p + 3 * PG + 9, "private");
	VIS(vm, p + 3 * PG + 9, "private");
	ASSERT_EQ(tpeek(vm, p), 0xa5);
	ASSERT_EQ(tpeek(vm, p + 2 * PG - 1), 0xa5);
	/* The shared mapping does not see them. */
	VERIFY_FILE(vm2, s, 0, 4 * PG, 4);
	CHECK(vm);
	CHECK(vm2);

	fill_pat(want, 0, sizeof(want), 4);
	ASSERT_OK(bvm_msync(vm, p, 4 * PG, BVM_MS_SYNC));
	ASSERT_OK(bvm_msync(vm2, s, 4 * PG, BVM_MS_SYNC));
	HOST_EQUALS(path, want, sizeof(want));
	/* The private pages are still there after the msync. */
	ASSERT_EQ(tpeek(vm, p + PG), 0xa5);
	ASSERT_OK(bvm_munmap(vm, p, 4 * PG));
	HOST_EQUALS(path, want, sizeof(want));
	VERIFY_FILE(vm2, s, 0, 4 * PG, 4);
	ASSERT_OK(bvm_munmap(vm2, s, 4 * PG));
	HOST_EQUALS(path, want, sizeof(want));
	ASSERT_EQ(tstats(sys).vnodes, 0);
	teardown(sys, vm, vm2);
	close(fd);
	unlink(path);
}

/*
 * Copy-on-write over the file's pages: a page the private mapping has not
 * written shows the shared mapping's later stores (whether the private side
 * read it before or not); a page it has written does not.
 */
TEST(file_private_unwritten_pages_see_shared_stores)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys), *vm2 = tvm(sys);
	char path[PATH_MAX];
	uint64_t p, s;
	int fd;

	TF_FILE(path, 4 * PG, 5);
	fd = TF_OPEN(path, O_RDWR);
	p = FMAP(vm, 0, 4 * PG, RW, PRIVATE, fd, 0);
	s = FMAP(vm2, 0, 4 * PG, RW, SHARED, fd, 0);
	/* Private: writes page 0, reads page 2, never touches 1 and 3. */
	VPUT(vm, p + 10, "mine");
	VERIFY_FILE(vm, p + 2 * PG, 2 * PG, PG, 5);
	/* Shared stores on all four pages. */
	VPUT(vm2, s + 10, "S0S0");
	VPUT(vm2, s + 500, "S0b");
	VPUT(vm2, s + PG + 20, "S1");
	VPUT(vm2, s + 2 * PG + 30, "S2");
	VPUT(vm2, s + 3 * PG + 40, "S3");
	/* Page 0 is the private copy, taken before the shared stores. */
	VIS(vm, p + 10, "mine");
	VERIFY_FILE(vm, p + 500, 500, 3, 5);
	VERIFY_FILE(vm, p + 14, 14, 486, 5);
	/* The others are the file's page. */
	VIS(vm, p + PG + 20, "S1");
	VIS(vm, p + 2 * PG + 30, "S2");
	VIS(vm, p + 3 * PG + 40, "S3");
	/* Still so after the private side read them. */
	VPUT(vm2, s + 2 * PG + 30, "T2");
	VIS(vm, p + 2 * PG + 30, "T2");
	/* The shared side never sees the private store. */
	VIS(vm2, s + 10, "S0S0");
	CHECK(vm);
	CHECK(vm2);
	teardown(sys, vm, vm2);
	close(fd);
	unlink(path);
}

/* ---------------------------------------------------------------------
 * 3. The end of the file.
 * ------------------------------------------------------------------- */

TEST(file_eof_tail_zero_and_beyond_sigbus)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	unsigned char buf[200];
	char path[PATH_MAX];
	uint64_t a, p;
	int fd, i;

	TF_FILE(path, 5000, 6);
	fd = TF_OPEN(path, O_RDWR);
	a = FMAP(vm, 0, 3 * PG, RW, SHARED, fd, 0);
	VERIFY_FILE(vm, a, 0, 5000, 6);
	VERIFY_ZERO(vm, a + 5000, 2 * PG - 5000);
	/* The third page (offset 8192) is wholly beyond the end. */
	NOBUS_READ(vm, a + 2 * PG, ENXIO);
	NOBUS_READ(vm, a + 2 * PG + 123, ENXIO);
	NOBUS_READ(vm, a + 3 * PG - 1, ENXIO);
	NOBUS_WRITE(vm, a + 2 * PG, ENXIO);
	FAULT_BUS(vm, a + 2 * PG, BVM_PROT_READ, ENXIO);
	FAULT_BUS(vm, a + 2 * PG, BVM_PROT_WRITE, ENXIO);
	ASSERT_OK(bvm_fault(vm, a + PG, BVM_PROT_READ, NULL));
	/* A read across the end: the bytes before it were transferred. */
	memset(buf, 0xee, sizeof(buf));
	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_read(vm, a + 2 * PG - 100, buf, 200, &fi), EFAULT);
	ASSERT_EQ(fi.addr, a + 2 * PG);
	ASSERT_EQ(fi.error, ENXIO);
	ASSERT_EQ(fi.signo, BVM_SIGBUS);
	ASSERT_EQ(fi.code, BVM_BUS_OBJERR);
	for (i = 0; i < 100; i++)
		ASSERT_EQ(buf[i], 0);
	CHECK(vm);

	/* A private mapping: the same, and no copy beyond the end. */
	p = FMAP(vm, 0, 3 * PG, RW, PRIVATE, fd, 0);
	VERIFY_FILE(vm, p, 0, 5000, 6);
	VERIFY_ZERO(vm, p + 5000, 2 * PG - 5000);
	NOBUS_READ(vm, p + 2 * PG, ENXIO);
	NOBUS_WRITE(vm, p + 2 * PG + 1, ENXIO);
	FAULT_BUS(vm, p + 2 * PG, BVM_PROT_WRITE, ENXIO);
	ASSERT_EQ(HOST_SIZE(path), 5000);
	teardown(sys, vm, NULL);
	ASSERT_EQ(HOST_SIZE(path), 5000);
	close(fd);
	unlink(path);
}

/* Stores in the zero tail of the last page never reach the file. */
TEST(file_eof_tail_store_not_written)
{
	static unsigned char want[5000];
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	char path[PATH_MAX];
	uint64_t a;
	int fd;

	TF_FILE(path, 5000, 7);
	fd = TF_OPEN(path, O_RDWR);
	a = FMAP(vm, 0, 3 * PG, RW, SHARED, fd, 0);
	VPUT(vm, a + 4998, "Z");
	VPUT(vm, a + 5000, "tail");
	VPUT(vm, a + 6000, "more tail");
	VPUT(vm, a + 2 * PG - 1, "!");
	ASSERT_OK(bvm_msync(vm, a, 3 * PG, BVM_MS_SYNC));
	fill_pat(want, 0, sizeof(want), 7);
	want[4998] = 'Z';
	HOST_EQUALS(path, want, sizeof(want));
	ASSERT_OK(bvm_munmap(vm, a, 3 * PG));
	HOST_EQUALS(path, want, sizeof(want));
	/* A new mapping reads the tail as zero again. */
	a = FMAP(vm, 0, 2 * PG, RO, SHARED, fd, 0);
	VERIFY_ZERO(vm, a + 5000, 2 * PG - 5000);
	ASSERT_EQ(tpeek(vm, a + 4998), 'Z');
	teardown(sys, vm, NULL);
	HOST_EQUALS(path, want, sizeof(want));
	close(fd);
	unlink(path);
}

/* BVM_MAP_NOFAULT: pages beyond the end read as zero, no fault. */
TEST(file_eof_nofault_reads_zero)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct region_copy rc;
	char path[PATH_MAX];
	uint64_t a;
	int fd;

	TF_FILE(path, 5000, 8);
	fd = TF_OPEN(path, O_RDWR);
	a = FMAP(vm, 0, 4 * PG, RO, SHARED | BVM_MAP_NOFAULT, fd, 0);
	ASSERT_TRUE(region_copy_at(vm, a, &rc));
	ASSERT_TRUE(rc.r.flags & BVM_REGION_NOFAULT);
	VERIFY_FILE(vm, a, 0, 5000, 8);
	VERIFY_ZERO(vm, a + 5000, 4 * PG - 5000);
	ASSERT_OK(bvm_fault(vm, a + 2 * PG, BVM_PROT_READ, NULL));
	ASSERT_OK(bvm_fault(vm, a + 3 * PG + 5, BVM_PROT_READ, NULL));
	CHECK(vm);
	ASSERT_OK(bvm_munmap(vm, a, 4 * PG));
	ASSERT_EQ(HOST_SIZE(path), 5000);
	HOST_VERIFY(path, 0, 5000, 8);
	teardown(sys, vm, NULL);
	close(fd);
	unlink(path);
}

/* A mapping wholly beyond the end is allowed; only access faults. */
TEST(file_eof_map_wholly_beyond)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	char path[PATH_MAX];
	uint64_t a;
	int fd;

	TF_FILE(path, 5000, 9);
	fd = TF_OPEN(path, O_RDWR);
	a = FMAP(vm, 0, 2 * PG, RW, SHARED, fd, 4 * PG);
	NOBUS_READ(vm, a, ENXIO);
	NOBUS_WRITE(vm, a + PG + 8, ENXIO);
	FAULT_BUS(vm, a + PG, BVM_PROT_READ, ENXIO);
	CHECK(vm);
	teardown(sys, vm, NULL);
	ASSERT_EQ(HOST_SIZE(path), 5000);
	close(fd);
	unlink(path);
}

/* An empty file: the first page already faults. */
TEST(file_eof_empty_file)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	char path[PATH_MAX];
	uint64_t a;
	int fd;

	TF_FILE(path, 0, 0);
	fd = TF_OPEN(path, O_RDWR);
	a = FMAP(vm, 0, PG, RW, SHARED, fd, 0);
	NOBUS_READ(vm, a, ENXIO);
	NOBUS_WRITE(vm, a, ENXIO);
	teardown(sys, vm, NULL);
	ASSERT_EQ(HOST_SIZE(path), 0);
	close(fd);
	unlink(path);
}

/* ---------------------------------------------------------------------
 * 4. Offsets not page aligned.
 * ------------------------------------------------------------------- */

TEST(file_unaligned_offset)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct region_copy rc;
	char path[PATH_MAX];
	uint64_t a, b, c;
	int fd;

	TF_FILE(path, 4 * PG, 10);
	fd = TF_OPEN(path, O_RDONLY);
	/* off 4196: the mapping starts at the page holding it. */
	a = FMAP(vm, 0, PG, RO, SHARED, fd, PG + 100);
	ASSERT_EQ(a & (PG - 1), 100);
	ASSERT_EQ(tpeek(vm, a), fpat(PG + 100, 10));
	ASSERT_TRUE(region_copy_at(vm, a, &rc));
	ASSERT_EQ(rc.r.start, a - 100);
	/* size PG + 100 rounds up to two pages. */
	ASSERT_EQ(rc.r.end, a - 100 + 2 * PG);
	ASSERT_EQ(rc.r.offset, PG);
	VERIFY_FILE(vm, a - 100, PG, 2 * PG, 10);

	/* Private, page offset 4095, one byte: one page. */
	b = FMAP(vm, 0, 1, RO, PRIVATE, fd, 2 * PG + 4095);
	ASSERT_EQ(b & (PG - 1), 4095);
	ASSERT_EQ(tpeek(vm, b), fpat(3 * PG - 1, 10));
	ASSERT_TRUE(region_copy_at(vm, b, &rc));
	ASSERT_EQ(rc.r.start, b - 4095);
	ASSERT_EQ(rc.r.end, b - 4095 + PG);
	ASSERT_EQ(rc.r.offset, 2 * PG);

	/* A free aligned hint plus the offset's page offset. */
	c = FMAP(vm, 0x6f000000, 100, RO, SHARED, fd, 3 * PG + 32);
	ASSERT_EQ(c, 0x6f000020);
	ASSERT_EQ(tpeek(vm, c), fpat(3 * PG + 32, 10));
	/* munmap of the returned address and length removes it all. */
	ASSERT_OK(bvm_munmap(vm, a, PG));
	ASSERT_TRUE(!region_copy_at(vm, a - 100, &rc));
	ASSERT_TRUE(!region_copy_at(vm, a - 100 + PG, &rc));
	teardown(sys, vm, NULL);
	close(fd);
	unlink(path);
}

/* MAP_FIXED: addr - pageoff(off) is mapped, and must be page aligned. */
TEST(file_unaligned_offset_fixed)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct region_copy rc;
	struct api_snap snap;
	char path[PATH_MAX];
	uint64_t out = 0;
	int fd, f = SHARED | BVM_MAP_FIXED;

	TF_FILE(path, 4 * PG, 11);
	fd = TF_OPEN(path, O_RDONLY);
	ASSERT_OK(bvm_mmap(vm, 0x40000064, PG, RO, f, fd, PG + 100, &out));
	ASSERT_EQ(out, 0x40000064);
	ASSERT_TRUE(region_copy_at(vm, 0x40000000, &rc));
	ASSERT_EQ(rc.r.start, 0x40000000);
	ASSERT_EQ(rc.r.end, 0x40002000);
	ASSERT_EQ(rc.r.offset, PG);
	ASSERT_EQ(tpeek(vm, 0x40000064), fpat(PG + 100, 11));
	ASSERT_EQ(tpeek(vm, 0x40000000), fpat(PG, 11));

	/* Page offsets that differ: addr - pageoff is not aligned. */
	SNAP(vm, sys, &snap);
	ASSERT_ERR(mm(vm, 0x50000000, PG, RO, f, fd, PG + 100), EINVAL);
	ASSERT_ERR(mm(vm, 0x50000032, PG, RO, f, fd, PG + 100), EINVAL);
	ASSERT_ERR(mm(vm, 0x50000064, PG, RO, f, fd, PG), EINVAL);
	/* Nor over the existing mapping: nothing replaced. */
	ASSERT_ERR(mm(vm, 0x40000000, PG, RO, f, fd, 2 * PG + 1), EINVAL);
	ASSERT_SNAP(vm, sys, &snap);
	ASSERT_EQ(tpeek(vm, 0x40000000), fpat(PG, 11));
	teardown(sys, vm, NULL);
	close(fd);
	unlink(path);
}

/* ---------------------------------------------------------------------
 * 5. Descriptor and argument errors; nothing changes when they fail.
 * ------------------------------------------------------------------- */

TEST(file_err_bad_fd)
{
	struct api_world w;
	char path[PATH_MAX];
	int fd;

	WORLD_INIT(&w);
	TF_FILE(path, PG, 12);
	ASSERT_ERR(mm(w.vm, 0, PG, RO, SHARED, -1, 0), EBADF);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, PRIVATE, -1, 0), EBADF);
	fd = TF_OPEN(path, O_RDWR);
	ASSERT_EQ(close(fd), 0);
	ASSERT_ERR(mm(w.vm, 0, PG, RO, SHARED, fd, 0), EBADF);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, PRIVATE, fd, 0), EBADF);
	ASSERT_ERR(mm(w.vm, W_A, PG, RW, PRIVATE | BVM_MAP_FIXED, fd, 0),
	    EBADF);
	ASSERT_ERR(mm(w.vm, 0, PG, RO, SHARED, 1000000, 0), EBADF);
	WORLD_SAME(&w);
	ASSERT_EQ(tstats(w.sys).objects, 0);
	api_world_fini(&w);
	unlink(path);
}

TEST(file_err_not_regular_enodev)
{
	struct api_world w;
	int dfd, pfd[2], nfd;

	WORLD_INIT(&w);
	dfd = TF_OPEN(tf_dir(), O_RDONLY | O_DIRECTORY);
	ASSERT_ERR(mm(w.vm, 0, PG, RO, SHARED, dfd, 0), ENODEV);
	ASSERT_ERR(mm(w.vm, 0, PG, RO, PRIVATE, dfd, 0), ENODEV);
	ASSERT_EQ(pipe(pfd), 0);
	ASSERT_ERR(mm(w.vm, 0, PG, RO, SHARED, pfd[0], 0), ENODEV);
	ASSERT_ERR(mm(w.vm, 0, PG, RO, PRIVATE, pfd[0], 0), ENODEV);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, PRIVATE, pfd[1], 0), ENODEV);
	nfd = TF_OPEN("/dev/null", O_RDWR);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, SHARED, nfd, 0), ENODEV);
	WORLD_SAME(&w);
	ASSERT_EQ(tstats(w.sys).objects, 0);
	close(dfd);
	close(pfd[0]);
	close(pfd[1]);
	close(nfd);
	api_world_fini(&w);
}

TEST(file_err_access_modes)
{
	struct api_world w;
	struct region_copy rc;
	char path[PATH_MAX];
	uint64_t a, p;
	int wo, ro;

	WORLD_INIT(&w);
	TF_FILE(path, 2 * PG, 13);
	wo = TF_OPEN(path, O_WRONLY);
	ro = TF_OPEN(path, O_RDONLY);
	/* Not open for reading: EACCES, whatever the mapping. */
	ASSERT_ERR(mm(w.vm, 0, PG, RO, SHARED, wo, 0), EACCES);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, SHARED, wo, 0), EACCES);
	ASSERT_ERR(mm(w.vm, 0, PG, RO, PRIVATE, wo, 0), EACCES);
	/* Shared and writable needs a descriptor open for writing. */
	ASSERT_ERR(mm(w.vm, 0, PG, RW, SHARED, ro, 0), EACCES);
	ASSERT_ERR(mm(w.vm, 0, PG, BVM_PROT_WRITE, SHARED, ro, 0), EACCES);
	ASSERT_ERR(mm(w.vm, W_A, PG, RW, SHARED | BVM_MAP_FIXED, ro, 0),
	    EACCES);
	WORLD_SAME(&w);
	ASSERT_EQ(tstats(w.sys).objects, 0);

	/* Shared read-only: the maximum protection lacks WRITE. */
	a = FMAP(w.vm, 0, 2 * PG, RO, SHARED, ro, 0);
	ASSERT_TRUE(region_copy_at(w.vm, a, &rc));
	ASSERT_EQ(rc.r.maxprot & BVM_PROT_WRITE, 0);
	ASSERT_EQ(rc.r.maxprot & BVM_PROT_READ, BVM_PROT_READ);
	ASSERT_ERR(bvm_mprotect(w.vm, a, 2 * PG, RW), EACCES);
	ASSERT_ERR(bvm_mprotect(w.vm, a, PG, BVM_PROT_WRITE), EACCES);
	ASSERT_TRUE(region_copy_at(w.vm, a, &rc));
	ASSERT_EQ(rc.r.prot, RO);
	ASSERT_EQ(rc.r.end - rc.r.start, 2 * PG);
	NO_WRITE(w.vm, a, BVM_SEGV_ACCERR);
	VERIFY_FILE(w.vm, a, 0, 2 * PG, 13);
	ASSERT_OK(bvm_mprotect(w.vm, a, 2 * PG, BVM_PROT_NONE));
	ASSERT_OK(bvm_mprotect(w.vm, a, 2 * PG, RO));

	/* Private may always be made writable; the file never changes. */
	p = FMAP(w.vm, 0, 2 * PG, RW, PRIVATE, ro, 0);
	ASSERT_TRUE(region_copy_at(w.vm, p, &rc));
	ASSERT_EQ(rc.r.maxprot & RW, RW);
	VPUT(w.vm, p + 3, "cow");
	VIS(w.vm, p + 3, "cow");
	ASSERT_OK(bvm_munmap(w.vm, p, 2 * PG));
	p = FMAP(w.vm, 0, 2 * PG, RO, PRIVATE, ro, 0);
	ASSERT_OK(bvm_mprotect(w.vm, p, 2 * PG, RW));
	VPUT(w.vm, p + PG, "cow2");
	ASSERT_OK(bvm_msync(w.vm, p, 2 * PG, BVM_MS_SYNC));
	ASSERT_OK(bvm_munmap(w.vm, p, 2 * PG));
	ASSERT_OK(bvm_munmap(w.vm, a, 2 * PG));
	HOST_VERIFY(path, 0, 2 * PG, 13);
	CHECK(w.vm);
	close(wo);
	close(ro);
	api_world_fini(&w);
	unlink(path);
}

/* O_RDWR shared read-only may be made writable; the store reaches it. */
TEST(file_rdwr_shared_readonly_mprotect_write)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct region_copy rc;
	char path[PATH_MAX], buf[4];
	uint64_t a;
	int fd;

	TF_FILE(path, PG, 14);
	fd = TF_OPEN(path, O_RDWR);
	a = FMAP(vm, 0, PG, RO, SHARED, fd, 0);
	ASSERT_TRUE(region_copy_at(vm, a, &rc));
	ASSERT_EQ(rc.r.maxprot & RW, RW);
	NO_WRITE(vm, a, BVM_SEGV_ACCERR);
	ASSERT_OK(bvm_mprotect(vm, a, PG, RW));
	VPUT(vm, a + 9, "rw!");
	ASSERT_OK(bvm_msync(vm, a, PG, BVM_MS_SYNC));
	HOST_READ(path, 9, buf, 3);
	ASSERT_MEM(buf, "rw!", 3);
	teardown(sys, vm, NULL);
	close(fd);
	unlink(path);
}

TEST(file_err_offsets)
{
	struct api_world w;
	char path[PATH_MAX];
	int fd;

	WORLD_INIT(&w);
	TF_FILE(path, PG, 15);
	fd = TF_OPEN(path, O_RDWR);
	ASSERT_ERR(mm(w.vm, 0, PG, RO, SHARED, fd, -1), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RO, SHARED, fd, -(int64_t)PG), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, PG, RW, PRIVATE, fd, INT64_MIN), EINVAL);
	ASSERT_ERR(mm(w.vm, 0x40000000, PG, RO, SHARED | BVM_MAP_FIXED, fd,
	    -(int64_t)PG), EINVAL);
	/* off + len wraps around. */
	ASSERT_ERR(mm(w.vm, 0, 0x8000000000010000ULL, RO, SHARED, fd,
	    0x7ffffffffffff000LL), EINVAL);
	ASSERT_ERR(mm(w.vm, 0, UINT64_MAX - 3 * PG + 1, RO, PRIVATE, fd,
	    4 * PG), EINVAL);
	WORLD_SAME(&w);
	ASSERT_EQ(tstats(w.sys).objects, 0);
	close(fd);
	api_world_fini(&w);
	unlink(path);
}

/* ---------------------------------------------------------------------
 * 6. Fork.
 * ------------------------------------------------------------------- */

TEST(file_fork_shared_stays_shared)
{
	static unsigned char want[4 * 4096];
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct region_copy rc;
	char path[PATH_MAX];
	uint64_t s;
	int fd;

	TF_FILE(path, 4 * PG, 16);
	fd = TF_OPEN(path, O_RDWR);
	s = FMAP(vm, 0, 4 * PG, RW, SHARED, fd, 0);
	ASSERT_TRUE(region_copy_at(vm, s, &rc));
	ASSERT_EQ(rc.r.inherit, BVM_INHERIT_SHARE);
	VPUT(vm, s + 5, "P0");
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_TRUE(region_copy_at(child, s, &rc));
	ASSERT_EQ(strcmp(rc.type, "vnode"), 0);
	ASSERT_EQ(rc.r.inherit, BVM_INHERIT_SHARE);
	VIS(child, s + 5, "P0");
	VPUT(child, s + PG + 6, "C1");
	VIS(vm, s + PG + 6, "C1");
	VPUT(vm, s + 2 * PG + 7, "P2");
	VIS(child, s + 2 * PG + 7, "P2");
	VPUT(child, s + 5, "C0");
	VIS(vm, s + 5, "C0");
	VERIFY_FILE(child, s + 3 * PG, 3 * PG, PG, 16);
	ASSERT_EQ(tstats(sys).vnodes, 1);
	CHECK(vm);
	CHECK(child);
	/* The parent goes; the child still shares the file's pages. */
	bvm_vmspace_destroy(vm);
	VIS(child, s + PG + 6, "C1");
	ASSERT_OK(bvm_msync(child, s, 4 * PG, BVM_MS_SYNC));
	fill_pat(want, 0, sizeof(want), 16);
	memcpy(want + 5, "C0", 2);
	memcpy(want + PG + 6, "C1", 2);
	memcpy(want + 2 * PG + 7, "P2", 2);
	HOST_EQUALS(path, want, sizeof(want));
	teardown(sys, child, NULL);
	close(fd);
	unlink(path);
}

TEST(file_fork_private_cow_both_ways)
{
	static unsigned char want[4 * 4096];
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child, *other = tvm(sys);
	struct region_copy rc;
	char path[PATH_MAX];
	uint64_t p, s;
	int fd;

	TF_FILE(path, 4 * PG, 17);
	fd = TF_OPEN(path, O_RDWR);
	p = FMAP(vm, 0, 4 * PG, RW, PRIVATE, fd, 0);
	ASSERT_TRUE(region_copy_at(vm, p, &rc));
	ASSERT_EQ(rc.r.inherit, BVM_INHERIT_COPY);
	VPUT(vm, p + 1, "A");
	VERIFY_FILE(vm, p + 2 * PG, 2 * PG, PG, 17);
	ASSERT_OK(bvm_fork(vm, &child));
	VIS(child, p + 1, "A");
	VPUT(vm, p + 1, "B");
	VIS(child, p + 1, "A");
	VIS(vm, p + 1, "B");
	VPUT(child, p + PG + 2, "C");
	VIS(child, p + PG + 2, "C");
	VERIFY_FILE(vm, p + PG, PG, PG, 17);
	VERIFY_FILE(vm, p + 2 * PG, 2 * PG, PG, 17);
	VERIFY_FILE(child, p + 2 * PG, 2 * PG, PG, 17);
	/* Neither wrote page 3: both see a shared store to the file. */
	s = FMAP(other, 0, 4 * PG, RW, SHARED, fd, 0);
	VPUT(other, s + 3 * PG + 3, "file");
	VIS(vm, p + 3 * PG + 3, "file");
	VIS(child, p + 3 * PG + 3, "file");
	CHECK(vm);
	CHECK(child);
	CHECK(other);
	ASSERT_OK(bvm_msync(vm, p, 4 * PG, BVM_MS_SYNC));
	ASSERT_OK(bvm_msync(child, p, 4 * PG, BVM_MS_SYNC));
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_vmspace_destroy(other);
	fill_pat(want, 0, sizeof(want), 17);
	memcpy(want + 3 * PG + 3, "file", 4);
	HOST_EQUALS(path, want, sizeof(want));
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	close(fd);
	unlink(path);
}

/* ---------------------------------------------------------------------
 * 7. Truncation.
 * ------------------------------------------------------------------- */

TEST(file_truncate_shrink_then_grow)
{
	static unsigned char zero[4 * 4096], buf[4 * 4096];
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys), *vm2 = tvm(sys);
	char path[PATH_MAX];
	uint64_t s, p;
	int fd;

	TF_FILE(path, 4 * PG, 18);
	fd = TF_OPEN(path, O_RDWR);
	s = FMAP(vm, 0, 4 * PG, RW, SHARED, fd, 0);
	p = FMAP(vm2, 0, 4 * PG, RO, PRIVATE, fd, 0);
	VERIFY_FILE(vm, s, 0, 4 * PG, 18);
	VERIFY_FILE(vm2, p, 0, 4 * PG, 18);

	ASSERT_OK(bvm_file_truncate(sys, fd, 5000));
	ASSERT_EQ(HOST_SIZE(path), 5000);
	VERIFY_FILE(vm, s, 0, 5000, 18);
	VERIFY_ZERO(vm, s + 5000, 2 * PG - 5000);
	NOBUS_READ(vm, s + 2 * PG, ENXIO);
	NOBUS_WRITE(vm, s + 3 * PG + 1, ENXIO);
	FAULT_BUS(vm, s + 3 * PG, BVM_PROT_READ, ENXIO);
	VERIFY_FILE(vm2, p, 0, 5000, 18);
	VERIFY_ZERO(vm2, p + 5000, 2 * PG - 5000);
	NOBUS_READ(vm2, p + 2 * PG, ENXIO);
	FAULT_BUS(vm2, p + 3 * PG, BVM_PROT_READ, ENXIO);
	CHECK(vm);
	CHECK(vm2);
	SYSCHECK(sys);

	/* Grow again: the new pages, and the old tail, are zero. */
	ASSERT_OK(bvm_file_truncate(sys, fd, 4 * PG));
	ASSERT_EQ(HOST_SIZE(path), 4 * PG);
	VERIFY_FILE(vm, s, 0, 5000, 18);
	VERIFY_ZERO(vm, s + 5000, 4 * PG - 5000);
	VERIFY_ZERO(vm2, p + 5000, 4 * PG - 5000);
	HOST_READ(path, 5000, buf, 4 * PG - 5000);
	ASSERT_MEM(buf, zero, 4 * PG - 5000);
	/* The grown pages are real pages of the file. */
	VPUT(vm, s + 3 * PG + 100, "grown");
	ASSERT_OK(bvm_msync(vm, s, 4 * PG, BVM_MS_SYNC));
	HOST_READ(path, 3 * PG + 100, buf, 5);
	ASSERT_MEM(buf, "grown", 5);
	VIS(vm2, p + 3 * PG + 100, "grown");
	teardown(sys, vm, vm2);
	ASSERT_EQ(HOST_SIZE(path), 4 * PG);
	close(fd);
	unlink(path);
}

/* bvm_object_truncate on a bvm_object_file handle does the same. */
TEST(file_object_truncate_handle)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *obj = NULL;
	char path[PATH_MAX];
	uint64_t s, size = 0;
	int fd;

	TF_FILE(path, 3 * PG, 19);
	fd = TF_OPEN(path, O_RDWR);
	ASSERT_OK(bvm_object_file(sys, fd, &obj));
	ASSERT_OK(bvm_object_size(obj, &size));
	ASSERT_EQ(size, 3 * PG);
	s = FMAP(vm, 0, 3 * PG, RO, SHARED, fd, 0);
	ASSERT_EQ(tstats(sys).vnodes, 1);
	VERIFY_FILE(vm, s, 0, 3 * PG, 19);
	ASSERT_OK(bvm_object_truncate(obj, PG + 1));
	ASSERT_OK(bvm_object_size(obj, &size));
	ASSERT_EQ(size, PG + 1);
	ASSERT_EQ(HOST_SIZE(path), PG + 1);
	VERIFY_FILE(vm, s, 0, PG + 1, 19);
	VERIFY_ZERO(vm, s + PG + 1, PG - 1);
	NOBUS_READ(vm, s + 2 * PG, ENXIO);
	ASSERT_OK(bvm_munmap(vm, s, 3 * PG));
	/* The handle keeps the object. */
	ASSERT_EQ(tstats(sys).vnodes, 1);
	bvm_object_release(obj);
	ASSERT_EQ(tstats(sys).vnodes, 0);
	ASSERT_EQ(tstats(sys).objects, 0);
	teardown(sys, vm, NULL);
	close(fd);
	unlink(path);
}

TEST(file_truncate_errors)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	char path[PATH_MAX];
	uint64_t s;
	int ro, rw, cl, pfd[2];

	TF_FILE(path, 4 * PG, 20);
	ro = TF_OPEN(path, O_RDONLY);
	rw = TF_OPEN(path, O_RDWR);
	ASSERT_EQ(pipe(pfd), 0);
	/* Closed last: nothing opened after may reuse its number. */
	cl = TF_OPEN(path, O_RDWR);
	ASSERT_EQ(close(cl), 0);
	ASSERT_ERR(bvm_file_truncate(sys, ro, PG), EBADF);
	ASSERT_ERR(bvm_file_truncate(sys, cl, PG), EBADF);
	ASSERT_ERR(bvm_file_truncate(sys, pfd[1], PG), ENODEV);
	ASSERT_EQ(HOST_SIZE(path), 4 * PG);
	/* Wired pages beyond the new end: EBUSY, nothing changed. */
	s = FMAP(vm, 0, 4 * PG, RW, SHARED, rw, 0);
	ASSERT_OK(bvm_mlock(vm, s + 2 * PG, 2 * PG));
	ASSERT_ERR(bvm_file_truncate(sys, rw, PG), EBUSY);
	ASSERT_EQ(HOST_SIZE(path), 4 * PG);
	VERIFY_FILE(vm, s, 0, 4 * PG, 20);
	ASSERT_OK(bvm_munlock(vm, s + 2 * PG, 2 * PG));
	ASSERT_OK(bvm_file_truncate(sys, rw, 2 * PG));
	NOBUS_READ(vm, s + 2 * PG, ENXIO);
	VERIFY_FILE(vm, s, 0, 2 * PG, 20);
	teardown(sys, vm, NULL);
	close(ro);
	close(rw);
	close(pfd[0]);
	close(pfd[1]);
	unlink(path);
}

/*
 * The host file shrinks behind the library's back: a page not cached and
 * now beyond the end faults with ENXIO (no crash); a page still inside
 * reads the file.
 */
TEST(file_truncate_host_behind_back)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	char path[PATH_MAX];
	uint64_t s, p;
	int fd, hfd;

	TF_FILE(path, 4 * PG, 21);
	fd = TF_OPEN(path, O_RDWR);
	s = FMAP(vm, 0, 4 * PG, RO, SHARED, fd, 0);
	p = FMAP(vm, 0, 4 * PG, RW, PRIVATE, fd, 0);
	hfd = TF_OPEN(path, O_RDWR);
	ASSERT_EQ(ftruncate(hfd, PG), 0);
	NOBUS_READ(vm, s + 2 * PG, ENXIO);
	FAULT_BUS(vm, s + 3 * PG, BVM_PROT_READ, ENXIO);
	NOBUS_READ(vm, s + PG + 5, ENXIO);
	NOBUS_WRITE(vm, p + 3 * PG, ENXIO);
	VERIFY_FILE(vm, s, 0, PG, 21);
	VERIFY_FILE(vm, p, 0, PG, 21);
	CHECK(vm);
	SYSCHECK(sys);
	teardown(sys, vm, NULL);
	ASSERT_EQ(HOST_SIZE(path), PG);
	close(hfd);
	close(fd);
	unlink(path);
}

/* ---------------------------------------------------------------------
 * 8. File I/O through the page cache.
 * ------------------------------------------------------------------- */

TEST(file_io_write_seen_by_mappings_and_host)
{
	static unsigned char big[300];
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys), *vm2 = tvm(sys);
	char path[PATH_MAX], buf[300];
	uint64_t s, p;
	int fd, fd2, i;

	TF_FILE(path, 4 * PG, 22);
	fd = TF_OPEN(path, O_RDWR);
	fd2 = TF_OPEN(path, O_RDWR);
	s = FMAP(vm, 0, 4 * PG, RW, SHARED, fd, 0);
	p = FMAP(vm2, 0, 4 * PG, RW, PRIVATE, fd, 0);
	VERIFY_FILE(vm, s, 0, 4 * PG, 22);
	VERIFY_FILE(vm2, p, 0, 4 * PG, 22);
	/* The private side has its own copy of page 3. */
	VPUT(vm2, p + 3 * PG + 200, "own");

	ASSERT_OK(bvm_file_write(sys, fd, "HELLO", 5, 100));
	VIS(vm, s + 100, "HELLO");
	VIS(vm2, p + 100, "HELLO");
	HOST_READ(path, 100, buf, 5);
	ASSERT_MEM(buf, "HELLO", 5);
	/* Through another descriptor of the same file. */
	ASSERT_OK(bvm_file_write(sys, fd2, "WORLD", 5, 3 * PG + 200));
	VIS(vm, s + 3 * PG + 200, "WORLD");
	VIS(vm2, p + 3 * PG + 200, "own");
	HOST_READ(path, 3 * PG + 200, buf, 5);
	ASSERT_MEM(buf, "WORLD", 5);
	/* Across a page boundary. */
	for (i = 0; i < 300; i++)
		big[i] = (unsigned char)(0x80 | i);
	ASSERT_OK(bvm_file_write(sys, fd, big, 300, 2 * PG - 150));
	ASSERT_OK(bvm_read(vm, s + 2 * PG - 150, buf, 300, NULL));
	ASSERT_MEM(buf, big, 300);
	ASSERT_OK(bvm_read(vm2, p + 2 * PG - 150, buf, 300, NULL));
	ASSERT_MEM(buf, big, 300);
	HOST_READ(path, 2 * PG - 150, buf, 300);
	ASSERT_MEM(buf, big, 300);
	ASSERT_EQ(HOST_SIZE(path), 4 * PG);
	CHECK(vm);
	CHECK(vm2);
	teardown(sys, vm, vm2);
	close(fd);
	close(fd2);
	unlink(path);
}

TEST(file_io_read_sees_shared_stores)
{
	static unsigned char buf[4 * 4096], want[4 * 4096];
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	char path[PATH_MAX];
	size_t n = 0;
	uint64_t s;
	int fd, fd2;

	TF_FILE(path, 4 * PG, 23);
	fd = TF_OPEN(path, O_RDWR);
	fd2 = TF_OPEN(path, O_RDONLY);
	s = FMAP(vm, 0, 4 * PG, RW, SHARED, fd, 0);
	VPUT(vm, s + 5000, "xyz");
	ASSERT_OK(bvm_file_read(sys, fd, buf, 3, 5000, &n));
	ASSERT_EQ(n, 3);
	ASSERT_MEM(buf, "xyz", 3);
	n = 0;
	ASSERT_OK(bvm_file_read(sys, fd2, buf, sizeof(buf), 0, &n));
	ASSERT_EQ(n, sizeof(buf));
	fill_pat(want, 0, sizeof(want), 23);
	memcpy(want + 5000, "xyz", 3);
	ASSERT_MEM(buf, want, sizeof(want));
	/* nread may be NULL. */
	ASSERT_OK(bvm_file_read(sys, fd2, buf, 3, 5000, NULL));
	ASSERT_MEM(buf, "xyz", 3);
	teardown(sys, vm, NULL);
	close(fd);
	close(fd2);
	unlink(path);
}

TEST(file_io_read_short_at_eof)
{
	static unsigned char buf[8192];
	struct bvm_system *sys = fsys(256);
	char path[PATH_MAX];
	size_t n;
	int fd, i;

	TF_FILE(path, 5000, 24);
	fd = TF_OPEN(path, O_RDONLY);
	n = 12345;
	ASSERT_OK(bvm_file_read(sys, fd, buf, 100, 4950, &n));
	ASSERT_EQ(n, 50);
	for (i = 0; i < 50; i++)
		ASSERT_EQ(buf[i], fpat(4950 + i, 24));
	n = 12345;
	ASSERT_OK(bvm_file_read(sys, fd, buf, sizeof(buf), 0, &n));
	ASSERT_EQ(n, 5000);
	for (i = 0; i < 5000; i++)
		ASSERT_EQ(buf[i], fpat(i, 24));
	n = 12345;
	ASSERT_OK(bvm_file_read(sys, fd, buf, 100, 5000, &n));
	ASSERT_EQ(n, 0);
	n = 12345;
	ASSERT_OK(bvm_file_read(sys, fd, buf, 100, 3 * PG, &n));
	ASSERT_EQ(n, 0);
	n = 12345;
	ASSERT_OK(bvm_file_read(sys, fd, buf, 0, 10, &n));
	ASSERT_EQ(n, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	close(fd);
	unlink(path);
}

/* A write past the end extends the file; mappings see the new pages. */
TEST(file_io_write_extends_file)
{
	static unsigned char zero[4096], buf[4096];
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	char path[PATH_MAX];
	size_t n = 0;
	uint64_t s;
	int fd;

	TF_FILE(path, 4 * PG, 25);
	fd = TF_OPEN(path, O_RDWR);
	s = FMAP(vm, 0, 6 * PG, RO, SHARED, fd, 0);
	NOBUS_READ(vm, s + 4 * PG, ENXIO);
	ASSERT_OK(bvm_file_write(sys, fd, "0123456789", 10, 20000));
	ASSERT_EQ(HOST_SIZE(path), 20010);
	HOST_READ(path, 20000, buf, 10);
	ASSERT_MEM(buf, "0123456789", 10);
	HOST_READ(path, 4 * PG, buf, 20000 - 4 * PG);
	ASSERT_MEM(buf, zero, 20000 - 4 * PG);
	HOST_VERIFY(path, 0, 4 * PG, 25);
	/* Page 4 now exists: zeroes, the data, the zero tail. */
	VERIFY_ZERO(vm, s + 4 * PG, 20000 - 4 * PG);
	VIS(vm, s + 20000, "0123456789");
	VERIFY_ZERO(vm, s + 20010, 5 * PG - 20010);
	/* Page 5 is still wholly beyond the end. */
	NOBUS_READ(vm, s + 5 * PG, ENXIO);
	ASSERT_OK(bvm_file_read(sys, fd, buf, sizeof(buf), 4 * PG, &n));
	ASSERT_EQ(n, 20010 - 4 * PG);
	ASSERT_MEM(buf, zero, 20000 - 4 * PG);
	ASSERT_MEM(buf + 20000 - 4 * PG, "0123456789", 10);
	CHECK(vm);
	teardown(sys, vm, NULL);
	ASSERT_EQ(HOST_SIZE(path), 20010);
	close(fd);
	unlink(path);
}

TEST(file_io_errors)
{
	struct bvm_system *sys = fsys(256);
	char path[PATH_MAX], buf[16];
	int ro, wo, rw, cl, pfd[2];

	TF_FILE(path, PG, 26);
	ro = TF_OPEN(path, O_RDONLY);
	wo = TF_OPEN(path, O_WRONLY);
	rw = TF_OPEN(path, O_RDWR);
	ASSERT_EQ(pipe(pfd), 0);
	/* Closed last: nothing opened after may reuse its number. */
	cl = TF_OPEN(path, O_RDWR);
	ASSERT_EQ(close(cl), 0);
	/* Not open for writing. */
	ASSERT_ERR(bvm_file_write(sys, ro, "x", 1, 0), EBADF);
	/* Not open at all. */
	ASSERT_ERR(bvm_file_read(sys, cl, buf, 1, 0, NULL), EBADF);
	ASSERT_ERR(bvm_file_write(sys, cl, "x", 1, 0), EBADF);
	ASSERT_ERR(bvm_file_sync(sys, cl), EBADF);
	ASSERT_ERR(bvm_file_read(sys, -1, buf, 1, 0, NULL), EBADF);
	/* Not open for reading. */
	ASSERT_ERR(bvm_file_read(sys, wo, buf, 1, 0, NULL), EACCES);
	/* Not a regular file. */
	ASSERT_ERR(bvm_file_read(sys, pfd[0], buf, 1, 0, NULL), ENODEV);
	ASSERT_ERR(bvm_file_write(sys, pfd[1], "x", 1, 0), ENODEV);
	ASSERT_ERR(bvm_file_sync(sys, pfd[1]), ENODEV);
	/* Offsets. */
	ASSERT_ERR(bvm_file_read(sys, rw, buf, 1, -1, NULL), EINVAL);
	ASSERT_ERR(bvm_file_write(sys, rw, "x", 1, -1), EINVAL);
	ASSERT_ERR(bvm_file_write(sys, rw, "x", 1, INT64_MIN), EINVAL);
	ASSERT_ERR(bvm_file_write(sys, rw, "0123456789", 10,
	    INT64_MAX - 5), EINVAL);
	/* Nothing was written. */
	ASSERT_EQ(HOST_SIZE(path), PG);
	HOST_VERIFY(path, 0, PG, 26);
	ASSERT_OK(bvm_file_sync(sys, rw));
	ASSERT_EQ(tstats(sys).pgpgout, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	close(ro);
	close(wo);
	close(rw);
	close(pfd[0]);
	close(pfd[1]);
	unlink(path);
}

/* bvm_file_sync writes the pages dirtied through mappings. */
TEST(file_io_sync_writes_mapped_dirty_pages)
{
	static unsigned char want[4 * 4096];
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats st0, st1;
	char path[PATH_MAX];
	uint64_t s;
	int fd;

	TF_FILE(path, 4 * PG, 27);
	fd = TF_OPEN(path, O_RDWR);
	s = FMAP(vm, 0, 4 * PG, RW, SHARED, fd, 0);
	VERIFY_FILE(vm, s, 0, 4 * PG, 27);
	VPUT(vm, s + 1, "page0");
	VPUT(vm, s + 2 * PG + 2, "page2");
	st0 = tstats(sys);
	ASSERT_OK(bvm_file_sync(sys, fd));
	st1 = tstats(sys);
	ASSERT_EQ(st1.pgpgout - st0.pgpgout, 2);
	fill_pat(want, 0, sizeof(want), 27);
	memcpy(want + 1, "page0", 5);
	memcpy(want + 2 * PG + 2, "page2", 5);
	HOST_EQUALS(path, want, sizeof(want));
	/* Clean now: a second sync writes nothing. */
	ASSERT_OK(bvm_file_sync(sys, fd));
	ASSERT_EQ(tstats(sys).pgpgout, st1.pgpgout);
	teardown(sys, vm, NULL);
	close(fd);
	unlink(path);
}

/* ---------------------------------------------------------------------
 * 9. Pager I/O errors (failpoints).
 * ------------------------------------------------------------------- */

TEST(file_fp_pager_read_eio_then_retry)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	struct bvm_stats st0;
	char path[PATH_MAX], path2[PATH_MAX], path3[PATH_MAX], buf[8];
	uint64_t s, t, u;
	size_t n = 0;
	int fd, fd2, fd3;

	TF_FILE(path, 4 * PG, 28);
	TF_FILE(path2, 2 * PG, 38);
	TF_FILE(path3, 4 * PG, 39);
	fd = TF_OPEN(path, O_RDWR);
	fd2 = TF_OPEN(path2, O_RDONLY);
	fd3 = TF_OPEN(path3, O_RDONLY);
	s = FMAP(vm, 0, 4 * PG, RO, SHARED, fd, 0);
	t = FMAP(vm, 0, 2 * PG, RW, PRIVATE, fd2, 0);
	u = FMAP(vm, 0, 4 * PG, RO, SHARED, fd3, 0);
	st0 = tstats(sys);

	/* bvm_fault: EIO, SIGBUS/BUS_OBJERR; then the retry reads. */
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_PAGER_READ, 1));
	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_fault(vm, s + PG, BVM_PROT_READ, &fi), EIO);
	ASSERT_EQ(fi.addr, s + PG);
	ASSERT_EQ(fi.error, EIO);
	ASSERT_EQ(fi.signo, BVM_SIGBUS);
	ASSERT_EQ(fi.code, BVM_BUS_OBJERR);
	ASSERT_TRUE(bvm_failpoint_calls(BVM_FP_PAGER_READ) >= 1);
	ASSERT_EQ(tstats(sys).pager_errors - st0.pager_errors, 1);
	bvm_failpoint_disarm();
	CHECK(vm);
	SYSCHECK(sys);
	ASSERT_OK(bvm_fault(vm, s + PG, BVM_PROT_READ, NULL));
	VERIFY_FILE(vm, s, 0, 4 * PG, 28);

	/* bvm_write to a private mapping: EFAULT with EIO in info. */
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_PAGER_READ, 1));
	NOBUS_WRITE(vm, t + 7, EIO);
	bvm_failpoint_disarm();
	ASSERT_EQ(tstats(sys).pager_errors - st0.pager_errors, 2);
	CHECK(vm);
	VPUT(vm, t + 7, "ok");
	VIS(vm, t + 7, "ok");
	VERIFY_FILE(vm, t + 9, 9, 2 * PG - 9, 38);
	VERIFY_FILE(vm, t, 0, 7, 38);

	/* bvm_file_read of a page not cached. */
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_PAGER_READ, 1));
	ASSERT_ERR(bvm_file_read(sys, fd3, buf, 8, 3 * PG, &n), EIO);
	bvm_failpoint_disarm();
	ASSERT_EQ(tstats(sys).pager_errors - st0.pager_errors, 3);
	n = 0;
	ASSERT_OK(bvm_file_read(sys, fd3, buf, 8, 3 * PG, &n));
	ASSERT_EQ(n, 8);
	ASSERT_EQ((unsigned char)buf[0], fpat(3 * PG, 39));
	ASSERT_EQ((unsigned char)buf[7], fpat(3 * PG + 7, 39));
	VERIFY_FILE(vm, u, 0, 4 * PG, 39);
	ASSERT_EQ(tstats(sys).pager_errors - st0.pager_errors, 3);
	teardown(sys, vm, NULL);
	bvm_failpoint_disarm();
	close(fd);
	close(fd2);
	close(fd3);
	unlink(path);
	unlink(path2);
	unlink(path3);
}

TEST(file_fp_pager_write_eio_msync_retry)
{
	static unsigned char want[2 * 4096];
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats st0;
	char path[PATH_MAX];
	uint64_t s;
	int fd;

	bvm_failpoint_disarm();
	TF_FILE(path, 2 * PG, 29);
	fd = TF_OPEN(path, O_RDWR);
	s = FMAP(vm, 0, 2 * PG, RW, SHARED, fd, 0);
	VPUT(vm, s + PG + 3, "DATA");
	st0 = tstats(sys);
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_PAGER_WRITE, 1));
	ASSERT_ERR(bvm_msync(vm, s, 2 * PG, BVM_MS_SYNC), EIO);
	ASSERT_TRUE(bvm_failpoint_calls(BVM_FP_PAGER_WRITE) >= 1);
	ASSERT_EQ(tstats(sys).pager_errors - st0.pager_errors, 1);
	bvm_failpoint_disarm();
	CHECK(vm);
	SYSCHECK(sys);
	/* The page stayed dirty and cached. */
	VIS(vm, s + PG + 3, "DATA");
	ASSERT_OK(bvm_msync(vm, s, 2 * PG, BVM_MS_SYNC));
	ASSERT_TRUE(tstats(sys).pgpgout - st0.pgpgout >= 1);
	fill_pat(want, 0, sizeof(want), 29);
	memcpy(want + PG + 3, "DATA", 4);
	HOST_EQUALS(path, want, sizeof(want));
	ASSERT_EQ(tstats(sys).pager_errors - st0.pager_errors, 1);
	teardown(sys, vm, NULL);
	bvm_failpoint_disarm();
	close(fd);
	unlink(path);
}

/* ---------------------------------------------------------------------
 * 10. Counters.
 * ------------------------------------------------------------------- */

TEST(file_counters_pagein_and_flt_obj)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm;
	struct bvm_stats st0, st1, st2;
	char path[PATH_MAX];
	uint64_t free0, s;
	int fd, i;

	free0 = tstats(sys).free;
	vm = tvm(sys);
	TF_FILE(path, 8 * PG, 30);
	fd = TF_OPEN(path, O_RDONLY);
	st0 = tstats(sys);
	ASSERT_EQ(st0.objects, 0);
	ASSERT_EQ(st0.vnodes, 0);
	ASSERT_EQ(st0.obj_pages, 0);
	s = FMAP(vm, 0, 8 * PG, RO, SHARED, fd, 0);
	st1 = tstats(sys);
	ASSERT_EQ(st1.objects, 1);
	ASSERT_EQ(st1.vnodes, 1);
	ASSERT_EQ(st1.obj_pages, 0);
	ASSERT_EQ(st1.pgpgin, st0.pgpgin);
	ASSERT_OK(bvm_madvise(vm, s, 8 * PG, BVM_MADV_RANDOM));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(tpeek(vm, s + i * PG + 77), fpat(i * PG + 77, 30));
	st2 = tstats(sys);
	ASSERT_EQ(st2.pgpgin - st0.pgpgin, 8);
	ASSERT_TRUE(st2.pageins - st0.pageins >= 1);
	ASSERT_TRUE(st2.pageins - st0.pageins <= 8);
	ASSERT_EQ(st2.flt_obj - st0.flt_obj, 8);
	ASSERT_EQ(st2.flt_prcopy, st0.flt_prcopy);
	ASSERT_EQ(st2.obj_pages, 8);
	ASSERT_EQ(st2.pager_errors, 0);
	/* Again: all cached and mapped, nothing read, no fault. */
	VERIFY_FILE(vm, s, 0, 8 * PG, 30);
	st1 = tstats(sys);
	ASSERT_EQ(st1.pgpgin, st2.pgpgin);
	ASSERT_EQ(st1.pageins, st2.pageins);
	ASSERT_EQ(st1.flt_obj, st2.flt_obj);
	CHECK(vm);
	ASSERT_OK(bvm_munmap(vm, s, 8 * PG));
	st1 = tstats(sys);
	ASSERT_EQ(st1.objects, 0);
	ASSERT_EQ(st1.vnodes, 0);
	ASSERT_EQ(st1.obj_pages, 0);
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(tstats(sys).free, free0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	close(fd);
	unlink(path);
}

TEST(file_counters_prcopy)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats st0, st1;
	char path[PATH_MAX];
	uint64_t p, pgpgin0;
	int fd;

	TF_FILE(path, 4 * PG, 31);
	fd = TF_OPEN(path, O_RDONLY);
	p = FMAP(vm, 0, 4 * PG, RW, PRIVATE, fd, 0);
	ASSERT_OK(bvm_madvise(vm, p, 4 * PG, BVM_MADV_RANDOM));
	st0 = tstats(sys);
	/* Writes to three pages never read: three copies. */
	VPUT(vm, p + 1, "a");
	VPUT(vm, p + PG + 1, "b");
	VPUT(vm, p + 2 * PG + 1, "c");
	st1 = tstats(sys);
	ASSERT_EQ(st1.flt_prcopy - st0.flt_prcopy, 3);
	ASSERT_EQ(st1.flt_obj - st0.flt_obj, 0);
	ASSERT_EQ(st1.anons - st0.anons, 3);
	/* Three pages read, perhaps page 3 too (read clustering). */
	ASSERT_TRUE(st1.pgpgin - st0.pgpgin >= 3);
	ASSERT_TRUE(st1.pgpgin - st0.pgpgin <= 4);
	pgpgin0 = st0.pgpgin;
	/* A read maps the file's page directly; a write then copies it. */
	ASSERT_EQ(tpeek(vm, p + 3 * PG), fpat(3 * PG, 31));
	st0 = tstats(sys);
	ASSERT_EQ(st0.flt_obj - st1.flt_obj, 1);
	ASSERT_EQ(st0.flt_prcopy, st1.flt_prcopy);
	VPUT(vm, p + 3 * PG + 1, "d");
	st1 = tstats(sys);
	ASSERT_EQ(st1.flt_prcopy - st0.flt_prcopy, 1);
	ASSERT_EQ(st1.pgpgin - st0.pgpgin, 0);
	/* Each of the four pages was read exactly once. */
	ASSERT_EQ(st1.pgpgin - pgpgin0, 4);
	/* Written pages: no more faults. */
	VPUT(vm, p + 2, "e");
	ASSERT_EQ(tstats(sys).flt_prcopy, st1.flt_prcopy);
	VIS(vm, p + 1, "ae");
	VERIFY_FILE(vm, p + 3, 3, PG - 3, 31);
	CHECK(vm);
	teardown(sys, vm, NULL);
	HOST_VERIFY(path, 0, 4 * PG, 31);
	close(fd);
	unlink(path);
}

TEST(file_counters_pageout_and_msync)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats st0, st1;
	char path[PATH_MAX];
	uint64_t s;
	int fd;

	TF_FILE(path, 4 * PG, 32);
	fd = TF_OPEN(path, O_RDWR);
	s = FMAP(vm, 0, 4 * PG, RW, SHARED, fd, 0);
	VERIFY_FILE(vm, s, 0, 4 * PG, 32);
	VPUT(vm, s + PG + 10, "one");
	VPUT(vm, s + 3 * PG + 10, "three");
	st0 = tstats(sys);
	ASSERT_OK(bvm_msync(vm, s, 4 * PG, BVM_MS_ASYNC));
	st1 = tstats(sys);
	ASSERT_EQ(st1.msync_calls - st0.msync_calls, 1);
	ASSERT_EQ(st1.pgpgout - st0.pgpgout, 2);
	ASSERT_TRUE(st1.pageouts - st0.pageouts >= 1);
	ASSERT_TRUE(st1.pageouts - st0.pageouts <= 2);
	/* Clean now. */
	ASSERT_OK(bvm_msync(vm, s, 4 * PG, BVM_MS_SYNC));
	st0 = tstats(sys);
	ASSERT_EQ(st0.msync_calls - st1.msync_calls, 1);
	ASSERT_EQ(st0.pgpgout, st1.pgpgout);
	ASSERT_EQ(st0.pageouts, st1.pageouts);
	/* Unmapping clean pages writes nothing either. */
	ASSERT_OK(bvm_munmap(vm, s, 4 * PG));
	ASSERT_EQ(tstats(sys).pgpgout, st0.pgpgout);
	ASSERT_EQ(tstats(sys).vnodes, 0);
	teardown(sys, vm, NULL);
	close(fd);
	unlink(path);
}

/*
 * One object per file, whatever the descriptor; objects and their frames
 * all go when the last mapping goes.
 */
TEST(file_counters_objects_back_to_zero)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm, *vm2;
	struct bvm_stats st;
	char path1[PATH_MAX], path2[PATH_MAX];
	uint64_t free0, a, b, c, d;
	int fa, fb, fc;

	free0 = tstats(sys).free;
	vm = tvm(sys);
	vm2 = tvm(sys);
	TF_FILE(path1, 3 * PG, 33);
	TF_FILE(path2, 2 * PG, 34);
	fa = TF_OPEN(path1, O_RDWR);
	fb = TF_OPEN(path1, O_RDONLY);
	fc = TF_OPEN(path2, O_RDWR);
	a = FMAP(vm, 0, 3 * PG, RW, SHARED, fa, 0);
	b = FMAP(vm2, 0, 3 * PG, RO, PRIVATE, fb, 0);
	c = FMAP(vm2, 0, PG, RO, SHARED, fb, 2 * PG);
	ASSERT_EQ(tstats(sys).vnodes, 1);
	ASSERT_EQ(tstats(sys).objects, 1);
	d = FMAP(vm, 0, 2 * PG, RW, PRIVATE, fc, 0);
	ASSERT_EQ(tstats(sys).vnodes, 2);
	ASSERT_EQ(tstats(sys).objects, 2);
	VERIFY_FILE(vm, a, 0, 3 * PG, 33);
	VERIFY_FILE(vm2, b, 0, 3 * PG, 33);
	VERIFY_FILE(vm2, c, 2 * PG, PG, 33);
	VPUT(vm, d + 5, "priv");
	VPUT(vm, a + 5, "shared");
	VIS(vm2, b + 5, "shared");
	st = tstats(sys);
	/* file 1: its 3 pages; file 2: page 0, perhaps page 1 (clustering). */
	ASSERT_TRUE(st.obj_pages >= 4);
	ASSERT_TRUE(st.obj_pages <= 5);
	CHECK(vm);
	CHECK(vm2);
	SYSCHECK(sys);
	ASSERT_OK(bvm_munmap(vm, a, 3 * PG));
	ASSERT_EQ(tstats(sys).vnodes, 2);
	ASSERT_OK(bvm_munmap(vm2, b, 3 * PG));
	ASSERT_EQ(tstats(sys).vnodes, 2);
	ASSERT_OK(bvm_munmap(vm2, c, PG));
	ASSERT_EQ(tstats(sys).vnodes, 1);
	ASSERT_OK(bvm_munmap(vm, d, 2 * PG));
	st = tstats(sys);
	ASSERT_EQ(st.vnodes, 0);
	ASSERT_EQ(st.objects, 0);
	ASSERT_EQ(st.obj_pages, 0);
	ASSERT_EQ(st.anons, 0);
	CHECK(vm);
	CHECK(vm2);
	bvm_vmspace_destroy(vm);
	bvm_vmspace_destroy(vm2);
	st = tstats(sys);
	ASSERT_EQ(st.free, free0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	close(fa);
	close(fb);
	close(fc);
	unlink(path1);
	unlink(path2);
}

/* ---------------------------------------------------------------------
 * 11. bvm_regions.
 * ------------------------------------------------------------------- */

TEST(file_regions_vnode_name_offset)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct region_copy rc;
	char path[PATH_MAX], real[PATH_MAX];
	uint64_t a, p, an;
	int fd, ro;

	TF_FILE(path, 6 * PG, 35);
	ASSERT_TRUE(realpath(path, real) != NULL);
	fd = TF_OPEN(path, O_RDWR);
	ro = TF_OPEN(path, O_RDONLY);
	a = FMAP(vm, 0, 3 * PG, RW, SHARED, fd, 2 * PG);
	ASSERT_TRUE(region_copy_at(vm, a, &rc));
	ASSERT_EQ(strcmp(rc.type, "vnode"), 0);
	if (strcmp(rc.name, real) != 0)
		bvm_test_fail(__FILE__, __LINE__, "name \"%s\", want \"%s\"",
		    rc.name, real);
	ASSERT_EQ(rc.r.start, a);
	ASSERT_EQ(rc.r.end, a + 3 * PG);
	ASSERT_EQ(rc.r.offset, 2 * PG);
	ASSERT_EQ(rc.r.prot, RW);
	ASSERT_EQ(rc.r.maxprot & RW, RW);
	ASSERT_EQ(rc.r.inherit, BVM_INHERIT_SHARE);
	ASSERT_EQ(rc.r.flags & BVM_REGION_COW, 0);
	ASSERT_EQ(rc.r.obj_resident, 0);
	VERIFY_FILE(vm, a, 2 * PG, 3 * PG, 35);
	ASSERT_TRUE(region_copy_at(vm, a, &rc));
	ASSERT_TRUE(rc.r.obj_resident >= 3);
	ASSERT_TRUE(rc.r.obj_resident <= 6);
	ASSERT_EQ(rc.r.resident, 3);
	/* Unmapping the first page moves the offset of the rest. */
	ASSERT_OK(bvm_munmap(vm, a, PG));
	ASSERT_TRUE(region_copy_at(vm, a + PG, &rc));
	ASSERT_EQ(rc.r.start, a + PG);
	ASSERT_EQ(rc.r.offset, 3 * PG);
	ASSERT_EQ(strcmp(rc.type, "vnode"), 0);
	/* A private mapping of the same file. */
	p = FMAP(vm, 0, 2 * PG, RW, PRIVATE, ro, 4 * PG);
	ASSERT_TRUE(region_copy_at(vm, p, &rc));
	ASSERT_EQ(strcmp(rc.type, "vnode"), 0);
	ASSERT_EQ(strcmp(rc.name, real), 0);
	ASSERT_EQ(rc.r.offset, 4 * PG);
	ASSERT_EQ(rc.r.inherit, BVM_INHERIT_COPY);
	ASSERT_TRUE(rc.r.flags & BVM_REGION_COW);
	/* Anonymous memory stays "anon", no name. */
	an = tmap(vm, PG);
	ASSERT_TRUE(region_copy_at(vm, an, &rc));
	ASSERT_EQ(strcmp(rc.type, "anon"), 0);
	ASSERT_EQ(strcmp(rc.name, ""), 0);
	teardown(sys, vm, NULL);
	close(fd);
	close(ro);
	unlink(path);
}

/* ---------------------------------------------------------------------
 * 12. mlock.
 * ------------------------------------------------------------------- */

TEST(file_mlock_shared_wires_file_pages)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats st0, st1;
	struct region_copy rc;
	char path[PATH_MAX];
	uint64_t s;
	int fd;

	TF_FILE(path, 4 * PG, 36);
	fd = TF_OPEN(path, O_RDWR);
	s = FMAP(vm, 0, 4 * PG, RW, SHARED, fd, 0);
	st0 = tstats(sys);
	ASSERT_OK(bvm_mlock(vm, s, 4 * PG));
	st1 = tstats(sys);
	ASSERT_EQ(st1.wired - st0.wired, 4);
	ASSERT_EQ(st1.pgpgin - st0.pgpgin, 4);
	ASSERT_EQ(st1.obj_pages, 4);
	ASSERT_EQ(st1.anons, st0.anons);
	ASSERT_TRUE(region_copy_at(vm, s, &rc));
	ASSERT_EQ(rc.r.wired_count, 1);
	ASSERT_EQ(rc.r.resident, 4);
	VERIFY_FILE(vm, s, 0, 4 * PG, 36);
	/* Stores through the wired mapping are the file's. */
	VPUT(vm, s + 2 * PG, "wired");
	ASSERT_OK(bvm_msync(vm, s, 4 * PG, BVM_MS_SYNC));
	CHECK(vm);
	SYSCHECK(sys);
	ASSERT_OK(bvm_munlock(vm, s, 4 * PG));
	ASSERT_EQ(tstats(sys).wired, st0.wired);
	ASSERT_TRUE(region_copy_at(vm, s, &rc));
	ASSERT_EQ(rc.r.wired_count, 0);
	teardown(sys, vm, NULL);
	{
		char buf[5];

		HOST_READ(path, 2 * PG, buf, 5);
		ASSERT_MEM(buf, "wired", 5);
	}
	close(fd);
	unlink(path);
}

TEST(file_mlock_private_copies_pages)
{
	struct bvm_system *sys = fsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats st0, st1;
	char path[PATH_MAX];
	uint64_t p;
	int fd;

	TF_FILE(path, 3 * PG, 37);
	fd = TF_OPEN(path, O_RDONLY);
	p = FMAP(vm, 0, 3 * PG, RW, PRIVATE, fd, 0);
	st0 = tstats(sys);
	ASSERT_OK(bvm_mlock(vm, p, 3 * PG));
	st1 = tstats(sys);
	ASSERT_EQ(st1.wired - st0.wired, 3);
	ASSERT_EQ(st1.flt_prcopy - st0.flt_prcopy, 3);
	ASSERT_EQ(st1.anons - st0.anons, 3);
	VERIFY_FILE(vm, p, 0, 3 * PG, 37);
	/* Stores need no more copies. */
	VPUT(vm, p + PG, "x");
	ASSERT_EQ(tstats(sys).flt_prcopy, st1.flt_prcopy);
	ASSERT_OK(bvm_munlock(vm, p, 3 * PG));
	ASSERT_EQ(tstats(sys).wired, st0.wired);
	VIS(vm, p + PG, "x");
	teardown(sys, vm, NULL);
	HOST_VERIFY(path, 0, 3 * PG, 37);
	close(fd);
	unlink(path);
}
