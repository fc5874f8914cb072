/*
 * test_shm.c: shared-memory objects (aobj): bvm_shm_open/bvm_shm_unlink
 * with their errors, unnamed objects, bvm_object_truncate/bvm_object_size,
 * MAP_SHARED mappings in several vmspaces seeing each other's stores at
 * once, MAP_PRIVATE mappings copy-on-write over the object, pages beyond the
 * object's size faulting ENXIO (SIGBUS/BUS_OBJERR) unless BVM_MAP_NOFAULT,
 * shrinking and growing, the lifetime of an object (names, handles,
 * mappings), fork, and bvm_regions.
 */
#include <stdlib.h>

#include "snapshot.h"

#define SA 0x20000000ULL /* fixed addresses, the same in every vmspace */
#define SB 0x28000000ULL
#define SC 0x30000000ULL

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

/* Read, write and fault at va all fail: beyond the end of the object. */
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

/* A region with its strings copied out of the callback. */
struct rinfo {
	uint64_t va;
	int found;
	struct bvm_region r;
	char type[16];
	char name[300];
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

static uint64_t
osize(struct bvm_object *obj)
{
	uint64_t sz = 0xdeadbeef;

	if (bvm_object_size(obj, &sz) != 0)
		return 0xbad;
	return sz;
}

static int
peekb(struct bvm_vmspace *vm, uint64_t va)
{
	return tpeek(vm, va);
}

TEST(shm_open_create_open_excl)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_object *a, *b, *c, *d, *x = NULL;
	struct bvm_stats s0 = tstats(sys);

	ASSERT_ERR(bvm_shm_open(sys, "/t1", 0, &x), ENOENT);
	ASSERT_EQ(tstats(sys).objects, s0.objects);
	ASSERT_OK(bvm_shm_open(sys, "/t1", BVM_O_CREAT, &a));
	ASSERT_TRUE(a != NULL);
	ASSERT_EQ(osize(a), 0);
	ASSERT_EQ(tstats(sys).objects, s0.objects + 1);
	ASSERT_ERR(bvm_shm_open(sys, "/t1", BVM_O_CREAT | BVM_O_EXCL, &x),
	    EEXIST);
	ASSERT_EQ(tstats(sys).objects, s0.objects + 1);
	/* Opening again, with or without O_CREAT, gives the same object. */
	ASSERT_OK(bvm_shm_open(sys, "/t1", 0, &b));
	ASSERT_OK(bvm_shm_open(sys, "/t1", BVM_O_CREAT, &c));
	ASSERT_EQ(tstats(sys).objects, s0.objects + 1);
	ASSERT_OK(bvm_object_truncate(a, 2 * PG));
	ASSERT_EQ(osize(b), 2 * PG);
	ASSERT_EQ(osize(c), 2 * PG);
	/* A new name with O_CREAT|O_EXCL: a new object. */
	ASSERT_OK(bvm_shm_open(sys, "/t2", BVM_O_CREAT | BVM_O_EXCL, &d));
	ASSERT_EQ(osize(d), 0);
	ASSERT_EQ(tstats(sys).objects, s0.objects + 2);
	ASSERT_EQ(osize(a), 2 * PG);
	/* Names are per system. */
	{
		struct bvm_system *sys2 = tsys(64);
		struct bvm_object *y = NULL;

		ASSERT_ERR(bvm_shm_open(sys2, "/t1", 0, &y), ENOENT);
		bvm_system_destroy(sys2);
	}
	bvm_object_release(a);
	bvm_object_release(b);
	bvm_object_release(c);
	bvm_object_release(d);
	ASSERT_OK(bvm_shm_unlink(sys, "/t1"));
	ASSERT_OK(bvm_shm_unlink(sys, "/t2"));
	ASSERT_EQ(tstats(sys).objects, s0.objects);
	ASSERT_ERR(bvm_shm_open(sys, "/t1", 0, &x), ENOENT);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

TEST(shm_open_bad_names_and_flags)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_object *x = NULL, *ok;
	struct bvm_stats s0 = tstats(sys);
	char name[1100];

