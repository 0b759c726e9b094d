import { evaluateGates, percentileSorted } from '@mlops-actions/core';
import type { ExpressionGate, Measurements, Verdict } from '@mlops-actions/core';
import { hodgesLehmannGrouped, mannWhitneyGrouped } from '../stats/mann-whitney.js';
import { expandSorted, groupSample, weightedMedian } from '../stats/samples.js';
import { twoProportionTest } from '../stats/two-proportion.js';
import { resolveQuery } from './placeholders.js';
import type {
  AnalysisSource,
  AnalysisWindow,
  CheckResult,
  ErrorRateCheck,
  LatencyCheck,
  QueryCheck,
  TrafficWindow,
} from './types.js';

const STAGE = 'deploy-canary';

function gatesOf(expressions: string[]): ExpressionGate[] {
  return expressions.map((expression) => ({ kind: 'expression', expression }));
}

function runGates(expressions: string[], values: Measurements): Verdict[] {
  return evaluateGates(gatesOf(expressions), { values, baseDir: '.', stage: STAGE });
}

function fmt(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  return Number(v.toPrecision(digits)).toString();
}

function pct(v: number): string {
  return `${fmt(v * 100)}%`;
}

function tooFew(
  name: string,
  kind: CheckResult['kind'],
  what: string,
  canary: number,
  stable: number,
  min: number,
  queries: string[],
): CheckResult {
  return {
    name,
    kind,
    verdict: 'no-data',
    reason:
      `${name}: ${what}: canary ${canary}, stable ${stable} in the window; at least ${min} on each side ` +
      'are needed (min-samples) before the canary can be judged',
    samples: { canary, stable },
    queries,
    values: {},
    gates: [],
  };
}

/**
 * Error rate: a two-proportion test of the canary against stable, plus the user's gates on the
 * canary's own rate. A rise whose interval lies wholly above the allowed increase fails; a point
 * estimate above it without that certainty is inconclusive.
 */
export function judgeErrorRate(
  check: ErrorRateCheck,
  canary: TrafficWindow,
  stable: TrafficWindow,
  minSamples: number,
): CheckResult {
  const min = check.minSamples ?? minSamples;
  const queries = [...canary.queries, ...stable.queries];
  if (canary.requests < min || stable.requests < min)
    return tooFew(check.name, 'error-rate', 'requests', canary.requests, stable.requests, min, queries);
  const level = check.confidence ?? 0.98;
  const t = twoProportionTest(canary.errors, canary.requests, stable.errors, stable.requests, level);
  const gates = runGates(check.gates, {
    error_rate: { candidate: t.p1, baseline: t.p2, unit: 'ratio', direction: 'lower-is-better' },
    errors: { candidate: canary.errors, unit: 'count', direction: 'lower-is-better' },
    requests: { candidate: canary.requests, unit: 'count', direction: 'neutral' },
  });
  const values = {
    canary_error_rate: t.p1,
    stable_error_rate: t.p2,
    difference: t.difference,
    ci_low: t.ci[0],
    ci_high: t.ci[1],
    p_value: t.pValueGreater,
    canary_errors: canary.errors,
    stable_errors: stable.errors,
  };
  const base = `${check.name}: canary ${pct(t.p1)} (${canary.errors}/${canary.requests}) vs stable ${pct(t.p2)} (${stable.errors}/${stable.requests})`;
  const failedGate = gates.find((g) => g.status === 'fail');
  let verdict: CheckResult['verdict'];
  let reason: string;
  const ci = `${Math.round(level * 100)}% CI of the rise [${pct(t.ci[0])}, ${pct(t.ci[1])}]`;
  if (failedGate) {
    verdict = 'fail';
    reason = `${base}; gate ${failedGate.reason}`;
  } else if (t.ci[0] > check.allowedIncrease) {
    verdict = 'fail';
    reason = `${base}; ${ci} lies above the allowed increase ${pct(check.allowedIncrease)} (p=${fmt(t.pValueGreater)})`;
  } else if (t.difference > check.allowedIncrease) {
    verdict = 'inconclusive';
    reason = `${base}; the rise exceeds the allowed ${pct(check.allowedIncrease)} but ${ci} includes it`;
  } else {
    verdict = 'pass';
    reason = `${base}; within the allowed increase ${pct(check.allowedIncrease)}`;
  }
  return {
    name: check.name,
    kind: 'error-rate',
    verdict,
    reason,
    samples: { canary: canary.requests, stable: stable.requests },
    queries,
    values,
    interval: t.ci,
    gates,
  };
}

const PERCENTILES: [string, number][] = [
  ['p(50)', 0.5],
  ['p(90)', 0.9],
  ['p(95)', 0.95],
  ['p(99)', 0.99],
  ['p(99.9)', 0.999],
];

/**
 * Latency: Kayenta's judge. The Hodges–Lehmann shift of canary over stable with its interval at
 * 98%; the allowed increase is the effect size (ms, or a share of stable's median). The interval
 * wholly above it fails; the estimate above it alone is inconclusive. Percentile gates run on the
 * canary's distribution through the shared gate engine.
 */
