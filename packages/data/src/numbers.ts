import { NUMBER_SYNTAX } from '@mlops-actions/core';

/**
 * Longer cells are not numbers anyone wrote on purpose (a double has 17 significant digits); the
 * cap keeps a megabyte cell from being parsed at all.
 */
export const MAX_NUMBER_CHARS = 400;

/**
 * Number() accepts '', '0x1f', 'Infinity' and surrounding whitespace; data files should not, so
 * this accepts plain decimal and scientific notation only (surrounding spaces trimmed).
 */
/** Written like a number (possibly one too large for a double). */
export function hasNumberSyntax(text: string): boolean {
  const t = text.trim();
  return t.length <= MAX_NUMBER_CHARS && NUMBER_SYNTAX.test(t);
}

export function parseStrictNumber(text: string): number {
  const t = text.trim();
  if (t.length > MAX_NUMBER_CHARS || !NUMBER_SYNTAX.test(t)) return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}

const POW10: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_DIGITS = 19;

/**
 * Parse a decimal number straight from bytes, without making a string. NaN means "not handled
 * here": the caller retries with parseStrictNumber on the decoded text, which also decides whether
 * the value is really invalid. Results are meant for float32 features: Math.fround of the result
 * always equals Math.fround(Number(text)).
 */
export function parseNumberBytes(b: Uint8Array, start: number, end: number): number {
  let s = start;
  let e = end;
  while (s < e && (b[s] === 32 || b[s] === 9)) s++;
  while (e > s && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
  if (s === e || e - s > MAX_NUMBER_CHARS) return NaN;
  let i = s;
  let neg = false;
  let c = b[i]!;
  if (c === 45) {
    neg = true;
    i++;
  } else if (c === 43) i++;
  // Digits collect in a small integer (fast SMI arithmetic) and move to the double every 9 digits.
  let mant = 0;
  let acc = 0;
  let accDigits = 0;
  let digits = 0;
  let exp10 = 0;
  let sawDigit = false;
  let fraction = false;
  while (i < e) {
    c = b[i]!;
    if (c === 46 && !fraction) {
      fraction = true;
      i++;
      continue;
    }
    c -= 48;
    if (c < 0 || c > 9) break;
    sawDigit = true;
    if (digits < MAX_DIGITS) {
      acc = acc * 10 + c;
      if (++accDigits === 9) {
        mant = mant * 1e9 + acc;
        acc = 0;
        accDigits = 0;
      }
      if (mant !== 0 || acc !== 0) digits++;
      if (fraction) exp10--;
    } else if (!fraction) exp10++;
    i++;
  }
  mant = mant * POW10[accDigits]! + acc;
  if (!sawDigit) return NaN;
  if (i < e && (b[i] === 101 || b[i] === 69)) {
    i++;
    let eneg = false;
    if (b[i] === 45) {
      eneg = true;
      i++;
    } else if (b[i] === 43) i++;
    let ev = 0;
    let sawExp = false;
    while (i < e && ev < 10000) {
      c = b[i]! - 48;
      if (c < 0 || c > 9) break;
      ev = ev * 10 + c;
      sawExp = true;
      i++;
    }
    if (!sawExp) return NaN;
    exp10 += eneg ? -ev : ev;
  }
  if (i !== e) return NaN;
  let v: number;
  if (exp10 === 0 || mant === 0) v = mant;
  else if (exp10 > 0) {
    if (exp10 <= 22) v = mant * POW10[exp10]!;
    else if (exp10 <= 44) v = mant * POW10[22]! * POW10[exp10 - 22]!;
    else return NaN;
  } else if (exp10 >= -22) v = mant / POW10[-exp10]!;
  else if (exp10 >= -44) v = mant / POW10[22]! / POW10[-exp10 - 22]!;
  else return NaN;
  // Up to 15 digits with |exp| <= 22 is one correctly rounded operation on exact operands (the same
  // double Number() gives). Otherwise v may be off by a few double ulps: fine for float32 unless v
  // sits next to a float32 rounding boundary, where the slow path decides.
  if (digits > 15 || exp10 > 22 || exp10 < -22) {
    if (Math.fround(v * (1 + 1e-15)) !== Math.fround(v * (1 - 1e-15))) return NaN;
  }
  return neg ? -v : v;
}
