/*
 * uvm_swap.c: swap areas on host files, swap slots, and swap I/O.
 *
 * An area is a regular host file, added with uvm_swap_on (swapctl SWAP_ON)
 * and removed with uvm_swap_off, which first pages back in every page the
 * area holds.  Areas are kept in priority order (lower values first, as
 * NetBSD's swapctl -p); slots come from the first enabled area, by
 * priority, with room for the request.
 *
 * Slots: a bitmap per area, allocated next-fit from a rotor, so that the
 * clusters the page daemon asks for (SWCLUSTPAGES slots, or fewer when
 * space is short) are contiguous and a cluster of pages goes out in one
 * pwritev; swap space read back in page order is contiguous too, so the
 * fault handler reads ahead with one preadv.  OpenBSD uses a blist (a
 * radix tree of bitmaps) for the same job; a flat bitmap with full-word
 * skipping is as fast at the sizes a user-space system has and is easier
 * to read.
 *
 * Bad slots: a write that fails marks its slots bad; they stay allocated
 * forever (never handed out again) and count in sw_nbad, as OpenBSD's
 * uvm_swap_markbad.  The page whose write failed stays in memory.
 *
 * Owners: every slot in use records its owner (an anon, or an aobj and a
 * page index).  Swap-off walks its area's slots and pages each owner back
 * in, locking the owner by trylock (swaplock nests inside owner locks).
 * An owner is alive while its slot says so: anons and aobjs free their
 * slots, under swaplock, before they are freed.
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "uvm.h"
#include "uvm_anon.h"
#include "uvm_object.h"
#include "uvm_pdaemon.h"
#include "uvm_swap.h"

#define BM_WORD(i) ((i) >> 6)
#define BM_BIT(i)  (1ULL << ((i) & 63))

static inline bool
bm_test(const uint64_t *bm, int i)
{
	return (bm[BM_WORD(i)] & BM_BIT(i)) != 0;
}

static inline void
bm_set(uint64_t *bm, int i)
{
	bm[BM_WORD(i)] |= BM_BIT(i);
}

static inline void
bm_clear(uint64_t *bm, int i)
{
	bm[BM_WORD(i)] &= ~BM_BIT(i);
}

void
uvm_swap_init(struct bvm_system *sys)
{
	bvm_mutex_init(&sys->swaplock);
	TAILQ_INIT(&sys->swapdevs);
}

static void
swapdev_free(struct swapdev *sdp)
{
	if (sdp->sw_fd >= 0)
		close(sdp->sw_fd);
	free(sdp->sw_path);
	free(sdp->sw_map);
	free(sdp->sw_bad);
	free(sdp->sw_owner);
	free(sdp);
}

/*
 * uvm_swap_fini: at system destroy, after every anon and object is gone:
 * only bad slots can be left in use.
 */
void
uvm_swap_fini(struct bvm_system *sys)
{
	struct swapdev *sdp;

	while ((sdp = TAILQ_FIRST(&sys->swapdevs)) != NULL) {
		KASSERTMSG(sdp->sw_inuse == sdp->sw_nbad,
		    "swap area %s: %d slots still in use", sdp->sw_path,
		    sdp->sw_inuse - sdp->sw_nbad);
		TAILQ_REMOVE(&sys->swapdevs, sdp, sw_list);
		swapdev_free(sdp);
	}
	bvm_mutex_destroy(&sys->swaplock);
}

/* the area holding slot, or NULL.  => swaplock held */
static struct swapdev *
swapdrum_getsdp(struct bvm_system *sys, int slot)
{
	struct swapdev *sdp;

	MUTEX_ASSERT_LOCKED(&sys->swaplock);
	TAILQ_FOREACH(sdp, &sys->swapdevs, sw_list)
		if (slot >= sdp->sw_base && slot - sdp->sw_base <
		    sdp->sw_nslots)
			return sdp;
	return NULL;
}

