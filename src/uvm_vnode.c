/*
 * uvm_vnode.c: the vnode pager: objects over real host files.
 *
 * Every mapping of a file, in every vmspace of a system, shares one
 * uvm_vnode (found by the file's device and inode, as the kernel finds the
 * vnode), so MAP_SHARED stores through one mapping are seen by all the
 * others at once, and the page-cache calls (bvm_file_read/write) go through
 * the same pages: a unified buffer cache.
 *
 * Pages come in on a fault through uvn_get, which reads a cluster: the
 * faulting page and, by the entry's advice, the pages after it that are not
 * resident yet (NORMAL 16 pages, SEQUENTIAL 64, RANDOM only the one), in
 * one preadv.  Modified pages go out through uvn_put (clustered by
 * uvm_obj_flush) on msync, bvm_file_sync, and when the last reference goes.
 *
 * The end of the file: u_obj.uo_size is the file's size as this system
 * knows it.  The part of the last page beyond it reads as zero and is never
 * written back; a page wholly beyond it is ENXIO (SIGBUS).  A file that
 * another process truncated is noticed when a page is read: a read that
 * finds nothing refreshes the size (fstat) and the page is ENXIO.
 *
 * The descriptors: the vnode keeps its own duplicate of a readable
 * descriptor (u_rfd) and, once a writable one has been used to map or write
 * the file, a writable descriptor of its own (u_wfd: a new open of the same
 * file, so that the embedder's O_APPEND never moves where pages go), so the
 * embedder may close its own.
 *
 * The size: what fstat says, except that data this system accepted past
 * the host file's end and could not write yet (u_pending) keeps the size
 * up until it is written.  A read that finds more than the cached size
 * raises it (another process grew the file); a write-back first asks the
 * host (so a file another process shrank is not grown again).
 *
 * Lifetime: references are map entries and handles.  When the last goes,
 * the modified pages are written and the vnode is freed; if a write fails,
 * the vnode stays cached with its modified pages (no data is dropped), a
 * later bvm_file_sync or mapping tries again, and bvm_system_destroy makes
 * a last attempt.
 *
 * Locks: sys->vnodelock covers the list of vnodes (and is taken before any
 * vnode's vmobjlock); vmobjlock covers the rest.
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "pmap.h"
#include "uvm.h"
#include "uvm_object.h"
#include "uvm_pdaemon.h"

struct uvm_vnode {
	struct uvm_object u_obj;       /* must be first */
	int u_rfd;                     /* [I] readable descriptor */
	int u_wfd;                     /* [O] writable descriptor, or -1 */
	dev_t u_dev;                   /* [I] */
	ino_t u_ino;                   /* [I] */
	voff_t u_pending;              /* [O] end of unwritten data past the
	                                  host file's end, or 0 */
	LIST_ENTRY(uvm_vnode) u_list;  /* [vnodelock] */
};

#define UVN(uobj) ((struct uvm_vnode *)(uobj))

/* read-ahead by advice, in pages including the faulting one */
static const int uvn_cluster[] = {
	[MADV_NORMAL] = 16,
	[MADV_RANDOM] = 1,
	[MADV_SEQUENTIAL] = 64,
};

/* the access mode of a descriptor: O_RDONLY, O_WRONLY, O_RDWR, or -1 */
static int
uvn_fdmode(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : (fl & O_ACCMODE);
}

static int
uvn_dupfd(int fd)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/*
 * uvn_openwfd: a writable descriptor of the vnode's own for the file open
 * read/write as fd: a new open file description (the embedder's O_APPEND
 * and file offset are its own), or, where /proc/self/fd cannot be opened,
 * a duplicate of fd if fd is not in append mode.
 * => returns it, or -1.
 */
static int
uvn_openwfd(int fd)
{
	struct stat a, b;
	char link[64];
	int nfd, t, fl;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	nfd = open(link, O_RDWR | O_CLOEXEC);
	if (nfd >= 0 && (fstat(nfd, &a) != 0 || fstat(fd, &b) != 0 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino)) {
		close(nfd);
		nfd = -1;
	}
	if (nfd >= 0 && nfd < 3) {
		/* keep clear of the standard descriptors */
		t = uvn_dupfd(nfd);
		close(nfd);
		nfd = t;
	}
	if (nfd >= 0)
		return nfd;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_APPEND))
		return -1;
	return uvn_dupfd(fd);
}

