#!/usr/bin/env python3
"""Reads a phantom cohort back with NumPy, independently of dosecurate, and checks every clean
case against the format spec and the clinical acceptance tables (../shared/spec).

Usage: check_cohort_with_numpy.py COHORT_DIR
Prints one JSON object: {"files": {FILE: {...measurements...}}, "violations": [TEXT...]}.
Exit status 0 when every clean case meets every rule, 1 otherwise. PhantomsTests runs it on a
freshly generated cohort and also compares the array hashes it prints with dosecurate's own.
Files whose planted defect makes NumPy refuse them (truncated, malicious pickle) are opened the
safe way (allow_pickle=False) and must fail to load as the defect says.
"""
import hashlib
import json
import os
import sys
import zipfile

import numpy as np

STANDARD = ["PTV70", "PTV56", "Prostate", "Rectum", "Bladder", "Femur_L", "Femur_R", "Bowel", "PTV50.4"]
LEVELS = {"PTV70": 70.0, "PTV56": 56.0, "PTV50.4": 50.4}
# spec/dosimetry.md, both acceptance tables.
PTV_RULES = {"PTV70": (66.5, 74.9), "PTV56": (53.2, 59.92), "PTV50.4": (47.88, 53.928)}
OAR_RULES = {
    "Rectum": [("V70", 15), ("V60", 25), ("V50", 50), ("Dmax", 75)],
    "Bladder": [("V70", 25), ("V60", 35), ("V50", 50), ("Dmax", 75)],
    "Femur_L": [("Dmax", 50), ("V50", 5)],
    "Femur_R": [("Dmax", 50), ("V50", 5)],
    "Bowel": [("Dmax", 52), ("V45cc", 195)],
}


def array_hash(array):
    canonical = np.ascontiguousarray(array.astype(array.dtype.newbyteorder("<")))
    return hashlib.sha256(canonical.tobytes()).hexdigest()


def d_percent(doses, covering):
    return float(np.percentile(doses, 100 - covering, method="lower"))


def measure(path, entry):
    out = {"loaded": False}
    defects = entry["defects"]
    if "truncated_file" in defects:
        try:
            zipfile.ZipFile(path)
            out["error"] = "opened"
        except zipfile.BadZipFile as error:
            out["error"] = "BadZipFile: %s" % error
        return out
    safe = "malicious_pickle" in defects
    with np.load(path, allow_pickle=not safe) as archive:
        arrays = {key: archive[key] for key in archive.files if key != "metadata"}
        if safe:
            try:
                archive["metadata"]
                out["metadata_refused"] = False
            except ValueError:
                out["metadata_refused"] = True
            metadata = None
        else:
            metadata = archive["metadata"].item() if "metadata" in archive.files else None
    out["loaded"] = True
    out["arrays"] = {k: {"dtype": v.dtype.str, "shape": list(v.shape), "sha256": array_hash(v)} for k, v in arrays.items()}
    if metadata is None or "dose" not in arrays or arrays["dose"].shape != arrays["ct"].shape:
        return out
    masks = arrays["masks"].astype(bool)
    names = [metadata["structure_channels"][i] for i in range(masks.shape[0])]
    spacing = metadata.get("voxel_spacing_mm") or metadata.get("target_spacing_mm")
    voxel_cc = float(np.prod(spacing)) / 1000
    dose = arrays["dose"].astype(np.float64) * 70.0
    ct = arrays["ct"]
    out["ct_min"] = float(ct.min())
    out["ct_max"] = float(ct.max())
    out["normalization_dose_gy"] = metadata["normalization_dose_gy"]
    out["stored_plan_type"] = metadata["case_type"]["type"]
    present = {name: bool(masks[i].any()) for i, name in enumerate(names)}
    ptv56, ptv50 = present.get("PTV56", False), present.get("PTV50.4", False)
    out["implied_plan_type"] = {(True, True): "sib_3level", (True, False): "sib_2level",
                                (False, True): "nodal_only", (False, False): "single_rx"}[(ptv56, ptv50)]
    out["constraints_0_3"] = [float(x) for x in arrays["constraints"][:3]]
    structures = {}
    for i, name in enumerate(names):
        mask = masks[i]
        if not mask.any():
            structures[name] = {"voxels": 0}
            continue
        doses = np.sort(dose[mask])
        columns = np.nonzero(mask)[1]
        info = {"voxels": int(mask.sum()), "centroid_column": float(columns.mean()), "Dmax": float(doses.max()),
                "Dmean": float(doses.mean()), "D95": d_percent(doses, 95)}
        for gy in (70, 60, 50, 45):
            info["V%d" % gy] = 100.0 * float((doses >= gy).sum()) / doses.size
        info["V45cc"] = float((doses >= 45).sum()) * voxel_cc
        if name in LEVELS:
            info["V100"] = 100.0 * float((doses >= LEVELS[name]).sum()) / doses.size
            info["V95"] = 100.0 * float((doses >= 0.95 * LEVELS[name]).sum()) / doses.size
            eroded = arrays["masks_sdf"][i] < -2.0 / 50 if "masks_sdf" in arrays else None
            if eroded is not None and eroded.any():
                info["D95_eroded_2mm"] = d_percent(np.sort(dose[eroded]), 95)
        if "masks_sdf" in arrays:
            info["sdf_disagreement"] = float(((arrays["masks_sdf"][i] < 0) != mask).mean() * mask.size / mask.sum())
        structures[name] = info
    out["structures"] = structures
    absent_values = sorted({float(v) for i, name in enumerate(names) if not present[name] for v in np.unique(arrays["masks_sdf"][i])}) if "masks_sdf" in arrays else []
    out["absent_sdf_values"] = absent_values
    body = dose > 0.01 * 70
    out["bath_percent_body_above_7gy"] = 100.0 * float((dose[body] >= 7).sum()) / body.sum()
    union = masks[[i for i, n in enumerate(names) if n in LEVELS]].any(axis=0)
    out["mean_inside_ptvs"] = float(dose[union].mean())
    out["mean_outside_ptvs"] = float(dose[~union].mean())
    if ptv56:
        only = masks[names.index("PTV56")] & ~masks[0]
        out["ptv56_only_median_norm"] = float(np.median(dose[only] / 70))
    if ptv50:
        only = masks[names.index("PTV50.4")] & ~masks[0]
        if ptv56:
            only &= ~masks[1]
        out["ptv50_only_median_norm"] = float(np.median(dose[only] / 70))
    return out


