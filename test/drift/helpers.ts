import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DATASETS = join(ROOT, 'examples/datasets');
const ORACLE = join(ROOT, 'test/oracle/drift_oracle.py');

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(xs: T[], r: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export interface Csv {
  header: string[];
  rows: string[][];
}

/** The shipped datasets are plain numeric CSV (no quotes). */
export function readCsv(name: string): Csv {
  const lines = readFileSync(join(DATASETS, name), 'utf8').trim().split('\n');
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

export function writeCsv(path: string, header: string[], rows: string[][]): string {
  writeFileSync(path, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return path;
}

export function tempDir(prefix = 'drift-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Run cases through the scipy oracle (Debian's python3-scipy). */
export function oracle(cases: unknown[]): unknown[] {
  const out = execFileSync('/usr/bin/python3', [ORACLE], {
    input: JSON.stringify({ cases }),
    maxBuffer: 1 << 30,
  }).toString();
  // Python writes NaN/Infinity bare; JSON.parse needs them quoted.
  return (
    JSON.parse(out.replace(/\bNaN\b/g, '"NaN"').replace(/-?\bInfinity\b/g, (m) => `"${m}"`)) as {
      results: unknown[];
    }
  ).results;
}

export function num(x: unknown): number {
  if (x === 'NaN') return NaN;
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  return x as number;
}

/** |a − b| ≤ 1e-9·max(1, |b|), NaN equal to NaN. */
export function close(a: number, b: number, tol = 1e-9): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}
