#!/usr/bin/env bash
# Tissue masks: IoU per drawn artefact of the Otsu (NCRF/MONAI) and robust rules against the truth, each robust
# step left out in turn, agreement on real slides, the same scenes through OpenSlide as JPEG TIFFs, and the time
# to mask a large slide.
#
#   bench/tissue.sh [--seeds N] [--side PX] [--real SLIDE...] [--tiffs DIR] [--timed SLIDE] [--figures DIR]
#
# BENCHMARKS.md's table: bench/tissue.sh --seeds 5 --real ../shared/data/slides/CMU-1-Small-Region.svs
#   ../shared/data/slides/TCGA-CR-7395-01A-01-TS1.svs --tiffs /tmp/tissue-tiffs
#   --timed SLIDE (a 100000x100000 slide from `opath synth --size 100000x100000`)
# Builds Release into $BENCH_ARTIFACTS (default /tmp/opath-bench-build) and runs under /usr/bin/time -v.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_build
bench_run tissue "$@"
