#!/usr/bin/env python3
"""Writes the sample cohort `make demo` inspects, with numpy's own savez / savez_compressed:

  WORKSPACE/cases/demo_001.npz     v2.3-like case (deflated, 8 channels, masks_sdf, metadata)
  WORKSPACE/cases/demo_002_v20.npz legacy v2.0-like case (stored, no SDF, no script_version),
                                   with a PTV56 although its metadata says single_rx
  WORKSPACE/delivery/demo_003_truncated.npz  demo_001 cut short, as a broken transfer leaves it

Small grids (96x96x48) so the demo runs in seconds; deterministic (fixed seed).
"""
import os
import sys

import numpy as np

CHANNELS = ["PTV70", "PTV56", "Prostate", "Rectum", "Bladder", "Femur_L", "Femur_R", "Bowel"]


def ellipsoid(shape, centre, radii):
    y, x, z = np.indices(shape, dtype=np.float32)
    return (((y - centre[0]) / radii[0]) ** 2 + ((x - centre[1]) / radii[1]) ** 2
            + ((z - centre[2]) / radii[2]) ** 2) <= 1.0


def make_case(case_id, version, rng, shape=(96, 96, 48), seminal_vesicle_boost=False):
    body = ellipsoid(shape, (48, 48, 24), (40, 45, 60))
    prostate = ellipsoid(shape, (50, 48, 24), (8, 9, 5))
    ptv70 = ellipsoid(shape, (50, 48, 24), (11, 12, 7))
    rectum = ellipsoid(shape, (64, 48, 24), (5, 5, 12))
    bladder = ellipsoid(shape, (36, 48, 30), (10, 12, 6))
    femur_l = ellipsoid(shape, (50, 78, 22), (7, 7, 10))  # larger column index = patient left
    femur_r = ellipsoid(shape, (50, 18, 22), (7, 7, 10))
    bowel = ellipsoid(shape, (30, 48, 42), (10, 20, 5))
    # A 56 Gy seminal-vesicle PTV makes this a 2-level SIB plan, whatever the metadata says.
    ptv56 = ellipsoid(shape, (58, 48, 30), (9, 14, 6)) & ~ptv70 if seminal_vesicle_boost else np.zeros(shape, bool)
    masks = np.stack([ptv70, ptv56, prostate, rectum, bladder, femur_l, femur_r, bowel]).astype(np.uint8)
    hu = np.where(body, 40.0, -1000.0) + rng.normal(0, 10, shape)
    hu[femur_l | femur_r] = 700.0
    ct = (np.clip(hu, -1000, 3000) / 4000 + 0.5).astype(np.float32)
    y, x, z = np.indices(shape, dtype=np.float32)
    distance = np.sqrt(((y - 50) / 11) ** 2 + ((x - 48) / 12) ** 2 + ((z - 24) / 7) ** 2)
    dose = np.where(distance <= 1.05, 1.0, np.exp(-(distance - 1.05) * 1.6)).astype(np.float32) * body
    constraints = np.array([1, 0, 0, 0.5, 0.35, 0.2, 75 / 70, 0.5, 0.35, 0.25, 0.1, 0.39, 45 / 70], np.float32)
    metadata = {
        "case_id": case_id,
        "processed_date": "2026-01-15T10:00:00",
        "prescription_info": {"primary_dose": 70.0, "fractions": 28, "dose_per_fraction": 2.5, "source": "default"},
        "case_type": {"type": "single_rx", "ptv70_exists": True, "ptv56_exists": False, "ptv50_exists": False},
        "normalization_dose_gy": 70.0,
        "structure_channels": {i: name for i, name in enumerate(CHANNELS)},
    }
    arrays = dict(ct=ct, masks=masks, dose=dose, constraints=constraints)
    if version == "2.3.0":
        metadata.update(script_version="2.3.0", voxel_spacing_mm=(1.0, 1.0, 2.5), volume_shape=shape, sdf_clip_mm=50.0)
        sdf = np.where(masks > 0, -0.1, 0.1).astype(np.float32)
        arrays["masks_sdf"] = sdf
    arrays["metadata"] = np.array(metadata, dtype=object)
    return arrays


def main():
    workspace = sys.argv[1]
    rng = np.random.default_rng(20261126)
    first = os.path.join(workspace, "cases", "demo_001.npz")
    np.savez_compressed(first, **make_case("demo_001", "2.3.0", rng))
    # Stored as single_rx although it carries a PTV56: the plan-type mislabel inspect shows.
    np.savez(os.path.join(workspace, "cases", "demo_002_v20.npz"),
             **make_case("demo_002", "2.0", rng, seminal_vesicle_boost=True))
    with open(first, "rb") as handle:
        data = handle.read()
    with open(os.path.join(workspace, "delivery", "demo_003_truncated.npz"), "wb") as handle:
        handle.write(data[: len(data) * 2 // 3])


if __name__ == "__main__":
    main()
