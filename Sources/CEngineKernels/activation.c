#include "CEngineKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* The same operations at every level, unfused, so a value is the same whichever unit computes it. */
#pragma STDC FP_CONTRACT OFF

/* e^x for x in [-88, 88] (Cephes' expf: x = n ln 2 + r with ln 2 split in two, a degree-7
 * polynomial in r, 2^n put in the exponent bits): within 2 ulp of e^x, no library call, no
 * branch, so the compiler vectorises the loop that calls it. */
static inline __attribute__((always_inline)) float exp_clamped(float x) {
    const float n = floorf(x * 1.44269504088896341f + 0.5f);
    const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    const int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* x · sigmoid(x). −x is clamped to [−88, 88], where e^(−x) stays a normal float: beyond it the
 * sigmoid is 0 or 1 to float precision anyway (and a NaN stays NaN through the final product). */
static inline __attribute__((always_inline)) void silu_body(const float *input, float *output, long count) {
    /* Through a block on the stack: `output` may be `input`, and a loop whose store may alias its
     * load is not vectorised. */
    enum { block_length = 256 };
    float block[block_length];
    for (long start = 0; start < count; start += block_length) {
        const long length = count - start < block_length ? count - start : block_length;
        for (long i = 0; i < length; i++) {
            const float x = input[start + i];
            const float negated = fminf(fmaxf(-x, -88.0f), 88.0f);
            block[i] = x * (1.0f / (1.0f + exp_clamped(negated)));
        }
        memcpy(output + start, block, (size_t)length * sizeof(float));
    }
}

__attribute__((target("avx512f"))) static void silu_avx512(const float *input, float *output, long count) {
    silu_body(input, output, count);
}

__attribute__((target("avx2,fma"))) static void silu_avx2(const float *input, float *output, long count) {
    silu_body(input, output, count);
}

static void silu_portable(const float *input, float *output, long count) { silu_body(input, output, count); }

void dc_silu_at(int level, const float *input, float *output, long count) {
    switch (level < dc_conv_kernel_level() ? level : dc_conv_kernel_level()) {
    case 2: silu_avx512(input, output, count); break;
    case 1: silu_avx2(input, output, count); break;
    default: silu_portable(input, output, count);
    }
}

void dc_silu(const float *input, float *output, long count) { dc_silu_at(dc_conv_kernel_level(), input, output, count); }
