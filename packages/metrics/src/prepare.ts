import { InputError } from '@mlops-actions/core';
import { KIND, METRIC, NEED } from './kernel.js';
import type { KernelModel } from './kernel.js';
import { prefix } from './names.js';
import type { MetricCode } from './names.js';
import type { Labels, Predictions } from './types.js';

/** sklearn 1.2.1 `log_loss(eps="auto")` clips to the float64 machine epsilon. */
export const LOG_LOSS_EPS = 2.220446049250313e-16;
const MAPE_EPS = 2.220446049250313e-16;

export function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * n));
}
function sharedI32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}
function sharedU32(n: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(4 * n));
}
function sharedU8(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(n));
}

export function classCount(pred: Predictions): number {
  if (pred.task === 'binary-classification') return 2;
  if (pred.task === 'multiclass-classification') return pred.k;
  return 0;
}

export function rowCount(pred: Predictions): number {
  if (pred.task === 'binary-classification') return pred.scores.length;
  if (pred.task === 'multiclass-classification') return pred.k > 0 ? pred.proba.length / pred.k : 0;
  return pred.values.length;
}

/** Checks shapes, labels and NaNs; every failure names the source, the count and the first row. */
export function validateInputs(y: Labels, pred: Predictions, source?: string, what = 'predictions'): number {
  const p = prefix(source);
  if (pred.task === 'multiclass-classification') {
    if (!Number.isInteger(pred.k) || pred.k < 2) {
      throw new InputError(`${p}multiclass ${what} need k >= 2 classes, got k=${pred.k}`);
    }
    if (pred.proba.length % pred.k !== 0) {
      throw new InputError(
        `${p}${what}: probability array length ${pred.proba.length} is not a multiple of k=${pred.k}`,
      );
    }
  }
  const n = rowCount(pred);
  if (y.length !== n) throw new InputError(`${p}${what} have ${n} rows but the labels have ${y.length}`);
  if (n === 0) throw new InputError(`${p}no rows to evaluate`);
  const values =
    pred.task === 'binary-classification'
      ? pred.scores
      : pred.task === 'multiclass-classification'
        ? pred.proba
        : pred.values;
  const width = pred.task === 'multiclass-classification' ? pred.k : 1;
  let bad = 0;
  let first = -1;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < width; c++) {
      if (!Number.isFinite(values[r * width + c])) {
        if (first < 0) first = r;
        bad++;
        break;
      }
    }
  }
  if (bad > 0) {
    throw new InputError(`${p}${what}: ${bad} row(s) have NaN or infinite scores (first at row ${first})`);
  }
  if (pred.task === 'regression') {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(y[i]))
        throw new InputError(`${p}label at row ${i} is not a finite number: ${y[i]}`);
    }
  } else {
    const k = classCount(pred);
    for (let i = 0; i < n; i++) {
      const v = y[i] as number;
      if (!Number.isInteger(v) || v < 0 || v >= k) {
        throw new InputError(
          `${p}label at row ${i} is ${v}; ${pred.task} labels must be class indices 0..${k - 1}`,
        );
      }
    }
  }
  return n;
}

/** Predicted class per row: score >= threshold for binary, first argmax for multiclass. */
export function predictedClasses(pred: Predictions, threshold = 0.5): Int32Array {
  const n = rowCount(pred);
  const out = new Int32Array(n);
  if (pred.task === 'binary-classification') {
    for (let i = 0; i < n; i++) out[i] = (pred.scores[i] as number) >= threshold ? 1 : 0;
  } else if (pred.task === 'multiclass-classification') {
    const { proba, k } = pred;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestV = proba[i * k] as number;
      for (let c = 1; c < k; c++) {
        const v = proba[i * k + c] as number;
        if (v > bestV) {
          bestV = v;
          best = c;
        }
      }
      out[i] = best;
    }
  } else {
    throw new InputError('predicted classes are only defined for classification');
  }
  return out;
}

function needsOf(codes: readonly MetricCode[]): number {
  let needs = 0;
  for (const { code } of codes) {
    if (code === METRIC.logLoss) needs |= NEED.logLoss;
    if (code === METRIC.brier) needs |= NEED.brier;
    if (code === METRIC.rocAuc || code === METRIC.prAuc || code === METRIC.medianAe) needs |= NEED.rank;
    if (code === METRIC.r2) needs |= NEED.r2;
  }
  return needs;
}

function clip(p: number): number {
  return p < LOG_LOSS_EPS ? LOG_LOSS_EPS : p > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : p;
}

/**
 * Row order by `key` ascending (ties by row index, so the order is fully determined), and the
 * flag marking the last row of each run of equal keys.
 */
