#include "CGammaKernel.h"

#include <math.h>
#include <immintrin.h>

/* The trilinear polynomial of a cell: E = c + x(bx + y(bxy + z·bxyz) + z·bxz) + y(by + z·byz) + z·bz. */
typedef struct { double c, bx, by, bz, bxy, bxz, byz, bxyz; } cell_polynomial;

static cell_polynomial polynomial_of(const float *corner, long s0, long s1, long s2) {
    /* Corner index bits: 4 = axis 0, 2 = axis 1, 1 = axis 2. */
    const double e[8] = {corner[0], corner[s2], corner[s1], corner[s1 + s2], corner[s0], corner[s0 + s2], corner[s0 + s1], corner[s0 + s1 + s2]};
    cell_polynomial p;
    p.c = e[0];
    p.bx = e[4] - e[0];
    p.by = e[2] - e[0];
    p.bz = e[1] - e[0];
    p.bxy = e[6] - e[4] - e[2] + e[0];
    p.bxz = e[5] - e[4] - e[1] + e[0];
    p.byz = e[3] - e[2] - e[1] + e[0];
    p.bxyz = e[7] - e[6] - e[5] - e[3] + e[4] + e[2] + e[1] - e[0];
    return p;
}

/* The lowest of `count` scored lanes below *lowest, starting at sample `first`: updates *lowest and
 * *found (ties keep the earlier sample). */
static void take_lowest_lane(const double *lanes, int count, long first, double *lowest, long *found) {
    for (int lane = 0; lane < count; lane++) {
        if (lanes[lane] < *lowest) { *lowest = lanes[lane]; *found = first + lane; }
    }
}

static long search_scalar(const float *corner, long s0, long s1, long s2, dosecurate_gamma_samples s, double reference, double k, double gap,
                          double *best, int stop_at_first) {
    const cell_polynomial p = polynomial_of(corner, s0, s1, s2);
    long found = -1;
    double lowest = *best;
    for (long i = 0; i < s.count; i++) {
        if (gap + s.w[i] >= lowest) break;
        const double x = s.x[i], y = s.y[i], z = s.z[i];
        const double value = p.c + x * (p.bx + y * (p.bxy + z * p.bxyz) + z * p.bxz) + y * (p.by + z * p.byz) + z * p.bz;
        const double term = (value - reference) * k;
        const double g2 = term * term + s.w[i];
        if (g2 < lowest) {
            lowest = g2;
            found = i;
            if (stop_at_first) break;
        }
    }
    *best = lowest;
    return found;
}

__attribute__((target("avx2,fma")))
static long search_avx2(const float *corner, long s0, long s1, long s2, dosecurate_gamma_samples s, double reference, double k, double gap,
                        double *best, int stop_at_first) {
    const cell_polynomial p = polynomial_of(corner, s0, s1, s2);
    const __m256d c = _mm256_set1_pd(p.c), bx = _mm256_set1_pd(p.bx), by = _mm256_set1_pd(p.by), bz = _mm256_set1_pd(p.bz);
    const __m256d bxy = _mm256_set1_pd(p.bxy), bxz = _mm256_set1_pd(p.bxz), byz = _mm256_set1_pd(p.byz), bxyz = _mm256_set1_pd(p.bxyz);
    const __m256d ref = _mm256_set1_pd(reference), kk = _mm256_set1_pd(k);
    long found = -1;
    double lowest = *best;
    for (long i = 0; i < s.count; i += 4) {
        if (gap + s.w[i] >= lowest) break;
        const __m256d x = _mm256_loadu_pd(s.x + i), y = _mm256_loadu_pd(s.y + i), z = _mm256_loadu_pd(s.z + i), w = _mm256_loadu_pd(s.w + i);
        const __m256d inner = _mm256_fmadd_pd(y, _mm256_fmadd_pd(z, bxyz, bxy), _mm256_fmadd_pd(z, bxz, bx));
        const __m256d value = _mm256_fmadd_pd(x, inner, _mm256_fmadd_pd(y, _mm256_fmadd_pd(z, byz, by), _mm256_fmadd_pd(z, bz, c)));
        const __m256d term = _mm256_mul_pd(_mm256_sub_pd(value, ref), kk);
        const __m256d g2 = _mm256_fmadd_pd(term, term, w);
        const int below = _mm256_movemask_pd(_mm256_cmp_pd(g2, _mm256_set1_pd(lowest), _CMP_LT_OQ));
        if (below) {
            double lanes[4];
            _mm256_storeu_pd(lanes, g2);
            take_lowest_lane(lanes, 4, i, &lowest, &found);
            if (stop_at_first) break;
        }
    }
    *best = lowest;
    return found;
}

