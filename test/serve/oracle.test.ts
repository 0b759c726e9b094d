import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@mlops-actions/serve';
import { expectClose, expected, model } from '../inference/helpers.js';
import { post } from './helpers.js';

/** /predict against NumPy's reference outputs (test/fixtures/models/make_models.py), many requests at once. */
const servers: Record<string, RunningServer> = {};
const NAMES = [
  'linear_binary',
  'multiclass_softmax',
  'tree_regressor',
  'linear_regressor',
  'per_feature_inputs',
];

beforeAll(async () => {
  await Promise.all(
    NAMES.map(async (n) => {
      servers[n] = await startServer({ model: model(n), name: n, threads: 2, maxBatchSize: 16 });
    }),
  );
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

async function predictEach(name: string, rows: unknown[]) {
  const s = servers[name]!;
  const answers = await Promise.all(
    rows.map((r) => post(`${s.url}/v2/models/${name}/predict`, { rows: [r] })),
  );
  for (const a of answers) expect(a.status, JSON.stringify(a.json)).toBe(200);
  return answers.map((a) => a.json);
}

describe('/predict matches the NumPy reference row by row (with dynamic batching)', () => {
  it('binary classifier: scores and labels', async () => {
    const c = expected.linear_binary!;
    const out = await predictEach('linear_binary', c.inputs);
    expectClose(
      out.map((o) => o.scores[0]),
      c.scores as number[],
    );
    expect(out.map((o) => o.labels[0])).toEqual(c.label);
  });

  it('multiclass: probabilities, labels = argmax', async () => {
    const c = expected.multiclass_softmax!;
    const out = await predictEach('multiclass_softmax', c.inputs);
    expectClose(
      out.flatMap((o) => o.probabilities[0]),
      (c.proba as number[][]).flat(),
    );
    for (const [i, o] of out.entries()) {
      const p = (c.proba as number[][])[i]!;
      expect(o.labels[0]).toBe(p.indexOf(Math.max(...p)));
    }
  });

  it('regressors: scores are the predicted values', async () => {
    for (const n of ['tree_regressor', 'linear_regressor']) {
      const c = expected[n]!;
      const out = await predictEach(n, c.inputs);
      expectClose(
        out.map((o) => o.scores[0]),
        c.values as number[],
      );
      expect(out[0]!.labels).toBeUndefined();
    }
  });

  it('one input per feature: rows keyed by the input names', async () => {
    const c = expected.per_feature_inputs!;
    const cols = c.columns as string[];
    const rows = c.inputs.map((r) => Object.fromEntries(cols.map((k, j) => [k, r[j]])));
    const out = await predictEach('per_feature_inputs', rows);
    expectClose(
      out.map((o) => o.scores[0]),
      c.values as number[],
    );
  });
});
