/**
 * Streaming readers for drift data: CSV, JSON Lines (also the model server's `--log-inputs` log),
 * and directories of daily files. Files are read in chunks, so the text of a file is never held
 * whole; cells go straight into column storage.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { InputError, NUMBER_SYNTAX } from '@mlops-actions/core';
import { ColumnBuilder, MISSING_TOKENS, type ColumnKind } from './columns.js';

export type DriftFormat = 'csv' | 'jsonl';

export interface ReadOptions {
  format?: DriftFormat;
  /** Keep only these columns; each must exist (the error names the missing ones). */
  columns?: string[];
  /** Columns read as categories even when every value is a number. */
  categorical?: string[];
  /** Columns ignored (label, id, prediction columns). */
  exclude?: string[];
  /** Bytes per read; default 4 MiB. */
  chunkBytes?: number;
}

export interface SourceFile {
  path: string;
  sha256: string;
  bytes: number;
  rows: number;
}

export interface Dataset {
  /** The path as given (file or directory). */
  source: string;
  files: SourceFile[];
  rows: number;
  /** Every column in the data, in file order (before `columns`/`exclude` filtering). */
  header: string[];
  columns: Map<string, ColumnBuilder>;
}

const DATA_EXTENSIONS = new Map<string, DriftFormat>([
  ['.csv', 'csv'],
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.log', 'jsonl'],
]);

