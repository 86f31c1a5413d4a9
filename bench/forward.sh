#!/usr/bin/env bash
# The forward pass alone on one input shape: NCHW against channels-last input, fp32 and bf16.
#
#   bench/forward.sh [--side 1696] [--count 1] [--precisions fp32,bf16] [--layouts nchw,channels-last] [--repeats 5] [--threads N]
#
# Builds Release into $BENCH_ARTIFACTS (default /tmp/opath-bench-build) and runs under /usr/bin/time -v.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_build
bench_run forward "$@"
