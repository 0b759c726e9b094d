import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '@mlops-actions/core';
import type { PreparedRequest } from './transport.js';

/**
 * What the generator sends: evaluation rows as Open Inference Protocol infer requests (one row per
 * request, the way online traffic arrives), the same rows as /predict objects keyed by feature
 * name, or one body file as is. Rows are prepared once; requests cycle through them.
 */

export interface RowsSource {
  n: number;
  d: number;
  featureNames: string[];
  /** n×d row-major. */
  features: Float32Array;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
/** More distinct bodies add nothing to a load test but memory. */
export const MAX_DISTINCT_ROWS = 1000;

function modelPath(model: string, version: string | undefined, action: string): string {
  const v = version !== undefined ? `/versions/${encodeURIComponent(version)}` : '';
  return `/v2/models/${encodeURIComponent(model)}${v}/${action}`;
}

/** The shortest decimal that reads back as the same float32: bodies stay as short as the CSV. */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  for (let p = 6; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(Number(v.toPrecision(9)));
}

function rowText(rows: RowsSource, r: number): string[] {
  const out: string[] = [];
  for (let j = 0; j < rows.d; j++) out.push(float32Text(rows.features[r * rows.d + j]!));
  return out;
}

/** `{"inputs":[{"name","shape":[1,d],"datatype":"FP32","data":[...]}]}` to /v2/models/{model}/infer. */
export function inferRequests(options: {
  model: string;
  version?: string;
  inputName: string;
  rows: RowsSource;
  maxRows?: number;
}): PreparedRequest[] {
  const { rows } = options;
  if (rows.n === 0) throw new InputError('load-test: the data has no rows to send');
  const count = Math.min(rows.n, options.maxRows ?? MAX_DISTINCT_ROWS);
  const p = modelPath(options.model, options.version, 'infer');
  const name = JSON.stringify(options.inputName);
  const out: PreparedRequest[] = [];
  for (let r = 0; r < count; r++) {
    const body = `{"inputs":[{"name":${name},"shape":[1,${rows.d}],"datatype":"FP32","data":[${rowText(rows, r).join(',')}]}]}`;
    out.push({ method: 'POST', path: p, headers: JSON_HEADERS, body: Buffer.from(body) });
  }
  return out;
}

/** `{"rows":[{"feature": value, ...}]}` to /v2/models/{model}/predict. */
export function predictRequests(options: {
  model: string;
  version?: string;
  rows: RowsSource;
  maxRows?: number;
}): PreparedRequest[] {
  const { rows } = options;
  if (rows.n === 0) throw new InputError('load-test: the data has no rows to send');
  const count = Math.min(rows.n, options.maxRows ?? MAX_DISTINCT_ROWS);
  const p = modelPath(options.model, options.version, 'predict');
  const keys = rows.featureNames.map((f) => JSON.stringify(f));
  const out: PreparedRequest[] = [];
  for (let r = 0; r < count; r++) {
    const values = rowText(rows, r);
    const fields = keys.map((k, j) => `${k}:${values[j]}`).join(',');
    out.push({ method: 'POST', path: p, headers: JSON_HEADERS, body: Buffer.from(`{"rows":[{${fields}}]}`) });
  }
  return out;
}

/** A body file sent as is to `urlPath` (default: the URL's own path). */
export async function bodyFileRequests(options: {
  file: string;
  urlPath: string;
  method?: string;
  contentType?: string;
}): Promise<PreparedRequest[]> {
  let body: Buffer;
  try {
    body = await readFile(options.file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      `${options.file}: cannot read the body file (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`,
      { file: options.file },
    );
  }
  const contentType =
    options.contentType ??
    (path.extname(options.file).toLowerCase() === '.json' ? 'application/json' : 'application/octet-stream');
  return [
    {
      method: options.method ?? 'POST',
      path: options.urlPath,
      headers: { 'content-type': contentType },
      body,
    },
  ];
}
