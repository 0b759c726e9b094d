/**
 * Deterministic train/eval split by a hash of the row index: no random state to carry, and a row
 * keeps its side when rows are appended. Lines are copied byte for byte.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** murmur3's 32-bit finaliser: consecutive indices land on unrelated buckets. */
export function hashIndex(i: number): number {
  let h = i >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function isEvalRow(index: number, evalPercent: number): boolean {
  return hashIndex(index) % 100 < evalPercent;
}

export interface SplitText {
  train: string;
  eval: string;
}

export function splitCsvText(text: string, source: string, evalPercent = 25): SplitText {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length < 2) throw new Error(`${source}: expected a header row and data rows`);
  const [header, ...rows] = lines as [string, ...string[]];
  const train = [header];
  const evalRows = [header];
  rows.forEach((row, i) => (isEvalRow(i, evalPercent) ? evalRows : train).push(row));
  return { train: train.join('\n') + '\n', eval: evalRows.join('\n') + '\n' };
}

/** Splits `source` into `<outDir>/train.csv` and `<outDir>/eval.csv`; returns the row counts. */
export function splitFile(source: string, outDir: string, evalPercent = 25): { train: number; eval: number } {
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (err) {
    throw new Error(
      `${source}: cannot read the source dataset (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  const parts = splitCsvText(text, source, evalPercent);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'train.csv'), parts.train);
  writeFileSync(join(outDir, 'eval.csv'), parts.eval);
  const count = (s: string) => s.split('\n').length - 2;
  return { train: count(parts.train), eval: count(parts.eval) };
}