	ASSERT_ERR(bvm_shm_open(sys, "noslash", BVM_O_CREAT, &x), EINVAL);
	ASSERT_ERR(bvm_shm_open(sys, "noslash", 0, &x), EINVAL);
	ASSERT_ERR(bvm_shm_open(sys, "a/b", BVM_O_CREAT, &x), EINVAL);
	ASSERT_ERR(bvm_shm_open(sys, "", BVM_O_CREAT, &x), EINVAL);
	ASSERT_ERR(bvm_shm_open(sys, "", 0, &x), EINVAL);
	ASSERT_ERR(bvm_shm_open(sys, "/f", 0x1, &x), EINVAL);
	ASSERT_ERR(bvm_shm_open(sys, "/f", BVM_O_CREAT | 0x4, &x), EINVAL);
	ASSERT_ERR(bvm_shm_open(sys, "/f", BVM_O_CREAT | 0x100000, &x),
	    EINVAL);
	ASSERT_ERR(bvm_shm_open(sys, "/f", -1, &x), EINVAL);
	/* 256 bytes: too long; 255: fine. */
	memset(name, 'n', sizeof(name));
	name[0] = '/';
	name[256] = '\0';
	ASSERT_EQ(strlen(name), 256);
	ASSERT_ERR(bvm_shm_open(sys, name, BVM_O_CREAT, &x), ENAMETOOLONG);
	ASSERT_ERR(bvm_shm_open(sys, name, 0, &x), ENAMETOOLONG);
	name[256] = 'n';
	name[1099] = '\0';
	ASSERT_ERR(bvm_shm_open(sys, name, BVM_O_CREAT, &x), ENAMETOOLONG);
	/* Nothing was made by the failures. */
	ASSERT_EQ(tstats(sys).objects, s0.objects);
	ASSERT_ERR(bvm_shm_open(sys, "/f", 0, &x), ENOENT);
	name[255] = '\0';
	ASSERT_EQ(strlen(name), 255);
	ASSERT_EQ(name[0], '/');
	ASSERT_OK(bvm_shm_open(sys, name, BVM_O_CREAT | BVM_O_EXCL, &ok));
	ASSERT_EQ(tstats(sys).objects, s0.objects + 1);
	/* unlink's errors */
	ASSERT_ERR(bvm_shm_unlink(sys, "/missing"), ENOENT);
	ASSERT_ERR(bvm_shm_unlink(sys, "noslash"), EINVAL);
	ASSERT_ERR(bvm_shm_unlink(sys, ""), EINVAL);
	bvm_object_release(ok);
	ASSERT_OK(bvm_shm_unlink(sys, name));
	ASSERT_ERR(bvm_shm_unlink(sys, name), ENOENT);
	ASSERT_EQ(tstats(sys).objects, s0.objects);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* name NULL: an unnamed object each time (memfd_create). */
TEST(shm_unnamed_objects)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *a, *b;
	struct bvm_stats s0 = tstats(sys), s1;
	struct rinfo ri;

	ASSERT_OK(bvm_shm_open(sys, NULL, 0, &a));
	ASSERT_OK(bvm_shm_open(sys, NULL, BVM_O_CREAT, &b));
	ASSERT_TRUE(a != b);
	ASSERT_EQ(tstats(sys).objects, s0.objects + 2);
	ASSERT_EQ(osize(a), 0);
	ASSERT_OK(bvm_object_truncate(a, PG));
	ASSERT_OK(bvm_object_truncate(b, PG));
	ASSERT_EQ(osize(a), PG);
	OMAP(vm, SA, PG, RW, SHFIX, a, 0);
	OMAP(vm, SB, PG, RW, SHFIX, b, 0);
	VERIFY_ZERO(vm, SA, PG);
	ASSERT_OK(tpoke(vm, SA + 9, 0x91));
	ASSERT_EQ(peekb(vm, SB + 9), 0);   /* different objects */
	ASSERT_OK(tpoke(vm, SB + 9, 0x92));
	ASSERT_EQ(peekb(vm, SA + 9), 0x91);
	ri = RINFO(vm, SA);
	ASSERT_EQ(strcmp(ri.type, "aobj"), 0);
	ASSERT_EQ(strcmp(ri.name, ""), 0);
	ASSERT_EQ(ri.r.obj_resident, 1);
	CHECK(vm);
	bvm_object_release(a);
	bvm_object_release(b);
	ASSERT_EQ(tstats(sys).objects, s0.objects + 2);   /* still mapped */
	ASSERT_EQ(peekb(vm, SA + 9), 0x91);
	ASSERT_OK(bvm_munmap(vm, SA, PG));
	ASSERT_OK(bvm_munmap(vm, SB, PG));
	s1 = tstats(sys);
	ASSERT_EQ(s1.objects, s0.objects);
	ASSERT_EQ(s1.obj_pages, s0.obj_pages);
	ASSERT_EQ(s1.free, s0.free);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Two vmspaces map one object MAP_SHARED: stores are seen at once. */
TEST(shm_shared_two_vmspaces)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *v1 = tvm(sys), *v2 = tvm(sys);
	struct bvm_object *o;
	struct bvm_stats s0 = tstats(sys), s1;
	struct rinfo ri;
	uint64_t b;

