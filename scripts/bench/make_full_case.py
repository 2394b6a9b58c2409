#!/usr/bin/env python3
"""Writes one full-size case for `make bench` with numpy.savez_compressed, as the pipeline does:
ct (300, 300, 144) f4, masks (9, 300, 300, 144) u1, dose f4, constraints (13,) f4, metadata
(pickled dict), masks_sdf (9, 300, 300, 144) f4 — about 0.69 GB inflated.

Content is shaped like a real case so that deflate sees realistic redundancy: noisy CT inside a
body outline, ellipsoidal structures, signed distances in mm clipped to ±50 and divided by 50,
a smooth dose plateau with fall-off. Deterministic (fixed seed). Usage: make_full_case.py OUT.npz
"""
import sys

import numpy as np

SHAPE = (300, 300, 144)
SPACING = np.array([1.0, 1.0, 2.5], np.float32)
STRUCTURES = [  # name, centre (voxels), radii (mm)
    ("PTV70", (150, 150, 72), (30, 34, 38)),
    ("PTV56", (140, 150, 84), (36, 40, 50)),
    ("Prostate", (150, 150, 72), (22, 26, 30)),
    ("Rectum", (185, 150, 70), (14, 14, 60)),
    ("Bladder", (115, 150, 90), (30, 38, 30)),
    ("Femur_L", (150, 235, 60), (24, 24, 45)),
    ("Femur_R", (150, 65, 60), (24, 24, 45)),
    ("Bowel", (100, 150, 125), (40, 70, 25)),
    ("PTV50.4", (150, 150, 95), (60, 80, 70)),
]


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(7)
    yy, xx, zz = np.meshgrid(*(np.arange(n, dtype=np.float32) for n in SHAPE), indexing="ij", sparse=True)
    body = ((yy - 150) / 120) ** 2 + ((xx - 150) / 140) ** 2 <= 1.0
    body = np.broadcast_to(body, SHAPE)
    masks = np.zeros((len(STRUCTURES),) + SHAPE, np.uint8)
    sdf = np.empty((len(STRUCTURES),) + SHAPE, np.float32)
    for channel, (_, centre, radii) in enumerate(STRUCTURES):
        # Scaled radial distance: an approximation of the signed distance in mm, good enough
        # to give the SDF channel realistic smoothness and entropy.
        r = np.sqrt(((yy - centre[0]) * SPACING[0] / radii[0]) ** 2
                    + ((xx - centre[1]) * SPACING[1] / radii[1]) ** 2
                    + ((zz - centre[2]) * SPACING[2] / radii[2]) ** 2)
        distance_mm = (r - 1.0) * min(radii)
        masks[channel] = distance_mm < 0
        sdf[channel] = np.clip(distance_mm, -50, 50) / 50
    hu = np.where(body, 30.0, -1000.0).astype(np.float32) + rng.normal(0, 12, SHAPE).astype(np.float32)
    hu[(masks[5] | masks[6]).astype(bool)] += 650
    ct = (np.clip(hu, -1000, 3000) / 4000 + 0.5).astype(np.float32)
    r70 = np.sqrt(((yy - 150) / 32) ** 2 + ((xx - 150) / 36) ** 2 + ((zz - 72) / 16) ** 2)
    dose = (np.where(r70 <= 1.05, 1.0, np.exp(-(r70 - 1.05) * 1.4)) * body).astype(np.float32)
    constraints = np.array([1, 0.8, 0.72, 0.5, 0.35, 0.2, 75 / 70, 0.5, 0.35, 0.25, 0.1, 0.39, 45 / 70], np.float32)
    metadata = {"case_id": "bench_full", "script_version": "2.4.0", "voxel_spacing_mm": (1.0, 1.0, 2.5),
                "normalization_dose_gy": 70.0, "structure_channels": {i: s[0] for i, s in enumerate(STRUCTURES)}}
    np.savez_compressed(out, ct=ct, masks=masks, dose=dose, constraints=constraints,
                        metadata=np.array(metadata, dtype=object), masks_sdf=sdf)


if __name__ == "__main__":
    main()
