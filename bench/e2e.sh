#!/usr/bin/env bash
# Whole-slide dense inference (SlideInference.RunAsync) against its read-only and compute-only stages:
# the end-to-end / slowest-stage ratio (goal <= 1.2) and peak RSS of each stage.
#
#   bench/e2e.sh SLIDE [--precision fp32] [--stride 64] [--region-cells 24] [--readers 2] [--prefetch 2] [--threads N] [--stages e2e,read,compute]
#
# Builds Release into $BENCH_ARTIFACTS (default /tmp/opath-bench-build) and runs under /usr/bin/time -v.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_build
bench_run e2e "$@"
