/**
 * Tree ensembles as ai.onnx.ml TreeEnsembleClassifier / TreeEnsembleRegressor (the ops skl2onnx
 * emits for forests and boosted trees), built from a plain node-list description.
 */
import { encodeModel, floatTensor, int64Tensor, ML_DOMAIN, node, tensorValueInfo } from './proto.js';
import type { AttrValue } from './proto.js';
import { checkClasses } from './validate.js';
import { INPUT_NAME } from './linear.js';

/** Internal node: rows with x[feature] <= threshold go to `left`, the others to `right`. */
export interface SplitNode {
  feature: number;
  threshold: number;
  left: number;
  right: number;
}

/** Leaf: one weight per class for a classifier, a single value for a regressor. */
export interface LeafNode {
  leaf: number[];
}

export type TreeNode = SplitNode | LeafNode;

/** One tree; `nodes[0]` is the root and children are indices into `nodes`. */
export interface Tree {
  nodes: TreeNode[];
}

/**
 * 'average' divides every leaf by the number of trees (a random forest); 'sum' adds them (boosting).
 */
export type Aggregate = 'sum' | 'average';

export interface TreeEnsembleClassifierParams {
  trees: Tree[];
  /** Number of input features d. */
  nFeatures: number;
  /** int64 label per class, in probability-column order; default 0..k-1 (k = leaf length). */
  classes?: number[];
  aggregate?: Aggregate;
}

export interface TreeEnsembleRegressorParams {
  trees: Tree[];
  nFeatures: number;
  aggregate?: Aggregate;
  /** Added to every prediction (the init score of boosted trees). */
  baseValue?: number;
}

export function isLeaf(n: TreeNode): n is LeafNode {
  return 'leaf' in n;
}

/** Checks each tree is a proper tree over d features with leaves of `leafSize` values. */
export function checkTrees(trees: Tree[], d: number, leafSize: number): void {
  if (trees.length === 0) throw new RangeError('trees must contain at least one tree');
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`nFeatures must be a positive integer, got ${d}`);
  trees.forEach((tree, t) => {
    const seen = new Set<number>();
    const stack = [0];
    if (tree.nodes.length === 0) throw new RangeError(`trees[${t}] has no nodes`);
    while (stack.length > 0) {
      const i = stack.pop()!;
      const where = `trees[${t}].nodes[${i}]`;
      if (seen.has(i)) throw new RangeError(`${where} is reached twice; a tree's nodes must form a tree`);
      seen.add(i);
      const n = tree.nodes[i]!;
      if (isLeaf(n)) {
        if (n.leaf.length !== leafSize) {
          throw new RangeError(`${where}.leaf has ${n.leaf.length} values; expected ${leafSize}`);
        }
        if (!n.leaf.every(Number.isFinite)) throw new RangeError(`${where}.leaf must be finite numbers`);
        continue;
      }
      if (!Number.isInteger(n.feature) || n.feature < 0 || n.feature >= d) {
        throw new RangeError(`${where}.feature is ${n.feature}; features are 0..${d - 1}`);
      }
      if (!Number.isFinite(n.threshold)) throw new RangeError(`${where}.threshold must be finite`);
      for (const child of [n.left, n.right]) {
        if (!Number.isInteger(child) || child < 0 || child >= tree.nodes.length) {
          throw new RangeError(`${where} points to node ${child}, which does not exist`);
        }
        stack.push(child);
      }
    }
    if (seen.size !== tree.nodes.length) {
      throw new RangeError(
        `trees[${t}] has ${tree.nodes.length - seen.size} node(s) unreachable from the root`,
      );
    }
  });
}

/** Attribute arrays shared by both ops; leaf values are handed to `onLeaf`. */
function nodeAttributes(trees: Tree[], onLeaf: (treeId: number, nodeId: number, leaf: number[]) => void) {
  const a = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    values: [] as number[],
    modes: [] as string[],
    trueIds: [] as number[],
    falseIds: [] as number[],
  };
  trees.forEach((tree, t) => {
    tree.nodes.forEach((n, i) => {
      a.treeIds.push(t);
      a.nodeIds.push(i);
      if (isLeaf(n)) {
        a.featureIds.push(0);
        a.values.push(0);
        a.modes.push('LEAF');
        a.trueIds.push(0);
        a.falseIds.push(0);
        onLeaf(t, i, n.leaf);
      } else {
        a.featureIds.push(n.feature);
        a.values.push(n.threshold);
        a.modes.push('BRANCH_LEQ');
        a.trueIds.push(n.left);
        a.falseIds.push(n.right);
      }
    });
  });
  const attrs: Record<string, AttrValue> = {
    nodes_treeids: { ints: a.treeIds },
    nodes_nodeids: { ints: a.nodeIds },
    nodes_featureids: { ints: a.featureIds },
    nodes_values: { floats: a.values },
    nodes_modes: a.modes,
    nodes_truenodeids: { ints: a.trueIds },
    nodes_falsenodeids: { ints: a.falseIds },
    post_transform: 'NONE',
  };
  return attrs;
}

