import { readFileSync } from 'node:fs';
import { InputError } from '@mlops-actions/core';

/**
 * Feature names from a CSV header (the evaluation data), in column order, without the label and
 * any other columns named in `drop`, so /predict can take rows keyed by name.
 */
export function readFeatureNames(csvFile: string, drop: readonly string[] = []): string[] {
  let text: string;
  try {
    text = readFileSync(csvFile, 'utf8');
  } catch (err) {
    throw new InputError(`${csvFile}: cannot read: ${(err as NodeJS.ErrnoException).code ?? err}`, {
      file: csvFile,
    });
  }
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  const names = header.split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
  if (names.length === 0 || names.every((n) => n === '')) {
    throw new InputError(`${csvFile}: the first line holds no column names`, { file: csvFile, line: 1 });
  }
  for (const d of drop) {
    if (!names.includes(d))
      throw new InputError(`${csvFile}: no column '${d}' to leave out (columns: ${names.join(', ')})`, {
        file: csvFile,
        line: 1,
      });
  }
  return names.filter((n) => !drop.includes(n));
}
