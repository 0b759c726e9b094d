import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '@mlops-actions/core';
import { loadEvalData } from '@mlops-actions/data';
import { inspectModel, predict, textColumnsFor, type PredictOptions } from '@mlops-actions/inference';
import { computeMetrics } from '@mlops-actions/metrics';
import { dataOf, model, MODELS } from './helpers.js';

/**
 * Models shaped like real exporters' output (see test/fixtures/models/make_tabular_models.py):
 * skl2onnx's one-input-per-column pipelines and onnxmltools' fixed batch dimension, checked against
 * the metrics scikit-learn computes for its own fitted pipeline.
 */
interface Expected {
  n: number;
  proba1?: number[];
  metrics: Record<string, number>;
}
const expected = JSON.parse(readFileSync(path.join(MODELS, 'tabular_expected.json'), 'utf8')) as Record<
  string,
  Expected
>;
const METRICS = ['accuracy', 'f1', 'roc_auc', 'log_loss'];
const tmp = mkdtempSync(path.join(tmpdir(), 'mlops-exporters-'));

async function failure(opts: PredictOptions): Promise<InputError> {
  const err = await predict(opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

async function scoreFile(modelPath: string, dataPath: string, label: string) {
  const info = await inspectModel(modelPath);
  const data = await loadEvalData({
    path: dataPath,
    label,
    task: 'binary-classification',
    textColumns: textColumnsFor(info.inputs),
  });
  const { predictions } = await predict({
    modelPath,
    data: { ...data, source: dataPath },
    task: 'binary-classification',
    threads: 1,
  });
  if (predictions.task !== 'binary-classification') throw new Error('wrong task');
  return { data, predictions, metrics: computeMetrics(METRICS, Int32Array.from(data.labels), predictions) };
}

function expectMetrics(actual: Record<string, number>, reference: Record<string, number>): void {
  // float32 inference vs scikit-learn's float64: identical decisions and ranks, log_loss to 1e-5.
  expect(actual.accuracy).toBeCloseTo(reference.accuracy!, 12);
  expect(actual.f1).toBeCloseTo(reference.f1!, 12);
  expect(actual.roc_auc).toBeCloseTo(reference.roc_auc!, 12);
  expect(Math.abs(actual.log_loss! - reference.log_loss!)).toBeLessThan(1e-5);
}

describe('one input per column (skl2onnx ColumnTransformer pipeline from a DataFrame)', () => {
  const pipeline = model('tabular_pipeline');
  const ref = expected.tabular_pipeline!;

  it('the model has six typed inputs; textColumnsFor names the non-float32 ones', async () => {
    const info = await inspectModel(pipeline);
    expect(info.inputs.map((i) => `${i.name}:${i.type}`)).toEqual([
      'age:float64',
      'sex:string',
      'bmi:float32',
      'children:int64',
      'smoker:bool',
      'region:string',
    ]);
    expect(textColumnsFor(info.inputs)).toEqual(['age', 'sex', 'children', 'smoker', 'region']);
  });

  for (const ext of ['csv', 'jsonl', 'parquet']) {
    it(`${ext}: columns map to inputs by name and type; metrics equal scikit-learn's pipeline`, async () => {
      const { data, predictions, metrics } = await scoreFile(
        pipeline,
        path.join(MODELS, `tabular_eval.${ext}`),
        'charged',
      );
      expect(data.n).toBe(ref.n);
      expectMetrics(metrics, ref.metrics);
      for (let i = 0; i < ref.n; i++) expect(predictions.scores[i]).toBeCloseTo(ref.proba1![i]!, 5);
    });
  }

  it('without textColumns the reader stops at the string cell, naming row and column', async () => {
    const file = path.join(MODELS, 'tabular_eval.csv');
    await expect(
      loadEvalData({ path: file, label: 'charged', task: 'binary-classification' }),
    ).rejects.toThrow(`${file}:2: column 'sex': 'female' is not a number (data row 1)`);
  });

  it('a string input fed from a column read as numbers is a clear error, not a crash', async () => {
    const data = {
      features: new Float32Array([30, 1, 25, 0, 1, 2]),
      n: 1,
      d: 6,
      featureNames: ['age', 'sex', 'bmi', 'children', 'smoker', 'region'],
    };
    const err = await failure({ modelPath: pipeline, data, task: 'binary-classification', threads: 1 });
    expect(err.message).toContain(`input 'sex' takes strings, but column 'sex' was read as numbers`);
  });

  it('a cell that does not fit its input type names the data row, the column and the type', async () => {
    const file = path.join(MODELS, 'tabular_eval.csv');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const info = await inspectModel(pipeline);
    const cases: [string, string, string][] = [
      ['children', '2.5', `column 'children': '2.5' is not an integer (model input 'children' is int64)`],
      [
        'smoker',
        'maybe',
        `column 'smoker': 'maybe' is not a boolean (true/false/1/0) (model input 'smoker' is bool)`,
      ],
      ['age', 'old', `column 'age': 'old' is not a number (model input 'age' is float64)`],
      ['bmi', 'n/a', `column 'bmi': 'n/a' is not a number (model input 'bmi' is float32)`],
    ];
    const header = lines[0]!.split(',');
    for (const [column, value, message] of cases) {
      const rows = lines.slice(1, 6).map((l) => l.split(','));
      rows[3]![header.indexOf(column)] = value;
      const bad = path.join(tmp, `bad-${column}.csv`);
      writeFileSync(bad, [lines[0], ...rows.map((r) => r.join(','))].join('\n'));
      const textColumns = textColumnsFor(info.inputs);
      // bmi is float32: a bad cell there is the reader's error unless the column is kept as text.
      const data = await loadEvalData({
        path: bad,
        label: 'charged',
        task: 'binary-classification',
        textColumns: column === 'bmi' ? [...textColumns, 'bmi'] : textColumns,
      });
      const err = await failure({
        modelPath: pipeline,
        data: { ...data, source: bad },
        task: 'binary-classification',
        threads: 1,
      });
      expect(err.message).toBe(`${bad}: data row 4: ${message}`);
    }
  });

  it('a model input the data does not have: the message says the model takes one input per column', async () => {
    const data = {
      features: new Float32Array(5),
      n: 1,
      d: 5,
      featureNames: ['age', 'sex', 'bmi', 'children', 'smoker'],
    };
    const err = await failure({ modelPath: pipeline, data, task: 'binary-classification', threads: 1 });
    expect(err.message).toContain(
      `inputs 'region' match no data feature (the model takes one input per data column`,
    );
  });
});

describe('a fixed batch dimension (onnxmltools XGBoost: input [1, 64])', () => {
  const ref = expected.fixed_batch!;
  const file = path.join(MODELS, 'digits_eval.csv');

  for (const batch of [1, 8]) {
    it(`[${batch}, 64]: runs in batches of ${batch} (the last padded) and matches scikit-learn`, async () => {
      const modelPath = model(`fixed_batch${batch}`);
      const data = await loadEvalData({ path: file, label: 'even', task: 'binary-classification' });
      expect(data.n % 8).toBe(0);
      // 357 rows: with batch 8 the last run holds 5 real rows and 3 copies.
      const n = 357;
      const sub = { ...data, n, features: data.features.subarray(0, n * 64) };
      const result = await predict({ modelPath, data: sub, task: 'binary-classification', batchSize: 100 });
      expect(result.batchLatencyMs).toHaveLength(Math.ceil(n / batch));
      const full = await predict({ modelPath, data, task: 'binary-classification' });
      if (full.predictions.task !== 'binary-classification') throw new Error('wrong task');
      expectMetrics(computeMetrics(METRICS, Int32Array.from(data.labels), full.predictions), ref.metrics);
      if (result.predictions.task !== 'binary-classification') throw new Error('wrong task');
      expect(Array.from(result.predictions.scores)).toEqual(
        Array.from(full.predictions.scores.subarray(0, n)),
      );
    });
  }
});

describe('shapes that are not tabular are refused', () => {
  it('an image model [N, 28, 28, 1] gets a clear refusal naming the supported shapes', async () => {
    const err = await failure({
      modelPath: model('image_input'),
      data: { features: new Float32Array(4), n: 2, d: 2, featureNames: ['a', 'b'] },
      task: 'binary-classification',
    });
    expect(err.message).toBe(
      `${model('image_input')}: input 'image' has shape [N, 28, 28, 1]; expected a 2-D [N, features] input ` +
        `(evaluate takes tabular models: one 2-D input [N, features], or one [N] / [N, 1] input per data column)`,
    );
  });
});

describe('outputs that are not probabilities', () => {
  const rows = (values: number[][]) => ({
    features: Float32Array.from(values.flat()),
    n: values.length,
    d: values[0]!.length,
    featureNames: values[0]!.map((_, j) => `f${j}`),
  });

  it('rows that do not sum to 1', async () => {
    const err = await failure({
      modelPath: model('identity_proba3'),
      data: rows([
        [0.2, 0.3, 0.5],
        [0.2, 0.3, 0.1],
      ]),
      task: 'multiclass-classification',
    });
    expect(err.message).toBe(
      `${model('identity_proba3')}: output 'probabilities' is not a probability distribution: data row 2 sums to ` +
        `0.600000, not 1 (values 0.2000, 0.3000, 0.1000); if these are unnormalised scores set model.outputs.scoreKind: logit`,
    );
    const binary = await failure({
      modelPath: model('identity_proba2'),
      data: rows([[0.9, 0.9]]),
      task: 'binary-classification',
    });
    expect(binary.message).toContain('data row 1 sums to 1.80000, not 1');
  });

  it('values outside [0, 1] in an output named probabilities are not re-read as logits', async () => {
    const err = await failure({
      modelPath: model('identity_proba2'),
      data: rows([
        [0.5, 0.5],
        [1.5, -0.5],
      ]),
      task: 'binary-classification',
    });
    expect(err.message).toBe(
      `${model('identity_proba2')}: output 'probabilities' should hold probabilities but holds 1.5 for data row 2, ` +
        `outside [0, 1]; if these are logits or decision scores set model.outputs.scoreKind: logit`,
    );
    // Declared logits are fine.
    const { predictions } = await predict({
      modelPath: model('identity_proba2'),
      data: rows([[1.5, -0.5]]),
      task: 'binary-classification',
      outputs: { scoreKind: 'logit' },
    });
    if (predictions.task !== 'binary-classification') throw new Error('wrong task');
    expect(predictions.scores[0]).toBeCloseTo(1 / (1 + Math.exp(2)), 6);
  });

  it('+Infinity and NaN scores are errors naming the row', async () => {
    for (const bad of [Infinity, -Infinity, NaN]) {
      const err = await failure({
        modelPath: model('identity_proba2'),
        data: rows([
          [0.5, 0.5],
          [bad, 0],
        ]),
        task: 'binary-classification',
      });
      expect(err.message).toBe(
        `${model('identity_proba2')}: output 'probabilities' holds ${bad} for data row 2; scores must be finite numbers`,
      );
    }
  });

  it('model.classes with three entries for a two-column output', async () => {
    const err = await failure({
      modelPath: model('identity_proba2'),
      data: rows([[0.5, 0.5]]),
      task: 'multiclass-classification',
      k: 3,
      labels: { column: 'y', classes: ['a', 'b', 'c'], index: [0], declared: true },
    });
    expect(err.message).toBe(
      `${model('identity_proba2')}: model.classes lists 3 classes ['a', 'b', 'c'] but output 'probabilities' has 2 ` +
        `columns (one per class the model scores); list the model's 2 classes in output order`,
    );
  });
});

describe('a label the model does not know blames the row, not the model', () => {
  it('a 3-class model and a label 5 in the data', async () => {
    // Data labels 0, 1, 2 and one 5 → inferred classes [0, 1, 2, 5]; the model scores 3 classes.
    const data = dataOf('multiclass_softmax');
    const index = Float64Array.from({ length: data.n }, (_, i) => i % 3);
    index[5] = 3;
    const err = await failure({
      modelPath: model('multiclass_softmax'),
      data: { ...data, source: 'data/eval.csv', rowOffset: 0 },
      task: 'multiclass-classification',
      k: 4,
      labels: { column: 'cultivar', classes: [0, 1, 2, 5], index },
    });
    expect(err.message).toBe(
      `data/eval.csv: data row 6: column 'cultivar': label 5 is not one of the 3 classes the model scores ` +
        `(0..2, output 'probabilities' has 3 columns); the data's labels are [0, 1, 2, 5]`,
    );
  });
});
