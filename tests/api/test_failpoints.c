/*
 * test_failpoints.c: every failure point, failing at every call of a
 * representative workload.
 *
 * For each failure point and each n, a fresh system runs the workload with
 * the point armed to fail its nth call.  The step that meets the failure
 * must fail cleanly: ENOMEM for the allocation points, EIO for the pager
 * points (from bvm_fault, as info.error of bvm_read/bvm_write, or from
 * bvm_msync), with SIGBUS/BUS_OBJERR for a pager read.  It must leave the
 * address spaces as they were (map-changing steps; a fork may resolve
 * needs-copy, which is invisible; an msync may have written or discarded
 * other pages, but not changed the map), leak nothing (frames, anons,
 * objects, object pages, host descriptors), and keep every invariant; then
 * the point is disarmed, the step is run again (it must succeed now), and
 * the workload goes on to the end, where the contents are verified (memory,
 * and the host file after a last msync: no store is lost) and everything
 * is freed.  The sweep for a point ends when the workload no longer
 * reaches its nth call.
 *
 * The workload: anonymous private and shared memory, mprotect, minherit,
 * mlock; a host file mapped MAP_SHARED and MAP_PRIVATE (read, written,
 * copied on write), a named shared-memory object (created, sized, mapped,
 * written, unlinked), msync MS_SYNC, MS_ASYNC and MS_INVALIDATE (the pages
 * are read again afterwards); fork, and the child's stores to all of it;
 * madvise, mincore, munmap, MAP_FIXED replacement, a fork of the child,
 * exec, and a pglist allocation.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define PG    ((uint64_t)BVM_PAGE_SIZE)
#define RW    (BVM_PROT_READ | BVM_PROT_WRITE)
#define BASE  0x50000000ULL
#define FBASE 0x58000000ULL     /* the file, shared; private at +16 pages */
#define SBASE 0x5c000000ULL     /* the shared-memory object */
#define NFR   256
#define FNP   8                  /* pages of the file mappings */
#define FSIZE (FNP * PG - 100)   /* the file: the last page is partial */
#define FTAIL (PG - 50)          /* an offset beyond EOF in the last page */
#define SNP   4                  /* pages of the shm object */
#define SHMNAME "/fpw"

struct fpw {
	struct bvm_system *sys;
	struct bvm_vmspace *p, *c, *g;
	uint64_t priv, shr, fresh;
	uint64_t fs, fp, sm;        /* file shared, file private, shm */
	int fd;
	struct bvm_object *shm;
	uint64_t pas[4];
	int have_pas;
};

enum kind { K_MAP, K_FORK, K_ACCESS, K_SYNC, K_OTHER };

struct step {
	const char *name;
	enum kind kind;
	int child;                  /* the step works on the child */
	int (*fn)(struct fpw *);
};

static char fp_dir[64];
static char fp_path[128];

/* The host file's original byte at off. Never 0. */
static unsigned char
fpat(uint64_t off)
{
	return (unsigned char)(((off * 37) ^ (off >> 3) ^ (off >> 12) * 11) |
	    1);
}

/*
 * The error of an access: bvm_read/bvm_write report a failed fault as
 * EFAULT with the fault's error in info; ENOMEM comes back directly.
 */
static int
acc_error(int e, const struct bvm_fault_info *fi, const char *what)
{
	if (e == 0 || e == ENOMEM)
		return e;
	if (e != EFAULT)
		bvm_test_fail(__FILE__, __LINE__, "%s: returned %s (want 0, "
		    "EFAULT or ENOMEM)", what, bvm_errname(e));
	if (fi->error == EIO && (fi->signo != BVM_SIGBUS ||
	    fi->code != BVM_BUS_OBJERR))
		bvm_test_fail(__FILE__, __LINE__, "%s: EIO at 0x%llx with "
		    "signo %d code %d, want SIGBUS/BUS_OBJERR", what,
		    (unsigned long long)fi->addr, fi->signo, fi->code);
	return fi->error;
}

static int
poke(struct bvm_vmspace *vm, uint64_t va, unsigned char b)
{
	struct bvm_fault_info fi;

	memset(&fi, 0, sizeof(fi));
	return acc_error(bvm_write(vm, va, &b, 1, &fi), &fi, "write");
}

