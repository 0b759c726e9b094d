import { describe, expect, it } from 'vitest';
import { computeMetrics, confusionMatrix, predictedClasses } from '../../packages/metrics/src/index.js';
import { mcnemarExact } from '../../packages/metrics/src/index.js';
import { FIXTURES, closeTo, loadFixture } from '../oracle/load.js';

describe.each(FIXTURES)('metrics equal scikit-learn 1.2.1 on %s', (name) => {
  const fx = loadFixture(name);

  it.each(['candidate', 'baseline'] as const)('every metric of the %s model', (which) => {
    const expected = fx.metrics[which];
    const names = Object.keys(expected);
    const actual = computeMetrics(names, fx.y, fx[which], { threshold: fx.threshold, source: `${name}.csv` });
    const mismatches = names.filter((m) => !closeTo(actual[m], expected[m] ?? null));
    expect(mismatches.map((m) => `${m}: ${actual[m]} vs sklearn ${expected[m]}`)).toEqual([]);
  });
});

const CLASSIFICATION = FIXTURES.filter((name) => loadFixture(name).task !== 'regression');

describe.each(CLASSIFICATION)('confusion matrices and McNemar on %s', (name) => {
  const fx = loadFixture(name);

  it('match sklearn and scipy', () => {
    for (const which of ['candidate', 'baseline'] as const) {
      expect(confusionMatrix(fx.y, fx[which], { threshold: fx.threshold }).matrix).toEqual(
        fx.confusion[which],
      );
    }
    const result = mcnemarExact(
      fx.y,
      predictedClasses(fx.candidate, fx.threshold),
      predictedClasses(fx.baseline, fx.threshold),
    );
    expect({ b: result.b, c: result.c }).toEqual({ b: fx.mcnemar?.b, c: fx.mcnemar?.c });
    expect(closeTo(result.pValue, fx.mcnemar?.pValue ?? null, 1e-12)).toBe(true);
  });
});
