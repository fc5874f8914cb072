/* header_check.c: the public header compiles on its own. */
#include "bsdvm.h"
int bvm_header_check_dummy(void);
int bvm_header_check_dummy(void) { return BVM_PAGE_SIZE == 4096 ? 0 : 1; }
