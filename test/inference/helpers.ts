import { readFileSync } from 'node:fs';
import path from 'node:path';

export const MODELS = path.resolve(import.meta.dirname, '../fixtures/models');
export const model = (name: string): string => path.join(MODELS, `${name}.onnx`);

interface Case {
  inputs: number[][];
  [output: string]: unknown;
}
export const expected = JSON.parse(readFileSync(path.join(MODELS, 'expected.json'), 'utf8')) as Record<
  string,
  Case
>;

export function dataOf(name: string, featureNames?: string[]) {
  const c = expected[name]!;
  const d = c.inputs[0]!.length;
  return {
    features: Float32Array.from(c.inputs.flat()),
    n: c.inputs.length,
    d,
    featureNames: featureNames ?? Array.from({ length: d }, (_, j) => `f${j}`),
  };
}

/** Float32 inference vs the NumPy reference: equal to 1e-6 (relative for large values). */
export function expectClose(actual: ArrayLike<number>, reference: number[]): void {
  if (actual.length !== reference.length) throw new Error(`length ${actual.length} != ${reference.length}`);
  for (let i = 0; i < reference.length; i++) {
    const tol = 1e-6 * Math.max(1, Math.abs(reference[i]!));
    if (!(Math.abs(actual[i]! - reference[i]!) <= tol)) {
      throw new Error(`index ${i}: ${actual[i]} vs reference ${reference[i]} (tolerance ${tol})`);
    }
  }
}
