#!/usr/bin/python3
"""PyTorch's side of the BaselineUNet3D parity tests (issue 12). Run with Debian's python3-torch
and the safetensors package (`/usr/bin/python3 -m pip install --break-system-packages safetensors`):

    /usr/bin/python3 Tests/EngineTests/Fixtures/make_model_reference.py

Writes, next to this script:
- unet_torch.safetensors: a b = 4, depth 3, 10-input model initialised by PyTorch (GroupNorm
  affine parameters randomised so they matter), saved by safetensors.torch.save_file, no
  __metadata__ (as PyTorch users save weights);
- unet_reference.npz: `torch_x` (2, 10, 8, 16, 8), `torch_constraints` (2, 13) and `torch_y`, that
  model's output; `torch_target`, `torch_loss` = MSE(y, target) + 0.1·mean(ReLU(−y)) and
  `grad.<parameter name>`, every parameter's gradient of that loss; after clip_grad_norm_(1.0) and
  one AdamW step (lr 1e-4, weight decay 1e-2), `step_gradient_norm` and `step.<name>` for a few
  parameters; `dosecurate_x`, `dosecurate_constraints` and `dosecurate_y`, PyTorch's output with
  the weights dosecurate wrote (unet_dosecurate.safetensors, made by
  `dosecurate model init --preset tiny --depth 2 --inputs 9 --seed 7`), after checking their
  metadata; and `parameter_counts` for b = 48 with 10 and 9 inputs (depth 4).
"""
import os
import sys

import numpy as np
import torch
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from baseline_unet3d import BaselineUNet3D  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
# Parameters compared after one training step (not the conv biases before a norm, whose gradient
# is rounding noise and whose first AdamW step is therefore ±lr at random).
STEPPED = ["constraint_mlp.0.weight", "enc1.conv1.weight", "enc2.residual.weight", "bottleneck.norm2.weight",
           "dec1.cond_mlp.1.weight", "out_conv.weight", "out_conv.bias"]
torch.manual_seed(12)
torch.set_num_threads(1)
out = {}

model = BaselineUNet3D(in_channels=10, base=4, depth=3).eval()
with torch.no_grad():
    for name, parameter in model.named_parameters():
        if ".norm" in name:
            parameter.copy_(torch.randn_like(parameter) * 0.5 + (1.0 if name.endswith("weight") else 0.0))
save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(here, "unet_torch.safetensors"))
x = torch.randn(2, 10, 8, 16, 8)
constraints = torch.rand(2, 13)
with torch.no_grad():
    y = model(x, constraints)
out.update(torch_x=x.numpy(), torch_constraints=constraints.numpy(), torch_y=y.numpy())

# The training loss of issue 13 and every parameter's gradient: MSE + 0.1 * mean(ReLU(-y)).
target = torch.rand(2, 1, 8, 16, 8)
model.zero_grad()
y = model(x, constraints)
loss = torch.nn.functional.mse_loss(y, target) + 0.1 * torch.relu(-y).mean()
loss.backward()
out.update(torch_target=target.numpy(), torch_loss=loss.detach().reshape(1).numpy())
for name, parameter in model.named_parameters():
    out[f"grad.{name}"] = parameter.grad.numpy().copy()
# Then one training step: clip_grad_norm_(1.0), AdamW(lr 1e-4, weight decay 1e-2).
norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=1e-2).step()
out["step_gradient_norm"] = norm.reshape(1).numpy()
parameters = dict(model.named_parameters())
for name in STEPPED:
    out[f"step.{name}"] = parameters[name].detach().numpy().copy()

weights_path = os.path.join(here, "unet_dosecurate.safetensors")
weights = load_file(weights_path)
with open(weights_path, "rb") as handle:
    import json, struct
    header_length = struct.unpack("<Q", handle.read(8))[0]
    metadata = json.loads(handle.read(header_length))["__metadata__"]
assert metadata["preset"] == "tiny" and metadata["depth"] == "2" and metadata["input_channels"] == "9", metadata
theirs = BaselineUNet3D(in_channels=9, base=8, depth=2).eval()
theirs.load_state_dict(weights, strict=True)
x = torch.randn(1, 9, 12, 8, 16)
constraints = torch.rand(1, 13)
with torch.no_grad():
    y = theirs(x, constraints)
out.update(dosecurate_x=x.numpy(), dosecurate_constraints=constraints.numpy(), dosecurate_y=y.numpy())

counts = [sum(p.numel() for p in BaselineUNet3D(in_channels=c, base=48, depth=4).parameters()) for c in (10, 9)]
out["parameter_counts"] = np.array(counts, dtype=np.int64)
np.savez(os.path.join(here, "unet_reference.npz"), **{k: (v.astype(np.float32) if v.dtype != np.int64 else v) for k, v in out.items()})
print("parameter counts (b = 48, depth 4, 10 and 9 inputs):", counts)
