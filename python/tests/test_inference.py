"""external_air: the air around the patient, found as the engine finds it (ExternalAirTests)."""
import unittest

import torch

from dosecurate_torch import EXTERNAL_AIR_THRESHOLD, external_air

AIR, TISSUE = 0.25, 0.5  # −1000 HU and 0 HU in the case format's CT scale


class ExternalAirTests(unittest.TestCase):
    def test_air_reaching_a_face_is_outside_and_gas_inside_is_not(self):
        # The engine test's phantom: a tissue block with an enclosed gas pocket, a second pocket
        # joined to a face by a one-voxel channel, and a −499 HU voxel on a face.
        ct = torch.full((7, 8, 6), AIR)
        ct[1:6, 1:7, 1:5] = TISSUE
        ct[3, 3, 2] = AIR
        ct[3, 5, 2] = ct[3, 6, 2] = AIR
        ct[1, 2, 0] = -499 / 4000 + 0.5
        outside = external_air(ct)
        self.assertEqual(outside.dtype, torch.bool)
        self.assertFalse(outside[3, 3, 2])
        self.assertTrue(outside[3, 5, 2] and outside[3, 6, 2])
        self.assertFalse(outside[1, 2, 0])
        self.assertEqual(int(outside.sum()), ct.numel() - 5 * 6 * 4 + 2 - 1)

    def test_threshold_is_minus_500_hu(self):
        self.assertAlmostEqual(EXTERNAL_AIR_THRESHOLD, 0.375)
        ct = torch.full((3, 3, 3), TISSUE)
        ct[0, 0, 0] = EXTERNAL_AIR_THRESHOLD
        ct[2, 2, 2] = EXTERNAL_AIR_THRESHOLD - 1e-3
        self.assertEqual(external_air(ct).nonzero().tolist(), [[2, 2, 2]])


if __name__ == "__main__":
    unittest.main()