static int
fill(struct bvm_vmspace *vm, uint64_t va, int npages, unsigned char base)
{
	int i, e;

	for (i = 0; i < npages; i++)
		if ((e = poke(vm, va + (uint64_t)i * PG + 5,
		    (unsigned char)(base + i))) != 0)
			return e;
	return 0;
}

/* read len bytes at va (and discard them) */
static int
touch(struct bvm_vmspace *vm, uint64_t va, uint64_t len)
{
	static unsigned char buf[FNP * BVM_PAGE_SIZE];
	struct bvm_fault_info fi;

	memset(&fi, 0, sizeof(fi));
	return acc_error(bvm_read(vm, va, buf, len, &fi), &fi, "read");
}

static int
s_create(struct fpw *w)
{
	return bvm_vmspace_create(w->sys, &w->p);
}

static int
s_mmap_priv(struct fpw *w)
{
	return bvm_mmap(w->p, BASE, 16 * PG, RW, BVM_MAP_ANON |
	    BVM_MAP_PRIVATE | BVM_MAP_FIXED, -1, 0, &w->priv);
}

static int
s_touch_priv(struct fpw *w)
{
	return fill(w->p, w->priv, 16, 10);
}

static int
s_mmap_shared(struct fpw *w)
{
	return bvm_mmap(w->p, BASE + 32 * PG, 8 * PG, RW, BVM_MAP_ANON |
	    BVM_MAP_SHARED | BVM_MAP_FIXED, -1, 0, &w->shr);
}

static int
s_touch_shared(struct fpw *w)
{
	return fill(w->p, w->shr, 8, 100);
}

static int
s_mprotect_split(struct fpw *w)
{
	return bvm_mprotect(w->p, w->priv + 4 * PG, 2 * PG, BVM_PROT_READ);
}

static int
s_minherit_zero(struct fpw *w)
{
	return bvm_minherit(w->p, w->priv + 12 * PG, 2 * PG, BVM_INHERIT_ZERO);
}

static int
s_mlock(struct fpw *w)
{
	return bvm_mlock(w->p, w->priv + 8 * PG, 2 * PG);
}

static int
s_mmap_file_shared(struct fpw *w)
{
	return bvm_mmap(w->p, FBASE, FNP * PG, RW, BVM_MAP_SHARED |
	    BVM_MAP_FIXED, w->fd, 0, &w->fs);
}

static int
s_mmap_file_private(struct fpw *w)
{
	return bvm_mmap(w->p, FBASE + 16 * PG, FNP * PG, RW, BVM_MAP_PRIVATE |
	    BVM_MAP_FIXED, w->fd, 0, &w->fp);
}

/* the first access to the file: a bvm_fault on the private mapping */
static int
s_fault_file_private(struct fpw *w)
{
	struct bvm_fault_info fi;
	uint64_t va = w->fp + 6 * PG;
	int e;

	memset(&fi, 0, sizeof(fi));
	e = bvm_fault(w->p, va, BVM_PROT_READ, &fi);
	if (e == EIO && (fi.error != EIO || fi.signo != BVM_SIGBUS ||
	    fi.code != BVM_BUS_OBJERR || fi.addr != va))
		bvm_test_fail(__FILE__, __LINE__, "fault EIO: info error %s "
		    "signo %d code %d addr 0x%llx, want EIO SIGBUS/"
		    "BUS_OBJERR at 0x%llx", bvm_errname(fi.error), fi.signo,
		    fi.code, (unsigned long long)fi.addr,
		    (unsigned long long)va);
	if (e == ENOMEM && (fi.error != ENOMEM || fi.signo != 0))
		bvm_test_fail(__FILE__, __LINE__, "fault ENOMEM: info error "
		    "%s signo %d, want ENOMEM, 0", bvm_errname(fi.error),
		    fi.signo);
	return e;
}

static int
s_read_file_shared(struct fpw *w)
{
	return touch(w->p, w->fs, FNP * PG);
}

static int
s_write_file_shared(struct fpw *w)
{
	int k, e;

	for (k = 0; k < FNP; k += 2)
		if ((e = poke(w->p, w->fs + (uint64_t)k * PG + 5,
		    (unsigned char)(30 + k))) != 0)
			return e;
	return 0;
}

