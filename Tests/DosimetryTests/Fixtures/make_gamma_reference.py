#!/usr/bin/env python3
"""Reference gamma indices for the Swift gamma implementation, computed by pymedphys.gamma.

A synthetic, seeded (np.random.default_rng(2026)) reference dose in Gy on an anisotropic grid
(shape (24, 26, 14), spacing (1.0, 1.2, 2.5) mm): an ellipsoidal 70 Gy target (semi-axes 6, 7.5,
9 mm, ±1.5 % smooth variation, max ~68.5 Gy) with a sigmoid fall-off (2 mm logistic scale, up to
~9 Gy/mm) on a smooth low-dose bath (~12.5 Gy near the target, ~5 Gy in the far corners, so
~4.5 % of the voxels are under the 10 % cutoff). Three evaluation doses of increasing
difficulty; every error field is Gaussian white noise smoothed with sigma voxels, rescaled to a
standard deviation given as a fraction of the reference maximum, added to the dose; the result
is clipped at 0 Gy (see PARAMS):

  easy      shifted 0.4 mm along axis 1 (scipy.ndimage.shift, order=1, mode='nearest')
            + error field std 1.5 % (sigma 3)                        global pass ~98 %
  moderate  shifted 2 mm along axis 0, scaled by 1.05
            + error field std 6 % (sigma 5)                          global pass ~71 %
  hard      shifted 4 mm along axis 2, scaled by 0.8 over the high-axis-1 half (sigmoid
            transition, 2 mm scale), + error field std 9 % (sigma 6) global pass ~47 %
            (~8 % of its voxels are clipped to 0 Gy)

The script stops with an error if a full-resolution global pass rate leaves its RANGES.

For every pair, every subsample K in (1, 2, 4) (both doses x[::K, ::K, ::K], axes
np.arange(n)[::K] * spacing) and global and local normalisation, this runs

  pymedphys.gamma(axes_ref, ref, axes_eval, eval, dose_percent_threshold=3,
                  distance_mm_threshold=3, lower_percent_dose_cutoff=10, max_gamma=2,
                  local_gamma=local)            # interp_fraction=10 (default)

so the global normalisation and the 10 % cutoff come from the decimated reference maximum.

Writes, next to this script:
  gamma_pairs.npz        (np.savez_compressed) "reference" and "evaluation_<pair>" (float32 Gy,
                         full resolution) and "gamma_<pair>_k<K>_<global|local>" (float64 gamma
                         map on the decimated grid, NaN where not evaluated)
  gamma_reference.json   versions, shape, spacing, options, pair descriptions and per run
                         ("<pair>/k<K>/<global|local>") passRateLE1, passRateLT1, evaluated,
                         mean, median, max, seconds

Timings: one untimed warm-up call is made first so the numba JIT compilation is not counted.
Run: python3 Tests/DosimetryTests/Fixtures/make_gamma_reference.py   (well under a minute)
"""
import json
import os
import time
import warnings

import numba
import numpy as np
import pymedphys
from scipy import ndimage

SHAPE = (24, 26, 14)
SPACING = (1.0, 1.2, 2.5)
SUBSAMPLES = (1, 2, 4)
TARGET_GY = 70.0
# Error parameters of the evaluation doses (noise = std of the smooth additive error field as a
# fraction of the reference maximum; sigma = Gaussian smoothing of that field, in voxels).
# Tuned by hand so the full-resolution global pass rates land in RANGES.
PARAMS = {
    "easy_shift_mm": 0.4, "easy_noise": 0.015, "easy_sigma": 3.0,
    "moderate_shift_mm": 2.0, "moderate_scale": 1.05, "moderate_noise": 0.06,
    "moderate_sigma": 5.0,
    "hard_shift_mm": 4.0, "hard_scale": 0.8, "hard_noise": 0.09, "hard_sigma": 6.0,
}
OPTIONS = {
    "dose_percent_threshold": 3,
    "distance_mm_threshold": 3,
    "lower_percent_dose_cutoff": 10,
    "max_gamma": 2,
    "interp_fraction": 10,
}
# Required global (3 %/3 mm, K = 1) pass-rate ranges, in percent.
RANGES = {"easy": (97.0, 99.0), "moderate": (65.0, 75.0), "hard": (30.0, 50.0)}
DESCRIPTIONS = {
    "easy": "reference shifted 0.4 mm along axis 1 (ndimage.shift order=1, mode='nearest') "
    "+ smooth additive error (Gaussian noise smoothed with sigma 3 voxels, std 1.5 % of the "
    "reference max), clipped at 0 Gy",
    "moderate": "reference shifted 2 mm along axis 0 (order=1, mode='nearest'), scaled by 1.05, "
    "+ smooth additive error (sigma 5 voxels, std 6 % of the reference max), clipped at 0 Gy",
    "hard": "reference shifted 4 mm along axis 2 (order=1, mode='nearest'), scaled by 0.8 over "
    "the high-axis-1 half (sigmoid transition, 2 mm scale, centred mid axis 1), "
    "+ smooth additive error (sigma 6 voxels, std 9 % of the reference max), clipped at 0 Gy",
}


