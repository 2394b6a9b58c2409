#!/usr/bin/env python3
"""Reference numbers for a whole case evaluation (reference dose vs prediction), computed with
NumPy/SciPy exactly as the spec defines them, on a small synthetic seeded case.

Case: grid (20, 22, 12), spacing (1.0, 1.2, 2.5) mm, voxel volume = prod(spacing) / 1000 cc.
Stored doses are normalised; Gy = stored.astype(float32) * float32(70) (float32). `dose` is a
seeded reference (70 Gy boost over PTV70, ~56 Gy over PTV56, a low-dose bath, 0 outside an
elliptic body contour) and `pred` is `dose` with smooth errors (a small shift, a smooth relative
error field and a smooth additive one, 0 outside the body). `masks` is uint8 (9, Y, X, Z) in the
channel order PTV70, PTV56, Prostate, Rectum, Bladder, Femur_L, Femur_R, Bowel, PTV50.4:
PTV50.4 is empty (absent structure), Prostate has between 34 and 99 voxels (flagged unreliable
and still large enough that OpenKBP's D0.1cc percentile is >= 0), the rest > 100 voxels, and
Femur_L sits at larger axis-1 indices than Femur_R. Three voxels are set exactly on thresholds
in both doses (70 Gy in PTV70, 45 Gy in Bowel, float32(0.95 * 56) Gy in PTV56; listed in the
JSON as planted_threshold_voxels).

Per non-empty structure, for reference and prediction (doses = Gy values where mask != 0):
  D98, D95, D50, D5, D2 = np.percentile(doses, 100 - x, method='lower'); Dmean =
  doses.mean(dtype=float64); Dmax; Dmin; V70, V60, V50, V45, V40 = 100 * count(doses >= x) / n;
  Bowel: V45cc = count(doses >= 45) * voxel_cc; PTVs (Rx 70 / 56 / 50.4): V100 =
  100 * count(doses >= Rx) / n, V95 = 100 * count(doses >= 0.95 * Rx) / n (0.95 * Rx computed in
  float64); OpenKBP extras (default linear percentile): D0.1cc = np.percentile(doses,
  100 - 100 * max(1, round(100 / voxel_mm3)) / n) for every structure, and for PTVs D99 =
  percentile(doses, 1), D95_openkbp = percentile(doses, 5), D1 = percentile(doses, 99);
  plus voxels n, volumeCC = n * voxel_cc, unreliable = n < 100, maeGy = mean |pred - ref| over
  the mask. Absent structures: {"voxels": 0} only.
Threshold comparisons are done as NumPy compares a float32 array with a Python float (NEP 50):
the threshold is rounded to float32 and compared in float32. |pred_gy - ref_gy| is taken in
float32 (NumPy's pred_gy - ref_gy) and averaged in float64.
MAE: overall (every voxel), body (ref_gy > 0.01 * 70), ge10/ge50/ge90 (ref_gy >= p *
ref_gy.max(), p * max in float32 as NumPy computes a Python float times a float32 scalar).
PTV regions (union of the non-empty PTV channels, grown by 5 mm): "cuboid" =
ndimage.binary_dilation(union, structure=np.ones((2h0+1, 2h1+1, 2h2+1))) with h_i =
max(1, round(5 / spacing_i)); "euclidean" = ndimage.distance_transform_edt(~union,
sampling=spacing) <= 5.0.

Writes, next to this script:
  evaluation_case.npz      (np.savez_compressed) "dose", "pred" (float32 stored values),
                           "masks" (uint8, 9 x shape), "region_cuboid", "region_euclidean" (uint8)
  evaluation_reference.json
Run: python3 Tests/DosimetryTests/Fixtures/make_evaluation_reference.py
"""
import json
import os

import numpy as np
import scipy
from scipy import ndimage

SHAPE = (20, 22, 12)
SPACING = (1.0, 1.2, 2.5)
SCALE_GY = 70.0
CHANNELS = ["PTV70", "PTV56", "Prostate", "Rectum", "Bladder", "Femur_L", "Femur_R", "Bowel",
            "PTV50.4"]
PRESCRIPTION_GY = {"PTV70": 70.0, "PTV56": 56.0, "PTV50.4": 50.4}
D_POINTS = (98, 95, 50, 5, 2)
V_POINTS = (70, 60, 50, 45, 40)
REGION_MARGIN_MM = 5.0
UNRELIABLE_BELOW = 100


