#include "CEngineKernels.h"

#include <immintrin.h>

/* Depth of a k block: a block of B (KC rows of one tile's columns, 32 KB for AVX-512's 32 columns)
 * stays in L1 while every row block of A passes over it. */
#define KC 256

/* ---- portable ---------------------------------------------------------------------------- */

/* Rows [0, rows) times columns [0, width) over a k block (any tile size: it adds into C depth by
 * depth, so the sum runs in plain depth order whatever the blocking). */
static void nn_portable_tile(long rows, long width, long k, long taps, const float *a, long lda, const float *b, long ldb,
                             float *c, long ldc) {
    for (long row = 0; row < rows; row++) {
        float *out = c + row * ldc;
        for (long depth = 0; depth < k; depth++) {
            const float scale = a[row * lda + depth];
            const float *in = b + (depth / taps) * ldb + depth % taps;
            for (long column = 0; column < width; column++) out[column] += scale * in[column];
        }
    }
}

static void nt_portable(long m, long p, long n, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    for (long row = 0; row < m; row++) {
        for (long column = 0; column < p; column++) {
            const float *x = a + row * lda, *y = b + column * ldb;
            float sum = 0;
            for (long i = 0; i < n; i++) sum += x[i] * y[i];
            c[row * ldc + column] += sum;
        }
    }
}

/* ---- blocking, shared by the vector kernels ------------------------------------------------ */

/* A tile kernel: C (rows x width, rows and width at most the kernel's register block) += A B over
 * a k block, B's row `depth` being `b + (depth / taps) * ldb + depth % taps` (k a multiple of taps). */
typedef void (*nn_tile_kernel)(long rows, long width, long k, long taps, const float *a, long lda, const float *b, long ldb,
                               float *c, long ldc);

/* C += A B in k blocks of about KC (a whole number of tap groups), each cut into tiles of
 * `tile_rows` x `tile_columns` (the kernel's register block) that never cross a line; the call per
 * tile is nothing beside the tile's k-deep loop. */
static void nn_blocked(nn_tile_kernel tile, long tile_rows, long tile_columns, long m, long k, long taps, long lines, long width,
                       const float *a, long lda, const float *b, long ldb, long line_stride, float *c, long ldc) {
    const long kc = KC - KC % taps;
    for (long depth = 0; depth < k; depth += kc) {
        const long block = k - depth < kc ? k - depth : kc;
        for (long line = 0; line < lines; line++) {
            const float *line_b = b + (depth / taps) * ldb + line * line_stride;
            float *line_c = c + line * width;
            for (long column = 0; column < width; column += tile_columns) {
                const long columns = width - column < tile_columns ? width - column : tile_columns;
                for (long row = 0; row < m; row += tile_rows) {
                    const long rows = m - row < tile_rows ? m - row : tile_rows;
                    tile(rows, columns, block, taps, a + row * lda + depth, lda, line_b + column, ldb, line_c + row * ldc + column, ldc);
                }
            }
        }
    }
}

/* ---- AVX2 + FMA -------------------------------------------------------------------------- */

/* Rows [0, rows) (rows <= 4) times 16 columns, `width` <= 16 of them valid. */
__attribute__((target("avx2,fma")))
static void nn_avx2_tile(long rows, long width, long k, long taps, const float *a, long lda, const float *b, long ldb, float *c,
                         long ldc) {
    __m256 acc[4][2];
    for (int r = 0; r < 4; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mask0 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)width), lanes);
    const __m256i mask1 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)width - 8), lanes);
    for (long group = 0, depth = 0; depth < k; group++) {
        const float *line = b + group * ldb;
        for (long tap = 0; tap < taps; tap++, depth++) {
            __m256 b0, b1;
            if (width == 16) {
                b0 = _mm256_loadu_ps(line + tap), b1 = _mm256_loadu_ps(line + tap + 8);
            } else {
                b0 = _mm256_maskload_ps(line + tap, mask0), b1 = _mm256_maskload_ps(line + tap + 8, mask1);
            }
            if (rows == 4) {
                for (int r = 0; r < 4; r++) {
                    const __m256 scale = _mm256_broadcast_ss(a + r * lda + depth);
                    acc[r][0] = _mm256_fmadd_ps(scale, b0, acc[r][0]);
                    acc[r][1] = _mm256_fmadd_ps(scale, b1, acc[r][1]);
                }
                continue;
            }
            for (int r = 0; r < rows; r++) {
                const __m256 scale = _mm256_broadcast_ss(a + r * lda + depth);
                acc[r][0] = _mm256_fmadd_ps(scale, b0, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(scale, b1, acc[r][1]);
            }
        }
    }
    for (int r = 0; r < rows; r++) {
        _mm256_maskstore_ps(c + r * ldc, mask0, _mm256_add_ps(_mm256_maskload_ps(c + r * ldc, mask0), acc[r][0]));
        _mm256_maskstore_ps(c + r * ldc + 8, mask1, _mm256_add_ps(_mm256_maskload_ps(c + r * ldc + 8, mask1), acc[r][1]));
    }
}

