export { linearClassifierModel, linearRegressorModel, INPUT_NAME } from './linear.js';
export type { LinearClassifierParams, LinearRegressorParams, Standardisation } from './linear.js';
export { treeEnsembleClassifierModel, treeEnsembleRegressorModel, checkTrees, isLeaf } from './tree.js';
export type {
  Aggregate,
  LeafNode,
  SplitNode,
  Tree,
  TreeNode,
  TreeEnsembleClassifierParams,
  TreeEnsembleRegressorParams,
} from './tree.js';
export { randomForest, seededRandom } from './forest.js';
export type { RandomForestOptions } from './forest.js';
export {
  predictLinearClassifier,
  predictLinearRegressor,
  predictTreeEnsembleClassifier,
  predictTreeEnsembleRegressor,
  leafOf,
  sigmoid,
  softmax,
} from './reference.js';
export type { ClassifierOutput } from './reference.js';
export { IR_VERSION, ONNX_OPSET, ML_OPSET } from './proto.js';
