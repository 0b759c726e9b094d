import { describe, expect, it } from 'vitest';
import { evaluateGates } from '../../packages/core/src/gates/index.js';
import type { Measurements, MetricGate, Verdict } from '../../packages/core/src/gates/index.js';

const gate = (metric: string, extra: Partial<MetricGate> = {}): MetricGate => ({
  kind: 'metric',
  metric,
  onMissingBaseline: 'fail',
  ...extra,
});
const one = (g: MetricGate, values: Measurements, stage?: string): Verdict => {
  const verdicts = evaluateGates([g], { values, baseDir: '/nonexistent', ...(stage ? { stage } : {}) });
  expect(verdicts).toHaveLength(1);
  return verdicts[0] as Verdict;
};
const abs = (amount: number) => ({ amount, relative: false });
const rel = (amount: number) => ({ amount, relative: true });

describe('value gates (min/max, inclusive)', () => {
  it('fails below min and says by how much', () => {
    const v = one(gate('roc_auc', { min: 0.88 }), { roc_auc: { candidate: 0.871 } });
    expect(v).toMatchObject({
      gate: 'roc_auc >= 0.88',
      kind: 'metric',
      status: 'fail',
      reason: 'roc_auc 0.871 < min 0.880',
      metric: 'roc_auc',
      observed: 0.871,
      threshold: 0.88,
    });
  });

  it('passes above min', () => {
    const v = one(gate('roc_auc', { min: 0.88 }), { roc_auc: { candidate: 0.912 } });
    expect(v.status).toBe('pass');
    expect(v.reason).toBe('roc_auc 0.912 >= min 0.880');
  });

  it('min and max bounds are inclusive', () => {
    expect(one(gate('roc_auc', { min: 0.88 }), { roc_auc: { candidate: 0.88 } }).status).toBe('pass');
    expect(one(gate('log_loss', { max: 0.3 }), { log_loss: { candidate: 0.3 } }).status).toBe('pass');
  });

  it('fails above max', () => {
    const v = one(gate('log_loss', { max: 0.3 }), { log_loss: { candidate: 0.3412 } });
    expect(v).toMatchObject({
      gate: 'log_loss <= 0.3',
      status: 'fail',
      reason: 'log_loss 0.3412 > max 0.3000',
    });
  });

  it('shows enough digits to see the difference', () => {
    const v = one(gate('roc_auc', { min: 0.88 }), { roc_auc: { candidate: 0.8799996 } });
    expect(v.status).toBe('fail');
    expect(v.reason).toBe('roc_auc 0.8799996 < min 0.8800000');
  });

  it('min and max together: the failing bound decides and comes first', () => {
    const v = one(gate('accuracy', { min: 0.5, max: 0.99 }), { accuracy: { candidate: 0.995 } });
    expect(v.gate).toBe('accuracy >= 0.5, <= 0.99');
    expect(v.status).toBe('fail');
    expect(v.reason).toBe('accuracy 0.995 > max 0.990; accuracy 0.995 >= min 0.500');
    expect(v.threshold).toBe(0.99);
  });
});

describe('missing and non-finite values fail', () => {
  it('metric absent', () => {
    const v = one(gate('roc_auc', { min: 0.8 }), { accuracy: { candidate: 0.9 } });
    expect(v.status).toBe('fail');
    expect(v.reason).toBe('roc_auc: no value measured (measured: accuracy)');
  });

  it('candidate null or undefined, naming the stage when known', () => {
    expect(one(gate('roc_auc', { min: 0.8 }), { roc_auc: { candidate: null } }).reason).toBe(
      'roc_auc: no value measured',
    );
    const values = { roc_auc: { candidate: undefined } } as unknown as Measurements;
    expect(one(gate('roc_auc', { min: 0.8 }), values, 'evaluate')).toMatchObject({
      status: 'fail',
      reason: 'roc_auc: no value measured in stage evaluate',
    });
  });

  it('NaN and ±Infinity', () => {
    expect(one(gate('roc_auc', { min: 0.8 }), { roc_auc: { candidate: Number.NaN } })).toMatchObject({
      status: 'fail',
      reason: 'roc_auc is NaN',
    });
    expect(one(gate('log_loss', { max: 1 }), { log_loss: { candidate: Infinity } }).reason).toBe(
      'log_loss is Infinity',
    );
    expect(one(gate('r2', { min: 0 }), { r2: { candidate: -Infinity } }).reason).toBe('r2 is -Infinity');
  });

  it('NaN fails a change gate too, never a silent pass', () => {
    const v = one(gate('roc_auc', { maxDrop: abs(0.01) }), {
      roc_auc: { candidate: Number.NaN, baseline: 0.9 },
    });
    expect(v.status).toBe('fail');
  });

  it('a non-finite baseline fails', () => {
    const v = one(gate('roc_auc', { maxDrop: abs(0.01) }), {
      roc_auc: { candidate: 0.9, baseline: Number.NaN },
    });
    expect(v).toMatchObject({ status: 'fail', reason: 'baseline roc_auc is NaN' });
  });

  it('a gate without any condition fails', () => {
    const v = one(gate('roc_auc'), { roc_auc: { candidate: 0.9 } });
    expect(v.status).toBe('fail');
    expect(v.gate).toBe('roc_auc (no condition)');
  });
});

