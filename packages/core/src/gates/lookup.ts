import type { Measurement, Measurements } from './types.js';

/**
 * Finds a gate's measurement by name. The name is tried as written first, then through one small
 * alias table, so `p(99) < 50ms` (k6 spelling) matches a load test that stored `p99` or
 * `latency_p99_ms`, and the reverse.
 */

const GROUPS: string[][] = [
  ['avg', 'mean', 'latency_avg_ms', 'latency_mean_ms'],
  ['med', 'median', 'p(50)', 'p50', 'latency_p50_ms'],
  ['max', 'latency_max_ms'],
  ['min', 'latency_min_ms'],
  ['rps', 'requests_per_second'],
];

const PERCENTILE = /^p\((\d+(?:\.\d+)?)\)$|^p(\d+(?:\.\d+)?)$|^latency_p(\d+(?:\.\d+)?)_ms$/;

/** Every name the measurement may be stored under, the given one first. */
export function aliasesOf(name: string): string[] {
  const names = [name, ...(GROUPS.find((g) => g.includes(name)) ?? [])];
  const m = PERCENTILE.exec(name);
  const pct = m?.[1] ?? m?.[2] ?? m?.[3];
  if (pct !== undefined) {
    // p99.9 is also commonly written p999; that spelling can't be told from "p(999)", so it is only
    // generated from a dotted percentile, never parsed back.
    const compact = pct.replace('.', '');
    names.push(`p(${pct})`, `p${pct}`, `p${compact}`, `latency_p${pct}_ms`, `latency_p${compact}_ms`);
  }
  return [...new Set(names)];
}

export function lookupMeasurement(
  values: Measurements,
  name: string,
): { name: string; measurement: Measurement } | undefined {
  for (const alias of aliasesOf(name)) {
    // hasOwn: a metric named `constructor` must not find Object.prototype's.
    const measurement = Object.hasOwn(values, alias) ? values[alias] : undefined;
    if (measurement) return { name: alias, measurement };
  }
  return undefined;
}