static int
s_write_file_private(struct fpw *w)
{
	int e;

	if ((e = poke(w->p, w->fp + 1 * PG + 5, 41)) != 0)
		return e;
	return poke(w->p, w->fp + 3 * PG + 5, 43);
}

static int
s_shm_open(struct fpw *w)
{
	/* O_EXCL: a failed call must not have left the name behind */
	return bvm_shm_open(w->sys, SHMNAME, BVM_O_CREAT | BVM_O_EXCL,
	    &w->shm);
}

static int
s_shm_truncate(struct fpw *w)
{
	return bvm_object_truncate(w->shm, SNP * PG);
}

static int
s_mmap_shm(struct fpw *w)
{
	return bvm_mmap_object(w->p, SBASE, SNP * PG, RW, BVM_MAP_SHARED |
	    BVM_MAP_FIXED, w->shm, 0, &w->sm);
}

static int
s_touch_shm(struct fpw *w)
{
	return fill(w->p, w->sm, SNP, 150);
}

static int
s_shm_unlink(struct fpw *w)
{
	return bvm_shm_unlink(w->sys, SHMNAME);
}

static int
s_msync_sync(struct fpw *w)
{
	return bvm_msync(w->p, w->fs, FNP * PG, BVM_MS_SYNC);
}

static int
s_fork(struct fpw *w)
{
	return bvm_fork(w->p, &w->c);
}

static int
s_child_cow(struct fpw *w)
{
	return fill(w->c, w->priv, 4, 50);
}

static int
s_parent_cow(struct fpw *w)
{
	return fill(w->p, w->priv + 14 * PG, 2, 70);
}

static int
s_child_shared(struct fpw *w)
{
	return fill(w->c, w->shr + 6 * PG, 2, 200);
}

static int
s_child_file_shared(struct fpw *w)
{
	int e;

	if ((e = poke(w->c, w->fs + 1 * PG + 5, 61)) != 0 ||
	    (e = poke(w->c, w->fs + 7 * PG + 5, 67)) != 0)
		return e;
	/* beyond EOF in the last page: never reaches the file */
	return poke(w->c, w->fs + 7 * PG + FTAIL, 0xee);
}

static int
s_child_file_private(struct fpw *w)
{
	int e;

	if ((e = poke(w->c, w->fp + 1 * PG + 5, 71)) != 0)
		return e;
	return poke(w->c, w->fp + 5 * PG + 5, 75);
}

static int
s_child_shm(struct fpw *w)
{
	return poke(w->c, w->sm + 2 * PG + 5, 222);
}

static int
s_parent_file_shared(struct fpw *w)
{
	return poke(w->p, w->fs + 3 * PG + 5, 93);
}

static int
s_msync_async_child(struct fpw *w)
{
	return bvm_msync(w->c, w->fs, FNP * PG, BVM_MS_ASYNC);
}

static int
s_msync_invalidate(struct fpw *w)
{
	return bvm_msync(w->p, w->fs, FNP * PG, BVM_MS_SYNC |
	    BVM_MS_INVALIDATE);
}

/* after MS_INVALIDATE: the pages are read from the file again */
static int
s_reread_file_shared(struct fpw *w)
{
	return touch(w->p, w->fs, FNP * PG);
}

static int
s_madv_free(struct fpw *w)
{
	return bvm_madvise(w->p, w->priv + 2 * PG, 2 * PG, BVM_MADV_FREE);
}

static int
s_mincore(struct fpw *w)
{
	unsigned char vec[16];

	return bvm_mincore(w->p, w->priv, 16 * PG, vec);
}

static int
s_munmap_part(struct fpw *w)
{
	return bvm_munmap(w->p, w->priv + 6 * PG, PG);
}

static int
s_munmap_file_private(struct fpw *w)
{
	return bvm_munmap(w->p, w->fp + 6 * PG, PG);
}

static int
s_fixed_replace(struct fpw *w)
{
	return bvm_mmap(w->p, w->priv + 10 * PG, 2 * PG, RW, BVM_MAP_ANON |
	    BVM_MAP_PRIVATE | BVM_MAP_FIXED, -1, 0, &w->fresh);
}

