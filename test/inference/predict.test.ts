import { describe, expect, it } from 'vitest';
import { predict } from '@mlops-actions/inference';
import { dataOf, expectClose, expected, model } from './helpers.js';

describe('predict: each model kind matches the NumPy reference', () => {
  it('linear binary classifier (label + probabilities [N,2]): P(class 1) is column 1', async () => {
    const { predictions, batchLatencyMs, seconds } = await predict({
      modelPath: model('linear_binary'),
      data: dataOf('linear_binary'),
      task: 'binary-classification',
      batchSize: 3,
      threads: 2,
    });
    expect(predictions.task).toBe('binary-classification');
    if (predictions.task !== 'binary-classification') return;
    expectClose(predictions.scores, expected.linear_binary!.scores as number[]);
    expect(batchLatencyMs).toHaveLength(3);
    expect(batchLatencyMs.every((ms) => ms >= 0)).toBe(true);
    expect(seconds).toBeGreaterThan(0);
  });

  it('single-logit model: sigmoid applied (auto and explicit logit)', async () => {
    for (const scoreKind of ['auto', 'logit'] as const) {
      const { predictions } = await predict({
        modelPath: model('logit'),
        data: dataOf('logit'),
        task: 'binary-classification',
        outputs: { scoreKind },
      });
      if (predictions.task !== 'binary-classification') throw new Error('wrong task');
      expectClose(predictions.scores, expected.logit!.scores as number[]);
    }
  });

  it("a logit output declared as 'probability' is refused", async () => {
    await expect(
      predict({
        modelPath: model('logit'),
        data: dataOf('logit'),
        task: 'binary-classification',
        outputs: { scoreKind: 'probability' },
      }),
    ).rejects.toThrow(`output 'logit' has values outside [0, 1] but outputs.scoreKind is 'probability'`);
  });

  it('multiclass softmax model: proba n×k', async () => {
    const { predictions } = await predict({
      modelPath: model('multiclass_softmax'),
      data: dataOf('multiclass_softmax'),
      task: 'multiclass-classification',
      k: 3,
    });
    if (predictions.task !== 'multiclass-classification') throw new Error('wrong task');
    expect(predictions.k).toBe(3);
    expectClose(predictions.proba, (expected.multiclass_softmax!.proba as number[][]).flat());
  });

  it('multiclass logits model: softmax applied', async () => {
    const { predictions } = await predict({
      modelPath: model('multiclass_logits'),
      data: dataOf('multiclass_softmax'),
      task: 'multiclass-classification',
    });
    if (predictions.task !== 'multiclass-classification') throw new Error('wrong task');
    expectClose(predictions.proba, (expected.multiclass_softmax!.proba as number[][]).flat());
  });

  it('multiclass width differing from k is refused', async () => {
    await expect(
      predict({
        modelPath: model('multiclass_softmax'),
        data: dataOf('multiclass_softmax'),
        task: 'multiclass-classification',
        k: 4,
      }),
    ).rejects.toThrow(`output 'probabilities' has 3 columns but the task has k = 4 classes`);
  });

  it('linear regressor (variable [N,1])', async () => {
    const { predictions } = await predict({
      modelPath: model('linear_regressor'),
      data: dataOf('linear_regressor'),
      task: 'regression',
    });
    if (predictions.task !== 'regression') throw new Error('wrong task');
    expectClose(predictions.values, expected.linear_regressor!.values as number[]);
  });

  it('ai.onnx.ml TreeEnsembleClassifier and TreeEnsembleRegressor', async () => {
    const cls = await predict({
      modelPath: model('tree_classifier'),
      data: dataOf('tree_classifier'),
      task: 'binary-classification',
    });
    if (cls.predictions.task !== 'binary-classification') throw new Error('wrong task');
    expectClose(cls.predictions.scores, expected.tree_classifier!.scores as number[]);
    const reg = await predict({
      modelPath: model('tree_regressor'),
      data: dataOf('tree_regressor'),
      task: 'regression',
    });
    if (reg.predictions.task !== 'regression') throw new Error('wrong task');
    expectClose(reg.predictions.values, expected.tree_regressor!.values as number[]);
  });

  it('one input per feature: columns fed by name, whatever the graph order', async () => {
    const names = expected.per_feature_inputs!.columns as string[];
    const { predictions } = await predict({
      modelPath: model('per_feature_inputs'),
      data: dataOf('per_feature_inputs', names),
      task: 'regression',
      batchSize: 5,
    });
    if (predictions.task !== 'regression') throw new Error('wrong task');
    expectClose(predictions.values, expected.per_feature_inputs!.values as number[]);
  });

  it('an int64 label output (BigInt64Array) named in outputs.label gives hard 0/1 scores', async () => {
    const { predictions } = await predict({
      modelPath: model('linear_binary_zipmap'),
      data: dataOf('linear_binary'),
      task: 'binary-classification',
      outputs: { label: 'output_label' },
    });
    // The ZipMap output cannot be read, so the named label output stands in: argmax of the probabilities.
    if (predictions.task !== 'binary-classification') throw new Error('wrong task');
    expect([...predictions.scores]).toEqual(expected.linear_binary!.label as number[]);
  });

  it('explicit output names select the tensor to read', async () => {
    const { predictions } = await predict({
      modelPath: model('linear_binary'),
      data: dataOf('linear_binary'),
      task: 'binary-classification',
      outputs: { probabilities: 'probabilities' },
      inputName: 'float_input',
    });
    if (predictions.task !== 'binary-classification') throw new Error('wrong task');
    expectClose(predictions.scores, expected.linear_binary!.scores as number[]);
  });

  it('zero rows give empty predictions', async () => {
    const { predictions, batchLatencyMs } = await predict({
      modelPath: model('linear_regressor'),
      data: {
        features: new Float32Array(0),
        n: 0,
        d: 10,
        featureNames: Array.from({ length: 10 }, (_, j) => `f${j}`),
      },
      task: 'regression',
    });
    expect(predictions).toEqual({ task: 'regression', values: new Float64Array(0) });
    expect(batchLatencyMs).toEqual([]);
  });
});
