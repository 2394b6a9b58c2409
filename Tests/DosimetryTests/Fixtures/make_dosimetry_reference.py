#!/usr/bin/env python3
"""Reference values for the Dosimetry core (MorphologyTests, StructureDoseTests): a blobby mask
on an anisotropic grid, eroded and dilated by Euclidean balls with scipy.ndimage (structuring
element = every offset whose physical length is <= the radius; default border: outside the grid is
background), and DVH points of a random dose inside the mask with numpy (Dx = percentile(method=
'lower') at 100 - x, Vx = share of voxels >= x Gy), plus centroid and face contacts.

Writes dosimetry_reference.json next to this script.
Run: python3 Tests/DosimetryTests/Fixtures/make_dosimetry_reference.py
"""
import json
import os

import numpy as np
import scipy
from scipy import ndimage

SHAPE = (14, 13, 11)
SPACING = (1.0, 1.2, 2.5)
RADII = (1.0, 2.0, 2.6, 3.0)


def ball(radius):
    reach = [int(np.floor(radius / s)) for s in SPACING]
    offsets = np.indices([2 * r + 1 for r in reach]).reshape(3, -1).T - np.array(reach)
    inside = np.sqrt(((offsets * np.array(SPACING)) ** 2).sum(axis=1)) <= radius + 1e-9
    structure = np.zeros([2 * r + 1 for r in reach], dtype=bool)
    structure[tuple((offsets[inside] + np.array(reach)).T)] = True
    return structure


def main():
    rng = np.random.default_rng(42)
    grid = np.indices(SHAPE).astype(float)
    centre = np.array([6.5, 6.0, 5.0])
    distance = np.sqrt((((grid.T - centre) * np.array(SPACING)) ** 2).sum(axis=-1)).T
    mask = (distance + rng.normal(0, 0.8, SHAPE) < 6.5)
    mask[0, 5:8, 4:7] = True  # touches the first-row face
    dose = rng.uniform(40, 75, SHAPE).astype(np.float32)
    doses = np.sort(dose[mask].astype(np.float64))
    out = {
        "scipy_version": scipy.__version__, "numpy_version": np.__version__,
        "shape": SHAPE, "spacing_mm": SPACING, "mask": mask.astype(np.uint8).ravel().tolist(),
        "dose": dose.ravel().tolist(),
        "eroded": {str(r): ndimage.binary_erosion(mask, structure=ball(r)).astype(np.uint8).ravel().tolist() for r in RADII},
        "dilated": {str(r): ndimage.binary_dilation(mask, structure=ball(r)).astype(np.uint8).ravel().tolist() for r in RADII},
        "d": {str(x): float(np.percentile(doses, 100 - x, method="lower")) for x in (98, 95, 50, 2)},
        "v_percent": {str(g): float((doses >= g).mean() * 100) for g in (45.0, 60.0, 70.0)},
        "mean": float(doses.mean()), "max": float(doses.max()), "min": float(doses.min()), "voxels": int(mask.sum()),
        "centroid": [float(c) for c in np.argwhere(mask).mean(axis=0)],
        "faces": [int(mask[0].sum()), int(mask[-1].sum()), int(mask[:, 0].sum()), int(mask[:, -1].sum()),
                  int(mask[:, :, 0].sum()), int(mask[:, :, -1].sum())],
    }
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "dosimetry_reference.json"), "w") as handle:
        json.dump(out, handle)
        handle.write("\n")


if __name__ == "__main__":
    main()
