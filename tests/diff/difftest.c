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
 * Half of the sequences are "file sequences" (and never fork): they also map
 * host files (MAP_SHARED and MAP_PRIVATE, at page-aligned offsets, with
 * descriptors open read/write, read-only or write-only, and bad ones), and
 * do msync, pread/pwrite (bvm_file_read/bvm_file_write on the bsdvm side).
 * Each file exists twice, with identical contents: one copy for the host
 * process, one for bsdvm.  After an msync the synced file pages of both
 * copies are compared, after a pwrite the bytes written, and at the end of
 * every sequence every readable mapped page and, after an msync of
 * everything and/or the last unmap, both copies of every file.
 *
 *   bvm_difftest [-n sequences] [-s seed] [-l ops] [-v]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
#include <sys/stat.h>
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

/*
 * Host files: NFILES files, each twice (the host's copy and bsdvm's), of
 * these sizes: whole pages, a partial last page, less than a page, empty.
 * Their sizes never change (pwrite stays inside the file).
 */
#define NFILES      4
static const uint64_t fsizes[NFILES] = { 16 * PGSZ, 5 * PGSZ + 1000, 3000,
	0 };

/* Descriptor kinds of a file op. */
enum { FM_RDWR, FM_RDONLY, FM_WRONLY, FM_BADF, FM_PIPE, FM_N };
static const char *fmnames[] = { "rdwr", "rdonly", "wronly", "badf",
	"pipe" };

/* ------------------------------------------------------------------ */
/* Operations.                                                         */

enum { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MINHERIT, OP_MADVISE, OP_MINCORE,
	OP_READ, OP_WRITE, OP_FORK, OP_MSYNC, OP_PREAD, OP_PWRITE, OP_NKINDS };
static const char *opnames[] = { "mmap", "munmap", "mprotect", "minherit",
	"madvise", "mincore", "read", "write", "fork", "msync", "pread",
	"pwrite" };

struct op {
	int kind;
	int proc;         /* 0 or 1 */
	uint64_t off;     /* byte offset in the window */
	uint64_t len;
	int prot;         /* BVM_PROT_* */
	int flags;        /* BVM_MAP_* */
	int arg;          /* inherit / advice / msync flags */
	uint32_t seed;    /* write pattern */
	int file;         /* mmap/pread/pwrite: 1 + file index; 0: anon */
	int fdm;          /* FM_*: which descriptor */
	int64_t foff;     /* file offset (page aligned for mmap) */
};

/* ------------------------------------------------------------------ */
/* The host side: a forked child reading requests from a pipe.         */

enum { H_MMAP, H_MUNMAP, H_MPROTECT, H_MADVISE, H_MINCORE, H_READ, H_WRITE,
	H_MSYNC, H_DUMP, H_FORK, H_EXIT };

/* H_DUMP: per page, the outcome of reading it whole, and a hash. */
struct hpage {
	int32_t sig, code;            /* the fault, 0 if none */
	uint64_t hash;                /* of the first `limit` bytes */
};

struct hreq {
	int kind, proc;
	uint64_t addr, len;
	int prot, flags, arg, arg2;   /* H_MSYNC: prot = msync flags */
	int fd;                       /* H_MMAP: -1 or a file */
	int64_t foff;
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

/* FNV-1a of a page's first n bytes. */
static uint64_t
page_hash(const unsigned char *b, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
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
		    rq->flags, rq->fd, (off_t)rq->foff);
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
	case H_MSYNC:
		if (msync((void *)(uintptr_t)rq->addr, rq->len, rq->prot) != 0)
			rp->rc = errno;
		break;
	case H_DUMP: {
		/* runs: page address, bytes to hash; data: struct hpage[] */
		static unsigned char pb[PGSZ];
		struct hpage *hp = (struct hpage *)(void *)rp->data;

		for (i = 0; i < rq->nruns; i++) {
			h_sig = h_code = 0;
			memset(&hp[i], 0, sizeof(hp[i]));
			if (h_copy(pb, (volatile const unsigned char *)
			    (uintptr_t)rq->runs[2 * i], PGSZ)) {
				hp[i].sig = h_sig;
				hp[i].code = h_code;
			} else
				hp[i].hash = page_hash(pb,
				    (size_t)rq->runs[2 * i + 1]);
		}
		break;
	}
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
	unsigned char file;   /* 1 + file index; 0: anonymous */
	unsigned char nomaxw; /* max protection lacks WRITE (shared, rdonly) */
	uint32_t fpage;       /* page index in the file */
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
	int filemode;         /* a file sequence: files, msync, no fork */
	int endsync;          /* file sequence: msync everything at the end */
	int tail_undef[NFILES]; /* stores beyond EOF in the last page */
	uint64_t lastfa;      /* the last read/write's fault page, 0: none */
	struct host host;
	struct hreq rq;
	struct hrep rp;
	int verbose;
	char msg[512];
};

static uint64_t rng_state;

/* What the run covered (printed with -v). */
static struct {
	uint64_t ops[OP_NKINDS], okops[OP_NKINDS];
	uint64_t filemaps, sigbus, segv, filecmp, tailskip, fileseqs;
	uint64_t fwrites[2], endreads;
} cov;

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


/* ------------------------------------------------------------------ */
/* Host files.                                                         */

/*
 * The files live in a mkdtemp() directory under /tmp for the whole run and
 * are removed at exit (and on SIGINT/SIGTERM/SIGHUP).  Every file sequence
 * starts from the same contents: both copies are rewritten (behind bsdvm's
 * back, which is safe because no vnode object is left between sequences:
 * that is checked).  The host process inherits the descriptors.
 */
