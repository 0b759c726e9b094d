import { metricDirection } from './directions.js';
import { candidateValue } from './candidate.js';
import { describeGate, describeLimit } from './describe.js';
import { formatNumber, formatSigned, formatTogether } from './format.js';
import { lookupMeasurement } from './lookup.js';
import type {
  ChangeLimit,
  Direction,
  Measurement,
  Measurements,
  MetricGate,
  Verdict,
  VerdictStatus,
} from './types.js';

/**
 * Value and change gates on one measurement.
 *
 * Value gates: `min` and `max` are inclusive (`0.880 >= min 0.880` passes).
 *
 * Change gates compare the candidate with the baseline, `Δ = candidate − baseline`:
 * - `maxDrop` bounds how much WORSE the candidate may be, in the metric's direction
 *   (metrics/directions.ts): for higher-is-better metrics (roc_auc) worsening is `−Δ`, for
 *   lower-is-better ones (log_loss, latency) it is `+Δ`, so `log_loss max-drop 0.01` fails when
 *   log_loss rises by more than 0.01. For a neutral or unknown metric "drop" is read literally as a
 *   fall in value (`−Δ`).
 * - `maxIncrease` bounds how much the raw value may RISE (`+Δ`), whatever the direction: meant for
 *   latency, model size, cost.
 * - A limit is absolute, or relative to the baseline: allowed = amount × |baseline|.
 * - Both bounds are inclusive: a change exactly at the limit passes.
 * - `significant: true` uses the measurement's `ci` (interval of Δ): the gate fails only when the
 *   whole interval is beyond the limit (even its most favourable end is worse than allowed). When
 *   the point estimate is beyond the limit but the interval reaches back within it, the verdict is
 *   `warn` (visible in the report, not blocking). No `ci` at all is a failure: significance was
 *   asked for and cannot be judged.
 * - No baseline value: `onMissingBaseline` decides (fail by default).
 *
 * A verdict's `observed` is the candidate value; its `threshold` is the value the candidate had to
 * reach: the bound for value gates, `baseline ∓ allowed` for change gates (same unit as observed).
 */

interface Check {
  status: VerdictStatus;
  reason: string;
  threshold?: number;
}

const RANK: Record<VerdictStatus, number> = { pass: 0, warn: 1, fail: 2 };

export function evaluateMetricGate(
  gate: MetricGate,
  values: Measurements,
  context: { stage?: string; slice?: string },
): Verdict {
  const subject = context.slice ? `${gate.metric} [${context.slice}]` : gate.metric;
  const verdict: Verdict = {
    gate: describeGate(gate),
    kind: 'metric',
    status: 'fail',
    reason: '',
    metric: gate.metric,
  };
  if (context.slice) verdict.slice = context.slice;

  const found = lookupMeasurement(values, gate.metric);
  const candidate = candidateValue(subject, found?.measurement, context.stage);
  if ('reason' in candidate) {
    verdict.reason = found ? candidate.reason : withKnownNames(candidate.reason, values);
    return verdict;
  }
  const measurement = found?.measurement as Measurement;
  const name = found?.name ?? gate.metric;
  const c = candidate.value;
  verdict.observed = c;

  const checks: Check[] = [];
  if (gate.min !== undefined) checks.push(boundCheck(subject, c, 'min', gate.min));
  if (gate.max !== undefined) checks.push(boundCheck(subject, c, 'max', gate.max));
  const direction = metricDirection(name, measurement);
  if (gate.maxDrop)
    checks.push(changeCheck(subject, gate, measurement, c, 'max-drop', gate.maxDrop, direction));
  if (gate.maxIncrease) {
    checks.push(changeCheck(subject, gate, measurement, c, 'max-increase', gate.maxIncrease, direction));
  }
  if (checks.length === 0) {
    verdict.reason = `${subject}: gate has no condition (min, max, max-drop or max-increase)`;
    return verdict;
  }

  const worst = checks.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
  verdict.status = worst.status;
  // The deciding check first, so a one-line rendering of the reason shows why it failed.
  verdict.reason = [worst, ...checks.filter((ch) => ch !== worst)].map((ch) => ch.reason).join('; ');
  if (worst.threshold !== undefined) verdict.threshold = worst.threshold;
  return verdict;
}

