#!/usr/bin/env bash
# Dense against patch inference on a trained model and held-out synthetic slides: map agreement (bench/compare-maps.py)
# and CAMELYON16 FROC and slide AUC of each mode (opath evaluate); dense runs with each 3x3 convolution algorithm
# (winograd, the CPU default, and direct), and the two dense maps are compared with each other too.
#
#   bench/fidelity.sh DEMO_DIR      # the folder of `opath demo --out DEMO_DIR` (model/demo.weights, cohort/)
#
# Builds the client in Release into $BENCH_CLIENT_ARTIFACTS (default /tmp/opath-bench-client); writes to $BENCH_WORK/fidelity.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
demo="${1:?usage: bench/fidelity.sh DEMO_DIR}"
artifacts="${BENCH_CLIENT_ARTIFACTS:-/tmp/opath-bench-client}"
work="${BENCH_WORK:-/tmp/opath-bench}/fidelity"
dotnet build "$root/client/Client.csproj" -c Release --artifacts-path "$artifacts" -v quiet -nologo >/dev/null
opath=(dotnet "$artifacts/bin/Client/release_linux-x64/opath.dll")
tests=$(python3 -c "import json,sys; print(' '.join(s['id'] for s in json.load(open(sys.argv[1]))['slides'] if s.get('split') == 'test'))" "$demo/cohort/cohort.json")
echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(uptime); test slides: $tests"
for run in dense:winograd dense:direct patch:direct; do
  mode=${run%%:*} convolutions=${run#*:} name=${run/:/-}
  for id in $tests; do
    "${opath[@]}" infer "$demo/cohort/slides/$id.tif" --weights "$demo/model/demo.weights" --mode "$mode" --convolutions "$convolutions" \
      --mask "$demo/cohort/masks/$id.tissue.mask" --out "$work/$name" 2>/dev/null | head -1
  done
  "${opath[@]}" evaluate --predictions "$work/$name" --truth "$demo/cohort" --out "$work/$name-evaluation" | grep -E "FROC|AUC" | sed "s/^/$name: /"
done
echo "dense (winograd) against patch:"
python3 "$root/bench/compare-maps.py" "$work/dense-winograd" "$work/patch-direct" 64
echo "dense (direct) against patch:"
python3 "$root/bench/compare-maps.py" "$work/dense-direct" "$work/patch-direct" 64
echo "dense, winograd against direct:"
python3 "$root/bench/compare-maps.py" "$work/dense-winograd" "$work/dense-direct" 64
