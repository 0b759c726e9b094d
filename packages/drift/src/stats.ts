/**
 * The drift statistics, each computed as scipy computes it on the samples Evidently hands it
 * (missing values already dropped). Numeric samples arrive sorted; few-valued and categorical
 * samples as value counts.
 */
import { chi2Sf, normCdf } from './special.js';

/** Value counts of one sample; keys are numbers for numeric columns, strings for categorical ones. */
export type Counts = Map<number | string, number>;

/** Neumaier's compensated sum: as accurate as numpy's pairwise summation or better. */
export class Sum {
  private s = 0;
  private c = 0;
  add(x: number): void {
    if (!Number.isFinite(x) || !Number.isFinite(this.s)) {
      // Infinite terms (a category the reference never saw) make the sum infinite, not NaN.
      this.s += x;
      this.c = 0;
      return;
    }
    const t = this.s + x;
    if (Math.abs(this.s) >= Math.abs(x)) this.c += this.s - t + x;
    else this.c += x - t + this.s;
    this.s = t;
  }
  get value(): number {
    return Number.isFinite(this.s) ? this.s + this.c : this.s;
  }
}

export function mean(x: Float64Array): number {
  const s = new Sum();
  for (let i = 0; i < x.length; i++) s.add(x[i]!);
  return s.value / x.length;
}

/** Population standard deviation (numpy std, ddof=0), two-pass. */
export function std(x: Float64Array): number {
  const m = mean(x);
  const s = new Sum();
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - m;
    s.add(d * d);
  }
  return Math.sqrt(s.value / x.length);
}

/** scipy.stats.wasserstein_distance on sorted samples: ∫ |F_u − F_v|. */
export function wassersteinSorted(u: Float64Array, v: Float64Array): number {
  const nu = u.length;
  const nv = v.length;
  let i = 0;
  let j = 0;
  const s = new Sum();
  let prev = NaN;
  let prevDiff = 0;
  while (i < nu || j < nv) {
    const x = j >= nv || (i < nu && u[i]! <= v[j]!) ? u[i]! : v[j]!;
    if (i + j > 0) s.add(prevDiff * (x - prev));
    while (i < nu && u[i]! <= x) i++;
    while (j < nv && v[j]! <= x) j++;
    prevDiff = Math.abs(i / nu - j / nv);
    prev = x;
  }
  return s.value;
}

/** Evidently's "wasserstein": the distance divided by the reference's std (at least 0.001). */
export function wassersteinNorm(ref: Float64Array, cur: Float64Array, refStd = std(ref)): number {
  return wassersteinSorted(ref, cur) / Math.max(refStd, 0.001);
}

/** Counts of a sorted numeric sample. */
export function countsOfSorted(x: Float64Array): Counts {
  const c: Counts = new Map();
  let i = 0;
  while (i < x.length) {
    const v = x[i]!;
    let k = i + 1;
    while (k < x.length && x[k] === v) k++;
    c.set(v, k - i);
    i = k;
  }
  return c;
}

/** Distinct values of a sorted sample. */
export function nuniqueSorted(x: Float64Array): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (i === 0 || x[i] !== x[i - 1]) n++;
  return n;
}

/** Distinct values of two sorted samples together. */
export function nuniqueSorted2(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    n++;
  }
  return n;
}

function unionKeys(a: Counts, b: Counts): (number | string)[] {
  const keys = new Set(a.keys());
  for (const k of b.keys()) keys.add(k);
  return [...keys];
}

function totalOf(c: Counts): number {
  let n = 0;
  for (const v of c.values()) n += v;
  return n;
}

export interface PValueResult {
  statistic: number;
  pValue: number;
}

/**
 * Evidently's chi-square: expected counts are the reference's counts scaled to the current size,
 * then scipy.stats.chisquare(observed, expected). A category absent from the reference has an
 * expected count of 0, so the statistic is infinite and the p-value 0.
 */
export function chiSquare(ref: Counts, cur: Counts): PValueResult {
  const keys = unionKeys(ref, cur);
  const nRef = totalOf(ref);
  const nCur = totalOf(cur);
  const kNorm = nCur / nRef;
  const s = new Sum();
  for (const k of keys) {
    const e = (ref.get(k) ?? 0) * kNorm;
    const o = cur.get(k) ?? 0;
    const d = o - e;
    s.add((d * d) / e);
  }
  const statistic = s.value;
  // One value on both sides: scipy has no distribution with 0 degrees of freedom (NaN); there is no drift.
  if (keys.length < 2) return { statistic: 0, pValue: 1 };
  return { statistic, pValue: chi2Sf(statistic, keys.length - 1) };
}

function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Evidently's two-proportion z-test for binary features (the first sorted value against the rest). */
export function zTest(ref: Counts, cur: Counts): PValueResult {
  const keys = unionKeys(ref, cur).sort(compareKeys);
  const n1 = totalOf(ref);
  const n2 = totalOf(cur);
  if (ref.size === 1 && cur.size === 1 && keys.length === 1) return { statistic: 0, pValue: 1 };
  const first = keys[0]!;
  const p1 = (n1 - (ref.get(first) ?? 0)) / n1;
  const p2 = (n2 - (cur.get(first) ?? 0)) / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
  return { statistic: z, pValue: 2 * (1 - normCdf(Math.abs(z))) };
}

