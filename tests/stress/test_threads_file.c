/*
 * test_threads_file.c: threads faulting, storing, syncing and reading one
 * host file at once through the vnode pager.
 *
 * stress_threads_file_shared: two vmspaces map the same file MAP_SHARED;
 * four writer threads (two per vmspace) each own a lane of every page and
 * store a counter there, page after page, round after round; one thread
 * msyncs (MS_ASYNC, now and then MS_INVALIDATE) and one reads the file
 * through the page cache (bvm_file_read), checking that every lane it sees
 * holds a value its writer has stored.  At the end the file, read with
 * pread(2), must hold each lane's last value: no store lost to a racing
 * pagein, write-back or invalidation.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define FPG ((uint64_t)BVM_PAGE_SIZE)
#define FPAGES 96
#define NWRITERS 4
#define FLANE 16        /* bytes per writer per page */
#define FSECONDS 1.0

struct fstress {
	struct bvm_system *sys;
	struct bvm_vmspace *vm[2];
	uint64_t va[2];
	int fd;
	int stop;                      /* atomic */
	int failed;                    /* atomic */
	char msg[256];
	pthread_mutex_t mtx;
	uint32_t last[NWRITERS];       /* each writer's final round */
};

#define STOPPED(st) __atomic_load_n(&(st)->stop, __ATOMIC_RELAXED)

struct fwriter {
	struct fstress *st;
	int id;
};

static void
ffail(struct fstress *st, const char *what, uint64_t a, uint64_t b)
{
	pthread_mutex_lock(&st->mtx);
	if (!__atomic_load_n(&st->failed, __ATOMIC_RELAXED)) {
		__atomic_store_n(&st->failed, 1, __ATOMIC_RELAXED);
		snprintf(st->msg, sizeof(st->msg), "%s (%llu, %llu)", what,
		    (unsigned long long)a, (unsigned long long)b);
	}
	pthread_mutex_unlock(&st->mtx);
}