/*
 * uvm_swap_findrun: a run of `want` free slots of the area, the first one at
 * or after the rotor (wrapping once); runs do not wrap.  With lessok and no
 * run that long, the longest run there is.  One pass over the bitmap, a
 * word at a time: full words are skipped, free words taken whole, and the
 * runs inside mixed words found with count-trailing-zeros.
 * => swaplock held (or an area of a unit test's own).
 * => returns the index in the area and *got, or -1.
 */
int
uvm_swap_findrun(struct swapdev *sdp, int want, bool lessok, int *got)
{
	int nwords = (sdp->sw_nslots + 63) / 64;
	int w0 = sdp->sw_rotor / 64, k, wi, bit, z;
	int run = 0, runstart = 0, best = 0, beststart = -1;
	uint64_t w, x;

	if (sdp->sw_inuse >= sdp->sw_nslots)
		return -1;
	/*
	 * Once round from the rotor's word, and on past it far enough to
	 * finish a run that goes through it.
	 */
	for (k = 0; k <= nwords + (want + 63) / 64; k++) {
		wi = (w0 + k) % nwords;
		if (wi == 0)
			run = 0;        /* no run across the end of the area */
		w = sdp->sw_map[wi];
		if (w == ~0ULL) {
			run = 0;
			continue;
		}
		for (bit = 0; bit < 64; bit += z) {
			x = w >> bit;
			if ((x & 1) == 0) {
				/* free slots from here: the zeros below a one */
				z = x != 0 ? __builtin_ctzll(x) : 64 - bit;
				if (run == 0)
					runstart = wi * 64 + bit;
				run += z;
				if (run >= want) {
					*got = want;
					return runstart;
				}
				if (run > best) {
					best = run;
					beststart = runstart;
				}
			} else {
				x = ~x;
				z = x != 0 ? __builtin_ctzll(x) : 64 - bit;
				run = 0;
			}
		}
	}
	if (!lessok || beststart < 0)
		return -1;
	*got = best;
	return beststart;
}

/*
 * uvm_swap_alloc: allocate *nslots contiguous slots in one area: the
 * first area by priority that has such a run; with lessok, when none has,
 * the longest run any has, and *nslots says how many.  The slots have no owner yet (uvm_swap_setowner).
 * => returns the first slot, or 0 when swap is full (or absent).
 */
int
uvm_swap_alloc(struct bvm_system *sys, int *nslots, bool lessok)
{
	struct swapdev *sdp, *best = NULL;
	int want = *nslots, idx = 0, i, got = 0;

	KASSERT(want > 0);
	if (bvm_fi_fail(FI_SWAP_ALLOC))
		return 0;
	bvm_mutex_enter(&sys->swaplock);
	/* the first area (by priority) with a whole run; else the longest */
	TAILQ_FOREACH(sdp, &sys->swapdevs, sw_list) {
		int g = 0, x;

		if (!(sdp->sw_flags & SWF_ENABLE))
			continue;
		if ((x = uvm_swap_findrun(sdp, want, lessok, &g)) < 0)
			continue;
		if (g > got) {
			got = g;
			idx = x;
			best = sdp;
		}
		if (g == want)
			break;
	}
	if (best == NULL) {
		bvm_mutex_exit(&sys->swaplock);
		return 0;
	}
	sdp = best;
	for (i = idx; i < idx + got; i++) {
		KASSERT(!bm_test(sdp->sw_map, i));
		bm_set(sdp->sw_map, i);
		sdp->sw_owner[i].so_owner = 0;
	}
	sdp->sw_inuse += got;
	sdp->sw_rotor = idx + got >= sdp->sw_nslots ? 0 : idx + got;
	CNT_ADD(sys->uvmexp.swpginuse, (uint64_t)got);
	CNT_SUB(sys->swap_free, (uint64_t)got);
	bvm_mutex_exit(&sys->swaplock);
	*nslots = got;
	return sdp->sw_base + idx;
}

/*
 * uvm_swap_free: free nslots slots from slot on (one area).  Bad slots
 * stay allocated.
 */
