#!/usr/bin/python3
"""Reference values for the engine's layers, written by PyTorch (Debian's python3-torch 1.13,
run with /usr/bin/python3) into layer_reference.npz (float32, uncompressed np.savez).

For each layer: its inputs and parameters, the output, an upstream gradient g, and the gradients
of sum(output * g) with respect to every input and parameter. Also: the two training losses,
AdamW steps, gradient-norm clipping and the cosine learning-rate schedule (float64).

    /usr/bin/python3 Tests/EngineTests/Fixtures/make_layer_reference.py
"""
import os
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(20261127)
torch.set_num_threads(1)
out = {}


def save(prefix, **tensors):
    for key, value in tensors.items():
        out[f"{prefix}.{key}"] = value.detach().cpu().numpy().astype(np.float32)


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_(True)


def conv(prefix, shape, out_channels, kernel):
    x = leaf(*shape)
    layer = torch.nn.Conv3d(shape[1], out_channels, kernel, padding=kernel // 2)
    y = layer(x)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    save(prefix, x=x, weight=layer.weight, bias=layer.bias, y=y, g=g,
         dx=x.grad, dweight=layer.weight.grad, dbias=layer.bias.grad)


conv("conv3", (2, 3, 5, 6, 4), 4, 3)
conv("conv3_thin", (1, 2, 2, 1, 3), 3, 3)      # axes shorter than the kernel
conv("conv1", (2, 5, 3, 4, 6), 3, 1)

# GroupNorm with a non-trivial affine part and an offset, so the mean matters.
x = (torch.randn(2, 6, 3, 4, 5) * 2 + 0.5).requires_grad_(True)
norm = torch.nn.GroupNorm(3, 6)
with torch.no_grad():
    norm.weight.copy_(torch.randn(6))
    norm.bias.copy_(torch.randn(6))
y = norm(x)
g = torch.randn_like(y)
(y * g).sum().backward()
save("groupnorm", x=x, weight=norm.weight, bias=norm.bias, y=y, g=g, dx=x.grad, dweight=norm.weight.grad, dbias=norm.bias.grad)

x = leaf(3, 4, 5, scale=4.0)
y = F.silu(x)
g = torch.randn_like(y)
(y * g).sum().backward()
save("silu", x=x, y=y, g=g, dx=x.grad)

x = leaf(3, 13)
linear = torch.nn.Linear(13, 7)
y = linear(x)
g = torch.randn_like(y)
(y * g).sum().backward()
save("linear", x=x, weight=linear.weight, bias=linear.bias, y=y, g=g, dx=x.grad, dweight=linear.weight.grad, dbias=linear.bias.grad)

x = leaf(2, 3, 5, 6, 7)          # odd extents: the trailing planes are dropped
y = F.max_pool3d(x, 2)
g = torch.randn_like(y)
(y * g).sum().backward()
save("maxpool", x=x, y=y, g=g, dx=x.grad)

x = leaf(2, 3, 3, 4, 5)
y = F.interpolate(x, scale_factor=2, mode="trilinear", align_corners=False)
g = torch.randn_like(y)
(y * g).sum().backward()
save("upsample", x=x, y=y, g=g, dx=x.grad)

x = leaf(1, 2, 1, 2, 1)          # single-voxel axes: every output reads the edge
y = F.interpolate(x, scale_factor=2, mode="trilinear", align_corners=False)
g = torch.randn_like(y)
(y * g).sum().backward()
save("upsample_edge", x=x, y=y, g=g, dx=x.grad)

x = leaf(2, 4, 3, 2, 3)
scale, shift = leaf(2, 4, scale=0.5), leaf(2, 4)
y = x * (1 + scale[:, :, None, None, None]) + shift[:, :, None, None, None]
g = torch.randn_like(y)
(y * g).sum().backward()
save("film", x=x, scale=scale, shift=shift, y=y, g=g, dx=x.grad, dscale=scale.grad, dshift=shift.grad)

prediction = leaf(2, 1, 4, 3, 5)
target = torch.rand(2, 1, 4, 3, 5)
mse = F.mse_loss(prediction, target)
mse.backward()
save("mse", prediction=prediction, target=target, loss=mse.reshape(1), dprediction=prediction.grad)

prediction = leaf(2, 1, 4, 3, 5)
penalty = torch.relu(-prediction).mean()
penalty.backward()
save("negative", prediction=prediction, loss=penalty.reshape(1), dprediction=prediction.grad)

# AdamW: two parameters, three steps with fixed gradients, lr 1e-3 then 1e-4 (a schedule).
params = [torch.randn(4, 3).requires_grad_(True), torch.randn(5).requires_grad_(True)]
save("adamw", p0=params[0], p1=params[1])
optimizer = torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2)
for step, lr in enumerate([1e-3, 1e-3, 1e-4]):
    for group in optimizer.param_groups:
        group["lr"] = lr
    gradients = [torch.randn_like(p) * (step + 1) for p in params]
    for p, gradient in zip(params, gradients):
        p.grad = gradient.clone()
    optimizer.step()
    save(f"adamw.step{step + 1}", g0=gradients[0], g1=gradients[1], p0=params[0], p1=params[1],
         m0=optimizer.state[params[0]]["exp_avg"], v0=optimizer.state[params[0]]["exp_avg_sq"])

# Gradient clipping above and below the limit.
for name, scale in [("clip_above", 3.0), ("clip_below", 0.05)]:
    grads = [torch.randn(4, 3) * scale, torch.randn(6) * scale]
    holders = [torch.zeros_like(g).requires_grad_(True) for g in grads]
    for holder, gradient in zip(holders, grads):
        holder.grad = gradient.clone()
    norm = torch.nn.utils.clip_grad_norm_(holders, max_norm=1.0)
    save(name, g0=grads[0], g1=grads[1], norm=norm.reshape(1), clipped0=holders[0].grad, clipped1=holders[1].grad)

# The cosine learning-rate schedule: CosineAnnealingLR(T_max=10) from 1e-4, 12 steps (the last two past T).
holder = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.AdamW([holder], lr=1e-4)
schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
rates = []
for _ in range(12):
    rates.append(optimizer.param_groups[0]["lr"])
    optimizer.step()
    schedule.step()
out["cosine.lr"] = np.array(rates, dtype=np.float64)

# Image rows wide enough for the forward product's kernel-row columns: exactly one 32-column tile,
# and 60 columns (a full tile and a 28-column tail). Drawn last so the arrays above keep their values.
conv("conv3_wide", (1, 3, 3, 2, 32), 5, 3)
conv("conv3_ragged", (2, 2, 2, 3, 60), 9, 3)

target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layer_reference.npz")
np.savez(target, **{k: (v if v.dtype == np.float64 else v.astype(np.float32)) for k, v in out.items()})
print(f"wrote {len(out)} arrays to {target} (torch {torch.__version__})")