def physical_axes(shape, spacing, k=1):
    return tuple((np.arange(n)[::k] * s).astype(np.float64) for n, s in zip(shape, spacing))


def smooth_field(rng, sigma_vox):
    """Gaussian white noise smoothed with sigma_vox voxels, rescaled to unit standard deviation."""
    field = ndimage.gaussian_filter(rng.normal(size=SHAPE), sigma=sigma_vox)
    return field / field.std()


def make_reference(rng):
    y, x, z = np.meshgrid(*physical_axes(SHAPE, SPACING), indexing="ij")
    extent = [(n - 1) * s for n, s in zip(SHAPE, SPACING)]
    centre = (extent[0] / 2 + 0.5, extent[1] / 2 - 1.0, extent[2] / 2 + 1.0)
    semi = (6.0, 7.5, 9.0)  # target semi-axes, mm
    r = np.sqrt(sum(((c - c0) / a) ** 2 for c, c0, a in zip((y, x, z), centre, semi)))
    signed_mm = (r - 1.0) * np.mean(semi)  # approximate signed distance to the target surface
    target = 1.0 / (1.0 + np.exp(signed_mm / 2.0))  # sigmoid fall-off, 2 mm scale
    # Low-dose bath: a broad Gaussian (~12.5 Gy at the centre, ~5 Gy in the far corners).
    bath = 12.0 * np.exp(-(((y - centre[0]) / 22) ** 2 + ((x - centre[1]) / 26) ** 2
                           + ((z - centre[2]) / 32) ** 2))
    variation = smooth_field(rng, (4, 4, 2))
    variation /= np.abs(variation).max()  # smooth, in [-1, 1]
    dose = TARGET_GY * target * (1 + 0.015 * variation) + (1 - target) * (
        bath * (1 + 0.1 * variation) + 0.5)
    return dose.astype(np.float32)


def make_evaluations(rng, ref, params=None):
    """The three evaluation doses; errors are additive smooth fields scaled by the reference
    maximum, and the result is clipped at 0 Gy (dose is never negative)."""
    p = dict(PARAMS if params is None else params)
    peak = float(ref.max())
    out = {}
    easy = ndimage.shift(ref, (0, p["easy_shift_mm"] / SPACING[1], 0), order=1, mode="nearest")
    easy = easy + p["easy_noise"] * peak * smooth_field(rng, p["easy_sigma"])
    out["easy"] = np.maximum(easy, 0).astype(np.float32)

    moderate = ndimage.shift(ref, (p["moderate_shift_mm"] / SPACING[0], 0, 0), order=1,
                             mode="nearest")
    moderate = p["moderate_scale"] * moderate + p["moderate_noise"] * peak * smooth_field(
        rng, p["moderate_sigma"])
    out["moderate"] = np.maximum(moderate, 0).astype(np.float32)

    hard = ndimage.shift(ref, (0, 0, p["hard_shift_mm"] / SPACING[2]), order=1, mode="nearest")
    _, x, _ = np.meshgrid(*physical_axes(SHAPE, SPACING), indexing="ij")
    half = 1.0 / (1.0 + np.exp(-(x - (SHAPE[1] - 1) * SPACING[1] / 2) / 2.0))
    scale = 1.0 - (1.0 - p["hard_scale"]) * half
    hard = scale * hard + p["hard_noise"] * peak * smooth_field(rng, p["hard_sigma"])
    out["hard"] = np.maximum(hard, 0).astype(np.float32)
    return out


