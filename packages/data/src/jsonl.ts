import { InputError } from './input-error.js';
import { planColumns } from './columns.js';
import { rowError, type RowLocation } from './location.js';
import { TableBuilder, type Table } from './table.js';
import type { LoadEvalDataOptions } from './types.js';

/** A JSON cell as the text a CSV would hold; null and absent become '' (empty). */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** JSON Lines: one object per line; the first object's keys are the columns, in their order. */
export function readJsonl(buf: Buffer, file: string, opts: LoadEvalDataOptions): Table {
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  let table: TableBuilder | undefined;
  let columns: string[] = [];
  let lineNo = 0;
  const at = (): RowLocation => ({ file, row: (table?.n ?? 0) + 1, line: lineNo });

  for (let li = 0; li < lines.length; li++) {
    lineNo = li + 1;
    const line = lines[li]!.trim();
    if (line === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new InputError(`${file}:${lineNo}: not valid JSON: ${(err as Error).message}`, {
        file,
        line: lineNo,
      });
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new InputError(`${file}:${lineNo}: expected a JSON object per line`, { file, line: lineNo });
    }
    const obj = row as Record<string, unknown>;
    if (table === undefined) {
      columns = Object.keys(obj);
      table = new TableBuilder(file, planColumns(file, columns, opts), opts);
    }
    const { plan } = table;
    const get = (name: string): unknown => {
      if (!Object.hasOwn(obj, name)) throw rowError(at(), name, 'missing (every line needs the same keys)');
      return obj[name];
    };
    const base = table.reserve();
    for (let j = 0; j < table.d; j++) {
      const v = get(plan.featureNames[j]!);
      table.features[base + j] =
        typeof v === 'number' && Number.isFinite(v) ? v : table.featureFromText(j, cellText(v), at);
    }
    table.label(cellText(get(opts.label)), at);
    if (plan.idName !== undefined) table.id(cellText(get(plan.idName)), at);
    plan.extraNames.forEach((name, k) => table!.extraCell(k, cellText(get(name))));
    table.next();
  }
  if (table === undefined)
    throw new InputError(`${file}: the file is empty (expected one JSON object per line)`);
  return table.finish();
}
