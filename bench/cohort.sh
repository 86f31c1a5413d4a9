#!/usr/bin/env bash
# A cohort of slides scored one after another in one process (dense, SlideInference), with and without canonical
# region shapes: time and RSS after each slide.
#
#   bench/cohort.sh SLIDE... [-- opath-bench cohort options, e.g. --weights W]
#
# Builds Release into $BENCH_ARTIFACTS (default /tmp/opath-bench-build); each setting runs in its own process under
# /usr/bin/time -v, canonical shapes off first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
slides=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do slides+=("$1"); shift; done
[ $# -gt 0 ] && shift
bench_build
for canonical in false true; do
  bench_run cohort "${slides[@]}" --canonical-shapes "$canonical" "$@"
done
