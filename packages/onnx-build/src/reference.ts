/**
 * Plain TypeScript evaluation of the models the builders emit, with the same float32 rounding of
 * inputs and parameters the runtime applies: the oracle the tests compare onnxruntime against, and
 * a way for trainers to report metrics of exactly the model they export.
 */
import type { LinearClassifierParams, LinearRegressorParams, Standardisation } from './linear.js';
import type { Tree, TreeEnsembleClassifierParams, TreeEnsembleRegressorParams } from './tree.js';
import { isLeaf } from './tree.js';

const f = Math.fround;

export interface ClassifierOutput {
  label: number[];
  probabilities: number[][];
}

function standardisedRow(row: ArrayLike<number>, s: Standardisation): number[] {
  return Array.from(row, (x, j) => {
    let v = f(x);
    if (s.mean) v = f(v - f(s.mean[j]!));
    if (s.scale) v = f(v / f(s.scale[j]!));
    return v;
  });
}

function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

function scores(x: number[], weights: number[][], intercepts: number[]): number[] {
  return weights.map((w, c) => {
    let s = 0;
    for (let j = 0; j < x.length; j++) s += x[j]! * f(w[j]!);
    return s + f(intercepts[c]!);
  });
}

export function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function predictLinearClassifier(
  params: LinearClassifierParams,
  rows: ArrayLike<number>[],
): ClassifierOutput {
  const k = params.weights.length;
  const classes = params.classes ?? Array.from({ length: k === 1 ? 2 : k }, (_, i) => i);
  const out: ClassifierOutput = { label: [], probabilities: [] };
  for (const row of rows) {
    const z = scores(standardisedRow(row, params), params.weights, params.intercepts);
    const p1 = k === 1 ? sigmoid(z[0]!) : 0;
    const p = k === 1 ? [1 - p1, p1] : softmax(z);
    out.probabilities.push(p);
    out.label.push(classes[argmax(p)]!);
  }
  return out;
}

export function predictLinearRegressor(params: LinearRegressorParams, rows: ArrayLike<number>[]): number[] {
  return rows.map((row) => scores(standardisedRow(row, params), [params.weights], [params.intercept])[0]!);
}

/** The leaf a row reaches; comparisons in float32 like the runtime's `x <= threshold`. */
export function leafOf(tree: Tree, row: ArrayLike<number>): number[] {
  let n = tree.nodes[0]!;
  while (!isLeaf(n)) n = tree.nodes[f(row[n.feature]!) <= f(n.threshold) ? n.left : n.right]!;
  return n.leaf;
}

export function predictTreeEnsembleClassifier(
  params: TreeEnsembleClassifierParams,
  rows: ArrayLike<number>[],
): ClassifierOutput {
  const factor = (params.aggregate ?? 'average') === 'average' ? 1 / params.trees.length : 1;
  const out: ClassifierOutput = { label: [], probabilities: [] };
  for (const row of rows) {
    let p: number[] = [];
    for (const tree of params.trees) {
      const leaf = leafOf(tree, row);
      if (p.length === 0) p = leaf.map(() => 0);
      leaf.forEach((w, c) => (p[c]! += f(w * factor)));
    }
    // Mirrors the runtime's two-class rule: p0 is 1 - p1, and class 1 wins only above 0.5.
    if (p.length === 2) p[0] = 1 - p[1]!;
    out.probabilities.push(p);
    out.label.push((params.classes ?? p.map((_, i) => i))[argmax(p)]!);
  }
  return out;
}

export function predictTreeEnsembleRegressor(
  params: TreeEnsembleRegressorParams,
  rows: ArrayLike<number>[],
): number[] {
  const average = (params.aggregate ?? 'average') === 'average';
  return rows.map((row) => {
    let s = 0;
    for (const tree of params.trees) s += f(leafOf(tree, row)[0]!);
    return (average ? s / params.trees.length : s) + f(params.baseValue ?? 0);
  });
}
