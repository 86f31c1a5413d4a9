#!/usr/bin/env python3
"""Where one forward pass's time goes: each stage of the plain PyTorch peer's FcnResNet18 (bench/patch-peer.py), timed
in turn on one channels-last input, as shares of the pass. Three passes, the first one a warm-up in effect.

    /usr/bin/python3 bench/stage-shares.py [--height 544] [--width 2400] [--threads 2]
"""
import argparse
import importlib.util
import pathlib
import time

import torch


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--height", type=int, default=544)
    parser.add_argument("--width", type=int, default=2400)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    spec = importlib.util.spec_from_file_location("peer", pathlib.Path(__file__).with_name("patch-peer.py"))
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    torch.set_num_threads(args.threads)
    model = peer.fcn_resnet18().eval().to(memory_format=torch.channels_last)
    x = torch.randn(1, 3, args.height, args.width).contiguous(memory_format=torch.channels_last)
    names = ["stem conv", "stem bn", "relu", "max pool", "layer1.0", "layer1.1", "layer2.0", "layer2.1",
             "layer3.0", "layer3.1", "layer4.0", "layer4.1", "avg pool", "fc"]
    with torch.no_grad():
        for _ in range(3):
            t, times = x, []
            for name, stage in zip(names, model):
                began = time.perf_counter()
                t = stage(t)
                times.append((name, time.perf_counter() - began))
            total = sum(s for _, s in times)
            print(" ".join(f"{n}: {s / total * 100:.1f}%" for n, s in times), f"| pass {total:.2f} s")


if __name__ == "__main__":
    main()
