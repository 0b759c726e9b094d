import { InputError } from './input-error.js';
import { parseStrictNumber } from './numbers.js';
import { rowError, showValue, type RowLocation } from './location.js';
import type { Task } from './types.js';

function grow<T extends Float64Array | Int32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

function formatClasses(classes: readonly (number | string)[]): string {
  const shown = classes.slice(0, 20).map((c) => (typeof c === 'number' ? String(c) : `'${c}'`));
  return `[${shown.join(', ')}${classes.length > 20 ? ', …' : ''}]`;
}

/**
 * Turns label cells into numbers: the value for regression, the class index for classification.
 * Without declared classes the index order is only known at the end (sorted unique values), so
 * rows keep a code into a small dictionary of distinct texts until finish().
 */
export class LabelCollector {
  private values = new Float64Array(1024);
  private codes = new Int32Array(1024);
  private readonly dictionary = new Map<string, number>();
  private readonly byText = new Map<string, number>();
  private readonly byNumber = new Map<number, number>();
  private readonly classifying: boolean;
  /** Where each distinct label text first appears, to name a row when the set of values is wrong. */
  private readonly firstSeen: RowLocation[] = [];

  constructor(
    private readonly file: string,
    private readonly column: string,
    private readonly task: Task,
    private readonly classes?: readonly (number | string)[],
  ) {
    this.classifying = task !== 'regression';
    if (this.classifying && classes !== undefined) {
      if (classes.length === 0) throw new InputError(`${file}: 'classes' is empty`);
      if (task === 'binary-classification' && classes.length !== 2) {
        throw new InputError(
          `${file}: the task is binary-classification but 'classes' lists ${classes.length} classes ${formatClasses(classes)}; ` +
            `list exactly two (negative first) or use multiclass-classification`,
          { file },
        );
      }
      classes.forEach((c, i) => {
        const seen = typeof c === 'number' ? this.byNumber.has(c) : this.byText.has(c);
        if (seen)
          throw new InputError(`${file}: 'classes' lists ${typeof c === 'number' ? c : `'${c}'`} twice`, {
            file,
          });
        if (typeof c === 'number') this.byNumber.set(c, i);
        else this.byText.set(c, i);
      });
    }
  }

  add(text: string, row: number, at: () => RowLocation): void {
    const t = text.trim();
    if (t === '') throw rowError(at(), this.column, 'empty label');
    if (!this.classifying) {
      const v = parseStrictNumber(t);
      if (Number.isNaN(v)) {
        throw rowError(
          at(),
          this.column,
          `${showValue(text)} is not a number (regression labels must be numeric)`,
        );
      }
      this.values = grow(this.values, row + 1);
      this.values[row] = v;
      return;
    }
    if (this.classes !== undefined) {
      let index = this.byText.get(t);
      if (index === undefined && this.byNumber.size > 0) index = this.byNumber.get(parseStrictNumber(t));
      if (index === undefined) {
        throw rowError(
          at(),
          this.column,
          `label ${showValue(t)} is not one of the classes ${formatClasses(this.classes)}`,
        );
      }
      this.values = grow(this.values, row + 1);
      this.values[row] = index;
      return;
    }
    let code = this.dictionary.get(t);
    if (code === undefined) {
      code = this.dictionary.size;
      this.dictionary.set(t, code);
      this.firstSeen.push(at());
    }
    this.codes = grow(this.codes, row + 1);
    this.codes[row] = code;
  }

  finish(n: number): { labels: Float64Array; classes?: (number | string)[] } {
    if (!this.classifying) return { labels: this.values.slice(0, n) };
    if (this.classes !== undefined) return { labels: this.values.slice(0, n), classes: [...this.classes] };

    const texts = [...this.dictionary.keys()];
    const numeric = texts.map(parseStrictNumber);
    const allNumeric = numeric.every((v) => !Number.isNaN(v));
    let classes: (number | string)[];
    let codeToIndex: number[];
    if (allNumeric) {
      const unique = [...new Set(numeric)].sort((a, b) => a - b);
      // A binary file holding only 0s or only 1s still means classes [0, 1], not [that value].
      if (this.task === 'binary-classification' && unique.every((v) => v === 0 || v === 1)) classes = [0, 1];
      else classes = unique;
      const position = new Map(classes.map((c, i) => [c as number, i]));
      codeToIndex = numeric.map((v) => position.get(v)!);
    } else {
      classes = [...texts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const position = new Map(classes.map((c, i) => [c as string, i]));
      codeToIndex = texts.map((t) => position.get(t)!);
    }
    if (this.task === 'binary-classification' && classes.length !== 2) {
      const base = `${this.file}: label column '${this.column}' has ${classes.length} distinct value(s) ${formatClasses(classes)} but the task is binary-classification`;
      if (classes.length < 2) {
        throw new InputError(`${base}; set 'classes' to name the two classes (negative first)`, {
          file: this.file,
        });
      }
      // Name the first row whose value makes it more than two: the third distinct value in file
      // order, or, for 0/1-looking data, the first value that is neither 0 nor 1.
      let culprit = 2;
      if (allNumeric && numeric.filter((v) => v === 0 || v === 1).length === 2) {
        culprit = numeric.findIndex((v) => v !== 0 && v !== 1);
      }
      const at = this.firstSeen[culprit]!;
      throw rowError(
        at,
        this.column,
        `label ${showValue(texts[culprit]!)} makes ${classes.length} distinct values ${formatClasses(classes)} ` +
          `but the task is binary-classification; set 'classes' to name the two classes (negative first)`,
      );
    }
    const labels = new Float64Array(n);
    for (let i = 0; i < n; i++) labels[i] = codeToIndex[this.codes[i]!]!;
    return { labels, classes };
  }
}
