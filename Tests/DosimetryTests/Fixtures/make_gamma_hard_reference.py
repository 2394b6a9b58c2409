#!/usr/bin/env python3
"""Reference gamma maps in the hard regime (low pass rates, steep gradients, coarse grids, dose
reaching the grid's faces), computed by pymedphys.gamma, for the Swift gamma implementation.

gamma_reference.json / gamma_pairs.npz (make_gamma_reference.py) hold small grids where almost
every point's search leaves the grid. These pairs are large enough that most points search
entirely inside it (the vectorised path), while the dose still reaches every face:

  steep   shape (32, 36, 24) at (1.0, 1.2, 2.5) mm. Reference: a 70 Gy ellipsoid (semi-axes
          8, 9, 12 mm) with a logistic fall-off of 1.2 mm scale (up to ~15 Gy/mm) on a broad
          bath (~14 Gy at the centre, above the 10 % cutoff at every face). Evaluation: shifted
          4 mm along axis 0 and 3 mm along axis 2 (ndimage.shift order=1, mode='nearest'),
          scaled by 0.62, plus a smooth error field (sigma 4 voxels, std 4 % of the reference
          maximum), clipped at 0 Gy. Global only (local takes minutes).     global pass ~30 %
  coarse  shape (28, 28, 36) at (4.7, 4.7, 2.0) mm, a clinical dose grid. Reference: a 70 Gy
          ellipsoid (semi-axes 25, 30, 20 mm), logistic fall-off of 3 mm scale (one voxel
          in-plane holds ~10 Gy of fall-off), bath as above. Evaluation: shifted 2.5 mm along
          axis 1, scaled by 1.04, plus a smooth error field (sigma 2 voxels, std 6 %),
          clipped at 0 Gy. Global and local.                                 global pass ~55 %

Both seeded from np.random.default_rng(2033). For each pair and normalisation:

  pymedphys.gamma(axes, ref, axes, eval, dose_percent_threshold=3, distance_mm_threshold=3,
                  lower_percent_dose_cutoff=10, max_gamma=2, local_gamma=local)

with axes = tuple(np.arange(n) * s) (interp_fraction=10, the default). The script stops with an
error if a global pass rate leaves its RANGES.

Writes, next to this script:
  gamma_hard_pairs.npz      (np.savez_compressed) "reference_<pair>", "evaluation_<pair>"
                            (float32 Gy) and "gamma_<pair>_<global|local>" (float32 gamma, NaN
                            where not evaluated)
  gamma_hard_reference.json shapes, spacings, options, descriptions and per run
                            ("<pair>/<global|local>") passRateLE1, evaluated, mean, max, seconds

Run: python3 Tests/DosimetryTests/Fixtures/make_gamma_hard_reference.py   (about a minute)
"""
import json
import os
import time
import warnings

import numba
import numpy as np
import pymedphys
from scipy import ndimage

TARGET_GY = 70.0
PAIRS = {
    "steep": {"shape": (32, 36, 24), "spacing": (1.0, 1.2, 2.5), "semi": (8.0, 9.0, 12.0),
              "falloff": 1.2, "shift_mm": (4.0, 0.0, 3.0), "scale": 0.62, "noise": 0.04,
              "sigma": 4.0, "normalisations": ("global",)},
    "coarse": {"shape": (28, 28, 36), "spacing": (4.7, 4.7, 2.0), "semi": (25.0, 30.0, 20.0),
               "falloff": 3.0, "shift_mm": (0.0, 2.5, 0.0), "scale": 1.04, "noise": 0.06,
               "sigma": 2.0, "normalisations": ("global", "local")},
}
RANGES = {"steep": (20.0, 40.0), "coarse": (45.0, 65.0)}
OPTIONS = {"dose_percent_threshold": 3, "distance_mm_threshold": 3,
           "lower_percent_dose_cutoff": 10, "max_gamma": 2}


def axes_of(p):
    return tuple((np.arange(n) * s).astype(np.float64) for n, s in zip(p["shape"], p["spacing"]))


def smooth_field(rng, shape, sigma):
    field = ndimage.gaussian_filter(rng.normal(size=shape), sigma=sigma)
    return field / field.std()


