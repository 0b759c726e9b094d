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
  /**
   * Feature columns kept as their cell text in `EvalData.text` (as well as parsed into `features`
   * where the cell is a number, NaN where it is not): the columns a model takes one input per column
   * as string, int64, double or bool tensors (see `textColumnsFor` in @mlops-actions/inference). A
   * non-numeric cell in such a column is not an error here; the model input's type decides later.
   */
  textColumns?: string[];
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
  /**
   * Cell text of the `textColumns` that are features, each n long. Their slot in `features` holds
   * the number when the cell is one, NaN when not.
   */
  text: Record<string, string[]>;
  /**
   * 1-based positions of columns whose header name is empty (`f0,,f2`; pandas' unnamed index column
   * `,a,b`): such a column is never a feature and its cells are not read.
   */
  unnamedColumns: number[];
  /** The id column when every id is numeric, else the 0-based data row index. */
  rowKeys: Float64Array;
  /** `extraColumns` as strings; also the id column when its values are not all numeric. */
  extra: Record<string, string[]>;
  /** Of the whole file, lowercase hex. */
  sha256: string;
  bytes: number;
}
