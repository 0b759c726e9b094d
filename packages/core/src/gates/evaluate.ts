import { describeGate } from './describe.js';
import { evaluateExpressionGate } from './expression-gate.js';
import { evaluateMetricGate } from './metric-gate.js';
import { evaluateTestsGate } from './tests-gate.js';
import type { Gate, GateInput, MetricGate, SliceMeasurements, Verdict } from './types.js';

/**
 * The one gate engine every stage uses (evaluate, tests, load test, canary analysis): one verdict
 * per gate, except a metric gate with `slice: '*'`, which gives one verdict per measured slice.
 * Throws `InputError` only for spec problems (an unparsable expression); everything about the
 * measured data (missing values, files, slices) becomes a failed verdict with a reason.
 */
export function evaluateGates(gates: Gate[], input: GateInput): Verdict[] {
  return gates.flatMap((gate) => evaluateGate(gate, input));
}

/** `failed` when any verdict failed; a warning does not block. */
export function overallStatus(verdicts: Verdict[]): 'passed' | 'failed' {
  return verdicts.some((v) => v.status === 'fail') ? 'failed' : 'passed';
}

function evaluateGate(gate: Gate, input: GateInput): Verdict[] {
  switch (gate.kind) {
    case 'tests':
      return [evaluateTestsGate(gate, input.baseDir)];
    case 'expression':
      return [evaluateExpressionGate(gate, input.values, input.stage)];
    case 'metric':
      return evaluateMetricGateOnSlices(gate, input);
  }
}

function sliceLabel(slice: SliceMeasurements): string {
  return `${slice.column}=${slice.value}`;
}

function evaluateMetricGateOnSlices(gate: MetricGate, input: GateInput): Verdict[] {
  const stage = input.stage;
  if (gate.slice === undefined) return [evaluateMetricGate(gate, input.values, { stage })];
  const slices = input.slices ?? [];
  if (gate.slice === '*') {
    if (slices.length === 0)
      return [sliceFailure(gate, '*', `${gate.metric}: no slices were measured (slice: '*')`)];
    return slices.map((s) => evaluateMetricGate(gate, s.values, { stage, slice: sliceLabel(s) }));
  }
  const match = findSlice(slices, gate.slice);
  if (!match) {
    const known = slices.map(sliceLabel);
    const hint =
      known.length > 0 ? `measured slices: ${known.slice(0, 10).join(', ')}` : 'no slices were measured';
    return [sliceFailure(gate, gate.slice, `${gate.metric}: slice ${gate.slice} not found (${hint})`)];
  }
  return [evaluateMetricGate(gate, match.values, { stage, slice: sliceLabel(match) })];
}

// `region=EU` names column and value; a bare `EU` is accepted when exactly one slice has that value.
function findSlice(slices: SliceMeasurements[], wanted: string): SliceMeasurements | undefined {
  const eq = wanted.indexOf('=');
  if (eq >= 0) {
    const column = wanted.slice(0, eq).trim();
    const value = wanted.slice(eq + 1).trim();
    return slices.find((s) => s.column === column && s.value === value);
  }
  const byValue = slices.filter((s) => s.value === wanted.trim());
  return byValue.length === 1 ? byValue[0] : undefined;
}

function sliceFailure(gate: MetricGate, slice: string, reason: string): Verdict {
  return { gate: describeGate(gate), kind: 'metric', status: 'fail', reason, metric: gate.metric, slice };
}
