/*
 * test_threads.c: multi-threaded stress through the public API.
 *
 * stress_threads_one_vmspace: on one vmspace, four threads map, fill,
 * verify, protect and unmap regions of their own; two threads race to
 * first-touch the same pages of shared and private regions (each writes
 * its own byte lanes, so no write may be lost); one thread forks again and
 * again and checks copy-on-write isolation of a region of its own; one
 * thread works in a second vmspace of the same system.  Bounded in time;
 * contents and invariants are checked at the end, and every frame must
 * come back.
 *
 * stress_threads_cow_race: parent and child write the same copy-on-write
 * pages at the same time from two threads.
 *
 * Threads never call the assertion macros (they longjmp): they record the
 * first failure and the main thread reports it.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"

#define SPG ((uint64_t)BVM_PAGE_SIZE)
#define SRW (BVM_PROT_READ | BVM_PROT_WRITE)
#define SPRIV (BVM_MAP_ANON | BVM_MAP_PRIVATE)
#define SSHARED (BVM_MAP_ANON | BVM_MAP_SHARED)

#define RUN_SECONDS 1.5
#define NOWNERS 4
#define NRACERS 2
#define NRACE 8            /* regions raced for */
#define RACE_PAGES 32
#define LANE 64            /* bytes per racer per page */
#define FORK_PAGES 8

struct failure {
	pthread_mutex_t mtx;
	int failed;
	char msg[512];
};

static void failf(struct failure *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
failf(struct failure *f, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&f->mtx);
	if (!f->failed) {
		f->failed = 1;
		va_start(ap, fmt);
		vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&f->mtx);
}

static int
has_failed(struct failure *f)
{
	int x;

	pthread_mutex_lock(&f->mtx);
	x = f->failed;
	pthread_mutex_unlock(&f->mtx);
	return x;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char
spat(uint64_t va, unsigned seed)
{
	uint64_t x = (va + 1) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)seed * 0xff51afd7ed558ccdULL;

	x ^= x >> 31;
	return (unsigned char)(x | 1);
}

/* Fill [va, va+len) with the pattern for seed; 0 or an errno. */
static int
sfill(struct bvm_vmspace *vm, uint64_t va, uint64_t len, unsigned seed)
{
	unsigned char buf[4096];
	uint64_t done, i, n;
	int error;

	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = spat(va + done + i, seed);
		error = bvm_write(vm, va + done, buf, n, NULL);
		if (error)
			return error;
	}
	return 0;
}

/* 0 if [va, va+len) holds the pattern; else -1 (mismatch) or an errno. */
static int
sverify(struct bvm_vmspace *vm, uint64_t va, uint64_t len, unsigned seed,
    uint64_t *bad)
{
	unsigned char buf[4096];
	uint64_t done, i, n;
	int error;

	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		error = bvm_read(vm, va + done, buf, n, NULL);
		if (error) {
			*bad = va + done;
			return error;
		}
		for (i = 0; i < n; i++)
			if (buf[i] != spat(va + done + i, seed)) {
				*bad = va + done + i;
				return -1;
			}
	}
	return 0;
}

struct world {
	struct bvm_system *sys;
	struct bvm_vmspace *vm;
	struct failure fail;
	double deadline;
	uint64_t race[NRACE];        /* regions the racers fight over */
	uint64_t fork_region;
	pthread_barrier_t race_bar;
};

struct worker {
	struct world *w;
	int id;
	unsigned long iters;
};

/* Map, fill, verify, protect, verify, unmap; a few regions stay alive
 * across iterations so operations interleave. */
