export type Task = 'binary-classification' | 'multiclass-classification' | 'regression';

/** Predictions of one model on n rows. */
export type Predictions =
  | { task: 'binary-classification'; scores: Float64Array } // P(class 1), length n
  | { task: 'multiclass-classification'; proba: Float64Array; k: number } // n×k row-major
  | { task: 'regression'; values: Float64Array };

/** Float64Array for regression; Int32Array of class indices 0..k-1 for classification. */
export type Labels = Float64Array | Int32Array;

export interface MetricOptions {
  /** Binary decision threshold: predicted 1 when score >= threshold. Default 0.5. */
  threshold?: number;
  /** Where the data came from (a file name), prefixed to every input error. */
  source?: string;
}

export type MetricValues = Record<string, number>;
