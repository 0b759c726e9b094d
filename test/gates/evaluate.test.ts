import { describe, expect, it } from 'vitest';
import { describeGate, evaluateGates, overallStatus } from '../../packages/core/src/gates/index.js';
import type {
  Gate,
  GateInput,
  MetricGate,
  SliceMeasurements,
  Verdict,
} from '../../packages/core/src/gates/index.js';

const slices: SliceMeasurements[] = [
  { column: 'region', value: 'EU', rows: 812, values: { roc_auc: { candidate: 0.93, baseline: 0.92 } } },
  { column: 'region', value: 'US', rows: 640, values: { roc_auc: { candidate: 0.85, baseline: 0.9 } } },
  { column: 'plan', value: 'pro', rows: 300, values: { roc_auc: { candidate: 0.81 } } },
];
const input: GateInput = { values: { roc_auc: { candidate: 0.9 } }, slices, baseDir: '/nonexistent' };
const gate = (extra: Partial<MetricGate>): MetricGate => ({
  kind: 'metric',
  metric: 'roc_auc',
  onMissingBaseline: 'fail',
  ...extra,
});

describe('slices', () => {
  it('slice: column=value applies to that slice only', () => {
    const [v] = evaluateGates([gate({ slice: 'region=US', min: 0.88 })], input);
    expect(v).toMatchObject({
      gate: 'roc_auc [region=US] >= 0.88',
      status: 'fail',
      slice: 'region=US',
      reason: 'roc_auc [region=US] 0.85 < min 0.88',
    });
  });

  it('a bare slice value matches when it is unambiguous', () => {
    const [v] = evaluateGates([gate({ slice: 'pro', min: 0.8 })], input);
    expect(v).toMatchObject({ status: 'pass', slice: 'plan=pro' });
  });

  it("slice: '*' gives one verdict per slice", () => {
    const verdicts = evaluateGates(
      [gate({ slice: '*', maxDrop: { amount: 0.02, relative: false }, onMissingBaseline: 'warn' })],
      input,
    );
    expect(verdicts.map((v) => [v.slice, v.status])).toEqual([
      ['region=EU', 'pass'],
      ['region=US', 'fail'],
      ['plan=pro', 'warn'],
    ]);
    expect(verdicts.every((v) => v.gate === 'roc_auc [*] max-drop 0.02')).toBe(true);
    expect(verdicts[1]?.reason).toBe('roc_auc [region=US] dropped 0.05 (0.90 → 0.85), beyond max-drop 0.02');
    expect(verdicts[2]?.reason).toBe('no baseline for roc_auc [plan=pro]; on-missing-baseline: warn');
  });

  it('an unknown slice fails with the known ones listed', () => {
    const [v] = evaluateGates([gate({ slice: 'region=APAC', min: 0.5 })], input);
    expect(v).toMatchObject({
      status: 'fail',
      slice: 'region=APAC',
      reason: 'roc_auc: slice region=APAC not found (measured slices: region=EU, region=US, plan=pro)',
    });
  });

  it("slices requested but none measured fail, for a named slice and for '*'", () => {
    const bare: GateInput = { values: {}, baseDir: '/nonexistent' };
    expect(evaluateGates([gate({ slice: 'region=EU', min: 0.5 })], bare)[0]?.reason).toBe(
      'roc_auc: slice region=EU not found (no slices were measured)',
    );
    expect(evaluateGates([gate({ slice: '*', min: 0.5 })], bare)[0]).toMatchObject({
      status: 'fail',
      reason: "roc_auc: no slices were measured (slice: '*')",
    });
  });

  it('a metric missing inside a slice fails', () => {
    const [v] = evaluateGates([gate({ metric: 'f1', slice: 'region=EU', min: 0.5 })], input);
    expect(v).toMatchObject({
      status: 'fail',
      reason: 'f1 [region=EU]: no value measured (measured: roc_auc)',
    });
  });
});

describe('engine', () => {
  it('evaluates gates of every kind in order', () => {
    const gates: Gate[] = [
      gate({ min: 0.8 }),
      { kind: 'expression', expression: 'p(99) < 50ms' },
      { kind: 'tests', tests: 'missing.xml', maxFailures: 0 },
    ];
    const verdicts = evaluateGates(gates, {
      ...input,
      values: { ...input.values, 'p(99)': { candidate: 10 } },
    });
    expect(verdicts.map((v) => [v.kind, v.status])).toEqual([
      ['metric', 'pass'],
      ['expression', 'pass'],
      ['tests', 'fail'],
    ]);
  });

  it('no gates, no verdicts', () => {
    expect(evaluateGates([], input)).toEqual([]);
  });
});

describe('overallStatus', () => {
  const v = (status: Verdict['status']): Verdict => ({ gate: 'g', kind: 'metric', status, reason: 'r' });
  it('passes when all pass or warn, fails on any failure', () => {
    expect(overallStatus([])).toBe('passed');
    expect(overallStatus([v('pass'), v('pass')])).toBe('passed');
    expect(overallStatus([v('pass'), v('warn')])).toBe('passed');
    expect(overallStatus([v('warn'), v('fail'), v('pass')])).toBe('failed');
  });
});

describe('describeGate', () => {
  it('gives stable text for every kind', () => {
    expect(describeGate(gate({ min: 0.88 }))).toBe('roc_auc >= 0.88');
    expect(describeGate(gate({ max: 0.3, metric: 'log_loss' }))).toBe('log_loss <= 0.3');
    expect(describeGate(gate({ maxDrop: { amount: 0.01, relative: false }, significant: true }))).toBe(
      'roc_auc max-drop 0.01 (significant)',
    );
    expect(describeGate(gate({ maxIncrease: { amount: 0.035, relative: true } }))).toBe(
      'roc_auc max-increase 3.5%',
    );
    expect(describeGate(gate({ slice: 'region=EU', min: 0.8 }))).toBe('roc_auc [region=EU] >= 0.8');
    expect(describeGate({ kind: 'tests', tests: 'reports/junit.xml', maxFailures: 0 })).toBe(
      'tests reports/junit.xml max-failures 0',
    );
    expect(
      describeGate({
        kind: 'tests',
        tests: 'junit.xml',
        maxFailures: 1,
        maxErrors: 0,
        maxSkipped: 2,
        minTotal: 10,
      }),
    ).toBe('tests junit.xml max-failures 1, max-errors 0, max-skipped 2, min-total 10');
    expect(describeGate({ kind: 'expression', expression: '  p(99) < 50ms ' })).toBe('p(99) < 50ms');
  });
});
