/*
 * bvm_bench.c: bsdvm against the host kernel, operation by operation.
 *
 * Each benchmark runs an operation on a bsdvm vmspace and then the same
 * operation with the host (Linux) kernel's own system calls and page
 * faults, in the same process run, and reports the median over several
 * repetitions of the time per operation.  A first, untimed repetition warms
 * up caches, allocators and the frames' host memory.
 *
 * In each repetition the bsdvm and the host measurement run back to back,
 * so that both see the same machine: on a shared machine memory bandwidth
 * changes from one second to the next.  The exceptions are the groups whose
 * host half forks (cow, fork): a host fork write-protects all of this
 * process's private memory, bsdvm's metadata included, so those groups
 * destroy their system (and return freed heap memory to the host) before
 * the host half runs.
 *
 * See docs/benchmarks.md for what each row measures and for results.
 */
#define _GNU_SOURCE

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bsdvm.h"

#define PAGE		((uint64_t)BVM_PAGE_SIZE)
#define RW		(BVM_PROT_READ | BVM_PROT_WRITE)
#define MAXREPS		101
#define MAXROWS		48

/* Where the entry-count benchmark builds its mappings in a vmspace. */
#define ENTRIES_BASE	0x100000000ULL

struct config {
	int quick;		/* -q: small sizes, for a smoke test */
	int markdown;		/* --markdown */
	int verbose;		/* -v: bsdvm counters per group */
	int reps;		/* -r: timed repetitions (median) */
	uint64_t fork_mb;	/* -s: touched size for the fork benchmark */
	uint64_t file_mb;	/* -f: size of the file of the file group */
	uint64_t swap_mb;	/* -w: memory paged out and in by the swap group */
	const char *svg;	/* --svg: the thrash group's plot goes here */
	const char *only;	/* --only: one group */

	/* sizes derived from quick */
	uint64_t mmap_iters;	/* mmap+munmap pairs per repetition */
	uint64_t fault_mb;	/* first-touch and COW mapping size */
	uint64_t fork_iters;	/* bsdvm forks per repetition */
	uint64_t redirty_iters;	/* forks per repetition, pages re-written */
	uint64_t hfork_iters;	/* host forks per repetition */
	uint64_t read_iters;	/* translated reads per repetition */
	uint64_t ent_bvm;	/* entries in the big bsdvm map */
	uint64_t ent_host;	/* entries in the big host map */
	uint64_t ent_touch;	/* pages touched in the entries benchmark */
};

/*
 * One row of the table.  Values are nanoseconds per operation, or, for a
 * ratio row, plain ratios, or, for a throughput row, MB/s (10^6 bytes per
 * second).  A negative value means "not measured".
 */
#define UNIT_NS		0	/* nanoseconds per operation */
#define UNIT_RATIO	1	/* plain ratios */
#define UNIT_MBPS	2	/* MB/s: higher is better */

struct row {
	const char *group;
	char label[80];
	double bvm;
	double host;
	double target;		/* bsdvm value must be <= target; 0: none */
	int ratio;		/* UNIT_*: what the values are */
};

static struct row rows[MAXROWS];
static int nrows;

static void die(const char *, ...)
    __attribute__((__noreturn__, __format__(__printf__, 1, 2)));
static void die_bvm(const char *, int, int, const struct bvm_fault_info *)
    __attribute__((__noreturn__));

/*
 * CHK: call a bsdvm function that returns 0 or an errno value; any error
 * ends the program with the call's text and the error's name.
 */
#define CHK(expr) do {							\
	int chk_error_ = (expr);					\
	if (__builtin_expect(chk_error_ != 0, 0))			\
		die_bvm(#expr, __LINE__, chk_error_, NULL);		\
} while (0)

/* die: print a message and exit. */
static void
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bvm_bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* die_bvm: a bsdvm call failed: say which, how, and where. */
static void
die_bvm(const char *what, int line, int error, const struct bvm_fault_info *fi)
{
	if (fi != NULL)
		die("line %d: %s failed: %s (%d) at %#llx, signal %d code %d",
		    line, what, bvm_errname(error), error,
		    (unsigned long long)fi->addr, fi->signo, fi->code);
	die("line %d: %s failed: %s (%d)", line, what, bvm_errname(error),
	    error);
}

/* now_ns: CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* cmp_double: qsort order for doubles. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* median: the median of v[0..n) (sorts v). */
static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	if (n % 2 == 1)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* add_row: append a row to the table. */
static void
add_row(const char *group, const char *label, double bvm, double host,
    double target, int ratio)
{
	struct row *r;

	if (nrows == MAXROWS)
		die("too many rows");
	r = &rows[nrows++];
	r->group = group;
	snprintf(r->label, sizeof(r->label), "%s", label);
	r->bvm = bvm;
	r->host = host;
	r->target = target;
	r->ratio = ratio;
}

/* xorshift64*: a small deterministic random generator. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* ------------------------------------------------------------------ */
/* bsdvm helpers */

/* sys_create_flags: a system of npages frames with the given flags. */
static struct bvm_system *
sys_create_flags(uint64_t npages, unsigned flags)
{
	struct bvm_params p;
	struct bvm_system *sys;

	bvm_params_init(&p);
	p.npages = npages;
	p.flags = flags;
	CHK(bvm_system_create(&p, &sys));
	return sys;
}

/* sys_create: a system of npages frames, with default parameters. */
static struct bvm_system *
sys_create(uint64_t npages)
{
	return sys_create_flags(npages, 0);
}

/* print_stats: the counters that explain the timings (-v). */
static void
print_stats(struct bvm_system *sys, const char *group)
{
	struct bvm_stats st;

	CHK(bvm_stats(sys, &st));
	fprintf(stderr, "  [%s] faults %llu zfill %llu anon %llu acow %llu "
	    "amcopy %llu around %llu zerohit %llu zeromiss %llu\n"
	    "  [%s] pmap_enter %llu pmap_remove %llu pmap_protect %llu "
	    "tlb_miss %llu tlb_flush %llu forks %llu\n", group,
	    (unsigned long long)st.faults, (unsigned long long)st.flt_zfill,
	    (unsigned long long)st.flt_anon, (unsigned long long)st.flt_acow,
	    (unsigned long long)st.flt_amcopy,
	    (unsigned long long)st.flt_around,
	    (unsigned long long)st.pga_zerohit,
	    (unsigned long long)st.pga_zeromiss, group,
	    (unsigned long long)st.pmap_enter,
	    (unsigned long long)st.pmap_remove,
	    (unsigned long long)st.pmap_protect,
	    (unsigned long long)st.tlb_miss, (unsigned long long)st.tlb_flush,
	    (unsigned long long)st.forks);
	if (st.pgpgin != 0 || st.flt_obj != 0 || st.pgpgout != 0)
		fprintf(stderr, "  [%s] flt_obj %llu prcopy %llu pgpgin %llu "
		    "pageins %llu pgpgout %llu pageouts %llu "
		    "pager_errors %llu\n", group,
		    (unsigned long long)st.flt_obj,
		    (unsigned long long)st.flt_prcopy,
		    (unsigned long long)st.pgpgin,
		    (unsigned long long)st.pageins,
		    (unsigned long long)st.pgpgout,
		    (unsigned long long)st.pageouts,
		    (unsigned long long)st.pager_errors);
}

/*
 * sys_finish: check the system's invariants, check that every frame came
 * back, destroy it, and give freed heap memory back to the host.
 */
static void
sys_finish(const struct config *cf, struct bvm_system *sys, const char *group)
{
	struct bvm_stats st;
	char msg[512];
	int error;

	if (cf->verbose)
		print_stats(sys, group);
	error = bvm_system_check(sys, msg, sizeof(msg));
	if (error != 0)
		die("%s: bvm_system_check: %s: %s", group, bvm_errname(error),
		    msg);
	CHK(bvm_stats(sys, &st));
	if (st.vmspaces != 0 || st.free != st.npages)
		fprintf(stderr, "bvm_bench: %s: warning: %llu vmspaces live, "
		    "%llu of %llu frames free after cleanup\n", group,
		    (unsigned long long)st.vmspaces,
		    (unsigned long long)st.free,
		    (unsigned long long)st.npages);
	bvm_system_destroy(sys);
	malloc_trim(0);
}

/* bvm_map: an anonymous private read/write mapping of len bytes. */
static uint64_t
bvm_map(struct bvm_vmspace *vm, uint64_t len)
{
	uint64_t va;

	CHK(bvm_mmap(vm, 0, len, RW, BVM_MAP_ANON | BVM_MAP_PRIVATE, -1, 0,
	    &va));
	return va;
}

/* bvm_poke: write one byte at va through the address space. */
static inline void
bvm_poke(struct bvm_vmspace *vm, uint64_t va, uint8_t val)
{
	struct bvm_fault_info fi;
	int error;

	error = bvm_write(vm, va, &val, 1, &fi);
	if (__builtin_expect(error != 0, 0))
		die_bvm("bvm_write", __LINE__, error, &fi);
}

/* bvm_peek: read one byte at va through the address space. */
static uint8_t
bvm_peek(struct bvm_vmspace *vm, uint64_t va)
{
	struct bvm_fault_info fi;
	uint8_t val;
	int error;

	error = bvm_read(vm, va, &val, 1, &fi);
	if (error != 0)
		die_bvm("bvm_read", __LINE__, error, &fi);
	return val;
}

/* bvm_touch: write val to the first byte of each of npages pages. */
static void
bvm_touch(struct bvm_vmspace *vm, uint64_t va, uint64_t npages, uint8_t val)
{
	uint64_t i;

	for (i = 0; i < npages; i++)
		bvm_poke(vm, va + i * PAGE, val);
}

/* expect: check a value read back (the work measured was really done). */
static void
expect(const char *what, unsigned got, unsigned want)
{
	if (got != want)
		die("%s: read %u, expected %u (library bug?)", what, got, want);
}

/* ------------------------------------------------------------------ */
/* host helpers */

/* host_map: an anonymous private read/write host mapping, 4 KiB pages. */
static uint8_t *
host_map(size_t len)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("host mmap(%zu): %s", len, strerror(errno));
	/* one real page fault per page: no transparent huge pages */
	(void)madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/* host_unmap: munmap, or die. */
static void
host_unmap(void *p, size_t len)
{
	if (munmap(p, len) == -1)
		die("host munmap: %s", strerror(errno));
}

/* host_touch: write val to the first byte of each page. */
static void
host_touch(uint8_t *p, uint64_t npages, uint8_t val)
{
	volatile uint8_t *v = p;
	uint64_t i;

	for (i = 0; i < npages; i++)
		v[i * PAGE] = val;
}

