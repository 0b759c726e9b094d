/**
 * Gate and verdict shapes shared by every stage. Gates arrive here already validated by the
 * spec schema (see schemas/mlops.schema.json); the engine trusts these types.
 */

/** What to do with a change gate when no baseline value exists. */
export type OnMissingBaseline = 'pass' | 'warn' | 'fail';

/** An allowed change, absolute (`0.01`) or relative to the baseline value (`"1%"`). */
export interface ChangeLimit {
  amount: number;
  relative: boolean;
}

/** `{ metric: roc_auc, min: 0.8 }`, `{ metric: roc_auc, max-drop: 0.01, significant: true }`. */
export interface MetricGate {
  kind: 'metric';
  metric: string;
  /** Restrict the gate to one slice, e.g. `region=EU`; `*` means every slice. */
  slice?: string;
  min?: number;
  max?: number;
  maxDrop?: ChangeLimit;
  maxIncrease?: ChangeLimit;
  /** Fail a change gate only when the delta's confidence interval lies wholly beyond the limit. */
  significant?: boolean;
  onMissingBaseline: OnMissingBaseline;
}

/** `{ tests: reports/junit.xml, max-failures: 0 }`: JUnit XML from pytest, vitest, jest. */
export interface TestsGate {
  kind: 'tests';
  /** Path (relative to the spec's directory) of one JUnit XML file. */
  tests: string;
  maxFailures: number;
  maxErrors?: number;
  maxSkipped?: number;
  minTotal?: number;
}

/** k6-style expression: `"p(99) < 50ms"`, `"error_rate < 0.1%"`, `"rps >= 1000"`. */
export interface ExpressionGate {
  kind: 'expression';
  expression: string;
}

export type Gate = MetricGate | TestsGate | ExpressionGate;

export type VerdictStatus = 'pass' | 'warn' | 'fail';

export interface Verdict {
  /** Short, stable text of the gate as the user wrote it: `roc_auc >= 0.8`, `p(99) < 50ms`. */
  gate: string;
  kind: Gate['kind'];
  status: VerdictStatus;
  /** Human reason, always filled: `roc_auc 0.871 < min 0.880`. */
  reason: string;
  metric?: string;
  slice?: string;
  observed?: number;
  threshold?: number;
}

export type Direction = 'higher-is-better' | 'lower-is-better' | 'neutral';

/** Canonical units values are stored in: latency in ms, rates as fractions, throughput per second. */
export type Unit = 'ms' | 'ratio' | 'per-second' | 'bytes' | 'count' | 'none';

/** One measured quantity of a stage, with its baseline comparison when there is one. */
export interface Measurement {
  /** The candidate's value; null when it could not be measured (a gate on it fails). */
  candidate: number | null;
  baseline?: number | null;
  /** candidate - baseline. */
  delta?: number | null;
  /** Confidence interval of the delta, `[low, high]`. */
  ci?: [number, number];
  ciLevel?: number;
  /** p-value of a significance test of the difference, when one applies (McNemar for accuracy). */
  pValue?: number;
  direction?: Direction;
  unit?: Unit;
}

export type Measurements = Record<string, Measurement>;

/** Per-slice measurements, e.g. `{ column: 'region', value: 'EU', rows: 812, values: {...} }`. */
export interface SliceMeasurements {
  column: string;
  value: string;
  rows: number;
  values: Measurements;
}

/** Totals read from a JUnit XML report. */
export interface TestSummary {
  file: string;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  durationSeconds?: number;
  /** The first failures, for the report: `classname.name: message`. */
  failures: { name: string; message: string }[];
}

/** What a stage hands the gate engine: its measurements, per-slice ones, and where files resolve. */
export interface GateInput {
  values: Measurements;
  slices?: SliceMeasurements[];
  /** Directory that relative paths in gates (JUnit files) resolve against: the spec's directory. */
  baseDir: string;
  /** Stage name, mentioned in reasons so a missing value points at the stage that should have measured it. */
  stage?: string;
}
