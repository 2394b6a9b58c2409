"""Whole-volume prediction by sliding window, placed and blended as the engine's ``predict`` and
validation do it (Sources/Engine/Inference/SlidingWindow.swift), so a PyTorch run's validation
scores compare with a built-in run's."""
import math

import torch
import torch.nn.functional as F


class SlidingWindow:
    """Tiles of ``patch`` voxels, ``stride`` apart (default: half a patch), placed symmetrically
    about the volume's centre so a left-right mirrored input gets mirrored tiles, covering every
    voxel (zero-padded past the edges), blended with a Gaussian weight (σ = patch/4 per axis)."""

    def __init__(self, patch, stride=None):
        patch = (patch,) * 3 if isinstance(patch, int) else tuple(int(n) for n in patch)
        stride = tuple(max(1, n // 2) for n in patch) if stride is None else (stride,) * 3 if isinstance(stride, int) else tuple(stride)
        # A stride below the patch leaves the one-voxel slack a half-voxel centring can need.
        if len(patch) != 3 or len(stride) != 3 or min(patch) <= 1 or not all(0 < s < p for s, p in zip(stride, patch)):
            raise ValueError("a sliding window needs 3 patch extents above 1 and strides smaller than the patch, "
                             f"found patch {patch}, stride {stride}")
        self.patch, self.stride = patch, stride

    @staticmethod
    def starts(length, patch, stride):
        """Tile starts along one axis: centred, the first at or before 0, the last patch ending at or
        after the end. When centring needs a half-voxel offset the first half rounds down and the
        second half is its mirror image s ↦ length − patch − s."""
        room = length - patch
        count = 1 if room <= 0 else (room + stride - 1) // stride + 1
        starts = set()
        for index in range((count + 1) // 2):
            # Twice the ideal start, an integer even when the start itself is a half.
            lower = math.floor((room - (count - 1) * stride + 2 * index * stride) / 2)
            starts.update((lower, room - lower))
        return sorted(starts)

    def tiles(self, extent):
        """Every tile's start (Y, X, Z) for a volume of ``extent``."""
        axes = [self.starts(extent[axis], self.patch[axis], self.stride[axis]) for axis in range(3)]
        return [(y, x, z) for y in axes[0] for x in axes[1] for z in axes[2]]

    def weights(self):
        """The blending weight of each patch voxel: a product of 1-D Gaussians peaking at the centre."""
        axes = []
        for size in self.patch:
            centre, sigma = (size - 1) / 2, size / 4
            axes.append(torch.tensor([math.exp(-((i - centre) ** 2) / (2 * sigma * sigma)) for i in range(size)], dtype=torch.float64))
        return (axes[0][:, None, None] * axes[1][None, :, None] * axes[2][None, None, :]).float()

    @torch.no_grad()
    def predict(self, model, input, constraints, tiles_per_batch=8):
        """``model``'s prediction (1, 1, Y, X, Z) of a whole volume ``input`` (1, C, Y, X, Z) with
        ``constraints`` (1, 13) on the input's device, ``tiles_per_batch`` tiles per forward pass
        (on a CPU, 8 tiny-model tiles in one pass take a fifth of the time of 8 passes); sums in
        float64, as the engine does."""
        extent = tuple(input.shape[2:])
        tiles = self.tiles(extent)
        # Pad once so every tile lies inside: tiles may start before 0 or end past the volume.
        before = [max(0, -min(tile[axis] for tile in tiles)) for axis in range(3)]
        after = [max(0, max(tile[axis] for tile in tiles) + self.patch[axis] - extent[axis]) for axis in range(3)]
        padded = F.pad(input, (before[2], after[2], before[1], after[1], before[0], after[0]))
        # The float32 weights widened, as the engine widens its Float weights.
        weight = self.weights().double().to(input.device)
        total = torch.zeros(tuple(n + b + a for n, b, a in zip(extent, before, after)), dtype=torch.float64, device=input.device)
        weight_total = torch.zeros_like(total)
        boxes = [tuple(slice(tile[axis] + before[axis], tile[axis] + before[axis] + self.patch[axis]) for axis in range(3))
                 for tile in tiles]
        for first in range(0, len(boxes), tiles_per_batch):
            batch = boxes[first:first + tiles_per_batch]
            crops = torch.cat([padded[(slice(None), slice(None)) + box] for box in batch])
            outputs = model(crops, constraints.expand(len(batch), -1))
            for box, output in zip(batch, outputs):
                total[box] += weight * output[0].double()
                weight_total[box] += weight
        inside = tuple(slice(before[axis], before[axis] + extent[axis]) for axis in range(3))
        return (total[inside] / weight_total[inside]).float()[None, None]


# The air around the patient, as the engine finds it (Sources/Dosimetry/Morphology/ExternalAir.swift):
# CT below −500 HU, in the case format's scale clip(HU, −1000, 3000) / 4000 + 0.5, connected face to
# face to a face of the volume. ``dosecurate predict`` sets the dose there to 0.
EXTERNAL_AIR_THRESHOLD = -500 / 4000 + 0.5


def external_air(ct):
    """A boolean tensor, True for the external air of ``ct`` (Y, X, Z) in the case format's scale.
    Gas inside the patient lies below the threshold too but reaches no face, and is False."""
    air = ct < EXTERNAL_AIR_THRESHOLD
    outside = torch.zeros_like(air)
    for axis in range(3):
        for face in (0, -1):
            index = [slice(None)] * 3
            index[axis] = face
            outside[tuple(index)] = air[tuple(index)]
    while True:
        grown = outside.clone()
        for axis in range(3):
            length = outside.shape[axis]
            grown.narrow(axis, 1, length - 1).logical_or_(outside.narrow(axis, 0, length - 1))
            grown.narrow(axis, 0, length - 1).logical_or_(outside.narrow(axis, 1, length - 1))
        grown.logical_and_(air)
        if torch.equal(grown, outside):
            return outside
        outside = grown
