"""BaselineUNet3D in PyTorch, the network dosecurate's engine implements (Sources/Engine/Model): a
FiLM-conditioned residual 3D U-Net whose ``state_dict`` keys and shapes are the engine's parameter
names, so weights move between the two unchanged.

Structure (base width b, depth D): encoder level i (1…D) has width b·2^(i−1); the bottleneck keeps
the deepest width; decoder level i takes [upsampled level below, encoder skip i] and gives the width
of encoder level i − 1 (b for level 1). Every block is conv → GroupNorm → SiLU → FiLM → conv →
GroupNorm → SiLU plus a residual (a 1×1×1 conv when the width changes). The 13 plan constraints go
through ``constraint_mlp`` (Linear 13→256, SiLU, Linear 256→256) into every block's ``cond_mlp``.
Output: one channel, normalised dose, no activation.
"""
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

# Base widths of the engine's presets (UNetConfiguration.Preset): tiny and cpu for CPU runs, paper
# for the published model (23.7 M parameters with 10 inputs and depth 4).
PRESET_BASE_WIDTHS = {"tiny": 8, "cpu": 16, "paper": 48}
CONSTRAINT_FEATURES = 13
CONDITION_WIDTH = 256


def groups_for(channels):
    """GroupNorm's group count: the largest divisor of the channel count that is at most 8."""
    return max(groups for groups in range(1, min(8, channels) + 1) if channels % groups == 0)


@dataclass(frozen=True)
class UNetConfiguration:
    """The shape of a BaselineUNet3D, as the engine's ``UNetConfiguration``."""

    base_width: int
    depth: int = 4
    input_channels: int = 10

    def __post_init__(self):
        if self.base_width < 1 or not 1 <= self.depth <= 8 or self.input_channels < 1:
            raise ValueError("a U-Net configuration needs base width >= 1, depth 1…8 and input channels >= 1, "
                             f"found b = {self.base_width}, depth {self.depth}, {self.input_channels} inputs")

    @classmethod
    def from_preset(cls, preset, depth=4, input_channels=10):
        if preset not in PRESET_BASE_WIDTHS:
            raise ValueError(f"preset must be one of {sorted(PRESET_BASE_WIDTHS)}, found {preset!r}")
        return cls(PRESET_BASE_WIDTHS[preset], depth, input_channels)

    @property
    def preset(self):
        """The preset with this base width, or None."""
        return next((name for name, width in PRESET_BASE_WIDTHS.items() if width == self.base_width), None)

    @property
    def spatial_multiple(self):
        """Input extents must halve cleanly ``depth`` times."""
        return 1 << self.depth

    def __str__(self):
        return f"{self.preset or 'custom'} (b = {self.base_width}), depth {self.depth}, {self.input_channels} input channels"


class Block(nn.Module):
    def __init__(self, input_width, output_width):
        super().__init__()
        self.conv1 = nn.Conv3d(input_width, output_width, 3, padding=1)
        self.norm1 = nn.GroupNorm(groups_for(output_width), output_width)
        self.conv2 = nn.Conv3d(output_width, output_width, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups_for(output_width), output_width)
        # Index 1 (after the SiLU) is part of the parameter names: cond_mlp.1.weight.
        self.cond_mlp = nn.Sequential(nn.SiLU(), nn.Linear(CONDITION_WIDTH, 2 * output_width))
        self.residual = nn.Conv3d(input_width, output_width, 1) if input_width != output_width else nn.Identity()

    def forward(self, x, condition):
        h = F.silu(self.norm1(self.conv1(x)))
        scale, shift = self.cond_mlp(condition).chunk(2, dim=1)
        h = h * (1 + scale[:, :, None, None, None]) + shift[:, :, None, None, None]
        h = F.silu(self.norm2(self.conv2(h)))
        return h + self.residual(x)


class BaselineUNet3D(nn.Module):
    """y (N, 1, D, H, W) from x (N, input_channels, D, H, W) and constraints (N, 13); D, H, W are
    multiples of 2^depth. PyTorch's default initialisation (not the engine's seeded one)."""

    def __init__(self, configuration):
        super().__init__()
        self.configuration = configuration
        base, depth = configuration.base_width, configuration.depth
        self.constraint_mlp = nn.Sequential(nn.Linear(CONSTRAINT_FEATURES, CONDITION_WIDTH), nn.SiLU(),
                                            nn.Linear(CONDITION_WIDTH, CONDITION_WIDTH))
        widths = [base * 2 ** level for level in range(depth)]
        previous = configuration.input_channels
        for level, width in enumerate(widths, start=1):
            setattr(self, f"enc{level}", Block(previous, width))
            previous = width
        self.bottleneck = Block(widths[-1], widths[-1])
        below = widths[-1]
        for level in range(depth, 0, -1):
            output = widths[level - 2] if level > 1 else base
            setattr(self, f"dec{level}", Block(below + widths[level - 1], output))
            below = output
        self.out_conv = nn.Conv3d(base, 1, 1)

    @classmethod
    def from_preset(cls, preset="tiny", depth=4, input_channels=10):
        return cls(UNetConfiguration.from_preset(preset, depth, input_channels))

    def forward(self, x, constraints):
        self._check_input(x, constraints)
        condition = self.constraint_mlp(constraints)
        skips = []
        h = x
        for level in range(1, self.configuration.depth + 1):
            h = getattr(self, f"enc{level}")(h, condition)
            skips.append(h)
            h = F.max_pool3d(h, 2)
        h = self.bottleneck(h, condition)
        for level in range(self.configuration.depth, 0, -1):
            h = F.interpolate(h, scale_factor=2, mode="trilinear", align_corners=False)
            h = getattr(self, f"dec{level}")(torch.cat([h, skips[level - 1]], dim=1), condition)
        return self.out_conv(h)

    def _check_input(self, x, constraints):
        configuration, multiple = self.configuration, self.configuration.spatial_multiple
        if x.dim() != 5 or x.shape[1] != configuration.input_channels or any(n == 0 or n % multiple for n in x.shape[2:]):
            raise ValueError(f"model input: expected (N, {configuration.input_channels}, D, H, W) with D, H, W multiples of "
                             f"{multiple}, found {tuple(x.shape)}")
        if tuple(constraints.shape) != (x.shape[0], CONSTRAINT_FEATURES):
            raise ValueError(f"model constraints: expected ({x.shape[0]}, {CONSTRAINT_FEATURES}), found {tuple(constraints.shape)}")
