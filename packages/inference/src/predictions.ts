export type Task = 'binary-classification' | 'multiclass-classification' | 'regression';

/** A model's predictions on n rows, in row order; the shape the metrics engine consumes. */
export type Predictions =
  | { task: 'binary-classification'; scores: Float64Array } // P(class 1)
  | { task: 'multiclass-classification'; proba: Float64Array; k: number } // n×k row-major
  | { task: 'regression'; values: Float64Array };
