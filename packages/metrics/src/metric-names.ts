/**
 * Every metric name a gate or `evaluate.metrics` may use, with the tasks it applies to.
 * schemas/mlops.schema.json repeats this list as the `metricName` enum (editors read the schema,
 * the loader reads this); test/spec/metric-names.test.ts keeps the two in sync.
 */
import { DEFAULT_METRICS } from './names.js';

import { TASKS } from '@mlops-actions/core';
import type { Task } from '@mlops-actions/core';

const BINARY = ['binary-classification'] as const;
const MULTI = ['multiclass-classification'] as const;
const CLASSIFICATION = ['binary-classification', 'multiclass-classification'] as const;
const REGRESSION = ['regression'] as const;

export const METRIC_NAMES = {
  accuracy: CLASSIFICATION,
  balanced_accuracy: BINARY,
  precision: BINARY,
  recall: BINARY,
  f1: BINARY,
  roc_auc: BINARY,
  pr_auc: BINARY,
  log_loss: CLASSIFICATION,
  brier: BINARY,
  mcc: BINARY,
  precision_macro: MULTI,
  recall_macro: MULTI,
  f1_macro: MULTI,
  precision_weighted: MULTI,
  recall_weighted: MULTI,
  f1_weighted: MULTI,
  rmse: REGRESSION,
  mae: REGRESSION,
  r2: REGRESSION,
  mape: REGRESSION,
  median_absolute_error: REGRESSION,
  rows: TASKS,
  rows_per_second: TASKS,
  latency_p50_ms: TASKS,
  latency_p95_ms: TASKS,
  model_bytes: TASKS,
} as const satisfies Record<string, readonly Task[]>;

export type MetricName = keyof typeof METRIC_NAMES;

export const METRIC_NAME_LIST = Object.keys(METRIC_NAMES) as MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRIC_NAMES, name);
}

export function metricAppliesTo(name: string, task: Task): boolean {
  return isMetricName(name) && (METRIC_NAMES[name] as readonly Task[]).includes(task);
}

/**
 * What `evaluate.metrics` is when the spec leaves it out: the metrics module's per-task default,
 * so the loader and the evaluator cannot disagree about it.
 */
export function defaultMetrics(task: Task): MetricName[] {
  return DEFAULT_METRICS[task].filter(isMetricName);
}