def grid_mm():
    axes = [np.arange(n) * s for n, s in zip(SHAPE, SPACING)]
    return np.meshgrid(*axes, indexing="ij")


def ellipsoid(centre_mm, semi_mm):
    y, x, z = grid_mm()
    return sum(((c - c0) / a) ** 2 for c, c0, a in zip((y, x, z), centre_mm, semi_mm)) <= 1.0


def body_contour():
    """An elliptic body cross-section (axes 0 and 1), the same along axis 2."""
    y, x, _ = grid_mm()
    extent = [(n - 1) * s for n, s in zip(SHAPE, SPACING)]
    return (((y - extent[0] / 2) / 11.0) ** 2 + ((x - extent[1] / 2) / 14.5) ** 2) <= 1.0


def make_masks(rng):
    extent = [(n - 1) * s for n, s in zip(SHAPE, SPACING)]  # 19, 25.2, 27.5 mm
    mid = [e / 2 for e in extent]
    masks = np.zeros((len(CHANNELS),) + SHAPE, dtype=np.uint8)
    prostate = ellipsoid((mid[0] - 0.5, mid[1], mid[2]), (2.6, 3.2, 4.5))
    ptv70 = ellipsoid((mid[0] - 0.5, mid[1], mid[2]), (4.8, 5.5, 7.5))
    ptv56 = ellipsoid((mid[0] - 0.5, mid[1], mid[2] + 1.0), (7.0, 8.5, 11.0))
    rectum = ellipsoid((mid[0] + 6.0, mid[1], mid[2] - 1.0), (2.8, 3.6, 11.0))
    bladder = ellipsoid((mid[0] - 5.5, mid[1] + 0.5, mid[2] + 9.0), (3.5, 6.0, 7.0))
    femur_l = ellipsoid((mid[0], extent[1] - 1.8, mid[2] - 2.0), (3.2, 2.6, 10.0))
    femur_r = ellipsoid((mid[0] + 0.5, 1.5, mid[2] - 2.5), (3.0, 2.8, 11.0))
    # Bowel: an irregular blob (thresholded smoothed noise) in the superior-anterior corner.
    noise = ndimage.gaussian_filter(rng.normal(size=SHAPE), sigma=(1.5, 1.5, 0.8))
    y, x, z = grid_mm()
    bowel = ((noise > -0.05) & (z >= extent[2] - 9.0) & (y <= 10.0) & body_contour()
             & ~bladder & ~ptv70)
    for name, mask in [("PTV70", ptv70), ("PTV56", ptv56), ("Prostate", prostate),
                       ("Rectum", rectum), ("Bladder", bladder), ("Femur_L", femur_l),
                       ("Femur_R", femur_r), ("Bowel", bowel)]:
        masks[CHANNELS.index(name)] = mask
    # PTV50.4 stays empty: an absent structure.
    return masks


def sigmoid_inside(mask, width_mm, margin_mm):
    """~1 inside `mask`, ~0 outside, a logistic fall-off centred margin_mm outside the surface
    (signed distance), so the structure is covered."""
    outside = ndimage.distance_transform_edt(~mask, sampling=SPACING)
    inside = ndimage.distance_transform_edt(mask, sampling=SPACING)
    signed = outside - inside
    return 1.0 / (1.0 + np.exp((signed - margin_mm) / width_mm))


def smooth_field(rng, sigma_vox):
    field = ndimage.gaussian_filter(rng.normal(size=SHAPE), sigma=sigma_vox)
    return field / np.abs(field).max()  # smooth, in [-1, 1]


