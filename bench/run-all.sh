#!/usr/bin/env bash
# Every benchmark of the inference engine on one synthetic 20000x20000 slide, for BENCHMARKS.md:
#   1. opath synth --out $BENCH_WORK/cohort --slides 1 --size 20000x20000 --seed 1 --tumour-fraction 1
#      (skipped when the slide exists: the same seed gives the same bytes; BENCH_RESYNTH=1 forces it)
#   2. opath-bench read, infer, e2e (fp32) and forward on it, each under /usr/bin/time -v (bench/tune.sh too with BENCH_TUNE=1)
#
#   bench/run-all.sh [--weights W]      # W: trained weights for infer and e2e; default random weights (seed 1)
#
# Everything printed goes to $BENCH_WORK/run-all-<UTC time>.md as well. Run on a quiet machine: the rows carry
# the load average before and after each measurement, so figures taken under load can be told apart.
# Needs: .NET 10 SDK, GNU time, libopenslide0, libturbojpeg0. Work folder: BENCH_WORK (default /tmp/opath-bench).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/common.sh"
work="${BENCH_WORK:-/tmp/opath-bench}"
slide="$work/cohort/slides/synth_000.tif"
weights=()
if [ "${1:-}" = "--weights" ]; then weights=(--weights "${2:?--weights needs a path}"); fi
mkdir -p "$work"
report="$work/run-all-$(date -u +%Y%m%dT%H%M%SZ).md"

{
  echo "# opath-bench run-all, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$bench_root" rev-parse --short HEAD 2>/dev/null || echo '?')"
  bench_machine
  if [ ! -f "$slide" ] || [ "${BENCH_RESYNTH:-0}" = 1 ]; then
    client_artifacts="${BENCH_CLIENT_ARTIFACTS:-/tmp/opath-bench-client}"
    dotnet build "$bench_root/client/Client.csproj" -c Release --artifacts-path "$client_artifacts" -v quiet -nologo >/dev/null
    rm -rf "$work/cohort"
    echo
    echo "synthesising $slide"
    /usr/bin/time -f 'synth: wall %e s, peak RSS %M KiB' dotnet "$client_artifacts/bin/Client/release_linux-x64/opath.dll" synth \
      --out "$work/cohort" --slides 1 --size 20000x20000 --seed 1 --tumour-fraction 1
  fi
  bench_build
  echo; bench_run read "$slide"
  echo; bench_run infer "$slide" "${weights[@]}"
  echo; bench_run e2e "$slide" "${weights[@]}"
  echo; bench_run forward --slide "$slide" "${weights[@]}"
  if [ "${BENCH_TUNE:-0}" = 1 ]; then "$here/tune.sh" "$slide" "${weights[@]}"; fi
  echo
  echo "done: $(uptime)"
} 2>&1 | tee "$report"
echo "report: $report"
