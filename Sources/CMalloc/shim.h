#ifndef DOSECURATE_CMALLOC_SHIM_H
#define DOSECURATE_CMALLOC_SHIM_H
#include <malloc.h>

// glibc's malloc tuning (mallopt's option macros are not imported into Swift): serve large
// blocks from the heap instead of fresh mmaps, and never trim the heap, so freed tensors are
// reused instead of page-faulted in again. Returns 1 when glibc accepted both settings.
static inline int dc_keep_freed_memory(void) {
    return mallopt(M_MMAP_MAX, 0) && mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
}
#endif
