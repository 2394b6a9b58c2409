#!/usr/bin/env python3
"""Small cases in the pipeline's format for the DoseCase tests, and what NumPy says about them.

Writes, next to this script:
  cases/*.npz      the same case stored every way that must not change its identity
                   (deflated / stored, big-endian + Fortran order, members reordered, metadata
                   pickled by numpy 2.x protocol 4 and — when /usr/bin/python3 has numpy 1.x —
                   by numpy 1.x protocol 3), plus cases whose identity or facts must differ
  expected.json    per file: case id, format version, spacing, channel voxel counts, plan type
                   stored and implied, every array's {dtype, shape, sha256} where sha256 is
                   SHA-256 of np.ascontiguousarray(a.astype(a.dtype.newbyteorder('<'))).tobytes(),
                   the metadata's canonical JSON and its SHA-256, and the case hash.

Run with the pyenv python3 (numpy 2.x): python3 Tests/DoseCaseTests/Fixtures/make_case_fixtures.py
It re-invokes itself under /usr/bin/python3 (numpy 1.x) for the numpy-1 file when available.
"""
import hashlib
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
sys.path.insert(0, os.path.join(HERE, "..", "..", "NumpyFormatTests", "Fixtures", "pickle"))
from make_pickle_fixtures import canonical_json  # noqa: E402  (the one Python reference for canonical JSON)

SHAPE = (6, 7, 5)
CHANNELS = ["PTV70", "PTV56", "Prostate", "Rectum", "Bladder", "Femur_L", "Femur_R", "Bowel", "PTV50.4"]


def arrays(channels=9, ptv56=True, ptv50=True):
    y, x, z = np.indices(SHAPE)
    masks = np.zeros((channels,) + SHAPE, np.uint8)
    masks[0] = (abs(y - 3) <= 1) & (abs(x - 3) <= 1) & (abs(z - 2) <= 1)
    if ptv56:
        masks[1] = (abs(y - 3) <= 2) & (abs(x - 3) <= 2) & (abs(z - 2) <= 2) & (masks[0] == 0)
    masks[2] = (y == 3) & (x == 3)
    masks[3] = (y == 5) & (x == 3)
    masks[4] = (y == 1) & (x >= 2) & (x <= 4)
    masks[5] = (x == 6) & (y >= 2) & (y <= 4)   # larger column index = patient left
    masks[6] = (x == 0) & (y >= 2) & (y <= 4)
    masks[7] = (y == 0) & (z == 4)
    if channels > 8 and ptv50:
        masks[8] = (abs(y - 3) <= 2) & (z >= 3)
    sdf = np.where(masks > 0, -0.04, 0.04).astype(np.float32)
    ct = (np.linspace(-1000, 1500, np.prod(SHAPE)).reshape(SHAPE) / 4000 + 0.5).astype(np.float32)
    dose = np.exp(-((y - 3.0) ** 2 + (x - 3.0) ** 2 + (z - 2.0) ** 2) / 6).astype(np.float32)
    constraints = np.array([1, 0.8, 0.72, 0.5, 0.35, 0.2, 75 / 70, 0.5, 0.35, 0.25, 0.1, 0.39, 45 / 70], np.float32)
    return dict(ct=ct, masks=masks, dose=dose, constraints=constraints, masks_sdf=sdf)


def metadata_v24(case_id="fixture_0001"):
    return {
        "case_id": case_id,
        "processed_date": "2025-02-03T04:05:06",
        "script_version": "2.4.0",
        "prescription_info": {"primary_dose": 70.0, "fractions": 28, "dose_per_fraction": 2.5,
                              "source": "DoseReferenceSequence"},
        "case_type": {"type": "sib_3level", "ptv70_exists": np.bool_(True), "ptv56_exists": np.bool_(True),
                      "ptv50_exists": np.bool_(True)},
        "normalization_dose_gy": np.float64(70.0),
        "voxel_spacing_mm": (np.float64(1.1), 1.1, 2.5),
        "volume_shape": SHAPE,
        "crop_box": {"y_start": np.int64(100), "y_end": 106, "x_start": 90, "x_end": 97, "z_start": 3, "z_end": 8,
                     "centroid_voxel": (103, 93, 5)},
        "sdf_clip_mm": 50.0,
        "structure_channels": {i: name for i, name in enumerate(CHANNELS)},
        "dvh_validation": {"PTV70": {"D95": 67.1, "passed": np.bool_(True)}},
        "beam_geometry": [{"gantry_start_deg": 181.0, "gantry_end_deg": 179.0, "n_control_points": 178}],
    }


def save(name, members, compressed=True):
    path = os.path.join(CASES, name)
    (np.savez_compressed if compressed else np.savez)(path, **members)
    return path


def with_metadata(members, metadata):
    members = dict(members)
    members["metadata"] = np.array(metadata, dtype=object)
    return members


