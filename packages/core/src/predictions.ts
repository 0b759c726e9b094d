/**
 * What a model is asked to do and what it answers: shared by the spec (model.task), the readers
 * (labels), inference (predictions) and every stage that scores them.
 */
export const TASKS = ['binary-classification', 'multiclass-classification', 'regression'] as const;
export type Task = (typeof TASKS)[number];

/** Predictions of one model on n rows. */
export type Predictions =
  | { task: 'binary-classification'; scores: Float64Array } // P(class 1), length n
  | { task: 'multiclass-classification'; proba: Float64Array; k: number } // n×k row-major
  | { task: 'regression'; values: Float64Array };

/** Float64Array for regression; Int32Array of class indices 0..k-1 for classification. */
export type Labels = Float64Array | Int32Array;
