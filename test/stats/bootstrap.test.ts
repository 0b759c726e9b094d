import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../packages/core/src/errors.js';
import { kernel } from '../../packages/metrics/src/kernel.js';
import type { Predictions } from '../../packages/core/src/index.js';
import { computeMetrics } from '../../packages/metrics/src/index.js';
import { pairedBootstrap } from '../../packages/metrics/src/index.js';
import { rowKeyHashes } from '../../packages/metrics/src/stats/row-keys.js';

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function binaryData(n: number, seed = 1) {
  const r = rng(seed);
  const y = new Int32Array(n);
  const cand = new Float64Array(n);
  const base = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = r() < 0.4 ? 1 : 0;
    cand[i] = Math.round((0.35 * (y[i] as number) + 0.65 * r()) * 100) / 100; // ties on a grid
    base[i] = 0.2 * (y[i] as number) + 0.8 * r();
  }
  const candidate: Predictions = { task: 'binary-classification', scores: cand };
  const baseline: Predictions = { task: 'binary-classification', scores: base };
  return { y, candidate, baseline };
}

const BINARY = [
  'accuracy',
  'balanced_accuracy',
  'precision',
  'recall',
  'f1',
  'roc_auc',
  'pr_auc',
  'log_loss',
  'brier',
  'mcc',
];

