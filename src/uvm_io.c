/*
 * uvm_io.c: copyin and copyout: moving bytes between the caller's memory
 * and a vmspace's virtual addresses.
 *
 * Each page of the range is translated through the pmap (the soft TLB
 * answers most of them without a walk); a page that is not mapped for the
 * access is faulted in with uvm_fault() and translated again, as a CPU
 * retries the instruction after the trap.
 */
#include "pmap.h"
#include "uvm.h"
#include "uvm_fault.h"
#include "uvm_map.h"
#include "uvm_mmap.h"

/*
 * A fault is retried this many times for one page before the access is
 * reported as failed: only another thread unmapping the page again and
 * again between our fault and our retry gets here.
 */
#define UVM_IO_MAXRETRY 64

/*
 * uvm_fault_info: describe a failed access for the signal an emulator
 * raises: not mapped -> SIGSEGV/SEGV_MAPERR, protection -> SIGSEGV/
 * SEGV_ACCERR, beyond the object or I/O -> SIGBUS/BUS_OBJERR, no memory ->
 * no signal.
 */
void
uvm_fault_info(int error, vaddr_t va, struct bvm_fault_info *info)
{
	if (info == NULL)
		return;
	info->addr = va;
	info->error = error;
	switch (error) {
	case EACCES:
		info->signo = BVM_SIGSEGV;
		info->code = BVM_SEGV_ACCERR;
		break;
	case ENXIO:
	case EIO:
		info->signo = BVM_SIGBUS;
		info->code = BVM_BUS_OBJERR;
		break;
	case ENOMEM:
		info->signo = 0;
		info->code = 0;
		break;
	default:
		info->signo = BVM_SIGSEGV;
		info->code = BVM_SEGV_MAPERR;
		break;
	}
}

/*
 * uvm_translate: the host address of va for an access, faulting it in.
 * => t is the thread's TLB; on success the caller is inside an access
 *    (pmap_access_enter) and must leave it after the copy.
 * => returns NULL and sets *error when the access is refused.
 */
static void *
uvm_translate(struct soft_tlb_thread *t, struct vmspace *vm, vaddr_t va,
    vm_prot_t access, int *error)
{
	struct vm_map *map = &vm->vm_map;
	void *p;
	int tries;

	for (tries = 0; tries < UVM_IO_MAXRETRY; tries++) {
		*error = bvm_after(vm, uvm_fault(map, va, VM_FAULT_INVALID,
		    access));
		if (*error)
			return NULL;
		pmap_access_enter(t);
		p = pmap_access(t, map->pmap, va, access);
		if (p != NULL)
			return p;
		pmap_access_exit(t);
	}
	*error = EFAULT;
	return NULL;
}

/*
 * bvm_copy: memcpy for the access path.  Most accesses of an emulator are
 * 1 to 16 bytes; an inlined `rep movs` costs more to start than such a copy
 * takes, so small sizes are done as two overlapping fixed-size moves.
 */
static inline void
bvm_copy(uint8_t *d, const uint8_t *s, size_t n)
{
	uint64_t a, b;
	uint32_t x, y;
	uint16_t u, v;

	if (n > 16) {
		memcpy(d, s, n);
	} else if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else if (n >= 2) {
		memcpy(&u, s, 2);
		memcpy(&v, s + n - 2, 2);
		memcpy(d, &u, 2);
		memcpy(d + n - 2, &v, 2);
	} else if (n == 1)
		*d = *s;
}

/* the errno bvm_read/bvm_write return for a fault's error */
static inline int
uvm_io_error(int error)
{
	return error == ENOMEM ? ENOMEM : EFAULT;
}

/*
 * uvm_io: move len bytes between buf and va in vm: into buf for a
 * PROT_READ access (copyin), out of buf for PROT_WRITE (copyout).
 * => returns 0, EFAULT or ENOMEM; info tells where and why.
 */
