import { InputError } from '@mlops-actions/core';

export interface McNemarResult {
  /** Rows the candidate got right and the baseline wrong. */
  b: number;
  /** Rows the candidate got wrong and the baseline right. */
  c: number;
  /** Two-sided exact p-value: min(1, 2 · BinomCDF(min(b, c); b + c, 1/2)), as statsmodels. */
  pValue: number;
}

/** McNemar's exact test of equal accuracy on paired predicted classes. */
export function mcnemarExact(
  y: ArrayLike<number>,
  predCandidate: ArrayLike<number>,
  predBaseline: ArrayLike<number>,
): McNemarResult {
  if (predCandidate.length !== y.length || predBaseline.length !== y.length) {
    throw new InputError(
      `McNemar needs one prediction per label: ${y.length} labels, ${predCandidate.length} candidate and ${predBaseline.length} baseline predictions`,
    );
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < y.length; i++) {
    const candOk = predCandidate[i] === y[i];
    const baseOk = predBaseline[i] === y[i];
    if (candOk && !baseOk) b++;
    else if (!candOk && baseOk) c++;
  }
  return { b, c, pValue: exactMcNemarPValue(b, c) };
}

export function exactMcNemarPValue(b: number, c: number): number {
  const n = b + c;
  const k = Math.min(b, c);
  if (2 * k >= n) return 1;
  return Math.min(1, 2 * binomCdfHalf(k, n));
}

/**
 * P(X <= k) for X ~ Binomial(n, 1/2), k < n/2, computed from the largest term down so that it
 * stays accurate for n in the millions: log C(n, k) as a sum of log ratios, then a tail series.
 */
function binomCdfHalf(k: number, n: number): number {
  let logTerm = -n * Math.LN2;
  for (let i = 1; i <= k; i++) logTerm += Math.log((n - k + i) / i);
  // term(i-1) / term(i) = i / (n - i + 1) < 1: sum the ratios until they stop mattering.
  let ratio = 1;
  let sum = 1;
  for (let i = k; i >= 1; i--) {
    ratio *= i / (n - i + 1);
    sum += ratio;
    if (ratio < 1e-18 * sum) break;
  }
  return Math.exp(logTerm) * sum;
}