static int
s_fork_child(struct fpw *w)
{
	return bvm_fork(w->c, &w->g);
}

static int
s_exec_grandchild(struct fpw *w)
{
	return bvm_exec(w->g);
}

static int
s_grandchild_map(struct fpw *w)
{
	uint64_t va;
	int e = bvm_mmap(w->g, 0, 4 * PG, RW, BVM_MAP_ANON | BVM_MAP_PRIVATE,
	    -1, 0, &va);

	return e ? e : fill(w->g, va, 4, 1);
}

static int
s_pglist(struct fpw *w)
{
	int e = bvm_pglist_alloc(w->sys, 4, 0, NFR * PG, PG, 0, 2,
	    BVM_PLA_ZERO, w->pas);

	w->have_pas = e == 0;
	return e;
}

static const struct step steps[] = {
	{ "vmspace_create", K_OTHER, 0, s_create },
	{ "mmap private", K_MAP, 0, s_mmap_priv },
	{ "touch private", K_ACCESS, 0, s_touch_priv },
	{ "mmap shared", K_MAP, 0, s_mmap_shared },
	{ "touch shared", K_ACCESS, 0, s_touch_shared },
	{ "mprotect split", K_MAP, 0, s_mprotect_split },
	{ "minherit zero", K_MAP, 0, s_minherit_zero },
	{ "mlock", K_MAP, 0, s_mlock },
	{ "mmap file shared", K_MAP, 0, s_mmap_file_shared },
	{ "mmap file private", K_MAP, 0, s_mmap_file_private },
	{ "fault file private", K_ACCESS, 0, s_fault_file_private },
	{ "read file shared", K_ACCESS, 0, s_read_file_shared },
	{ "write file shared", K_ACCESS, 0, s_write_file_shared },
	{ "write file private", K_ACCESS, 0, s_write_file_private },
	{ "shm open", K_OTHER, 0, s_shm_open },
	{ "shm truncate", K_OTHER, 0, s_shm_truncate },
	{ "mmap shm", K_MAP, 0, s_mmap_shm },
	{ "touch shm", K_ACCESS, 0, s_touch_shm },
	{ "shm unlink", K_OTHER, 0, s_shm_unlink },
	{ "msync sync", K_SYNC, 0, s_msync_sync },
	{ "fork", K_FORK, 0, s_fork },
	{ "child cow", K_ACCESS, 1, s_child_cow },
	{ "parent cow", K_ACCESS, 0, s_parent_cow },
	{ "child shared write", K_ACCESS, 1, s_child_shared },
	{ "child file shared write", K_ACCESS, 1, s_child_file_shared },
	{ "child file private write", K_ACCESS, 1, s_child_file_private },
	{ "child shm write", K_ACCESS, 1, s_child_shm },
	{ "parent file shared write", K_ACCESS, 0, s_parent_file_shared },
	{ "child msync async", K_SYNC, 1, s_msync_async_child },
	{ "msync invalidate", K_SYNC, 0, s_msync_invalidate },
	{ "reread file shared", K_ACCESS, 0, s_reread_file_shared },
	{ "madvise free", K_MAP, 0, s_madv_free },
	{ "mincore", K_MAP, 0, s_mincore },
	{ "munmap part", K_MAP, 0, s_munmap_part },
	{ "munmap file private page", K_MAP, 0, s_munmap_file_private },
	{ "mmap fixed replace", K_MAP, 0, s_fixed_replace },
	{ "fork child", K_FORK, 1, s_fork_child },
	{ "exec grandchild", K_OTHER, 0, s_exec_grandchild },
	{ "grandchild map", K_ACCESS, 0, s_grandchild_map },
	{ "pglist", K_OTHER, 0, s_pglist },
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

/* host descriptors open in this process */
static int
nfds(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;   /* not the directory's own descriptor */
}

/* what must not change when a step fails */
#define SNAPMAX 64
struct snap {
	int n;
	struct bvm_region r[SNAPMAX];
	char name[SNAPMAX][128];
	struct bvm_vmspace_info info;
	uint64_t free, anons, map_entries, vmspaces, objects, vnodes;
	uint64_t obj_pages, pager_errors;
	int fds;
};

static int
snap_region(const struct bvm_region *r, void *arg)
{
	struct snap *s = arg;
	struct bvm_region *d;

	if (s->n == SNAPMAX)
		return E2BIG;
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s",
	    r->name != NULL ? r->name : "(null)");
	d = &s->r[s->n++];
	*d = *r;
	/* invisible to the program: needs-copy state and amap identity */
	d->flags &= ~(unsigned)(BVM_REGION_NEEDSCOPY | BVM_REGION_SHAREDAMAP);
	d->amap_refs = 0;
	d->anons = 0;
	d->resident = 0;
	d->type = NULL;
	d->name = NULL;
	return 0;
}