export function formatOfPath(path: string): DriftFormat | undefined {
  return DATA_EXTENSIONS.get(extname(path).toLowerCase());
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A decimal number straight from bytes, correctly rounded to float64: scanNumber's fast path
 * (Clinger's: at most 15 significant digits and a power of ten up to 22 are exact doubles, so one
 * division or multiplication rounds once), anything else through Number() once the text has the
 * number syntax. NaN: not a plain number.
 */
export function parseFloat64(b: Uint8Array, start: number, end: number): number {
  let s = start;
  let e = end;
  while (s < e && (b[s] === 32 || b[s] === 9)) s++;
  while (e > s && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
  if (s === e) return NaN;
  const v = scanNumber(b, s, e);
  if (v === v && scanEnd === e) return v;
  const text = Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');
  return NUMBER_SYNTAX.test(text) ? Number(text) : NaN;
}

/** Routes cells of the kept columns into their builders. */
class Sink {
  readonly columns = new Map<string, ColumnBuilder>();
  header: string[] | undefined;
  rows = 0;
  private readonly categorical: Set<string>;
  private readonly exclude: Set<string>;
  private readonly wanted: Set<string> | undefined;

  constructor(private readonly opts: ReadOptions) {
    this.categorical = new Set(opts.categorical ?? []);
    this.exclude = new Set(opts.exclude ?? []);
    this.wanted = opts.columns ? new Set(opts.columns) : undefined;
  }

  /** Which builder each header position feeds (undefined: not kept). */
  plan(file: string, header: string[]): (ColumnBuilder | undefined)[] {
    if (this.header === undefined) {
      const seen = new Set<string>();
      for (const h of header) {
        if (seen.has(h)) throw new InputError(`${file}: column '${h}' appears twice in the header`, { file });
        seen.add(h);
      }
      if (this.wanted) {
        const missing = [...this.wanted].filter((c) => !seen.has(c));
        if (missing.length > 0) {
          throw new InputError(
            `${file}: missing ${missing.length === 1 ? 'column' : 'columns'} ${missing.map((m) => `'${m}'`).join(', ')} ` +
              `(the file has ${header.map((h) => `'${h}'`).join(', ')})`,
            { file },
          );
        }
      }
      this.header = header;
      for (const h of header) {
        if (this.exclude.has(h) || (this.wanted && !this.wanted.has(h))) continue;
        const kind: ColumnKind = this.categorical.has(h) ? 'categorical' : 'numeric';
        this.columns.set(h, new ColumnBuilder(h, kind));
      }
    } else {
      // Later files of a directory must carry every kept column; their order may differ.
      const have = new Set(header);
      const missing = [...this.columns.keys()].filter((c) => !have.has(c));
      if (missing.length > 0) {
        throw new InputError(
          `${file}: missing ${missing.map((m) => `'${m}'`).join(', ')}, which the earlier files have`,
          { file },
        );
      }
    }
    return header.map((h) => this.columns.get(h));
  }
}

function pushText(col: ColumnBuilder, text: string): void {
  const t = text.trim();
  if (MISSING_TOKENS.has(t)) col.pushMissing();
  else if (col.kind === 'categorical') col.pushText(t);
  else {
    const v = NUMBER_SYNTAX.test(t) ? Number(t) : NaN;
    if (Number.isNaN(v)) col.pushText(t);
    else col.pushNumber(v);
  }
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

let scanEnd = 0;

/**
 * parseFloat64 fused with finding the field's end: a plain decimal followed by a delimiter (or
 * the end) is parsed in the one pass; anything else returns NaN and the caller takes the slow path.
 */
function scanNumber(b: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  if (b[i] === 45) {
    neg = true;
    i++;
  } else if (b[i] === 43) i++;
  let mant = 0;
  let sig = 0;
  let exp10 = 0;
  let digits = 0;
  let fraction = false;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === 46) {
      if (fraction) return NaN;
      fraction = true;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) break;
    digits++;
    if (sig > 0 || d !== 0) {
      sig++;
      if (sig <= 15) mant = mant * 10 + d;
    }
    if (fraction && sig <= 15) exp10--;
  }
  if (digits === 0 || sig > 15) return NaN;
  if (i < end && (b[i] === 101 || b[i] === 69)) {
    i++;
    let eneg = false;
    if (b[i] === 45) {
      eneg = true;
      i++;
    } else if (b[i] === 43) i++;
    let ev = 0;
    let edigits = 0;
    for (; i < end; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      if (ev < 100000) ev = ev * 10 + d;
      edigits++;
    }
    if (edigits === 0) return NaN;
    exp10 += eneg ? -ev : ev;
  }
  if (i < end) {
    const c = b[i];
    if (c !== COMMA && c !== LF && c !== CR) return NaN;
  }
  if (exp10 < -22 || exp10 > 22) return NaN;
  scanEnd = i;
  const v = exp10 < 0 ? mant / POW10[-exp10]! : mant * POW10[exp10]!;
  return neg ? -v : v;
}

function fieldEnd(b: Uint8Array, p: number, end: number): number {
  while (p < end) {
    const c = b[p];
    if (c === COMMA || c === LF || c === CR) break;
    p++;
  }
  return p;
}

/**
 * Complete records in [pos, end) of a region with no quote character: every newline ends a
 * record, so cells go to their columns as they are scanned.
 */
function fastRecords(
  b: Buffer,
  pos: number,
  end: number,
  plan: (ColumnBuilder | undefined)[],
  path: string,
  at: { line: number; rows: number },
): number {
  const nCols = plan.length;
  let p = pos;
  while (p < end) {
    if (b[p] === LF) {
      p++;
      at.line++;
      continue;
    }
    if (b[p] === CR && b[p + 1] === LF) {
      p += 2;
      at.line++;
      continue;
    }
    for (let k = 0; k < nCols; k++) {
      const col = plan[k];
      let e: number;
      if (col !== undefined && col.kind === 'numeric') {
        const v = scanNumber(b, p, end);
        if (v === v) {
          col.pushNumber(v);
          e = scanEnd;
        } else {
          e = fieldEnd(b, p, end);
          const w = parseFloat64(b, p, e);
          if (w === w) col.pushNumber(w);
          else pushText(col, b.toString('utf8', p, e));
        }
      } else {
        e = fieldEnd(b, p, end);
        if (col !== undefined) pushText(col, b.toString('utf8', p, e));
      }
      p = e;
      const c = b[p];
      if (k < nCols - 1) {
        if (c !== COMMA) throw fieldCount(path, at, nCols, k + 1);
        p++;
      } else if (c === COMMA) {
        let extra = 0;
        for (let q = p; q < end && b[q] !== LF; q++) if (b[q] === COMMA) extra++;
        throw fieldCount(path, at, nCols, nCols + extra);
      }
    }
    if (b[p] === CR) p++;
    if (p < end && b[p] !== LF) throw fieldCount(path, at, nCols, nCols);
    if (b[p] === LF) p++;
    at.line++;
    at.rows++;
  }
  return p;
}

function fieldCount(path: string, at: { line: number; rows: number }, n: number, found: number): InputError {
  return new InputError(
    `${path}:${at.line}: expected ${n} fields as in the header but found ${found} (data row ${at.rows + 1})`,
    { file: path, line: at.line },
  );
}

/** CSV (RFC 4180) in chunks; a record cut by a chunk boundary is carried into the next chunk. */
function readCsvFile(path: string, sink: Sink, chunkBytes: number): SourceFile {
  const fd = openSync(path, 'r');
  const hash = createHash('sha256');
  let bytes = 0;
  let rows = 0;
  let line = 1;
  let plan: (ColumnBuilder | undefined)[] | undefined;
  let nCols = 0;
  let starts: Int32Array = new Int32Array(256);
  let ends: Int32Array = new Int32Array(256);
  let quoted: Uint8Array = new Uint8Array(256);
  let carry: Buffer = Buffer.alloc(0);
  const chunk = Buffer.allocUnsafe(chunkBytes);
  let first = true;
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunkBytes, null);
      const eof = n === 0;
      if (n > 0) {
        hash.update(chunk.subarray(0, n));
        bytes += n;
      }
      let buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let pos = 0;
      if (first && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      if (first && (buf.length >= 3 || eof)) first = false;
      const len = buf.length;
      if (plan !== undefined && buf.indexOf(QUOTE, pos) === -1) {
        const end = eof ? len : buf.lastIndexOf(LF) + 1;
        if (end > pos) {
          const at = { line, rows };
          pos = fastRecords(buf, pos, end, plan, path, at);
          line = at.line;
          rows = at.rows;
        }
      }
      for (;;) {
        if (pos >= len) break;
        // Scan one record; stop (and carry) when the chunk ends inside it.
        let f = 0;
        let p = pos;
        let complete = false;
        let newlines = 0;
        for (;;) {
          if (f >= starts.length) {
            const grow = (a: Int32Array): Int32Array => {
              const b = new Int32Array(a.length * 2);
              b.set(a);
              return b;
            };
            starts = grow(starts);
            ends = grow(ends);
            const q = new Uint8Array(quoted.length * 2);
            q.set(quoted);
            quoted = q;
          }
          if (buf[p] === QUOTE) {
            let q = p + 1;
            let closed = false;
            let esc = 0;
            while (q < len) {
              const c = buf[q];
              if (c === QUOTE) {
                if (q + 1 < len && buf[q + 1] === QUOTE) {
                  q += 2;
                  esc = 2;
                  continue;
                }
                if (q + 1 >= len && !eof) break; // a doubled quote may continue in the next chunk
                closed = true;
                break;
              }
              if (c === LF) newlines++;
              q++;
            }
            if (!closed) {
              if (eof) {
                throw new InputError(`${path}:${line}: a quoted field is never closed (missing '"')`, {
                  file: path,
                  line,
                });
              }
              break;
            }
            starts[f] = p + 1;
            ends[f] = q;
            quoted[f] = 1 + esc;
            p = q + 1;
            const after = buf[p];
            if (p < len && after !== COMMA && after !== LF && after !== CR) {
              throw new InputError(
                `${path}:${line + newlines}: unexpected text after the closing quote of field ${f + 1} ` +
                  `(a quote inside a field must be doubled: "")`,
                { file: path, line: line + newlines },
              );
            }
          } else {
            const s = p;
            while (p < len) {
              const c = buf[p];
              if (c === COMMA || c === LF || c === CR) break;
              p++;
            }
            starts[f] = s;
            ends[f] = p;
            quoted[f] = 0;
          }
          f++;
          if (p >= len) {
            if (eof) complete = true;
            break;
          }
          if (buf[p] === COMMA) {
            p++;
            continue;
          }
          if (buf[p] === CR) {
            if (p + 1 >= len && !eof) break;
            p++;
          }
          if (buf[p] === LF) p++;
          complete = true;
          break;
        }
        if (!complete) break;
        const recordLine = line;
        line += 1 + newlines;
        pos = p;
        if (f === 1 && ends[0] === starts[0] && quoted[0] === 0) continue; // blank line
        if (plan === undefined) {
          const header = Array.from({ length: f }, (_, k) =>
            cellText(buf, starts[k]!, ends[k]!, quoted[k]!).trim(),
          );
          plan = sink.plan(path, header);
          nCols = f;
          continue;
        }
        if (f !== nCols) {
          throw new InputError(
            `${path}:${recordLine}: expected ${nCols} fields as in the header but found ${f} (data row ${rows + 1})`,
            { file: path, line: recordLine },
          );
        }
        for (let k = 0; k < nCols; k++) {
          const col = plan[k];
          if (col === undefined) continue;
          if (col.kind === 'numeric' && quoted[k] === 0) {
            const v = parseFloat64(buf, starts[k]!, ends[k]!);
            if (v === v) {
              col.pushNumber(v);
              continue;
            }
          }
          pushText(col, cellText(buf, starts[k]!, ends[k]!, quoted[k]!));
        }
        rows++;
      }
      if (eof) break;
      carry = Buffer.from(buf.subarray(pos));
      buf = Buffer.alloc(0);
    }
  } finally {
    closeSync(fd);
  }
  if (plan === undefined)
    throw new InputError(`${path}: the file is empty (expected a header row)`, { file: path });
  sink.rows += rows;
  return { path, sha256: hash.digest('hex'), bytes, rows };
}

