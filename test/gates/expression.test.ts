import { describe, expect, it } from 'vitest';
import { InputError } from '../../packages/core/src/errors.js';
import { evaluateGates, parseExpression } from '../../packages/core/src/gates/index.js';
import type { Measurements, Verdict } from '../../packages/core/src/gates/index.js';

const run = (expression: string, values: Measurements): Verdict => {
  const verdicts = evaluateGates([{ kind: 'expression', expression }], { values, baseDir: '/nonexistent' });
  expect(verdicts).toHaveLength(1);
  return verdicts[0] as Verdict;
};

describe('parseExpression', () => {
  it('parses k6 thresholds with and without spaces', () => {
    expect(parseExpression('p(99) < 50ms')).toEqual({
      text: 'p(99) < 50ms',
      metric: 'p(99)',
      op: '<',
      value: 50,
      unit: 'ms',
    });
    expect(parseExpression('p(95)<=200')).toEqual({
      text: 'p(95)<=200',
      metric: 'p(95)',
      op: '<=',
      value: 200,
    });
    expect(parseExpression('  p( 99.9 ) <  1.5 s ')).toMatchObject({
      metric: 'p(99.9)',
      op: '<',
      value: 1.5,
      unit: 's',
    });
    expect(parseExpression('error_rate < 0.1%')).toMatchObject({
      metric: 'error_rate',
      value: 0.1,
      unit: '%',
    });
    expect(parseExpression('rps >= 1000')).toMatchObject({ metric: 'rps', op: '>=', value: 1000 });
    expect(parseExpression('rps>=1e3/s')).toMatchObject({ value: 1000, unit: '/s' });
    expect(parseExpression('avg < 20ms')).toMatchObject({ metric: 'avg', unit: 'ms' });
    expect(parseExpression('roc_auc >= .8')).toMatchObject({ metric: 'roc_auc', value: 0.8 });
    expect(parseExpression('r2 > -0.5')).toMatchObject({ op: '>', value: -0.5 });
  });

  it.each(['<', '<=', '>', '>=', '==', '!='])('operator %s', (op) => {
    expect(parseExpression(`med ${op} 10us`)).toMatchObject({ op, unit: 'us' });
  });

  it('accepts µs (micro sign and Greek mu) as us', () => {
    expect(parseExpression('med < 900µs').unit).toBe('us');
    expect(parseExpression('med < 900\u03bcs').unit).toBe('us');
  });

  it.each([
    '',
    'p(99)',
    'p(99) < ',
    '< 50ms',
    'p(99) => 50',
    'p(99) = 50',
    'p(99) < fifty',
    'p(99) < 50 ms extra',
    '99 < 50',
    'p(x) < 50',
  ])('rejects %j with an InputError', (text) => {
    expect(() => parseExpression(text)).toThrow(InputError);
  });

  it('names the unknown unit', () => {
    expect(() => parseExpression('model_bytes < 5MB')).toThrow(/unknown unit 'MB'/);
    expect(() => parseExpression('p(99) <> 5')).toThrow(/cannot parse gate expression 'p\(99\) <> 5'/);
  });

  it('evaluateGates throws for an unparsable expression (a spec problem)', () => {
    expect(() => run('latency is fast', {})).toThrow(InputError);
  });
});