void
uvm_swap_free(struct bvm_system *sys, int slot, int nslots)
{
	struct swapdev *sdp;
	int i, idx, freed = 0;

	if (slot == SWSLOT_NONE || nslots == 0)
		return;
	bvm_mutex_enter(&sys->swaplock);
	sdp = swapdrum_getsdp(sys, slot);
	KASSERTMSG(sdp != NULL, "uvm_swap_free: slot %d in no area", slot);
	idx = slot - sdp->sw_base;
	KASSERT(idx + nslots <= sdp->sw_nslots);
	for (i = idx; i < idx + nslots; i++) {
		KASSERTMSG(bm_test(sdp->sw_map, i), "slot %d freed twice",
		    sdp->sw_base + i);
		sdp->sw_owner[i].so_owner = 0;
		if (bm_test(sdp->sw_bad, i))
			continue;
		bm_clear(sdp->sw_map, i);
		freed++;
	}
	sdp->sw_inuse -= freed;
	/* the unused tail of a cluster: the next search starts there */
	if (sdp->sw_rotor == idx + nslots ||
	    (sdp->sw_rotor == 0 && idx + nslots == sdp->sw_nslots))
		sdp->sw_rotor = idx;
	CNT_SUB(sys->uvmexp.swpginuse, (uint64_t)freed);
	if (sdp->sw_flags & SWF_ENABLE)
		CNT_ADD(sys->swap_free, (uint64_t)freed);
	bvm_mutex_exit(&sys->swaplock);
}

/*
 * uvm_swap_markbad: a write to these slots failed: they stay allocated
 * and are never used again.  The caller then forgets them (its owner no
 * longer records them) but does not free them.
 */
void
uvm_swap_markbad(struct bvm_system *sys, int slot, int nslots)
{
	struct swapdev *sdp;
	int i, idx;

	bvm_mutex_enter(&sys->swaplock);
	sdp = swapdrum_getsdp(sys, slot);
	KASSERT(sdp != NULL);
	idx = slot - sdp->sw_base;
	for (i = idx; i < idx + nslots; i++) {
		KASSERT(bm_test(sdp->sw_map, i));
		sdp->sw_owner[i].so_owner = 0;
		if (!bm_test(sdp->sw_bad, i)) {
			bm_set(sdp->sw_bad, i);
			sdp->sw_nbad++;
			CNT_INC(sys->uvmexp.swpgbad);
		}
	}
	bvm_mutex_exit(&sys->swaplock);
}

/*
 * uvm_swap_setowners: the owners of n consecutive slots (one area) from
 * slot on, in one hold of the lock (a cluster's).  => the owners locked
 */
void
uvm_swap_setowners(struct bvm_system *sys, int slot,
    const struct swap_owner *so, int n)
{
	struct swapdev *sdp;
	int i, idx;

	bvm_mutex_enter(&sys->swaplock);
	sdp = swapdrum_getsdp(sys, slot);
	KASSERT(sdp != NULL && slot - sdp->sw_base + n <= sdp->sw_nslots);
	idx = slot - sdp->sw_base;
	for (i = 0; i < n; i++) {
		KASSERT(bm_test(sdp->sw_map, idx + i) &&
		    !bm_test(sdp->sw_bad, idx + i));
		sdp->sw_owner[idx + i] = so[i];
	}
	bvm_mutex_exit(&sys->swaplock);
}

/* uvm_swapisfull: no slot can be allocated now.  => no locks needed */
bool
uvm_swapisfull(struct bvm_system *sys)
{
	return __atomic_load_n(&sys->swap_free, __ATOMIC_RELAXED) == 0;
}

/* uvm_swap_configured: is there any swap area at all? */
bool
uvm_swap_configured(struct bvm_system *sys)
{
	return __atomic_load_n(&sys->nswapdev, __ATOMIC_RELAXED) != 0;
}