function cellText(buf: Buffer, s: number, e: number, quoted: number): string {
  const t = buf.toString('utf8', s, e);
  return quoted === 3 ? t.replaceAll('""', '"') : t;
}

/**
 * The model server's input log (`mlops serve --log-inputs`: one row per line, its feature values
 * in `features`, beside ts, model, outputs and prediction) and plain JSON Lines. A line is a row
 * object; or has `features`; or has `inputs`: an object of feature values (one row), an array of
 * such objects, or an object of equal-length arrays (a batch).
 */
function rowsOfLine(obj: Record<string, unknown>, where: string): Record<string, unknown>[] {
  const logged = obj['features'];
  if (typeof logged === 'object' && logged !== null && !Array.isArray(logged))
    return [logged as Record<string, unknown>];
  const inputs = obj['inputs'];
  if (inputs === undefined) return [obj];
  if (Array.isArray(inputs)) {
    return inputs.map((r, i) => {
      if (typeof r !== 'object' || r === null || Array.isArray(r)) {
        throw new InputError(`${where}: inputs[${i}] is not an object of feature values`);
      }
      return r as Record<string, unknown>;
    });
  }
  if (typeof inputs !== 'object' || inputs === null) {
    throw new InputError(`${where}: 'inputs' must be an object of feature values`);
  }
  const rec = inputs as Record<string, unknown>;
  const vals = Object.values(rec);
  if (vals.length > 0 && vals.every((v) => Array.isArray(v))) {
    const n = (vals[0] as unknown[]).length;
    if (!vals.every((v) => (v as unknown[]).length === n)) {
      throw new InputError(`${where}: the arrays in 'inputs' differ in length`);
    }
    const keys = Object.keys(rec);
    return Array.from({ length: n }, (_, i) =>
      Object.fromEntries(keys.map((k) => [k, (rec[k] as unknown[])[i]])),
    );
  }
  return [rec];
}

