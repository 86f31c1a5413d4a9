#!/usr/bin/env bash
# Coordination at scale: one cohort of real synthetic slide files, planned by the real slide grains, on S silos in one
# process (real Orleans messaging between them over loopback) with W simulated devices each (sim:N: a fixed time per
# batch, deterministic probabilities, no pixels read), so what the process spends beyond the devices is coordination.
#
#   bench/scale.sh --silos S --workers-per-silo W --batch-ms T --storage memory|postgres [--slides N] [--json]
#                  [--region-cells 16] [--batches-per-worker 30] [--silo-processes]
#
# Prints a Markdown row (batches/s against the ideal W*S*1000/T, cells/s, per-device utilisation = busy time over
# the span from the first batch's start to the last batch's end, coordination CPU per batch = the process's CPU time
# over that span less the pixel work the grains delegate (tissue masks, output files), database transactions per batch
# from pg_stat_database); with --json a last line holding the result as one JSON object.
# --storage postgres starts a private PostgreSQL (scripts/postgres.sh) unless OPATH_CONNECTION_STRING is set.
# --silo-processes (postgres only): the confirming run, S real silo processes (`dotnet silo.dll`, PostgreSQL clustering
# and storage); their CPU is read from /proc, pixel work from their /metrics, busy time and batches from the workers.
# The cohort: 4 synthetic slides of 16000x16000 (opath synth, seed 1), reused under new slide ids as --slides needs.
# Needs: .NET 10 SDK, libopenslide0, libturbojpeg0; PostgreSQL 15 server binaries for --storage postgres.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
artifacts="${BENCH_SCALE_ARTIFACTS:-/tmp/opath-bench-scale-build}"
work="${BENCH_WORK:-/tmp/opath-bench-scale}"
args=()
storage=memory
processes=
while [ $# -gt 0 ]; do
  case "$1" in
    --storage) storage="$2"; args+=("$1" "$2"); shift 2 ;;
    --json) args+=("$1"); shift ;;
    --silo-processes) processes=1; shift ;;
    --silos|--workers-per-silo|--batch-ms|--slides|--region-cells|--batches-per-worker) args+=("$1" "$2"); shift 2 ;;
    *) echo "usage: bench/scale.sh --silos S --workers-per-silo W --batch-ms T --storage memory|postgres [--slides N] [--json] [--silo-processes]" >&2; exit 2 ;;
  esac
done
mkdir -p "$work"

build() { # build PROJECT: Release into our own artifacts folder (others build the same solution concurrently)
  local log
  if ! log=$(dotnet build "$root/$1" -c Release --artifacts-path "$artifacts" -v quiet -nologo 2>&1); then echo "$log" >&2; exit 1; fi
}
cohort="$work/cohort-4-16000/cohort.json"
if [ ! -f "$cohort" ]; then
  build client/Client.csproj
  dotnet "$artifacts/bin/Client/release_linux-x64/opath.dll" synth --out "$(dirname "$cohort")" --slides 4 --size 16000x16000 --seed 1 >/dev/null
fi
build bench/Scale/Scale.csproj
if [ -n "$processes" ]; then
  build silo/Silo.csproj
  args+=(--silo-processes "$artifacts/bin/Silo/release_linux-x64/OrleansPathology.Silo.dll")
fi

pg_dir="$work/pg"
cleanup() { [ -n "${started_pg:-}" ] && "$root/scripts/postgres.sh" stop "$pg_dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
if [ "$storage" = postgres ] && [ -z "${OPATH_CONNECTION_STRING:-}" ]; then
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  password="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
  rm -rf "$pg_dir"
  OPATH_PG_PASSWORD="$password" "$root/scripts/postgres.sh" start "$pg_dir" "$port" >/dev/null
  started_pg=1
  export OPATH_CONNECTION_STRING="Host=127.0.0.1;Port=$port;Database=orleans_pathology;Username=opath;Password=$password"
  build client/Client.csproj
  dotnet "$artifacts/bin/Client/release_linux-x64/opath.dll" db init >/dev/null
fi

echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name: *//'), load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
dotnet "$artifacts/bin/Scale/release_linux-x64/opath-scale.dll" --cohort "$cohort" --out "$work/out" "${args[@]}"
