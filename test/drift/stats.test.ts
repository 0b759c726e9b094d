import { describe, expect, it } from 'vitest';
import {
  applyCorrection,
  binnedPercents,
  chi2Sf,
  chiSquare,
  countsOfSorted,
  jensenShannon,
  ks2sampSorted,
  kstwoSf,
  psi,
  wassersteinNorm,
  wassersteinSorted,
  zTest,
  type Counts,
  type Sample,
} from '@mlops-actions/drift';
import { close, num, oracle, rng } from './helpers.js';

const sorted = (xs: number[]): Float64Array => Float64Array.from(xs).sort();

function countsOf(xs: (number | string)[]): Counts {
  const c: Counts = new Map();
  for (const x of xs) c.set(x, (c.get(x) ?? 0) + 1);
  return c;
}

function sample(xs: number[]): Sample {
  return { kind: 'numeric', sorted: sorted(xs) };
}

function expectClose(mine: number[], theirs: unknown[], label: (i: number) => string): void {
  const bad: string[] = [];
  mine.forEach((m, i) => {
    const t = num(theirs[i]);
    if (!close(m, t)) bad.push(`${label(i)}: ours ${m}, scipy ${t}`);
  });
  expect(bad).toEqual([]);
}

describe('special functions equal scipy', () => {
  it('kstwo.sf over every branch of scipy._ksstats (n from 1 to 500000)', () => {
    const cases: { op: string; n: number; x: number }[] = [];
    for (const n of [
      1, 2, 5, 10, 50, 100, 139, 140, 141, 200, 999, 1000, 5000, 20000, 100000, 100001, 500000,
    ])
      for (const x of [
        1e-4, 1e-3, 0.003, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5, 0.6, 0.9, 0.99,
      ])
        cases.push({ op: 'kstwo_sf', n, x });
    const theirs = oracle(cases);
    expectClose(
      cases.map((c) => kstwoSf(c.n, c.x)),
      theirs,
      (i) => `kstwo.sf(${cases[i]!.x}, ${cases[i]!.n})`,
    );
  });

  it('chi2.sf', () => {
    const cases: { op: string; x: number; df: number }[] = [];
    for (const df of [1, 2, 3, 5, 10, 29, 100, 1000])
      for (const x of [0, 0.01, 0.5, 1, 2, 5, 10, 30, 100, 1000, 3000]) cases.push({ op: 'chi2_sf', x, df });
    expectClose(
      cases.map((c) => chi2Sf(c.x, c.df)),
      oracle(cases),
      (i) => `chi2.sf(${cases[i]!.x}, ${cases[i]!.df})`,
    );
  });
});

describe('two-sample KS equals scipy.stats.ks_2samp (method auto)', () => {
  it('exact and asymptotic p-values, equal and unequal sizes, ties', () => {
    const r = rng(7);
    const sizes: [number, number, number, boolean][] = [
      [10, 10, 0, false],
      [50, 30, 0.3, false],
      [178, 89, 0, false],
      [300, 300, 0.1, false],
      [1000, 999, 0.05, false],
      [40, 60, 0, true],
      [5000, 7000, 0.02, false],
      [9000, 10000, 0, false],
      [12000, 900, 0.1, false],
      [20000, 30000, 0.01, false],
      [150, 20000, 0.2, false],
      [600, 25000, 0.03, true],
    ];
    const cases = sizes.map(([n1, n2, shift, ties]) => {
      const gen = (): number => (ties ? Math.round(r() * 8) : r());
      return {
        op: 'ks',
        a: Array.from({ length: n1 }, gen),
        b: Array.from({ length: n2 }, () => gen() + shift),
      };
    });
    const theirs = oracle(cases) as [number, number][];
    const bad: string[] = [];
    cases.forEach((c, i) => {
      const res = ks2sampSorted(sorted(c.a), sorted(c.b));
      const [d, p] = theirs[i]!;
      if (!close(res.statistic, d) || !close(res.pValue, p))
        bad.push(`${c.a.length}x${c.b.length}: ours ${res.statistic} ${res.pValue}, scipy ${d} ${p}`);
    });
    expect(bad).toEqual([]);
    expect(ks2sampSorted(sorted([1, 2, 3]), sorted([1, 2, 3])).pValue).toBe(1);
    expect(ks2sampSorted(sorted(cases[8]!.a), sorted(cases[8]!.b)).method).toBe('asymp');
  });
});

