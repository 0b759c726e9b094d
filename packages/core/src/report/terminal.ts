import type { Measurement } from '../gates/types.js';
import type { StageResult } from '../stage-result/types.js';
import { describeChange, directionOf } from './change.js';
import { sanitizeTerminal as clean } from './escape.js';
import { displayUnit, formatCi, formatDelta, formatDuration, formatLevel, formatValue } from './format.js';

/** Columns padded to their widest cell; numbers right-aligned, text left-aligned. */
function columns(rows: string[][], rightAligned: number[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows.map((row) =>
    row
      .map((c, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - [...c].length);
        return rightAligned.includes(i) ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

const STATUS = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

function metricRows(result: StageResult): string[] {
  const names = Object.keys(result.values);
  if (!names.length) return [];
  const hasBaseline = names.some((n) => typeof result.values[n]?.baseline === 'number');
  const level = Object.values(result.values).find((m) => m.ciLevel !== undefined)?.ciLevel;
  const header = hasBaseline
    ? ['metric', 'baseline', 'candidate', 'delta', `${formatLevel(level)} CI`, 'change']
    : ['measure', 'value'];
  const rows = names.map((name) => {
    const m = result.values[name] as Measurement;
    const unit = displayUnit(name, m);
    if (!hasBaseline) return [clean(name), formatValue(m.candidate, unit)];
    const c = describeChange(name, m);
    return [
      clean(name),
      formatValue(m.baseline, unit),
      formatValue(m.candidate, unit),
      c.delta === null ? '—' : formatDelta(c.delta, unit),
      formatCi(m, unit),
      c.text,
    ];
  });
  return columns([header, ...rows], hasBaseline ? [1, 2, 3] : [1]).map((l) => `  ${l}`);
}

/** A plain-text report for the CLI: no markdown, aligned columns, safe to print to a tty. */
export function renderTerminal(results: StageResult[]): string {
  const failing = results.flatMap((r) => r.verdicts.filter((v) => v.status === 'fail'));
  const bad = failing.length > 0 || results.some((r) => r.status === 'failed' || r.status === 'error');
  const lines: string[] = [];
  lines.push(
    bad
      ? `mlops: FAILED${failing.length ? ` (${failing.length} gate${failing.length === 1 ? '' : 's'} failed)` : ''}`
      : results.length
        ? 'mlops: PASSED'
        : 'mlops: no stage results',
  );
  for (const r of results) {
    lines.push('');
    lines.push(
      `${r.stage}: ${r.status} (${formatDuration(r.timings.durationMs)})${r.summary ? ` - ${clean(r.summary)}` : ''}`,
    );
    if (r.status === 'error' && r.error) lines.push(`  error: ${clean(r.error)}`);
    lines.push(...metricRows(r));
    if (r.verdicts.length) {
      lines.push('  gates:');
      lines.push(
        ...columns(r.verdicts.map((v) => [STATUS[v.status], clean(v.gate), clean(v.reason)])).map(
          (l) => `    ${l}`,
        ),
      );
    }
    for (const t of r.tests ?? []) {
      lines.push(
        `  tests ${clean(t.file)}: ${t.total} total, ${t.passed} passed, ${t.failed} failed, ${t.errored} errors, ${t.skipped} skipped`,
      );
      for (const f of t.failures.slice(0, 5))
        lines.push(`    x ${clean(f.name)}: ${clean(f.message).slice(0, 200)}`);
    }
    const slices = r.slices ?? [];
    if (slices.length && r.headline) {
      const metric = r.headline;
      const lowerIsBetter =
        directionOf(metric, r.values[metric] ?? { candidate: null }) === 'lower-is-better';
      const worst = slices
        .filter((s) => typeof s.values[metric]?.candidate === 'number')
        .sort((a, b) => {
          const d = (a.values[metric]?.candidate as number) - (b.values[metric]?.candidate as number);
          return lowerIsBetter ? -d : d;
        })
        .slice(0, 5);
      if (worst.length) {
        lines.push(`  worst ${clean(metric)} by slice:`);
        lines.push(
          ...columns(
            worst.map((s) => [
              `${clean(s.column)}=${clean(s.value)}`,
              String(s.rows),
              formatValue(s.values[metric]?.candidate),
            ]),
            [1, 2],
          ).map((l) => `    ${l}`),
        );
      }
    }
  }
  return lines.join('\n') + '\n';
}
