import { InputError } from './input-error.js';
import { planColumns } from './columns.js';
import type { RowLocation } from './location.js';
import { parseNumberBytes } from './numbers.js';
import { TableBuilder, type Table } from './table.js';
import type { LoadEvalDataOptions } from './types.js';

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

const F32_MAX = 3.4028234663852886e38;

const QUOTED = 1;
const ESCAPED = 2;

/**
 * RFC 4180 reader over the raw bytes: one pass, field boundaries kept as offsets, numeric feature
 * cells parsed without building strings. Only label, id and extra cells become strings.
 */
class CsvScanner {
  pos = 0;
  /** 1-based line of `pos`, counting newlines inside quoted fields too. */
  line = 1;
  /** Fields found in the last record (may exceed the capacity of the offset arrays). */
  count = 0;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly flags: Uint8Array;

  constructor(
    readonly buf: Buffer,
    readonly file: string,
    capacity: number,
  ) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    // A UTF-8 byte order mark (Excel's "CSV UTF-8") is not part of the first column's name.
    if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) this.pos = 3;
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Read one record; returns false when it was a blank line. */
  record(): boolean {
    const { buf } = this;
    const len = buf.length;
    const cap = this.starts.length;
    const startLine = this.line;
    let f = 0;
    for (;;) {
      let s: number;
      let e: number;
      let fl = 0;
      if (buf[this.pos] === QUOTE) {
        let p = this.pos + 1;
        s = p;
        fl = QUOTED;
        for (;;) {
          if (p >= len) {
            throw new InputError(`${this.file}:${startLine}: a quoted field is never closed (missing '"')`, {
              file: this.file,
              line: startLine,
            });
          }
          const c = buf[p];
          if (c === QUOTE) {
            if (buf[p + 1] === QUOTE) {
              fl |= ESCAPED;
              p += 2;
              continue;
            }
            break;
          }
          if (c === LF) this.line++;
          p++;
        }
        e = p;
        p++;
        const after = buf[p];
        if (p < len && after !== COMMA && after !== LF && after !== CR) {
          throw new InputError(
            `${this.file}:${this.line}: unexpected text after the closing quote of field ${f + 1} ` +
              `(a quote inside a field must be doubled: "")`,
            { file: this.file, line: this.line },
          );
        }
        this.pos = p;
      } else {
        let p = this.pos;
        s = p;
        while (p < len) {
          const c = buf[p];
          if (c === COMMA || c === LF || c === CR) break;
          p++;
        }
        e = p;
        this.pos = p;
      }
      if (f < cap) {
        this.starts[f] = s;
        this.ends[f] = e;
        this.flags[f] = fl;
      }
      f++;
      if (buf[this.pos] === COMMA) {
        this.pos++;
        continue;
      }
      if (buf[this.pos] === CR) this.pos++;
      if (buf[this.pos] === LF) this.pos++;
      this.line++;
      break;
    }
    this.count = f;
    return !(f === 1 && this.ends[0] === this.starts[0] && this.flags[0] === 0);
  }

  text(i: number): string {
    const s = this.buf.toString('utf8', this.starts[i], this.ends[i]);
    return this.flags[i]! & ESCAPED ? s.replaceAll('""', '"') : s;
  }
}

export function readCsv(buf: Buffer, file: string, opts: LoadEvalDataOptions): Table {
  if (buf.length === 0) throw new InputError(`${file}: the file is empty (expected a header row)`, { file });
  const header = new CsvScanner(buf, file, 1 << 16);
  while (!header.done && !header.record()) {
    /* skip blank lines before the header */
  }
  if (header.count === 1 && header.ends[0] === header.starts[0]) {
    throw new InputError(`${file}: the file is empty (expected a header row)`, { file });
  }
  if (header.count > header.starts.length) {
    throw new InputError(
      `${file}: the header has ${header.count} columns; more than ${header.starts.length} are not supported`,
      { file, line: 1 },
    );
  }
  const columns = Array.from({ length: Math.min(header.count, header.starts.length) }, (_, i) =>
    header.text(i).trim(),
  );
  const plan = planColumns(file, columns, opts);
  const headerLine = header.line - 1;

  const scan = new CsvScanner(buf, file, columns.length);
  scan.pos = header.pos;
  scan.line = header.line;
  // Rows are rarely shorter than a third of the header; start near the right size to avoid regrowth.
  const guess = Math.ceil((buf.length - header.pos) / Math.max(16, header.pos / 3));
  const table = new TableBuilder(file, plan, opts, Math.min(guess, 1 << 20));
  const { featureIdx, labelIdx, idIdx, extraIdx } = plan;
  const d = featureIdx.length;
  const nCols = columns.length;
  const { starts, ends } = scan;
  const { textOf } = table;

  let rowLine = 0;
  const at = (): RowLocation => ({ file, row: table.n + 1, line: rowLine });
  while (!scan.done) {
    rowLine = scan.line;
    if (!scan.record()) continue;
    if (scan.count !== nCols) {
      throw new InputError(
        `${file}:${rowLine}: expected ${nCols} fields as in the header but found ${scan.count} (data row ${table.n + 1})`,
        { file, line: rowLine },
      );
    }
    const base = table.reserve();
    const features = table.features;
    for (let j = 0; j < d; j++) {
      const c = featureIdx[j]!;
      if (textOf[j] !== undefined) {
        features[base + j] = table.textCell(j, scan.text(c));
        continue;
      }
      let v = parseNumberBytes(buf, starts[c]!, ends[c]!);
      if (v !== v) v = table.featureFromText(j, scan.text(c), at);
      else if (!(v <= F32_MAX && v >= -F32_MAX)) v = table.inRange(j, v, at);
      features[base + j] = v;
    }
    table.label(scan.text(labelIdx), at);
    if (idIdx >= 0) table.id(scan.text(idIdx), at);
    for (let k = 0; k < extraIdx.length; k++) table.extraCell(k, scan.text(extraIdx[k]!));
    table.next();
  }
  if (table.n === 0) {
    throw new InputError(`${file}: the file has a header (line ${headerLine}) but no data rows`, { file });
  }
  return table.finish();
}
