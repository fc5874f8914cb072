/*
 * bvm_host.h: the few host (Linux) calls bsdvm needs, kept apart so that
 * the host's <sys/mman.h> names never meet the BSD names of the VM code.
 */
#ifndef BVM_HOST_H
#define BVM_HOST_H

#include <stddef.h>

/* a shared-memory region of `bytes` for the frames, mapped and populated */
int bvm_host_frames_alloc(size_t bytes, int *fdp, void **basep);
void bvm_host_frames_free(int fd, void *base, size_t bytes);

/*
 * membarrier: an asymmetric fence.  register once (=> 0 or an errno);
 * then bvm_host_membarrier() makes every thread of the process execute a
 * full memory barrier before it returns.
 */
int bvm_host_membarrier_register(void);
void bvm_host_membarrier(void);
void bvm_host_yield(void);

#endif /* BVM_HOST_H */
