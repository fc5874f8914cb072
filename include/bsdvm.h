/*
 * bsdvm.h: the public interface of bsdvm, a BSD (UVM) virtual-memory system
 * in user space.
 *
 * Everything an embedder needs is declared here; every other header is
 * private.  The types are opaque.  Every function that can fail returns 0 on
 * success or an errno value (never -1 with errno set), and leaves the address
 * space exactly as it was when it fails, unless its description says
 * otherwise.
 *
 * Semantics follow OpenBSD's system calls (see docs/semantics.md for each
 * place where OpenBSD and POSIX/Linux differ and which one we chose).
 *
 * Thread safety: every function may be called from any thread.  Calls on
 * different vmspaces run in parallel; calls on one vmspace are serialised by
 * its map lock where they change the map, and run in parallel where they only
 * fault or access memory.  bvm_system_destroy() and bvm_vmspace_destroy()
 * must not race with other calls on the object they destroy.
 */
#ifndef BSDVM_H
#define BSDVM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define BVM_EXPORT __attribute__((visibility("default")))
#else
#define BVM_EXPORT
#endif

#define BVM_VERSION_MAJOR 0
#define BVM_VERSION_MINOR 1

/* The page size of every bsdvm system. */
#define BVM_PAGE_SIZE  4096u
#define BVM_PAGE_SHIFT 12

/*
 * The user address range of a vmspace, as on OpenBSD/amd64:
 * [BVM_VM_MIN_ADDRESS, BVM_VM_MAXUSER_ADDRESS).
 */
#define BVM_VM_MIN_ADDRESS     0x0000000000001000ULL
#define BVM_VM_MAXUSER_ADDRESS 0x00007f7fffffc000ULL

struct bvm_system;  /* physical memory, pools, counters: one "machine" */
struct bvm_vmspace; /* one address space: a vm_map and its pmap */

/* ---------------------------------------------------------------------
 * Constants.  The values are OpenBSD's, so scenario scripts and ported
 * code read the same.
 * ------------------------------------------------------------------- */

/* Protections (mmap(2) prot). */
#define BVM_PROT_NONE  0x00
#define BVM_PROT_READ  0x01
#define BVM_PROT_WRITE 0x02
#define BVM_PROT_EXEC  0x04

/* mmap(2) flags. */
#define BVM_MAP_SHARED    0x0001 /* share changes */
#define BVM_MAP_PRIVATE   0x0002 /* changes are private (copy on write) */
#define BVM_MAP_FIXED     0x0010 /* use the address exactly; replaces */
#define BVM_MAP_NOREPLACE 0x0800 /* __MAP_NOREPLACE: with FIXED, fail if used */
#define BVM_MAP_ANON      0x1000 /* anonymous memory, fd must be -1 */
#define BVM_MAP_NOFAULT   0x2000 /* __MAP_NOFAULT: objects only: pages beyond
                                    the object (or unreadable) read as zero */
#define BVM_MAP_STACK     0x4000 /* a stack: ANON|PRIVATE, READ|WRITE */
#define BVM_MAP_CONCEAL   0x8000 /* accepted; excluded from core dumps */
#define BVM_MAP_FLAGMASK  0xfff7 /* bits outside this mask: EINVAL */

/* minherit(2) values. */
#define BVM_INHERIT_SHARE 0 /* child shares the memory */
#define BVM_INHERIT_COPY  1 /* child gets a copy-on-write copy (default) */
#define BVM_INHERIT_NONE  2 /* child has a hole here */
#define BVM_INHERIT_ZERO  3 /* child gets fresh zero-filled memory */

/* madvise(2) values. */
/*
 * Advice also sizes read-ahead: file pages 16 (NORMAL), 1 (RANDOM), 64
 * (SEQUENTIAL); swap 16 doubling while the access is sequential up to 256
 * (NORMAL), 1 (RANDOM), 256 (SEQUENTIAL).  Pages read ahead from swap are
 * mapped at once.
 */
#define BVM_MADV_NORMAL     0 /* fault-around 3 pages back, 4 forward */
#define BVM_MADV_RANDOM     1 /* no fault-around */
#define BVM_MADV_SEQUENTIAL 2 /* fault-around 8 back, 7 forward */
#define BVM_MADV_WILLNEED   3 /* accepted, no effect (as OpenBSD) */
#define BVM_MADV_DONTNEED   4 /* pages deactivated; contents kept */
#define BVM_MADV_SPACEAVAIL 5 /* EINVAL, as OpenBSD */
#define BVM_MADV_FREE       6 /* private anonymous pages discarded */

/* msync(2) flags. */
#define BVM_MS_ASYNC      0x01 /* write dirty pages to the file, no wait */
#define BVM_MS_SYNC       0x02 /* write dirty pages and wait for the disk */
#define BVM_MS_INVALIDATE 0x04 /* then discard the cached pages */

/* bvm_shm_open() flags (open(2)'s values on OpenBSD). */
#define BVM_O_CREAT 0x0200 /* create the object if it does not exist */
#define BVM_O_EXCL  0x0800 /* with O_CREAT: fail if it exists */

/* mincore(2) vector bits. */
#define BVM_MINCORE_INCORE 0x1

/* Resource limits (setrlimit(2) resources). */
#define BVM_RLIMIT_DATA    2
#define BVM_RLIMIT_MEMLOCK 6
#define BVM_RLIM_INFINITY  UINT64_MAX

