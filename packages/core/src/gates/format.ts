/**
 * Number formatting for verdict reasons. Four significant digits read well in a PR comment, but a
 * reason like `0.880 < min 0.880` is useless, so numbers shown side by side share their decimals
 * and get more digits until distinct values look distinct.
 */

const MINUS = '\u2212';
const MAX_SIGNIFICANT = 15;

function decimalsOf(text: string): number {
  if (/e/i.test(text)) return Number.NaN;
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** `x` rounded to `sig` significant digits, without trailing zeros: 0.8710 → "0.871". */
export function formatNumber(x: number, sig = 4): string {
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(sig)));
}

/**
 * Formats several numbers with a shared number of decimals (`0.871`, `0.880`), adding significant
 * digits while two different values would print the same.
 */
export function formatTogether(xs: number[], sig = 4): string[] {
  for (let s = sig; s <= MAX_SIGNIFICANT; s++) {
    const plain = xs.map((x) => formatNumber(x, s));
    const decimals = plain.map(decimalsOf);
    // Exponent notation (1e-7) cannot share decimals; show each value as is.
    const shared = decimals.some(Number.isNaN) ? undefined : Math.max(...decimals);
    const out = xs.map((x, i) =>
      shared === undefined || !Number.isFinite(x) ? (plain[i] ?? '') : x.toFixed(Math.min(shared, 100)),
    );
    if (distinctStaysDistinct(xs, out)) return out.map(withMinus);
  }
  return xs.map((x) => withMinus(String(x)));
}

function distinctStaysDistinct(xs: number[], shown: string[]): boolean {
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      if (xs[i] !== xs[j] && shown[i] === shown[j]) return false;
    }
  }
  return true;
}

/** Typographic minus: reasons are read by people, and `−0.011…−0.002` reads better than `-0.011…-0.002`. */
function withMinus(text: string): string {
  return text.startsWith('-') ? MINUS + text.slice(1) : text;
}

/** `formatNumber` with a typographic minus. */
export function formatSigned(x: number, sig = 4): string {
  return withMinus(formatNumber(x, sig));
}
