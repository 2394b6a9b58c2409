#!/usr/bin/python3
"""The engine's layers done by PyTorch, for `make bench` to time against dosecurate's engine.

Runs under Debian's python3-torch (/usr/bin/python3). Takes a JSON job as its one argument:
  {"threads": T, "repeats": R, "batch": N,
   "convs": [{"name", "in", "out", "kernel", "size"}],          # Conv3d, padding kernel // 2
   "groupnorm": {"channels", "groups", "size"},
   "upsample": {"channels", "size"}}                            # trilinear x2, align_corners=False
and times, for each op, forward + backward of sum(y * g) (gradients of the input and of every
parameter), after one warm-up, best of R. Inputs are N x C x size^3 float32, contiguous NCDHW.
Prints ONE JSON line on stdout: {"torch": version, "threads": T, "mkldnn": bool,
"convs": {name: seconds}, "groupnorm": seconds, "upsample": seconds}.

Usage: /usr/bin/python3 Benchmarks/engine_layers_torch.py '{...}'
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def best_time(step, repeats):
    step()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best


def forward_backward(module, x, g):
    def step():
        module.zero_grad(set_to_none=True)
        x.grad = None
        y = module(x)
        y.backward(g)
    return step


def main():
    job = json.loads(sys.argv[1])
    torch.set_num_threads(job["threads"])
    torch.manual_seed(0)
    batch, repeats = job["batch"], job["repeats"]
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(),
              "mkldnn": torch.backends.mkldnn.is_available(), "convs": {}}
    for conv in job["convs"]:
        module = torch.nn.Conv3d(conv["in"], conv["out"], conv["kernel"], padding=conv["kernel"] // 2)
        size = conv["size"]
        x = torch.randn(batch, conv["in"], size, size, size, requires_grad=True)
        g = torch.randn(batch, conv["out"], size, size, size)
        result["convs"][conv["name"]] = best_time(forward_backward(module, x, g), repeats)
        del module, x, g

    spec = job["groupnorm"]
    size = spec["size"]
    module = torch.nn.GroupNorm(spec["groups"], spec["channels"])
    x = torch.randn(batch, spec["channels"], size, size, size, requires_grad=True)
    result["groupnorm"] = best_time(forward_backward(module, x, torch.randn_like(x)), repeats)

    spec = job["upsample"]
    size = spec["size"]
    x = torch.randn(batch, spec["channels"], size, size, size, requires_grad=True)
    g = torch.randn(batch, spec["channels"], 2 * size, 2 * size, 2 * size)

    def upsample():
        x.grad = None
        F.interpolate(x, scale_factor=2, mode="trilinear", align_corners=False).backward(g)
    result["upsample"] = best_time(upsample, repeats)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