/* mlockall(2) flags. */
#define BVM_MCL_CURRENT 0x01
#define BVM_MCL_FUTURE  0x02

/* Fault types, as in uvm_fault(): VM_FAULT_INVALID, VM_FAULT_WIRE. */
#define BVM_FAULT_INVALID 0
#define BVM_FAULT_WIRE    1

/*
 * Signals and si_code values an emulator raises for a failed access:
 *   EFAULT -> SIGSEGV/SEGV_MAPERR   EACCES -> SIGSEGV/SEGV_ACCERR
 *   ENXIO  -> SIGBUS/BUS_OBJERR (the page is beyond the end of the object)
 *   EIO    -> SIGBUS/BUS_OBJERR (the pager could not read the page)
 *   ENOMEM -> no signal (the kernel would sleep; the embedder decides)
 */
#define BVM_SIGSEGV      11
#define BVM_SIGBUS       10 /* OpenBSD's SIGBUS number */
#define BVM_SEGV_MAPERR  1  /* address not mapped */
#define BVM_SEGV_ACCERR  2  /* protection forbids the access */
#define BVM_BUS_OBJERR   3  /* beyond the end of the backing object */

/* Anonymous-memory design of a system (DESIGN.md). */
#define BVM_ANON_UVM  0 /* amaps and anons (OpenBSD/NetBSD) */
#define BVM_ANON_MACH 1 /* shadow-object chains (FreeBSD/Mach); not yet */

/* Physical maps. */
#define BVM_PMAP_SOFT 0 /* software page tables and a soft TLB */

/* bvm_params.flags */
#define BVM_SYS_CHECK    0x1 /* run the invariant checker after every op */
#define BVM_SYS_WXALLOWED 0x2 /* allow PROT_WRITE|PROT_EXEC (else ENOTSUP) */
#define BVM_SYS_PAGEZERO 0x4 /* a thread zeroes free frames ahead of use */
#define BVM_SYS_NOPDAEMON 0x8 /* no page daemon thread: pages are reclaimed
                                 only when an allocation finds no frame
                                 (deterministic, for tests) */

/* bvm_pglist_alloc() flags (uvm_pglistalloc's UVM_PLA_*). */
#define BVM_PLA_ZERO 0x1 /* pages are zeroed */

/* ---------------------------------------------------------------------
 * Systems.
 * ------------------------------------------------------------------- */

struct bvm_params {
	uint64_t npages;         /* physical frames (default 16384: 64 MiB) */
	int anon_mode;           /* BVM_ANON_UVM */
	int pmap;                /* BVM_PMAP_SOFT */
	uint64_t rlimit_data;    /* default RLIMIT_DATA of vmspaces, bytes */
	uint64_t rlimit_memlock; /* default RLIMIT_MEMLOCK of vmspaces, bytes */
	unsigned flags;          /* BVM_SYS_* */
	uint64_t freemin;        /* page daemon: wake below this many free
	                            frames (0: npages/30, at least 16) */
	uint64_t freetarg;       /* page daemon: free up to this many (0:
	                            4/3 of freemin) */
};

/*
 * bvm_params_init: fill in the defaults: 16384 frames, UVM amaps, the
 * software pmap, unlimited data, 64 KiB memlock, no flags.
 *
 * Flags: BVM_SYS_CHECK runs the invariant checker after every operation
 * (debug builds; panics on a violation).  BVM_SYS_WXALLOWED allows mappings
 * both writable and executable.  BVM_SYS_PAGEZERO starts a thread that
 * zeroes freed frames ahead of use, so zero-fill faults do not (stopped by
 * bvm_system_destroy).  BVM_SYS_NOPDAEMON: no page daemon thread (by
 * default one runs, sleeping until free frames fall below freemin).
 */
BVM_EXPORT void bvm_params_init(struct bvm_params *p);

/*
 * bvm_system_create: create a system with p->npages frames of physical
 * memory (one host shared-memory region) and its counters.
 * => p may be NULL for the defaults.
 * => returns 0 and sets *out, or EINVAL (npages 0 or too large, unknown
 *    mode or flags, freetarg not above freemin, freemin not below
 *    npages), ENOTSUP (BVM_ANON_MACH: not implemented yet), ENOMEM.
 */
BVM_EXPORT int bvm_system_create(const struct bvm_params *p,
    struct bvm_system **out);

/*
 * bvm_system_destroy: destroy a system.  Every vmspace of it must already
 * be destroyed (or it is destroyed here, with its memory).
 */
BVM_EXPORT void bvm_system_destroy(struct bvm_system *sys);

/* ---------------------------------------------------------------------
 * Address spaces: uvmspace_alloc, uvmspace_fork, uvmspace_exec.
 * ------------------------------------------------------------------- */

/*
 * bvm_vmspace_create: a new, empty address space.
 * => returns 0 and sets *out, or ENOMEM.
 */
BVM_EXPORT int bvm_vmspace_create(struct bvm_system *sys,
    struct bvm_vmspace **out);

/*
 * bvm_vmspace_destroy: unmap everything and free the address space.
 */
BVM_EXPORT void bvm_vmspace_destroy(struct bvm_vmspace *vm);

