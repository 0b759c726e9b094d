/**
 * Deterministic random forests of a chosen size, for benchmarks: the shape (trees × depth) is what
 * matters there, not fit quality. With data, every split uses a real value of its feature among the
 * rows reaching the node (a random quantile), so rows spread over the leaves as in a fitted forest.
 */
import type { Tree, TreeNode } from './tree.js';

export interface RandomForestOptions {
  trees: number;
  /** Depth of every (full) tree: 2^depth leaves. */
  depth: number;
  /** Number of features. */
  d: number;
  seed: number;
  /** Rows of d values to draw thresholds from. */
  data?: ArrayLike<number>[];
  /** Labels for `data`: leaves then hold the class frequencies (or mean value) of their rows. */
  labels?: ArrayLike<number>;
  /** Number of classes; leaves hold class probabilities. Omit (or 0) for regression leaves. */
  nClasses?: number;
}

/** mulberry32: tiny, fast, and the same sequence on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export function randomForest(options: RandomForestOptions): Tree[] {
  const { trees, depth, d, data, labels } = options;
  const nClasses = options.nClasses ?? 0;
  for (const [name, v, min] of [
    ['trees', trees, 1],
    ['depth', depth, 0],
    ['d', d, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min)
      throw new RangeError(`randomForest: ${name} must be an integer >= ${min}, got ${v}`);
  }
  if (nClasses === 1 || !Number.isInteger(nClasses) || nClasses < 0) {
    throw new RangeError(`randomForest: nClasses must be 0 (regression) or at least 2, got ${nClasses}`);
  }
  data?.forEach((row, i) => {
    if (row.length !== d)
      throw new RangeError(`randomForest: data[${i}] has ${row.length} values; d is ${d}`);
  });
  if (labels && (!data || labels.length !== data.length)) {
    throw new RangeError(
      `randomForest: labels need one value per data row (${data?.length ?? 0}), got ${labels.length}`,
    );
  }
  if (labels && nClasses > 0) {
    for (let i = 0; i < labels.length; i++) {
      const y = labels[i]!;
      if (!Number.isInteger(y) || y < 0 || y >= nClasses) {
        throw new RangeError(`randomForest: labels[${i}] is ${y}; classes are 0..${nClasses - 1}`);
      }
    }
  }

  const random = seededRandom(options.seed);
  const allRows = data ? data.map((_, i) => i) : [];

  const leafValues = (rows: number[]): number[] => {
    if (nClasses === 0) {
      if (labels && rows.length > 0) return [rows.reduce((s, i) => s + labels[i]!, 0) / rows.length];
      return [normal(random)];
    }
    // Laplace smoothing keeps every class possible at every leaf, as real forests' averages do.
    const counts = Array.from({ length: nClasses }, () => (labels ? 1 : random()));
    if (labels) for (const i of rows) counts[labels[i]!]! += 1;
    const total = counts.reduce((a, b) => a + b, 0);
    return counts.map((c) => c / total);
  };

  const threshold = (feature: number, rows: number[]): number => {
    if (!data || rows.length === 0) return normal(random);
    const values = rows.map((i) => data[i]![feature]!).sort((a, b) => a - b);
    const q = 0.1 + 0.8 * random();
    return values[Math.floor(q * (values.length - 1))]!;
  };

  const grow = (nodes: TreeNode[], level: number, rows: number[]): number => {
    const index = nodes.length;
    if (level === depth) {
      nodes.push({ leaf: leafValues(rows) });
      return index;
    }
    const feature = Math.floor(random() * d);
    const t = threshold(feature, rows);
    const split = { feature, threshold: t, left: -1, right: -1 };
    nodes.push(split);
    const f32 = Math.fround(t);
    const goesLeft = (i: number) => Math.fround(data![i]![feature]!) <= f32;
    split.left = grow(nodes, level + 1, data ? rows.filter(goesLeft) : rows);
    split.right = grow(nodes, level + 1, data ? rows.filter((i) => !goesLeft(i)) : rows);
    return index;
  };

  return Array.from({ length: trees }, () => {
    const nodes: TreeNode[] = [];
    grow(nodes, 0, allRows);
    return { nodes };
  });
}
