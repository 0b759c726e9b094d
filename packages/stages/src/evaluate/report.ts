import {
  describeChange,
  details,
  directionOf,
  displayUnit,
  escapeMarkdown,
  formatCi,
  formatDelta,
  formatLevel,
  formatValue,
  statusCell,
  table,
  testsSection,
  xyChart,
} from '@mlops-actions/core';
import type { Measurement, SliceMeasurements, StageResult, Verdict } from '@mlops-actions/core';
function verdictsFor(verdicts: Verdict[], metric: string): Verdict[] {
  return verdicts.filter((v) => v.metric === metric && !v.slice);
}

function gateCell(verdicts: Verdict[]): string {
  if (!verdicts.length) return '—';
  const worst = verdicts.some((v) => v.status === 'fail')
    ? 'fail'
    : verdicts.some((v) => v.status === 'warn')
      ? 'warn'
      : 'pass';
  return verdicts.length === 1 ? statusCell(worst) : `${statusCell(worst)} (${verdicts.length} gates)`;
}

function deltaCell(name: string, m: Measurement): string {
  const c = describeChange(name, m);
  if (c.delta === null) return '—';
  const unit = displayUnit(name, m);
  return c.text ? `${formatDelta(c.delta, unit)} ${c.text}` : formatDelta(c.delta, unit);
}

/** Headline first, then in the order the stage wrote them. */
function orderedNames(result: StageResult): string[] {
  const names = Object.keys(result.values);
  if (result.headline && names.includes(result.headline)) {
    return [result.headline, ...names.filter((n) => n !== result.headline)];
  }
  return names;
}

export function metricsSection(result: StageResult): string {
  const names = orderedNames(result);
  if (!names.length) return '';
  const level = Object.values(result.values).find((m) => m.ciLevel !== undefined)?.ciLevel;
  const rows = names.map((name) => {
    const m = result.values[name] as Measurement;
    const label = name === result.headline ? `**${escapeMarkdown(name)}**` : escapeMarkdown(name);
    const unit = displayUnit(name, m);
    return [
      label,
      formatValue(m.baseline, unit),
      formatValue(m.candidate, unit),
      deltaCell(name, m),
      formatCi(m, unit),
      gateCell(verdictsFor(result.verdicts, name)),
    ];
  });
  const parts = [
    '### Metrics',
    table(['metric', 'baseline', 'candidate', 'Δ', `${formatLevel(level)} CI of Δ`, 'gate'], rows, [
      'l',
      'r',
      'r',
      'l',
      'l',
      'l',
    ]),
  ];
  const baselineNote = result.baselineModel
    ? `Baseline: ${escapeMarkdown(result.baselineModel.source)}.`
    : names.some((n) => result.values[n]?.baseline !== undefined && result.values[n]?.baseline !== null)
      ? ''
      : 'No baseline: change gates had nothing to compare against.';
  if (baselineNote) parts.push(baselineNote);
  const chart = deltaChart(result, names);
  if (chart) parts.push(chart);
  return parts.join('\n\n');
}

/**
 * Metrics live on different scales, so the chart shows relative change with the sign flipped
 * for lower-is-better metrics: every bar above zero is an improvement.
 */
function deltaChart(result: StageResult, names: string[]): string {
  const labels: string[] = [];
  const values: number[] = [];
  for (const name of names) {
    const m = result.values[name] as Measurement;
    const c = describeChange(name, m);
    if (c.delta === null || (c.better === null && c.delta !== 0)) continue;
    if (typeof m.baseline !== 'number' || m.baseline === 0) continue;
    const direction = directionOf(name, m);
    const sign = direction === 'lower-is-better' ? -1 : 1;
    labels.push(name);
    values.push((sign * c.delta * 100) / Math.abs(m.baseline));
  }
  if (!labels.length) return '';
  return xyChart({
    title: 'Change vs baseline (% of baseline, above 0 = better)',
    labels,
    yLabel: '% change',
    series: [{ kind: 'bar', values }],
  });
}

function sliceMetric(result: StageResult, slices: SliceMeasurements[]): string | undefined {
  const candidates = [
    result.headline,
    ...result.verdicts.filter((v) => v.slice).map((v) => v.metric),
    ...Object.keys(result.values),
  ];
  return candidates.find((n): n is string => !!n && slices.some((s) => s.values[n] !== undefined));
}