function withKnownNames(reason: string, values: Measurements): string {
  const names = Object.keys(values);
  if (names.length === 0) return reason;
  const shown = names.slice(0, 8).join(', ') + (names.length > 8 ? ', …' : '');
  return `${reason} (measured: ${shown})`;
}

function boundCheck(subject: string, c: number, bound: 'min' | 'max', limit: number): Check {
  const pass = bound === 'min' ? c >= limit : c <= limit;
  const op = bound === 'min' ? (pass ? '>=' : '<') : pass ? '<=' : '>';
  const [cs, ls] = formatTogether([c, limit]);
  return {
    status: pass ? 'pass' : 'fail',
    reason: `${subject} ${cs} ${op} ${bound} ${ls}`,
    threshold: limit,
  };
}

function changeCheck(
  subject: string,
  gate: MetricGate,
  m: Measurement,
  c: number,
  label: 'max-drop' | 'max-increase',
  limit: ChangeLimit,
  direction: Direction,
): Check {
  const b = m.baseline;
  if (b === null || b === undefined) {
    const policy = gate.onMissingBaseline ?? 'fail';
    return { status: policy, reason: `no baseline for ${subject}; on-missing-baseline: ${policy}` };
  }
  if (!Number.isFinite(b)) return { status: 'fail', reason: `baseline ${subject} is ${b}` };

  // How much worse (max-drop) or higher (max-increase) a given delta is; positive means "beyond zero".
  const worsening = (d: number): number =>
    label === 'max-increase' || direction === 'lower-is-better' ? d : -d;
  const delta = c - b;
  const allowed = limit.relative ? limit.amount * Math.abs(b) : limit.amount;
  // b ± allowed is computed from two measured floats; forgive rounding noise at the boundary.
  const eps = 1e-9 * Math.max(1, Math.abs(b), Math.abs(c));
  const beyond = (d: number) => worsening(d) > allowed + eps;
  const threshold = label === 'max-increase' || direction === 'lower-is-better' ? b + allowed : b - allowed;

  const verb = delta < 0 ? 'dropped' : delta > 0 ? 'rose' : 'did not change';
  const amount = delta === 0 ? '' : ` ${formatNumber(Math.abs(delta))}`;
  // For lower-is-better metrics "rose" under max-drop is the bad direction; say so up front.
  const judged =
    label === 'max-drop' && direction === 'lower-is-better' && delta !== 0
      ? delta > 0
        ? ' worsened:'
        : ' improved:'
      : '';
  const [bs, cs] = formatTogether([b, c]);
  const ci = m.ci;
  const ciText = ci ? `, ${ciLabel(m.ciLevel)} of Δ ${formatTogether([ci[0], ci[1]]).join('…')}` : '';
  const limitText = limit.relative
    ? `${label} ${describeLimit(limit)} (${formatNumber(allowed)})`
    : `${label} ${describeLimit(limit)}`;
  const head = `${subject}${judged} ${verb}${amount} (${bs} → ${cs}${ciText})`;

  if (!gate.significant) {
    return beyond(delta)
      ? { status: 'fail', reason: `${head}, beyond ${limitText}`, threshold }
      : { status: 'pass', reason: `${head}, within ${limitText}`, threshold };
  }
  if (!ci)
    return {
      status: 'fail',
      reason: `no confidence interval for ${subject} (significance requested)`,
      threshold,
    };
  if (!ci.every(Number.isFinite)) {
    return {
      status: 'fail',
      reason: `confidence interval for ${subject} is not finite (${ci.map(formatSigned).join('…')})`,
      threshold,
    };
  }
  if (beyond(ci[0]) && beyond(ci[1])) {
    return { status: 'fail', reason: `${head}, beyond ${limitText}: significant`, threshold };
  }
  if (beyond(delta)) {
    return {
      status: 'warn',
      reason: `${head}, beyond ${limitText} but not significant (the interval reaches within the limit)`,
      threshold,
    };
  }
  return { status: 'pass', reason: `${head}, within ${limitText}`, threshold };
}

function ciLabel(level: number | undefined): string {
  return level !== undefined && level > 0 && level < 1 ? `${Number((level * 100).toPrecision(6))}% CI` : 'CI';
}
