/*
 * scenario.c: the scenario-script interpreter of the bsdvm CLI.
 *
 * A script is read one line at a time.  Each line is split into words
 * (whitespace separated; "double quoted" strings with C escapes are one
 * word; a word starting with # begins a comment), the first word names a
 * command from cmdtab[], and the command's handler runs it against one
 * system (struct bvm_system) and up to SCENARIO_VMSPACES named vmspaces.
 *
 * Commands that call the library record their result (an errno value, and
 * for memory accesses the bvm_fault_info) so that a following `expect` can
 * assert it.  Status codes (SCENARIO_*) flow back from every handler; the
 * first non-zero one ends the run, and the run always ends by destroying
 * every vmspace and the system.
 *
 * Everything here must survive arbitrary input, because a fuzzer drives
 * scenario_run_buffer(): lengths are checked before anything is copied,
 * every size that allocates or loops is bounded by a SCENARIO_* limit, and
 * numbers are parsed with overflow checks.
 *
 * Host files live in one private directory per run (mkdtemp, made on the
 * first `file` or `open` that needs it, removed with its files when the run
 * ends).  Names are checked (no '/', no ".."), every open is an openat()
 * relative to that directory with O_NOFOLLOW, and nothing but `file`
 * creates a file.  The descriptors a script sees are numbers of its own
 * (3, 4, ... as in a fresh process); only those reach the library as host
 * descriptors, any other number becomes one that is never open (EBADF).
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bsdvm.h"
#include "scenario.h"

/* Command flags. */
#define CF_VM     0x1 /* word 1 names an existing vmspace */
#define CF_PRINT  0x2 /* a print command: its output is kept under -q */

struct scn;

struct cmd {
	const char *name;
	int minargs, maxargs;  /* words after the command name */
	unsigned flags;        /* CF_* */
	int prefix;            /* words that name the result line */
	int dataarg;           /* the word that may be a quoted string, or -1 */
	int (*fn)(struct scn *s, struct bvm_vmspace *vm);
	const char *usage;
};

struct vmslot {
	char name[SCENARIO_NAME_MAX + 1];
	struct bvm_vmspace *vm;         /* NULL: the slot is free */
};

struct var {
	char name[SCENARIO_NAME_MAX + 1];
	uint64_t val;
};

/* A host file made by `file`, in the run's directory. */
struct hostfile {
	char name[SCENARIO_NAME_MAX + 1];
	int fd;                         /* read/write, for host ops; -1: free */
};

/* An object handle (shm_open, device, fileobj). */
struct objslot {
	char name[SCENARIO_NAME_MAX + 1];
	struct bvm_object *obj;         /* NULL: the slot is free */
};

/* Script descriptor numbers start here, as in a fresh process. */
#define SCN_FD_BASE 3
/* What an unknown descriptor number becomes: never open on any host. */
#define SCN_FD_NEVER INT_MAX

/* The state of one run. */
struct scn {
	const struct scenario_opts *o;
	FILE *out, *err;
	struct bvm_system *sys;
	struct vmslot vms[SCENARIO_VMSPACES];
	struct var vars[SCENARIO_VARS];
	int nvars;
	unsigned long lineno;

	/* Host files, descriptors, objects. */
	int dirfd;                     /* the run's directory; -1: none yet */
	char dir[PATH_MAX];            /* its path */
	char dirreal[PATH_MAX];        /* its path, symbolic links resolved */
	struct hostfile files[SCENARIO_FILES];
	int fds[SCENARIO_FDS];         /* script fd 3+i -> host fd; -1: free */
	struct objslot objs[SCENARIO_OBJECTS];
	int fp_armed;                  /* a failpoint was armed */
	int procstat_v;                /* procstat -v is printing */

	/* The current line, split into words. */
	const char *line;      /* the raw line (not NUL-terminated) */
	size_t linelen;
	const struct cmd *cmd;
	int ntok;
	char *tok[SCENARIO_TOKENS_MAX];
	size_t toklen[SCENARIO_TOKENS_MAX];
	size_t tokoff[SCENARIO_TOKENS_MAX]; /* offset in the raw line */
	int tokquoted[SCENARIO_TOKENS_MAX];
	char buf[SCENARIO_LINE_MAX + 1];    /* the words, NUL-terminated */
	unsigned char data[SCENARIO_LINE_MAX / 2 + 1]; /* decoded 0xHEX */

	/* The result of the last command that called the library. */
	int have_last;
	int last_err;
	int last_access;       /* it was a memory access: last_fi is valid */
	struct bvm_fault_info last_fi;
	unsigned long last_line;
	char last_what[2 * SCENARIO_NAME_MAX + 32];
	int pending;           /* it failed and no expect has looked at it */
};

/* A name and its value, for the tables below. */
struct nameval {
	const char *name;
	int val;
};

static const struct nameval errtab[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EIO", EIO },
	{ "ENXIO", ENXIO }, { "E2BIG", E2BIG }, { "EBADF", EBADF },
	{ "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM }, { "EACCES", EACCES },
	{ "EFAULT", EFAULT }, { "EBUSY", EBUSY }, { "EEXIST", EEXIST },
	{ "ENODEV", ENODEV }, { "EINVAL", EINVAL }, { "ENOSPC", ENOSPC },
	{ "ERANGE", ERANGE }, { "ENOSYS", ENOSYS }, { "ENOTSUP", ENOTSUP },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "EOVERFLOW", EOVERFLOW },
	{ "EDEADLK", EDEADLK }, { "EISDIR", EISDIR }, { "ENOTDIR", ENOTDIR },
	{ "ENAMETOOLONG", ENAMETOOLONG }, { "EFBIG", EFBIG },
	{ "EROFS", EROFS }, { "EMFILE", EMFILE }, { "ENFILE", ENFILE },
	{ "ESPIPE", ESPIPE },
};

static const struct nameval codetab[] = {
	{ "SEGV_MAPERR", BVM_SEGV_MAPERR },
	{ "SEGV_ACCERR", BVM_SEGV_ACCERR },
	{ "BUS_OBJERR", BVM_BUS_OBJERR },
};

static const struct nameval sigtab[] = {
	{ "SIGSEGV", BVM_SIGSEGV }, { "SIGBUS", BVM_SIGBUS },
};

static const struct nameval inhtab[] = {
	{ "share", BVM_INHERIT_SHARE }, { "copy", BVM_INHERIT_COPY },
	{ "none", BVM_INHERIT_NONE }, { "zero", BVM_INHERIT_ZERO },
};

static const struct nameval advtab[] = {
	{ "normal", BVM_MADV_NORMAL }, { "random", BVM_MADV_RANDOM },
	{ "sequential", BVM_MADV_SEQUENTIAL },
	{ "willneed", BVM_MADV_WILLNEED }, { "dontneed", BVM_MADV_DONTNEED },
	{ "spaceavail", BVM_MADV_SPACEAVAIL }, { "free", BVM_MADV_FREE },
};

static const struct nameval mflagtab[] = {
	{ "shared", BVM_MAP_SHARED }, { "private", BVM_MAP_PRIVATE },
	{ "fixed", BVM_MAP_FIXED }, { "noreplace", BVM_MAP_NOREPLACE },
	{ "anon", BVM_MAP_ANON }, { "nofault", BVM_MAP_NOFAULT },
	{ "stack", BVM_MAP_STACK }, { "conceal", BVM_MAP_CONCEAL },
	{ "none", 0 },
};

static const struct nameval mstab[] = {
	{ "async", BVM_MS_ASYNC }, { "sync", BVM_MS_SYNC },
	{ "invalidate", BVM_MS_INVALIDATE }, { "none", 0 },
};

static const struct nameval oflagtab[] = {
	{ "creat", BVM_O_CREAT }, { "excl", BVM_O_EXCL }, { "none", 0 },
};

static const struct nameval modetab[] = {
	{ "ro", O_RDONLY }, { "wo", O_WRONLY }, { "rw", O_RDWR },
};

static const struct nameval mcltab[] = {
	{ "current", BVM_MCL_CURRENT }, { "future", BVM_MCL_FUTURE },
};

static const struct nameval rlimtab[] = {
	{ "data", BVM_RLIMIT_DATA }, { "memlock", BVM_RLIMIT_MEMLOCK },
};

static const struct nameval accesstab[] = {
	{ "r", BVM_PROT_READ }, { "w", BVM_PROT_WRITE }, { "x", BVM_PROT_EXEC },
};

#define STAT(f, d) { #f, offsetof(struct bvm_stats, f), d }
static const struct {
	const char *name;
	size_t off;
	const char *desc;
} stattab[] = {
	STAT(pagesize, "bytes per page"),
	STAT(npages, "pages managed"),
	STAT(free, "pages free"),
	STAT(active, "pages active"),
	STAT(inactive, "pages inactive"),
	STAT(wired, "pages wired down"),
	STAT(wiredmax, "maximum wired pages"),
	STAT(zeropages, "free pages known zero"),
	STAT(vmspaces, "vmspaces"),
	STAT(map_entries, "map entries"),
	STAT(amaps, "amaps"),
	STAT(anons, "anons"),
	STAT(faults, "page faults"),
	STAT(flt_anon, "faults on an existing anon"),
	STAT(flt_acow, "anon copy-on-write faults"),
	STAT(flt_amcopy, "amap copies by needs-copy faults"),
	STAT(flt_zfill, "zero-fill faults"),
	STAT(flt_noram, "faults that found no free page"),
	STAT(flt_nomap, "faults at unmapped addresses"),
	STAT(flt_prot, "faults refused for protection"),
	STAT(flt_around, "pages mapped by fault-around"),
	STAT(flt_wired, "wiring faults"),
	STAT(pga_zerohit, "zeroed allocations served pre-zeroed"),
	STAT(pga_zeromiss, "zeroed allocations zeroed on demand"),
	STAT(pages_alloc, "pages allocated"),
	STAT(pages_free, "pages freed"),
	STAT(forks, "forks"),
	STAT(cow_now, "pages copied at fork"),
	STAT(pmap_enter, "pmap_enter calls"),
	STAT(pmap_remove, "pages removed from pmaps"),
	STAT(pmap_protect, "pmap_protect calls"),
	STAT(tlb_miss, "soft TLB misses"),
	STAT(tlb_flush, "soft TLB flushes"),
	STAT(mmap_calls, "mmap calls"),
	STAT(munmap_calls, "munmap calls"),
	STAT(mprotect_calls, "mprotect calls"),
	STAT(objects, "memory objects (vnode, aobj, device)"),
	STAT(vnodes, "vnode objects"),
	STAT(obj_pages, "pages owned by objects"),
	STAT(flt_obj, "object faults (object page mapped)"),
	STAT(flt_prcopy, "object pages copied on private write"),
	STAT(pgpgin, "pages paged in"),
	STAT(pgpgout, "pages paged out"),
	STAT(pageins, "pagein operations"),
	STAT(pageouts, "pageout operations"),
	STAT(pager_errors, "pager I/O errors"),
	STAT(msync_calls, "msync calls"),
	STAT(freemin, "free pages the daemon wakes below"),
	STAT(freetarg, "free pages the daemon aims for"),
	STAT(inactarg, "inactive pages the daemon aims for"),
	STAT(nswapdev, "swap areas"),
	STAT(swpages, "swap pages"),
	STAT(swpginuse, "swap pages in use"),
	STAT(swpgbad, "swap pages marked bad"),
	STAT(swpgonly, "pages that live only in swap"),
	STAT(pswpin, "pages swapped in"),
	STAT(pswpout, "pages swapped out"),
	STAT(swapins, "swap read operations"),
	STAT(swapouts, "swap write operations"),
	STAT(swap_errors, "swap I/O errors"),
	STAT(pdwoke, "times the page daemon woke"),
	STAT(pdrevs, "page daemon scans"),
	STAT(pdsync, "scans run by allocations finding no page"),
	STAT(pdscans, "inactive pages examined"),
	STAT(pdfreed, "pages freed by the daemon"),
	STAT(pdreact, "pages reactivated (used while inactive)"),
	STAT(pddeact, "pages deactivated"),
	STAT(pdbusy, "pages skipped: busy"),
	STAT(pdpageouts, "pageouts started by the daemon"),
	STAT(pdnoswap, "dirty anonymous pages kept: no swap room"),
};
#undef STAT

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((unused))

/* nv_find: the entry of tab[0..n) called name, or NULL. */
static const struct nameval *
nv_find(const struct nameval *tab, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(tab[i].name, name) == 0)
			return &tab[i];
	return NULL;
}

/* nv_name: the name of val in tab[0..n), or dflt. */
static const char *
nv_name(const struct nameval *tab, size_t n, int val, const char *dflt)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].val == val)
			return tab[i].name;
	return dflt;
}

/* ---------------------------------------------------------------------
 * Output.
 * ------------------------------------------------------------------- */