/*
 * uvn_attach: the vnode object of the regular file open as fd, with a new
 * reference.
 * => *fdmodep (may be NULL) gets fd's access mode (O_RDONLY, ...).
 * => returns 0, EBADF (not open), ENODEV (not a regular file), EACCES (not
 *    open for reading), ENOMEM.
 */
int
uvn_attach(struct bvm_system *sys, int fd, struct uvm_object **uobjp,
    int *fdmodep)
{
	struct uvm_vnode *uvn;
	struct stat st;
	char link[64], path[PATH_MAX];
	ssize_t n;
	int mode;

	if (fd < 0 || fstat(fd, &st) != 0 || (mode = uvn_fdmode(fd)) < 0)
		return EBADF;
	if (!S_ISREG(st.st_mode))
		return ENODEV;
	if (mode == O_WRONLY)
		return EACCES;
	if (fdmodep != NULL)
		*fdmodep = mode;

	bvm_mutex_enter(&sys->vnodelock);
	LIST_FOREACH(uvn, &sys->vnodes, u_list)
		if (uvn->u_dev == st.st_dev && uvn->u_ino == st.st_ino)
			break;
	if (uvn != NULL) {
		bvm_mutex_enter(&uvn->u_obj.vmobjlock);
		if (uvn->u_wfd < 0 && mode == O_RDWR &&
		    (uvn->u_wfd = uvn_openwfd(fd)) < 0) {
			/* it could not write what a writer gives it */
			bvm_mutex_exit(&uvn->u_obj.vmobjlock);
			bvm_mutex_exit(&sys->vnodelock);
			return ENOMEM;
		}
		uvn->u_obj.uo_refs++;
		bvm_mutex_exit(&uvn->u_obj.vmobjlock);
		bvm_mutex_exit(&sys->vnodelock);
		*uobjp = &uvn->u_obj;
		return 0;
	}
	if (bvm_fi_fail(FI_OBJ_ALLOC) ||
	    (uvn = calloc(1, sizeof(*uvn))) == NULL) {
		bvm_mutex_exit(&sys->vnodelock);
		return ENOMEM;
	}
	uvn->u_rfd = uvn_dupfd(fd);
	uvn->u_wfd = -1;
	if (uvn->u_rfd < 0) {
		bvm_mutex_exit(&sys->vnodelock);
		free(uvn);
		return errno == EMFILE || errno == ENFILE ? ENOMEM : EBADF;
	}
	if (mode == O_RDWR && (uvn->u_wfd = uvn_openwfd(fd)) < 0) {
		bvm_mutex_exit(&sys->vnodelock);
		close(uvn->u_rfd);
		free(uvn);
		return ENOMEM;
	}
	uvn->u_dev = st.st_dev;
	uvn->u_ino = st.st_ino;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = '\0';
	uvm_obj_init(&uvn->u_obj, sys, &uvm_vnodeops, "vnode",
	    (voff_t)st.st_size);
	uvn->u_obj.uo_name = strdup(path);
	LIST_INSERT_HEAD(&sys->vnodes, uvn, u_list);
	CNT_INC(sys->uvmexp.vnodes);
	bvm_mutex_exit(&sys->vnodelock);
	*uobjp = &uvn->u_obj;
	return 0;
}

/* uvn_writable: can the vnode write its file?  => object locked */
bool
uvn_writable(struct uvm_object *uobj)
{
	return UVN(uobj)->u_wfd >= 0;
}

/*
 * uvn_setwfd: take a writable descriptor of our own from fd if none yet.
 * => object locked.  => returns 0, or ENOMEM (fd is writable but no
 *    descriptor could be made).
 */
int
uvn_setwfd(struct uvm_object *uobj, int fd)
{
	if (UVN(uobj)->u_wfd < 0 && uvn_fdmode(fd) == O_RDWR &&
	    (UVN(uobj)->u_wfd = uvn_openwfd(fd)) < 0)
		return ENOMEM;
	return 0;
}

static void
uvn_reference(struct uvm_object *uobj)
{
	bvm_mutex_enter(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0);
	uobj->uo_refs++;
	bvm_mutex_exit(&uobj->vmobjlock);
}

/* uvn_free: free a vnode with no references and no pages.  => unlocked */
static void
uvn_free(struct uvm_vnode *uvn)
{
	struct bvm_system *sys = uvn->u_obj.uo_sys;

	if (uvn->u_wfd >= 0 && uvn->u_wfd != uvn->u_rfd)
		close(uvn->u_wfd);
	close(uvn->u_rfd);
	free(uvn->u_obj.uo_name);
	uvm_obj_destroy(&uvn->u_obj);
	CNT_SUB(sys->uvmexp.vnodes, 1);
	free(uvn);
}

