#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test, and ends with the plain
# summary line "N passed, N failed" taken from the test results (TRX).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1

results="$(pwd)/TestResults"
rm -rf "$results"
dotnet build OrleansPathology.sln -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }
dotnet test tests/Tests.csproj --no-build -nologo --logger "trx;LogFileName=tests.trx" --results-directory "$results" "$@"
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
echo "$passed passed, $((failed + errors)) failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$errors" -eq 0 ]
