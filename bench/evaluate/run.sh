#!/usr/bin/env bash
# The evaluate benchmark, in one run: bash bench/evaluate/run.sh [rows] (default 1000000).
# Generates the data and models (skipped when unchanged), then measures (a) `mlops evaluate` through
# the committed CLI bundle, (b) onnxruntime inference alone, (c) the NumPy peer, and summarises.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-1000000}"
OUT=bench/out/evaluate
mkdir -p "$OUT"

# The machine is shared: sample the load average for the whole run, to report it honestly.
(while true; do echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 10; done) >"$OUT/loadavg.log" &
SAMPLER=$!
trap 'kill "$SAMPLER" 2>/dev/null || true' EXIT

node --import tsx bench/evaluate/generate.ts --rows "$ROWS"
uptime | tee "$OUT/uptime-before.txt"

# measure NAME CMD...: stdout to NAME.stdout, resource figures to NAME.time (or NAME.wall).
measure() {
  local name="$1"
  shift
  rm -f "$OUT/$name.time" "$OUT/$name.wall"
  echo "== $name: $*"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$OUT/$name.time" "$@" | tee "$OUT/$name.stdout"
  else
    local start end
    start=$(date +%s.%N)
    "$@" | tee "$OUT/$name.stdout"
    end=$(date +%s.%N)
    echo "$end - $start" | bc >"$OUT/$name.wall"
  fi
}

rm -rf "$OUT/eval"
measure a node packages/cli/dist/index.js evaluate \
  --model "$OUT/cand.onnx" --baseline "$OUT/base.onnx" --data "$OUT/data.csv" --label y \
  --task binary-classification --metrics roc_auc,pr_auc,accuracy,log_loss,f1,brier \
  --replicates 1000 --out "$OUT/eval"
measure b node --import tsx bench/evaluate/infer.ts "$OUT/data.csv" "$OUT/cand.onnx" "$OUT/base.onnx"
measure c /usr/bin/python3 bench/evaluate/peer.py "$OUT/preds.csv" 1000 1 "$OUT/peer.json"

uptime | tee "$OUT/uptime-after.txt"
echo "== summary"
node --import tsx bench/evaluate/summarize.ts "$OUT" | tee "$OUT/summary.txt"
echo "load averages sampled every 10 s: $OUT/loadavg.log"