/*
 * uvn_detach: drop a reference.  The last one writes the modified pages
 * and frees the vnode, unless a write failed (it then stays cached) or
 * somebody attached again meanwhile.
 * => object unlocked.
 */
static void
uvn_detach(struct uvm_object *uobj)
{
	struct bvm_system *sys = uobj->uo_sys;
	struct uvm_vnode *uvn = UVN(uobj);
	bool dead;

	bvm_mutex_enter(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0);
	if (uobj->uo_refs > 1) {
		uobj->uo_refs--;
		bvm_mutex_exit(&uobj->vmobjlock);
		return;
	}
	/*
	 * The last reference: write the modified pages while still holding
	 * it, so that the vnode cannot be freed under us by somebody who
	 * attaches and detaches meanwhile.
	 */
	(void)uvm_obj_flush(uobj, 0, INT64_MAX, PGO_CLEANIT);
	bvm_mutex_exit(&uobj->vmobjlock);

	/* the list lock comes before the object's: take both again */
	bvm_mutex_enter(&sys->vnodelock);
	bvm_mutex_enter(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0);
	dead = --uobj->uo_refs == 0;
	if (dead) {
		/* pages still modified (a failed write) keep the vnode */
		struct vm_page *pg;
		voff_t off = 0;

		while ((pg = uvm_obj_nextpage(uobj, &off)) != NULL) {
			if (pmap_is_modified(sys, pg)) {
				dead = false;
				break;
			}
			off += PAGE_SIZE;
		}
	}
	if (dead) {
		uvm_obj_free_all(uobj);
		LIST_REMOVE(uvn, u_list);
	}
	bvm_mutex_exit(&uobj->vmobjlock);
	bvm_mutex_exit(&sys->vnodelock);
	if (dead)
		uvn_free(uvn);
}

/*
 * uvn_refresh_size: the host file's size now, or the end of our data not
 * yet written past it, whichever is larger.  => object locked
 */
static void
uvn_refresh_size(struct uvm_vnode *uvn)
{
	struct stat st;

	if (fstat(uvn->u_rfd, &st) != 0)
		return;
	if ((voff_t)st.st_size >= uvn->u_pending)
		uvn->u_pending = 0;      /* written: the host has it */
	uvn->u_obj.uo_size = MAX((voff_t)st.st_size, uvn->u_pending);
}

/*
 * uvn_get: the page at off, reading it and its read-ahead cluster from
 * the file if it is not resident.
 * => object locked.  => returns 0, ENXIO, EIO, ENOMEM.
 */
static int
uvn_get(struct uvm_object *uobj, voff_t off, struct vm_page **pgp,
    int advice, int flags)
{
	struct bvm_system *sys = uobj->uo_sys;
	struct uvm_vnode *uvn = UVN(uobj);
	struct vm_page *pgs[64], *pg;
	size_t got, keep;
	int n, i, error, want;

	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	KASSERT((off & (voff_t)PAGE_MASK) == 0);
	if ((pg = uvm_pagelookup(uobj, off)) != NULL) {
		*pgp = pg;
		return 0;
	}
	if (off >= uobj->uo_size) {
		uvn_refresh_size(uvn);   /* grown by someone else? */
		if (off >= uobj->uo_size) {
			if (!(flags & PGO_PASTEOF))
				return ENXIO;
			/* a new page past the end, for a write: zero */
			pg = uvm_pagealloc(sys, NULL, 0, NULL, UVM_PGA_ZERO);
			if (pg == NULL)
				return ENOMEM;
			if (uvm_obj_pageinsert(uobj, pg, off) != 0) {
				uvm_pagefree(sys, pg);
				return ENOMEM;
			}
			*pgp = pg;
			return 0;
		}
	}

	/* the cluster: this page and the absent ones after it, to EOF */
	want = uvn_cluster[advice >= 0 && advice <= MADV_SEQUENTIAL ?
	    advice : MADV_NORMAL];
	for (n = 0; n < want; n++) {
		voff_t o = off + (voff_t)ptoa(n);

		if (n > 0 && (o >= uobj->uo_size ||
		    uvm_pagelookup(uobj, o) != NULL))
			break;
		pgs[n] = uvm_pagealloc(sys, NULL, 0, NULL, 0);
		if (pgs[n] == NULL) {
			/* read less ahead; none at all: ENOMEM */
			if (n > 0)
				(void)uvm_page_wasshort();
			break;
		}
	}
	if (n == 0)
		return ENOMEM;
	error = uvm_pager_read(sys, uvn->u_rfd, off, pgs, n, &got,
	    FI_PAGER_READ);
	keep = got;
	if (error == 0 && got == 0) {
		/* nothing there: the file has shrunk, or the page is ours */
		uvn_refresh_size(uvn);
		if (off >= uobj->uo_size) {
			for (i = 0; i < n; i++)
				uvm_pagefree(sys, pgs[i]);
			/* a write makes the page: zeroes, as past the end */
			if (flags & PGO_PASTEOF)
				return uvn_get(uobj, off, pgp, advice, flags);
			return ENXIO;
		}
		/* below data of ours not yet written: a hole, zero */
		keep = 1;
	}
	/* the file has grown (another process): the read says how far */
	if (error == 0 && off + (voff_t)got > uobj->uo_size)
		uobj->uo_size = off + (voff_t)got;
	for (i = 0; i < n; i++) {
		/* keep what was read: pages wholly past the data are not */
		if (error == 0 && (size_t)ptoa(i) < keep &&
		    uvm_obj_pageinsert(uobj, pgs[i], off + (voff_t)ptoa(i))
		    == 0)
			continue;
		if (i == 0 && error == 0)
			error = ENOMEM;
		uvm_pagefree(sys, pgs[i]);
	}
	if (error)
		return error;
	*pgp = pgs[0];
	return 0;
}

