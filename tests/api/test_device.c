/*
 * test_device.c: device objects (bvm_device_create): contiguous zeroed
 * frames taken out of the free pool, mapped shared (MAP_PRIVATE too) in
 * several vmspaces, the device's side (bvm_phys_read/bvm_phys_write) and the
 * mappings seeing each other's stores at once, ENXIO beyond the frames,
 * the frames coming back when the object dies, errors, regions, mlock and
 * msync over a device.
 */
#include <stdlib.h>

#include "snapshot.h"

#define DA 0x40000000ULL
#define DB 0x48000000ULL

static uint64_t
omap_at(struct bvm_vmspace *vm, uint64_t addr, uint64_t len, int prot,
    int flags, struct bvm_object *obj, int64_t off, const char *file,
    int line)
{
	uint64_t va = 0xdeadbeef;
	int error;

	error = bvm_mmap_object(vm, addr, len, prot, flags, obj, off, &va);
	if (error != 0)
		bvm_test_fail(file, line, "mmap_object(0x%llx, 0x%llx, %d, "
		    "0x%x, off %lld): %s", (unsigned long long)addr,
		    (unsigned long long)len, prot, flags, (long long)off,
		    bvm_errname(error));
	if ((flags & BVM_MAP_FIXED) && va != addr)
		bvm_test_fail(file, line, "mmap_object FIXED 0x%llx returned "
		    "0x%llx", (unsigned long long)addr,
		    (unsigned long long)va);
	return va;
}
#define OMAP(vm, addr, len, prot, flags, obj, off) \
	omap_at((vm), (addr), (len), (prot), (flags), (obj), (off), \
	    __FILE__, __LINE__)

#define SHFIX (BVM_MAP_SHARED | BVM_MAP_FIXED)
#define PRFIX (BVM_MAP_PRIVATE | BVM_MAP_FIXED)

static void
nxio_at(struct bvm_vmspace *vm, uint64_t va, const char *file, int line)
{
	struct bvm_fault_info fi;
	unsigned char c = 0x5a;
	int e, w;

	for (w = 0; w < 2; w++) {
		memset(&fi, 0, sizeof(fi));
		e = w ? bvm_write(vm, va, &c, 1, &fi) :
		    bvm_read(vm, va, &c, 1, &fi);
		if (e != EFAULT || fi.error != ENXIO ||
		    fi.signo != BVM_SIGBUS || fi.code != BVM_BUS_OBJERR ||
		    fi.addr != va)
			bvm_test_fail(file, line, "%s 0x%llx: got %s (info "
			    "error %s signo %d code %d addr 0x%llx), want "
			    "EFAULT (ENXIO, SIGBUS %d, BUS_OBJERR %d)",
			    w ? "write" : "read", (unsigned long long)va,
			    bvm_errname(e), bvm_errname(fi.error), fi.signo,
			    fi.code, (unsigned long long)fi.addr, BVM_SIGBUS,
			    BVM_BUS_OBJERR);
		memset(&fi, 0, sizeof(fi));
		e = bvm_fault(vm, va, w ? BVM_PROT_WRITE : BVM_PROT_READ,
		    &fi);
		if (e != ENXIO || fi.error != ENXIO ||
		    fi.signo != BVM_SIGBUS || fi.code != BVM_BUS_OBJERR)
			bvm_test_fail(file, line, "fault %s 0x%llx: got %s "
			    "(info error %s signo %d code %d), want ENXIO",
			    w ? "write" : "read", (unsigned long long)va,
			    bvm_errname(e), bvm_errname(fi.error), fi.signo,
			    fi.code);
	}
}
#define NXIO(vm, va) nxio_at((vm), (va), __FILE__, __LINE__)

struct rinfo {
	uint64_t va;
	int found;
	struct bvm_region r;
	char type[16];
	char name[64];
};

static int
rinfo_cb(const struct bvm_region *r, void *arg)
{
	struct rinfo *ri = arg;

	if (r->start <= ri->va && ri->va < r->end) {
		ri->r = *r;
		snprintf(ri->type, sizeof(ri->type), "%s",
		    r->type ? r->type : "(null)");
		snprintf(ri->name, sizeof(ri->name), "%s",
		    r->name ? r->name : "(null)");
		ri->r.type = ri->type;
		ri->r.name = ri->name;
		ri->found = 1;
		return 1;
	}
	return 0;
}