function leafFactor(trees: Tree[], aggregate: Aggregate | undefined): number {
  return (aggregate ?? 'average') === 'average' ? 1 / trees.length : 1;
}

export function treeEnsembleClassifierModel(params: TreeEnsembleClassifierParams): Uint8Array {
  const first = params.trees[0]?.nodes.find(isLeaf);
  const k = first?.leaf.length ?? 0;
  if (k < 2) throw new RangeError(`classifier leaves need one weight per class (at least 2), got ${k}`);
  checkTrees(params.trees, params.nFeatures, k);
  const classes = params.classes ?? Array.from({ length: k }, (_, i) => i);
  checkClasses(classes, k);
  const factor = leafFactor(params.trees, params.aggregate);
  if (k === 2) checkBinaryLeaves(params);
  // onnxruntime labels a two-class model by "score of class 1 > 0.5" only when class 1 alone
  // carries weights (otherwise by "> 0", i.e. always class 1), and then leaves column 0 empty: so
  // binary forests carry class-1 probabilities only, and standard ops rebuild [1 - p1, p1].
  const cls = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    ids: [] as number[],
    weights: [] as number[],
  };
  const attrs = nodeAttributes(params.trees, (t, i, leaf) => {
    leaf.forEach((w, c) => {
      if (k === 2 && c === 0) return;
      cls.treeIds.push(t);
      cls.nodeIds.push(i);
      cls.ids.push(c);
      cls.weights.push(w * factor);
    });
  });
  Object.assign(attrs, {
    class_treeids: { ints: cls.treeIds },
    class_nodeids: { ints: cls.nodeIds },
    class_ids: { ints: cls.ids },
    class_weights: { floats: cls.weights },
    classlabels_int64s: { ints: classes },
  });
  const d = params.nFeatures;
  const nodes = [
    node(
      'TreeEnsembleClassifier',
      [INPUT_NAME],
      ['label', k === 2 ? 'tree_scores' : 'probabilities'],
      attrs,
      ML_DOMAIN,
    ),
  ];
  const initializers = [];
  if (k === 2) {
    initializers.push(int64Tensor('positive_column', [1], [1]), floatTensor('one', [1], [1]));
    nodes.push(
      node('Gather', ['tree_scores', 'positive_column'], ['positive'], { axis: 1 }),
      node('Sub', ['one', 'positive'], ['negative']),
      node('Concat', ['negative', 'positive'], ['probabilities'], { axis: 1 }),
    );
  }
  return encodeModel({
    name: 'tree_ensemble_classifier',
    nodes,
    initializers,
    inputs: [tensorValueInfo(INPUT_NAME, 'float', ['N', d])],
    outputs: [tensorValueInfo('label', 'int64', ['N']), tensorValueInfo('probabilities', 'float', ['N', k])],
    usesMl: true,
  });
}

/** The two-class encoding above is only faithful for averaged probability leaves. */
function checkBinaryLeaves(params: TreeEnsembleClassifierParams): void {
  if ((params.aggregate ?? 'average') !== 'average') {
    throw new RangeError("a two-class tree ensemble needs aggregate 'average' over probability leaves");
  }
  params.trees.forEach((tree, t) =>
    tree.nodes.forEach((n, i) => {
      if (!isLeaf(n)) return;
      const [p0, p1] = n.leaf as [number, number];
      if (p0 < 0 || p1 < 0 || Math.abs(p0 + p1 - 1) > 1e-6) {
        throw new RangeError(
          `trees[${t}].nodes[${i}].leaf must be probabilities summing to 1 in a two-class model`,
        );
      }
    }),
  );
}

export function treeEnsembleRegressorModel(params: TreeEnsembleRegressorParams): Uint8Array {
  checkTrees(params.trees, params.nFeatures, 1);
  if (params.baseValue !== undefined && !Number.isFinite(params.baseValue)) {
    throw new RangeError(`baseValue must be finite, got ${params.baseValue}`);
  }
  const target = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    ids: [] as number[],
    weights: [] as number[],
  };
  const attrs = nodeAttributes(params.trees, (t, i, leaf) => {
    target.treeIds.push(t);
    target.nodeIds.push(i);
    target.ids.push(0);
    target.weights.push(leaf[0]!);
  });
  Object.assign(attrs, {
    n_targets: 1,
    target_treeids: { ints: target.treeIds },
    target_nodeids: { ints: target.nodeIds },
    target_ids: { ints: target.ids },
    target_weights: { floats: target.weights },
    aggregate_function: (params.aggregate ?? 'average') === 'average' ? 'AVERAGE' : 'SUM',
    base_values: { floats: [params.baseValue ?? 0] },
  });
  const d = params.nFeatures;
  return encodeModel({
    name: 'tree_ensemble_regressor',
    nodes: [node('TreeEnsembleRegressor', [INPUT_NAME], ['variable'], attrs, ML_DOMAIN)],
    initializers: [],
    inputs: [tensorValueInfo(INPUT_NAME, 'float', ['N', d])],
    outputs: [tensorValueInfo('variable', 'float', ['N', 1])],
    usesMl: true,
  });
}
