import { InputError } from './input-error.js';

/** Where a data row is: 1-based data row (header excluded) and, for text formats, the 1-based line. */
export interface RowLocation {
  file: string;
  row: number;
  line?: number;
}

/**
 * `data/eval.csv:17: column 'age': 'abc' is not a number (data row 16)`: the `file:line:` prefix
 * lets editors and GitHub annotations jump to the line; formats without lines name the row instead.
 */
export function rowError(at: RowLocation, column: string, problem: string): InputError {
  const prefix = at.line !== undefined ? `${at.file}:${at.line}:` : `${at.file}: row ${at.row}:`;
  const suffix = at.line !== undefined ? ` (data row ${at.row})` : '';
  return new InputError(
    `${prefix} column '${column}': ${problem}${suffix}`,
    at.line !== undefined ? { file: at.file, line: at.line } : { file: at.file },
  );
}

/** Quote a value for a message, cut so one bad 10 kB cell does not flood the log. */
export function showValue(text: string): string {
  const cut = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `'${cut}'`;
}
