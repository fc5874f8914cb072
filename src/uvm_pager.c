/*
 * uvm_pager.c: moving pages between frames and backing store.
 *
 * A pager's I/O is a clustered read or write of consecutive pages of an
 * object, done straight between the frames and a host file with preadv /
 * pwritev (one system call per cluster, as the kernel does one transfer per
 * cluster of pages).  Both ask the fault injector first (at the site the
 * caller names: the vnode pager's, or swap's), so tests can make any pager
 * I/O fail as a disk would.
 */
#include <sys/uio.h>
#include <unistd.h>

#include "uvm.h"
#include "uvm_object.h"

#define UVM_PAGER_MAXIOV 256

/*
 * uvm_pager_read: read npages pages from fd at off into pgs[]; what lies
 * beyond the end of the file reads as zero.
 * => *got: the bytes the file had (less than npages pages at its end).
 * => site: the fault-injection point that may fail this read.
 * => returns 0 or EIO (pgs' contents are then undefined).
 */
int
uvm_pager_read(struct bvm_system *sys, int fd, voff_t off,
    struct vm_page **pgs, int npages, size_t *got, enum bvm_fi_site site)
{
	struct iovec iov[UVM_PAGER_MAXIOV];
	size_t want = (size_t)npages * PAGE_SIZE, done = 0;
	ssize_t n;
	int i;

	KASSERT(npages > 0 && npages <= UVM_PAGER_MAXIOV);
	*got = 0;
	CNT_INC(sys->uvmexp.pageins);
	if (bvm_fi_fail(site)) {
		CNT_INC(sys->uvmexp.pager_errors);
		return EIO;
	}
	while (done < want) {
		int first = (int)(done / PAGE_SIZE), k = 0;
		size_t skip = done % PAGE_SIZE;

		for (i = first; i < npages; i++) {
			uint8_t *base = (uint8_t *)uvm_phys_to_host(sys,
			    pgs[i]->phys_addr) + (i == first ? skip : 0);
			size_t len = PAGE_SIZE - (i == first ? skip : 0);

			/* frames next to each other in memory: one vector */
			if (k > 0 && (uint8_t *)iov[k - 1].iov_base +
			    iov[k - 1].iov_len == base)
				iov[k - 1].iov_len += len;
			else {
				iov[k].iov_base = base;
				iov[k++].iov_len = len;
			}
		}
		BVM_GUEST_COPY_BEGIN();
		n = preadv(fd, iov, k, off + (off_t)done);
		BVM_GUEST_COPY_END();
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			CNT_INC(sys->uvmexp.pager_errors);
			return EIO;
		}
		if (n == 0)
			break;          /* the end of the file */
		done += (size_t)n;
	}
	*got = done;
	/* the rest of the last page, and pages past the end, are zero */
	if (done < want)
		for (i = (int)(done / PAGE_SIZE); i < npages; i++) {
			size_t from = i == (int)(done / PAGE_SIZE) ?
			    done % PAGE_SIZE : 0;

			memset((uint8_t *)uvm_phys_to_host(sys,
			    pgs[i]->phys_addr) + from, 0, PAGE_SIZE - from);
		}
	/* the pages that hold file data (the rest are zero fill) */
	CNT_ADD(sys->uvmexp.pgpgin, (uint64_t)MIN((size_t)npages,
	    (done + PAGE_SIZE - 1) / PAGE_SIZE));
	return 0;
}

/*
 * uvm_pager_write: write the first len bytes of the npages pages pgs[] to
 * fd at off (len is short of npages pages only at the end of the file,
 * whose last page is written only up to the end).
 * => returns 0 or EIO (the file may hold part of the data).
 */
int
uvm_pager_write(struct bvm_system *sys, int fd, voff_t off,
    struct vm_page **pgs, int npages, size_t len, enum bvm_fi_site site)
{
	struct iovec iov[UVM_PAGER_MAXIOV];
	size_t done = 0;
	ssize_t n;
	int i;

	KASSERT(npages > 0 && npages <= UVM_PAGER_MAXIOV);
	KASSERT(len <= (size_t)npages * PAGE_SIZE);
	CNT_INC(sys->uvmexp.pageouts);
	if (bvm_fi_fail(site)) {
		CNT_INC(sys->uvmexp.pager_errors);
		return EIO;
	}
	while (done < len) {
		int first = (int)(done / PAGE_SIZE), k = 0;
		size_t skip = done % PAGE_SIZE, left = len - done;

		for (i = first; i < npages && left > 0; i++) {
			size_t sz = MIN(PAGE_SIZE - (i == first ? skip : 0),
			    left);
			uint8_t *base = (uint8_t *)uvm_phys_to_host(sys,
			    pgs[i]->phys_addr) + (i == first ? skip : 0);

			/* frames next to each other in memory: one vector */
			if (k > 0 && (uint8_t *)iov[k - 1].iov_base +
			    iov[k - 1].iov_len == base)
				iov[k - 1].iov_len += sz;
			else {
				iov[k].iov_base = base;
				iov[k++].iov_len = sz;
			}
			left -= sz;
		}
		/* stores through mappings may race with the write: DMA */
		BVM_GUEST_COPY_BEGIN();
		n = pwritev(fd, iov, k, off + (off_t)done);
		BVM_GUEST_COPY_END();
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			CNT_INC(sys->uvmexp.pager_errors);
			return EIO;
		}
		done += (size_t)n;
	}
	CNT_ADD(sys->uvmexp.pgpgout, (uint64_t)npages);
	return 0;
}
