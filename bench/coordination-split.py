#!/usr/bin/python3
"""Splits a perf profile of a scale-bench process into coordination categories (BENCHMARKS.md, issue 10, session 8).

    DOTNET_EnableWriteXorExecute=0 DOTNET_PerfMapEnabled=1 DOTNET_TieredCompilation=0 bench/scale.sh ... &
    perf record -a -g -F 999 -o P.data -- sleep 20      # during the measured cohort
    perf script -i P.data | bench/coordination-split.py --seconds 20 --batches-per-s 124

Each sample of the .NET process's threads goes to the first category its call stack matches: pixel work (tissue masks,
output files; the bench subtracts it) before anything else, then Npgsql, Orleans' membership health, our code, the rest
of Orleans, and what shows no managed frame at all (runtime, thread pool, kernel).
"""
import argparse
import collections
import sys

PIXEL = ["SkiaSharp", "ScottPlot", "Imaging", "Tissue", "MapOverlay", "Compression", "turbojpeg", "libopenslide",
         "Figures", "Heatmap", "ThreadCpuTime::Measure"]


def category(thread, stack):
    if thread == ".NET BGC" or "gc_heap" in stack:
        return "garbage collection"
    if any(k in stack for k in PIXEL):
        return "pixel work (not coordination)"
    if "Npgsql" in stack:
        return "Npgsql (batch results, grain state)"
    if "MembershipService" in stack or "LocalSiloHealth" in stack:
        return "Orleans membership health (probes)"
    if "OrleansPathology" in stack:
        return "ours: workers, slide and map grains, result writer"
    if "Orleans" in stack:
        return "Orleans messaging, serialization, scheduling"
    return "runtime, thread pool, kernel (no managed frame)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, required=True, help="the perf record window")
    parser.add_argument("--batches-per-s", type=float, required=True, help="the run's batches/s")
    parser.add_argument("--hz", type=float, default=999)
    args = parser.parse_args()
    counts = collections.Counter()
    for sample in sys.stdin.read().split("\n\n"):
        lines = [line for line in sample.strip().split("\n") if line.strip()]
        if not lines:
            continue
        thread = lines[0].split("  ")[0].strip()
        if thread.startswith(".NET") or thread.startswith("Orleans"):
            counts[category(thread, "\n".join(lines[1:]))] += 1
    coordination = sum(n for c, n in counts.items() if not c.startswith("pixel"))
    print("| where | samples | CPU ms/s | ms/batch | share of coordination |")
    print("|---|---|---|---|---|")
    for name, n in counts.most_common():
        ms = n * 1000 / args.hz / args.seconds
        share = "" if name.startswith("pixel") else f"{100 * n / coordination:.0f} %"
        print(f"| {name} | {n} | {ms:.1f} | {ms / args.batches_per_s:.3f} | {share} |")
    ms = coordination * 1000 / args.hz / args.seconds
    print(f"| **coordination** | {coordination} | {ms:.1f} | {ms / args.batches_per_s:.3f} | |")


main()