/*
 * uvm_swap_slot_owner: for the checker: is slot allocated (then *so and
 * *bad tell its owner and whether it is bad)?
 */
bool
uvm_swap_slot_owner(struct bvm_system *sys, int slot, struct swap_owner *so,
    bool *bad)
{
	struct swapdev *sdp;
	bool inuse = false;
	int i;

	bvm_mutex_enter(&sys->swaplock);
	sdp = swapdrum_getsdp(sys, slot);
	if (sdp != NULL) {
		i = slot - sdp->sw_base;
		inuse = bm_test(sdp->sw_map, i);
		*bad = bm_test(sdp->sw_bad, i);
		*so = sdp->sw_owner[i];
	}
	bvm_mutex_exit(&sys->swaplock);
	return inuse;
}

/*
 * uvm_swap_runlen: how many of the n slots from slot on lie in slot's
 * area (a swap I/O cannot span two areas).
 */
int
uvm_swap_runlen(struct bvm_system *sys, int slot, int n)
{
	struct swapdev *sdp;
	int left = 0;

	bvm_mutex_enter(&sys->swaplock);
	sdp = swapdrum_getsdp(sys, slot);
	if (sdp != NULL)
		left = sdp->sw_base + sdp->sw_nslots - slot;
	bvm_mutex_exit(&sys->swaplock);
	return MIN(n, left);
}

/*
 * swap_io_target: the area's descriptor and the byte offset of slot, for
 * npages slots that must lie in one area.
 * => the slots are allocated and their owners locked by the caller, so
 *    the area outlives the I/O.
 */
static int
swap_io_target(struct bvm_system *sys, int slot, int npages, int *fd,
    off_t *off, struct swapdev **sdpp)
{
	struct swapdev *sdp;

	bvm_mutex_enter(&sys->swaplock);
	sdp = swapdrum_getsdp(sys, slot);
	KASSERT(sdp != NULL && slot - sdp->sw_base + npages <= sdp->sw_nslots);
	*fd = sdp->sw_fd;
	*off = (off_t)(slot - sdp->sw_base) * (off_t)PAGE_SIZE;
	*sdpp = sdp;
	bvm_mutex_exit(&sys->swaplock);
	return 0;
}

/*
 * uvm_swap_get: read npages pages from consecutive slots (one area, the
 * first at slot) into pgs[].
 * => the owners of the slots are locked.  => returns 0 or EIO.
 */
int
uvm_swap_get(struct bvm_system *sys, struct vm_page **pgs, int slot,
    int npages)
{
	struct swapdev *sdp;
	size_t got;
	off_t off;
	int fd, error;

	swap_io_target(sys, slot, npages, &fd, &off, &sdp);
	CNT_INC(sys->uvmexp.swapins);
	error = uvm_pager_read(sys, fd, off, pgs, npages, &got, FI_SWAP_READ);
	if (error == 0 && got < (size_t)npages * PAGE_SIZE) {
		/* the file was truncated behind our back */
		CNT_INC(sys->uvmexp.pager_errors);
		error = EIO;
	}
	if (error) {
		CNT_INC(sys->uvmexp.swap_errors);
		return EIO;
	}
	CNT_ADD(sys->uvmexp.pswpin, (uint64_t)npages);
	bvm_mutex_enter(&sys->swaplock);
	sdp->sw_pgin += (uint64_t)npages;
	bvm_mutex_exit(&sys->swaplock);
	return 0;
}

/*
 * uvm_swap_put: write npages pages to consecutive slots (one area), the
 * first at slot.
 * => the owners of the pages are locked and the pages unmapped.
 * => returns 0 or EIO (the caller marks the slots bad).
 */
