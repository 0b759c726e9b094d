export type { Labels, Predictions, Task } from '@mlops-actions/core';

export interface MetricOptions {
  /** Binary decision threshold: predicted 1 when score >= threshold. Default 0.5. */
  threshold?: number;
  /** Where the data came from (a file name), prefixed to every input error. */
  source?: string;
}

export type MetricValues = Record<string, number>;
