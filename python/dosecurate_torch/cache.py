"""The engine's HDF5 training cache as a PyTorch dataset, checked against the run that uses it."""
import hashlib
import json
import os
from dataclasses import dataclass

import h5py
import numpy as np
import torch
from torch.utils.data import Dataset

from .errors import CacheLayoutError, PinMismatchError, RunSetupError
from .sampler import PatchCentres

CACHE_FORMAT = "dosecurate training cache 1"
# run.json schemas whose pins sit at the top level: the current one, and the built-in engine's first.
RUN_SCHEMAS = ("dosecurate/run/2", "dosecurate/run/1")
CONSTRAINT_FEATURES = 13
CACHE_ROLES = ("train", "val")


@dataclass(frozen=True)
class RunPins:
    """What a run's ``run.json`` pins: the dataset version and revision, and the split revision with
    the SHA-256 of its identity (the hash of the split record)."""

    path: str
    run_id: str
    dataset_version: str
    dataset_revision: int
    split_name: str
    split_revision: int
    split_hash: str

    @property
    def dataset(self):
        return f"{self.dataset_version}@{self.dataset_revision}"

    @property
    def split(self):
        return f"{self.split_name}@{self.split_revision}"

    @classmethod
    def read(cls, path):
        try:
            with open(path, encoding="utf-8") as handle:
                record = json.load(handle)
        except OSError as error:
            raise RunSetupError(path, "run.json", "a readable run record", error.strerror or str(error)) from error
        except json.JSONDecodeError as error:
            raise RunSetupError(path, "run.json", "JSON", f"unreadable text ({error})") from error
        schema = record.get("schema") if isinstance(record, dict) else None
        if schema not in RUN_SCHEMAS:
            raise RunSetupError(path, "schema", " or ".join(RUN_SCHEMAS), schema)
        split = record.get("split")
        try:
            return cls(path=path, run_id=record["runId"], dataset_version=record["datasetVersion"],
                       dataset_revision=int(record["datasetRevision"]), split_name=split["name"],
                       split_revision=int(split["revision"]), split_hash=split["hash"])
        except (KeyError, TypeError, ValueError) as error:
            raise RunSetupError(path, "pins", "runId, datasetVersion, datasetRevision and split {name, revision, hash}",
                                f"{type(error).__name__}: {error}") from error

    @classmethod
    def of_current_run(cls, run_json=None):
        """The pins of ``run_json``, or of ``$DOSECURATE_RUN_DIR/run.json`` (``dosecurate run`` sets it)."""
        if run_json is None:
            run_directory = os.environ.get("DOSECURATE_RUN_DIR")
            if not run_directory:
                raise RunSetupError(None, "DOSECURATE_RUN_DIR",
                                    "the run folder (run under `dosecurate run … -- COMMAND`) or a run_json argument", "neither")
            run_json = os.path.join(run_directory, "run.json")
        return cls.read(run_json)


