#!/usr/bin/env python3
"""The gamma index done by pymedphys, for `make bench` to time against the Swift implementation.

Loads two float32 dose arrays in Gy of the same shape (.npy), builds the axes in mm as
tuple(np.arange(n)[::K] * s for n, s in zip(shape, spacing)), decimates both doses to
x[::K, ::K, ::K] when --subsample K > 1, and runs

  pymedphys.gamma(axes, ref, axes, eval, dose_percent_threshold=3, distance_mm_threshold=3,
                  lower_percent_dose_cutoff=10, max_gamma=2, local_gamma=--local)

(interp_fraction=10, the default; global normalisation = the decimated reference maximum).
Prints ONE JSON line on stdout:
  {"seconds": wall time of the pymedphys.gamma call only (numba's one-off JIT compilation
   included, as a fresh process pays it, unless --warmup), "passRate": 100 * count(g <= 1) / valid, "passRateLT1":
   100 * count(g < 1) / valid, "evaluated": valid (non-NaN gamma), "mean", "median", "max",
   "pymedphys": version}
Everything else pymedphys might print (logging, progress, warnings) goes to stderr.

Usage: python3 Benchmarks/gamma_pymedphys.py REF.npy EVAL.npy --spacing SY SX SZ
           [--subsample K] [--local] [--warmup]
"""
import argparse
import contextlib
import json
import logging
import sys
import time
import warnings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", help="reference dose, .npy float32 Gy")
    parser.add_argument("evaluation", help="evaluated dose, .npy float32 Gy, same shape")
    parser.add_argument("--spacing", type=float, nargs=3, required=True,
                        metavar=("SY", "SX", "SZ"), help="voxel spacing in mm along axes 0, 1, 2")
    parser.add_argument("--subsample", type=int, default=1, metavar="K",
                        help="use every K-th voxel along each axis (default 1)")
    parser.add_argument("--local", action="store_true", help="local instead of global gamma")
    parser.add_argument("--warmup", action="store_true",
                        help="first run an untimed gamma on a tiny 4x4x4 input, so the timed call "
                             "excludes numba's one-off JIT compilation")
    args = parser.parse_args()
    if args.subsample < 1:
        parser.error("--subsample must be >= 1")

    # Anything printed while importing or running pymedphys goes to stderr, never stdout.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    warnings.simplefilter("ignore", DeprecationWarning)
    with contextlib.redirect_stdout(sys.stderr):
        import numpy as np
        import pymedphys

        reference = np.load(args.reference)
        evaluation = np.load(args.evaluation)
        if reference.shape != evaluation.shape or reference.ndim != 3:
            parser.error(f"need two 3-D arrays of the same shape, got {reference.shape} "
                         f"and {evaluation.shape}")
        k = args.subsample
        axes = tuple((np.arange(n)[::k] * s).astype(np.float64)
                     for n, s in zip(reference.shape, args.spacing))
        reference = np.ascontiguousarray(reference[::k, ::k, ::k])
        evaluation = np.ascontiguousarray(evaluation[::k, ::k, ::k])

        if args.warmup:
            tiny_axes = tuple(np.arange(4) * s for s in args.spacing)
            tiny = np.linspace(1, 10, 64, dtype=np.float32).reshape(4, 4, 4)
            pymedphys.gamma(tiny_axes, tiny, tiny_axes, tiny, dose_percent_threshold=3,
                            distance_mm_threshold=3, lower_percent_dose_cutoff=10, max_gamma=2,
                            local_gamma=args.local)

        start = time.perf_counter()
        gamma = pymedphys.gamma(
            axes, reference, axes, evaluation,
            dose_percent_threshold=3, distance_mm_threshold=3, lower_percent_dose_cutoff=10,
            max_gamma=2, local_gamma=args.local,
        )
        seconds = time.perf_counter() - start

        valid = np.asarray(gamma, dtype=np.float64)
        valid = valid[~np.isnan(valid)]
        n = int(valid.size)
        result = {
            "seconds": seconds,
            "passRate": 100.0 * int(np.count_nonzero(valid <= 1)) / n if n else None,
            "passRateLT1": 100.0 * int(np.count_nonzero(valid < 1)) / n if n else None,
            "evaluated": n,
            "mean": float(valid.mean()) if n else None,
            "median": float(np.median(valid)) if n else None,
            "max": float(valid.max()) if n else None,
            "pymedphys": pymedphys.__version__,
        }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
