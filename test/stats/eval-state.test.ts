import { describe, expect, it } from 'vitest';
import { InputError } from '../../packages/core/src/errors.js';
import type { Predictions } from '../../packages/core/src/index.js';
import { computeMetrics } from '../../packages/metrics/src/index.js';
import type { EvalState } from '../../packages/metrics/src/index.js';
import {
  createEvalState,
  evalStateArrays,
  mergeEvalStates,
  pairedBootstrap,
} from '../../packages/metrics/src/index.js';

const n = 3000;
let s = 12345;
const rand = () => {
  s = (Math.imul(s, 1103515245) + 12345) >>> 0;
  return s / 4294967296;
};
const y = Int32Array.from({ length: n }, () => (rand() < 0.35 ? 1 : 0));
const cand = Float64Array.from(y, (v) => Math.round((0.3 * v + 0.7 * rand()) * 50) / 50);
const base = Float64Array.from(y, (v) => 0.15 * v + 0.85 * rand());
const candidate: Predictions = { task: 'binary-classification', scores: cand };
const baseline: Predictions = { task: 'binary-classification', scores: base };
const NAMES = ['accuracy', 'f1', 'roc_auc', 'pr_auc', 'log_loss', 'brier', 'mcc'];
const BOOT = { replicates: 100, level: 0.9, seed: 3 };

/** Rows i with i % shards === s, carrying their global row numbers as keys. */
function shard(index: number, shards: number): EvalState {
  const rows = Array.from({ length: n }, (_, i) => i).filter((i) => i % shards === index);
  const pick = (a: Float64Array) => Float64Array.from(rows, (i) => a[i] as number);
  const state = createEvalState({
    y: Int32Array.from(rows, (i) => y[i] as number),
    candidate: { task: 'binary-classification', scores: pick(cand) },
    baseline: { task: 'binary-classification', scores: pick(base) },
    rowKeys: Uint32Array.from(rows),
    timings: { inference: 10 },
  });
  return JSON.parse(JSON.stringify(state)) as EvalState; // it travels as a JSON artifact
}

describe('EvalState shards', () => {
  it('merged shards give exactly the unsharded metrics and intervals', async () => {
    const merged = mergeEvalStates([shard(2, 3), shard(0, 3), shard(1, 3)]);
    expect(merged.counters).toEqual({ shards: 3, rows: n });
    expect(merged.timings).toEqual({ inference: 30 });
    // As the evaluate stage summarises a merged state: its arrays, their metrics, their bootstrap.
    const a = evalStateArrays(merged);
    expect(computeMetrics(NAMES, a.y, a.candidate)).toStrictEqual(computeMetrics(NAMES, y, candidate));
    expect(computeMetrics(NAMES, a.y, a.baseline!)).toStrictEqual(computeMetrics(NAMES, y, baseline));
    const fromShards = await pairedBootstrap({
      names: NAMES,
      y: a.y,
      candidate: a.candidate,
      baseline: a.baseline,
      rowKeys: a.rowKeys,
      ...BOOT,
    });
    const unsharded = await pairedBootstrap({ names: NAMES, y, candidate, baseline, ...BOOT });
    for (const name of NAMES) {
      expect(fromShards[name]?.ci[0]).toBe(unsharded[name]?.ci[0]);
      expect(fromShards[name]?.ci[1]).toBe(unsharded[name]?.ci[1]);
    }
    expect(fromShards).toStrictEqual(unsharded);
  });

  it('round-trips the arrays of a single state', () => {
    const state = createEvalState({ y, candidate, baseline });
    const a = evalStateArrays(JSON.parse(JSON.stringify(state)) as EvalState);
    expect(a.y).toStrictEqual(y);
    expect(a.candidate).toStrictEqual(candidate);
    expect(a.rowKeys[n - 1]).toBe(n - 1);
  });

  it('rejects overlapping shards, naming both', () => {
    expect(() =>
      mergeEvalStates([shard(0, 2), shard(1, 2), shard(0, 2)], ['a.json', 'b.json', 'c.json']),
    ).toThrow('row key 0 appears in both a.json and c.json; shards must not overlap');
  });

  it('rejects shards of another task, class count or baseline presence', () => {
    const reg = createEvalState({
      y: Float64Array.from([1, 2]),
      candidate: { task: 'regression', values: Float64Array.from([1, 2]) },
    });
    expect(() => mergeEvalStates([shard(0, 2), reg])).toThrow(
      "shard 1: task regression does not match shard 0's binary-classification",
    );
    const mc = (k: number) =>
      createEvalState({
        y: Int32Array.from([0]),
        candidate: { task: 'multiclass-classification', proba: new Float64Array(k).fill(1 / k), k },
      });
    expect(() => mergeEvalStates([mc(3), mc(4)], ['x.json', 'y.json'])).toThrow(
      "y.json: 4 classes do not match x.json's 3",
    );
    const noBaseline = createEvalState({
      y: Int32Array.from([0]),
      candidate: { task: 'binary-classification', scores: Float64Array.from([0.2]) },
    });
    expect(() => mergeEvalStates([shard(0, 2), noBaseline])).toThrow(
      'shard 1: has no baseline, unlike shard 0',
    );
    expect(() => mergeEvalStates([])).toThrow(InputError);
  });

  it('rejects a corrupted field, naming it', () => {
    const state = shard(0, 2);
    expect(() =>
      evalStateArrays({ ...state, candidate: state.candidate.slice(0, 16) }, 'shard-0.json'),
    ).toThrow(/^shard-0.json: field 'candidate' holds 12 bytes, expected 12000$/);
  });
});
