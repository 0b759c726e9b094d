import { InputError } from './input-error.js';
import { parquetMetadata, parquetRead, parquetSchema } from 'hyparquet';
import { planColumns } from './columns.js';
import type { RowLocation } from './location.js';
import { TableBuilder, type Table } from './table.js';
import type { LoadEvalDataOptions } from './types.js';

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
}

/** Parquet through hyparquet: the requested columns are decoded whole, then walked row by row. */
export async function readParquet(buf: Buffer, file: string, opts: LoadEvalDataOptions): Promise<Table> {
  const arrayBuffer = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(arrayBuffer);
  } catch (err) {
    throw new InputError(`${file}: not a readable Parquet file: ${(err as Error).message}`, { file });
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const n = Number(metadata.num_rows);
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
  try {
    await parquetRead({
      file: arrayBuffer,
      metadata,
      columns: wanted,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const target = data.get(columnName);
        if (target === undefined) return;
        for (let i = 0; i < columnData.length && rowStart + i < n; i++) target[rowStart + i] = columnData[i];
      },
    });
  } catch (err) {
    throw new InputError(`${file}: cannot decode Parquet data: ${(err as Error).message}`, { file });
  }

  const table = new TableBuilder(file, plan, opts, n);
  const at = (): RowLocation => ({ file, row: table.n + 1 });
  const featureCols = plan.featureNames.map((c) => data.get(c)!);
  const labelCol = data.get(opts.label)!;
  const idCol = plan.idName !== undefined ? data.get(plan.idName)! : undefined;
  const extraCols = plan.extraNames.map((c) => data.get(c)!);
  for (let r = 0; r < n; r++) {
    const base = table.reserve();
    for (let j = 0; j < table.d; j++) {
      const v = featureCols[j]![r];
      table.features[base + j] =
        typeof v === 'number' && Number.isFinite(v)
          ? v
          : typeof v === 'bigint'
            ? Number(v)
            : table.featureFromText(j, cellText(v), at);
    }
    table.label(cellText(labelCol[r]), at);
    if (idCol !== undefined) table.id(cellText(idCol[r]), at);
    extraCols.forEach((col, k) => table.extraCell(k, cellText(col[r])));
    table.next();
  }
  return table.finish();
}
