"""Training patches drawn exactly as the engine draws them (Sources/Engine/Training/PatchSampler.swift
and the epoch loop of Sources/Engine/Training/Trainer.swift): the same seed gives the same boxes and
the same flips, so a PyTorch run and a dosecurate run see the same patches.

Arrays here are a case's volumes in the cache's axis order: input (C, Y, X, Z), dose (Y, X, Z), with
Y = row (anterior → posterior), X = column (increasing = patient LEFT), Z = slice (inferior →
superior). A patch of the model input is (C, D, H, W) = (C, Y, X, Z) cut out of it.
"""
from dataclasses import dataclass

import numpy as np

from .generator import SeededGenerator


@dataclass(frozen=True)
class FemurChannels:
    """Input channel indices of Femur_L and Femur_R, swapped when a patch is mirrored left-right."""

    left: int
    right: int


# The network input's layout: CT is channel 0, then the standard structure order, where Femur_L is
# structure 5 and Femur_R structure 6.
NETWORK_INPUT_FEMURS = FemurChannels(left=6, right=7)


@dataclass(frozen=True)
class Draw:
    """How one draw cuts a patch: its start (Y, X, Z; may lie outside the volume, which reads as
    zero) and whether it is mirrored left-right."""

    start: tuple
    flipped: bool
    high_dose_centre: bool


class PatchCentres:
    """Where patch centres may fall in one volume: its extent (Y, X, Z) and the voxels whose
    normalised dose exceeds ``high_dose_threshold`` (flat C-order indices): by default 10 % of the
    prescription, the engine's default; a run's ``config.highDoseCentreThreshold`` may raise it."""

    HIGH_DOSE_THRESHOLD = 0.1

    def __init__(self, dose, high_dose_threshold=HIGH_DOSE_THRESHOLD):
        dose = np.asarray(dose, dtype=np.float32)
        if dose.ndim != 3 or dose.size == 0:
            raise ValueError(f"patch centres need a dose volume (Y, X, Z), found shape {dose.shape}")
        self.extent = tuple(int(n) for n in dose.shape)
        # Compared in float32, as the engine compares Float with Float.
        self.high_dose_voxels = np.flatnonzero(dose.reshape(-1) > np.float32(high_dose_threshold))


def crop(array, start, size):
    """The box of ``size`` at ``start`` over the last three axes of ``array`` (every leading axis
    whole), zero where it leaves the volume. ``array`` may be an h5py dataset: only the part inside
    the volume is read, so only the chunks the box touches are inflated."""
    extent = array.shape[-3:]
    low = [max(0, s) for s in start]
    high = [min(e, s + n) for e, s, n in zip(extent, start, size)]
    box = np.zeros(tuple(array.shape[:-3]) + tuple(size), dtype=array.dtype)
    if all(lo < hi for lo, hi in zip(low, high)):
        inside = (Ellipsis,) + tuple(slice(lo, hi) for lo, hi in zip(low, high))
        placed = (Ellipsis,) + tuple(slice(lo - s, hi - s) for lo, hi, s in zip(low, high, start))
        box[placed] = array[inside]
    return box


class PatchSampler:
    """The engine's patch drawing.

    - Centres: even-numbered draws of an epoch centre on a voxel above the centres' threshold,
      odd-numbered draws anywhere in the volume (a volume with no such voxel: anywhere, always).
    - Translation: each centre moves by a whole number of voxels in [-max_shift, max_shift] per axis.
    - Left-right mirror (probability 1/2): along X, with the Femur_L and Femur_R channels swapped so
      the patient's left femur stays at the larger column index. Never along Y (anterior-posterior)
      or Z: mirroring those would make anatomy no patient has.
    - Random numbers come from ``SeededGenerator`` in a fixed order per draw: centre, shift, flip.
    """

    def __init__(self, patch, max_shift=4, femur_channels=NETWORK_INPUT_FEMURS):
        patch = (patch,) * 3 if isinstance(patch, int) else tuple(int(n) for n in patch)
        if len(patch) != 3 or min(patch) <= 0 or max_shift < 0:
            raise ValueError(f"a patch sampler needs 3 positive patch extents and a shift >= 0, found patch {patch}, shift {max_shift}")
        self.patch, self.max_shift, self.femur_channels = patch, max_shift, femur_channels

    def draw(self, centres, index, generator):
        """The ``index``-th draw of an epoch in a volume (its parity picks the centre kind)."""
        extent = centres.extent
        high_dose = index % 2 == 0 and len(centres.high_dose_voxels) > 0
        if high_dose:
            voxel = int(centres.high_dose_voxels[generator.next_int(len(centres.high_dose_voxels))])
            centre = [voxel // (extent[1] * extent[2]), voxel // extent[2] % extent[1], voxel % extent[2]]
        else:
            centre = [generator.next_int(length) for length in extent]
        if self.max_shift > 0:
            for axis in range(3):
                centre[axis] += generator.next_int(2 * self.max_shift + 1) - self.max_shift
        flipped = generator.next_int(2) == 1
        start = tuple(centre[axis] - self.patch[axis] // 2 for axis in range(3))
        return Draw(start=start, flipped=flipped, high_dose_centre=high_dose)

    def epoch_draws(self, centres, *, seed, epoch, patches_per_volume):
        """The draws of training epoch ``epoch`` (1-based) as the engine's trainer makes them: a
        generator seeded by (seed, stream = epoch); ``patches_per_volume`` draws from each volume in
        ``centres`` order; then a Fisher-Yates shuffle with the same generator. Returns
        ``[(volume_index, Draw)]`` in the order the trainer batches them."""
        generator = SeededGenerator(seed, stream=epoch)
        draws = [(volume, self.draw(volume_centres, index, generator))
                 for volume, volume_centres in enumerate(centres) for index in range(patches_per_volume)]
        for index in range(len(draws) - 1, 0, -1):
            other = generator.next_int(index + 1)
            draws[index], draws[other] = draws[other], draws[index]
        return draws

    def cut(self, input, dose, draw):
        """The patch pair of a draw from a whole case: input (C, Y, X, Z) and dose (Y, X, Z), numpy
        arrays or h5py datasets. Returns float32 arrays (C, *patch) and (*patch,)."""
        return self.oriented(crop(input, draw.start, self.patch), crop(dose, draw.start, self.patch), draw)

    def oriented(self, input_patch, dose_patch, draw):
        """Patches cut at a draw's start as the draw wants them: mirrored along X when flipped —
        what lay at the patch's larger columns now lies at its smaller ones — with the femur
        channels swapped, so Femur_L stays the patient's left."""
        input_patch = np.asarray(input_patch, dtype=np.float32)
        dose_patch = np.asarray(dose_patch, dtype=np.float32)
        if input_patch.shape[-3:] != self.patch or dose_patch.shape[-3:] != self.patch:
            raise ValueError(f"patches of {self.patch} expected, found input {input_patch.shape} and dose {dose_patch.shape}")
        if not draw.flipped:
            return np.ascontiguousarray(input_patch), np.ascontiguousarray(dose_patch)
        mirrored_input = np.flip(input_patch, axis=-2).copy()
        femurs, channels = self.femur_channels, input_patch.shape[0]
        if femurs is not None and femurs.left < channels and femurs.right < channels:
            mirrored_input[[femurs.left, femurs.right]] = mirrored_input[[femurs.right, femurs.left]]
        return mirrored_input, np.flip(dose_patch, axis=-2).copy()