/* host_reap: wait for a child, which must exit with status 0. */
static void
host_reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("child %d ended badly (status %#x)", (int)pid, status);
}

/* ------------------------------------------------------------------ */
/* 1. mmap + munmap of one anonymous page */

/*
 * bvm_mmap_loop: n times, map one 4 KiB anonymous private RW page where
 * bsdvm chooses, and unmap it.  => ns per pair.
 */
static double
bvm_mmap_loop(struct bvm_vmspace *vm, uint64_t n)
{
	uint64_t i, t0, va;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		CHK(bvm_mmap(vm, 0, PAGE, RW, BVM_MAP_ANON | BVM_MAP_PRIVATE,
		    -1, 0, &va));
		CHK(bvm_munmap(vm, va, PAGE));
	}
	return (double)(now_ns() - t0) / (double)n;
}

/* host_mmap_loop: the same with mmap and munmap.  => ns per pair. */
static double
host_mmap_loop(uint64_t n)
{
	uint64_t i, t0;
	void *p;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("host mmap: %s", strerror(errno));
		host_unmap(p, PAGE);
	}
	return (double)(now_ns() - t0) / (double)n;
}

/* nentries: the number of map entries of vm. */
static uint64_t
nentries(struct bvm_vmspace *vm)
{
	struct bvm_vmspace_info info;

	CHK(bvm_vmspace_info(vm, &info));
	return info.nentries;
}

/* merges: does a new page mapping merge with an existing entry? */
static int
merges(struct bvm_vmspace *vm)
{
	uint64_t before = nentries(vm), after, va;

	va = bvm_map(vm, PAGE);
	after = nentries(vm);
	CHK(bvm_munmap(vm, va, PAGE));
	return after == before;
}

/*
 * bench_mmap: map and unmap one 4 KiB anonymous private RW page, in a
 * vmspace that already holds 8 mappings (as a process does).  Twice: with
 * neighbours that cannot merge with the new page (they have amaps: they
 * were touched), and after an untouched mapping, which the new page joins
 * (bsdvm merges adjacent compatible entries, as Linux merges VMAs), so
 * that munmap has to split the entry again.
 */
static void
bench_mmap(const struct config *cf)
{
	double sb[MAXREPS], sm[MAXREPS], sh[MAXREPS];
	struct bvm_system *sys;
	struct bvm_vmspace *vm;
	uint64_t n = cf->mmap_iters, i, keep[8], last;
	int r, m1, m2;

	sys = sys_create(4096);
	CHK(bvm_vmspace_create(sys, &vm));
	for (i = 0; i < 8; i++) {
		keep[i] = bvm_map(vm, 16 * PAGE);
		bvm_poke(vm, keep[i], 1);
	}
	m1 = merges(vm);
	for (r = -1; r < cf->reps; r++) {
		double v = bvm_mmap_loop(vm, n), h = host_mmap_loop(n);
		if (r >= 0) {
			sb[r] = v;
			sh[r] = h;
		}
	}
	last = bvm_map(vm, 16 * PAGE);
	m2 = merges(vm);
	for (r = -1; r < cf->reps; r++) {
		double v = bvm_mmap_loop(vm, n);
		if (r >= 0)
			sm[r] = v;
	}
	CHK(bvm_munmap(vm, last, 16 * PAGE));
	for (i = 0; i < 8; i++)
		CHK(bvm_munmap(vm, keep[i], 16 * PAGE));
	bvm_vmspace_destroy(vm);
	sys_finish(cf, sys, "mmap");
	add_row("mmap", m1 ? "mmap+munmap 4 KiB anon RW (merges!)" :
	    "mmap+munmap 4 KiB anon RW", median(sb, cf->reps),
	    median(sh, cf->reps), 150, 0);
	add_row("mmap", m2 ? "mmap+munmap 4 KiB, merging with a neighbour" :
	    "mmap+munmap 4 KiB (no merge after all)", median(sm, cf->reps),
	    median(sh, cf->reps), 150, 0);
}

/* ------------------------------------------------------------------ */
/* 2. first-touch (zero-fill) faults */

/*
 * Each fault benchmark runs at two sizes: a large area (64 MiB, twice this
 * machine's L3), where zeroing or copying the frame is a trip to memory,
 * and small areas (1 MiB, mapped and unmapped again and again), where the
 * frames come back warm in the cache and what is left is the VM's own work.
 */
#define SMALL_AREA	(1ULL << 20)

/*
 * bvm_first_touch: map len bytes `times` times; fault every page in, with
 * bvm_write (1 byte) or with bvm_fault alone; unmap.  => ns per page of
 * the faulting loops only.
 */
static double
bvm_first_touch(struct bvm_vmspace *vm, uint64_t len, uint64_t times,
    int direct)
{
	uint64_t npg = len / PAGE, i, k, t0, t = 0, va;

	for (k = 0; k < times; k++) {
		va = bvm_map(vm, len);
		t0 = now_ns();
		if (direct) {
			for (i = 0; i < npg; i++)
				CHK(bvm_fault(vm, va + i * PAGE,
				    BVM_PROT_WRITE, NULL));
		} else
			bvm_touch(vm, va, npg, 1);
		t += now_ns() - t0;
		expect("first touch", bvm_peek(vm, va + len - PAGE),
		    direct ? 0 : 1);
		CHK(bvm_munmap(vm, va, len));
	}
	return (double)t / (double)(npg * times);
}

/* host_first_touch: the same with host mappings and real page faults. */
static double
host_first_touch(uint64_t len, uint64_t times)
{
	uint64_t npg = len / PAGE, k, t0, t = 0;
	uint8_t *p;

	for (k = 0; k < times; k++) {
		p = host_map(len);
		t0 = now_ns();
		host_touch(p, npg, 1);
		t += now_ns() - t0;
		host_unmap(p, len);
	}
	return (double)t / (double)(npg * times);
}

/*
 * bench_fault: write one byte to each page of a fresh mapping; each write
 * is a zero-fill fault.  bsdvm: through bvm_write (TLB miss, fault, refill,
 * copy), and through bvm_fault alone.
 */
/* zero_settle: wait (at most 2 s) until sys's free frames are all zeroed */
static void
zero_settle(struct bvm_system *sys)
{
	struct timespec ts = { 0, 200 * 1000 };
	struct bvm_stats st;
	int i;

	for (i = 0; i < 10000; i++) {
		CHK(bvm_stats(sys, &st));
		if (st.zeropages >= st.free)
			return;
		nanosleep(&ts, NULL);
	}
}

static void
bench_fault(const struct config *cf)
{
	double sw[MAXREPS], sf[MAXREPS], ss[MAXREPS], sz[MAXREPS];
	double hw[MAXREPS], hs[MAXREPS];
	struct bvm_system *sys, *zsys;
	struct bvm_vmspace *vm, *zvm;
	uint64_t len = cf->fault_mb << 20, ns = len / SMALL_AREA;
	int r;

	sys = sys_create(len / PAGE + 4096);
	CHK(bvm_vmspace_create(sys, &vm));
	/* the same, with the page-zeroing thread (BVM_SYS_PAGEZERO) */
	zsys = sys_create_flags(len / PAGE + 4096, BVM_SYS_PAGEZERO);
	CHK(bvm_vmspace_create(zsys, &zvm));
	for (r = -1; r < cf->reps; r++) {
		double a = bvm_first_touch(vm, len, 1, 0);
		double b = bvm_first_touch(vm, len, 1, 1);
		double c = bvm_first_touch(vm, SMALL_AREA, ns, 0);
		double z = bvm_first_touch(zvm, len, 1, 0);
		double ha;

		/*
		 * The zeroing thread zeroes what that run freed: let it
		 * finish now, or it competes with the next repetition's
		 * rows for the CPU and the memory bus.
		 */
		zero_settle(zsys);
		ha = host_first_touch(len, 1);
		double hc = host_first_touch(SMALL_AREA, ns);
		if (r >= 0) {
			sw[r] = a;
			sf[r] = b;
			ss[r] = c;
			sz[r] = z;
			hw[r] = ha;
			hs[r] = hc;
		}
	}
	bvm_vmspace_destroy(vm);
	sys_finish(cf, sys, "fault");
	bvm_vmspace_destroy(zvm);
	sys_finish(cf, zsys, "fault (zeroing thread)");
	add_row("fault", "first-touch fault (bvm_write 1 B/page)",
	    median(sw, cf->reps), median(hw, cf->reps), 250, 0);
	add_row("fault", "first-touch fault (bvm_fault only)",
	    median(sf, cf->reps), median(hw, cf->reps), 250, 0);
	add_row("fault", "first-touch fault, 1 MiB areas (warm frames)",
	    median(ss, cf->reps), median(hs, cf->reps), 250, 0);
	add_row("fault", "first-touch fault, page-zeroing thread on",
	    median(sz, cf->reps), median(hw, cf->reps), 250, 0);
}

/* ------------------------------------------------------------------ */
/* 3. copy-on-write faults after fork */

/*
 * bvm_cow: `times` times: map len bytes, write every page, fork, write
 * every page again in the parent (one copy-on-write fault each), destroy
 * the child, unmap.  => ns per page of the parent's second writes.
 */
static double
bvm_cow(struct bvm_vmspace *vm, uint64_t len, uint64_t times)
{
	struct bvm_vmspace *child;
	uint64_t npg = len / PAGE, k, t0, t = 0, va;

	for (k = 0; k < times; k++) {
		va = bvm_map(vm, len);
		bvm_touch(vm, va, npg, 1);
		CHK(bvm_fork(vm, &child));
		t0 = now_ns();
		bvm_touch(vm, va, npg, 2);
		t += now_ns() - t0;
		expect("cow parent", bvm_peek(vm, va + len - PAGE), 2);
		expect("cow child", bvm_peek(child, va + len - PAGE), 1);
		bvm_vmspace_destroy(child);
		CHK(bvm_munmap(vm, va, len));
	}
	return (double)t / (double)(npg * times);
}

/*
 * host_cow: the same with fork(): the child blocks on a pipe, so it still
 * shares every page while the parent writes them, then exits.
 */