static void *
owner_main(void *arg)
{
	struct worker *wk = arg;
	struct world *w = wk->w;
	uint64_t keep[4] = { 0 }, keeplen[4] = { 0 }, bad;
	unsigned keepseed[4] = { 0 };
	unsigned seed;
	unsigned long it;
	int error, k;

	for (it = 0; now_s() < w->deadline && !has_failed(&w->fail); it++) {
		uint64_t len = ((it * 7 + (uint64_t)wk->id) % 8 + 1) * SPG, va = 0;
		int flags = (it % 3 == 0) ? SSHARED : SPRIV;
		unsigned char c = 0;

		seed = (unsigned)(wk->id * 100000 + it);
		error = bvm_mmap(w->vm, 0, len, SRW, flags, -1, 0, &va);
		if (error) {
			failf(&w->fail, "owner %d: mmap: %s", wk->id,
			    bvm_errname(error));
			break;
		}
		if ((error = sfill(w->vm, va, len, seed)) != 0) {
			failf(&w->fail, "owner %d: fill 0x%llx: %s", wk->id,
			    (unsigned long long)va, bvm_errname(error));
			break;
		}
		if ((error = sverify(w->vm, va, len, seed, &bad)) != 0) {
			failf(&w->fail, "owner %d: verify at 0x%llx: %d",
			    wk->id, (unsigned long long)bad, error);
			break;
		}
		if (it % 4 == 1) {
			error = bvm_mprotect(w->vm, va, len,
			    BVM_PROT_READ);
			if (error == 0 && bvm_write(w->vm, va + len - 1, &c,
			    1, NULL) != EFAULT)
				error = -1;
			if (error == 0)
				error = sverify(w->vm, va, len, seed, &bad);
			if (error) {
				failf(&w->fail, "owner %d: read-only 0x%llx: "
				    "%d", wk->id, (unsigned long long)va,
				    error);
				break;
			}
		}
		k = (int)(it % 4);
		if (keep[k] != 0) {
			error = sverify(w->vm, keep[k], keeplen[k],
			    keepseed[k], &bad);
			if (error == 0)
				error = bvm_munmap(w->vm, keep[k],
				    keeplen[k]);
			if (error) {
				failf(&w->fail, "owner %d: kept region "
				    "0x%llx: %d at 0x%llx", wk->id,
				    (unsigned long long)keep[k], error,
				    (unsigned long long)bad);
				break;
			}
		}
		keep[k] = va;
		keeplen[k] = len;
		keepseed[k] = seed;
	}
	for (k = 0; k < 4; k++)
		if (keep[k] != 0 && !has_failed(&w->fail)) {
			error = sverify(w->vm, keep[k], keeplen[k],
			    keepseed[k], &bad);
			if (error == 0)
				error = bvm_munmap(w->vm, keep[k],
				    keeplen[k]);
			if (error)
				failf(&w->fail, "owner %d: final 0x%llx: %d",
				    wk->id, (unsigned long long)keep[k],
				    error);
		}
	wk->iters = it;
	return NULL;
}

/* Both racers write their own lane of every page of each race region at
 * the same time (first touches of the same pages), then check both.  A
 * racer that fails keeps meeting the barriers, so the other never hangs. */
static void *
racer_main(void *arg)
{
	struct worker *wk = arg;
	struct world *w = wk->w;
	unsigned char lane[LANE], got[LANE];
	uint64_t p, off;
	int r, error, i, other, bad = 0;

	for (r = 0; r < NRACE; r++) {
		pthread_barrier_wait(&w->race_bar);
		for (p = 0; !bad && p < RACE_PAGES; p++) {
			/* Opposite directions, so the racers meet. */
			uint64_t pg = wk->id ? RACE_PAGES - 1 - p : p;

			off = w->race[r] + pg * SPG + (uint64_t)wk->id * LANE;
			for (i = 0; i < LANE; i++)
				lane[i] = spat(off + (uint64_t)i,
				    (unsigned)(r + 1));
			error = bvm_write(w->vm, off, lane, LANE, NULL);
			if (error) {
				failf(&w->fail, "racer %d: write 0x%llx: %s",
				    wk->id, (unsigned long long)off,
				    bvm_errname(error));
				bad = 1;
			}
		}
		pthread_barrier_wait(&w->race_bar);
		for (other = 0; !bad && other < NRACERS; other++)
			for (p = 0; !bad && p < RACE_PAGES; p++) {
				off = w->race[r] + p * SPG +
				    (uint64_t)other * LANE;
				error = bvm_read(w->vm, off, got, LANE, NULL);
				for (i = 0; error == 0 && i < LANE; i++)
					if (got[i] != spat(off + (uint64_t)i,
					    (unsigned)(r + 1)))
						error = -1;
				if (error) {
					failf(&w->fail, "racer %d: lane of %d "
					    "lost at 0x%llx (%d)", wk->id,
					    other, (unsigned long long)off,
					    error);
					bad = 1;
				}
			}
	}
	wk->iters = (unsigned long)r;
	return NULL;
}

