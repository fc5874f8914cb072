/*
 * fuzz_api.c: a libFuzzer harness over the public API of bsdvm.
 *
 * The input is decoded as a sequence of small operations on up to three
 * vmspaces of one small system created with BVM_SYS_CHECK (so the library's
 * invariant checker runs after every call and panics on a violation):
 *
 *   byte 0          system flags (bit 0: BVM_SYS_WXALLOWED), the frame
 *                   count (bits 1-2: 256, 512, 768 or 1024), bit 3: a
 *                   second vmspace, bit 4: a swap area (a scratch file of
 *                   4096 pages), so that memory pressure pages, bit 5:
 *                   with two tiny areas (16 and 40 pages) before it; there
 *                   is no page daemon thread: runs repeat exactly
 *   then, per op    one opcode byte, then the op's arguments, each drawn
 *                   from the bytes and biased toward interesting values:
 *                   page boundaries, 0, huge lengths, misaligned and
 *                   wrapping addresses, flags with invalid bits.
 *
 * Reading past the end of the input gives zeros, so every input decodes.
 * Oracles, each an abort() the fuzzer reports:
 *   - the library's own panics (KASSERTs, the BVM_SYS_CHECK checker);
 *   - bvm_system_check() after every op and at the end;
 *   - a successful bvm_write reads back the same bytes;
 *   - after every vmspace is destroyed, every frame is free again.
 *
 * Lengths given to bvm_mmap are either small (at most 64 pages) or larger
 * than the user address space (error paths only), so no input makes the
 * library allocate absurd amounts of host memory for amaps.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "bsdvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PG          ((uint64_t)BVM_PAGE_SIZE)
#define NVM         3      /* vmspace slots */
#define NADDR       8      /* remembered addresses */
#define MAXOPS      512    /* ops per input */
#define IO_MAX      (4 * BVM_PAGE_SIZE + 64) /* bytes of one read/write */
#define MINCORE_MAX 256    /* pages of one mincore with a vector */
#define PGLIST_MAX  8      /* frames of one bvm_pglist_alloc */

struct in {
	const uint8_t *p;
	size_t n, off;
};

struct st {
	struct bvm_system *sys;
	struct bvm_vmspace *vm[NVM];
	uint64_t addr[NADDR];	/* addresses mmap returned, and fixed bases */
	unsigned naddr;
	uint64_t pgl[PGLIST_MAX];	/* frames from bvm_pglist_alloc */
	uint64_t npgl;
	unsigned char iobuf[IO_MAX], rdbuf[IO_MAX];
	unsigned char vec[MINCORE_MAX];
};

static uint8_t
u8(struct in *in)
{
	return in->off < in->n ? in->p[in->off++] : 0;
}

static uint16_t
u16(struct in *in)
{
	uint16_t v = u8(in);

	return (uint16_t)(v | (uint16_t)u8(in) << 8);
}

static uint64_t
u64(struct in *in)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)u8(in) << (8 * i);
	return v;
}

static void
fail(const char *what, const char *msg)
{
	fprintf(stderr, "fuzz_api: %s%s%s\n", what, msg ? ": " : "",
	    msg ? msg : "");
	abort();
}

static void
syscheck(struct st *s, const char *when)
{
	char msg[256];

	msg[0] = '\0';
	if (bvm_system_check(s->sys, msg, sizeof(msg)) != 0)
		fail(when, msg);
}

static void
remember(struct st *s, uint64_t a)
{
	s->addr[s->naddr % NADDR] = a;
	s->naddr++;
}

/* A vmspace slot that is live, or NULL if none is. */
static struct bvm_vmspace *
pick_vm(struct st *s, struct in *in, int *slotp)
{
	int i, slot = u8(in) % NVM;

	for (i = 0; i < NVM; i++) {
		int j = (slot + i) % NVM;

		if (s->vm[j] != NULL) {
			if (slotp != NULL)
				*slotp = j;
			return s->vm[j];
		}
	}
	return NULL;
}

static int
free_slot(struct st *s)
{
	int i;

	for (i = 0; i < NVM; i++)
		if (s->vm[i] == NULL)
			return i;
	return -1;
}

