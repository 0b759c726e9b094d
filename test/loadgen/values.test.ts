import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { evaluateGates } from '@mlops-actions/core';
import { abortCanDecide, loadValues, Recorder, VALUE_NAMES } from '@mlops-actions/loadgen';

function recorded(samples: number[]): Recorder {
  const r = new Recorder(samples.length, () => 100);
  samples.forEach((ms, i) => {
    const second = Math.floor(i / 100);
    r.begin(second);
    r.response(second, 200, ms, false);
  });
  return r;
}

describe('Recorder and loadValues', () => {
  it('reports numpy-linear percentiles of the exact samples (numpy as the oracle)', () => {
    // A skewed, reproducible sample: mostly ~2 ms with a long tail.
    let x = 12345;
    const samples = Array.from({ length: 1001 }, () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      const u = x / 2147483648;
      return u < 0.97 ? 1 + 2 * u : 50 + 500 * (u - 0.97);
    });
    const r = recorded(samples);
    const exact = r.exactLatency()!;
    const script =
      'import json,sys,numpy as np; a=np.array(json.load(sys.stdin)); ' +
      'print(json.dumps([float(np.percentile(a,q)) for q in (50,90,95,99,99.9)] + [float(a.max()), float(a.mean())]))';
    const oracle = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(samples) }).toString(),
    ) as number[];
    const ours = [exact.p50, exact.p90, exact.p95, exact.p99, exact.p999, exact.max, exact.avg];
    ours.forEach((v, i) => expect(v).toBeCloseTo(oracle[i]!, 9));
    // The HdrHistogram cross-check agrees to its 3 significant digits.
    const hdr = r.hdrLatency()!;
    expect(Math.abs(hdr.p99 / exact.p99 - 1)).toBeLessThan(0.002);
    const buckets = r.buckets(10);
    expect(buckets.map((b) => b.requests)).toEqual([100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 1]);
    r.dispose();
  });

  it('has exactly the contract names, units and nulls when nothing was answered', () => {
    const empty = loadValues({
      latency: null,
      requests: 0,
      responses: 0,
      errors: 0,
      dropped: 0,
      late: 0,
      measuredMs: 1000,
    });
    expect(Object.keys(empty)).toEqual([...VALUE_NAMES]);
    expect(empty['p(99)']).toEqual({ candidate: null, unit: 'ms', direction: 'lower-is-better' });
    expect(empty.error_rate?.candidate).toBeNull();
    expect(empty.rps?.candidate).toBeNull();
    expect(empty.dropped).toEqual({ candidate: 0, unit: 'count', direction: 'lower-is-better' });
    const verdicts = evaluateGates(
      ['p(99) < 50ms', 'avg < 20ms', 'error_rate < 0.1%', 'rps >= 1000', 'dropped == 0'].map(
        (expression) => ({
          kind: 'expression' as const,
          expression,
        }),
      ),
      { values: empty, baseDir: '.', stage: 'load-test' },
    );
    expect(verdicts.map((v) => v.status)).toEqual(['fail', 'fail', 'fail', 'fail', 'pass']);
    expect(verdicts[0]?.reason).toBe('p(99): no value measured in stage load-test');
  });

  it('reads k6 forms with units through the shared gate engine', () => {
    const r = recorded(Array.from({ length: 200 }, (_, i) => 10 + i / 100));
    const values = loadValues({
      latency: r.exactLatency(),
      requests: 200,
      responses: 200,
      errors: 1,
      dropped: 0,
      late: 0,
      measuredMs: 2000,
    });
    const check = (expression: string) =>
      evaluateGates([{ kind: 'expression', expression }], { values, baseDir: '.' })[0]!.status;
    expect(check('p(99) < 50ms')).toBe('pass');
    expect(check('p(99) < 0.01s')).toBe('fail');
    expect(check('p99 < 50ms')).toBe('pass');
    expect(check('avg < 20ms')).toBe('pass');
    expect(check('error_rate < 0.1%')).toBe('fail');
    expect(check('error_rate <= 0.5%')).toBe('pass');
    expect(check('rps >= 100')).toBe('pass');
    expect(check('rps >= 1000')).toBe('fail');
    expect(check('dropped == 0')).toBe('pass');
  });

  it('lets abort-on-fail stop only on gates that are already lost', () => {
    const values = loadValues({
      latency: { count: 1, min: 5, avg: 5, p50: 5, p90: 5, p95: 5, p99: 5, p999: 5, max: 5 },
      requests: 10,
      responses: 10,
      errors: 3,
      dropped: 2,
      late: 0,
      measuredMs: 1000,
    });
    expect(abortCanDecide('dropped == 0', values)).toBe(true);
    expect(abortCanDecide('errors < 2', values)).toBe(true);
    expect(abortCanDecide('requests >= 1000', values)).toBe(false);
    expect(abortCanDecide('max > 100ms', values)).toBe(false);
    expect(abortCanDecide('p(99) < 1ms', values)).toBe(true);
    expect(abortCanDecide('p99 < 1ms', values)).toBe(true);
    const empty = loadValues({
      latency: null,
      requests: 0,
      responses: 0,
      errors: 0,
      dropped: 0,
      late: 0,
      measuredMs: 1000,
    });
    expect(abortCanDecide('p(99) < 1ms', empty)).toBe(false);
  });
});
