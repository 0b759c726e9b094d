import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Labels, Predictions, Task } from '../../packages/core/src/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface OracleFixture {
  name: string;
  task: Task;
  k: number | null;
  threshold: number;
  rows: number;
  keys: Float64Array;
  y: Labels;
  candidate: Predictions;
  baseline: Predictions;
  metrics: { candidate: Record<string, number | null>; baseline: Record<string, number | null> };
  confusion: { candidate?: number[][]; baseline?: number[][] };
  mcnemar?: { b: number; c: number; pValue: number };
  bootstrap: {
    replicates: number;
    level: number;
    seed: number;
    deltas: Record<string, { ci: [number, number]; valid: number }>;
  };
}

export const FIXTURES = [
  'breast_cancer',
  'wine',
  'diabetes',
  'edge_binary',
  'edge_multiclass',
  'edge_regression',
] as const;

/** Reads `<name>.csv` and `<name>.json` written by make_oracle.py. */
export function loadFixture(name: string): OracleFixture {
  const meta = JSON.parse(readFileSync(join(HERE, `${name}.json`), 'utf8')) as Omit<
    OracleFixture,
    'name' | 'keys' | 'y' | 'candidate' | 'baseline'
  >;
  const [header, ...lines] = readFileSync(join(HERE, `${name}.csv`), 'utf8')
    .trim()
    .split('\n');
  const cols = (header ?? '').split(',');
  const rows = lines.map((l) => l.split(',').map(Number));
  const column = (c: string) => Float64Array.from(rows, (r) => r[cols.indexOf(c)] as number);
  const model = (label: string): Predictions => {
    if (meta.task === 'binary-classification') return { task: meta.task, scores: column(label) };
    if (meta.task === 'regression') return { task: meta.task, values: column(label) };
    const k = meta.k as number;
    const proba = new Float64Array(rows.length * k);
    for (let c = 0; c < k; c++) column(`${label}_${c}`).forEach((v, i) => (proba[i * k + c] = v));
    return { task: meta.task, proba, k };
  };
  const yf = column('y');
  return {
    ...meta,
    name,
    keys: column('key'),
    y: meta.task === 'regression' ? yf : Int32Array.from(yf),
    candidate: model('candidate'),
    baseline: model('baseline'),
  };
}

/** |actual − expected| <= 1e-9 · max(1, |expected|); null expected means undefined (NaN). */
export function closeTo(actual: number | undefined, expected: number | null, tol = 1e-9): boolean {
  if (expected === null) return actual !== undefined && Number.isNaN(actual);
  if (actual === undefined) return false;
  return Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));
}