static struct rinfo
rinfo_at(struct bvm_vmspace *vm, uint64_t va, const char *file, int line)
{
	struct rinfo ri;

	memset(&ri, 0, sizeof(ri));
	ri.va = va;
	bvm_regions(vm, rinfo_cb, &ri);
	if (!ri.found)
		bvm_test_fail(file, line, "no region at 0x%llx",
		    (unsigned long long)va);
	return ri;
}
#define RINFO(vm, va) rinfo_at((vm), (va), __FILE__, __LINE__)

/* bvm_read of len bytes at va equals buf */
static void
vread_at(struct bvm_vmspace *vm, uint64_t va, const void *want, size_t len,
    const char *file, int line)
{
	unsigned char got[64];
	int e;

	if (len > sizeof(got))
		bvm_test_fail(file, line, "vread: too long");
	memset(got, 0xee, sizeof(got));
	if ((e = bvm_read(vm, va, got, len, NULL)) != 0)
		bvm_test_fail(file, line, "read 0x%llx: %s",
		    (unsigned long long)va, bvm_errname(e));
	if (memcmp(got, want, len) != 0)
		bvm_test_fail(file, line, "read 0x%llx: contents differ "
		    "(first byte 0x%02x, want 0x%02x)",
		    (unsigned long long)va, got[0],
		    ((const unsigned char *)want)[0]);
}
#define VREAD(vm, va, want, len) vread_at((vm), (va), (want), (len), \
	__FILE__, __LINE__)

/* bvm_phys_read of len bytes at pa equals want */
static void
pread_at(struct bvm_system *sys, uint64_t pa, const void *want, size_t len,
    const char *file, int line)
{
	unsigned char got[64];
	int e;

	memset(got, 0xee, sizeof(got));
	if ((e = bvm_phys_read(sys, pa, got, len)) != 0)
		bvm_test_fail(file, line, "phys_read 0x%llx: %s",
		    (unsigned long long)pa, bvm_errname(e));
	if (memcmp(got, want, len) != 0)
		bvm_test_fail(file, line, "phys_read 0x%llx: contents differ "
		    "(first byte 0x%02x, want 0x%02x)",
		    (unsigned long long)pa, got[0],
		    ((const unsigned char *)want)[0]);
}
#define PREAD(sys, pa, want, len) pread_at((sys), (pa), (want), (len), \
	__FILE__, __LINE__)

/* Free frames with garbage in them, so that "zeroed" means something. */
static void
dirty_free_frames(struct bvm_system *sys, uint64_t npages)
{
	struct bvm_vmspace *vm = tvm(sys);
	uint64_t a = MAP(vm, 0, npages * PG, RW, ANONPRIV);

	FILL(vm, a, npages * PG, 77);
	bvm_vmspace_destroy(vm);
}