/* Fork, check the child sees the region, write both sides, check
 * isolation, destroy the child. */
static void *
forker_main(void *arg)
{
	struct worker *wk = arg;
	struct world *w = wk->w;
	struct bvm_vmspace *child;
	uint64_t f = w->fork_region, len = FORK_PAGES * SPG, bad = 0;
	unsigned long it;
	int error;

	for (it = 0; now_s() < w->deadline && !has_failed(&w->fail); it++) {
		unsigned s = (unsigned)(3 * it + 1);

		if ((error = sfill(w->vm, f, len, s)) != 0 ||
		    (error = bvm_fork(w->vm, &child)) != 0) {
			failf(&w->fail, "forker: fill/fork: %s",
			    bvm_errname(error));
			break;
		}
		error = sverify(child, f, len, s, &bad);
		if (error == 0)
			error = sfill(child, f, len / 2, s + 1);
		if (error == 0)
			error = sfill(w->vm, f + len / 2, len / 2, s + 2);
		if (error == 0)
			error = sverify(w->vm, f, len / 2, s, &bad);
		if (error == 0)
			error = sverify(child, f + len / 2, len / 2, s, &bad);
		if (error == 0)
			error = sverify(child, f, len / 2, s + 1, &bad);
		if (error == 0)
			error = sverify(w->vm, f + len / 2, len / 2, s + 2,
			    &bad);
		if (error == 0 && bvm_check(child, NULL, 0) != 0)
			error = -2;
		bvm_vmspace_destroy(child);
		if (error) {
			failf(&w->fail, "forker: iteration %lu: %d at 0x%llx",
			    it, error, (unsigned long long)bad);
			break;
		}
	}
	wk->iters = it;
	return NULL;
}

/* A second vmspace on the same system. */
static void *
stranger_main(void *arg)
{
	struct worker *wk = arg;
	struct world *w = wk->w;
	struct bvm_vmspace *vm;
	uint64_t va, bad;
	unsigned long it;
	int error;

	if ((error = bvm_vmspace_create(w->sys, &vm)) != 0) {
		failf(&w->fail, "stranger: create: %s", bvm_errname(error));
		return NULL;
	}
	for (it = 0; now_s() < w->deadline && !has_failed(&w->fail); it++) {
		uint64_t len = (it % 16 + 1) * SPG;

		error = bvm_mmap(vm, 0, len, SRW, SPRIV, -1, 0, &va);
		if (error == 0)
			error = sfill(vm, va, len, (unsigned)it);
		if (error == 0 && it % 5 == 0)
			error = bvm_madvise(vm, va, len, BVM_MADV_FREE);
		if (error == 0 && it % 5 == 0)
			error = sfill(vm, va, len, (unsigned)it);
		if (error == 0)
			error = sverify(vm, va, len, (unsigned)it, &bad);
		if (error == 0)
			error = bvm_munmap(vm, va, len);
		if (error) {
			failf(&w->fail, "stranger: iteration %lu: %d", it,
			    error);
			break;
		}
	}
	wk->iters = it;
	if (!has_failed(&w->fail) && bvm_check(vm, NULL, 0) != 0)
		failf(&w->fail, "stranger: invariant");
	bvm_vmspace_destroy(vm);
	return NULL;
}

