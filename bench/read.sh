#!/usr/bin/env bash
# Level-0 read throughput: 224x224 tiles/s (1 and 2 threads) and 2048x2048 MP/s through OpenSlide, against
# tjDecompress2 on the same slide's level-0 JPEG tiles.
#
#   bench/read.sh SLIDE [--patches N] [--regions N] [--region-side PX] [--decode-tiles N] [--seed S]
#
# Builds Release into $BENCH_ARTIFACTS (default /tmp/opath-bench-build) and runs under /usr/bin/time -v.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_build
bench_run read "$@"