TEST(device_create_takes_zeroed_frames)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_object *dev;
	struct bvm_stats s0, s1;
	unsigned char page[BVM_PAGE_SIZE];
	uint64_t pa = 1, sz = 0, i, j;

	dirty_free_frames(sys, 200);
	s0 = tstats(sys);
	ASSERT_OK(bvm_device_create(sys, 4, "fb", &dev, &pa));
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free - 4);
	ASSERT_EQ(s1.objects, s0.objects + 1);
	ASSERT_EQ(s1.vnodes, s0.vnodes);
	ASSERT_EQ(pa & (PG - 1), 0);
	ASSERT_TRUE(pa + 4 * PG <= 256 * PG);
	for (i = 0; i < 4; i++) {
		memset(page, 0xee, sizeof(page));
		ASSERT_OK(bvm_phys_read(sys, pa + i * PG, page, PG));
		for (j = 0; j < PG; j++)
			if (page[j] != 0)
				bvm_test_fail(__FILE__, __LINE__, "device "
				    "frame %llu byte %llu is 0x%02x",
				    (unsigned long long)i,
				    (unsigned long long)j, page[j]);
	}
	ASSERT_OK(bvm_object_size(dev, &sz));
	ASSERT_EQ(sz, 4 * PG);
	/* A device has no size to set. */
	ASSERT_ERR(bvm_object_truncate(dev, 8 * PG), EINVAL);
	ASSERT_ERR(bvm_object_truncate(dev, 2 * PG), EINVAL);
	ASSERT_OK(bvm_object_size(dev, &sz));
	ASSERT_EQ(sz, 4 * PG);
	SYSCHECK(sys);
	bvm_object_release(dev);
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.objects, s0.objects);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* Shared and "private" mappings in two vmspaces, and the device's side. */
TEST(device_mappings_share_with_phys)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *v1 = tvm(sys), *v2 = tvm(sys);
	struct bvm_object *dev;
	struct bvm_stats s0, s1;
	struct rinfo ri;
	uint64_t pa, k;
	unsigned char z[8] = { 0 };

	ASSERT_OK(bvm_device_create(sys, 4, "fb", &dev, &pa));
	OMAP(v1, DA, 4 * PG, RW, SHFIX, dev, 0);
	OMAP(v2, DA, 4 * PG, RW, PRFIX, dev, 0);   /* becomes shared */
	ri = RINFO(v1, DA);
	ASSERT_EQ(strcmp(ri.type, "device"), 0);
	ASSERT_EQ(strcmp(ri.name, "fb"), 0);
	ASSERT_EQ(ri.r.offset, 0);
	ASSERT_EQ(ri.r.inherit, BVM_INHERIT_SHARE);
	ri = RINFO(v2, DA);
	ASSERT_EQ(strcmp(ri.type, "device"), 0);
	ASSERT_EQ(strcmp(ri.name, "fb"), 0);
	ASSERT_EQ(ri.r.inherit, BVM_INHERIT_SHARE);
	ASSERT_EQ(ri.r.flags & (BVM_REGION_COW | BVM_REGION_NEEDSCOPY), 0);
	/* Map every page in both first: then the device writes. */
	for (k = 0; k < 4; k++) {
		VREAD(v1, DA + k * PG, z, 8);
		VREAD(v2, DA + k * PG, z, 8);
	}
	ASSERT_OK(bvm_phys_write(sys, pa + PG + 10, "hello", 5));
	VREAD(v1, DA + PG + 10, "hello", 5);
	VREAD(v2, DA + PG + 10, "hello", 5);
	/* Frame k of the device is page k of the mapping. */
	for (k = 0; k < 4; k++) {
		unsigned char b = (unsigned char)(0xa0 + k);

		ASSERT_OK(bvm_phys_write(sys, pa + k * PG + PG - 1, &b, 1));
		ASSERT_EQ(tpeek(v1, DA + k * PG + PG - 1), b);
		ASSERT_EQ(tpeek(v2, DA + k * PG + PG - 1), b);
	}
	/* Stores through a mapping reach the frames, and the other side. */
	s0 = tstats(sys);
	ASSERT_OK(bvm_write(v1, DA + 2 * PG + 7, "abc", 3, NULL));
	PREAD(sys, pa + 2 * PG + 7, "abc", 3);
	VREAD(v2, DA + 2 * PG + 7, "abc", 3);
	ASSERT_OK(bvm_write(v2, DA + 3 * PG + 1, "xyz", 3, NULL));
	PREAD(sys, pa + 3 * PG + 1, "xyz", 3);
	VREAD(v1, DA + 3 * PG + 1, "xyz", 3);
	ASSERT_OK(bvm_write(v2, DA + 3 * PG + 1, "q", 1, NULL));
	VREAD(v1, DA + 3 * PG + 1, "qyz", 3);
	s1 = tstats(sys);
	ASSERT_EQ(s1.anons, s0.anons);          /* no private copies */
	ASSERT_EQ(s1.flt_prcopy, s0.flt_prcopy);
	ASSERT_EQ(s1.free, s0.free);
	/* A mapping at an offset. */
	OMAP(v1, DB, 2 * PG, RO, SHFIX, dev, (int64_t)(2 * PG));
	VREAD(v1, DB + 7, "abc", 3);
	VREAD(v1, DB + PG + 1, "qyz", 3);
	ri = RINFO(v1, DB);
	ASSERT_EQ(ri.r.offset, 2 * PG);
	CHECK(v1);
	CHECK(v2);
	bvm_object_release(dev);
	bvm_vmspace_destroy(v1);
	bvm_vmspace_destroy(v2);
	ASSERT_EQ(tstats(sys).free, 256);
	ASSERT_EQ(tstats(sys).objects, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* A 6-page mapping of a 4-frame device: pages 4 and 5 fault ENXIO. */
TEST(device_beyond_frames_enxio)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *dev;
	uint64_t pa;

	ASSERT_OK(bvm_device_create(sys, 4, "fb", &dev, &pa));
	OMAP(vm, DA, 6 * PG, RW, SHFIX, dev, 0);
	VERIFY_ZERO(vm, DA, 4 * PG);
	NXIO(vm, DA + 4 * PG);
	NXIO(vm, DA + 5 * PG);
	NXIO(vm, DA + 5 * PG + PG - 1);
	/* from an offset: two pages in, two beyond */
	OMAP(vm, DB, 4 * PG, RW, SHFIX, dev, (int64_t)(2 * PG));
	ASSERT_OK(tpoke(vm, DB + PG + 3, 0x3d));
	ASSERT_EQ(tpeek(vm, DA + 3 * PG + 3), 0x3d);
	NXIO(vm, DB + 2 * PG);
	NXIO(vm, DB + 3 * PG);
	CHECK(vm);
	bvm_object_release(dev);
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(tstats(sys).free, 256);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* The frames come back when the object dies, whatever goes last. */
TEST(device_frames_return)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *v1 = tvm(sys), *v2, *ch;
	struct bvm_object *dev;
	struct bvm_stats s0 = tstats(sys), s1;
	uint64_t pa;

	/* release, then unmap */
	ASSERT_OK(bvm_device_create(sys, 4, "fb", &dev, &pa));
	OMAP(v1, DA, 4 * PG, RW, SHFIX, dev, 0);
	FILL(v1, DA, 4 * PG, 1);
	bvm_object_release(dev);
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free - 4);
	ASSERT_EQ(s1.objects, s0.objects + 1);
	VERIFY(v1, DA, 4 * PG, 1);           /* still there */
	ASSERT_OK(bvm_munmap(v1, DA, 4 * PG));
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.objects, s0.objects);
	SYSCHECK(sys);
	/* vmspace destroyed, then released */
	v2 = tvm(sys);
	s0 = tstats(sys);
	ASSERT_OK(bvm_device_create(sys, 8, "fb2", &dev, &pa));
	OMAP(v2, DA, 8 * PG, RW, SHFIX, dev, 0);
	FILL(v2, DA, 8 * PG, 2);
	bvm_vmspace_destroy(v2);
	ASSERT_EQ(tstats(sys).free, s0.free - 8);
	bvm_object_release(dev);
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.objects, s0.objects);
	/* fork: the child shares; the frames go with the last of all */
	ASSERT_OK(bvm_device_create(sys, 2, "fb3", &dev, &pa));
	OMAP(v1, DA, 2 * PG, RW, PRFIX, dev, 0);
	ASSERT_OK(bvm_fork(v1, &ch));
	bvm_object_release(dev);
	ASSERT_OK(tpoke(ch, DA + 5, 0x55));
	ASSERT_EQ(tpeek(v1, DA + 5), 0x55);
	ASSERT_OK(bvm_phys_write(sys, pa + PG, "D", 1));
	ASSERT_EQ(tpeek(ch, DA + PG), 'D');
	ASSERT_EQ(tpeek(v1, DA + PG), 'D');
	bvm_vmspace_destroy(v1);
	ASSERT_EQ(tstats(sys).free, s0.free - 2);
	ASSERT_EQ(tpeek(ch, DA + 5), 0x55);
	CHECK(ch);
	bvm_vmspace_destroy(ch);
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.objects, s0.objects);
	ASSERT_EQ(s1.free, 256);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

