import type { Labels, Predictions } from '@mlops-actions/core';

/** The rows `rows` of a prediction set, for slices. */
export function subsetPredictions(pred: Predictions, rows: Uint32Array): Predictions {
  if (pred.task === 'multiclass-classification') {
    const { proba, k } = pred;
    const out = new Float64Array(rows.length * k);
    rows.forEach((r, i) => out.set(proba.subarray(r * k, r * k + k), i * k));
    return { task: pred.task, proba: out, k };
  }
  const source = pred.task === 'binary-classification' ? pred.scores : pred.values;
  const out = new Float64Array(rows.length);
  rows.forEach((r, i) => (out[i] = source[r]!));
  return pred.task === 'binary-classification'
    ? { task: pred.task, scores: out }
    : { task: pred.task, values: out };
}

export function subsetLabels(y: Labels, rows: Uint32Array): Labels {
  const out = y instanceof Int32Array ? new Int32Array(rows.length) : new Float64Array(rows.length);
  rows.forEach((r, i) => (out[i] = y[r]!));
  return out;
}

/** Classification labels arrive from the reader as class indices in a Float64Array. */
export function labelsForTask(task: Predictions['task'], labels: Float64Array): Labels {
  return task === 'regression' ? labels : Int32Array.from(labels);
}

/** Nearest-rank percentile of a small sample (batch latencies). */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}
