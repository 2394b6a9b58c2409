#!/usr/bin/python3
"""One BaselineUNet3D training step done by PyTorch, for `make bench` to time against the engine.

Runs under Debian's python3-torch (/usr/bin/python3), with the model definition the engine's
parity tests use (Tests/EngineTests/Fixtures/baseline_unet3d.py). Takes a JSON job as its one
argument: {"threads": T, "repeats": R, "batch": N, "size": S, "inputs": C, "base": b, "depth": D}.
A step: forward on N x C x S^3 random input and N x 13 constraints, loss MSE + 0.1 * mean(ReLU(-y)),
backward, clip_grad_norm_(1.0), AdamW (lr 1e-4, weight decay 1e-2). One warm-up step, then the
best of R. Prints ONE JSON line: {"seconds": best step, "peak_rss_mb": this process's peak RSS}.

Usage: /usr/bin/python3 Benchmarks/engine_step_torch.py '{...}'
"""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "EngineTests", "Fixtures"))
from baseline_unet3d import BaselineUNet3D  # noqa: E402


def main():
    job = json.loads(sys.argv[1])
    torch.set_num_threads(job["threads"])
    torch.manual_seed(0)
    model = BaselineUNet3D(in_channels=job["inputs"], base=job["base"], depth=job["depth"])
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=1e-2)
    size, batch = job["size"], job["batch"]
    x = torch.randn(batch, job["inputs"], size, size, size)
    constraints = torch.rand(batch, 13)
    target = torch.rand(batch, 1, size, size, size)

    def step():
        optimizer.zero_grad(set_to_none=True)
        y = model(x, constraints)
        loss = torch.nn.functional.mse_loss(y, target) + 0.1 * torch.relu(-y).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    step()
    best = float("inf")
    for _ in range(job["repeats"]):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"seconds": best, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
