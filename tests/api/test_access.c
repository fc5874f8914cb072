/*
 * test_access.c: bvm_read, bvm_write and bvm_fault: transfers across page
 * and entry boundaries, partial transfers, and the fault information
 * (SEGV_MAPERR for unmapped addresses, SEGV_ACCERR for protection).
 */
#include <stdlib.h>

#include "snapshot.h"

#define MAXU BVM_VM_MAXUSER_ADDRESS

TEST(access_roundtrip_across_pages)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	unsigned char out[3 * 4096 + 200], in[sizeof(out)];
	uint64_t a;
	size_t i;

	a = MAP(vm, 0, 5 * PG, RW, ANONPRIV);
	for (i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + 3);
	/* Starts 100 bytes before a page boundary, spans four pages. */
	ASSERT_OK(bvm_write(vm, a + PG - 100, out, sizeof(out), NULL));
	memset(in, 0, sizeof(in));
	ASSERT_OK(bvm_read(vm, a + PG - 100, in, sizeof(in), NULL));
	ASSERT_MEM(in, out, sizeof(out));
	/* The bytes around it are still zero. */
	VERIFY_ZERO(vm, a, PG - 100);
	VERIFY_ZERO(vm, a + PG - 100 + sizeof(out),
	    5 * PG - (PG - 100 + sizeof(out)));
	/* Single bytes at both ends of every page. */
	for (i = 0; i < 5; i++) {
		ASSERT_OK(tpoke(vm, a + i * PG, (unsigned char)(0x10 + i)));
		ASSERT_OK(tpoke(vm, a + i * PG + PG - 1,
		    (unsigned char)(0x20 + i)));
	}
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(tpeek(vm, a + i * PG), 0x10 + i);
		ASSERT_EQ(tpeek(vm, a + i * PG + PG - 1), 0x20 + i);
	}
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A transfer that runs across adjacent entries works. */
TEST(access_across_adjacent_entries)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a = 0x40000000;

	MAP(vm, a, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 2 * PG, 2 * PG, RW, ANONSHARED | BVM_MAP_FIXED);
	MAP(vm, a + 4 * PG, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a + 100, 6 * PG - 200, 9);
	VERIFY(vm, a + 100, 6 * PG - 200, 9);
	VERIFY_ZERO(vm, a, 100);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A write that runs from a writable page into a read-only one stops at
 * the read-only page: the bytes before it are written, it is unchanged. */
TEST(access_partial_write_accerr)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	unsigned char buf[2 * 4096];
	uint64_t a = 0x40000000;
	size_t i;

	MAP(vm, a, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a, 4 * PG, 1);
	ASSERT_OK(bvm_mprotect(vm, a + 2 * PG, 2 * PG, RO));
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(0x80 | i);
	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_write(vm, a + PG + 1000, buf, sizeof(buf), &fi),
	    EFAULT);
	ASSERT_EQ(fi.addr, a + 2 * PG);
	ASSERT_EQ(fi.signo, BVM_SIGSEGV);
	ASSERT_EQ(fi.code, BVM_SEGV_ACCERR);
	ASSERT_EQ(fi.error, EACCES);
	/* The part in the writable page was written. */
	{
		unsigned char got[4096 - 1000];

		ASSERT_OK(bvm_read(vm, a + PG + 1000, got, sizeof(got),
		    NULL));
		ASSERT_MEM(got, buf, sizeof(got));
	}
	VERIFY(vm, a, PG + 1000, 1);
	VERIFY(vm, a + 2 * PG, 2 * PG, 1);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A read that runs into a hole: MAPERR at the first unmapped byte, the
 * bytes before it delivered. */
TEST(access_partial_read_maperr)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	unsigned char *buf;
	uint64_t a = 0x40000000, i;

	MAP(vm, a, 2 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, a, 2 * PG, 4);
	buf = calloc(1, 3 * PG);
	ASSERT_TRUE(buf != NULL);
	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_read(vm, a + 10, buf, 3 * PG, &fi), EFAULT);
	ASSERT_EQ(fi.addr, a + 2 * PG);
	ASSERT_EQ(fi.signo, BVM_SIGSEGV);
	ASSERT_EQ(fi.code, BVM_SEGV_MAPERR);
	ASSERT_EQ(fi.error, EFAULT);
	for (i = 0; i < 2 * PG - 10; i++)
		if (buf[i] != api_pat(a + 10 + i, 4)) {
			free(buf);
			ASSERT_EQ(i, -1);
		}
	free(buf);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A failed access at the very first byte: info->addr is that byte. */
