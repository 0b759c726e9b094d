import { escapeMermaidLabel } from './escape.js';

export interface XySeries {
  kind: 'bar' | 'line';
  values: number[];
}

export interface XyChart {
  title: string;
  labels: string[];
  yLabel?: string;
  series: XySeries[];
}

function num(x: number): string {
  if (!Number.isFinite(x)) return '0';
  // Mermaid parses plain decimals only; keep six significant digits.
  return String(Number(x.toPrecision(6)));
}

/**
 * A GitHub-native chart: ```mermaid blocks with `xychart-beta` render in comments and job
 * summaries without hosting images anywhere (CML's third-party image hosting is a complaint).
 * The y range is explicit so negative deltas draw below a visible zero.
 */
export function xyChart(chart: XyChart): string {
  const all = chart.series.flatMap((s) => s.values).filter(Number.isFinite);
  if (!chart.labels.length || !all.length) return '';
  let lo = Math.min(0, ...all);
  let hi = Math.max(0, ...all);
  if (lo === hi) hi = lo + 1;
  const pad = (hi - lo) * 0.1;
  if (lo < 0) lo -= pad;
  hi += pad;
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title ${escapeMermaidLabel(chart.title, 80)}`,
    `  x-axis [${chart.labels.map((l) => escapeMermaidLabel(l)).join(', ')}]`,
    `  y-axis ${escapeMermaidLabel(chart.yLabel ?? '', 60)} ${num(lo)} --> ${num(hi)}`,
    ...chart.series.map((s) => `  ${s.kind} [${s.values.map(num).join(', ')}]`),
    '```',
  ];
  return lines.join('\n');
}