def clean_violations(file, entry, m):
    problems = []

    def need(condition, text):
        if not condition:
            problems.append("%s: %s" % (file, text))

    need(m.get("loaded"), "not loadable")
    if not m.get("loaded"):
        return problems
    arrays = m["arrays"]
    version = entry["formatVersion"]
    channels = 9 if version == "2.4" else 8
    need(set(arrays) >= {"ct", "dose", "masks", "masks_sdf", "constraints"}, "keys %s" % sorted(arrays))
    need(arrays["ct"]["dtype"] == "<f4" and arrays["dose"]["dtype"] == "<f4", "ct/dose dtype")
    need(arrays["masks"]["dtype"] == "|u1", "masks dtype %s" % arrays["masks"]["dtype"])
    need(arrays["masks"]["shape"] == [channels] + arrays["ct"]["shape"], "masks shape %s" % arrays["masks"]["shape"])
    need(arrays["masks_sdf"]["shape"] == arrays["masks"]["shape"], "sdf shape")
    need(0.25 <= m["ct_min"] < 0.26 and m["ct_max"] <= 1.25, "ct range %.3f..%.3f" % (m["ct_min"], m["ct_max"]))
    need(m["normalization_dose_gy"] == 70.0, "normalization %s" % m["normalization_dose_gy"])
    need(m["implied_plan_type"] == entry["planType"] == m["stored_plan_type"],
         "plan type implied %s, truth %s, stored %s" % (m["implied_plan_type"], entry["planType"], m["stored_plan_type"]))
    s = m["structures"]
    for name, (d95, dmax) in PTV_RULES.items():
        if s.get(name, {}).get("voxels", 0) == 0:
            continue
        info = s[name]
        need(info["V100"] >= 95, "%s V100 %.1f" % (name, info["V100"]))
        need(info["V95"] >= 95, "%s V95 %.1f" % (name, info["V95"]))
        need(info["D95"] >= d95, "%s D95 %.2f" % (name, info["D95"]))
        need(info["Dmax"] <= dmax, "%s Dmax %.2f" % (name, info["Dmax"]))
    for name, rules in OAR_RULES.items():
        info = s.get(name, {})
        need(info.get("voxels", 0) > 0, "%s empty" % name)
        for metric, limit in rules:
            if info.get("voxels", 0):
                need(info[metric] <= limit, "%s %s %.2f > %s" % (name, metric, info[metric], limit))
    need(s["Femur_L"]["centroid_column"] > s["Prostate"]["centroid_column"] > s["Femur_R"]["centroid_column"],
         "femur laterality")
    for name, info in s.items():
        if info.get("voxels", 0):
            need(info["sdf_disagreement"] == 0, "%s sdf disagrees on %.4f" % (name, info["sdf_disagreement"]))
    need(m["absent_sdf_values"] in ([], [0.0] if version == "2.4" else [1.0]), "absent sdf %s" % m["absent_sdf_values"])
    ptv70_mean = s["PTV70"]["Dmean"]
    need(0.85 * 70 <= ptv70_mean <= 1.15 * 70, "PTV70 mean %.1f" % ptv70_mean)
    need(m["mean_inside_ptvs"] > m["mean_outside_ptvs"], "inside/outside means")
    if "ptv56_only_median_norm" in m:
        need(abs(m["ptv56_only_median_norm"] - 0.8) < 0.05, "PTV56-only median %.3f" % m["ptv56_only_median_norm"])
    if "ptv50_only_median_norm" in m:
        need(abs(m["ptv50_only_median_norm"] - 0.72) < 0.05, "PTV50.4-only median %.3f" % m["ptv50_only_median_norm"])
    need(15 <= m["bath_percent_body_above_7gy"] <= 40, "bath %.1f%%" % m["bath_percent_body_above_7gy"])
    return problems


def finite(value):
    """JSON has no NaN: a measurement over a NaN-carrying dose is reported as the string "NaN"."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, float) and value != value:
        return "NaN"
    return value


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "truth.json")) as handle:
        truth = json.load(handle)
    files, violations = {}, []
    for file, entry in sorted(truth["cases"].items()):
        measured = measure(os.path.join(directory, file), entry)
        files[file] = measured
        if not entry["defects"]:
            violations += clean_violations(file, entry, measured)
    json.dump(finite({"files": files, "violations": violations}), sys.stdout, indent=1, sort_keys=True, allow_nan=False)
    sys.stdout.write("\n")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