/* An address, biased toward mapped memory and boundaries. */
static uint64_t
pick_addr(struct st *s, struct in *in)
{
	uint8_t sel = u8(in);
	uint64_t k = u8(in);
	uint64_t base = s->naddr ? s->addr[(k >> 4) % NADDR] : 0x40000000ULL;

	switch (sel % 12) {
	case 0:
		return 0;
	case 1: case 2: case 3:	/* a remembered address, a page or so off */
		return base + ((k & 15) - 4) * PG;
	case 4:			/* misaligned */
		return base + (k & 15) * PG + 1 + (u8(in) % (PG - 1));
	case 5:			/* the top of user space */
		return BVM_VM_MAXUSER_ADDRESS - (k & 15) * PG;
	case 6:			/* wraps */
		return 0 - (k & 15) * PG;
	case 7:			/* a fixed base */
		return 0x10000000ULL + (k & 63) * PG;
	case 8:
		return BVM_VM_MIN_ADDRESS + (k & 7) * PG;
	case 9:			/* anything */
		return u64(in);
	case 10:		/* a page boundary anywhere */
		return u64(in) & ~(PG - 1) & 0xffffffffffffULL;
	default:
		return base;
	}
}

/* A length; huge ones only when huge is set. */
static uint64_t
pick_len(struct in *in, int huge)
{
	uint8_t sel = u8(in);
	uint64_t k = u8(in);

	switch (sel % (huge ? 10 : 6)) {
	case 0:
		return 0;
	case 1: case 2:
		return (1 + k % 16) * PG;
	case 3:
		return (1 + k % 64) * PG;
	case 4:			/* a page boundary, +-1 */
		return (k % 16) * PG + ((k & 0x80) ? PG - 1 : 1);
	case 5:
		return 1 + k % 64;
	case 6:
		return UINT64_MAX - (k & 3) * PG;
	case 7:
		return BVM_VM_MAXUSER_ADDRESS + (k & 3) * PG;
	case 8:
		return (uint64_t)1 << (47 + k % 17);
	default:
		return u64(in) | ((uint64_t)1 << 48);
	}
}

static int
pick_prot(struct in *in)
{
	uint8_t v = u8(in);

	if ((v & 0xc0) == 0xc0)	/* sometimes invalid bits */
		return (int)(v & 0x3f);
	return v & 7;
}

static const int mmap_flags[] = {
	BVM_MAP_ANON | BVM_MAP_PRIVATE,
	BVM_MAP_ANON | BVM_MAP_SHARED,
	BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_FIXED,
	BVM_MAP_ANON | BVM_MAP_SHARED | BVM_MAP_FIXED,
	BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_FIXED | BVM_MAP_NOREPLACE,
	BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_STACK,
	BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_CONCEAL,
	BVM_MAP_ANON | BVM_MAP_PRIVATE | BVM_MAP_FIXED | BVM_MAP_STACK,
};

static int
pick_flags(struct in *in)
{
	uint8_t v = u8(in);

	switch (v >> 5) {
	case 0: case 1: case 2: case 3: case 4:
		return mmap_flags[v % 8];
	case 5:			/* a known flag more or less */
		return mmap_flags[v % 8] ^ (1 << (u8(in) % 16));
	case 6:
		return (int)u16(in);
	default:
		return (int)(int32_t)(u16(in) | (uint32_t)u16(in) << 16);
	}
}

/*
 * A scratch file of 64 KiB for file mappings: created once, unlinked at
 * once (it lives as long as the descriptor).  The fuzzer must never get
 * hold of the process's other descriptors (its corpus, its logs): stores
 * through a MAP_SHARED mapping would reach them.
 */
static int
scratch_fd(void)
{
	static int fd = -1;
	char path[] = "/tmp/bvm-fuzz-XXXXXX";

	if (fd < 0 && (fd = mkstemp(path)) >= 0) {
		unlink(path);
		if (ftruncate(fd, 65536) != 0) {
			close(fd);
			fd = -1;
		}
	}
	return fd;
}

