import { InputError } from '@mlops-actions/core';
import { kernel } from './kernel.js';
import { prefix, resolveMetrics } from './names.js';
import { classCount, prepareModel, validateInputs } from './prepare.js';
import type { Labels, MetricOptions, MetricValues, Predictions } from './types.js';

/**
 * Metric values of one model, equal to scikit-learn 1.2.1 on the same inputs (to ~1e-12).
 * Undefined values follow sklearn: zero-division gives 0; ROC AUC with one class present is NaN
 * (sklearn raises there), so a gate on it fails with a reason instead of the whole run aborting.
 */
export function computeMetrics(
  names: readonly string[],
  y: Labels,
  pred: Predictions,
  opts: MetricOptions = {},
): MetricValues {
  checkLabelType(y, pred, opts.source);
  validateInputs(y, pred, opts.source);
  const codes = resolveMetrics(pred.task, names, classCount(pred), opts.source);
  const model = prepareModel(y, pred, codes, opts.threshold);
  const out = new Float64Array(codes.length);
  kernel.evaluate(
    [model],
    true,
    0,
    Int32Array.from(codes, (c) => c.code),
    Int32Array.from(codes, (c) => c.cls),
    kernel.scratchFor([model]),
    new Uint8Array(model.n),
    out,
    0,
  );
  const result: MetricValues = {};
  codes.forEach((c, j) => (result[c.name] = out[j] as number));
  return result;
}

export function checkLabelType(y: Labels, pred: Predictions, source?: string): void {
  const regression = pred.task === 'regression';
  if (regression && !(y instanceof Float64Array)) {
    throw new InputError(`${prefix(source)}regression labels must be a Float64Array`);
  }
  if (!regression && !(y instanceof Int32Array)) {
    throw new InputError(`${prefix(source)}${pred.task} labels must be an Int32Array of class indices`);
  }
}
