import { normalPpf, normalSf } from './normal.js';
import { groupSample } from './samples.js';
import type { Grouped, Sample } from './samples.js';

export type Alternative = 'two-sided' | 'greater' | 'less';

export interface MannWhitneyResult {
  /** U of the first sample (scipy's `statistic`). */
  u: number;
  /** Normal approximation with tie correction and continuity correction (scipy `method='asymptotic'`). */
  pValue: number;
  z: number;
  n1: number;
  n2: number;
}

/**
 * Mann–Whitney U test of `x` against `y`. `greater` asks whether x tends to be larger than y (a
 * canary slower than stable). Matches `scipy.stats.mannwhitneyu(x, y, alternative=...,
 * method='asymptotic')`; the exact small-sample distribution is not implemented because a canary
 * window with fewer than a few dozen requests is reported as no-data before this runs.
 */
export function mannWhitneyU(
  x: Sample,
  y: Sample,
  alternative: Alternative = 'two-sided',
): MannWhitneyResult {
  return mannWhitneyGrouped(groupSample(x), groupSample(y), alternative);
}

export function mannWhitneyGrouped(gx: Grouped, gy: Grouped, alternative: Alternative): MannWhitneyResult {
  const n1 = gx.n;
  const n2 = gy.n;
  if (n1 === 0 || n2 === 0) return { u: NaN, pValue: NaN, z: NaN, n1, n2 };
  // Walk both sorted samples together, giving each run of equal values its mid-rank.
  let i = 0;
  let j = 0;
  let rank = 0;
  let r1 = 0;
  let ties = 0;
  while (i < gx.values.length || j < gy.values.length) {
    const vx = i < gx.values.length ? (gx.values[i] as number) : Infinity;
    const vy = j < gy.values.length ? (gy.values[j] as number) : Infinity;
    const v = Math.min(vx, vy);
    const cx = vx === v ? (gx.counts[i++] as number) : 0;
    const cy = vy === v ? (gy.counts[j++] as number) : 0;
    const t = cx + cy;
    r1 += cx * (rank + (t + 1) / 2);
    ties += t * t * t - t;
    rank += t;
  }
  const n = n1 + n2;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = alternative === 'greater' ? u1 : alternative === 'less' ? u2 : Math.max(u1, u2);
  const mu = (n1 * n2) / 2;
  const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
  if (!(s > 0)) return { u: u1, pValue: 1, z: 0, n1, n2 };
  const z = (u - mu - 0.5) / s;
  let p = normalSf(z);
  if (alternative === 'two-sided') p *= 2;
  return { u: u1, pValue: Math.min(1, Math.max(0, p)), z, n1, n2 };
}

export interface ShiftEstimate {
  /** Hodges–Lehmann estimate of the shift x − y: the median of all pairwise differences. */
  estimate: number;
  /** Distribution-free (Moses) interval for the shift; infinite ends when the samples are too small. */
  ci: [number, number];
  level: number;
  /** Rank of the lower end among the n1·n2 ordered differences (1-based). */
  k: number;
}

/**
 * Hodges–Lehmann shift of x over y with its confidence interval at `level` (Kayenta's judge uses
 * 98%). The interval ends are the k-th smallest and k-th largest pairwise difference with
 * k = ⌊n1·n2/2 − z·√(n1·n2·(n1+n2+1)/12)⌋. Order statistics of the n1·n2 differences are found by
 * bisection with a linear-time count, never by materialising the differences.
 */
export function hodgesLehmann(x: Sample, y: Sample, level = 0.98): ShiftEstimate {
  return hodgesLehmannGrouped(groupSample(x), groupSample(y), level);
}

export function hodgesLehmannGrouped(gx: Grouped, gy: Grouped, level = 0.98): ShiftEstimate {
  const n1 = gx.n;
  const n2 = gy.n;
  if (n1 === 0 || n2 === 0) return { estimate: NaN, ci: [NaN, NaN], level, k: 0 };
  const total = n1 * n2;
  const pairs = new PairwiseDifferences(gx, gy);
  const lowMid = pairs.kth(Math.ceil(total / 2));
  const highMid = pairs.kth(Math.floor(total / 2) + 1);
  const estimate = (lowMid + highMid) / 2;
  const z = normalPpf(1 - (1 - level) / 2);
  const k = Math.floor(total / 2 - z * Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12));
  const ci: [number, number] = k < 1 ? [-Infinity, Infinity] : [pairs.kth(k), pairs.kth(total - k + 1)];
  return { estimate, ci, level, k };
}

/** Order statistics of the weighted multiset { x_i − y_j } of two grouped samples. */
class PairwiseDifferences {
  private readonly ySuffix: Float64Array;
  constructor(
    private readonly gx: Grouped,
    private readonly gy: Grouped,
  ) {
    const m = gy.values.length;
    this.ySuffix = new Float64Array(m + 1);
    for (let j = m - 1; j >= 0; j--)
      this.ySuffix[j] = (this.ySuffix[j + 1] as number) + (gy.counts[j] as number);
  }

  /** Weighted count of differences ≤ t (or < t when `strict`). */
  count(t: number, strict: boolean): number {
    const xv = this.gx.values;
    const yv = this.gy.values;
    let p = 0;
    let total = 0;
    // For fixed x_i the differences fall as j rises, so the qualifying j form a suffix whose start
    // only moves right as x_i grows.
    for (let i = 0; i < xv.length; i++) {
      const xi = xv[i] as number;
      while (p < yv.length && (strict ? !(xi - (yv[p] as number) < t) : !(xi - (yv[p] as number) <= t))) p++;
      total += (this.gx.counts[i] as number) * (this.ySuffix[p] as number);
    }
    return total;
  }

  /** The largest difference ≤ t. */
  largestAtMost(t: number): number {
    const xv = this.gx.values;
    const yv = this.gy.values;
    let p = 0;
    let best = -Infinity;
    for (let i = 0; i < xv.length; i++) {
      const xi = xv[i] as number;
      while (p < yv.length && !(xi - (yv[p] as number) <= t)) p++;
      if (p < yv.length) best = Math.max(best, xi - (yv[p] as number));
    }
    return best;
  }

  /** k-th smallest difference, 1-based, counting weights. */
  kth(k: number): number {
    const xv = this.gx.values;
    const yv = this.gy.values;
    let lo = (xv[0] as number) - (yv[yv.length - 1] as number);
    if (this.count(lo, false) >= k) return lo;
    let hi = (xv[xv.length - 1] as number) - (yv[0] as number);
    // Invariant: count(≤ lo) < k ≤ count(≤ hi), and hi is an actual difference.
    for (let iter = 0; iter < 2000; iter++) {
      if (this.count(hi, true) < k) return hi;
      const mid = lo + (hi - lo) / 2;
      if (!(mid > lo && mid < hi)) return hi;
      if (this.count(mid, false) >= k) hi = this.largestAtMost(mid);
      else lo = mid;
    }
    return hi;
  }
}