static int
pick_fd(struct in *in)
{
	uint8_t v = u8(in);

	if ((v & 0xf0) != 0xf0)
		return -1;
	switch (v & 3) {
	case 0: return -2;
	case 1: return 1 << 20;         /* never open: EBADF */
	default: return scratch_fd();
	}
}

static int64_t
pick_off(struct in *in)
{
	uint8_t v = u8(in);

	if ((v & 0xf0) != 0xf0)
		return 0;
	switch (v & 3) {
	case 0: return (int64_t)PG;
	case 1: return 1;
	case 2: return -(int64_t)PG;
	default: return (int64_t)u64(in);
	}
}

static void
op_mmap(struct st *s, struct in *in, int query)
{
	struct bvm_vmspace *vm = pick_vm(s, in, NULL);
	uint64_t addr, len, out = 0;
	int prot, flags, fd, error;
	int64_t off;

	if (vm == NULL)
		return;
	addr = pick_addr(s, in);
	len = pick_len(in, 1);
	prot = pick_prot(in);
	flags = pick_flags(in);
	fd = pick_fd(in);
	off = pick_off(in);
	if (query)
		error = bvm_mquery(vm, addr, len, prot, flags, fd, off, &out);
	else
		error = bvm_mmap(vm, addr, len, prot, flags, fd, off, &out);
	if (error == 0 && len > 64 * PG && !query)
		fail("mmap", "a huge length succeeded");
	if (error == 0)
		remember(s, out);
}

static void
op_range(struct st *s, struct in *in, uint8_t op)
{
	struct bvm_vmspace *vm = pick_vm(s, in, NULL);
	uint64_t addr, len;
	int arg;

	if (vm == NULL)
		return;
	addr = pick_addr(s, in);
	len = pick_len(in, 1);
	switch (op) {
	case 0:
		(void)bvm_munmap(vm, addr, len);
		break;
	case 1:
		(void)bvm_mprotect(vm, addr, len, pick_prot(in));
		break;
	case 2:
		arg = u8(in);
		arg = (arg & 0xf0) == 0xf0 ? (int)(int8_t)arg : arg & 3;
		(void)bvm_minherit(vm, addr, len, arg);
		break;
	case 3:
		arg = u8(in);
		arg = (arg & 0xf0) == 0xf0 ? (int)(int8_t)arg : arg % 8;
		(void)bvm_madvise(vm, addr, len, arg);
		break;
	case 4:
		(void)bvm_mlock(vm, addr, len);
		break;
	default:
		(void)bvm_munlock(vm, addr, len);
		break;
	}
}

static void
op_mincore(struct st *s, struct in *in)
{
	struct bvm_vmspace *vm = pick_vm(s, in, NULL);
	uint64_t addr, len;
	int error;

	if (vm == NULL)
		return;
	addr = pick_addr(s, in);
	len = pick_len(in, 1);
	if ((len + PG - 1) / PG > MINCORE_MAX || len > MINCORE_MAX * PG) {
		/* Too big for our vector: only the error paths, vec NULL. */
		(void)bvm_mincore(vm, addr, len, NULL);
		return;
	}
	memset(s->vec, 0xee, sizeof(s->vec));
	error = bvm_mincore(vm, addr, len, (u8(in) & 0x80) ? NULL : s->vec);
	(void)error;
}

static void
op_io(struct st *s, struct in *in, int write)
{
	struct bvm_vmspace *vm = pick_vm(s, in, NULL);
	struct bvm_fault_info info;
	uint64_t va;
	size_t len, i;
	uint8_t seed;
	int error;

	if (vm == NULL)
		return;
	va = pick_addr(s, in);
	len = (size_t)(u16(in) % (IO_MAX + 1));
	seed = u8(in);
	if (!write) {
		(void)bvm_read(vm, va, s->rdbuf, len, &info);
		return;
	}
	for (i = 0; i < len; i++)
		s->iobuf[i] = (unsigned char)(seed + i * 7);
	error = bvm_write(vm, va, s->iobuf, len, &info);
	if (error != 0 || len == 0)
		return;
	/* What was written reads back (it is readable unless write-only). */
	memset(s->rdbuf, 0, len);
	error = bvm_read(vm, va, s->rdbuf, len, &info);
	if (error == 0 && memcmp(s->rdbuf, s->iobuf, len) != 0)
		fail("write", "read back differs");
}