/*
 * bvm_fork: a child address space, made from vm entry by entry according to
 * each entry's inheritance: SHARE entries are shared, COPY entries are copied
 * lazily (copy-on-write through needs-copy; the cost is O(entries), not
 * O(pages)), ZERO entries start fresh and zero-filled, NONE entries are
 * absent.  COPY entries that are wired, or whose memory is shared with
 * other mappings (MAP_SHARED or INHERIT_SHARE memory marked COPY), are
 * copied at once.  The child inherits the parent's resource limits and
 * data size; mlock and mlockall are not inherited.
 * => returns 0 and sets *child, or ENOMEM (parent unchanged).
 */
BVM_EXPORT int bvm_fork(struct bvm_vmspace *vm, struct bvm_vmspace **child);

/*
 * bvm_exec: replace vm's contents with an empty address space, as execve(2)
 * does; limits are kept, mlockall(MCL_FUTURE) is cleared.
 * => returns 0.
 */
BVM_EXPORT int bvm_exec(struct bvm_vmspace *vm);

/* ---------------------------------------------------------------------
 * The memory-management calls.  Addresses and lengths are bytes.  The
 * argument checks and their order are OpenBSD's (uvm_mmap.c).
 * ------------------------------------------------------------------- */

/*
 * bvm_mmap: map len bytes: anonymous memory (BVM_MAP_ANON, fd -1), or the
 * host file open as fd (a regular file) from offset off.  Every mapping of
 * one file, in every vmspace of the system, shares one object and its
 * pages (matched by device and inode): MAP_SHARED stores reach the file
 * (bvm_msync, and when the last mapping goes), MAP_PRIVATE mappings are
 * copy-on-write over the file's pages and never write it.  The descriptor
 * is duplicated; the caller may close fd afterwards.  A page wholly beyond
 * the end of the file faults with ENXIO (SIGBUS/BUS_OBJERR); the part of
 * the last page beyond the end reads as zero and is never written back.
 * off need not be page aligned: as on OpenBSD, its page offset is carried
 * over to the address (the mapping starts at the page holding off).
 * => *out receives the address (plus the page offset of addr, or of off
 *    for a file).
 * => errors: EINVAL (bad prot bits, bad flags, SHARED|PRIVATE, NOREPLACE
 *    without FIXED, bad MAP_STACK use, len 0, bad FIXED address, fd != -1
 *    with MAP_ANON, NOFAULT on anonymous memory, off negative or off+len
 *    wrapping), ENOTSUP (WRITE|EXEC without BVM_SYS_WXALLOWED), EBADF (fd
 *    not open), ENODEV (fd not a regular file), EACCES (fd not open for
 *    reading; MAP_SHARED with PROT_WRITE and fd not open for writing; prot
 *    beyond the maximum), ENOMEM (no space, NOREPLACE collision,
 *    RLIMIT_DATA exceeded, mlockall(MCL_FUTURE) limits).
 */
BVM_EXPORT int bvm_mmap(struct bvm_vmspace *vm, uint64_t addr, uint64_t len,
    int prot, int flags, int fd, int64_t off, uint64_t *out);

/*
 * bvm_munmap: remove the mappings in [addr, addr+len).
 * => addr is rounded down to a page, len up.  len 0: 0, nothing done.
 * => errors: EINVAL (range wraps, outside user space, or any page in the
 *    range not mapped: OpenBSD refuses holes; nothing is unmapped).
 */
BVM_EXPORT int bvm_munmap(struct bvm_vmspace *vm, uint64_t addr, uint64_t len);

/*
 * bvm_mprotect: set the protection of [addr, addr+len).  Holes in the range
 * are skipped; parts outside user space are ignored.  All entries are checked
 * before any is changed.
 * => errors: EINVAL (bad bits, range wraps), ENOTSUP (WRITE|EXEC),
 *    EACCES (above an entry's maximum protection), ENOMEM (NONE to
 *    accessible over RLIMIT_DATA).
 */
BVM_EXPORT int bvm_mprotect(struct bvm_vmspace *vm, uint64_t addr,
    uint64_t len, int prot);

/*
 * bvm_minherit: set what bvm_fork does with [addr, addr+len).
 * => errors: EINVAL (unknown value, range wraps), EPERM (INHERIT_ZERO on an
 *    entry that is not writable).
 */
BVM_EXPORT int bvm_minherit(struct bvm_vmspace *vm, uint64_t addr,
    uint64_t len, int inherit);

/*
 * bvm_madvise: advice for [addr, addr+len).  NORMAL/RANDOM/SEQUENTIAL set
 * the fault-around window; WILLNEED does nothing; DONTNEED deactivates the
 * pages (contents kept); FREE discards anonymous pages (they read back as
 * zero), except pages another mapping still references through the same
 * amap (MAP_SHARED memory that a fork child shares, a fork child that has
 * not copied them yet): those are only deactivated.  As on OpenBSD, this
 * includes MAP_SHARED memory that only one mapping refers to (Linux
 * refuses FREE on shared memory).
 * => errors: EINVAL (unknown advice, SPACEAVAIL, range wraps), EFAULT
 *    (DONTNEED or FREE over a range with an unmapped page, as OpenBSD's
 *    uvm_map_clean; nothing done).
 */
BVM_EXPORT int bvm_madvise(struct bvm_vmspace *vm, uint64_t addr,
    uint64_t len, int advice);

