import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from '../../packages/metrics/src/index.js';
import { FIXTURES, closeTo, loadFixture } from '../oracle/load.js';

// make_oracle.py resamples rows with np.repeat under the same hashed Poisson(1) weights and scores
// each replicate with scikit-learn, so these intervals check the weighted kernels end to end.
describe.each(FIXTURES)('paired bootstrap equals resampled scikit-learn on %s', (name) => {
  const fx = loadFixture(name);

  it('every metric delta interval', async () => {
    const { replicates, level, seed, deltas } = fx.bootstrap;
    const names = Object.keys(deltas);
    const result = await pairedBootstrap({
      names,
      y: fx.y,
      candidate: fx.candidate,
      baseline: fx.baseline,
      replicates,
      level,
      seed,
      rowKeys: fx.keys,
      threshold: fx.threshold,
      threads: 1,
    });
    const bad = names.filter((m) => {
      const r = result[m];
      const e = deltas[m];
      return !r || !e || r.valid !== e.valid || !closeTo(r.ci[0], e.ci[0]) || !closeTo(r.ci[1], e.ci[1]);
    });
    expect(bad.map((m) => `${m}: ${JSON.stringify(result[m])} vs ${JSON.stringify(deltas[m])}`)).toEqual([]);
  });
});
