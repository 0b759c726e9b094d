import type { Measurement } from '../gates/types.js';
import type { StageResult } from '../stage-result/types.js';
import { describeChange } from './change.js';
import { escapeMarkdown, inlineCode } from './escape.js';
import { displayUnit, formatDelta, formatDuration, formatNumber, formatValue } from './format.js';
import { xyChart } from './mermaid.js';
import { details, table } from './table.js';

// Stage `details` are plain JSON written by other code (or read back from an artifact), so every
// field is checked before use; anything unexpected falls back to the generic key/value table.

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : typeof x === 'number' && Number.isFinite(x) ? String(x) : undefined;
}

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

const MAX_CELL = 200;

function scalarCell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return escapeMarkdown(s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s);
}

/** Nested objects flatten to dotted keys, two levels deep; deeper values print as JSON. */
function flatten(obj: Obj, prefix = '', depth = 0, out: [string, unknown][] = []): [string, unknown][] {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObj(v) && depth < 2) flatten(v, key, depth + 1, out);
    else out.push([key, v]);
  }
  return out;
}

export function keyValueTable(obj: Obj, limit = 40): string {
  const entries = flatten(obj);
  if (!entries.length) return '';
  const rows = entries.slice(0, limit).map(([k, v]) => [escapeMarkdown(k), scalarCell(v)]);
  const more = entries.length > limit ? `\n\n…and ${entries.length - limit} more fields.` : '';
  return table(['field', 'value'], rows) + more;
}

function heading(title: string, result: StageResult): string {
  const icon = { passed: '✅', failed: '❌', error: '💥', skipped: '⏭️' }[result.status];
  const lines = [`### ${title} ${icon}`];
  if (result.summary) lines.push(escapeMarkdown(result.summary));
  if (result.status === 'error' && result.error) lines.push(`**Error:** ${escapeMarkdown(result.error)}`);
  return lines.join('\n\n');
}

export function valuesTable(result: StageResult): string {
  const names = Object.keys(result.values);
  if (!names.length) return '';
  const hasBaseline = names.some((n) => typeof result.values[n]?.baseline === 'number');
  const rows = names.map((name) => {
    const m = result.values[name] as Measurement;
    const unit = displayUnit(name, m);
    const row = [escapeMarkdown(name), formatValue(m.candidate, unit)];
    if (hasBaseline) {
      const c = describeChange(name, m);
      row.push(
        formatValue(m.baseline, unit),
        c.delta === null ? '—' : `${formatDelta(c.delta, unit)} ${c.mark}`.trim(),
      );
    }
    return row;
  });
  return table(hasBaseline ? ['measure', 'value', 'baseline', 'Δ'] : ['measure', 'value'], rows);
}

function timing(result: StageResult): string {
  const phases = result.timings.phases;
  const parts = phases
    ? Object.entries(phases)
        .filter(([, v]) => typeof v === 'number')
        .map(([k, v]) => `${escapeMarkdown(k)} ${formatDuration(v)}`)
    : [];
  const total = `Took ${formatDuration(result.timings.durationMs)}`;
  return parts.length ? `${total} (${parts.join(', ')}).` : `${total}.`;
}

export function trainSection(result: StageResult): string {
  const d = result.details ?? {};
  const card = isObj(d.modelCard) ? d.modelCard : undefined;
  const parts = [heading('Train', result)];
  if (card) {
    const { hyperparameters, trainingData, ...rest } = card;
    const info = keyValueTable(rest);
    if (info) parts.push(`**Model card**\n\n${info}`);
    if (isObj(trainingData)) parts.push(`**Training data**\n\n${keyValueTable(trainingData)}`);
    if (isObj(hyperparameters)) parts.push(details('Hyperparameters', keyValueTable(hyperparameters)));
  }
  const values = valuesTable(result);
  if (values) parts.push(values);
  const cache = isObj(d.cache) ? d.cache : undefined;
  if (cache && typeof cache.hit === 'boolean') {
    parts.push(
      cache.hit
        ? `Model restored from cache (key ${inlineCode(str(cache.key) ?? '?')}).`
        : 'Model trained (cache miss).',
    );
  }
  const otherDetails = Object.fromEntries(
    Object.entries(d).filter(([k]) => k !== 'modelCard' && k !== 'cache'),
  );
  if (Object.keys(otherDetails).length) parts.push(details('Details', keyValueTable(otherDetails)));
  parts.push(timing(result));
  return parts.join('\n\n');
}

const PERCENTILE = /^p\((\d+(?:\.\d+)?)\)$/;

/** Latency percentiles come from `values` (`p(99)` in ms); `details.latency` is the fallback. */
function percentiles(result: StageResult): { label: string; p: number; m: Measurement }[] {
  const fromValues = Object.entries(result.values)
    .map(([name, m]) => ({ name, m, match: PERCENTILE.exec(name) }))
    .filter((x) => x.match)
    .map((x) => ({ label: x.name, p: Number(x.match?.[1]), m: x.m }));
  if (fromValues.length) return fromValues.sort((a, b) => a.p - b.p);
  const lat = result.details?.latency;
  if (!isObj(lat)) return [];
  return Object.entries(lat)
    .map(([name, v]) => ({ name, v: num(v), match: PERCENTILE.exec(name) }))
    .filter((x) => x.match && x.v !== undefined)
    .map((x) => ({
      label: x.name,
      p: Number(x.match?.[1]),
      m: { candidate: x.v as number, unit: 'ms' as const },
    }))
    .sort((a, b) => a.p - b.p);
}

