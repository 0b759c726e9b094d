import { InputError, UsageError } from '@mlops-actions/core';
import { metricDirection } from '@mlops-actions/core';

export interface SliceSpec {
  /** Column the values come from; used in labels (`region=EU`) and errors. */
  column: string;
  /** Groups with fewer rows are skipped (reported with their counts), not evaluated. */
  minSize: number;
  /** Numeric bin edges, ascending: [0, 30, 60] gives `[0, 30)` and `[30, 60)`. */
  bins?: number[];
}

export interface SliceGroup {
  /** `column=value`, the name gates use in `slice:`. */
  key: string;
  /** The value or bin: `EU`, `[0, 30)`. */
  label: string;
  rows: Uint32Array;
}

export interface SkippedSlice {
  key: string;
  label: string;
  size: number;
}

export interface Slices {
  column: string;
  groups: SliceGroup[];
  skipped: SkippedSlice[];
}

/** A slice with its metric values, as `worstSlices` ranks them. */
export interface SliceMetrics {
  key: string;
  size: number;
  metrics: Record<string, number>;
}

const MISSING = '(missing)';

/** Rows of each value of a column (strings or numbers as categories), or of each numeric bin. */
export function sliceRows(column: readonly string[] | Float64Array, spec: SliceSpec): Slices {
  if (!Number.isInteger(spec.minSize) || spec.minSize < 1) {
    throw new UsageError(`slice '${spec.column}': min size must be a positive integer, got ${spec.minSize}`);
  }
  const buckets = new Map<string, number[]>();
  const push = (label: string, i: number) => {
    const rows = buckets.get(label);
    if (rows) rows.push(i);
    else buckets.set(label, [i]);
  };
  let order: string[];
  if (spec.bins) {
    if (!(column instanceof Float64Array)) {
      throw new InputError(`slice '${spec.column}': bins need a numeric column, but it holds text`);
    }
    const edges = spec.bins;
    if (
      edges.length < 2 ||
      edges.some((e, i) => !Number.isFinite(e) || (i > 0 && e <= (edges[i - 1] as number)))
    ) {
      throw new UsageError(
        `slice '${spec.column}': bins must be at least two finite, strictly increasing edges, got [${edges.join(', ')}]`,
      );
    }
    const labels = edges.slice(1).map((hi, b) => `[${edges[b]}, ${hi})`);
    const below = `< ${edges[0]}`;
    const above = `>= ${edges[edges.length - 1]}`;
    order = [below, ...labels, above, MISSING];
    for (let i = 0; i < column.length; i++) {
      const v = column[i] as number;
      if (Number.isNaN(v)) push(MISSING, i);
      else if (v < (edges[0] as number)) push(below, i);
      else if (v >= (edges[edges.length - 1] as number)) push(above, i);
      else {
        // Binary search for the bin [edges[b], edges[b+1]) holding v.
        let lo = 0;
        let hi = edges.length - 2;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if ((edges[mid] as number) <= v) lo = mid;
          else hi = mid - 1;
        }
        push(labels[lo] as string, i);
      }
    }
  } else {
    for (let i = 0; i < column.length; i++) {
      const v = column[i];
      push(
        typeof v === 'number'
          ? Number.isNaN(v)
            ? MISSING
            : String(v)
          : v === undefined || v === ''
            ? MISSING
            : v,
        i,
      );
    }
    order = [...buckets.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const result: Slices = { column: spec.column, groups: [], skipped: [] };
  for (const label of order) {
    const rows = buckets.get(label);
    if (!rows) continue;
    const key = `${spec.column}=${label}`;
    if (rows.length < spec.minSize) result.skipped.push({ key, label, size: rows.length });
    else result.groups.push({ key, label, rows: Uint32Array.from(rows) });
  }
  return result;
}

/**
 * The k slices where `metric` is worst (lowest when higher is better, highest when lower is
 * better). Slices where the metric is missing or NaN (e.g. AUC on a one-class slice) are not ranked.
 */
export function worstSlices<T extends SliceMetrics>(slices: readonly T[], metric: string, k: number): T[] {
  const direction = metricDirection(metric);
  if (direction === 'neutral') {
    throw new UsageError(`metric '${metric}' has no better direction, so slices cannot be ranked by it`);
  }
  const sign = direction === 'higher-is-better' ? 1 : -1;
  return slices
    .filter((s) => Number.isFinite(s.metrics[metric]))
    .map((s, i) => ({ s, i }))
    .sort((a, b) => sign * ((a.s.metrics[metric] as number) - (b.s.metrics[metric] as number)) || a.i - b.i)
    .slice(0, Math.max(0, k))
    .map(({ s }) => s);
}