describe('expression gates', () => {
  const load: Measurements = {
    'p(99)': { candidate: 42.1 },
    'p(95)': { candidate: 31 },
    avg: { candidate: 12.5 },
    error_rate: { candidate: 0.0025 },
    rps: { candidate: 1200 },
  };

  it('latency in ms passes and fails with the value shown in the written unit', () => {
    expect(run('p(99) < 50ms', load)).toMatchObject({
      gate: 'p(99) < 50ms',
      kind: 'expression',
      status: 'pass',
      reason: 'p(99) 42.1ms < 50.0ms',
      metric: 'p(99)',
      observed: 42.1,
      threshold: 50,
    });
    expect(run('p(99) < 40ms', load)).toMatchObject({
      status: 'fail',
      reason: 'p(99) 42.1ms is not < 40.0ms',
    });
  });

  it('converts s and us to ms', () => {
    expect(run('p(99) < 0.05s', load)).toMatchObject({ status: 'pass', threshold: 50 });
    expect(run('p(99) < 0.04s', load).status).toBe('fail');
    expect(run('avg <= 12500us', load)).toMatchObject({ status: 'pass', threshold: 12.5 });
    expect(run('avg < 12500µs', load).status).toBe('fail');
  });

  it('a bare number is taken in the canonical unit', () => {
    expect(run('p(95)<=31', load).status).toBe('pass');
    expect(run('p(95)<31', load).status).toBe('fail');
  });

  it('percent on a ratio: 0.1% is 0.001', () => {
    const v = run('error_rate < 0.1%', load);
    expect(v).toMatchObject({ status: 'fail', reason: 'error_rate 0.25% is not < 0.10%', observed: 0.0025 });
    expect(v.threshold).toBeCloseTo(0.001, 15);
    expect(run('error_rate < 1%', load).status).toBe('pass');
  });

  it('rates per second', () => {
    expect(run('rps >= 1000', load).status).toBe('pass');
    expect(run('rps >= 1000/s', load)).toMatchObject({ status: 'pass', reason: 'rps 1200/s >= 1000/s' });
    expect(run('rps > 1500/s', load).status).toBe('fail');
  });

  it('all operators compare correctly', () => {
    const v = { x: { candidate: 5 } };
    expect(['x < 5', 'x <= 5', 'x > 5', 'x >= 5', 'x == 5', 'x != 5'].map((e) => run(e, v).status)).toEqual([
      'fail',
      'pass',
      'fail',
      'pass',
      'pass',
      'fail',
    ]);
    // Computed values carry rounding noise; == tolerates it.
    expect(run('x == 0.3', { x: { candidate: 0.1 + 0.2 } }).status).toBe('pass');
  });

  it('a unit that does not fit the measurement fails with a clear reason', () => {
    expect(run('error_rate < 50ms', load)).toMatchObject({
      status: 'fail',
      reason: "error_rate < 50ms: unit 'ms' does not fit error_rate, which is measured in ratio",
    });
    expect(run('p(99) < 1%', load).reason).toBe(
      "p(99) < 1%: unit '%' does not fit p(99), which is measured in ms",
    );
    expect(run('rmse < 5ms', { rmse: { candidate: 3 } }).reason).toContain(
      'which is measured without a unit',
    );
  });

  it("a measurement's own unit decides the conversion", () => {
    expect(run('queue_wait < 1s', { queue_wait: { candidate: 800, unit: 'ms' } }).status).toBe('pass');
  });

  it('metric expressions work on evaluate values', () => {
    expect(run('roc_auc >= 0.8', { roc_auc: { candidate: 0.91 } }).status).toBe('pass');
    expect(run('accuracy >= 90%', { accuracy: { candidate: 0.89 } }).status).toBe('fail');
  });

  it('looks the name up through aliases', () => {
    const stored: Measurements = {
      latency_p99_ms: { candidate: 61 },
      p95: { candidate: 20 },
      latency_avg_ms: { candidate: 9 },
    };
    expect(run('p(99) < 50ms', stored)).toMatchObject({
      status: 'fail',
      metric: 'latency_p99_ms',
      reason: 'p(99) (latency_p99_ms) 61ms is not < 50ms',
    });
    expect(run('p(95) < 50ms', stored).status).toBe('pass');
    expect(run('avg < 10ms', stored).status).toBe('pass');
    expect(run('p99 < 70', { 'p(99)': { candidate: 61 } }).status).toBe('pass');
  });

  it('a missing, NaN or infinite value fails', () => {
    expect(run('p(99) < 50ms', {})).toMatchObject({ status: 'fail', reason: 'p(99): no value measured' });
    expect(run('p(99) < 50ms', { 'p(99)': { candidate: null } }).status).toBe('fail');
    expect(run('p(99) < 50ms', { 'p(99)': { candidate: Number.NaN } }).reason).toBe('p(99) is NaN');
    expect(run('rps > 0', { rps: { candidate: Infinity } }).reason).toBe('rps is Infinity');
  });

  it('a name that exists only on Object.prototype is not a measurement', () => {
    expect(run('constructor < 1', {}).reason).toBe('constructor: no value measured');
  });
});