static struct {
	char dir[64];
	char path[2][NFILES][96];
	int fd[2][NFILES][3];    /* [0: host copy, 1: bsdvm copy][f][mode] */
	int pipefd[2];
	int badfd;
	unsigned char *init[NFILES];
	int ready;
} F;

/*
 * -P: bsdvm pages to swap in F.dir throughout: a small area first (40
 * pages, less than one pageout, so that clusters and read-ahead runs meet
 * its end and go on in the next area) and a big one after it.
 */
static int g_pressure;
static char g_swap[2][sizeof(F.dir) + 16];
static const int g_swappages[2] = { 40, 8192 };

static void
files_cleanup(void)
{
	int side, f;

	if (!F.ready)
		return;
	for (side = 0; side < 2; side++)
		for (f = 0; f < NFILES; f++)
			if (F.path[side][f][0] != '\0')
				(void)unlink(F.path[side][f]);
	for (f = 0; f < 2; f++)
		if (g_swap[f][0] != '\0')
			(void)unlink(g_swap[f]);
	(void)rmdir(F.dir);
	F.ready = 0;
}

static void
files_signal(int sig)
{
	files_cleanup();   /* unlink and rmdir are async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
files_init(void)
{
	static const int modes[3] = { O_RDWR, O_RDONLY, O_WRONLY };
	int side, f, m;

	snprintf(F.dir, sizeof(F.dir), "/tmp/bvm_difftest.XXXXXX");
	if (mkdtemp(F.dir) == NULL) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		exit(2);
	}
	F.ready = 1;
	atexit(files_cleanup);
	signal(SIGINT, files_signal);
	signal(SIGTERM, files_signal);
	signal(SIGHUP, files_signal);
	for (f = 0; f < NFILES; f++) {
		F.init[f] = malloc(fsizes[f] + 1);
		if (F.init[f] == NULL) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		/* non-zero bytes, different in every file and page */
		for (uint64_t i = 0; i < fsizes[f]; i++)
			F.init[f][i] = (unsigned char)(1 + (f * 131 + i * 7 +
			    (i >> 12) * 13) % 255);
	}
	for (side = 0; side < 2; side++)
		for (f = 0; f < NFILES; f++) {
			snprintf(F.path[side][f], sizeof(F.path[side][f]),
			    "%s/%s%d", F.dir, side ? "bsdvm" : "host", f);
			m = open(F.path[side][f], O_RDWR | O_CREAT | O_EXCL,
			    0600);
			if (m < 0) {
				fprintf(stderr, "open %s: %s\n",
				    F.path[side][f], strerror(errno));
				exit(2);
			}
			close(m);
			for (m = 0; m < 3; m++) {
				F.fd[side][f][m] = open(F.path[side][f],
				    modes[m]);
				if (F.fd[side][f][m] < 0) {
					fprintf(stderr, "open %s: %s\n",
					    F.path[side][f], strerror(errno));
					exit(2);
				}
			}
		}
	if (pipe(F.pipefd) != 0) {
		fprintf(stderr, "pipe: %s\n", strerror(errno));
		exit(2);
	}
	/* a descriptor number that is not open (nor in the host process) */
	for (F.badfd = 1000; fcntl(F.badfd, F_GETFD) != -1; F.badfd++)
		;
}

/*
 * Rewrite both copies of every file with the initial contents.  Truncating
 * to 0 first also drops the host's cached pages, and with them whatever a
 * mapping stored beyond the end of the last page (see tail_undef).
 */
static void
files_reset(void)
{
	int side, f;

	for (side = 0; side < 2; side++)
		for (f = 0; f < NFILES; f++) {
			int fd = F.fd[side][f][FM_RDWR];

			if (ftruncate(fd, 0) != 0 ||
			    (fsizes[f] > 0 && pwrite(fd, F.init[f], fsizes[f],
			    0) != (ssize_t)fsizes[f])) {
				fprintf(stderr, "resetting %s: %s\n",
				    F.path[side][f], strerror(errno));
				exit(2);
			}
		}
}

/*
 * The descriptor of an op on one side (0 host, 1 bsdvm); forwrite picks
 * the pipe's write end.
 */
static int
fdof(int side, const struct op *o, int forwrite)
{
	switch (o->fdm) {
	case FM_RDWR:
	case FM_RDONLY:
	case FM_WRONLY:
		return F.fd[side][o->file - 1][o->fdm];
	case FM_PIPE:
		return F.pipefd[forwrite ? 1 : 0];
	default:
		return F.badfd;
	}
}

/*
 * Compare bytes [off, off+len) of the two copies of file f (as the host
 * file system has them: pread).  Returns 0, or 1 with c->msg set.
 */