describe('change gates: max-drop in the direction of the metric', () => {
  it('higher-is-better: a fall beyond the limit fails', () => {
    const v = one(gate('roc_auc', { maxDrop: abs(0.005) }), {
      roc_auc: { candidate: 0.905, baseline: 0.912 },
    });
    expect(v).toMatchObject({
      gate: 'roc_auc max-drop 0.005',
      status: 'fail',
      reason: 'roc_auc dropped 0.007 (0.912 → 0.905), beyond max-drop 0.005',
      observed: 0.905,
    });
    expect(v.threshold).toBeCloseTo(0.907, 12);
  });

  it('higher-is-better: a fall within the limit, exactly at it, or a rise passes', () => {
    const within = one(gate('roc_auc', { maxDrop: abs(0.01) }), {
      roc_auc: { candidate: 0.905, baseline: 0.912 },
    });
    expect(within.status).toBe('pass');
    expect(within.reason).toBe('roc_auc dropped 0.007 (0.912 → 0.905), within max-drop 0.01');
    // 0.912 - 0.907 is 0.005000000000000004 in floating point: still exactly at the limit.
    const atLimit = one(gate('roc_auc', { maxDrop: abs(0.005) }), {
      roc_auc: { candidate: 0.907, baseline: 0.912 },
    });
    expect(atLimit.status).toBe('pass');
    const rose = one(gate('roc_auc', { maxDrop: abs(0.001) }), {
      roc_auc: { candidate: 0.95, baseline: 0.9 },
    });
    expect(rose.status).toBe('pass');
    expect(rose.reason).toBe('roc_auc rose 0.05 (0.90 → 0.95), within max-drop 0.001');
  });

  it('lower-is-better: a rise is a drop in quality', () => {
    const worse = one(gate('log_loss', { maxDrop: abs(0.01) }), {
      log_loss: { candidate: 0.32, baseline: 0.3 },
    });
    expect(worse.status).toBe('fail');
    expect(worse.reason).toBe('log_loss worsened: rose 0.02 (0.30 → 0.32), beyond max-drop 0.01');
    expect(worse.threshold).toBeCloseTo(0.31, 12);
    const better = one(gate('log_loss', { maxDrop: abs(0.01) }), {
      log_loss: { candidate: 0.2, baseline: 0.3 },
    });
    expect(better.status).toBe('pass');
    expect(better.reason).toBe('log_loss improved: dropped 0.1 (0.3 → 0.2), within max-drop 0.01');
  });

  it("a measurement's own direction overrides the table", () => {
    const v = one(gate('roc_auc', { maxDrop: abs(0.01) }), {
      roc_auc: { candidate: 0.95, baseline: 0.9, direction: 'lower-is-better' },
    });
    expect(v.status).toBe('fail');
  });

  it('neutral metrics read "drop" literally as a fall in value', () => {
    expect(one(gate('rows', { maxDrop: abs(10) }), { rows: { candidate: 80, baseline: 100 } }).status).toBe(
      'fail',
    );
    expect(one(gate('rows', { maxDrop: abs(10) }), { rows: { candidate: 180, baseline: 100 } }).status).toBe(
      'pass',
    );
  });

  it('relative limits are amount × |baseline|', () => {
    // 1% of 0.9 = 0.009; a drop of 0.008 passes, 0.01 fails.
    const ok = one(gate('roc_auc', { maxDrop: rel(0.01) }), { roc_auc: { candidate: 0.892, baseline: 0.9 } });
    expect(ok.gate).toBe('roc_auc max-drop 1%');
    expect(ok.status).toBe('pass');
    expect(ok.reason).toBe('roc_auc dropped 0.008 (0.900 → 0.892), within max-drop 1% (0.009)');
    const bad = one(gate('roc_auc', { maxDrop: rel(0.01) }), { roc_auc: { candidate: 0.89, baseline: 0.9 } });
    expect(bad.status).toBe('fail');
    // |baseline|: a negative baseline still gives a positive allowance.
    const negative = one(gate('r2', { maxDrop: rel(0.1) }), { r2: { candidate: -0.55, baseline: -0.5 } });
    expect(negative.status).toBe('pass');
    expect(one(gate('r2', { maxDrop: rel(0.1) }), { r2: { candidate: -0.56, baseline: -0.5 } }).status).toBe(
      'fail',
    );
  });
});

