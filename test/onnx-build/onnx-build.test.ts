import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import {
  linearClassifierModel,
  linearRegressorModel,
  predictLinearClassifier,
  predictLinearRegressor,
  predictTreeEnsembleClassifier,
  predictTreeEnsembleRegressor,
  randomForest,
  seededRandom,
  treeEnsembleClassifierModel,
  treeEnsembleRegressorModel,
} from '@mlops-actions/onnx-build';
import type { LinearClassifierParams, Tree } from '@mlops-actions/onnx-build';
import { labels, matrix, maxAbsDiff, onnxCheck, runModel } from './helpers.js';

const { onnx } = onnxProto;

function randomRows(n: number, d: number, seed: number, spread = 3): number[][] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => (random() - 0.5) * 2 * spread));
}

const rows = randomRows(64, 4, 7);
// Labels that depend on the features, so data-driven leaves are not uniform.
const labels3 = rows.map((r) => (r[0]! > 1 ? 2 : r[1]! > 0 ? 1 : 0));
const labels2 = rows.map((r) => (r[0]! + r[2]! > 0 ? 1 : 0));

const binary: LinearClassifierParams = {
  weights: [[0.8, -1.2, 0.3, 2.5]],
  intercepts: [-0.4],
  mean: [0.1, -0.2, 0.3, 0],
  scale: [1.5, 0.5, 2, 1],
  classes: [3, 7],
};
const multiclass: LinearClassifierParams = {
  weights: [
    [1, -0.5, 0.25, 0],
    [-1, 0.5, 0, 2],
    [0.1, 0.2, -0.3, -1],
  ],
  intercepts: [0.2, -0.1, 0],
};
const regressor = { weights: [1.5, -2, 0.5, 3], intercept: 152.1, mean: [1, 2, 3, 4], scale: [2, 2, 2, 2] };
const forest3 = randomForest({
  trees: 20,
  depth: 4,
  d: 4,
  seed: 11,
  data: rows,
  labels: labels3,
  nClasses: 3,
});
const forest2 = randomForest({
  trees: 100,
  depth: 5,
  d: 4,
  seed: 12,
  data: rows,
  labels: labels2,
  nClasses: 2,
});
const forestReg = randomForest({ trees: 10, depth: 3, d: 4, seed: 13, data: rows, labels: labels3 });

const models = {
  binary: linearClassifierModel(binary),
  multiclass: linearClassifierModel(multiclass),
  regressor: linearRegressorModel(regressor),
  forest3: treeEnsembleClassifierModel({ trees: forest3, nFeatures: 4, classes: [10, 20, 30] }),
  forest2: treeEnsembleClassifierModel({ trees: forest2, nFeatures: 4 }),
  forestReg: treeEnsembleRegressorModel({ trees: forestReg, nFeatures: 4 }),
  boosted: treeEnsembleRegressorModel({ trees: forestReg, nFeatures: 4, aggregate: 'sum', baseValue: 0.5 }),
};

describe('generated models are valid ONNX', () => {
  it('every model passes onnx.checker (python onnx 1.12, full check)', () => {
    expect(onnxCheck(models)).toEqual({});
  });

  it('declares IR 8, opset 15 and ai.onnx.ml 3 only when tree ops are used', () => {
    const linear = onnx.ModelProto.decode(models.binary);
    expect(Number(linear.irVersion)).toBe(8);
    expect(linear.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 15]]);
    const trees = onnx.ModelProto.decode(models.forest3);
    expect(trees.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([
      ['', 15],
      ['ai.onnx.ml', 3],
    ]);
    expect(linear.graph?.input?.[0]?.name).toBe('float_input');
    expect(linear.graph?.output?.map((o) => o.name)).toEqual(['label', 'probabilities']);
    expect(onnx.ModelProto.decode(models.regressor).graph?.output?.map((o) => o.name)).toEqual(['variable']);
  });

  it('the checker harness does report a broken model', () => {
    // An ArgMax wired to a name no node produces: structurally decodable, semantically invalid.
    const broken = onnx.ModelProto.decode(models.multiclass);
    const nodes = broken.graph?.node ?? [];
    nodes[nodes.length - 1]!.input = ['nowhere'];
    const problems = onnxCheck({ broken: onnx.ModelProto.encode(broken).finish() });
    expect(problems.broken).toMatch(/nowhere/);
  });

  it('gives byte-identical models for identical parameters', () => {
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
    expect(same(linearClassifierModel(binary), models.binary)).toBe(true);
    const again = randomForest({
      trees: 100,
      depth: 5,
      d: 4,
      seed: 12,
      data: rows,
      labels: labels2,
      nClasses: 2,
    });
    expect(same(treeEnsembleClassifierModel({ trees: again, nFeatures: 4 }), models.forest2)).toBe(true);
  });
});

