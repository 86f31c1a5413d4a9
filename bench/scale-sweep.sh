#!/usr/bin/env bash
# The scale sweep of BENCHMARKS.md: workers 8 (1 silo x 8), 32 (4 x 8), 128 (16 x 8) against batch times 1000, 100 and
# 20 ms, for each storage named (default: memory postgres). One bench/scale.sh run each; their JSON lines are collected
# in BENCH_WORK/sweep-<time>.jsonl and their table rows printed.
#   bench/scale-sweep.sh [memory] [postgres]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${BENCH_WORK:-/tmp/opath-bench-scale}"
mkdir -p "$work"
storages=("${@:-memory postgres}")
[ $# -eq 0 ] && storages=(memory postgres)
out="$work/sweep-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
for storage in "${storages[@]}"; do
  for silos in 1 4 16; do
    for ms in 1000 100 20; do
      log=$(bash "$root/bench/scale.sh" --silos "$silos" --workers-per-silo 8 --batch-ms "$ms" --storage "$storage" --json 2>&1)
      status=$?
      grep '^machine:' <<<"$log" | head -1
      grep '^| [0-9]' <<<"$log" || { echo "run $storage $silos x 8 $ms ms failed (exit $status):"; tail -20 <<<"$log"; }
      grep '^{' <<<"$log" >>"$out"
    done
  done
done
echo "results: $out"