TEST(access_fault_info_first_byte)
{
	struct api_world w;

	WORLD_INIT(&w);
	NO_READ(w.vm, W_A + 4 * PG, BVM_SEGV_MAPERR);
	NO_READ(w.vm, W_A + 4 * PG + 123, BVM_SEGV_MAPERR);
	NO_WRITE(w.vm, W_A + 4 * PG + 123, BVM_SEGV_MAPERR);
	NO_WRITE(w.vm, W_B + 77, BVM_SEGV_ACCERR);
	NO_READ(w.vm, W_C + PG + 5, BVM_SEGV_ACCERR);
	NO_WRITE(w.vm, W_C, BVM_SEGV_ACCERR);
	NO_READ(w.vm, 0, BVM_SEGV_MAPERR);
	NO_READ(w.vm, 100, BVM_SEGV_MAPERR);
	NO_READ(w.vm, MAXU, BVM_SEGV_MAPERR);
	NO_WRITE(w.vm, MAXU + PG, BVM_SEGV_MAPERR);
	NO_READ(w.vm, UINT64_MAX - 10, BVM_SEGV_MAPERR);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* info may be NULL. */
TEST(access_null_info)
{
	struct api_world w;
	unsigned char c = 1;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_read(w.vm, W_A + 4 * PG, &c, 1, NULL), EFAULT);
	ASSERT_ERR(bvm_write(w.vm, W_B, &c, 1, NULL), EFAULT);
	ASSERT_ERR(bvm_fault(w.vm, W_A + 4 * PG, BVM_PROT_READ, NULL), EFAULT);
	ASSERT_ERR(bvm_fault(w.vm, W_B, BVM_PROT_WRITE, NULL), EACCES);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* A transfer that wraps around the top of the address space fails. */
TEST(access_wrapping_range)
{
	struct api_world w;
	unsigned char buf[64];
	struct bvm_fault_info fi;

	WORLD_INIT(&w);
	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_read(w.vm, UINT64_MAX - 10, buf, sizeof(buf), &fi),
	    EFAULT);
	ASSERT_EQ(fi.code, BVM_SEGV_MAPERR);
	ASSERT_ERR(bvm_write(w.vm, UINT64_MAX - 10, buf, sizeof(buf), NULL),
	    EFAULT);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* bvm_fault: each access type against each protection. */
TEST(access_fault_types)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	uint64_t a = 0x40000000;

	MAP(vm, a, PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + PG, PG, RO, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 2 * PG, PG, BVM_PROT_NONE, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 3 * PG, PG, BVM_PROT_READ | BVM_PROT_EXEC,
	    ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, a + 4 * PG, PG, BVM_PROT_WRITE, ANONPRIV | BVM_MAP_FIXED);

	ASSERT_OK(bvm_fault(vm, a, BVM_PROT_READ, NULL));
	ASSERT_OK(bvm_fault(vm, a + 5, BVM_PROT_WRITE, NULL));
	ASSERT_ERR(bvm_fault(vm, a, BVM_PROT_EXEC, NULL), EACCES);

	ASSERT_OK(bvm_fault(vm, a + PG, BVM_PROT_READ, NULL));
	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_fault(vm, a + PG + 9, BVM_PROT_WRITE, &fi), EACCES);
	ASSERT_EQ(fi.addr, a + PG + 9);
	ASSERT_EQ(fi.error, EACCES);
	ASSERT_EQ(fi.signo, BVM_SIGSEGV);
	ASSERT_EQ(fi.code, BVM_SEGV_ACCERR);

	ASSERT_ERR(bvm_fault(vm, a + 2 * PG, BVM_PROT_READ, NULL), EACCES);
	ASSERT_ERR(bvm_fault(vm, a + 2 * PG, BVM_PROT_WRITE, NULL), EACCES);
	ASSERT_ERR(bvm_fault(vm, a + 2 * PG, BVM_PROT_EXEC, NULL), EACCES);

	ASSERT_OK(bvm_fault(vm, a + 3 * PG, BVM_PROT_EXEC, NULL));
	ASSERT_OK(bvm_fault(vm, a + 3 * PG, BVM_PROT_READ, NULL));
	ASSERT_ERR(bvm_fault(vm, a + 3 * PG, BVM_PROT_WRITE, NULL), EACCES);

	ASSERT_OK(bvm_fault(vm, a + 4 * PG, BVM_PROT_WRITE, NULL));

	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_fault(vm, a + 5 * PG + 1, BVM_PROT_READ, &fi), EFAULT);
	ASSERT_EQ(fi.addr, a + 5 * PG + 1);
	ASSERT_EQ(fi.error, EFAULT);
	ASSERT_EQ(fi.signo, BVM_SIGSEGV);
	ASSERT_EQ(fi.code, BVM_SEGV_MAPERR);
	ASSERT_ERR(bvm_fault(vm, 0, BVM_PROT_READ, NULL), EFAULT);
	ASSERT_ERR(bvm_fault(vm, MAXU, BVM_PROT_WRITE, NULL), EFAULT);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

