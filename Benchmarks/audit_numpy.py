#!/usr/bin/env python3
"""The audit done the obvious way in NumPy, for `make bench` to time against `dosecurate audit`:
load every array of each case, SHA-256 its canonical bytes, and run the same clinical checks
(CT range and air level, dose range, normalisation, required structures, truncation shares,
registration, PTV D95 with the 1 mm / 2 mm erosion diagnosis, femur centroids, plan-type dose
medians, SDF/mask agreement). Cases are processed one after another, as a script would.

Usage: audit_numpy.py CASE.npz...   (prints one line per case and the elapsed seconds)
"""
import hashlib
import sys
import time

import numpy as np
from scipy import ndimage

LEVELS = {"PTV70": (70.0, 66.5), "PTV56": (56.0, 53.2), "PTV50.4": (50.4, 47.88)}


def ball(radius, spacing):
    reach = [int(np.floor(radius / s)) for s in spacing]
    offsets = np.indices([2 * r + 1 for r in reach]).reshape(3, -1).T - np.array(reach)
    inside = np.sqrt(((offsets * np.array(spacing)) ** 2).sum(axis=1)) <= radius + 1e-9
    structure = np.zeros([2 * r + 1 for r in reach], dtype=bool)
    structure[tuple((offsets[inside] + np.array(reach)).T)] = True
    return structure


def d95(doses):
    return float(np.percentile(doses, 5, method="lower")) if doses.size else float("nan")


def audit(path):
    findings = []
    with np.load(path, allow_pickle=True) as archive:
        arrays = {key: archive[key] for key in archive.files}
    for key, array in arrays.items():
        if array.dtype != object:
            hashlib.sha256(np.ascontiguousarray(array.astype(array.dtype.newbyteorder("<"))).tobytes()).hexdigest()
    metadata = arrays["metadata"].item()
    spacing = tuple(metadata.get("voxel_spacing_mm") or metadata.get("target_spacing_mm") or (1, 1, 2))
    names = {int(k): v for k, v in metadata.get("structure_channels", {}).items()}
    ct, dose, masks, sdf = arrays["ct"], arrays["dose"], arrays["masks"].astype(bool), arrays["masks_sdf"]
    scale = float(metadata.get("normalization_dose_gy", 70.0))
    finite = [int((~np.isfinite(a)).sum()) for a in (ct, dose, sdf)]
    if any(finite):
        findings.append("values.finite")
    air, median = np.percentile(ct, [1, 50])
    if abs(air - 0.506) < 0.03 and median > 0.62 or ct.min() < 0.2 or ct.max() > 1.3:
        findings.append("ct.range")
    if dose.min() < -0.01 or dose.max() >= 1.5:
        findings.append("dose.range")
    if abs(scale - 70) > 1:
        findings.append("dose.normalization")
    structures = {names.get(i, str(i)): masks[i] for i in range(masks.shape[0])}
    for name in ("PTV70", "Prostate", "Rectum", "Bladder"):
        if name not in structures or not structures[name].any():
            findings.append("structures.required")
    for name, mask in structures.items():
        count = mask.sum()
        if count:
            faces = [mask[0].sum(), mask[-1].sum(), mask[:, 0].sum(), mask[:, -1].sum(), mask[:, :, 0].sum(), mask[:, :, -1].sum()]
            if max(faces) / count > 0.05:
                findings.append("structures.truncation")
    targets = np.zeros(dose.shape, dtype=bool)
    for name in LEVELS:
        if name in structures:
            targets |= structures[name]
    if dose[targets].mean() <= dose[~targets].mean() or not 0.85 <= dose[structures["PTV70"]].mean() <= 1.15:
        findings.append("dose.registration")
    for name, (_, warn) in LEVELS.items():
        mask = structures.get(name)
        if mask is None or not mask.any():
            continue
        value = d95(dose[mask] * scale)
        if value < warn:
            eroded = [d95(dose[ndimage.binary_erosion(mask, structure=ball(r, spacing))] * scale) for r in (1.0, 2.0)]
            findings.append(f"dose.ptv_d95 {value:.1f} {eroded}")
    left, right = structures.get("Femur_L"), structures.get("Femur_R")
    if left is not None and right is not None and left.any() and right.any():
        if np.argwhere(left)[:, 1].mean() <= np.argwhere(right)[:, 1].mean():
            findings.append("labels.femur_laterality")
        for femur in (left, right):
            (ct[femur] > 0.5375).mean()
    for name, higher in (("PTV56", ["PTV70"]), ("PTV50.4", ["PTV70", "PTV56"])):
        mask = structures.get(name)
        if mask is not None and mask.any():
            region = mask.copy()
            for other in higher:
                region &= ~structures[other]
            np.median(dose[region] * scale / 70)
    for index in range(masks.shape[0]):
        disagree = int(((sdf[index] < 0) != masks[index]).sum())
        if masks[index].any() and disagree > 0:
            findings.append("sdf.consistency")
    return findings


def main():
    start = time.perf_counter()
    for path in sys.argv[1:]:
        print(path, audit(path))
    print(f"seconds {time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main()
