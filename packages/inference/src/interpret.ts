import { InputError } from './input-error.js';
import type { OutputPlan } from './output-plan.js';
import type { Predictions, Task } from './predictions.js';

function outsideUnit(raw: Float64Array): boolean {
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    if (v < 0 || v > 1) return true;
  }
  return false;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function softmaxRows(raw: Float64Array, k: number): Float64Array {
  const out = new Float64Array(raw.length);
  for (let r = 0; r < raw.length; r += k) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, raw[r + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += out[r + j] = Math.exp(raw[r + j]! - max);
    for (let j = 0; j < k; j++) out[r + j]! /= sum;
  }
  return out;
}

/**
 * Turn the fetched output (n × width, row-major) into Predictions. Whether scores are logits is
 * decided over all rows at once, so one batch cannot be read differently from another.
 */
export function interpret(
  model: string,
  plan: OutputPlan,
  raw: Float64Array,
  n: number,
  width: number,
  task: Task,
  k?: number,
): Predictions {
  const fail = (why: string): InputError =>
    new InputError(`${model}: output '${plan.name}' ${why}`, { file: model });
  const logits = (): boolean => {
    if (plan.scoreKind === 'logit') return true;
    if (plan.scoreKind === 'probability') {
      if (outsideUnit(raw)) throw fail(`has values outside [0, 1] but outputs.scoreKind is 'probability'`);
      return false;
    }
    return outsideUnit(raw);
  };

  if (task === 'regression') {
    if (width !== 1) throw fail(`has ${width} values per row; a regression output must be [N] or [N, 1]`);
    return { task, values: raw };
  }

  if (plan.role === 'label') {
    let top = 0;
    for (const v of raw) top = Math.max(top, v);
    const classes = task === 'binary-classification' ? 2 : (k ?? top + 1);
    if (width !== 1) throw fail(`has ${width} values per row; a label output must be [N] or [N, 1]`);
    for (const v of raw) {
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        throw fail(
          `holds label ${v}, not a class index 0..${classes - 1}; add a probability output to the model`,
        );
      }
    }
    if (task === 'binary-classification') return { task, scores: raw };
    const proba = new Float64Array(n * classes);
    for (let i = 0; i < n; i++) proba[i * classes + raw[i]!] = 1;
    return { task, proba, k: classes };
  }

  if (task === 'binary-classification') {
    if (width === 1) {
      const scores = new Float64Array(n);
      const isLogit = logits();
      for (let i = 0; i < n; i++) scores[i] = isLogit ? sigmoid(raw[i]!) : raw[i]!;
      return { task, scores };
    }
    if (width === 2) {
      const p = logits() ? softmaxRows(raw, 2) : raw;
      const scores = new Float64Array(n);
      for (let i = 0; i < n; i++) scores[i] = p[i * 2 + 1]!;
      return { task, scores };
    }
    throw fail(`has ${width} columns; binary-classification needs [N, 2] probabilities or one score per row`);
  }

  if (k !== undefined && width !== k) throw fail(`has ${width} columns but the task has k = ${k} classes`);
  if (width < 2)
    throw fail(`has ${width} column; multiclass-classification needs [N, k] probabilities or logits`);
  return { task, proba: logits() ? softmaxRows(raw, width) : raw, k: width };
}