/*
 * uvn_put: write npages consecutive pages to the file; the last page of
 * the file only up to its end, and pages past the end not at all.
 * => object locked.  => returns 0 or EIO.
 */
static int
uvn_put(struct uvm_object *uobj, struct vm_page **pgs, int npages)
{
	struct uvm_vnode *uvn = UVN(uobj);
	voff_t off = pgs[0]->offset;
	size_t len;

	MUTEX_ASSERT_LOCKED(&uobj->vmobjlock);
	/* never past the end the host has now (unless it is ours) */
	uvn_refresh_size(uvn);
	if (off >= uobj->uo_size)
		return 0;
	len = (size_t)MIN((voff_t)ptoa(npages), uobj->uo_size - off);
	if (uvn->u_wfd < 0)
		return EIO;   /* cannot happen: no writable mapping then */
	return uvm_pager_write(uobj->uo_sys, uvn->u_wfd, off, pgs,
	    (int)atop(round_page(len)), len, FI_PAGER_WRITE);
}

static int
uvn_sync(struct uvm_object *uobj)
{
	struct uvm_vnode *uvn = UVN(uobj);

	if (uvn->u_wfd < 0)
		return 0;
	return fdatasync(uvn->u_wfd) == 0 ? 0 : EIO;
}

/* the file's new size: the host file follows.  => object locked */
static int
uvn_setsize(struct uvm_object *uobj, voff_t size)
{
	struct uvm_vnode *uvn = UVN(uobj);

	if (uvn->u_wfd < 0)
		return EBADF;
	/* the old end as the host has it: the tail zeroed is from there */
	uvn_refresh_size(uvn);
	if (ftruncate(uvn->u_wfd, (off_t)size) != 0)
		return errno == EINVAL || errno == EFBIG ? EINVAL : EIO;
	uvn->u_pending = 0;
	return 0;
}

static bool
uvn_mayfree(struct uvm_object *uobj, int flags)
{
	(void)flags;
	return true;
}

const struct uvm_pagerops uvm_vnodeops = {
	.pgo_reference = uvn_reference,
	.pgo_detach = uvn_detach,
	.pgo_get = uvn_get,
	.pgo_put = uvn_put,
	.pgo_sync = uvn_sync,
	.pgo_setsize = uvn_setsize,
	.pgo_mayfree = uvn_mayfree,
};

/*
 * uvn_file_io: read(2)/write(2) of a file through its cached pages.  A
 * write copies into the pages (every mapping sees it at once) and goes
 * through to the file with one pwrite; if that fails, the pages stay
 * marked modified, so the data is written by the next flush.
 * => fd's access mode must allow the transfer (checked here).
 * => returns 0 and *done, or EBADF, ENODEV, EACCES, EINVAL, EIO, ENOMEM.
 */
