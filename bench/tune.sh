#!/usr/bin/env bash
# Dense end-to-end cells/s and peak RSS under InferenceOptions variations, one fresh process each
# (RegionCells, Readers, Prefetch, libtorch threads), changing one setting at a time from the defaults.
#
#   bench/tune.sh SLIDE [extra opath-bench e2e options, e.g. --precision bf16 or --region-rows 4]
#
# Each line of the sweep is `opath-bench e2e SLIDE --stages e2e --warm-shapes false SETTING`: a fresh worker's
# cells/s, paying the set-up of each new region shape as production does, and the process's peak RSS.
# For a setting's overlap (end-to-end against each stage) run bench/e2e.sh with it. Build and timing as in
# bench/e2e.sh; 8 whole-slide passes in all.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
slide="${1:?usage: bench/tune.sh SLIDE [e2e options]}"
shift
bench_build
settings=(
  ""
  "--region-cells 16"
  "--region-cells 32"
  "--region-cells 48"
  "--readers 1"
  "--prefetch 1"
  "--prefetch 4"
  "--threads 1"
)
for setting in "${settings[@]}"; do
  echo
  echo "### e2e ${setting:-(defaults)}"
  # shellcheck disable=SC2086 # a setting is several words on purpose
  bench_run e2e "$slide" --stages e2e --warm-shapes false $setting "$@"
done
