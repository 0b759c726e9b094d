import type { ChangeLimit, Verdict } from '@mlops-actions/core';
import type { Sample } from '../stats/samples.js';

/** A check's verdict for one analysis window. `no-data` is never a pass and never an error. */
export type CheckVerdict = 'pass' | 'fail' | 'inconclusive' | 'no-data';

interface CheckBase {
  /** Name shown in the report and the result JSON. */
  name: string;
  /** k-style gates evaluated by the shared gate engine on the canary's values. */
  gates: string[];
  /** Fewer requests than this on either side is no-data (default: the canary's `min-samples`). */
  minSamples?: number;
}

/** Canary error rate against stable's: two-proportion test, allowed increase in absolute points. */
export interface ErrorRateCheck extends CheckBase {
  kind: 'error-rate';
  /** Largest tolerated rise of the error rate over stable's, as a fraction (0.01 = one point). */
  allowedIncrease: number;
  /** Confidence of the difference's interval (default 0.98). */
  confidence?: number;
}

/** Canary latency against stable's: Mann–Whitney U with the Hodges–Lehmann shift (Kayenta's judge). */
export interface LatencyCheck extends CheckBase {
  kind: 'latency';
  /** Effect size the shift may reach: `{amount: 10, relative: false}` = 10 ms; relative = share of stable's median. */
  allowedIncrease: ChangeLimit;
  /** Confidence of the shift's interval (default 0.98 as Netflix's judge). */
  confidence?: number;
}

/** Any PromQL; `{{ canary }}`, `{{ stable }}`, `{{ interval }}` are substituted before it runs. */
export interface QueryCheck extends CheckBase {
  kind: 'query';
  query: string;
  /** What an empty result means: no-data (default) or zero (a counter of errors that never fired). */
  onEmpty: 'no-data' | 'zero';
}

export type Check = ErrorRateCheck | LatencyCheck | QueryCheck;

/** Traffic of one backend over an analysis window. */
export interface TrafficWindow {
  requests: number;
  errors: number;
  /** Latency in ms, raw or bucketed with counts; undefined when the source has none. */
  latencyMs?: Sample;
  /** The queries that produced it, placeholders resolved. */
  queries: string[];
}

export interface AnalysisWindow {
  /** Epoch ms. */
  start: number;
  end: number;
}

/** Where a run reads its measurements: the router's Prometheus, or a cluster's. */
export interface AnalysisSource {
  /** Resolves when every sample up to `end` can be queried (the scrape after it has landed). */
  settle?(end: number): Promise<void>;
  traffic(backend: 'canary' | 'stable', window: AnalysisWindow): Promise<TrafficWindow>;
  /** Runs an instant query at the window's end; placeholders are already resolved. */
  query(promql: string, window: AnalysisWindow): Promise<{ value: number; labels: Record<string, string> }[]>;
  /** Label values `{{ canary }}` and `{{ stable }}` resolve to. */
  labels: { canary: string; stable: string };
}

export interface CheckResult {
  name: string;
  kind: Check['kind'];
  verdict: CheckVerdict;
  /** Always filled, in plain words. */
  reason: string;
  samples: { canary: number; stable: number };
  /** Resolved queries, in the order they ran. */
  queries: string[];
  /** Numbers the verdict rests on (rates, p-values, shift and interval, percentiles, query value). */
  values: Record<string, number | null>;
  interval?: [number, number];
  gates: Verdict[];
}