static void
op_fault(struct st *s, struct in *in)
{
	static const int acc[] = { BVM_PROT_READ, BVM_PROT_WRITE,
	    BVM_PROT_EXEC, BVM_PROT_READ, BVM_PROT_WRITE, 0, 3, 8 };
	struct bvm_vmspace *vm = pick_vm(s, in, NULL);
	struct bvm_fault_info info;
	uint64_t va;

	if (vm == NULL)
		return;
	va = pick_addr(s, in);
	(void)bvm_fault(vm, va, acc[u8(in) % 8], &info);
}

static void
op_setrlimit(struct st *s, struct in *in)
{
	static const uint64_t lim[] = { 0, PG, 16 * PG, 64 * 1024,
	    1 << 20, 64 * PG, BVM_RLIM_INFINITY, 3 };
	struct bvm_vmspace *vm = pick_vm(s, in, NULL);
	uint8_t v = u8(in);
	int res;

	if (vm == NULL)
		return;
	res = (v & 1) ? BVM_RLIMIT_MEMLOCK : BVM_RLIMIT_DATA;
	if ((v & 0xf0) == 0xf0)
		res = (int)(v & 0xf);
	(void)bvm_setrlimit(vm, res, lim[(v >> 1) & 7]);
}

static void
op_pglist(struct st *s, struct in *in)
{
	uint8_t v = u8(in);
	uint64_t n;

	if (s->npgl != 0) {
		if (bvm_pglist_free(s->sys, s->pgl, s->npgl) != 0)
			fail("pglist_free", NULL);
		s->npgl = 0;
		return;
	}
	n = 1 + v % PGLIST_MAX;
	if (bvm_pglist_alloc(s->sys, n, 0, UINT64_MAX, PG, 0,
	    (v & 0x40) ? 1 : (int)n, (v & 0x80) ? BVM_PLA_ZERO : 0,
	    s->pgl) == 0)
		s->npgl = n;
}

