import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLASSES, LABEL, loadSettings, train } from '../../examples/wine/train.js';
import { readDataset } from '../../examples/lib/csv.js';
import { accuracy } from '../../examples/lib/metrics.js';
import { onnxCheck } from '../onnx-build/helpers.js';
import { EXAMPLES, python, runOnnx, sameBytes } from './helpers.js';

const dir = join(EXAMPLES, 'wine');
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
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
d = json.load(open(sys.argv[1]))
Xt = np.array(d['train'])
s = StandardScaler().fit(Xt)
m = LogisticRegression(C=d['C'], tol=1e-12, max_iter=100000).fit(s.transform(Xt), d['y'])
print(json.dumps(m.predict_proba(s.transform(np.array(d['eval']))).tolist()))
`;

describe('wine trainer', () => {
  it('converges for both variants', () => {
    expect(candidate.metrics.converged).toBe(1);
    expect(baseline.metrics.converged).toBe(1);
    expect(candidate.params.weights).toHaveLength(CLASSES);
  });

  it('candidate is accurate on eval in onnxruntime; the baseline is measurably worse', async () => {
    const c = await runOnnx(candidate.model, evalData.X);
    const b = await runOnnx(baseline.model, evalData.X);
    expect(c.probabilities![0]).toHaveLength(3);
    const candidateAccuracy = accuracy(evalData.y, c.label!);
    expect(candidateAccuracy).toBeGreaterThan(0.9);
    expect(candidateAccuracy - accuracy(evalData.y, b.label!)).toBeGreaterThan(0.1);
  });

  it('matches scikit-learn multinomial LogisticRegression', async () => {
    const expected = python<number[][]>(SKLEARN, {
      train: trainData.X,
      y: trainData.y,
      eval: evalData.X,
      C: candidateSettings.C,
    });
    const got = (await runOnnx(candidate.model, evalData.X)).probabilities!;
    const diff = Math.max(...got.flatMap((row, i) => row.map((p, c) => Math.abs(p - expected[i]![c]!))));
    expect(diff).toBeLessThan(1e-3);
  });

  it('exports valid, deterministic models; the committed baseline equals a fresh run', () => {
    expect(onnxCheck({ candidate: candidate.model, baseline: baseline.model })).toEqual({});
    expect(sameBytes(train(trainData, candidateSettings).model, candidate.model)).toBe(true);
    expect(sameBytes(readFileSync(join(dir, 'baseline/model.onnx')), baseline.model)).toBe(true);
  });
});
