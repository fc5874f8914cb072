/*
 * test_objects_review.c: regressions for what a review of the objects and
 * pagers found: the last reference of a vnode dropped by two threads at
 * once, a file grown or shrunk by another process, a failed write past the
 * end, O_APPEND descriptors, truncating through a read-only handle,
 * msync(MS_INVALIDATE) keeping anonymous and shared memory (OpenBSD), a
 * page-index allocation failing half-way, mlock's errno beyond a file,
 * huge lengths, and mincore of resident object pages.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define PG  ((uint64_t)BVM_PAGE_SIZE)
#define RW  (BVM_PROT_READ | BVM_PROT_WRITE)

static char or_dir[64];

static void
or_cleanup(void)
{
	char cmd[128];

	if (or_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", or_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", or_dir);
		or_dir[0] = '\0';
	}
}

static const char *
or_path(const char *name)
{
	static char buf[4][160];
	static int k;
	char *p = buf[k++ & 3];

	if (or_dir[0] == '\0') {
		snprintf(or_dir, sizeof(or_dir), "/tmp/bvm_objrev.XXXXXX");
		if (mkdtemp(or_dir) == NULL)
			bvm_test_fail(__FILE__, __LINE__, "mkdtemp: %s",
			    strerror(errno));
		atexit(or_cleanup);
	}
	snprintf(p, 160, "%s/%s", or_dir, name);
	return p;
}

/* a file of len bytes of c, open read/write */
static int
mkf(const char *name, size_t len, int c)
{
	const char *path = or_path(name);
	char *b = malloc(len + 1);
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || b == NULL)
		bvm_test_fail(__FILE__, __LINE__, "%s: %s", path,
		    strerror(errno));
	memset(b, c, len);
	if (len > 0 && pwrite(fd, b, len, 0) != (ssize_t)len)
		bvm_test_fail(__FILE__, __LINE__, "pwrite: %s",
		    strerror(errno));
	free(b);
	return fd;
}

static off_t
fsz(int fd)
{
	struct stat st;

	ASSERT_EQ(fstat(fd, &st), 0);
	return st.st_size;
}

static int
fb(int fd, off_t off)
{
	unsigned char c;

	if (pread(fd, &c, 1, off) != 1)
		return -1;
	return c;
}

static struct {
	struct bvm_system *sys;
	int fd[4];
} race;

static void *
race_reader(void *arg)
{
	int fd = race.fd[(long)arg];
	char b[64];
	size_t n;
	int i;

	for (i = 0; i < 20000; i++)
		if (bvm_file_read(race.sys, fd, b, sizeof(b), 0, &n) != 0 ||
		    n != sizeof(b) || b[0] != 'r')
			return (void *)1;
	return NULL;
}

/* each call attaches and drops the file's vnode: the last drop races */
TEST(objrev_vnode_last_reference_race)
{
	pthread_t t[4];
	void *rv;
	long i;

	race.sys = tsys(1024);
	close(mkf("race", PG, 'r'));
	for (i = 0; i < 4; i++)
		race.fd[i] = open(or_path("race"), O_RDONLY);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(pthread_create(&t[i], NULL, race_reader, (void *)i),
		    0);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pthread_join(t[i], &rv), 0);
		ASSERT_TRUE(rv == NULL);
	}
	ASSERT_EQ(tstats(race.sys).vnodes, 0);
	SYSCHECK(race.sys);
	bvm_system_destroy(race.sys);
	for (i = 0; i < 4; i++)
		close(race.fd[i]);
}

/* grown by another process: stores inside the new part reach the file */
TEST(objrev_file_grown_behind_back_store_written)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	char big[2900];
	uint64_t va;
	int fd = mkf("grown", 100, 'a'), other;

	ASSERT_OK(bvm_mmap(vm, 0, PG, RW, BVM_MAP_SHARED, fd, 0, &va));
	other = open(or_path("grown"), O_WRONLY | O_APPEND);
	memset(big, 'b', sizeof(big));
	ASSERT_EQ(write(other, big, sizeof(big)), (ssize_t)sizeof(big));
	close(other);
	ASSERT_EQ(tpeek(vm, va + 2000), 'b');          /* read in whole */
	ASSERT_OK(tpoke(vm, va + 2000, 'Z'));
	ASSERT_OK(bvm_msync(vm, va, PG, BVM_MS_SYNC));
	ASSERT_EQ(fb(fd, 2000), 'Z');
	ASSERT_EQ(fsz(fd), 3000);
	/* a page-cache write past the end we knew keeps their data */
	ASSERT_OK(bvm_file_write(sys, fd, "Q", 1, 3500));
	ASSERT_OK(bvm_msync(vm, va, PG, BVM_MS_SYNC));
	ASSERT_EQ(fb(fd, 2999), 'b');
	ASSERT_EQ(fb(fd, 2000), 'Z');
	ASSERT_EQ(fb(fd, 3000), 0);
	ASSERT_EQ(fb(fd, 3500), 'Q');
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(fsz(fd), 3501);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	close(fd);
}