static struct bvm_system *
stress_sys(uint64_t npages)
{
	struct bvm_params p;
	struct bvm_system *sys;
	int error;

	/* The per-operation checker is left off for speed; the checkers
	 * run at the end. */
	bvm_params_init(&p);
	p.npages = npages;
	error = bvm_system_create(&p, &sys);
	if (error)
		bvm_test_fail(__FILE__, __LINE__, "bvm_system_create: %s",
		    bvm_errname(error));
	return sys;
}

TEST(stress_threads_one_vmspace)
{
	enum { NT = NOWNERS + NRACERS + 2 };
	struct world w;
	struct worker wk[NT];
	pthread_t th[NT];
	struct bvm_stats s0, s1;
	char msg[512];
	int i, r;

	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.fail.mtx, NULL);
	w.sys = stress_sys(4096);
	s0 = tstats(w.sys);
	ASSERT_OK(bvm_vmspace_create(w.sys, &w.vm));
	for (r = 0; r < NRACE; r++)
		ASSERT_OK(bvm_mmap(w.vm, 0, RACE_PAGES * SPG, SRW,
		    r % 2 ? SSHARED : SPRIV, -1, 0, &w.race[r]));
	ASSERT_OK(bvm_mmap(w.vm, 0, FORK_PAGES * SPG, SRW, SPRIV, -1, 0,
	    &w.fork_region));
	ASSERT_EQ(pthread_barrier_init(&w.race_bar, NULL, NRACERS), 0);
	w.deadline = now_s() + RUN_SECONDS;
	for (i = 0; i < NT; i++) {
		void *(*fn)(void *);

		wk[i].w = &w;
		wk[i].iters = 0;
		if (i < NOWNERS) {
			wk[i].id = i;
			fn = owner_main;
		} else if (i < NOWNERS + NRACERS) {
			wk[i].id = i - NOWNERS;
			fn = racer_main;
		} else if (i == NOWNERS + NRACERS) {
			wk[i].id = 0;
			fn = forker_main;
		} else {
			wk[i].id = 0;
			fn = stranger_main;
		}
		ASSERT_EQ(pthread_create(&th[i], NULL, fn, &wk[i]), 0);
	}
	for (i = 0; i < NT; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&w.race_bar);
	if (w.fail.failed)
		bvm_test_fail(__FILE__, __LINE__, "%s", w.fail.msg);
	if (getenv("BVM_STRESS_VERBOSE") != NULL)
		for (i = 0; i < NT; i++)
			fprintf(stderr, "    thread %d: %lu iterations\n", i,
			    wk[i].iters);
	/* Everyone made progress. */
	for (i = 0; i < NOWNERS; i++)
		ASSERT_TRUE(wk[i].iters > 0);
	ASSERT_TRUE(wk[NOWNERS + NRACERS].iters > 0);
	/* Only the race regions and the fork region are left. */
	{
		struct bvm_vmspace_info info;

		ASSERT_OK(bvm_vmspace_info(w.vm, &info));
		ASSERT_EQ(info.size, (NRACE * RACE_PAGES + FORK_PAGES) * SPG);
	}
	if (bvm_check(w.vm, msg, sizeof(msg)) != 0)
		bvm_test_fail(__FILE__, __LINE__, "invariant: %s", msg);
	if (bvm_system_check(w.sys, msg, sizeof(msg)) != 0)
		bvm_test_fail(__FILE__, __LINE__, "system invariant: %s", msg);
	bvm_vmspace_destroy(w.vm);
	s1 = tstats(w.sys);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.anons, 0);
	ASSERT_EQ(s1.amaps, 0);
	ASSERT_EQ(s1.vmspaces, 0);
	ASSERT_EQ(s1.map_entries, 0);
	if (bvm_system_check(w.sys, msg, sizeof(msg)) != 0)
		bvm_test_fail(__FILE__, __LINE__, "system invariant: %s", msg);
	bvm_system_destroy(w.sys);
	pthread_mutex_destroy(&w.fail.mtx);
}

