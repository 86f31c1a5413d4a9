#!/usr/bin/python3
"""The per-patch reference in plain PyTorch, for the dense-against-reference ratio of issue 12.

MONAI's pathology_tumor_detection inference as plain code: a 224x224 level-0 patch around each tissue cell read
with OpenSlide, intensities scaled from 0..255 to -1..1, batches through torchvision's ResNet18 with its last FC as a
1x1 convolution (MONAI's TorchVisionFCModel, use_conv), batch norm in eval mode, sigmoid. Random weights: speed does
not depend on them. Prints one Markdown row: cells, read and compute seconds, cells/s.

    /usr/bin/python3 bench/patch-peer.py SLIDE MASK_NPY [--cells 320] [--batch 32] [--threads 2] [--seed 1]

MASK_NPY: `opath mask SLIDE --out DIR` writes it (uint8, rows x columns, any downsample): tissue cells are sampled
from its non-zero pixels. Needs Debian's python3-torch and python3-openslide.
"""
import argparse
import resource
import time

import numpy as np
import openslide
import torch
from torch import nn

PATCH = 224


class BasicBlock(nn.Module):
    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or inputs != outputs:
            self.downsample = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


def fcn_resnet18():
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    inputs = 64
    for outputs, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        layers += [BasicBlock(inputs, outputs, stride), BasicBlock(outputs, outputs, 1)]
        inputs = outputs
    # TorchVisionFCModel(use_conv=True): the pool keeps its 7x7 window at stride 1, the FC becomes a 1x1 convolution.
    layers += [nn.AvgPool2d(7, 1), nn.Conv2d(512, 1, 1)]
    return nn.Sequential(*layers).eval()


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("slide")
    parser.add_argument("mask")
    parser.add_argument("--cells", type=int, default=320)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                        help="bf16: the forward pass under torch.autocast on the CPU (oneDNN's bf16 kernels where the CPU has them)")
    args = parser.parse_args()
    bf16 = torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    slide = openslide.OpenSlide(args.slide)
    width, height = slide.dimensions
    mask = np.load(args.mask)
    rows, cols = np.nonzero(mask)
    if len(rows) == 0:
        raise SystemExit(f"{args.mask}: no tissue pixel")
    pick = np.random.default_rng(args.seed).choice(len(rows), size=min(args.cells, len(rows)), replace=False)
    scale_x, scale_y = width / mask.shape[1], height / mask.shape[0]
    centres = [(int((cols[i] + 0.5) * scale_x), int((rows[i] + 0.5) * scale_y)) for i in sorted(pick)]

    model = fcn_resnet18()
    with torch.no_grad(), bf16:
        model(torch.zeros(2, 3, PATCH, PATCH))  # warm-up: oneDNN primitives for this shape

        read_s = compute_s = compute_cpu_s = 0.0
        for start in range(0, len(centres), args.batch):
            began = time.perf_counter()
            patches = np.empty((len(centres[start:start + args.batch]), PATCH, PATCH, 3), dtype=np.uint8)
            for k, (x, y) in enumerate(centres[start:start + args.batch]):
                region = slide.read_region((x - PATCH // 2, y - PATCH // 2), 0, (PATCH, PATCH)).convert("RGB")
                patches[k] = np.asarray(region)
            batch = torch.from_numpy(patches).permute(0, 3, 1, 2).float() / 255.0 * 2.0 - 1.0
            read_s += time.perf_counter() - began

            began, began_cpu = time.perf_counter(), cpu_seconds()
            torch.sigmoid(model(batch).float()).flatten()
            compute_s += time.perf_counter() - began
            compute_cpu_s += cpu_seconds() - began_cpu

    n = len(centres)
    print(f"| plain PyTorch {torch.__version__} per patch, {args.precision}, batch {args.batch}, {args.threads} threads | {n} | {read_s:.2f} | "
          f"{compute_s:.2f} | {compute_cpu_s:.2f} | {n / compute_s:.1f} | {n / compute_cpu_s:.1f} | {n / (read_s + compute_s):.1f} |")


if __name__ == "__main__":
    main()