function pushJson(col: ColumnBuilder, v: unknown): void {
  if (v === null || v === undefined) col.pushMissing();
  else if (typeof v === 'number') {
    if (col.kind === 'categorical') col.pushText(String(v));
    else col.pushNumber(v);
  } else if (typeof v === 'boolean') col.pushText(String(v));
  else if (typeof v === 'string') pushText(col, v);
  else col.pushText(JSON.stringify(v));
}

function readJsonlFile(path: string, sink: Sink, chunkBytes: number): SourceFile {
  const fd = openSync(path, 'r');
  const hash = createHash('sha256');
  let bytes = 0;
  let rows = 0;
  let lineNo = 0;
  let plan: (ColumnBuilder | undefined)[] | undefined;
  let keys: string[] = [];
  let carry = '';
  const chunk = Buffer.allocUnsafe(chunkBytes);
  const decoder = new TextDecoder('utf-8');
  const handle = (raw: string): void => {
    lineNo++;
    const line = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1).trim() : raw.trim();
    if (line === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (err) {
      throw new InputError(`${path}:${lineNo}: not valid JSON: ${(err as Error).message}`, {
        file: path,
        line: lineNo,
      });
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new InputError(`${path}:${lineNo}: expected a JSON object per line`, {
        file: path,
        line: lineNo,
      });
    }
    for (const row of rowsOfLine(obj as Record<string, unknown>, `${path}:${lineNo}`)) {
      if (plan === undefined) {
        keys = Object.keys(row);
        plan = sink.plan(path, keys);
      }
      for (let k = 0; k < keys.length; k++) {
        const col = plan[k];
        if (col === undefined) continue;
        const name = keys[k]!;
        if (!Object.hasOwn(row, name)) {
          throw new InputError(`${path}:${lineNo}: '${name}' is missing (every line needs the same keys)`, {
            file: path,
            line: lineNo,
          });
        }
        pushJson(col, row[name]);
      }
      rows++;
    }
  };
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunkBytes, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
      bytes += n;
      const text = carry + decoder.decode(chunk.subarray(0, n), { stream: true });
      const lines = text.split('\n');
      carry = lines.pop()!;
      for (const l of lines) handle(l);
    }
    carry += decoder.decode();
    if (carry !== '') handle(carry);
  } finally {
    closeSync(fd);
  }
  if (plan === undefined) {
    throw new InputError(`${path}: the file is empty (expected one JSON object per line)`, { file: path });
  }
  sink.rows += rows;
  return { path, sha256: hash.digest('hex'), bytes, rows };
}

