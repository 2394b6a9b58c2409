"""metrics.csv rows in the engine's columns."""
import os
import tempfile
import unittest
from unittest import mock

import numpy as np
import torch

from dosecurate_torch import MetricsError, RunSetupError, log_metrics

ENGINE_HEADER = ("epoch,step,learning_rate,train_loss,gradient_norm,seconds,val_mae_gy,val_ptv70_mae_gy,val_ptv70_d95_error_gy,"
                 "val_ptv70_abs_d95_error_gy,best,read_seconds,forward_seconds,backward_seconds,optimizer_seconds,validation_seconds")


class LogMetricsTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.folder.name, "metrics.csv")

    def tearDown(self):
        self.folder.cleanup()

    def lines(self):
        with open(self.path, encoding="utf-8") as handle:
            return handle.read().splitlines()

    def test_header_once_then_one_row_per_call_with_missing_columns_empty(self):
        with mock.patch.dict(os.environ, {"DOSECURATE_RUN_DIR": self.folder.name}):
            log_metrics(1, step=4, learning_rate=1e-4, train_loss=torch.tensor(0.25), gradient_norm=np.float32(0.5), seconds=12.34567,
                        best=True)
            log_metrics(2, step=8, train_loss=0.125, val_mae_gy=3.5, val_ptv70_mae_gy=None, best=False)
        self.assertEqual(self.lines(), [ENGINE_HEADER, "1,4,0.0001,0.25,0.5,12.346,,,,,1,,,,,", "2,8,,0.125,,,3.5,,,,0,,,,,"])

    def test_unknown_columns_and_non_numbers_are_errors_and_write_nothing(self):
        with self.assertRaises(MetricsError) as caught:
            log_metrics(1, run_dir=self.folder.name, train_los=0.5)
        self.assertIn("train_los", str(caught.exception))
        with self.assertRaises(MetricsError) as caught:
            log_metrics(1, run_dir=self.folder.name, step=1.5)
        self.assertEqual(caught.exception.key, "step")
        self.assertFalse(os.path.exists(self.path))

    def test_a_file_with_another_header_is_refused(self):
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write("epoch,loss\n1,0.5\n")
        with self.assertRaises(MetricsError) as caught:
            log_metrics(2, run_dir=self.folder.name, train_loss=0.25)
        self.assertEqual((caught.exception.found, caught.exception.expected), ("epoch,loss", ENGINE_HEADER))

    def test_only_rank_zero_writes_and_a_run_folder_is_required(self):
        with mock.patch.dict(os.environ, {"RANK": "1"}):
            log_metrics(1, run_dir=self.folder.name, train_loss=0.5)
        self.assertFalse(os.path.exists(self.path))
        with mock.patch.dict(os.environ, {}, clear=True), self.assertRaises(RunSetupError) as caught:
            log_metrics(1, train_loss=0.5)
        self.assertEqual(caught.exception.key, "DOSECURATE_RUN_DIR")


if __name__ == "__main__":
    unittest.main()