/*
 * bvm_mincore: one byte per page of [addr, addr+len) into vec: bit
 * BVM_MINCORE_INCORE set when the page is resident: mapped in this address
 * space, or held in memory by its anon or by the object below (NetBSD
 * semantics; OpenBSD removed mincore); a page out in swap is not.
 * => errors: EINVAL (addr not page aligned, range wraps), ENOMEM (a page in
 *    the range not mapped), EFAULT (vec NULL).
 */
BVM_EXPORT int bvm_mincore(struct bvm_vmspace *vm, uint64_t addr,
    uint64_t len, unsigned char *vec);

/*
 * bvm_mquery: where would mmap(addr, len, ...) place a mapping?  Nothing is
 * mapped.  With BVM_MAP_FIXED, only addr itself is tried.
 * => returns 0 and *out, or EINVAL (bad arguments, or FIXED and not free),
 *    ENOMEM (no space at or after addr).
 */
BVM_EXPORT int bvm_mquery(struct bvm_vmspace *vm, uint64_t addr, uint64_t len,
    int prot, int flags, int fd, int64_t off, uint64_t *out);

/*
 * bvm_mlock / bvm_munlock: wire / unwire [addr, addr+len); wired pages are
 * faulted in now and never leave memory.
 * => errors: EINVAL (range wraps), ENOMEM (a page not mapped, or one
 *    that cannot be faulted in: beyond the end of a file, an I/O error,
 *    no memory), EAGAIN (over RLIMIT_MEMLOCK or the system wired-page
 *    limit), EACCES (an entry is PROT_NONE).
 */
BVM_EXPORT int bvm_mlock(struct bvm_vmspace *vm, uint64_t addr, uint64_t len);
BVM_EXPORT int bvm_munlock(struct bvm_vmspace *vm, uint64_t addr,
    uint64_t len);

/*
 * bvm_mlockall / bvm_munlockall: MCL_CURRENT wires every mapping now,
 * MCL_FUTURE wires every later mapping.
 * => errors: EINVAL (flags 0 or unknown), ENOMEM/EAGAIN (limits).
 */
BVM_EXPORT int bvm_mlockall(struct bvm_vmspace *vm, int flags);
BVM_EXPORT int bvm_munlockall(struct bvm_vmspace *vm);

/*
 * bvm_msync: write the modified pages of the objects mapped in
 * [addr, addr+len) back to their files.  MS_ASYNC writes them to the host
 * file; MS_SYNC also waits for the host to put them on disk (fdatasync);
 * MS_INVALIDATE then discards the file's cached pages (clean, unwired ones)
 * mapped shared and writable in the range, so that the next access reads
 * the file again.  As on OpenBSD, anonymous memory, shared memory objects
 * and the private (copy-on-write) pages of a file mapping are kept (only
 * deactivated); madvise FREE is what discards private pages.  Memory not
 * backed by a file is accepted and left alone.
 * => errors: EINVAL (flags 0, unknown, or ASYNC|SYNC; range wraps),
 *    EFAULT (a page of the range not mapped; nothing done), EBUSY
 *    (MS_INVALIDATE over wired memory), EIO (a page could not be written:
 *    it stays modified and cached, and a later msync tries again).
 */
BVM_EXPORT int bvm_msync(struct bvm_vmspace *vm, uint64_t addr, uint64_t len,
    int flags);

/* ---------------------------------------------------------------------
 * Memory objects: shared memory (aobj), devices, files.
 *
 * A struct bvm_object is a handle on a uvm_object: an anonymous object
 * (aobj; named, as shm_open(3), or not, as memfd_create(2)), a device
 * (fixed physical frames, never paged), or a file.  Mapping one with
 * MAP_SHARED in several vmspaces shares its pages: a store through one
 * mapping is seen by every other at once.  A handle holds a reference;
 * mappings hold their own, so the handle may be released while mapped.
 * ------------------------------------------------------------------- */

struct bvm_object;

/*
 * bvm_shm_open: open the named shared-memory object of the system, or
 * create it (BVM_O_CREAT, with BVM_O_EXCL: only create), with size 0.
 * name NULL makes an unnamed object (memfd_create).
 * => returns 0 and *out, or EINVAL (unknown flags; name "" or not
 *    starting with '/'), ENAMETOOLONG (name over 255 bytes), ENOENT (not
 *    there and no O_CREAT), EEXIST (O_CREAT|O_EXCL and there), ENOMEM.
 */
BVM_EXPORT int bvm_shm_open(struct bvm_system *sys, const char *name,
    int oflags, struct bvm_object **out);

/*
 * bvm_shm_unlink: remove a name; the object lives on while handles or
 * mappings refer to it.  => returns 0 or ENOENT, EINVAL.
 */
BVM_EXPORT int bvm_shm_unlink(struct bvm_system *sys, const char *name);

/*
 * bvm_device_create: a device object: npages physical frames, contiguous,
 * allocated now and never paged (a simulated frame buffer).  *pa receives
 * the physical address of the first frame; the device's side reads and
 * writes them with bvm_phys_read/bvm_phys_write.  The frames are zeroed.
 * => returns 0, EINVAL (npages 0), ENOMEM (no contiguous frames).
 */
BVM_EXPORT int bvm_device_create(struct bvm_system *sys, uint64_t npages,
    const char *name, struct bvm_object **out, uint64_t *pa);

/*
 * bvm_object_file: a handle on the object of the host file open as fd (the
 * same object bvm_mmap uses for it).
 * => errors: EBADF, ENODEV, EACCES (fd not readable), ENOMEM.
 */