struct cow_side {
	struct bvm_vmspace *vm;
	uint64_t va, len;
	unsigned seed;
	int error;
	pthread_barrier_t *bar;
};

static void *
cow_side_main(void *arg)
{
	struct cow_side *cs = arg;

	pthread_barrier_wait(cs->bar);
	cs->error = sfill(cs->vm, cs->va, cs->len, cs->seed);
	return NULL;
}

TEST(stress_threads_cow_race)
{
	struct bvm_system *sys = stress_sys(1024);
	struct bvm_vmspace *vm, *child;
	struct cow_side side[2];
	pthread_barrier_t bar;
	pthread_t th[2];
	uint64_t va, len = 32 * SPG, bad = 0;
	char msg[512];
	int round, i;

	ASSERT_OK(bvm_vmspace_create(sys, &vm));
	ASSERT_OK(bvm_mmap(vm, 0, len, SRW, SPRIV, -1, 0, &va));
	ASSERT_EQ(pthread_barrier_init(&bar, NULL, 2), 0);
	for (round = 0; round < 20; round++) {
		unsigned base = (unsigned)round * 10;

		ASSERT_OK(sfill(vm, va, len, base));
		ASSERT_OK(bvm_fork(vm, &child));
		for (i = 0; i < 2; i++) {
			side[i].vm = i ? child : vm;
			side[i].va = va;
			side[i].len = len;
			side[i].seed = base + 1 + (unsigned)i;
			side[i].error = 0;
			side[i].bar = &bar;
			ASSERT_EQ(pthread_create(&th[i], NULL, cow_side_main,
			    &side[i]), 0);
		}
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		ASSERT_OK(side[0].error);
		ASSERT_OK(side[1].error);
		if (sverify(vm, va, len, base + 1, &bad) != 0 ||
		    sverify(child, va, len, base + 2, &bad) != 0)
			bvm_test_fail(__FILE__, __LINE__, "round %d: wrong "
			    "byte at 0x%llx", round, (unsigned long long)bad);
		if (bvm_check(child, msg, sizeof(msg)) != 0 ||
		    bvm_check(vm, msg, sizeof(msg)) != 0)
			bvm_test_fail(__FILE__, __LINE__, "invariant: %s",
			    msg);
		/* Alternate which side goes away first. */
		if (round % 2)
			bvm_vmspace_destroy(child);
		else {
			struct bvm_vmspace *t = vm;

			vm = child;
			bvm_vmspace_destroy(t);
			if (sverify(vm, va, len, base + 2, &bad) != 0)
				bvm_test_fail(__FILE__, __LINE__, "round %d: "
				    "survivor lost 0x%llx", round,
				    (unsigned long long)bad);
			ASSERT_OK(sfill(vm, va, len, base + 1));
			ASSERT_EQ(sverify(vm, va, len, base + 1, &bad), 0);
		}
	}
	pthread_barrier_destroy(&bar);
	if (bvm_system_check(sys, msg, sizeof(msg)) != 0)
		bvm_test_fail(__FILE__, __LINE__, "system invariant: %s", msg);
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(tstats(sys).anons, 0);
	bvm_system_destroy(sys);
}

/*
 * stress_threads_write_vs_fork: two threads keep writing their own half
 * of the same pages and reading it back while a third thread forks the
 * vmspace again and again.  Every fork makes the pages copy-on-write; a
 * write that was in progress when the fork write-protected the page must
 * end up in the parent's copy (a real CPU store either lands before the
 * copy or faults after it), so each writer must always read back what it
 * last wrote.
 */
#define WVF_PAGES 4
#define WVF_HALF (4096 / 2)

struct wvf {
	struct bvm_vmspace *vm;
	uint64_t va;
	double deadline;
	struct failure *fail;
	int id;
	unsigned long iters;
};