int
uvm_swap_put(struct bvm_system *sys, struct vm_page **pgs, int slot,
    int npages)
{
	struct swapdev *sdp;
	off_t off;
	int fd, error;

	swap_io_target(sys, slot, npages, &fd, &off, &sdp);
	CNT_INC(sys->uvmexp.swapouts);
	error = uvm_pager_write(sys, fd, off, pgs, npages,
	    (size_t)npages * PAGE_SIZE, FI_SWAP_WRITE);
	if (error) {
		CNT_INC(sys->uvmexp.swap_errors);
		return EIO;
	}
	CNT_ADD(sys->uvmexp.pswpout, (uint64_t)npages);
	bvm_mutex_enter(&sys->swaplock);
	sdp->sw_pgout += (uint64_t)npages;
	bvm_mutex_exit(&sys->swaplock);
	return 0;
}

/*
 * swap_newbase: the lowest first slot at which nslots slots overlap no
 * area.  => swaplock held.  => returns it, or 0 if none fits in an int.
 */
static int
swap_newbase(struct bvm_system *sys, int nslots)
{
	struct swapdev *sdp;
	int64_t base = 1;
	bool moved;

	do {
		moved = false;
		TAILQ_FOREACH(sdp, &sys->swapdevs, sw_list)
			if (base < (int64_t)sdp->sw_base + sdp->sw_nslots &&
			    base + nslots > sdp->sw_base) {
				base = (int64_t)sdp->sw_base + sdp->sw_nslots;
				moved = true;
			}
	} while (moved);
	return base + nslots > INT32_MAX ? 0 : (int)base;
}

/*
 * uvm_swap_on: swapctl(SWAP_ON): add the regular file at path, of at
 * least SWAP_MINPAGES pages, as a swap area of priority `priority`.  Its
 * contents are never read before they are written; its first and last
 * pages are read once now, so that an unreadable file fails here.
 * => returns 0, or EINVAL (too small), ENAMETOOLONG, ENODEV (not a
 *    regular file), EBUSY (already a swap area), EIO (unreadable), ENOMEM,
 *    or open(2)'s error (ENOENT, EACCES, ...).
 */
int
uvm_swap_on(struct bvm_system *sys, const char *path, int priority)
{
	struct swapdev *sdp, *it;
	uint8_t probe[BVM_PAGE_SIZE];
	struct stat st;
	int64_t npg;
	size_t words;
	int fd, base, i;

	if (path == NULL || path[0] == '\0')
		return EINVAL;
	if (strlen(path) >= BVM_SWAP_PATHMAX)
		return ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == EISDIR ? ENODEV : errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ENODEV;
	}
	npg = (int64_t)(st.st_size / (off_t)PAGE_SIZE);
	if (npg < SWAP_MINPAGES) {
		close(fd);
		return EINVAL;
	}
	if (npg > INT32_MAX / 2)
		npg = INT32_MAX / 2;
	if (bvm_fi_fail(FI_SWAP_READ) ||
	    pread(fd, probe, PAGE_SIZE, 0) != (ssize_t)PAGE_SIZE ||
	    pread(fd, probe, PAGE_SIZE, (off_t)(npg - 1) * (off_t)PAGE_SIZE) !=
	    (ssize_t)PAGE_SIZE) {
		close(fd);
		return EIO;
	}
	words = (size_t)(npg + 63) / 64;
	sdp = calloc(1, sizeof(*sdp));
	if (sdp == NULL || (sdp->sw_path = strdup(path)) == NULL ||
	    (sdp->sw_map = calloc(words, sizeof(uint64_t))) == NULL ||
	    (sdp->sw_bad = calloc(words, sizeof(uint64_t))) == NULL ||
	    (sdp->sw_owner = calloc((size_t)npg,
	    sizeof(struct swap_owner))) == NULL) {
		if (sdp != NULL) {
			sdp->sw_fd = -1;
			swapdev_free(sdp);
		}
		close(fd);
		return ENOMEM;
	}
	/* the bits past the last slot are never free */
	for (i = (int)npg; i < (int)(words * 64); i++)
		bm_set(sdp->sw_map, i);
	sdp->sw_fd = fd;
	sdp->sw_dev = st.st_dev;
	sdp->sw_ino = st.st_ino;
	sdp->sw_priority = priority;
	sdp->sw_nslots = (int)npg;
	sdp->sw_flags = SWF_ENABLE;

	bvm_mutex_enter(&sys->swaplock);
	TAILQ_FOREACH(it, &sys->swapdevs, sw_list)
		if (it->sw_dev == st.st_dev && it->sw_ino == st.st_ino) {
			bvm_mutex_exit(&sys->swaplock);
			swapdev_free(sdp);
			return EBUSY;
		}
	if ((base = swap_newbase(sys, sdp->sw_nslots)) == 0) {
		bvm_mutex_exit(&sys->swaplock);
		swapdev_free(sdp);
		return ENOMEM;
	}
	sdp->sw_base = base;
	/* after the last area of a priority not greater than ours */
	TAILQ_FOREACH(it, &sys->swapdevs, sw_list)
		if (it->sw_priority > priority)
			break;
	if (it != NULL)
		TAILQ_INSERT_BEFORE(it, sdp, sw_list);
	else
		TAILQ_INSERT_TAIL(&sys->swapdevs, sdp, sw_list);
	CNT_ADD(sys->uvmexp.swpages, (uint64_t)sdp->sw_nslots);
	CNT_ADD(sys->swap_free, (uint64_t)sdp->sw_nslots);
	CNT_INC(sys->nswapdev);
	bvm_mutex_exit(&sys->swaplock);
	/* the page daemon may have given up for want of swap */
	uvm_pdaemon_kick(sys);
	return 0;
}