describe('change gates: max-increase bounds the raw rise', () => {
  it('latency may not rise more than allowed (absolute)', () => {
    const v = one(gate('latency_p95_ms', { maxIncrease: abs(5) }), {
      latency_p95_ms: { candidate: 48, baseline: 40 },
    });
    expect(v).toMatchObject({
      gate: 'latency_p95_ms max-increase 5',
      status: 'fail',
      reason: 'latency_p95_ms rose 8 (40 → 48), beyond max-increase 5',
      threshold: 45,
    });
  });

  it('relative max-increase on model size; a fall always passes', () => {
    const grew = one(gate('model_bytes', { maxIncrease: rel(0.1) }), {
      model_bytes: { candidate: 1_150_000, baseline: 1_000_000 },
    });
    expect(grew.status).toBe('fail');
    expect(grew.gate).toBe('model_bytes max-increase 10%');
    const fine = one(gate('model_bytes', { maxIncrease: rel(0.1) }), {
      model_bytes: { candidate: 1_100_000, baseline: 1_000_000 },
    });
    expect(fine.status).toBe('pass');
    const shrank = one(gate('model_bytes', { maxIncrease: rel(0.1) }), {
      model_bytes: { candidate: 500_000, baseline: 1_000_000 },
    });
    expect(shrank.status).toBe('pass');
  });

  it('max-increase ignores direction: a higher-is-better metric rising too much fails', () => {
    const v = one(gate('accuracy', { maxIncrease: abs(0.05) }), {
      accuracy: { candidate: 0.99, baseline: 0.8 },
    });
    expect(v.status).toBe('fail');
  });
});

describe('significant change gates use the CI of the delta', () => {
  const sig = (limit: number) => gate('roc_auc', { maxDrop: abs(limit), significant: true });

  it('CI wholly beyond the limit fails: significant', () => {
    const v = one(sig(0.005), {
      roc_auc: { candidate: 0.905, baseline: 0.912, ci: [-0.011, -0.0062], ciLevel: 0.95 },
    });
    expect(v.gate).toBe('roc_auc max-drop 0.005 (significant)');
    expect(v.status).toBe('fail');
    expect(v.reason).toBe(
      'roc_auc dropped 0.007 (0.912 → 0.905, 95% CI of Δ \u22120.0110…\u22120.0062), beyond max-drop 0.005: significant',
    );
  });

  it('point estimate beyond but CI straddling the limit warns, not fails', () => {
    const v = one(sig(0.005), {
      roc_auc: { candidate: 0.905, baseline: 0.912, ci: [-0.011, -0.002], ciLevel: 0.95 },
    });
    expect(v.status).toBe('warn');
    expect(v.reason).toBe(
      'roc_auc dropped 0.007 (0.912 → 0.905, 95% CI of Δ \u22120.011…\u22120.002), beyond max-drop 0.005 but not significant (the interval reaches within the limit)',
    );
  });

  it('CI wholly within the limit passes', () => {
    const v = one(sig(0.01), { roc_auc: { candidate: 0.909, baseline: 0.912, ci: [-0.006, 0.001] } });
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('CI of Δ');
    expect(v.reason).toContain('within max-drop 0.01');
  });

  it('lower-is-better: the CI must lie wholly above +limit to fail', () => {
    const g = gate('log_loss', { maxDrop: abs(0.01), significant: true });
    expect(one(g, { log_loss: { candidate: 0.33, baseline: 0.3, ci: [0.015, 0.045] } }).status).toBe('fail');
    expect(one(g, { log_loss: { candidate: 0.33, baseline: 0.3, ci: [0.005, 0.045] } }).status).toBe('warn');
    expect(one(g, { log_loss: { candidate: 0.3, baseline: 0.3, ci: [-0.02, 0.02] } }).status).toBe('pass');
  });

  it('max-increase with significance', () => {
    const g = gate('latency_p95_ms', { maxIncrease: abs(2), significant: true });
    expect(one(g, { latency_p95_ms: { candidate: 45, baseline: 40, ci: [3, 7] } }).status).toBe('fail');
    expect(one(g, { latency_p95_ms: { candidate: 45, baseline: 40, ci: [1, 9] } }).status).toBe('warn');
  });

  it('significant without a CI fails with a reason', () => {
    const v = one(sig(0.005), { roc_auc: { candidate: 0.905, baseline: 0.912 } });
    expect(v).toMatchObject({
      status: 'fail',
      reason: 'no confidence interval for roc_auc (significance requested)',
    });
  });

  it('a CI with NaN ends fails', () => {
    const v = one(sig(0.005), { roc_auc: { candidate: 0.905, baseline: 0.912, ci: [Number.NaN, 0.01] } });
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('not finite');
  });
});

describe('missing baseline follows on-missing-baseline', () => {
  const values: Measurements = { roc_auc: { candidate: 0.9 } };
  it.each([
    ['fail', 'fail'],
    ['warn', 'warn'],
    ['pass', 'pass'],
  ] as const)('%s', (policy, status) => {
    const v = one(gate('roc_auc', { maxDrop: abs(0.01), onMissingBaseline: policy }), values);
    expect(v.status).toBe(status);
    expect(v.reason).toBe(`no baseline for roc_auc; on-missing-baseline: ${policy}`);
  });

  it('a null baseline is missing too; a value bound on the same gate still applies', () => {
    const v = one(gate('roc_auc', { min: 0.95, maxDrop: abs(0.01), onMissingBaseline: 'warn' }), {
      roc_auc: { candidate: 0.9, baseline: null },
    });
    expect(v.status).toBe('fail');
    expect(v.reason).toBe('roc_auc 0.90 < min 0.95; no baseline for roc_auc; on-missing-baseline: warn');
  });
});
