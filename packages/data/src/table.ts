import type { ColumnPlan } from './columns.js';
import { LabelCollector } from './labels.js';
import { hasNumberSyntax, MAX_NUMBER_CHARS, parseStrictNumber } from './numbers.js';
import { rowError, showValue, type RowLocation } from './location.js';
import type { EvalData, LoadEvalDataOptions } from './types.js';

const F32_MAX = 3.4028234663852886e38;

/** What every reader produces; loadEvalData adds the file digest. */
export type Table = Omit<EvalData, 'sha256' | 'bytes'>;

/**
 * Accumulates rows in the EvalData layout while a reader walks the file. Readers write features
 * straight into `features` (after reserve()) so the hot loop makes no per-cell objects.
 */
export class TableBuilder {
  readonly d: number;
  features: Float32Array;
  n = 0;
  private readonly labels: LabelCollector;
  private readonly ids: string[] | undefined;
  private readonly extra: string[][];
  /** Per feature: its text cells when the column is a text column, else undefined. */
  readonly textOf: (string[] | undefined)[];

  constructor(
    readonly file: string,
    readonly plan: ColumnPlan,
    opts: Pick<LoadEvalDataOptions, 'label' | 'task' | 'classes' | 'textColumns'>,
    expectedRows = 1024,
  ) {
    this.d = plan.featureNames.length;
    this.features = new Float32Array(Math.max(1, expectedRows) * this.d);
    this.labels = new LabelCollector(file, opts.label, opts.task, opts.classes);
    this.ids = plan.idIdx >= 0 ? [] : undefined;
    this.extra = plan.extraNames.map(() => []);
    const text = new Set(opts.textColumns ?? []);
    this.textOf = plan.featureNames.map((f) => (text.has(f) ? [] : undefined));
  }

  /** A text column's cell: kept as written; its matrix slot gets the number or NaN. */
  textCell(j: number, text: string): number {
    this.textOf[j]!.push(text);
    const v = parseStrictNumber(text);
    return v <= F32_MAX && v >= -F32_MAX ? v : NaN;
  }

  /** Make room for row `n` and return the offset of its first feature. */
  reserve(): number {
    const need = (this.n + 1) * this.d;
    if (need > this.features.length) {
      const bigger = new Float32Array(Math.max(need, this.features.length * 2));
      bigger.set(this.features);
      this.features = bigger;
    }
    return this.n * this.d;
  }

  /** A feature cell that was not a plain number in the fast path: decide from its text. */
  featureFromText(j: number, text: string, at: () => RowLocation): number {
    const column = this.plan.featureNames[j]!;
    if (text.trim() === '') throw rowError(at(), column, 'empty value');
    if (text.length > MAX_NUMBER_CHARS) {
      throw rowError(at(), column, `a cell of ${text.length} characters is not a number`);
    }
    const v = parseStrictNumber(text);
    if (Number.isNaN(v)) {
      const why = hasNumberSyntax(text) ? 'is out of the range of a number' : 'is not a number';
      throw rowError(at(), column, `${showValue(text)} ${why}`);
    }
    return this.inRange(j, v, at);
  }

  /** Features are float32: a double beyond its range would silently become ±Infinity. */
  inRange(j: number, v: number, at: () => RowLocation): number {
    if (v <= F32_MAX && v >= -F32_MAX) return v;
    throw rowError(
      at(),
      this.plan.featureNames[j]!,
      `${v} is out of the float32 range of model features (±3.4e38)`,
    );
  }

  label(text: string, at: () => RowLocation): void {
    this.labels.add(text, this.n, at);
  }

  id(text: string, at: () => RowLocation): void {
    if (text.trim() === '') throw rowError(at(), this.plan.idName!, 'empty id');
    this.ids!.push(text);
  }

  extraCell(k: number, text: string): void {
    this.extra[k]!.push(text);
  }

  /** Close the current row. */
  next(): void {
    this.n++;
  }

  finish(): Table {
    const { n, d } = this;
    const { labels, classes } = this.labels.finish(n);
    const extra: Record<string, string[]> = {};
    this.plan.extraNames.forEach((name, k) => (extra[name] = this.extra[k]!));
    let rowKeys: Float64Array | undefined;
    if (this.ids !== undefined) {
      const numeric = this.ids.map(parseStrictNumber);
      if (numeric.every((v) => !Number.isNaN(v))) rowKeys = Float64Array.from(numeric);
      else extra[this.plan.idName!] ??= this.ids;
    }
    if (rowKeys === undefined) {
      rowKeys = new Float64Array(n);
      for (let i = 0; i < n; i++) rowKeys[i] = i;
    }
    const text: Record<string, string[]> = {};
    this.textOf.forEach((cells, j) => {
      if (cells !== undefined) text[this.plan.featureNames[j]!] = cells;
    });
    return {
      n,
      d,
      featureNames: [...this.plan.featureNames],
      text,
      unnamedColumns: [...this.plan.unnamed],
      features: this.features.length === n * d ? this.features : this.features.slice(0, n * d),
      labels,
      ...(classes !== undefined ? { classes } : {}),
      rowKeys,
      extra,
    };
  }
}