/*
 * swap_off_slot: page back in what slot (of an area being removed)
 * stores, and free the slot.  so is its owner, locked by the caller.
 * => returns 0, ENOMEM, or EIO.
 */
static int
swap_off_slot(struct bvm_system *sys, int slot, struct swap_owner *so)
{
	if (so->so_owner & SWO_AOBJ)
		return uao_swap_off(
		    (struct uvm_object *)(so->so_owner & ~(uintptr_t)SWO_AOBJ),
		    so->so_idx, slot);
	return uvm_anon_swap_off(sys, (struct vm_anon *)so->so_owner, slot);
}

/* the lock of a slot's owner */
static struct bvm_mutex *
swap_owner_lock(struct swap_owner *so)
{
	if (so->so_owner & SWO_AOBJ)
		return &((struct uvm_object *)(so->so_owner &
		    ~(uintptr_t)SWO_AOBJ))->vmobjlock;
	return &((struct vm_anon *)so->so_owner)->an_lock->lo_mtx;
}

/*
 * uvm_swap_off: swapctl(SWAP_OFF): page everything the area at path holds
 * back into memory (the page daemon may move other pages out to other
 * areas meanwhile), then remove it.  If memory (or an I/O) fails, the
 * area is enabled again, holding what was not paged in: nothing is lost.
 * => returns 0, ENXIO (not a swap area), EBUSY (being removed already),
 *    ENOMEM (not enough memory and other swap to hold its pages), EIO.
 */