def make_doses(rng, masks):
    y, x, z = grid_mm()
    extent = [(n - 1) * s for n, s in zip(SHAPE, SPACING)]
    body = body_contour()
    ptv70 = masks[CHANNELS.index("PTV70")].astype(bool)
    ptv56 = masks[CHANNELS.index("PTV56")].astype(bool)
    s70 = sigmoid_inside(ptv70, 1.2, 2.0)
    s56 = sigmoid_inside(ptv56, 1.5, 2.5)
    bath = 0.04 + 0.14 * np.exp(-(((y - extent[0] / 2) / 12) ** 2 + ((x - extent[1] / 2) / 14) ** 2))
    variation = smooth_field(rng, (3, 3, 1.5))
    stored = (1.015 * s70 * (1 + 0.025 * variation)
              + (1 - s70) * (0.82 * s56 * (1 + 0.03 * variation)
                             + (1 - s56) * bath * (1 + 0.2 * variation)))
    dose = np.where(body, stored, 0.0).astype(np.float32)

    # Prediction: shifted 1 mm along axis 0, ±4 % smooth relative error, ±1.5 % (of 70 Gy)
    # smooth additive error, clipped at 0 and zero outside the body.
    shifted = ndimage.shift(stored, (1.0 / SPACING[0], 0, 0), order=1, mode="nearest")
    pred = shifted * (1 + 0.04 * smooth_field(rng, (3, 3, 1.5))) + 0.015 * smooth_field(
        rng, (2, 2, 1))
    pred = np.where(body, np.maximum(pred, 0.0), 0.0).astype(np.float32)
    return dose, pred


def stored_for_gy(gy):
    """A float32 stored value whose Gy value (float32 product with 70) is exactly float32(gy)."""
    target = np.float32(gy)
    value = np.float32(gy / SCALE_GY)
    for _ in range(64):
        product = value * np.float32(SCALE_GY)
        if product == target:
            return value
        value = np.nextafter(value, np.float32(np.inf) if product < target else np.float32(0))
    raise ValueError(gy)