describe('onnxruntime agrees with the plain TypeScript computation to 1e-5', () => {
  it('binary logistic model with standardisation and custom class labels', async () => {
    const out = await runModel(models.binary, rows);
    const expected = predictLinearClassifier(binary, rows);
    expect(labels(out.label!)).toEqual(expected.label);
    expect(maxAbsDiff(matrix(out.probabilities!), expected.probabilities)).toBeLessThan(1e-5);
    expect(new Set(expected.label)).toEqual(new Set([3, 7]));
  });

  it('multiclass softmax model', async () => {
    const out = await runModel(models.multiclass, rows);
    const expected = predictLinearClassifier(multiclass, rows);
    expect(labels(out.label!)).toEqual(expected.label);
    expect(maxAbsDiff(matrix(out.probabilities!), expected.probabilities)).toBeLessThan(1e-5);
    expect(new Set(expected.label).size).toBe(3);
  });

  it('linear regressor outputs variable [N, 1]', async () => {
    const out = await runModel(models.regressor, rows);
    expect(out.variable!.dims).toEqual([rows.length, 1]);
    const got = Array.from(out.variable!.data as Float32Array);
    // Relative to the outputs' size (~150): float32 carries about 7 significant digits.
    expect(maxAbsDiff(got, predictLinearRegressor(regressor, rows)) / 152).toBeLessThan(1e-5);
  });

  it('three-class forest with label mapping', async () => {
    const out = await runModel(models.forest3, rows);
    const expected = predictTreeEnsembleClassifier(
      { trees: forest3, nFeatures: 4, classes: [10, 20, 30] },
      rows,
    );
    expect(labels(out.label!)).toEqual(expected.label);
    expect(maxAbsDiff(matrix(out.probabilities!), expected.probabilities)).toBeLessThan(1e-5);
  });

  it('two-class 100-tree forest: probabilities [1 - p1, p1] and label p1 > 0.5', async () => {
    const out = await runModel(models.forest2, rows);
    const expected = predictTreeEnsembleClassifier({ trees: forest2, nFeatures: 4 }, rows);
    expect(labels(out.label!)).toEqual(expected.label);
    expect(maxAbsDiff(matrix(out.probabilities!), expected.probabilities)).toBeLessThan(1e-5);
    // The forest learnt something from its data-driven leaves, so both labels occur.
    expect(new Set(expected.label)).toEqual(new Set([0, 1]));
  });

  it('tree regressor, averaged and summed with a base value', async () => {
    const avg = await runModel(models.forestReg, rows);
    expect(
      maxAbsDiff(
        Array.from(avg.variable!.data as Float32Array),
        predictTreeEnsembleRegressor({ trees: forestReg, nFeatures: 4 }, rows),
      ),
    ).toBeLessThan(1e-5);
    const sum = await runModel(models.boosted, rows);
    const expected = predictTreeEnsembleRegressor(
      { trees: forestReg, nFeatures: 4, aggregate: 'sum', baseValue: 0.5 },
      rows,
    );
    expect(maxAbsDiff(Array.from(sum.variable!.data as Float32Array), expected)).toBeLessThan(1e-5);
  });

  it('a hand-written tree routes x <= threshold left, including equality', async () => {
    const tree: Tree = {
      nodes: [{ feature: 1, threshold: 0.5, left: 1, right: 2 }, { leaf: [-1] }, { leaf: [4] }],
    };
    const model = treeEnsembleRegressorModel({ trees: [tree], nFeatures: 2 });
    const out = await runModel(model, [
      [9, 0.5],
      [9, 0.6],
      [9, -3],
    ]);
    expect(Array.from(out.variable!.data as Float32Array)).toEqual([-1, 4, -1]);
  });
});

