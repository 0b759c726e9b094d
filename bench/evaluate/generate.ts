/**
 * Writes the evaluate benchmark's inputs into bench/out/evaluate/ (seeded, so every run writes the
 * same bytes): data.csv (features + label, what `mlops evaluate` reads), cand.onnx (logistic
 * regression), base.onnx (100-tree forest) and preds.csv (label + both models' onnxruntime scores,
 * what the Python peer reads so that it times metrics and bootstrap only).
 *
 * `npx tsx bench/evaluate/generate.ts [--rows N] [--force]`; skips the work when manifest.json
 * already describes the same inputs.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { loadEvalData } from '../../packages/data/src/index.js';
import { predict } from '../../packages/inference/src/index.js';
import {
  linearClassifierModel,
  randomForest,
  seededRandom,
  treeEnsembleClassifierModel,
} from '../../packages/onnx-build/src/index.js';

const args = process.argv.slice(2);
const rowsArg = args.indexOf('--rows');
const ROWS = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 1_000_000;
const FORCE = args.includes('--force');
const D = 30;
const SEED = 20261122;
const FOREST = { trees: 100, depth: 6, sampleRows: 20_000 };
const OUT = join('bench', 'out', 'evaluate');

const paths = {
  data: join(OUT, 'data.csv'),
  preds: join(OUT, 'preds.csv'),
  candidate: join(OUT, 'cand.onnx'),
  baseline: join(OUT, 'base.onnx'),
  manifest: join(OUT, 'manifest.json'),
};

const manifest = { rows: ROWS, d: D, seed: SEED, forest: FOREST, version: 1 };
if (!FORCE && existsSync(paths.manifest) && existsSync(paths.preds)) {
  const previous = readFileSync(paths.manifest, 'utf8');
  if (previous === JSON.stringify(manifest)) {
    console.log(`generate: ${OUT} is up to date (${ROWS} rows); --force rebuilds it`);
    process.exit(0);
  }
}
mkdirSync(OUT, { recursive: true });

const random = seededRandom(SEED);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

// The generating model: moderate weights so that AUC lands near 0.85 and the two models differ.
const weights = Array.from({ length: D }, () => 0.35 * normal());
const intercept = -0.6;

const started = performance.now();
const fd = openSync(paths.data, 'w');
writeSync(fd, Array.from({ length: D }, (_, j) => `f${j}`).join(',') + ',y\n');
// The forest is fit on the first rows: the file is itself a random sample, in row order.
const sample: number[][] = [];
const sampleLabels: number[] = [];
let positives = 0;
const CHUNK = 10_000;
let lines: string[] = [];
for (let i = 0; i < ROWS; i++) {
  const row = new Array<number>(D);
  let logit = intercept;
  for (let j = 0; j < D; j++) {
    // Five decimals: the value written is the value read back, and the file stays ~250 MB.
    const v = Math.round(normal() * 1e5) / 1e5;
    row[j] = v;
    logit += weights[j]! * v;
  }
  const y = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  positives += y;
  if (i < FOREST.sampleRows) {
    sample.push(row);
    sampleLabels.push(y);
  }
  lines.push(row.join(',') + ',' + y);
  if (lines.length === CHUNK) {
    writeSync(fd, lines.join('\n') + '\n');
    lines = [];
  }
}
if (lines.length > 0) writeSync(fd, lines.join('\n') + '\n');
closeSync(fd);
console.log(
  `generate: ${paths.data}: ${ROWS} rows × ${D} features, ${positives} positives, ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

// The candidate is the generating logistic model seen through estimation noise.
const candidate = linearClassifierModel({
  weights: [weights.map((w) => w + 0.03 * normal())],
  intercepts: [intercept + 0.03 * normal()],
});
writeFileSync(paths.candidate, candidate);
const trees = randomForest({
  trees: FOREST.trees,
  depth: FOREST.depth,
  d: D,
  seed: SEED + 1,
  data: sample,
  labels: sampleLabels,
  nClasses: 2,
});
writeFileSync(paths.baseline, treeEnsembleClassifierModel({ trees, nFeatures: D, aggregate: 'average' }));
console.log(`generate: ${paths.candidate} (${candidate.length} B), ${paths.baseline}`);

// Scores come from onnxruntime on the file as the CLI reads it, so the peer sees the same numbers.
const data = await loadEvalData({ path: paths.data, label: 'y', task: 'binary-classification' });
const scores: Float64Array[] = [];
for (const modelPath of [paths.candidate, paths.baseline]) {
  const { predictions } = await predict({ modelPath, data, task: 'binary-classification' });
  if (predictions.task !== 'binary-classification') throw new Error('expected binary scores');
  scores.push(predictions.scores);
}
const [cand, base] = scores as [Float64Array, Float64Array];
const out = openSync(paths.preds, 'w');
writeSync(out, 'y,candidate,baseline\n');
lines = [];
for (let i = 0; i < data.n; i++) {
  // String(double) is the shortest round-trip form: pandas' round_trip parser restores it exactly.
  lines.push(`${data.labels[i]},${cand[i]},${base[i]}`);
  if (lines.length === CHUNK) {
    writeSync(out, lines.join('\n') + '\n');
    lines = [];
  }
}
if (lines.length > 0) writeSync(out, lines.join('\n') + '\n');
closeSync(out);
writeFileSync(paths.manifest, JSON.stringify(manifest));
console.log(`generate: ${paths.preds}, ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
