"""The package against what the real tool writes: a two-case phantom cohort frozen, split and
exported by the `dosecurate` binary ($DOSECURATE_BINARY, else the repository's debug build; skipped
when neither exists), read by PinnedCache under a run record pinning it; the example trainer run
on it for three steps; its weights read back by the engine (`dosecurate model forward`)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

import numpy as np
import torch

from dosecurate_torch import PinMismatchError, PinnedCache, load_weights
from fixtures import CHANNELS, REPOSITORY

BINARY = os.environ.get("DOSECURATE_BINARY") or os.path.join(REPOSITORY, ".build", "debug", "dosecurate")
EXAMPLE = os.path.join(REPOSITORY, "python", "examples", "train_torch.py")


def dosecurate(workspace, *arguments):
    result = subprocess.run([BINARY, *arguments], cwd=workspace, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"dosecurate {' '.join(arguments)} exited {result.returncode}: {result.stderr}")
    return result.stdout


@unittest.skipUnless(os.access(BINARY, os.X_OK), f"no dosecurate binary at {BINARY} (swift build, or set DOSECURATE_BINARY)")
class EngineCacheTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="dosecurate-torch-")
        workspace = cls.workspace = os.path.join(cls.folder, "workspace")
        os.makedirs(workspace)
        dosecurate(workspace, "phantoms", "--cases", "2", "cohort", "--quiet")
        dosecurate(workspace, "freeze", "cohort", "--quiet")
        (dataset,) = [name[:-len(".json")] for name in os.listdir(os.path.join(workspace, "datasets"))]
        dosecurate(workspace, "split", "lock", "main", "--dataset", dataset, "--ratios", "1/1/0", "--quiet")
        cls.cache = os.path.join(workspace, "cache.h5")
        dosecurate(workspace, "export", "--dataset", dataset, "--split", "main", "--format", "hdf5", cls.cache, "--quiet")
        with open(os.path.join(workspace, "splits", "main@1.json"), encoding="utf-8") as handle:
            cls.split_record = json.load(handle)
        cls.dataset = dataset
        version, revision = dataset.split("@")
        cls.run_folder = os.path.join(workspace, "runs", "torch-test")
        os.makedirs(cls.run_folder)
        cls.run_record = {"schema": "dosecurate/run/2", "runId": "torch-test", "datasetVersion": version, "datasetRevision": int(revision),
                          "split": {"name": "main", "revision": 1, "hash": cls.split_record["hash"]}}
        cls.run_json = os.path.join(cls.run_folder, "run.json")
        with open(cls.run_json, "w", encoding="utf-8") as handle:
            json.dump(cls.run_record, handle)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder)

    def test_the_engines_cache_reads_as_its_docstring_says(self):
        cache = PinnedCache(self.cache, roles=("train", "val"), run_json=self.run_json)
        roles = {case["caseId"]: case["role"] for case in self.split_record["identity"]["cases"]}
        self.assertEqual(dict(zip(cache.case_ids, cache.roles)), roles)
        self.assertEqual((cache.channels, cache.dataset_version, cache.split, cache.resample), (CHANNELS, self.dataset, "main@1", 1))
        for case in cache:
            input, dose, masks = case["input"], case["dose"], case["masks"]
            self.assertEqual(input.dtype, torch.float32)
            self.assertEqual((input.shape[0], tuple(dose.shape[1:]), masks.shape[0]), (10, tuple(input.shape[1:]), 9))
            self.assertTrue(0.25 <= input[0].min().item() and input[0].max().item() <= 1.25, "CT scaled into [0.25, 1.25]")
            for structure in range(9):
                if CHANNELS[structure + 1] in case["filled_channels"]:
                    self.assertTrue((input[structure + 1] == 0).all())
                else:
                    sdf = input[structure + 1]
                    self.assertTrue(torch.equal(sdf < 0, masks[structure].bool()), f"{CHANNELS[structure + 1]}: negative inside")
                    self.assertTrue(sdf.abs().max().item() <= 1, "SDF capped at 50 mm, divided by 50")
            ptv70_dose_gy = dose[0][masks[0].bool()].mean().item() * 70
            self.assertAlmostEqual(ptv70_dose_gy, 70, delta=7, msg="dose × 70 reads Gy; PTV70 receives about 70 Gy")
            self.assertEqual(tuple(case["constraints"].shape), (13,))

    def test_a_run_pinning_another_split_revision_refuses_the_cache(self):
        other = dict(self.run_record, split={"name": "main", "revision": 2, "hash": "f" * 64})
        path = os.path.join(self.folder, "other-run.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(other, handle)
        with self.assertRaises(PinMismatchError) as caught:
            PinnedCache(self.cache, run_json=path)
        self.assertIn("main@2", caught.exception.expected)
        self.assertIn("main@1", caught.exception.found)

    def test_the_example_trains_and_writes_weights_the_engine_reads(self):
        environment = {"DOSECURATE_TRAIN_CACHE": self.cache, "DOSECURATE_RUN_DIR": self.run_folder, "DOSECURATE_DATASET": self.dataset,
                       "PYTHONPATH": os.path.join(REPOSITORY, "python")}
        with mock.patch.dict(os.environ, environment):
            # 6 patches of the one training case, 2 a step: the 3 steps are one epoch, validated once.
            result = subprocess.run([sys.executable, EXAMPLE, "--steps", "3", "--patches-per-volume", "6"], capture_output=True, text=True,
                                    timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(self.run_folder, "metrics.csv"), encoding="utf-8") as handle:
            rows = handle.read().splitlines()
        self.assertEqual(rows[0].split(","), ["epoch", "step", "learning_rate", "train_loss", "gradient_norm", "seconds", "val_mae_gy",
                                              "val_ptv70_mae_gy", "val_ptv70_d95_error_gy", "val_ptv70_abs_d95_error_gy", "best",
                                              "read_seconds", "forward_seconds", "backward_seconds", "optimizer_seconds",
                                              "validation_seconds"])
        self.assertEqual(len(rows), 2)
        row = dict(zip(rows[0].split(","), rows[1].split(",")))
        self.assertEqual((row["epoch"], row["step"], row["best"]), ("1", "3", "1"))
        self.assertGreater(float(row["val_mae_gy"]), 0)
        weights = os.path.join(self.run_folder, "checkpoints", "best.safetensors")
        model = load_weights(weights).eval()
        x = torch.rand(1, 10, 16, 16, 16)
        constraints = torch.rand(1, 13)
        arrays, output = os.path.join(self.folder, "x.npz"), os.path.join(self.folder, "y.npz")
        np.savez(arrays, x=x.numpy(), constraints=constraints.numpy())
        dosecurate(self.workspace, "model", "forward", "--weights", weights, "--input", arrays, "--output", output)
        engine_y = torch.from_numpy(np.load(output)["y"])
        with torch.no_grad():
            torch_y = model(x, constraints)
        self.assertLessEqual((engine_y - torch_y).abs().max().item(), 1e-4 * torch_y.abs().max().item())


if __name__ == "__main__":
    unittest.main()
