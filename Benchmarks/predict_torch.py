#!/usr/bin/env python3
"""PyTorch CPU prediction of one whole volume by sliding window, for `dosecurate-bench predict`: a
freshly initialised PRESET model (depth 4, 10 inputs) runs on every tile of a random
(1, 10, D, H, W) volume, one tile per forward pass as the engine's `predict` runs them, placed and
blended by dosecurate_torch's SlidingWindow (the engine's tiles, Gaussian blend, float64 sums).
Prints {"seconds": …, "peak_rss_mb": …, "tiles": …} as JSON.

    /usr/bin/python3 Benchmarks/predict_torch.py PRESET D H W PATCH THREADS
"""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))
from dosecurate_torch import BaselineUNet3D, SlidingWindow  # noqa: E402


def main():
    preset, extent, patch, threads = sys.argv[1], [int(n) for n in sys.argv[2:5]], int(sys.argv[5]), int(sys.argv[6])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = BaselineUNet3D.from_preset(preset, 4, input_channels=10).eval()
    volume, constraints = torch.rand(1, 10, *extent), torch.rand(1, 13)
    window = SlidingWindow(patch)
    started = time.perf_counter()
    window.predict(model, volume, constraints, tiles_per_batch=1)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "tiles": len(window.tiles(extent))}))


if __name__ == "__main__":
    main()