__attribute__((target("avx512f")))
static long search_avx512(const float *corner, long s0, long s1, long s2, dosecurate_gamma_samples s, double reference, double k, double gap,
                          double *best, int stop_at_first) {
    const cell_polynomial p = polynomial_of(corner, s0, s1, s2);
    const __m512d c = _mm512_set1_pd(p.c), bx = _mm512_set1_pd(p.bx), by = _mm512_set1_pd(p.by), bz = _mm512_set1_pd(p.bz);
    const __m512d bxy = _mm512_set1_pd(p.bxy), bxz = _mm512_set1_pd(p.bxz), byz = _mm512_set1_pd(p.byz), bxyz = _mm512_set1_pd(p.bxyz);
    const __m512d ref = _mm512_set1_pd(reference), kk = _mm512_set1_pd(k);
    long found = -1;
    double lowest = *best;
    for (long i = 0; i < s.count; i += 8) {
        if (gap + s.w[i] >= lowest) break;
        const __m512d x = _mm512_loadu_pd(s.x + i), y = _mm512_loadu_pd(s.y + i), z = _mm512_loadu_pd(s.z + i), w = _mm512_loadu_pd(s.w + i);
        const __m512d inner = _mm512_fmadd_pd(y, _mm512_fmadd_pd(z, bxyz, bxy), _mm512_fmadd_pd(z, bxz, bx));
        const __m512d value = _mm512_fmadd_pd(x, inner, _mm512_fmadd_pd(y, _mm512_fmadd_pd(z, byz, by), _mm512_fmadd_pd(z, bz, c)));
        const __m512d term = _mm512_mul_pd(_mm512_sub_pd(value, ref), kk);
        const __m512d g2 = _mm512_fmadd_pd(term, term, w);
        const __mmask8 below = _mm512_cmp_pd_mask(g2, _mm512_set1_pd(lowest), _CMP_LT_OQ);
        if (below) {
            double lanes[8];
            _mm512_storeu_pd(lanes, g2);
            take_lowest_lane(lanes, 8, i, &lowest, &found);
            if (stop_at_first) break;
        }
    }
    *best = lowest;
    return found;
}

static long next_cell_scalar(const float *ranges, const long *offsets, const double *nearest, long from, long count,
                             double reference, double k, double best) {
    for (long i = from; i < count; i++) {
        if (nearest[i] >= best) return -1;
        const float *range = ranges + 2 * offsets[i];
        const double below = reference - (double)range[1], above = (double)range[0] - reference;
        double gap = below > above ? below : above;
        gap = gap > 0 ? gap * k : 0;
        if (gap * gap + nearest[i] < best) return i;
    }
    return -1;
}

__attribute__((target("avx2,fma")))
static long next_cell_avx2(const float *ranges, const long *offsets, const double *nearest, long from, long count,
                           double reference, double k, double best) {
    const __m256d ref = _mm256_set1_pd(reference), kk = _mm256_set1_pd(k), limit = _mm256_set1_pd(best), zero = _mm256_setzero_pd();
    long i = from;
    for (; i + 4 <= count; i += 4) {
        const __m256d near = _mm256_loadu_pd(nearest + i);
        /* Each cell's (minimum, maximum) pair is one 64-bit gather. */
        const __m256i pairs = _mm256_i64gather_epi64((const long long *)ranges, _mm256_loadu_si256((const __m256i *)(offsets + i)), 8);
        const __m256i lowHalves = _mm256_permutevar8x32_epi32(pairs, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
        const __m256d low = _mm256_cvtps_pd(_mm_castsi128_ps(_mm256_castsi256_si128(lowHalves)));
        const __m256d high = _mm256_cvtps_pd(_mm_castsi128_ps(_mm256_extracti128_si256(lowHalves, 1)));
        const __m256d gap = _mm256_mul_pd(_mm256_max_pd(_mm256_max_pd(_mm256_sub_pd(ref, high), _mm256_sub_pd(low, ref)), zero), kk);
        const int open = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_fmadd_pd(gap, gap, near), limit, _CMP_LT_OQ));
        const int done = _mm256_movemask_pd(_mm256_cmp_pd(near, limit, _CMP_GE_OQ));
        if (open | done) {
            /* The first lane that opens or ends the search decides. */
            const int first = __builtin_ctz(open | done);
            return (open >> first) & 1 ? i + first : -1;
        }
    }
    return next_cell_scalar(ranges, offsets, nearest, i, count, reference, k, best);
}

