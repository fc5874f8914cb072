/*
 * test_security.c: what one address space wrote and freed is never seen by
 * another (freed frames come back zeroed); PROT_NONE is inaccessible
 * through every path; a read-only view of shared memory cannot be used to
 * change it; address spaces are isolated.
 */
#include "snapshot.h"

/* Write a non-zero pattern into n pages at a. */
static void
dirty(struct bvm_vmspace *vm, uint64_t a, uint64_t n, const char *file,
    int line)
{
	api_fill(vm, a, n * PG, 0x5ec, file, line);
}

/*
 * Write a zero byte into each of n pages at b (so each gets a frame of its
 * own even if reads were served from a shared zero page), then check that
 * every byte reads zero.
 */
static void
write_then_verify_zero(struct bvm_vmspace *vm, uint64_t b, uint64_t n,
    const char *file, int line)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		if (tpoke(vm, b + i * PG + (i * 61) % PG, 0) != 0)
			bvm_test_fail(file, line, "write to 0x%llx failed",
			    (unsigned long long)(b + i * PG));
	api_verify_zero(vm, b, n * PG, file, line);
}
#define TOUCH_ZERO(vm, b, n) write_then_verify_zero((vm), (b), (n), \
	__FILE__, __LINE__)

static uint64_t
spare_pages(struct bvm_system *sys)
{
	struct bvm_stats st = tstats(sys);

	return st.free > 16 ? st.free - 16 : 0;
}

/* A destroyed vmspace's pages read as zero in the next one. */
TEST(security_freed_pages_zero_after_destroy)
{
	struct bvm_system *sys = tsys(128);
	struct bvm_vmspace *vm = tvm(sys), *other;
	uint64_t n = spare_pages(sys), a, b;

	a = MAP(vm, 0, n * PG, RW, ANONPRIV);
	dirty(vm, a, n, __FILE__, __LINE__);
	bvm_vmspace_destroy(vm);
	other = tvm(sys);
	b = MAP(other, 0, n * PG, RW, ANONPRIV);
	TOUCH_ZERO(other, b, n);
	CHECK(other);
	bvm_vmspace_destroy(other);
	bvm_system_destroy(sys);
}

/* Pages given back by munmap, while both vmspaces live. */
TEST(security_freed_pages_zero_after_munmap)
{
	struct bvm_system *sys = tsys(128);
	struct bvm_vmspace *vm = tvm(sys), *other = tvm(sys);
	uint64_t n = spare_pages(sys), a, b;

	a = MAP(vm, 0, n * PG, RW, ANONSHARED);
	dirty(vm, a, n, __FILE__, __LINE__);
	ASSERT_OK(bvm_munmap(vm, a, n * PG));
	b = MAP(other, 0, n * PG, RW, ANONPRIV);
	TOUCH_ZERO(other, b, n);
	/* And in the same vmspace, mapped again at the same address. */
	ASSERT_OK(bvm_munmap(other, b, n * PG));
	MAP(vm, a, n * PG, RO, ANONPRIV | BVM_MAP_FIXED);
	VERIFY_ZERO(vm, a, n * PG);
	CHECK(vm);
	CHECK(other);
	bvm_vmspace_destroy(vm);
	bvm_vmspace_destroy(other);
	bvm_system_destroy(sys);
}