static void
take(struct fpw *w, struct bvm_vmspace *vm, struct snap *s)
{
	struct bvm_stats st;

	memset(s, 0, sizeof(*s));
	if (vm != NULL) {
		ASSERT_OK(bvm_regions(vm, snap_region, s));
		ASSERT_OK(bvm_vmspace_info(vm, &s->info));
		s->info.resident = 0;
	}
	bvm_stats(w->sys, &st);
	s->free = st.free;
	s->anons = st.anons;
	s->map_entries = st.map_entries;
	s->vmspaces = st.vmspaces;
	s->objects = st.objects;
	s->vnodes = st.vnodes;
	s->obj_pages = st.obj_pages;
	s->pager_errors = st.pager_errors;
	s->fds = nfds();
}

static void
same(const struct snap *a, const struct snap *b, enum kind k,
    const char *what)
{
	int i;

	if (a->n != b->n || memcmp(&a->info, &b->info, sizeof(a->info)) != 0)
		bvm_test_fail(__FILE__, __LINE__, "%s: the address space "
		    "changed (%d regions, now %d)", what, a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const struct bvm_region *ra = &a->r[i], *rb = &b->r[i];

		if (ra->start != rb->start || ra->end != rb->end ||
		    ra->prot != rb->prot || ra->maxprot != rb->maxprot ||
		    ra->inherit != rb->inherit || ra->advice != rb->advice ||
		    ra->wired_count != rb->wired_count ||
		    ra->flags != rb->flags || ra->offset != rb->offset ||
		    /* an msync may have written or discarded pages */
		    (k != K_SYNC && ra->obj_resident != rb->obj_resident) ||
		    strcmp(a->name[i], b->name[i]) != 0)
			bvm_test_fail(__FILE__, __LINE__, "%s: region %d "
			    "[%#llx, %#llx) changed", what, i,
			    (unsigned long long)a->r[i].start,
			    (unsigned long long)a->r[i].end);
	}
	/* nothing leaked (a fork may have made amaps, not frames/anons) */
	if (a->vmspaces != b->vmspaces || a->objects != b->objects ||
	    a->vnodes != b->vnodes || a->fds != b->fds ||
	    (k != K_FORK && a->map_entries != b->map_entries))
		bvm_test_fail(__FILE__, __LINE__, "%s: vmspaces %llu->%llu "
		    "objects %llu->%llu vnodes %llu->%llu fds %d->%d "
		    "map_entries %llu->%llu", what,
		    (unsigned long long)a->vmspaces,
		    (unsigned long long)b->vmspaces,
		    (unsigned long long)a->objects,
		    (unsigned long long)b->objects,
		    (unsigned long long)a->vnodes,
		    (unsigned long long)b->vnodes, a->fds, b->fds,
		    (unsigned long long)a->map_entries,
		    (unsigned long long)b->map_entries);
	if (k != K_SYNC && (a->free != b->free || a->anons != b->anons ||
	    a->obj_pages != b->obj_pages))
		bvm_test_fail(__FILE__, __LINE__, "%s: free %llu->%llu anons "
		    "%llu->%llu obj_pages %llu->%llu", what,
		    (unsigned long long)a->free, (unsigned long long)b->free,
		    (unsigned long long)a->anons, (unsigned long long)b->anons,
		    (unsigned long long)a->obj_pages,
		    (unsigned long long)b->obj_pages);
}

static int
peek(struct bvm_vmspace *vm, uint64_t va)
{
	unsigned char b;

	ASSERT_OK(bvm_read(vm, va + 5, &b, 1, NULL));
	return b;
}

