/** Validated kebab-case data → the typed camelCase `Spec` the stages read. */
import type { Gate } from '../gates/types.js';
import type { RawGate, RawSpec } from './raw.js';
import type { DataFormat, Spec } from './types.js';
import { parseChange } from './units.js';

const EXTENSION_FORMATS: Record<string, DataFormat> = {
  csv: 'csv',
  tsv: 'csv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  parquet: 'parquet',
  pq: 'parquet',
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

/** Semantic checks run before this, so formats are resolvable and headlines are valid. */
export function normalizeSpec(raw: RawSpec & Record<string, unknown>): Omit<Spec, 'file' | 'dir' | 'digest'> {
  const project = raw.project ?? raw.model.name;
  const spec: Omit<Spec, 'file' | 'dir' | 'digest'> = {
    version: 1,
    project,
    model: { ...raw.model },
    sections: {},
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
  const core = new Set(['version', 'project', 'model', 'data', 'report']);
  for (const [key, value] of Object.entries(raw)) if (!core.has(key)) spec.sections[key] = value;
  return spec;
}