	ASSERT_OK(bvm_shm_open(sys, "/s", BVM_O_CREAT, &o));
	ASSERT_OK(bvm_object_truncate(o, 3 * PG));
	ASSERT_EQ(osize(o), 3 * PG);
	OMAP(v1, SA, 3 * PG, RW, SHFIX, o, 0);
	OMAP(v2, SA, 3 * PG, RW, SHFIX, o, 0);
	/* New pages are zero, seen from either side. */
	VERIFY_ZERO(v2, SA, 3 * PG);
	VERIFY_ZERO(v1, SA, 3 * PG);
	FILL(v1, SA, 3 * PG, 1);
	VERIFY(v2, SA, 3 * PG, 1);
	FILL(v2, SA + PG, PG, 2);
	VERIFY(v1, SA + PG, PG, 2);
	VERIFY(v1, SA, PG, 1);
	VERIFY(v1, SA + 2 * PG, PG, 1);
	/* Both sides have the page mapped now: no stale copies. */
	ASSERT_OK(tpoke(v1, SA + 10, 0x11));
	ASSERT_EQ(peekb(v2, SA + 10), 0x11);
	ASSERT_OK(tpoke(v2, SA + 10, 0x22));
	ASSERT_EQ(peekb(v1, SA + 10), 0x22);
	s1 = tstats(sys);
	ASSERT_EQ(s1.objects, s0.objects + 1);
	ASSERT_EQ(s1.obj_pages, s0.obj_pages + 3);
	ASSERT_EQ(s1.anons, s0.anons);           /* no private copies */
	ri = RINFO(v1, SA);
	ASSERT_EQ(strcmp(ri.type, "aobj"), 0);
	ASSERT_EQ(strcmp(ri.name, "/s"), 0);
	ASSERT_EQ(ri.r.offset, 0);
	ASSERT_EQ(ri.r.obj_resident, 3);
	ASSERT_EQ(ri.r.inherit, BVM_INHERIT_SHARE);
	ASSERT_EQ(ri.r.prot, RW);
	ASSERT_EQ(ri.r.maxprot & RW, RW);
	ASSERT_EQ(ri.r.flags & BVM_REGION_COW, 0);
	/* A mapping at an offset sees the object's page there. */
	b = OMAP(v2, SB, PG, RW, SHFIX, o, (int64_t)PG);
	VERIFY(v1, SA + PG, PG, 2);
	ASSERT_EQ(peekb(v2, b + 100), api_pat(SA + PG + 100, 2));
	ASSERT_OK(tpoke(v2, b + 7, 0x77));
	ASSERT_EQ(peekb(v1, SA + PG + 7), 0x77);
	ri = RINFO(v2, SB);
	ASSERT_EQ(ri.r.offset, PG);
	ASSERT_EQ(ri.r.start, SB);
	ASSERT_EQ(ri.r.end, SB + PG);
	CHECK(v1);
	CHECK(v2);
	bvm_object_release(o);
	ASSERT_OK(bvm_shm_unlink(sys, "/s"));
	bvm_vmspace_destroy(v1);
	ASSERT_EQ(peekb(v2, SA + PG + 7), 0x77);
	bvm_vmspace_destroy(v2);
	s1 = tstats(sys);
	ASSERT_EQ(s1.objects, s0.objects);
	ASSERT_EQ(s1.obj_pages, s0.obj_pages);
	ASSERT_EQ(s1.free, s0.free);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* MAP_PRIVATE over an object: copy-on-write, unwritten pages see it. */
TEST(shm_private_mapping_cow)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *v1 = tvm(sys), *v2 = tvm(sys);
	struct bvm_object *o;
	struct bvm_stats s0, s1;
	struct rinfo ri;

