import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABEL, loadSettings, train } from '../../examples/diabetes/train.js';
import { readDataset } from '../../examples/lib/csv.js';
import { r2, rmse } from '../../examples/lib/metrics.js';
import { onnxCheck } from '../onnx-build/helpers.js';
import { EXAMPLES, python, runOnnx, sameBytes } from './helpers.js';

const dir = join(EXAMPLES, 'diabetes');
const params = join(dir, 'params.yml');
const trainData = readDataset(join(dir, 'data/train.csv'), LABEL);
const evalData = readDataset(join(dir, 'data/eval.csv'), LABEL);
const candidateSettings = loadSettings(params, 'candidate', trainData.features);
const baselineSettings = loadSettings(params, 'baseline', trainData.features);
const candidate = train(trainData, candidateSettings);
const baseline = train(trainData, baselineSettings);

const SKLEARN = `
import json, sys
import numpy as np
from sklearn.linear_model import Ridge
from sklearn.preprocessing import StandardScaler
d = json.load(open(sys.argv[1]))
Xt = np.array(d['train'])
s = StandardScaler().fit(Xt)
m = Ridge(alpha=d['alpha']).fit(s.transform(Xt), d['y'])
print(json.dumps(m.predict(s.transform(np.array(d['eval']))).tolist()))
`;

describe('diabetes trainer', () => {
  it('candidate explains eval variance in onnxruntime; the bmi-only baseline is measurably worse', async () => {
    const c = (await runOnnx(candidate.model, evalData.X)).variable!;
    const b = (await runOnnx(baseline.model, evalData.X)).variable!;
    expect(c).toHaveLength(evalData.X.length);
    expect(r2(evalData.y, c)).toBeGreaterThan(0.4);
    expect(r2(evalData.y, c) - r2(evalData.y, b)).toBeGreaterThan(0.05);
    expect(rmse(evalData.y, b) - rmse(evalData.y, c)).toBeGreaterThan(2);
    expect(candidate.metrics.train_r2).toBeGreaterThan(0.45);
  });

  it('matches scikit-learn Ridge', async () => {
    const expected = python<number[]>(SKLEARN, {
      train: trainData.X,
      y: trainData.y,
      eval: evalData.X,
      alpha: candidateSettings.alpha,
    });
    const got = (await runOnnx(candidate.model, evalData.X)).variable!;
    // Predictions are ~150; float32 keeps about 7 significant digits.
    expect(Math.max(...got.map((p, i) => Math.abs(p - expected[i]!)))).toBeLessThan(1e-3);
  });

  it('exports valid, deterministic models; the committed baseline equals a fresh run', () => {
    expect(onnxCheck({ candidate: candidate.model, baseline: baseline.model })).toEqual({});
    expect(sameBytes(train(trainData, candidateSettings).model, candidate.model)).toBe(true);
    expect(sameBytes(readFileSync(join(dir, 'baseline/model.onnx')), baseline.model)).toBe(true);
    expect(baseline.params.weights.filter((w) => w !== 0)).toHaveLength(1);
  });
});
