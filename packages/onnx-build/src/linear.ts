/**
 * Linear models built from standard ONNX ops (Sub, Div, MatMul, Add, Sigmoid/Softmax, ArgMax,
 * Gather) rather than ai.onnx.ml LinearClassifier: every runtime implements the standard ops, and
 * the graph reads like the computation (standardise → scores → probabilities → label).
 */
import type { onnx as O } from 'onnx-proto';
import { encodeModel, floatTensor, int64Tensor, node, tensorValueInfo } from './proto.js';
import { checkClasses, checkLength, checkMatrix, checkScale } from './validate.js';

export const INPUT_NAME = 'float_input';

/** Standardisation applied before the linear map: x' = (x - mean) / scale, as StandardScaler does. */
export interface Standardisation {
  mean?: number[];
  scale?: number[];
}

export interface LinearClassifierParams extends Standardisation {
  /** k×d coefficients; a single row means binary classification with a sigmoid. */
  weights: number[][];
  /** One intercept per row of `weights`. */
  intercepts: number[];
  /** int64 label for each class, in probability-column order; default 0..k-1 (k = 2 when binary). */
  classes?: number[];
}

export interface LinearRegressorParams extends Standardisation {
  weights: number[];
  intercept: number;
}

interface Built {
  nodes: O.INodeProto[];
  initializers: O.ITensorProto[];
  current: string;
}

function standardise(d: number, s: Standardisation): Built {
  const built: Built = { nodes: [], initializers: [], current: INPUT_NAME };
  if (s.mean) {
    checkLength('mean', s.mean, d, 'a model with this many features');
    built.initializers.push(floatTensor('mean', [d], s.mean));
    built.nodes.push(node('Sub', [built.current, 'mean'], ['centred']));
    built.current = 'centred';
  }
  if (s.scale) {
    checkLength('scale', s.scale, d, 'a model with this many features');
    checkScale(s.scale);
    built.initializers.push(floatTensor('scale', [d], s.scale));
    built.nodes.push(node('Div', [built.current, 'scale'], ['standardised']));
    built.current = 'standardised';
  }
  return built;
}

/** Appends scores = x·Wᵀ + b, with W given as k×d rows. */
function affine(built: Built, weights: number[][], intercepts: number[]): void {
  const k = weights.length;
  const d = weights[0]!.length;
  const transposed: number[] = [];
  for (let j = 0; j < d; j++) for (let c = 0; c < k; c++) transposed.push(weights[c]![j]!);
  built.initializers.push(
    floatTensor('coefficients', [d, k], transposed),
    floatTensor('intercepts', [k], intercepts),
  );
  built.nodes.push(node('MatMul', [built.current, 'coefficients'], ['linear']));
  built.nodes.push(node('Add', ['linear', 'intercepts'], ['scores']));
  built.current = 'scores';
}

export function linearClassifierModel(params: LinearClassifierParams): Uint8Array {
  const d = checkMatrix('weights', params.weights);
  const k = params.weights.length;
  checkLength('intercepts', params.intercepts, k, 'one per row of weights');
  const nClasses = k === 1 ? 2 : k;
  const classes = params.classes ?? Array.from({ length: nClasses }, (_, i) => i);
  checkClasses(classes, nClasses);

  const built = standardise(d, params);
  affine(built, params.weights, params.intercepts);
  if (k === 1) {
    built.initializers.push(floatTensor('one', [1], [1]));
    built.nodes.push(
      node('Sigmoid', ['scores'], ['positive']),
      node('Sub', ['one', 'positive'], ['negative']),
      node('Concat', ['negative', 'positive'], ['probabilities'], { axis: 1 }),
    );
  } else {
    built.nodes.push(node('Softmax', ['scores'], ['probabilities'], { axis: 1 }));
  }
  const identity = classes.every((c, i) => c === i);
  built.nodes.push(
    node('ArgMax', ['probabilities'], [identity ? 'label' : 'class_index'], { axis: 1, keepdims: 0 }),
  );
  if (!identity) {
    built.initializers.push(int64Tensor('classes', [nClasses], classes));
    built.nodes.push(node('Gather', ['classes', 'class_index'], ['label'], { axis: 0 }));
  }
  return encodeModel({
    name: 'linear_classifier',
    nodes: built.nodes,
    initializers: built.initializers,
    inputs: [tensorValueInfo(INPUT_NAME, 'float', ['N', d])],
    outputs: [
      tensorValueInfo('label', 'int64', ['N']),
      tensorValueInfo('probabilities', 'float', ['N', nClasses]),
    ],
  });
}

export function linearRegressorModel(params: LinearRegressorParams): Uint8Array {
  const d = checkMatrix('weights', [params.weights]);
  checkLength('intercept', [params.intercept], 1, 'a single-output regressor');
  const built = standardise(d, params);
  affine(built, [params.weights], [params.intercept]);
  built.nodes.push(node('Identity', ['scores'], ['variable']));
  return encodeModel({
    name: 'linear_regressor',
    nodes: built.nodes,
    initializers: built.initializers,
    inputs: [tensorValueInfo(INPUT_NAME, 'float', ['N', d])],
    outputs: [tensorValueInfo('variable', 'float', ['N', 1])],
  });
}
