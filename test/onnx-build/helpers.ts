import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

/**
 * Runs python-onnx's checker (full check, with shape inference) on every model in one process;
 * returns the problems by name, empty when all pass.
 */
export function onnxCheck(models: Record<string, Uint8Array>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-build-'));
  const paths = Object.entries(models).map(([name, bytes]) => {
    const p = join(dir, `${name}.onnx`);
    writeFileSync(p, bytes);
    return [name, p] as const;
  });
  const script = [
    'import json, sys, onnx',
    'out = {}',
    'for name, path in json.loads(sys.argv[1]):',
    '    try:',
    '        onnx.checker.check_model(onnx.load(path), full_check=True)',
    '    except Exception as e:',
    '        out[name] = str(e)',
    'print(json.dumps(out))',
  ].join('\n');
  const stdout = execFileSync('/usr/bin/python3', ['-c', script, JSON.stringify(paths)], {
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as Record<string, string>;
}

export async function runModel(bytes: Uint8Array, rows: number[][]): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  const d = rows[0]!.length;
  const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, d]);
  try {
    return await session.run({ float_input: input });
  } finally {
    await session.release();
  }
}

/** Rows of a [N, k] float tensor. */
export function matrix(t: ort.Tensor): number[][] {
  const [n, k] = t.dims as [number, number];
  const data = t.data as Float32Array;
  return Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * k, (i + 1) * k)));
}

export function labels(t: ort.Tensor): number[] {
  return Array.from(t.data as BigInt64Array, Number);
}

export function maxAbsDiff(a: number[][] | number[], b: number[][] | number[]): number {
  const fa = (a as unknown[]).flat() as number[];
  const fb = (b as unknown[]).flat() as number[];
  if (fa.length !== fb.length) return Infinity;
  return Math.max(0, ...fa.map((v, i) => Math.abs(v - fb[i]!)));
}