BVM_EXPORT int bvm_object_file(struct bvm_system *sys, int fd,
    struct bvm_object **out);

/*
 * bvm_object_truncate: set an object's size (ftruncate(2)).  Growing adds
 * zero pages; shrinking discards the pages beyond the new end from every
 * mapping (an access there faults with ENXIO) and zeroes the tail of the
 * new last page.  For a file the host file is truncated too.
 * => errors: EINVAL (a device), EBADF (a file not open for writing),
 *    EIO, EBUSY (wired pages beyond the new end).
 */
BVM_EXPORT int bvm_object_truncate(struct bvm_object *obj, uint64_t size);

/* bvm_object_size: the object's size in bytes.  => returns 0. */
BVM_EXPORT int bvm_object_size(struct bvm_object *obj, uint64_t *size);

/* bvm_object_release: drop the handle's reference (close(2)). */
BVM_EXPORT void bvm_object_release(struct bvm_object *obj);

/*
 * bvm_mmap_object: bvm_mmap of an object instead of a descriptor; the same
 * arguments, checks and errors (maxprot: read and write for shared memory
 * and devices; a file's as its descriptor allowed when the handle was
 * made).  Devices are always mapped shared (MAP_PRIVATE becomes
 * MAP_SHARED, as OpenBSD does for character devices); a device page
 * beyond its frames faults with ENXIO.
 */
BVM_EXPORT int bvm_mmap_object(struct bvm_vmspace *vm, uint64_t addr,
    uint64_t len, int prot, int flags, struct bvm_object *obj, int64_t off,
    uint64_t *out);

/* ---------------------------------------------------------------------
 * File I/O through the page cache.  read(2) and write(2) on host files
 * that go through the same pages as the mappings of the file, as a unified
 * buffer cache does: a bvm_file_write is seen at once by every mapping of
 * the file, and a store through a MAP_SHARED mapping by every
 * bvm_file_read.  Writes go through to the host file at once.
 * ------------------------------------------------------------------- */

/*
 * bvm_file_read: read up to len bytes at off; *nread (may be NULL) gets
 * the count, short at the end of the file.
 * => errors: EBADF, ENODEV, EACCES (not open for reading), EINVAL (off
 *    negative), EIO, ENOMEM.
 */
BVM_EXPORT int bvm_file_read(struct bvm_system *sys, int fd, void *buf,
    size_t len, int64_t off, size_t *nread);

/*
 * bvm_file_write: write len bytes at off, extending the file if needed.
 * => errors: EBADF (fd not open for writing), ENODEV, EACCES, EINVAL (off
 *    negative, off+len wraps), EIO, ENOMEM.
 */
BVM_EXPORT int bvm_file_write(struct bvm_system *sys, int fd,
    const void *buf, size_t len, int64_t off);

/*
 * bvm_file_sync: write every modified cached page of the file and wait for
 * the disk (fsync(2)).  => errors: EBADF, ENODEV, EIO.
 */
BVM_EXPORT int bvm_file_sync(struct bvm_system *sys, int fd);

/*
 * bvm_file_truncate: ftruncate(2) through the cache: as
 * bvm_object_truncate on the file's object.  => errors: as that, and
 * EBADF, ENODEV.
 */
BVM_EXPORT int bvm_file_truncate(struct bvm_system *sys, int fd,
    uint64_t size);

/* ---------------------------------------------------------------------
 * Paging: swap areas and the page daemon.
 *
 * Frames are reclaimed by the page daemon: clean pages are freed, dirty
 * file pages written to their files, dirty anonymous and shared-memory
 * pages written to swap (bvm_swapon).  Without swap, anonymous memory
 * stays resident, and an allocation that finds no frame fails with
 * ENOMEM; nothing already stored is ever dropped.
 * ------------------------------------------------------------------- */

#define BVM_SWAP_MINPAGES 16   /* the smallest swap area, in pages */
#define BVM_SWAP_PATHMAX  1024 /* longest swap file path, with its NUL */
#define BVM_SWF_ENABLE    0x1  /* swap area in service */

/* One swap area, as swapctl -l lists it (swapctl(2)'s struct swapent). */
struct bvm_swapent {
	char path[BVM_SWAP_PATHMAX];
	int priority;            /* lower values are used first */
	int flags;               /* BVM_SWF_ENABLE */
	uint64_t npages;         /* slots (pages) in the area */
	uint64_t inuse;          /* slots in use, bad ones included */
	uint64_t bad;            /* slots marked bad by failed writes */
	uint64_t pgin, pgout;    /* pages read from it, written to it */
};

/*
 * bvm_swapon: swapctl(SWAP_ON): use the regular host file at path, which
 * must exist and hold at least BVM_SWAP_MINPAGES pages, as swap space (its
 * size rounded down to pages).  Areas of lower priority values fill first.
 * The file's old contents are never read; it must not be used otherwise
 * while it is swap.
 * => returns 0, or ENOENT, EACCES (cannot be opened for reading and
 *    writing), ENODEV (not a regular file), EINVAL (path "" or NULL, or
 *    the file too small), ENAMETOOLONG (BVM_SWAP_PATHMAX), EBUSY (already
 *    a swap area of the system), EIO (the file cannot be read), ENOMEM.
 */
BVM_EXPORT int bvm_swapon(struct bvm_system *sys, const char *path,
    int priority);