def run_gamma(ref, ev, k, local):
    axes = physical_axes(SHAPE, SPACING, k)
    r = ref[::k, ::k, ::k]
    e = ev[::k, ::k, ::k]
    start = time.perf_counter()
    gamma = pymedphys.gamma(
        axes, r, axes, e,
        dose_percent_threshold=OPTIONS["dose_percent_threshold"],
        distance_mm_threshold=OPTIONS["distance_mm_threshold"],
        lower_percent_dose_cutoff=OPTIONS["lower_percent_dose_cutoff"],
        max_gamma=OPTIONS["max_gamma"],
        local_gamma=local,
    )
    seconds = time.perf_counter() - start
    return np.asarray(gamma, dtype=np.float64), seconds


def summarise(gamma, seconds):
    valid = gamma[~np.isnan(gamma)]
    n = int(valid.size)
    return {
        "passRateLE1": 100.0 * int(np.count_nonzero(valid <= 1)) / n,
        "passRateLT1": 100.0 * int(np.count_nonzero(valid < 1)) / n,
        "evaluated": n,
        "mean": float(valid.mean()),
        "median": float(np.median(valid)),
        "max": float(valid.max()),
        "seconds": float(seconds),
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    warnings.simplefilter("ignore", DeprecationWarning)
    rng = np.random.default_rng(2026)
    ref = make_reference(rng)
    evaluations = make_evaluations(rng, ref)

    # Untimed warm-up so the numba JIT compilation is not part of the first timing.
    run_gamma(ref, ref, 4, False)

    arrays = {"reference": ref}
    runs = {}
    for pair, ev in evaluations.items():
        arrays[f"evaluation_{pair}"] = ev
        for k in SUBSAMPLES:
            for local in (False, True):
                mode = "local" if local else "global"
                gamma, seconds = run_gamma(ref, ev, k, local)
                arrays[f"gamma_{pair}_k{k}_{mode}"] = gamma
                runs[f"{pair}/k{k}/{mode}"] = summarise(gamma, seconds)
                s = runs[f"{pair}/k{k}/{mode}"]
                print(f"{pair:9s} k{k} {mode:6s} pass<=1 {s['passRateLE1']:7.3f}  "
                      f"pass<1 {s['passRateLT1']:7.3f}  evaluated {s['evaluated']:5d}  "
                      f"{s['seconds']:.3f} s")

    for pair, (lo, hi) in RANGES.items():
        rate = runs[f"{pair}/k1/global"]["passRateLE1"]
        if not lo <= rate <= hi:
            raise SystemExit(f"{pair}: global pass rate {rate:.2f} % outside [{lo}, {hi}] %")

    npz_path = os.path.join(here, "gamma_pairs.npz")
    np.savez_compressed(npz_path, **arrays)
    out = {
        "pymedphys_version": pymedphys.__version__,
        "numba_version": numba.__version__,
        "numpy_version": np.__version__,
        "shape": list(SHAPE),
        "spacing_mm": list(SPACING),
        "seed": 2026,
        "dose_unit": "Gy",
        "gamma_options": {**OPTIONS, "local_gamma": "False for 'global', True for 'local'",
                          "global_normalisation": "None (max of the decimated reference)",
                          "call": "pymedphys.gamma(axes, ref[::K,::K,::K], axes, "
                                  "eval[::K,::K,::K], ...) with axes = "
                                  "tuple(np.arange(n)[::K] * s for n, s in zip(shape, spacing))"},
        "subsamples": list(SUBSAMPLES),
        "pairs": DESCRIPTIONS,
        "pair_parameters": PARAMS,
        "required_global_k1_pass_ranges": {k: list(v) for k, v in RANGES.items()},
        "clipped_to_zero_voxels": {pair: int(np.count_nonzero(ev == 0))
                                   for pair, ev in evaluations.items()},
        "npz": {
            "file": "gamma_pairs.npz",
            "reference": "float32 Gy, full resolution",
            "evaluation_<pair>": "float32 Gy, full resolution",
            "gamma_<pair>_k<K>_<global|local>": "float64 gamma on the decimated grid "
                                                  "(shape of x[::K,::K,::K]), NaN = not evaluated",
        },
        "definitions": {
            "passRateLE1": "100 * count(gamma <= 1) / count(not NaN)",
            "passRateLT1": "100 * count(gamma < 1) / count(not NaN)",
            "evaluated": "count(not NaN)",
            "median": "np.median of the non-NaN gamma values",
            "seconds": "wall time of the pymedphys.gamma call (after an untimed JIT warm-up)",
        },
        "runs": runs,
    }
    with open(os.path.join(here, "gamma_reference.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