describe('randomForest', () => {
  it('is deterministic in its seed and has the requested shape', () => {
    const a = randomForest({ trees: 3, depth: 4, d: 4, seed: 5 });
    expect(randomForest({ trees: 3, depth: 4, d: 4, seed: 5 })).toEqual(a);
    expect(randomForest({ trees: 3, depth: 4, d: 4, seed: 6 })).not.toEqual(a);
    expect(a).toHaveLength(3);
    for (const t of a) expect(t.nodes).toHaveLength(2 ** 5 - 1);
  });

  it('splits on values present in the data among the rows reaching the node', () => {
    const values = new Set(rows.flat());
    for (const tree of forest3) {
      for (const n of tree.nodes) if ('threshold' in n) expect(values.has(n.threshold)).toBe(true);
    }
    const leaves = forest3.flatMap((t) => t.nodes.filter((n) => 'leaf' in n));
    for (const leaf of leaves) {
      const sum = (leaf as { leaf: number[] }).leaf.reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 12);
    }
  });

  it('rejects impossible shapes and labels with the parameter named', () => {
    expect(() => randomForest({ trees: 0, depth: 2, d: 2, seed: 1 })).toThrow(
      /trees must be an integer >= 1/,
    );
    expect(() => randomForest({ trees: 1, depth: 2, d: 2, seed: 1, nClasses: 1 })).toThrow(/nClasses/);
    expect(() => randomForest({ trees: 1, depth: 2, d: 3, seed: 1, data: [[1, 2]] })).toThrow(
      /data\[0\] has 2 values; d is 3/,
    );
    expect(() =>
      randomForest({ trees: 1, depth: 2, d: 2, seed: 1, data: [[1, 2]], labels: [5], nClasses: 2 }),
    ).toThrow(/labels\[0\] is 5/);
    expect(() => randomForest({ trees: 1, depth: 2, d: 2, seed: 1, data: [[1, 2]], labels: [0, 1] })).toThrow(
      /one value per data row/,
    );
  });
});

describe('bad parameters fail with a message naming the parameter', () => {
  it('linear models', () => {
    expect(() => linearClassifierModel({ weights: [[1, 2], [3]], intercepts: [0, 0] })).toThrow(
      /weights\[1\] has 1 values; weights\[0\] has 2/,
    );
    expect(() => linearClassifierModel({ weights: [[1, 2]], intercepts: [0, 0] })).toThrow(
      /intercepts has 2 values/,
    );
    expect(() => linearClassifierModel({ weights: [[1, NaN]], intercepts: [0] })).toThrow(
      /weights\[0\]\[1\] must be a finite/,
    );
    expect(() => linearClassifierModel({ weights: [[1, 2]], intercepts: [0], mean: [1] })).toThrow(
      /mean has 1 values/,
    );
    expect(() => linearClassifierModel({ weights: [[1, 2]], intercepts: [0], scale: [1, 0] })).toThrow(
      /scale\[1\] is 0/,
    );
    expect(() => linearClassifierModel({ weights: [[1, 2]], intercepts: [0], classes: [1, 1] })).toThrow(
      /duplicates/,
    );
    expect(() => linearClassifierModel({ weights: [[1, 2]], intercepts: [0], classes: [0, 1, 2] })).toThrow(
      /classes has 3 values/,
    );
    expect(() => linearClassifierModel({ weights: [], intercepts: [] })).toThrow(/at least one row/);
    expect(() => linearRegressorModel({ weights: [1], intercept: Infinity })).toThrow(
      /intercept\[0\] must be a finite/,
    );
  });

  it('tree ensembles', () => {
    const leaf = { leaf: [0.5, 0.5] };
    const split = { feature: 0, threshold: 1, left: 1, right: 2 };
    expect(() => treeEnsembleClassifierModel({ trees: [{ nodes: [split, leaf] }], nFeatures: 2 })).toThrow(
      /trees\[0\].nodes\[0\] points to node 2, which does not exist/,
    );
    expect(() =>
      treeEnsembleClassifierModel({
        trees: [{ nodes: [{ ...split, feature: 5 }, leaf, leaf] }],
        nFeatures: 2,
      }),
    ).toThrow(/nodes\[0\].feature is 5; features are 0..1/);
    expect(() =>
      treeEnsembleClassifierModel({ trees: [{ nodes: [{ ...split, right: 1 }, leaf] }], nFeatures: 2 }),
    ).toThrow(/reached twice/);
    expect(() => treeEnsembleClassifierModel({ trees: [{ nodes: [leaf, leaf] }], nFeatures: 2 })).toThrow(
      /1 node\(s\) unreachable/,
    );
    expect(() =>
      treeEnsembleClassifierModel({ trees: [{ nodes: [{ leaf: [0.5, 0.7] }] }], nFeatures: 2 }),
    ).toThrow(/summing to 1/);
    expect(() =>
      treeEnsembleClassifierModel({
        trees: [{ nodes: [{ leaf: [0.5, 0.5] }] }],
        nFeatures: 2,
        aggregate: 'sum',
      }),
    ).toThrow(/aggregate 'average'/);
    expect(() => treeEnsembleClassifierModel({ trees: [{ nodes: [{ leaf: [1] }] }], nFeatures: 2 })).toThrow(
      /at least 2/,
    );
    expect(() => treeEnsembleRegressorModel({ trees: [{ nodes: [leaf] }], nFeatures: 2 })).toThrow(
      /nodes\[0\].leaf has 2 values; expected 1/,
    );
    expect(() => treeEnsembleRegressorModel({ trees: [], nFeatures: 2 })).toThrow(/at least one tree/);
  });
});