/*
 * bvm_swapoff: swapctl(SWAP_OFF): page back into memory everything the
 * area holds (memory may be made by moving other pages to other areas),
 * then stop using it.  On failure the area stays in service with what it
 * still holds: nothing is lost.
 * => returns 0, or ENXIO (not a swap area), EBUSY (being removed by
 *    another call), ENOMEM (not enough memory and other swap), EIO (a
 *    page could not be read back).
 */
BVM_EXPORT int bvm_swapoff(struct bvm_system *sys, const char *path);

/*
 * bvm_swapstats: swapctl(SWAP_STATS): the first nents areas, by priority,
 * into ents; *count (may be NULL) gets how many areas there are.
 * => returns 0 or EINVAL.
 */
BVM_EXPORT int bvm_swapstats(struct bvm_system *sys, struct bvm_swapent *ents,
    int nents, int *count);

/*
 * bvm_pageout: run the page daemon now, in this thread, until npages
 * frames are freed or nothing more can be (pages in use are kept: they
 * are deactivated first and freed by a later call if still unused).
 * *freed (may be NULL) gets the count.  => returns 0 or EINVAL.
 */
BVM_EXPORT int bvm_pageout(struct bvm_system *sys, uint64_t npages,
    uint64_t *freed);

/* ---------------------------------------------------------------------
 * Memory access through virtual addresses, and faults.
 * ------------------------------------------------------------------- */

/*
 * What a failed access or fault was, for the signal an emulator raises.
 */
struct bvm_fault_info {
	uint64_t addr; /* the first address that could not be accessed */
	int error;     /* EFAULT, EACCES, ENXIO, EIO, ENOMEM (as bvm_fault) */
	int signo;     /* BVM_SIGSEGV or BVM_SIGBUS; 0 for ENOMEM */
	int code;      /* BVM_SEGV_MAPERR, BVM_SEGV_ACCERR, BVM_BUS_OBJERR */
};

/*
 * bvm_fault: resolve a fault at va for an access of type access (PROT_READ,
 * PROT_WRITE or PROT_EXEC), as uvm_fault() does for a trap.
 * => returns 0 (the page is now mapped for that access), EFAULT (not mapped:
 *    SEGV_MAPERR), EACCES (protection: SEGV_ACCERR), ENXIO (beyond the end
 *    of the object: BUS_OBJERR), EIO (the pager could not read the page:
 *    BUS_OBJERR), ENOMEM (no memory), EINVAL (bad access type).
 * => info may be NULL; it is filled in on failure.
 */
BVM_EXPORT int bvm_fault(struct bvm_vmspace *vm, uint64_t va, int access,
    struct bvm_fault_info *info);

/*
 * bvm_read / bvm_write: copyin / copyout through the address space, faulting
 * as needed.  A write needs PROT_WRITE, a read PROT_READ.
 * => returns 0, or EFAULT when a page of the range cannot be accessed (info,
 *    if not NULL, tells why and where: its error is EFAULT, EACCES, ENXIO
 *    or EIO, with the signal as bvm_fault), or ENOMEM.
 *    On failure the bytes before info->addr were transferred.
 */
BVM_EXPORT int bvm_read(struct bvm_vmspace *vm, uint64_t va, void *buf,
    size_t len, struct bvm_fault_info *info);
BVM_EXPORT int bvm_write(struct bvm_vmspace *vm, uint64_t va, const void *buf,
    size_t len, struct bvm_fault_info *info);

/* ---------------------------------------------------------------------
 * Limits.
 * ------------------------------------------------------------------- */

/*
 * bvm_setrlimit / bvm_getrlimit: the vmspace's RLIMIT_DATA or
 * RLIMIT_MEMLOCK, in bytes (BVM_RLIM_INFINITY for none).  Lowering a limit
 * below current use is allowed; only new use is refused.
 * => errors: EINVAL (unknown resource).
 */
BVM_EXPORT int bvm_setrlimit(struct bvm_vmspace *vm, int resource,
    uint64_t limit);
BVM_EXPORT int bvm_getrlimit(struct bvm_vmspace *vm, int resource,
    uint64_t *limit);

/* ---------------------------------------------------------------------
 * Physical memory (uvm_pglistalloc).
 * ------------------------------------------------------------------- */

/*
 * bvm_pglist_alloc: allocate npages frames, in at most maxsegs physically
 * contiguous runs, each frame's physical address in [low, high), each run
 * starting on an `align` boundary and not crossing a `boundary` (0: none)
 * boundary.  pas[] receives the npages physical addresses in order.
 * => align and boundary are powers of two (boundary 0 allowed), multiples
 *    of the page size.
 * => returns 0, EINVAL (bad arguments), or ENOMEM (cannot be met).
 */
BVM_EXPORT int bvm_pglist_alloc(struct bvm_system *sys, uint64_t npages,
    uint64_t low, uint64_t high, uint64_t align, uint64_t boundary,
    int maxsegs, int flags, uint64_t *pas);

/*
 * bvm_pglist_free: free frames from bvm_pglist_alloc.
 * => returns 0, or EINVAL (an address not allocated by bvm_pglist_alloc).
 */
BVM_EXPORT int bvm_pglist_free(struct bvm_system *sys, const uint64_t *pas,
    uint64_t npages);

/*
 * bvm_phys_read: read the contents of a physical frame (for tests and
 * tools: e.g. to check that freed frames are zeroed before reuse).
 * => returns 0 or EINVAL (out of range).
 */
