/** Feature standardisation as scikit-learn's StandardScaler: population std, 1 for constant columns. */
export interface Standardiser {
  mean: number[];
  scale: number[];
}

export function fitStandardiser(X: number[][]): Standardiser {
  const n = X.length;
  const d = X[0]?.length ?? 0;
  const mean = Array.from({ length: d }, (_, j) => X.reduce((s, r) => s + r[j]!, 0) / n);
  const scale = mean.map((m, j) => {
    const sd = Math.sqrt(X.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / n);
    return sd > 0 ? sd : 1;
  });
  return { mean, scale };
}

export function standardise(X: number[][], s: Standardiser): number[][] {
  return X.map((r) => r.map((v, j) => (v - s.mean[j]!) / s.scale[j]!));
}
