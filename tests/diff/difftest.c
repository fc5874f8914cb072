/*
 * difftest.c: differential tester of bsdvm against the host kernel.
 *
 * Random sequences of mmap/munmap/mprotect/minherit/madvise/mincore/fork and
 * byte reads and writes are applied both to bsdvm vmspaces (public API only,
 * BVM_SYS_CHECK on) and to a forked host process (and its forked child) that
 * performs the same system calls inside a fixed window of addresses.  Every
 * return value, errno, byte read, mincore vector and fault outcome is
 * compared.  Where OpenBSD and Linux legitimately differ, the expectation is
 * mapped (see docs/difftest.md); nothing else may differ.  On a divergence
 * the sequence is shrunk (delta debugging) and a reproducer is printed.
 *
 *   bvm_difftest [-n sequences] [-s seed] [-l ops] [-v]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bsdvm.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif

#define PGSZ        4096u
#define WIN_BASE    ((uint64_t)0x200000000000ULL) /* free in the host child */
#define WIN_PAGES   128u              /* < 2 MiB: no THP possible */
#define WIN_SIZE    ((uint64_t)WIN_PAGES * PGSZ)
#define MAXIO       (3 * PGSZ)
#define MAXRUNS     WIN_PAGES
#define MAXOPS      4096
#define REPLY_TMO   10000             /* ms */

/* ------------------------------------------------------------------ */
/* Operations.                                                         */

enum { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MINHERIT, OP_MADVISE, OP_MINCORE,
	OP_READ, OP_WRITE, OP_FORK, OP_NKINDS };
static const char *opnames[] = { "mmap", "munmap", "mprotect", "minherit",
	"madvise", "mincore", "read", "write", "fork" };

struct op {
	int kind;
	int proc;         /* 0 or 1 */
	uint64_t off;     /* byte offset in the window */
	uint64_t len;
	int prot;         /* BVM_PROT_* */
	int flags;        /* BVM_MAP_* */
	int arg;          /* inherit / advice */
	uint32_t seed;    /* write pattern */
};

/* ------------------------------------------------------------------ */
/* The host side: a forked child reading requests from a pipe.         */

enum { H_MMAP, H_MUNMAP, H_MPROTECT, H_MADVISE, H_MINCORE, H_READ, H_WRITE,
	H_FORK, H_EXIT };

struct hreq {
	int kind, proc;
	uint64_t addr, len;
	int prot, flags, arg, arg2;
	int nruns;                    /* H_MPROTECT/H_MADVISE: runs */
	uint64_t runs[2 * MAXRUNS];
	unsigned char data[MAXIO];
};

struct hrep {
	int rc;                       /* 0 or errno */
	uint64_t addr;
	int fcode;                    /* si_code of a fault, 0 if none */
	int fsig;
	uint64_t faddr;
	unsigned char data[MAXIO];
};

static sigjmp_buf h_jmp;
static volatile sig_atomic_t h_code, h_sig;
static volatile uintptr_t h_addr;

static void
h_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	h_sig = sig;
	h_code = si->si_code;
	h_addr = (uintptr_t)si->si_addr;
	siglongjmp(h_jmp, 1);
}