__attribute__((target("avx512f")))
static long next_cell_avx512(const float *ranges, const long *offsets, const double *nearest, long from, long count,
                             double reference, double k, double best) {
    const __m512d ref = _mm512_set1_pd(reference), kk = _mm512_set1_pd(k), limit = _mm512_set1_pd(best), zero = _mm512_setzero_pd();
    long i = from;
    for (; i + 8 <= count; i += 8) {
        const __m512d near = _mm512_loadu_pd(nearest + i);
        const __m512i pairs = _mm512_i64gather_epi64(_mm512_loadu_si512((const void *)(offsets + i)), (const void *)ranges, 8);
        const __m512d low = _mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_cvtepi64_epi32(pairs)));
        const __m512d high = _mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_cvtepi64_epi32(_mm512_srli_epi64(pairs, 32))));
        const __m512d gap = _mm512_mul_pd(_mm512_max_pd(_mm512_max_pd(_mm512_sub_pd(ref, high), _mm512_sub_pd(low, ref)), zero), kk);
        const __mmask8 open = _mm512_cmp_pd_mask(_mm512_fmadd_pd(gap, gap, near), limit, _CMP_LT_OQ);
        const __mmask8 done = _mm512_cmp_pd_mask(near, limit, _CMP_GE_OQ);
        if (open | done) {
            const int first = __builtin_ctz((unsigned)(open | done));
            return (open >> first) & 1 ? i + first : -1;
        }
    }
    return next_cell_scalar(ranges, offsets, nearest, i, count, reference, k, best);
}

static dosecurate_gamma_kernel fastest = DOSECURATE_GAMMA_SCALAR;

/* Chosen before main (the loader runs constructors on one thread), so every later call only reads it. */
__attribute__((constructor)) static void choose_fastest(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        fastest = DOSECURATE_GAMMA_AVX512;
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        fastest = DOSECURATE_GAMMA_AVX2;
    }
}

dosecurate_gamma_kernel dosecurate_gamma_fastest_kernel(void) { return fastest; }

long dosecurate_gamma_cell_search(dosecurate_gamma_kernel kernel, const float *corner, long stride0, long stride1, long stride2,
                                  dosecurate_gamma_samples samples,
                                  double reference_dose, double inverse_criterion, double gap_term, double *best, int stop_at_first) {
    switch (kernel > fastest ? fastest : kernel) {
    case DOSECURATE_GAMMA_AVX512:
        return search_avx512(corner, stride0, stride1, stride2, samples, reference_dose, inverse_criterion, gap_term, best, stop_at_first);
    case DOSECURATE_GAMMA_AVX2:
        return search_avx2(corner, stride0, stride1, stride2, samples, reference_dose, inverse_criterion, gap_term, best, stop_at_first);
    default:
        return search_scalar(corner, stride0, stride1, stride2, samples, reference_dose, inverse_criterion, gap_term, best, stop_at_first);
    }
}

long dosecurate_gamma_next_cell(dosecurate_gamma_kernel kernel, const float *ranges, const long *offsets, const double *nearest,
                                long from, long count, double reference_dose, double inverse_criterion, double best) {
    switch (kernel > fastest ? fastest : kernel) {
    case DOSECURATE_GAMMA_AVX512:
        return next_cell_avx512(ranges, offsets, nearest, from, count, reference_dose, inverse_criterion, best);
    case DOSECURATE_GAMMA_AVX2:
        return next_cell_avx2(ranges, offsets, nearest, from, count, reference_dose, inverse_criterion, best);
    default:
        return next_cell_scalar(ranges, offsets, nearest, from, count, reference_dose, inverse_criterion, best);
    }
}
