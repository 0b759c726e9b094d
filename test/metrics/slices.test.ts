import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../packages/core/src/errors.js';
import { sliceRows, worstSlices } from '../../packages/metrics/src/index.js';

describe('sliceRows', () => {
  it('groups categorical values, sorted, and skips groups below the minimum size', () => {
    const region = ['EU', 'US', 'EU', 'APAC', 'US', 'EU', ''];
    const s = sliceRows(region, { column: 'region', minSize: 2 });
    expect(s.groups.map((g) => [g.key, Array.from(g.rows)])).toEqual([
      ['region=EU', [0, 2, 5]],
      ['region=US', [1, 4]],
    ]);
    expect(s.skipped).toEqual([
      { key: 'region=(missing)', label: '(missing)', size: 1 },
      { key: 'region=APAC', label: 'APAC', size: 1 },
    ]);
  });

  it('bins numbers into [a, b) with open ends and a missing group', () => {
    const age = Float64Array.from([5, 30, 29.9, 60, 61, -1, NaN, 0]);
    const s = sliceRows(age, { column: 'age', minSize: 1, bins: [0, 30, 60] });
    expect(s.groups.map((g) => [g.label, Array.from(g.rows)])).toEqual([
      ['< 0', [5]],
      ['[0, 30)', [0, 2, 7]],
      ['[30, 60)', [1]],
      ['>= 60', [3, 4]],
      ['(missing)', [6]],
    ]);
    expect(s.groups[1]?.key).toBe('age=[0, 30)');
  });

  it('treats numbers without bins as categories', () => {
    const s = sliceRows(Float64Array.from([1, 2, 1]), { column: 'tier', minSize: 1 });
    expect(s.groups.map((g) => g.key)).toEqual(['tier=1', 'tier=2']);
  });

  it('rejects bad specs', () => {
    expect(() => sliceRows(['a'], { column: 'c', minSize: 0 })).toThrow(UsageError);
    expect(() => sliceRows(['a'], { column: 'c', minSize: 1, bins: [0, 1] })).toThrow(InputError);
    expect(() => sliceRows(Float64Array.from([1]), { column: 'c', minSize: 1, bins: [3, 1] })).toThrow(
      /bins must be at least two finite, strictly increasing edges, got \[3, 1\]/,
    );
  });
});

describe('worstSlices', () => {
  const slices = [
    { key: 'r=A', size: 10, metrics: { roc_auc: 0.9, log_loss: 0.2 } },
    { key: 'r=B', size: 10, metrics: { roc_auc: 0.7, log_loss: 0.5 } },
    { key: 'r=C', size: 10, metrics: { roc_auc: NaN, log_loss: 0.9 } },
    { key: 'r=D', size: 10, metrics: { roc_auc: 0.8, log_loss: 0.1 } },
  ];

  it('ranks lowest first when higher is better, highest first when lower is better', () => {
    expect(worstSlices(slices, 'roc_auc', 2).map((s) => s.key)).toEqual(['r=B', 'r=D']);
    expect(worstSlices(slices, 'log_loss', 2).map((s) => s.key)).toEqual(['r=C', 'r=B']);
  });

  it('leaves out slices where the metric is undefined and refuses direction-less metrics', () => {
    expect(worstSlices(slices, 'roc_auc', 10)).toHaveLength(3);
    expect(() => worstSlices(slices, 'rows', 1)).toThrow(/no better direction/);
  });
});
