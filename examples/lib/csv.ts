/**
 * Reads the examples' numeric CSV files (header row, comma-separated, no quoting: the datasets
 * have only numbers). Every problem names the file, line and column.
 */
import { readFileSync } from 'node:fs';

export interface Dataset {
  file: string;
  features: string[];
  label: string;
  X: number[][];
  y: number[];
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new Error(`${file}: cannot read the file (${code})`);
  }
}

/** Reads `file`, taking column `label` as the target and every other column as a feature. */
export function readDataset(file: string, label: string): Dataset {
  const lines = readText(file).split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new Error(`${file}: the file is empty; expected a header row`);
  const header = lines[0]!.split(',').map((h) => h.trim());
  const labelIndex = header.indexOf(label);
  if (labelIndex < 0)
    throw new Error(`${file}: no column '${label}' in the header (columns: ${header.join(', ')})`);
  if (lines.length < 2) throw new Error(`${file}: no data rows after the header`);
  const features = header.filter((_, i) => i !== labelIndex);
  const X: number[][] = [];
  const y: number[] = [];
  for (let l = 1; l < lines.length; l++) {
    const fields = lines[l]!.split(',');
    if (fields.length !== header.length) {
      throw new Error(
        `${file}:${l + 1}: expected ${header.length} fields like the header, got ${fields.length}`,
      );
    }
    const row: number[] = [];
    fields.forEach((text, c) => {
      const value = text.trim() === '' ? NaN : Number(text);
      if (!Number.isFinite(value)) {
        throw new Error(`${file}:${l + 1}: column '${header[c]}' (${c + 1}): '${text}' is not a number`);
      }
      if (c === labelIndex) y.push(value);
      else row.push(value);
    });
    X.push(row);
  }
  return { file, features, label, X, y };
}