static int
uvm_io(struct vmspace *vm, vaddr_t va, uint8_t *buf, size_t len,
    vm_prot_t access, struct bvm_fault_info *info)
{
	struct soft_tlb_thread *t = pmap_tlb_self();
	int error = 0;

	if (__predict_false(t == NULL))
		return ENOMEM;
	while (len > 0) {
		size_t n = MIN(len, PAGE_SIZE - (va & PAGE_MASK));
		uint8_t *p;

		pmap_access_enter(t);
		p = pmap_access(t, vm->vm_map.pmap, va, access);
		if (__predict_false(p == NULL)) {
			pmap_access_exit(t);
			p = uvm_translate(t, vm, va, access, &error);
			if (p == NULL) {
				uvm_fault_info(error, va, info);
				return uvm_io_error(error);
			}
		}
		if (access == PROT_READ)
			bvm_copy(buf, p, n);
		else
			bvm_copy(p, buf, n);
		pmap_access_exit(t);
		buf += n;
		va += n;
		len -= n;
	}
	return 0;
}

int
uvm_copyin(struct vmspace *vm, vaddr_t va, void *buf, size_t len,
    struct bvm_fault_info *info)
{
	return uvm_io(vm, va, buf, len, PROT_READ, info);
}

int
uvm_copyout(struct vmspace *vm, vaddr_t va, const void *buf, size_t len,
    struct bvm_fault_info *info)
{
	/* the buffer is only read: PROT_WRITE copies out of it */
	return uvm_io(vm, va, (uint8_t *)(uintptr_t)buf, len, PROT_WRITE,
	    info);
}

/*
 * uvm_io_fast: the common case of an emulator's access: at most 16 bytes,
 * inside one page, a soft TLB hit.  The same protocol as the loop above,
 * unrolled: the sequence number goes odd before the TLB is read (so a
 * shootdown racing with us either waits for us or gives us a miss), and
 * even again after the copy.
 * => returns true if the access was done.
 */
static inline bool
uvm_io_fast(struct vmspace *vm, vaddr_t va, uint8_t *dst, const uint8_t *src,
    size_t len, vm_prot_t access)
{
	struct soft_tlb_thread *t = soft_tlb;
	struct soft_tlb_entry *e;
	struct pmap *pm;
	uint64_t vpn = va >> PAGE_SHIFT, seq;

	if (__predict_false(t == NULL || len - 1 >= 16 ||
	    (va & PAGE_MASK) + len > PAGE_SIZE))
		return false;
	pm = vm->vm_map.pmap;
	e = &t->tlb[vpn & (SOFT_TLB_SIZE - 1)];
	seq = t->seq;
	__atomic_store_n(&t->seq, seq + 1, __ATOMIC_RELAXED);
	if (__predict_false(t->fence))
		bvm_membar_full();
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (__predict_true(e->vpn == vpn &&
	    e->gen == __atomic_load_n(&pm->pm_tlbgen, __ATOMIC_ACQUIRE) &&
	    (e->prot & access) == (uint32_t)access)) {
		uint8_t *p = e->hva + (va & PAGE_MASK);

		if (access == PROT_READ)
			bvm_copy(dst, p, len);
		else
			bvm_copy(p, src, len);
		__atomic_store_n(&t->seq, seq + 2, __ATOMIC_RELEASE);
		return true;
	}
	__atomic_store_n(&t->seq, seq + 2, __ATOMIC_RELEASE);
	return false;
}

/* the public entry points: copyin and copyout in this file, so they inline */
int
bvm_read(struct bvm_vmspace *vm, uint64_t va, void *buf, size_t len,
    struct bvm_fault_info *info)
{
	if (__predict_false(vm == NULL))
		return EINVAL;
	if (__predict_false(buf == NULL && len != 0))
		return EFAULT;
	if (uvm_io_fast((struct vmspace *)vm, va, buf, NULL, len, PROT_READ))
		return 0;
	return uvm_copyin((struct vmspace *)vm, va, buf, len, info);
}

int
bvm_write(struct bvm_vmspace *vm, uint64_t va, const void *buf, size_t len,
    struct bvm_fault_info *info)
{
	if (__predict_false(vm == NULL))
		return EINVAL;
	if (__predict_false(buf == NULL && len != 0))
		return EFAULT;
	if (uvm_io_fast((struct vmspace *)vm, va, NULL, buf, len, PROT_WRITE))
		return 0;
	return uvm_copyout((struct vmspace *)vm, va, buf, len, info);
}
