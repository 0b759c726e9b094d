import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';

/** Response JSON as tests read it: field by field, checked by the assertions and the OIP schemas. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BREAST_CANCER = path.join(ROOT, 'examples/breast-cancer/baseline/model.onnx');
export const WINE = path.join(ROOT, 'examples/wine/baseline/model.onnx');
export const DIABETES = path.join(ROOT, 'examples/diabetes/baseline/model.onnx');

/** The OIP datatypes an identity model is built for, with ONNX's element type. */
export const IDENTITY_TYPES = {
  BOOL: DT.BOOL,
  UINT8: DT.UINT8,
  UINT16: DT.UINT16,
  UINT32: DT.UINT32,
  UINT64: DT.UINT64,
  INT8: DT.INT8,
  INT16: DT.INT16,
  INT32: DT.INT32,
  INT64: DT.INT64,
  FP32: DT.FLOAT,
  FP64: DT.DOUBLE,
  BYTES: DT.STRING,
} as const;

export type IdentityType = keyof typeof IDENTITY_TYPES;

/**
 * An ONNX model with, for every datatype T, input `in_T` [N, 2] → Identity → `out_T` [N, 2]:
 * what goes in must come out unchanged, which makes every datatype's encoding testable.
 */
export function identityModel(dir = mkdtempSync(path.join(tmpdir(), 'serve-model-'))): string {
  const vi = (name: string, elemType: number) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: [{ dimParam: 'N' }, { dimValue: 2 }] } } },
  });
  const types = Object.entries(IDENTITY_TYPES);
  const model = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 15 }],
    producerName: 'mlops-actions/test',
    graph: {
      name: 'identity',
      node: types.map(([t]) => ({
        opType: 'Identity',
        input: [`in_${t}`],
        output: [`out_${t}`],
        name: `id_${t}`,
      })),
      input: types.map(([t, e]) => vi(`in_${t}`, e)),
      output: types.map(([t, e]) => vi(`out_${t}`, e)),
    },
  };
  const problem = onnx.ModelProto.verify(model);
  if (problem) throw new Error(problem);
  const file = path.join(dir, 'identity.onnx');
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return file;
}

/** Feature rows and names of an example's evaluation CSV (label column dropped). */
export function evalRows(example: string, label: string): { names: string[]; rows: number[][] } {
  const lines = readFileSync(path.join(ROOT, 'examples', example, 'data/eval.csv'), 'utf8')
    .trim()
    .split('\n');
  const header = lines[0]!.split(',');
  const keep = header.map((h, i) => (h === label ? -1 : i)).filter((i) => i >= 0);
  return {
    names: keep.map((i) => header[i]!),
    rows: lines.slice(1).map((l) => {
      const cells = l.split(',');
      return keep.map((i) => Number(cells[i]));
    }),
  };
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

export async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

export function inferBody(rows: number[][], id?: string): unknown {
  return {
    ...(id !== undefined ? { id } : {}),
    inputs: [
      { name: 'float_input', shape: [rows.length, rows[0]!.length], datatype: 'FP32', data: rows.flat() },
    ],
  };
}