	ASSERT_OK(bvm_shm_open(sys, NULL, 0, &o));
	ASSERT_OK(bvm_object_truncate(o, 2 * PG));
	OMAP(v1, SA, 2 * PG, RW, SHFIX, o, 0);
	OMAP(v2, SA, 2 * PG, RW, PRFIX, o, 0);
	ri = RINFO(v2, SA);
	ASSERT_EQ(strcmp(ri.type, "aobj"), 0);
	ASSERT_EQ(ri.r.inherit, BVM_INHERIT_COPY);
	ASSERT_TRUE(ri.r.flags & BVM_REGION_COW);
	FILL(v1, SA, 2 * PG, 1);
	VERIFY(v2, SA, 2 * PG, 1);         /* reads see the object */
	s0 = tstats(sys);
	FILL(v2, SA, PG, 2);               /* private store: a copy */
	s1 = tstats(sys);
	ASSERT_EQ(s1.flt_prcopy, s0.flt_prcopy + 1);
	ASSERT_EQ(s1.anons, s0.anons + 1);
	ASSERT_EQ(s1.obj_pages, s0.obj_pages);
	VERIFY(v2, SA, PG, 2);
	VERIFY(v1, SA, PG, 1);             /* not seen by the object */
	/* A shared store on the unwritten page is seen by the private one. */
	FILL(v1, SA + PG, PG, 3);
	VERIFY(v2, SA + PG, PG, 3);
	ASSERT_OK(tpoke(v1, SA + PG + 1, 0xab));
	ASSERT_EQ(peekb(v2, SA + PG + 1), 0xab);
	/* but not on the copied one */
	FILL(v1, SA, PG, 4);
	VERIFY(v2, SA, PG, 2);
	CHECK(v1);
	CHECK(v2);
	bvm_object_release(o);
	bvm_vmspace_destroy(v1);
	VERIFY(v2, SA, PG, 2);
	VERIFY(v2, SA + PG, 1, 3);
	ASSERT_EQ(peekb(v2, SA + PG + 1), 0xab);
	VERIFY(v2, SA + PG + 2, PG - 2, 3);
	bvm_vmspace_destroy(v2);
	s1 = tstats(sys);
	ASSERT_EQ(s1.objects, 0);
	ASSERT_EQ(s1.obj_pages, 0);
	ASSERT_EQ(s1.anons, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* Pages beyond the size: ENXIO; with BVM_MAP_NOFAULT they read zero. */
TEST(shm_beyond_size_enxio_and_nofault)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *o;
	struct bvm_fault_info fi;
	struct rinfo ri;
	unsigned char buf[4];

	ASSERT_OK(bvm_shm_open(sys, "/nx", BVM_O_CREAT, &o));
	ASSERT_OK(bvm_object_truncate(o, 2 * PG));
	/* Mapping beyond the end is allowed; only access faults. */
	OMAP(vm, SA, 4 * PG, RW, SHFIX, o, 0);
	VERIFY_ZERO(vm, SA, 2 * PG);
	NXIO(vm, SA + 2 * PG);
	NXIO(vm, SA + 3 * PG + 100);
	/* A read across the end: the bytes before it are transferred. */
	ASSERT_OK(tpoke(vm, SA + 2 * PG - 2, 0x71));
	ASSERT_OK(tpoke(vm, SA + 2 * PG - 1, 0x72));
	memset(buf, 0, sizeof(buf));
	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_read(vm, SA + 2 * PG - 2, buf, 4, &fi), EFAULT);
	ASSERT_EQ(fi.addr, SA + 2 * PG);
	ASSERT_EQ(fi.error, ENXIO);
	ASSERT_EQ(fi.signo, BVM_SIGBUS);
	ASSERT_EQ(fi.code, BVM_BUS_OBJERR);
	ASSERT_EQ(buf[0], 0x71);
	ASSERT_EQ(buf[1], 0x72);
	/* NOFAULT: the same object, the pages beyond read as zero. */
	OMAP(vm, SB, 4 * PG, RW, SHFIX | BVM_MAP_NOFAULT, o, 0);
	ri = RINFO(vm, SB);
	ASSERT_TRUE(ri.r.flags & BVM_REGION_NOFAULT);
	ASSERT_EQ(peekb(vm, SB + 2 * PG - 1), 0x72);   /* shared below */
	VERIFY_ZERO(vm, SB + 2 * PG, 2 * PG);
	ASSERT_OK(bvm_fault(vm, SB + 3 * PG, BVM_PROT_READ, NULL));
	ASSERT_OK(tpoke(vm, SB + 5, 0x33));
	ASSERT_EQ(peekb(vm, SA + 5), 0x33);
	CHECK(vm);
	/* Growing to a partial page: that page becomes accessible. */
	ASSERT_OK(bvm_object_truncate(o, 2 * PG + 100));
	ASSERT_EQ(osize(o), 2 * PG + 100);
	VERIFY_ZERO(vm, SA + 2 * PG, PG);
	NXIO(vm, SA + 3 * PG);
	CHECK(vm);
	bvm_object_release(o);
	ASSERT_OK(bvm_shm_unlink(sys, "/nx"));
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(tstats(sys).objects, 0);
	ASSERT_EQ(tstats(sys).obj_pages, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* Shrinking removes pages from every mapping; growing brings zeroes. */
TEST(shm_truncate_shrink_and_grow)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *v1 = tvm(sys), *v2 = tvm(sys);
	struct bvm_object *o;
	struct bvm_stats s0, s1;
	struct rinfo ri;

	s0 = tstats(sys);
	ASSERT_OK(bvm_shm_open(sys, "/tr", BVM_O_CREAT, &o));
	ASSERT_OK(bvm_object_truncate(o, 4 * PG));
	OMAP(v1, SA, 4 * PG, RW, SHFIX, o, 0);
	OMAP(v2, SA, 4 * PG, RW, SHFIX, o, 0);
	FILL(v1, SA, 4 * PG, 5);
	VERIFY(v2, SA, 4 * PG, 5);
	ASSERT_EQ(tstats(sys).obj_pages, s0.obj_pages + 4);
	/* down to one page and 100 bytes */
	ASSERT_OK(bvm_object_truncate(o, PG + 100));
	ASSERT_EQ(osize(o), PG + 100);
	s1 = tstats(sys);
	ASSERT_EQ(s1.obj_pages, s0.obj_pages + 2);
	ASSERT_EQ(s1.free, s0.free - 2);
	VERIFY(v1, SA, PG + 100, 5);
	VERIFY(v2, SA, PG + 100, 5);
	VERIFY_ZERO(v1, SA + PG + 100, PG - 100);   /* the tail is zeroed */
	VERIFY_ZERO(v2, SA + PG + 100, PG - 100);
	NXIO(v1, SA + 2 * PG);
	NXIO(v2, SA + 2 * PG);
	NXIO(v1, SA + 3 * PG);
	NXIO(v2, SA + 3 * PG + PG - 1);
	ri = RINFO(v1, SA);
	ASSERT_EQ(ri.r.obj_resident, 2);
	CHECK(v1);
	CHECK(v2);
	/* growing again: zeroes, the old data does not come back */
	ASSERT_OK(bvm_object_truncate(o, 4 * PG));
	ASSERT_EQ(osize(o), 4 * PG);
	VERIFY_ZERO(v2, SA + 2 * PG, 2 * PG);
	VERIFY_ZERO(v1, SA + 2 * PG, 2 * PG);
	VERIFY_ZERO(v1, SA + PG + 100, PG - 100);
	VERIFY(v1, SA, PG + 100, 5);
	/* stores on the new pages are shared */
	ASSERT_OK(tpoke(v2, SA + 3 * PG + 3, 0x3c));
	ASSERT_EQ(peekb(v1, SA + 3 * PG + 3), 0x3c);
	/* down to nothing and back */
	ASSERT_OK(bvm_object_truncate(o, 0));
	ASSERT_EQ(osize(o), 0);
	NXIO(v1, SA);
	NXIO(v2, SA + 3 * PG);
	ASSERT_EQ(tstats(sys).obj_pages, s0.obj_pages);
	ASSERT_OK(bvm_object_truncate(o, PG));
	VERIFY_ZERO(v1, SA, PG);
	NXIO(v1, SA + PG);
	CHECK(v1);
	CHECK(v2);
	bvm_object_release(o);
	ASSERT_OK(bvm_shm_unlink(sys, "/tr"));
	bvm_vmspace_destroy(v1);
	bvm_vmspace_destroy(v2);
	s1 = tstats(sys);
	ASSERT_EQ(s1.objects, s0.objects);
	ASSERT_EQ(s1.obj_pages, s0.obj_pages);
	ASSERT_EQ(s1.free, s0.free);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* Shrinking over wired pages: EBUSY, nothing changed. */
TEST(shm_truncate_wired_ebusy)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *o;

	ASSERT_OK(bvm_shm_open(sys, NULL, 0, &o));
	ASSERT_OK(bvm_object_truncate(o, 4 * PG));
	OMAP(vm, SA, 4 * PG, RW, SHFIX, o, 0);
	FILL(vm, SA, 4 * PG, 6);
	ASSERT_OK(bvm_mlock(vm, SA + 3 * PG, PG));
	ASSERT_ERR(bvm_object_truncate(o, 2 * PG), EBUSY);
	ASSERT_EQ(osize(o), 4 * PG);
	VERIFY(vm, SA, 4 * PG, 6);
	/* shrinking above the wired page is fine */
	ASSERT_OK(bvm_object_truncate(o, 4 * PG - 100));
	VERIFY(vm, SA, 4 * PG - 100, 6);
	ASSERT_OK(bvm_munlock(vm, SA + 3 * PG, PG));
	ASSERT_OK(bvm_object_truncate(o, 2 * PG));
	NXIO(vm, SA + 3 * PG);
	VERIFY(vm, SA, 2 * PG, 6);
	CHECK(vm);
	bvm_object_release(o);
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(tstats(sys).objects, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* unlink removes the name; the object lives on in its mappings. */
TEST(shm_unlink_keeps_mapped_object)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *o, *n, *x = NULL;
	struct bvm_stats s0 = tstats(sys), s1;

	ASSERT_OK(bvm_shm_open(sys, "/u", BVM_O_CREAT, &o));
	ASSERT_OK(bvm_object_truncate(o, PG));
	OMAP(vm, SA, PG, RW, SHFIX, o, 0);
	ASSERT_OK(tpoke(vm, SA + 1, 0x42));
	bvm_object_release(o);
	ASSERT_OK(bvm_shm_unlink(sys, "/u"));
	ASSERT_ERR(bvm_shm_open(sys, "/u", 0, &x), ENOENT);
	ASSERT_ERR(bvm_shm_unlink(sys, "/u"), ENOENT);
	ASSERT_EQ(tstats(sys).objects, s0.objects + 1);
	ASSERT_EQ(peekb(vm, SA + 1), 0x42);
	ASSERT_OK(tpoke(vm, SA + 2, 0x43));
	ASSERT_EQ(peekb(vm, SA + 2), 0x43);
	/* The name can be made again: a new, empty object. */
	ASSERT_OK(bvm_shm_open(sys, "/u", BVM_O_CREAT | BVM_O_EXCL, &n));
	ASSERT_EQ(osize(n), 0);
	ASSERT_EQ(tstats(sys).objects, s0.objects + 2);
	ASSERT_OK(bvm_object_truncate(n, PG));
	OMAP(vm, SB, PG, RW, SHFIX, n, 0);
	ASSERT_EQ(peekb(vm, SB + 1), 0);
	ASSERT_OK(tpoke(vm, SB + 1, 0x99));
	ASSERT_EQ(peekb(vm, SA + 1), 0x42);
	ASSERT_OK(bvm_munmap(vm, SA, PG));
	ASSERT_EQ(tstats(sys).objects, s0.objects + 1);
	CHECK(vm);
	bvm_object_release(n);
	ASSERT_OK(bvm_shm_unlink(sys, "/u"));
	ASSERT_EQ(peekb(vm, SB + 1), 0x99);
	ASSERT_OK(bvm_munmap(vm, SB, PG));
	s1 = tstats(sys);
	ASSERT_EQ(s1.objects, s0.objects);
	ASSERT_EQ(s1.obj_pages, s0.obj_pages);
	ASSERT_EQ(s1.free, s0.free);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* The handle may go while mapped; the last mapping frees the object. */
TEST(shm_release_while_mapped)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *v1 = tvm(sys), *v2 = tvm(sys);
	struct bvm_object *o;
	struct bvm_stats s0 = tstats(sys), s1;

	ASSERT_OK(bvm_shm_open(sys, "/r", BVM_O_CREAT, &o));
	ASSERT_OK(bvm_shm_unlink(sys, "/r"));   /* only the handle now */
	ASSERT_OK(bvm_object_truncate(o, 2 * PG));
	OMAP(v1, SA, 2 * PG, RW, SHFIX, o, 0);
	OMAP(v2, SC, 2 * PG, RW, SHFIX, o, 0);
	bvm_object_release(o);
	ASSERT_EQ(tstats(sys).objects, s0.objects + 1);
	ASSERT_OK(tpoke(v1, SA + PG, 0x61));
	ASSERT_EQ(peekb(v2, SC + PG), 0x61);
	ASSERT_OK(tpoke(v2, SC, 0x62));
	ASSERT_EQ(peekb(v1, SA), 0x62);
	ASSERT_OK(bvm_munmap(v1, SA, 2 * PG));
	ASSERT_EQ(tstats(sys).objects, s0.objects + 1);
	ASSERT_EQ(peekb(v2, SC + PG), 0x61);
	ASSERT_EQ(peekb(v2, SC), 0x62);
	CHECK(v2);
	ASSERT_OK(bvm_munmap(v2, SC, 2 * PG));
	s1 = tstats(sys);
	ASSERT_EQ(s1.objects, s0.objects);
	ASSERT_EQ(s1.obj_pages, s0.obj_pages);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.anons, s0.anons);
	SYSCHECK(sys);
	bvm_vmspace_destroy(v1);
	bvm_vmspace_destroy(v2);
	bvm_system_destroy(sys);
}

/* A named object outlives its handles and mappings until unlinked. */
TEST(shm_name_keeps_object)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *o;
	struct bvm_stats s0 = tstats(sys), s1;