export function loadTestSection(result: StageResult): string {
  const d = result.details ?? {};
  const parts = [heading('Load test', result)];
  const profile = [
    str(d.rate) && `rate ${escapeMarkdown(str(d.rate))}`,
    str(d.duration) && `for ${escapeMarkdown(str(d.duration))}`,
    num(d.requests) !== undefined && `${num(d.requests)} requests`,
    str(d.target) && `against ${inlineCode(str(d.target))}`,
  ].filter(Boolean);
  if (profile.length) parts.push(`Open-model load: ${profile.join(', ')}.`);
  const values = valuesTable(result);
  if (values) parts.push(values);
  const ps = percentiles(result);
  if (ps.length) {
    const hasBaseline = ps.some((p) => typeof p.m.baseline === 'number');
    parts.push(
      xyChart({
        title: hasBaseline ? 'Latency percentiles (bars: candidate, line: baseline)' : 'Latency percentiles',
        labels: ps.map((p) => p.label),
        yLabel: 'ms',
        series: [
          { kind: 'bar', values: ps.map((p) => p.m.candidate ?? 0) },
          ...(hasBaseline ? [{ kind: 'line' as const, values: ps.map((p) => p.m.baseline ?? 0) }] : []),
        ],
      }),
    );
  }
  const rest = Object.fromEntries(
    Object.entries(d).filter(([k]) => !['rate', 'duration', 'requests', 'target', 'latency'].includes(k)),
  );
  if (Object.keys(rest).length) parts.push(details('Details', keyValueTable(rest)));
  parts.push(timing(result));
  return parts.join('\n\n');
}

export function imageSection(result: StageResult): string {
  const d = result.details ?? {};
  const parts = [heading('Image', result)];
  const ref = str(d.image);
  const digest = str(d.digest);
  if (ref) {
    const tag = str(d.tag);
    parts.push(`${inlineCode(tag ? `${ref}:${tag}` : ref)}${digest ? ` @ ${inlineCode(digest)}` : ''}`);
  }
  const rest = Object.fromEntries(Object.entries(d).filter(([k]) => !['image', 'tag', 'digest'].includes(k)));
  const rows: Obj = { ...rest };
  if (num(d.sizeBytes) !== undefined) rows.sizeBytes = formatValue(num(d.sizeBytes), 'bytes');
  const kv = keyValueTable(rows);
  if (kv) parts.push(kv);
  parts.push(timing(result));
  return parts.join('\n\n');
}

export function deploySection(result: StageResult): string {
  const d = result.details ?? {};
  const parts = [heading('Canary deploy', result)];
  if (str(d.target)) parts.push(`Target: ${inlineCode(str(d.target))}.`);
  const steps = Array.isArray(d.steps) ? d.steps.filter(isObj) : [];
  if (steps.length) {
    const rows = steps.map((s, i) => {
      const analysis = Array.isArray(s.analysis) ? s.analysis.filter(isObj) : [];
      const checks = analysis
        .map((a) => {
          const icon =
            a.status === 'fail' ? '❌' : a.status === 'warn' || a.status === 'inconclusive' ? '⚠️' : '✅';
          const metric = str(a.metric) ?? '?';
          const observed = num(a.observed);
          const value =
            observed === undefined ? scalarCell(a.observed) : formatValue(observed, displayUnit(metric, {}));
          return `${icon} ${escapeMarkdown(metric)} ${value}`;
        })
        .join('<br>');
      const status = str(s.status) ?? '—';
      const icon =
        status === 'passed'
          ? '✅'
          : status === 'failed' || status === 'rolled-back'
            ? '❌'
            : status === 'paused'
              ? '⏸️'
              : '';
      return [
        String(i + 1),
        num(s.weight) !== undefined ? `${num(s.weight)}%` : '—',
        `${icon} ${escapeMarkdown(status)}`.trim(),
        formatDuration(num(s.durationMs)),
        checks || '—',
      ];
    });
    parts.push(table(['step', 'traffic', 'status', 'duration', 'analysis'], rows));
  }
  if (d.rolledBack === true)
    parts.push(
      `**Rolled back**${str(d.rollbackReason) ? `: ${escapeMarkdown(str(d.rollbackReason))}` : '.'}`,
    );
  const rest = Object.fromEntries(
    Object.entries(d).filter(([k]) => !['target', 'steps', 'rolledBack', 'rollbackReason'].includes(k)),
  );
  if (Object.keys(rest).length) parts.push(keyValueTable(rest));
  parts.push(timing(result));
  return parts.join('\n\n');
}

export function promoteSection(result: StageResult): string {
  const d = result.details ?? {};
  const parts = [heading('Promotion', result)];
  const env = str(d.environment);
  if (env) {
    const from = str(d.from);
    parts.push(`Promoted to ${inlineCode(env)}${from ? ` from ${inlineCode(from)}` : ''}.`);
  }
  const rest = Object.fromEntries(Object.entries(d).filter(([k]) => !['environment', 'from'].includes(k)));
  const kv = keyValueTable(rest);
  if (kv) parts.push(kv);
  parts.push(timing(result));
  return parts.join('\n\n');
}

/** Stages this renderer does not know: their values and details as plain tables. */
export function genericSection(result: StageResult): string {
  const parts = [heading(escapeMarkdown(result.stage), result)];
  const values = valuesTable(result);
  if (values) parts.push(values);
  if (result.details && Object.keys(result.details).length) parts.push(keyValueTable(result.details));
  parts.push(timing(result));
  return parts.join('\n\n');
}
