import { InputError, percentileSorted } from '@mlops-actions/core';
import type { ColumnBuilder } from './columns.js';
import { ks2sampSorted } from './ks.js';
import type { Dataset } from './read.js';
import {
  binnedPercents,
  chiSquare,
  countsOf,
  histogramSorted,
  jensenShannon,
  linspace,
  nuniqueSorted,
  nuniqueSorted2,
  psi,
  std,
  wassersteinNorm,
  wassersteinSorted,
  zTest,
  type Counts,
  type Sample,
} from './stats.js';
import {
  DEFAULT_THRESHOLDS,
  METHOD_LABELS,
  P_VALUE_METHODS,
  PSI_MAJOR,
  type AllStatistics,
  type Correction,
  type ColumnSummary,
  type DriftMethod,
  type DriftOptions,
  type DriftReport,
  type FeatureDrift,
  type Histogram,
  type MethodChoice,
} from './types.js';

const METHODS: ReadonlySet<string> = new Set(Object.keys(DEFAULT_THRESHOLDS));
const NUMERIC_ONLY: ReadonlySet<DriftMethod> = new Set(['ks', 'wasserstein']);

/** Evidently's automatic choice (stattests/registry.py `_get_default_stattest`). */
export function autoMethod(
  kind: 'numeric' | 'categorical',
  referenceRows: number,
  nUnique: number,
): DriftMethod {
  if (referenceRows <= 1000) {
    if (kind === 'numeric' && nUnique > 5) return 'ks';
    return nUnique > 2 ? 'chisquare' : 'z';
  }
  if (kind === 'numeric' && nUnique > 5) return 'wasserstein';
  return 'jensenshannon';
}

function fmt(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(2);
}

interface Prepared {
  name: string;
  kind: 'numeric' | 'categorical';
  ref: Sample;
  cur: Sample;
  refCol: ColumnBuilder;
  curCol: ColumnBuilder;
  method: DriftMethod;
  chosenBy: 'auto' | 'spec';
  threshold: number;
  refStd?: number;
}

function summarize(col: ColumnBuilder, s: Sample): ColumnSummary {
  const rows = col.rows;
  const missingRate = rows > 0 ? col.missing / rows : 0;
  if (s.kind === 'numeric') {
    const x = s.sorted;
    const n = x.length;
    return {
      kind: 'numeric',
      rows,
      missing: col.missing,
      missingRate,
      mean: n ? col.mean : null,
      std: n ? Math.sqrt(col.variance) : null,
      min: n ? x[0]! : null,
      p50: n ? percentileSorted(x, 0.5) : null,
      max: n ? x[n - 1]! : null,
      unique: nuniqueSorted(x),
    };
  }
  const present = rows - col.missing;
  const top = [...s.counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([value, c]) => ({ value: String(value), share: present > 0 ? c / present : 0 }));
  return { kind: 'categorical', rows, missing: col.missing, missingRate, unique: s.counts.size, top };
}

function histogramOf(p: Prepared, bins: number): Histogram {
  if (p.ref.kind === 'numeric' && p.cur.kind === 'numeric') {
    const a = p.ref.sorted;
    const b = p.cur.sorted;
    const lo = Math.min(a[0] ?? Infinity, b[0] ?? Infinity);
    const hi = Math.max(a[a.length - 1] ?? -Infinity, b[b.length - 1] ?? -Infinity);
    if (!Number.isFinite(lo)) return { labels: [], reference: [], current: [] };
    const edges = lo === hi ? Float64Array.of(lo - 0.5, hi + 0.5) : linspace(lo, hi, bins + 1);
    const r = histogramSorted(a, edges);
    const c = histogramSorted(b, edges);
    const labels: string[] = [];
    for (let i = 0; i + 1 < edges.length; i++) labels.push(fmt((edges[i]! + edges[i + 1]!) / 2));
    return {
      edges: [...edges],
      labels,
      reference: [...r].map((v) => (a.length ? v / a.length : 0)),
      current: [...c].map((v) => (b.length ? v / b.length : 0)),
    };
  }
  const rc = countsOf(p.ref);
  const cc = countsOf(p.cur);
  const nr = [...rc.values()].reduce((s, v) => s + v, 0);
  const nc = [...cc.values()].reduce((s, v) => s + v, 0);
  const keys = new Set([...rc.keys(), ...cc.keys()]);
  const share = (k: number | string): number => (rc.get(k) ?? 0) / (nr || 1) + (cc.get(k) ?? 0) / (nc || 1);
  const ordered = [...keys].sort((x, y) => share(y) - share(x));
  const shown = ordered.length > bins ? ordered.slice(0, bins - 1) : ordered;
  const rest = ordered.slice(shown.length);
  const labels = shown.map(String);
  const reference = shown.map((k) => (rc.get(k) ?? 0) / (nr || 1));
  const current = shown.map((k) => (cc.get(k) ?? 0) / (nc || 1));
  if (rest.length > 0) {
    labels.push(`${rest.length} others`);
    reference.push(rest.reduce<number>((s, k) => s + (rc.get(k) ?? 0), 0) / (nr || 1));
    current.push(rest.reduce<number>((s, k) => s + (cc.get(k) ?? 0), 0) / (nc || 1));
  }
  return { labels, reference, current };
}

