import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(tmpdir(), 'mlops-data-'));
let counter = 0;

/** Write `content` to a fresh file with the given extension and return its path. */
export function tempFile(content: string | Uint8Array, ext = '.csv'): string {
  const file = path.join(dir, `f${counter++}${ext}`);
  writeFileSync(file, content);
  return file;
}

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/data');
