/*
 * uvm_fault.h: the fault handler's interface.
 */
#ifndef UVM_FAULT_H
#define UVM_FAULT_H

#include "uvm_extern.h"

/* fault types */
#define VM_FAULT_INVALID BVM_FAULT_INVALID /* no valid mapping */
#define VM_FAULT_WIRE    BVM_FAULT_WIRE    /* wire the page (mlock) */

/* fault-around windows by advice (pages behind, pages ahead) */
#define UVM_MAXRANGE 16

int uvm_fault(struct vm_map *map, vaddr_t vaddr, int fault_type,
    vm_prot_t access_type);
int uvm_fault_wire_locked(struct vm_map *map, vaddr_t start, vaddr_t end,
    vaddr_t *failva);
void uvm_fault_unwire_locked(struct vm_map *map, struct vm_map_entry *entry,
    vaddr_t start, vaddr_t end);

#endif /* UVM_FAULT_H */
