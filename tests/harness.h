/*
 * harness.h: the bsdvm test harness.
 *
 * Tests register themselves with TEST(name) { ... }; the runner runs them in
 * name order (or those whose names contain argv[1]) and closes with the line
 * "N passed, N failed".  Assertions print both values and stop the test.
 * After every test the runner checks that the test left no system alive.
 */
#ifndef BVM_HARNESS_H
#define BVM_HARNESS_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bsdvm.h"

struct bvm_test {
	const char *name;
	const char *file;
	void (*fn)(void);
};

void bvm_test_register(const struct bvm_test *t);
void bvm_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

#define TEST(name)                                                        \
	static void test_##name(void);                                    \
	static const struct bvm_test test_desc_##name = {                 \
		#name, __FILE__, test_##name };                           \
	__attribute__((constructor)) static void test_reg_##name(void)    \
	{ bvm_test_register(&test_desc_##name); }                         \
	static void test_##name(void)

/* Integer equality; prints both values. */
#define ASSERT_EQ(a, b) do {                                              \
	long long _a = (long long)(a), _b = (long long)(b);               \
	if (_a != _b)                                                     \
		bvm_test_fail(__FILE__, __LINE__,                         \
		    "%s == %s: %lld (0x%llx) != %lld (0x%llx)", #a, #b,   \
		    _a, (unsigned long long)_a, _b, (unsigned long long)_b); \
} while (0)

#define ASSERT_NE(a, b) do {                                              \
	long long _a = (long long)(a), _b = (long long)(b);               \
	if (_a == _b)                                                     \
		bvm_test_fail(__FILE__, __LINE__, "%s != %s: both %lld",  \
		    #a, #b, _a);                                          \
} while (0)

#define ASSERT_TRUE(c) do {                                               \
	if (!(c))                                                         \
		bvm_test_fail(__FILE__, __LINE__, "%s is false", #c);     \
} while (0)

/* An errno-valued call: prints names, not numbers. */
#define ASSERT_ERR(call, err) do {                                        \
	int _e = (call), _w = (err);                                      \
	if (_e != _w)                                                     \
		bvm_test_fail(__FILE__, __LINE__, "%s: got %s, want %s",  \
		    #call, bvm_errname(_e), bvm_errname(_w));             \
} while (0)

#define ASSERT_OK(call) ASSERT_ERR(call, 0)

#define ASSERT_MEM(a, b, n) do {                                          \
	if (memcmp((a), (b), (n)) != 0)                                   \
		bvm_test_fail(__FILE__, __LINE__, "%s and %s differ",     \
		    #a, #b);                                              \
} while (0)

/*
 * Helpers over the public API.
 * tsys(npages): a system with the invariant checker on.
 * CHECK(vm): the map/amap/pmap invariants hold now.
 */
struct bvm_system *tsys(uint64_t npages);
struct bvm_vmspace *tvm(struct bvm_system *sys);
void tcheck(struct bvm_vmspace *vm, const char *file, int line);
void tsyscheck(struct bvm_system *sys, const char *file, int line);
#define CHECK(vm) tcheck((vm), __FILE__, __LINE__)
#define SYSCHECK(sys) tsyscheck((sys), __FILE__, __LINE__)

/* Map len bytes of private anonymous memory, read-write; returns address. */
uint64_t tmap(struct bvm_vmspace *vm, uint64_t len);
/* Byte at va, or -1 with *err set when the read fails. */
int tpeek(struct bvm_vmspace *vm, uint64_t va);
int tpoke(struct bvm_vmspace *vm, uint64_t va, unsigned char c);
struct bvm_stats tstats(struct bvm_system *sys);

#endif /* BVM_HARNESS_H */