static int
xread(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
xwrite(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	while (n > 0) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Copy with a fault handler; returns 0 or 1 with h_* set. */
__attribute__((no_sanitize_address, noinline)) static int
h_copy(volatile unsigned char *dst, volatile const unsigned char *src,
    size_t len)
{
	volatile size_t i = 0;

	if (sigsetjmp(h_jmp, 1) != 0)
		return 1;
	for (i = 0; i < len; i++)
		dst[i] = src[i];
	return 0;
}

static void host_loop(int in, int out);
static int h_pin = -1, h_pout = -1;  /* the host's own request pipes */

static void
host_fork(struct hrep *rp, int *cin, int *cout, pid_t *cpid)
{
	int p1[2], p2[2];
	pid_t pid;

	if (pipe(p1) != 0 || pipe(p2) != 0) {
		rp->rc = errno;
		return;
	}
	pid = fork();
	if (pid < 0) {
		rp->rc = errno;
		close(p1[0]); close(p1[1]); close(p2[0]); close(p2[1]);
		return;
	}
	if (pid == 0) {
		close(p1[1]);
		close(p2[0]);
		close(h_pin);
		close(h_pout);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		host_loop(p1[0], p2[1]);
		_exit(0);
	}
	close(p1[0]);
	close(p2[1]);
	*cin = p2[0];
	*cout = p1[1];
	*cpid = pid;
	rp->rc = 0;
}

static void
host_do(struct hreq *rq, struct hrep *rp)
{
	void *p;
	int i, r;

	memset(rp, 0, sizeof(*rp));
	switch (rq->kind) {
	case H_MMAP:
		p = mmap((void *)(uintptr_t)rq->addr, rq->len, rq->prot,
		    rq->flags, -1, 0);
		if (p == MAP_FAILED) {
			rp->rc = errno;
			break;
		}
		rp->addr = (uintptr_t)p;
		if (!(rq->flags & MAP_FIXED) && rp->addr != rq->addr)
			munmap(p, rq->len);  /* not at the hint: take it back */
		break;
	case H_MUNMAP:
		if (munmap((void *)(uintptr_t)rq->addr, rq->len) != 0)
			rp->rc = errno;
		break;
	case H_MPROTECT:
	case H_MADVISE:
		for (i = 0; i < rq->nruns; i++) {
			void *a = (void *)(uintptr_t)rq->runs[2 * i];
			size_t l = rq->runs[2 * i + 1];

			if (rq->kind == H_MPROTECT)
				r = mprotect(a, l, rq->prot);
			else {
				r = madvise(a, l, rq->arg);
				if (r == 0 && rq->arg2 >= 0)
					r = madvise(a, l, rq->arg2);
			}
			if (r != 0) {
				rp->rc = errno;
				break;
			}
		}
		break;
	case H_MINCORE:
		if (mincore((void *)(uintptr_t)rq->addr, rq->len,
		    rp->data) != 0)
			rp->rc = errno;
		break;
	case H_READ:
	case H_WRITE:
		h_sig = h_code = 0;
		if (rq->kind == H_READ)
			r = h_copy(rp->data,
			    (volatile const unsigned char *)(uintptr_t)rq->addr,
			    rq->len);
		else
			r = h_copy((volatile unsigned char *)(uintptr_t)rq->addr,
			    rq->data, rq->len);
		if (r) {
			rp->rc = EFAULT;
			rp->fsig = h_sig;
			rp->fcode = h_code;
			rp->faddr = h_addr;
		}
		break;
	default:
		rp->rc = EINVAL;
	}
}

static void
host_loop(int in, int out)
{
	static struct hreq rq;
	static struct hrep rp;
	int cin = -1, cout = -1;
	pid_t cpid = -1;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = h_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	for (;;) {
		if (xread(in, &rq, sizeof(rq)) != 0)
			break;
		if (rq.kind == H_EXIT)
			break;
		if (rq.proc == 1) {
			/* relay to the forked child */
			if (cpid < 0) {
				memset(&rp, 0, sizeof(rp));
				rp.rc = ESRCH;
			} else if ((rq.proc = 0) != 0 ||
			    xwrite(cout, &rq, sizeof(rq)) != 0 ||
			    xread(cin, &rp, sizeof(rp)) != 0) {
				memset(&rp, 0, sizeof(rp));
				rp.rc = EPIPE;
			}
		} else if (rq.kind == H_FORK) {
			memset(&rp, 0, sizeof(rp));
			if (cpid >= 0)
				rp.rc = EBUSY;
			else
				host_fork(&rp, &cin, &cout, &cpid);
		} else
			host_do(&rq, &rp);
		if (xwrite(out, &rp, sizeof(rp)) != 0)
			break;
	}
	if (cpid >= 0) {
		close(cout);  /* the child reads EOF and exits */
		close(cin);
		waitpid(cpid, NULL, 0);
	}
}

struct host {
	pid_t pid;
	int in, out;  /* read replies from in, write requests to out */
};

static int
host_start(struct host *h)
{
	int p1[2], p2[2];

	fflush(stdout);
	fflush(stderr);
	if (pipe(p1) != 0)
		return -1;
	if (pipe(p2) != 0) {
		close(p1[0]); close(p1[1]);
		return -1;
	}
	h->pid = fork();
	if (h->pid < 0) {
		close(p1[0]); close(p1[1]); close(p2[0]); close(p2[1]);
		return -1;
	}
	if (h->pid == 0) {
		close(p1[1]);
		close(p2[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
		munmap((void *)(uintptr_t)WIN_BASE, WIN_SIZE);
		h_pin = p1[0];
		h_pout = p2[1];
		host_loop(p1[0], p2[1]);
		_exit(0);
	}
	close(p1[0]);
	close(p2[1]);
	h->out = p1[1];
	h->in = p2[0];
	return 0;
}

static void
host_stop(struct host *h, int force)
{
	struct hreq *rq;

	if (h->pid <= 0)
		return;
	if (!force) {
		rq = calloc(1, sizeof(*rq));
		if (rq != NULL) {
			rq->kind = H_EXIT;
			(void)xwrite(h->out, rq, sizeof(*rq));
			free(rq);
		}
	} else
		kill(h->pid, SIGKILL);
	close(h->out);
	close(h->in);
	waitpid(h->pid, NULL, 0);
	h->pid = -1;
}

/* Send a request, wait (bounded) for the reply.  -1: the host is gone. */
static int
host_call(struct host *h, struct hreq *rq, struct hrep *rp)
{
	struct pollfd pfd;
	int r;

	if (xwrite(h->out, rq, sizeof(*rq)) != 0)
		return -1;
	pfd.fd = h->in;
	pfd.events = POLLIN;
	do
		r = poll(&pfd, 1, REPLY_TMO);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	return xread(h->in, rp, sizeof(*rp));
}

/* ------------------------------------------------------------------ */
/* The shadow: what each process has mapped in the window, per page.   */

struct spage {
	unsigned char mapped, prot, shared, inherit;
	unsigned char undef;  /* residency not comparable (see docs) */
};

struct shadow {
	struct spage pg[WIN_PAGES];
};

/* ------------------------------------------------------------------ */
/* One sequence run.                                                   */

struct ctx {
	struct bvm_system *sys;
	struct bvm_vmspace *vm[2];
	struct shadow sh[2];
	int nprocs;
	int forked;
	struct host host;
	struct hreq rq;
	struct hrep rp;
	int verbose;
	char msg[512];
};

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rndn(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void
fail(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
}

static const char *
ename(int e)
{
	static char b[4][32];
	static int k;
	const char *n;

	if (e == 0)
		return "0";
	n = bvm_errname(e);
	if (n != NULL && strchr(n, '?') == NULL)
		return n;
	k = (k + 1) % 4;
	snprintf(b[k], sizeof(b[k]), "errno %d", e);
	return b[k];
}

/* Page range [p0, p1) of a byte range, rounded as ALIGN_ADDR does. */
static void
prange(uint64_t off, uint64_t len, uint64_t *p0, uint64_t *p1)
{
	*p0 = off / PGSZ;
	*p1 = (off + len + PGSZ - 1) / PGSZ;
	if (*p1 > WIN_PAGES)
		*p1 = WIN_PAGES;
	if (*p0 > *p1)
		*p0 = *p1;
}

static int
has_hole(const struct shadow *s, uint64_t p0, uint64_t p1)
{
	for (uint64_t p = p0; p < p1; p++)
		if (!s->pg[p].mapped)
			return 1;
	return 0;
}

/* The mapped runs of [p0, p1) into rq->runs. */
static void
make_runs(const struct shadow *s, uint64_t p0, uint64_t p1, struct hreq *rq)
{
	uint64_t p = p0;

	rq->nruns = 0;
	while (p < p1) {
		uint64_t q;

		while (p < p1 && !s->pg[p].mapped)
			p++;
		if (p >= p1)
			break;
		for (q = p; q < p1 && s->pg[q].mapped; q++)
			;
		rq->runs[2 * rq->nruns] = WIN_BASE + p * PGSZ;
		rq->runs[2 * rq->nruns + 1] = (q - p) * PGSZ;
		rq->nruns++;
		p = q;
	}
}

static int
lx_prot(int prot)
{
	return ((prot & BVM_PROT_READ) ? PROT_READ : 0) |
	    ((prot & BVM_PROT_WRITE) ? PROT_WRITE : 0) |
	    ((prot & BVM_PROT_EXEC) ? PROT_EXEC : 0);
}

static int
lx_flags(int f)
{
	int l = 0;

	if (f & BVM_MAP_SHARED)
		l |= MAP_SHARED;
	if (f & BVM_MAP_PRIVATE)
		l |= MAP_PRIVATE;
	if (f & BVM_MAP_ANON)
		l |= MAP_ANONYMOUS;
	if ((f & BVM_MAP_FIXED) && (f & BVM_MAP_NOREPLACE))
		l |= MAP_FIXED_NOREPLACE;
	else if (f & BVM_MAP_FIXED)
		l |= MAP_FIXED;
	return l;
}

/*
 * Is op applicable in the current state?  Ops generated for one state can
 * become inapplicable when the shrinker removes others; they are skipped.
 */
static int
applicable(const struct ctx *c, const struct op *o)
{
	const struct shadow *s;
	uint64_t p0, p1, p;

	if (o->kind == OP_FORK)
		return c->nprocs == 1;
	if (o->proc >= c->nprocs)
		return 0;
	s = &c->sh[o->proc];
	if (o->kind == OP_MINHERIT) {
		prange(o->off, o->len, &p0, &p1);
		for (p = p0; p < p1; p++) {
			if (!s->pg[p].mapped)
				continue;
			if (o->arg == BVM_INHERIT_SHARE && !s->pg[p].shared)
				return 0;
			if ((o->arg == BVM_INHERIT_COPY ||
			    o->arg == BVM_INHERIT_ZERO) && s->pg[p].shared)
				return 0;
		}
	}
	if (o->kind == OP_MADVISE && o->arg == BVM_MADV_FREE) {
		/* FREE: only private memory, only before a fork */
		if (c->forked)
			return 0;
		prange(o->off, o->len, &p0, &p1);
		for (p = p0; p < p1; p++)
			if (s->pg[p].mapped && s->pg[p].shared)
				return 0;
	}
	return 1;
}

static void
pattern(const struct op *o, unsigned char *buf)
{
	uint32_t x = o->seed | 1;

	for (uint64_t i = 0; i < o->len; i++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
}

static int
fault_code(int sig, int code)
{
	(void)sig;
	return code;
}

/* Normalise a fault address: the first failing page, or va. */
static uint64_t
fnorm(uint64_t va, uint64_t fa)
{
	uint64_t t = fa & ~(uint64_t)(PGSZ - 1);

	return t < va ? va : t;
}

/*
 * Run one op on both sides.  Returns 0 (agree), 1 (divergence: c->msg),
 * -1 (the host failed: c->msg).
 */
static int
run_op(struct ctx *c, const struct op *o)
{
	struct bvm_vmspace *vm = c->vm[o->proc];
	struct shadow *s = &c->sh[o->proc];
	struct hreq *rq = &c->rq;
	struct hrep *rp = &c->rp;
	uint64_t va = WIN_BASE + o->off, p0, p1, p;
	int brc = 0, hrc = 0, skiphost = 0, expect = 0;
	struct bvm_fault_info fi;
	static unsigned char bbuf[MAXIO], vec[WIN_PAGES];

	memset(rq, 0, offsetof(struct hreq, runs));
	rq->proc = o->proc;
	rq->arg2 = -1;
	prange(o->off, o->len, &p0, &p1);

	switch (o->kind) {
	case OP_FORK: {
		struct bvm_vmspace *child;

		brc = bvm_fork(c->vm[0], &child);
		rq->kind = H_FORK;
		if (host_call(&c->host, rq, rp) != 0)
			goto hostdead;
		if (brc != rp->rc) {
			fail(c, "fork: bsdvm %s, host %s", ename(brc),
			    ename(rp->rc));
			if (brc == 0)
				bvm_vmspace_destroy(child);
			return 1;
		}
		if (brc == 0) {
			c->vm[1] = child;
			c->nprocs = 2;
			c->forked = 1;
			c->sh[1] = c->sh[0];
			for (p = 0; p < WIN_PAGES; p++) {
				struct spage *sp = &c->sh[1].pg[p];

				if (sp->inherit == BVM_INHERIT_NONE)
					sp->mapped = 0;
				/* mapped: Linux copies no PTEs of a VMA
				 * without an anon_vma; residency of
				 * inherited private pages is undefined */
				if (sp->inherit == BVM_INHERIT_COPY)
					sp->undef = 1;
			}
		}
		return 0;
	}
	case OP_MMAP: {
		uint64_t bout = 0, addr = va;
		int fixed = (o->flags & BVM_MAP_FIXED) != 0;

		brc = bvm_mmap(vm, addr, o->len, o->prot, o->flags, -1, 0,
		    &bout);
		rq->kind = H_MMAP;
		/* mapped: a hint is rounded up (Linux: down) */
		rq->addr = fixed ? addr : (addr + PGSZ - 1) &
		    ~(uint64_t)(PGSZ - 1);
		rq->len = o->len;
		rq->prot = lx_prot(o->prot);
		rq->flags = lx_flags(o->flags);
		if (host_call(&c->host, rq, rp) != 0)
			goto hostdead;
		hrc = rp->rc;
		if (hrc == EEXIST && (o->flags & BVM_MAP_NOREPLACE))
			hrc = ENOMEM;  /* mapped: NOREPLACE collision */
		if (brc != hrc) {
			fail(c, "mmap: bsdvm %s, host %s", ename(brc),
			    ename(hrc));
			return 1;
		}
		if (brc != 0)
			return 0;
		{
			/*
			 * Mapped: placement away from the hint differs
			 * (first fit upward vs top-down); such a mapping is
			 * taken back on both sides, only success compared.
			 */
			uint64_t want = (addr + PGSZ - 1) & ~(uint64_t)(PGSZ - 1);
			int bin = fixed || bout == want;
			int hin = fixed || rp->addr == want;

			if (!bin)
				(void)bvm_munmap(vm, bout, o->len);
			if (bin != hin || (bin && bout != rp->addr)) {
				fail(c, "mmap: bsdvm at 0x%" PRIx64
				    ", host at 0x%" PRIx64, bout, rp->addr);
				return 1;
			}
			if (!bin)
				return 0;
			prange(bout - WIN_BASE, o->len, &p0, &p1);
		}
		for (p = p0; p < p1; p++) {
			s->pg[p].mapped = 1;
			s->pg[p].undef = 0;
			s->pg[p].prot = (unsigned char)o->prot;
			s->pg[p].shared = (o->flags & BVM_MAP_SHARED) != 0;
			s->pg[p].inherit = (o->flags & BVM_MAP_SHARED) ?
			    BVM_INHERIT_SHARE : BVM_INHERIT_COPY;
		}
		return 0;
	}
	case OP_MUNMAP:
		brc = bvm_munmap(vm, va, o->len);
		if (p1 == p0) {
			skiphost = 1;  /* mapped: len 0 is 0 (Linux EINVAL) */
			expect = 0;
		} else if (has_hole(s, p0, p1)) {
			skiphost = 1;  /* mapped: holes refused, EINVAL */
			expect = EINVAL;
		} else {
			rq->kind = H_MUNMAP;
			rq->addr = WIN_BASE + p0 * PGSZ;  /* mapped: rounding */
			rq->len = (p1 - p0) * PGSZ;
		}
		break;
	case OP_MPROTECT:
		brc = bvm_mprotect(vm, va, o->len, o->prot);
		rq->kind = H_MPROTECT;
		rq->prot = lx_prot(o->prot);
		make_runs(s, p0, p1, rq);  /* mapped: holes skipped */
		break;
	case OP_MINHERIT: {
		int eperm = 0;

		brc = bvm_minherit(vm, va, o->len, o->arg);
		if (o->arg == BVM_INHERIT_ZERO)
			for (p = p0; p < p1; p++)
				if (s->pg[p].mapped &&
				    !(s->pg[p].prot & BVM_PROT_WRITE))
					eperm = 1;
		if (eperm) {
			skiphost = 1;  /* mapped: ZERO needs PROT_WRITE */
			expect = EPERM;
			break;
		}
		rq->kind = H_MADVISE;
		switch (o->arg) {
		case BVM_INHERIT_NONE:
			rq->arg = MADV_DONTFORK;
			break;
		case BVM_INHERIT_ZERO:
			rq->arg = MADV_WIPEONFORK;
			rq->arg2 = MADV_DOFORK;
			break;
		default:  /* SHARE (on shared memory), COPY (on private) */
			rq->arg = MADV_DOFORK;
			rq->arg2 = MADV_KEEPONFORK;
			break;
		}
		make_runs(s, p0, p1, rq);  /* mapped: holes skipped */
		break;
	}
	case OP_MADVISE:
		brc = bvm_madvise(vm, va, o->len, o->arg);
		switch (o->arg) {
		case BVM_MADV_NORMAL:
		case BVM_MADV_RANDOM:
		case BVM_MADV_SEQUENTIAL:
			rq->kind = H_MADVISE;
			rq->arg = o->arg == BVM_MADV_NORMAL ? MADV_NORMAL :
			    o->arg == BVM_MADV_RANDOM ? MADV_RANDOM :
			    MADV_SEQUENTIAL;
			make_runs(s, p0, p1, rq);  /* mapped: holes */
			break;
		case BVM_MADV_WILLNEED:
			skiphost = 1;  /* mapped: a no-op, 0 */
			break;
		case BVM_MADV_DONTNEED:
		case BVM_MADV_FREE:
			if (has_hole(s, p0, p1)) {
				skiphost = 1;  /* mapped: holes EFAULT */
				expect = EFAULT;
			} else if (o->arg == BVM_MADV_DONTNEED || p1 == p0)
				skiphost = 1;  /* mapped: contents kept */
			else {
				rq->kind = H_MADVISE;  /* mapped: discard now */
				rq->arg = MADV_DONTNEED;
				make_runs(s, p0, p1, rq);
			}
			break;
		default:
			skiphost = 1;
			expect = EINVAL;
		}
		break;
	case OP_MINCORE:
		memset(vec, 0xee, sizeof(vec));
		brc = bvm_mincore(vm, va, o->len, vec);
		rq->kind = H_MINCORE;
		rq->addr = va;
		rq->len = o->len;
		if (host_call(&c->host, rq, rp) != 0)
			goto hostdead;
		if (brc != rp->rc) {
			fail(c, "mincore: bsdvm %s, host %s", ename(brc),
			    ename(rp->rc));
			return 1;
		}
		if (brc == 0)
			for (p = 0; p < p1 - p0; p++)
				if (!s->pg[p0 + p].undef &&
				    (vec[p] & 1) != (rp->data[p] & 1)) {
					fail(c, "mincore: page %" PRIu64
					    " (0x%" PRIx64 "): bsdvm %d, host %d",
					    p, va + p * PGSZ, vec[p] & 1,
					    rp->data[p] & 1);
					return 1;
				}
		return 0;
	case OP_READ:
	case OP_WRITE: {
		uint64_t bfa = 0, hfa = 0, n;
		int bcode = 0, hcode = 0;

		memset(&fi, 0, sizeof(fi));
		rq->addr = va;
		rq->len = o->len;
		if (o->kind == OP_READ) {
			memset(bbuf, 0, sizeof(bbuf));
			brc = bvm_read(vm, va, bbuf, o->len, &fi);
			rq->kind = H_READ;
		} else {
			pattern(o, rq->data);
			brc = bvm_write(vm, va, rq->data, o->len, &fi);
			rq->kind = H_WRITE;
		}
		if (host_call(&c->host, rq, rp) != 0)
			goto hostdead;
		if (brc) {
			bcode = fi.code;
			bfa = fnorm(va, fi.addr);
		}
		if (rp->rc) {
			hcode = fault_code(rp->fsig, rp->fcode);
			hfa = fnorm(va, rp->faddr);
			if (rp->fsig != SIGSEGV) {
				fail(c, "%s: host signal %d code %d",
				    opnames[o->kind], rp->fsig, rp->fcode);
				return 1;
			}
		}
		if (brc != rp->rc || bcode != hcode || bfa != hfa) {
			fail(c, "%s: bsdvm %s code %d at 0x%" PRIx64
			    ", host %s code %d at 0x%" PRIx64,
			    opnames[o->kind], ename(brc), bcode, bfa,
			    ename(rp->rc), hcode, hfa);
			return 1;
		}
		/* the pages touched are resident on both sides now */
		n = brc ? bfa - va : o->len;
		for (p = va / PGSZ; n > 0 && p < (va + n + PGSZ - 1) / PGSZ;
		    p++)
			s->pg[p - WIN_BASE / PGSZ].undef = 0;
		if (o->kind == OP_READ) {
			for (p = 0; p < n; p++)
				if (bbuf[p] != rp->data[p]) {
					fail(c, "read: byte at 0x%" PRIx64
					    ": bsdvm 0x%02x, host 0x%02x",
					    va + p, bbuf[p], rp->data[p]);
					return 1;
				}
		}
		return 0;
	}
	default:
		return 0;
	}

	/* The range calls: compare the errno. */
	if (skiphost)
		hrc = expect;
	else {
		if (host_call(&c->host, rq, rp) != 0)
			goto hostdead;
		hrc = rp->rc;
	}
	if (brc != hrc) {
		fail(c, "%s: bsdvm %s, %s %s", opnames[o->kind], ename(brc),
		    skiphost ? "expected (mapped)" : "host", ename(hrc));
		return 1;
	}
	if (brc != 0)
		return 0;
	for (p = p0; p < p1; p++) {
		if (!s->pg[p].mapped)
			continue;
		if (o->kind == OP_MUNMAP)
			s->pg[p].mapped = 0;
		else if (o->kind == OP_MPROTECT)
			s->pg[p].prot = (unsigned char)o->prot;
		else if (o->kind == OP_MINHERIT)
			s->pg[p].inherit = (unsigned char)o->arg;
	}
	return 0;

hostdead:
	fail(c, "%s: the host process failed or timed out", opnames[o->kind]);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Generation.                                                         */

static const int prots[] = { BVM_PROT_NONE, BVM_PROT_READ,
	BVM_PROT_READ | BVM_PROT_WRITE, BVM_PROT_READ | BVM_PROT_EXEC,
	BVM_PROT_READ | BVM_PROT_WRITE | BVM_PROT_EXEC };

static uint64_t
gen_len_pages(void)
{
	switch (rndn(4)) {
	case 0: return 1;
	case 1: return 1 + rndn(4);
	case 2: return 1 + rndn(16);
	default: return 1 + rndn(48);
	}
}

/* A byte range inside the window, usually page aligned. */
static void
gen_range(struct op *o, int aligned)
{
	uint64_t lp = gen_len_pages(), p0;

	if (lp > WIN_PAGES)
		lp = WIN_PAGES;
	p0 = rndn(WIN_PAGES - lp + 1);
	o->off = p0 * PGSZ;
	o->len = lp * PGSZ;
	if (!aligned && rndn(8) == 0) {
		/* unaligned start and/or length, still inside the window */
		uint64_t d = rndn(PGSZ);

		if (o->len > d) {
			o->off += d;
			o->len -= d;
		}
		if (rndn(2) && o->len > PGSZ)
			o->len -= rndn(PGSZ);
	}
	if (!aligned && rndn(40) == 0)
		o->len = 0;
}

static void
gen_op(const struct ctx *c, struct op *o)
{
	int r;

	memset(o, 0, sizeof(*o));
	do {
		o->proc = c->nprocs > 1 ? (int)rndn(2) : 0;
		r = (int)rndn(100);
		if (r < 22) {
			o->kind = OP_MMAP;
			gen_range(o, 1);
			o->prot = prots[rndn(5)];
			o->flags = BVM_MAP_ANON | (rndn(4) == 0 ?
			    BVM_MAP_SHARED : BVM_MAP_PRIVATE);
			switch (rndn(8)) {
			case 0: case 1: case 2: case 3:
				o->flags |= BVM_MAP_FIXED;
				break;
			case 4: case 5:
				o->flags |= BVM_MAP_FIXED | BVM_MAP_NOREPLACE;
				break;
			default:
				break;  /* a hint */
			}
			if (rndn(50) == 0)
				o->off += 1 + rndn(PGSZ - 1);
			if (rndn(100) == 0)
				o->len = 0;
		} else if (r < 32) {
			o->kind = OP_MUNMAP;
			gen_range(o, 0);
		} else if (r < 42) {
			o->kind = OP_MPROTECT;
			gen_range(o, 0);
			o->prot = prots[rndn(5)];
		} else if (r < 48) {
			o->kind = OP_MINHERIT;
			gen_range(o, 0);
			o->arg = (int)rndn(4);
		} else if (r < 55) {
			o->kind = OP_MADVISE;
			gen_range(o, 0);
			o->arg = (int)rndn(7);
			if (o->arg == BVM_MADV_SPACEAVAIL && rndn(2))
				o->arg = BVM_MADV_FREE;
		} else if (r < 63) {
			o->kind = OP_MINCORE;
			gen_range(o, 1);
		} else if (r < 79) {
			o->kind = OP_READ;
			gen_range(o, 1);
			o->off += rndn(PGSZ);
			o->len = 1 + rndn(MAXIO);
		} else if (r < 97) {
			o->kind = OP_WRITE;
			gen_range(o, 1);
			o->off += rndn(PGSZ);
			o->len = 1 + rndn(MAXIO);
			o->seed = (uint32_t)rnd();
		} else {
			o->kind = OP_FORK;
		}
		if (o->kind == OP_READ || o->kind == OP_WRITE) {
			if (rndn(3) == 0)  /* straddle a page boundary */
				o->off = (o->off & ~(uint64_t)(PGSZ - 1)) +
				    PGSZ - 1 - rndn(8);
			if (o->off + o->len > WIN_SIZE)
				o->len = WIN_SIZE - o->off;
			if (o->len == 0)
				o->len = 1;
		}
	} while (!applicable(c, o));
}

static void
print_op(FILE *f, int i, const struct op *o)
{
	fprintf(f, "  %3d: p%d %-8s addr=0x%" PRIx64 " len=0x%" PRIx64,
	    i, o->proc, opnames[o->kind], (uint64_t)(WIN_BASE + o->off), o->len);
	switch (o->kind) {
	case OP_MMAP:
		fprintf(f, " prot=%d flags=0x%x", o->prot, o->flags);
		break;
	case OP_MPROTECT:
		fprintf(f, " prot=%d", o->prot);
		break;
	case OP_MINHERIT:
		fprintf(f, " inherit=%d", o->arg);
		break;
	case OP_MADVISE:
		fprintf(f, " advice=%d", o->arg);
		break;
	case OP_WRITE:
		fprintf(f, " pattern=0x%x", o->seed);
		break;
	default:
		break;
	}
	fputc('\n', f);
}

/*
 * Run a sequence.  gen: generate n ops into ops (recording them), else
 * replay.  Returns the index of the diverging op, -1 if none, -2 if the
 * host failed.  *nrun: ops executed.
 */
static struct bvm_system *g_sys;

static int
run_seq(struct ctx *c, struct op *ops, int n, int gen, int *applied)
{
	int i, r, result = -1;
	char m[256];

	memset(c->sh, 0, sizeof(c->sh));
	c->nprocs = 1;
	c->forked = 0;
	c->vm[1] = NULL;
	c->msg[0] = 0;
	c->sys = g_sys;
	if (bvm_vmspace_create(c->sys, &c->vm[0]) != 0) {
		fprintf(stderr, "bvm_vmspace_create failed\n");
		exit(2);
	}
	if (host_start(&c->host) != 0) {
		fprintf(stderr, "host fork failed: %s\n", strerror(errno));
		exit(2);
	}
	if (applied)
		*applied = 0;
	for (i = 0; i < n; i++) {
		if (gen)
			gen_op(c, &ops[i]);
		else if (!applicable(c, &ops[i]))
			continue;
		if (applied)
			(*applied)++;
		r = run_op(c, &ops[i]);
		if (r == 0) {
			for (int v = 0; v < c->nprocs; v++)
				if (bvm_check(c->vm[v], m, sizeof(m)) != 0) {
					fail(c, "bvm_check: %s", m);
					r = 1;
				}
		}
		if (r != 0) {
			result = r < 0 ? -2 : i;
			break;
		}
	}
	host_stop(&c->host, result == -2);
	for (i = 1; i >= 0; i--)
		if (c->vm[i] != NULL && (i == 0 || c->nprocs > 1))
			bvm_vmspace_destroy(c->vm[i]);
	c->vm[0] = c->vm[1] = NULL;
	return result;
}

/* Delta debugging: remove chunks of ops while the sequence diverges. */
static int
shrink(struct ctx *c, struct op *ops, int n)
{
	static struct op tmp[MAXOPS];
	int chunk, i, r;

	r = run_seq(c, ops, n, 0, NULL);
	if (r < 0)
		return n;
	n = r + 1;
	for (chunk = n / 2; chunk >= 1; chunk /= 2) {
		for (i = 0; i + chunk <= n;) {
			int m = 0;

			memcpy(tmp, ops, (size_t)i * sizeof(*ops));
			memcpy(tmp + i, ops + i + chunk,
			    (size_t)(n - i - chunk) * sizeof(*ops));
			m = n - chunk;
			r = run_seq(c, tmp, m, 0, NULL);
			if (r >= 0) {
				n = r + 1;
				memcpy(ops, tmp, (size_t)n * sizeof(*ops));
			} else
				i += chunk;
		}
	}
	return n;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bvm_difftest [-n sequences] [-s seed] "
	    "[-l ops] [-v]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct op ops[MAXOPS];
	static struct ctx c;
	struct bvm_params p;
	unsigned long long nseq = 100, seed = 1, len = 40, s;
	unsigned long long diverged = 0, hostfail = 0;
	int ch, verbose = 0, printed = 0;

	while ((ch = getopt(argc, argv, "n:s:l:v")) != -1) {
		switch (ch) {
		case 'n': nseq = strtoull(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'l': len = strtoull(optarg, NULL, 0); break;
		case 'v': verbose++; break;
		default: usage();
		}
	}
	if (len < 1 || len > MAXOPS)
		usage();
	signal(SIGPIPE, SIG_IGN);
	bvm_params_init(&p);
	p.npages = 4096;
	p.flags |= BVM_SYS_CHECK | BVM_SYS_WXALLOWED;
	if (bvm_system_create(&p, &g_sys) != 0) {
		fprintf(stderr, "bvm_system_create failed\n");
		return 2;
	}
	c.verbose = verbose;
	for (s = 0; s < nseq; s++) {
		int r, applied;

		rng_state = seed * 0x100000001b3ULL + s;
		r = run_seq(&c, ops, (int)len, 1, &applied);
		if (r == -2) {
			hostfail++;
			fprintf(stderr, "sequence %llu: %s\n", s, c.msg);
			continue;
		}
		if (r < 0)
			continue;
		diverged++;
		if (printed < 3 || verbose) {
			char first[512];
			int n;

			printed++;
			snprintf(first, sizeof(first), "%s", c.msg);
			n = shrink(&c, ops, r + 1);
			(void)run_seq(&c, ops, n, 0, NULL);
			printf("DIVERGENCE in sequence %llu (seed %llu): %s\n",
			    s, seed, first);
			printf("minimal reproducer (%d ops): %s\n", n, c.msg);
			for (int i = 0; i < n; i++)
				print_op(stdout, i, &ops[i]);
			fflush(stdout);
		}
		if (verbose > 1)
			break;
	}
	{
		char m[256];

		if (bvm_system_check(g_sys, m, sizeof(m)) != 0) {
			printf("bvm_system_check: %s\n", m);
			diverged++;
		}
	}
	bvm_system_destroy(g_sys);
	printf("%llu sequences, %llu divergences\n", nseq, diverged);
	printf("%llu passed, %llu failed\n", nseq - diverged - hostfail,
	    diverged + hostfail);
	return (diverged || hostfail) ? 1 : 0;
}
