#ifndef DOSECURATE_ENGINE_KERNELS_H
#define DOSECURATE_ENGINE_KERNELS_H

/* The two matrix products of the engine's convolutions, row-major, accumulating into C:
 *
 *   dc_conv_gemm_nn:  C[m][n] += sum_k A[m][k] * B[k][n]   (forward: weights x im2col columns)
 *   dc_conv_gemm_nt:  C[m][p] += sum_n A[m][n] * B[p][n]   (weight gradient: output gradient x columns^T)
 *
 * The widest vector unit the CPU has is chosen once at run time (AVX-512, AVX2 + FMA, or portable
 * C), whatever BLAS build the machine carries. For a given CPU and shape the summation order is
 * fixed, so results repeat bit for bit. */

void dc_conv_gemm_nn(long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc);

/* The forward product over image lines whose columns are gathered once per kernel row, the taps
 * along a line read at offsets instead of copied (k a multiple of taps):
 *
 *   C[m][line * width + w] += sum_{j, t} A[m][j * taps + t] * B[j * ldb + line * line_stride + w + t]
 *
 * for line < lines, w < width. dc_conv_gemm_nn is the case taps = 1, lines = 1. */
void dc_conv_gemm_shifted(long m, long k, long taps, long lines, long width, const float *a, long lda, const float *b, long ldb,
                          long line_stride, float *c, long ldc);
void dc_conv_gemm_nt(long m, long p, long n, const float *a, long lda, const float *b, long ldb, float *c, long ldc);

/* 2 = AVX-512, 1 = AVX2 + FMA, 0 = portable: what the two products use on this machine. */
int dc_conv_kernel_level(void);

/* The same products at a given level (capped at the machine's), so tests reach every path. */
void dc_conv_gemm_nn_at(int level, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc);
void dc_conv_gemm_shifted_at(int level, long m, long k, long taps, long lines, long width, const float *a, long lda, const float *b,
                             long ldb, long line_stride, float *c, long ldc);
void dc_conv_gemm_nt_at(int level, long m, long p, long n, const float *a, long lda, const float *b, long ldb, float *c, long ldc);

/* SiLU, x · sigmoid(x), elementwise (`output` may be `input`): within a few ulp of the exact value,
 * the same bits at every level. */
void dc_silu(const float *input, float *output, long count);
void dc_silu_at(int level, const float *input, float *output, long count);

#endif
