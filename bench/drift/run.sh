#!/usr/bin/env bash
# The drift benchmark in one run: bash bench/drift/run.sh [rows] (default 1000000).
# Generates the files (skipped when present), then times our engine and the scipy peer on them.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-1000000}"
OUT=bench/out/drift
mkdir -p "$OUT"
node --import tsx bench/drift/generate.ts --rows "$ROWS" --out "$OUT"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%FT%TZ)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
ls -l "$OUT"/reference.csv "$OUT"/current.csv
echo "== ours"
/usr/bin/time -v -o "$OUT/ours.time" node --import tsx bench/drift/drift.ts "$OUT/reference.csv" "$OUT/current.csv" | tee "$OUT/ours.json"
echo "== scipy"
/usr/bin/time -v -o "$OUT/peer.time" /usr/bin/python3 bench/drift/peer.py "$OUT/reference.csv" "$OUT/current.csv" | tee "$OUT/peer.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in ours peer; do
  echo "$n: wall $(grep 'Elapsed (wall' "$OUT/$n.time" | awk '{print $NF}'), max RSS $(grep 'Maximum resident' "$OUT/$n.time" | awk '{print $NF}') KiB"
done
node -e '
const a = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const b = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
console.log(`ratio (ours / scipy), wall total: ${(a.totalSeconds / b.totalSeconds).toFixed(3)}; statistics only: ${(a.statsSeconds / b.statsSeconds).toFixed(3)}; reading: ${(a.readSeconds / b.readSeconds).toFixed(3)}`);
console.log(`ratio (ours / scipy), CPU seconds total: ${(a.totalCpuSeconds / b.totalCpuSeconds).toFixed(3)} (${a.totalCpuSeconds.toFixed(1)} s vs ${b.totalCpuSeconds.toFixed(1)} s); reading: ${(a.readCpuSeconds / b.readCpuSeconds).toFixed(3)}`);
' "$OUT/ours.json" "$OUT/peer.json"