def make_pair(rng, p):
    y, x, z = np.meshgrid(*axes_of(p), indexing="ij")
    extent = [(n - 1) * s for n, s in zip(p["shape"], p["spacing"])]
    centre = (extent[0] / 2 + 0.4, extent[1] / 2 - 0.7, extent[2] / 2 + 0.9)
    r = np.sqrt(sum(((c - c0) / a) ** 2 for c, c0, a in zip((y, x, z), centre, p["semi"])))
    target = 1.0 / (1.0 + np.exp((r - 1.0) * np.mean(p["semi"]) / p["falloff"]))
    reach = [e * 1.2 for e in extent]
    bath = 14.0 * np.exp(-sum(((c - c0) / w) ** 2 for c, c0, w in zip((y, x, z), centre, reach)))
    reference = (TARGET_GY * target + (1 - target) * (bath + 0.5)).astype(np.float32)
    moved = ndimage.shift(reference, [m / s for m, s in zip(p["shift_mm"], p["spacing"])],
                          order=1, mode="nearest")
    error = p["noise"] * float(reference.max()) * smooth_field(rng, p["shape"], p["sigma"])
    evaluation = np.maximum(p["scale"] * moved + error, 0).astype(np.float32)
    return reference, evaluation


def run_gamma(p, reference, evaluation, local):
    axes = axes_of(p)
    start = time.perf_counter()
    gamma = pymedphys.gamma(axes, reference, axes, evaluation, local_gamma=local, **OPTIONS)
    return np.asarray(gamma, dtype=np.float64), time.perf_counter() - start


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    warnings.simplefilter("ignore", DeprecationWarning)
    rng = np.random.default_rng(2033)
    arrays, runs = {}, {}
    warm = np.ones((4, 4, 4), dtype=np.float32)
    pymedphys.gamma(axes_of({"shape": (4, 4, 4), "spacing": (1, 1, 1)}), warm,
                    axes_of({"shape": (4, 4, 4), "spacing": (1, 1, 1)}), warm, **OPTIONS)
    for name, p in PAIRS.items():
        reference, evaluation = make_pair(rng, p)
        arrays[f"reference_{name}"] = reference
        arrays[f"evaluation_{name}"] = evaluation
        for mode in p["normalisations"]:
            local = mode == "local"
            gamma, seconds = run_gamma(p, reference, evaluation, local)
            arrays[f"gamma_{name}_{mode}"] = gamma.astype(np.float32)
            valid = gamma[~np.isnan(gamma)]
            runs[f"{name}/{mode}"] = {
                "passRateLE1": 100.0 * int(np.count_nonzero(valid <= 1)) / valid.size,
                "evaluated": int(valid.size), "mean": float(valid.mean()),
                "max": float(valid.max()), "seconds": seconds}
            print(f"{name:7s} {mode:6s} pass {runs[f'{name}/{mode}']['passRateLE1']:6.2f} % "
                  f"over {valid.size} points, {seconds:.1f} s")
    for name, (lo, hi) in RANGES.items():
        rate = runs[f"{name}/global"]["passRateLE1"]
        if not lo <= rate <= hi:
            raise SystemExit(f"{name}: global pass rate {rate:.2f} % outside [{lo}, {hi}] %")
    np.savez_compressed(os.path.join(here, "gamma_hard_pairs.npz"), **arrays)
    out = {
        "pymedphys_version": pymedphys.__version__, "numba_version": numba.__version__,
        "numpy_version": np.__version__, "seed": 2033, "dose_unit": "Gy",
        "gamma_options": {**OPTIONS, "interp_fraction": 10,
                          "global_normalisation": "None (the reference maximum)"},
        "pairs": {name: {"shape": list(p["shape"]), "spacing_mm": list(p["spacing"]),
                         "parameters": {k: v for k, v in p.items()
                                        if k not in ("shape", "spacing", "normalisations")},
                         "normalisations": list(p["normalisations"])}
                  for name, p in PAIRS.items()},
        "required_global_pass_ranges": {k: list(v) for k, v in RANGES.items()},
        "runs": runs,
    }
    with open(os.path.join(here, "gamma_hard_reference.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
