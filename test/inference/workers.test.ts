import { describe, expect, it } from 'vitest';
import { predict } from '@mlops-actions/inference';

const names = Array.from({ length: 13 }, (_, j) => `f${j}`);

function bigData(n: number) {
  const features = new Float32Array(n * 13);
  let seed = 7;
  for (let i = 0; i < features.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    features[i] = seed / 2 ** 30 - 1;
  }
  return { features, n, d: 13, featureNames: names };
}

const MODEL = new URL('../fixtures/models/multiclass_softmax.onnx', import.meta.url).pathname;
const TREES = new URL('../fixtures/models/tree_regressor.onnx', import.meta.url).pathname;

describe('predict: worker threads', () => {
  it('keeps the event loop responsive during a long prediction', async () => {
    const data = bigData(400_000);
    let ticks = 0;
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const t0 = performance.now();
    const result = await predict({
      modelPath: MODEL,
      data,
      task: 'multiclass-classification',
      batchSize: 2048,
      threads: 2,
    });
    const elapsed = performance.now() - t0;
    clearInterval(timer);
    expect(result.batchLatencyMs).toHaveLength(Math.ceil(400_000 / 2048));
    if (result.predictions.task !== 'multiclass-classification') throw new Error('wrong task');
    expect(result.predictions.proba).toHaveLength(400_000 * 3);
    // The timer fires throughout and nothing blocks the loop for long. Bounds are loose on purpose:
    // on a loaded 2-core CI box the timer itself is starved; a blocked loop would miss by seconds.
    expect(ticks).toBeGreaterThan(elapsed / 5 / 10);
    expect(maxGap).toBeLessThan(2000);
  });

  it('1 and 2 threads give identical predictions, in row order', async () => {
    const data = bigData(20_003);
    const one = await predict({
      modelPath: MODEL,
      data,
      task: 'multiclass-classification',
      batchSize: 1000,
      threads: 1,
    });
    const two = await predict({
      modelPath: MODEL,
      data,
      task: 'multiclass-classification',
      batchSize: 1000,
      threads: 2,
    });
    expect(two.predictions).toEqual(one.predictions);
    expect(one.batchLatencyMs).toHaveLength(21);
    const treesOne = await predict({
      modelPath: TREES,
      data,
      task: 'regression',
      batchSize: 777,
      threads: 1,
    });
    const treesTwo = await predict({
      modelPath: TREES,
      data,
      task: 'regression',
      batchSize: 777,
      threads: 2,
    });
    expect(treesTwo.predictions).toEqual(treesOne.predictions);
  });

  it('leaves the caller’s feature matrix intact (batches are copied, then transferred)', async () => {
    const data = bigData(5000);
    const before = data.features.slice();
    await predict({ modelPath: MODEL, data, task: 'multiclass-classification', batchSize: 999, threads: 2 });
    expect(data.features.byteLength).toBe(before.byteLength);
    expect(data.features).toEqual(before);
  });
});
