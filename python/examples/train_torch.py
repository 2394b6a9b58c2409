#!/usr/bin/env python3
"""Train BaselineUNet3D in PyTorch on the cases dosecurate pinned, as the engine's own trainer does:
the same patches (same seed, same draws and flips), the same loss (MSE + 0.1·mean(ReLU(−y)), with
the optional PTV70 underdose term), AdamW with gradient-norm clipping at 1 and a cosine learning
rate after an optional linear warm-up, validation on whole volumes by sliding window, and weights
`dosecurate predict` reads. The recipe options mean what `dosecurate train`'s options of the same
names mean (docs/engine.md).

Run it under `dosecurate run`, which pins the data, sets DOSECURATE_TRAIN_CACHE, DOSECURATE_RUN_DIR
and DOSECURATE_DATASET, and records every file written under the run folder:

    dosecurate run --dataset dsv-…@1 --split main -- python python/examples/train_torch.py --steps 3
    dosecurate run --dataset dsv-…@1 --split main -- torchrun --nproc_per_node 4 python/examples/train_torch.py --preset paper

A GPU is used when there is one. Under torchrun (WORLD_SIZE > 1) every rank trains on its share of
each epoch's patches (DistributedDataParallel averages the gradients); rank 0 validates, writes
metrics.csv and checkpoints/best.safetensors.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler

try:
    import dosecurate_torch  # noqa: F401 (installed: `pip install ./python`)
except ImportError:
    # Run from a checkout without installing: the package is this folder's sibling.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dosecurate_torch import PRESET_BASE_WIDTHS, BaselineUNet3D, PatchSampler, PinnedCache, SlidingWindow, external_air, log_metrics, save_weights

# Gy per unit of normalised dose (the case format's constant).
PRESCRIPTION_GY = 70.0
# The engine clamps predictions to this range before scoring them.
DOSE_RANGE = (0.0, 1.5)
NEGATIVE_PENALTY_WEIGHT = 0.1
# The targets' signed-distance channels in the network input (CT is 0; PTV70, PTV56, PTV50.4), as
# the engine's Loss.PTVTargets names them.
PTV_TARGET_CHANNELS = {"ptv70": [1], "all": [1, 2, 9]}
MAX_GRADIENT_NORM = 1.0


# `dosecurate run --config FILE` hands the file's settings over as JSON in DOSECURATE_CONFIG, keyed
# as run.json records the built-in engine's (so one file drives both engines); flags still win.
CONFIG_KEYS = {
    "preset": "preset", "depth": "depth", "steps": "steps", "patch": "patch", "batchSize": "batch_size",
    "patchesPerVolume": "patches_per_volume", "learningRate": "lr", "warmupSteps": "warmup_steps", "weightDecay": "weight_decay",
    "ptvUnderdoseWeight": "ptv_underdose_weight", "ptvUnderdoseTargets": "ptv_underdose_targets", "highDoseCentreThreshold": "centre_threshold", "validateEvery": "validate_every",
    "seed": "seed",
}


def configured_defaults():
    path = os.environ.get("DOSECURATE_CONFIG")
    if not path:
        return {}
    with open(path, encoding="utf-8") as file:
        settings = json.load(file)
    unused = sorted(key for key in settings if key not in CONFIG_KEYS)
    if unused:
        print(f"settings this script does not use: {', '.join(unused)}", file=sys.stderr)
    return {CONFIG_KEYS[key]: value for key, value in settings.items() if key in CONFIG_KEYS}


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESET_BASE_WIDTHS), default="tiny", help="model width (tiny: b = 8, for CPUs)")
    parser.add_argument("--depth", type=int, default=4, help="encoder levels")
    parser.add_argument("--steps", type=int, default=1000, help="optimiser steps in all")
    parser.add_argument("--patch", type=int, nargs="+", help="patch extent, one number or Y X Z (default: 32 for tiny, else 64)")
    parser.add_argument("--batch-size", type=int, default=2, help="patches per optimiser step and rank")
    parser.add_argument("--patches-per-volume", type=int, default=4, help="patches drawn from each training case per epoch")
    parser.add_argument("--lr", type=float, default=1e-4, help="AdamW learning rate, cosine-annealed to 0 over --steps")
    parser.add_argument("--warmup-steps", type=int, default=0, help="steps of linear learning-rate warm-up before the cosine")
    parser.add_argument("--weight-decay", type=float, default=1e-2)
    parser.add_argument("--ptv-underdose-weight", type=float, default=0.0,
                        help="weight of the PTV underdose term (squared shortfall below the true dose inside the targets, averaged over their voxels)")
    parser.add_argument("--ptv-underdose-targets", choices=sorted(PTV_TARGET_CHANNELS), default="all",
                        help="the targets that term covers: every one present (PTV70, PTV56, PTV50.4) or PTV70 only")
    parser.add_argument("--centre-threshold", type=float, default=0.1,
                        help="normalised dose above which a voxel may centre the high-dose half of the patches")
    parser.add_argument("--validate-every", type=int, default=1, help="validate every this many epochs (and after the last)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the patch draws and of PyTorch's initialisation")
    parser.set_defaults(**configured_defaults())
    arguments = parser.parse_args()
    patch = arguments.patch or [32 if arguments.preset == "tiny" else 64]
    arguments.patch = patch * 3 if len(patch) == 1 else patch
    return arguments


def start_processes():
    """(rank, world size, device); joins the process group when torchrun started several."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if world > 1:
        dist.init_process_group(backend="nccl" if torch.cuda.is_available() else "gloo")
    device = torch.device(f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    return (dist.get_rank() if world > 1 else 0), world, device


def validate(model, cache, window, device):
    """Means over the validation cases, in Gy (on the cache's grid), as the engine validates: the
    prediction set to 0 in the air around the patient as ``dosecurate predict`` writes it, MAE over
    the whole volume and inside PTV70, and predicted − true PTV70 D95 (the 5th percentile,
    NumPy's 'lower' method) with its magnitude."""
    model.eval()
    ptv70_mask = cache.channels.index("PTV70") - 1
    whole, inside_ptv70, d95_errors = [], [], []
    with torch.no_grad():
        for case in cache:
            predicted = window.predict(model, case["input"][None].to(device), case["constraints"][None].to(device)).clamp(*DOSE_RANGE)
            predicted_gy, true_gy = predicted[0, 0].cpu() * PRESCRIPTION_GY, case["dose"][0] * PRESCRIPTION_GY
            predicted_gy[external_air(case["input"][0])] = 0
            error_gy = (predicted_gy - true_gy).abs()
            whole.append(error_gy.mean().item())
            ptv70 = case["masks"][ptv70_mask].bool()
            if ptv70.any():
                inside_ptv70.append(error_gy[ptv70].mean().item())
                d95 = [np.percentile(dose[ptv70].double().numpy(), 5, method="lower") for dose in (predicted_gy, true_gy)]
                d95_errors.append(d95[0] - d95[1])
    model.train()
    return {"val_mae_gy": mean(whole), "val_ptv70_mae_gy": mean(inside_ptv70), "val_ptv70_d95_error_gy": mean(d95_errors),
            "val_ptv70_abs_d95_error_gy": mean([abs(error) for error in d95_errors])}


def learning_rate_factor(step, warmup_steps, total_steps):
    """The engine's CosineSchedule (minimum 0) as a multiple of the base rate: linear warm-up over
    the first ``warmup_steps`` steps, then cosine annealing over the rest."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    return (1 + math.cos(math.pi * (step - warmup_steps) / max(1, total_steps - warmup_steps))) / 2


def ptv_underdose(predicted, target, inputs, targets):
    """The engine's Loss.ptvUnderdose: the squared shortfall below the target dose inside the targets
    (a voxel is inside when one of their signed distances is negative; channels the input lacks are
    skipped), averaged over the batch's voxels inside, each counted once."""
    channels = [channel for channel in PTV_TARGET_CHANNELS[targets] if channel < inputs.shape[1]]
    inside = (inputs[:, channels] < 0).any(dim=1, keepdim=True)
    if not inside.any():
        return predicted.sum() * 0
    return F.relu(target - predicted)[inside].pow(2).mean()


def mean(values):
    return sum(values) / len(values) if values else None


def mean_over_ranks(values, world, device):
    """The mean of every rank's values: each rank took its own share of the epoch's batches."""
    totals = torch.tensor([sum(values), len(values)], dtype=torch.float64, device=device)
    if world > 1:
        dist.all_reduce(totals)
    return (totals[0] / totals[1]).item()


def selection_score(scores, epoch):
    """Lower is better: the engine's default checkpoint selection (PTV70 MAE), else the whole-volume
    MAE; without validation cases every epoch beats the one before, so best = latest."""
    for metric in ("val_ptv70_mae_gy", "val_mae_gy"):
        if scores.get(metric) is not None:
            return scores[metric]
    return -epoch


def main():
    arguments = parse_arguments()
    rank, world, device = start_processes()
    torch.manual_seed(arguments.seed)
    training, validation = PinnedCache(roles=("train",)), PinnedCache(roles=("val",))
    sampler = PatchSampler(arguments.patch)
    network = BaselineUNet3D.from_preset(arguments.preset, arguments.depth, input_channels=len(training.channels)).to(device)
    model = DistributedDataParallel(network, device_ids=[device.index] if device.type == "cuda" else None) if world > 1 else network
    optimizer = torch.optim.AdamW(model.parameters(), lr=arguments.lr, weight_decay=arguments.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: learning_rate_factor(step, arguments.warmup_steps, arguments.steps))
    window = SlidingWindow(arguments.patch)
    best_weights = os.path.join(os.environ["DOSECURATE_RUN_DIR"], "checkpoints", "best.safetensors")

    step, epoch, best_score = 0, 0, math.inf
    while step < arguments.steps:
        epoch += 1
        started = time.monotonic()
        patches = training.patches(sampler, seed=arguments.seed, epoch=epoch, patches_per_volume=arguments.patches_per_volume,
                                   high_dose_threshold=arguments.centre_threshold)
        shards = DistributedSampler(patches, shuffle=False) if world > 1 else None
        losses, norms = [], []
        for batch in DataLoader(patches, batch_size=arguments.batch_size, sampler=shards):
            learning_rate = optimizer.param_groups[0]["lr"]
            inputs, target = batch["input"].to(device), batch["dose"].to(device)
            predicted = model(inputs, batch["constraints"].to(device))
            loss = F.mse_loss(predicted, target) + NEGATIVE_PENALTY_WEIGHT * F.relu(-predicted).mean()
            if arguments.ptv_underdose_weight > 0:
                loss = loss + arguments.ptv_underdose_weight * ptv_underdose(predicted, target, inputs, arguments.ptv_underdose_targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            norms.append(torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRADIENT_NORM).item())
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
            step += 1
            if step == arguments.steps:
                break
        seconds = time.monotonic() - started
        # Every rank's gradient norm is the same (DDP averaged the gradients); their losses are not.
        train_loss = mean_over_ranks(losses, world, device)
        if rank == 0:
            due = epoch % arguments.validate_every == 0 or step == arguments.steps
            validation_started = time.monotonic()
            scores = validate(network, validation, window, device) if len(validation) and due else {}
            validation_seconds = time.monotonic() - validation_started
            score = selection_score(scores, epoch)
            # An epoch that skipped validation cannot be the best one when there are validation cases.
            is_best = (bool(scores) or not len(validation)) and score < best_score
            if is_best:
                best_score = score
                # The training patch: `dosecurate predict` tiles with it by default (GroupNorm's statistics are a tile's).
                save_weights(network, best_weights, resample=training.resample,
                             metadata={"epoch": str(epoch), "step": str(step), "patch": ",".join(map(str, arguments.patch))})
            log_metrics(epoch, step=step, learning_rate=learning_rate, train_loss=train_loss, gradient_norm=mean(norms),
                        seconds=seconds, best=is_best, validation_seconds=validation_seconds, **scores)
            shown = "".join(f", {name.removeprefix('val_').removesuffix('_gy').replace('_', ' ')} {value:.2f} Gy" for name, value in scores.items())
            print(f"epoch {epoch}: step {step}, loss {train_loss:.5f}{shown}{' (best)' if is_best else ''}", flush=True)
        if world > 1:
            dist.barrier()
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
