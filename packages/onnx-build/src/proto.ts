/**
 * Thin helpers over onnx-proto's static protobufjs classes. The static classes use camelCase
 * field names (irVersion, floatData...) and encode them by field number, so no `keepCase` issue
 * arises here; a misspelt field would still be dropped silently, which is why every builder goes
 * through these typed helpers and the tests run `onnx.checker` on the bytes.
 */
import onnxProto from 'onnx-proto';

import type { onnx as O } from 'onnx-proto';

export const { onnx } = onnxProto;

/**
 * IR 8 with opset 15 and ai.onnx.ml 3: the newest combination python-onnx 1.12's checker and
 * every onnxruntime since 1.10 accept, so generated models open everywhere the project runs.
 */
export const IR_VERSION = 8;
export const ONNX_OPSET = 15;
export const ML_OPSET = 3;
export const ML_DOMAIN = 'ai.onnx.ml';
export const PRODUCER_NAME = 'mlops-actions/onnx-build';
export const PRODUCER_VERSION = '0.1.0';

const DataType = onnx.TensorProto.DataType;
const AttrType = onnx.AttributeProto.AttributeType;

/** A dimension: a fixed size or a symbolic name such as the batch dimension 'N'. */
export type Dim = number | string;

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): O.ITensorProto {
  checkSize(name, dims, values.length);
  return { name, dims, dataType: DataType.FLOAT, floatData: Array.from(values, Math.fround) };
}

export function int64Tensor(name: string, dims: number[], values: ArrayLike<number>): O.ITensorProto {
  checkSize(name, dims, values.length);
  for (const v of Array.from(values)) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`tensor '${name}': ${v} is not a safe integer`);
  }
  return { name, dims, dataType: DataType.INT64, int64Data: Array.from(values) };
}

function checkSize(name: string, dims: number[], length: number): void {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== length) {
    throw new RangeError(
      `tensor '${name}': dims [${dims.join(', ')}] need ${expected} values, got ${length}`,
    );
  }
}

export function tensorValueInfo(name: string, elemType: 'float' | 'int64', shape: Dim[]): O.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elemType === 'float' ? DataType.FLOAT : DataType.INT64,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export type AttrValue = number | string | number[] | string[] | { ints: number[] } | { floats: number[] };

/**
 * Builds an attribute, choosing its type from the value. A plain number is an INT when it is an
 * integer and a FLOAT otherwise, so pass `{ floats: [...] }` / `{ ints: [...] }` when the op
 * demands one type whatever the values are (e.g. thresholds that happen to be whole numbers).
 */
export function attribute(name: string, value: AttrValue): O.IAttributeProto {
  const enc = new TextEncoder();
  if (typeof value === 'string') return { name, type: AttrType.STRING, s: enc.encode(value) };
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? { name, type: AttrType.INT, i: value }
      : { name, type: AttrType.FLOAT, f: value };
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) {
      return { name, type: AttrType.STRINGS, strings: (value as string[]).map((v) => enc.encode(v)) };
    }
    const nums = value as number[];
    return nums.every(Number.isInteger)
      ? { name, type: AttrType.INTS, ints: nums }
      : { name, type: AttrType.FLOATS, floats: nums.map(Math.fround) };
  }
  if ('ints' in value) return { name, type: AttrType.INTS, ints: value.ints };
  return { name, type: AttrType.FLOATS, floats: value.floats.map(Math.fround) };
}

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrValue> = {},
  domain = '',
): O.INodeProto {
  return {
    opType,
    input: inputs,
    output: outputs,
    name: `${opType}_${outputs[0] ?? ''}`,
    domain,
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  };
}

export interface GraphParts {
  name: string;
  nodes: O.INodeProto[];
  initializers: O.ITensorProto[];
  inputs: O.IValueInfoProto[];
  outputs: O.IValueInfoProto[];
  /** Whether any node uses ai.onnx.ml, so the opset import is declared only when needed. */
  usesMl?: boolean;
  docString?: string;
}

/** Serialises a graph into deterministic model bytes (no timestamps, fixed field order). */
export function encodeModel(parts: GraphParts): Uint8Array {
  const opsetImport: O.IOperatorSetIdProto[] = [{ domain: '', version: ONNX_OPSET }];
  if (parts.usesMl) opsetImport.push({ domain: ML_DOMAIN, version: ML_OPSET });
  const model: O.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport,
    producerName: PRODUCER_NAME,
    producerVersion: PRODUCER_VERSION,
    docString: parts.docString ?? '',
    graph: {
      name: parts.name,
      node: parts.nodes,
      initializer: parts.initializers,
      input: parts.inputs,
      output: parts.outputs,
    },
  };
  const problem = onnx.ModelProto.verify(model);
  if (problem) throw new Error(`onnx-build produced an invalid ModelProto: ${problem}`);
  return onnx.ModelProto.encode(model).finish();
}