BVM_EXPORT int bvm_phys_read(struct bvm_system *sys, uint64_t pa, void *buf,
    size_t len);

/*
 * bvm_phys_write: write into physical frames (a device's side of a device
 * object's frames).  => returns 0 or EINVAL (out of range).
 */
BVM_EXPORT int bvm_phys_write(struct bvm_system *sys, uint64_t pa,
    const void *buf, size_t len);

/* ---------------------------------------------------------------------
 * Counters, listings, invariants.
 * ------------------------------------------------------------------- */

/* A vmstat -s view of a system.  All counts since creation. */
struct bvm_stats {
	uint64_t pagesize;
	uint64_t npages;       /* frames in all */
	uint64_t free;         /* frames free */
	uint64_t active;       /* frames on the active queue */
	uint64_t inactive;     /* frames on the inactive queue */
	uint64_t wired;        /* frames wired */
	uint64_t wiredmax;     /* limit on wired frames (npages/3) */
	uint64_t zeropages;    /* free frames known to be zero */
	uint64_t vmspaces;     /* live vmspaces */
	uint64_t map_entries;  /* live map entries */
	uint64_t amaps;        /* live amaps */
	uint64_t anons;        /* live anons */
	uint64_t faults;       /* calls to uvm_fault */
	uint64_t flt_anon;     /* faults on an existing anon (case 1A) */
	uint64_t flt_acow;     /* copy-on-write of an anon (case 1B) */
	uint64_t flt_amcopy;   /* amap copies done by faults (needs-copy) */
	uint64_t flt_zfill;    /* zero-fill faults (case 2, no object) */
	uint64_t flt_noram;    /* faults that found no free frame */
	uint64_t flt_nomap;    /* faults at unmapped addresses */
	uint64_t flt_prot;     /* faults refused for protection */
	uint64_t flt_around;   /* neighbour pages mapped by fault-around */
	uint64_t flt_wired;    /* wiring faults */
	uint64_t pga_zerohit;  /* zeroed allocations served pre-zeroed */
	uint64_t pga_zeromiss; /* zeroed allocations zeroed on demand */
	uint64_t pages_alloc;  /* frames allocated */
	uint64_t pages_free;   /* frames freed */
	uint64_t forks;        /* bvm_fork calls that succeeded */
	uint64_t cow_now;      /* pages copied at fork (wired or shared) */
	uint64_t pmap_enter;   /* pmap_enter calls */
	uint64_t pmap_remove;  /* pages removed from pmaps */
	uint64_t pmap_protect; /* pmap_protect calls */
	uint64_t tlb_miss;     /* soft TLB misses (page-table walks) */
	uint64_t tlb_flush;    /* soft TLB flushes (generation bumps) */
	uint64_t mmap_calls;
	uint64_t munmap_calls;
	uint64_t mprotect_calls;
	/* objects and pagers */
	uint64_t objects;      /* live uvm_objects (vnode, aobj, device) */
	uint64_t vnodes;       /* live vnode objects (files) */
	uint64_t obj_pages;    /* frames owned by objects */
	uint64_t flt_obj;      /* faults mapping an object's page (case 2A) */
	uint64_t flt_prcopy;   /* object pages copied into anons (case 2B) */
	uint64_t pgpgin;       /* pages read in by pagers */
	uint64_t pgpgout;      /* pages written out by pagers */
	uint64_t pageins;      /* pager read operations (clustered) */
	uint64_t pageouts;     /* pager write operations (clustered) */
	uint64_t pager_errors; /* pager reads and writes that failed */
	uint64_t msync_calls;
	/* paging */
	uint64_t freemin;      /* the daemon wakes below this many free */
	uint64_t freetarg;     /* and frees up to this many */
	uint64_t inactarg;     /* inactive pages it aims for */
	uint64_t swpages;      /* swap slots in all (pages) */
	uint64_t swpginuse;    /* swap slots in use (bad ones included) */
	uint64_t swpgbad;      /* swap slots marked bad */
	uint64_t swpgonly;     /* pages whose only copy is in swap */
	uint64_t nswapdev;     /* swap areas */
	uint64_t pswpin;       /* pages swapped in */
	uint64_t pswpout;      /* pages swapped out */
	uint64_t swapins;      /* swap read operations (clustered) */
	uint64_t swapouts;     /* swap write operations (clustered) */
	uint64_t swap_errors;  /* swap reads and writes that failed */
	uint64_t pdwoke;       /* times the daemon thread woke to work */
	uint64_t pdrevs;       /* daemon scans */
	uint64_t pdsync;       /* scans run by allocations finding no frame */
	uint64_t pdscans;      /* inactive pages examined */
	uint64_t pdfreed;      /* pages freed by the daemon */
	uint64_t pdreact;      /* inactive pages reactivated (referenced) */
	uint64_t pddeact;      /* active pages deactivated */
	uint64_t pdbusy;       /* pages skipped: busy, or owner locked */
	uint64_t pdpageouts;   /* pageout operations (clusters) */
	uint64_t pdnoswap;     /* dirty anonymous pages kept: no swap room */
};

/* bvm_stats: fill *st from the system's counters.  => returns 0. */
BVM_EXPORT int bvm_stats(struct bvm_system *sys, struct bvm_stats *st);

