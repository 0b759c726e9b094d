/** Parsers for the string forms the schema admits: durations, rates, relative changes. */
import type { ChangeLimit } from '../gates/types.js';

const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `"1h30m"` → 5400000. The schema has already checked the form. */
export function parseDuration(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * DURATION_UNIT_MS[unit!]!;
  }
  return Math.round(total);
}

const RATE_UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `"1000/s"` → 1000, `"600/m"` → 10, `250` → 250: requests per second. */
export function parseRate(rate: number | string): number {
  if (typeof rate === 'number') return rate;
  const [amount, unit] = rate.split('/');
  return Number(amount) / RATE_UNIT_S[unit!]!;
}

/** `0.01` → absolute; `"1%"` → `{ amount: 0.01, relative: true }`. */
export function parseChange(change: number | string): ChangeLimit {
  if (typeof change === 'number') return { amount: change, relative: false };
  // `e-2` shifts the decimal point exactly; dividing by 100 would turn "1.1%" into 0.011000000000000001.
  return { amount: Number(`${change.slice(0, -1)}e-2`), relative: true };
}
