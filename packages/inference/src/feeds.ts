import { InputError } from './input-error.js';
import type { ColumnType, InputPlan } from './input-plan.js';
import type { Feed } from './pool.js';
import { INTEGER_RANGES, allocateTensor } from './tensors.js';
import type { TensorData } from './tensors.js';

/** The data side of predict(): the float32 matrix plus, for text columns, the cells as written. */
export interface FeedData {
  features: Float32Array;
  n: number;
  d: number;
  featureNames: string[];
  /**
   * Cell text of columns loaded with `textColumns` (EvalData.text), each n long: string, int64,
   * double and bool inputs are converted from it, exactly, instead of from the float32 matrix.
   */
  text?: Record<string, readonly string[]>;
  /** The data file, for row errors. Default 'the data'. */
  source?: string;
  /** 0-based data row of the first row (a shard's start), for row errors. Default 0. */
  rowOffset?: number;
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

type Column = TensorData;

function show(text: string): string {
  return `'${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`;
}

/** Integer text (or an integral number such as `3.0` or `1e3`) as a BigInt; undefined if not one. */
function parseInteger(t: string): bigint | undefined {
  if (INTEGER.test(t)) return BigInt(t);
  if (t.length > 400 || !NUMBER.test(t)) return undefined;
  const v = Number(t);
  return Number.isSafeInteger(v) ? BigInt(v) : undefined;
}

function parseBool(t: string): number | undefined {
  switch (t.toLowerCase()) {
    case 'true':
    case '1':
    case '1.0':
      return 1;
    case 'false':
    case '0':
    case '0.0':
      return 0;
    default:
      return undefined;
  }
}

/**
 * Converts the data into whole-column arrays of each input's type once, before any run, so a bad
 * cell is reported with its row before the model has done any work; returns the per-batch feed
 * builder. With a fixed batch size the last batch is padded with copies of its last row (the
 * padded outputs are dropped by the caller).
 */
export function prepareFeeds(
  model: string,
  plan: InputPlan,
  data: FeedData,
): (start: number, rows: number) => { feeds: Feed[]; rows: number } {
  const { features, n, d, featureNames } = data;
  const source = data.source ?? 'the data';
  const offset = data.rowOffset ?? 0;
  const fail = (row: number, column: string, problem: string, input: string, type: string): InputError =>
    new InputError(
      `${source}: data row ${offset + row + 1}: column '${column}': ${problem} (model input '${input}' is ${type})`,
      source === 'the data' ? { file: model } : { file: source },
    );

  const convert = (j: number, type: ColumnType, input: string): Column => {
    const name = featureNames[j]!;
    const text = data.text?.[name];
    const out = allocateTensor(type, n);
    if (text !== undefined && text.length < n) {
      throw new TypeError(`predict: text column '${name}' has ${text.length} cells for ${n} rows`);
    }
    if (type === 'string') {
      if (text === undefined) {
        throw new InputError(
          `${model}: input '${input}' takes strings, but column '${name}' was read as numbers; ` +
            `load the data with textColumns: textColumnsFor(model inputs) so the cells reach the model as written`,
          { file: model },
        );
      }
      for (let i = 0; i < n; i++) {
        const t = text[i]!;
        if (t.trim() === '') throw fail(i, name, 'empty value', input, type);
        (out as string[])[i] = t;
      }
      return out;
    }
    for (let i = 0; i < n; i++) {
      const raw = text?.[i];
      const t = raw?.trim();
      if (t === '') throw fail(i, name, 'empty value', input, type);
      if (type === 'float32' || type === 'float64') {
        const v =
          type === 'float64' && t !== undefined
            ? NUMBER.test(t) && t.length <= 400
              ? Number(t)
              : NaN
            : features[i * d + j]!;
        if (!Number.isFinite(v))
          throw fail(i, name, `${show(raw ?? String(v))} is not a number`, input, type);
        (out as Float32Array | Float64Array)[i] = v;
      } else if (type === 'bool') {
        const v =
          t !== undefined
            ? parseBool(t)
            : features[i * d + j] === 1
              ? 1
              : features[i * d + j] === 0
                ? 0
                : undefined;
        if (v === undefined) {
          throw fail(
            i,
            name,
            `${show(raw ?? String(features[i * d + j]))} is not a boolean (true/false/1/0)`,
            input,
            type,
          );
        }
        (out as Uint8Array)[i] = v;
      } else {
        const f = features[i * d + j]!;
        const v = t !== undefined ? parseInteger(t) : Number.isInteger(f) ? BigInt(f) : undefined;
        const [lo, hi] = INTEGER_RANGES[type]!;
        if (v === undefined) throw fail(i, name, `${show(raw ?? String(f))} is not an integer`, input, type);
        if (v < lo || v > hi)
          throw fail(i, name, `${show(raw ?? String(f))} is out of the range of ${type}`, input, type);
        if (type === 'int64' || type === 'uint64') (out as BigInt64Array | BigUint64Array)[i] = v;
        else (out as Int32Array)[i] = Number(v);
      }
    }
    return out;
  };

  const slice = (col: Column, start: number, rows: number, width: number, padTo: number): Column => {
    const part = col.slice(start * width, (start + rows) * width);
    if (padTo === rows) return part;
    const padded = Array.isArray(part) ? new Array<string>(padTo * width) : allocateLike(part, padTo * width);
    for (let r = 0; r < padTo; r++) {
      const from = Math.min(r, rows - 1) * width;
      for (let c = 0; c < width; c++) (padded as unknown as unknown[])[r * width + c] = part[from + c];
    }
    return padded;
  };

  const batchRows = (rows: number): number => plan.batch ?? rows;

  if (plan.kind === 'matrix') {
    // Text columns (a float input fed from a column also kept as text) hold NaN where not numeric.
    const columns =
      plan.type === 'float64' || Object.keys(data.text ?? {}).length > 0
        ? featureNames.map((_, j) => convert(j, plan.type, plan.name) as Float32Array | Float64Array)
        : undefined;
    let matrix: Float32Array | Float64Array = features;
    if (columns !== undefined) {
      matrix = plan.type === 'float32' ? new Float32Array(n * d) : new Float64Array(n * d);
      for (let j = 0; j < d; j++) {
        const col = columns[j]!;
        for (let i = 0; i < n; i++) matrix[i * d + j] = col[i]!;
      }
    }
    return (start, rows) => {
      const padTo = batchRows(rows);
      // A copy of the batch is unavoidable (the caller keeps its matrix); it is then transferred.
      const part = slice(matrix, start, rows, d, padTo);
      return {
        feeds: [{ name: plan.name, type: plan.type, data: part as TensorData, dims: [padTo, d] }],
        rows: padTo,
      };
    };
  }
  const columns = plan.inputs.map((input) => convert(input.column, input.type, input.name));
  return (start, rows) => {
    const padTo = batchRows(rows);
    const feeds = plan.inputs.map((input, k): Feed => ({
      name: input.name,
      type: input.type,
      data: slice(columns[k]!, start, rows, 1, padTo) as TensorData,
      dims: input.rank === 1 ? [padTo] : [padTo, 1],
    }));
    return { feeds, rows: padTo };
  };
}

function allocateLike(a: Exclude<Column, string[]>, n: number): Exclude<Column, string[]> {
  return new (a.constructor as new (n: number) => Exclude<Column, string[]>)(n);
}