static double
host_cow(uint64_t len, uint64_t times)
{
	uint64_t npg = len / PAGE, k, t0, t = 0;
	uint8_t *p;
	int fds[2];
	pid_t pid;
	char c;

	for (k = 0; k < times; k++) {
		p = host_map(len);
		host_touch(p, npg, 1);
		if (pipe(fds) == -1)
			die("pipe: %s", strerror(errno));
		fflush(NULL);
		if ((pid = fork()) == -1)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			close(fds[1]);
			while (read(fds[0], &c, 1) == -1 && errno == EINTR)
				;
			_exit(p[len - PAGE] == 1 ? 0 : 1);
		}
		close(fds[0]);
		t0 = now_ns();
		host_touch(p, npg, 2);
		t += now_ns() - t0;
		close(fds[1]);
		host_reap(pid);
		host_unmap(p, len);
	}
	return (double)t / (double)(npg * times);
}

/*
 * bench_cow: touch every page, fork, then write one byte per page in the
 * parent while the child still holds the pages: one copy-on-write fault
 * (page copy) per page.
 */
static void
bench_cow(const struct config *cf)
{
	double sb[MAXREPS], ss[MAXREPS], hb[MAXREPS], hs[MAXREPS];
	struct bvm_system *sys;
	struct bvm_vmspace *vm;
	uint64_t len = cf->fault_mb << 20, ns = len / SMALL_AREA / 4;
	int r;

	sys = sys_create(2 * (len / PAGE) + 4096);
	CHK(bvm_vmspace_create(sys, &vm));
	for (r = -1; r < cf->reps; r++) {
		double a = bvm_cow(vm, len, 1);
		double c = bvm_cow(vm, SMALL_AREA, ns);
		if (r >= 0) {
			sb[r] = a;
			ss[r] = c;
		}
	}
	bvm_vmspace_destroy(vm);
	sys_finish(cf, sys, "cow");

	/*
	 * Not interleaved with the bsdvm runs: a host fork write-protects
	 * all of this process's private memory, bsdvm's page tables and
	 * vm_pages included, and the next bsdvm run would take a host
	 * write fault on the first write to each of those pages.
	 */
	for (r = -1; r < cf->reps; r++) {
		double a = host_cow(len, 1);
		double c = host_cow(SMALL_AREA, ns);
		if (r >= 0) {
			hb[r] = a;
			hs[r] = c;
		}
	}
	add_row("cow", "COW fault after fork (per page)", median(sb, cf->reps),
	    median(hb, cf->reps), 500, 0);
	add_row("cow", "COW fault, 1 MiB areas (warm frames)",
	    median(ss, cf->reps), median(hs, cf->reps), 500, 0);
}

/* ------------------------------------------------------------------ */
/* 4. fork of a big address space */

/* host_fork_once: fork a child that exits at once; return the fork time. */
static uint64_t
host_fork_once(void)
{
	uint64_t t0, t;
	pid_t pid;

	fflush(NULL);
	t0 = now_ns();
	pid = fork();
	if (pid == 0)
		_exit(0);
	t = now_ns() - t0;
	if (pid == -1)
		die("fork: %s", strerror(errno));
	host_reap(pid);
	return t;
}

/*
 * bench_fork: fork an address space with fork_mb MiB written.  Two cases:
 * repeated fork + child destroy (the parent's pages stay copy-on-write
 * between forks), and fork after the parent wrote every page again (so
 * every fork must write-protect the parent's mappings anew).
 */
static void
bench_fork(const struct config *cf)
{
	double sf[MAXREPS], sd[MAXREPS], sr[MAXREPS];
	double hf[MAXREPS], hr[MAXREPS];
	struct bvm_system *sys;
	struct bvm_vmspace *vm, *child;
	uint64_t len = cf->fork_mb << 20, npg = len / PAGE, i, t0, t1, va;
	uint64_t ft, dt;
	uint8_t *p;
	char label[80];
	int r;

	sys = sys_create(npg + 32768);
	CHK(bvm_vmspace_create(sys, &vm));
	va = bvm_map(vm, len);
	bvm_touch(vm, va, npg, 1);
	for (r = -1; r < cf->reps; r++) {
		ft = dt = 0;
		for (i = 0; i < cf->fork_iters; i++) {
			t0 = now_ns();
			CHK(bvm_fork(vm, &child));
			t1 = now_ns();
			bvm_vmspace_destroy(child);
			ft += t1 - t0;
			dt += now_ns() - t1;
		}
		if (r >= 0) {
			sf[r] = (double)ft / (double)cf->fork_iters;
			sd[r] = (double)dt / (double)cf->fork_iters;
		}
	}
	for (r = -1; r < cf->reps; r++) {
		ft = 0;
		for (i = 0; i < cf->redirty_iters; i++) {
			bvm_touch(vm, va, npg, (uint8_t)(i + 2));
			t0 = now_ns();
			CHK(bvm_fork(vm, &child));
			ft += now_ns() - t0;
			expect("fork child", bvm_peek(child, va + len - PAGE),
			    (uint8_t)(i + 2));
			bvm_vmspace_destroy(child);
		}
		if (r >= 0)
			sr[r] = (double)ft / (double)cf->redirty_iters;
	}
	CHK(bvm_munmap(vm, va, len));
	bvm_vmspace_destroy(vm);
	sys_finish(cf, sys, "fork");

	p = host_map(len);
	host_touch(p, npg, 1);
	for (r = -1; r < cf->reps; r++) {
		ft = 0;
		for (i = 0; i < cf->hfork_iters; i++)
			ft += host_fork_once();
		if (r >= 0)
			hf[r] = (double)ft / (double)cf->hfork_iters;
	}
	for (r = -1; r < cf->reps; r++) {
		ft = 0;
		for (i = 0; i < cf->hfork_iters; i++) {
			host_touch(p, npg, (uint8_t)(i + 2));
			ft += host_fork_once();
		}
		if (r >= 0)
			hr[r] = (double)ft / (double)cf->hfork_iters;
	}
	host_unmap(p, len);

	snprintf(label, sizeof(label), "fork, %llu MiB touched",
	    (unsigned long long)cf->fork_mb);
	add_row("fork", label, median(sf, cf->reps), median(hf, cf->reps),
	    20000, 0);
	snprintf(label, sizeof(label), "fork, %llu MiB re-written before each",
	    (unsigned long long)cf->fork_mb);
	add_row("fork", label, median(sr, cf->reps), median(hr, cf->reps),
	    20000, 0);
	add_row("fork", "destroy the forked child (bsdvm only)",
	    median(sd, cf->reps), -1, 0, 0);
}

/* ------------------------------------------------------------------ */
/* 5. translated reads that hit the soft TLB */

/*
 * bench_read: bvm_read of 8 bytes from four mapped pages in turn, all in
 * the soft TLB; the host does a plain volatile 8-byte load.
 */
static void
bench_read(const struct config *cf)
{
	double sb[MAXREPS], sh[MAXREPS];
	struct bvm_system *sys;
	struct bvm_vmspace *vm;
	uint64_t n = cf->read_iters, i, t0, va, v, sum = 0, hsum = 0;
	volatile uint64_t *hp;
	uint8_t *p;
	int r, error;

	sys = sys_create(1024);
	CHK(bvm_vmspace_create(sys, &vm));
	va = bvm_map(vm, 4 * PAGE);
	bvm_touch(vm, va, 4, 1);
	p = host_map(4 * PAGE);
	host_touch(p, 4, 1);
	hp = (volatile uint64_t *)(void *)p;
	for (r = -1; r < cf->reps; r++) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			error = bvm_read(vm, va + ((i & 3) << BVM_PAGE_SHIFT),
			    &v, sizeof(v), NULL);
			if (__builtin_expect(error != 0, 0))
				die_bvm("bvm_read", __LINE__, error, NULL);
			sum += v;
		}
		if (r >= 0)
			sb[r] = (double)(now_ns() - t0) / (double)n;
		t0 = now_ns();
		for (i = 0; i < n; i++)
			hsum += hp[(i & 3) << (BVM_PAGE_SHIFT - 3)];
		if (r >= 0)
			sh[r] = (double)(now_ns() - t0) / (double)n;
	}
	/* every page holds 1 in its first byte: each read returns 1 */
	if (sum != (uint64_t)(cf->reps + 1) * n || hsum != sum)
		die("read: sums %llu and %llu, expected %llu (library bug?)",
		    (unsigned long long)sum, (unsigned long long)hsum,
		    (unsigned long long)(cf->reps + 1) * n);
	host_unmap(p, 4 * PAGE);
	CHK(bvm_munmap(vm, va, 4 * PAGE));
	bvm_vmspace_destroy(vm);
	sys_finish(cf, sys, "read");
	add_row("read", "8-byte read, soft TLB hit", median(sb, cf->reps),
	    median(sh, cf->reps), 3, 0);
}

/* ------------------------------------------------------------------ */
/* 6. fault cost against the number of map entries */

/*
 * The layout: nslots one-page slots at every other page of a span of
 * 2 * nslots pages, covered by nent entries.  Entry j starts at page
 * j * stride (stride = 2 * nslots / nent, even) and is stride - 1 pages
 * long, so a one-page hole separates neighbours and nothing merges.  With
 * nent == nslots every entry is one page.  Slot k is page 2k; it is never
 * a hole page (holes are odd).  The same slots are touched in both
 * layouts.
 */

