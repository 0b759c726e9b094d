import { InputError } from './input-error.js';
import { parquetMetadata, parquetRead, parquetSchema } from 'hyparquet';
import { planColumns } from './columns.js';
import { rowError, type RowLocation } from './location.js';
import { TableBuilder, type Table } from './table.js';
import type { LoadEvalDataOptions } from './types.js';

const F32_MAX = 3.4028234663852886e38;
const MAX_ROWS = 100_000_000;

function cellText(v: unknown, at: () => RowLocation, column: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  // A list/struct/map column (or bytes) is not one model input value.
  throw rowError(
    at(),
    column,
    `a ${Array.isArray(v) ? 'list' : 'nested'} value where a single value belongs`,
  );
}

/**
 * hyparquet trusts what the footer says; a damaged one surfaces as a TypeError or RangeError from
 * deep inside, whose text ("reading 'map'") means nothing to the user.
 */
function damaged(file: string, what: string, err: unknown): InputError {
  const internal = err instanceof TypeError || err instanceof RangeError || !(err instanceof Error);
  const detail = internal ? '' : `: ${err.message}`;
  return new InputError(`${file}: not a readable Parquet file: ${what}${detail}`, { file });
}

/** Parquet through hyparquet: the requested columns are decoded whole, then walked row by row. */
export async function readParquet(buf: Buffer, file: string, opts: LoadEvalDataOptions): Promise<Table> {
  try {
    return await read(buf, file, opts);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw damaged(file, 'damaged footer or metadata', err);
  }
}

async function read(buf: Buffer, file: string, opts: LoadEvalDataOptions): Promise<Table> {
  if (
    buf.length < 12 ||
    buf.toString('latin1', 0, 4) !== 'PAR1' ||
    buf.toString('latin1', buf.length - 4) !== 'PAR1'
  ) {
    throw new InputError(
      `${file}: not a readable Parquet file: it must start and end with the bytes 'PAR1'`,
      {
        file,
      },
    );
  }
  const arrayBuffer = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(arrayBuffer);
  } catch (err) {
    throw damaged(file, 'its footer (the metadata) is damaged', err);
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const n = Number(metadata.num_rows);
  const groupRows = metadata.row_groups.reduce((sum, g) => sum + Number(g.num_rows), 0);
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_ROWS || groupRows !== n) {
    throw new InputError(
      `${file}: the Parquet footer declares ${String(metadata.num_rows)} rows` +
        (groupRows !== n ? ` but its row groups hold ${groupRows}` : ` (at most ${MAX_ROWS} are supported)`),
      { file },
    );
  }
  if (n === 0) throw new InputError(`${file}: the file has columns but no data rows`, { file });
  const plan = planColumns(file, columns, opts);
  const wanted = [
    ...new Set([
      ...plan.featureNames,
      opts.label,
      ...(plan.idName !== undefined ? [plan.idName] : []),
      ...plan.extraNames,
    ]),
  ];
  const data = new Map<string, unknown[]>(wanted.map((c) => [c, new Array<unknown>(n)]));
  const decoded = new Map<string, number>(wanted.map((c) => [c, 0]));
  try {
    await parquetRead({
      file: arrayBuffer,
      metadata,
      columns: wanted,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const target = data.get(columnName);
        if (target === undefined) return;
        let i = 0;
        for (; i < columnData.length && rowStart + i < n; i++) target[rowStart + i] = columnData[i];
        decoded.set(columnName, decoded.get(columnName)! + i);
      },
    });
  } catch (err) {
    throw damaged(file, 'cannot decode its data pages', err);
  }

  const table = new TableBuilder(file, plan, opts, n);
  const at = (): RowLocation => ({ file, row: table.n + 1 });
  for (const [name, count] of decoded) {
    // Fewer decoded values than the footer's row count: a truncated column chunk, not empty cells.
    if (count < n) {
      throw new InputError(
        `${file}: column '${name}' has ${count} values but the footer declares ${n} rows (file truncated?)`,
        { file },
      );
    }
  }
  const featureCols = plan.featureNames.map((c) => data.get(c)!);
  const labelCol = data.get(opts.label)!;
  const idCol = plan.idName !== undefined ? data.get(plan.idName)! : undefined;
  const extraCols = plan.extraNames.map((c) => data.get(c)!);
  for (let r = 0; r < n; r++) {
    const base = table.reserve();
    for (let j = 0; j < table.d; j++) {
      const v = featureCols[j]![r];
      const name = plan.featureNames[j]!;
      table.features[base + j] =
        table.textOf[j] !== undefined
          ? table.textCell(j, cellText(v, at, name))
          : typeof v === 'number' && Number.isFinite(v)
            ? v <= F32_MAX && v >= -F32_MAX
              ? v
              : table.inRange(j, v, at)
            : typeof v === 'bigint'
              ? Number(v)
              : typeof v === 'boolean'
                ? Number(v)
                : table.featureFromText(j, cellText(v, at, name), at);
    }
    table.label(cellText(labelCol[r], at, opts.label), at);
    if (idCol !== undefined) table.id(cellText(idCol[r], at, plan.idName!), at);
    extraCols.forEach((col, k) => table.extraCell(k, cellText(col[r], at, plan.extraNames[k]!)));
    table.next();
  }
  return table.finish();
}
