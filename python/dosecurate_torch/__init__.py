"""dosecurate_torch: PyTorch training on data dosecurate pinned.

- ``PinnedCache``: the engine's HDF5 training cache as a torch Dataset, refused unless it holds the
  dataset version and split the run (``dosecurate run``) pinned.
- ``PatchSampler``: the engine's patch drawing, seeded the same way (same seed → same patches).
- ``BaselineUNet3D``: the engine's network with the engine's parameter names.
- ``save_weights`` / ``load_weights``: safetensors weights ``dosecurate predict`` reads, and the
  engine's weights and checkpoints read back.
- ``log_metrics``: rows of the run's ``metrics.csv`` in the engine's columns.
- ``SlidingWindow``: whole-volume prediction placed and blended as the engine's.
- ``external_air``: the air around the patient, where ``dosecurate predict`` sets the dose to 0.
"""
from .cache import PatchEpoch, PinnedCache, RunPins
from .errors import (CacheLayoutError, DosecurateTorchError, MetricsError, PinMismatchError, RunSetupError, SafeTensorsError,
                     WeightsError)
from .generator import SeededGenerator
from .inference import EXTERNAL_AIR_THRESHOLD, SlidingWindow, external_air
from .metrics import log_metrics
from .model import PRESET_BASE_WIDTHS, BaselineUNet3D, UNetConfiguration
from .safetensors import load_weights, save_weights
from .sampler import NETWORK_INPUT_FEMURS, Draw, FemurChannels, PatchCentres, PatchSampler

__version__ = "0.1.0"