/* pick: ntouch distinct slots of nslots, in random order. */
static uint32_t *
pick(uint64_t nslots, uint64_t ntouch, uint64_t seed)
{
	uint32_t *v, t;
	uint64_t i, j;

	if ((v = malloc(nslots * sizeof(*v))) == NULL)
		die("out of memory");
	for (i = 0; i < nslots; i++)
		v[i] = (uint32_t)i;
	for (i = 0; i < ntouch; i++) {
		j = i + rnd(&seed) % (nslots - i);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
	return v;
}

/* bvm_entries_once: build the layout in a fresh vmspace, time the faults. */
static double
bvm_entries_once(struct bvm_system *sys, uint64_t nslots, uint64_t nent,
    const uint32_t *slots, uint64_t ntouch)
{
	struct bvm_vmspace *vm;
	struct bvm_vmspace_info info;
	uint64_t stride = 2 * nslots / nent, j, out, t0, t;

	CHK(bvm_vmspace_create(sys, &vm));
	for (j = 0; j < nent; j++)
		CHK(bvm_mmap(vm, ENTRIES_BASE + j * stride * PAGE,
		    (stride - 1) * PAGE, RW,
		    BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_FIXED, -1, 0,
		    &out));
	CHK(bvm_vmspace_info(vm, &info));
	if (info.nentries != nent)
		die("entries: %llu map entries, expected %llu",
		    (unsigned long long)info.nentries,
		    (unsigned long long)nent);
	t0 = now_ns();
	for (j = 0; j < ntouch; j++)
		bvm_poke(vm, ENTRIES_BASE + 2 * slots[j] * PAGE, 1);
	t = now_ns() - t0;
	expect("entries", bvm_peek(vm, ENTRIES_BASE + 2 * slots[0] * PAGE), 1);
	bvm_vmspace_destroy(vm);
	return (double)t / (double)ntouch;
}

/* host_entries_once: the same layout with real mappings. */
static double
host_entries_once(uint64_t nslots, uint64_t nent, const uint32_t *slots,
    uint64_t ntouch)
{
	uint64_t stride = 2 * nslots / nent, span = 2 * nslots * PAGE, j;
	uint64_t t0, t;
	volatile uint8_t *vb;
	uint8_t *base, *want;
	void *m;

	/* find room, then map each entry at its place */
	base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		die("host mmap(%llu): %s", (unsigned long long)span,
		    strerror(errno));
	host_unmap(base, span);
	for (j = 0; j < nent; j++) {
		want = base + j * stride * PAGE;
		m = mmap(want, (stride - 1) * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (m != want)
			die("host mmap of entry %llu of %llu: %s",
			    (unsigned long long)j, (unsigned long long)nent,
			    m == MAP_FAILED ? strerror(errno) : "moved");
		if (stride > 2)
			(void)madvise(m, (stride - 1) * PAGE,
			    MADV_NOHUGEPAGE);
	}
	vb = base;
	t0 = now_ns();
	for (j = 0; j < ntouch; j++)
		vb[2 * slots[j] * PAGE] = 1;
	t = now_ns() - t0;
	host_unmap(base, span);
	return (double)t / (double)ntouch;
}

/*
 * bench_entries: first-touch faults on pages spread over a map of 100,000
 * entries against a map of 10 entries, in random order (no lookup hint
 * helps).  The host is limited by vm.max_map_count (65530 by default), so
 * its big map has 60,000 entries.
 */
static void
bench_entries(const struct config *cf)
{
	double b10[MAXREPS], bbig[MAXREPS], h10[MAXREPS], hbig[MAXREPS];
	double bq[MAXREPS], hq[MAXREPS];
	struct bvm_system *sys;
	uint64_t nb = cf->ent_bvm, nh = cf->ent_host, nt = cf->ent_touch;
	uint32_t *sb, *sh;
	char label[80];
	int r;

	sb = pick(nb, nt, 0x9e3779b97f4a7c15ULL);
	sh = pick(nh, nt, 0x9e3779b97f4a7c15ULL);
	sys = sys_create(nt + 8192);
	for (r = -1; r < cf->reps; r++) {
		double a = bvm_entries_once(sys, nb, 10, sb, nt);
		double b = bvm_entries_once(sys, nb, nb, sb, nt);
		double ha = host_entries_once(nh, 10, sh, nt);
		double hb = host_entries_once(nh, nh, sh, nt);
		if (r >= 0) {
			b10[r] = a;
			bbig[r] = b;
			bq[r] = b / a;
			h10[r] = ha;
			hbig[r] = hb;
			hq[r] = hb / ha;
		}
	}
	sys_finish(cf, sys, "entries");
	free(sb);
	free(sh);

	/* the ratio is the median of each repetition's own ratio */
	add_row("entries", "first-touch fault, 10 entries",
	    median(b10, cf->reps), median(h10, cf->reps), 0, 0);
	snprintf(label, sizeof(label), "first-touch fault, %lluk entries "
	    "(host %lluk)", (unsigned long long)nb / 1000,
	    (unsigned long long)nh / 1000);
	add_row("entries", label, median(bbig, cf->reps),
	    median(hbig, cf->reps), 0, 0);
	snprintf(label, sizeof(label), "ratio %lluk / 10 entries",
	    (unsigned long long)nb / 1000);
	add_row("entries", label, median(bq, cf->reps), median(hq, cf->reps),
	    2.0, 1);
}

/* ------------------------------------------------------------------ */
/* 7. the memory floor: what zeroing and copying a page cost here */

/*
 * bench_floor: zero, then copy, each 4 KiB page of a region as large as the
 * fault and COW benchmarks use (so mostly out of cache), with the C
 * library's memset and memcpy.  No VM work at all: this is the part of a
 * zero-fill or copy-on-write fault that neither bsdvm nor the host can
 * avoid on this machine.
 */
static void
bench_floor(const struct config *cf)
{
	void *(*volatile set)(void *, int, size_t) = memset;
	void *(*volatile cpy)(void *, const void *, size_t) = memcpy;
	double sz[MAXREPS], sc[MAXREPS];
	uint64_t len = cf->fault_mb << 20, npg = len / PAGE, i, t0;
	uint8_t *a, *b;
	int r;

	a = host_map(len);
	b = host_map(len);
	host_touch(a, npg, 1);
	host_touch(b, npg, 1);
	for (r = -1; r < cf->reps; r++) {
		t0 = now_ns();
		for (i = 0; i < npg; i++)
			set(b + i * PAGE, 0, PAGE);
		if (r >= 0)
			sz[r] = (double)(now_ns() - t0) / (double)npg;
		t0 = now_ns();
		for (i = 0; i < npg; i++)
			cpy(b + i * PAGE, a + i * PAGE, PAGE);
		if (r >= 0)
			sc[r] = (double)(now_ns() - t0) / (double)npg;
	}
	expect("floor copy", b[len - PAGE], 1);
	host_unmap(a, len);
	host_unmap(b, len);
	add_row("floor", "reference: memset of a cold 4 KiB page", -1,
	    median(sz, cf->reps), 0, 0);
	add_row("floor", "reference: memcpy of a cold 4 KiB page", -1,
	    median(sc, cf->reps), 0, 0);
}

/* ------------------------------------------------------------------ */
/* 8. file mappings and the page cache */

/*
 * The file group maps a real host file of file_mb MiB, created in a
 * mkdtemp() directory under /tmp, filled with non-zero data, written back
 * to the disk once (so that no writeback runs during the timings) and
 * removed at exit (atexit, and on SIGINT/SIGTERM/SIGHUP).  Both sides use
 * the same file, opened read-only: nothing here ever writes it.
 *
 * "cold" is the first pass over a fresh mapping whose object has no
 * resident page: bsdvm's vnode pager reads each page from the host file,
 * with pread(2), while the host kernel's page cache already holds the
 * whole file (checked with mincore; the file was just written).  So the
 * host's cold pass is a minor fault per fault-around block (Linux maps up
 * to 16 page-cache pages per read fault), and bsdvm's is a fault, a pager
 * read (clustered) that copies from the host's page cache into a frame, and
 * fault-around.  "warm" is a second pass over the same mapping: every page
 * resident and mapped on both sides (bsdvm: a soft TLB miss and page-table
 * walk per page, as the 65,536 pages do not fit the soft TLB; host: a
 * hardware TLB miss per page).
 */
static char file_dir[64], file_path[96];

/* file_cleanup: remove the benchmark's file and its directory. */
static void
file_cleanup(void)
{
	if (file_path[0] != '\0')
		(void)unlink(file_path);
	if (file_dir[0] != '\0')
		(void)rmdir(file_dir);
	file_path[0] = file_dir[0] = '\0';
}

/* file_signal: remove the file, then die of the signal. */
static void
file_signal(int sig)
{
	file_cleanup();		/* unlink and rmdir are async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* file_word: the 8-byte word at byte offset off (a multiple of 8). */
static inline uint64_t
file_word(uint64_t off)
{
	return ((off / 8 + 1) * 0x9e3779b97f4a7c15ULL) | 1;
}

/*
 * file_create: create the file of len bytes (a multiple of 1 MiB), fill
 * it, write it back, and return it open read-only.
 */
static int
file_create(uint64_t len)
{
	static int registered;
	uint64_t *chunk, off, i;
	const size_t csz = 1 << 20;
	int fd;

	if (!registered) {
		atexit(file_cleanup);
		signal(SIGINT, file_signal);
		signal(SIGTERM, file_signal);
		signal(SIGHUP, file_signal);
		registered = 1;
	}
	snprintf(file_dir, sizeof(file_dir), "/tmp/bvm_bench.XXXXXX");
	if (mkdtemp(file_dir) == NULL) {
		file_dir[0] = '\0';
		die("mkdtemp: %s", strerror(errno));
	}
	snprintf(file_path, sizeof(file_path), "%s/file", file_dir);
	fd = open(file_path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd == -1)
		die("open %s: %s", file_path, strerror(errno));
	if ((chunk = malloc(csz)) == NULL)
		die("out of memory");
	for (off = 0; off < len; off += csz) {
		for (i = 0; i < csz / 8; i++)
			chunk[i] = file_word(off + i * 8);
		if (pwrite(fd, chunk, csz, (off_t)off) != (ssize_t)csz)
			die("write %s: %s", file_path, strerror(errno));
	}
	free(chunk);
	if (fdatasync(fd) == -1)
		die("fdatasync %s: %s", file_path, strerror(errno));
	close(fd);
	fd = open(file_path, O_RDONLY);
	if (fd == -1)
		die("open %s: %s", file_path, strerror(errno));
	return fd;
}

/* host_cached: how many of the file's pages the host page cache holds. */
static uint64_t
host_cached(int fd, uint64_t len)
{
	uint64_t npg = len / PAGE, i, n = 0;
	unsigned char *vec;
	void *p;

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("host mmap of the file: %s", strerror(errno));
	if ((vec = malloc(npg)) == NULL)
		die("out of memory");
	if (mincore(p, len, vec) == -1)
		die("mincore: %s", strerror(errno));
	for (i = 0; i < npg; i++)
		n += vec[i] & 1;
	free(vec);
	host_unmap(p, len);
	return n;
}

/* obj_pages: frames owned by objects now (0: no file page cached). */
static uint64_t
obj_pages(struct bvm_system *sys)
{
	struct bvm_stats st;

	CHK(bvm_stats(sys, &st));
	return st.obj_pages;
}

/* pgpgin: pages read in by bsdvm's pagers so far. */
static uint64_t
pgpgin(struct bvm_system *sys)
{
	struct bvm_stats st;

	CHK(bvm_stats(sys, &st));
	return st.pgpgin;
}

static uint64_t file_buf[BVM_PAGE_SIZE / 8] __attribute__((aligned(64)));

/*
 * bvm_file_pass: read each of npg pages at va through the address space:
 * 8 bytes at its start, or (whole) all 4 KiB into a buffer.  Adds to *sum
 * the first word of each page, or the last.  => ns per page.
 */
static double
bvm_file_pass(struct bvm_vmspace *vm, uint64_t va, uint64_t npg, int whole,
    uint64_t *sum)
{
	struct bvm_fault_info fi;
	uint64_t i, t0, s = 0, v;
	int error;

	t0 = now_ns();
	if (whole) {
		for (i = 0; i < npg; i++) {
			error = bvm_read(vm, va + i * PAGE, file_buf, PAGE,
			    &fi);
			if (__builtin_expect(error != 0, 0))
				die_bvm("bvm_read", __LINE__, error, &fi);
			s += file_buf[PAGE / 8 - 1];
		}
	} else {
		for (i = 0; i < npg; i++) {
			error = bvm_read(vm, va + i * PAGE, &v, sizeof(v),
			    &fi);
			if (__builtin_expect(error != 0, 0))
				die_bvm("bvm_read", __LINE__, error, &fi);
			s += v;
		}
	}
	*sum += s;
	return (double)(now_ns() - t0) / (double)npg;
}

/* host_file_pass: the same with loads from (or memcpy of) host pages. */
static double
host_file_pass(const uint8_t *p, uint64_t npg, int whole, uint64_t *sum)
{
	void *(*volatile cpy)(void *, const void *, size_t) = memcpy;
	uint64_t i, t0, s = 0;

	t0 = now_ns();
	if (whole) {
		for (i = 0; i < npg; i++) {
			cpy(file_buf, p + i * PAGE, PAGE);
			s += file_buf[PAGE / 8 - 1];
		}
	} else {
		for (i = 0; i < npg; i++)
			s += *(volatile const uint64_t *)(const void *)
			    (p + i * PAGE);
	}
	*sum += s;
	return (double)(now_ns() - t0) / (double)npg;
}

/* host_map_file: the host's own mapping of the file. */
static uint8_t *
host_map_file(int fd, uint64_t len, int prot, int flags)
{
	void *p;

	p = mmap(NULL, len, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		die("host mmap of the file: %s", strerror(errno));
	(void)madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/* minflt: the host's minor page faults of this process so far. */
static long
minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * file_map_reads: (a) map the whole file MAP_SHARED read-only and read
 * every page, cold then warm, 8 bytes or 4 KiB per page, on both sides.
 */
static void
file_map_reads(const struct config *cf, struct bvm_system *sys,
    struct bvm_vmspace *vm, int fd, uint64_t len)
{
	double bc[2][MAXREPS], bw[2][MAXREPS], hc[2][MAXREPS], hw[2][MAXREPS];
	uint64_t npg = len / PAGE, va, i, want[2] = { 0, 0 };
	uint64_t bsum[2] = { 0, 0 }, hsum[2] = { 0, 0 }, in0, in1;
	long f0, hfaults = 0;
	char label[80];
	uint8_t *p;
	int r, w, warned = 0;

	for (i = 0; i < npg; i++) {
		want[0] += file_word(i * PAGE);
		want[1] += file_word(i * PAGE + PAGE - 8);
	}
	for (r = -1; r < cf->reps; r++) {
		for (w = 0; w < 2; w++) {
			double a, b, c, d;

			if (obj_pages(sys) != 0 && !warned++)
				fprintf(stderr, "bvm_bench: warning: %llu "
				    "object pages still cached before a cold "
				    "pass\n",
				    (unsigned long long)obj_pages(sys));
			in0 = pgpgin(sys);
			CHK(bvm_mmap(vm, 0, len, BVM_PROT_READ,
			    BVM_MAP_SHARED, fd, 0, &va));
			a = bvm_file_pass(vm, va, npg, w, &bsum[w]);
			in1 = pgpgin(sys);
			b = bvm_file_pass(vm, va, npg, w, &bsum[w]);
			if (pgpgin(sys) != in1 || in1 - in0 != npg)
				die("file: %llu pages read in by the cold "
				    "pass, %llu by the warm one; expected "
				    "%llu and 0",
				    (unsigned long long)(in1 - in0),
				    (unsigned long long)(pgpgin(sys) - in1),
				    (unsigned long long)npg);
			CHK(bvm_munmap(vm, va, len));

			p = host_map_file(fd, len, PROT_READ, MAP_SHARED);
			f0 = minflt();
			c = host_file_pass(p, npg, w, &hsum[w]);
			hfaults += minflt() - f0;
			d = host_file_pass(p, npg, w, &hsum[w]);
			host_unmap(p, len);
			if (r >= 0) {
				bc[w][r] = a;
				bw[w][r] = b;
				hc[w][r] = c;
				hw[w][r] = d;
			}
		}
	}
	for (w = 0; w < 2; w++)
		if (bsum[w] != 2 * (uint64_t)(cf->reps + 1) * want[w] ||
		    hsum[w] != bsum[w])
			die("file: read sums %#llx and %#llx, expected %#llx "
			    "(library bug?)", (unsigned long long)bsum[w],
			    (unsigned long long)hsum[w],
			    (unsigned long long)(2 * (uint64_t)(cf->reps + 1) *
			    want[w]));
	if (cf->verbose)
		fprintf(stderr, "  [file] host: %ld minor faults for %llu pages "
		    "in the cold passes\n", hfaults,
		    (unsigned long long)(2 * (uint64_t)(cf->reps + 1) * npg));
	for (w = 0; w < 2; w++) {
		const char *what = w ? "4 KiB" : "8 B";

		snprintf(label, sizeof(label), "file %lluM: SHARED read %s/page"
		    ", cold", (unsigned long long)cf->file_mb, what);
		add_row("file", label, median(bc[w], cf->reps),
		    median(hc[w], cf->reps), 0, UNIT_NS);
		snprintf(label, sizeof(label), "file %lluM: SHARED read %s/page"
		    ", warm", (unsigned long long)cf->file_mb, what);
		add_row("file", label, median(bw[w], cf->reps),
		    median(hw[w], cf->reps), 0, UNIT_NS);
	}
}

#define FILE_CHUNK	(64u << 10)

/* bvm_file_readall: bvm_file_read of the file in 64 KiB chunks. */
static double
bvm_file_readall(struct bvm_system *sys, int fd, uint64_t len, uint8_t *buf,
    uint64_t *sum)
{
	uint64_t off, t0, s = 0;
	size_t n;
	int error;

	t0 = now_ns();
	for (off = 0; off < len; off += FILE_CHUNK) {
		error = bvm_file_read(sys, fd, buf, FILE_CHUNK, (int64_t)off,
		    &n);
		if (__builtin_expect(error != 0 || n != FILE_CHUNK, 0)) {
			if (error != 0)
				die_bvm("bvm_file_read", __LINE__, error,
				    NULL);
			die("bvm_file_read at %llu: %zu bytes",
			    (unsigned long long)off, n);
		}
		s += *(const uint64_t *)(const void *)(buf + FILE_CHUNK - 8);
	}
	*sum += s;
	return (double)(now_ns() - t0);
}

/* host_file_readall: the same with pread(2). */
static double
host_file_readall(int fd, uint64_t len, uint8_t *buf, uint64_t *sum)
{
	uint64_t off, t0, s = 0;
	ssize_t n;

	t0 = now_ns();
	for (off = 0; off < len; off += FILE_CHUNK) {
		n = pread(fd, buf, FILE_CHUNK, (off_t)off);
		if (n != (ssize_t)FILE_CHUNK)
			die("pread: %s", n < 0 ? strerror(errno) : "short");
		s += *(const uint64_t *)(const void *)(buf + FILE_CHUNK - 8);
	}
	*sum += s;
	return (double)(now_ns() - t0);
}

/*
 * file_reads: (b) bvm_file_read of the whole file in 64 KiB chunks, cold
 * (the object is new: the pager reads every page) and cached (a second
 * pass while a handle keeps the object and its pages), against pread(2)
 * from the host's page cache.  => MB/s.
 */
static void
file_reads(const struct config *cf, struct bvm_system *sys, int fd,
    uint64_t len)
{
	double bc[MAXREPS], bw[MAXREPS], hc[MAXREPS], hw[MAXREPS];
	struct bvm_object *obj;
	uint64_t npg = len / PAGE, off, want = 0, bsum = 0, hsum = 0;
	uint64_t in0, in1;
	char label[80];
	uint8_t *buf;
	int r;

	for (off = 0; off < len; off += FILE_CHUNK)
		want += file_word(off + FILE_CHUNK - 8);
	buf = aligned_alloc(4096, FILE_CHUNK);
	if (buf == NULL)
		die("out of memory");
	for (r = -1; r < cf->reps; r++) {
		double a, b, c, d;

		CHK(bvm_object_file(sys, fd, &obj));
		in0 = pgpgin(sys);
		a = bvm_file_readall(sys, fd, len, buf, &bsum);
		c = host_file_readall(fd, len, buf, &hsum);
		in1 = pgpgin(sys);
		b = bvm_file_readall(sys, fd, len, buf, &bsum);
		d = host_file_readall(fd, len, buf, &hsum);
		if (pgpgin(sys) != in1 || in1 - in0 != npg)
			die("file_read: %llu pages read in by the cold pass, "
			    "%llu by the cached one; expected %llu and 0",
			    (unsigned long long)(in1 - in0),
			    (unsigned long long)(pgpgin(sys) - in1),
			    (unsigned long long)npg);
		bvm_object_release(obj);
		if (r >= 0) {
			/* bytes per ns * 1000 = MB/s */
			bc[r] = (double)len / a * 1000;
			bw[r] = (double)len / b * 1000;
			hc[r] = (double)len / c * 1000;
			hw[r] = (double)len / d * 1000;
		}
	}
	free(buf);
	if (bsum != 2 * (uint64_t)(cf->reps + 1) * want || hsum != bsum)
		die("file_read: sums %#llx and %#llx, expected %#llx "
		    "(library bug?)", (unsigned long long)bsum,
		    (unsigned long long)hsum,
		    (unsigned long long)(2 * (uint64_t)(cf->reps + 1) * want));
	snprintf(label, sizeof(label), "file %lluM: bvm_file_read 64 KiB, cold",
	    (unsigned long long)cf->file_mb);
	add_row("file", label, median(bc, cf->reps), median(hc, cf->reps), 0,
	    UNIT_MBPS);
	snprintf(label, sizeof(label), "file %lluM: bvm_file_read 64 KiB, "
	    "cached", (unsigned long long)cf->file_mb);
	add_row("file", label, median(bw, cf->reps), median(hw, cf->reps), 0,
	    UNIT_MBPS);
}

/*
 * file_private_writes: (c) map the whole file MAP_PRIVATE read/write and
 * write one byte to each page: a copy-on-write of the file's page into a
 * private (anonymous) page per page.  Cold: the file's pages are not
 * resident in bsdvm (the pager reads each one first; on the host they are
 * in the page cache, not yet mapped).  Resident: a read pass (untimed)
 * first made every file page resident and mapped read-only on both sides.
 */
static void
file_private_writes(const struct config *cf, struct bvm_system *sys,
    struct bvm_vmspace *vm, int fd, uint64_t len)
{
	double bc[MAXREPS], br[MAXREPS], hc[MAXREPS], hr[MAXREPS];
	uint64_t npg = len / PAGE, va, t0, sum = 0, hsum = 0;
	char label[80];
	uint64_t v;
	uint8_t *p;
	int r, k;

	(void)sys;
	for (r = -1; r < cf->reps; r++) {
		double t[2], h[2];

		for (k = 0; k < 2; k++) {
			CHK(bvm_mmap(vm, 0, len, RW, BVM_MAP_PRIVATE, fd, 0,
			    &va));
			if (k == 1)
				(void)bvm_file_pass(vm, va, npg, 0, &sum);
			t0 = now_ns();
			bvm_touch(vm, va, npg, 0);
			t[k] = (double)(now_ns() - t0) / (double)npg;
			/* the byte written, and the copied rest of the page */
			expect("private write", bvm_peek(vm, va + len - PAGE),
			    0);
			CHK(bvm_read(vm, va + len - 8, &v, sizeof(v), NULL));
			if (v != file_word(len - 8))
				die("private write: page copied wrong "
				    "(library bug?)");
			CHK(bvm_munmap(vm, va, len));

			p = host_map_file(fd, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE);
			if (k == 1)
				(void)host_file_pass(p, npg, 0, &hsum);
			t0 = now_ns();
			host_touch(p, npg, 0);
			h[k] = (double)(now_ns() - t0) / (double)npg;
			expect("host private write", p[len - PAGE], 0);
			host_unmap(p, len);
		}
		if (r >= 0) {
			bc[r] = t[0];
			br[r] = t[1];
			hc[r] = h[0];
			hr[r] = h[1];
		}
	}
	if (sum != hsum)
		die("private write: read sums differ (library bug?)");
	snprintf(label, sizeof(label), "file %lluM: PRIVATE write 1 B/page, "
	    "cold", (unsigned long long)cf->file_mb);
	add_row("file", label, median(bc, cf->reps), median(hc, cf->reps), 0,
	    UNIT_NS);
	snprintf(label, sizeof(label), "file %lluM: PRIVATE write 1 B/page, "
	    "resident", (unsigned long long)cf->file_mb);
	add_row("file", label, median(br, cf->reps), median(hr, cf->reps), 0,
	    UNIT_NS);
}

/*
 * bench_file: the file group.  One system with a frame for every page of
 * the file twice (file pages and their private copies) plus slack: there
 * is no page daemon, so every page stays resident.
 */
static void
bench_file(const struct config *cf)
{
	struct bvm_system *sys;
	struct bvm_vmspace *vm;
	uint64_t len = cf->file_mb << 20, npg = len / PAGE, cached;
	int fd;

	fd = file_create(len);
	cached = host_cached(fd, len);
	fprintf(stderr, "  %s: %llu MiB, %llu of %llu pages in the host page "
	    "cache\n", file_path, (unsigned long long)cf->file_mb,
	    (unsigned long long)cached, (unsigned long long)npg);
	sys = sys_create(2 * npg + 8192);
	CHK(bvm_vmspace_create(sys, &vm));
	file_map_reads(cf, sys, vm, fd, len);
	file_reads(cf, sys, fd, len);
	file_private_writes(cf, sys, vm, fd, len);
	bvm_vmspace_destroy(vm);
	if (obj_pages(sys) != 0)
		fprintf(stderr, "bvm_bench: file: warning: %llu object pages "
		    "left after every mapping and handle went\n",
		    (unsigned long long)obj_pages(sys));
	sys_finish(cf, sys, "file");
	close(fd);
	file_cleanup();
}

/* ------------------------------------------------------------------ */
/* 9. swap: paging out and in, against the disk's own sequential I/O */

/*
 * A system with a frame for every page (so nothing pages by itself), and
 * swap_mb of anonymous memory written in it, untimed.  "out": bvm_pageout
 * until every page lives only in swap: the page daemon's scans, unmapping,
 * clustered pwritev (256 pages) to the swap file.  "in": every page
 * brought back into memory, in order, by an 8-byte bvm_read of it: a fault
 * per read-ahead (16 pages doubling to 256 while sequential, all mapped),
 * one preadv each into the frames (that the whole pages came back is
 * checked, untimed).  The host rows are the same
 * number of bytes written with pwrite(2) to a file on the same file system
 * in 1 MiB calls, and read back with pread(2) in 1 MiB calls.  Both files
 * are made once, written whole (as swap files are: dd, not sparse), and
 * kept for every repetition, so both sides overwrite pages the host
 * already has; both go through the host page cache (neither calls fsync):
 * that is what a swap file on this machine costs.  A second pair of rows drops the host
 * page cache of both files before reading (fdatasync and
 * posix_fadvise(DONTNEED)), so the reads come from the disk.
 */
static char swap_dir[64];

static void
swap_cleanup(void)
{
	char p[128];

	if (swap_dir[0] == '\0')
		return;
	snprintf(p, sizeof(p), "%s/swap", swap_dir);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s/seq", swap_dir);
	(void)unlink(p);
	(void)rmdir(swap_dir);
	swap_dir[0] = '\0';
}

static void
swap_signal(int sig)
{
	swap_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* drop_cache: make the host forget its cached pages of the file */
static void
drop_cache(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	(void)fdatasync(fd);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
}

static void
bench_swap_run(const struct config *cf, unsigned flags, const char *how)
{
	double bout[MAXREPS], bin[MAXREPS], hout[MAXREPS], hin[MAXREPS];
	double bcold[MAXREPS], hcold[MAXREPS];
	uint64_t npg = cf->swap_mb << 8, i, off, t0, freed, sum = 0, hsum = 0;
	const size_t chunk = 1 << 20;
	char swpath[96], seqpath[96], label[80];
	static uint64_t pagebuf[BVM_PAGE_SIZE / 8];
	struct bvm_fault_info fi;
	struct bvm_system *sys;
	struct bvm_vmspace *vm;
	struct bvm_stats st;
	uint8_t *buf;
	uint64_t va;
	int r, fd, cold;

	snprintf(swap_dir, sizeof(swap_dir), "/tmp/bvm_bench_swap.XXXXXX");
	if (mkdtemp(swap_dir) == NULL)
		die("mkdtemp: %s", strerror(errno));
	atexit(swap_cleanup);
	signal(SIGINT, swap_signal);
	signal(SIGTERM, swap_signal);
	snprintf(swpath, sizeof(swpath), "%s/swap", swap_dir);
	snprintf(seqpath, sizeof(seqpath), "%s/seq", swap_dir);
	/* the host's source is as big as the data, as cold as the frames */
	if ((buf = aligned_alloc(4096, npg * PAGE)) == NULL)
		die("out of memory");
	memset(buf, 0x5a, npg * PAGE);
	/* the two files, written whole once: allocated like a real swap file */
	for (r = 0; r < 2; r++) {
		fd = open(r ? seqpath : swpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			die("open: %s", strerror(errno));
		for (off = 0; off < (npg + 1024) * PAGE; off += chunk)
			if (pwrite(fd, buf, chunk, (off_t)off) != (ssize_t)chunk)
				die("pwrite: %s", strerror(errno));
		(void)fdatasync(fd);
		close(fd);
	}
	/*
	 * One system for every repetition: its frames are memory the
	 * process has used before, as a long-running system's are (on this
	 * VM the first copy out of memory never touched before is several
	 * times slower than later ones; the warm-up round pays it).
	 */
	sys = sys_create_flags(npg + 8192, flags);
	CHK(bvm_swapon(sys, swpath, 0));
	for (r = -1; r < cf->reps; r++) {
		for (cold = 0; cold < 2; cold++) {
			double a, b, c, d;
			struct bvm_stats s0;

			CHK(bvm_stats(sys, &s0));
			CHK(bvm_vmspace_create(sys, &vm));
			CHK(bvm_mmap(vm, 0, npg * PAGE, RW, BVM_MAP_ANON |
			    BVM_MAP_PRIVATE, -1, 0, &va));
			for (i = 0; i < npg; i++) {
				pagebuf[0] = i;
				pagebuf[BVM_PAGE_SIZE / 8 - 1] = ~i;
				CHK(bvm_write(vm, va + i * PAGE, pagebuf, PAGE,
				    &fi));
			}
			/* out; the host's earlier writes are on disk first */
			sync();
			t0 = now_ns();
			do {
				CHK(bvm_pageout(sys, npg, &freed));
				CHK(bvm_stats(sys, &st));
			} while (st.swpgonly < npg && freed > 0);
			a = (double)(now_ns() - t0);
			if (st.swpgonly != npg)
				die("swap: %llu of %llu pages paged out",
				    (unsigned long long)st.swpgonly,
				    (unsigned long long)npg);
			/*
			 * The disk's own write of as many bytes, from memory
			 * written just before, as the frames were (on this VM
			 * the first copy out of freshly written memory is
			 * several times slower than later ones, whoever does
			 * it: both sides pay it).
			 */
			memset(buf, 0x5a, npg * PAGE);
			sync();
			t0 = now_ns();
			fd = open(seqpath, O_RDWR);
			if (fd < 0)
				die("open %s: %s", seqpath, strerror(errno));
			for (off = 0; off < npg * PAGE; off += chunk)
				if (pwrite(fd, buf + off, chunk, (off_t)off) !=
				    (ssize_t)chunk)
					die("pwrite: %s", strerror(errno));
			close(fd);
			c = (double)(now_ns() - t0);
			if (cold) {
				drop_cache(swpath);
				drop_cache(seqpath);
			}
			/* in */
			sync();
			t0 = now_ns();
			for (i = 0; i < npg; i++) {
				CHK(bvm_read(vm, va + i * PAGE, pagebuf, 8,
				    &fi));
				sum += pagebuf[0] == i;
			}
			b = (double)(now_ns() - t0);
			/* and the whole pages came back (untimed) */
			for (i = 0; i < npg; i += 97) {
				CHK(bvm_read(vm, va + i * PAGE, pagebuf, PAGE,
				    &fi));
				if (pagebuf[BVM_PAGE_SIZE / 8 - 1] != ~i)
					die("swap: page %llu came back wrong "
					    "(library bug?)",
					    (unsigned long long)i);
			}
			t0 = now_ns();
			fd = open(seqpath, O_RDONLY);
			for (off = 0; off < npg * PAGE; off += chunk) {
				if (pread(fd, buf + off, chunk, (off_t)off) !=
				    (ssize_t)chunk)
					die("pread: %s", strerror(errno));
				hsum += buf[off + chunk - 1];
			}
			close(fd);
			d = (double)(now_ns() - t0);
			CHK(bvm_stats(sys, &st));
			if (st.pswpin - s0.pswpin != npg)
				die("swap: %llu pages swapped in, want %llu",
				    (unsigned long long)(st.pswpin - s0.pswpin),
				    (unsigned long long)npg);
			if (cf->verbose && r == 0)
				fprintf(stderr, "  [swap] %s: %llu swapouts, "
				    "%llu swapins for %llu pages\n",
				    cold ? "cold" : "warm",
				    (unsigned long long)(st.swapouts -
				    s0.swapouts),
				    (unsigned long long)(st.swapins - s0.swapins),
				    (unsigned long long)npg);
			bvm_vmspace_destroy(vm);
			if (r < 0)
				continue;
			/* bytes per ns * 1000 = MB/s */
			if (cold) {
				bcold[r] = (double)(npg * PAGE) / b * 1000;
				hcold[r] = (double)(npg * PAGE) / d * 1000;
			} else {
				bout[r] = (double)(npg * PAGE) / a * 1000;
				hout[r] = (double)(npg * PAGE) / c * 1000;
				bin[r] = (double)(npg * PAGE) / b * 1000;
				hin[r] = (double)(npg * PAGE) / d * 1000;
			}
		}
	}
	bvm_system_destroy(sys);
	/* every page i read back must hold i and ~i */
	if (sum != (uint64_t)(cf->reps + 1) * 2 * npg ||
	    hsum != (uint64_t)(cf->reps + 1) * 2 * (npg * PAGE / chunk) * 0x5a)
		die("swap: read back the wrong data (library bug?)");
	free(buf);
	swap_cleanup();
	snprintf(label, sizeof(label), *how ? "swap-out %lluM%s" :
	    "swap-out %lluM (pageout / pwrite)%s",
	    (unsigned long long)cf->swap_mb, how);
	add_row("swap", label, median(bout, cf->reps), median(hout, cf->reps),
	    0.8, UNIT_MBPS);
	snprintf(label, sizeof(label), *how ? "swap-in %lluM, cached%s" :
	    "swap-in %lluM, cached (fault / pread)%s",
	    (unsigned long long)cf->swap_mb, how);
	add_row("swap", label, median(bin, cf->reps), median(hin, cf->reps),
	    0.8, UNIT_MBPS);
	if (*how != '\0')
		return;         /* from the disk: the device's speed either way */
	snprintf(label, sizeof(label), "swap-in %lluM, from disk",
	    (unsigned long long)cf->swap_mb);
	add_row("swap", label, median(bcold, cf->reps), median(hcold, cf->reps),
	    0.8, UNIT_MBPS);
}

/*
 * bench_swap: without the daemon thread (nothing pages behind the
 * benchmark's back; a process with one thread, whose locks glibc makes
 * cheap), then as systems are made by default, with the thread (idle
 * here: every frame has a page, but the process has two threads).
 */
static void
bench_swap(const struct config *cf)
{
	bench_swap_run(cf, BVM_SYS_NOPDAEMON, "");
	bench_swap_run(cf, 0, ", daemon thread on");
}

/* ------------------------------------------------------------------ */
/* 10. thrash: fault rate against working-set size */

/*
 * A system of `frames` frames with swap; a working set of W pages,
 * written once, then `accesses` random 8-byte accesses (half reads, half
 * writes) spread uniformly over it.  For each W/frames the table gives the
 * faults per access, the pages swapped in and out per access, the time per
 * access, and, for comparison, the miss rate an ideal replacement would
 * have under uniform access with R frames holding pages, 1 - R/W (R: the
 * frames not kept free, npages - freetarg).  No daemon thread: each fault
 * that finds no frame runs the scan, so the runs are repeatable.
 */
#define THRASH_POINTS 12
static const double thrash_x[THRASH_POINTS] = {
	0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0
};

struct thrash_pt {
	double x, faults, swin, swout, ns, ideal;
};

static void thrash_svg(const char *path, const struct thrash_pt *pt, int n,
    uint64_t frames);
static void fmt_time(char *buf, size_t len, double ns);

static void
bench_thrash(const struct config *cf)
{
	struct thrash_pt pt[THRASH_POINTS];
	uint64_t frames = cf->quick ? 1024 : 4096;
	uint64_t accesses = cf->quick ? 8192 : 65536;
	char swpath[96], label[80];
	struct bvm_fault_info fi;
	struct bvm_system *sys;
	struct bvm_vmspace *vm;
	struct bvm_stats s0, s1;
	uint64_t w, i, va, rs, t0, v, resident;
	int k, fd;

	snprintf(swap_dir, sizeof(swap_dir), "/tmp/bvm_bench_swap.XXXXXX");
	if (mkdtemp(swap_dir) == NULL)
		die("mkdtemp: %s", strerror(errno));
	atexit(swap_cleanup);
	snprintf(swpath, sizeof(swpath), "%s/swap", swap_dir);
	for (k = 0; k < THRASH_POINTS; k++) {
		w = (uint64_t)(thrash_x[k] * (double)frames);
		sys = sys_create_flags(frames, BVM_SYS_NOPDAEMON);
		fd = open(swpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, (off_t)((w + 1024) * PAGE)) != 0)
			die("swap file: %s", strerror(errno));
		close(fd);
		CHK(bvm_swapon(sys, swpath, 0));
		CHK(bvm_vmspace_create(sys, &vm));
		CHK(bvm_mmap(vm, 0, w * PAGE, RW, BVM_MAP_ANON |
		    BVM_MAP_PRIVATE, -1, 0, &va));
		/* random access: no fault-around, no read-ahead */
		CHK(bvm_madvise(vm, va, w * PAGE, BVM_MADV_RANDOM));
		for (i = 0; i < w; i++)
			CHK(bvm_write(vm, va + i * PAGE, &i, sizeof(i), &fi));
		CHK(bvm_stats(sys, &s0));
		rs = 0x9e3779b97f4a7c15ULL + (uint64_t)k;
		t0 = now_ns();
		for (i = 0; i < accesses; i++) {
			uint64_t pg = rnd(&rs) % w;

			if (i & 1)
				CHK(bvm_write(vm, va + pg * PAGE + 8, &i,
				    sizeof(i), &fi));
			else {
				CHK(bvm_read(vm, va + pg * PAGE, &v, sizeof(v),
				    &fi));
				if (v != pg)
					die("thrash: page %llu holds %llu "
					    "(library bug?)",
					    (unsigned long long)pg,
					    (unsigned long long)v);
			}
		}
		pt[k].ns = (double)(now_ns() - t0) / (double)accesses;
		CHK(bvm_stats(sys, &s1));
		pt[k].x = thrash_x[k];
		pt[k].faults = (double)(s1.faults - s0.faults) /
		    (double)accesses;
		pt[k].swin = (double)(s1.pswpin - s0.pswpin) / (double)accesses;
		pt[k].swout = (double)(s1.pswpout - s0.pswpout) /
		    (double)accesses;
		resident = frames - s1.freetarg;
		pt[k].ideal = w <= resident ? 0 :
		    1.0 - (double)resident / (double)w;
		bvm_vmspace_destroy(vm);
		bvm_system_destroy(sys);
		(void)unlink(swpath);
	}
	swap_cleanup();
	/* two rows for the main table: below and well above memory */
	snprintf(label, sizeof(label), "thrash: access, W = 0.5 x memory");
	add_row("thrash", label, pt[1].ns, -1, 0, UNIT_NS);
	snprintf(label, sizeof(label), "thrash: access, W = 2 x memory");
	add_row("thrash", label, pt[8].ns, -1, 0, UNIT_NS);

	printf("\nthrash: %llu frames (%llu KiB), %llu random 8-byte accesses "
	    "per point, MADV_RANDOM\n\n", (unsigned long long)frames,
	    (unsigned long long)(frames * PAGE / 1024),
	    (unsigned long long)accesses);
	printf("| W / memory | faults / access | swap-ins / access | "
	    "swap-outs / access | ideal miss rate | time / access |\n");
	printf("|---:|---:|---:|---:|---:|---:|\n");
	for (k = 0; k < THRASH_POINTS; k++) {
		char tb[32];

		fmt_time(tb, sizeof(tb), pt[k].ns);
		printf("| %.2f | %.3f | %.3f | %.3f | %.3f | %s |\n", pt[k].x,
		    pt[k].faults, pt[k].swin, pt[k].swout, pt[k].ideal, tb);
	}
	printf("\n");
	if (cf->svg != NULL)
		thrash_svg(cf->svg, pt, THRASH_POINTS, frames);
}

/*
 * thrash_svg: the fault rate (measured and ideal) and the swap traffic
 * against W / memory, as a small SVG line chart.
 */
static void
thrash_svg(const char *path, const struct thrash_pt *pt, int n,
    uint64_t frames)
{
	const double W = 640, H = 400, L = 70, R = 170, T = 40, B = 60;
	const double xmax = 4.0, ymax = 1.0;
	FILE *f = fopen(path, "w");
	int k, i;
	static const struct {
		const char *name, *color, *dash;
		int which;
	} series[] = {
		{ "faults / access", "#1f77b4", "", 0 },
		{ "swap-ins / access", "#d62728", "", 1 },
		{ "swap-outs / access", "#2ca02c", "", 2 },
		{ "ideal miss rate", "#555555", "6,4", 3 },
	};

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
#define SX(x) (L + (x) / xmax * (W - L - R))
#define SY(y) (H - B - (y) / ymax * (H - T - B))
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" "
	    "height=\"%g\" font-family=\"sans-serif\" font-size=\"12\">\n",
	    W, H);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%g\" y=\"22\" font-size=\"14\">bsdvm: faults "
	    "per random access against working-set size (%llu frames)"
	    "</text>\n", L, (unsigned long long)frames);
	for (i = 0; i <= 8; i++) {      /* x grid every 0.5 */
		double x = SX(i * 0.5);

		fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" "
		    "stroke=\"#ddd\"/>\n", x, SY(0), x, SY(ymax));
		fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">"
		    "%.1f</text>\n", x, SY(0) + 18, i * 0.5);
	}
	for (i = 0; i <= 5; i++) {      /* y grid every 0.2 */
		double y = SY(i * 0.2);

		fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" "
		    "stroke=\"#ddd\"/>\n", SX(0), y, SX(xmax), y);
		fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">%.1f"
		    "</text>\n", SX(0) - 6, y + 4, i * 0.2);
	}
	fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" "
	    "stroke=\"#999\" stroke-dasharray=\"2,3\"/>\n", SX(1), SY(0), SX(1),
	    SY(ymax));
	fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">working set "
	    "/ physical memory</text>\n", SX(xmax / 2), H - 18);
	fprintf(f, "<text x=\"18\" y=\"%g\" transform=\"rotate(-90 18 %g)\" "
	    "text-anchor=\"middle\">per access</text>\n", SY(ymax / 2),
	    SY(ymax / 2));
	for (k = 0; k < 4; k++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
		    "stroke-width=\"2\"%s%s%s points=\"", series[k].color,
		    series[k].dash[0] ? " stroke-dasharray=\"" : "",
		    series[k].dash, series[k].dash[0] ? "\"" : "");
		for (i = 0; i < n; i++) {
			double y = series[k].which == 0 ? pt[i].faults :
			    series[k].which == 1 ? pt[i].swin :
			    series[k].which == 2 ? pt[i].swout : pt[i].ideal;

			fprintf(f, "%g,%g ", SX(pt[i].x), SY(y < ymax ? y : ymax));
		}
		fprintf(f, "\"/>\n");
		fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" "
		    "stroke=\"%s\" stroke-width=\"2\"%s%s%s/>\n", W - R + 10,
		    T + 20 + k * 20.0, W - R + 34, T + 20 + k * 20.0,
		    series[k].color,
		    series[k].dash[0] ? " stroke-dasharray=\"" : "",
		    series[k].dash, series[k].dash[0] ? "\"" : "");
		fprintf(f, "<text x=\"%g\" y=\"%g\">%s</text>\n", W - R + 40,
		    T + 24 + k * 20.0, series[k].name);
	}
