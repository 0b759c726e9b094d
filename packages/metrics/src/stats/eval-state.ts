import { InputError } from '@mlops-actions/core';
import { rowCount, validateInputs } from '../prepare.js';
import type { Labels, Predictions, Task } from '../types.js';

/**
 * What one shard of an evaluation carries so that merged shards reproduce the unsharded run
 * exactly: the rows themselves (keys, labels, both models' predictions) as base64 of their
 * little-endian bytes, plus counters and timings. Plain JSON, so it travels as an artifact.
 */
export interface EvalState {
  version: 1;
  task: Task;
  /** Classes (2 binary, k multiclass, 0 regression). */
  k: number;
  rows: number;
  /** Float64Array bytes of the row keys (global row numbers by default). */
  rowKeys: string;
  /** Int32Array (classification) or Float64Array (regression) bytes. */
  labels: string;
  /** Float64Array bytes: scores, n×k probabilities, or values. */
  candidate: string;
  baseline?: string;
  counters: { shards: number; rows: number };
  /** Milliseconds per phase, summed over shards. */
  timings: Record<string, number>;
}

export interface EvalArrays {
  task: Task;
  k: number;
  rowKeys: Float64Array;
  y: Labels;
  candidate: Predictions;
  baseline?: Predictions;
}

export interface CreateEvalStateOptions {
  y: Labels;
  candidate: Predictions;
  baseline?: Predictions;
  /** Global keys of these rows; default 0..n-1 (only right for an unsharded run). */
  rowKeys?: Float64Array | Uint32Array;
  timings?: Record<string, number>;
  source?: string;
}

function toBase64(a: Float64Array | Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromBase64<T extends Float64Array | Int32Array>(
  b64: string,
  Ctor: { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number },
  expected: number,
  field: string,
  source: string,
): T {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.byteLength !== expected * Ctor.BYTES_PER_ELEMENT) {
    throw new InputError(
      `${source}: field '${field}' holds ${bytes.byteLength} bytes, expected ${expected * Ctor.BYTES_PER_ELEMENT}`,
    );
  }
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return new Ctor(copy);
}

function values(p: Predictions): Float64Array {
  return p.task === 'binary-classification'
    ? p.scores
    : p.task === 'multiclass-classification'
      ? p.proba
      : p.values;
}

function predictions(task: Task, v: Float64Array, k: number): Predictions {
  if (task === 'binary-classification') return { task, scores: v };
  if (task === 'multiclass-classification') return { task, proba: v, k };
  return { task, values: v };
}

function classesOf(p: Predictions): number {
  return p.task === 'binary-classification' ? 2 : p.task === 'multiclass-classification' ? p.k : 0;
}

export function createEvalState(opts: CreateEvalStateOptions): EvalState {
  const { y, candidate, baseline } = opts;
  const n = validateInputs(y, candidate, opts.source, 'candidate predictions');
  if (baseline) validateInputs(y, baseline, opts.source, 'baseline predictions');
  if (baseline && (baseline.task !== candidate.task || classesOf(baseline) !== classesOf(candidate))) {
    throw new InputError(
      `${opts.source ?? 'evaluation'}: baseline and candidate predict different tasks or classes`,
    );
  }
  if (opts.rowKeys && opts.rowKeys.length !== n) {
    throw new InputError(`${opts.source ?? 'evaluation'}: ${opts.rowKeys.length} row keys for ${n} rows`);
  }
  const keys = opts.rowKeys ? Float64Array.from(opts.rowKeys) : Float64Array.from({ length: n }, (_, i) => i);
  const labels = candidate.task === 'regression' ? Float64Array.from(y) : Int32Array.from(y);
  const state: EvalState = {
    version: 1,
    task: candidate.task,
    k: classesOf(candidate),
    rows: n,
    rowKeys: toBase64(keys),
    labels: toBase64(labels),
    candidate: toBase64(values(candidate)),
    counters: { shards: 1, rows: n },
    timings: { ...(opts.timings ?? {}) },
  };
  if (baseline) state.baseline = toBase64(values(baseline));
  return state;
}

