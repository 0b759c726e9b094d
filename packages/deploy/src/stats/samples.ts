/**
 * A sample as the judge sees it: raw observations, or observations with integer counts (a
 * Prometheus histogram window gives "count requests at about this latency"). Both reduce to sorted
 * distinct values with weights, so the rank test and the shift estimate never expand a histogram
 * into millions of points.
 */
export type Sample = ArrayLike<number> | { values: ArrayLike<number>; counts: ArrayLike<number> };

export interface Grouped {
  /** Distinct finite values, ascending. */
  values: Float64Array;
  /** Count of each value (> 0). */
  counts: Float64Array;
  /** Sum of counts. */
  n: number;
}

/** Sorts and merges a sample; NaN/infinite values and non-positive counts are dropped. */
export function groupSample(sample: Sample): Grouped {
  const isCounted = !Array.isArray(sample) && !ArrayBuffer.isView(sample) && 'counts' in sample;
  const values: ArrayLike<number> = isCounted
    ? (sample as { values: ArrayLike<number> }).values
    : (sample as ArrayLike<number>);
  const counts: ArrayLike<number> | undefined = isCounted
    ? (sample as { counts: ArrayLike<number> }).counts
    : undefined;
  const order: { v: number; c: number }[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const c = counts ? (counts[i] as number) : 1;
    if (Number.isFinite(v) && Number.isFinite(c) && c > 0) order.push({ v, c });
  }
  order.sort((a, b) => a.v - b.v);
  const outV: number[] = [];
  const outC: number[] = [];
  let n = 0;
  for (const { v, c } of order) {
    n += c;
    if (outV.length > 0 && outV[outV.length - 1] === v) outC[outC.length - 1]! += c;
    else {
      outV.push(v);
      outC.push(c);
    }
  }
  return { values: Float64Array.from(outV), counts: Float64Array.from(outC), n };
}

/** Weighted numpy-linear percentile is not needed here: this expands counts for `percentileSorted`. */
export function expandSorted(g: Grouped, limit = 5_000_000): Float64Array {
  if (g.n > limit) throw new RangeError(`sample of ${g.n} observations is too large to expand`);
  const out = new Float64Array(Math.round(g.n));
  let k = 0;
  for (let i = 0; i < g.values.length; i++) {
    const c = Math.round(g.counts[i] as number);
    out.fill(g.values[i] as number, k, k + c);
    k += c;
  }
  return out.subarray(0, k);
}

export function weightedMean(g: Grouped): number {
  let s = 0;
  for (let i = 0; i < g.values.length; i++) s += (g.values[i] as number) * (g.counts[i] as number);
  return g.n > 0 ? s / g.n : NaN;
}

/** Lower weighted median (the value where the cumulative count first reaches half). */
export function weightedMedian(g: Grouped): number {
  if (g.n === 0) return NaN;
  let acc = 0;
  const half = g.n / 2;
  for (let i = 0; i < g.values.length; i++) {
    acc += g.counts[i] as number;
    if (acc > half) return g.values[i] as number;
    if (acc === half) return ((g.values[i] as number) + (g.values[i + 1] as number)) / 2;
  }
  return g.values[g.values.length - 1] as number;
}