def describe(path, file_stem):
    """What NumPy (and the spec's rules, applied in Python) say about a written case."""
    with np.load(path, allow_pickle=True) as z:
        out_arrays = {}
        metadata = None
        for key in z.files:
            a = z[key]
            if key == "metadata":
                metadata = a.item()
                continue
            canonical = np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<")))
            out_arrays[key] = {"dtype": canonical.dtype.str, "shape": list(a.shape),
                               "sha256": hashlib.sha256(canonical.tobytes()).hexdigest()}
        masks = z["masks"] if "masks" in z.files else None
    metadata_json = canonical_json(metadata) if metadata is not None else None
    metadata_sha = hashlib.sha256(metadata_json.encode("utf-8")).hexdigest() if metadata_json else None
    case_json = canonical_json({"arrays": out_arrays, "metadata": metadata_sha})
    counts = [int(np.count_nonzero(m)) for m in masks] if masks is not None else []
    channel_names = ([metadata["structure_channels"][i] for i in range(len(counts))]
                     if metadata and "structure_channels" in metadata else CHANNELS[:len(counts)])
    present = {name: counts[i] > 0 for i, name in enumerate(channel_names)}
    implied = {(True, True): "sib_3level", (True, False): "sib_2level", (False, True): "nodal_only",
               (False, False): "single_rx"}[(present.get("PTV56", False), present.get("PTV50.4", False))]
    case_id = (metadata or {}).get("case_id") or file_stem
    return {
        "caseId": case_id,
        "arrays": out_arrays,
        "metadataCanonicalJSON": metadata_json,
        "metadataSHA256": metadata_sha,
        "caseCanonicalJSON": case_json,
        "caseHash": hashlib.sha256(case_json.encode("utf-8")).hexdigest(),
        "channelVoxelCounts": counts,
        "impliedPlanType": implied,
        "storedPlanType": ((metadata or {}).get("case_type") or {}).get("type"),
    }


class RunsACommand:
    """Unpickling this calls os.system: what a hostile metadata member would carry."""

    def __reduce__(self):
        return (os.system, ("touch /tmp/dosecurate-pwned-by-metadata",))


def write_malicious_metadata_case():
    """A case whose metadata pickle calls os.system. Written by hand (numpy would refuse to save
    it only if asked to pickle; here the member bytes are built directly), never loaded here."""
    import pickle
    import zipfile
    members = arrays()
    payload = pickle.dumps(RunsACommand(), protocol=4)
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (), }"
    header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
    npy = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin1") + payload
    path = os.path.join(CASES, "malicious_metadata.npz")
    np.savez_compressed(path, **members)
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("metadata.npy", date_time=(1980, 1, 1, 0, 0, 0))
        archive.writestr(info, npy)


def write_numpy1_variant():
    """Runs under numpy 1.x: the same case, metadata pickled with numpy.core spellings."""
    save("same_numpy1_protocol3.npz", with_metadata(arrays(), metadata_v24()))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--numpy1":
        write_numpy1_variant()
        return
    os.makedirs(CASES, exist_ok=True)
    for name in os.listdir(CASES):
        os.remove(os.path.join(CASES, name))
    base = arrays()
    meta = metadata_v24()
    save("base.npz", with_metadata(base, meta))
    save("same_stored.npz", with_metadata(base, meta), compressed=False)
    swapped = {k: np.asfortranarray(v.astype(v.dtype.newbyteorder(">"))) for k, v in base.items()}
    save("same_bigendian_fortran.npz", with_metadata(swapped, meta))
    reordered = {"metadata": np.array(meta, dtype=object)}
    for key in ["masks_sdf", "dose", "constraints", "masks", "ct"]:
        reordered[key] = base[key]
    save("same_reordered.npz", reordered)
    if subprocess.run(["/usr/bin/python3", "-c", "import numpy; assert numpy.__version__ < '2'"],
                      capture_output=True).returncode == 0:
        subprocess.run(["/usr/bin/python3", os.path.abspath(__file__), "--numpy1"], check=True)
    changed = dict(base)
    changed["dose"] = base["dose"].copy()
    changed["dose"][3, 3, 2] += np.float32(1e-3)
    save("changed_one_voxel.npz", with_metadata(changed, meta))
    save("changed_metadata.npz", with_metadata(base, dict(meta, processed_date="2025-02-03T04:05:07")))
    # v2.3-style case: 8 channels, bool masks, PTV56 present but stored as single_rx (the
    # mislabel the audit exists for), no case_id (id falls back to the file name).
    v23 = arrays(channels=8, ptv50=False)
    v23["masks"] = v23["masks"].astype(np.bool_)
    v23["masks_sdf"] = v23["masks_sdf"][:8]
    meta23 = {k: v for k, v in metadata_v24().items() if k not in ("dvh_validation", "case_id")}
    meta23.update(script_version="2.3.0", structure_channels={i: n for i, n in enumerate(CHANNELS[:8])},
                  case_type={"type": "single_rx", "ptv70_exists": True, "ptv56_exists": False, "ptv50_exists": False})
    save("v23_mislabelled_no_id.npz", with_metadata(v23, meta23))
    # Legacy v2.0: numpy.savez, no SDF, no script_version, no spacing (falls back to 1×1×2 mm).
    legacy = {k: v for k, v in arrays(channels=8, ptv56=False, ptv50=False).items() if k != "masks_sdf"}
    save("legacy_v20.npz", with_metadata(legacy, {"case_id": "legacy_0007", "normalization_dose_gy": 72.0,
                                                  "prescription_info": {"primary_dose": 72.0, "fractions": 36}}),
         compressed=False)
    write_malicious_metadata_case()
    expected = {name: describe(os.path.join(CASES, name), name[:-4])
                for name in sorted(os.listdir(CASES)) if not name.startswith("malicious")}
    expected["_numpy_version"] = np.__version__
    with open(os.path.join(HERE, "expected.json"), "w") as handle:
        json.dump(expected, handle, indent=1, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main()
