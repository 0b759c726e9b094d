import type { Direction, Measurement, Unit } from './types.js';

/**
 * Which way is "better" and which canonical unit each known measurement uses. Gates need the
 * direction to know what a "drop" in quality is (for log_loss or latency a rise in value), and the
 * unit to convert `50ms` or `0.1%` in a k6-style expression. A measurement may carry its own
 * `direction`/`unit`; that always wins over this table, so new stages can add metrics without
 * editing it.
 */

interface Rule {
  test: (name: string) => boolean;
  direction: Direction;
  unit: Unit;
}

const exact =
  (...names: string[]) =>
  (name: string) =>
    names.includes(name);
const prefix =
  (...prefixes: string[]) =>
  (name: string) =>
    prefixes.some((p) => name.startsWith(p));

// k6 names percentiles `p(95)`; load-test results also use `p95` and `p99.9`.
const PERCENTILE = /^p\(\s*\d+(?:\.\d+)?\s*\)$|^p\d+(?:\.\d+)?$/;

// First match wins: order only matters where patterns overlap (none do today).
const RULES: Rule[] = [
  {
    test: (n) =>
      exact('accuracy', 'balanced_accuracy', 'roc_auc', 'pr_auc')(n) ||
      prefix('precision', 'recall', 'f1')(n),
    direction: 'higher-is-better',
    unit: 'ratio',
  },
  { test: exact('mcc', 'r2'), direction: 'higher-is-better', unit: 'none' },
  { test: exact('rows_per_second', 'rps'), direction: 'higher-is-better', unit: 'per-second' },
  // sklearn's mean_absolute_percentage_error is a fraction (0.05), not a percentage (5).
  { test: exact('mape'), direction: 'lower-is-better', unit: 'ratio' },
  {
    test: exact('log_loss', 'brier', 'rmse', 'mae', 'median_absolute_error'),
    direction: 'lower-is-better',
    unit: 'none',
  },
  {
    test: (n) =>
      PERCENTILE.test(n) || prefix('latency_')(n) || exact('avg', 'mean', 'med', 'median', 'max', 'min')(n),
    direction: 'lower-is-better',
    unit: 'ms',
  },
  { test: exact('error_rate'), direction: 'lower-is-better', unit: 'ratio' },
  { test: exact('model_bytes'), direction: 'lower-is-better', unit: 'bytes' },
  { test: exact('rows'), direction: 'neutral', unit: 'count' },
];

function rule(name: string): Rule | undefined {
  return RULES.find((r) => r.test(name));
}

/**
 * Direction of a measurement: its own `direction` if set, else the table, else `neutral`
 * (an unknown metric has no "better"; change gates then read "drop" literally as a fall in value).
 */
export function metricDirection(name: string, measurement?: Pick<Measurement, 'direction'>): Direction {
  return measurement?.direction ?? rule(name)?.direction ?? 'neutral';
}

/** Canonical unit of a measurement: its own `unit` if set, else the table, else `none`. */
export function metricUnit(name: string, measurement?: Pick<Measurement, 'unit'>): Unit {
  return measurement?.unit ?? rule(name)?.unit ?? 'none';
}
