#!/usr/bin/python3
"""PyTorch's side of TorchAdapterParityTests: dosecurate_torch (python/) doing what the Swift test
asks, on files the test wrote. Run with Debian's python3-torch and python3-h5py and
PYTHONPATH=<repository>/python; arrays travel as safetensors, small results as JSON on stdout.

    sample  --volume V --seed S --count N --patch Y X Z --max-shift K --out O
        N draws of one generator seeded S from V's input (C, Y, X, Z) and dose (Y, X, Z): prints
        [{start, flipped, highDoseCentre}], writes the patches as input.<i> and dose.<i>.
    forward --weights W --arrays A --out O
        y of the weights in W (load_weights) on A's x and constraints.
    init    --depth D --inputs C --seed S --dataset-version V --arrays A --weights-out W --out O
        a tiny BaselineUNet3D initialised by PyTorch (GroupNorm affine randomised so it matters),
        saved by save_weights to W; its y on A's x and constraints to O.
    epoch   --cache H --run-json R --weights W --seed S --patch Y X Z --max-shift K
            --patches-per-volume P --batch-size B --lr L
        epoch 1 of a run from the weights in W as the engine's trainer takes it (its patches, the
        loss MSE + 0.1·mean(ReLU(−y)), clipping at 1, AdamW, the cosine schedule over the epoch):
        prints {draws: [{caseId, start, flipped, highDoseCentre}] in batch order, trainLoss, gradientNorm}
        (means over the batches).
"""
import argparse
import json
import math

import torch
import torch.nn.functional as F

from dosecurate_torch import BaselineUNet3D, PatchSampler, PinnedCache, SeededGenerator, load_weights, save_weights
from dosecurate_torch import safetensors
from dosecurate_torch.sampler import PatchCentres


def sample(arguments):
    volume, _ = safetensors.load(arguments.volume)
    input, dose = volume["input"].numpy(), volume["dose"].numpy()
    sampler = PatchSampler(arguments.patch, max_shift=arguments.max_shift)
    centres, generator = PatchCentres(dose), SeededGenerator(arguments.seed)
    draws, patches = [], {}
    for index in range(arguments.count):
        draw = sampler.draw(centres, index, generator)
        patches[f"input.{index}"], patches[f"dose.{index}"] = sampler.cut(input, dose, draw)
        draws.append({"start": list(draw.start), "flipped": draw.flipped, "highDoseCentre": draw.high_dose_centre})
    safetensors.save(arguments.out, patches)
    print(json.dumps(draws))


def forward(arguments):
    model = load_weights(arguments.weights).eval()
    save_output(model, arguments.arrays, arguments.out)


def initialise(arguments):
    torch.manual_seed(arguments.seed)
    model = BaselineUNet3D.from_preset("tiny", depth=arguments.depth, input_channels=arguments.inputs).eval()
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if ".norm" in name:
                parameter.copy_(torch.randn_like(parameter) * 0.5 + (1.0 if name.endswith("weight") else 0.0))
    save_weights(model, arguments.weights_out, dataset_version=arguments.dataset_version)
    save_output(model, arguments.arrays, arguments.out)


def save_output(model, arrays_path, out):
    arrays, _ = safetensors.load(arrays_path)
    with torch.no_grad():
        y = model(arrays["x"], arrays["constraints"])
    safetensors.save(out, {"y": y})


def epoch(arguments):
    cache = PinnedCache(arguments.cache, roles=("train",), run_json=arguments.run_json)
    sampler = PatchSampler(arguments.patch, max_shift=arguments.max_shift)
    patches = cache.patches(sampler, seed=arguments.seed, epoch=1, patches_per_volume=arguments.patches_per_volume)
    model = load_weights(arguments.weights)
    optimizer = torch.optim.AdamW(model.parameters(), lr=arguments.lr, weight_decay=1e-2)
    batches = list(torch.utils.data.DataLoader(patches, batch_size=arguments.batch_size))
    losses, norms = [], []
    for step, batch in enumerate(batches):
        # The engine's CosineSchedule over the run's steps (one epoch here), set before each step.
        optimizer.param_groups[0]["lr"] = arguments.lr * (1 + math.cos(math.pi * step / len(batches))) / 2
        predicted = model(batch["input"], batch["constraints"])
        loss = F.mse_loss(predicted, batch["dose"]) + 0.1 * F.relu(-predicted).mean()
        optimizer.zero_grad()
        loss.backward()
        norms.append(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0).item())
        optimizer.step()
        losses.append(loss.item())
    draws = [{"caseId": cache.case_ids[case], "start": list(draw.start), "flipped": draw.flipped, "highDoseCentre": draw.high_dose_centre}
             for case, draw in patches.draws]
    print(json.dumps({"draws": draws, "trainLoss": sum(losses) / len(losses), "gradientNorm": sum(norms) / len(norms)}))


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("sample")
    command.add_argument("--volume", required=True)
    command.add_argument("--seed", type=int, required=True)
    command.add_argument("--count", type=int, required=True)
    command.add_argument("--patch", type=int, nargs=3, required=True)
    command.add_argument("--max-shift", type=int, required=True)
    command.add_argument("--out", required=True)
    command.set_defaults(run=sample)
    command = commands.add_parser("forward")
    command.add_argument("--weights", required=True)
    command.add_argument("--arrays", required=True)
    command.add_argument("--out", required=True)
    command.set_defaults(run=forward)
    command = commands.add_parser("init")
    command.add_argument("--depth", type=int, required=True)
    command.add_argument("--inputs", type=int, required=True)
    command.add_argument("--seed", type=int, required=True)
    command.add_argument("--dataset-version", required=True)
    command.add_argument("--arrays", required=True)
    command.add_argument("--weights-out", required=True)
    command.add_argument("--out", required=True)
    command.set_defaults(run=initialise)
    command = commands.add_parser("epoch")
    command.add_argument("--cache", required=True)
    command.add_argument("--run-json", required=True)
    command.add_argument("--weights", required=True)
    command.add_argument("--seed", type=int, required=True)
    command.add_argument("--patch", type=int, nargs=3, required=True)
    command.add_argument("--max-shift", type=int, required=True)
    command.add_argument("--patches-per-volume", type=int, required=True)
    command.add_argument("--batch-size", type=int, required=True)
    command.add_argument("--lr", type=float, required=True)
    command.set_defaults(run=epoch)
    arguments = parser.parse_args()
    torch.set_num_threads(1)
    arguments.run(arguments)


if __name__ == "__main__":
    main()
