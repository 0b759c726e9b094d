/**
 * Column storage while data streams in. Numeric columns keep one float64 per row (NaN = missing),
 * 8 bytes a cell, less than the text they came from, and the row alignment prediction needs;
 * categorical columns keep a dictionary code per row. Min, max, mean and variance accumulate in
 * the same pass (Welford), so the summaries need no second look at the data.
 */

import { sortFloat64 } from './sort.js';

/** pandas' default missing-value markers (read_csv na_values), plus JSON null. */
export const MISSING_TOKENS = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

export type ColumnKind = 'numeric' | 'categorical';

export class ColumnBuilder {
  kind: ColumnKind;
  rows = 0;
  missing = 0;
  /** Numeric: one value per row, NaN for missing. */
  values: Float64Array;
  /** Categorical: code per row, -1 for missing. */
  codes: Int32Array | undefined;
  dictionary: string[] = [];
  private readonly index = new Map<string, number>();
  min = Infinity;
  max = -Infinity;
  private meanAcc = 0;
  private m2 = 0;

  constructor(
    readonly name: string,
    kind: ColumnKind,
    capacity = 1024,
  ) {
    this.kind = kind;
    this.values = kind === 'numeric' ? new Float64Array(capacity) : new Float64Array(0);
    this.codes = kind === 'categorical' ? new Int32Array(capacity) : undefined;
  }

  private grow(): void {
    if (this.kind === 'numeric') {
      if (this.rows >= this.values.length) {
        const next = new Float64Array(Math.max(1024, this.values.length * 2));
        next.set(this.values);
        this.values = next;
      }
    } else if (this.rows >= this.codes!.length) {
      const next = new Int32Array(Math.max(1024, this.codes!.length * 2));
      next.set(this.codes!);
      this.codes = next;
    }
  }

  /** A parsed number (NaN or ±Infinity count as missing, as Evidently replaces inf with NaN). */
  pushNumber(v: number): void {
    if (this.kind === 'categorical') {
      if (Number.isFinite(v)) this.pushText(String(v));
      else this.pushMissing();
      return;
    }
    this.grow();
    if (!Number.isFinite(v)) {
      this.values[this.rows++] = NaN;
      this.missing++;
      return;
    }
    this.values[this.rows++] = v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const k = this.rows - this.missing;
    const d = v - this.meanAcc;
    this.meanAcc += d / k;
    this.m2 += d * (v - this.meanAcc);
  }

  pushMissing(): void {
    this.grow();
    if (this.kind === 'numeric') this.values[this.rows++] = NaN;
    else this.codes![this.rows++] = -1;
    this.missing++;
  }

  /** A non-numeric, non-missing cell: the column becomes categorical. */
  pushText(text: string): void {
    if (this.kind === 'numeric') this.toCategorical();
    this.grow();
    let code = this.index.get(text);
    if (code === undefined) {
      code = this.dictionary.length;
      this.dictionary.push(text);
      this.index.set(text, code);
    }
    this.codes![this.rows++] = code;
  }

  /** Numbers seen so far become their decimal text (pandas would read the whole column as text). */
  toCategorical(): void {
    if (this.kind === 'categorical') return;
    const codes = new Int32Array(Math.max(1024, this.values.length));
    for (let i = 0; i < this.rows; i++) {
      const v = this.values[i]!;
      if (Number.isNaN(v)) codes[i] = -1;
      else {
        const t = String(v);
        let code = this.index.get(t);
        if (code === undefined) {
          code = this.dictionary.length;
          this.dictionary.push(t);
          this.index.set(t, code);
        }
        codes[i] = code;
      }
    }
    this.kind = 'categorical';
    this.codes = codes;
    this.values = new Float64Array(0);
  }

  get present(): number {
    return this.rows - this.missing;
  }

  get mean(): number {
    return this.present > 0 ? this.meanAcc : NaN;
  }

  /** Population variance from the streaming accumulator. */
  get variance(): number {
    return this.present > 0 ? this.m2 / this.present : NaN;
  }

  /** Sorted non-missing values (numeric columns). */
  sorted(): Float64Array {
    const out = new Float64Array(this.present);
    let k = 0;
    for (let i = 0; i < this.rows; i++) {
      const v = this.values[i]!;
      if (v === v) out[k++] = v;
    }
    return sortFloat64(out);
  }

  /** Value counts (categorical columns). */
  counts(): Map<string, number> {
    const c = new Int32Array(this.dictionary.length);
    for (let i = 0; i < this.rows; i++) {
      const code = this.codes![i]!;
      if (code >= 0) c[code]!++;
    }
    const out = new Map<string, number>();
    this.dictionary.forEach((name, i) => {
      if (c[i]! > 0) out.set(name, c[i]!);
    });
    return out;
  }

  /** Release the spare capacity once the data is in. */
  trim(): void {
    if (this.kind === 'numeric' && this.values.length !== this.rows)
      this.values = this.values.slice(0, this.rows);
    if (this.codes !== undefined && this.codes.length !== this.rows)
      this.codes = this.codes.slice(0, this.rows);
  }
}
