/** Shape checks shared by the builders: every message names the parameter and the position. */

export function checkFinite(what: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`${what}[${i}] must be a finite number, got ${v}`);
  }
}

/** Checks a k×d matrix is rectangular and finite; returns d. */
export function checkMatrix(what: string, rows: ArrayLike<number>[]): number {
  if (rows.length === 0) throw new RangeError(`${what} must have at least one row`);
  const d = rows[0]!.length;
  if (d === 0) throw new RangeError(`${what} rows must have at least one column`);
  rows.forEach((row, r) => {
    if (row.length !== d) throw new RangeError(`${what}[${r}] has ${row.length} values; ${what}[0] has ${d}`);
    checkFinite(`${what}[${r}]`, row);
  });
  return d;
}

export function checkLength(what: string, values: ArrayLike<number>, expected: number, why: string): void {
  if (values.length !== expected) {
    throw new RangeError(`${what} has ${values.length} values but ${why} needs ${expected}`);
  }
  checkFinite(what, values);
}

export function checkScale(scale: ArrayLike<number>): void {
  for (let i = 0; i < scale.length; i++) {
    if (scale[i] === 0) throw new RangeError(`scale[${i}] is 0; use 1 for a constant feature`);
  }
}

export function checkClasses(classes: number[], expected: number): void {
  checkLength('classes', classes, expected, 'the number of classes');
  if (!classes.every(Number.isSafeInteger)) throw new RangeError('classes must be integers (int64 labels)');
  if (new Set(classes).size !== classes.length)
    throw new RangeError(`classes contain duplicates: [${classes.join(', ')}]`);
}