static double
fnow(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
fwriter_main(void *arg)
{
	struct fwriter *w = arg;
	struct fstress *st = w->st;
	struct bvm_vmspace *vm = st->vm[w->id % 2];
	uint64_t base = st->va[w->id % 2];
	uint32_t round;
	int p;

	for (round = 1; !STOPPED(st) || round < 3; round++) {
		for (p = 0; p < FPAGES; p++) {
			uint32_t v[FLANE / 4];
			int k;

			for (k = 0; k < FLANE / 4; k++)
				v[k] = round;
			if (bvm_write(vm, base + (uint64_t)p * FPG +
			    (uint64_t)w->id * FLANE, v, sizeof(v), NULL) != 0) {
				ffail(st, "writer store failed", (uint64_t)w->id,
				    (uint64_t)p);
				return NULL;
			}
		}
		st->last[w->id] = round;
		if (round > 100000)
			break;
	}
	return NULL;
}

static void *
fsyncer_main(void *arg)
{
	struct fstress *st = arg;
	int n = 0, e;

	while (!STOPPED(st)) {
		e = bvm_msync(st->vm[n % 2], st->va[n % 2], FPAGES * FPG,
		    n % 7 == 6 ? BVM_MS_ASYNC | BVM_MS_INVALIDATE :
		    BVM_MS_ASYNC);
		if (e != 0) {
			ffail(st, "msync failed", (uint64_t)e, (uint64_t)n);
			return NULL;
		}
		n++;
	}
	return NULL;
}

static void *
freader_main(void *arg)
{
	struct fstress *st = arg;
	static __thread uint8_t buf[FPAGES * BVM_PAGE_SIZE];
	size_t got;
	int p, k;

	while (!STOPPED(st)) {
		if (bvm_file_read(st->sys, st->fd, buf, sizeof(buf), 0, &got) !=
		    0 || got != sizeof(buf)) {
			ffail(st, "file read failed", got, 0);
			return NULL;
		}
		/* a lane is all one round (stores are 16-byte copies) or 0 */
		for (p = 0; p < FPAGES; p++)
			for (k = 0; k < NWRITERS; k++) {
				uint32_t v0, v1;

				memcpy(&v0, buf + (uint64_t)p * FPG +
				    (uint64_t)k * FLANE, 4);
				memcpy(&v1, buf + (uint64_t)p * FPG +
				    (uint64_t)k * FLANE + 12, 4);
				if (v0 > 100001 || v1 > 100001)
					ffail(st, "garbage in a lane", v0, v1);
			}
	}
	return NULL;
}

TEST(stress_threads_file_shared)
{
	struct bvm_params prm;
	struct fstress st;
	struct fwriter w[NWRITERS];
	pthread_t wt[NWRITERS], syncer, reader;
	char dir[] = "/tmp/bvm-tfile-XXXXXX", path[64];
	uint8_t *page = calloc(1, FPG);
	double t0;
	int i, p, fd2;

	memset(&st, 0, sizeof(st));
	pthread_mutex_init(&st.mtx, NULL);
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/f", dir);
	st.fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_TRUE(st.fd >= 0);
	ASSERT_EQ(ftruncate(st.fd, (off_t)(FPAGES * FPG)), 0);
	fd2 = open(path, O_RDWR);
	ASSERT_TRUE(fd2 >= 0);
	bvm_params_init(&prm);
	prm.npages = 1024;
	ASSERT_OK(bvm_system_create(&prm, &st.sys));
	for (i = 0; i < 2; i++) {
		ASSERT_OK(bvm_vmspace_create(st.sys, &st.vm[i]));
		ASSERT_OK(bvm_mmap(st.vm[i], 0, FPAGES * FPG,
		    BVM_PROT_READ | BVM_PROT_WRITE, BVM_MAP_SHARED,
		    i == 0 ? st.fd : fd2, 0, &st.va[i]));
	}
	for (i = 0; i < NWRITERS; i++) {
		w[i].st = &st;
		w[i].id = i;
		ASSERT_EQ(pthread_create(&wt[i], NULL, fwriter_main, &w[i]), 0);
	}
	ASSERT_EQ(pthread_create(&syncer, NULL, fsyncer_main, &st), 0);
	ASSERT_EQ(pthread_create(&reader, NULL, freader_main, &st), 0);
	t0 = fnow();
	while (fnow() - t0 < FSECONDS &&
	    !__atomic_load_n(&st.failed, __ATOMIC_RELAXED))
		usleep(10000);
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < NWRITERS; i++)
		pthread_join(wt[i], NULL);
	pthread_join(syncer, NULL);
	pthread_join(reader, NULL);
	if (st.failed)
		bvm_test_fail(__FILE__, __LINE__, "%s", st.msg);

	ASSERT_OK(bvm_msync(st.vm[0], st.va[0], FPAGES * FPG, BVM_MS_SYNC));
	ASSERT_OK(bvm_system_check(st.sys, NULL, 0));
	for (p = 0; p < FPAGES; p++) {
		ASSERT_EQ(pread(st.fd, page, FPG, (off_t)((uint64_t)p * FPG)),
		    (long long)FPG);
		for (i = 0; i < NWRITERS; i++) {
			uint32_t v;

			memcpy(&v, page + (uint64_t)i * FLANE, 4);
			ASSERT_EQ(v, st.last[i]);
			memcpy(&v, page + (uint64_t)i * FLANE + FLANE - 4, 4);
			ASSERT_EQ(v, st.last[i]);
		}
	}
	bvm_vmspace_destroy(st.vm[0]);
	bvm_vmspace_destroy(st.vm[1]);
	bvm_system_destroy(st.sys);
	close(st.fd);
	close(fd2);
	unlink(path);
	rmdir(dir);
	free(page);
	pthread_mutex_destroy(&st.mtx);
}
