import type { Task } from '@mlops-actions/core';

export type { Task };
export type DataFormat = 'csv' | 'jsonl' | 'parquet';

export interface LoadEvalDataOptions {
  /** File to read; also the name every error message starts with. */
  path: string;
  /** Default: from the extension (.csv, .jsonl/.ndjson, .parquet/.pq). */
  format?: DataFormat;
  label: string;
  /** Default: every column except the label, the id and `extraColumns`, in file order. */
  features?: string[];
  id?: string;
  /** Columns kept as strings (e.g. slice columns); they are not features unless listed there too. */
  extraColumns?: string[];
  /**
   * Columns left out of the default feature list; default: `extraColumns`. A numeric column sliced
   * into bins is usually also a model input, a categorical slice column usually is not.
   */
  nonFeatures?: string[];
  task: Task;
  /** Class values in index order; default: sorted unique labels (numbers numerically). */
  classes?: number[] | string[];
}

export interface EvalData {
  n: number;
  d: number;
  featureNames: string[];
  /** n×d, row-major. */
  features: Float32Array;
  /** Regression: the values; classification: the class index 0..k-1 into `classes`. */
  labels: Float64Array;
  classes?: (number | string)[];
  /** The id column when every id is numeric, else the 0-based data row index. */
  rowKeys: Float64Array;
  /** `extraColumns` as strings; also the id column when its values are not all numeric. */
  extra: Record<string, string[]>;
  /** Of the whole file, lowercase hex. */
  sha256: string;
  bytes: number;
}
