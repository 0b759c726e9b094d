/** numpy's default (`linear`) percentile of sorted values, q in [0, 1]. */
export function percentileSorted(sorted: Float64Array, q: number): number {
  const m = sorted.length;
  if (m === 0) return NaN;
  const pos = q * (m - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, m - 1);
  const t = pos - lo;
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  // numpy's _lerp: interpolate from the nearer end so the result stays within [a, b].
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/** Central percentile interval at `level` of the finite values; NaN replicates are dropped. */
export function percentileInterval(
  values: Float64Array,
  level: number,
): { ci: [number, number]; valid: number } {
  const finite = values.filter((v) => Number.isFinite(v)).sort();
  const alpha = (1 - level) / 2;
  return { ci: [percentileSorted(finite, alpha), percentileSorted(finite, 1 - alpha)], valid: finite.length };
}
