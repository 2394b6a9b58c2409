#!/usr/bin/env python3
"""PyTorch CPU inference of one tile of BaselineUNet3D (dosecurate_torch's, the engine's parameter
names and structure), for `dosecurate-bench engine`: a freshly initialised PRESET model (depth 4,
10 inputs) runs one (1, 10, PATCH, PATCH, PATCH) tile under torch.no_grad(), the best of REPEATS
after a warm-up; prints {"seconds": best, "peak_rss_mb": …} as JSON.

    /usr/bin/python3 Benchmarks/engine_inference_torch.py PRESET PATCH THREADS REPEATS
"""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))
from dosecurate_torch import BaselineUNet3D  # noqa: E402


def main():
    preset, patch, threads, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = BaselineUNet3D.from_preset(preset, 4, input_channels=10).eval()
    x, constraints = torch.rand(1, 10, patch, patch, patch), torch.rand(1, 13)
    best = float("inf")
    with torch.no_grad():
        model(x, constraints)
        for _ in range(repeats):
            started = time.perf_counter()
            model(x, constraints)
            best = min(best, time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": best, "peak_rss_mb": peak}))


if __name__ == "__main__":
    main()
