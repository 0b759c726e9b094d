/**
 * Paired bootstrap throughput: `npx tsx bench/bootstrap.ts [rows] [replicates] [threads]`.
 * Synthetic binary data (the real datasets are far too small to time this).
 */
import { availableParallelism } from 'node:os';
import { pairedBootstrap } from '../packages/metrics/src/index.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const replicates = Number(process.argv[3] ?? 1000);
const threads = Number(process.argv[4] ?? availableParallelism());

// A small xorshift generator keeps the data reproducible without a dependency.
let state = 0x2545f491;
const rand = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
};
const y = new Int32Array(rows);
const candidate = new Float64Array(rows);
const baseline = new Float64Array(rows);
for (let i = 0; i < rows; i++) {
  y[i] = rand() < 0.3 ? 1 : 0;
  candidate[i] = Math.min(1, Math.max(0, 0.3 * y[i]! + 0.7 * rand()));
  baseline[i] = Math.round(Math.min(1, Math.max(0, 0.2 * y[i]! + 0.8 * rand())) * 1000) / 1000;
}

const names = ['roc_auc', 'pr_auc', 'accuracy', 'log_loss', 'f1', 'brier'];
const start = performance.now();
const cpuStart = process.cpuUsage();
const result = await pairedBootstrap({
  names,
  y,
  candidate: { task: 'binary-classification', scores: candidate },
  baseline: { task: 'binary-classification', scores: baseline },
  replicates,
  threads,
});
const seconds = (performance.now() - start) / 1000;
// CPU time of all threads: on a shared machine the wall clock also measures the neighbours.
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = Number(((cpu.user + cpu.system) / 1e6).toFixed(2));
console.log(JSON.stringify({ rows, replicates, threads, seconds: Number(seconds.toFixed(2)), cpuSeconds }));
for (const [name, r] of Object.entries(result)) {
  console.log(
    `${name.padEnd(9)} delta ${r.estimate.toFixed(5)} ci [${r.ci[0].toFixed(5)}, ${r.ci[1].toFixed(5)}]`,
  );
}