int
uvm_swap_off(struct bvm_system *sys, const char *path)
{
	struct swapdev *sdp;
	struct swap_owner so;
	struct bvm_mutex *lk;
	struct stat st;
	bool have_st;
	int i, error = 0, spins = 0;

	if (path == NULL)
		return EINVAL;
	have_st = stat(path, &st) == 0;
	bvm_mutex_enter(&sys->swaplock);
	TAILQ_FOREACH(sdp, &sys->swapdevs, sw_list)
		if (strcmp(sdp->sw_path, path) == 0 || (have_st &&
		    sdp->sw_dev == st.st_dev && sdp->sw_ino == st.st_ino))
			break;
	if (sdp == NULL) {
		bvm_mutex_exit(&sys->swaplock);
		return ENXIO;
	}
	if (sdp->sw_flags & SWF_OFFLINE) {
		bvm_mutex_exit(&sys->swaplock);
		return EBUSY;
	}
	sdp->sw_flags = SWF_OFFLINE;
	CNT_SUB(sys->swap_free,
	    (uint64_t)(sdp->sw_nslots - sdp->sw_inuse));

	for (i = 0; error == 0;) {
		if (sdp->sw_inuse == sdp->sw_nbad)
			break;          /* nothing but bad slots left */
		if (i >= sdp->sw_nslots) {
			/*
			 * What is left is in transit (a pageout between slot
			 * allocation and owner) or its owner was busy: let
			 * them finish, and go round again.
			 */
			bvm_mutex_exit(&sys->swaplock);
			if (++spins > 1000)
				usleep(1000);
			else
				sched_yield();
			bvm_mutex_enter(&sys->swaplock);
			i = 0;
			continue;
		}
		if (!bm_test(sdp->sw_map, i) || bm_test(sdp->sw_bad, i) ||
		    sdp->sw_owner[i].so_owner == 0) {
			i++;
			continue;
		}
		so = sdp->sw_owner[i];
		lk = swap_owner_lock(&so);
		/* swaplock nests inside owner locks: try, or come back */
		if (!bvm_mutex_tryenter(lk)) {
			i++;
			continue;
		}
		bvm_mutex_exit(&sys->swaplock);
		error = swap_off_slot(sys, sdp->sw_base + i, &so);
		bvm_mutex_exit(lk);
		bvm_mutex_enter(&sys->swaplock);
		if (error == 0)
			i++;
		else if (error == ENOMEM) {
			/* no frame for it: the page daemon makes room */
			bvm_mutex_exit(&sys->swaplock);
			if (uvm_wait(sys))
				error = 0;      /* and this slot again */
			bvm_mutex_enter(&sys->swaplock);
		}
	}
	if (error) {
		/* back in service, with whatever it still holds */
		sdp->sw_flags = SWF_ENABLE;
		CNT_ADD(sys->swap_free,
		    (uint64_t)(sdp->sw_nslots - sdp->sw_inuse));
		bvm_mutex_exit(&sys->swaplock);
		uvm_pdaemon_kick(sys);
		return error;
	}
	TAILQ_REMOVE(&sys->swapdevs, sdp, sw_list);
	CNT_SUB(sys->uvmexp.swpages, (uint64_t)sdp->sw_nslots);
	CNT_SUB(sys->uvmexp.swpginuse, (uint64_t)sdp->sw_nbad);
	CNT_SUB(sys->uvmexp.swpgbad, (uint64_t)sdp->sw_nbad);
	CNT_SUB(sys->nswapdev, 1);
	bvm_mutex_exit(&sys->swaplock);
	swapdev_free(sdp);
	return 0;
}

/*
 * uvm_swap_stats: swapctl(SWAP_STATS): up to nents areas, in priority
 * order; *count gets the number of areas (which may exceed nents).
 */
int
uvm_swap_stats(struct bvm_system *sys, struct bvm_swapent *ents, int nents,
    int *count)
{
	struct swapdev *sdp;
	int n = 0;

	if (nents < 0 || (nents > 0 && ents == NULL))
		return EINVAL;
	bvm_mutex_enter(&sys->swaplock);
	TAILQ_FOREACH(sdp, &sys->swapdevs, sw_list) {
		if (n < nents) {
			struct bvm_swapent *se = &ents[n];

			memset(se, 0, sizeof(*se));
			snprintf(se->path, sizeof(se->path), "%s", sdp->sw_path);
			se->priority = sdp->sw_priority;
			se->flags = (sdp->sw_flags & SWF_ENABLE) ?
			    BVM_SWF_ENABLE : 0;
			se->npages = (uint64_t)sdp->sw_nslots;
			se->inuse = (uint64_t)sdp->sw_inuse;
			se->bad = (uint64_t)sdp->sw_nbad;
			se->pgin = sdp->sw_pgin;
			se->pgout = sdp->sw_pgout;
		}
		n++;
	}
	bvm_mutex_exit(&sys->swaplock);
	if (count != NULL)
		*count = n;
	return 0;
}
