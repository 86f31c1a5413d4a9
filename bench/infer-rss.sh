#!/usr/bin/env bash
# Peak RSS and wall time of `opath infer` dense on one slide, with and without giving freed memory back after each
# region (OPATH_MALLOC_TRIM=0 turns malloc_trim off), and with the tile fast path off (OPATH_TILE_READER=openslide).
#
#   bench/infer-rss.sh SLIDE [opath infer options...]     # e.g. --region-cells 32
#
# Builds the client in Release into $BENCH_CLIENT_ARTIFACTS (default /tmp/opath-bench-client), makes random weights
# (seed 1) once, and runs each case under /usr/bin/time -v. Needs: .NET 10 SDK, GNU time, libopenslide0, libturbojpeg0.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
slide="${1:?usage: bench/infer-rss.sh SLIDE [opath infer options]}"; shift
artifacts="${BENCH_CLIENT_ARTIFACTS:-/tmp/opath-bench-client}"
work="${BENCH_WORK:-/tmp/opath-bench}/infer-rss"
dotnet build "$root/client/Client.csproj" -c Release --artifacts-path "$artifacts" -v quiet -nologo >/dev/null
opath=(dotnet "$artifacts/bin/Client/release_linux-x64/opath.dll")
mkdir -p "$work"
[ -f "$work/w.bin" ] || "${opath[@]}" model init --out "$work/w.bin" --seed 1 >/dev/null
echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(uptime)"
echo
echo "| case | wall s | user+sys s | peak RSS MiB | opath's own line | load before / after |"
echo "|---|---|---|---|---|---|"
run() {
  local label="$1"; shift
  local log out before
  log=$(mktemp); before=$(cut -d' ' -f1-3 /proc/loadavg)
  out=$(env "$@" /usr/bin/time -v -o "$log" "${opath[@]}" infer "$slide" --weights "$work/w.bin" --out "$work/out" "${extra[@]}" 2>/dev/null | head -1)
  awk -F': ' -v label="$label" -v out="${out##*: }" -v before="$before" -v after="$(cut -d' ' -f1-3 /proc/loadavg)" '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + t[i] }
    /User time/ { cpu += $2 } /System time/ { cpu += $2 }
    /Maximum resident set size/ { rss = $2 / 1024 }
    END { printf "| %s | %.1f | %.1f | %.0f | %s | %s / %s |\n", label, wall, cpu, rss, out, before, after }' "$log"
  rm -f "$log"
}
extra=("$@")
run "dense, defaults (fast tile reader, malloc_trim after each region)" OPATH_MALLOC_TRIM=1
run "dense, no malloc_trim" OPATH_MALLOC_TRIM=0
run "dense, OpenSlide reads" OPATH_TILE_READER=openslide