function sortedGroups(key: Float64Array, n: number): { order: Uint32Array; groupEnd: Uint8Array } {
  const order = sharedU32(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (key[a] as number) - (key[b] as number) || a - b);
  const groupEnd = sharedU8(n);
  for (let j = 0; j < n; j++) {
    groupEnd[j] = j === n - 1 || key[order[j] as number] !== key[order[j + 1] as number] ? 1 : 0;
  }
  return { order, groupEnd };
}

function identity(n: number): Uint32Array {
  const order = sharedU32(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U32 = new Uint32Array(0);
const EMPTY_U8 = new Uint8Array(0);

/**
 * Per-row quantities the kernel needs for these metrics (inputs already validated), stored in
 * the model's processing order (see KernelModel.order).
 */
export function prepareModel(
  y: Labels,
  pred: Predictions,
  codes: readonly MetricCode[],
  threshold = 0.5,
): KernelModel {
  const n = rowCount(pred);
  const needs = needsOf(codes);
  const model: KernelModel = {
    kind: KIND.regression,
    n,
    k: classCount(pred),
    needs,
    cell: EMPTY_I32,
    flags: EMPTY_U8,
    ll: EMPTY_F64,
    brier: EMPTY_F64,
    order: EMPTY_U32,
    kh: EMPTY_U32,
    y: EMPTY_F64,
    err: EMPTY_F64,
    ape: EMPTY_F64,
  };
  if (pred.task === 'regression') {
    if (needs & NEED.rank) {
      const absErr = new Float64Array(n);
      for (let i = 0; i < n; i++) absErr[i] = Math.abs((pred.values[i] as number) - (y[i] as number));
      model.order = sortedGroups(absErr, n).order;
    } else {
      model.order = identity(n);
    }
    model.y = sharedF64(n);
    model.err = sharedF64(n);
    model.ape = sharedF64(n);
    for (let j = 0; j < n; j++) {
      const i = model.order[j] as number;
      const yi = y[i] as number;
      const e = (pred.values[i] as number) - yi;
      model.y[j] = yi;
      model.err[j] = e;
      model.ape[j] = Math.abs(e) / Math.max(Math.abs(yi), MAPE_EPS);
    }
    return model;
  }
  const k = model.k;
  if (pred.task === 'binary-classification') {
    model.kind = KIND.binary;
    const s = pred.scores;
    const predicted = predictedClasses(pred, threshold);
    model.flags = sharedU8(n);
    if (needs & NEED.rank) {
      const negated = new Float64Array(n);
      for (let i = 0; i < n; i++) negated[i] = -(s[i] as number);
      const { order, groupEnd } = sortedGroups(negated, n);
      model.order = order;
      for (let j = 0; j < n; j++) model.flags[j] = (groupEnd[j] as number) << 2;
    } else {
      model.order = identity(n);
    }
    for (let j = 0; j < n; j++) {
      const i = model.order[j] as number;
      model.flags[j] = (model.flags[j] as number) | (y[i] === 1 ? 1 : 0) | ((predicted[i] as number) << 1);
    }
    const order = model.order;
    if (needs & NEED.logLoss) {
      model.ll = sharedF64(n);
      for (let j = 0; j < n; j++) {
        const i = order[j] as number;
        // sklearn clips P(1) first and derives P(0) from it, then renormalises the pair.
        const p1 = clip(s[i] as number);
        const p0 = 1 - p1;
        model.ll[j] = -Math.log((y[i] === 1 ? p1 : p0) / (p0 + p1));
      }
    }
    if (needs & NEED.brier) {
      model.brier = sharedF64(n);
      for (let j = 0; j < n; j++) {
        const i = order[j] as number;
        const d = (y[i] as number) - (s[i] as number);
        model.brier[j] = d * d;
      }
    }
  } else {
    model.kind = KIND.multiclass;
    model.order = identity(n);
    const predicted = predictedClasses(pred, threshold);
    model.cell = sharedI32(n);
    for (let i = 0; i < n; i++) model.cell[i] = (y[i] as number) * k + (predicted[i] as number);
    if (needs & NEED.logLoss) {
      const { proba } = pred;
      model.ll = sharedF64(n);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let c = 0; c < k; c++) sum += clip(proba[i * k + c] as number);
        model.ll[i] = -Math.log(clip(proba[i * k + (y[i] as number)] as number) / sum);
      }
    }
  }
  return model;
}

/** The model's key hashes in its processing order, for bootstrap weights. */
export function withKeyHashes(model: KernelModel, keyHash: Uint32Array): KernelModel {
  const kh = sharedU32(model.n);
  for (let j = 0; j < model.n; j++) kh[j] = keyHash[model.order[j] as number] as number;
  return { ...model, kh };
}
