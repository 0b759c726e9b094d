import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '@mlops-actions/core';
import {
  inspectModel,
  loadOnnxRuntime,
  predict,
  resolveOnnxRuntime,
  type PredictOptions,
} from '@mlops-actions/inference';
import { dataOf, model } from './helpers.js';

async function failure(opts: PredictOptions): Promise<InputError> {
  const err = await predict(opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

const breastCancerNames = [
  'mean_radius',
  'mean_texture',
  ...Array.from({ length: 27 }, (_, j) => `f${j}`),
  'worst_fractal_dimension',
];

describe('predict: bad models and mismatched data', () => {
  it('a ZipMap output is refused before running, naming it and how to re-export', async () => {
    const err = await failure({
      modelPath: model('linear_binary_zipmap'),
      data: dataOf('linear_binary'),
      task: 'binary-classification',
    });
    expect(err.message).toContain(`linear_binary_zipmap.onnx: output 'output_probability' is not a tensor`);
    expect(err.message).toContain(`options={id(model): {'zipmap': False}}`);
    // The only tensor is the int64 label: suggest reading it (not pointing probabilities at it) and
    // say what that costs.
    expect(err.message).toContain(
      `read the predicted label instead: model.outputs: { label: output_label, probabilities: null }`,
    );
    expect(err.message).toContain('roc_auc, pr_auc and log_loss are computed from hard labels');
    expect(err.message).not.toContain('probabilities at');
    // Pointing at the ZipMap output explicitly gives the same explanation.
    const explicit = await failure({
      modelPath: model('linear_binary_zipmap'),
      data: dataOf('linear_binary'),
      task: 'binary-classification',
      outputs: { probabilities: 'output_probability' },
    });
    expect(explicit.message).toContain(`output 'output_probability' is not a tensor`);
  });

  it('wrong feature count names the input, its shape and both widths', async () => {
    const full = dataOf('linear_binary');
    const data = {
      features: full.features.slice(0, full.n * 29),
      n: full.n,
      d: 29,
      featureNames: breastCancerNames.slice(1),
    };
    const err = await failure({ modelPath: model('linear_binary'), data, task: 'binary-classification' });
    expect(err.message).toBe(
      `${model('linear_binary')}: model expects 30 features in input 'float_input' (shape [N, 30]) but the data has 29 ` +
        `('mean_texture', 'f0', 'f1' … 'f26', 'worst_fractal_dimension'): ` +
        `is a feature column missing from the data, or used as the id or a slice column?`,
    );
  });

  it('an unknown input name lists the model inputs', async () => {
    const err = await failure({
      modelPath: model('linear_binary'),
      data: dataOf('linear_binary'),
      task: 'binary-classification',
      inputName: 'X',
    });
    expect(err.message).toBe(
      `${model('linear_binary')}: the model has no input 'X'; its inputs are 'float_input' (float32 [N, 30])`,
    );
  });

  it('per-feature inputs that the data does not have are listed', async () => {
    const err = await failure({
      modelPath: model('per_feature_inputs'),
      data: dataOf('per_feature_inputs', ['age', 'bmi', 'bp', 's2']),
      task: 'regression',
    });
    expect(err.message).toContain(
      `the model has 4 inputs ('bp' (float32 [N, 1]), 'age' (float32 [N, 1]), 's1' (float32 [N, 1]), 'bmi' (float32 [N, 1])); inputs 's1' match no data feature`,
    );
  });

  it('unknown output names list the outputs', async () => {
    const err = await failure({
      modelPath: model('linear_regressor'),
      data: dataOf('linear_regressor'),
      task: 'regression',
      outputs: { score: 'prediction' },
    });
    expect(err.message).toBe(
      `${model('linear_regressor')}: outputs.score names output 'prediction', but the model's outputs are 'variable' (float32 [N, 1])`,
    );
  });

  it('a task that does not fit the output', async () => {
    const err = await failure({
      modelPath: model('multiclass_softmax'),
      data: dataOf('multiclass_softmax'),
      task: 'regression',
      outputs: { score: 'probabilities' },
    });
    expect(err.message).toContain(
      `output 'probabilities' has 3 values per row; a regression output must be [N] or [N, 1]`,
    );
  });

  it('a missing model file and a file that is not ONNX', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mlops-inf-'));
    const missing = path.join(dir, 'none.onnx');
    expect(
      (await failure({ modelPath: missing, data: dataOf('linear_binary'), task: 'binary-classification' }))
        .message,
    ).toBe(`${missing}: cannot read the model: no such file`);
    const junk = path.join(dir, 'junk.onnx');
    writeFileSync(junk, 'this is not a model');
    expect(
      (await failure({ modelPath: junk, data: dataOf('linear_binary'), task: 'binary-classification' }))
        .message,
    ).toMatch(new RegExp(`^${junk}: ONNX Runtime cannot load the model: `));
    await expect(inspectModel(missing)).rejects.toThrow(`${missing}: cannot read the model: no such file`);
  });
});

describe('loadOnnxRuntime: run-time resolution', () => {
  const saved = process.env.MLOPS_ORT_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.MLOPS_ORT_PATH;
    else process.env.MLOPS_ORT_PATH = saved;
  });

  it('a bad MLOPS_ORT_PATH without fallbacks says where it looked and how to install', async () => {
    const bad = mkdtempSync(path.join(tmpdir(), 'no-ort-'));
    process.env.MLOPS_ORT_PATH = bad;
    const err = await loadOnnxRuntime({ fallbacks: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(
      `onnxruntime-node was not found; looked from '${bad}'. Install it next to your project: ` +
        '`ONNXRUNTIME_NODE_INSTALL=skip npm i onnxruntime-node` (the skip avoids its CUDA download; the CPU binaries ' +
        'ship in the package), or set MLOPS_ORT_PATH to the onnxruntime-node folder or a directory whose node_modules holds it.',
    );
    await expect(
      predict({
        modelPath: model('linear_binary'),
        data: dataOf('linear_binary'),
        task: 'binary-classification',
        runtime: { searchPaths: [bad] },
      }),
    ).rejects.toThrow(`onnxruntime-node was not found; looked from '${bad}'`);
  });

  it('MLOPS_ORT_PATH may name a project directory or the package folder itself', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    process.env.MLOPS_ORT_PATH = root;
    const fromProject = resolveOnnxRuntime({ fallbacks: false });
    expect(fromProject).toMatch(/onnxruntime-node[/\\]dist[/\\]index\.js$/);
    process.env.MLOPS_ORT_PATH = path.join(root, 'node_modules', 'onnxruntime-node');
    expect(resolveOnnxRuntime({ fallbacks: false })).toBe(fromProject);
    const ort = await loadOnnxRuntime({ fallbacks: false });
    expect(typeof ort.InferenceSession.create).toBe('function');
  });

  it('falls back to the workspace / cwd when MLOPS_ORT_PATH is unset', () => {
    delete process.env.MLOPS_ORT_PATH;
    expect(resolveOnnxRuntime()).toMatch(/onnxruntime-node/);
  });
});
