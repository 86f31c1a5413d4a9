#!/usr/bin/env bash
# Patch and dense cells/s at strides 64 and 32, fp32 and bf16, on tissue batches spread over the slide, and
# the agreement of the two maps (mean/max abs difference, lesions matched within 2 cells).
#
#   bench/infer.sh SLIDE [--weights W] [--patch-cells 1000] [--dense-cells 6000] [--strides 64,32] [--precisions fp32,bf16] [--convolutions direct,winograd] [--threads N]
#
# Builds Release into $BENCH_ARTIFACTS (default /tmp/opath-bench-build) and runs under /usr/bin/time -v.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_build
bench_run infer "$@"