	ASSERT_OK(bvm_shm_open(sys, "/p", BVM_O_CREAT, &o));
	ASSERT_OK(bvm_object_truncate(o, PG));
	OMAP(vm, SA, PG, RW, SHFIX, o, 0);
	ASSERT_OK(tpoke(vm, SA + 3, 0x5a));
	ASSERT_OK(bvm_munmap(vm, SA, PG));
	bvm_object_release(o);
	ASSERT_EQ(tstats(sys).objects, s0.objects + 1);
	ASSERT_OK(bvm_shm_open(sys, "/p", 0, &o));
	ASSERT_EQ(osize(o), PG);
	OMAP(vm, SB, PG, RW, SHFIX, o, 0);
	ASSERT_EQ(peekb(vm, SB + 3), 0x5a);
	ASSERT_OK(bvm_munmap(vm, SB, PG));
	bvm_object_release(o);
	ASSERT_OK(bvm_shm_unlink(sys, "/p"));
	s1 = tstats(sys);
	ASSERT_EQ(s1.objects, s0.objects);
	ASSERT_EQ(s1.obj_pages, s0.obj_pages);
	ASSERT_EQ(s1.free, s0.free);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* fork: MAP_SHARED stays shared, MAP_PRIVATE is copy-on-write. */
TEST(shm_fork_shared_and_private)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *ch;
	struct bvm_object *o;
	struct rinfo ri;