TEST(device_create_errors)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_object *dev = NULL;
	struct bvm_stats s0 = tstats(sys), s1;
	uint64_t pa = 0;

	ASSERT_ERR(bvm_device_create(sys, 0, "fb", &dev, &pa), EINVAL);
	ASSERT_ERR(bvm_device_create(sys, 257, "fb", &dev, &pa), ENOMEM);
	ASSERT_ERR(bvm_device_create(sys, s0.free + 1, "fb", &dev, &pa),
	    ENOMEM);
	ASSERT_ERR(bvm_device_create(sys, 100000, "fb", &dev, &pa), ENOMEM);
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.objects, s0.objects);
	SYSCHECK(sys);
	/* one that fits still works */
	ASSERT_OK(bvm_device_create(sys, 16, "fb", &dev, &pa));
	ASSERT_EQ(tstats(sys).free, s0.free - 16);
	bvm_object_release(dev);
	ASSERT_EQ(tstats(sys).free, s0.free);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* mlock and munlock of device mappings; msync over them. */
TEST(device_mlock_and_msync)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *v1 = tvm(sys), *v2 = tvm(sys);
	struct bvm_object *dev;
	struct bvm_stats s0, s1;
	struct rinfo ri;
	uint64_t pa;

	ASSERT_OK(bvm_device_create(sys, 4, "fb", &dev, &pa));
	OMAP(v1, DA, 4 * PG, RW, SHFIX, dev, 0);
	OMAP(v2, DA, 4 * PG, RW, PRFIX, dev, 0);
	ASSERT_OK(bvm_phys_write(sys, pa + 5, "pre", 3));
	s0 = tstats(sys);
	ASSERT_OK(bvm_mlock(v1, DA, 4 * PG));
	ASSERT_OK(bvm_mlock(v2, DA, 4 * PG));
	s1 = tstats(sys);
	ASSERT_EQ(s1.flt_prcopy, s0.flt_prcopy);  /* nothing copied */
	ASSERT_EQ(s1.anons, s0.anons);
	ASSERT_EQ(s1.free, s0.free);
	ri = RINFO(v1, DA);
	ASSERT_EQ(ri.r.wired_count, 1);
	ASSERT_EQ(ri.r.resident, 4);
	ASSERT_EQ(api_info(v1).wired, 4 * PG);
	ri = RINFO(v2, DA);
	ASSERT_EQ(ri.r.wired_count, 1);
	/* still the device's frames, both ways */
	VREAD(v2, DA + 5, "pre", 3);
	ASSERT_OK(bvm_phys_write(sys, pa + 3 * PG, "post", 4));
	VREAD(v1, DA + 3 * PG, "post", 4);
	VREAD(v2, DA + 3 * PG, "post", 4);
	ASSERT_OK(bvm_write(v2, DA + PG, "w2", 2, NULL));
	PREAD(sys, pa + PG, "w2", 2);
	VREAD(v1, DA + PG, "w2", 2);
	CHECK(v1);
	CHECK(v2);
	/* msync: nothing to write, no error */
	s0 = tstats(sys);
	ASSERT_OK(bvm_msync(v1, DA, 4 * PG, BVM_MS_SYNC));
	ASSERT_OK(bvm_msync(v1, DA, 4 * PG, BVM_MS_ASYNC));
	ASSERT_OK(bvm_msync(v2, DA + PG, PG, BVM_MS_SYNC));
	s1 = tstats(sys);
	ASSERT_EQ(s1.pgpgout, s0.pgpgout);
	ASSERT_EQ(s1.pager_errors, s0.pager_errors);
	/* wired: MS_INVALIDATE is refused */
	ASSERT_ERR(bvm_msync(v1, DA, 4 * PG, BVM_MS_INVALIDATE), EBUSY);
	ASSERT_OK(bvm_munlock(v1, DA, 4 * PG));
	ASSERT_OK(bvm_munlock(v2, DA, 4 * PG));
	ri = RINFO(v1, DA);
	ASSERT_EQ(ri.r.wired_count, 0);
	ASSERT_EQ(api_info(v1).wired, 0);
	ASSERT_EQ(api_info(v2).wired, 0);
	VREAD(v1, DA + 3 * PG, "post", 4);
	VREAD(v2, DA + PG, "w2", 2);
	ASSERT_OK(bvm_msync(v1, DA, 4 * PG, BVM_MS_SYNC));
	CHECK(v1);
	CHECK(v2);
	bvm_object_release(dev);
	bvm_vmspace_destroy(v1);
	bvm_vmspace_destroy(v2);
	ASSERT_EQ(tstats(sys).free, 256);
	ASSERT_EQ(tstats(sys).wired, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}