/** The data files a path names: itself, or a directory's data files in name order (daily files). */
export function dataFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError(`${path}: no such file or directory`, { file: path });
  }
  if (!st.isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((f) => !f.startsWith('.') && formatOfPath(f) !== undefined)
    .sort()
    .map((f) => join(path, f))
    .filter((f) => statSync(f).isFile());
  if (files.length === 0) {
    throw new InputError(`${path}: the directory has no data files (.csv, .jsonl, .ndjson)`, { file: path });
  }
  return files;
}

/** Read a file or a directory of files into column storage in one pass. */
export function readDataset(path: string, opts: ReadOptions = {}): Dataset {
  const sink = new Sink(opts);
  const chunkBytes = opts.chunkBytes ?? 4 << 20;
  const files: SourceFile[] = [];
  for (const file of dataFiles(path)) {
    const format = opts.format ?? formatOfPath(file);
    if (format === undefined) {
      throw new InputError(
        `${file}: unknown data format '${extname(file)}' (expected .csv, .jsonl or .ndjson)`,
        {
          file,
        },
      );
    }
    files.push(
      format === 'csv' ? readCsvFile(file, sink, chunkBytes) : readJsonlFile(file, sink, chunkBytes),
    );
  }
  for (const c of sink.columns.values()) c.trim();
  return { source: path, files, rows: sink.rows, header: sink.header ?? [], columns: sink.columns };
}

/**
 * A data set from values already in memory (predictions, tests, a caller's own reader): numbers,
 * strings (numeric text is parsed), null/undefined/NaN as missing.
 */
export function datasetFromColumns(
  source: string,
  columns: Record<string, ArrayLike<number> | readonly (number | string | null | undefined)[]>,
  opts: Pick<ReadOptions, 'categorical'> = {},
): Dataset {
  const categorical = new Set(opts.categorical ?? []);
  const out = new Map<string, ColumnBuilder>();
  let rows: number | undefined;
  for (const [name, values] of Object.entries(columns)) {
    if (rows !== undefined && values.length !== rows) {
      throw new InputError(`${source}: column '${name}' has ${values.length} values, the others ${rows}`);
    }
    rows = values.length;
    const col = new ColumnBuilder(name, categorical.has(name) ? 'categorical' : 'numeric', Math.max(1, rows));
    for (let i = 0; i < values.length; i++) pushJson(col, values[i]);
    col.trim();
    out.set(name, col);
  }
  return { source, files: [], rows: rows ?? 0, header: Object.keys(columns), columns: out };
}
