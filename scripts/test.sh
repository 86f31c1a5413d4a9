#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test, and ends with the plain
# summary line "N passed, N failed" taken from the test results (TRX).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1

results="$(pwd)/TestResults"
# Every test's scratch files (slides, maps, PostgreSQL clusters, silo logs) go in one folder that is removed when the
# run ends, so repeated runs cannot fill the disk (a full disk once failed CI's build). 755: the postgres account must
# reach its cluster's folder inside.
scratch="$(mktemp -d "${TMPDIR:-/tmp}/opath-tests.XXXXXX")" || { echo "0 passed, 1 failed"; exit 1; }
chmod 755 "$scratch"
cleanup() {
  # A test host killed by the hang guard leaves its PostgreSQL servers running; stop them before removing their files.
  for pg in "$scratch"/opath-pg-*; do [ -d "$pg" ] && bash scripts/postgres.sh stop "$pg" >/dev/null 2>&1; done
  rm -rf "$scratch"
}
trap cleanup EXIT
export TMPDIR="$scratch"
rm -rf "$results"
dotnet build OrleansPathology.sln -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }
# A test that hangs ends the run after 15 minutes (the longest test takes about 3) instead of holding CI to its limit;
# the console then names the test that was running.
dotnet test tests/Tests.csproj --no-build -nologo --logger "trx;LogFileName=tests.trx" --results-directory "$results" \
  --blame-hang --blame-hang-timeout 15m --blame-hang-dump-type none "$@"
status=$?

trx="$results/tests.trx"
if [ ! -f "$trx" ]; then
  echo "test run produced no results ($trx missing)"
  echo "0 passed, 1 failed"
  exit 1
fi
counters=$(grep -o '<Counters [^>]*>' "$trx")
passed=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
failed=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
errors=$(sed -E 's/.* error="([0-9]+)".*/\1/' <<<"$counters")
failed=$((failed + errors))
# An aborted run (a hang or a crashed test host) counts as a failure even when every reported test passed.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "the test run was aborted before every test reported (see the test that was running, above)"
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
