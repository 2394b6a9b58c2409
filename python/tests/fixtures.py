"""Small training caches and run records for the tests, written with h5py in the engine's layout
(Sources/Engine/Cache/TrainingCacheFile.swift), and the paths of the repository's shared fixtures."""
import hashlib
import json
import os

import h5py
import numpy as np

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENGINE_FIXTURES = os.path.join(REPOSITORY, "Tests", "EngineTests", "Fixtures")
SUPPORT_FIXTURES = os.path.join(REPOSITORY, "Tests", "SupportTests", "Fixtures")

CHANNELS = ["CT", "PTV70", "PTV56", "Prostate", "Rectum", "Bladder", "Femur_L", "Femur_R", "Bowel", "PTV50.4"]
DATASET_VERSION, DATASET_REVISION = "dsv-0123456789abcdef", 1
SPLIT_NAME, SPLIT_REVISION = "main", 2
SPLIT_IDENTITY = '{"cases":[{"caseId":"case_a","role":"train"}],"datasetVersion":"dsv-0123456789abcdef"}'
EXTENT = (12, 10, 8)


def case_arrays(seed):
    """A case's input (10, Y, X, Z), dose (Y, X, Z) and masks (9, Y, X, Z): CT = column + 1,
    Femur_L on the patient's left (columns ≥ 5), Femur_R on the right, dose rising with the row."""
    random = np.random.default_rng(seed)
    rows, columns, slices = EXTENT
    input = random.uniform(-1, 1, size=(len(CHANNELS),) + EXTENT).astype(np.float32)
    input[0] = (np.arange(columns, dtype=np.float32) + 1)[None, :, None]
    input[6] = np.where(np.arange(columns) >= 5, -0.5, 0.5)[None, :, None]
    input[7] = -input[6]
    dose = np.broadcast_to((np.arange(rows, dtype=np.float32) * 0.05)[:, None, None], EXTENT).copy()
    masks = (input[1:] < 0).astype(np.uint8)
    return input, dose, masks


def write_cache(path, roles=(("case_a", "train"), ("case_b", "val"), ("case_c", "train")), split_identity=SPLIT_IDENTITY,
                dataset=f"{DATASET_VERSION}@{DATASET_REVISION}", split=f"{SPLIT_NAME}@{SPLIT_REVISION}", channels=CHANNELS):
    """A cache of the given (case id, role) pairs, each case from ``case_arrays`` seeded by its position."""
    with h5py.File(path, "w") as file:
        for seed, (case_id, role) in enumerate(roles):
            input, dose, masks = case_arrays(seed)
            group = file.create_group(f"cases/{case_id}")
            group["input"], group["dose"], group["masks"] = input, dose, masks
            group.attrs["role"], group.attrs["case_hash"] = role, f"hash-{case_id}"
            group.attrs["filled_channels"] = "[]"
            group.attrs["constraints"] = np.linspace(0, 1.2, 13, dtype=np.float32) + seed
        attributes = {"format": "dosecurate training cache 1", "dataset_version": dataset, "dataset_identity": "{}", "split": split,
                      "split_identity": split_identity, "channels": json.dumps(channels),
                      "case_ids": json.dumps([case_id for case_id, _ in roles]), "resample": "1"}
        for key, value in attributes.items():
            file.attrs[key] = value


def write_run_json(folder, split_identity=SPLIT_IDENTITY, schema="dosecurate/run/2", dataset_revision=DATASET_REVISION,
                   split_revision=SPLIT_REVISION):
    """``folder/run.json`` pinning the cache ``write_cache`` writes (or what the arguments change)."""
    os.makedirs(folder, exist_ok=True)
    record = {"schema": schema, "runId": "run-test", "datasetVersion": DATASET_VERSION, "datasetRevision": dataset_revision,
              "split": {"name": SPLIT_NAME, "revision": split_revision, "hash": hashlib.sha256(split_identity.encode()).hexdigest()},
              "hash": "0" * 64, "context": {}}
    path = os.path.join(folder, "run.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
    return path