TEST(access_fault_bad_type_einval)
{
	struct api_world w;

	WORLD_INIT(&w);
	ASSERT_ERR(bvm_fault(w.vm, W_A, 0x08, NULL), EINVAL);
	ASSERT_ERR(bvm_fault(w.vm, W_A, -1, NULL), EINVAL);
	ASSERT_ERR(bvm_fault(w.vm, W_A, 0, NULL), EINVAL);
	WORLD_SAME(&w);
	api_world_fini(&w);
}

/* A write-only mapping can be written; a read fault on it is refused
 * (once a page is mapped writable, reads of it are the hardware's
 * business, as on amd64 where W implies R). */
TEST(access_write_only_mapping)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_fault_info fi;
	uint64_t a;

	a = MAP(vm, 0, 2 * PG, BVM_PROT_WRITE, ANONPRIV);
	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_fault(vm, a + PG, BVM_PROT_READ, &fi), EACCES);
	ASSERT_EQ(fi.code, BVM_SEGV_ACCERR);
	ASSERT_OK(tpoke(vm, a + 1, 0x42));
	ASSERT_OK(bvm_mprotect(vm, a, 2 * PG, RO));
	ASSERT_EQ(tpeek(vm, a + 1), 0x42);
	ASSERT_EQ(tpeek(vm, a), 0);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A fault resolves the page: after it, the access needs no new fault. */
TEST(access_fault_then_access)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	struct bvm_region r;
	uint64_t a;

	a = MAP(vm, 0, 2 * PG, RW, ANONPRIV);
	ASSERT_OK(bvm_fault(vm, a + PG, BVM_PROT_WRITE, NULL));
	ASSERT_TRUE(api_region_at(vm, a, &r));
	ASSERT_EQ(r.resident, 1);
	ASSERT_EQ(r.anons, 1);
	s0 = tstats(sys);
	ASSERT_OK(tpoke(vm, a + PG + 3, 7));
	ASSERT_EQ(tpeek(vm, a + PG + 3), 7);
	s1 = tstats(sys);
	ASSERT_EQ(s1.faults, s0.faults);
	ASSERT_EQ(s1.free, s0.free);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A large transfer through many pages and entries. */
TEST(access_large_transfer)
{
	struct bvm_system *sys = tsys(512);
	struct bvm_vmspace *vm = tvm(sys);
	unsigned char *out, *in;
	uint64_t a, len = 64 * PG + 333, i;

	a = MAP(vm, 0, 80 * PG, RW, ANONPRIV);
	ASSERT_OK(bvm_mprotect(vm, a + 30 * PG, 10 * PG, RW));
	out = malloc(len);
	in = malloc(len);
	ASSERT_TRUE(out != NULL && in != NULL);
	for (i = 0; i < len; i++)
		out[i] = (unsigned char)(i ^ (i >> 8) ^ (i >> 16));
	ASSERT_OK(bvm_write(vm, a + 7 * PG + 11, out, len, NULL));
	ASSERT_OK(bvm_read(vm, a + 7 * PG + 11, in, len, NULL));
	i = (uint64_t)memcmp(in, out, len);
	free(out);
	free(in);
	ASSERT_EQ(i, 0);
	ASSERT_EQ(api_info(vm).resident, 65);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
