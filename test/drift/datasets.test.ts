import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '@mlops-actions/core';
import { computeDrift, datasetFromColumns, readDataset, type DriftReport } from '@mlops-actions/drift';
import { close, num, oracle, readCsv, rng, shuffle, tempDir, writeCsv, type Csv } from './helpers.js';

const LABELS: Record<string, string> = {
  'breast_cancer.csv': 'malignant',
  'wine.csv': 'cultivar',
  'diabetes.csv': 'progression',
};

function split(csv: Csv, seed: number): [string[][], string[][]] {
  const rows = shuffle(csv.rows, rng(seed));
  const half = Math.floor(rows.length / 2);
  return [rows.slice(0, half), rows.slice(half)];
}

function colIndex(csv: Csv, name: string): number {
  const i = csv.header.indexOf(name);
  if (i < 0) throw new Error(`no column ${name}`);
  return i;
}

function driftOfFiles(
  dir: string,
  header: string[],
  ref: string[][],
  cur: string[][],
  opts = {},
): DriftReport {
  const r = writeCsv(join(dir, 'ref.csv'), header, ref);
  const c = writeCsv(join(dir, 'cur.csv'), header, cur);
  const label = header[header.length - 1]!;
  return computeDrift(readDataset(r, { exclude: [label] }), readDataset(c, { exclude: [label] }), opts);
}

