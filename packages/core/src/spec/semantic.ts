/**
 * Checks the schema cannot express: they depend on other fields (the model's task, the metric
 * list, the slice columns). Run on schema-valid data; each issue keeps a path for its position.
 */
import { METRIC_NAMES, TASKS, defaultMetrics, metricAppliesTo } from './metric-names.js';
import type { MetricName } from './metric-names.js';
import { formatFromExtension } from './normalize.js';
import type { PathSegment } from './problems.js';
import type { RawGate, RawSpec } from './raw.js';

export interface SemanticIssue {
  path: PathSegment[];
  message: string;
  atKey?: boolean;
}

/** Metrics every evaluation measures whatever `evaluate.metrics` says (rows, latency, size). */
const ALWAYS_MEASURED = new Set(
  Object.entries(METRIC_NAMES)
    .filter(([, tasks]) => tasks.length === TASKS.length)
    .map(([name]) => name),
);

function checkGates(
  raw: RawSpec,
  gates: RawGate[] | undefined,
  base: PathSegment[],
  computed: readonly MetricName[] | undefined,
  sliceColumns: Set<string> | undefined,
  issues: SemanticIssue[],
): void {
  const task = raw.model.task;
  gates?.forEach((gate, i) => {
    if (typeof gate !== 'object' || !('metric' in gate)) return;
    const at = [...base, i];
    if (!metricAppliesTo(gate.metric, task)) {
      issues.push({ path: [...at, 'metric'], message: `metric '${gate.metric}' does not apply to ${task}` });
    } else if (computed && !computed.includes(gate.metric) && !ALWAYS_MEASURED.has(gate.metric)) {
      issues.push({
        path: [...at, 'metric'],
        message: `metric '${gate.metric}' is not computed; add it to evaluate.metrics (now: ${computed.join(', ')})`,
      });
    }
    if (sliceColumns && gate.slice !== undefined && gate.slice !== '*') {
      const column = gate.slice.slice(0, gate.slice.indexOf('='));
      if (!sliceColumns.has(column)) {
        const known = [...sliceColumns];
        issues.push({
          path: [...at, 'slice'],
          message: `column '${column}' is not in evaluate.slices${known.length ? ` (${known.join(', ')})` : ''}`,
        });
      }
    }
  });
}

function checkFormat(
  source: { path: string; format?: string } | undefined,
  at: PathSegment[],
  issues: SemanticIssue[],
) {
  if (source && !source.format && !formatFromExtension(source.path)) {
    issues.push({
      path: [...at, 'path'],
      message: `cannot tell the format of '${source.path}' from its extension; set format (csv, jsonl or parquet)`,
    });
  }
}

export function checkSemantics(raw: RawSpec): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  const task = raw.model.task;
  checkFormat(raw.data?.eval, ['data', 'eval'], issues);
  checkFormat(raw.data?.reference, ['data', 'reference'], issues);

  const ev = raw.evaluate;
  if (ev) {
    if (!raw.data?.eval) {
      issues.push({
        path: ['evaluate'],
        atKey: true,
        message: 'evaluate needs data.eval (the labelled evaluation data: { path, label })',
      });
    }
    ev.metrics?.forEach((metric, i) => {
      if (!metricAppliesTo(metric, task)) {
        issues.push({
          path: ['evaluate', 'metrics', i],
          message: `metric '${metric}' does not apply to ${task}`,
        });
      }
    });
    const metrics = ev.metrics ?? defaultMetrics(task);
    if (ev.headline !== undefined) {
      if (!metricAppliesTo(ev.headline, task)) {
        issues.push({
          path: ['evaluate', 'headline'],
          message: `metric '${ev.headline}' does not apply to ${task}`,
        });
      } else if (!metrics.includes(ev.headline)) {
        const which = ev.metrics ? 'evaluate.metrics' : 'the default metrics';
        issues.push({
          path: ['evaluate', 'headline'],
          message: `headline '${ev.headline}' is not among ${which} (${metrics.join(', ')})`,
        });
      }
    }
    const columns = new Set<string>();
    ev.slices.forEach((slice, i) => {
      if (typeof slice === 'string') {
        columns.add(slice);
        return;
      }
      columns.add(slice.column);
      if (slice.bins?.some((edge, j) => j > 0 && edge <= slice.bins![j - 1]!)) {
        issues.push({
          path: ['evaluate', 'slices', i, 'bins'],
          message: 'bin edges must be in increasing order',
        });
      }
    });
    checkGates(raw, ev.gates, ['evaluate', 'gates'], metrics, columns, issues);
  }
  checkGates(raw, raw['load-test']?.gates, ['load-test', 'gates'], undefined, undefined, issues);
  const canary = raw.deploy?.canary;
  if (canary) {
    checkGates(raw, canary.analysis, ['deploy', 'canary', 'analysis'], undefined, undefined, issues);
    if (canary.steps.some((s, i) => i > 0 && s <= canary.steps[i - 1]!)) {
      issues.push({
        path: ['deploy', 'canary', 'steps'],
        message: 'canary steps must increase (e.g. [10, 50, 100])',
      });
    }
  }
  return issues;
}