function sampleOf(col: ColumnBuilder): Sample {
  if (col.kind === 'numeric') return { kind: 'numeric', sorted: col.sorted() };
  return { kind: 'categorical', counts: col.counts() as Counts };
}

function nUniqueOf(ref: Sample, cur: Sample): number {
  if (ref.kind === 'numeric' && cur.kind === 'numeric') return nuniqueSorted2(ref.sorted, cur.sorted);
  const keys = new Set([...countsOf(ref).keys(), ...countsOf(cur).keys()]);
  return keys.size;
}

/** The score of one feature with its method: [statistic, p-value or null, score]. */
function score(p: Prepared): {
  statistic: number;
  pValue: number | null;
  score: number;
  ksMethod?: 'exact' | 'asymp';
} {
  const { ref, cur } = p;
  switch (p.method) {
    case 'ks': {
      const r = ks2sampSorted(
        (ref as { sorted: Float64Array }).sorted,
        (cur as { sorted: Float64Array }).sorted,
      );
      return { statistic: r.statistic, pValue: r.pValue, score: r.pValue, ksMethod: r.method };
    }
    case 'wasserstein': {
      const a = (ref as { sorted: Float64Array }).sorted;
      const d = wassersteinNorm(a, (cur as { sorted: Float64Array }).sorted, p.refStd ?? std(a));
      return { statistic: d, pValue: null, score: d };
    }
    case 'chisquare': {
      const r = chiSquare(countsOf(ref), countsOf(cur));
      return { statistic: r.statistic, pValue: r.pValue, score: r.pValue };
    }
    case 'z': {
      const r = zTest(countsOf(ref), countsOf(cur));
      return { statistic: r.statistic, pValue: r.pValue, score: r.pValue };
    }
    case 'jensenshannon': {
      const b = binnedPercents(ref, cur, false);
      const d = jensenShannon(b.ref, b.cur);
      return { statistic: d, pValue: null, score: d };
    }
    case 'psi': {
      const b = binnedPercents(ref, cur, true);
      const d = psi(b.ref, b.cur);
      return { statistic: d, pValue: null, score: d };
    }
  }
}

function allStatistics(p: Prepared): AllStatistics {
  const out: AllStatistics = {
    jensenshannon: jensenShannon(...pair(binnedPercents(p.ref, p.cur, false))),
    psi: psi(...pair(binnedPercents(p.ref, p.cur, true))),
  };
  // On continuous data chi-square is meaningless and its value counts cost a map entry per value.
  if (nUniqueOf(p.ref, p.cur) <= 10000) out.chisquare = chiSquare(countsOf(p.ref), countsOf(p.cur)).pValue;
  if (p.ref.kind === 'numeric' && p.cur.kind === 'numeric') {
    const ks = ks2sampSorted(p.ref.sorted, p.cur.sorted);
    out.ks = { statistic: ks.statistic, pValue: ks.pValue };
    out.wasserstein = wassersteinSorted(p.ref.sorted, p.cur.sorted);
    out.wassersteinNorm = wassersteinNorm(p.ref.sorted, p.cur.sorted, p.refStd);
  }
  return out;
}

function pair(b: { ref: Float64Array; cur: Float64Array }): [Float64Array, Float64Array] {
  return [b.ref, b.cur];
}

function validMethod(where: string, m: string): MethodChoice {
  if (m === 'auto' || METHODS.has(m)) return m as MethodChoice;
  throw new InputError(`${where}: unknown drift method '${m}' (expected auto, ${[...METHODS].join(', ')})`);
}

/**
 * The correction of p-value tests for their number: for each test, the level its p-value is
 * compared with and its verdict. Bonferroni divides each level by the number of tests; FDR is
 * Benjamini–Hochberg (every p-value up to the largest rank k with p_(k) <= k/m·alpha is rejected).
 */