describe('drift on the real datasets', () => {
  for (const name of Object.keys(LABELS)) {
    it(`${name}: two random halves show no drift, and every statistic equals the oracle`, () => {
      const csv = readCsv(name);
      const dir = tempDir();
      const [a, b] = split(csv, 1);
      const report = driftOfFiles(dir, csv.header, a, b, { allStatistics: true });
      expect(report.drifted).toBe(false);
      expect(report.driftedFeatures).toBe(0);
      expect(report.features.length).toBe(csv.header.length - 1);
      // Under 1000 reference rows: KS for many-valued numeric features, z for binary ones.
      for (const f of report.features)
        expect(f.method).toBe(f.reference.unique > 5 ? 'ks' : f.reference.unique > 2 ? 'chisquare' : 'z');

      const columns = report.features.map((f) => f.name);
      const [theirs] = oracle([
        { op: 'files', reference: join(dir, 'ref.csv'), current: join(dir, 'cur.csv'), columns },
      ]) as Record<string, Record<string, unknown>>[];
      const bad: string[] = [];
      const check = (what: string, mine: number | undefined, t: unknown): void => {
        if (mine === undefined || !close(mine, num(t)))
          bad.push(`${what}: ours ${mine}, oracle ${String(t)}`);
      };
      for (const f of report.features) {
        const o = theirs![f.name]!;
        const ks = o['ks'] as [number, number];
        check(`${f.name} ks D`, f.all!.ks!.statistic, ks[0]);
        check(`${f.name} ks p`, f.all!.ks!.pValue, ks[1]);
        check(`${f.name} wasserstein`, f.all!.wasserstein, o['wasserstein']);
        check(`${f.name} wasserstein normed`, f.all!.wassersteinNorm, o['wnorm']);
        check(`${f.name} jensenshannon`, f.all!.jensenshannon, o['js']);
        check(`${f.name} psi`, f.all!.psi, o['psi']);
        check(`${f.name} chisquare`, f.all!.chisquare, o['chisquare']);
        if (f.method === 'ks') check(`${f.name} chosen p`, f.pValue!, ks[1]);
      }
      expect(bad).toEqual([]);
    });
  }

  it('a shifted and a rescaled feature are flagged; the others are not', () => {
    const csv = readCsv('breast_cancer.csv');
    const [a, b] = split(csv, 2);
    const shiftAt = colIndex(csv, 'mean_radius');
    const scaleAt = colIndex(csv, 'mean_texture');
    const sd = 3.524; // std of mean_radius in the full data
    const cur = b.map((r) => {
      const row = [...r];
      row[shiftAt] = String(Number(row[shiftAt]) + 0.5 * sd);
      row[scaleAt] = String(Number(row[scaleAt]) * 1.5);
      return row;
    });
    const report = driftOfFiles(tempDir(), csv.header, a, cur);
    const flagged = report.features.filter((f) => f.drifted).map((f) => f.name);
    expect(flagged.sort()).toEqual(['mean_radius', 'mean_texture']);
    expect(report.drifted).toBe(false); // 2 of 30 is below the default share of 0.5
    const radius = report.features.find((f) => f.name === 'mean_radius')!;
    expect(radius.method).toBe('ks');
    expect(radius.pValue!).toBeLessThan(radius.adjustedThreshold!);
    expect(radius.adjustedThreshold).toBeCloseTo(0.05 / 30, 12);
    expect(report.reasons.some((r) => r.startsWith('mean_radius: Kolmogorov'))).toBe(true);
    // Dataset drift with a lower share.
    const strict = driftOfFiles(tempDir(), csv.header, a, cur, { share: 0.05 });
    expect(strict.drifted).toBe(true);
  });

  it('over 1000 reference rows: normed Wasserstein and Jensen–Shannon, and a shift is flagged', () => {
    const csv = readCsv('breast_cancer.csv');
    const r = rng(3);
    const boot = (n: number): string[][] =>
      Array.from({ length: n }, () => csv.rows[Math.floor(r() * csv.rows.length)]!);
    const ref = boot(2000);
    const at = colIndex(csv, 'worst_area');
    const cur = boot(1500).map((row) => {
      const x = [...row];
      x[at] = String(Number(x[at]) * 1.3);
      return x;
    });
    const report = driftOfFiles(tempDir(), csv.header, ref, cur, { allStatistics: true });
    const area = report.features.find((f) => f.name === 'worst_area')!;
    expect(area.method).toBe('wasserstein');
    expect(area.drifted).toBe(true);
    expect(area.score).toBeGreaterThanOrEqual(0.1);
    expect(area.score).toBe(area.all!.wassersteinNorm);
    expect(report.features.filter((f) => f.drifted).map((f) => f.name)).toEqual(['worst_area']);
  });

  it('a categorical feature with a new category is flagged (chi-square, JS and PSI)', () => {
    const csv = readCsv('breast_cancer.csv');
    const [a, b] = split(csv, 4);
    const at = colIndex(csv, 'mean_radius');
    const band = (x: number): string => (x < 12 ? 'small' : x < 16 ? 'medium' : 'large');
    const header = ['size_band', 'mean_texture'];
    const tIdx = colIndex(csv, 'mean_texture');
    const ref = a.map((row) => [band(Number(row[at])), row[tIdx]!]);
    const cur = b.map((row, i) => [i % 10 === 0 ? 'giant' : band(Number(row[at])), row[tIdx]!]);
    const dir = tempDir();
    const rp = writeCsv(join(dir, 'ref.csv'), header, ref);
    const cp = writeCsv(join(dir, 'cur.csv'), header, cur);
    for (const method of ['auto', 'jensenshannon', 'psi'] as const) {
      const report = computeDrift(readDataset(rp), readDataset(cp), { methods: { size_band: method } });
      const f = report.features.find((x) => x.name === 'size_band')!;
      expect(f.kind).toBe('categorical');
      expect(f.method).toBe(method === 'auto' ? 'chisquare' : method);
      expect(f.drifted).toBe(true);
      expect(f.newCategories).toEqual(['giant']);
      expect(f.outOfRangeRate).toBeCloseTo(cur.filter((r) => r[0] === 'giant').length / cur.length, 12);
      expect(report.features.find((x) => x.name === 'mean_texture')!.drifted).toBe(false);
    }
    // The same shares: no drift. (Evidently's chi-square takes the reference shares as exact, so two
    // independent samples of one population fail it more often than its level; see the report.)
    const same = writeCsv(join(dir, 'same.csv'), header, [...ref].reverse());
    const ok = computeDrift(readDataset(rp), readDataset(same));
    expect(ok.features.find((x) => x.name === 'size_band')!.drifted).toBe(false);
  });

  it('A/A: 200 random splits raise dataset drift in at most 5% of runs (Bonferroni and FDR)', () => {
    const csv = readCsv('breast_cancer.csv');
    const features = csv.header.slice(0, -1);
    const r = rng(2026);
    let datasetAlarms = { bonferroni: 0, fdr: 0 };
    let featureAlarms = { bonferroni: 0, fdr: 0 };
    const runs = 200;
    for (let k = 0; k < runs; k++) {
      const rows = shuffle(csv.rows, r);
      const half = Math.floor(rows.length / 2);
      const cols = (part: string[][]): Record<string, number[]> =>
        Object.fromEntries(features.map((f, j) => [f, part.map((row) => Number(row[j]))]));
      const ref = datasetFromColumns('ref', cols(rows.slice(0, half)));
      const cur = datasetFromColumns('cur', cols(rows.slice(half)));
      for (const correction of ['bonferroni', 'fdr'] as const) {
        const rep = computeDrift(ref, cur, { correction });
        if (rep.drifted) datasetAlarms[correction]++;
        if (rep.driftedFeatures > 0) featureAlarms[correction]++;
      }
    }
    expect(datasetAlarms.bonferroni).toBeLessThanOrEqual(runs * 0.05);
    expect(datasetAlarms.fdr).toBeLessThanOrEqual(runs * 0.05);
    // Family-wise: even "any feature drifted" stays near the 5% level with the correction.
    expect(featureAlarms.bonferroni).toBeLessThanOrEqual(runs * 0.1);
    datasetAlarms = { ...datasetAlarms };
    featureAlarms = { ...featureAlarms };
  });

  it('without a correction, 30 features raise a per-feature false alarm far more often', () => {
    const csv = readCsv('breast_cancer.csv');
    const features = csv.header.slice(0, -1);
    const r = rng(99);
    let any = 0;
    for (let k = 0; k < 40; k++) {
      const rows = shuffle(csv.rows, r);
      const half = Math.floor(rows.length / 2);
      const cols = (part: string[][]): Record<string, number[]> =>
        Object.fromEntries(features.map((f, j) => [f, part.map((row) => Number(row[j]))]));
      const rep = computeDrift(
        datasetFromColumns('ref', cols(rows.slice(0, half))),
        datasetFromColumns('cur', cols(rows.slice(half))),
        {
          correction: 'none',
        },
      );
      if (rep.driftedFeatures > 0) any++;
    }
    expect(any).toBeGreaterThan(2);
  });
});

