#!/usr/bin/env bash
# Cohort throughput through the Orleans cluster against the engine alone, on the same synthetic slides:
# what distribution (grain messaging, leases, PostgreSQL persistence of every batch and of grain state) costs.
#
#   bench/cluster.sh [--slides 3] [--size 6000x4000] [--seed 1] [--stride 64] [--silos "1 3"] [--repeat 3]
#
#   1. opath synth (skipped when BENCH_WORK already holds that cohort), opath model init (random weights, seed 1),
#      a private PostgreSQL (scripts/postgres.sh, random password, port BENCH_PG_PORT or a free one), opath db init.
#   2. Engine: `opath infer SLIDE --mask M` per slide, one after another (the synthetic tissue masks on both sides,
#      so neither computes one). Engine time E = the compute seconds opath infer reports (all batches read and
#      scored, pipelined) summed over the slides, plus one model load (the cluster loads the model once per worker).
#   3. Cluster, for each count in --silos: that many silo processes on this machine (Silo:Clustering and Silo:Storage
#      postgres, one worker cpu:0 each, every other setting the default, e.g. Pathology:RegionCells 24 as opath
#      infer), then `opath submit --cluster postgres --wait --json`. Cluster time C = the cohort's finishedAt minus
#      submittedAt (planning, leasing, every batch, map assembly, output files, all included); overhead (C - E) / E.
#      The silos log each batch's read and compute seconds (Debug); "busy" is the workers' forward-pass seconds over
#      (silos x C): measured within the run itself, it is the one figure here that the machine's load cancels out of,
#      and for 1 silo, 100% - busy is what distribution costs on top of the device's own work.
#   4. Steps 2 and 3 alternate --repeat times, every cluster started afresh each time (cold, as each opath infer is):
#      a shared machine's load comes and goes, and only adds time, so the summary takes each figure's best run (and
#      shows the median), with the load average around every run in its row.
#   One node's cores are shared by all its silos: 3 silo processes on 2 cores cannot beat 1; the 3-silo row shows
#   what three processes (three models, three pulls, oversubscribed libtorch threads) cost on one machine.
#
# Everything printed goes to BENCH_WORK/cluster-<UTC time>.md as well, with the load average around each run.
# Needs: .NET 10 SDK, PostgreSQL 15 server binaries (scripts/postgres.sh), jq, bc, python3 (else shuf) for free ports,
# libopenslide0, libturbojpeg0.
# Build: Release, into BENCH_CLUSTER_ARTIFACTS (default /tmp/opath-bench-cluster-build), so as not to disturb others.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/common.sh"
artifacts="${BENCH_CLUSTER_ARTIFACTS:-/tmp/opath-bench-cluster-build}"
work="${BENCH_WORK:-/tmp/opath-bench-cluster}"
slides=3 size=6000x4000 seed=1 stride=64 silo_counts="1 3" repeat=3
while [ $# -gt 0 ]; do
  case "$1" in
    --slides) slides="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --stride) stride="$2"; shift 2 ;;
    --silos) silo_counts="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    *) echo "usage: bench/cluster.sh [--slides N] [--size WxH] [--seed S] [--stride N] [--silos \"1 3\"] [--repeat R]" >&2; exit 2 ;;
  esac
done

mkdir -p "$work"
report="$work/cluster-$(date -u +%Y%m%dT%H%M%SZ).md"
exec > >(tee "$report") 2>&1

silo_pids=()
pg_dir="$work/pg"
cleanup() {
  for pid in "${silo_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  "$root/scripts/postgres.sh" stop "$pg_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || shuf -i 20000-60000 -n 1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
seconds_between() { echo "$(date -d "$2" +%s.%N) - $(date -d "$1" +%s.%N)" | bc -l; }

echo "# Cluster benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
bench_machine
if ! log=$(dotnet build "$root/client/Client.csproj" -c Release --artifacts-path "$artifacts" -v quiet -nologo 2>&1); then
  echo "$log" >&2
  exit 1
fi
bin="$artifacts/bin/Client/release_linux-x64"
opath=(dotnet "$bin/opath.dll")
silo_dll="$bin/OrleansPathology.Silo.dll" # the client references the silo project: its runtimeconfig sits beside opath's

cohort_dir="$work/cohort-$slides-$size-$seed"
if [ ! -f "$cohort_dir/cohort.json" ]; then
  rm -rf "$cohort_dir"
  "${opath[@]}" synth --out "$cohort_dir" --slides "$slides" --size "$size" --seed "$seed" >/dev/null
fi
weights="$work/random.weights"
[ -f "$weights" ] || "${opath[@]}" model init --out "$weights" --seed 1 >/dev/null

pg_port="${BENCH_PG_PORT:-$(free_port)}"
pg_password="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
OPATH_PG_PASSWORD="$pg_password" "$root/scripts/postgres.sh" start "$pg_dir" "$pg_port" >/dev/null
export OPATH_CONNECTION_STRING="Host=127.0.0.1;Port=$pg_port;Database=orleans_pathology;Username=opath;Password=$pg_password"
"${opath[@]}" db init >/dev/null
export Silo__ClusterId=bench Silo__ServiceId=bench # read by the silos and by opath's client alike

mapfile -t slide_rows < <(jq -r --arg dir "$cohort_dir" '.slides[] | "\(.id)\t\($dir)/\(.path)\t\($dir)/\(.tissueMask)"' "$cohort_dir/cohort.json")
echo
echo "cohort: ${#slide_rows[@]} synthetic slides $size (seed $seed), stride $stride, dense, fp32, random weights; PostgreSQL 15 on 127.0.0.1:$pg_port"

# --- the engine alone -------------------------------------------------------------------------------------------
# engine_pass: every slide through opath infer; sets $engine (s) and $engine_cells, prints a row per slide.
engine_pass() {
  local row id path mask before start line wall cells compute model total_compute=0 first_load=""
  engine_cells=0
  for row in "${slide_rows[@]}"; do
    IFS=$'\t' read -r id path mask <<<"$row"
    before="$(load)"
    start=$(date +%s.%N)
    line=$("${opath[@]}" infer "$path" --weights "$weights" --mask "$mask" --stride "$stride" --out "$work/engine/$id" 2>/dev/null | head -1)
    wall=$(echo "$(date +%s.%N) - $start" | bc -l)
    # "<slide>: N cells in X s (R cells/s, Dense, cpu/fp32; model loaded in Y s)"
    cells=$(sed -E 's/.*: ([0-9]+) cells in .*/\1/' <<<"$line")
    compute=$(sed -E 's/.* cells in ([0-9.]+) s .*/\1/' <<<"$line")
    model=$(sed -E 's/.*model loaded in ([0-9.]+) s.*/\1/' <<<"$line")
    total_compute=$(echo "$total_compute + $compute" | bc -l)
    engine_cells=$((engine_cells + cells))
    first_load="${first_load:-$model}"
    printf '| %d | engine | %s | | %d | %.1f | | compute %.1f s, model load %.1f s, process wall %.1f s | %s / %s |\n' \
      "$rep" "$id" "$cells" "$compute" "$compute" "$model" "$wall" "$before" "$(load)"
  done
  engine=$(echo "$total_compute + $first_load" | bc -l)
  printf '| %d | **engine E** | all | | %d | %.1f | %.1f | compute + one model load | |\n' \
    "$rep" "$engine_cells" "$engine" "$(echo "$engine_cells / $engine" | bc -l)"
}

# --- the cluster --------------------------------------------------------------------------------------------------
# cluster_pass COUNT: COUNT fresh silo processes, one cohort, then SIGTERM; sets $cluster (s), prints its row.
cluster_pass() {
  local count="$1" run i log before start submit_wall after status completed cells batches worker_read worker_compute busy
  local logs=()
  run="n$count-r$rep-$(date -u +%H%M%S)"
  silo_pids=()
  for i in $(seq 1 "$count"); do
    log="$work/silo-$run-$i.log"
    logs+=("$log")
    : >"$log"
    env Silo__Clustering=postgres Silo__Storage=postgres Silo__ConnectionString="$OPATH_CONNECTION_STRING" \
      Silo__SiloPort="$(free_port)" Silo__GatewayPort="$(free_port)" Silo__HealthPort="$(free_port)" \
      Workers__SiloName="bench-$run-$i" Workers__Devices__0=cpu:0 \
      Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.Hosting.Lifetime=Information \
      Logging__LogLevel__OrleansPathology.Grains.Workers.InferenceWorkerGrain=Debug \
      Logging__Console__FormatterOptions__SingleLine=true \
      dotnet "$silo_dll" >"$log" 2>&1 &
    silo_pids+=($!)
  done
  for log in "${logs[@]}"; do
    for _ in $(seq 1 600); do grep -q "Application started" "$log" && break; sleep 0.5; done
    grep -q "Application started" "$log" || { echo "a silo did not start; see $log" >&2; exit 1; }
  done

  before="$(load)"
  start=$(date +%s.%N)
  "${opath[@]}" submit "$cohort_dir/cohort.json" --id "bench-$run" --weights "$weights" --stride "$stride" \
    --out "$work/out" --cluster postgres --wait --json >"$work/status-$run.json" 2>/dev/null || true
  submit_wall=$(echo "$(date +%s.%N) - $start" | bc -l)
  after="$(load)"

  status="$work/status-$run.json"
  completed=$(jq '[.slides[] | select(.state == "Completed")] | length' "$status")
  [ "$completed" -eq "${#slide_rows[@]}" ] || { echo "run $run: only $completed slides completed; see $status" >&2; exit 1; }
  cluster=$(seconds_between "$(jq -r .submittedAt "$status")" "$(jq -r .finishedAt "$status")")
  cells=$(jq '[.slides[].cellsTotal] | add' "$status")
  batches=$(jq '[.slides[].batchesTotal] | add' "$status")
  # "... batch B done, N cells (read R s, compute C s)"
  read -r worker_read worker_compute < <(cat "${logs[@]}" | sed -nE 's/.* done, [0-9]+ cells \(read ([0-9.]+) s, compute ([0-9.]+) s\).*/\1 \2/p' \
    | awk '{ r += $1; c += $2 } END { printf "%.1f %.1f\n", r, c }')
  # Busy: the share of C the workers spent in forward passes (model load included); the rest is planning,
  # messaging, persistence, waiting for a lease, and the tail where some workers have nothing left to take.
  busy=$(echo "$worker_compute * 100 / ($count * $cluster)" | bc -l)
  printf '| %d | **%d silo(s) C** | all | %d | %d | %.1f | %.1f | overhead %+.1f%% vs this pass; workers: read %s s, compute %s s, busy %.1f%% of C; submit wall %.1f s | %s / %s |\n' \
    "$rep" "$count" "$batches" "$cells" "$cluster" "$(echo "$cells / $cluster" | bc -l)" \
    "$(echo "($cluster - $engine) * 100 / $engine" | bc -l)" "$worker_read" "$worker_compute" "$busy" "$submit_wall" "$before" "$after"
  busy_of[$count]+="$busy "
  [ "$cells" -eq "$engine_cells" ] || echo "note: the cluster scored $cells cells, the engine $engine_cells" >&2

  for pid in "${silo_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${silo_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  silo_pids=()
}

echo
echo "| pass | what | slide | batches | cells | wall s | cells/s | detail | load before / after |"
echo "|---|---|---|---|---|---|---|---|---|"
declare -A times=() busy_of=()
for rep in $(seq 1 "$repeat"); do
  engine_pass
  times[engine]+="$engine "
  for count in $silo_counts; do
    cluster_pass "$count"
    times[$count]+="$cluster "
  done
done

# best and median of a list of seconds
best_median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { printf "%.1f %.1f\n", v[1], (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
read -r engine_best engine_median < <(best_median "${times[engine]}")
echo
echo "## summary over $repeat pass(es): best (median) wall seconds"
echo
echo "| run | s | cells/s | overhead (C - E) / E | workers busy, share of C (median) |"
echo "|---|---|---|---|---|"
printf '| engine E (opath infer, compute + one model load) | %.1f (%.1f) | %.1f | | |\n' "$engine_best" "$engine_median" "$(echo "$engine_cells / $engine_best" | bc -l)"
for count in $silo_counts; do
  read -r best median < <(best_median "${times[$count]}")
  read -r _ busy_median < <(best_median "${busy_of[$count]}")
  printf '| cluster C, %d silo process(es), 1 worker each | %.1f (%.1f) | %.1f | %+.1f%% (%+.1f%%) | %.1f%% |\n' "$count" "$best" "$median" \
    "$(echo "$engine_cells / $best" | bc -l)" "$(echo "($best - $engine_best) * 100 / $engine_best" | bc -l)" \
    "$(echo "($median - $engine_median) * 100 / $engine_median" | bc -l)" "$busy_median"
done
echo
echo "E: engine time (compute + one model load); C: cohort submittedAt to finishedAt; busy: the workers' forward-pass"
echo "seconds over (silos x C), measured within the same run as C, so the machine's load cancels out of it. Report: $report"
