import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InputError } from './input-error.js';
import { describeValues, type OutputInfo, type TensorInfo } from './model-info.js';
import { readModelHeader, type OpsetInfo } from './opsets.js';
import { loadOnnxRuntime, type OrtLoadOptions } from './runtime.js';

export interface ModelInspection {
  inputs: TensorInfo[];
  outputs: OutputInfo[];
  opsets: OpsetInfo[];
  irVersion?: number;
  producer?: string;
  bytes: number;
  sha256: string;
}

export async function readModelFile(modelPath: string): Promise<Buffer> {
  try {
    return await readFile(modelPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new InputError(`${modelPath}: cannot read the model: ${why}`, { file: modelPath });
  }
}

/** Inputs, outputs (with whether ORT can return them) and opsets of an ONNX model, without running it. */
export async function inspectModel(modelPath: string, opts: OrtLoadOptions = {}): Promise<ModelInspection> {
  const bytes = await readModelFile(modelPath);
  let header;
  try {
    header = readModelHeader(bytes);
  } catch (err) {
    throw new InputError(`${modelPath}: not an ONNX model (${(err as Error).message})`, { file: modelPath });
  }
  const ort = await loadOnnxRuntime(opts);
  let session;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (err) {
    throw new InputError(`${modelPath}: ONNX Runtime cannot load the model: ${(err as Error).message}`, {
      file: modelPath,
    });
  }
  try {
    return {
      inputs: describeValues(session.inputMetadata).map(({ name, type, shape }) => ({ name, type, shape })),
      outputs: describeValues(session.outputMetadata),
      opsets: header.opsets,
      ...(header.irVersion !== undefined ? { irVersion: header.irVersion } : {}),
      ...(header.producer !== undefined ? { producer: header.producer } : {}),
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  } finally {
    await session.release();
  }
}
