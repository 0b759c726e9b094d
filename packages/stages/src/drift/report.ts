import {
  details as foldable,
  escapeMarkdown,
  formatNumber,
  genericSection,
  inlineCode,
  isObj,
  stageHeading,
  table,
  xyChart,
  type ReportSection,
  type StageResult,
} from '@mlops-actions/core';
import type { ColumnSummary, FeatureDrift } from '@mlops-actions/drift';
import type { DriftDetails } from './run.js';

/** How far past its threshold a feature is: ≥ 1 is drifted, for p-values and distances alike. */
export function driftStrength(f: FeatureDrift): number {
  if (f.score === null) return f.drifted ? Infinity : 0;
  if (f.pValue !== null && f.adjustedThreshold !== undefined) {
    if (f.pValue <= 0) return Infinity;
    return Math.log(f.pValue) / Math.log(f.adjustedThreshold);
  }
  return f.threshold > 0 ? f.score / f.threshold : 0;
}

/** Drifted first, then by strength. */
export function rankFeatures(features: FeatureDrift[]): FeatureDrift[] {
  return [...features].sort(
    (a, b) =>
      Number(b.drifted) - Number(a.drifted) ||
      driftStrength(b) - driftStrength(a) ||
      a.name.localeCompare(b.name),
  );
}

const fmt = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : formatNumber(x));
const pct = (x: number): string => `${Number((x * 100).toFixed(1))}%`;

function summaryCell(s: ColumnSummary): string {
  if (s.kind === 'numeric') return `mean ${fmt(s.mean)}, sd ${fmt(s.std)}, [${fmt(s.min)}, ${fmt(s.max)}]`;
  return escapeMarkdown(
    s.top
      .slice(0, 3)
      .map((t) => `${t.value} ${pct(t.share)}`)
      .join(', '),
  );
}

function featureRow(f: FeatureDrift, correction: string): string[] {
  const threshold =
    f.adjustedThreshold !== undefined && f.adjustedThreshold !== f.threshold
      ? `${fmt(f.adjustedThreshold)} (${fmt(f.threshold)}, ${escapeMarkdown(correction)})`
      : fmt(f.threshold);
  const missing = `${pct(f.reference.missingRate)} → ${pct(f.current.missingRate)}`;
  return [
    `${f.drifted ? '⚠️ ' : ''}${inlineCode(f.name)}`,
    escapeMarkdown(f.method),
    fmt(f.statistic),
    f.pValue === null ? '—' : fmt(f.pValue),
    threshold,
    f.drifted ? `**yes**${f.severity ? ` (${f.severity})` : ''}` : 'no',
    summaryCell(f.reference),
    summaryCell(f.current),
    missing,
    pct(f.outOfRangeRate) +
      (f.newCategories?.length ? ` (new: ${escapeMarkdown(f.newCategories.slice(0, 3).join(', '))})` : ''),
  ];
}

const HEADER = [
  'feature',
  'test',
  'statistic',
  'p-value',
  'threshold',
  'drifted',
  'reference',
  'current',
  'missing',
  'out of range',
];

function chartOf(f: FeatureDrift): string {
  const h = f.histogram;
  if (!h.labels.length) return '';
  return xyChart({
    title: `${f.name}: reference (bars) vs current (line), share per bin`,
    labels: h.labels,
    yLabel: 'share of rows',
    series: [
      { kind: 'bar', values: h.reference },
      { kind: 'line', values: h.current },
    ],
  });
}

/** The drift section: decision, the most drifted features, a histogram chart of the top one, the rest folded. */
export function driftSections(result: StageResult, top = 10): ReportSection[] {
  const d = result.details as unknown as DriftDetails | undefined;
  if (!isObj(d) || !isObj(d.data) || !Array.isArray(d.data.features)) {
    return [{ id: 'drift', markdown: genericSection(result) }];
  }
  const parts: string[] = [stageHeading('Drift', result)];
  const data = d.data;
  const decision = d.drifted ? '**Retraining needed.**' : '**No retraining needed.**';
  parts.push(
    `${decision} ${data.driftedFeatures} of ${data.features.length} features drifted ` +
      `(${pct(data.share)}; dataset drift at ${pct(data.shareThreshold)}); ${escapeMarkdown(data.correction)} correction over ` +
      `${data.tests} p-value ${data.tests === 1 ? 'test' : 'tests'}. Reference: ${data.reference.rows} rows, current: ${data.current.rows} rows.`,
  );
  if (d.reasons.length) parts.push(d.reasons.map((r) => `- ${escapeMarkdown(r)}`).join('\n'));
  const ranked = rankFeatures(data.features);
  const shown = ranked.slice(0, top);
  parts.push(
    table(
      HEADER,
      shown.map((f) => featureRow(f, data.correction)),
      ['l', 'l', 'r', 'r', 'r', 'l', 'l', 'l', 'r', 'r'],
    ),
  );
  const first = ranked[0];
  if (first) {
    const chart = chartOf(first);
    if (chart) parts.push(chart);
  }
  if (ranked.length > top) {
    parts.push(
      foldable(
        `All ${ranked.length} features`,
        table(
          HEADER,
          ranked.slice(top).map((f) => featureRow(f, data.correction)),
        ),
      ),
    );
  }
  if (d.prediction) {
    const f = d.prediction.feature;
    parts.push(
      `**Prediction drift** (model ${escapeMarkdown(d.prediction.output)}): ${escapeMarkdown(f.reason)}` +
        `${f.drifted ? ' — drifted' : ''}.`,
    );
    const chart = chartOf({ ...f, name: `model ${d.prediction.output}` });
    if (chart) parts.push(foldable('Prediction distribution', chart));
  } else if (d.predictionSkipped)
    parts.push(`Prediction drift not compared: ${escapeMarkdown(d.predictionSkipped)}.`);
  if (d.performance) {
    const rows = Object.entries(d.performance.metrics).map(([k, v]) => [inlineCode(k), fmt(v)]);
    parts.push(
      `**Performance** on ${d.performance.rows} labelled current rows:\n\n${table(['metric', 'value'], rows, ['l', 'r'])}`,
    );
  } else if (d.performanceSkipped)
    parts.push(`Performance not measured: ${escapeMarkdown(d.performanceSkipped)}.`);
  if (data.warnings.length) parts.push(data.warnings.map((w) => `> ${escapeMarkdown(w)}`).join('\n'));
  return [{ id: 'drift', markdown: parts.join('\n\n') }];
}