describe('pairedBootstrap', () => {
  it('gives identical intervals with 1, 2 and 3 threads', async () => {
    const { y, candidate, baseline } = binaryData(20_000);
    const run = (threads: number) =>
      pairedBootstrap({ names: BINARY, y, candidate, baseline, replicates: 120, threads });
    const one = await run(1);
    expect(await run(2)).toStrictEqual(one);
    expect(await run(3)).toStrictEqual(one);
  });

  it('is deterministic across threads for multiclass and regression too', async () => {
    const r = rng(5);
    const n = 3000;
    const k = 3;
    const y = Int32Array.from({ length: n }, () => Math.floor(r() * k));
    const proba = (bias: number) =>
      Float64Array.from({ length: n * k }, (_, j) => (Math.floor(j / k) % k === j % k ? bias : 0) + r());
    const mc = {
      names: ['accuracy', 'f1_macro', 'f1_weighted', 'log_loss', 'recall_class_2', 'mcc'],
      y,
      candidate: { task: 'multiclass-classification', proba: proba(0.5), k } as Predictions,
      baseline: { task: 'multiclass-classification', proba: proba(0.1), k } as Predictions,
      replicates: 60,
    };
    expect(await pairedBootstrap({ ...mc, threads: 2 })).toStrictEqual(
      await pairedBootstrap({ ...mc, threads: 1 }),
    );
    const yr = Float64Array.from({ length: n }, () => r() * 10);
    const reg = {
      names: ['rmse', 'mae', 'r2', 'mape', 'median_absolute_error'],
      y: yr,
      candidate: { task: 'regression', values: yr.map((v) => v + r() - 0.5) } as Predictions,
      baseline: { task: 'regression', values: yr.map((v) => v + 2 * r() - 1) } as Predictions,
      replicates: 60,
    };
    expect(await pairedBootstrap({ ...reg, threads: 2 })).toStrictEqual(
      await pairedBootstrap({ ...reg, threads: 1 }),
    );
  });

  it('reports the full-data delta as the estimate and brackets it', async () => {
    const { y, candidate, baseline } = binaryData(5000);
    const result = await pairedBootstrap({ names: BINARY, y, candidate, baseline, replicates: 200 });
    const c = computeMetrics(BINARY, y, candidate);
    const b = computeMetrics(BINARY, y, baseline);
    for (const name of BINARY) {
      const r = result[name]!;
      expect(r.estimate).toBe(c[name]! - b[name]!);
      expect(r.valid).toBe(200);
      expect(r.ci[0]).toBeLessThanOrEqual(r.ci[1]);
      expect(r.ci[0]).toBeLessThan(r.estimate + 1e-12);
      expect(r.ci[1]).toBeGreaterThan(r.estimate - 1e-12);
    }
  });

  it("without a baseline gives the candidate's own intervals", async () => {
    const { y, candidate } = binaryData(4000);
    const result = await pairedBootstrap({ names: ['roc_auc', 'accuracy'], y, candidate, replicates: 100 });
    const point = computeMetrics(['roc_auc', 'accuracy'], y, candidate);
    expect(result.roc_auc!.estimate).toBe(point.roc_auc);
    expect(result.roc_auc!.ci[0]).toBeGreaterThan(0.5);
    expect(result.roc_auc!.ci[1]).toBeLessThan(1);
  });

  it('depends on the seed, and only on it', async () => {
    const { y, candidate, baseline } = binaryData(2000);
    const run = (seed: number) =>
      pairedBootstrap({ names: ['f1'], y, candidate, baseline, replicates: 50, seed });
    expect(await run(3)).toStrictEqual(await run(3));
    expect((await run(3)).f1!.ci).not.toEqual((await run(4)).f1!.ci);
  });

  it('draws Poisson(1) weights: mean and variance near 1, P(0) near 1/e', () => {
    const keys = rowKeyHashes(200_000, 9);
    let sum = 0;
    let sq = 0;
    let zeros = 0;
    const rh = kernel.replicateHash(17, kernel.seedHash(9));
    for (const kh of keys) {
      const w = kernel.weightOf(kh, rh);
      sum += w;
      sq += w * w;
      if (w === 0) zeros++;
    }
    const mean = sum / keys.length;
    expect(mean).toBeCloseTo(1, 2);
    expect(sq / keys.length - mean * mean).toBeCloseTo(1, 1);
    expect(zeros / keys.length).toBeCloseTo(Math.exp(-1), 2);
  });

  it('weights a row by its key, not its position: a shard sees the weights of the full run', () => {
    const full = rowKeyHashes(1000, 4);
    const shardKeys = Uint32Array.from([999, 3, 500, 42]);
    const shard = rowKeyHashes(4, 4, shardKeys);
    shardKeys.forEach((key, i) => expect(shard[i]).toBe(full[key]));
    // Integer keys hash alike whatever the array type.
    expect(rowKeyHashes(4, 4, Float64Array.from(shardKeys))).toStrictEqual(shard);
  });

  it('rejects bad options and inputs with clear errors', async () => {
    const { y, candidate, baseline } = binaryData(50);
    const base = { names: ['accuracy'], y, candidate, baseline };
    await expect(pairedBootstrap({ ...base, replicates: 0 })).rejects.toThrow(UsageError);
    await expect(pairedBootstrap({ ...base, level: 1.5 })).rejects.toThrow(/level must be in \(0, 1\)/);
    await expect(pairedBootstrap({ ...base, seed: -1 })).rejects.toThrow(/seed must be an integer/);
    await expect(pairedBootstrap({ ...base, names: ['rmse'] })).rejects.toThrow(InputError);
    await expect(
      pairedBootstrap({ ...base, baseline: { task: 'regression', values: new Float64Array(50) } }),
    ).rejects.toThrow(/baseline predictions are regression but the candidate's are binary-classification/);
    await expect(
      pairedBootstrap({ ...base, rowKeys: new Uint32Array(49), source: 'eval.csv' }),
    ).rejects.toThrow(/eval.csv: row keys have 49 entries but there are 50 rows/);
    await expect(pairedBootstrap({ ...base, rowKeys: new Uint32Array(50) })).rejects.toThrow(
      /row key 0 appears more than once/,
    );
    const nanKeys = Float64Array.from({ length: 50 }, (_, i) => (i === 7 ? NaN : i));
    await expect(pairedBootstrap({ ...base, rowKeys: nanKeys })).rejects.toThrow(/row key at row 7/);
    const bad = Float64Array.from(baseline.task === 'binary-classification' ? baseline.scores : []);
    bad[3] = NaN;
    await expect(
      pairedBootstrap({ ...base, baseline: { task: 'binary-classification', scores: bad }, source: 'b.csv' }),
    ).rejects.toThrow(
      /b.csv: baseline predictions: 1 row\(s\) have NaN or infinite scores \(first at row 3\)/,
    );
  });

  it('drops replicates where a metric is undefined and counts the valid ones', async () => {
    // Three positives in 40 rows: some replicates draw none, and ROC AUC is undefined there.
    const y = Int32Array.from({ length: 40 }, (_, i) => (i < 3 ? 1 : 0));
    const scores = Float64Array.from({ length: 40 }, (_, i) => (i < 3 ? 0.9 : i / 80));
    const result = await pairedBootstrap({
      names: ['roc_auc'],
      y,
      candidate: { task: 'binary-classification', scores },
      replicates: 300,
    });
    expect(result.roc_auc!.valid).toBeLessThan(300);
    expect(result.roc_auc!.valid).toBeGreaterThan(250);
    expect(result.roc_auc!.ci).toEqual([1, 1]);
  });
});
