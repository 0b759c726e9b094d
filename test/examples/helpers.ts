import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

export const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'examples-test-'));
}

export interface Outputs {
  label?: number[];
  probabilities?: number[][];
  variable?: number[];
}

/** Runs the exported model in onnxruntime-node, the way the evaluation stage will. */
export async function runOnnx(bytes: Uint8Array, X: number[][]): Promise<Outputs> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const d = X[0]!.length;
    const input = new ort.Tensor('float32', Float32Array.from(X.flat()), [X.length, d]);
    const out = await session.run({ float_input: input });
    const result: Outputs = {};
    if (out.label) result.label = Array.from(out.label.data as BigInt64Array, Number);
    if (out.probabilities) {
      const k = out.probabilities.dims[1]!;
      const data = out.probabilities.data as Float32Array;
      result.probabilities = X.map((_, i) => Array.from(data.subarray(i * k, (i + 1) * k)));
    }
    if (out.variable) result.variable = Array.from(out.variable.data as Float32Array);
    return result;
  } finally {
    await session.release();
  }
}

/** ROC AUC as the Mann-Whitney statistic, ties counted half. */
export function rocAuc(labels: number[], scores: number[]): number {
  let pos = 0;
  let neg = 0;
  let wins = 0;
  labels.forEach((yi, i) => {
    if (yi !== 1) return;
    pos++;
    labels.forEach((yj, j) => {
      if (yj !== 0) return;
      if (scores[i]! > scores[j]!) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    });
  });
  for (const y of labels) if (y === 0) neg++;
  return wins / (pos * neg);
}

/** Runs a Python script with scikit-learn / onnx available, passing JSON in and reading JSON out. */
export function python<T>(script: string, input: unknown): T {
  const dir = tempDir();
  const file = join(dir, 'input.json');
  writeFileSync(file, JSON.stringify(input));
  const stdout = execFileSync('/usr/bin/python3', ['-c', script, file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(stdout) as T;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}
