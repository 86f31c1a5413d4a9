#!/usr/bin/env bash
# Speed and peak memory of `opath synth`, one slide per size, each in a fresh process under /usr/bin/time -v.
#
#   bench/synth.sh                      # 20000x20000, 60000x20000 (3x wider), 20000x60000 (3x taller)
#   bench/synth.sh 100000x100000        # any sizes, WIDTHxHEIGHT
#
# What to expect: time grows with area; peak RSS does not grow with height at all (the pyramid is streamed one
# tile row at a time) and grows with width only by the per-level strips (about width x 768 bytes). Threads:
# SYNTH_THREADS (default: all cores). Build: Release, into its own artifacts folder, so as not to disturb others.
# Needs: .NET 10 SDK, GNU time (/usr/bin/time), libturbojpeg0 (and, for the check, openslide-tools).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
artifacts="${SYNTH_ARTIFACTS:-/tmp/opath-bench-synth}"
work="${SYNTH_WORK:-$(mktemp -d /tmp/opath-bench-synth-out.XXXXXX)}"
threads="${SYNTH_THREADS:-$(nproc)}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(20000x20000 60000x20000 20000x60000)

if ! build_log=$(dotnet build "$root/client/Client.csproj" -c Release --artifacts-path "$artifacts" -v quiet -nologo 2>&1); then
  echo "$build_log" >&2
  exit 1
fi
opath="$artifacts/bin/Client/release_linux-x64/opath.dll"

printf '%-16s %10s %12s %12s %10s\n' size wall_s megapixel/s peak_rss_mb tiff_mb
for size in "${sizes[@]}"; do
  out="$work/$size"
  rm -rf "$out"
  log="$work/$size.time"
  /usr/bin/time -v dotnet "$opath" synth --out "$out" --slides 1 --size "$size" --seed 1 --tumour-fraction 1 \
    --threads "$threads" >/dev/null 2>"$log"
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$log")
  rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
  w=${size%x*}; h=${size#*x}
  tiff_bytes=$(stat -c %s "$out/slides/synth_000.tif")
  awk -v s="$size" -v wall="$wall" -v w="$w" -v h="$h" -v rss="$rss_kb" -v bytes="$tiff_bytes" \
    'BEGIN { printf "%-16s %10.1f %12.1f %12.0f %10.0f\n", s, wall, w * h / 1e6 / wall, rss / 1024, bytes / 1048576 }'
  if command -v openslide-show-properties >/dev/null; then
    openslide-show-properties "$out/slides/synth_000.tif" | grep -q "openslide.vendor: 'generic-tiff'" \
      || { echo "OpenSlide does not read $size as generic-tiff" >&2; exit 1; }
  fi
  rm -rf "$out"
done
echo "(threads: $threads; cores: $(nproc); outputs and /usr/bin/time logs in $work)"
