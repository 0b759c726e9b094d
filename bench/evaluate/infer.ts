/**
 * "The limit": onnxruntime-node inference of both models alone, through the same `predict` (worker
 * threads, one session each) the CLI uses. Only `predict` is timed; reading the CSV is reported
 * apart. `node --import tsx bench/evaluate/infer.ts DATA CAND BASE [threads]`; prints one JSON line.
 */
import { availableParallelism } from 'node:os';
import { loadEvalData } from '../../packages/data/src/index.js';
import { predict } from '../../packages/inference/src/index.js';

const [dataPath, candidatePath, baselinePath, threadsArg] = process.argv.slice(2);
if (!dataPath || !candidatePath || !baselinePath) {
  console.error('usage: infer.ts DATA.csv CANDIDATE.onnx BASELINE.onnx [threads]');
  process.exit(2);
}
const threads = Number(threadsArg ?? availableParallelism());

const readStart = performance.now();
const data = await loadEvalData({ path: dataPath, label: 'y', task: 'binary-classification' });
const readSeconds = (performance.now() - readStart) / 1000;

const result: Record<string, number> = { rows: data.n, features: data.d, threads, readSeconds };
for (const [name, modelPath] of [
  ['candidate', candidatePath],
  ['baseline', baselinePath],
] as const) {
  const start = performance.now();
  const r = await predict({ modelPath, data, task: 'binary-classification', threads });
  // Both the call's wall time (session start-up included) and predict's own batch-phase clock.
  result[`${name}Seconds`] = (performance.now() - start) / 1000;
  result[`${name}BatchSeconds`] = r.seconds;
}
result.predictSeconds = result.candidateSeconds! + result.baselineSeconds!;
// resourceUsage().maxRSS is in kilobytes, as getrusage reports it.
result.maxRssMB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(result));