export function applyCorrection(
  tests: readonly { pValue: number; alpha: number }[],
  kind: Correction,
): { adjusted: number; drifted: boolean }[] {
  const m = tests.length;
  if (kind !== 'fdr') {
    return tests.map(({ pValue, alpha }) => {
      const adjusted = kind === 'bonferroni' ? alpha / m : alpha;
      return { adjusted, drifted: pValue < adjusted };
    });
  }
  const order = tests.map((t, i) => ({ ...t, i })).sort((a, b) => a.pValue - b.pValue);
  let kMax = -1;
  order.forEach((t, r) => {
    if (t.pValue <= ((r + 1) / m) * t.alpha) kMax = r;
  });
  const out = new Array<{ adjusted: number; drifted: boolean }>(m);
  order.forEach(
    (t, r) => (out[t.i] = { adjusted: ((Math.max(kMax, 0) + 1) / m) * t.alpha, drifted: r <= kMax }),
  );
  return out;
}

/**
 * Compare a current data set with a reference, feature by feature, and decide dataset drift.
 * Empty, mismatched or label-only current data is an InputError, never "no drift".
 */
export function computeDrift(reference: Dataset, current: Dataset, opts: DriftOptions = {}): DriftReport {
  const exclude = new Set(opts.exclude ?? []);
  const warnings: string[] = [];
  if (reference.rows === 0) throw new InputError(`${reference.source}: the reference data has no rows`);
  if (current.rows === 0) throw new InputError(`${current.source}: the current data has no rows`);
  const features = opts.features ?? [...reference.columns.keys()].filter((c) => !exclude.has(c));
  if (features.length === 0) {
    throw new InputError(
      `${reference.source}: no features to compare (every column is excluded or the file has none)`,
    );
  }
  const notInRef = features.filter((f) => !reference.columns.has(f));
  if (notInRef.length > 0) {
    throw new InputError(
      `${reference.source}: the reference data has no ${notInRef.length === 1 ? 'column' : 'columns'} ` +
        `${notInRef.map((f) => `'${f}'`).join(', ')}`,
    );
  }
  const notInCur = features.filter((f) => !current.columns.has(f));
  if (notInCur.length === features.length) {
    const has = current.header.length ? current.header.map((h) => `'${h}'`).join(', ') : 'no columns';
    throw new InputError(
      `${current.source}: the current data has none of the ${features.length} reference features (it has ${has}); ` +
        `drift cannot be judged`,
    );
  }
  if (notInCur.length > 0) {
    throw new InputError(
      `${current.source}: the current data lacks ${notInCur.length === 1 ? 'feature' : 'features'} ` +
        `${notInCur.map((f) => `'${f}'`).join(', ')} that the reference has`,
    );
  }
  const share = opts.share ?? 0.5;
  if (!(share > 0 && share <= 1)) throw new InputError(`drift share must be in (0, 1], got ${share}`);
  const correction = opts.correction ?? 'bonferroni';
  const thresholds = { ...DEFAULT_THRESHOLDS, ...(opts.thresholds ?? {}) };
  const globalMethod = validMethod('drift method', opts.method ?? 'auto');

  const results: FeatureDrift[] = [];
  const unjudged: FeatureDrift[] = [];
  for (const name of features) {
    const refCol = reference.columns.get(name)!;
    const curCol = current.columns.get(name)!;
    if (refCol.kind !== curCol.kind) {
      const numeric = refCol.kind === 'numeric' ? 'reference' : 'current';
      warnings.push(`${name}: numeric in the ${numeric} data but not in the other; compared as categories`);
      refCol.toCategorical();
      curCol.toCategorical();
    }
    if (refCol.present === 0) {
      throw new InputError(
        `${reference.source}: feature '${name}' has no values in the reference data (all missing)`,
      );
    }
    const kind = refCol.kind;
    const ref = sampleOf(refCol);
    const cur = sampleOf(curCol);
    const choice = validMethod(`method of '${name}'`, opts.methods?.[name] ?? globalMethod);
    const method = choice === 'auto' ? autoMethod(kind, refCol.present, nUniqueOf(ref, cur)) : choice;
    if (kind === 'categorical' && NUMERIC_ONLY.has(method)) {
      throw new InputError(
        `method '${method}' needs a numeric feature, but '${name}' has non-numeric values`,
      );
    }
    const threshold = opts.featureThresholds?.[name] ?? thresholds[method];
    const p: Prepared = {
      name,
      kind,
      ref,
      cur,
      refCol,
      curCol,
      method,
      chosenBy: choice === 'auto' ? 'auto' : 'spec',
      threshold,
    };
    if (ref.kind === 'numeric') p.refStd = std(ref.sorted);
    const base = {
      name,
      kind,
      method,
      chosenBy: p.chosenBy,
      threshold,
      reference: summarize(refCol, ref),
      current: summarize(curCol, cur),
      ...outOfRange(ref, cur),
      histogram: histogramOf(p, opts.histogramBins ?? 12),
    };
    if (curCol.present === 0) {
      unjudged.push({
        ...base,
        statistic: null,
        pValue: null,
        score: null,
        drifted: true,
        reason: `every current value is missing (${curCol.rows} rows)`,
      });
      continue;
    }
    const s = score(p);
    const f: FeatureDrift = {
      ...base,
      statistic: s.statistic,
      pValue: s.pValue,
      score: s.score,
      drifted: false,
      reason: '',
      ...(s.ksMethod ? { pValueMethod: s.ksMethod } : {}),
      ...(opts.allStatistics ? { all: allStatistics(p) } : {}),
    };
    results.push(f);
  }

  const pFeatures = results.filter((f) => P_VALUE_METHODS.has(f.method));
  applyCorrection(
    pFeatures.map((f) => ({ pValue: f.pValue!, alpha: f.threshold })),
    correction,
  ).forEach((c, i) => {
    pFeatures[i]!.adjustedThreshold = c.adjusted;
    pFeatures[i]!.drifted = c.drifted;
  });
  for (const f of results) {
    const label = METHOD_LABELS[f.method];
    if (P_VALUE_METHODS.has(f.method)) {
      const a = f.adjustedThreshold!;
      const how = correction === 'none' || a === f.threshold ? '' : ` (${correction} of ${fmt(f.threshold)})`;
      const [yes, no] = correction === 'fdr' ? ['<=', '>'] : ['<', '>='];
      f.reason = `${label} ${fmt(f.pValue!)} ${f.drifted ? yes : no} ${fmt(a)}${how}`;
    } else {
      f.drifted = f.score! >= f.threshold;
      if (f.method === 'psi' && f.drifted) f.severity = f.score! >= PSI_MAJOR ? 'major' : 'moderate';
      f.reason = `${label} ${fmt(f.score!)} ${f.drifted ? '>=' : '<'} ${fmt(f.threshold)}${f.severity ? ` (${f.severity})` : ''}`;
    }
  }
  const all = [...results, ...unjudged];
  const order = new Map(features.map((f, i) => [f, i]));
  all.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  const driftedFeatures = all.filter((f) => f.drifted).length;
  const shareValue = driftedFeatures / all.length;
  const drifted = shareValue >= share;
  const reasons: string[] = [];
  const pct = (x: number): string => `${Number((x * 100).toFixed(1))}%`;
  reasons.push(
    `${driftedFeatures} of ${all.length} features drifted (${pct(shareValue)}, ${drifted ? 'at or above' : 'below'} ` +
      `the dataset share ${pct(share)})`,
  );
  for (const f of all.filter((x) => x.drifted)) reasons.push(`${f.name}: ${f.reason}`);
  return {
    drifted,
    share: shareValue,
    shareThreshold: share,
    driftedFeatures,
    features: all,
    correction,
    tests: pFeatures.length,
    reasons,
    warnings,
    reference: { source: reference.source, rows: reference.rows, files: reference.files },
    current: { source: current.source, rows: current.rows, files: current.files },
  };
}

function outOfRange(ref: Sample, cur: Sample): { outOfRangeRate: number; newCategories?: string[] } {
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    const a = ref.sorted;
    const b = cur.sorted;
    if (b.length === 0) return { outOfRangeRate: 0 };
    const lo = a[0]!;
    const hi = a[a.length - 1]!;
    let out = 0;
    for (let i = 0; i < b.length && b[i]! < lo; i++) out++;
    for (let i = b.length - 1; i >= 0 && b[i]! > hi; i--) out++;
    return { outOfRangeRate: out / b.length };
  }
  const rc = countsOf(ref);
  const cc = countsOf(cur);
  let n = 0;
  let out = 0;
  const fresh: string[] = [];
  for (const [k, v] of cc) {
    n += v;
    if (!rc.has(k)) {
      out += v;
      fresh.push(String(k));
    }
  }
  return { outOfRangeRate: n ? out / n : 0, ...(fresh.length ? { newCategories: fresh.slice(0, 20) } : {}) };
}
