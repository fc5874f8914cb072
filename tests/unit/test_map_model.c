/*
 * test_map_model.c: random map operations against a reference model.
 *
 * A model keeps, per page of a small window, whether it is mapped, its
 * protection and the byte last written there.  Random mmap(FIXED), mmap
 * (placed), munmap, mprotect, minherit, reads and writes are applied to
 * both; after each step the vmspace's invariants (tree order and free-space
 * augmentation, amaps, pmap) are checked, and the model must agree with
 * mincore, reads, and with where first-fit placement puts new mappings.
 */
#include <stdlib.h>

#include "harness.h"

#define NPG   256                       /* pages in the window */
#define BASE  0x40000000ULL             /* the mmap base: placement starts here */

struct model {
	int mapped[NPG];
	int prot[NPG];
	unsigned char byte[NPG];
};

static uint64_t rng = 88172645463325252ULL;
static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* first-fit from BASE in the model, as uvm_map_findspace does */
static int
model_findspace(struct model *m, int npages)
{
	int i, run = 0;

	for (i = 0; i < NPG; i++) {
		run = m->mapped[i] ? 0 : run + 1;
		if (run == npages)
			return i - npages + 1;
	}
	return -1;
}

static void
model_check(struct bvm_vmspace *vm, struct model *m)
{
	unsigned char vec[NPG];
	int i;

	for (i = 0; i < NPG; i++) {
		uint64_t va = BASE + (uint64_t)i * BVM_PAGE_SIZE;
		unsigned char c;
		struct bvm_fault_info fi;
		int e = bvm_read(vm, va, &c, 1, &fi);

		if (!m->mapped[i]) {
			ASSERT_ERR(e, EFAULT);
			ASSERT_EQ(fi.code, BVM_SEGV_MAPERR);
			ASSERT_ERR(bvm_mincore(vm, va, BVM_PAGE_SIZE, vec), ENOMEM);
		} else if (!(m->prot[i] & BVM_PROT_READ)) {
			ASSERT_ERR(e, EFAULT);
			ASSERT_EQ(fi.code, BVM_SEGV_ACCERR);
		} else {
			ASSERT_OK(e);
			ASSERT_EQ(c, m->byte[i]);
		}
	}
}

