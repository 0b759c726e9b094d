#!/usr/bin/env bash
# The load generator benchmarks, in one run: bash bench/loadgen/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p bench/out/loadgen
uptime | tee bench/out/loadgen/uptime-before.txt
npx tsx bench/loadgen/capacity.ts "${CAPACITY_SECONDS:-5}" 64 | tee bench/out/loadgen/capacity.txt
npx tsx bench/loadgen/latency-truth.ts "${TRUTH_SECONDS:-30}" 200 | tee bench/out/loadgen/latency-truth.txt
uptime | tee bench/out/loadgen/uptime-after.txt