#undef SX
#undef SY
	fprintf(f, "</svg>\n");
	fclose(f);
	fprintf(stderr, "  thrash plot written to %s\n", path);
}

/* ------------------------------------------------------------------ */
/* the table */

/* fmt_time: a time in ns with a readable unit. */
static void
fmt_time(char *buf, size_t len, double ns)
{
	if (ns < 0)
		snprintf(buf, len, "-");
	else if (ns < 100)
		snprintf(buf, len, "%.2f ns", ns);
	else if (ns < 10000)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1f us", ns / 1000);
	else
		snprintf(buf, len, "%.2f ms", ns / 1000000);
}

/* fmt_value: a row's value: a time, or a ratio. */
static void
fmt_value(char *buf, size_t len, const struct row *r, double v)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else if (r->ratio == UNIT_RATIO)
		snprintf(buf, len, "%.2fx", v);
	else if (r->ratio == UNIT_MBPS)
		snprintf(buf, len, "%.0f MB/s", v);
	else
		fmt_time(buf, len, v);
}

/* print_header: the table's head, as aligned text or as Markdown. */
static void
print_header(FILE *fp, int markdown)
{
	if (markdown) {
		fprintf(fp, "| Operation | bsdvm | host | host/bsdvm | "
		    "target (bsdvm) | met |\n");
		fprintf(fp, "|---|---:|---:|---:|---:|:---:|\n");
	} else
		fprintf(fp, "%-44s %11s %11s %10s %12s %4s\n", "operation",
		    "bsdvm/op", "host/op", "host/bsdvm", "target", "met");
}