describe('Evidently statistics equal the oracle', () => {
  const r = rng(11);
  const normal = (mu: number, sd: number): number =>
    mu + sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const numericPairs: [number[], number[]][] = [
    [Array.from({ length: 500 }, () => normal(0, 1)), Array.from({ length: 400 }, () => normal(0.2, 1.1))],
    [Array.from({ length: 3000 }, () => normal(10, 3)), Array.from({ length: 2500 }, () => normal(10, 3))],
    [
      Array.from({ length: 200 }, () => Math.round(normal(3, 2))),
      Array.from({ length: 300 }, () => Math.round(normal(4, 2))),
    ],
    [
      Array.from({ length: 100 }, () => Math.floor(r() * 4)),
      Array.from({ length: 120 }, () => Math.floor(r() * 5)),
    ],
    [Array.from({ length: 80 }, () => 5), Array.from({ length: 70 }, () => normal(5, 0.001))],
  ];

  it('Wasserstein (raw and normed by the reference std)', () => {
    const cases = numericPairs.flatMap(([a, b]) => [
      { op: 'wasserstein', a, b },
      { op: 'wnorm', a, b },
    ]);
    const mine = numericPairs.flatMap(([a, b]) => [
      wassersteinSorted(sorted(a), sorted(b)),
      wassersteinNorm(sorted(a), sorted(b)),
    ]);
    expectClose(mine, oracle(cases), (i) => cases[i]!.op);
  });

  it('Jensen–Shannon and PSI on Sturges bins and on value shares', () => {
    const cases = numericPairs.flatMap(([a, b]) => [
      { op: 'js', a, b, numeric: true },
      { op: 'psi', a, b, numeric: true },
    ]);
    const mine = numericPairs.flatMap(([a, b]) => {
      const js = binnedPercents(sample(a), sample(b), false);
      const ps = binnedPercents(sample(a), sample(b), true);
      return [jensenShannon(js.ref, js.cur), psi(ps.ref, ps.cur)];
    });
    expectClose(mine, oracle(cases), (i) => `${cases[i]!.op} pair ${Math.floor(i / 2)}`);
  });

  it('chi-square with expected counts from reference shares, z-test, categorical JS/PSI', () => {
    const cats = ['a', 'b', 'c', 'd'];
    const a = Array.from({ length: 300 }, () => cats[Math.floor(r() * 4)]!);
    const b = Array.from({ length: 250 }, () => cats[Math.floor(r() * 3.6)]!);
    const bNew = [...b.slice(0, 240), ...Array.from({ length: 10 }, () => 'e')];
    const binA = Array.from({ length: 200 }, () => (r() < 0.3 ? 'yes' : 'no'));
    const binB = Array.from({ length: 150 }, () => (r() < 0.4 ? 'yes' : 'no'));
    const cases = [
      { op: 'chisquare', a, b },
      { op: 'chisquare', a, b: bNew },
      { op: 'z', a: binA, b: binB },
      { op: 'js', a, b: bNew, numeric: false },
      { op: 'psi', a, b: bNew, numeric: false },
      { op: 'chisquare', a: numericPairs[3]![0], b: numericPairs[3]![1] },
    ];
    const cat = (xs: string[]): Sample => ({ kind: 'categorical', counts: countsOf(xs) });
    const js = binnedPercents(cat(a), cat(bNew), false);
    const ps = binnedPercents(cat(a), cat(bNew), true);
    const mine = [
      chiSquare(countsOf(a), countsOf(b)).pValue,
      chiSquare(countsOf(a), countsOf(bNew)).pValue,
      zTest(countsOf(binA), countsOf(binB)).pValue,
      jensenShannon(js.ref, js.cur),
      psi(ps.ref, ps.cur),
      chiSquare(countsOfSorted(sorted(numericPairs[3]![0])), countsOfSorted(sorted(numericPairs[3]![1])))
        .pValue,
    ];
    expectClose(mine, oracle(cases), (i) => cases[i]!.op);
    // A category the reference never had: infinite statistic, p-value 0.
    expect(chiSquare(countsOf(a), countsOf(bNew)).pValue).toBe(0);
  });
});

describe('multiple-testing correction', () => {
  // Benjamini & Hochberg's worked shape: eight p-values at alpha 0.05.
  const p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205];
  const tests = p.map((pValue) => ({ pValue, alpha: 0.05 }));

  it('Bonferroni compares each p-value with alpha/m', () => {
    const out = applyCorrection(tests, 'bonferroni');
    expect(out.map((o) => o.drifted)).toEqual([true, false, false, false, false, false, false, false]);
    expect(out[0]!.adjusted).toBe(0.05 / 8);
  });

  it('FDR (Benjamini–Hochberg) rejects up to the largest rank under k/m·alpha, in any input order', () => {
    const out = applyCorrection(tests, 'fdr');
    expect(out.map((o) => o.drifted)).toEqual([true, true, false, false, false, false, false, false]);
    const shuffled = [5, 1, 7, 0, 3, 2, 6, 4];
    const out2 = applyCorrection(
      shuffled.map((i) => tests[i]!),
      'fdr',
    );
    expect(out2.map((o) => o.drifted)).toEqual(shuffled.map((i) => i < 2));
    // A step-up: a p-value above its own rank's level is still rejected when a later rank passes.
    const step = applyCorrection(
      [0.02, 0.024, 0.9].map((pValue) => ({ pValue, alpha: 0.05 })),
      'fdr',
    );
    expect(step.map((o) => o.drifted)).toEqual([true, true, false]);
    expect(applyCorrection(tests, 'none').filter((o) => o.drifted).length).toBe(5);
  });
});
