/** The `evaluate` section: its raw shape, its typed form and the checks the schema cannot make. */
import { checkGateList, normalizeGate } from '@mlops-actions/core';
import type { Gate, PathSegment, RawGate, SemanticIssue, Spec } from '@mlops-actions/core';
import { defaultMetrics, metricAppliesTo } from '@mlops-actions/metrics';
import type { MetricName } from '@mlops-actions/metrics';

export interface RawSlice {
  column: string;
  'min-size': number;
  bins?: number[];
}

export type RawBaseline =
  | { path: string }
  | { artifact: { workflow?: string; branch: string; name: string } }
  | { registry: string }
  | { store: string; key: string };

export interface RawEvaluate {
  metrics?: MetricName[];
  headline?: MetricName;
  threshold: number;
  'batch-size': number;
  baseline?: RawBaseline;
  confidence: { method: 'bootstrap' | 'none'; replicates: number; level: number; seed: number };
  slices: (string | RawSlice)[];
  gates: RawGate[];
}

export type BaselineSpec =
  | { kind: 'path'; path: string }
  | { kind: 'artifact'; workflow?: string; branch: string; name: string }
  | { kind: 'registry'; registry: string }
  | { kind: 'store'; store: string; key: string };

export interface ConfidenceSpec {
  method: 'bootstrap' | 'none';
  replicates: number;
  level: number;
  seed: number;
}

export interface EvaluateSlice {
  column: string;
  minSize: number;
  bins?: number[];
}

export interface EvaluateSpec {
  metrics: MetricName[];
  headline: MetricName;
  threshold: number;
  batchSize: number;
  baseline?: BaselineSpec;
  confidence: ConfidenceSpec;
  slices: EvaluateSlice[];
  gates: Gate[];
}

function normalizeSlice(raw: string | RawSlice): EvaluateSlice {
  if (typeof raw === 'string') return { column: raw, minSize: 30 };
  return { column: raw.column, minSize: raw['min-size'] ?? 30, ...(raw.bins && { bins: raw.bins }) };
}

function normalizeBaseline(raw: RawBaseline | undefined): BaselineSpec | undefined {
  if (!raw) return undefined;
  if ('artifact' in raw) {
    const a = raw.artifact;
    return {
      kind: 'artifact',
      ...(a.workflow !== undefined && { workflow: a.workflow }),
      branch: a.branch ?? 'main',
      name: a.name ?? 'model',
    };
  }
  if ('registry' in raw) return { kind: 'registry', registry: raw.registry };
  if ('store' in raw) return { kind: 'store', store: raw.store, key: raw.key ?? 'production' };
  return { kind: 'path', path: raw.path };
}

/** The typed `evaluate` section, or undefined when the spec has none. */
export function evaluateSpec(spec: Spec): EvaluateSpec | undefined {
  const e = spec.sections.evaluate as RawEvaluate | undefined;
  if (!e) return undefined;
  const metrics = e.metrics ?? defaultMetrics(spec.model.task);
  const baseline = normalizeBaseline(e.baseline);
  return {
    metrics,
    headline: e.headline ?? metrics[0]!,
    threshold: e.threshold,
    batchSize: e['batch-size'],
    ...(baseline && { baseline }),
    confidence: { ...e.confidence },
    slices: e.slices.map(normalizeSlice),
    gates: e.gates.map(normalizeGate),
  };
}

/** Names every evaluation measures whatever `evaluate.metrics` says. */
const ALWAYS_MEASURED = ['rows', 'rows_per_second', 'latency_p50_ms', 'latency_p95_ms', 'model_bytes'];

export function checkEvaluate(section: unknown, spec: Spec): SemanticIssue[] {
  const ev = section as RawEvaluate;
  const issues: SemanticIssue[] = [];
  const task = spec.model.task;
  if (!spec.data?.eval) {
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
    const at: PathSegment[] = ['evaluate', 'slices', i, 'bins'];
    if (slice.bins?.some((edge) => !Number.isFinite(edge))) {
      issues.push({ path: at, message: 'bin edges must be finite numbers (no .nan or .inf)' });
    } else if (slice.bins?.some((edge, j) => j > 0 && edge <= slice.bins![j - 1]!)) {
      issues.push({ path: at, message: 'bin edges must be in increasing order' });
    }
  });
  issues.push(
    ...checkGateList(ev.gates, ['evaluate', 'gates'], 'evaluate', {
      names: [...metrics, ...ALWAYS_MEASURED],
      metricProblem: (name) =>
        !metricAppliesTo(name, task)
          ? `metric '${name}' does not apply to ${task}`
          : !metrics.includes(name as MetricName) && !ALWAYS_MEASURED.includes(name)
            ? `metric '${name}' is not computed; add it to evaluate.metrics (now: ${metrics.join(', ')})`
            : undefined,
    }),
  );
  ev.gates.forEach((gate, i) => {
    if (typeof gate !== 'object' || !('metric' in gate) || gate.slice === undefined || gate.slice === '*')
      return;
    const column = gate.slice.slice(0, gate.slice.indexOf('='));
    if (!columns.has(column)) {
      const known = [...columns];
      issues.push({
        path: ['evaluate', 'gates', i, 'slice'],
        message: `column '${column}' is not in evaluate.slices${known.length ? ` (${known.join(', ')})` : ''}`,
      });
    }
  });
  return issues;
}
