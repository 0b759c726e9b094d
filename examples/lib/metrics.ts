/** The training-set figures the trainers report; evaluation proper belongs to the pipeline. */
const EPS = 1e-15;

export function accuracy(labels: number[], predicted: number[]): number {
  return labels.reduce((s, y, i) => s + (y === predicted[i] ? 1 : 0), 0) / labels.length;
}

/** Mean cross-entropy; `probabilities[i][c]` for class index c = labels[i]. */
export function logLoss(labels: number[], probabilities: number[][]): number {
  const total = labels.reduce(
    (s, y, i) => s - Math.log(Math.min(1 - EPS, Math.max(EPS, probabilities[i]![y]!))),
    0,
  );
  return total / labels.length;
}

export function rmse(y: number[], predicted: number[]): number {
  return Math.sqrt(y.reduce((s, v, i) => s + (v - predicted[i]!) ** 2, 0) / y.length);
}

export function mae(y: number[], predicted: number[]): number {
  return y.reduce((s, v, i) => s + Math.abs(v - predicted[i]!), 0) / y.length;
}

export function r2(y: number[], predicted: number[]): number {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const total = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const residual = y.reduce((s, v, i) => s + (v - predicted[i]!) ** 2, 0);
  return 1 - residual / total;
}

/** Rounds for the metrics file, so JSON diffs show meaningful digits only. */
export function round(value: number, digits = 6): number {
  return Number(value.toFixed(digits));
}
