import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { formatFromExtension } from '@mlops-actions/core';
import { InputError } from './input-error.js';
import { readCsv } from './csv.js';
import { readJsonl } from './jsonl.js';
import { readParquet } from './parquet.js';
import type { DataFormat, EvalData, LoadEvalDataOptions } from './types.js';

/** The format a file's extension names (the one table: core's `formatFromExtension`), or an error. */
export function formatOf(file: string): DataFormat {
  const format = formatFromExtension(file);
  if (format === undefined) {
    throw new InputError(
      `${file}: cannot tell the data format from the extension; use .csv, .jsonl or .parquet, or set format`,
      { file },
    );
  }
  return format;
}

function describeReadError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return err.message;
  }
}

/** Read an evaluation data set into the dense layout the inference and metrics code use. */
export async function loadEvalData(opts: LoadEvalDataOptions): Promise<EvalData> {
  const file = opts.path;
  const format = opts.format ?? formatOf(file);
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw new InputError(
      `${file}: cannot read the file: ${describeReadError(err as NodeJS.ErrnoException)}`,
      {
        file,
      },
    );
  }
  const sha256 = createHash('sha256').update(buf).digest('hex');
  const table =
    format === 'csv'
      ? readCsv(buf, file, opts)
      : format === 'jsonl'
        ? readJsonl(buf, file, opts)
        : await readParquet(buf, file, opts);
  return { ...table, sha256, bytes: buf.length };
}
