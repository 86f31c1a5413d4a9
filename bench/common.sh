# Sourced by bench/*.sh: builds opath-bench in Release into its own artifacts folder (others build the same
# solution concurrently) and runs a benchmark under GNU time for its peak RSS, with the load average around it.
# Needs: .NET 10 SDK, GNU time (/usr/bin/time), libopenslide0, libturbojpeg0.

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_artifacts="${BENCH_ARTIFACTS:-/tmp/opath-bench-build}"
bench_dll="$bench_artifacts/bin/Bench/release_linux-x64/opath-bench.dll"

bench_build() {
  local log
  if ! log=$(dotnet build "$bench_root/bench/Bench.csproj" -c Release --artifacts-path "$bench_artifacts" -v quiet -nologo 2>&1); then
    echo "$log" >&2
    return 1
  fi
}

# bench_run ARGS...: opath-bench ARGS under /usr/bin/time -v; the benchmark's Markdown on stdout, then one line
# with wall time, peak RSS and load averages.
bench_run() {
  local log load_before status=0
  log=$(mktemp /tmp/opath-bench-time.XXXXXX)
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -v -o "$log" dotnet "$bench_dll" "$@" || status=$?
  awk -F': ' -v before="$load_before" -v after="$(cut -d' ' -f1-3 /proc/loadavg)" -v cmd="opath-bench $*" '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + t[i] }
    /Maximum resident set size/ { rss = $2 / 1024 }
    END { printf "\n`%s`: wall %.1f s, peak RSS %.0f MiB (/usr/bin/time -v), load average %s before, %s after\n", cmd, wall, rss, before, after }' "$log"
  rm -f "$log"
  return $status
}

bench_machine() {
  echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(uptime)"
}
