/** Writes a trainer's model and metrics, creating directories as needed. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeOutputs(out: string, model: Uint8Array, metricsFile: string, metrics: object): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, model);
  mkdirSync(dirname(metricsFile), { recursive: true });
  writeFileSync(metricsFile, JSON.stringify(metrics, null, 2) + '\n');
}

/** Keeps only `selected` columns' weights, zero elsewhere, so every variant takes all inputs. */
export function expandWeights(selectedWeights: number[], selected: number[], d: number): number[] {
  const full = new Array<number>(d).fill(0);
  selected.forEach((col, i) => (full[col] = selectedWeights[i]!));
  return full;
}
