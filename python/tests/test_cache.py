"""PinnedCache over a small cache in the engine's layout: refused unless it holds the run's pinned
dataset version and split, whole cases as tensors, an epoch's patches as the sampler cuts them.
(A cache the engine itself wrote is read in test_engine_cache.py.)"""
import os
import tempfile
import unittest
from unittest import mock

import numpy as np
import torch

from dosecurate_torch import CacheLayoutError, FemurChannels, PatchSampler, PinMismatchError, PinnedCache, RunSetupError
from fixtures import CHANNELS, EXTENT, case_arrays, write_cache, write_run_json


class PinnedCacheTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.cache = os.path.join(self.folder.name, "cache.h5")
        self.run_folder = os.path.join(self.folder.name, "run")
        write_cache(self.cache)
        write_run_json(self.run_folder)
        self.environment = mock.patch.dict(os.environ, {"DOSECURATE_TRAIN_CACHE": self.cache, "DOSECURATE_RUN_DIR": self.run_folder})
        self.environment.start()

    def tearDown(self):
        self.environment.stop()
        self.folder.cleanup()

    def test_reads_the_pinned_cases_of_the_roles_asked_in_the_caches_order(self):
        training = PinnedCache()
        self.assertEqual((training.case_ids, training.roles), (["case_a", "case_c"], ["train", "train"]))
        self.assertEqual((training.dataset_version, training.split, training.channels), ("dsv-0123456789abcdef@1", "main@2", CHANNELS))
        both = PinnedCache(roles=("train", "val"))
        self.assertEqual(both.case_ids, ["case_a", "case_b", "case_c"])
        case = both[1]
        input, dose, masks = case_arrays(1)
        self.assertEqual((case["case_id"], case["role"], case["filled_channels"]), ("case_b", "val", []))
        self.assertTrue(torch.equal(case["input"], torch.from_numpy(input)))
        self.assertEqual(tuple(case["dose"].shape), (1,) + EXTENT)
        self.assertTrue(torch.equal(case["masks"], torch.from_numpy(masks)))
        self.assertAlmostEqual(case["constraints"][12].item(), 2.2, places=6)

    def test_a_cache_of_another_split_revision_or_dataset_revision_is_refused_naming_both(self):
        write_run_json(self.run_folder, split_identity='{"cases":[],"datasetVersion":"dsv-0123456789abcdef"}')
        with self.assertRaises(PinMismatchError) as caught:
            PinnedCache()
        message = str(caught.exception)
        self.assertEqual(caught.exception.key, "split")
        self.assertIn(self.cache, message)
        self.assertIn(os.path.join(self.run_folder, "run.json"), message)
        self.assertIn("main@2", message)
        write_run_json(self.run_folder, split_revision=3)
        with self.assertRaises(PinMismatchError) as caught:
            PinnedCache()
        self.assertIn("main@3", str(caught.exception))
        write_run_json(self.run_folder, dataset_revision=2)
        with self.assertRaises(PinMismatchError) as caught:
            PinnedCache()
        self.assertEqual((caught.exception.key, caught.exception.found), ("dataset_version", "dsv-0123456789abcdef@1"))

    def test_without_a_run_record_or_with_an_unknown_one_nothing_is_read(self):
        with mock.patch.dict(os.environ, {"DOSECURATE_RUN_DIR": ""}), self.assertRaises(RunSetupError) as caught:
            PinnedCache()
        self.assertEqual(caught.exception.key, "DOSECURATE_RUN_DIR")
        write_run_json(self.run_folder, schema="dosecurate/run/9")
        with self.assertRaises(RunSetupError) as caught:
            PinnedCache()
        self.assertEqual((caught.exception.key, caught.exception.found), ("schema", "dosecurate/run/9"))

    def test_a_file_that_is_not_a_training_cache_is_refused(self):
        with open(self.cache, "w", encoding="utf-8") as handle:
            handle.write("not hdf5")
        with self.assertRaises(CacheLayoutError):
            PinnedCache()
        write_cache(self.cache, channels=CHANNELS[:9])
        with self.assertRaises(CacheLayoutError) as caught:
            PinnedCache()
        self.assertEqual(caught.exception.key, "cases/case_a/input shape")

    def test_an_epochs_patches_are_the_samplers_cuts_of_the_cached_cases(self):
        training = PinnedCache()
        sampler = PatchSampler((4, 4, 4), max_shift=2)
        epoch = training.patches(sampler, seed=5, epoch=3, patches_per_volume=6)
        self.assertEqual(len(epoch), 12)
        self.assertTrue(any(draw.flipped for _, draw in epoch.draws) and any(not draw.flipped for _, draw in epoch.draws))
        for index, (case_index, draw) in enumerate(epoch.draws):
            input, dose, _ = case_arrays(0 if case_index == 0 else 2)
            expected_input, expected_dose = sampler.cut(input, dose, draw)
            item = epoch[index]
            np.testing.assert_array_equal(item["input"].numpy(), expected_input)
            np.testing.assert_array_equal(item["dose"][0].numpy(), expected_dose)
            self.assertTrue(torch.equal(item["constraints"], training.constraints(case_index)))
        batch = next(iter(torch.utils.data.DataLoader(epoch, batch_size=4)))
        self.assertEqual(tuple(batch["input"].shape), (4, 10, 4, 4, 4))

    def test_a_sampler_whose_femur_channels_are_not_the_femurs_is_refused(self):
        with self.assertRaises(CacheLayoutError) as caught:
            PinnedCache().patches(PatchSampler(4, femur_channels=FemurChannels(5, 6)), seed=0, epoch=1)
        self.assertIn("Bladder and Femur_L", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