	ASSERT_OK(bvm_shm_open(sys, "/fk", BVM_O_CREAT, &o));
	ASSERT_OK(bvm_object_truncate(o, 2 * PG));
	OMAP(vm, SA, 2 * PG, RW, SHFIX, o, 0);
	OMAP(vm, SB, 2 * PG, RW, PRFIX, o, 0);
	ASSERT_OK(tpoke(vm, SA + 5, 0x10));
	ASSERT_OK(tpoke(vm, SB + 5, 0x33));        /* parent's private copy */
	ASSERT_OK(bvm_fork(vm, &ch));
	ri = RINFO(ch, SA);
	ASSERT_EQ(strcmp(ri.type, "aobj"), 0);
	ASSERT_EQ(strcmp(ri.name, "/fk"), 0);
	ASSERT_EQ(ri.r.inherit, BVM_INHERIT_SHARE);
	ri = RINFO(ch, SB);
	ASSERT_EQ(ri.r.inherit, BVM_INHERIT_COPY);
	/* shared both ways */
	ASSERT_EQ(peekb(ch, SA + 5), 0x10);
	ASSERT_OK(tpoke(ch, SA + 5, 0x11));
	ASSERT_EQ(peekb(vm, SA + 5), 0x11);
	ASSERT_OK(tpoke(vm, SA + PG + 5, 0x22));
	ASSERT_EQ(peekb(ch, SA + PG + 5), 0x22);
	/* private: copy-on-write */
	ASSERT_EQ(peekb(ch, SB + 5), 0x33);
	ASSERT_OK(tpoke(ch, SB + 5, 0x44));
	ASSERT_EQ(peekb(vm, SB + 5), 0x33);
	ASSERT_EQ(peekb(ch, SB + 5), 0x44);
	/* unwritten private pages still see the object's stores */
	ASSERT_EQ(peekb(vm, SB + PG + 5), 0x22);
	ASSERT_EQ(peekb(ch, SB + PG + 5), 0x22);
	ASSERT_OK(tpoke(vm, SB + PG + 6, 0x55));
	ASSERT_EQ(peekb(ch, SB + PG + 6), 0);
	ASSERT_EQ(peekb(vm, SA + PG + 6), 0);
	ASSERT_OK(tpoke(ch, SA + PG + 7, 0x66));
	ASSERT_EQ(peekb(ch, SB + PG + 7), 0x66);
	ASSERT_EQ(peekb(vm, SA + PG + 7), 0x66);
	CHECK(vm);
	CHECK(ch);
	bvm_object_release(o);
	ASSERT_OK(bvm_shm_unlink(sys, "/fk"));
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(peekb(ch, SA + 5), 0x11);
	ASSERT_EQ(peekb(ch, SB + 5), 0x44);
	ASSERT_EQ(tstats(sys).objects, 1);
	bvm_vmspace_destroy(ch);
	ASSERT_EQ(tstats(sys).objects, 0);
	ASSERT_EQ(tstats(sys).obj_pages, 0);
	ASSERT_EQ(tstats(sys).anons, 0);
	ASSERT_EQ(tstats(sys).free, 256);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* bvm_object_size is bytes; bvm_regions names the object; offsets. */
TEST(shm_size_regions_offsets)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_object *o;
	struct rinfo ri;
	uint64_t va, b;