/* shrunk by another process: our write-back does not grow it again */
TEST(objrev_file_shrunk_behind_back_not_regrown)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *h;
	uint64_t va;
	int fd = mkf("shrunk", 2 * PG, 'a');

	ASSERT_OK(bvm_mmap(vm, 0, 2 * PG, RW, BVM_MAP_SHARED, fd, 0, &va));
	ASSERT_EQ(ftruncate(fd, 100), 0);              /* "another process" */
	ASSERT_OK(tpoke(vm, va + 50, 'Z'));            /* page 0: 100 bytes */
	ASSERT_OK(bvm_msync(vm, va, 2 * PG, BVM_MS_SYNC));
	ASSERT_EQ(fsz(fd), 100);
	ASSERT_EQ(fb(fd, 50), 'Z');
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(fsz(fd), 100);
	/* a write into the cut part extends the file (not ENXIO) */
	ASSERT_OK(bvm_object_file(sys, fd, &h));
	ASSERT_EQ(ftruncate(fd, 0), 0);
	ASSERT_OK(bvm_file_write(sys, fd, "x", 1, PG));
	ASSERT_EQ(fsz(fd), PG + 1);
	ASSERT_EQ(fb(fd, PG), 'x');
	ASSERT_EQ(fb(fd, 50), 0);
	bvm_object_release(h);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	close(fd);
}

/* a write past the end whose write-through failed is not forgotten */
TEST(objrev_failed_write_past_end_kept_until_synced)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_object *h;
	uint64_t sz;
	char b[16];
	size_t n;
	int fd = mkf("failw", 100, 'a');

	ASSERT_OK(bvm_object_file(sys, fd, &h));       /* keeps it cached */
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_PAGER_WRITE, 1));
	ASSERT_ERR(bvm_file_write(sys, fd, "hello", 5, 8192), EIO);
	bvm_failpoint_disarm();
	ASSERT_OK(bvm_object_size(h, &sz));
	ASSERT_EQ(sz, 8197);
	ASSERT_EQ(fsz(fd), 100);
	/* a read asks the host for the size: ours must win */
	ASSERT_OK(bvm_file_read(sys, fd, b, 10, 0, &n));
	ASSERT_OK(bvm_object_size(h, &sz));
	ASSERT_EQ(sz, 8197);
	ASSERT_OK(bvm_file_read(sys, fd, b, 16, 8190, &n));
	ASSERT_EQ(n, 7);
	ASSERT_EQ(memcmp(b + 2, "hello", 5), 0);
	ASSERT_OK(bvm_file_sync(sys, fd));
	ASSERT_EQ(fsz(fd), 8197);
	ASSERT_EQ(pread(fd, b, 5, 8192), 5);
	ASSERT_EQ(memcmp(b, "hello", 5), 0);
	bvm_object_release(h);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
	close(fd);
}

/* the embedder's O_APPEND does not move where pages are written */
TEST(objrev_append_descriptor_writes_in_place)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t va;
	int fd, chk;

	close(mkf("append", 2 * PG, 'a'));
	fd = open(or_path("append"), O_RDWR | O_APPEND);
	ASSERT_TRUE(fd >= 0);
	ASSERT_OK(bvm_mmap(vm, 0, 2 * PG, RW, BVM_MAP_SHARED, fd, 0, &va));
	ASSERT_OK(tpoke(vm, va + 10, 'Z'));
	ASSERT_OK(bvm_msync(vm, va, 2 * PG, BVM_MS_SYNC));
	ASSERT_OK(bvm_file_write(sys, fd, "W", 1, 20));
	close(fd);
	bvm_vmspace_destroy(vm);
	chk = open(or_path("append"), O_RDONLY);
	ASSERT_EQ(fsz(chk), 2 * PG);
	ASSERT_EQ(fb(chk, 10), 'Z');
	ASSERT_EQ(fb(chk, 20), 'W');
	close(chk);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* ftruncate needs a writable descriptor, whatever other writers exist */
TEST(objrev_truncate_through_readonly_handle_ebadf)
{
	struct bvm_system *sys = tsys(64);
	struct bvm_object *h;
	int fd = mkf("trro", 3 * PG, 'a'), ro, rw;

	close(fd);
	ro = open(or_path("trro"), O_RDONLY);
	rw = open(or_path("trro"), O_RDWR);
	ASSERT_OK(bvm_object_file(sys, ro, &h));
	ASSERT_ERR(bvm_object_truncate(h, PG), EBADF);
	ASSERT_OK(bvm_file_write(sys, rw, "x", 1, 0));  /* a writer exists */
	ASSERT_ERR(bvm_object_truncate(h, 0), EBADF);
	ASSERT_EQ(fsz(ro), 3 * PG);
	bvm_object_release(h);
	/* through the writable one it works */
	ASSERT_OK(bvm_object_file(sys, rw, &h));
	ASSERT_OK(bvm_object_truncate(h, PG));
	ASSERT_EQ(fsz(ro), PG);
	bvm_object_release(h);
	bvm_system_destroy(sys);
	close(ro);
	close(rw);
}

