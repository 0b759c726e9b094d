import { InputError } from './input-error.js';
import type { OutputPlan } from './output-plan.js';
import type { Predictions, Task } from './predictions.js';

/** The rows' labels, for naming the row whose class the model does not know. */
export interface LabelInfo {
  /** The label column, for the message. */
  column: string;
  /** Class values in index order (EvalData.classes). */
  classes: readonly (number | string)[];
  /** Per row: the index into `classes` (EvalData.labels). */
  index: ArrayLike<number>;
  /** Whether `classes` came from the spec (model.classes) rather than from the data's labels. */
  declared?: boolean;
}

function showClass(c: number | string): string {
  return typeof c === 'number' ? String(c) : `'${c}'`;
}

function classList(classes: readonly (number | string)[]): string {
  const shown = classes.slice(0, 20).map(showClass);
  return `[${shown.join(', ')}${classes.length > 20 ? ', …' : ''}]`;
}

/**
 * A multiclass output narrower than the data's classes usually means labels the model never saw
 * (a 3-class model and a `5` in the data), not a broken model: say so, and name the first row.
 */
export function checkClassCount(
  model: string,
  plan: OutputPlan,
  width: number,
  task: Task,
  labels: LabelInfo,
  data: { source?: string; rowOffset?: number },
): void {
  if (task !== 'multiclass-classification' || plan.role === 'label') return;
  const k = labels.classes.length;
  if (width === k || width < 2) return;
  const source = data.source ?? 'the data';
  const offset = data.rowOffset ?? 0;
  if (labels.declared) {
    throw new InputError(
      `${model}: model.classes lists ${k} classes ${classList(labels.classes)} but output '${plan.name}' ` +
        `has ${width} columns (one per class the model scores); list the model's ${width} classes in output order`,
      { file: model },
    );
  }
  if (width > k) {
    throw new InputError(
      `${model}: output '${plan.name}' scores ${width} classes but the labels in ${source} column '${labels.column}' ` +
        `have only ${k} distinct values ${classList(labels.classes)}; set model.classes to the model's ${width} classes ` +
        `in output order so each label maps to its column`,
      { file: model },
    );
  }
  // Numeric labels 0..width-1 are what the model's columns stand for; anything else is unknown to it.
  const numeric = labels.classes.every((c) => typeof c === 'number');
  const unknown = numeric
    ? labels.classes.findIndex((c) => !Number.isInteger(c) || (c as number) < 0 || (c as number) >= width)
    : -1;
  if (unknown >= 0) {
    let row = 0;
    while (row < labels.index.length && labels.index[row] !== unknown) row++;
    throw new InputError(
      `${source}: data row ${offset + row + 1}: column '${labels.column}': label ${showClass(labels.classes[unknown]!)} ` +
        `is not one of the ${width} classes the model scores (0..${width - 1}, output '${plan.name}' has ${width} columns); ` +
        `the data's labels are ${classList(labels.classes)}`,
      source === 'the data' ? { file: model } : { file: source },
    );
  }
  throw new InputError(
    `${source}: column '${labels.column}' has ${k} distinct labels ${classList(labels.classes)} but the model ` +
      `scores ${width} classes (output '${plan.name}' has ${width} columns): the data holds labels the model does ` +
      `not know; set model.classes to the model's classes in output order to find the rows`,
    source === 'the data' ? { file: model } : { file: source },
  );
}

/** Index of the first value outside [0, 1], or -1. */
function outsideUnit(raw: Float64Array): number {
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    if (v < 0 || v > 1) return i;
  }
  return -1;
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
  // Softmax of +Infinity is NaN and a NaN score sorts anywhere: neither is a prediction.
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    if (!Number.isFinite(v)) {
      throw fail(
        `holds ${v} for data row ${Math.floor(i / Math.max(1, width)) + 1}; scores must be finite numbers`,
      );
    }
  }
  /** Probabilities of k ≥ 2 classes: each row sums to 1 (to float32 rounding of the exporter). */
  const checkRows = (p: Float64Array, k: number): void => {
    for (let r = 0; r < n; r++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += p[r * k + j]!;
      if (!(Math.abs(sum - 1) <= 1e-3)) {
        throw fail(
          `is not a probability distribution: data row ${r + 1} sums to ${sum.toPrecision(6)}, not 1 ` +
            `(values ${Array.from(p.subarray(r * k, r * k + Math.min(k, 6)), (v) => v.toPrecision(4)).join(', ')}` +
            `${k > 6 ? ', …' : ''}); if these are unnormalised scores set model.outputs.scoreKind: logit`,
        );
      }
    }
  };
  const logits = (): boolean => {
    if (plan.scoreKind === 'logit') return true;
    const at = outsideUnit(raw);
    if (at < 0) return false;
    const where = `${raw[at]} for data row ${Math.floor(at / Math.max(1, width)) + 1}`;
    if (plan.scoreKind === 'probability') {
      throw fail(`has values outside [0, 1] but outputs.scoreKind is 'probability' (${where})`);
    }
    // An output that calls itself probabilities is not silently re-read as logits.
    if (/prob/i.test(plan.name)) {
      throw fail(
        `should hold probabilities but holds ${where}, outside [0, 1]; if these are logits or decision ` +
          `scores set model.outputs.scoreKind: logit`,
      );
    }
    return true;
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
      const isLogit = logits();
      const p = isLogit ? softmaxRows(raw, 2) : raw;
      if (!isLogit) checkRows(p, 2);
      const scores = new Float64Array(n);
      for (let i = 0; i < n; i++) scores[i] = p[i * 2 + 1]!;
      return { task, scores };
    }
    throw fail(`has ${width} columns; binary-classification needs [N, 2] probabilities or one score per row`);
  }

  if (k !== undefined && width !== k) {
    throw fail(
      `has ${width} columns but the task has k = ${k} classes (from model.classes or the data's distinct labels)`,
    );
  }
  if (width < 2)
    throw fail(`has ${width} column; multiclass-classification needs [N, k] probabilities or logits`);
  const isLogit = logits();
  if (!isLogit) checkRows(raw, width);
  return { task, proba: isLogit ? softmaxRows(raw, width) : raw, k: width };
}