/* emit: print to the output stream, if there is one. */
static void __attribute__((format(printf, 2, 3)))
emit(struct scn *s, const char *fmt, ...)
{
	va_list ap;

	if (s->out == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(s->out, fmt, ap);
	va_end(ap);
}

/* where: start a diagnostic: the script's name and the line. */
static void
where(struct scn *s, unsigned long line)
{
	if (s->o->name != NULL)
		fprintf(s->err, "%s: ", s->o->name);
	fprintf(s->err, "line %lu: ", line);
}

/*
 * diag: print a diagnostic naming the script and line to the error stream.
 * => returns status, so that handlers can `return diag(s, SCENARIO_X, ...)`.
 */
static int __attribute__((format(printf, 3, 4)))
diag(struct scn *s, int status, const char *fmt, ...)
{
	va_list ap;

	if (s->err == NULL)
		return status;
	where(s, s->lineno);
	va_start(ap, fmt);
	vfprintf(s->err, fmt, ap);
	va_end(ap);
	fputc('\n', s->err);
	return status;
}

/* usage: a syntax error showing the command's usage. */
static int
usage(struct scn *s)
{
	return diag(s, SCENARIO_SYNTAX, "usage: %s", s->cmd->usage);
}

/* errname: the name of an errno value ("EINVAL"). */
static const char *
errname(int error, char *buf, size_t len)
{
	const char *n;

	if ((n = nv_name(errtab, NITEMS(errtab), error, NULL)) != NULL)
		return n;
	n = bvm_errname(error);
	if (n != NULL && strcmp(n, "E?") != 0)
		return n;
	snprintf(buf, len, "E%d", error);
	return buf;
}

/*
 * fmt_result: describe a result: "ok", "EINVAL", or for a failed access
 * "EFAULT (SIGSEGV SEGV_ACCERR at 0x...)".
 */
static void
fmt_result(char *buf, size_t len, int error, int access,
    const struct bvm_fault_info *fi)
{
	char eb[16];
	const char *sig;

	if (error == 0) {
		snprintf(buf, len, "ok");
		return;
	}
	if (!access || fi->signo == 0) {
		snprintf(buf, len, "%s", errname(error, eb, sizeof(eb)));
		return;
	}
	sig = nv_name(sigtab, NITEMS(sigtab), fi->signo, "SIG?");
	if (fi->signo == BVM_SIGBUS && fi->error != 0 && fi->error != error) {
		/* EFAULT from a copy: say which bus error (ENXIO, EIO). */
		char cb[16];

		snprintf(buf, len, "%s (%s: %s %s at 0x%" PRIx64 ")",
		    errname(error, eb, sizeof(eb)),
		    errname(fi->error, cb, sizeof(cb)), sig,
		    nv_name(codetab, NITEMS(codetab), fi->code, "?"),
		    fi->addr);
		return;
	}
	snprintf(buf, len, "%s (%s %s at 0x%" PRIx64 ")",
	    errname(error, eb, sizeof(eb)), sig,
	    nv_name(codetab, NITEMS(codetab), fi->code, "?"), fi->addr);
}

/* prot_str: "rw-" for a protection. */
static void
prot_str(char *buf, int prot)
{
	buf[0] = prot & BVM_PROT_READ ? 'r' : '-';
	buf[1] = prot & BVM_PROT_WRITE ? 'w' : '-';
	buf[2] = prot & BVM_PROT_EXEC ? 'x' : '-';
	buf[3] = '\0';
}

/* ---------------------------------------------------------------------
 * Results and expectations.
 * ------------------------------------------------------------------- */

/*
 * report_pending: under -q, a failure that no expect looked at is reported
 * on the error stream (without -q its result line already showed it).
 */
static void
report_pending(struct scn *s)
{
	char rb[128];

	if (!s->pending)
		return;
	s->pending = 0;
	if (!s->o->quiet || s->err == NULL)
		return;
	fmt_result(rb, sizeof(rb), s->last_err, s->last_access, &s->last_fi);
	where(s, s->last_line);
	fprintf(s->err, "%s: %s\n", s->last_what, rb);
}

/*
 * record_result: record the result of the current command for expect.
 * => fi is NULL unless the command accessed memory.
 */
static void
record_result(struct scn *s, int error, const struct bvm_fault_info *fi)
{
	size_t n;
	int i;

	report_pending(s);
	s->have_last = 1;
	s->last_err = error;
	s->last_access = fi != NULL;
	if (fi != NULL)
		s->last_fi = *fi;
	else
		memset(&s->last_fi, 0, sizeof(s->last_fi));
	s->last_line = s->lineno;
	s->pending = error != 0;

	n = 0;
	s->last_what[0] = '\0';
	for (i = 0; i < s->cmd->prefix && i < s->ntok; i++) {
		snprintf(s->last_what + n, sizeof(s->last_what) - n, "%s%s",
		    i ? " " : "", s->tok[i]);
		n = strlen(s->last_what);
	}
}

/*
 * set_result: record_result, then print the result line: "munmap p: ok",
 * "munmap p: EINVAL", or value instead of "ok" on success if not NULL.
 */
static void
set_result(struct scn *s, int error, const struct bvm_fault_info *fi,
    const char *value)
{
	char rb[128];

	record_result(s, error, fi);
	if (s->o->quiet && !(s->cmd->flags & CF_PRINT))
		return;
	if (error == 0 && value != NULL)
		emit(s, "%s: %s\n", s->last_what, value);
	else {
		fmt_result(rb, sizeof(rb), error, fi != NULL, &s->last_fi);
		emit(s, "%s: %s\n", s->last_what, rb);
	}
}

/* ok_line: print "<command words>: ok" for a command without a result. */
static void
ok_line(struct scn *s, int nwords)
{
	int i;

	if (s->o->quiet)
		return;
	for (i = 0; i < nwords && i < s->ntok; i++)
		emit(s, "%s%s", i ? " " : "", s->tok[i]);
	emit(s, ": ok\n");
}

/* ---------------------------------------------------------------------
 * Words: names, numbers, expressions, protections, flags, data.
 * ------------------------------------------------------------------- */

/* hexval: the value of a hex digit, or -1. */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* valid_name: is str an identifier of at most SCENARIO_NAME_MAX chars? */
static int
valid_name(const char *str)
{
	size_t i;

	if (!isalpha((unsigned char)str[0]) && str[0] != '_')
		return 0;
	for (i = 1; str[i] != '\0'; i++)
		if (!isalnum((unsigned char)str[i]) && str[i] != '_')
			return 0;
	return i <= SCENARIO_NAME_MAX;
}

/* vm_slot: the slot of the vmspace called name, or NULL. */
static struct vmslot *
vm_slot(struct scn *s, const char *name)
{
	int i;

	for (i = 0; i < SCENARIO_VMSPACES; i++)
		if (s->vms[i].vm != NULL && strcmp(s->vms[i].name, name) == 0)
			return &s->vms[i];
	return NULL;
}

/*
 * new_slot: a free slot for a new vmspace called name.
 * => returns NULL after a diagnostic if the name is bad or taken or there
 *    is no free slot.
 */
static struct vmslot *
new_slot(struct scn *s, const char *name)
{
	int i;

	if (!valid_name(name)) {
		diag(s, SCENARIO_SYNTAX, "bad vmspace name '%s'", name);
		return NULL;
	}
	if (vm_slot(s, name) != NULL) {
		diag(s, SCENARIO_SYNTAX, "vmspace '%s' exists", name);
		return NULL;
	}
	for (i = 0; i < SCENARIO_VMSPACES; i++)
		if (s->vms[i].vm == NULL)
			return &s->vms[i];
	diag(s, SCENARIO_SYNTAX, "too many vmspaces (at most %d)",
	    SCENARIO_VMSPACES);
	return NULL;
}

/*
 * valid_fname: is str a host file name the scenario may use: 1 to
 * SCENARIO_NAME_MAX characters from letters, digits, '.', '_' and '-', not
 * starting with '.' or '-', without "..".  No '/' can appear, so every
 * name stays inside the run's directory.
 */
static int
valid_fname(const char *str)
{
	size_t i;

	if (str[0] == '\0' || str[0] == '.' || str[0] == '-' ||
	    strstr(str, "..") != NULL)
		return 0;
	for (i = 0; str[i] != '\0'; i++)
		if (!isalnum((unsigned char)str[i]) && str[i] != '.' &&
		    str[i] != '_' && str[i] != '-')
			return 0;
	return i <= SCENARIO_NAME_MAX;
}

/* file_find: the host file called name, or NULL. */
static struct hostfile *
file_find(struct scn *s, const char *name)
{
	int i;

	for (i = 0; i < SCENARIO_FILES; i++)
		if (s->files[i].fd >= 0 && strcmp(s->files[i].name, name) == 0)
			return &s->files[i];
	return NULL;
}

/* obj_slot: the object handle called name, or NULL. */
static struct objslot *
obj_slot(struct scn *s, const char *name)
{
	int i;

	for (i = 0; i < SCENARIO_OBJECTS; i++)
		if (s->objs[i].obj != NULL && strcmp(s->objs[i].name, name) == 0)
			return &s->objs[i];
	return NULL;
}

/*
 * new_obj_slot: a free slot for a new object handle called name.
 * => returns NULL after a diagnostic if the name is bad or taken or there
 *    is no free slot.
 */
static struct objslot *
new_obj_slot(struct scn *s, const char *name)
{
	int i;

	if (!valid_name(name)) {
		diag(s, SCENARIO_SYNTAX, "bad object name '%s'", name);
		return NULL;
	}
	if (obj_slot(s, name) != NULL) {
		diag(s, SCENARIO_SYNTAX, "object '%s' exists", name);
		return NULL;
	}
	for (i = 0; i < SCENARIO_OBJECTS; i++)
		if (s->objs[i].obj == NULL)
			return &s->objs[i];
	diag(s, SCENARIO_SYNTAX, "too many objects (at most %d)",
	    SCENARIO_OBJECTS);
	return NULL;
}

/*
 * fd_host: the host descriptor for the script's descriptor number fd:
 * one the script opened, fd itself if negative (-1 for anonymous memory),
 * else one that is never open, so that no script reaches a descriptor
 * of the process it did not open (stdout, a fuzzer's files).
 */
static int
fd_host(struct scn *s, int fd)
{
	if (fd < 0)
		return fd;
	if (fd >= SCN_FD_BASE && fd < SCN_FD_BASE + SCENARIO_FDS &&
	    s->fds[fd - SCN_FD_BASE] >= 0)
		return s->fds[fd - SCN_FD_BASE];
	return SCN_FD_NEVER;
}

/*
 * host_dir: make the run's private directory if it does not exist yet.
 * => returns 0 or an errno value.
 */
static int
host_dir(struct scn *s)
{
	const char *base;
	int error;

	if (s->dirfd >= 0)
		return 0;
	base = getenv("TMPDIR");
	if (base == NULL || base[0] != '/' || strlen(base) > 256)
		base = "/tmp";
	snprintf(s->dir, sizeof(s->dir), "%s/bsdvm.XXXXXX", base);
	if (mkdtemp(s->dir) == NULL) {
		error = errno;
		s->dir[0] = '\0';
		return error;
	}
	if ((s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error = errno;
		rmdir(s->dir);
		s->dir[0] = '\0';
		return error;
	}
	if (realpath(s->dir, s->dirreal) == NULL)
		snprintf(s->dirreal, sizeof(s->dirreal), "%s", s->dir);
	return 0;
}

/*
 * host_cleanup: close every descriptor, remove every file and the
 * directory.  Runs after the vmspaces and objects are gone (their last
 * references write the files back through the library's own descriptors).
 */
static void
host_cleanup(struct scn *s)
{
	int i;

	for (i = 0; i < SCENARIO_FDS; i++)
		if (s->fds[i] >= 0) {
			close(s->fds[i]);
			s->fds[i] = -1;
		}
	for (i = 0; i < SCENARIO_FILES; i++)
		if (s->files[i].fd >= 0) {
			close(s->files[i].fd);
			s->files[i].fd = -1;
			if (s->dirfd >= 0)
				unlinkat(s->dirfd, s->files[i].name, 0);
		}
	if (s->dirfd >= 0) {
		close(s->dirfd);
		s->dirfd = -1;
		if (rmdir(s->dir) != 0 && s->err != NULL)
			fprintf(s->err, "cannot remove %s: %s\n", s->dir,
			    strerror(errno));
	}
}

/* var_find: the variable called name (without $), or NULL. */
static struct var *
var_find(struct scn *s, const char *name, size_t len)
{
	int i;

	for (i = 0; i < s->nvars; i++)
		if (strlen(s->vars[i].name) == len &&
		    memcmp(s->vars[i].name, name, len) == 0)
			return &s->vars[i];
	return NULL;
}

/*
 * var_set: set variable name (an optional leading $ is ignored).
 * => returns 0, or SCENARIO_SYNTAX after a diagnostic.
 */
static int
var_set(struct scn *s, const char *name, uint64_t val)
{
	struct var *v;

	if (name[0] == '$')
		name++;
	if (!valid_name(name))
		return diag(s, SCENARIO_SYNTAX, "bad variable name '%s'",
		    name);
	if ((v = var_find(s, name, strlen(name))) == NULL) {
		if (s->nvars == SCENARIO_VARS)
			return diag(s, SCENARIO_SYNTAX,
			    "too many variables (at most %d)", SCENARIO_VARS);
		v = &s->vars[s->nvars++];
		snprintf(v->name, sizeof(v->name), "%s", name);
	}
	v->val = val;
	return 0;
}

/*
 * parse_term: a number (0xHEX or decimal, optional suffix k, m, g, t for
 * KiB, MiB, GiB, TiB or p for pages) or a variable ($name) at *pp.
 * => advances *pp; returns 0 or SCENARIO_SYNTAX after a diagnostic.
 */
static int
parse_term(struct scn *s, const char *word, const char **pp, uint64_t *v)
{
	const char *p = *pp, *start;
	uint64_t x = 0;
	unsigned d, shift;
	struct var *var;

	if (*p == '$') {
		start = ++p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		if ((var = var_find(s, start, (size_t)(p - start))) == NULL)
			return diag(s, SCENARIO_SYNTAX,
			    "undefined variable in '%s'", word);
		*v = var->val;
		*pp = p;
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		return diag(s, SCENARIO_SYNTAX, "bad number '%s'", word);
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		if (!isxdigit((unsigned char)*p))
			return diag(s, SCENARIO_SYNTAX, "bad number '%s'",
			    word);
		for (; isxdigit((unsigned char)*p); p++) {
			if (x >> 60)
				goto overflow;
			x = x << 4 | (unsigned)hexval(*p);
		}
	} else {
		for (; isdigit((unsigned char)*p); p++) {
			d = (unsigned)(*p - '0');
			if (x > (UINT64_MAX - d) / 10)
				goto overflow;
			x = x * 10 + d;
		}
	}
	switch (*p) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	case 't': case 'T': shift = 40; break;
	case 'p': case 'P': shift = BVM_PAGE_SHIFT; break;
	default: shift = 0; break;
	}
	if (shift != 0) {
		if (x > UINT64_MAX >> shift)
			goto overflow;
		x <<= shift;
		p++;
	}
	*v = x;
	*pp = p;
	return 0;
overflow:
	return diag(s, SCENARIO_SYNTAX, "number too large in '%s'", word);
}

/*
 * parse_expr: term { (+|-) term }, with an optional leading sign; the
 * arithmetic wraps modulo 2^64 (so that scripts can build wrapping
 * ranges on purpose).
 */
static int
parse_expr(struct scn *s, const char *word, uint64_t *v)
{
	const char *p = word;
	uint64_t acc, t;
	int neg = 0, op, error;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if ((error = parse_term(s, word, &p, &t)) != 0)
		return error;
	acc = neg ? 0 - t : t;
	while (*p == '+' || *p == '-') {
		op = *p++;
		if ((error = parse_term(s, word, &p, &t)) != 0)
			return error;
		acc = op == '+' ? acc + t : acc - t;
	}
	if (*p != '\0')
		return diag(s, SCENARIO_SYNTAX, "bad expression '%s'", word);
	*v = acc;
	return 0;
}

/* arg_expr: word i as an expression. */
static int
arg_expr(struct scn *s, int i, uint64_t *v)
{
	return parse_expr(s, s->tok[i], v);
}

/* arg_int: word i as an expression that fits an int (e.g. -1). */
static int
arg_int(struct scn *s, int i, int *v)
{
	uint64_t u;
	int64_t x;
	int error;

	if ((error = arg_expr(s, i, &u)) != 0)
		return error;
	x = (int64_t)u;
	if (x < INT_MIN || x > INT_MAX)
		return diag(s, SCENARIO_SYNTAX, "'%s' out of range",
		    s->tok[i]);
	*v = (int)x;
	return 0;
}

/*
 * arg_named: word i as a name from tab[0..n), or a number (any int, to
 * pass values the names do not cover).
 */
static int
arg_named(struct scn *s, int i, const struct nameval *tab, size_t n, int *v)
{
	const struct nameval *nv;

	if ((nv = nv_find(tab, n, s->tok[i])) != NULL) {
		*v = nv->val;
		return 0;
	}
	if (isdigit((unsigned char)s->tok[i][0]) || s->tok[i][0] == '-')
		return arg_int(s, i, v);
	return usage(s);
}

/*
 * arg_prot: word i as a protection: "none", letters from r, w, x and -
 * ("rw-", "r-", "rwx"), or a number (to pass bad bits).
 */
static int
arg_prot(struct scn *s, int i, int *prot)
{
	const char *p = s->tok[i];

	if (isdigit((unsigned char)*p))
		return arg_int(s, i, prot);
	*prot = 0;
	if (strcmp(p, "none") == 0)
		return 0;
	for (; *p != '\0'; p++) {
		switch (*p) {
		case 'r': *prot |= BVM_PROT_READ; break;
		case 'w': *prot |= BVM_PROT_WRITE; break;
		case 'x': *prot |= BVM_PROT_EXEC; break;
		case '-': break;
		default:
			return diag(s, SCENARIO_SYNTAX,
			    "bad protection '%s' (rwx, r--, none, or a number)",
			    s->tok[i]);
		}
	}
	return 0;
}

/*
 * arg_flags: word i as a comma-separated list of names from tab[0..n) and
 * numbers; the values are or-ed.
 */
static int
arg_flags(struct scn *s, int i, const struct nameval *tab, size_t n,
    int *flags)
{
	char word[SCENARIO_LINE_MAX + 1];
	const struct nameval *nv;
	char *p, *comma;
	uint64_t u;
	int error;

	snprintf(word, sizeof(word), "%s", s->tok[i]);
	*flags = 0;
	for (p = word; p != NULL; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		if (isdigit((unsigned char)*p)) {
			if ((error = parse_expr(s, p, &u)) != 0)
				return error;
			if (u > INT_MAX)
				return diag(s, SCENARIO_SYNTAX,
				    "flag '%s' out of range", p);
			*flags |= (int)u;
		} else if ((nv = nv_find(tab, n, p)) != NULL)
			*flags |= nv->val;
		else
			return diag(s, SCENARIO_SYNTAX, "unknown flag '%s'", p);
	}
	return 0;
}

/*
 * arg_data: word i as bytes: a quoted string, or 0x followed by an even
 * number of hex digits.
 */
static int
arg_data(struct scn *s, int i, const unsigned char **data, size_t *len)
{
	const char *p = s->tok[i];
	size_t n, j;
	int hi, lo;

	if (s->tokquoted[i]) {
		*data = (const unsigned char *)s->tok[i];
		*len = s->toklen[i];
		return 0;
	}
	if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
		return diag(s, SCENARIO_SYNTAX,
		    "data must be \"string\" or 0xHEX, not '%s'", p);
	p += 2;
	n = strlen(p);
	if (n == 0 || n % 2 != 0 || n / 2 > sizeof(s->data))
		return diag(s, SCENARIO_SYNTAX,
		    "0xHEX data needs an even number of hex digits");
	for (j = 0; j < n / 2; j++) {
		if ((hi = hexval(p[2 * j])) < 0 ||
		    (lo = hexval(p[2 * j + 1])) < 0)
			return diag(s, SCENARIO_SYNTAX, "bad hex data '%s'",
			    s->tok[i]);
		s->data[j] = (unsigned char)(hi << 4 | lo);
	}
	*data = s->data;
	*len = n / 2;
	return 0;
}

/* ---------------------------------------------------------------------
 * Commands: address spaces.
 * ------------------------------------------------------------------- */

/* vmspace NAME: create an empty address space. */
static int
cmd_vmspace(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct vmslot *slot;
	struct bvm_vmspace *nvm = NULL;
	int error;

	if ((slot = new_slot(s, s->tok[1])) == NULL)
		return SCENARIO_SYNTAX;
	if ((error = bvm_vmspace_create(s->sys, &nvm)) == 0) {
		snprintf(slot->name, sizeof(slot->name), "%s", s->tok[1]);
		slot->vm = nvm;
	}
	set_result(s, error, NULL, NULL);
	return 0;
}

/* destroy NAME: destroy an address space and everything in it. */
static int
cmd_destroy(struct scn *s, struct bvm_vmspace *vm)
{
	struct vmslot *slot = vm_slot(s, s->tok[1]);

	bvm_vmspace_destroy(vm);
	slot->vm = NULL;
	set_result(s, 0, NULL, NULL);
	return 0;
}

/* fork PARENT CHILD: a child address space, by inheritance. */
static int
cmd_fork(struct scn *s, struct bvm_vmspace *vm)
{
	struct vmslot *slot;
	struct bvm_vmspace *child = NULL;
	int error;

	if ((slot = new_slot(s, s->tok[2])) == NULL)
		return SCENARIO_SYNTAX;
	if ((error = bvm_fork(vm, &child)) == 0) {
		snprintf(slot->name, sizeof(slot->name), "%s", s->tok[2]);
		slot->vm = child;
	}
	set_result(s, error, NULL, NULL);
	return 0;
}

/* exec NAME: replace the address space with an empty one. */
static int
cmd_exec(struct scn *s, struct bvm_vmspace *vm)
{
	set_result(s, bvm_exec(vm), NULL, NULL);
	return 0;
}

/* ---------------------------------------------------------------------
 * Commands: the memory-management calls.
 * ------------------------------------------------------------------- */

/*
 * mmap/mquery NAME VAR LEN PROT FLAGS [ADDR] [FD] [OFF]: map (or ask where
 * a mapping would go); on success the address goes into $VAR (unless VAR
 * is -).  After FLAGS, words addr=EXPR, fd=EXPR, off=EXPR and (mmap only)
 * obj=OBJ may stand for the positional ones, in any order; obj= maps an
 * object handle with bvm_mmap_object.
 */
static int
cmd_mmap(struct scn *s, struct bvm_vmspace *vm)
{
	static const char *const kw[] = { "addr=", "fd=", "off=", "obj=" };
	uint64_t len, addr = 0, off = 0, res = 0, v;
	int prot, flags, fd = -1, error, i, k, npos = 0, seen = 0, kwseen = 0;
	int ismmap = strcmp(s->tok[0], "mmap") == 0;
	struct objslot *os = NULL;
	const char *var = s->tok[2], *w;
	char vb[32];

	if (strcmp(var, "-") != 0 &&
	    !valid_name(var[0] == '$' ? var + 1 : var))
		return diag(s, SCENARIO_SYNTAX, "bad variable name '%s'", var);
	if ((error = arg_expr(s, 3, &len)) != 0 ||
	    (error = arg_prot(s, 4, &prot)) != 0 ||
	    (error = arg_flags(s, 5, mflagtab, NITEMS(mflagtab),
	    &flags)) != 0)
		return error;
	for (i = 6; i < s->ntok; i++) {
		w = s->tok[i];
		for (k = 0; k < (int)NITEMS(kw); k++)
			if (strncmp(w, kw[k], strlen(kw[k])) == 0)
				break;
		if (k == (int)NITEMS(kw)) {
			if (strchr(w, '=') != NULL)
				return diag(s, SCENARIO_SYNTAX,
				    "mmap: unknown keyword in '%s'", w);
			if (kwseen)
				return diag(s, SCENARIO_SYNTAX,
				    "mmap: positional '%s' after a keyword", w);
			k = npos++;	/* ADDR, FD, OFF in order */
		} else {
			w += strlen(kw[k]);
			kwseen = 1;
		}
		if (seen & (1 << k) || (k == 1 && (seen & 8)) ||
		    (k == 3 && (seen & 2)))
			return diag(s, SCENARIO_SYNTAX,
			    "mmap: '%s' given twice (or fd= with obj=)",
			    s->tok[i]);
		seen |= 1 << k;
		if (k == 3 && !ismmap)
			return diag(s, SCENARIO_SYNTAX,
			    "mquery: no obj= (objects are mapped by mmap)");
		if (k == 3) {
			if ((os = obj_slot(s, w)) == NULL)
				return diag(s, SCENARIO_SYNTAX,
				    "no object '%s'", w);
			continue;
		}
		if ((error = parse_expr(s, w, &v)) != 0)
			return error;
		if (k == 0)
			addr = v;
		else if (k == 2)
			off = v;
		else {
			if ((int64_t)v < INT_MIN || (int64_t)v > INT_MAX)
				return diag(s, SCENARIO_SYNTAX,
				    "'%s' out of range", s->tok[i]);
			fd = fd_host(s, (int)(int64_t)v);
		}
	}

	if (os != NULL)
		error = bvm_mmap_object(vm, addr, len, prot, flags, os->obj,
		    (int64_t)off, &res);
	else if (ismmap)
		error = bvm_mmap(vm, addr, len, prot, flags, fd, (int64_t)off,
		    &res);
	else
		error = bvm_mquery(vm, addr, len, prot, flags, fd,
		    (int64_t)off, &res);
	if (error == 0 && strcmp(var, "-") != 0) {
		int serr;

		if ((serr = var_set(s, var, res)) != 0)
			return serr;
	}
	snprintf(vb, sizeof(vb), "0x%" PRIx64, res);
	set_result(s, error, NULL, vb);
	return 0;
}

/*
 * The range commands: munmap, mlock, munlock NAME ADDR LEN;
 * mprotect NAME ADDR LEN PROT; minherit NAME ADDR LEN share|copy|none|zero;
 * madvise NAME ADDR LEN normal|random|sequential|willneed|dontneed|
 * spaceavail|free; msync NAME ADDR LEN async|sync|invalidate (a list).
 */
static int
cmd_range(struct scn *s, struct bvm_vmspace *vm)
{
	const char *c = s->tok[0];
	uint64_t addr, len;
	int arg = 0, error;

	if ((error = arg_expr(s, 2, &addr)) != 0 ||
	    (error = arg_expr(s, 3, &len)) != 0)
		return error;
	if (strcmp(c, "mprotect") == 0)
		error = arg_prot(s, 4, &arg);
	else if (strcmp(c, "minherit") == 0)
		error = arg_named(s, 4, inhtab, NITEMS(inhtab), &arg);
	else if (strcmp(c, "madvise") == 0)
		error = arg_named(s, 4, advtab, NITEMS(advtab), &arg);
	else if (strcmp(c, "msync") == 0)
		error = arg_flags(s, 4, mstab, NITEMS(mstab), &arg);
	if (error != 0)
		return error;

	if (strcmp(c, "munmap") == 0)
		error = bvm_munmap(vm, addr, len);
	else if (strcmp(c, "mlock") == 0)
		error = bvm_mlock(vm, addr, len);
	else if (strcmp(c, "munlock") == 0)
		error = bvm_munlock(vm, addr, len);
	else if (strcmp(c, "mprotect") == 0)
		error = bvm_mprotect(vm, addr, len, arg);
	else if (strcmp(c, "minherit") == 0)
		error = bvm_minherit(vm, addr, len, arg);
	else if (strcmp(c, "msync") == 0)
		error = bvm_msync(vm, addr, len, arg);
	else
		error = bvm_madvise(vm, addr, len, arg);
	set_result(s, error, NULL, NULL);
	return 0;
}

/* mincore NAME ADDR LEN: print the residency vector, one digit a page. */
static int
cmd_mincore(struct scn *s, struct bvm_vmspace *vm)
{
	uint64_t addr, len, npages, i;
	unsigned char *vec;
	char *str;
	int error;

	if ((error = arg_expr(s, 2, &addr)) != 0 ||
	    (error = arg_expr(s, 3, &len)) != 0)
		return error;
	if (len > (uint64_t)SCENARIO_MINCORE_MAX * BVM_PAGE_SIZE)
		return diag(s, SCENARIO_SYNTAX,
		    "mincore: at most %d pages at a time",
		    SCENARIO_MINCORE_MAX);
	npages = (len + BVM_PAGE_SIZE - 1) / BVM_PAGE_SIZE;
	vec = calloc(npages + 1, 1);
	str = calloc(npages + 1, 1);
	if (vec == NULL || str == NULL) {
		free(vec);
		free(str);
		return diag(s, SCENARIO_FATAL, "out of memory");
	}
	error = bvm_mincore(vm, addr, len, vec);
	for (i = 0; i < npages; i++)
		str[i] = vec[i] & BVM_MINCORE_INCORE ? '1' : '0';
	set_result(s, error, NULL, str);
	free(vec);
	free(str);
	return 0;
}

/* mlockall NAME current,future: wire every mapping (now and/or later). */
static int
cmd_mlockall(struct scn *s, struct bvm_vmspace *vm)
{
	int flags, error;

	if ((error = arg_flags(s, 2, mcltab, NITEMS(mcltab), &flags)) != 0)
		return error;
	set_result(s, bvm_mlockall(vm, flags), NULL, NULL);
	return 0;
}

/* munlockall NAME: unwire everything, clear MCL_FUTURE. */
static int
cmd_munlockall(struct scn *s, struct bvm_vmspace *vm)
{
	set_result(s, bvm_munlockall(vm), NULL, NULL);
	return 0;
}

/* setrlimit NAME data|memlock BYTES|inf */
static int
cmd_setrlimit(struct scn *s, struct bvm_vmspace *vm)
{
	uint64_t lim;
	int res = 0, error;

	if ((error = arg_named(s, 2, rlimtab, NITEMS(rlimtab), &res)) != 0)
		return error;
	if (strcmp(s->tok[3], "inf") == 0 || strcmp(s->tok[3], "infinity") == 0)
		lim = BVM_RLIM_INFINITY;
	else if ((error = arg_expr(s, 3, &lim)) != 0)
		return error;
	set_result(s, bvm_setrlimit(vm, res, lim), NULL, NULL);
	return 0;
}

/* ---------------------------------------------------------------------
 * Commands: memory accesses.
 * ------------------------------------------------------------------- */

/* write NAME ADDR "string"|0xHEX: copy bytes out to the address space. */
static int
cmd_write(struct scn *s, struct bvm_vmspace *vm)
{
	struct bvm_fault_info fi;
	const unsigned char *data;
	uint64_t addr;
	size_t len;
	int error;

	if ((error = arg_expr(s, 2, &addr)) != 0 ||
	    (error = arg_data(s, 3, &data, &len)) != 0)
		return error;
	memset(&fi, 0, sizeof(fi));
	set_result(s, bvm_write(vm, addr, data, len, &fi), &fi, NULL);
	return 0;
}

/* fill NAME ADDR LEN BYTE: write LEN copies of BYTE, a page at a time. */
static int
cmd_fill(struct scn *s, struct bvm_vmspace *vm)
{
	unsigned char chunk[BVM_PAGE_SIZE];
	struct bvm_fault_info fi;
	uint64_t addr, len, byte, done, n;
	int error;

	if ((error = arg_expr(s, 2, &addr)) != 0 ||
	    (error = arg_expr(s, 3, &len)) != 0 ||
	    (error = arg_expr(s, 4, &byte)) != 0)
		return error;
	if (len > SCENARIO_FILL_MAX)
		return diag(s, SCENARIO_SYNTAX, "fill: at most %u bytes",
		    SCENARIO_FILL_MAX);
	if (byte > 0xff)
		return diag(s, SCENARIO_SYNTAX, "fill: BYTE must be 0..255");
	memset(chunk, (int)byte, sizeof(chunk));
	memset(&fi, 0, sizeof(fi));
	for (done = 0, error = 0; done < len && error == 0; done += n) {
		/* Stop at page boundaries so each call is one page. */
		n = BVM_PAGE_SIZE - ((addr + done) & (BVM_PAGE_SIZE - 1));
		if (n > len - done)
			n = len - done;
		error = bvm_write(vm, addr + done, chunk, (size_t)n, &fi);
	}
	set_result(s, error, &fi, NULL);
	return 0;
}

/* hexdump: 16 bytes a line: address, hex in two groups of 8, ASCII. */
static void
hexdump(struct scn *s, uint64_t addr, const unsigned char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char hx[16 * 3 + 2], asc[17];
	size_t i, j, n, k;

	for (i = 0; i < len; i += 16) {
		n = len - i < 16 ? len - i : 16;
		for (j = 0, k = 0; j < 16; j++) {
			if (j == 8)
				hx[k++] = ' ';
			hx[k++] = ' ';
			hx[k++] = j < n ? hex[p[i + j] >> 4] : ' ';
			hx[k++] = j < n ? hex[p[i + j] & 0xf] : ' ';
		}
		hx[k] = '\0';
		for (j = 0; j < n; j++)
			asc[j] = isprint(p[i + j]) ? (char)p[i + j] : '.';
		asc[n] = '\0';
		emit(s, "0x%012" PRIx64 " %s  |%s|\n", addr + i, hx, asc);
	}
}

/* read NAME ADDR LEN: copy bytes in and print them as hex and ASCII. */
static int
cmd_read(struct scn *s, struct bvm_vmspace *vm)
{
	struct bvm_fault_info fi;
	unsigned char *buf;
	uint64_t addr, len;
	int error;

	if ((error = arg_expr(s, 2, &addr)) != 0 ||
	    (error = arg_expr(s, 3, &len)) != 0)
		return error;
	if (len > SCENARIO_IO_MAX)
		return diag(s, SCENARIO_SYNTAX, "read: at most %d bytes",
		    SCENARIO_IO_MAX);
	if ((buf = malloc(len + 1)) == NULL)
		return diag(s, SCENARIO_FATAL, "out of memory");
	memset(&fi, 0, sizeof(fi));
	error = bvm_read(vm, addr, buf, (size_t)len, &fi);
	if (error == 0) {
		/* The dump is the output: no result line. */
		record_result(s, 0, &fi);
		hexdump(s, addr, buf, (size_t)len);
	} else
		set_result(s, error, &fi, NULL);
	free(buf);
	return 0;
}

/* fault NAME ADDR r|w|x: resolve a fault as a trap would. */
static int
cmd_fault(struct scn *s, struct bvm_vmspace *vm)
{
	struct bvm_fault_info fi;
	uint64_t addr;
	int access = 0, error;

	if ((error = arg_expr(s, 2, &addr)) != 0)
		return error;
	if ((error = arg_named(s, 3, accesstab, NITEMS(accesstab),
	    &access)) != 0)
		return error;
	memset(&fi, 0, sizeof(fi));
	set_result(s, bvm_fault(vm, addr, access, &fi), &fi, NULL);
	return 0;
}

/* ---------------------------------------------------------------------
 * Commands: host files and descriptors.
 * ------------------------------------------------------------------- */

/* arg_file: word i names a host file made by `file`. */
static int
arg_file(struct scn *s, int i, struct hostfile **hf)
{
	if ((*hf = file_find(s, s->tok[i])) == NULL)
		return diag(s, SCENARIO_SYNTAX, "no file '%s'", s->tok[i]);
	return 0;
}

/* arg_fd: word i as a script descriptor number, as a host descriptor. */
static int
arg_fd(struct scn *s, int i, int *fd)
{
	int error, v = -1;

	if ((error = arg_int(s, i, &v)) != 0)
		return error;
	*fd = fd_host(s, v);
	return 0;
}

/* arg_var: word i names a variable to set ($ optional), or is "-". */
static int
arg_var(struct scn *s, int i)
{
	const char *var = s->tok[i];

	if (strcmp(var, "-") != 0 &&
	    !valid_name(var[0] == '$' ? var + 1 : var))
		return diag(s, SCENARIO_SYNTAX, "bad variable name '%s'", var);
	return 0;
}

/* set_var: set the variable of word i to v, unless the word is "-". */
static int
set_var(struct scn *s, int i, uint64_t v)
{
	if (strcmp(s->tok[i], "-") == 0)
		return 0;
	return var_set(s, s->tok[i], v);
}

/*
 * host_pread: read up to len bytes of host descriptor fd at off.
 * => returns 0 and *nread (short at the end of the file), or an errno.
 */
static int
host_pread(int fd, unsigned char *buf, size_t len, uint64_t off,
    size_t *nread)
{
	size_t done = 0;
	ssize_t n;

	if (off > (uint64_t)INT64_MAX - len)
		return EINVAL;
	while (done < len) {
		n = pread(fd, buf + done, len - done, (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	*nread = done;
	return 0;
}

/* host_pwrite: write len bytes to host descriptor fd at off. */
static int
host_pwrite(int fd, const unsigned char *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pwrite(fd, buf + done, len - done, (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (n == 0)
			return EIO;
		done += (size_t)n;
	}
	return 0;
}

/*
 * file FILE [size=LEN] [fill=zero|seq|letters|BYTE]: make a host file in
 * the run's directory: LEN bytes of zeroes (sparse), of i & 0xff at offset
 * i (seq), of one letter a page ('A' for page 0, 'B' for page 1, ...), or
 * of one byte.
 */
static int
cmd_file(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	unsigned char chunk[16384];
	const char *name = s->tok[1], *fillw = "zero", *w;
	struct hostfile *hf = NULL;
	uint64_t size = 0, byte = 0, done, n, j, o;
	int i, fd, error, pat;

	if (!valid_fname(name))
		return diag(s, SCENARIO_SYNTAX, "bad file name '%s' (letters, "
		    "digits, '.', '_', '-'; no '/' or '..')", name);
	for (i = 2; i < s->ntok; i++) {
		w = s->tok[i];
		if (strncmp(w, "size=", 5) == 0) {
			if ((error = parse_expr(s, w + 5, &size)) != 0)
				return error;
		} else if (strncmp(w, "fill=", 5) == 0)
			fillw = w + 5;
		else
			return usage(s);
	}
	if (strcmp(fillw, "zero") == 0)
		pat = 0;
	else if (strcmp(fillw, "seq") == 0)
		pat = 1;
	else if (strcmp(fillw, "letters") == 0)
		pat = 2;
	else {
		pat = 3;
		if ((error = parse_expr(s, fillw, &byte)) != 0)
			return error;
		if (byte > 0xff)
			return diag(s, SCENARIO_SYNTAX,
			    "file: fill must be zero, seq, letters or 0..255");
	}
	if (size > SCENARIO_HOSTFILE_MAX)
		return diag(s, SCENARIO_SYNTAX, "file: at most %u bytes",
		    SCENARIO_HOSTFILE_MAX);
	if (file_find(s, name) != NULL)
		return diag(s, SCENARIO_SYNTAX, "file '%s' exists", name);
	for (i = 0; i < SCENARIO_FILES && hf == NULL; i++)
		if (s->files[i].fd < 0)
			hf = &s->files[i];
	if (hf == NULL)
		return diag(s, SCENARIO_SYNTAX, "too many files (at most %d)",
		    SCENARIO_FILES);

	if ((error = host_dir(s)) != 0) {
		set_result(s, error, NULL, NULL);
		return 0;
	}
	fd = openat(s->dirfd, name,
	    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		set_result(s, errno, NULL, NULL);
		return 0;
	}
	error = 0;
	if (pat == 0 && ftruncate(fd, (off_t)size) != 0)
		error = errno;
	for (done = 0; pat != 0 && done < size && error == 0; done += n) {
		n = size - done < sizeof(chunk) ? size - done : sizeof(chunk);
		for (j = 0; j < n; j++) {
			o = done + j;
			chunk[j] = (unsigned char)(pat == 1 ? o & 0xff :
			    pat == 2 ? 'A' + (o / BVM_PAGE_SIZE) % 26 : byte);
		}
		error = host_pwrite(fd, chunk, (size_t)n, done);
	}
	if (error != 0) {
		close(fd);
		unlinkat(s->dirfd, name, 0);
		set_result(s, error, NULL, NULL);
		return 0;
	}
	snprintf(hf->name, sizeof(hf->name), "%s", name);
	hf->fd = fd;
	set_result(s, 0, NULL, NULL);
	return 0;
}

/*
 * open VAR FILE|. ro|wo|rw: open a host file of the run (or, for ".", the
 * run's directory: a descriptor that is not a regular file); $VAR gets the
 * descriptor number, the lowest free from 3 up.  Never creates a file.
 */
static int
cmd_open(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	const char *name = s->tok[2];
	const struct nameval *nv;
	int i, slot = -1, isdir, hfd, error;
	char vb[16];

	if ((error = arg_var(s, 1)) != 0)
		return error;
	/* Names only: a number could carry O_CREAT or O_TRUNC. */
	if ((nv = nv_find(modetab, NITEMS(modetab), s->tok[3])) == NULL)
		return usage(s);
	isdir = strcmp(name, ".") == 0;
	if (!isdir && !valid_fname(name))
		return diag(s, SCENARIO_SYNTAX, "bad file name '%s'", name);
	for (i = 0; i < SCENARIO_FDS && slot < 0; i++)
		if (s->fds[i] < 0)
			slot = i;
	if (slot < 0)
		return diag(s, SCENARIO_SYNTAX,
		    "too many open descriptors (at most %d)", SCENARIO_FDS);

	if (isdir)
		error = host_dir(s);
	else
		error = s->dirfd >= 0 ? 0 : ENOENT;
	if (error != 0) {
		set_result(s, error, NULL, NULL);
		return 0;
	}
	hfd = openat(s->dirfd, isdir ? "." : name,
	    nv->val | O_NOFOLLOW | O_CLOEXEC | (isdir ? O_DIRECTORY : 0));
	if (hfd < 0) {
		set_result(s, errno, NULL, NULL);
		return 0;
	}
	if ((error = set_var(s, 1, (uint64_t)(SCN_FD_BASE + slot))) != 0) {
		close(hfd);
		return error;
	}
	s->fds[slot] = hfd;
	snprintf(vb, sizeof(vb), "%d", SCN_FD_BASE + slot);
	set_result(s, 0, NULL, vb);
	return 0;
}

/* close FD: close a descriptor the script opened (else EBADF). */
static int
cmd_close(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	int fd = -1, error;

	if ((error = arg_int(s, 1, &fd)) != 0)
		return error;
	if (fd >= SCN_FD_BASE && fd < SCN_FD_BASE + SCENARIO_FDS &&
	    s->fds[fd - SCN_FD_BASE] >= 0) {
		close(s->fds[fd - SCN_FD_BASE]);
		s->fds[fd - SCN_FD_BASE] = -1;
		error = 0;
	} else
		error = EBADF;
	set_result(s, error, NULL, NULL);
	return 0;
}

/*
 * read_and_dump: the bytes read (a hostread or file_read): the result line
 * "N bytes", then the dump, offsets in the address column.
 */
static void
read_and_dump(struct scn *s, int error, const unsigned char *buf,
    size_t n, uint64_t off)
{
	char vb[32];

	snprintf(vb, sizeof(vb), "%zu bytes", n);
	set_result(s, error, NULL, vb);
	if (error == 0)
		hexdump(s, off, buf, n);
}

/* hostread FILE OFF LEN: read the host file itself (not the cache). */
static int
cmd_hostread(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct hostfile *hf;
	unsigned char *buf;
	uint64_t off, len;
	size_t n = 0;
	int error;

	if ((error = arg_file(s, 1, &hf)) != 0 ||
	    (error = arg_expr(s, 2, &off)) != 0 ||
	    (error = arg_expr(s, 3, &len)) != 0)
		return error;
	if (len > SCENARIO_IO_MAX)
		return diag(s, SCENARIO_SYNTAX, "hostread: at most %d bytes",
		    SCENARIO_IO_MAX);
	if ((buf = malloc(len + 1)) == NULL)
		return diag(s, SCENARIO_FATAL, "out of memory");
	error = host_pread(hf->fd, buf, (size_t)len, off, &n);
	read_and_dump(s, error, buf, n, off);
	free(buf);
	return 0;
}

/* hostwrite FILE OFF DATA: write the host file behind the library's back. */
static int
cmd_hostwrite(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	const unsigned char *data;
	struct hostfile *hf;
	uint64_t off;
	size_t len;
	int error;

	if ((error = arg_file(s, 1, &hf)) != 0 ||
	    (error = arg_expr(s, 2, &off)) != 0 ||
	    (error = arg_data(s, 3, &data, &len)) != 0)
		return error;
	if (off > SCENARIO_HOSTFILE_MAX || len > SCENARIO_HOSTFILE_MAX - off)
		return diag(s, SCENARIO_SYNTAX,
		    "hostwrite: the file would pass %u bytes",
		    SCENARIO_HOSTFILE_MAX);
	set_result(s, host_pwrite(hf->fd, data, len, off), NULL, NULL);
	return 0;
}

/* hosttruncate FILE SIZE: ftruncate the host file behind the library. */
static int
cmd_hosttruncate(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct hostfile *hf;
	uint64_t size;
	int error;

	if ((error = arg_file(s, 1, &hf)) != 0 ||
	    (error = arg_expr(s, 2, &size)) != 0)
		return error;
	if (size > SCENARIO_HOSTFILE_MAX)
		return diag(s, SCENARIO_SYNTAX, "hosttruncate: at most %u bytes",
		    SCENARIO_HOSTFILE_MAX);
	error = ftruncate(hf->fd, (off_t)size) != 0 ? errno : 0;
	set_result(s, error, NULL, NULL);
	return 0;
}

/* hostsize FILE [VAR]: the host file's size (into $VAR if given). */
static int
cmd_hostsize(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct hostfile *hf;
	struct stat st;
	char vb[32];
	int error;

	if ((error = arg_file(s, 1, &hf)) != 0 ||
	    (s->ntok > 2 && (error = arg_var(s, 2)) != 0))
		return error;
	if (fstat(hf->fd, &st) != 0) {
		set_result(s, errno, NULL, NULL);
		return 0;
	}
	if (s->ntok > 2 &&
	    (error = set_var(s, 2, (uint64_t)st.st_size)) != 0)
		return error;
	snprintf(vb, sizeof(vb), "%" PRIu64, (uint64_t)st.st_size);
	set_result(s, 0, NULL, vb);
	return 0;
}

/*
 * compare_bytes: the expectation of expect-host, expect-file and
 * expect-phys: got[0..n) is data[0..len).
 */
static int
compare_bytes(struct scn *s, const char *what, uint64_t off,
    const unsigned char *got, size_t n, const unsigned char *data,
    size_t len)
{
	size_t i;

	for (i = 0; i < len && i < n; i++)
		if (got[i] != data[i])
			return diag(s, SCENARIO_EXPECT,
			    "%s failed: byte at 0x%" PRIx64 " is 0x%02x, "
			    "expected 0x%02x", what, off + i, got[i], data[i]);
	if (n < len)
		return diag(s, SCENARIO_EXPECT,
		    "%s failed: the file ends at 0x%" PRIx64, what, off + n);
	ok_line(s, 2);
	return 0;
}

/* expect-host FILE OFF DATA: the host file holds exactly these bytes. */
static int
cmd_expect_host(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	unsigned char got[SCENARIO_LINE_MAX];
	const unsigned char *data;
	struct hostfile *hf;
	char eb[16];
	uint64_t off;
	size_t len, n = 0;
	int error;

	if ((error = arg_file(s, 1, &hf)) != 0 ||
	    (error = arg_expr(s, 2, &off)) != 0 ||
	    (error = arg_data(s, 3, &data, &len)) != 0)
		return error;
	if (len > sizeof(got))
		return usage(s);
	if ((error = host_pread(hf->fd, got, len, off, &n)) != 0)
		return diag(s, SCENARIO_EXPECT,
		    "expect-host failed: reading the file gave %s",
		    errname(error, eb, sizeof(eb)));
	return compare_bytes(s, "expect-host", off, got, n, data, len);
}

/* ---------------------------------------------------------------------
 * Commands: file I/O through the page cache.
 * ------------------------------------------------------------------- */

/* file_read FD OFF LEN: bvm_file_read; prints the count and the bytes. */
static int
cmd_file_read(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	unsigned char *buf;
	uint64_t off, len;
	size_t n = 0;
	int fd, error;

	if ((error = arg_fd(s, 1, &fd)) != 0 ||
	    (error = arg_expr(s, 2, &off)) != 0 ||
	    (error = arg_expr(s, 3, &len)) != 0)
		return error;
	if (len > SCENARIO_IO_MAX)
		return diag(s, SCENARIO_SYNTAX, "file_read: at most %d bytes",
		    SCENARIO_IO_MAX);
	if ((buf = malloc(len + 1)) == NULL)
		return diag(s, SCENARIO_FATAL, "out of memory");
	error = bvm_file_read(s->sys, fd, buf, (size_t)len, (int64_t)off, &n);
	if (n > len)
		n = (size_t)len;
	read_and_dump(s, error, buf, n, off);
	free(buf);
	return 0;
}

/* file_write FD OFF DATA: bvm_file_write. */
static int
cmd_file_write(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	const unsigned char *data;
	uint64_t off;
	size_t len;
	int fd, error;

	if ((error = arg_fd(s, 1, &fd)) != 0 ||
	    (error = arg_expr(s, 2, &off)) != 0 ||
	    (error = arg_data(s, 3, &data, &len)) != 0)
		return error;
	set_result(s, bvm_file_write(s->sys, fd, data, len, (int64_t)off),
	    NULL, NULL);
	return 0;
}

/* file_sync FD: bvm_file_sync. */
static int
cmd_file_sync(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	int fd, error;

	if ((error = arg_fd(s, 1, &fd)) != 0)
		return error;
	set_result(s, bvm_file_sync(s->sys, fd), NULL, NULL);
	return 0;
}

/* file_truncate FD SIZE: bvm_file_truncate. */
static int
cmd_file_truncate(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	uint64_t size;
	int fd, error;

	if ((error = arg_fd(s, 1, &fd)) != 0 ||
	    (error = arg_expr(s, 2, &size)) != 0)
		return error;
	set_result(s, bvm_file_truncate(s->sys, fd, size), NULL, NULL);
	return 0;
}

/* expect-file FD OFF DATA: bvm_file_read there gives exactly these. */
static int
cmd_expect_file(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	unsigned char got[SCENARIO_LINE_MAX];
	const unsigned char *data;
	char eb[16];
	uint64_t off;
	size_t len, n = 0;
	int fd, error;

	if ((error = arg_fd(s, 1, &fd)) != 0 ||
	    (error = arg_expr(s, 2, &off)) != 0 ||
	    (error = arg_data(s, 3, &data, &len)) != 0)
		return error;
	if (len > sizeof(got))
		return usage(s);
	if ((error = bvm_file_read(s->sys, fd, got, len, (int64_t)off,
	    &n)) != 0)
		return diag(s, SCENARIO_EXPECT,
		    "expect-file failed: bvm_file_read gave %s",
		    errname(error, eb, sizeof(eb)));
	if (n > len)
		n = len;
	return compare_bytes(s, "expect-file", off, got, n, data, len);
}

/* ---------------------------------------------------------------------
 * Commands: objects (shared memory, devices, files) and physical memory.
 * ------------------------------------------------------------------- */

/* arg_obj: word i names an object handle. */
static int
arg_obj(struct scn *s, int i, struct objslot **os)
{
	if ((*os = obj_slot(s, s->tok[i])) == NULL)
		return diag(s, SCENARIO_SYNTAX, "no object '%s'", s->tok[i]);
	return 0;
}

/*
 * shm_open OBJ NAME|- [creat,excl]: open (or create) a shared-memory
 * object; "-" makes an unnamed one.  NAME may be a "string".
 */
static int
cmd_shm_open(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct bvm_object *obj = NULL;
	struct objslot *os;
	const char *name = s->tok[2];
	int flags = 0, error;

	if (s->ntok > 3 && (error = arg_flags(s, 3, oflagtab,
	    NITEMS(oflagtab), &flags)) != 0)
		return error;
	if ((os = new_obj_slot(s, s->tok[1])) == NULL)
		return SCENARIO_SYNTAX;
	if (!s->tokquoted[2] && strcmp(name, "-") == 0)
		name = NULL;
	if ((error = bvm_shm_open(s->sys, name, flags, &obj)) == 0) {
		snprintf(os->name, sizeof(os->name), "%s", s->tok[1]);
		os->obj = obj;
	}
	set_result(s, error, NULL, NULL);
	return 0;
}

/* shm_unlink NAME: remove a shared-memory name. */
static int
cmd_shm_unlink(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	set_result(s, bvm_shm_unlink(s->sys, s->tok[1]), NULL, NULL);
	return 0;
}

/* fileobj OBJ FD: a handle on the object of an open host file. */
static int
cmd_fileobj(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct bvm_object *obj = NULL;
	struct objslot *os;
	int fd, error;

	if ((error = arg_fd(s, 2, &fd)) != 0)
		return error;
	if ((os = new_obj_slot(s, s->tok[1])) == NULL)
		return SCENARIO_SYNTAX;
	if ((error = bvm_object_file(s->sys, fd, &obj)) == 0) {
		snprintf(os->name, sizeof(os->name), "%s", s->tok[1]);
		os->obj = obj;
	}
	set_result(s, error, NULL, NULL);
	return 0;
}

/*
 * device OBJ PAVAR NPAGES [NAME]: a device object of NPAGES contiguous
 * frames named NAME (default OBJ); the physical address of its first frame
 * goes into $PAVAR (unless PAVAR is -).
 */
static int
cmd_device(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct bvm_object *obj = NULL;
	struct objslot *os;
	uint64_t npages, pa = 0;
	char vb[32];
	int error;

	if ((error = arg_var(s, 2)) != 0 ||
	    (error = arg_expr(s, 3, &npages)) != 0)
		return error;
	if ((os = new_obj_slot(s, s->tok[1])) == NULL)
		return SCENARIO_SYNTAX;
	error = bvm_device_create(s->sys, npages,
	    s->ntok > 4 ? s->tok[4] : s->tok[1], &obj, &pa);
	if (error == 0) {
		snprintf(os->name, sizeof(os->name), "%s", s->tok[1]);
		os->obj = obj;
		if ((error = set_var(s, 2, pa)) != 0)
			return error;
	}
	snprintf(vb, sizeof(vb), "0x%" PRIx64, pa);
	set_result(s, error, NULL, vb);
	return 0;
}

/* truncate OBJ SIZE: bvm_object_truncate. */
static int
cmd_truncate(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct objslot *os;
	uint64_t size;
	int error;

	if ((error = arg_obj(s, 1, &os)) != 0 ||
	    (error = arg_expr(s, 2, &size)) != 0)
		return error;
	set_result(s, bvm_object_truncate(os->obj, size), NULL, NULL);
	return 0;
}

/* objsize OBJ [VAR]: bvm_object_size (into $VAR if given). */
static int
cmd_objsize(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct objslot *os;
	uint64_t size = 0;
	char vb[32];
	int error;

	if ((error = arg_obj(s, 1, &os)) != 0 ||
	    (s->ntok > 2 && (error = arg_var(s, 2)) != 0))
		return error;
	error = bvm_object_size(os->obj, &size);
	if (error == 0 && s->ntok > 2 && (error = set_var(s, 2, size)) != 0)
		return error;
	snprintf(vb, sizeof(vb), "%" PRIu64, size);
	set_result(s, error, NULL, vb);
	return 0;
}

/* release OBJ: drop the handle (mappings keep the object alive). */
static int
cmd_release(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct objslot *os;
	int error;

	if ((error = arg_obj(s, 1, &os)) != 0)
		return error;
	bvm_object_release(os->obj);
	os->obj = NULL;
	set_result(s, 0, NULL, NULL);
	return 0;
}

/* physwrite PA DATA: bvm_phys_write (a device's side of its frames). */
static int
cmd_physwrite(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	const unsigned char *data;
	uint64_t pa;
	size_t len;
	int error;

	if ((error = arg_expr(s, 1, &pa)) != 0 ||
	    (error = arg_data(s, 2, &data, &len)) != 0)
		return error;
	set_result(s, bvm_phys_write(s->sys, pa, data, len), NULL, NULL);
	return 0;
}

/* physread PA LEN: bvm_phys_read; prints the bytes. */
static int
cmd_physread(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	unsigned char *buf;
	uint64_t pa, len;
	int error;

	if ((error = arg_expr(s, 1, &pa)) != 0 ||
	    (error = arg_expr(s, 2, &len)) != 0)
		return error;
	if (len > SCENARIO_IO_MAX)
		return diag(s, SCENARIO_SYNTAX, "physread: at most %d bytes",
		    SCENARIO_IO_MAX);
	if ((buf = malloc(len + 1)) == NULL)
		return diag(s, SCENARIO_FATAL, "out of memory");
	error = bvm_phys_read(s->sys, pa, buf, (size_t)len);
	if (error == 0) {
		/* The dump is the output, as for read. */
		record_result(s, 0, NULL);
		hexdump(s, pa, buf, (size_t)len);
	} else
		set_result(s, error, NULL, NULL);
	free(buf);
	return 0;
}

/* expect-phys PA DATA: physical memory holds exactly these bytes. */
static int
cmd_expect_phys(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	unsigned char got[SCENARIO_LINE_MAX];
	const unsigned char *data;
	char eb[16];
	uint64_t pa;
	size_t len;
	int error;

	if ((error = arg_expr(s, 1, &pa)) != 0 ||
	    (error = arg_data(s, 2, &data, &len)) != 0)
		return error;
	if (len > sizeof(got))
		return usage(s);
	if ((error = bvm_phys_read(s->sys, pa, got, len)) != 0)
		return diag(s, SCENARIO_EXPECT,
		    "expect-phys failed: bvm_phys_read gave %s",
		    errname(error, eb, sizeof(eb)));
	return compare_bytes(s, "expect-phys", pa, got, len, data, len);
}

/*
 * failpoint POINT N | failpoint off: make the Nth call of a failure point
 * fail (bvm_failpoint_arm; POINT by name, e.g. pager_read, or number; N 0
 * disarms it), or disarm every point.  Every point is disarmed when the
 * run ends.
 */
static int
cmd_failpoint(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	const char *n;
	uint64_t nth;
	int point, error;

	if (s->ntok == 2) {
		if (strcmp(s->tok[1], "off") != 0)
			return usage(s);
		bvm_failpoint_disarm();
		set_result(s, 0, NULL, NULL);
		return 0;
	}
	for (point = 0; point < 64; point++)
		if ((n = bvm_failpoint_name(point)) != NULL &&
		    strcmp(n, s->tok[1]) == 0)
			break;
	if (point == 64) {
		if (!isdigit((unsigned char)s->tok[1][0]))
			return diag(s, SCENARIO_SYNTAX,
			    "unknown failure point '%s'", s->tok[1]);
		if ((error = arg_int(s, 1, &point)) != 0)
			return error;
	}
	if ((error = arg_expr(s, 2, &nth)) != 0)
		return error;
	if (nth > LONG_MAX)
		return diag(s, SCENARIO_SYNTAX, "'%s' out of range", s->tok[2]);
	s->fp_armed = 1;
	set_result(s, bvm_failpoint_arm(point, (long)nth), NULL, NULL);
	return 0;
}

/* ---------------------------------------------------------------------
 * Commands: views.
 * ------------------------------------------------------------------- */

/* procstat_line: print one map entry (the bvm_regions callback). */
static int
procstat_line(const struct bvm_region *r, void *arg)
{
	struct scn *s = arg;
	char prot[4], maxprot[4], flags[7];
	const char *inh, *adv, *path, *tp, *pre = "";
	size_t n;

	prot_str(prot, r->prot);
	prot_str(maxprot, r->maxprot);
	flags[0] = r->flags & BVM_REGION_COW ? 'C' : '-';
	flags[1] = r->flags & BVM_REGION_NEEDSCOPY ? 'N' : '-';
	flags[2] = r->flags & BVM_REGION_NOFAULT ? 'F' : '-';
	flags[3] = r->flags & BVM_REGION_STACK ? 'S' : '-';
	flags[4] = r->flags & BVM_REGION_SHAREDAMAP ? 'A' : '-';
	flags[5] = r->flags & BVM_REGION_CONCEAL ? 'H' : '-';
	flags[6] = '\0';
	inh = nv_name(inhtab, NITEMS(inhtab), r->inherit, "?");
	adv = nv_name(advtab, NITEMS(advtab), r->advice, "?");
	emit(s, "  0x%012" PRIx64 " 0x%012" PRIx64 " %s/%s %5" PRIu64
	    " %5" PRIu64 " %3d %-7s %-10s %5d %s ", r->start, r->end,
	    prot, maxprot, r->resident, r->anons, r->amap_refs, inh, adv,
	    r->wired_count, flags);
	if (!s->procstat_v) {
		emit(s, "%s\n", r->type != NULL ? r->type : "-");
		return 0;
	}
	path = r->name != NULL ? r->name : "";
	n = strlen(s->dirreal);
	if (n > 0 && strncmp(path, s->dirreal, n) == 0 && path[n] == '/')
		path += n, pre = "<tmp>";
	else if ((n = strlen(s->dir)) > 0 && strncmp(path, s->dir, n) == 0 &&
	    path[n] == '/')
		path += n, pre = "<tmp>";
	tp = r->type == NULL ? "--" : strcmp(r->type, "vnode") == 0 ? "vn" :
	    strcmp(r->type, "anon") == 0 ? "df" :
	    strcmp(r->type, "aobj") == 0 ? "sh" :
	    strcmp(r->type, "device") == 0 ? "dev" : "??";
	if (*pre == '\0' && *path == '\0')
		emit(s, "0x%010" PRIx64 " %5" PRIu64 " %s\n", r->offset,
		    r->obj_resident, tp);
	else
		emit(s, "0x%010" PRIx64 " %5" PRIu64 " %-3s %s%s\n", r->offset,
		    r->obj_resident, tp, pre, path);
	return 0;
}

/*
 * procstat [-v] NAME: the map entries, one a line, as procstat -v; -v adds
 * the backing object: OFFSET, ORES (its resident pages), TP (vn, df, sh,
 * dev) and PATH (files in the run's directory show as <tmp>/NAME).
 */
static int
cmd_procstat(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct vmslot *slot;
	const char *name = s->tok[s->ntok - 1];
	int error;

	if (s->ntok == 3 && strcmp(s->tok[1], "-v") != 0)
		return usage(s);
	if ((slot = vm_slot(s, name)) == NULL)
		return diag(s, SCENARIO_SYNTAX, "no vmspace '%s'", name);
	s->procstat_v = s->ntok == 3;
	emit(s, "procstat %s%s:\n", s->procstat_v ? "-v " : "", name);
	emit(s, "  %-14s %-14s %-7s %5s %5s %3s %-7s %-10s %5s %-6s ",
	    "START", "END", "PRT/MAX", "RES", "ANON", "REF", "INHERIT",
	    "ADVICE", "WIRED", "FLAGS");
	if (s->procstat_v)
		emit(s, "%-12s %5s %-3s %s\n", "OFFSET", "ORES", "TP", "PATH");
	else
		emit(s, "TYPE\n");
	if ((error = bvm_regions(slot->vm, procstat_line, s)) != 0)
		return diag(s, SCENARIO_FATAL, "bvm_regions: %d", error);
	return 0;
}

/* stat_index: the stattab[] index of the counter called name, or -1. */
static int
stat_index(const char *name)
{
	size_t j;

	for (j = 0; j < NITEMS(stattab); j++)
		if (strcmp(name, stattab[j].name) == 0)
			return (int)j;
	return -1;
}

/* stat_value: counter j of *st. */
static uint64_t
stat_value(const struct bvm_stats *st, size_t j)
{
	uint64_t v;

	memcpy(&v, (const char *)st + stattab[j].off, sizeof(v));
	return v;
}

/* print_stat: counter j as a vmstat -s line. */
static void
print_stat(struct scn *s, const struct bvm_stats *st, size_t j)
{
	emit(s, "%10" PRIu64 " %s (%s)\n", stat_value(st, j), stattab[j].desc,
	    stattab[j].name);
}

/* vmstat [COUNTER...]: the system's counters, one a line, as vmstat -s. */
static int
cmd_vmstat(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct bvm_stats st;
	size_t j;
	int i, error;

	memset(&st, 0, sizeof(st));
	if ((error = bvm_stats(s->sys, &st)) != 0)
		return diag(s, SCENARIO_FATAL, "bvm_stats: %d", error);
	if (s->ntok == 1) {
		for (j = 0; j < NITEMS(stattab); j++)
			print_stat(s, &st, j);
		return 0;
	}
	/* Check every name before printing any. */
	for (i = 1; i < s->ntok; i++)
		if (stat_index(s->tok[i]) < 0)
			return diag(s, SCENARIO_SYNTAX, "unknown counter '%s'",
			    s->tok[i]);
	for (i = 1; i < s->ntok; i++)
		print_stat(s, &st, (size_t)stat_index(s->tok[i]));
	return 0;
}

/* fmt_limit: a limit in bytes, or "inf". */
static const char *
fmt_limit(char *buf, size_t len, uint64_t lim)
{
	if (lim == BVM_RLIM_INFINITY)
		return "inf";
	snprintf(buf, len, "%" PRIu64, lim);
	return buf;
}

/* info NAME: the vmspace's sizes and limits on one line. */
static int
cmd_info(struct scn *s, struct bvm_vmspace *vm)
{
	struct bvm_vmspace_info in;
	char b1[24], b2[24];
	int error;

	memset(&in, 0, sizeof(in));
	if ((error = bvm_vmspace_info(vm, &in)) != 0)
		return diag(s, SCENARIO_FATAL, "bvm_vmspace_info: %d", error);
	emit(s, "info %s: size %" PRIu64 " resident %" PRIu64 " dused %" PRIu64
	    " wired %" PRIu64 " entries %" PRIu64 " rlimit_data %s"
	    " rlimit_memlock %s\n", s->tok[1], in.size, in.resident, in.dused,
	    in.wired, in.nentries, fmt_limit(b1, sizeof(b1), in.rlimit_data),
	    fmt_limit(b2, sizeof(b2), in.rlimit_memlock));
	return 0;
}

/* ---------------------------------------------------------------------
 * Commands: checks, expectations, the rest.
 * ------------------------------------------------------------------- */

/*
 * run_checks: the invariant checkers on every vmspace and the system.
 * => returns 0, or SCENARIO_CHECK after a diagnostic.
 */
static int
run_checks(struct scn *s)
{
	char msg[512];
	int i;

	for (i = 0; i < SCENARIO_VMSPACES; i++) {
		if (s->vms[i].vm == NULL)
			continue;
		msg[0] = '\0';
		if (bvm_check(s->vms[i].vm, msg, sizeof(msg)) != 0) {
			msg[sizeof(msg) - 1] = '\0';
			return diag(s, SCENARIO_CHECK,
			    "invariant violated in vmspace %s: %s",
			    s->vms[i].name, msg);
		}
	}
	msg[0] = '\0';
	if (bvm_system_check(s->sys, msg, sizeof(msg)) != 0) {
		msg[sizeof(msg) - 1] = '\0';
		return diag(s, SCENARIO_CHECK,
		    "invariant violated in the system: %s", msg);
	}
	return 0;
}

/* check: run the invariant checkers now. */
static int
cmd_check(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	int error;

	if ((error = run_checks(s)) != 0)
		return error;
	ok_line(s, 1);
	return 0;
}

/* echo TEXT: print the rest of the line as it is. */
static int
cmd_echo(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	size_t off, n;

	if (s->ntok < 2) {
		emit(s, "\n");
		return 0;
	}
	off = s->tokoff[1];
	n = s->linelen - off;
	while (n > 0 && isspace((unsigned char)s->line[off + n - 1]))
		n--;
	emit(s, "%.*s\n", (int)n, s->line + off);
	return 0;
}

/*
 * expect 0|ok|ERRNAME|SEGV_MAPERR|SEGV_ACCERR|BUS_OBJERR|SIGSEGV|SIGBUS:
 * the last command with a result had that result.  An errno name also
 * matches the cause of a failed access (expect ENXIO after a read that
 * gave EFAULT with SIGBUS BUS_OBJERR for ENXIO).
 */
static int
cmd_expect(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	const char *w = s->tok[1];
	const struct nameval *nv;
	char rb[128];
	int want = -1, code = 0, signo = 0, match;

	if (strcmp(w, "0") == 0 || strcmp(w, "ok") == 0 ||
	    strcmp(w, "OK") == 0)
		want = 0;
	else if ((nv = nv_find(errtab, NITEMS(errtab), w)) != NULL)
		want = nv->val;
	else if ((nv = nv_find(codetab, NITEMS(codetab), w)) != NULL)
		code = nv->val;
	else if ((nv = nv_find(sigtab, NITEMS(sigtab), w)) != NULL)
		signo = nv->val;
	else
		return diag(s, SCENARIO_SYNTAX, "expect: unknown result '%s'",
		    w);
	if (!s->have_last)
		return diag(s, SCENARIO_SYNTAX,
		    "expect: no command with a result before it");

	if (code != 0)
		match = s->last_err != 0 && s->last_access &&
		    s->last_fi.signo != 0 && s->last_fi.code == code;
	else if (signo != 0)
		match = s->last_err != 0 && s->last_access &&
		    s->last_fi.signo == signo;
	else
		match = s->last_err == want || (want != 0 && s->last_err != 0 &&
		    s->last_access && s->last_fi.error == want);
	if (!match) {
		fmt_result(rb, sizeof(rb), s->last_err, s->last_access,
		    &s->last_fi);
		return diag(s, SCENARIO_EXPECT,
		    "expect %s failed: %s (line %lu) gave %s", w,
		    s->last_what, s->last_line, rb);
	}
	s->pending = 0;
	ok_line(s, 2);
	return 0;
}

/* expect-bytes NAME ADDR "string"|0xHEX: memory holds exactly these. */
static int
cmd_expect_bytes(struct scn *s, struct bvm_vmspace *vm)
{
	unsigned char got[SCENARIO_LINE_MAX];
	struct bvm_fault_info fi;
	const unsigned char *data;
	char rb[128];
	uint64_t addr;
	size_t len, i;
	int error;

	if ((error = arg_expr(s, 2, &addr)) != 0 ||
	    (error = arg_data(s, 3, &data, &len)) != 0)
		return error;
	if (len > sizeof(got))
		return usage(s);
	memset(&fi, 0, sizeof(fi));
	if ((error = bvm_read(vm, addr, got, len, &fi)) != 0) {
		fmt_result(rb, sizeof(rb), error, 1, &fi);
		return diag(s, SCENARIO_EXPECT,
		    "expect-bytes failed: reading 0x%" PRIx64 " gave %s",
		    addr, rb);
	}
	for (i = 0; i < len; i++)
		if (got[i] != data[i])
			return diag(s, SCENARIO_EXPECT,
			    "expect-bytes failed: byte at 0x%" PRIx64
			    " is 0x%02x, expected 0x%02x", addr + i, got[i],
			    data[i]);
	ok_line(s, 2);
	return 0;
}

static const char *const optab[] = { "==", "!=", "<", "<=", ">", ">=" };

/*
 * compare: the comparison of words 1..3 or 1..2 of an expect-stat or
 * expect-value line: a OP b, OP from word 2 when there are three words,
 * else ==.
 * => returns 0 and *match, or SCENARIO_SYNTAX.
 */
static int
compare(struct scn *s, uint64_t a, uint64_t b, int *match, const char **opp)
{
	size_t op = 0;

	if (s->ntok == 4) {
		for (op = 0; op < NITEMS(optab); op++)
			if (strcmp(s->tok[2], optab[op]) == 0)
				break;
		if (op == NITEMS(optab))
			return usage(s);
	}
	switch (op) {
	case 0: *match = a == b; break;
	case 1: *match = a != b; break;
	case 2: *match = a < b; break;
	case 3: *match = a <= b; break;
	case 4: *match = a > b; break;
	default: *match = a >= b; break;
	}
	*opp = optab[op];
	return 0;
}

/*
 * expect-stat COUNTER [OP] VALUE: a vmstat counter compares with VALUE
 * (OP one of == != < <= > >=, default ==).
 */
static int
cmd_expect_stat(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct bvm_stats st;
	const char *op;
	uint64_t v, want;
	int j, error, match;

	if ((j = stat_index(s->tok[1])) < 0)
		return diag(s, SCENARIO_SYNTAX, "unknown counter '%s'",
		    s->tok[1]);
	if ((error = arg_expr(s, s->ntok - 1, &want)) != 0)
		return error;
	memset(&st, 0, sizeof(st));
	if ((error = bvm_stats(s->sys, &st)) != 0)
		return diag(s, SCENARIO_FATAL, "bvm_stats: %d", error);
	v = stat_value(&st, (size_t)j);
	if ((error = compare(s, v, want, &match, &op)) != 0)
		return error;
	if (!match)
		return diag(s, SCENARIO_EXPECT,
		    "expect-stat failed: %s is %" PRIu64 ", expected %s %"
		    PRIu64, stattab[j].name, v, op, want);
	ok_line(s, s->ntok);
	return 0;
}

/*
 * expect-value EXPR [OP] EXPR: two expressions compare (OP as for
 * expect-stat), e.g. that a mapping landed at the address asked for.
 */
static int
cmd_expect_value(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	const char *op;
	uint64_t a, b;
	int error, match;

	if ((error = arg_expr(s, 1, &a)) != 0 ||
	    (error = arg_expr(s, s->ntok - 1, &b)) != 0 ||
	    (error = compare(s, a, b, &match, &op)) != 0)
		return error;
	if (!match)
		return diag(s, SCENARIO_EXPECT,
		    "expect-value failed: 0x%" PRIx64 " %s 0x%" PRIx64
		    " is false", a, op, b);
	ok_line(s, s->ntok);
	return 0;
}

/* set VAR EXPR: give a variable a value. */
static int
cmd_set(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	uint64_t v;
	int error;

	if ((error = arg_expr(s, 2, &v)) != 0 ||
	    (error = var_set(s, s->tok[1], v)) != 0)
		return error;
	if (!s->o->quiet)
		emit(s, "set %s: 0x%" PRIx64 "\n", s->tok[1], v);
	return 0;
}

/* ---------------------------------------------------------------------
 * Commands: paging.
 * ------------------------------------------------------------------- */

/* the host path of a file made by `file` */
static void
file_path(struct scn *s, const struct hostfile *hf, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", s->dir, hf->name);
}

/* swapon FILE [PRIORITY]: swapctl -a: a file made by `file` becomes swap */
static int
cmd_swapon(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct hostfile *hf;
	char path[PATH_MAX + 64];
	uint64_t prio = 0;
	int error;

	if ((error = arg_file(s, 1, &hf)) != 0)
		return error;
	if (s->ntok == 3 && (error = arg_expr(s, 2, &prio)) != 0)
		return error;
	if (prio > 1000)
		return diag(s, SCENARIO_SYNTAX, "swapon: priority 0..1000");
	file_path(s, hf, path, sizeof(path));
	set_result(s, bvm_swapon(s->sys, path, (int)prio), NULL, NULL);
	return 0;
}

/* swapoff FILE: swapctl -d: its pages come back in, and it goes */
static int
cmd_swapoff(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct hostfile *hf;
	char path[PATH_MAX + 64];
	int error;

	if ((error = arg_file(s, 1, &hf)) != 0)
		return error;
	file_path(s, hf, path, sizeof(path));
	set_result(s, bvm_swapoff(s->sys, path), NULL, NULL);
	return 0;
}

/* swapctl [-l]: the swap areas, as swapctl -l lists them (in pages) */
static int
cmd_swapctl(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct bvm_swapent ents[SCENARIO_FILES];
	uint64_t tn = 0, tu = 0;
	const char *path;
	size_t n;
	int i, count, error;

	if (s->ntok == 2 && strcmp(s->tok[1], "-l") != 0)
		return usage(s);
	if ((error = bvm_swapstats(s->sys, ents, SCENARIO_FILES, &count)) != 0)
		return diag(s, SCENARIO_FATAL, "bvm_swapstats: %d", error);
	emit(s, "swapctl -l:\n");
	emit(s, "  %-20s %8s %8s %8s %8s %8s %5s %8s %8s\n", "Device", "Pages",
	    "Used", "Avail", "Capacity", "Priority", "Bad", "In", "Out");
	for (i = 0; i < count && i < SCENARIO_FILES; i++) {
		struct bvm_swapent *e = &ents[i];
		const char *pre = "";

		/* a file in the scenario's directory is shown as <tmp>/name */
		path = e->path;
		n = strlen(s->dir);
		if (n > 0 && strncmp(path, s->dir, n) == 0 && path[n] == '/') {
			pre = "<tmp>";
			path += n;
		}
		emit(s, "  %s%-*s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %7"
		    PRIu64 "%% %8d %5" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
		    pre, 20 - (int)strlen(pre), path,
		    e->npages, e->inuse, e->npages - e->inuse,
		    e->npages ? e->inuse * 100 / e->npages : 0, e->priority,
		    e->bad, e->pgin, e->pgout);
		tn += e->npages;
		tu += e->inuse;
	}
	if (count > 1)
		emit(s, "  %-20s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %7" PRIu64
		    "%%\n", "Total", tn, tu, tn - tu, tn ? tu * 100 / tn : 0);
	return 0;
}

/*
 * system [npages=N] [pdaemon]: start again with a fresh system of N
 * frames (and the page daemon thread): only while nothing lives in the
 * current one (no vmspace, object handle or swap area), so that a script
 * can say how big a machine it needs.
 */
static int
cmd_system(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	struct bvm_params params;
	struct bvm_system *nsys;
	uint64_t npages = s->o->npages;
	int i, count = 0, error, pd = s->o->pdaemon;

	for (i = 1; i < s->ntok; i++) {
		if (strncmp(s->tok[i], "npages=", 7) == 0) {
			if ((error = parse_expr(s, s->tok[i] + 7, &npages)) != 0)
				return error;
			if (npages == 0 || npages > SCENARIO_NPAGES_MAX)
				return diag(s, SCENARIO_SYNTAX, "system: npages "
				    "1..%u", SCENARIO_NPAGES_MAX);
		} else if (strcmp(s->tok[i], "pdaemon") == 0)
			pd = 1;
		else
			return usage(s);
	}
	for (i = 0; i < SCENARIO_VMSPACES; i++)
		if (s->vms[i].vm != NULL)
			return diag(s, SCENARIO_SYNTAX, "system: vmspaces exist");
	for (i = 0; i < SCENARIO_OBJECTS; i++)
		if (s->objs[i].obj != NULL)
			return diag(s, SCENARIO_SYNTAX, "system: objects exist");
	(void)bvm_swapstats(s->sys, NULL, 0, &count);
	if (count != 0)
		return diag(s, SCENARIO_SYNTAX, "system: swap areas exist");
	bvm_params_init(&params);
	if (npages != 0)
		params.npages = npages;
	if (!pd)
		params.flags |= BVM_SYS_NOPDAEMON;
	if ((error = bvm_system_create(&params, &nsys)) != 0) {
		set_result(s, error, NULL, NULL);
		return 0;
	}
	bvm_system_destroy(s->sys);
	s->sys = nsys;
	ok_line(s, s->ntok);
	return 0;
}

/* pageout N: run the page daemon now until N pages are freed */
static int
cmd_pageout(struct scn *s, struct bvm_vmspace *vm UNUSED)
{
	uint64_t n, freed = 0;
	char vb[48];
	int error;

	if ((error = arg_expr(s, 1, &n)) != 0)
		return error;
	error = bvm_pageout(s->sys, n, &freed);
	snprintf(vb, sizeof(vb), "%" PRIu64 " freed", freed);
	set_result(s, error, NULL, vb);
	return 0;
}

static const struct cmd cmdtab[] = {
	{ "vmspace", 1, 1, 0, 2, -1, cmd_vmspace, "vmspace NAME" },
	{ "destroy", 1, 1, CF_VM, 2, -1, cmd_destroy,
	    "destroy NAME" },
	{ "fork", 2, 2, CF_VM, 3, -1, cmd_fork,
	    "fork PARENT CHILD" },
	{ "exec", 1, 1, CF_VM, 2, -1, cmd_exec, "exec NAME" },
	{ "mmap", 5, 8, CF_VM, 3, -1, cmd_mmap,
	    "mmap NAME VAR LEN PROT FLAGS [ADDR] [FD] [OFF] "
	    "(or addr= fd= off= obj=)" },
	{ "mquery", 5, 8, CF_VM, 3, -1, cmd_mmap,
	    "mquery NAME VAR LEN PROT FLAGS [ADDR] [FD] [OFF] "
	    "(or addr= fd= off=)" },
	{ "munmap", 3, 3, CF_VM, 2, -1, cmd_range,
	    "munmap NAME ADDR LEN" },
	{ "mprotect", 4, 4, CF_VM, 2, -1, cmd_range,
	    "mprotect NAME ADDR LEN PROT" },
	{ "minherit", 4, 4, CF_VM, 2, -1, cmd_range,
	    "minherit NAME ADDR LEN share|copy|none|zero" },
	{ "madvise", 4, 4, CF_VM, 2, -1, cmd_range,
	    "madvise NAME ADDR LEN normal|random|sequential|willneed|"
	    "dontneed|spaceavail|free" },
	{ "mlock", 3, 3, CF_VM, 2, -1, cmd_range,
	    "mlock NAME ADDR LEN" },
	{ "munlock", 3, 3, CF_VM, 2, -1, cmd_range,
	    "munlock NAME ADDR LEN" },
	{ "mincore", 3, 3, CF_VM | CF_PRINT, 2, -1, cmd_mincore,
	    "mincore NAME ADDR LEN" },
	{ "mlockall", 2, 2, CF_VM, 2, -1, cmd_mlockall,
	    "mlockall NAME current,future" },
	{ "munlockall", 1, 1, CF_VM, 2, -1, cmd_munlockall,
	    "munlockall NAME" },
	{ "setrlimit", 3, 3, CF_VM, 2, -1, cmd_setrlimit,
	    "setrlimit NAME data|memlock BYTES|inf" },
	{ "write", 3, 3, CF_VM, 2, 3, cmd_write,
	    "write NAME ADDR \"string\"|0xHEX" },
	{ "fill", 4, 4, CF_VM, 2, -1, cmd_fill,
	    "fill NAME ADDR LEN BYTE" },
	{ "read", 3, 3, CF_VM | CF_PRINT, 2, -1, cmd_read,
	    "read NAME ADDR LEN" },
	{ "fault", 3, 3, CF_VM, 2, -1, cmd_fault,
	    "fault NAME ADDR r|w|x" },
	{ "msync", 4, 4, CF_VM, 2, -1, cmd_range,
	    "msync NAME ADDR LEN async|sync|invalidate" },
	{ "procstat", 1, 2, CF_PRINT, 0, -1, cmd_procstat,
	    "procstat [-v] NAME" },
	{ "vmstat", 0, SCENARIO_TOKENS_MAX - 1, CF_PRINT, 0, -1, cmd_vmstat,
	    "vmstat [COUNTER...]" },
	{ "info", 1, 1, CF_VM | CF_PRINT, 0, -1, cmd_info, "info NAME" },
	{ "file", 1, 3, 0, 2, -1, cmd_file,
	    "file FILE [size=LEN] [fill=zero|seq|letters|BYTE]" },
	{ "open", 3, 3, 0, 2, -1, cmd_open, "open VAR FILE|. ro|wo|rw" },
	{ "close", 1, 1, 0, 2, -1, cmd_close, "close FD" },
	{ "hostread", 3, 3, CF_PRINT, 2, -1, cmd_hostread,
	    "hostread FILE OFF LEN" },
	{ "hostwrite", 3, 3, 0, 2, 3, cmd_hostwrite,
	    "hostwrite FILE OFF \"string\"|0xHEX" },
	{ "hosttruncate", 2, 2, 0, 2, -1, cmd_hosttruncate,
	    "hosttruncate FILE SIZE" },
	{ "hostsize", 1, 2, CF_PRINT, 2, -1, cmd_hostsize,
	    "hostsize FILE [VAR]" },
	{ "file_read", 3, 3, CF_PRINT, 2, -1, cmd_file_read,
	    "file_read FD OFF LEN" },
	{ "file_write", 3, 3, 0, 2, 3, cmd_file_write,
	    "file_write FD OFF \"string\"|0xHEX" },
	{ "file_sync", 1, 1, 0, 2, -1, cmd_file_sync, "file_sync FD" },
	{ "file_truncate", 2, 2, 0, 2, -1, cmd_file_truncate,
	    "file_truncate FD SIZE" },
	{ "shm_open", 2, 3, 0, 2, 2, cmd_shm_open,
	    "shm_open OBJ NAME|- [creat,excl]" },
	{ "shm_unlink", 1, 1, 0, 2, 1, cmd_shm_unlink, "shm_unlink NAME" },
	{ "fileobj", 2, 2, 0, 2, -1, cmd_fileobj, "fileobj OBJ FD" },
	{ "device", 3, 4, 0, 2, 4, cmd_device,
	    "device OBJ PAVAR NPAGES [NAME]" },
	{ "truncate", 2, 2, 0, 2, -1, cmd_truncate, "truncate OBJ SIZE" },
	{ "objsize", 1, 2, CF_PRINT, 2, -1, cmd_objsize,
	    "objsize OBJ [VAR]" },
	{ "release", 1, 1, 0, 2, -1, cmd_release, "release OBJ" },
	{ "physwrite", 2, 2, 0, 1, 2, cmd_physwrite,
	    "physwrite PA \"string\"|0xHEX" },
	{ "physread", 2, 2, CF_PRINT, 1, -1, cmd_physread,
	    "physread PA LEN" },
	{ "system", 0, 2, 0, 1, -1, cmd_system,
	    "system [npages=N] [pdaemon]" },
	{ "swapon", 1, 2, 0, 2, -1, cmd_swapon, "swapon FILE [PRIORITY]" },
	{ "swapoff", 1, 1, 0, 2, -1, cmd_swapoff, "swapoff FILE" },
	{ "swapctl", 0, 1, CF_PRINT, 0, -1, cmd_swapctl, "swapctl [-l]" },
	{ "pageout", 1, 1, 0, 1, -1, cmd_pageout, "pageout NPAGES" },
	{ "failpoint", 1, 2, 0, 2, -1, cmd_failpoint,
	    "failpoint POINT N | failpoint off" },
	{ "check", 0, 0, 0, 0, -1, cmd_check, "check" },
	{ "echo", 0, SCENARIO_TOKENS_MAX - 1, CF_PRINT, 0, -1, cmd_echo,
	    "echo TEXT" },
	{ "expect", 1, 1, 0, 0, -1, cmd_expect,
	    "expect 0|ERRNAME|SEGV_MAPERR|SEGV_ACCERR|BUS_OBJERR|SIGSEGV|"
	    "SIGBUS" },
	{ "expect-bytes", 3, 3, CF_VM, 0, 3, cmd_expect_bytes,
	    "expect-bytes NAME ADDR \"string\"|0xHEX" },
	{ "expect-stat", 2, 3, 0, 0, -1, cmd_expect_stat,
	    "expect-stat COUNTER [==|!=|<|<=|>|>=] VALUE" },
	{ "expect-value", 2, 3, 0, 0, -1, cmd_expect_value,
	    "expect-value EXPR [==|!=|<|<=|>|>=] EXPR" },
	{ "expect-host", 3, 3, 0, 0, 3, cmd_expect_host,
	    "expect-host FILE OFF \"string\"|0xHEX" },
	{ "expect-file", 3, 3, 0, 0, 3, cmd_expect_file,
	    "expect-file FD OFF \"string\"|0xHEX" },
	{ "expect-phys", 2, 2, 0, 0, 2, cmd_expect_phys,
	    "expect-phys PA \"string\"|0xHEX" },
	{ "set", 2, 2, 0, 0, -1, cmd_set, "set VAR EXPR" },
};

/* cmd_lookup: the command called name, or NULL. */
static const struct cmd *
cmd_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < NITEMS(cmdtab); i++)
		if (strcmp(cmdtab[i].name, name) == 0)
			return &cmdtab[i];
	return NULL;
}

/* ---------------------------------------------------------------------
 * Lines.
 * ------------------------------------------------------------------- */

/*
 * unquote: decode the quoted string starting at *pp (on the opening quote)
 * in place, NUL-terminate it, and advance *pp past the closing quote.
 * Escapes: \n \t \r \0 \\ \" \xHH.
 * => returns the decoded length, or -1 after a diagnostic.
 */
static long
unquote(struct scn *s, char **pp)
{
	char *start = *pp, *r = *pp + 1, *w = *pp;
	int hi, lo;

	while (*r != '"') {
		if (*r == '\0') {
			diag(s, SCENARIO_SYNTAX, "unterminated string");
			return -1;
		}
		if (*r != '\\') {
			*w++ = *r++;
			continue;
		}
		switch (r[1]) {
		case 'n': *w++ = '\n'; break;
		case 't': *w++ = '\t'; break;
		case 'r': *w++ = '\r'; break;
		case '0': *w++ = '\0'; break;
		case '\\': *w++ = '\\'; break;
		case '"': *w++ = '"'; break;
		case 'x':
			if ((hi = hexval(r[2])) < 0 ||
			    (lo = hexval(r[3])) < 0) {
				diag(s, SCENARIO_SYNTAX, "bad \\x escape");
				return -1;
			}
			*w++ = (char)(hi << 4 | lo);
			r += 2;
			break;
		default:
			diag(s, SCENARIO_SYNTAX, "bad escape in string");
			return -1;
		}
		r += 2;
	}
	r++;
	if (*r != '\0' && !isspace((unsigned char)*r)) {
		diag(s, SCENARIO_SYNTAX, "text after a closing quote");
		return -1;
	}
	*w = '\0';
	*pp = r;
	return (long)(w - start);
}

/*
 * tokenize: split s->buf (a copy of the line) into words.  An echo line is
 * split no further than its first word: echo prints the raw rest.
 * => returns 0 or SCENARIO_SYNTAX after a diagnostic.
 */
static int
tokenize(struct scn *s)
{
	char *p = s->buf, *start;
	long n;

	s->ntok = 0;
	for (;;) {
		/* p is just past the one blank that ended echo's word. */
		if (s->ntok == 1 && strcmp(s->tok[0], "echo") == 0) {
			s->tokoff[1] = (size_t)(p - s->buf);
			s->tok[1] = p;
			s->toklen[1] = strlen(p);
			s->tokquoted[1] = 0;
			s->ntok = 2;
			return 0;
		}
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			return 0;
		if (s->ntok == SCENARIO_TOKENS_MAX)
			return diag(s, SCENARIO_SYNTAX,
			    "too many words (at most %d)", SCENARIO_TOKENS_MAX);
		start = p;
		s->tokoff[s->ntok] = (size_t)(p - s->buf);
		if (*p == '"') {
			char *q = p;

			if ((n = unquote(s, &q)) < 0)
				return SCENARIO_SYNTAX;
			s->tok[s->ntok] = start;
			s->toklen[s->ntok] = (size_t)n;
			s->tokquoted[s->ntok] = 1;
			p = q;
		} else {
			while (*p != '\0' && !isspace((unsigned char)*p)) {
				if (*p == '"')
					return diag(s, SCENARIO_SYNTAX,
					    "quote inside a word");
				p++;
			}
			s->tok[s->ntok] = start;
			s->toklen[s->ntok] = (size_t)(p - start);
			s->tokquoted[s->ntok] = 0;
		}
		s->ntok++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

/*
 * run_line: run one line of the script.
 * => returns 0 or a SCENARIO_* status that ends the run.
 */
static int
run_line(struct scn *s, const char *line, size_t len)
{
	const struct cmd *c;
	struct vmslot *slot;
	struct bvm_vmspace *vm = NULL;
	int i, nargs, error;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > SCENARIO_LINE_MAX)
		return diag(s, SCENARIO_SYNTAX, "line longer than %d bytes",
		    SCENARIO_LINE_MAX);
	if (memchr(line, '\0', len) != NULL)
		return diag(s, SCENARIO_SYNTAX, "NUL byte in line");
	memcpy(s->buf, line, len);
	s->buf[len] = '\0';
	s->line = line;
	s->linelen = len;
	if ((error = tokenize(s)) != 0)
		return error;
	if (s->ntok == 0)
		return 0;

	if (s->tokquoted[0] || (c = cmd_lookup(s->tok[0])) == NULL)
		return diag(s, SCENARIO_SYNTAX, "unknown command '%s'",
		    s->tok[0]);
	s->cmd = c;
	nargs = s->ntok - 1;
	if (nargs < c->minargs || nargs > c->maxargs)
		return usage(s);
	for (i = 1; i < s->ntok; i++)
		if (s->tokquoted[i] && i != c->dataarg)
			return diag(s, SCENARIO_SYNTAX,
			    "%s: word %d cannot be a string", c->name, i);
	if (c->flags & CF_VM) {
		if ((slot = vm_slot(s, s->tok[1])) == NULL)
			return diag(s, SCENARIO_SYNTAX, "no vmspace '%s'",
			    s->tok[1]);
		vm = slot->vm;
	}
	if ((error = c->fn(s, vm)) != 0)
		return error;
	if (s->o->check)
		return run_checks(s);
	return 0;
}

void
scenario_opts_init(struct scenario_opts *o)
{
	memset(o, 0, sizeof(*o));
}

int
scenario_run_buffer(const char *text, size_t len, FILE *out,
    const struct scenario_opts *o)
{
	struct scenario_opts defaults;
	struct bvm_params params;
	struct scn *s;
	const char *nl;
	size_t pos, n;
	int i, status = SCENARIO_OK, error;

	if (o == NULL) {
		scenario_opts_init(&defaults);
		o = &defaults;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		if (o->err != NULL)
			fprintf(o->err, "out of memory\n");
		return SCENARIO_FATAL;
	}
	s->o = o;
	s->out = out;
	s->err = o->err != NULL ? o->err : out;
	s->dirfd = -1;
	for (i = 0; i < SCENARIO_FDS; i++)
		s->fds[i] = -1;
	for (i = 0; i < SCENARIO_FILES; i++)
		s->files[i].fd = -1;

	bvm_params_init(&params);
	if (o->npages != 0)
		params.npages = o->npages;
	/* the page daemon thread only with -d: scripts stay reproducible */
	if (!o->pdaemon)
		params.flags |= BVM_SYS_NOPDAEMON;
	if ((error = bvm_system_create(&params, &s->sys)) != 0) {
		char eb[16];

		status = diag(s, SCENARIO_FATAL, "bvm_system_create: %s",
		    errname(error, eb, sizeof(eb)));
		free(s);
		return status;
	}

	for (pos = 0; pos < len && status == SCENARIO_OK; pos += n) {
		s->lineno++;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		status = run_line(s, text + pos, n);
		if (nl != NULL)
			n++;
	}
	if (status == SCENARIO_OK)
		report_pending(s);

	/* Failure points are process-wide: none outlives the run. */
	if (s->fp_armed)
		bvm_failpoint_disarm();
	for (i = SCENARIO_VMSPACES - 1; i >= 0; i--)
		if (s->vms[i].vm != NULL)
			bvm_vmspace_destroy(s->vms[i].vm);
	for (i = 0; i < SCENARIO_OBJECTS; i++)
		if (s->objs[i].obj != NULL)
			bvm_object_release(s->objs[i].obj);
	bvm_system_destroy(s->sys);
	host_cleanup(s);
	free(s);
	return status;
}

int
scenario_run_file(const char *path, FILE *out, const struct scenario_opts *o)
{
	struct scenario_opts fo;
	FILE *f, *err;
	char *text, *nt;
	size_t len = 0, cap = 0, n;
	int status;

	if (o == NULL)
		scenario_opts_init(&fo);
	else
		fo = *o;
	if (fo.name == NULL)
		fo.name = strcmp(path, "-") == 0 ? "(stdin)" : path;
	err = fo.err != NULL ? fo.err : out;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL) {
		if (err != NULL)
			fprintf(err, "%s: %s\n", path, strerror(errno));
		return SCENARIO_FATAL;
	}
	text = NULL;
	for (;;) {
		if (len == cap) {
			/* Room for one byte more than allowed, to notice it. */
			if (cap > SCENARIO_FILE_MAX)
				break;
			cap = cap ? cap * 2 : 65536;
			if (cap > SCENARIO_FILE_MAX + 1)
				cap = SCENARIO_FILE_MAX + 1;
			if ((nt = realloc(text, cap)) == NULL) {
				if (err != NULL)
					fprintf(err, "%s: out of memory\n",
					    path);
				status = SCENARIO_FATAL;
				goto out;
			}
			text = nt;
		}
		if ((n = fread(text + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		if (err != NULL)
			fprintf(err, "%s: read error\n", path);
		status = SCENARIO_FATAL;
		goto out;
	}
	if (len > SCENARIO_FILE_MAX) {
		if (err != NULL)
			fprintf(err, "%s: larger than %u bytes\n", path,
			    SCENARIO_FILE_MAX);
		status = SCENARIO_FATAL;
		goto out;
	}
	status = scenario_run_buffer(text, len, out, &fo);
out:
	free(text);
	if (f != stdin)
		fclose(f);
	return status;
}
