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

#endif /* BVM_HOST_H */
