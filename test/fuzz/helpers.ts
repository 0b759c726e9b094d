import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { InputError } from '@mlops-actions/core';

const dir = mkdtempSync(path.join(tmpdir(), 'mlops-fuzz-'));
let counter = 0;

export function tempFile(content: string | Uint8Array, ext: string): string {
  const file = path.join(dir, `case${counter++}${ext}`);
  writeFileSync(file, content);
  return file;
}

/** Cases run per file; printed at the end so the count is visible in the test log. */
export const tally = { cases: 0 };

/**
 * Runs `fn`; a thrown value must be an InputError whose message names `source` and is one
 * readable line-ish sentence (no stack, no internal "Cannot read properties" text).
 */
export async function settle<T>(source: string, fn: () => Promise<T> | T): Promise<T | InputError> {
  tally.cases++;
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof InputError)) {
      throw new Error(`expected an InputError for ${source}, got ${String((err as Error)?.stack ?? err)}`);
    }
    expect(err.message.startsWith(source) || err.message.includes(source)).toBe(true);
    expect(err.message).not.toMatch(
      /Cannot read propert|is not a function|undefined \(reading|Maximum call stack/,
    );
    expect(err.message.length).toBeLessThan(2000);
    return err;
  }
}
