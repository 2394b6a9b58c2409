#ifndef DOSECURATE_CBLAS_SHIM_H
#define DOSECURATE_CBLAS_SHIM_H
#include <cblas.h>

// CBLAS enums are imported as C enums whose spelling differs between BLAS vendors;
// these wrappers give the engine one stable spelling.
static inline void dc_sgemm_row_major(int transposeA, int transposeB, int m, int n, int k,
                                      float alpha, const float *a, int lda,
                                      const float *b, int ldb, float beta, float *c, int ldc) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// The engine splits work between cores itself (so a single-thread run is bit-for-bit repeatable
// and both cores stay busy outside the products too); OpenBLAS's own threads are set once.
static inline void dc_blas_set_threads(int threads) { openblas_set_num_threads(threads); }
static inline int dc_blas_threads(void) { return openblas_get_num_threads(); }
static inline const char *dc_blas_configuration(void) { return openblas_get_config(); }
static inline const char *dc_blas_core(void) { return openblas_get_corename(); }
#endif