static int
file_compare(struct ctx *c, int f, uint64_t off, uint64_t len,
    const char *when)
{
	static unsigned char hb[16 * PGSZ], bb[16 * PGSZ];
	struct stat hst, bst;
	ssize_t hn, bn;

	cov.filecmp++;
	if (fstat(F.fd[0][f][FM_RDWR], &hst) != 0 ||
	    fstat(F.fd[1][f][FM_RDWR], &bst) != 0) {
		fail(c, "%s: fstat: %s", when, strerror(errno));
		return 1;
	}
	if ((uint64_t)hst.st_size != fsizes[f] ||
	    (uint64_t)bst.st_size != fsizes[f]) {
		fail(c, "%s: file %d size: bsdvm copy %lld, host copy %lld, "
		    "expected %" PRIu64, when, f, (long long)bst.st_size,
		    (long long)hst.st_size, fsizes[f]);
		return 1;
	}
	if (off >= fsizes[f])
		return 0;
	if (len > fsizes[f] - off)
		len = fsizes[f] - off;
	while (len > 0) {
		size_t n = len > sizeof(hb) ? sizeof(hb) : (size_t)len;

		hn = pread(F.fd[0][f][FM_RDWR], hb, n, (off_t)off);
		bn = pread(F.fd[1][f][FM_RDWR], bb, n, (off_t)off);
		if (hn != (ssize_t)n || bn != (ssize_t)n) {
			fail(c, "%s: pread of file %d failed", when, f);
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			if (hb[i] != bb[i]) {
				fail(c, "%s: file %d byte %" PRIu64 " (page %"
				    PRIu64 "): bsdvm copy 0x%02x, host copy "
				    "0x%02x", when, f, off + i,
				    (off + i) / PGSZ, bb[i], hb[i]);
				return 1;
			}
		off += n;
		len -= n;
	}
	return 0;
}

/* Compare both copies of every file. */
static int
files_compare(struct ctx *c, const char *when)
{
	for (int f = 0; f < NFILES; f++)
		if (file_compare(c, f, 0, fsizes[f], when))
			return 1;
	return 0;
}

/* The error a file mmap must fail with, by its descriptor; 0: none. */
static int
mmap_ferr(const struct op *o)
{
	switch (o->fdm) {
	case FM_BADF:
		return EBADF;
	case FM_PIPE:
		return ENODEV;
	case FM_WRONLY:
		return EACCES;   /* not open for reading */
	case FM_RDONLY:
		if ((o->flags & BVM_MAP_SHARED) && (o->prot & BVM_PROT_WRITE))
			return EACCES;
		return 0;
	default:
		return 0;
	}
}

/* Is byte va of process s's window in the EOF page, beyond EOF? */
static int
beyond_eof(const struct shadow *s, uint64_t va)
{
	const struct spage *sp = &s->pg[(va - WIN_BASE) / PGSZ];
	uint64_t size;

	if (!sp->mapped || !sp->file)
		return 0;
	size = fsizes[sp->file - 1];
	return size % PGSZ != 0 && sp->fpage == size / PGSZ &&
	    va % PGSZ >= size % PGSZ;
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

static int lx_prot(int prot);

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
		return c->nprocs == 1 && !c->filemode;
	if (o->proc >= c->nprocs)
		return 0;
	/* file sequences never fork */
	if ((o->file != 0 || o->kind == OP_MSYNC) && c->forked)
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
			/* MADV_WIPEONFORK: EINVAL on file mappings */
			if (o->arg == BVM_INHERIT_ZERO && s->pg[p].file)
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

/*
 * The outcome of a failed access, comparable across the two sides:
 * SEGV_MAPERR (1), SEGV_ACCERR (2), or FC_BUS for a SIGBUS (beyond the end
 * of a file: Linux says BUS_ADRERR, bsdvm BUS_OBJERR with ENXIO).
 */
#define FC_BUS 10

static int
fault_code(int sig, int code)
{
	return sig == SIGBUS ? FC_BUS : code;
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
	rq->fd = -1;
	c->lastfa = 0;
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
			cov.okops[OP_FORK]++;
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
		int ferr = o->file ? mmap_ferr(o) : 0;

		brc = bvm_mmap(vm, addr, o->len, o->prot, o->flags,
		    o->file ? fdof(1, o, 0) : -1, o->file ? o->foff : 0,
		    &bout);
		rq->kind = H_MMAP;
		if (o->file) {
			rq->fd = fdof(0, o, 0);
			rq->foff = o->foff;
		}
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
		if (ferr != 0) {
			/*
			 * Mapped: a descriptor that cannot be mapped.  OpenBSD
			 * checks it before the address (a NOREPLACE collision
			 * is ENOMEM only after), Linux after; the host must
			 * fail too, with the same error or the collision's
			 * (or EPERM: Linux's pipe file system is noexec).
			 */
			if (hrc == EPERM && o->fdm == FM_PIPE &&
			    (o->prot & BVM_PROT_EXEC))
				hrc = ferr;
			if (brc != ferr || (hrc != ferr && hrc != ENOMEM)) {
				fail(c, "mmap: bsdvm %s, host %s, expected %s",
				    ename(brc), ename(hrc), ename(ferr));
				if (brc == 0)
					(void)bvm_munmap(vm, bout, o->len);
				return 1;
			}
			return 0;
		}
		if (brc != hrc) {
			fail(c, "mmap: bsdvm %s, host %s", ename(brc),
			    ename(hrc));
			return 1;
		}
		if (brc != 0)
			return 0;
		cov.okops[OP_MMAP]++;
		cov.filemaps += o->file != 0;
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
			s->pg[p].file = (unsigned char)o->file;
			s->pg[p].nomaxw = o->file &&
			    (o->flags & BVM_MAP_SHARED) &&
			    o->fdm == FM_RDONLY;
			s->pg[p].fpage = o->file ? (uint32_t)((uint64_t)o->foff /
			    PGSZ + (p - p0)) : 0;
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
		if (o->prot & BVM_PROT_WRITE)
			for (p = p0; p < p1; p++)
				if (s->pg[p].mapped && s->pg[p].nomaxw)
					expect = EACCES;
		if (expect) {
			/*
			 * Mapped: a shared mapping of a read-only descriptor
			 * may not become writable: OpenBSD refuses before
			 * changing anything, Linux after changing the
			 * mappings before it.
			 */
			skiphost = 1;
			break;
		}
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
		cov.okops[OP_MINCORE] += brc == 0;
		/* under -P pages come and go from swap: only the result */
		if (brc == 0 && !g_pressure)
			for (p = 0; p < p1 - p0; p++)
				/* mapped: Linux reports a file page
				 * resident when it is in the page cache */
				if (!s->pg[p0 + p].undef &&
				    !s->pg[p0 + p].file &&
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
			bcode = fi.signo == BVM_SIGBUS ? FC_BUS : fi.code;
			bfa = fnorm(va, fi.addr);
			if (fi.signo == BVM_SIGBUS && (fi.error != ENXIO ||
			    fi.code != BVM_BUS_OBJERR)) {
				fail(c, "%s: bsdvm SIGBUS with error %s code "
				    "%d (expected ENXIO, BUS_OBJERR)",
				    opnames[o->kind], ename(fi.error),
				    fi.code);
				return 1;
			}
		}
		if (rp->rc) {
			hcode = fault_code(rp->fsig, rp->fcode);
			hfa = fnorm(va, rp->faddr);
			/* SIGBUS only beyond the end of a file */
			if (rp->fsig != SIGSEGV && (rp->fsig != SIGBUS ||
			    hfa < WIN_BASE || hfa >= WIN_BASE + WIN_SIZE ||
			    !s->pg[(hfa - WIN_BASE) / PGSZ].file)) {
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
		if (brc)
			cov.sigbus += bcode == FC_BUS, cov.segv += bcode != FC_BUS;
		else
			cov.okops[o->kind]++;
		/* the pages touched are resident on both sides now */
		n = brc ? bfa - va : o->len;
		c->lastfa = brc ? bfa : 0;
		if (o->kind == OP_WRITE && n > 0 &&
		    s->pg[(va - WIN_BASE) / PGSZ].file)
			cov.fwrites[s->pg[(va - WIN_BASE) / PGSZ].shared]++;
		if (o->kind == OP_WRITE)
			for (p = 0; p < n; p++)
				if (beyond_eof(s, va + p)) {
					/* see docs: Linux's writeback zeroes
					 * it, OpenBSD's does not */
					c->tail_undef[s->pg[(va + p - WIN_BASE)
					    / PGSZ].file - 1] = 1;
					break;
				}
		for (p = va / PGSZ; n > 0 && p < (va + n + PGSZ - 1) / PGSZ;
		    p++)
			s->pg[p - WIN_BASE / PGSZ].undef = 0;
		if (o->kind == OP_READ) {
			for (p = 0; p < n; p++)
				if (beyond_eof(s, va + p) && c->tail_undef[
				    s->pg[(va + p - WIN_BASE) / PGSZ].file - 1])
					cov.tailskip++;
				else if (bbuf[p] != rp->data[p]) {
					fail(c, "read: byte at 0x%" PRIx64
					    ": bsdvm 0x%02x, host 0x%02x",
					    va + p, bbuf[p], rp->data[p]);
					return 1;
				}
		}
		return 0;
	}
	case OP_MSYNC: {
		int fl = o->arg;

		brc = bvm_msync(vm, va, o->len, fl);
		if ((fl & ~(BVM_MS_ASYNC | BVM_MS_SYNC | BVM_MS_INVALIDATE)) ||
		    fl == 0 || (fl & (BVM_MS_ASYNC | BVM_MS_SYNC)) ==
		    (BVM_MS_ASYNC | BVM_MS_SYNC)) {
			skiphost = 1;  /* mapped: flags 0 are EINVAL */
			expect = EINVAL;
		} else if (p0 == p1) {
			/* mapped: length 0 is 0 on Linux; on OpenBSD the
			 * address must be mapped */
			skiphost = 1;
			expect = p0 < WIN_PAGES && s->pg[p0].mapped ? 0 :
			    EFAULT;
		} else if (has_hole(s, p0, p1)) {
			/* mapped: Linux syncs the mapped parts, ENOMEM */
			skiphost = 1;
			expect = EFAULT;
		} else {
			rq->kind = H_MSYNC;
			rq->addr = WIN_BASE + p0 * PGSZ;  /* mapped: rounding */
			rq->len = (p1 - p0) * PGSZ;
			rq->prot = ((fl & BVM_MS_ASYNC) ? MS_ASYNC : 0) |
			    ((fl & BVM_MS_SYNC) ? MS_SYNC : 0) |
			    ((fl & BVM_MS_INVALIDATE) ? MS_INVALIDATE : 0);
			/*
			 * MS_INVALIDATE discards no anonymous or private
			 * page on either side (OpenBSD only deactivates
			 * them); a shared file page bsdvm discards reads
			 * back the same.
			 */
			rq->nruns = 0;
		}
		break;
	}
	case OP_PREAD: {
		static unsigned char hbuf[MAXIO];
		size_t bn = 0;
		ssize_t hn;

		memset(bbuf, 0, sizeof(bbuf));
		brc = bvm_file_read(c->sys, fdof(1, o, 0), bbuf, o->len,
		    o->foff, &bn);
		hn = pread(fdof(0, o, 0), hbuf, o->len, (off_t)o->foff);
		hrc = hn < 0 ? errno : 0;
		if (hrc == ESPIPE)
			hrc = ENODEV;  /* mapped: not a regular file */
		if (hrc == EBADF && o->fdm == FM_WRONLY)
			hrc = EACCES;  /* mapped: not open for reading */
		if (brc != hrc || (brc == 0 && bn != (size_t)hn)) {
			fail(c, "pread: bsdvm %s (%zu bytes), host %s (%zd "
			    "bytes)", ename(brc), bn, ename(hrc), hn);
			return 1;
		}
		cov.okops[OP_PREAD] += brc == 0;
		for (size_t i = 0; brc == 0 && i < bn; i++)
			if (bbuf[i] != hbuf[i]) {
				fail(c, "pread: file %d byte %" PRId64
				    ": bsdvm 0x%02x, host 0x%02x", o->file - 1,
				    o->foff + (int64_t)i, bbuf[i], hbuf[i]);
				return 1;
			}
		return 0;
	}
	case OP_PWRITE: {
		ssize_t hn;

		pattern(o, rq->data);
		brc = bvm_file_write(c->sys, fdof(1, o, 1), rq->data, o->len,
		    o->foff);
		if (o->fdm == FM_WRONLY && o->foff >= 0) {
			/* mapped: bsdvm's cache reads the file through the
			 * descriptor, which must be readable: EACCES */
			hn = -1;
			errno = EACCES;
		} else
			hn = pwrite(fdof(0, o, 1), rq->data, o->len,
			    (off_t)o->foff);
		hrc = hn < 0 ? errno : 0;
		if (hrc == ESPIPE)
			hrc = ENODEV;  /* mapped: not a regular file */
		if (hrc == 0 && hn != (ssize_t)o->len)
			hrc = EIO;
		if (brc != hrc) {
			fail(c, "pwrite: bsdvm %s, host %s", ename(brc),
			    ename(hrc));
			return 1;
		}
		cov.okops[OP_PWRITE] += brc == 0;
		/* written through: the bsdvm copy has the bytes now */
		if (brc == 0 && file_compare(c, o->file - 1,
		    (uint64_t)o->foff, o->len, "after pwrite"))
			return 1;
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
	cov.okops[o->kind]++;
	if (o->kind == OP_MSYNC) {
		/* the file pages synced through shared mappings */
		for (p = p0; p < p1; p++)
			if (s->pg[p].mapped && s->pg[p].shared &&
			    s->pg[p].file && file_compare(c,
			    s->pg[p].file - 1, (uint64_t)s->pg[p].fpage * PGSZ,
			    PGSZ, "after msync"))
				return 1;
		return 0;
	}
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

/* The pages of file f (the last one partial). */
static uint64_t
fpages(int f)
{
	return (fsizes[f] + PGSZ - 1) / PGSZ;
}

/* A descriptor kind: mostly good ones, by the weights given (of 100). */
static int
gen_fdm(int rdwr, int rdonly, int wronly, int badf)
{
	int r = (int)rndn(100);

	if (r < rdwr)
		return FM_RDWR;
	if (r < rdwr + rdonly)
		return FM_RDONLY;
	if (r < rdwr + rdonly + wronly)
		return FM_WRONLY;
	if (r < rdwr + rdonly + wronly + badf)
		return FM_BADF;
	return FM_PIPE;
}

/*
 * A random mapped page of process proc whose protection includes want
 * (0: any), a file page if file, or -1 if there is none.
 */
static int
pick_ok(const struct spage *sp, int want, int file)
{
	return sp->mapped && (sp->prot & want) == want && (!file || sp->file);
}

static int64_t
pick_mapped(const struct ctx *c, int proc, int want, int file)
{
	const struct shadow *s = &c->sh[proc];
	uint64_t n = 0, k, p;

	for (p = 0; p < WIN_PAGES; p++)
		n += pick_ok(&s->pg[p], want, file);
	if (n == 0)
		return file ? pick_mapped(c, proc, want, 0) : -1;
	k = rndn(n);
	for (p = 0; p < WIN_PAGES; p++)
		if (pick_ok(&s->pg[p], want, file) && k-- == 0)
			break;
	return (int64_t)p;
}

/* A file of a file op: the small and the empty ones less often. */
static int
gen_file(void)
{
	uint64_t r = rndn(100);

	return r < 40 ? 0 : r < 75 ? 1 : r < 90 ? 2 : 3;
}

/* A file op of a file sequence: msync, pread, pwrite. */
static void
gen_file_op(const struct ctx *c, struct op *o)
{
	/* MS_SYNC (and INVALIDATE alone) wait for the disk: less often */
	static const int msflags[] = { BVM_MS_ASYNC, BVM_MS_ASYNC,
		BVM_MS_ASYNC, BVM_MS_ASYNC, BVM_MS_SYNC,
		BVM_MS_ASYNC | BVM_MS_INVALIDATE,
		BVM_MS_ASYNC | BVM_MS_INVALIDATE,
		BVM_MS_SYNC | BVM_MS_INVALIDATE, BVM_MS_INVALIDATE,
		0, BVM_MS_ASYNC | BVM_MS_SYNC, BVM_MS_ASYNC | 0x8 };
	uint64_t r = rndn(4), size, maxl;
	int f;

	if (r < 2) {
		int64_t pg = pick_mapped(c, o->proc, 0, (int)rndn(2));

		o->kind = OP_MSYNC;
		gen_range(o, 0);
		if (pg >= 0 && rndn(3) != 0) {
			/* a part of the mapped run around a mapped page */
			const struct shadow *s = &c->sh[o->proc];
			uint64_t a = (uint64_t)pg, b = (uint64_t)pg + 1;

			while (a > 0 && s->pg[a - 1].mapped && rndn(8) != 0)
				a--;
			while (b < WIN_PAGES && s->pg[b].mapped && rndn(8) != 0)
				b++;
			o->off = a * PGSZ;
			o->len = (b - a) * PGSZ;
		}
		/* valid flags 15 times in 16 */
		o->arg = msflags[rndn(16) == 0 ? 9 + rndn(3) : rndn(9)];
		return;
	}
	if (r == 2) {
		o->kind = OP_PREAD;
		f = gen_file();
		o->file = f + 1;
		o->fdm = gen_fdm(50, 30, 8, 6);
		size = fsizes[f];
		switch (rndn(3)) {
		case 0:   /* anywhere, past the end too */
			o->foff = (int64_t)rndn(size + 2 * PGSZ + 1);
			break;
		case 1:   /* around a page boundary */
			o->foff = (int64_t)(rndn(fpages(f) + 2) * PGSZ) -
			    (int64_t)rndn(8);
			break;
		default:  /* around the end of the file */
			o->foff = (int64_t)size - (int64_t)rndn(PGSZ);
			break;
		}
		if (o->foff < 0)
			o->foff = 0;
		o->len = 1 + rndn(MAXIO);
		if (o->fdm == FM_RDWR && rndn(50) == 0)
			o->foff = -1 - (int64_t)rndn(PGSZ);
		return;
	}
	o->kind = OP_PWRITE;
	f = (int)rndn(NFILES - 1);  /* not the empty file: sizes are fixed */
	o->file = f + 1;
	o->fdm = gen_fdm(60, 10, 20, 5);
	size = fsizes[f];
	o->foff = rndn(2) ? (int64_t)rndn(size) :
	    (int64_t)(rndn(fpages(f)) * PGSZ + PGSZ - 1 - rndn(8));
	if ((uint64_t)o->foff >= size)
		o->foff = (int64_t)size - 1;
	maxl = size - (uint64_t)o->foff;
	o->len = 1 + rndn(maxl < MAXIO ? maxl : MAXIO);
	o->seed = (uint32_t)rnd();
	if (o->fdm == FM_RDWR && rndn(50) == 0)
		o->foff = -1 - (int64_t)rndn(PGSZ);
}

static void
gen_op(const struct ctx *c, struct op *o)
{
	int r;

	memset(o, 0, sizeof(*o));
	do {
		memset(o, 0, sizeof(*o));
		o->proc = c->nprocs > 1 ? (int)rndn(2) : 0;
		r = (int)rndn(100);
		if (c->filemode && (rndn(100) < 12 || r >= 97)) {
			gen_file_op(c, o);  /* in place of fork, and more */
		} else if (r < 22) {
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
			if (c->filemode && rndn(2)) {
				/* a file mapping, at a page-aligned offset */
				int f = gen_file();
				uint64_t fo;

				o->file = f + 1;
				if (rndn(2))  /* writable more often */
					o->prot = rndn(3) ? BVM_PROT_READ |
					    BVM_PROT_WRITE : BVM_PROT_READ |
					    BVM_PROT_WRITE | BVM_PROT_EXEC;
				o->flags &= ~BVM_MAP_ANON;
				o->flags = (o->flags & ~(BVM_MAP_SHARED |
				    BVM_MAP_PRIVATE)) | (rndn(2) ?
				    BVM_MAP_SHARED : BVM_MAP_PRIVATE);
				o->fdm = gen_fdm(55, 30, 6, 4);
				if (o->fdm == FM_PIPE)  /* see mmap_ferr */
					o->flags = (o->flags &
					    ~BVM_MAP_SHARED) | BVM_MAP_PRIVATE;
				/* mostly inside the file, sometimes past */
				fo = rndn(4) == 0 ? rndn(fpages(f) + 3) :
				    rndn(fpages(f) + 1);
				o->foff = (int64_t)(fo * PGSZ);
				if (rndn(3) != 0) {
					uint64_t lp = 1 + rndn(fo < fpages(f) ?
					    fpages(f) - fo : 1) + (rndn(4) ==
					    0);

					o->off &= ~(uint64_t)(PGSZ - 1);
					if (o->off + lp * PGSZ > WIN_SIZE)
						o->off = WIN_SIZE - lp * PGSZ;
					o->len = lp * PGSZ;
				}
				if (mmap_ferr(o) != 0) {
					/* one error at a time (see docs) */
					o->off &= ~(uint64_t)(PGSZ - 1);
					if (o->len == 0)
						o->len = PGSZ;
				}
			}
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
		if ((o->kind == OP_READ || o->kind == OP_WRITE) &&
		    c->filemode && rndn(4) != 0) {
			/* file sequences: mostly at mapped (writable) pages */
			int64_t pg = pick_mapped(c, o->proc,
			    o->kind == OP_WRITE && rndn(4) != 0 ?
			    BVM_PROT_WRITE : 0, rndn(3) != 0);

			if (pg >= 0)
				o->off = (uint64_t)pg * PGSZ + rndn(PGSZ);
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
		if (o->file)
			fprintf(f, " file=%d fd=%s off=0x%" PRIx64,
			    o->file - 1, fmnames[o->fdm], (uint64_t)o->foff);
		break;
	case OP_MSYNC:
		fprintf(f, " flags=0x%x", o->arg);
		break;
	case OP_PREAD:
	case OP_PWRITE:
		fprintf(f, " file=%d fd=%s off=%" PRId64, o->file - 1,
		    fmnames[o->fdm], o->foff);
		if (o->kind == OP_PWRITE)
			fprintf(f, " pattern=0x%x", o->seed);
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

static struct bvm_system *g_sys;

/* Live vnode objects of the system. */
static uint64_t
nvnodes(void)
{
	struct bvm_stats st;

	if (bvm_stats(g_sys, &st) != 0)
		return UINT64_MAX;
	return st.vnodes;
}

/*
 * Read every readable mapped page of process v, whole, on both sides (the
 * host replies with a hash per page: one round trip), and compare the
 * outcome and the contents; on a difference, read the page again with a
 * plain read op for a precise report.  Bytes beyond the end of a file
 * whose tail was written are left out (see run_op).
 * Returns 0, 1 (divergence: c->msg) or -1 (host failed).
 */
static int
dump_compare(struct ctx *c, int v)
{
	static unsigned char pb[PGSZ];
	const struct shadow *s = &c->sh[v];
	struct hreq *rq = &c->rq;
	struct hrep *rp = &c->rp;
	const struct hpage *hp = (const struct hpage *)(void *)rp->data;
	struct bvm_fault_info fi;
	uint64_t pages[WIN_PAGES], p, limit;
	int n = 0, i, brc, r;

	memset(rq, 0, offsetof(struct hreq, runs));
	rq->kind = H_DUMP;
	rq->proc = v;
	rq->fd = -1;
	for (p = 0; p < WIN_PAGES; p++) {
		const struct spage *sp = &s->pg[p];

		if (!sp->mapped || !(sp->prot & BVM_PROT_READ))
			continue;
		limit = PGSZ;
		if (beyond_eof(s, WIN_BASE + p * PGSZ + PGSZ - 1) &&
		    c->tail_undef[sp->file - 1])
			limit = fsizes[sp->file - 1] % PGSZ;
		pages[n] = p;
		rq->runs[2 * n] = WIN_BASE + p * PGSZ;
		rq->runs[2 * n + 1] = limit;
		n++;
	}
	if (n == 0)
		return 0;
	rq->nruns = n;
	if (host_call(&c->host, rq, rp) != 0) {
		fail(c, "the host process failed or timed out");
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint64_t va = WIN_BASE + pages[i] * PGSZ;
		int bclass = 0, hclass;

		cov.endreads++;
		memset(&fi, 0, sizeof(fi));
		brc = bvm_read(c->vm[v], va, pb, PGSZ, &fi);
		if (brc)
			bclass = fi.signo == BVM_SIGBUS ? FC_BUS : fi.code;
		hclass = hp[i].sig ? fault_code(hp[i].sig, hp[i].code) : 0;
		if (bclass == hclass && (brc != 0 || page_hash(pb,
		    (size_t)rq->runs[2 * i + 1]) == hp[i].hash))
			continue;
		/* a difference: find it with a plain read */
		{
			struct op o;

			memset(&o, 0, sizeof(o));
			o.kind = OP_READ;
			o.proc = v;
			o.off = pages[i] * PGSZ;
			o.len = PGSZ;
			r = run_op(c, &o);
			if (r != 0)
				return r;
			fail(c, "page 0x%" PRIx64 ": bsdvm %s (code %d), host "
			    "signal %d code %d, contents %s", va, ename(brc),
			    bclass, hp[i].sig, hp[i].code,
			    brc ? "-" : "differ");
			return 1;
		}
	}
	return 0;
}

/*
 * The end of a sequence: read every readable mapped page of every process
 * on both sides; in a file sequence, msync everything (if c->endsync) and
 * compare both copies of every file, then destroy the vmspaces (the last
 * unmap writes the modified pages back) and compare them again.
 * Returns 0, 1 (divergence: c->msg) or -1 (host failed).
 */
static int
final_check(struct ctx *c)
{
	char m[sizeof(c->msg)];
	uint64_t p, q;
	int v, r;

	for (v = 0; v < c->nprocs; v++) {
		r = dump_compare(c, v);
		if (r != 0) {
			snprintf(m, sizeof(m), "%s", c->msg);
			fail(c, "end of sequence, p%d: %s", v, m);
			return r;
		}
	}
	if (!c->filemode)
		return 0;
	if (c->endsync) {
		const struct shadow *s = &c->sh[0];
		int fl = c->endsync == 1 ? BVM_MS_ASYNC : BVM_MS_SYNC;

		for (p = 0; p < WIN_PAGES;) {
			if (!s->pg[p].mapped) {
				p++;
				continue;
			}
			for (q = p; q < WIN_PAGES && s->pg[q].mapped; q++)
				;
			r = bvm_msync(c->vm[0], WIN_BASE + p * PGSZ,
			    (q - p) * PGSZ, fl);
			if (r != 0) {
				fail(c, "end of sequence: bvm_msync(0x%" PRIx64
				    ", 0x%" PRIx64 ", %d): %s", WIN_BASE +
				    p * PGSZ, (q - p) * PGSZ, fl, ename(r));
				return 1;
			}
			p = q;
		}
		/*
		 * Only the pages mapped now were written: pages modified
		 * through mappings since unmapped stay modified in the
		 * object until its last reference goes (Linux's page cache
		 * shows them to pread at once).
		 */
		for (p = 0; p < WIN_PAGES; p++)
			if (s->pg[p].mapped && s->pg[p].shared &&
			    s->pg[p].file && file_compare(c,
			    s->pg[p].file - 1, (uint64_t)s->pg[p].fpage * PGSZ,
			    PGSZ, "end of sequence, after msync"))
				return 1;
	}
	for (v = 1; v >= 0; v--)
		if (c->vm[v] != NULL && (v == 0 || c->nprocs > 1)) {
			bvm_vmspace_destroy(c->vm[v]);
			c->vm[v] = NULL;
		}
	if (nvnodes() != 0) {
		fail(c, "end of sequence: %" PRIu64 " vnode objects left after "
		    "the last unmap", nvnodes());
		return 1;
	}
	return files_compare(c, "end of sequence, after the last unmap");
}

/*
 * Run a sequence.  gen: generate n ops into ops (recording them), else
 * replay.  Returns the index of the diverging op (n - 1 for the final
 * check), -1 if none, -2 if the host failed.  *applied: ops executed.
 */

/*
 * Under -P, after every operation the page daemon frees up to this many
 * frames: bsdvm's pages go to swap and come back all through the run.
 */
#define PRESSURE_PAGEOUT 48

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
	if (gen) {
		/* the mode is part of the sequence: kept for replays */
		c->filemode = rndn(2) == 0;
		/* 0: none, 1: ASYNC, 2: SYNC */
		c->endsync = rndn(8) == 0 ? 2 : (int)rndn(2);
	}
	memset(c->tail_undef, 0, sizeof(c->tail_undef));
	if (c->filemode) {
		cov.fileseqs += gen;
		/* rewriting the files behind bsdvm's back needs this */
		if (nvnodes() != 0) {
			fprintf(stderr, "%" PRIu64 " vnode objects alive between "
			    "sequences: cannot reset the files\n", nvnodes());
			exit(2);
		}
		files_reset();
	}
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
		cov.ops[ops[i].kind]++;
		if (g_pressure)
			(void)bvm_pageout(c->sys, PRESSURE_PAGEOUT, NULL);
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
	if (result == -1 && n > 0) {
		r = final_check(c);
		if (r != 0)
			result = r < 0 ? -2 : n - 1;
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
	fprintf(stderr, "usage: bvm_difftest [-Pv] [-n sequences] [-s seed] "
	    "[-l ops]\n"
	    "  -P  memory pressure: bsdvm pages to a swap file throughout\n");
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

	while ((ch = getopt(argc, argv, "n:s:l:vP")) != -1) {
		switch (ch) {
		case 'P': g_pressure = 1; break;
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
	files_init();
	bvm_params_init(&p);
	p.npages = 4096;
	p.flags |= BVM_SYS_CHECK | BVM_SYS_WXALLOWED;
	if (bvm_system_create(&p, &g_sys) != 0) {
		fprintf(stderr, "bvm_system_create failed\n");
		return 2;
	}
	if (g_pressure) {
		int fd, k;

		for (k = 0; k < 2; k++) {
			snprintf(g_swap[k], sizeof(g_swap[k]), "%s/swap%d",
			    F.dir, k);
			fd = open(g_swap[k], O_RDWR | O_CREAT | O_TRUNC, 0600);
			if (fd < 0 || ftruncate(fd, (off_t)g_swappages[k] *
			    PGSZ) != 0 || bvm_swapon(g_sys, g_swap[k], 0) != 0) {
				fprintf(stderr, "swap file %s failed\n",
				    g_swap[k]);
				return 2;
			}
			close(fd);
		}
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
			printf("minimal reproducer (%d ops%s): %s\n", n,
			    !c.filemode ? "" : c.endsync == 0 ?
			    ", file sequence, no msync at the end" :
			    c.endsync == 1 ? ", file sequence, MS_ASYNC at the "
			    "end" : ", file sequence, MS_SYNC at the end",
			    c.msg);
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
	if (verbose) {
		struct bvm_stats st;

		(void)bvm_stats(g_sys, &st);
		printf("paging: %" PRIu64 " pages swapped out, %" PRIu64
		    " in, %" PRIu64 " file pages written by the daemon, "
		    "%" PRIu64 " freed\n", st.pswpout, st.pswpin, st.pgpgout,
		    st.pdfreed);
	}
	bvm_system_destroy(g_sys);
	if (verbose) {
		printf("coverage: %" PRIu64 " file sequences; ops (succeeded): ",
		    cov.fileseqs);
		for (int k = 0; k < OP_NKINDS; k++)
			printf("%s %" PRIu64 " (%" PRIu64 ")%s", opnames[k],
			    cov.ops[k], cov.okops[k],
			    k + 1 < OP_NKINDS ? ", " : "\n");
		printf("coverage: %" PRIu64 " file mappings, faults compared: "
		    "%" PRIu64 " SIGSEGV, %" PRIu64 " SIGBUS; %" PRIu64
		    " file comparisons; %" PRIu64 " bytes beyond EOF not "
		    "compared\n", cov.filemaps, cov.segv, cov.sigbus,
		    cov.filecmp, cov.tailskip);
		printf("coverage: stores into file pages: %" PRIu64 " shared, %"
		    PRIu64 " private; %" PRIu64 " end-of-sequence reads\n",
		    cov.fwrites[1], cov.fwrites[0], cov.endreads);
	}
	printf("%llu sequences, %llu divergences\n", nseq, diverged);
	printf("%llu passed, %llu failed\n", nseq - diverged - hostfail,
	    diverged + hostfail);
	return (diverged || hostfail) ? 1 : 0;
}
