"""The seeded generator against the engine's reference numbers, and the patch sampler's promises:
seeded, half the centres in the high-dose region, zero outside the volume, mirrored only along X
with the femur channels swapped. (Draw-for-draw parity with the Swift sampler is
Tests/EngineTests/TorchAdapterParityTests.swift.)"""
import json
import os
import unittest

import numpy as np

from dosecurate_torch import Draw, PatchCentres, PatchSampler, SeededGenerator
from fixtures import SUPPORT_FIXTURES, case_arrays


class SeededGeneratorTests(unittest.TestCase):
    def test_raw_outputs_and_bounded_integers_equal_the_reference(self):
        with open(os.path.join(SUPPORT_FIXTURES, "generator_reference.json"), encoding="utf-8") as handle:
            cases = json.load(handle)["cases"]
        for case in cases:
            generator = SeededGenerator(int(case["seed"]), int(case["stream"]))
            label = f"seed {case['seed']} stream {case['stream']}"
            self.assertEqual([str(generator.next()) for _ in range(8)], case["raw"], label)
            # The reference draws 4 units and 4 Irwin-Hall gaussians (4 + 48 raw outputs) before its integers.
            for _ in range(52):
                generator.next()
            self.assertEqual([generator.next_int(10) for _ in range(8)], case["intsBelow10"], label)

    def test_refuses_values_outside_64_bits(self):
        with self.assertRaises(ValueError):
            SeededGenerator(-1)
        with self.assertRaises(ValueError):
            SeededGenerator(0).next_int(0)


class PatchSamplerTests(unittest.TestCase):
    def setUp(self):
        self.input, self.dose, _ = case_arrays(0)
        self.centres = PatchCentres(self.dose)

    def test_same_seed_same_draws_and_even_draws_centre_above_ten_percent(self):
        sampler = PatchSampler((4, 4, 4), max_shift=0)

        def draws(seed):
            generator = SeededGenerator(seed)
            return [sampler.draw(self.centres, index, generator) for index in range(40)]

        first = draws(1)
        self.assertEqual(first, draws(1))
        self.assertNotEqual(first, draws(2))
        for index, draw in enumerate(first):
            self.assertEqual(draw.high_dose_centre, index % 2 == 0)
            if draw.high_dose_centre:
                self.assertGreater(self.dose[draw.start[0] + 2, 0, 0], 0.1, f"draw {index} centres above 10 % of Rx")
        self.assertTrue(any(not d.high_dose_centre and self.dose[d.start[0] + 2, 0, 0] <= 0.1 for d in first),
                        "uniform centres reach the low-dose rows")

    def test_mirrors_only_along_x_and_keeps_the_left_femur_on_the_patients_left(self):
        sampler = PatchSampler((4, 6, 4))
        plain = sampler.cut(self.input, self.dose, Draw(start=(2, 2, 2), flipped=False, high_dose_centre=False))
        mirrored = sampler.cut(self.input, self.dose, Draw(start=(2, 2, 2), flipped=True, high_dose_centre=False))
        np.testing.assert_array_equal(mirrored[0][0], plain[0][0][:, ::-1, :], "CT mirrored along X only")
        np.testing.assert_array_equal(mirrored[1], plain[1][:, ::-1, :], "dose mirrored along X only")
        np.testing.assert_array_equal(mirrored[0][6], plain[0][7][:, ::-1, :], "Femur_L channel holds the mirrored Femur_R")
        np.testing.assert_array_equal(mirrored[0][7], plain[0][6][:, ::-1, :])
        np.testing.assert_array_equal(mirrored[0][3], plain[0][3][:, ::-1, :], "other structures keep their channel")
        # Femur_L (negative SDF inside) lies at the patch's larger columns, mirrored or not.
        for patch, _ in (plain, mirrored):
            left_columns = np.nonzero((patch[6] < 0).any(axis=(0, 2)))[0]
            right_columns = np.nonzero((patch[7] < 0).any(axis=(0, 2)))[0]
            self.assertGreater(left_columns.min(), right_columns.max())

    def test_patches_are_zero_outside_the_volume(self):
        sampler = PatchSampler((4, 4, 4))
        input_patch, dose_patch = sampler.cut(self.input, self.dose, Draw(start=(-2, 8, 6), flipped=False, high_dose_centre=False))
        self.assertEqual(input_patch.shape, (10, 4, 4, 4))
        self.assertTrue((input_patch[:, :2] == 0).all() and (input_patch[:, :, 2:] == 0).all() and (input_patch[:, :, :, 2:] == 0).all())
        np.testing.assert_array_equal(input_patch[:, 2:, :2, :2], self.input[:, :2, 8:, 6:])
        np.testing.assert_array_equal(dose_patch[2:, :2, :2], self.dose[:2, 8:, 6:])

    def test_epoch_draws_cover_every_volume_and_are_shuffled_by_epoch(self):
        sampler = PatchSampler((4, 4, 4))
        volumes = [self.centres, PatchCentres(np.zeros((6, 6, 6), dtype=np.float32))]
        first = sampler.epoch_draws(volumes, seed=3, epoch=1, patches_per_volume=5)
        self.assertEqual(sorted(volume for volume, _ in first), [0] * 5 + [1] * 5)
        self.assertFalse(any(draw.high_dose_centre for volume, draw in first if volume == 1), "no voxel above 10 % in volume 1")
        self.assertEqual(first, sampler.epoch_draws(volumes, seed=3, epoch=1, patches_per_volume=5))
        self.assertNotEqual(first, sampler.epoch_draws(volumes, seed=3, epoch=2, patches_per_volume=5))
        self.assertNotEqual([volume for volume, _ in first], [0] * 5 + [1] * 5, "shuffled")


if __name__ == "__main__":
    unittest.main()