/* The file as it must be at the end: the original and the shared stores. */
static void
expected_file(unsigned char *e)
{
	uint64_t o;
	int k;

	for (o = 0; o < FSIZE; o++)
		e[o] = fpat(o);
	for (k = 0; k < FNP; k += 2)
		e[(uint64_t)k * PG + 5] = (unsigned char)(30 + k);
	e[1 * PG + 5] = 61;
	e[7 * PG + 5] = 67;
	e[3 * PG + 5] = 93;
}

/* Page k of a file mapping at va shows e's page k, but for a private byte
 * at offset 5 (priv >= 0). */
static void
check_file_page(struct bvm_vmspace *vm, uint64_t va, int k,
    const unsigned char *e, int priv, const char *what)
{
	unsigned char buf[BVM_PAGE_SIZE];
	uint64_t n = FSIZE - (uint64_t)k * PG, i;

	if (n > PG)
		n = PG;
	ASSERT_OK(bvm_read(vm, va + (uint64_t)k * PG, buf, n, NULL));
	for (i = 0; i < n; i++) {
		unsigned char want = e[(uint64_t)k * PG + i];

		if (i == 5 && priv >= 0)
			want = (unsigned char)priv;
		if (buf[i] != want)
			bvm_test_fail(__FILE__, __LINE__, "%s page %d byte "
			    "%llu: 0x%02x, want 0x%02x", what, k,
			    (unsigned long long)i, buf[i], want);
	}
}

/* The host file holds e. */
static void
check_host_file(int fd, const unsigned char *e, const char *when)
{
	static unsigned char buf[FSIZE + PG];
	struct stat sb;
	ssize_t n;
	uint64_t i;

	ASSERT_EQ(fstat(fd, &sb), 0);
	if ((uint64_t)sb.st_size != FSIZE)
		bvm_test_fail(__FILE__, __LINE__, "%s: file size %lld, want "
		    "%llu", when, (long long)sb.st_size,
		    (unsigned long long)FSIZE);
	n = pread(fd, buf, sizeof(buf), 0);
	ASSERT_EQ(n, FSIZE);
	for (i = 0; i < FSIZE; i++)
		if (buf[i] != e[i])
			bvm_test_fail(__FILE__, __LINE__, "%s: file byte %llu "
			    "is 0x%02x, want 0x%02x (a store was lost)", when,
			    (unsigned long long)i, buf[i], e[i]);
}

/* the workload's end state, whatever failed on the way */
static void
verify(struct fpw *w, const unsigned char *e)
{
	struct bvm_fault_info fi;
	unsigned char b;
	int i, k;

	for (i = 0; i < 4; i++)       /* the child's copies */
		ASSERT_EQ(peek(w->c, w->priv + (uint64_t)i * PG), 50 + i);
	ASSERT_EQ(peek(w->p, w->priv), 10);           /* parent kept its own */
	ASSERT_EQ(peek(w->p, w->priv + 2 * PG), 0);   /* MADV_FREE */
	ASSERT_EQ(peek(w->p, w->priv + 4 * PG), 14);  /* read-only part */
	ASSERT_EQ(peek(w->p, w->priv + 8 * PG), 18);  /* wired */
	ASSERT_EQ(peek(w->p, w->priv + 10 * PG), 0);  /* replaced */
	ASSERT_EQ(peek(w->c, w->priv + 12 * PG), 0);  /* inherit zero */
	ASSERT_EQ(peek(w->p, w->priv + 14 * PG), 70);
	ASSERT_EQ(peek(w->c, w->priv + 14 * PG), 24);
	ASSERT_EQ(peek(w->p, w->shr + 6 * PG), 200);  /* shared */
	ASSERT_EQ(peek(w->p, w->shr), 100);
	/* the shared file mapping: the same in parent and child */
	for (k = 0; k < FNP; k++) {
		check_file_page(w->p, w->fs, k, e, -1, "parent shared");
		check_file_page(w->c, w->fs, k, e, -1, "child shared");
	}
	/* the private ones: own copies where written, else the file */
	for (k = 0; k < FNP; k++) {
		int pp = k == 1 ? 41 : k == 3 ? 43 : -1;
		int cp = k == 1 ? 71 : k == 3 ? 43 : k == 5 ? 75 : -1;

		if (k != 6)
			check_file_page(w->p, w->fp, k, e, pp,
			    "parent private");
		check_file_page(w->c, w->fp, k, e, cp, "child private");
	}
	memset(&fi, 0, sizeof(fi));
	ASSERT_ERR(bvm_read(w->p, w->fp + 6 * PG, &b, 1, &fi), EFAULT);
	ASSERT_EQ(fi.error, EFAULT);                   /* unmapped */
	/* the shm object: shared by parent and child */
	for (k = 0; k < SNP; k++) {
		int want = k == 2 ? 222 : 150 + k;

		ASSERT_EQ(peek(w->p, w->sm + (uint64_t)k * PG), want);
		ASSERT_EQ(peek(w->c, w->sm + (uint64_t)k * PG), want);
		ASSERT_EQ(tpeek(w->c, w->sm + (uint64_t)k * PG + 6), 0);
	}
}