/* Pages discarded by MADV_FREE and replaced by MAP_FIXED, too. */
TEST(security_freed_pages_zero_after_madv_free_and_fixed)
{
	struct bvm_system *sys = tsys(128);
	struct bvm_vmspace *vm = tvm(sys), *other = tvm(sys);
	uint64_t n = spare_pages(sys) / 2, a, b;

	a = MAP(vm, 0, 2 * n * PG, RW, ANONPRIV);
	dirty(vm, a, 2 * n, __FILE__, __LINE__);
	ASSERT_OK(bvm_madvise(vm, a, n * PG, BVM_MADV_FREE));
	MAP(vm, a + n * PG, n * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	TOUCH_ZERO(vm, a, 2 * n);
	bvm_vmspace_destroy(vm);
	b = MAP(other, 0, 2 * n * PG, RW, ANONPRIV);
	TOUCH_ZERO(other, b, 2 * n);
	CHECK(other);
	bvm_vmspace_destroy(other);
	bvm_system_destroy(sys);
}

/* COW copies freed by a child are not seen by the next vmspace. */
TEST(security_freed_cow_copies_zero)
{
	struct bvm_system *sys = tsys(128);
	struct bvm_vmspace *vm = tvm(sys), *child, *other;
	uint64_t a, b, n = 16;

	a = MAP(vm, 0, n * PG, RW, ANONPRIV);
	FILL(vm, a, n * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	dirty(child, a, n, __FILE__, __LINE__);
	bvm_vmspace_destroy(child);
	VERIFY(vm, a, n * PG, 1);
	other = tvm(sys);
	n = spare_pages(sys);
	b = MAP(other, 0, n * PG, RW, ANONPRIV);
	TOUCH_ZERO(other, b, n);
	CHECK(other);
	bvm_vmspace_destroy(other);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* PROT_NONE: no read, write or fault of any kind gets through, not at
 * the first byte, not in the middle, not in a transfer that starts in an
 * accessible page. */
TEST(security_prot_none_every_path)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_fault_info fi;
	unsigned char buf[2 * 4096];
	uint64_t a = 0x40000000;
	int i;

	MAP(vm, a, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a, 4 * PG, 7);
	ASSERT_OK(bvm_mprotect(vm, a + 2 * PG, 2 * PG, BVM_PROT_NONE));
	for (i = 0; i < 2; i++) {
		uint64_t p = a + 2 * PG + (uint64_t)i * PG;

		NO_READ(vm, p, BVM_SEGV_ACCERR);
		NO_READ(vm, p + PG - 1, BVM_SEGV_ACCERR);
		NO_WRITE(vm, p + 100, BVM_SEGV_ACCERR);
		ASSERT_ERR(bvm_fault(vm, p, BVM_PROT_READ, NULL), EACCES);
		ASSERT_ERR(bvm_fault(vm, p, BVM_PROT_WRITE, NULL), EACCES);
		ASSERT_ERR(bvm_fault(vm, p, BVM_PROT_EXEC, NULL), EACCES);
	}
	/* A read from the accessible page into the PROT_NONE one. */
	memset(&fi, 0, sizeof(fi));
	memset(buf, 0, sizeof(buf));
	ASSERT_ERR(bvm_read(vm, a + PG, buf, sizeof(buf), &fi), EFAULT);
	ASSERT_EQ(fi.addr, a + 2 * PG);
	ASSERT_EQ(fi.code, BVM_SEGV_ACCERR);
	for (i = 0; i < 4096; i++)
		ASSERT_EQ(buf[4096 + i], 0);
	/* A write likewise. */
	memset(buf, 0x11, sizeof(buf));
	ASSERT_ERR(bvm_write(vm, a + PG, buf, sizeof(buf), &fi), EFAULT);
	ASSERT_ERR(bvm_mlock(vm, a + 2 * PG, PG), EACCES);
	/* Inherited by a child. */
	ASSERT_OK(bvm_fork(vm, &child));
	NO_READ(child, a + 2 * PG, BVM_SEGV_ACCERR);
	NO_WRITE(child, a + 3 * PG, BVM_SEGV_ACCERR);
	bvm_vmspace_destroy(child);
	/* Nothing got through: the data is what it was. */
	ASSERT_OK(bvm_mprotect(vm, a + 2 * PG, 2 * PG, RO));
	VERIFY(vm, a + 2 * PG, 2 * PG, 7);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A read-only view of shared memory cannot change it. */
TEST(security_readonly_shared_view)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_fault_info fi;
	unsigned char buf[3 * 4096];
	uint64_t b;

	b = MAP(vm, 0, 3 * PG, RW, ANONSHARED);
	FILL(vm, b, 3 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	/* The child's view is read-only, after it was mapped writable. */
	FILL(child, b, 3 * PG, 2);
	VERIFY(vm, b, 3 * PG, 2);
	ASSERT_OK(bvm_mprotect(child, b, 3 * PG, RO));
	NO_WRITE(child, b, BVM_SEGV_ACCERR);
	NO_WRITE(child, b + 2 * PG + 4095, BVM_SEGV_ACCERR);
	ASSERT_ERR(bvm_fault(child, b + PG, BVM_PROT_WRITE, NULL), EACCES);
	memset(buf, 0x33, sizeof(buf));
	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_write(child, b, buf, sizeof(buf), &fi), EFAULT);
	ASSERT_EQ(fi.addr, b);
	VERIFY(vm, b, 3 * PG, 2);
	VERIFY(child, b, 3 * PG, 2);
	/* The parent's writable view still works, and the child sees it. */
	FILL(vm, b + PG, PG, 3);
	VERIFY(child, b + PG, PG, 3);
	NO_WRITE(child, b + PG, BVM_SEGV_ACCERR);
	VERIFY(vm, b + PG, PG, 3);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A read-only view of copy-on-write memory: writes fail, nobody's data
 * changes, and the parent's later writes stay private. */
TEST(security_readonly_cow_view)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_stats s0, s1;
	uint64_t a;

	a = MAP(vm, 0, 2 * PG, RW, ANONPRIV);
	FILL(vm, a, 2 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_OK(bvm_mprotect(child, a, 2 * PG, RO));
	VERIFY(child, a, 2 * PG, 1);
	s0 = tstats(sys);
	NO_WRITE(child, a, BVM_SEGV_ACCERR);
	NO_WRITE(child, a + PG + 1, BVM_SEGV_ACCERR);
	s1 = tstats(sys);
	/* A refused write copies nothing. */
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.anons, s0.anons);
	VERIFY(vm, a, 2 * PG, 1);
	FILL(vm, a, 2 * PG, 2);
	VERIFY(child, a, 2 * PG, 1);
	CHECK(vm);
	CHECK(child);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Independent vmspaces at the same addresses see only their own data. */
TEST(security_vmspaces_isolated)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *v[4];
	uint64_t a = 0x40000000;
	int i;

	for (i = 0; i < 4; i++) {
		v[i] = tvm(sys);
		MAP(v[i], a, 4 * PG, RW, (i & 1 ? ANONSHARED : ANONPRIV) |
		    BVM_MAP_FIXED);
		FILL(v[i], a, 4 * PG, (unsigned)(10 + i));
	}
	for (i = 0; i < 4; i++) {
		VERIFY(v[i], a, 4 * PG, (unsigned)(10 + i));
		CHECK(v[i]);
	}
	bvm_vmspace_destroy(v[1]);
	VERIFY(v[0], a, 4 * PG, 10);
	VERIFY(v[2], a, 4 * PG, 12);
	bvm_vmspace_destroy(v[0]);
	bvm_vmspace_destroy(v[2]);
	VERIFY(v[3], a, 4 * PG, 13);
	bvm_vmspace_destroy(v[3]);
	bvm_system_destroy(sys);
}