/* print_row: one row, as aligned text or as Markdown. */
static void
print_row(FILE *fp, int markdown, const struct row *r)
{
	char b[32], h[32], q[32], t[40], v[32];
	const char *met;

	fmt_value(b, sizeof(b), r, r->bvm);
	fmt_value(h, sizeof(h), r, r->host);
	if (r->ratio == UNIT_RATIO || r->host <= 0 || r->bvm <= 0)
		snprintf(q, sizeof(q), "-");
	else if (r->ratio == UNIT_MBPS)	/* a rate: above 1, bsdvm faster */
		snprintf(q, sizeof(q), "%.2f", r->bvm / r->host);
	else
		snprintf(q, sizeof(q), "%.2f", r->host / r->bvm);
	if (r->target <= 0) {
		snprintf(t, sizeof(t), "-");
		met = "-";
	} else if (r->ratio == UNIT_MBPS) {
		/* a rate's target: a fraction of the host's rate */
		snprintf(t, sizeof(t), ">= %.2fx host", r->target);
		met = r->host > 0 && r->bvm / r->host >= r->target ? "yes" :
		    "NO";
	} else {
		fmt_value(v, sizeof(v), r, r->target);
		snprintf(t, sizeof(t), "<= %s", v);
		met = r->bvm <= r->target ? "yes" : "NO";
	}
	if (markdown)
		fprintf(fp, "| %s | %s | %s | %s | %s | %s |\n", r->label, b,
		    h, q, t, met);
	else
		fprintf(fp, "%-44s %11s %11s %10s %12s %4s\n", r->label, b, h,
		    q, t, met);
}