/* the host file, fresh for each run */
static int
make_file(void)
{
	static unsigned char img[FSIZE];
	uint64_t o;
	int fd;

	fd = open(fp_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		bvm_test_fail(__FILE__, __LINE__, "open %s: %s", fp_path,
		    strerror(errno));
	for (o = 0; o < FSIZE; o++)
		img[o] = fpat(o);
	if (pwrite(fd, img, FSIZE, 0) != (ssize_t)FSIZE)
		bvm_test_fail(__FILE__, __LINE__, "pwrite: %s",
		    strerror(errno));
	return fd;
}

/* run the workload with point armed at n; => true if the nth call came */
static int
run_once(int point, long n, int *failures)
{
	static unsigned char e[FSIZE];
	struct bvm_params par;
	struct fpw w;
	struct snap before, after;
	struct bvm_stats st;
	size_t i;
	int err, want, reached, fds0, fdsh;

	want = point == BVM_FP_PAGER_READ || point == BVM_FP_PAGER_WRITE ?
	    EIO : ENOMEM;
	expected_file(e);
	memset(&w, 0, sizeof(w));
	w.fd = make_file();
	fdsh = nfds();
	bvm_params_init(&par);
	par.npages = NFR;
	/* no daemon thread: every failure point call is the workload's */
	par.flags = BVM_SYS_CHECK | BVM_SYS_NOPDAEMON;
	par.rlimit_memlock = BVM_RLIM_INFINITY;
	ASSERT_OK(bvm_system_create(&par, &w.sys));
	fds0 = nfds();
	ASSERT_OK(bvm_failpoint_arm(point, n));
	for (i = 0; i < NSTEPS; i++) {
		struct bvm_vmspace *vm = steps[i].child ? w.c : w.p;

		take(&w, vm, &before);
		err = steps[i].fn(&w);
		if (err == 0)
			continue;
		if (err != want)
			bvm_test_fail(__FILE__, __LINE__, "%s at %s call %ld: "
			    "%s, want %s", steps[i].name,
			    bvm_failpoint_name(point), n, bvm_errname(err),
			    bvm_errname(want));
		(*failures)++;
		bvm_failpoint_disarm();
		take(&w, vm, &after);
		if (steps[i].kind == K_MAP || steps[i].kind == K_FORK ||
		    steps[i].kind == K_SYNC)
			same(&before, &after, steps[i].kind, steps[i].name);
		if (before.fds != after.fds)
			bvm_test_fail(__FILE__, __LINE__, "%s at %s call %ld: "
			    "host descriptors %d -> %d", steps[i].name,
			    bvm_failpoint_name(point), n, before.fds,
			    after.fds);
		if (want == EIO && after.pager_errors <= before.pager_errors)
			bvm_test_fail(__FILE__, __LINE__, "%s at %s call %ld: "
			    "pager_errors %llu -> %llu", steps[i].name,
			    bvm_failpoint_name(point), n,
			    (unsigned long long)before.pager_errors,
			    (unsigned long long)after.pager_errors);
		if (vm != NULL)
			CHECK(vm);
		SYSCHECK(w.sys);
		ASSERT_OK(steps[i].fn(&w));   /* and now it works */
	}
	reached = bvm_failpoint_calls(point) >= n;
	bvm_failpoint_disarm();
	verify(&w, e);
	SYSCHECK(w.sys);
	/* no store lost: one more msync puts them all in the file */
	ASSERT_OK(bvm_msync(w.p, w.fs, FNP * PG, BVM_MS_SYNC));
	check_host_file(w.fd, e, "after msync");
	if (w.have_pas)
		ASSERT_OK(bvm_pglist_free(w.sys, w.pas, 4));
	bvm_vmspace_destroy(w.g);
	bvm_vmspace_destroy(w.c);
	bvm_vmspace_destroy(w.p);
	bvm_object_release(w.shm);
	bvm_stats(w.sys, &st);
	ASSERT_EQ(st.free, NFR);
	ASSERT_EQ(st.anons, 0);
	ASSERT_EQ(st.amaps, 0);
	ASSERT_EQ(st.map_entries, 0);
	ASSERT_EQ(st.objects, 0);
	ASSERT_EQ(st.vnodes, 0);
	ASSERT_EQ(st.obj_pages, 0);
	ASSERT_EQ(nfds(), fds0);   /* the library's duplicates are closed */
	SYSCHECK(w.sys);
	bvm_system_destroy(w.sys);
	ASSERT_EQ(nfds(), fdsh);
	check_host_file(w.fd, e, "after the last unmap");
	close(w.fd);
	return reached;
}

/* a failed sweep leaves its file behind: removed at exit */
static void
fp_atexit(void)
{
	if (fp_path[0] != '\0')
		unlink(fp_path);
	if (fp_dir[0] != '\0')
		rmdir(fp_dir);
}

TEST(failpoints_sweep_every_point_every_call)
{
	static int registered;

	int point, failures;
	long n;

	snprintf(fp_dir, sizeof(fp_dir), "/tmp/bvm_fp.XXXXXX");
	if (mkdtemp(fp_dir) == NULL)
		bvm_test_fail(__FILE__, __LINE__, "mkdtemp: %s",
		    strerror(errno));
	snprintf(fp_path, sizeof(fp_path), "%s/file", fp_dir);
	if (!registered++)
		atexit(fp_atexit);
	for (point = 0; point < BVM_FP_NPOINTS; point++) {
		/* swap's points have their own sweep (test_swap.c) */
		if (point == BVM_FP_SWAP_READ || point == BVM_FP_SWAP_WRITE ||
		    point == BVM_FP_SWAP_ALLOC)
			continue;
		failures = 0;
		for (n = 1; run_once(point, n, &failures); n++)
			;
		/* every point is reached by this workload at least once */
		if (failures == 0)
			bvm_test_fail(__FILE__, __LINE__, "%s: never failed",
			    bvm_failpoint_name(point));
		if (getenv("BVM_FP_VERBOSE") != NULL)
			fprintf(stderr, "    %-14s %ld calls, %d failures\n",
			    bvm_failpoint_name(point), n - 1, failures);
	}
	fp_atexit();
	fp_path[0] = fp_dir[0] = '\0';
}

TEST(failpoints_arm_arguments)
{
	ASSERT_ERR(bvm_failpoint_arm(-1, 1), EINVAL);
	ASSERT_ERR(bvm_failpoint_arm(BVM_FP_NPOINTS, 1), EINVAL);
	ASSERT_ERR(bvm_failpoint_arm(BVM_FP_PAGE_ALLOC, -1), EINVAL);
	ASSERT_TRUE(bvm_failpoint_name(BVM_FP_NPOINTS) == NULL);
	ASSERT_EQ(strcmp(bvm_failpoint_name(BVM_FP_PV_ALLOC), "pv_alloc"), 0);
	ASSERT_EQ(strcmp(bvm_failpoint_name(BVM_FP_OBJ_ALLOC), "obj_alloc"),
	    0);
	ASSERT_EQ(strcmp(bvm_failpoint_name(BVM_FP_PAGER_READ), "pager_read"),
	    0);
	ASSERT_EQ(strcmp(bvm_failpoint_name(BVM_FP_PAGER_WRITE),
	    "pager_write"), 0);
	bvm_failpoint_disarm();
}
