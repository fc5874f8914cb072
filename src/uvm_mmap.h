/*
 * uvm_mmap.h: the memory-management system calls (uvm_mmap.c).
 */
#ifndef UVM_MMAP_H
#define UVM_MMAP_H

#include "uvm_extern.h"

int sys_mmap(struct vmspace *vm, vaddr_t addr, vsize_t size, int prot,
    int flags, int fd, voff_t pos, vaddr_t *retval);
int sys_mmap_object(struct vmspace *vm, vaddr_t addr, vsize_t size, int prot,
    int flags, int fd, struct uvm_object *uobj, vm_prot_t objprot, voff_t pos,
    vaddr_t *retval);
int sys_msync(struct vmspace *vm, vaddr_t addr, vsize_t size, int flags);
int sys_munmap(struct vmspace *vm, vaddr_t addr, vsize_t size);
int sys_mprotect(struct vmspace *vm, vaddr_t addr, vsize_t size, int prot);
int sys_minherit(struct vmspace *vm, vaddr_t addr, vsize_t size, int inherit);
int sys_madvise(struct vmspace *vm, vaddr_t addr, vsize_t size, int advice);
int sys_mincore(struct vmspace *vm, vaddr_t addr, vsize_t len,
    unsigned char *vec);
int sys_mquery(struct vmspace *vm, vaddr_t addr, vsize_t size, int prot,
    int flags, int fd, voff_t pos, vaddr_t *retval);
int sys_mlock(struct vmspace *vm, vaddr_t addr, vsize_t size);
int sys_munlock(struct vmspace *vm, vaddr_t addr, vsize_t size);
int sys_mlockall(struct vmspace *vm, int flags);
int sys_munlockall(struct vmspace *vm);

/* uvm_io.c: copyin/copyout through a vmspace */
int uvm_copyin(struct vmspace *vm, vaddr_t va, void *buf, size_t len,
    struct bvm_fault_info *info);
int uvm_copyout(struct vmspace *vm, vaddr_t va, const void *buf, size_t len,
    struct bvm_fault_info *info);
void uvm_fault_info(int error, vaddr_t va, struct bvm_fault_info *info);

/* bvm_api.c: the per-operation invariant check */
int bvm_after(struct vmspace *vm, int error);

#endif /* UVM_MMAP_H */
