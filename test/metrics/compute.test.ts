import { describe, expect, it } from 'vitest';
import { InputError } from '../../packages/core/src/errors.js';
import type { Predictions, Task } from '../../packages/core/src/index.js';
import {
  DEFAULT_METRICS,
  computeMetrics,
  confusionMatrix,
  knownMetrics,
  predictedClasses,
} from '../../packages/metrics/src/index.js';

const y = Int32Array.from([0, 1, 1, 0, 1, 0]);
const scores = Float64Array.from([0.1, 0.9, 0.5, 0.5, 0.2, 0.7]);
const binary: Predictions = { task: 'binary-classification', scores };

const sample: Record<Task, { y: Int32Array | Float64Array; pred: Predictions }> = {
  'binary-classification': { y, pred: binary },
  'multiclass-classification': {
    y: Int32Array.from([0, 1, 2]),
    pred: {
      task: 'multiclass-classification',
      proba: Float64Array.from([0.8, 0.1, 0.1, 0.2, 0.5, 0.3, 0.1, 0.1, 0.8]),
      k: 3,
    },
  },
  regression: {
    y: Float64Array.from([1, 2, 3, 4]),
    pred: { task: 'regression', values: Float64Array.from([1.5, 2, 2.5, 5]) },
  },
};

describe('computeMetrics', () => {
  it.each(Object.keys(DEFAULT_METRICS) as Task[])('computes the default metrics of %s', (task) => {
    const { y: labels, pred } = sample[task];
    const values = computeMetrics(DEFAULT_METRICS[task], labels, pred);
    expect(Object.keys(values)).toEqual(DEFAULT_METRICS[task]);
    for (const v of Object.values(values)) expect(Number.isFinite(v)).toBe(true);
  });

  it('predicts 1 when the score is >= the threshold', () => {
    expect(Array.from(predictedClasses(binary))).toEqual([0, 1, 1, 1, 0, 1]);
    expect(computeMetrics(['accuracy'], y, binary).accuracy).toBeCloseTo(3 / 6, 15);
    expect(computeMetrics(['accuracy'], y, binary, { threshold: 0.8 }).accuracy).toBeCloseTo(4 / 6, 15);
    expect(confusionMatrix(y, binary, { threshold: 0.8 })).toEqual({
      labels: [0, 1],
      matrix: [
        [3, 0],
        [2, 1],
      ],
    });
  });

  it('gives 0 where sklearn divides by zero (no predicted positives)', () => {
    const never: Predictions = { task: 'binary-classification', scores: new Float64Array(6).fill(0.1) };
    expect(computeMetrics(['precision', 'f1', 'mcc', 'recall'], y, never)).toEqual({
      precision: 0,
      f1: 0,
      mcc: 0,
      recall: 0,
    });
  });

  it('returns NaN for ROC AUC when only one class is present (sklearn raises)', () => {
    const ones = new Int32Array(6).fill(1);
    expect(computeMetrics(['roc_auc'], ones, binary).roc_auc).toBeNaN();
  });

  it('rejects an unknown metric for the task, listing the known ones', () => {
    expect(() => computeMetrics(['rmse'], y, binary)).toThrow(InputError);
    expect(() => computeMetrics(['acuracy'], y, binary, { source: 'eval.csv' })).toThrow(
      /^eval.csv: unknown metric 'acuracy' for task binary-classification; known: accuracy, /,
    );
    const { y: my, pred } = sample['multiclass-classification'];
    expect(() => computeMetrics(['recall_class_3'], my, pred)).toThrow(
      /class 3 does not exist \(the model has 3 classes/,
    );
    expect(computeMetrics(['recall_class_2'], my, pred).recall_class_2).toBe(1);
    expect(knownMetrics('multiclass-classification')).toContain('recall_class_<k>');
  });

  it('rejects NaN scores, naming how many rows and the first', () => {
    const bad = Float64Array.from(scores);
    bad[2] = NaN;
    bad[4] = NaN;
    expect(() =>
      computeMetrics(['accuracy'], y, { task: 'binary-classification', scores: bad }, { source: 'p.csv' }),
    ).toThrow('p.csv: predictions: 2 row(s) have NaN or infinite scores (first at row 2)');
    const proba = Float64Array.from([0.5, 0.5, NaN, NaN, 0.5, 0.5]);
    expect(() =>
      computeMetrics(['accuracy'], Int32Array.from([0, 1, 0]), {
        task: 'multiclass-classification',
        proba,
        k: 2,
      }),
    ).toThrow('predictions: 1 row(s) have NaN or infinite scores (first at row 1)');
  });

  it('rejects labels and shapes that do not fit the task', () => {
    expect(() => computeMetrics(['accuracy'], Int32Array.from([0, 2, 1, 0, 1, 0]), binary)).toThrow(
      'label at row 1 is 2; binary-classification labels must be class indices 0..1',
    );
    expect(() => computeMetrics(['accuracy'], Int32Array.from([0, 1]), binary)).toThrow(
      'predictions have 6 rows but the labels have 2',
    );
    expect(() => computeMetrics(['accuracy'], Float64Array.from(y), binary)).toThrow(/must be an Int32Array/);
    expect(() =>
      computeMetrics(['rmse'], Int32Array.from([1]), { task: 'regression', values: Float64Array.from([1]) }),
    ).toThrow(/regression labels must be a Float64Array/);
    expect(() =>
      computeMetrics(['rmse'], Float64Array.from([1, NaN]), {
        task: 'regression',
        values: Float64Array.from([1, 2]),
      }),
    ).toThrow('label at row 1 is not a finite number: NaN');
    expect(() =>
      computeMetrics(['accuracy'], Int32Array.from([0]), {
        task: 'multiclass-classification',
        proba: Float64Array.from([0.2, 0.3, 0.5, 0.1]),
        k: 3,
      }),
    ).toThrow('probability array length 4 is not a multiple of k=3');
    expect(() =>
      computeMetrics(['accuracy'], new Int32Array(0), {
        task: 'binary-classification',
        scores: new Float64Array(0),
      }),
    ).toThrow('no rows to evaluate');
  });
});
