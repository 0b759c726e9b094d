import { describe, expect, it } from 'vitest';
import { metricDirection, metricUnit } from '../../packages/core/src/gates/directions.js';

describe('metricDirection', () => {
  it.each([
    'accuracy',
    'balanced_accuracy',
    'precision',
    'precision_macro',
    'recall_weighted',
    'f1',
    'f1_macro',
    'roc_auc',
    'pr_auc',
    'mcc',
    'r2',
    'rows_per_second',
    'rps',
  ])('%s is higher-is-better', (name) => {
    expect(metricDirection(name)).toBe('higher-is-better');
  });

  it.each([
    'log_loss',
    'brier',
    'rmse',
    'mae',
    'mape',
    'median_absolute_error',
    'latency_p50_ms',
    'latency_p95_ms',
    'p(99)',
    'p(99.9)',
    'p95',
    'avg',
    'med',
    'max',
    'min',
    'error_rate',
    'model_bytes',
  ])('%s is lower-is-better', (name) => {
    expect(metricDirection(name)).toBe('lower-is-better');
  });

  it('rows is neutral, and so is an unknown name', () => {
    expect(metricDirection('rows')).toBe('neutral');
    expect(metricDirection('my_custom_score')).toBe('neutral');
  });

  it("a measurement's own direction overrides the table", () => {
    expect(metricDirection('roc_auc', { direction: 'lower-is-better' })).toBe('lower-is-better');
    expect(metricDirection('my_custom_score', { direction: 'higher-is-better' })).toBe('higher-is-better');
    expect(metricDirection('log_loss', {})).toBe('lower-is-better');
  });
});

describe('metricUnit', () => {
  it('gives canonical units', () => {
    expect(metricUnit('p(99)')).toBe('ms');
    expect(metricUnit('latency_p95_ms')).toBe('ms');
    expect(metricUnit('avg')).toBe('ms');
    expect(metricUnit('error_rate')).toBe('ratio');
    expect(metricUnit('accuracy')).toBe('ratio');
    expect(metricUnit('rps')).toBe('per-second');
    expect(metricUnit('rows_per_second')).toBe('per-second');
    expect(metricUnit('model_bytes')).toBe('bytes');
    expect(metricUnit('rows')).toBe('count');
    expect(metricUnit('rmse')).toBe('none');
    expect(metricUnit('unknown_thing')).toBe('none');
  });

  it("a measurement's own unit overrides the table", () => {
    expect(metricUnit('p(99)', { unit: 'ratio' })).toBe('ratio');
    expect(metricUnit('queue_wait', { unit: 'ms' })).toBe('ms');
  });
});