static void *
wvf_writer(void *arg)
{
	struct wvf *t = arg;
	unsigned char *buf, *got;
	unsigned long it;
	uint64_t p, off;
	int error;

	buf = malloc(WVF_HALF);
	got = malloc(WVF_HALF);
	if (buf == NULL || got == NULL) {
		failf(t->fail, "writer %d: out of memory", t->id);
		free(buf);
		free(got);
		return NULL;
	}
	for (it = 0; now_s() < t->deadline && !has_failed(t->fail); it++) {
		p = it % WVF_PAGES;
		off = t->va + p * SPG + (uint64_t)t->id * WVF_HALF;
		memset(buf, (int)(it & 0xff), WVF_HALF);
		buf[0] = (unsigned char)(it >> 8);
		error = bvm_write(t->vm, off, buf, WVF_HALF, NULL);
		if (error == 0)
			error = bvm_read(t->vm, off, got, WVF_HALF, NULL);
		if (error == 0 && memcmp(buf, got, WVF_HALF) != 0) {
			size_t k = 0;

			while (buf[k] == got[k])
				k++;
			failf(t->fail, "writer %d: iteration %lu, page %llu: "
			    "own write lost: byte %zu reads 0x%02x, wrote "
			    "0x%02x", t->id, it, (unsigned long long)p, k,
			    got[k], buf[k]);
			break;
		}
		if (error) {
			failf(t->fail, "writer %d: iteration %lu, page %llu: "
			    "%s", t->id, it, (unsigned long long)p,
			    bvm_errname(error));
			break;
		}
	}
	t->iters = it;
	free(buf);
	free(got);
	return NULL;
}

static void *
wvf_forker(void *arg)
{
	struct wvf *t = arg;
	struct bvm_vmspace *child;
	unsigned long it;
	int error;

	for (it = 0; now_s() < t->deadline && !has_failed(t->fail); it++) {
		if ((error = bvm_fork(t->vm, &child)) != 0) {
			failf(t->fail, "forker: %s", bvm_errname(error));
			break;
		}
		bvm_vmspace_destroy(child);
	}
	t->iters = it;
	return NULL;
}

TEST(stress_threads_write_vs_fork)
{
	struct bvm_system *sys = stress_sys(1024);
	struct failure fail;
	struct wvf t[3];
	pthread_t th[3];
	uint64_t va;
	char msg[512];
	int i;

	memset(&fail, 0, sizeof(fail));
	pthread_mutex_init(&fail.mtx, NULL);
	memset(t, 0, sizeof(t));
	ASSERT_OK(bvm_vmspace_create(sys, &t[0].vm));
	ASSERT_OK(bvm_mmap(t[0].vm, 0, WVF_PAGES * SPG, SRW, SPRIV, -1, 0,
	    &va));
	for (i = 0; i < 3; i++) {
		t[i].vm = t[0].vm;
		t[i].va = va;
		t[i].deadline = now_s() + 1.0;
		t[i].fail = &fail;
		t[i].id = i;
		ASSERT_EQ(pthread_create(&th[i], NULL, i < 2 ? wvf_writer :
		    wvf_forker, &t[i]), 0);
	}
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	if (getenv("BVM_STRESS_VERBOSE") != NULL)
		fprintf(stderr, "    writes %lu %lu, forks %lu\n", t[0].iters,
		    t[1].iters, t[2].iters);
	if (fail.failed)
		bvm_test_fail(__FILE__, __LINE__, "%s", fail.msg);
	ASSERT_TRUE(t[2].iters > 0);
	if (bvm_check(t[0].vm, msg, sizeof(msg)) != 0)
		bvm_test_fail(__FILE__, __LINE__, "invariant: %s", msg);
	bvm_vmspace_destroy(t[0].vm);
	pthread_mutex_destroy(&fail.mtx);
	bvm_system_destroy(sys);
}