static void
run_op(struct st *s, struct in *in)
{
	uint8_t op = u8(in);
	int slot, error;
	struct bvm_vmspace *vm;

	switch (op % 22) {
	case 0: case 1: case 2:
		op_mmap(s, in, 0);
		break;
	case 3:
		op_mmap(s, in, 1);
		break;
	case 4: op_range(s, in, 0); break;	/* munmap */
	case 5: op_range(s, in, 1); break;	/* mprotect */
	case 6: op_range(s, in, 2); break;	/* minherit */
	case 7: op_range(s, in, 3); break;	/* madvise */
	case 8: op_range(s, in, 4); break;	/* mlock */
	case 9: op_range(s, in, 5); break;	/* munlock */
	case 10:
		op_mincore(s, in);
		break;
	case 11:
		if ((vm = pick_vm(s, in, NULL)) != NULL) {
			int v = u8(in);

			(void)bvm_mlockall(vm, (v & 0xf0) == 0xf0 ?
			    (int)(int8_t)v : v & 3);
		}
		break;
	case 12:
		if ((vm = pick_vm(s, in, NULL)) != NULL)
			(void)bvm_munlockall(vm);
		break;
	case 13:		/* fork, into a free slot */
		if ((vm = pick_vm(s, in, NULL)) != NULL &&
		    (slot = free_slot(s)) >= 0) {
			struct bvm_vmspace *child = NULL;

			if (bvm_fork(vm, &child) == 0)
				s->vm[slot] = child;
		}
		break;
	case 14:
		if ((vm = pick_vm(s, in, NULL)) != NULL &&
		    (error = bvm_exec(vm)) != 0)
			fail("exec", bvm_errname(error));
		break;
	case 15: case 16:
		op_io(s, in, 0);
		break;
	case 17:
		op_io(s, in, 1);
		break;
	case 18:
		op_fault(s, in);
		break;
	case 19:		/* destroy a vmspace, or create one */
		if ((slot = free_slot(s)) >= 0 && (u8(in) & 1)) {
			if (bvm_vmspace_create(s->sys, &s->vm[slot]) != 0)
				s->vm[slot] = NULL;
		} else if (pick_vm(s, in, &slot) != NULL) {
			bvm_vmspace_destroy(s->vm[slot]);
			s->vm[slot] = NULL;
		}
		break;
	case 20:
		op_setrlimit(s, in);
		break;
	default:
		/* pglist, or run the page daemon now */
		if (u8(in) & 1)
			op_pglist(s, in);
		else
			(void)bvm_pageout(s->sys, u8(in), NULL);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t npages[] = { 256, 512, 768, 1024 };
	struct bvm_params p;
	struct bvm_stats st;
	struct in in = { data, size, 0 };
	struct st *s;
	uint8_t hdr;
	int i, nops, error;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return 0;
	hdr = u8(&in);
	bvm_params_init(&p);
	p.npages = npages[(hdr >> 1) & 3];
	p.flags = BVM_SYS_CHECK | BVM_SYS_NOPDAEMON |
	    ((hdr & 1) ? BVM_SYS_WXALLOWED : 0);
	if ((error = bvm_system_create(&p, &s->sys)) != 0)
		fail("bvm_system_create", bvm_errname(error));
	if (hdr & 16) {
		/*
		 * Swap on scratch files, gone from the directory at once: one
		 * area, or (bit 5) two tiny ones before it, so that clusters
		 * and slot runs cross from one area into the next.
		 */
		static const uint64_t one[] = { 4096 }, three[] = { 16, 40,
		    4096 };
		const uint64_t *sz = (hdr & 32) ? three : one;
		int k, nk = (hdr & 32) ? 3 : 1;

		for (k = 0; k < nk; k++) {
			char path[] = "/tmp/bvm-fuzz-swap-XXXXXX";
			int fd = mkstemp(path);

			if (fd < 0)
				continue;
			if (ftruncate(fd, (off_t)(sz[k] * PG)) == 0 &&
			    (error = bvm_swapon(s->sys, path, 0)) != 0)
				fail("bvm_swapon", bvm_errname(error));
			unlink(path);
			close(fd);
		}
	}
	if (bvm_vmspace_create(s->sys, &s->vm[0]) != 0)
		fail("bvm_vmspace_create", NULL);
	if ((hdr & 8) && bvm_vmspace_create(s->sys, &s->vm[1]) != 0)
		fail("bvm_vmspace_create", NULL);

	for (nops = 0; nops < MAXOPS && in.off < in.n; nops++) {
		run_op(s, &in);
		syscheck(s, "bvm_system_check after an op");
	}

	for (i = 0; i < NVM; i++) {
		if (s->vm[i] != NULL) {
			bvm_vmspace_destroy(s->vm[i]);
			s->vm[i] = NULL;
		}
		syscheck(s, "bvm_system_check after destroy");
	}
	if (s->npgl != 0 && bvm_pglist_free(s->sys, s->pgl, s->npgl) != 0)
		fail("pglist_free", NULL);
	syscheck(s, "bvm_system_check at the end");
	bvm_stats(s->sys, &st);
	if (st.free != st.npages || st.wired != 0 || st.vmspaces != 0 ||
	    st.map_entries != 0 || st.amaps != 0 || st.anons != 0) {
		fprintf(stderr, "fuzz_api: leak: npages %llu free %llu wired "
		    "%llu vmspaces %llu entries %llu amaps %llu anons %llu\n",
		    (unsigned long long)st.npages, (unsigned long long)st.free,
		    (unsigned long long)st.wired,
		    (unsigned long long)st.vmspaces,
		    (unsigned long long)st.map_entries,
		    (unsigned long long)st.amaps, (unsigned long long)st.anons);
		abort();
	}
	bvm_system_destroy(s->sys);
	free(s);
	return 0;
}
