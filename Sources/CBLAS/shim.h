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
#endif
