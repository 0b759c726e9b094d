import { checkLabelType } from './compute.js';
import { classCount, predictedClasses, validateInputs } from './prepare.js';
import type { Labels, MetricOptions, Predictions } from './types.js';

export interface ConfusionMatrix {
  /** Class indices of rows (true) and columns (predicted): 0..k-1. */
  labels: number[];
  /** matrix[true][predicted], as sklearn's `confusion_matrix(y, pred, labels=range(k))`. */
  matrix: number[][];
}

/** Confusion matrix at the threshold (binary: predicted 1 when score >= threshold). */
export function confusionMatrix(y: Labels, pred: Predictions, opts: MetricOptions = {}): ConfusionMatrix {
  checkLabelType(y, pred, opts.source);
  validateInputs(y, pred, opts.source);
  const k = classCount(pred);
  const predicted = predictedClasses(pred, opts.threshold);
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < predicted.length; i++) {
    const row = matrix[y[i] as number] as number[];
    const c = predicted[i] as number;
    row[c] = (row[c] as number) + 1;
  }
  return { labels: Array.from({ length: k }, (_, c) => c), matrix };
}
