#!/usr/bin/env bash
# `opath demo --cluster postgres` on this machine: a private PostgreSQL, its schema, N silo processes that find each
# other through it (each with one CPU device: one inference worker and one trainer), the demo against them, then the
# silos stopped. Outputs go to OUT (default out/demo-cluster), which every silo reads and writes: on several machines
# it would be shared storage.
#
#   scripts/demo-cluster.sh [--silos N] [--out DIR] [--pg-dir DIR] [--pg-port PORT] [-- extra opath demo options]
set -euo pipefail
cd "$(dirname "$0")/.."

silos=2 out=out/demo-cluster pg_dir=/tmp/opath-demo-pg pg_port=55439
while [[ $# -gt 0 ]]; do
  case "$1" in
    --silos) silos="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --pg-dir) pg_dir="$2"; shift 2 ;;
    --pg-port) pg_port="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "demo-cluster.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

if ! build=$(dotnet build client -v q -nologo 2>&1); then echo "$build" >&2; exit 1; fi
opath=(dotnet client/bin/Debug/net10.0/opath.dll)
silo_dll=silo/bin/Debug/net10.0/OrleansPathology.Silo.dll

bash scripts/postgres.sh start "$pg_dir" "$pg_port"
# The password is read from the environment by the silos and opath; it never goes on a command line.
export OPATH_CONNECTION_STRING="Host=127.0.0.1;Port=$pg_port;Database=${OPATH_PG_DATABASE:-orleans_pathology};Username=${OPATH_PG_USER:-opath};Password=${OPATH_PG_PASSWORD:-opath-tests-only}"
"${opath[@]}" db init

logs="$out/silos"
mkdir -p "$logs"
pids=()
stop_silos() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_silos EXIT
for i in $(seq 1 "$silos"); do
  # env, not VAR=value: a configuration key with a dot is no shell variable name.
  env Silo__Clustering=postgres Silo__Storage=postgres Silo__ConnectionString="$OPATH_CONNECTION_STRING" \
    Silo__SiloPort=$((11200 + i)) Silo__GatewayPort=$((30200 + i)) Silo__HealthPort=0 \
    Workers__SiloName="demo-node-$i" Workers__Devices__0=cpu:0 Logging__LogLevel__Microsoft.Hosting.Lifetime=Information \
    dotnet "$silo_dll" >"$logs/demo-node-$i.log" 2>&1 &
  pids+=($!)
done
# A silo is up once its host says so (loading libtorch and joining the cluster take a while on 2 cores).
for i in $(seq 1 "$silos"); do
  for _ in $(seq 1 180); do
    grep -q "Application started" "$logs/demo-node-$i.log" && break
    kill -0 "${pids[$((i - 1))]}" 2>/dev/null || { echo "silo demo-node-$i exited; see $logs/demo-node-$i.log" >&2; exit 1; }
    sleep 1
  done
done
echo "started $silos silo(s); logs in $logs"

"${opath[@]}" demo --out "$out" --workers "$silos" --cluster postgres "$@"