/** Decodes a state (checking every field's size) into the arrays the metric functions take. */
export function evalStateArrays(state: EvalState, source = 'evaluation state'): EvalArrays {
  if (state.version !== 1)
    throw new InputError(`${source}: unsupported state version ${String(state.version)}`);
  const n = state.rows;
  const width = state.task === 'multiclass-classification' ? state.k : 1;
  const rowKeys = fromBase64(state.rowKeys, Float64Array, n, 'rowKeys', source);
  const y =
    state.task === 'regression'
      ? fromBase64(state.labels, Float64Array, n, 'labels', source)
      : fromBase64(state.labels, Int32Array, n, 'labels', source);
  const candidate = predictions(
    state.task,
    fromBase64(state.candidate, Float64Array, n * width, 'candidate', source),
    state.k,
  );
  const arrays: EvalArrays = { task: state.task, k: state.k, rowKeys, y, candidate };
  if (state.baseline !== undefined) {
    arrays.baseline = predictions(
      state.task,
      fromBase64(state.baseline, Float64Array, n * width, 'baseline', source),
      state.k,
    );
  }
  if (rowCount(candidate) !== n) throw new InputError(`${source}: candidate has the wrong number of rows`);
  return arrays;
}

/**
 * Merges shard states into one, rows ordered by key: evaluating the result gives exactly the
 * unsharded values (sums run in the same order, and bootstrap weights depend on keys only).
 */
export function mergeEvalStates(states: readonly EvalState[], sources?: readonly string[]): EvalState {
  const first = states[0];
  if (!first) throw new InputError('no evaluation states to merge');
  const name = (i: number) => sources?.[i] ?? `shard ${i}`;
  const decoded = states.map((s, i) => {
    if (s.task !== first.task) {
      throw new InputError(`${name(i)}: task ${s.task} does not match ${name(0)}'s ${first.task}`);
    }
    if (s.k !== first.k) {
      throw new InputError(`${name(i)}: ${s.k} classes do not match ${name(0)}'s ${first.k}`);
    }
    if ((s.baseline === undefined) !== (first.baseline === undefined)) {
      throw new InputError(`${name(i)}: has ${s.baseline ? 'a' : 'no'} baseline, unlike ${name(0)}`);
    }
    return evalStateArrays(s, name(i));
  });
  const n = decoded.reduce((sum, d) => sum + d.rowKeys.length, 0);
  const width = first.task === 'multiclass-classification' ? first.k : 1;
  const keyOwner = new Float64Array(n);
  const keySource: Array<[number, number]> = [];
  let at = 0;
  decoded.forEach((d, s) => d.rowKeys.forEach((key, i) => ((keyOwner[at++] = key), keySource.push([s, i]))));
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (keyOwner[a] as number) - (keyOwner[b] as number),
  );
  for (let j = 1; j < n; j++) {
    const prev = order[j - 1] as number;
    const cur = order[j] as number;
    if (keyOwner[prev] === keyOwner[cur]) {
      const [sa] = keySource[prev] as [number, number];
      const [sb] = keySource[cur] as [number, number];
      throw new InputError(
        `row key ${keyOwner[cur]} appears in both ${name(sa)} and ${name(sb)}; shards must not overlap`,
      );
    }
  }
  const keys = new Float64Array(n);
  const labels = first.task === 'regression' ? new Float64Array(n) : new Int32Array(n);
  const cand = new Float64Array(n * width);
  const base = first.baseline !== undefined ? new Float64Array(n * width) : undefined;
  for (let j = 0; j < n; j++) {
    const [s, i] = keySource[order[j] as number] as [number, number];
    const d = decoded[s] as EvalArrays;
    keys[j] = d.rowKeys[i] as number;
    labels[j] = d.y[i] as number;
    cand.set(values(d.candidate).subarray(i * width, (i + 1) * width), j * width);
    if (base && d.baseline) base.set(values(d.baseline).subarray(i * width, (i + 1) * width), j * width);
  }
  const timings: Record<string, number> = {};
  for (const s of states) {
    for (const [phase, ms] of Object.entries(s.timings)) timings[phase] = (timings[phase] ?? 0) + ms;
  }
  const merged: EvalState = {
    version: 1,
    task: first.task,
    k: first.k,
    rows: n,
    rowKeys: toBase64(keys),
    labels: toBase64(labels),
    candidate: toBase64(cand),
    counters: {
      shards: states.reduce((sum, s) => sum + s.counters.shards, 0),
      rows: n,
    },
    timings,
  };
  if (base) merged.baseline = toBase64(base);
  return merged;
}
