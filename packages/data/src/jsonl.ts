import { InputError } from './input-error.js';
import { planColumns } from './columns.js';
import { rowError, type RowLocation } from './location.js';
import { TableBuilder, type Table } from './table.js';
import type { LoadEvalDataOptions } from './types.js';

const MAX_DEPTH = 64;

/**
 * Deepest nesting of arrays/objects in a JSON text, stopping once past `limit`. JSON.parse and
 * everything after it recurse per level; 100k nested arrays would end in a RangeError.
 */
function nestingDepth(line: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** A JSON cell as the text a CSV would hold; null and absent become '' (empty). */
function cellText(v: unknown, at: () => RowLocation, column: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw rowError(
    at(),
    column,
    `${Array.isArray(v) ? 'an array' : 'an object'} where a single value (number, string, boolean) belongs`,
  );
}

const F32_MAX = 3.4028234663852886e38;

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
    if (nestingDepth(line, MAX_DEPTH) > MAX_DEPTH) {
      throw new InputError(
        `${file}:${lineNo}: JSON nested more than ${MAX_DEPTH} levels deep (a data row is one flat object)`,
        { file, line: lineNo },
      );
    }
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
      const name = plan.featureNames[j]!;
      const v = get(name);
      table.features[base + j] =
        table.textOf[j] !== undefined
          ? table.textCell(j, cellText(v, at, name))
          : typeof v === 'number' && Number.isFinite(v)
            ? v <= F32_MAX && v >= -F32_MAX
              ? v
              : table.inRange(j, v, at)
            : table.featureFromText(j, cellText(v, at, name), at);
    }
    table.label(cellText(get(opts.label), at, opts.label), at);
    if (plan.idName !== undefined) table.id(cellText(get(plan.idName), at, plan.idName), at);
    plan.extraNames.forEach((name, k) => table!.extraCell(k, cellText(get(name), at, name)));
    table.next();
  }
  if (table === undefined)
    throw new InputError(`${file}: the file is empty (expected one JSON object per line)`);
  return table.finish();
}