/* ------------------------------------------------------------------ */

/* The groups, in the order they run; --only takes one of these names. */
static const struct group {
	const char *name;
	void (*fn)(const struct config *);
} groups[] = {
	{ "mmap", bench_mmap },
	{ "fault", bench_fault },
	{ "cow", bench_cow },
	{ "fork", bench_fork },
	{ "read", bench_read },
	{ "entries", bench_entries },
	{ "floor", bench_floor },
	{ "file", bench_file },
	{ "swap", bench_swap },
	{ "thrash", bench_thrash },
	{ NULL, NULL }
};

/* usage: the options, then exit. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: bvm_bench [-qv] [-r reps] [-s fork-MiB] [-f file-MiB] "
	    "[--only group] [--markdown]\n"
	    "  -q          quick mode: small sizes (a smoke test)\n"
	    "  -r reps     timed repetitions; the median is reported "
	    "(default 5, quick 3)\n"
	    "  -s MiB      memory touched before the fork benchmark "
	    "(default 256, quick 32)\n"
	    "  -f MiB      size of the file the file group maps "
	    "(default 256, quick 32)\n"
	    "  -w MiB      memory the swap group pages out and in "
	    "(default 256, quick 32)\n"
	    "  --svg FILE  write the thrash group's plot as SVG\n"
	    "  -v          print bsdvm counters for each group\n"
	    "  --only g    run one group: mmap fault cow fork read entries "
	    "floor file swap thrash\n"
	    "  --markdown  print the table as Markdown\n");
	exit(2);
}

/* parse_num: a decimal number in [lo, hi], or usage. */
static uint64_t
parse_num(const char *s, uint64_t lo, uint64_t hi)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "bvm_bench: bad number %s (%llu..%llu)\n", s,
		    (unsigned long long)lo, (unsigned long long)hi);
		usage();
	}
	return v;
}