function lowerBound(x: Float64Array, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(x: Float64Array, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** numpy.histogram_bin_edges(concat(a, b), bins='sturges') for two sorted samples. */
export function sturgesEdges(a: Float64Array, b: Float64Array): Float64Array {
  const n = a.length + b.length;
  const lo = Math.min(a.length ? a[0]! : Infinity, b.length ? b[0]! : Infinity);
  const hi = Math.max(a.length ? a[a.length - 1]! : -Infinity, b.length ? b[b.length - 1]! : -Infinity);
  let first = lo;
  let last = hi;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (hi - lo) / (Math.log2(n) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  return linspace(first, last, bins + 1);
}

/** numpy.linspace(start, stop, num) with its exact arithmetic (i·step + start, last = stop). */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  for (let i = 0; i < num; i++) out[i] = step === 0 ? (i / div) * delta + start : i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** numpy.histogram(sorted, edges) counts: [e_i, e_i+1), the last bin closed. */
export function histogramSorted(x: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const out = new Float64Array(bins);
  let prev = lowerBound(x, edges[0]!);
  for (let i = 0; i < bins; i++) {
    const next = i === bins - 1 ? upperBound(x, edges[bins]!) : lowerBound(x, edges[i + 1]!);
    out[i] = next - prev;
    prev = next;
  }
  return out;
}

export interface Binned {
  ref: Float64Array;
  cur: Float64Array;
  /** Bin edges when numeric values were binned; else the keys of the value counts. */
  edges?: Float64Array;
  keys?: (number | string)[];
}

/** The two samples to compare, numeric (sorted, non-missing) or as value counts. */
export type Sample =
  { kind: 'numeric'; sorted: Float64Array; counts?: Counts } | { kind: 'categorical'; counts: Counts };

export function countsOf(s: Sample): Counts {
  if (s.kind === 'categorical') return s.counts;
  s.counts ??= countsOfSorted(s.sorted);
  return s.counts;
}

function sizeOf(s: Sample): number {
  return s.kind === 'numeric' ? s.sorted.length : totalOf(s.counts);
}

/**
 * Evidently's get_binned_data: numeric features with more than 20 distinct reference values go
 * into Sturges bins over both samples; others use their value shares. With `fillZeroes` (PSI)
 * empty shares become a tiny positive number so the logarithm is finite.
 */
export function binnedPercents(ref: Sample, cur: Sample, fillZeroes: boolean): Binned {
  const nRef = sizeOf(ref);
  const nCur = sizeOf(cur);
  let out: Binned;
  if (ref.kind === 'numeric' && cur.kind === 'numeric' && nuniqueSorted(ref.sorted) > 20) {
    const edges = sturgesEdges(ref.sorted, cur.sorted);
    const r = histogramSorted(ref.sorted, edges);
    const c = histogramSorted(cur.sorted, edges);
    for (let i = 0; i < r.length; i++) {
      r[i] = r[i]! / nRef;
      c[i] = c[i]! / nCur;
    }
    out = { ref: r, cur: c, edges };
  } else {
    const rc = countsOf(ref);
    const cc = countsOf(cur);
    const keys = unionKeys(rc, cc);
    out = {
      ref: Float64Array.from(keys, (k) => (rc.get(k) ?? 0) / nRef),
      cur: Float64Array.from(keys, (k) => (cc.get(k) ?? 0) / nCur),
      keys,
    };
  }
  if (fillZeroes) {
    fillZeros(out.ref);
    fillZeros(out.cur);
  }
  return out;
}

function fillZeros(p: Float64Array): void {
  let min = Infinity;
  for (const v of p) if (v !== 0 && v < min) min = v;
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  for (let i = 0; i < p.length; i++) if (p[i] === 0) p[i] = fill;
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/** scipy.spatial.distance.jensenshannon(p, q) (natural logarithm). */
export function jensenShannon(p0: Float64Array, q0: Float64Array): number {
  const sp = new Sum();
  const sq = new Sum();
  for (let i = 0; i < p0.length; i++) {
    sp.add(p0[i]!);
    sq.add(q0[i]!);
  }
  const left = new Sum();
  const right = new Sum();
  for (let i = 0; i < p0.length; i++) {
    const p = p0[i]! / sp.value;
    const q = q0[i]! / sq.value;
    const m = (p + q) / 2;
    left.add(relEntr(p, m));
    right.add(relEntr(q, m));
  }
  return Math.sqrt((left.value + right.value) / 2);
}

/** Population stability index Σ (r − c)·ln(r / c) over shares with no zeros. */
export function psi(r: Float64Array, c: Float64Array): number {
  const s = new Sum();
  for (let i = 0; i < r.length; i++) s.add((r[i]! - c[i]!) * Math.log(r[i]! / c[i]!));
  return s.value;
}