/* OpenBSD: MS_INVALIDATE only deactivates anonymous and aobj pages */
TEST(objrev_invalidate_keeps_shm_and_anon)
{
	struct bvm_system *sys = tsys(64);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *h;
	char buf[16];
	uint64_t va, va2;

	ASSERT_OK(bvm_shm_open(sys, NULL, 0, &h));
	ASSERT_OK(bvm_object_truncate(h, PG));
	ASSERT_OK(bvm_mmap_object(vm, 0, PG, RW, BVM_MAP_SHARED, h, 0, &va));
	bvm_object_release(h);                  /* one reference left */
	ASSERT_OK(bvm_write(vm, va, "precious", 9, NULL));
	ASSERT_OK(bvm_msync(vm, va, PG, BVM_MS_SYNC | BVM_MS_INVALIDATE));
	memset(buf, 0, sizeof(buf));
	ASSERT_OK(bvm_read(vm, va, buf, 9, NULL));
	ASSERT_EQ(strcmp(buf, "precious"), 0);
	ASSERT_OK(bvm_mmap(vm, 0, PG, RW, BVM_MAP_PRIVATE | BVM_MAP_ANON, -1,
	    0, &va2));
	ASSERT_OK(bvm_write(vm, va2, "data", 5, NULL));
	ASSERT_OK(bvm_msync(vm, va2, PG, BVM_MS_INVALIDATE));
	memset(buf, 0, sizeof(buf));
	ASSERT_OK(bvm_read(vm, va2, buf, 5, NULL));
	ASSERT_EQ(strcmp(buf, "data"), 0);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* a page-index node that cannot be allocated leaves no empty node */
TEST(objrev_radix_insert_failure_cleans_up)
{
	struct bvm_system *sys = tsys(512);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t va;
	int fd = mkf("radix", 128 * PG, 'a');

	ASSERT_OK(bvm_mmap(vm, 0, 128 * PG, BVM_PROT_READ, BVM_MAP_SHARED, fd,
	    0, &va));
	/* page 70 needs two levels: the root (call 1), a leaf (call 2) */
	ASSERT_OK(bvm_failpoint_arm(BVM_FP_OBJ_ALLOC, 2));
	ASSERT_ERR(bvm_fault(vm, va + 70 * PG, BVM_PROT_READ, NULL), ENOMEM);
	bvm_failpoint_disarm();
	SYSCHECK(sys);
	ASSERT_EQ(tpeek(vm, va + 70 * PG), 'a');
	ASSERT_OK(bvm_munmap(vm, va, 128 * PG));
	ASSERT_EQ(tstats(sys).objects, 0);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
	close(fd);
}

TEST(objrev_mlock_beyond_eof_enomem_and_huge_len)
{
	struct bvm_system *sys = tsys(64);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t va;
	int fd = mkf("mlock", PG, 'a');

	ASSERT_OK(bvm_mmap(vm, 0, 2 * PG, BVM_PROT_READ, BVM_MAP_SHARED, fd, 0,
	    &va));
	ASSERT_ERR(bvm_mlock(vm, va, 2 * PG), ENOMEM);
	ASSERT_EQ(tstats(sys).wired, 0);               /* undone */
	ASSERT_ERR(bvm_file_write(sys, fd, "x", (size_t)-1, 0), EINVAL);
	ASSERT_ERR(bvm_file_read(sys, fd, &va, (size_t)-1, 0, NULL), EINVAL);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
	close(fd);
}

/* mincore: an object's resident page is in core even if not mapped here */
TEST(objrev_mincore_resident_object_pages)
{
	struct bvm_system *sys = tsys(64);
	struct bvm_vmspace *v1 = tvm(sys), *v2 = tvm(sys);
	unsigned char vec[4];
	uint64_t a, b;
	int fd = mkf("mincore", 4 * PG, 'a');

	ASSERT_OK(bvm_mmap(v1, 0, 4 * PG, BVM_PROT_READ, BVM_MAP_SHARED, fd, 0,
	    &a));
	ASSERT_OK(bvm_mmap(v2, 0, 4 * PG, BVM_PROT_READ, BVM_MAP_SHARED, fd, 0,
	    &b));
	ASSERT_OK(bvm_madvise(v1, a, 4 * PG, BVM_MADV_RANDOM));
	ASSERT_EQ(tpeek(v1, a + 2 * PG), 'a');
	ASSERT_OK(bvm_mincore(v2, b, 4 * PG, vec));
	ASSERT_EQ(vec[2], BVM_MINCORE_INCORE);        /* v2 never touched it */
	bvm_vmspace_destroy(v1);
	bvm_vmspace_destroy(v2);
	bvm_system_destroy(sys);
	close(fd);
}
