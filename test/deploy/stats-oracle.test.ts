import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  hodgesLehmann,
  mannWhitneyU,
  normalPpf,
  normalSf,
  twoProportionTest,
} from '../../packages/deploy/src/stats/index.js';
import type { Sample } from '../../packages/deploy/src/stats/index.js';

const ORACLE = fileURLToPath(new URL('../oracle/canary_oracle.py', import.meta.url));

function oracle<T>(cases: unknown[]): T[] {
  const out = execFileSync('/usr/bin/python3', [ORACLE], {
    input: JSON.stringify(cases),
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out.toString()) as T[];
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function lognormal(n: number, median: number, sigma: number, seed: number, shift = 0): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
    return shift + median * Math.exp(sigma * z);
  });
}

const close = (a: number, b: number, rel = 1e-9) =>
  Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

describe('normal distribution against scipy.stats.norm', () => {
  it('sf and ppf', () => {
    const z = [-8, -3.2, -1, -0.3, 0, 0.01, 0.5, 1.96, 2.326, 2.9, 3.0, 3.1, 5, 9, 20];
    const p = [1e-12, 1e-6, 0.001, 0.01, 0.02425, 0.1, 0.5, 0.9, 0.975, 0.99, 0.999, 1 - 1e-9];
    const [r] = oracle<{ sf: number[]; ppf: number[] }>([{ kind: 'normal', z, p }]);
    z.forEach((v, i) => expect(close(normalSf(v), r!.sf[i]!, 1e-12), `sf(${v})`).toBe(true));
    p.forEach((v, i) => expect(close(normalPpf(v), r!.ppf[i]!, 1e-10), `ppf(${v})`).toBe(true));
  });
});

interface MwOracle {
  'two-sided': { u: number; p: number };
  greater: { u: number; p: number };
  less: { u: number; p: number };
  hl: { estimate: number; ci: [number | null, number | null]; k: number };
}

describe('Mann–Whitney U and Hodges–Lehmann against scipy/numpy', () => {
  const cases: { name: string; x: Sample; y: Sample; level?: number }[] = [
    { name: 'A/A lognormal', x: lognormal(300, 5, 0.4, 1), y: lognormal(800, 5, 0.4, 2) },
    { name: '+30 ms', x: lognormal(120, 5, 0.4, 3, 30), y: lognormal(900, 5, 0.4, 4) },
    { name: 'small shift', x: lognormal(400, 5, 0.4, 5, 0.3), y: lognormal(400, 5, 0.4, 6) },
    { name: 'faster canary', x: lognormal(200, 4, 0.3, 7), y: lognormal(300, 5, 0.3, 8) },
    {
      name: 'heavy ties (rounded ms)',
      x: lognormal(500, 5, 0.5, 9).map(Math.round),
      y: lognormal(700, 5, 0.5, 10).map(Math.round),
    },
    { name: 'tiny samples', x: [1, 2, 3], y: [2, 3, 4, 5] },
    { name: '95% level', x: lognormal(150, 5, 0.4, 11, 1), y: lognormal(150, 5, 0.4, 12), level: 0.95 },
    {
      name: 'histogram buckets with counts',
      x: { values: [0.5, 1, 2.5, 5, 10, 25, 50], counts: [10, 40, 80, 30, 8, 2, 1] },
      y: { values: [0.5, 1, 2.5, 5, 10, 25, 50], counts: [30, 120, 200, 60, 10, 3, 0] },
    },
    {
      name: 'histogram +30ms',
      x: { values: [25, 50, 100], counts: [5, 90, 10] },
      y: { values: [0.5, 1, 2.5, 5, 10, 25, 50], counts: [30, 120, 200, 60, 10, 3, 2] },
    },
  ];
  const results = oracle<MwOracle>(cases.map((c) => ({ kind: 'mann-whitney', ...c })));

  it.each(cases.map((c, i) => [c.name, c, results[i]!] as const))('%s', (_name, c, r) => {
    for (const alt of ['two-sided', 'greater', 'less'] as const) {
      const ours = mannWhitneyU(c.x, c.y, alt);
      expect(close(ours.u, r[alt].u), `${alt} U ${ours.u} vs ${r[alt].u}`).toBe(true);
      expect(close(ours.pValue, r[alt].p, 1e-9), `${alt} p ${ours.pValue} vs ${r[alt].p}`).toBe(true);
    }
    const hl = hodgesLehmann(c.x, c.y, c.level ?? 0.98);
    expect(hl.estimate).toBeCloseTo(r.hl.estimate, 10);
    expect(hl.k).toBe(r.hl.k);
    if (r.hl.ci[0] === null) expect(hl.ci).toEqual([-Infinity, Infinity]);
    else {
      expect(hl.ci[0]).toBeCloseTo(r.hl.ci[0], 10);
      expect(hl.ci[1]).toBeCloseTo(r.hl.ci[1]!, 10);
    }
  });

  it('raw samples and the same samples as counts give the same answer', () => {
    const x = lognormal(400, 5, 0.5, 13).map(Math.round);
    const y = lognormal(600, 5, 0.5, 14).map(Math.round);
    const counted = (v: number[]) => {
      const m = new Map<number, number>();
      for (const a of v) m.set(a, (m.get(a) ?? 0) + 1);
      return { values: [...m.keys()], counts: [...m.values()] };
    };
    expect(mannWhitneyU(counted(x), counted(y), 'greater')).toEqual(mannWhitneyU(x, y, 'greater'));
    expect(hodgesLehmann(counted(x), counted(y))).toEqual(hodgesLehmann(x, y));
  });

  it('large windows are judged without materialising n1·n2 differences', () => {
    const x = lognormal(20_000, 5, 0.4, 15, 2);
    const y = lognormal(20_000, 5, 0.4, 16);
    const hl = hodgesLehmann(x, y);
    expect(hl.estimate).toBeGreaterThan(1.5);
    expect(hl.estimate).toBeLessThan(2.5);
    expect(hl.ci[0]).toBeLessThan(hl.estimate);
    expect(hl.ci[1]).toBeGreaterThan(hl.estimate);
  });
});

describe('two-proportion test against scipy', () => {
  const cases = [
    { e1: 10, n1: 200, e2: 0, n2: 1800 },
    { e1: 0, n1: 200, e2: 0, n2: 1800 },
    { e1: 1, n1: 200, e2: 3, n2: 1800 },
    { e1: 50, n1: 1000, e2: 45, n2: 1000, level: 0.95 },
    { e1: 3, n1: 30, e2: 20, n2: 2000 },
  ];
  const results = oracle<{ z: number; pGreater: number; p: number; ci: [number, number] }>(
    cases.map((c) => ({ kind: 'two-proportion', ...c })),
  );
  it.each(cases.map((c, i) => [JSON.stringify(c), c, results[i]!] as const))('%s', (_n, c, r) => {
    const ours = twoProportionTest(c.e1, c.n1, c.e2, c.n2, c.level ?? 0.98);
    expect(close(ours.z, r.z)).toBe(true);
    expect(close(ours.pValueGreater, r.pGreater, 1e-9)).toBe(true);
    expect(close(ours.pValue, r.p, 1e-9)).toBe(true);
    expect(ours.ci[0]).toBeCloseTo(r.ci[0], 12);
    expect(ours.ci[1]).toBeCloseTo(r.ci[1], 12);
  });
});
