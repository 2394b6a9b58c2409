"""BaselineUNet3D in PyTorch, the structure dosecurate's engine implements (issue 12): a
FiLM-conditioned residual 3D U-Net. Imported by make_model_reference.py."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def groups_for(channels):
    return max(g for g in range(1, min(8, channels) + 1) if channels % g == 0)


class Block(nn.Module):
    def __init__(self, cin, cout, cond_dim=256):
        super().__init__()
        self.conv1 = nn.Conv3d(cin, cout, 3, padding=1)
        self.norm1 = nn.GroupNorm(groups_for(cout), cout)
        self.conv2 = nn.Conv3d(cout, cout, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups_for(cout), cout)
        self.cond_mlp = nn.Sequential(nn.SiLU(), nn.Linear(cond_dim, 2 * cout))
        self.residual = nn.Conv3d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, cond):
        h = F.silu(self.norm1(self.conv1(x)))
        scale, shift = self.cond_mlp(cond).chunk(2, dim=1)
        h = h * (1 + scale[:, :, None, None, None]) + shift[:, :, None, None, None]
        h = F.silu(self.norm2(self.conv2(h)))
        return h + self.residual(x)


class BaselineUNet3D(nn.Module):
    def __init__(self, in_channels=10, base=48, depth=4, n_constraints=13, cond_dim=256):
        super().__init__()
        self.depth = depth
        self.constraint_mlp = nn.Sequential(nn.Linear(n_constraints, cond_dim), nn.SiLU(), nn.Linear(cond_dim, cond_dim))
        widths = [base * 2 ** i for i in range(depth)]
        previous = in_channels
        for level, width in enumerate(widths, start=1):
            setattr(self, f"enc{level}", Block(previous, width, cond_dim))
            previous = width
        self.bottleneck = Block(widths[-1], widths[-1], cond_dim)
        below = widths[-1]
        for level in range(depth, 0, -1):
            out = widths[level - 2] if level > 1 else base
            setattr(self, f"dec{level}", Block(below + widths[level - 1], out, cond_dim))
            below = out
        self.out_conv = nn.Conv3d(base, 1, 1)

    def forward(self, x, constraints):
        cond = self.constraint_mlp(constraints)
        skips = []
        h = x
        for level in range(1, self.depth + 1):
            h = getattr(self, f"enc{level}")(h, cond)
            skips.append(h)
            h = F.max_pool3d(h, 2)
        h = self.bottleneck(h, cond)
        for level in range(self.depth, 0, -1):
            h = F.interpolate(h, scale_factor=2, mode="trilinear", align_corners=False)
            h = getattr(self, f"dec{level}")(torch.cat([h, skips[level - 1]], dim=1), cond)
        return self.out_conv(h)
