#!/usr/bin/env bash
# The fast path's read rate over the raw tile-decode rate, as median and quartiles over many short rounds (one
# ratio per case, as bench/read.sh gives, moves with this shared machine's speed).
#
#   bench/read-ratios.sh SLIDE [--regions N] [--region-side PX] [--decode-tiles N] [--rounds N] [--seed S]
#
# Builds Release into $BENCH_ARTIFACTS (default /tmp/opath-bench-build) and runs under /usr/bin/time -v.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_build
bench_run read-ratios "$@"
