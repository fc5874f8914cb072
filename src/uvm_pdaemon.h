/*
 * uvm_pdaemon.h: the page daemon: keeps free frames between freemin and
 * freetarg by cleaning and freeing inactive pages, in its own thread and
 * synchronously when an allocation cannot be met (uvm_wait).
 */
#ifndef UVM_PDAEMON_H
#define UVM_PDAEMON_H

#include "uvm_extern.h"

void uvm_pdaemon_init(struct bvm_system *sys);
int uvm_pdaemon_start(struct bvm_system *sys);
void uvm_pdaemon_stop(struct bvm_system *sys);
void uvm_pdaemon_fini(struct bvm_system *sys);
void uvm_pdaemon_kick(struct bvm_system *sys);
bool uvm_wait(struct bvm_system *sys);
uint64_t uvm_pageout_now(struct bvm_system *sys, uint64_t npages);

/* uvm_page.c: wake the daemon when free frames run low */
void uvm_pdaemon_wakeup_locked(struct bvm_system *sys);

#endif /* UVM_PDAEMON_H */
