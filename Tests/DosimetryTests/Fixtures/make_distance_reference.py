#!/usr/bin/env python3
"""Reference distances for DistanceTransformTests, computed by SciPy:
scipy.ndimage.distance_transform_edt(mask, sampling=spacing) and of ~mask, on a random mask
(fixed seed) with anisotropic spacing, plus one line with no background at all.

Writes distance_reference.json next to this script:
  {"scipy_version", "shape", "spacing_mm", "mask": [0/1 in C order],
   "edt_of_mask": [...], "edt_of_inverse": [...],
   "sdf_clip_mm": 2.0, "sdf_clipped": the pipeline's masks_sdf channel,
       (clip(edt(~mask) - edt(mask), -c, c) / c).astype(float32)}
Run: python3 Tests/DosimetryTests/Fixtures/make_distance_reference.py
"""
import json
import os

import numpy as np
import scipy
from scipy import ndimage

SHAPE = (9, 11, 7)
SPACING = (1.2, 0.8, 2.5)
# Small enough that the 9×11×7 grid has clipped voxels on both sides.
SDF_CLIP_MM = 2.0


def main():
    rng = np.random.default_rng(2026)
    # Blobby random mask: thresholded smoothed noise, so there are interiors, edges and holes.
    noise = ndimage.gaussian_filter(rng.normal(size=SHAPE), sigma=1.2)
    mask = noise > 0.05
    edt_mask = ndimage.distance_transform_edt(mask, sampling=SPACING)
    edt_inverse = ndimage.distance_transform_edt(~mask, sampling=SPACING)
    out = {
        "scipy_version": scipy.__version__,
        "shape": list(SHAPE),
        "spacing_mm": list(SPACING),
        "mask": mask.astype(np.uint8).ravel().tolist(),
        "edt_of_mask": edt_mask.ravel().tolist(),
        "edt_of_inverse": edt_inverse.ravel().tolist(),
        "sdf_clip_mm": SDF_CLIP_MM,
        "sdf_clipped": (np.clip(edt_inverse - edt_mask, -SDF_CLIP_MM, SDF_CLIP_MM) / SDF_CLIP_MM)
        .astype(np.float32).ravel().tolist(),
    }
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "distance_reference.json"), "w") as handle:
        json.dump(out, handle)
        handle.write("\n")


if __name__ == "__main__":
    main()