/** The slices where the candidate does worst on the headline metric, worst first. */
export function slicesSection(result: StageResult, maxSlices: number): string {
  const slices = result.slices ?? [];
  if (!slices.length) return '';
  const metric = sliceMetric(result, slices);
  if (!metric) return '';
  const finite = (s: SliceMeasurements) => Number.isFinite(s.values[metric]?.candidate ?? NaN);
  const withValue = slices.filter(finite);
  // A metric undefined on a slice (roc_auc of a one-class slice) is not "worst": it is listed
  // apart with its reason, out of the ranking and the chart; a gate on it still fails.
  const undefinedOn = slices.filter((s) => s.values[metric] !== undefined && !finite(s));
  const sample = withValue[0]?.values[metric] ?? ({ candidate: null } as Measurement);
  const direction = directionOf(metric, sample);
  const sorted = [...withValue].sort((a, b) => {
    const x = a.values[metric]?.candidate as number;
    const y = b.values[metric]?.candidate as number;
    return direction === 'lower-is-better' ? y - x : x - y;
  });
  const worst = sorted.slice(0, Math.max(1, maxSlices));
  const rows = worst.map((s) => {
    const m = s.values[metric] as Measurement;
    const unit = displayUnit(metric, m);
    const flagged = result.verdicts.filter(
      (v) => v.slice && v.metric === metric && v.slice === `${s.column}=${s.value}`,
    );
    return [
      escapeMarkdown(s.column),
      escapeMarkdown(s.value),
      String(s.rows),
      formatValue(m.baseline, unit),
      formatValue(m.candidate, unit),
      deltaCell(metric, m),
      flagged.length ? gateCell(flagged) : '—',
    ];
  });
  const why = /roc_auc|pr_auc/.test(metric) ? 'n/a (one class)' : 'n/a (undefined on this slice)';
  for (const s of undefinedOn.slice(0, Math.max(1, maxSlices))) {
    const m = s.values[metric] as Measurement;
    const flagged = result.verdicts.filter(
      (v) => v.slice && v.metric === metric && v.slice === `${s.column}=${s.value}`,
    );
    rows.push([
      escapeMarkdown(s.column),
      escapeMarkdown(s.value),
      String(s.rows),
      formatValue(m.baseline, displayUnit(metric, m)),
      why,
      '—',
      flagged.length ? gateCell(flagged) : '—',
    ]);
  }
  const body = [
    table(['column', 'value', 'rows', 'baseline', 'candidate', 'Δ', 'gate'], rows, [
      'l',
      'l',
      'r',
      'r',
      'r',
      'l',
      'l',
    ]),
    xyChart({
      title: `${metric} by slice (worst ${worst.length})`,
      labels: worst.map((s) => `${s.column}=${s.value}`),
      yLabel: metric,
      series: [{ kind: 'bar', values: worst.map((s) => s.values[metric]?.candidate as number) }],
    }),
  ].join('\n\n');
  const failing = result.verdicts.some((v) => v.slice && v.status === 'fail');
  return details(
    `Worst slices by ${escapeMarkdown(metric)} (${worst.length} of ${slices.length})`,
    body,
    failing,
  );
}

interface ConfusionDetails {
  threshold?: number;
  labels: (number | string)[];
  candidate: number[][];
  baseline?: number[][];
}

function isConfusion(v: unknown): v is ConfusionDetails {
  const c = v as ConfusionDetails | undefined;
  return !!c && Array.isArray(c.labels) && Array.isArray(c.candidate);
}

/** Rows are the true class, columns the predicted one; baseline counts in parentheses. */
export function confusionSection(result: StageResult): string {
  const c = result.details?.confusion;
  if (!isConfusion(c)) return '';
  const labels = c.labels.map((l) => escapeMarkdown(String(l)));
  const rows = c.candidate.map((row, i) => [
    `**${labels[i] ?? i}**`,
    ...row.map((n, j) => (c.baseline ? `${n} (${c.baseline[i]?.[j] ?? '—'})` : String(n))),
  ]);
  const header = ['true \\ predicted', ...labels];
  const at = c.threshold !== undefined ? ` at threshold ${formatValue(c.threshold)}` : '';
  const note = c.baseline ? '\n\nCandidate counts, baseline in parentheses.' : '';
  return details(
    `Confusion matrix${at}`,
    table(
      header,
      rows,
      header.map((_, i) => (i === 0 ? 'l' : 'r')),
    ) + note,
  );
}

/** The evaluate stage's part of the report: metrics, confusion matrix, worst slices. */
export function evaluateSections(result: StageResult, maxSlices: number): { id: string; markdown: string }[] {
  const sections = [
    { id: 'evaluate-metrics', markdown: metricsSection(result) },
    { id: 'evaluate-confusion', markdown: confusionSection(result) },
    { id: 'evaluate-tests', markdown: testsSection([result]) },
    { id: 'evaluate-slices', markdown: slicesSection(result, maxSlices) },
  ];
  return sections.filter((s) => s.markdown);
}
