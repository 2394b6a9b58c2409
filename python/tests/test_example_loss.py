"""train_torch.py's PTV underdose term: the engine's Loss.ptvUnderdose (LayerTests' hand case)."""
import importlib.util
import os
import unittest

import torch

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "train_torch.py")


def load_example():
    spec = importlib.util.spec_from_file_location("train_torch", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class PTVUnderdoseTests(unittest.TestCase):
    def setUp(self):
        self.example = load_example()
        # 2×1×2 voxels: PTV70 and PTV56, PTV56 only, PTV50.4 only (overdosed), the prostate only.
        channels = torch.ones(10, 4)
        channels[0] = 0.5
        channels[1] = torch.tensor([-0.1, 0.1, 0.3, 0.4])
        channels[2] = torch.tensor([-0.3, -0.05, 0.2, 0.3])
        channels[3] = torch.tensor([-0.2, 0.2, 0.3, -0.1])
        channels[9] = torch.tensor([0.2, 0.1, -0.2, 0.5])
        self.inputs = channels.reshape(1, 10, 2, 1, 2)
        self.target = torch.tensor([1.0, 0.8, 0.72, 0.5]).reshape(1, 1, 2, 1, 2)
        self.predicted = torch.tensor([0.9, 0.6, 0.8, 0.1]).reshape(1, 1, 2, 1, 2).requires_grad_()

    def test_every_target_each_at_its_own_dose(self):
        loss = self.example.ptv_underdose(self.predicted, self.target, self.inputs, "all")
        self.assertAlmostEqual(loss.item(), (0.1 ** 2 + 0.2 ** 2) / 3, places=6)
        loss.backward()
        expected = torch.tensor([-2 * 0.1 / 3, -2 * 0.2 / 3, 0, 0])
        self.assertTrue(torch.allclose(self.predicted.grad.flatten(), expected, atol=1e-7))

    def test_ptv70_only_and_a_missing_channel(self):
        self.assertAlmostEqual(self.example.ptv_underdose(self.predicted, self.target, self.inputs, "ptv70").item(), 0.01, places=6)
        nine = self.inputs[:, :9]
        self.assertAlmostEqual(self.example.ptv_underdose(self.predicted, self.target, nine, "all").item(), (0.1 ** 2 + 0.2 ** 2) / 2, places=6)


if __name__ == "__main__":
    unittest.main()
