import type { InferenceSession } from 'onnxruntime-common';

export interface TensorInfo {
  name: string;
  /** ORT's element type ('float32', 'int64', 'string', …); 'non-tensor' for sequences and maps. */
  type: string;
  /** Symbolic or unknown dimensions are strings ('' when unnamed, e.g. the batch dimension). */
  shape: (number | string)[];
}

export interface OutputInfo extends TensorInfo {
  isTensor: boolean;
}

/** Plain-JSON form of ORT's value metadata (also what the worker posts back). */
export function describeValues(meta: readonly InferenceSession.ValueMetadata[]): OutputInfo[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, type: m.type, shape: [...m.shape], isTensor: true }
      : { name: m.name, type: 'non-tensor', shape: [], isTensor: false },
  );
}

/** `[N, 30]`: the batch dimension and other unnamed dimensions shown as N / ?. */
export function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.map((s, i) => (typeof s === 'number' ? String(s) : s !== '' ? s : i === 0 ? 'N' : '?')).join(', ')}]`;
}

export function describeList(values: readonly TensorInfo[]): string {
  return values
    .map((v) => `'${v.name}' (${v.type}${v.type === 'non-tensor' ? '' : ` ${formatShape(v.shape)}`})`)
    .join(', ');
}
