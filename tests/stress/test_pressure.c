/*
 * test_pressure.c: more virtual than physical memory.  A system of 64 MiB
 * of frames, with swap on two host files, runs workloads that touch 1 GiB:
 * sequential and random stores to private memory, a fork whose two sides
 * then write copy-on-write, shared memory seen from two address spaces, and
 * a shared file mapping four times the size of memory; then a swap area is
 * removed under it.  Every page carries a checksum of its contents and
 * version; every page is read back and checked after every phase, and the
 * invariant checkers run between phases.  The page daemon thread runs.
 *
 * The threaded test runs the same kind of load from several threads at
 * once, some in their own address spaces and two sharing one, each checking
 * its own pages.
 *
 * Under ThreadSanitizer (which is 5-15x slower) the threaded test runs with
 * a smaller system and load; ASan and plain builds run the full 1 GiB.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define PG  ((uint64_t)BVM_PAGE_SIZE)
#define RW  (BVM_PROT_READ | BVM_PROT_WRITE)
#define WORDS (BVM_PAGE_SIZE / 8)

#if defined(__SANITIZE_THREAD__)
#define PR_SMALL 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PR_SMALL 1
#endif
#endif
#ifndef PR_SMALL
#define PR_SMALL 0
#endif

static char pr_dir[64];

static void
pr_cleanup(void)
{
	char cmd[128];

	if (pr_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", pr_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", pr_dir);
		pr_dir[0] = '\0';
	}
}

static const char *
pr_path(const char *name)
{
	static char buf[4][160];
	static int k;
	char *p = buf[k++ & 3];

	if (pr_dir[0] == '\0') {
		snprintf(pr_dir, sizeof(pr_dir), "/tmp/bvm_pressure.XXXXXX");
		if (mkdtemp(pr_dir) == NULL)
			bvm_test_fail(__FILE__, __LINE__, "mkdtemp: %s",
			    strerror(errno));
		atexit(pr_cleanup);
	}
	snprintf(p, 160, "%s/%s", pr_dir, name);
	return p;
}

static const char *
pr_swapfile(const char *name, uint64_t npages)
{
	const char *path = pr_path(name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || ftruncate(fd, (off_t)(npages * PG)) != 0)
		bvm_test_fail(__FILE__, __LINE__, "%s: %s", path,
		    strerror(errno));
	close(fd);
	return path;
}

/* the first word of page `page` of region `region` at `version` */
static uint64_t
pr_key(uint64_t region, uint64_t page, uint64_t version)
{
	uint64_t x = region * 0x9e3779b97f4a7c15ULL ^ page * 0xbf58476d1ce4e5b9ULL
	    ^ (version + 1) * 0x94d049bb133111ebULL;

	x ^= x >> 29;
	return x | 1;
}

/* a page's contents: its key, then words derived from it */
static void
pr_fill(uint64_t *buf, uint64_t key)
{
	uint64_t k;

	buf[0] = key;
	for (k = 1; k < WORDS; k++)
		buf[k] = key + k * 0x2545f4914f6cdd1dULL;
}

static int
pr_write(struct bvm_vmspace *vm, uint64_t va, uint64_t key)
{
	uint64_t buf[WORDS];
	struct bvm_fault_info fi;

	pr_fill(buf, key);
	return bvm_write(vm, va, buf, PG, &fi);
}

/* => 0, or the access error; fails the test on wrong contents */
static int
pr_check(struct bvm_vmspace *vm, uint64_t va, uint64_t key, const char *what)
{
	uint64_t buf[WORDS], k;
	struct bvm_fault_info fi;
	int e;

	if ((e = bvm_read(vm, va, buf, PG, &fi)) != 0)
		return e;
	for (k = 0; k < WORDS; k++)
		if (buf[k] != key + k * 0x2545f4914f6cdd1dULL)
			bvm_test_fail(__FILE__, __LINE__, "%s: 0x%llx word %llu: "
			    "0x%llx, want 0x%llx", what, (unsigned long long)va,
			    (unsigned long long)k, (unsigned long long)buf[k],
			    (unsigned long long)(key +
			    k * 0x2545f4914f6cdd1dULL));
	return 0;
}

