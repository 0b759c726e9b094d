import type { Measurement, Unit } from '../gates/types.js';
import { metricUnit } from '../gates/directions.js';

const MINUS = '−';

function trimZeros(s: string): string {
  if (s.includes('e')) {
    const [m, e] = s.split('e') as [string, string];
    return `${trimZeros(m)}e${e.replace('+', '')}`;
  }
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * Numbers at the precision a reviewer reads them: four decimals for scores in [0, 1]
 * (0.9123), three significant digits in scientific notation for tiny or huge values (1.23e-5),
 * and no trailing zeros.
 */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : `${MINUS}∞`;
  if (x === 0) return '0';
  const a = Math.abs(x);
  const sign = x < 0 ? MINUS : '';
  let body: string;
  if (a < 1e-3 || a >= 1e7) body = trimZeros(a.toExponential(2));
  else if (a < 1) body = trimZeros(a.toFixed(4));
  else if (a < 1000) body = trimZeros(a.toPrecision(4));
  else body = Math.round(a).toString();
  return sign + body;
}

function withSign(formatted: string, x: number): string {
  return x > 0 ? `+${formatted}` : formatted;
}

function formatBytes(x: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(x);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const s = i === 0 ? String(Math.round(v)) : trimZeros(v.toFixed(1));
  return `${x < 0 ? MINUS : ''}${s} ${units[i]}`;
}

/** A value in its unit: rates as percentages, latency in ms, throughput per second. */
export function formatValue(x: number | null | undefined, unit?: Unit): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return formatNumber(x);
  switch (unit) {
    case 'ratio':
      return `${formatPercent(x)}`;
    case 'ms':
      return `${formatNumber(x)} ms`;
    case 'per-second':
      return `${formatNumber(x)}/s`;
    case 'bytes':
      return formatBytes(x);
    case 'count':
      return Number.isInteger(x) ? String(x) : formatNumber(x);
    default:
      return formatNumber(x);
  }
}

function formatPercent(fraction: number): string {
  const p = fraction * 100;
  if (p === 0) return '0%';
  const a = Math.abs(p);
  const s =
    a < 0.001
      ? trimZeros(a.toExponential(1))
      : a < 1
        ? trimZeros(a.toPrecision(2))
        : a < 10
          ? trimZeros(a.toFixed(2))
          : trimZeros(a.toFixed(1));
  return `${p < 0 ? MINUS : ''}${s}%`;
}

/** A change: signed, and in percentage points for rates so "+0.5%" is never ambiguous. */
export function formatDelta(x: number | null | undefined, unit?: Unit): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return formatNumber(x);
  if (x === 0) return '±0';
  if (unit === 'ratio') return withSign(formatPercent(x).replace('%', ' pp'), x);
  if (unit === 'ms') return `${withSign(formatNumber(x), x)} ms`;
  if (unit === 'per-second') return `${withSign(formatNumber(x), x)}/s`;
  if (unit === 'bytes') return withSign(formatBytes(x), x);
  return withSign(formatNumber(x), x);
}

export function formatCi(m: Measurement, unit?: Unit): string {
  if (!m.ci) return '—';
  return `[${formatDelta(m.ci[0], unit)}, ${formatDelta(m.ci[1], unit)}]`;
}

/**
 * The unit a value is shown in. Scores such as accuracy are stored as fractions too, but readers
 * expect 0.9123 for a score and percentages only for rates (error_rate 0.12%).
 */
export function displayUnit(name: string, m: Pick<Measurement, 'unit'>): Unit {
  const unit = metricUnit(name, m);
  if (unit === 'ratio' && !/rate|mape|percent|share|fraction/i.test(name)) return 'none';
  return unit;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${trimZeros(s.toFixed(1))} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** `sha256:` digests shortened the way registries and git show them. */
export function shortDigest(d: string | undefined, length = 12): string {
  if (!d) return '—';
  const hex = d.replace(/^sha256:/, '');
  return hex.slice(0, length);
}

/** Confidence level as a label: 0.95 → "95%". */
export function formatLevel(level: number | undefined): string {
  const l = level ?? 0.95;
  return `${trimZeros((l * 100).toFixed(1))}%`;
}