/* Per-vmspace figures. */
struct bvm_vmspace_info {
	uint64_t size;        /* bytes mapped */
	uint64_t resident;    /* pages mapped in the pmap */
	uint64_t dused;       /* RLIMIT_DATA use, bytes (vm_dused) */
	uint64_t wired;       /* bytes in wired entries */
	uint64_t nentries;    /* map entries */
	uint64_t rlimit_data;
	uint64_t rlimit_memlock;
};
BVM_EXPORT int bvm_vmspace_info(struct bvm_vmspace *vm,
    struct bvm_vmspace_info *info);

/* One map entry, as procstat -v prints it. */
#define BVM_REGION_COW       0x01 /* UVM_ET_COPYONWRITE */
#define BVM_REGION_NEEDSCOPY 0x02 /* UVM_ET_NEEDSCOPY */
#define BVM_REGION_NOFAULT   0x04 /* UVM_ET_NOFAULT */
#define BVM_REGION_STACK     0x08 /* UVM_ET_STACK */
#define BVM_REGION_SHAREDAMAP 0x10 /* the amap is AMAP_SHARED */
#define BVM_REGION_CONCEAL   0x20 /* UVM_ET_CONCEAL */

struct bvm_region {
	uint64_t start, end;
	int prot, maxprot, inherit, advice;
	int wired_count;
	unsigned flags;       /* BVM_REGION_* */
	uint64_t resident;    /* pages mapped in the pmap */
	uint64_t anons;       /* anons (private pages) in the amap slots */
	int amap_refs;        /* references to the amap, 0 if none */
	const char *type;     /* "anon", "vnode", "aobj" or "device" */
	const char *name;     /* the file's path or the object's name; "" */
	uint64_t offset;      /* offset in the object of start */
	uint64_t obj_resident; /* the object's resident pages (all offsets) */
	uint64_t swapped;     /* of the anons, those only in swap (paged out) */
};

/*
 * bvm_regions: call fn for each map entry in address order, with the map
 * read-locked (fn must not call back into this vmspace).  Stops early and
 * returns fn's value if it is not 0.  => returns 0 or fn's value.
 */
BVM_EXPORT int bvm_regions(struct bvm_vmspace *vm,
    int (*fn)(const struct bvm_region *r, void *arg), void *arg);

/*
 * bvm_check / bvm_system_check: run the invariant checkers (map tree order
 * and free-space augmentation, entry list, no overlap, RLIMIT_DATA use,
 * amap/anon reference counts, pmap/pv agreement, page ownership, free list
 * counts).
 * => returns 0, or EFAULT with a description of the first violation in msg
 *    (msg may be NULL).
 */
BVM_EXPORT int bvm_check(struct bvm_vmspace *vm, char *msg, size_t msglen);
BVM_EXPORT int bvm_system_check(struct bvm_system *sys, char *msg,
    size_t msglen);

/* bvm_strerror: a short name for an errno value ("EINVAL"). */
BVM_EXPORT const char *bvm_errname(int error);

/* ---------------------------------------------------------------------
 * Fault injection, for tests.  Every allocation point in the library asks
 * its failure point first; an armed point fails its nth call from the
 * moment it was armed, once, as if the memory were not there, and the
 * calling operation fails cleanly (ENOMEM); the pager points fail an I/O
 * instead, as a disk would (EIO).  The points are process-wide
 * (all systems), and arming is meant for single-threaded tests.
 * ------------------------------------------------------------------- */

#define BVM_FP_PAGE_ALLOC    0 /* a frame (faults, copies, pglist) */
#define BVM_FP_MAPENT_ALLOC  1 /* a map entry (mmap, fork) */
#define BVM_FP_AMAP_ALLOC    2 /* an amap (first touch, copy, fork) */
#define BVM_FP_ANON_ALLOC    3 /* an anon (zero fill, copy-on-write) */
#define BVM_FP_PV_ALLOC      4 /* a pmap pv entry (every new mapping) */
#define BVM_FP_PTP_ALLOC     5 /* a page-table page */
#define BVM_FP_VMSPACE_ALLOC 6 /* a vmspace (create, fork) */
#define BVM_FP_OBJ_ALLOC     7 /* an object or a page-index node */
#define BVM_FP_PAGER_READ    8 /* a pager read: fails with EIO */
#define BVM_FP_PAGER_WRITE   9 /* a pager write: fails with EIO */
#define BVM_FP_SWAP_READ    10 /* a swap read (page-in): fails with EIO */
#define BVM_FP_SWAP_WRITE   11 /* a swap write (pageout): fails with EIO,
                                  and the slots are marked bad */
#define BVM_FP_SWAP_ALLOC   12 /* swap slots: none, as if swap were full */
#define BVM_FP_NPOINTS       13

/*
 * bvm_failpoint_arm: make the nth call (n >= 1) of point fail; 0 disarms
 * the point.  => returns 0 or EINVAL (unknown point, negative n).
 */
BVM_EXPORT int bvm_failpoint_arm(int point, long nth);
/* bvm_failpoint_disarm: disarm every point. */
BVM_EXPORT void bvm_failpoint_disarm(void);
/* bvm_failpoint_calls: the calls point has seen since it was armed. */
BVM_EXPORT long bvm_failpoint_calls(int point);
/* bvm_failpoint_name: "page_alloc", ...; NULL for an unknown point. */
BVM_EXPORT const char *bvm_failpoint_name(int point);

#ifdef __cplusplus
}
#endif

#endif /* BSDVM_H */
