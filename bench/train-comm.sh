#!/usr/bin/env bash
# Communication cost of data-parallel training: `opath train` on the embedded cluster (one silo, K CPU trainers)
# with 1 and 3 workers, the same global batch, BatchNorm frozen; prints each run's per-step summary (bytes of weights
# written and read, bytes of gradients gathered, seconds publishing, gathering beyond the slowest trainer, and
# decode + average + optimizer step).
#
#   bench/train-comm.sh                 # batch 12, 3 steps, 1 epoch
#   TRAIN_BATCH=24 TRAIN_STEPS=4 bench/train-comm.sh
#
# Across silos (real TCP between three silo processes in one test host) the same figures come from
# tests/Training/Distributed/DistributedTrainingClusterTests (see BENCHMARKS.md for the command).
# Build: Release, into its own artifacts folder. Needs: .NET 10 SDK, libopenslide0, libturbojpeg0.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
artifacts="${TRAIN_ARTIFACTS:-/tmp/opath-bench-train}"
work="${TRAIN_WORK:-$(mktemp -d /tmp/opath-bench-train-out.XXXXXX)}"
batch="${TRAIN_BATCH:-12}"
steps="${TRAIN_STEPS:-3}"

if ! build_log=$(dotnet build "$root/client/Client.csproj" -c Release --artifacts-path "$artifacts" -v quiet -nologo 2>&1); then
  echo "$build_log" >&2
  exit 1
fi
opath=(dotnet "$artifacts/bin/Client/release_linux-x64/opath.dll")

echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name: *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
"${opath[@]}" synth --out "$work/cohort" --slides 3 --size 3000x2500 --seed 11 --test-fraction 0 --patches-per-slide 12 > /dev/null
"${opath[@]}" dataset "$work"/cohort/slides/synth_000.tif "$work"/cohort/slides/synth_002.tif \
  --validation "$work"/cohort/slides/synth_001.tif --annotations "$work/cohort/annotations" --tumour-patches 16 --seed 3 --out "$work/dataset.json"
for workers in 1 3; do
  echo "--- workers $workers: opath train dataset.json --epochs 1 --workers $workers --batch-size $batch --max-steps $steps --batchnorm frozen"
  "${opath[@]}" train "$work/dataset.json" --epochs 1 --workers "$workers" --batch-size "$batch" --max-steps "$steps" --batchnorm frozen \
    --seed 5 --out "$work/w$workers.weights" | grep -E '^(communication|epoch 1/1 done|run )'
done