/* a small deterministic generator */
static uint64_t
pr_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
pr_syscheck(struct bvm_system *sys, const char *phase)
{
	char msg[512];

	if (bvm_system_check(sys, msg, sizeof(msg)) != 0)
		bvm_test_fail(__FILE__, __LINE__, "after %s: %s", phase, msg);
}

TEST(pressure_1g_through_64m_checksums)
{
	enum { NPRIV = 131072, NSHM = 32768, NFILE = 65536 };
	struct bvm_params par;
	struct bvm_system *sys;
	struct bvm_vmspace *p, *c, *o;
	struct bvm_object *shm;
	struct bvm_stats st;
	uint8_t *pv, *cv;       /* versions of the private pages */
	uint64_t priv, sp, so, fva, i, rs = 88172645463325252ULL, n;
	const char *sw1, *sw2, *fpath;
	int fd;

	bvm_params_init(&par);
	par.npages = 16384;                    /* 64 MiB */
	ASSERT_OK(bvm_system_create(&par, &sys));
	sw1 = pr_swapfile("swap1", 160000);
	sw2 = pr_swapfile("swap2", 200000);
	ASSERT_OK(bvm_swapon(sys, sw1, 0));
	ASSERT_OK(bvm_swapon(sys, sw2, 1));
	pv = calloc(NPRIV, 1);
	cv = calloc(NPRIV, 1);
	ASSERT_TRUE(pv != NULL && cv != NULL);
	ASSERT_OK(bvm_vmspace_create(sys, &p));

	/* 512 MiB of private memory, written in order */
	ASSERT_OK(bvm_mmap(p, 0, NPRIV * PG, RW, BVM_MAP_ANON |
	    BVM_MAP_PRIVATE, -1, 0, &priv));
	for (i = 0; i < NPRIV; i++)
		ASSERT_OK(pr_write(p, priv + i * PG, pr_key(1, i, 0)));
	/* a quarter rewritten in random order */
	for (n = 0; n < NPRIV / 4; n++) {
		i = pr_rand(&rs) % NPRIV;
		pv[i]++;
		ASSERT_OK(pr_write(p, priv + i * PG, pr_key(1, i, pv[i])));
	}
	for (i = 0; i < NPRIV; i++)
		ASSERT_OK(pr_check(p, priv + i * PG, pr_key(1, i, pv[i]),
		    "private"));
	pr_syscheck(sys, "private");
	st = tstats(sys);
	ASSERT_TRUE(st.pswpout >= NPRIV - par.npages);

	/* fork: both sides write copy-on-write, each sees its own */
	ASSERT_OK(bvm_fork(p, &c));
	memcpy(cv, pv, NPRIV);
	for (n = 0; n < NPRIV / 8; n++) {
		i = pr_rand(&rs) % NPRIV;
		cv[i] = (uint8_t)(cv[i] + 100);
		ASSERT_OK(pr_write(c, priv + i * PG, pr_key(1, i, cv[i])));
		i = pr_rand(&rs) % NPRIV;
		pv[i]++;
		ASSERT_OK(pr_write(p, priv + i * PG, pr_key(1, i, pv[i])));
	}
	for (i = 0; i < NPRIV; i++) {
		ASSERT_OK(pr_check(p, priv + i * PG, pr_key(1, i, pv[i]),
		    "parent"));
		ASSERT_OK(pr_check(c, priv + i * PG, pr_key(1, i, cv[i]),
		    "child"));
	}
	pr_syscheck(sys, "fork");
	bvm_vmspace_destroy(c);

	/* 128 MiB of shared memory: written by one, read by another */
	ASSERT_OK(bvm_vmspace_create(sys, &o));
	ASSERT_OK(bvm_shm_open(sys, "/pressure", BVM_O_CREAT, &shm));
	ASSERT_OK(bvm_object_truncate(shm, NSHM * PG));
	ASSERT_OK(bvm_mmap_object(p, 0, NSHM * PG, RW, BVM_MAP_SHARED, shm, 0,
	    &sp));
	ASSERT_OK(bvm_mmap_object(o, 0, NSHM * PG, RW, BVM_MAP_SHARED, shm, 0,
	    &so));
	for (i = 0; i < NSHM; i++)
		ASSERT_OK(pr_write(p, sp + i * PG, pr_key(2, i, 0)));
	for (i = 0; i < NSHM; i += 2)
		ASSERT_OK(pr_write(o, so + i * PG, pr_key(2, i, 1)));
	for (i = 0; i < NSHM; i++) {
		ASSERT_OK(pr_check(o, so + i * PG, pr_key(2, i, ~i & 1),
		    "shm other"));
		ASSERT_OK(pr_check(p, sp + i * PG, pr_key(2, i, ~i & 1),
		    "shm"));
	}
	pr_syscheck(sys, "shared memory");

	/* a 256 MiB file mapped shared: pageout writes it */
	fpath = pr_path("file");
	fd = open(fpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(ftruncate(fd, (off_t)(NFILE * PG)), 0);
	ASSERT_OK(bvm_mmap(o, 0, NFILE * PG, RW, BVM_MAP_SHARED, fd, 0, &fva));
	for (i = 0; i < NFILE; i++)
		ASSERT_OK(pr_write(o, fva + i * PG, pr_key(3, i, 0)));
	for (i = 0; i < NFILE; i++)
		ASSERT_OK(pr_check(o, fva + i * PG, pr_key(3, i, 0), "file"));
	ASSERT_TRUE(tstats(sys).pgpgout >= NFILE - par.npages);
	pr_syscheck(sys, "file");
	ASSERT_OK(bvm_munmap(o, fva, NFILE * PG));    /* writes the rest */
	for (i = 0; i < NFILE; i += 7) {
		uint64_t w[2];

		ASSERT_EQ(pread(fd, w, 16, (off_t)(i * PG)), 16);
		ASSERT_EQ(w[0], pr_key(3, i, 0));
		ASSERT_EQ(w[1], pr_key(3, i, 0) + 0x2545f4914f6cdd1dULL);
	}
	close(fd);

	/* a swap area goes: what it held comes in, or moves to the other */
	ASSERT_OK(bvm_swapoff(sys, sw1));
	st = tstats(sys);
	ASSERT_EQ(st.nswapdev, 1);
	pr_syscheck(sys, "swapoff");
	for (i = 0; i < NPRIV; i++)
		ASSERT_OK(pr_check(p, priv + i * PG, pr_key(1, i, pv[i]),
		    "after swapoff"));
	for (i = 0; i < NSHM; i++)
		ASSERT_OK(pr_check(o, so + i * PG, pr_key(2, i, ~i & 1),
		    "shm after swapoff"));
	st = tstats(sys);
	ASSERT_TRUE(st.pdfreed > 0);
	ASSERT_TRUE(st.pswpin > 0);
	ASSERT_EQ(st.swap_errors, 0);
	bvm_vmspace_destroy(p);
	bvm_vmspace_destroy(o);
	bvm_object_release(shm);
	ASSERT_OK(bvm_shm_unlink(sys, "/pressure"));
	st = tstats(sys);
	ASSERT_EQ(st.swpginuse, 0);
	ASSERT_EQ(st.swpgonly, 0);
	ASSERT_EQ(st.anons, 0);
	ASSERT_EQ(st.free, par.npages);
	pr_syscheck(sys, "the end");
	bvm_system_destroy(sys);
	free(pv);
	free(cv);
	unlink(sw1);
	unlink(sw2);
	unlink(fpath);
}

/* ---------------------------------------------------------------------
 * Threads.
 * ------------------------------------------------------------------- */

#define PT_THREADS 6

struct pt_arg {
	struct bvm_vmspace *vm;
	uint64_t base;             /* this thread's pages */
	uint64_t npages;
	uint64_t region;
	uint64_t seed;
	uint64_t rounds;
	const char *fail;          /* set on failure */
	int error;
};

static void *
pt_run(void *v)
{
	struct pt_arg *a = v;
	uint8_t *ver = calloc(a->npages, 1);
	uint64_t i, n, r, rs = a->seed;

	if (ver == NULL) {
		a->fail = "out of host memory";
		return NULL;
	}
	for (i = 0; i < a->npages; i++)
		if ((a->error = pr_write(a->vm, a->base + i * PG,
		    pr_key(a->region, i, 0))) != 0) {
			a->fail = "first write";
			goto out;
		}
	for (r = 0; r < a->rounds; r++) {
		for (n = 0; n < a->npages / 2; n++) {
			i = pr_rand(&rs) % a->npages;
			ver[i]++;
			if ((a->error = pr_write(a->vm, a->base + i * PG,
			    pr_key(a->region, i, ver[i]))) != 0) {
				a->fail = "rewrite";
				goto out;
			}
		}
		for (i = 0; i < a->npages; i++)
			if (pr_check(a->vm, a->base + i * PG,
			    pr_key(a->region, i, ver[i]), "thread") != 0) {
				a->fail = "read back";
				goto out;
			}
	}
out:
	free(ver);
	return NULL;
}

/*
 * Four threads in address spaces of their own and two sharing one, with
 * the page daemon thread: every byte comes back as written.
 */
TEST(pressure_threads_checksums)
{
	struct bvm_params par;
	struct bvm_system *sys;
	struct bvm_vmspace *vms[PT_THREADS];
	struct pt_arg args[PT_THREADS];
	pthread_t t[PT_THREADS];
	struct bvm_stats st;
	uint64_t per = PR_SMALL ? 2048 : 40960, va;
	const char *sw;
	int i;

	bvm_params_init(&par);
	par.npages = PR_SMALL ? 2048 : 16384;
	ASSERT_OK(bvm_system_create(&par, &sys));
	sw = pr_swapfile("tswap", per * PT_THREADS + 8192);
	ASSERT_OK(bvm_swapon(sys, sw, 0));
	for (i = 0; i < PT_THREADS - 1; i++)
		ASSERT_OK(bvm_vmspace_create(sys, &vms[i]));
	vms[PT_THREADS - 1] = vms[PT_THREADS - 2];   /* two share one */
	for (i = 0; i < PT_THREADS; i++) {
		memset(&args[i], 0, sizeof(args[i]));
		args[i].vm = vms[i];
		ASSERT_OK(bvm_mmap(vms[i], 0, per * PG, RW, BVM_MAP_ANON |
		    BVM_MAP_PRIVATE, -1, 0, &va));
		args[i].base = va;
		args[i].npages = per;
		args[i].region = 10 + (uint64_t)i;
		args[i].seed = 0x1234567ULL * (uint64_t)(i + 1);
		args[i].rounds = 2;
	}
	for (i = 0; i < PT_THREADS; i++)
		ASSERT_EQ(pthread_create(&t[i], NULL, pt_run, &args[i]), 0);
	for (i = 0; i < PT_THREADS; i++)
		ASSERT_EQ(pthread_join(t[i], NULL), 0);
	st = tstats(sys);
	for (i = 0; i < PT_THREADS; i++)
		if (args[i].fail != NULL)
			fprintf(stderr, "free %llu active %llu inactive %llu "
			    "swpginuse %llu/%llu pdnoswap %llu pdbusy %llu "
			    "pdreact %llu pdsync %llu pdfreed %llu\n",
			    (unsigned long long)st.free,
			    (unsigned long long)st.active,
			    (unsigned long long)st.inactive,
			    (unsigned long long)st.swpginuse,
			    (unsigned long long)st.swpages,
			    (unsigned long long)st.pdnoswap,
			    (unsigned long long)st.pdbusy,
			    (unsigned long long)st.pdreact,
			    (unsigned long long)st.pdsync,
			    (unsigned long long)st.pdfreed);
	for (i = 0; i < PT_THREADS; i++)
		if (args[i].fail != NULL)
			bvm_test_fail(__FILE__, __LINE__, "thread %d: %s: %s", i,
			    args[i].fail, bvm_errname(args[i].error));
	st = tstats(sys);
	ASSERT_TRUE(st.pswpout >= per * PT_THREADS - par.npages);
	ASSERT_EQ(st.swap_errors, 0);
	pr_syscheck(sys, "threads");
	for (i = 0; i < PT_THREADS - 1; i++)
		bvm_vmspace_destroy(vms[i]);
	st = tstats(sys);
	ASSERT_EQ(st.swpginuse, 0);
	ASSERT_EQ(st.free, par.npages);
	bvm_system_destroy(sys);
	unlink(sw);
}

/* ---------------------------------------------------------------------
 * A store in flight while its page is unmapped and paged out.
 * ------------------------------------------------------------------- */

static struct {
	struct bvm_vmspace *a;
	uint64_t va;
	unsigned char *src;
	int werr, merr;
} inf;

static void
inf_sleep(int ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* the copy inside bvm_write faults on src: hold it there a while */
static void
inf_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	inf_sleep(300);
	mprotect(inf.src, PG, PROT_READ | PROT_WRITE);
}

static void *
inf_writer(void *arg)
{
	struct bvm_fault_info fi;

	(void)arg;
	inf.werr = bvm_write(inf.a, inf.va, inf.src, PG, &fi);
	return NULL;
}

static void *
inf_unmapper(void *arg)
{
	(void)arg;
	inf_sleep(60);
	inf.merr = bvm_munmap(inf.a, inf.va, PG);
	return NULL;
}

/*
 * Thread 1 stores a page through vmspace A, held in the middle of its copy
 * (its source faults, and the handler waits); thread 2 unmaps the page, and
 * waits for thread 1's access; meanwhile the page daemon runs.  It must not
 * free the frame under the store: if it did, the frame would next serve a
 * file page of vmspace B, and thread 1's bytes would land in the file.
 */
TEST(pressure_pageout_waits_for_store_in_flight)
{
	struct bvm_params par;
	struct bvm_system *sys;
	struct bvm_vmspace *b;
	struct bvm_fault_info fi;
	struct sigaction sa, old;
	unsigned char buf[BVM_PAGE_SIZE];
	const char *fpath = pr_path("inflight");
	pthread_t t1, t2;
	uint64_t vb, freed;
	size_t nr, i;
	int ff;

	bvm_params_init(&par);
	par.npages = 256;
	par.flags = BVM_SYS_NOPDAEMON;
	ASSERT_OK(bvm_system_create(&par, &sys));
	ASSERT_OK(bvm_swapon(sys, pr_swapfile("inflight.sw", 1024), 0));
	ff = open(fpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_TRUE(ff >= 0);
	memset(buf, 0x11, sizeof(buf));
	ASSERT_OK(bvm_file_write(sys, ff, buf, PG, 0));
	ASSERT_OK(bvm_vmspace_create(sys, &inf.a));
	ASSERT_OK(bvm_vmspace_create(sys, &b));
	ASSERT_OK(bvm_mmap(inf.a, 0, PG, RW, BVM_MAP_ANON | BVM_MAP_PRIVATE,
	    -1, 0, &inf.va));
	memset(buf, 0x22, sizeof(buf));
	ASSERT_OK(bvm_write(inf.a, inf.va, buf, PG, &fi));
	ASSERT_OK(bvm_madvise(inf.a, inf.va, PG, BVM_MADV_DONTNEED));
	ASSERT_OK(bvm_mmap(b, 0, PG, RW, BVM_MAP_PRIVATE, ff, 0, &vb));
	inf.src = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(inf.src != MAP_FAILED);
	memset(inf.src, 0x55, PG);
	ASSERT_EQ(mprotect(inf.src, PG, PROT_NONE), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = inf_segv;
	sa.sa_flags = SA_SIGINFO;
	ASSERT_EQ(sigaction(SIGSEGV, &sa, &old), 0);
	ASSERT_EQ(pthread_create(&t1, NULL, inf_writer, NULL), 0);
	ASSERT_EQ(pthread_create(&t2, NULL, inf_unmapper, NULL), 0);
	inf_sleep(120);
	ASSERT_OK(bvm_pageout(sys, 1, &freed));
	ASSERT_OK(bvm_write(b, vb, "X", 1, &fi));   /* a copy of the file */
	ASSERT_EQ(pthread_join(t1, NULL), 0);
	ASSERT_EQ(pthread_join(t2, NULL), 0);
	ASSERT_EQ(sigaction(SIGSEGV, &old, NULL), 0);
	ASSERT_OK(inf.werr);
	ASSERT_OK(inf.merr);
	ASSERT_OK(bvm_file_read(sys, ff, buf, PG, 0, &nr));
	ASSERT_EQ(nr, PG);
	for (i = 0; i < PG; i++)
		ASSERT_EQ(buf[i], 0x11);
	ASSERT_OK(bvm_read(b, vb + 1, buf, PG - 1, &fi));
	for (i = 0; i < PG - 1; i++)
		ASSERT_EQ(buf[i], 0x11);
	pr_syscheck(sys, "store in flight");
	munmap(inf.src, PG);
	bvm_vmspace_destroy(inf.a);
	bvm_vmspace_destroy(b);
	close(ff);
	bvm_system_destroy(sys);
	unlink(fpath);
}