def plant_threshold_voxels(masks, dose, pred):
    """Put a few voxels exactly on thresholds (>= must count them): 70 Gy in PTV70, 45 Gy in
    Bowel, float32(0.95 * 56) in PTV56 outside PTV70; the same voxels in both doses."""
    planted = []
    only = {"PTV70": [], "PTV56": ["PTV70"], "Bowel": []}
    for name, gy in (("PTV70", 70.0), ("Bowel", 45.0), ("PTV56", 0.95 * 56.0)):
        inside = masks[CHANNELS.index(name)] != 0
        for other in only[name]:
            inside &= masks[CHANNELS.index(other)] == 0
        index = tuple(np.argwhere(inside)[len(np.argwhere(inside)) // 2])
        dose[index] = pred[index] = stored_for_gy(gy)
        planted.append({"structure": name, "index": [int(i) for i in index], "gy": float(
            np.float32(gy))})
    return planted


def to_gy(stored):
    return stored.astype(np.float32) * np.float32(SCALE_GY)


def count_at_least(doses, gy):
    """count(doses >= gy) with the float32 comparison NumPy does for a float32 array and a
    Python float."""
    return int(np.count_nonzero(doses >= np.float32(gy)))


def dvh_metrics(name, doses, voxel_cc, voxel_mm3):
    n = doses.size
    m = {}
    for x in D_POINTS:
        m[f"D{x}"] = float(np.percentile(doses, 100 - x, method="lower"))
    m["Dmean"] = float(doses.mean(dtype=np.float64))
    m["Dmax"] = float(doses.max())
    m["Dmin"] = float(doses.min())
    for x in V_POINTS:
        m[f"V{x}"] = 100.0 * count_at_least(doses, float(x)) / n
    if name == "Bowel":
        m["V45cc"] = count_at_least(doses, 45.0) * voxel_cc
    if name in PRESCRIPTION_GY:
        rx = PRESCRIPTION_GY[name]
        m["V100"] = 100.0 * count_at_least(doses, rx) / n
        m["V95"] = 100.0 * count_at_least(doses, 0.95 * rx) / n  # 0.95 * rx in float64
    # OpenKBP extras (NumPy's default linear percentile).
    voxels_in_tenth_cc = max(1, round(100 / voxel_mm3))
    m["D0.1cc"] = float(np.percentile(doses, 100 - 100 * voxels_in_tenth_cc / n))
    if name in PRESCRIPTION_GY:
        m["D99"] = float(np.percentile(doses, 1))
        m["D95_openkbp"] = float(np.percentile(doses, 5))
        m["D1"] = float(np.percentile(doses, 99))
    return m


def mae(ref_gy, pred_gy, where):
    if not np.any(where):
        return None
    return float(np.abs(pred_gy[where] - ref_gy[where]).astype(np.float64).mean())


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    rng = np.random.default_rng(2026)
    voxel_mm3 = float(np.prod(SPACING))
    voxel_cc = voxel_mm3 / 1000
    masks = make_masks(rng)
    dose, pred = make_doses(rng, masks)
    planted = plant_threshold_voxels(masks, dose, pred)
    ref_gy, pred_gy = to_gy(dose), to_gy(pred)

    counts = {name: int(np.count_nonzero(masks[i])) for i, name in enumerate(CHANNELS)}
    assert counts["PTV50.4"] == 0
    assert 34 <= counts["Prostate"] <= 99, counts
    assert all(v > 100 for k, v in counts.items() if k not in ("PTV50.4", "Prostate")), counts
    cols = {k: np.argwhere(masks[CHANNELS.index(k)])[:, 1].mean() for k in ("Femur_L", "Femur_R")}
    assert cols["Femur_L"] > cols["Femur_R"], cols

    structures = {}
    for i, name in enumerate(CHANNELS):
        inside = masks[i] != 0
        n = int(np.count_nonzero(inside))
        if n == 0:
            structures[name] = {"voxels": 0}
            continue
        structures[name] = {
            "voxels": n,
            "volumeCC": n * voxel_cc,
            "unreliable": n < UNRELIABLE_BELOW,
            "maeGy": mae(ref_gy, pred_gy, inside),
            "reference": dvh_metrics(name, ref_gy[inside], voxel_cc, voxel_mm3),
            "prediction": dvh_metrics(name, pred_gy[inside], voxel_cc, voxel_mm3),
        }

    peak = ref_gy.max()  # float32 scalar
    errors = {
        "overall": mae(ref_gy, pred_gy, np.ones(SHAPE, dtype=bool)),
        "body": mae(ref_gy, pred_gy, ref_gy > 0.01 * SCALE_GY),
        "ge10": mae(ref_gy, pred_gy, ref_gy >= 0.1 * peak),
        "ge50": mae(ref_gy, pred_gy, ref_gy >= 0.5 * peak),
        "ge90": mae(ref_gy, pred_gy, ref_gy >= 0.9 * peak),
    }
    voxel_counts = {
        "body": int(np.count_nonzero(ref_gy > 0.01 * SCALE_GY)),
        "ge10": int(np.count_nonzero(ref_gy >= 0.1 * peak)),
        "ge50": int(np.count_nonzero(ref_gy >= 0.5 * peak)),
        "ge90": int(np.count_nonzero(ref_gy >= 0.9 * peak)),
    }

    union = np.zeros(SHAPE, dtype=bool)
    for name in PRESCRIPTION_GY:
        channel = masks[CHANNELS.index(name)] != 0
        if channel.any():
            union |= channel
    half = [max(1, round(REGION_MARGIN_MM / s)) for s in SPACING]
    cuboid = ndimage.binary_dilation(union, structure=np.ones([2 * h + 1 for h in half], bool))
    euclidean = ndimage.distance_transform_edt(~union, sampling=SPACING) <= REGION_MARGIN_MM

    np.savez_compressed(os.path.join(here, "evaluation_case.npz"), dose=dose, pred=pred,
                        masks=masks, region_cuboid=cuboid.astype(np.uint8),
                        region_euclidean=euclidean.astype(np.uint8))
    out = {
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "seed": 2026,
        "shape": list(SHAPE),
        "spacing_mm": list(SPACING),
        "voxel_mm3": voxel_mm3,
        "voxel_cc": voxel_cc,
        "scale_gy": SCALE_GY,
        "channels": CHANNELS,
        "prescription_gy": PRESCRIPTION_GY,
        "unreliable_below_voxels": UNRELIABLE_BELOW,
        "npz": {"file": "evaluation_case.npz",
                "dose": "float32 stored (Gy = dose * float32(70))", "pred": "float32 stored",
                "masks": "uint8 (9, Y, X, Z), channel order as 'channels'",
                "region_cuboid": "uint8", "region_euclidean": "uint8"},
        "structures": structures,
        "mae": errors,
        "mae_voxels": voxel_counts,
        "reference_max_gy": float(peak),
        "planted_threshold_voxels": planted,
        "regions": {
            "margin_mm": REGION_MARGIN_MM,
            "ptv_union_voxels": int(np.count_nonzero(union)),
            "cuboid": {"half_widths_voxels": half, "voxels": int(np.count_nonzero(cuboid))},
            "euclidean": {"voxels": int(np.count_nonzero(euclidean))},
        },
    }
    with open(os.path.join(here, "evaluation_reference.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("voxels:", counts)
    print("mae:", errors)
    print("regions:", out["regions"])


if __name__ == "__main__":
    main()