class PinnedCache(Dataset):
    """The cases of the roles ``roles`` ("train", "val") in a training cache that ``dosecurate export
    --format hdf5`` or ``dosecurate run`` wrote, after checking that the cache holds exactly the
    dataset version and split the run pinned. ``path`` defaults to ``$DOSECURATE_TRAIN_CACHE``; the
    run's record to ``$DOSECURATE_RUN_DIR/run.json`` (``run_json`` names another). A cache of another
    version, split or split revision raises ``PinMismatchError`` naming both sides.

    Layout (HDF5; the engine's Sources/Engine/Cache/TrainingCacheFile.swift):

    - root attributes (text): ``format`` ("dosecurate training cache 1"), ``dataset_version``
      ("dsv-…@k"), ``dataset_identity``, ``split`` ("name@k"), ``split_identity`` (the canonical
      JSON whose SHA-256 is the split's hash in run.json), ``channels`` (JSON list), ``case_ids``
      (JSON list, the split's order), ``resample`` (in-plane factor, "1" for the native grid).
    - ``/cases/<caseId>/input``: float32 (C, Y, X, Z). Axes: Y = row, increasing towards the
      patient's posterior; X = column, increasing towards the patient's LEFT; Z = slice, increasing
      towards superior. Channel 0 is CT, scaled as clip(HU, −1000, 3000)/4000 + 0.5, so tissue
      sits in [0.25, 1.25]. Channels 1… are signed distance fields of the structures in the
      standard order PTV70, PTV56, Prostate, Rectum, Bladder, Femur_L, Femur_R, Bowel, PTV50.4
      (as many as the version's largest case has; the ``channels`` attribute names them): the
      distance to the structure's surface in mm, capped at 50 mm and divided by 50, so each lies
      in [−1, 1] and is negative inside the structure. A channel a case lacks altogether (an
      8-channel case in a version with 9-channel ones) is all 0 and listed in the case's
      ``filled_channels``; an empty structure of a v2.2/v2.3 case keeps the SDF the case stores.
    - ``/cases/<caseId>/dose``: float32 (Y, X, Z), the dose as a fraction of the prescription:
      multiply by 70 to read Gy (every consumer of the format does; a case with another
      prescription was normalised to its own and is flagged by the audit).
    - ``/cases/<caseId>/masks``: uint8 (C − 1, Y, X, Z), the binary masks in the input's structure
      order (mask k belongs to input channel k + 1); an absent structure is all 0.
    - case attributes: ``role`` ("train" or "val"; test cases are never in a cache), ``case_hash``,
      ``filled_channels`` (JSON list), ``constraints`` float32[13] (the plan's prescription levels
      relative to 70 Gy, then fixed dose-volume constraints).
    - With ``resample`` k > 1 the input, dose and masks were area-averaged k-fold in Y and X, and
      validation cases also hold ``native_dose`` and ``native_masks`` on the case's own grid.

    ``cache[i]`` is the whole i-th case as tensors: ``input`` (C, Y, X, Z), ``dose`` (1, Y, X, Z),
    ``masks`` (C − 1, Y, X, Z) uint8, ``constraints`` (13,), plus ``case_id``, ``role`` and
    ``filled_channels`` (and ``native_dose``/``native_masks`` where present). ``patches(...)`` gives
    an epoch of training patches drawn as the engine's trainer draws them.
    """

    def __init__(self, path=None, roles=("train",), run_json=None):
        path = path or os.environ.get("DOSECURATE_TRAIN_CACHE")
        if not path:
            raise RunSetupError(None, "DOSECURATE_TRAIN_CACHE", "the training cache (set by `dosecurate run`) or a path argument",
                                "neither")
        unknown = sorted(set(roles) - set(CACHE_ROLES))
        if unknown:
            raise ValueError(f"roles must be among {CACHE_ROLES} (a cache never holds test cases), found {unknown}")
        self.path = path
        self._handle, self._handle_process = None, None
        try:
            file = h5py.File(path, "r")
        except OSError as error:
            raise CacheLayoutError(path, "file", "an HDF5 training cache", f"unreadable ({error})") from error
        with file:
            self.attributes = {key: _text(value) for key, value in file.attrs.items()}
            self._check_format()
            self.pins = RunPins.of_current_run(run_json)
            self._check_pins()
            self.channels = self._json_attribute("channels")
            role_of = {case_id: self._case_role(file, case_id) for case_id in self._json_attribute("case_ids")}
            self.case_ids = [case_id for case_id, role in role_of.items() if role in roles]
            self.roles = [role_of[case_id] for case_id in self.case_ids]
            self._constraints = [self._check_case(file, case_id) for case_id in self.case_ids]
        self.dataset_version = self.attributes["dataset_version"]
        self.split = self.attributes["split"]
        self.resample = int(self.attributes.get("resample", "1"))
        self._centres = {}

    def __len__(self):
        return len(self.case_ids)

    def __getitem__(self, index):
        case_id = self.case_ids[index]
        group = self._file()[f"cases/{case_id}"]
        item = {
            "case_id": case_id, "role": self.roles[index],
            "input": torch.from_numpy(group["input"][()]),
            "dose": torch.from_numpy(group["dose"][()])[None],
            "masks": torch.from_numpy(group["masks"][()]),
            "constraints": self.constraints(index),
            "filled_channels": json.loads(_text(group.attrs["filled_channels"])),
        }
        for native in ("native_dose", "native_masks"):
            if native in group:
                item[native] = torch.from_numpy(group[native][()])
        return item

    def centres(self, index, high_dose_threshold=PatchCentres.HIGH_DOSE_THRESHOLD):
        """Where patch centres may fall in case ``index`` (its whole dose is read once)."""
        key = (index, high_dose_threshold)
        if key not in self._centres:
            self._centres[key] = PatchCentres(self._file()[f"cases/{self.case_ids[index]}/dose"][()], high_dose_threshold)
        return self._centres[key]

    def patches(self, sampler, *, seed, epoch, patches_per_volume=4, high_dose_threshold=PatchCentres.HIGH_DOSE_THRESHOLD):
        """Training epoch ``epoch`` (1-based) of a run seeded ``seed``: ``patches_per_volume``
        patches from every case, shuffled, exactly as the engine's trainer draws them."""
        self._check_femur_channels(sampler)
        centres = [self.centres(index, high_dose_threshold) for index in range(len(self))]
        return PatchEpoch(self, sampler, sampler.epoch_draws(centres, seed=seed, epoch=epoch, patches_per_volume=patches_per_volume))

    def read_patch(self, index, sampler, draw):
        """The oriented patch pair of a draw in case ``index``: input (C, *patch), dose (*patch);
        only the chunks the box touches are read."""
        group = self._file()[f"cases/{self.case_ids[index]}"]
        return sampler.cut(group["input"], group["dose"], draw)

    def constraints(self, index):
        return torch.from_numpy(self._constraints[index].copy())

    # An h5py handle cannot cross a fork or a pickle: each DataLoader worker opens its own.
    def _file(self):
        if self._handle is None or self._handle_process != os.getpid():
            self._handle, self._handle_process = h5py.File(self.path, "r"), os.getpid()
        return self._handle

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_handle"], state["_handle_process"] = None, None
        return state

    # Checks

    def _check_format(self):
        found = self.attributes.get("format")
        if found != CACHE_FORMAT:
            raise CacheLayoutError(self.path, "format attribute", CACHE_FORMAT, found)
        missing = [key for key in ("dataset_version", "split", "split_identity", "channels", "case_ids") if key not in self.attributes]
        if missing:
            raise CacheLayoutError(self.path, "root attributes", "dataset_version, split, split_identity, channels, case_ids",
                                   f"no {', '.join(missing)}")

    def _check_pins(self):
        pins, attributes = self.pins, self.attributes
        if attributes["dataset_version"] != pins.dataset:
            raise PinMismatchError(self.path, "dataset_version", f"{pins.dataset} (pinned by {pins.path})", attributes["dataset_version"])
        identity_hash = hashlib.sha256(attributes["split_identity"].encode("utf-8")).hexdigest()
        if attributes["split"] != pins.split or identity_hash != pins.split_hash:
            raise PinMismatchError(self.path, "split", f"{pins.split} with identity SHA-256 {pins.split_hash} (pinned by {pins.path})",
                                   f"{attributes['split']} with identity SHA-256 {identity_hash}")

    def _check_case(self, file, case_id):
        """The case's arrays against the channel list; returns its constraints."""
        name, channels = f"cases/{case_id}", len(self.channels)
        group = file[name]
        for array in ("input", "dose", "masks"):
            if array not in group:
                raise CacheLayoutError(self.path, f"{name}/{array}", "a dataset", "none")
        spatial = group["dose"].shape
        expected = {"input": (channels,) + spatial, "masks": (channels - 1,) + spatial}
        for array, shape in expected.items():
            if len(spatial) != 3 or group[array].shape != shape:
                raise CacheLayoutError(self.path, f"{name}/{array} shape", f"{shape} ({channels} channels, dose {spatial})",
                                       group[array].shape)
        constraints = np.asarray(group.attrs.get("constraints", []), dtype=np.float32).reshape(-1)
        if constraints.shape != (CONSTRAINT_FEATURES,):
            raise CacheLayoutError(self.path, f"{name} constraints", f"{CONSTRAINT_FEATURES} floats", constraints.shape[0])
        return constraints

    def _check_femur_channels(self, sampler):
        femurs = sampler.femur_channels
        if femurs is None or max(femurs.left, femurs.right) >= len(self.channels):
            return
        found = (self.channels[femurs.left], self.channels[femurs.right])
        if found != ("Femur_L", "Femur_R"):
            raise CacheLayoutError(self.path, "channels", f"Femur_L and Femur_R at the sampler's channels {femurs.left}, {femurs.right}",
                                   f"{found[0]} and {found[1]}")

    def _case_role(self, file, case_id):
        try:
            return _text(file[f"cases/{case_id}"].attrs["role"])
        except KeyError as error:
            raise CacheLayoutError(self.path, f"cases/{case_id}", "a case group with a role attribute", "none") from error

    def _json_attribute(self, key):
        try:
            return json.loads(self.attributes[key])
        except json.JSONDecodeError as error:
            raise CacheLayoutError(self.path, f"{key} attribute", "JSON text", self.attributes[key][:80]) from error


class PatchEpoch(Dataset):
    """One training epoch's patches from a ``PinnedCache``, in the engine trainer's order: batch
    them in order (``DataLoader(epoch, batch_size=B)``, no shuffling) for the engine's batches, or
    shard them across ranks with ``DistributedSampler(epoch, shuffle=False)``. Item i is
    ``{"input": (C, *patch), "constraints": (13,), "dose": (1, *patch)}``; ``draws[i]`` says which
    case (its index in the cache) and which box and flip it came from."""

    def __init__(self, cache, sampler, draws):
        self.cache, self.sampler, self.draws = cache, sampler, draws

    def __len__(self):
        return len(self.draws)

    def __getitem__(self, index):
        case_index, draw = self.draws[index]
        input_patch, dose_patch = self.cache.read_patch(case_index, self.sampler, draw)
        return {"input": torch.from_numpy(input_patch), "constraints": self.cache.constraints(case_index),
                "dose": torch.from_numpy(dose_patch)[None]}


def _text(value):
    """The engine writes variable-length UTF-8 string attributes: str in h5py 3, bytes in h5py 2."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
