/*
 * harness.c: the test runner (see harness.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"

#define MAX_TESTS 1024

static const struct bvm_test *tests[MAX_TESTS];
static int ntests;
static jmp_buf test_jmp;
static int verbose;

void
bvm_test_register(const struct bvm_test *t)
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "harness: too many tests\n");
		exit(2);
	}
	tests[ntests++] = t;
}

void
bvm_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	longjmp(test_jmp, 1);
}

struct bvm_system *
tsys(uint64_t npages)
{
	struct bvm_params p;
	struct bvm_system *sys;
	int error;

	bvm_params_init(&p);
	p.npages = npages;
	p.flags |= BVM_SYS_CHECK;
	error = bvm_system_create(&p, &sys);
	if (error)
		bvm_test_fail(__FILE__, __LINE__, "bvm_system_create: %s",
		    bvm_errname(error));
	return sys;
}

struct bvm_vmspace *
tvm(struct bvm_system *sys)
{
	struct bvm_vmspace *vm;
	int error;

	error = bvm_vmspace_create(sys, &vm);
	if (error)
		bvm_test_fail(__FILE__, __LINE__, "bvm_vmspace_create: %s",
		    bvm_errname(error));
	return vm;
}

void
tcheck(struct bvm_vmspace *vm, const char *file, int line)
{
	char msg[512];

	if (bvm_check(vm, msg, sizeof(msg)) != 0)
		bvm_test_fail(file, line, "invariant: %s", msg);
}

void
tsyscheck(struct bvm_system *sys, const char *file, int line)
{
	char msg[512];

	if (bvm_system_check(sys, msg, sizeof(msg)) != 0)
		bvm_test_fail(file, line, "system invariant: %s", msg);
}

uint64_t
tmap(struct bvm_vmspace *vm, uint64_t len)
{
	uint64_t va = 0;
	int error;

	error = bvm_mmap(vm, 0, len, BVM_PROT_READ | BVM_PROT_WRITE,
	    BVM_MAP_ANON | BVM_MAP_PRIVATE, -1, 0, &va);
	if (error)
		bvm_test_fail(__FILE__, __LINE__, "tmap: %s",
		    bvm_errname(error));
	return va;
}

int
tpeek(struct bvm_vmspace *vm, uint64_t va)
{
	unsigned char c;

	if (bvm_read(vm, va, &c, 1, NULL) != 0)
		return -1;
	return c;
}

int
tpoke(struct bvm_vmspace *vm, uint64_t va, unsigned char c)
{
	return bvm_write(vm, va, &c, 1, NULL);
}

struct bvm_stats
tstats(struct bvm_system *sys)
{
	struct bvm_stats st;

	bvm_stats(sys, &st);
	return st;
}

static int
cmp_tests(const void *a, const void *b)
{
	const struct bvm_test *const *x = a, *const *y = b;
	int c = strcmp((*x)->file, (*y)->file);

	return c ? c : strcmp((*x)->name, (*y)->name);
}

/* run one test; => returns 1 if it passed */
static int
run_one(const struct bvm_test *t)
{
	if (setjmp(test_jmp) == 0) {
		t->fn();
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *filter = NULL;
	int passed = 0, failed = 0, i;
	struct timespec t0, t1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else
			filter = argv[i];
	}
	qsort(tests, ntests, sizeof(tests[0]), cmp_tests);
	for (i = 0; i < ntests; i++) {
		const struct bvm_test *t = tests[i];
		int ok;

		if (filter != NULL && strstr(t->name, filter) == NULL &&
		    strstr(t->file, filter) == NULL)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ok = run_one(t);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (ok)
			passed++;
		else
			failed++;
		if (!ok || verbose)
			printf("%s %s (%.1f ms)\n", ok ? "ok  " : "FAIL",
			    t->name, (t1.tv_sec - t0.tv_sec) * 1e3 +
			    (t1.tv_nsec - t0.tv_nsec) / 1e6);
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