TEST(map_model_random)
{
	struct bvm_system *sys = tsys(2048);
	struct bvm_vmspace *vm = tvm(sys);
	struct model m;
	int step;

	memset(&m, 0, sizeof(m));
	for (step = 0; step < 3000; step++) {
		int op = (int)(rnd() % 7);
		int s = (int)(rnd() % NPG);
		int n = 1 + (int)(rnd() % 16);
		int prot = (int)(rnd() % 4);   /* NONE, R, W(=RW), RW */
		uint64_t va = BASE + (uint64_t)s * BVM_PAGE_SIZE, got;
		int i;

		if (s + n > NPG)
			n = NPG - s;
		if (prot == BVM_PROT_WRITE)
			prot |= BVM_PROT_READ;
		switch (op) {
		case 0: /* mmap FIXED: replaces */
			ASSERT_OK(bvm_mmap(vm, va, (uint64_t)n * BVM_PAGE_SIZE,
			    prot, BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_FIXED,
			    -1, 0, &got));
			ASSERT_EQ(got, va);
			for (i = s; i < s + n; i++) {
				m.mapped[i] = 1;
				m.prot[i] = prot;
				m.byte[i] = 0;
			}
			break;
		case 1: { /* mmap placed: first fit from the base */
			int at = model_findspace(&m, n);
			if (at < 0)
				break;
			ASSERT_OK(bvm_mmap(vm, 0, (uint64_t)n * BVM_PAGE_SIZE,
			    prot, BVM_MAP_ANON | BVM_MAP_PRIVATE, -1, 0, &got));
			ASSERT_EQ(got, BASE + (uint64_t)at * BVM_PAGE_SIZE);
			for (i = at; i < at + n; i++) {
				m.mapped[i] = 1;
				m.prot[i] = prot;
				m.byte[i] = 0;
			}
			break;
		}
		case 2: { /* munmap: refused if any page is a hole */
			int hole = 0;
			for (i = s; i < s + n; i++)
				hole |= !m.mapped[i];
			ASSERT_ERR(bvm_munmap(vm, va, (uint64_t)n * BVM_PAGE_SIZE),
			    hole ? EINVAL : 0);
			if (!hole)
				for (i = s; i < s + n; i++)
					m.mapped[i] = 0;
			break;
		}
		case 3: /* mprotect: holes skipped */
			ASSERT_OK(bvm_mprotect(vm, va, (uint64_t)n * BVM_PAGE_SIZE,
			    prot));
			for (i = s; i < s + n; i++)
				if (m.mapped[i])
					m.prot[i] = prot;
			break;
		case 4: /* minherit */
			ASSERT_OK(bvm_minherit(vm, va, (uint64_t)n * BVM_PAGE_SIZE,
			    (int)(rnd() % 3)));
			break;
		case 5: /* write a byte */
		case 6: {
			unsigned char c = (unsigned char)(1 + rnd() % 255);
			int e = bvm_write(vm, va, &c, 1, NULL);
			if (m.mapped[s] && (m.prot[s] & BVM_PROT_WRITE)) {
				ASSERT_OK(e);
				m.byte[s] = c;
			} else
				ASSERT_ERR(e, EFAULT);
			break;
		}
		}
		if (step % 50 == 0)
			model_check(vm, &m);
	}
	model_check(vm, &m);
	SYSCHECK(sys);
	bvm_vmspace_destroy(vm);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/*
 * Many entries: the free-space augmentation must find holes anywhere, and
 * lookups must work with thousands of entries in the tree.
 */
TEST(map_many_entries_findspace)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_vmspace_info info;
	uint64_t va, got;
	int i;

	/* 4000 one-page mappings with one-page gaps: no merging possible */
	for (i = 0; i < 4000; i++) {
		va = BASE + (uint64_t)i * 2 * BVM_PAGE_SIZE;
		ASSERT_OK(bvm_mmap(vm, va, BVM_PAGE_SIZE, BVM_PROT_READ,
		    BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_FIXED, -1, 0,
		    &got));
	}
	ASSERT_OK(bvm_vmspace_info(vm, &info));
	ASSERT_EQ(info.nentries, 4000);
	/* a one-page hole is found at the first gap */
	ASSERT_OK(bvm_mmap(vm, 0, BVM_PAGE_SIZE, BVM_PROT_READ,
	    BVM_MAP_ANON | BVM_MAP_PRIVATE, -1, 0, &got));
	ASSERT_EQ(got, BASE + BVM_PAGE_SIZE);
	/* a two-page hole only after the last mapping */
	ASSERT_OK(bvm_mmap(vm, 0, 2 * BVM_PAGE_SIZE, BVM_PROT_READ,
	    BVM_MAP_ANON | BVM_MAP_PRIVATE | 0, -1, 0, &got));
	ASSERT_EQ(got, BASE + 8000ULL * BVM_PAGE_SIZE - BVM_PAGE_SIZE);
	/* open a 3-page hole in the middle: the next 3-page mmap lands there */
	ASSERT_OK(bvm_munmap(vm, BASE + 2000ULL * 2 * BVM_PAGE_SIZE,
	    BVM_PAGE_SIZE));
	ASSERT_OK(bvm_mmap(vm, 0, 3 * BVM_PAGE_SIZE, BVM_PROT_READ,
	    BVM_MAP_ANON | BVM_MAP_PRIVATE, -1, 0, &got));
	ASSERT_EQ(got, BASE + (2000ULL * 2 - 1) * BVM_PAGE_SIZE);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Adjacent anonymous mappings of the same kind merge into one entry. */
TEST(map_merge_adjacent)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_vmspace_info info;
	uint64_t a, b, c;

	ASSERT_OK(bvm_mmap(vm, BASE, BVM_PAGE_SIZE, BVM_PROT_READ,
	    BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_FIXED, -1, 0, &a));
	ASSERT_OK(bvm_mmap(vm, BASE + 2 * BVM_PAGE_SIZE, BVM_PAGE_SIZE,
	    BVM_PROT_READ, BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_FIXED, -1,
	    0, &c));
	ASSERT_OK(bvm_vmspace_info(vm, &info));
	ASSERT_EQ(info.nentries, 2);
	/* filling the hole joins all three */
	ASSERT_OK(bvm_mmap(vm, BASE + BVM_PAGE_SIZE, BVM_PAGE_SIZE,
	    BVM_PROT_READ, BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_FIXED, -1,
	    0, &b));
	ASSERT_OK(bvm_vmspace_info(vm, &info));
	ASSERT_EQ(info.nentries, 1);
	ASSERT_EQ(info.size, 3 * BVM_PAGE_SIZE);
	/* a different protection does not merge */
	ASSERT_OK(bvm_mmap(vm, BASE + 3 * BVM_PAGE_SIZE, BVM_PAGE_SIZE,
	    BVM_PROT_READ | BVM_PROT_WRITE,
	    BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_FIXED, -1, 0, &b));
	ASSERT_OK(bvm_vmspace_info(vm, &info));
	ASSERT_EQ(info.nentries, 2);
	CHECK(vm);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