__attribute__((target("avx2,fma")))
static float sum_avx2(__m256 v) {
    const __m128 pair = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 two = _mm_add_ps(pair, _mm_movehl_ps(pair, pair));
    return _mm_cvtss_f32(_mm_add_ss(two, _mm_shuffle_ps(two, two, 1)));
}

/* Up to 4 x 4 dot products of length n; the tail past a multiple of 8 is added in scalar order. */
__attribute__((target("avx2,fma")))
static void nt_avx2(long m, long p, long n, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    const long whole = n - n % 8;
    for (long row = 0; row < m; row += 4) {
        const long rows = m - row < 4 ? m - row : 4;
        for (long column = 0; column < p; column += 4) {
            const long columns = p - column < 4 ? p - column : 4;
            __m256 acc[4][4];
            for (int r = 0; r < 4; r++) for (int s = 0; s < 4; s++) acc[r][s] = _mm256_setzero_ps();
            if (rows == 4 && columns == 4) {
                for (long i = 0; i < whole; i += 8) {
                    __m256 y[4];
                    for (int s = 0; s < 4; s++) y[s] = _mm256_loadu_ps(b + (column + s) * ldb + i);
                    for (int r = 0; r < 4; r++) {
                        const __m256 x = _mm256_loadu_ps(a + (row + r) * lda + i);
                        for (int s = 0; s < 4; s++) acc[r][s] = _mm256_fmadd_ps(x, y[s], acc[r][s]);
                    }
                }
            } else for (long i = 0; i < whole; i += 8) {
                __m256 y[4];
                for (int s = 0; s < columns; s++) y[s] = _mm256_loadu_ps(b + (column + s) * ldb + i);
                for (int r = 0; r < rows; r++) {
                    const __m256 x = _mm256_loadu_ps(a + (row + r) * lda + i);
                    for (int s = 0; s < columns; s++) acc[r][s] = _mm256_fmadd_ps(x, y[s], acc[r][s]);
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int s = 0; s < columns; s++) {
                    float sum = sum_avx2(acc[r][s]);
                    const float *x = a + (row + r) * lda, *y = b + (column + s) * ldb;
                    for (long i = whole; i < n; i++) sum += x[i] * y[i];
                    c[(row + r) * ldc + column + s] += sum;
                }
            }
        }
    }
}

/* ---- AVX-512 ----------------------------------------------------------------------------- */

/* Rows [0, rows) (rows <= 12) times 32 columns, `width` <= 32 of them valid: 24 of the 32 vector
 * registers hold the block (16 rows spill). Each element sums its own depth order, so the block
 * size does not change a bit of the result. */
__attribute__((target("avx512f")))
static void nn_avx512_tile(long rows, long width, long k, long taps, const float *a, long lda, const float *b, long ldb, float *c,
                           long ldc) {
    __m512 acc[12][2];
    for (int r = 0; r < 12; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    const __mmask16 mask0 = width >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width) - 1);
    const __mmask16 mask1 = width >= 32 ? (__mmask16)0xFFFF : width <= 16 ? (__mmask16)0 : (__mmask16)((1u << (width - 16)) - 1);
    if (rows == 12 && width == 32) {
        for (long group = 0, depth = 0; depth < k; group++) {
            const float *line = b + group * ldb;
            for (long tap = 0; tap < taps; tap++, depth++) {
                const __m512 b0 = _mm512_loadu_ps(line + tap), b1 = _mm512_loadu_ps(line + tap + 16);
                for (int r = 0; r < 12; r++) {
                    const __m512 scale = _mm512_set1_ps(a[r * lda + depth]);
                    acc[r][0] = _mm512_fmadd_ps(scale, b0, acc[r][0]);
                    acc[r][1] = _mm512_fmadd_ps(scale, b1, acc[r][1]);
                }
            }
        }
    } else {
        for (long group = 0, depth = 0; depth < k; group++) {
            const float *line = b + group * ldb;
            for (long tap = 0; tap < taps; tap++, depth++) {
                const __m512 b0 = _mm512_maskz_loadu_ps(mask0, line + tap), b1 = _mm512_maskz_loadu_ps(mask1, line + tap + 16);
                for (int r = 0; r < rows; r++) {
                    const __m512 scale = _mm512_set1_ps(a[r * lda + depth]);
                    acc[r][0] = _mm512_fmadd_ps(scale, b0, acc[r][0]);
                    acc[r][1] = _mm512_fmadd_ps(scale, b1, acc[r][1]);
                }
            }
        }
    }
    for (int r = 0; r < rows; r++) {
        _mm512_mask_storeu_ps(c + r * ldc, mask0, _mm512_add_ps(_mm512_maskz_loadu_ps(mask0, c + r * ldc), acc[r][0]));
        _mm512_mask_storeu_ps(c + r * ldc + 16, mask1, _mm512_add_ps(_mm512_maskz_loadu_ps(mask1, c + r * ldc + 16), acc[r][1]));
    }
}

