import { metricUnit } from './directions.js';
import { candidateValue } from './candidate.js';
import { describeGate } from './describe.js';
import { compare, parseExpression, unitFactor } from './expression.js';
import type { ExpressionUnit } from './expression.js';
import { formatTogether } from './format.js';
import { lookupMeasurement } from './lookup.js';
import type { ExpressionGate, Measurements, Verdict } from './types.js';

const SYMBOL: Record<ExpressionUnit, string> = { ms: 'ms', s: 's', us: 'µs', '%': '%', '/s': '/s' };

/**
 * A k6-style expression gate. The threshold is converted to the measurement's canonical unit
 * (`50ms`, `0.05s` and `50000us` are the same gate on a latency in ms; `0.1%` is 0.001 on a ratio);
 * the reason shows the observed value back in the unit the user wrote. An unparsable expression
 * throws `InputError` (a spec problem); a unit that doesn't fit the measurement is a failed verdict.
 */
export function evaluateExpressionGate(gate: ExpressionGate, values: Measurements, stage?: string): Verdict {
  const parsed = parseExpression(gate.expression);
  const verdict: Verdict = {
    gate: describeGate(gate),
    kind: 'expression',
    status: 'fail',
    reason: '',
    metric: parsed.metric,
  };
  const found = lookupMeasurement(values, parsed.metric);
  const candidate = candidateValue(parsed.metric, found?.measurement, stage);
  if ('reason' in candidate) {
    verdict.reason = candidate.reason;
    return verdict;
  }
  const name = found?.name ?? parsed.metric;
  verdict.metric = name;
  verdict.observed = candidate.value;

  const unit = metricUnit(name, found?.measurement);
  const factor = unitFactor(parsed.unit, unit);
  if (factor === undefined) {
    const written = parsed.unit ? SYMBOL[parsed.unit] : '';
    verdict.reason =
      `${verdict.gate}: unit '${written}' does not fit ${name}, which is measured ` +
      (unit === 'none' ? 'without a unit' : `in ${unit}`);
    return verdict;
  }
  const threshold = parsed.value * factor;
  verdict.threshold = threshold;
  const pass = compare(candidate.value, parsed.op, threshold);
  verdict.status = pass ? 'pass' : 'fail';

  const suffix = parsed.unit ? SYMBOL[parsed.unit] : '';
  const [shown, limit] = formatTogether([candidate.value / factor, parsed.value]);
  const label = name === parsed.metric ? name : `${parsed.metric} (${name})`;
  verdict.reason = `${label} ${shown}${suffix} ${pass ? '' : 'is not '}${parsed.op} ${limit}${suffix}`;
  return verdict;
}