int
main(int argc, char *argv[])
{
	struct config cf;
	int i, reps = 0, g, first;
	uint64_t fork_mb = 0, file_mb = 0, swap_mb = 0, t0;
	double load[1];

	memset(&cf, 0, sizeof(cf));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-q") == 0)
			cf.quick = 1;
		else if (strcmp(a, "-v") == 0)
			cf.verbose = 1;
		else if (strcmp(a, "--markdown") == 0)
			cf.markdown = 1;
		else if (strcmp(a, "-r") == 0 && i + 1 < argc)
			reps = (int)parse_num(argv[++i], 1, MAXREPS - 1);
		else if (strcmp(a, "-s") == 0 && i + 1 < argc)
			fork_mb = parse_num(argv[++i], 1, 16384);
		else if (strcmp(a, "-f") == 0 && i + 1 < argc)
			file_mb = parse_num(argv[++i], 1, 16384);
		else if (strcmp(a, "-w") == 0 && i + 1 < argc)
			swap_mb = parse_num(argv[++i], 1, 16384);
		else if (strcmp(a, "--svg") == 0 && i + 1 < argc)
			cf.svg = argv[++i];
		else if (strcmp(a, "--only") == 0 && i + 1 < argc) {
			cf.only = argv[++i];
			for (g = 0; groups[g].name != NULL; g++)
				if (strcmp(groups[g].name, cf.only) == 0)
					break;
			if (groups[g].name == NULL) {
				fprintf(stderr, "bvm_bench: no group %s\n",
				    cf.only);
				usage();
			}
		} else
			usage();
	}

	cf.reps = reps != 0 ? reps : cf.quick ? 3 : 5;
	cf.fork_mb = fork_mb != 0 ? fork_mb : cf.quick ? 32 : 256;
	cf.file_mb = file_mb != 0 ? file_mb : cf.quick ? 32 : 256;
	cf.swap_mb = swap_mb != 0 ? swap_mb : cf.quick ? 32 : 256;
	cf.mmap_iters = cf.quick ? 5000 : 50000;
	cf.fault_mb = cf.quick ? 8 : 64;
	cf.fork_iters = cf.quick ? 50 : 500;
	cf.redirty_iters = cf.quick ? 2 : 8;
	cf.hfork_iters = cf.quick ? 3 : 10;
	cf.read_iters = cf.quick ? 2000000 : 20000000;
	cf.ent_bvm = cf.quick ? 10000 : 100000;
	cf.ent_host = cf.quick ? 6000 : 60000;
	cf.ent_touch = cf.quick ? 2048 : 16384;

	fprintf(stderr, "bvm_bench: %s mode, median of %d (after 1 warm-up), "
	    "fork size %llu MiB, file size %llu MiB\n",
	    cf.quick ? "quick" : "full", cf.reps,
	    (unsigned long long)cf.fork_mb, (unsigned long long)cf.file_mb);
	if (getloadavg(load, 1) == 1 && load[0] > 0.5)
		fprintf(stderr, "bvm_bench: warning: load average %.2f: other "
		    "work on this machine makes the timings noisy\n", load[0]);
	for (g = 0; groups[g].name != NULL; g++) {
		if (cf.only != NULL && strcmp(cf.only, groups[g].name) != 0)
			continue;
		fprintf(stderr, "%s:\n", groups[g].name);
		first = nrows;
		t0 = now_ns();
		groups[g].fn(&cf);
		for (i = first; i < nrows; i++)
			print_row(stderr, 0, &rows[i]);
		fprintf(stderr, "  (%.1f s)\n", (double)(now_ns() - t0) / 1e9);
	}
	fflush(stderr);
	print_header(stdout, cf.markdown);
	for (i = 0; i < nrows; i++)
		print_row(stdout, cf.markdown, &rows[i]);
	return 0;
}