describe('bad current data is an error, never "no drift"', () => {
  const csv = readCsv('wine.csv');
  const dir = tempDir();
  const ref = writeCsv(join(dir, 'ref.csv'), csv.header, csv.rows.slice(0, 100));
  const refData = (): ReturnType<typeof readDataset> => readDataset(ref, { exclude: ['cultivar'] });

  it('empty: header only, or a zero-byte file', () => {
    const header = writeCsv(join(dir, 'header.csv'), csv.header, []);
    expect(() => computeDrift(refData(), readDataset(header))).toThrow(/current data has no rows/);
    const zero = join(dir, 'zero.csv');
    writeCsv(zero, [], []);
    expect(() => readDataset(join(dir, 'nothing.csv'))).toThrow(InputError);
  });

  it('mismatched columns name what is missing', () => {
    const cols = csv.header.filter((h) => h !== 'alcohol' && h !== 'hue');
    const idx = cols.map((c) => csv.header.indexOf(c));
    const p = writeCsv(
      join(dir, 'mismatch.csv'),
      cols,
      csv.rows.slice(100).map((r) => idx.map((i) => r[i]!)),
    );
    expect(() => computeDrift(refData(), readDataset(p))).toThrow(/lacks features 'alcohol', 'hue'/);
  });

  it('label-only current data', () => {
    const p = writeCsv(
      join(dir, 'labels.csv'),
      ['cultivar'],
      csv.rows.slice(100).map((r) => [r[r.length - 1]!]),
    );
    const err = (() => {
      try {
        computeDrift(refData(), readDataset(p));
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err!.message).toMatch(/has none of the 13 reference features \(it has 'cultivar'\)/);
  });

  it('a feature missing in every current row counts as drifted', () => {
    const at = csv.header.indexOf('magnesium');
    const rows = csv.rows.slice(100).map((r) => r.map((v, i) => (i === at ? '' : v)));
    const p = writeCsv(join(dir, 'missing.csv'), csv.header, rows);
    const rep = computeDrift(refData(), readDataset(p, { exclude: ['cultivar'] }));
    const f = rep.features.find((x) => x.name === 'magnesium')!;
    expect(f.drifted).toBe(true);
    expect(f.current.missingRate).toBe(1);
    expect(f.reason).toMatch(/every current value is missing/);
  });

  it('unknown method and wrong method for a categorical feature', () => {
    expect(() => computeDrift(refData(), refData(), { method: 'kl' as never })).toThrow(
      /unknown drift method 'kl'/,
    );
    const p = writeCsv(join(dir, 'cat.csv'), ['c'], [['a'], ['b']]);
    expect(() => computeDrift(readDataset(p), readDataset(p), { method: 'ks' })).toThrow(
      /needs a numeric feature/,
    );
  });
});
