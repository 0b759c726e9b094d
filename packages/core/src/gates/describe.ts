import type { ChangeLimit, Gate, MetricGate, TestsGate } from './types.js';

/**
 * Stable one-line text of a gate, close to how it is written in mlops.yml: `roc_auc >= 0.88`,
 * `roc_auc max-drop 0.01 (significant)`, `tests reports/junit.xml max-failures 0`, `p(99) < 50ms`.
 * Reports and annotations key on it, so it must not depend on measured values; numbers print
 * exactly as given.
 */
export function describeGate(gate: Gate): string {
  switch (gate.kind) {
    case 'metric':
      return describeMetricGate(gate);
    case 'tests':
      return describeTestsGate(gate);
    case 'expression':
      return gate.expression.trim();
  }
}

/** `0.01` or, for a relative limit, `1%`. */
export function describeLimit(limit: ChangeLimit): string {
  return limit.relative ? `${Number((limit.amount * 100).toPrecision(12))}%` : String(limit.amount);
}

function describeMetricGate(gate: MetricGate): string {
  const parts: string[] = [];
  if (gate.min !== undefined) parts.push(`>= ${gate.min}`);
  if (gate.max !== undefined) parts.push(`<= ${gate.max}`);
  if (gate.maxDrop) parts.push(`max-drop ${describeLimit(gate.maxDrop)}`);
  if (gate.maxIncrease) parts.push(`max-increase ${describeLimit(gate.maxIncrease)}`);
  const subject = gate.slice ? `${gate.metric} [${gate.slice}]` : gate.metric;
  const significant = gate.significant && (gate.maxDrop || gate.maxIncrease) ? ' (significant)' : '';
  return `${subject} ${parts.length > 0 ? parts.join(', ') : '(no condition)'}${significant}`;
}

function describeTestsGate(gate: TestsGate): string {
  const parts = [`max-failures ${gate.maxFailures}`];
  if (gate.maxErrors !== undefined) parts.push(`max-errors ${gate.maxErrors}`);
  if (gate.maxSkipped !== undefined) parts.push(`max-skipped ${gate.maxSkipped}`);
  if (gate.minTotal !== undefined) parts.push(`min-total ${gate.minTotal}`);
  return `tests ${gate.tests} ${parts.join(', ')}`;
}
