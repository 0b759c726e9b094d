import { describe, expect, it } from 'vitest';
import mlopsSchema from '../../schemas/mlops.schema.json' with { type: 'json' };
import { TASKS } from '../../packages/core/src/index.js';
import {
  METRIC_NAMES,
  METRIC_NAME_LIST,
  defaultMetrics,
  metricAppliesTo,
} from '../../packages/metrics/src/index.js';
import { DEFAULT_METRICS } from '../../packages/metrics/src/names.js';

describe('metric names', () => {
  it('the schema enum and METRIC_NAMES list the same names in the same order', () => {
    expect(mlopsSchema.definitions.metricName.enum).toEqual(Object.keys(METRIC_NAMES));
    expect(METRIC_NAME_LIST).toEqual(Object.keys(METRIC_NAMES));
  });

  it('the schema task enum is TASKS', () => {
    expect(mlopsSchema.properties.model.properties.task.enum).toEqual([...TASKS]);
  });

  it('task sets match the spec list', () => {
    expect(metricAppliesTo('roc_auc', 'binary-classification')).toBe(true);
    expect(metricAppliesTo('roc_auc', 'regression')).toBe(false);
    expect(metricAppliesTo('accuracy', 'multiclass-classification')).toBe(true);
    expect(metricAppliesTo('f1_macro', 'binary-classification')).toBe(false);
    expect(metricAppliesTo('rmse', 'regression')).toBe(true);
    for (const always of ['rows', 'rows_per_second', 'latency_p50_ms', 'latency_p95_ms', 'model_bytes']) {
      for (const task of TASKS) expect(metricAppliesTo(always, task)).toBe(true);
    }
    expect(metricAppliesTo('nope', 'regression')).toBe(false);
  });

  it("the spec's default metrics are the metrics module's defaults, all valid for their task", () => {
    for (const task of TASKS) {
      expect(defaultMetrics(task)).toEqual(DEFAULT_METRICS[task]);
      for (const m of defaultMetrics(task)) expect(metricAppliesTo(m, task)).toBe(true);
    }
  });
});