export function judgeLatency(
  check: LatencyCheck,
  canary: TrafficWindow,
  stable: TrafficWindow,
  minSamples: number,
): CheckResult {
  const min = check.minSamples ?? minSamples;
  const queries = [...canary.queries, ...stable.queries];
  if (!canary.latencyMs || !stable.latencyMs) {
    return {
      ...tooFew(check.name, 'latency', 'latency observations', 0, 0, min, queries),
      reason: `${check.name}: the metrics source has no latency histogram (set latency-buckets query)`,
    };
  }
  const gc = groupSample(canary.latencyMs);
  const gs = groupSample(stable.latencyMs);
  if (gc.n < min || gs.n < min)
    return tooFew(check.name, 'latency', 'latency observations', gc.n, gs.n, min, queries);
  const level = check.confidence ?? 0.98;
  const hl = hodgesLehmannGrouped(gc, gs, level);
  const mw = mannWhitneyGrouped(gc, gs, 'greater');
  const stableMedian = weightedMedian(gs);
  const allowed = check.allowedIncrease.relative
    ? check.allowedIncrease.amount * stableMedian
    : check.allowedIncrease.amount;
  const sortedC = expandSorted(gc);
  const sortedS = expandSorted(gs);
  const values: Record<string, number | null> = {
    shift_ms: hl.estimate,
    ci_low_ms: Number.isFinite(hl.ci[0]) ? hl.ci[0] : null,
    ci_high_ms: Number.isFinite(hl.ci[1]) ? hl.ci[1] : null,
    allowed_increase_ms: allowed,
    p_value: mw.pValue,
    u: mw.u,
  };
  const measurements: Measurements = {};
  for (const [name, q] of PERCENTILES) {
    const c = percentileSorted(sortedC, q);
    values[`canary_${name}`] = c;
    values[`stable_${name}`] = percentileSorted(sortedS, q);
    measurements[name] = {
      candidate: c,
      baseline: values[`stable_${name}`],
      unit: 'ms',
      direction: 'lower-is-better',
    };
  }
  measurements.max = {
    candidate: sortedC[sortedC.length - 1] ?? null,
    unit: 'ms',
    direction: 'lower-is-better',
  };
  const gates = runGates(check.gates, measurements);
  const ms = (v: number) => `${v >= 0 ? '+' : ''}${fmt(v)} ms`;
  const ci = `${Math.round(level * 100)}% CI [${ms(hl.ci[0])}, ${ms(hl.ci[1])}]`;
  const base = `${check.name}: shift ${ms(hl.estimate)} (Hodges–Lehmann, ${ci}, n=${gc.n}/${gs.n})`;
  const failedGate = gates.find((g) => g.status === 'fail');
  let verdict: CheckResult['verdict'];
  let reason: string;
  if (failedGate) {
    verdict = 'fail';
    reason = `${base}; gate ${failedGate.reason}`;
  } else if (hl.ci[0] > allowed) {
    verdict = 'fail';
    reason = `${base} lies above the allowed increase ${ms(allowed)} (Mann–Whitney p=${fmt(mw.pValue)})`;
  } else if (hl.estimate > allowed) {
    verdict = 'inconclusive';
    reason = `${base}: the shift exceeds the allowed ${ms(allowed)} but its interval includes it`;
  } else {
    verdict = 'pass';
    reason = `${base}; within the allowed increase ${ms(allowed)}`;
  }
  return {
    name: check.name,
    kind: 'latency',
    verdict,
    reason,
    samples: { canary: gc.n, stable: gs.n },
    queries,
    values,
    interval: hl.ci,
    gates,
  };
}

/**
 * Any PromQL returning one number. Empty is no-data unless `on-empty: zero`; NaN (0/0 with no
 * traffic) is no-data; several series is a failure that says to aggregate: Argo Rollouts users met
 * all three as opaque errors or silent passes (argo-rollouts#1466, #2101, #4479).
 */
export async function judgeQuery(
  check: QueryCheck,
  source: AnalysisSource,
  window: AnalysisWindow,
  samples: { canary: number; stable: number },
): Promise<CheckResult> {
  const query = resolveQuery(check.query, { ...source.labels, window });
  const result = (r: Omit<CheckResult, 'name' | 'kind' | 'queries' | 'samples'>): CheckResult => ({
    name: check.name,
    kind: 'query',
    queries: [query],
    samples,
    ...r,
  });
  const series = await source.query(query, window);
  let value: number;
  if (series.length === 0) {
    if (check.onEmpty !== 'zero') {
      return result({
        verdict: 'no-data',
        reason: `${check.name}: the query returned no series (no data in the window; set on-empty: zero if an empty result means 0)`,
        values: { value: null },
        gates: [],
      });
    }
    value = 0;
  } else if (series.length > 1) {
    const labels = series
      .slice(0, 3)
      .map((s) => JSON.stringify(s.labels))
      .join(', ');
    return result({
      verdict: 'fail',
      reason: `${check.name}: the query returned ${series.length} series (${labels}…); aggregate it (sum, avg, max) so it returns one number`,
      values: { value: null },
      gates: [],
    });
  } else {
    value = series[0]!.value;
  }
  if (Number.isNaN(value)) {
    return result({
      verdict: 'no-data',
      reason: `${check.name}: the query returned NaN (usually 0/0: no traffic in the window)`,
      values: { value: null },
      gates: [],
    });
  }
  const gates = runGates(check.gates, { value: { candidate: value }, [check.name]: { candidate: value } });
  const failed = gates.find((g) => g.status === 'fail');
  return result({
    verdict: failed ? 'fail' : 'pass',
    reason: failed
      ? `${check.name}: ${failed.reason}`
      : `${check.name}: ${gates.map((g) => g.reason).join('; ') || `value ${fmt(value)}`}`,
    values: { value },
    gates,
  });
}
