import type { Measurement } from '../gates/types.js';
import type { StageResult } from '../stage-result/types.js';
import { describeChange } from './change.js';
import { escapeMarkdown } from './escape.js';
import { displayUnit, formatDelta, formatDuration, formatNumber, formatValue } from './format.js';
import { STATUS_ICON, statusCell, table } from './table.js';

// Stage `details` are plain JSON written by other code (or read back from an artifact), so every
// field is checked before use; anything unexpected falls back to the generic key/value table.

type Obj = Record<string, unknown>;

export function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : typeof x === 'number' && Number.isFinite(x) ? String(x) : undefined;
}

export function num(x: unknown): number | undefined {
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

export function stageHeading(title: string, result: StageResult): string {
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

/** How long a stage took, with its named phases. */
export function timing(result: StageResult): string {
  const phases = result.timings.phases;
  const parts = phases
    ? Object.entries(phases)
        .filter(([, v]) => typeof v === 'number')
        .map(([k, v]) => `${escapeMarkdown(k)} ${formatDuration(v)}`)
    : [];
  const total = `Took ${formatDuration(result.timings.durationMs)}`;
  return parts.length ? `${total} (${parts.join(', ')}).` : `${total}.`;
}

export function genericSection(result: StageResult): string {
  const parts = [stageHeading(escapeMarkdown(result.stage), result)];
  const values = valuesTable(result);
  if (values) parts.push(values);
  if (result.details && Object.keys(result.details).length) parts.push(keyValueTable(result.details));
  parts.push(timing(result));
  return parts.join('\n\n');
}

export function gatesSection(results: StageResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    for (const v of r.verdicts) {
      rows.push([
        statusCell(v.status),
        escapeMarkdown(r.stage),
        escapeMarkdown(v.gate),
        escapeMarkdown(v.reason),
      ]);
    }
  }
  if (!rows.length) return '';
  return ['### Gates', table(['status', 'stage', 'gate', 'reason'], rows)].join('\n\n');
}

const MAX_FAILURES = 5;
const MAX_MESSAGE = 300;

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function testsSection(results: StageResult[]): string {
  const summaries = results.flatMap((r) => r.tests ?? []);
  if (!summaries.length) return '';
  const rows = summaries.map((t) => [
    t.failed + t.errored > 0 ? STATUS_ICON.fail : STATUS_ICON.pass,
    escapeMarkdown(t.file),
    String(t.total),
    String(t.passed),
    String(t.failed),
    String(t.errored),
    String(t.skipped),
  ]);
  const parts = ['### Tests', table(['', 'report', 'total', 'passed', 'failed', 'errors', 'skipped'], rows)];
  const failures = summaries.flatMap((t) => t.failures);
  if (failures.length) {
    const shown = failures.slice(0, MAX_FAILURES);
    const list = shown
      .map(
        (f) => `- **${escapeMarkdown(clip(f.name, 200))}**: ${escapeMarkdown(clip(f.message, MAX_MESSAGE))}`,
      )
      .join('\n');
    const more = failures.length > shown.length ? `\n\n…and ${failures.length - shown.length} more.` : '';
    parts.push(`First failures:\n\n${list}${more}`);
  }
  return parts.join('\n\n');
}
