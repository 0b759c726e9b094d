import { parseExpression } from '@mlops-actions/core';
import type { Measurement, Measurements } from '@mlops-actions/core';
import type { LoadResult } from './types.js';

/**
 * The stage's gateable values, named as k6 names them (`p(99)`, `avg`, `rps`...) so `p(99) < 50ms`
 * reads the way k6 users write it. Latency is in ms; a latency with no answered request is null,
 * and a gate on it fails (k6#1346 let such thresholds pass).
 */
export const VALUE_NAMES = [
  'p(50)',
  'p(90)',
  'p(95)',
  'p(99)',
  'p(99.9)',
  'max',
  'avg',
  'requests',
  'errors',
  'error_rate',
  'rps',
  'dropped',
  'late',
] as const;

export function loadValues(
  result: Pick<
    LoadResult,
    'latency' | 'requests' | 'responses' | 'errors' | 'dropped' | 'late' | 'measuredMs'
  >,
): Measurements {
  const lat = result.latency;
  const ms = (v: number | undefined): Measurement => ({
    candidate: v ?? null,
    unit: 'ms',
    direction: 'lower-is-better',
  });
  const count = (v: number, direction: Measurement['direction']): Measurement => ({
    candidate: v,
    unit: 'count',
    direction,
  });
  return {
    'p(50)': ms(lat?.p50),
    'p(90)': ms(lat?.p90),
    'p(95)': ms(lat?.p95),
    'p(99)': ms(lat?.p99),
    'p(99.9)': ms(lat?.p999),
    max: ms(lat?.max),
    avg: ms(lat?.avg),
    requests: count(result.requests, 'higher-is-better'),
    errors: count(result.errors, 'lower-is-better'),
    error_rate: {
      candidate: result.requests > 0 ? result.errors / result.requests : null,
      unit: 'ratio',
      direction: 'lower-is-better',
    },
    rps: {
      candidate:
        result.requests > 0 && result.measuredMs > 0 ? (result.responses * 1000) / result.measuredMs : null,
      unit: 'per-second',
      direction: 'higher-is-better',
    },
    dropped: count(result.dropped, 'lower-is-better'),
    late: count(result.late, 'lower-is-better'),
  };
}

// Counts that only grow during a run: once `dropped == 0` or `max < 1s` fails it can never pass.
const GROWING = new Set(['requests', 'errors', 'dropped', 'late', 'max']);

/**
 * Whether a gate failing mid-run may stop it. Growing counts (and max) abort only when an upper
 * bound is already exceeded; a lower bound such as `requests >= 1000` may still be reached. Other
 * values abort when they fail at a check, as k6's abortOnFail does, but never before there is data.
 */
export function abortCanDecide(expression: string, values: Measurements): boolean {
  const parsed = parseExpression(expression);
  const value = values[parsed.metric]?.candidate ?? lookupCandidate(values, parsed.metric);
  if (value === null || value === undefined) return false;
  if (GROWING.has(parsed.metric)) return parsed.op === '<' || parsed.op === '<=' || parsed.op === '==';
  return true;
}

function lookupCandidate(values: Measurements, metric: string): number | null | undefined {
  // Spellings the gate engine accepts (p99, mean, median): a missing name here only means
  // "not decidable yet", the engine itself reports the real verdict.
  const pct = /^p\(?(\d+(?:\.\d+)?)\)?$/.exec(metric);
  if (pct) return values[`p(${pct[1]})`]?.candidate;
  if (metric === 'mean') return values.avg?.candidate;
  if (metric === 'med' || metric === 'median') return values['p(50)']?.candidate;
  return undefined;
}