	ASSERT_OK(bvm_shm_open(sys, "/reg", BVM_O_CREAT, &o));
	ASSERT_OK(bvm_object_truncate(o, 3 * PG + 5));
	ASSERT_EQ(osize(o), 3 * PG + 5);
	b = OMAP(vm, SA, 4 * PG, RW, SHFIX, o, 0);
	ASSERT_EQ(b, SA);
	FILL(vm, SA + 2 * PG, PG, 8);
	va = OMAP(vm, 0, PG, RO, BVM_MAP_SHARED, o, (int64_t)(2 * PG));
	ASSERT_EQ(va & (PG - 1), 0);
	ri = RINFO(vm, va);
	ASSERT_EQ(strcmp(ri.type, "aobj"), 0);
	ASSERT_EQ(strcmp(ri.name, "/reg"), 0);
	ASSERT_EQ(ri.r.start, va);
	ASSERT_EQ(ri.r.end, va + PG);
	ASSERT_EQ(ri.r.offset, 2 * PG);
	ASSERT_EQ(ri.r.prot, RO);
	ASSERT_EQ(ri.r.obj_resident, 1);
	ASSERT_EQ(peekb(vm, va + 17), api_pat(SA + 2 * PG + 17, 8));
	/* An unaligned offset: the address carries its page offset. */
	va = OMAP(vm, 0, 10, RO, BVM_MAP_SHARED, o, (int64_t)(2 * PG + 17));
	ASSERT_EQ(va & (PG - 1), 17);
	ASSERT_EQ(peekb(vm, va), api_pat(SA + 2 * PG + 17, 8));
	ri = RINFO(vm, va);
	ASSERT_EQ(ri.r.offset, 2 * PG);
	ASSERT_EQ(ri.r.start, va - 17);
	/* Bad arguments as bvm_mmap's. */
	ASSERT_ERR(bvm_mmap_object(vm, 0, PG, RW, BVM_MAP_SHARED, o, -4096,
	    &va), EINVAL);
	ASSERT_ERR(bvm_mmap_object(vm, 0, 0, RW, BVM_MAP_SHARED, o, 0, &va),
	    EINVAL);
	ASSERT_ERR(bvm_mmap_object(vm, 0, PG, RW, BVM_MAP_SHARED |
	    BVM_MAP_PRIVATE, o, 0, &va), EINVAL);
	/* The region of the first mapping counts the object's pages. */
	ri = RINFO(vm, SA);
	ASSERT_EQ(ri.r.obj_resident, 1);
	ASSERT_EQ(ri.r.offset, 0);
	CHECK(vm);
	bvm_object_release(o);
	ASSERT_OK(bvm_shm_unlink(sys, "/reg"));
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(tstats(sys).objects, 0);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}
