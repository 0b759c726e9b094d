import {
  details as fold,
  escapeMarkdown,
  formatNumber,
  inlineCode,
  isObj,
  stageHeading,
  table,
  timing,
  xyChart,
} from '@mlops-actions/core';
import type { ReportSection, StageResult } from '@mlops-actions/core';
import type { LatencyBucket } from '@mlops-actions/loadgen';
import { BUSY_WARNING } from './run.js';
import type { LoadTestDetails } from './run.js';

/** Mermaid's x axis gets unreadable past this many points; longer runs are merged into wider buckets. */
const MAX_POINTS = 60;

const PERCENTILE_KEYS = ['p(50)', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'max', 'avg'] as const;

function ms(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${formatNumber(v)} ms`;
}

function count(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? formatNumber(v) : '—';
}

/** Wider buckets for long runs: p50 is averaged, p99 and max take the worst second (a stall must stay visible). */
export function mergeBuckets(
  buckets: LatencyBucket[],
  maxPoints = MAX_POINTS,
): { label: string; p50: number; p99: number; requests: number; target: number }[] {
  const width = Math.max(1, Math.ceil(buckets.length / maxPoints));
  const out: { label: string; p50: number; p99: number; requests: number; target: number }[] = [];
  for (let i = 0; i < buckets.length; i += width) {
    const group = buckets.slice(i, i + width);
    const withData = group.filter((b) => b.p50 !== null);
    const p50 = withData.length
      ? withData.reduce((s, b) => s + (b.p50 ?? 0), 0) / withData.length
      : Number.NaN;
    const p99 = withData.length ? Math.max(...withData.map((b) => b.p99 ?? 0)) : Number.NaN;
    const requests = group.reduce((s, b) => s + b.requests, 0) / group.length;
    const target = group.reduce((s, b) => s + b.targetRate, 0) / group.length;
    out.push({ label: `${group[0]!.second}s`, p50, p99, requests, target });
  }
  return out;
}

export function loadTestSections(result: StageResult): ReportSection[] {
  const parts = [stageHeading('Load test', result)];
  const d = (isObj(result.details) ? result.details : {}) as Partial<LoadTestDetails>;
  const v = result.values;

  const facts: string[] = [];
  if (d.target) {
    facts.push(
      d.target.kind === 'embedded'
        ? `model ${inlineCode(d.target.model)} served by the embedded \`mlops serve\``
        : `${inlineCode(d.target.url)} (model ${inlineCode(d.target.model)})`,
    );
  }
  if (d.stages) {
    facts.push(
      `ramping ${d.stages.map((s) => `${formatNumber(s.target)}/s over ${formatNumber(s.durationMs / 1000)} s`).join(' → ')}`,
    );
  } else if (typeof d.rate === 'number') {
    facts.push(`${formatNumber(d.rate)} requests/s for ${formatNumber((d.durationMs ?? 0) / 1000)} s`);
  }
  if (typeof d.warmupMs === 'number' && d.warmupMs > 0)
    facts.push(`after ${formatNumber(d.warmupMs / 1000)} s of warm-up`);
  if (typeof d.connections === 'number') facts.push(`${d.connections} keep-alive connections`);
  if (d.payload) facts.push(`${d.payload.kind} requests (${d.payload.distinct} distinct bodies)`);
  if (facts.length) parts.push(`Open-model load: ${facts.join(', ')}.`);
  if (d.aborted) {
    parts.push(
      `**Stopped early** after ${formatNumber(d.aborted.atMs / 1000)} s: ${escapeMarkdown(d.aborted.reason)}.`,
    );
  }

  parts.push(
    table(
      ['p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'avg'],
      [PERCENTILE_KEYS.map((k) => ms(v[k]?.candidate))],
      ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  const errorRate = v.error_rate?.candidate;
  parts.push(
    table(
      ['requests', 'errors', 'error rate', 'achieved rate', 'target rate', 'dropped', 'late'],
      [
        [
          count(v.requests?.candidate),
          count(v.errors?.candidate),
          errorRate === null || errorRate === undefined ? '—' : `${formatNumber(errorRate * 100)}%`,
          v.rps?.candidate === null || v.rps?.candidate === undefined
            ? '—'
            : `${formatNumber(v.rps.candidate)}/s`,
          typeof d.targetRate === 'number' ? `${formatNumber(d.targetRate)}/s` : '—',
          count(v.dropped?.candidate),
          count(v.late?.candidate),
        ],
      ],
      ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );

  const late = v.late?.candidate;
  const causes = d.lateCauses;
  if (typeof late === 'number' && late > 0 && isObj(causes)) {
    const why: string[] = [];
    if (causes.connections > 0)
      why.push(
        `${count(causes.connections)} waited for a free connection (all ${count(d.connections)} were busy: the server's pace, or too few connections)`,
      );
    if (causes.generator > 0)
      why.push(
        `${count(causes.generator)} left late with a connection free (the machine running the test fell behind; its figures are less certain)`,
      );
    if (why.length) parts.push(`Late sends: ${why.join('; ')}.`);
  }
  if (typeof d.generatorBusy === 'number' && d.generatorBusy >= BUSY_WARNING) {
    parts.push(
      `**The generator was busy ${formatNumber(d.generatorBusy * 100)}% of the run**: answers may have waited unread, so it, not the server, may have set the pace and the latency is overstated.`,
    );
  }

  const pctValues = PERCENTILE_KEYS.slice(0, 6).map((k) => v[k]?.candidate ?? Number.NaN);
  if (pctValues.some(Number.isFinite)) {
    parts.push(
      xyChart({
        title: 'Latency percentiles (ms, from intended send time)',
        labels: ['p50', 'p90', 'p95', 'p99', 'p99.9', 'max'],
        yLabel: 'ms',
        series: [{ kind: 'bar', values: pctValues }],
      }),
    );
  }
  const buckets = Array.isArray(d.buckets) ? d.buckets : [];
  const points = mergeBuckets(buckets);
  if (points.some((p) => Number.isFinite(p.p99))) {
    const width = buckets.length > MAX_POINTS ? Math.ceil(buckets.length / MAX_POINTS) : 1;
    parts.push(
      xyChart({
        title: `Latency over time (ms per ${width} s by intended send time; lines p50 and p99)`,
        labels: points.map((p) => p.label),
        yLabel: 'ms',
        series: [
          { kind: 'line', values: points.map((p) => p.p99) },
          { kind: 'line', values: points.map((p) => p.p50) },
        ],
      }),
    );
    parts.push(
      xyChart({
        title: 'Requests per second (bars answered or failed, line target)',
        labels: points.map((p) => p.label),
        yLabel: 'requests/s',
        series: [
          { kind: 'bar', values: points.map((p) => p.requests) },
          { kind: 'line', values: points.map((p) => p.target) },
        ],
      }),
    );
  }

  const statusRows = Object.entries(d.statuses ?? {}).map(([s, n]) => [inlineCode(s), count(n)]);
  const errorRows = Object.entries(d.errorKinds ?? {}).map(([k, n]) => [escapeMarkdown(k), count(n)]);
  if (statusRows.length || errorRows.length) {
    const blocks: string[] = [];
    if (statusRows.length) blocks.push(table(['HTTP status', 'answers'], statusRows, ['l', 'r']));
    if (errorRows.length) blocks.push(table(['failed send', 'count'], errorRows, ['l', 'r']));
    blocks.push(
      'Latency runs from each request\u2019s intended send time (no coordinated omission); percentiles are exact ' +
        'over every answered request, by linear interpolation (numpy\u2019s default). Late: sent more than ' +
        `${formatNumber(d.lateAfterMs ?? 10)} ms after the intended time; dropped: never sent because every connection stayed busy.`,
    );
    parts.push(fold('Answers and method', blocks.join('\n\n')));
  }
  parts.push(timing(result));
  return [{ id: 'load-test', markdown: parts.join('\n\n') }];
}
