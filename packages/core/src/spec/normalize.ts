/** Validated kebab-case data → the typed camelCase `Spec` the stages read. */
import type { Gate } from '../gates/types.js';
import { defaultMetrics } from './metric-names.js';
import type { RawGate, RawSlice, RawSpec } from './raw.js';
import type { BaselineSpec, DataFormat, EvaluateSlice, Spec } from './types.js';
import { parseChange, parseDuration, parseRate } from './units.js';

const EXTENSION_FORMATS: Record<string, DataFormat> = {
  csv: 'csv',
  tsv: 'csv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  parquet: 'parquet',
};

/** The data format a file's extension implies, if any. */
export function formatFromExtension(path: string): DataFormat | undefined {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return ext ? EXTENSION_FORMATS[ext] : undefined;
}

export function normalizeGate(raw: RawGate): Gate {
  if (typeof raw === 'string') return { kind: 'expression', expression: raw };
  if ('expr' in raw) return { kind: 'expression', expression: raw.expr };
  if ('tests' in raw) {
    return {
      kind: 'tests',
      tests: raw.tests,
      maxFailures: raw['max-failures'] ?? 0,
      ...(raw['max-errors'] !== undefined && { maxErrors: raw['max-errors'] }),
      ...(raw['max-skipped'] !== undefined && { maxSkipped: raw['max-skipped'] }),
      ...(raw['min-total'] !== undefined && { minTotal: raw['min-total'] }),
    };
  }
  return {
    kind: 'metric',
    metric: raw.metric,
    ...(raw.slice !== undefined && { slice: raw.slice }),
    ...(raw.min !== undefined && { min: raw.min }),
    ...(raw.max !== undefined && { max: raw.max }),
    ...(raw['max-drop'] !== undefined && { maxDrop: parseChange(raw['max-drop']) }),
    ...(raw['max-increase'] !== undefined && { maxIncrease: parseChange(raw['max-increase']) }),
    significant: raw.significant ?? false,
    onMissingBaseline: raw['on-missing-baseline'] ?? 'fail',
  };
}

function normalizeSlice(raw: string | RawSlice): EvaluateSlice {
  if (typeof raw === 'string') return { column: raw, minSize: 30 };
  return { column: raw.column, minSize: raw['min-size'] ?? 30, ...(raw.bins && { bins: raw.bins }) };
}

function normalizeBaseline(raw: NonNullable<RawSpec['evaluate']>['baseline']): BaselineSpec | undefined {
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

/** Semantic checks run before this, so formats are resolvable and headlines are valid. */
export function normalizeSpec(raw: RawSpec): Omit<Spec, 'file' | 'dir' | 'digest'> {
  const project = raw.project ?? raw.model.name;
  const spec: Omit<Spec, 'file' | 'dir' | 'digest'> = {
    version: 1,
    project,
    model: { ...raw.model },
    report: {
      title: raw.report.title,
      comment: raw.report.comment,
      key: raw.report.key ?? project,
      maxSlices: raw.report['max-slices'],
    },
  };
  if (raw.data) {
    const { eval: ev, reference } = raw.data;
    spec.data = {
      ...(ev && { eval: { ...ev, format: ev.format ?? formatFromExtension(ev.path) ?? 'csv' } }),
      ...(reference && {
        reference: { ...reference, format: reference.format ?? formatFromExtension(reference.path) ?? 'csv' },
      }),
    };
  }
  if (raw.train) {
    const t = raw.train;
    spec.train = {
      run: t.run,
      shell: t.shell,
      workingDirectory: t['working-directory'],
      ...(t.timeout !== undefined && { timeoutMs: parseDuration(t.timeout) }),
      env: Object.fromEntries(Object.entries(t.env ?? {}).map(([k, v]) => [k, String(v)])),
      inputs: t.inputs,
      outputs: t.outputs ?? [raw.model.path],
      ...(t.params !== undefined && { params: t.params }),
      ...(t.metrics !== undefined && { metrics: t.metrics }),
      cache: t.cache,
    };
  }
  if (raw.evaluate) {
    const e = raw.evaluate;
    const metrics = e.metrics ?? defaultMetrics(raw.model.task);
    const baseline = normalizeBaseline(e.baseline);
    spec.evaluate = {
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
  if (raw.image) {
    const i = raw.image;
    spec.image = {
      name: i.name,
      tags: i.tags,
      ...(i.registry && {
        registry: {
          ...(i.registry.url !== undefined && { url: i.registry.url }),
          insecure: i.registry.insecure,
        },
      }),
    };
  }
  const lt = raw['load-test'];
  if (lt) {
    spec.loadTest = {
      rate: parseRate(lt.rate),
      durationMs: parseDuration(lt.duration),
      warmupMs: parseDuration(lt.warmup),
      connections: lt.connections,
      gates: lt.gates.map(normalizeGate),
    };
  }
  if (raw.deploy) {
    const c = raw.deploy.canary;
    spec.deploy = {
      target: raw.deploy.target,
      canary: {
        steps: c.steps,
        intervalMs: parseDuration(c.interval),
        analysis: c.analysis.map(normalizeGate),
        failureLimit: c['failure-limit'],
      },
    };
  }
  if (raw.promote) spec.promote = { ...raw.promote };
  return spec;
}
