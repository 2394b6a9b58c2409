"""safetensors read and written by the package's own code, and BaselineUNet3D weights both ways:
files the engine and the safetensors library wrote give PyTorch's reference outputs."""
import json
import os
import struct
import tempfile
import unittest

import numpy as np
import torch

from dosecurate_torch import BaselineUNet3D, SafeTensorsError, WeightsError, load_weights, save_weights
from dosecurate_torch import safetensors
from fixtures import ENGINE_FIXTURES


class SafeTensorsFileTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.folder.name, "file.safetensors")

    def tearDown(self):
        self.folder.cleanup()

    def test_round_trip_keeps_every_dtype_shape_value_and_the_metadata(self):
        tensors = {"weights": torch.randn(3, 4, 5), "counts": torch.arange(7, dtype=torch.int64), "mask": torch.tensor([True, False]),
                   "bytes": np.arange(6, dtype=np.uint8).reshape(2, 3), "scalar": torch.tensor(2.5, dtype=torch.float64),
                   "empty": torch.zeros(0, 3), "half": torch.tensor([1.5, -2.0], dtype=torch.float16)}
        safetensors.save(self.path, tensors, {"dataset_version": "dsv-0123456789abcdef@1", "note": "ünïcode"})
        loaded, metadata = safetensors.load(self.path)
        self.assertEqual(metadata, {"dataset_version": "dsv-0123456789abcdef@1", "note": "ünïcode"})
        self.assertEqual(set(loaded), set(tensors))
        for name, value in tensors.items():
            expected = torch.as_tensor(value)
            self.assertEqual(loaded[name].dtype, expected.dtype, name)
            self.assertTrue(torch.equal(loaded[name], expected), name)

    def test_layout_is_the_formats(self):
        safetensors.save(self.path, {"b": torch.tensor([1.0, 2.0]), "a": torch.tensor([3.0])}, {"k": "v"})
        with open(self.path, "rb") as handle:
            content = handle.read()
        length = struct.unpack("<Q", content[:8])[0]
        self.assertEqual(length % 8, 0, "header padded to 8 bytes")
        header = json.loads(content[8:8 + length])
        self.assertEqual(header["a"], {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "tensors in name order")
        self.assertEqual(header["b"]["data_offsets"], [4, 12])
        self.assertEqual(content[8 + length:], struct.pack("<3f", 3.0, 1.0, 2.0), "raw little-endian data")

    def test_malformed_files_are_refused_naming_the_problem(self):
        safetensors.save(self.path, {"a": torch.ones(2), "b": torch.ones(2)})
        with open(self.path, "rb") as handle:
            content = bytearray(handle.read())
        length = struct.unpack("<Q", content[:8])[0]
        header = json.loads(content[8:8 + length])

        def rewritten(change):
            changed = json.loads(json.dumps(header))
            change(changed)
            text = json.dumps(changed).encode()
            text += b" " * (-len(text) % 8)
            with open(self.path, "wb") as handle:
                handle.write(struct.pack("<Q", len(text)) + text + content[8 + length:])
            with self.assertRaises(SafeTensorsError) as caught:
                safetensors.load(self.path)
            return caught.exception

        overlap = rewritten(lambda h: h["b"].update(data_offsets=[0, 8]))
        self.assertIn("overlap or hole", str(overlap))
        self.assertEqual(overlap.file, self.path)
        self.assertEqual(rewritten(lambda h: h["a"].update(dtype="Q7")).key, "a dtype")
        self.assertEqual(rewritten(lambda h: h["a"].update(shape=[3])).key, "a data_offsets")
        self.assertEqual(rewritten(lambda h: h.update(__metadata__={"k": 1})).key, "__metadata__")
        with open(self.path, "wb") as handle:
            handle.write(struct.pack("<Q", 1 << 40))
        self.assertEqual(self._load_error().key, "header length")

    def _load_error(self):
        with self.assertRaises(SafeTensorsError) as caught:
            safetensors.load(self.path)
        return caught.exception


class WeightsTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.folder.name, "weights.safetensors")
        self.reference = np.load(os.path.join(ENGINE_FIXTURES, "unet_reference.npz"))

    def tearDown(self):
        self.folder.cleanup()

    def assert_output(self, model, prefix):
        with torch.no_grad():
            y = model.eval()(torch.from_numpy(self.reference[f"{prefix}_x"]), torch.from_numpy(self.reference[f"{prefix}_constraints"]))
        expected = torch.from_numpy(self.reference[f"{prefix}_y"])
        self.assertLessEqual((y - expected).abs().max().item(), 1e-4 * expected.abs().max().item())

    def test_weights_the_engine_wrote_give_the_reference_output(self):
        model = load_weights(os.path.join(ENGINE_FIXTURES, "unet_dosecurate.safetensors"))
        self.assertEqual((model.configuration.preset, model.configuration.depth, model.configuration.input_channels), ("tiny", 2, 9))
        self.assert_output(model, "dosecurate")

    def test_weights_the_safetensors_library_wrote_load_without_metadata(self):
        model = load_weights(os.path.join(ENGINE_FIXTURES, "unet_torch.safetensors"))
        self.assertEqual((model.configuration.base_width, model.configuration.depth), (4, 3))
        self.assert_output(model, "torch")

    def test_saved_weights_carry_the_metadata_the_engine_reads_and_round_trip(self):
        model = BaselineUNet3D.from_preset("tiny", depth=2, input_channels=9)
        save_weights(model, self.path, dataset_version="dsv-0123456789abcdef@3", resample=2, metadata={"epoch": "7"})
        tensors, metadata = safetensors.load(self.path)
        self.assertEqual(metadata, {"format": "dosecurate BaselineUNet3D", "preset": "tiny", "base_width": "8", "depth": "2",
                                    "input_channels": "9", "dataset_version": "dsv-0123456789abcdef@3", "resample": "2", "epoch": "7"})
        self.assertEqual(set(tensors), set(model.state_dict()))
        loaded = load_weights(self.path)
        for name, tensor in model.state_dict().items():
            self.assertTrue(torch.equal(loaded.state_dict()[name], tensor), name)
        with self.assertRaises(WeightsError):
            save_weights(model, self.path, metadata={"depth": "3"})

    def test_metadata_contradicting_the_tensors_is_refused(self):
        model = BaselineUNet3D.from_preset("tiny", depth=2, input_channels=9)
        tensors = model.state_dict()
        safetensors.save(self.path, tensors, {"preset": "cpu", "depth": "2", "input_channels": "9"})
        with self.assertRaises(WeightsError) as caught:
            load_weights(self.path)
        self.assertEqual(caught.exception.key, "__metadata__")
        self.assertIn("b = 8", str(caught.exception))
        safetensors.save(self.path, {name: tensor.double() for name, tensor in tensors.items()})
        with self.assertRaises(WeightsError) as caught:
            load_weights(self.path)
        self.assertEqual(caught.exception.key, "dtype")


if __name__ == "__main__":
    unittest.main()
