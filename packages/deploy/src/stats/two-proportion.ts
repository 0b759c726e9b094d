import { normalPpf, normalSf } from './normal.js';

export interface TwoProportionResult {
  /** Canary (first) proportion and stable (second) proportion. */
  p1: number;
  p2: number;
  /** p1 − p2. */
  difference: number;
  /** Pooled z statistic of H0: p1 = p2. */
  z: number;
  /** One-sided p-value of H1: p1 > p2 (the canary fails more often). */
  pValueGreater: number;
  /** Two-sided p-value. */
  pValue: number;
  /** Newcombe's hybrid score interval (method 10) for p1 − p2 at `level`. */
  ci: [number, number];
  level: number;
}

/** Wilson score interval for one proportion. */
export function wilsonInterval(successes: number, n: number, level: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = normalPpf(1 - (1 - level) / 2);
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Two-proportion test of error counts: pooled z test for the p-value (what scipy-less textbooks and
 * statsmodels' `proportions_ztest` compute) and Newcombe's interval for the difference, which stays
 * sensible at zero errors where the Wald interval collapses to a point.
 */
export function twoProportionTest(
  errors1: number,
  n1: number,
  errors2: number,
  n2: number,
  level = 0.98,
): TwoProportionResult {
  const p1 = n1 > 0 ? errors1 / n1 : NaN;
  const p2 = n2 > 0 ? errors2 / n2 : NaN;
  const difference = p1 - p2;
  const pooled = (errors1 + errors2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = se > 0 ? difference / se : 0;
  const pValueGreater = se > 0 ? normalSf(z) : 1;
  const pValue = se > 0 ? Math.min(1, 2 * normalSf(Math.abs(z))) : 1;
  const [l1, u1] = wilsonInterval(errors1, n1, level);
  const [l2, u2] = wilsonInterval(errors2, n2, level);
  const ci: [number, number] = [
    difference - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
    difference + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
  ];
  return { p1, p2, difference, z, pValueGreater, pValue, ci, level };
}