/* Up to 4 x 4 dot products of length n; the tail past a multiple of 16 is a masked step. */
__attribute__((target("avx512f")))
static void nt_avx512(long m, long p, long n, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    const long whole = n - n % 16;
    const __mmask16 tail = (__mmask16)((1u << (n % 16)) - 1);
    for (long row = 0; row < m; row += 4) {
        const long rows = m - row < 4 ? m - row : 4;
        for (long column = 0; column < p; column += 4) {
            const long columns = p - column < 4 ? p - column : 4;
            __m512 acc[4][4];
            for (int r = 0; r < 4; r++) for (int s = 0; s < 4; s++) acc[r][s] = _mm512_setzero_ps();
            if (rows == 4 && columns == 4) {
                for (long i = 0; i < whole; i += 16) {
                    __m512 y[4];
                    for (int s = 0; s < 4; s++) y[s] = _mm512_loadu_ps(b + (column + s) * ldb + i);
                    for (int r = 0; r < 4; r++) {
                        const __m512 x = _mm512_loadu_ps(a + (row + r) * lda + i);
                        for (int s = 0; s < 4; s++) acc[r][s] = _mm512_fmadd_ps(x, y[s], acc[r][s]);
                    }
                }
            } else for (long i = 0; i < whole; i += 16) {
                __m512 y[4];
                for (int s = 0; s < columns; s++) y[s] = _mm512_loadu_ps(b + (column + s) * ldb + i);
                for (int r = 0; r < rows; r++) {
                    const __m512 x = _mm512_loadu_ps(a + (row + r) * lda + i);
                    for (int s = 0; s < columns; s++) acc[r][s] = _mm512_fmadd_ps(x, y[s], acc[r][s]);
                }
            }
            if (tail) {
                __m512 y[4];
                for (int s = 0; s < columns; s++) y[s] = _mm512_maskz_loadu_ps(tail, b + (column + s) * ldb + whole);
                for (int r = 0; r < rows; r++) {
                    const __m512 x = _mm512_maskz_loadu_ps(tail, a + (row + r) * lda + whole);
                    for (int s = 0; s < columns; s++) acc[r][s] = _mm512_fmadd_ps(x, y[s], acc[r][s]);
                }
            }
            for (int r = 0; r < rows; r++)
                for (int s = 0; s < columns; s++) c[(row + r) * ldc + column + s] += _mm512_reduce_add_ps(acc[r][s]);
        }
    }
}

/* ---- dispatch ---------------------------------------------------------------------------- */

int dc_conv_kernel_level(void) {
    static int detected = -1;
    int level = __atomic_load_n(&detected, __ATOMIC_RELAXED);
    if (level < 0) {
        __builtin_cpu_init();
        level = __builtin_cpu_supports("avx512f") ? 2 : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
        __atomic_store_n(&detected, level, __ATOMIC_RELAXED);
    }
    return level;
}

void dc_conv_gemm_nn(long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    dc_conv_gemm_shifted_at(dc_conv_kernel_level(), m, k, 1, 1, n, a, lda, b, ldb, 0, c, ldc);
}

void dc_conv_gemm_shifted(long m, long k, long taps, long lines, long width, const float *a, long lda, const float *b, long ldb,
                          long line_stride, float *c, long ldc) {
    dc_conv_gemm_shifted_at(dc_conv_kernel_level(), m, k, taps, lines, width, a, lda, b, ldb, line_stride, c, ldc);
}

void dc_conv_gemm_nt(long m, long p, long n, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    dc_conv_gemm_nt_at(dc_conv_kernel_level(), m, p, n, a, lda, b, ldb, c, ldc);
}

void dc_conv_gemm_nn_at(int level, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    dc_conv_gemm_shifted_at(level, m, k, 1, 1, n, a, lda, b, ldb, 0, c, ldc);
}

void dc_conv_gemm_shifted_at(int level, long m, long k, long taps, long lines, long width, const float *a, long lda, const float *b,
                             long ldb, long line_stride, float *c, long ldc) {
    if (taps < 1 || k % taps != 0) return; /* not a whole number of tap groups: nothing this kernel can mean */
    switch (level < dc_conv_kernel_level() ? level : dc_conv_kernel_level()) {
    case 2: nn_blocked(nn_avx512_tile, 12, 32, m, k, taps, lines, width, a, lda, b, ldb, line_stride, c, ldc); break;
    case 1: nn_blocked(nn_avx2_tile, 4, 16, m, k, taps, lines, width, a, lda, b, ldb, line_stride, c, ldc); break;
    default: nn_blocked(nn_portable_tile, 1, 64, m, k, taps, lines, width, a, lda, b, ldb, line_stride, c, ldc);
    }
}

void dc_conv_gemm_nt_at(int level, long m, long p, long n, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    switch (level < dc_conv_kernel_level() ? level : dc_conv_kernel_level()) {
    case 2: nt_avx512(m, p, n, a, lda, b, ldb, c, ldc); break;
    case 1: nt_avx2(m, p, n, a, lda, b, ldb, c, ldc); break;
    default: nt_portable(m, p, n, a, lda, b, ldb, c, ldc);
    }
}
