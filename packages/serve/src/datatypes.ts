import { allocateTensor } from '@mlops-actions/inference';
import type { Feed, RawTensor, TensorData, TensorType } from '@mlops-actions/inference';
import { badRequest } from './errors.js';

/** Open Inference Protocol datatypes (the REST document's "Tensor Data Types" table) and ORT's names. */
export type OipDatatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

const TO_ORT: Record<Exclude<OipDatatype, 'FP16'>, TensorType> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

const FROM_ORT: Record<string, OipDatatype> = {
  ...Object.fromEntries(Object.entries(TO_ORT).map(([oip, ort]) => [ort, oip as OipDatatype])),
  float16: 'FP16',
};

export const OIP_DATATYPES = Object.keys(TO_ORT) as Exclude<OipDatatype, 'FP16'>[];

/** ORT's element type as the protocol names it ('float32' → 'FP32'); undefined for types it lacks. */
export function oipDatatype(ortType: string): OipDatatype | undefined {
  return FROM_ORT[ortType];
}

export function ortType(datatype: string): TensorType | undefined {
  return Object.hasOwn(TO_ORT, datatype) ? TO_ORT[datatype as keyof typeof TO_ORT] : undefined;
}

/** Protocol shape: symbolic or unknown dimensions are variable, written -1. */
export function oipShape(shape: readonly (number | string)[]): number[] {
  return shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
}

const INT_RANGE: Partial<Record<TensorType, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

const BIG_RANGE: Partial<Record<TensorType, [bigint, bigint]>> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** A value as an error message shows it: short, and never a whole nested structure. */
export function show(v: unknown): string {
  const s = v !== null && typeof v === 'object' ? kind(v) : (JSON.stringify(v) ?? kind(v));
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** A name as an error message quotes it: 'name', cut short. */
export function showName(v: unknown): string {
  if (typeof v !== 'string') return show(v);
  return `'${v.length > 60 ? `${v.slice(0, 60)}…` : v}'`;
}

const MAX_RANK = 32;

/** Validates a protocol shape and returns its element count (never allocating anything). */
export function checkShape(where: string, shape: unknown): { dims: number[]; count: number } {
  if (!Array.isArray(shape))
    throw badRequest(`${where}.shape must be an array of integers, got ${kind(shape)}`);
  if (shape.length > MAX_RANK)
    throw badRequest(`${where}.shape has ${shape.length} dimensions; at most ${MAX_RANK}`);
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw badRequest(`${where}.shape[${i}] is ${show(d)}; dimensions must be non-negative integers`);
    }
    count *= d;
  }
  if (!Number.isSafeInteger(count)) throw badRequest(`${where}.shape [${shape.join(', ')}] is too large`);
  return { dims: shape as number[], count };
}

/**
 * Flattens `data` (flat row-major, or nested in the tensor's own shape) into a typed array of the
 * ORT type, checking every element. The element count must match the shape exactly; a nested
 * array must follow the shape level by level.
 */
export function decodeTensorData(
  where: string,
  datatype: string,
  type: TensorType,
  dims: readonly number[],
  count: number,
  data: unknown,
): TensorData {
  if (!Array.isArray(data)) throw badRequest(`${where}.data must be an array, got ${kind(data)}`);
  const leaves: unknown[] = [];
  if (data.length > 0 && Array.isArray(data[0])) {
    const walk = (node: unknown, depth: number, path: string): void => {
      if (depth === dims.length) {
        if (Array.isArray(node))
          throw badRequest(`${where}.data${path} nests deeper than shape [${dims.join(', ')}]`);
        leaves.push(node);
        return;
      }
      if (!Array.isArray(node) || node.length !== dims[depth]) {
        throw badRequest(
          `${where}.data${path} has ${Array.isArray(node) ? `${node.length} elements` : kind(node)} ` +
            `where shape [${dims.join(', ')}] needs ${dims[depth]}`,
        );
      }
      for (let i = 0; i < node.length; i++) walk(node[i], depth + 1, `${path}[${i}]`);
    };
    walk(data, 0, '');
  } else {
    if (data.length !== count) {
      throw badRequest(
        `${where}.data has ${data.length} elements but shape [${dims.join(', ')}] needs ${count}`,
      );
    }
    for (let i = 0; i < data.length; i++) leaves.push(data[i]);
  }
  const out = allocateTensor(type, count);
  const bad = (i: number, v: unknown, want: string): never => {
    throw badRequest(`${where}.data element ${i} is ${show(v)}; ${datatype} expects ${want}`);
  };
  const range = INT_RANGE[type];
  const big = BIG_RANGE[type];
  for (let i = 0; i < count; i++) {
    const v = leaves[i];
    if (type === 'float32' || type === 'float64') {
      if (typeof v !== 'number') bad(i, v, 'numbers');
      (out as Float32Array)[i] = v as number;
    } else if (type === 'string') {
      if (typeof v !== 'string') bad(i, v, 'strings');
      (out as string[])[i] = v as string;
    } else if (type === 'bool') {
      if (v === true || v === 1) (out as Uint8Array)[i] = 1;
      else if (v === false || v === 0) (out as Uint8Array)[i] = 0;
      else bad(i, v, 'true or false');
    } else if (range !== undefined) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) {
        bad(i, v, `integers in ${range[0]}..${range[1]}`);
      }
      (out as Int32Array)[i] = v as number;
    } else if (big !== undefined) {
      // 64-bit integers beyond 2^53 lose digits as JSON numbers, so decimal strings are accepted too.
      let b: bigint | undefined;
      if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
      else if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) b = BigInt(v);
      if (b === undefined || b < big[0] || b > big[1]) bad(i, v, `integers in ${big[0]}..${big[1]}`);
      (out as BigInt64Array)[i] = b!;
    }
  }
  return out;
}

export interface RequestInput {
  name: string;
  datatype: string;
  feed: Feed;
}

/** JSON text of a tensor's elements: non-finite floats become null (JSON has no NaN). */
export function dataJson(t: RawTensor): string {
  const d = t.data;
  if (t.type === 'string') return JSON.stringify(Array.from(d as ArrayLike<string>));
  if (t.type === 'bool')
    return `[${Array.from(d as ArrayLike<number>, (v) => (v ? 'true' : 'false')).join(',')}]`;
  if (t.type === 'int64' || t.type === 'uint64') {
    // Written as exact JSON number literals, not rounded through a double.
    return `[${Array.from(d as ArrayLike<bigint>, (v) => String(v)).join(',')}]`;
  }
  let s = '[';
  for (let i = 0; i < d.length; i++) {
    const v = d[i] as number;
    if (i > 0) s += ',';
    s += Number.isFinite(v) ? String(v) : 'null';
  }
  return s + ']';
}

/** A response output tensor in the protocol's form, as JSON text. */
export function outputJson(name: string, t: RawTensor): string {
  const datatype = oipDatatype(t.type) ?? t.type.toUpperCase();
  return `{"name":${JSON.stringify(name)},"datatype":"${datatype}","shape":[${t.dims.join(',')}],"data":${dataJson(t)}}`;
}
