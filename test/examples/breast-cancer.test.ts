import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABEL, loadSettings, train } from '../../examples/breast-cancer/train.js';
import { readDataset } from '../../examples/lib/csv.js';
import { onnxCheck } from '../onnx-build/helpers.js';
import { EXAMPLES, python, rocAuc, runOnnx, sameBytes, tempDir } from './helpers.js';

const dir = join(EXAMPLES, 'breast-cancer');
const params = join(dir, 'params.yml');
const trainData = readDataset(join(dir, 'data/train.csv'), LABEL);
const evalData = readDataset(join(dir, 'data/eval.csv'), LABEL);
const candidateSettings = loadSettings(params, 'candidate', trainData.features);
const baselineSettings = loadSettings(params, 'baseline', trainData.features);
const candidate = train(trainData, candidateSettings);
const baseline = train(trainData, baselineSettings);

async function evalAuc(model: Uint8Array): Promise<number> {
  const out = await runOnnx(model, evalData.X);
  return rocAuc(
    evalData.y,
    out.probabilities!.map((p) => p[1]!),
  );
}

const SKLEARN = `
import json, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
d = json.load(open(sys.argv[1]))
out = []
for v in d['variants']:
    cols = v['columns']
    Xt = np.array(d['train'])
    s = StandardScaler().fit(Xt)
    m = LogisticRegression(C=v['C'], solver='newton-cholesky', tol=1e-10, max_iter=1000).fit(s.transform(Xt)[:, cols], d['y'])
    out.append(m.predict_proba(s.transform(np.array(d['eval']))[:, cols])[:, 1].tolist())
print(json.dumps(out))
`;

describe('breast-cancer trainer', () => {
  it('converges and fits the training data', () => {
    expect(candidate.metrics.converged).toBe(1);
    expect(baseline.metrics.converged).toBe(1);
    expect(candidate.metrics.train_accuracy).toBeGreaterThan(0.97);
    expect(candidate.metrics.features).toBe(30);
    expect(baseline.metrics.features).toBe(2);
  });

  it('candidate reaches ROC AUC > 0.97 on eval in onnxruntime; the baseline is measurably lower', async () => {
    const candidateAuc = await evalAuc(candidate.model);
    const baselineAuc = await evalAuc(baseline.model);
    expect(candidateAuc).toBeGreaterThan(0.97);
    expect(candidateAuc - baselineAuc).toBeGreaterThan(0.01);
    expect(baselineAuc).toBeGreaterThan(0.9);
  });

  it('the baseline takes all 30 inputs, with zero weights on unused features', () => {
    expect(baseline.params.weights[0]).toHaveLength(30);
    const used = baselineSettings.features.map((f) => trainData.features.indexOf(f));
    baseline.params.weights[0]!.forEach((w, j) => expect(w !== 0).toBe(used.includes(j)));
  });

  it('matches scikit-learn LogisticRegression fitted to the same objective', async () => {
    const columns = (s: typeof candidateSettings) => s.features.map((f) => trainData.features.indexOf(f));
    const expected = python<number[][]>(SKLEARN, {
      train: trainData.X,
      y: trainData.y,
      eval: evalData.X,
      variants: [candidateSettings, baselineSettings].map((s) => ({ C: s.C, columns: columns(s) })),
    });
    for (const [i, model] of [candidate.model, baseline.model].entries()) {
      const got = (await runOnnx(model, evalData.X)).probabilities!.map((p) => p[1]!);
      const diff = Math.max(...got.map((p, r) => Math.abs(p - expected[i]![r]!)));
      expect(diff).toBeLessThan(1e-5);
    }
  });

  it('exports models that pass onnx.checker', () => {
    expect(onnxCheck({ candidate: candidate.model, baseline: baseline.model })).toEqual({});
  });

  it('is deterministic, and the committed baseline equals a fresh --variant baseline run', () => {
    expect(sameBytes(train(trainData, candidateSettings).model, candidate.model)).toBe(true);
    expect(sameBytes(readFileSync(join(dir, 'baseline/model.onnx')), baseline.model)).toBe(true);
  });

  it('runs from the command line as mlops.yml does, writing the model and train metrics', () => {
    const out = tempDir();
    const stdout = execFileSync(
      'npx',
      [
        'tsx',
        'train.ts',
        '--variant',
        'candidate',
        '--out',
        join(out, 'm/model.onnx'),
        '--metrics',
        join(out, 'metrics.json'),
        '--params',
        'params.yml',
      ],
      { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(stdout).toMatch(/read 441 rows × 30 features from data\/train.csv/);
    expect(stdout).toMatch(/converged after \d+ iterations/);
    expect(sameBytes(readFileSync(join(out, 'm/model.onnx')), candidate.model)).toBe(true);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Record<string, unknown>;
    expect(metrics).toMatchObject({ converged: 1, C: 1, features: 30, rows: 441 });
    expect(metrics.train_log_loss).toBeLessThan(0.1);
    expect(metrics.iterations).toBeGreaterThan(0);
  });
});
