/*
 * bvm_host.c: host memory for the frames: one memfd, mapped once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bvm_host.h"

/*
 * bvm_host_frames_alloc: create and map the frames' memory.
 * MAP_POPULATE: the host's own page faults on the frames happen here,
 * once, not in the middle of our fault handler.
 * => returns 0 or ENOMEM.
 */
int
bvm_host_frames_alloc(size_t bytes, int *fdp, void **basep)
{
	int fd;
	void *base;

	fd = memfd_create("bsdvm-frames", MFD_CLOEXEC);
	if (fd < 0)
		return ENOMEM;
	if (ftruncate(fd, (off_t)bytes) != 0) {
		close(fd);
		return ENOMEM;
	}
	base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_POPULATE, fd, 0);
	if (base == MAP_FAILED) {
		close(fd);
		return ENOMEM;
	}
	*fdp = fd;
	*basep = base;
	return 0;
}

void
bvm_host_frames_free(int fd, void *base, size_t bytes)
{
	munmap(base, bytes);
	close(fd);
}

int
bvm_host_membarrier_register(void)
{
	long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

	if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		return ENOTSUP;
	if (syscall(SYS_membarrier,
	    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0)
		return errno;
	return 0;
}

void
bvm_host_membarrier(void)
{
	syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
}

void
bvm_host_yield(void)
{
	sched_yield();
}
