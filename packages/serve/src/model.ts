import { access } from 'node:fs/promises';
import { InputError } from '@mlops-actions/core';
import {
  allocateTensor,
  resolveOnnxRuntime,
  type Feed,
  type OrtLoadOptions,
  type OutputInfo,
  type TensorType,
} from '@mlops-actions/inference';
import { oipDatatype, oipShape, type OipDatatype } from './datatypes.js';
import { openExecutors, type Executors } from './executors.js';

export interface TensorMetadata {
  name: string;
  datatype: OipDatatype;
  /** -1 for a variable dimension. */
  shape: number[];
  /** ORT's element type. */
  type: TensorType;
}

export interface LoadedModel {
  path: string;
  /** Worker threads (or one inline session) holding the model. */
  pool: Executors;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  /** Outputs ORT cannot return (ZipMap's sequence of maps): left out of metadata and fetches. */
  skippedOutputs: string[];
  /** Every input and output has a variable first dimension, so requests can be stacked on it. */
  batchable: boolean;
  loadSeconds: number;
}

function describe(model: string, values: readonly OutputInfo[], role: string): TensorMetadata[] {
  return values.map((v) => {
    const datatype = oipDatatype(v.type);
    if (datatype === undefined || datatype === 'FP16') {
      throw new InputError(
        `${model}: ${role} '${v.name}' has element type ${v.type}, which the server cannot carry as JSON`,
        { file: model },
      );
    }
    return { name: v.name, datatype, shape: oipShape(v.shape), type: v.type as TensorType };
  });
}

/** One row of zeros per input (variable dimensions as 1): enough to make ORT allocate and JIT its kernels. */
export function warmupFeeds(inputs: readonly TensorMetadata[]): Feed[] {
  return inputs.map((i) => {
    const dims = i.shape.map((d) => (d < 0 ? 1 : d));
    return {
      name: i.name,
      type: i.type,
      dims,
      data: allocateTensor(
        i.type,
        dims.reduce((a, b) => a * b, 1),
      ),
    };
  });
}

export async function loadModel(
  path: string,
  threads: number,
  runtime?: OrtLoadOptions,
): Promise<LoadedModel> {
  try {
    await access(path);
  } catch {
    throw new InputError(`${path}: cannot read the model: no such file`, { file: path });
  }
  const ortPath = resolveOnnxRuntime(runtime);
  const t0 = performance.now();
  let pool: Executors;
  try {
    pool = await openExecutors(ortPath, path, threads, runtime);
  } catch (err) {
    throw new InputError(`${path}: ONNX Runtime cannot load the model: ${(err as Error).message}`, {
      file: path,
    });
  }
  try {
    const inputs = describe(path, pool.metadata.inputs, 'input');
    const tensorOutputs = pool.metadata.outputs.filter((o) => o.isTensor);
    const skippedOutputs = pool.metadata.outputs.filter((o) => !o.isTensor).map((o) => o.name);
    if (tensorOutputs.length === 0) {
      throw new InputError(
        `${path}: the model has no tensor outputs (${skippedOutputs.join(', ')} are sequences or maps, e.g. ` +
          `skl2onnx's ZipMap); re-export it with options={id(model): {'zipmap': False}}`,
        { file: path },
      );
    }
    const outputs = describe(path, tensorOutputs, 'output');
    // An output without shape information may still be per-row; the batcher checks each answer.
    const batchable =
      inputs.length > 0 &&
      inputs.every((t) => t.shape.length > 0 && t.shape[0] === -1) &&
      outputs.every((t) => t.shape.length === 0 || t.shape[0] === -1);
    const loadSeconds = (performance.now() - t0) / 1000;
    return { path, pool, inputs, outputs, skippedOutputs, batchable, loadSeconds };
  } catch (err) {
    await pool.close();
    throw err;
  }
}
