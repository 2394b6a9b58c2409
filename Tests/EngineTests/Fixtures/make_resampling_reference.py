#!/usr/bin/python3
"""Reference values for in-plane resampling (`train --resample k`), written by PyTorch (Debian's
python3-torch 1.13, run with /usr/bin/python3) into resampling_reference.npz.

Arrays are (Y, X, Z) like a case; PyTorch resamples the last two axes of (N, C, H, W), so each Z
slice goes through as (Z, 1, Y, X).

    /usr/bin/python3 Tests/EngineTests/Fixtures/make_resampling_reference.py
"""
import os
import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(20261127)
out = {}
for k, (rows, columns) in [(2, (7, 9)), (3, (8, 6))]:
    native = rng.standard_normal((rows, columns, 3)).astype(np.float32)
    as_torch = torch.from_numpy(native).permute(2, 0, 1).unsqueeze(1)
    pooled = F.avg_pool2d(as_torch, k, ceil_mode=True)
    coarse = rng.standard_normal((pooled.shape[2], pooled.shape[3], 3)).astype(np.float32)
    up = F.interpolate(torch.from_numpy(coarse).permute(2, 0, 1).unsqueeze(1), scale_factor=k, mode="bilinear", align_corners=False)
    out[f"k{k}.native"] = native
    out[f"k{k}.downsampled"] = pooled.squeeze(1).permute(1, 2, 0).numpy()
    out[f"k{k}.coarse"] = coarse
    out[f"k{k}.upsampled"] = up.squeeze(1).permute(1, 2, 0).numpy()[:rows, :columns, :]
np.savez(os.path.join(os.path.dirname(os.path.abspath(__file__)), "resampling_reference.npz"),
         **{key: np.ascontiguousarray(value, dtype=np.float32) for key, value in out.items()})
