#ifndef DOSECURATE_GAMMA_KERNEL_H
#define DOSECURATE_GAMMA_KERNEL_H

/* The gamma index's inner loop: the samples of one interpolation cell, interpolated and scored
 * several at a time with the widest vector unit the CPU has (AVX-512, AVX2 with FMA, or plain
 * scalar code), chosen once at run time. */

/* One cell's samples in structure-of-arrays form, each array padded to a multiple of 8 (padding
 * samples have w = +infinity). x, y, z: the sample's position inside the cell (0…1 per axis);
 * w: (r / DTA)², ascending within the cell. */
typedef struct {
    const double *x;
    const double *y;
    const double *z;
    const double *w;
    long count;
} dosecurate_gamma_samples;

/* The implementations, narrowest first. */
typedef enum {
    DOSECURATE_GAMMA_SCALAR = 0,
    DOSECURATE_GAMMA_AVX2 = 1,
    DOSECURATE_GAMMA_AVX512 = 2
} dosecurate_gamma_kernel;

/* The widest implementation this CPU runs (checked once, at load). */
dosecurate_gamma_kernel dosecurate_gamma_fastest_kernel(void);

/* Scores the samples of one cell against a reference dose: γ² = ((E − reference) · inverse_criterion)² + w,
 * where E is the trilinear interpolation of the cell whose lower corner is `corner` (the other seven
 * are `stride0`, `stride1`, `stride2` elements on along each axis). Stops at the first sample with gap_term + w ≥ *best (samples are by w, and gap_term
 * bounds the dose term from below). When a sample's γ² is below *best, *best becomes the lowest such
 * value and its index is returned; otherwise -1. With stop_at_first, returns at the first vector of
 * samples holding one below *best. A kernel wider than dosecurate_gamma_fastest_kernel() runs the
 * fastest one instead. */
long dosecurate_gamma_cell_search(dosecurate_gamma_kernel kernel, const float *corner, long stride0, long stride1, long stride2, dosecurate_gamma_samples samples, double reference_dose,
                                  double inverse_criterion, double gap_term, double *best, int stop_at_first);

/* The next cell worth opening. Cells are ordered by their nearest sample; cell i's dose range is
 * ranges[2·offsets[i]] (minimum) and ranges[2·offsets[i] + 1] (maximum), and (r / DTA)² of its
 * nearest sample is nearest[i]. Returns the first i ≥ from whose bound
 * (gap · inverse_criterion)² + nearest[i] is below best — gap being the distance from the reference
 * dose to the cell's range — or -1 once a cell's nearest[i] ≥ best (no later cell can do better)
 * or none is left. */
long dosecurate_gamma_next_cell(dosecurate_gamma_kernel kernel, const float *ranges, const long *offsets, const double *nearest,
                                long from, long count, double reference_dose, double inverse_criterion, double best);

#endif