int
uvn_file_io(struct bvm_system *sys, int fd, void *buf, size_t len,
    voff_t off, bool write, size_t *done)
{
	struct uvm_object *uobj;
	struct vm_page *pg;
	uint8_t *p = buf;
	size_t n = 0, chunk;
	voff_t end, o;
	int mode, error;

	*done = 0;
	if (off < 0 || len > (size_t)INT64_MAX || (voff_t)len > INT64_MAX - off)
		return EINVAL;
	/* the cache reads what it does not hold: fd must be readable */
	if ((error = uvn_attach(sys, fd, &uobj, &mode)) != 0)
		return error;
	if (write && mode != O_RDWR) {
		/* write(2) on a descriptor not open for writing */
		uobj->pgops->pgo_detach(uobj);
		return EBADF;
	}
	bvm_mutex_enter(&uobj->vmobjlock);
	if (write && (error = uvn_setwfd(uobj, fd)) != 0) {
		bvm_mutex_exit(&uobj->vmobjlock);
		uobj->pgops->pgo_detach(uobj);
		return error;
	}
	end = off + (voff_t)len;
	/* the size as the host has it now: another process may have changed it */
	uvn_refresh_size(UVN(uobj));
	if (write && end > uobj->uo_size)
		uvm_obj_zerotail(uobj, uobj->uo_size, off);
	if (!write)
		end = MIN(end, MAX(uobj->uo_size, off));
	for (o = off; o < end; o += (voff_t)chunk) {
		voff_t pgoff = (voff_t)trunc_page((uint64_t)o);
		uint8_t *h;

		chunk = (size_t)MIN(end - o, (voff_t)PAGE_SIZE - (o - pgoff));
		error = uvn_get(uobj, pgoff, &pg, MADV_SEQUENTIAL,
		    write ? PGO_PASTEOF : 0);
		if (error == ENOMEM) {
			bool again;

			/* no frame: the page daemon runs, unlocked, and again */
			bvm_mutex_exit(&uobj->vmobjlock);
			again = uvm_wait(sys);
			bvm_mutex_enter(&uobj->vmobjlock);
			if (again) {
				error = 0;
				chunk = 0;
				continue;
			}
		}
		if (error == ENXIO && !write) {
			error = 0;    /* the file ended meanwhile */
			break;
		}
		if (error)
			break;
		h = (uint8_t *)uvm_phys_to_host(sys, pg->phys_addr) +
		    (o - pgoff);
		BVM_GUEST_COPY_BEGIN();
		if (write)
			memcpy(h, p + n, chunk);
		else
			memcpy(p + n, h, chunk);
		BVM_GUEST_COPY_END();
		n += chunk;
	}
	if (write && n > 0) {
		size_t w = 0;

		if (off + (voff_t)n > uobj->uo_size)
			uobj->uo_size = off + (voff_t)n;
		/* through our own descriptor: fd may be in append mode */
		while (w < n) {
			ssize_t k = bvm_fi_fail(FI_PAGER_WRITE) ? -1 :
			    pwrite(UVN(uobj)->u_wfd, p + w, n - w,
			    off + (off_t)w);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			w += (size_t)k;
		}
		CNT_INC(sys->uvmexp.pageouts);
		if (w < n) {
			/* not in the file: the pages keep it, modified */
			CNT_INC(sys->uvmexp.pager_errors);
			if (off + (voff_t)n > UVN(uobj)->u_pending)
				UVN(uobj)->u_pending = off + (voff_t)n;
			for (o = (voff_t)trunc_page((uint64_t)off);
			    o < off + (voff_t)n; o += (voff_t)PAGE_SIZE)
				if ((pg = uvm_pagelookup(uobj, o)) != NULL)
					atomic_clearbits_int(&pg->pg_flags,
					    PG_CLEAN);
			if (error == 0)
				error = EIO;
		}
	}
	bvm_mutex_exit(&uobj->vmobjlock);
	uobj->pgops->pgo_detach(uobj);
	*done = n;
	return error;
}

/*
 * uvn_fini: at system destroy: the vnodes kept for failed writes get a
 * last try, and go.
 */
void
uvn_fini(struct bvm_system *sys)
{
	struct uvm_vnode *uvn;

	while ((uvn = LIST_FIRST(&sys->vnodes)) != NULL) {
		struct uvm_object *uobj = &uvn->u_obj;
		struct vm_page *pg;
		voff_t off = 0;

		bvm_mutex_enter(&uobj->vmobjlock);
		(void)uvm_obj_flush(uobj, 0, INT64_MAX, PGO_CLEANIT);
		while ((pg = uvm_obj_nextpage(uobj, &off)) != NULL) {
			/* whatever is left is lost with the system */
			uvm_obj_pagefree(uobj, pg);
		}
		bvm_mutex_exit(&uobj->vmobjlock);
		LIST_REMOVE(uvn, u_list);
		uvn_free(uvn);
	}
}
