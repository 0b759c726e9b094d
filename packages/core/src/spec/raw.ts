/**
 * The spec as the schema guarantees it after validation and defaults, still in the file's
 * kebab-case. Only normalize.ts and semantic.ts see this shape.
 */
import type { MetricName, Task } from './metric-names.js';
import type { DataFormat } from './types.js';

export type RawChange = number | string;

export interface RawMetricGate {
  metric: MetricName;
  slice?: string;
  min?: number;
  max?: number;
  'max-drop'?: RawChange;
  'max-increase'?: RawChange;
  significant: boolean;
  'on-missing-baseline': 'pass' | 'warn' | 'fail';
}

export interface RawTestsGate {
  tests: string;
  'max-failures': number;
  'max-errors'?: number;
  'max-skipped'?: number;
  'min-total'?: number;
}

export type RawGate = string | { expr: string } | RawTestsGate | RawMetricGate;

export interface RawSlice {
  column: string;
  'min-size': number;
  bins?: number[];
}

export interface RawSpec {
  version: 1;
  project?: string;
  model: {
    name: string;
    path: string;
    task: Task;
    inputs?: { name?: string };
    outputs?: { label?: string | null; probabilities?: string | null; score?: string | null };
    classes?: (string | number)[];
  };
  data?: {
    eval?: { path: string; label: string; features?: string[]; format?: DataFormat; id?: string };
    reference?: { path: string; format?: DataFormat };
  };
  train?: {
    run: string;
    shell: 'bash' | 'sh' | 'pwsh' | 'node';
    'working-directory': string;
    timeout?: string;
    env?: Record<string, string | number | boolean>;
    inputs: string[];
    outputs?: string[];
    params?: string;
    metrics?: string;
    cache: boolean;
  };
  evaluate?: {
    metrics?: MetricName[];
    headline?: MetricName;
    threshold: number;
    'batch-size': number;
    baseline?:
      | { path: string }
      | { artifact: { workflow?: string; branch: string; name: string } }
      | { registry: string }
      | { store: string; key: string };
    confidence: { method: 'bootstrap' | 'none'; replicates: number; level: number; seed: number };
    slices: (string | RawSlice)[];
    gates: RawGate[];
  };
  report: { title: string; comment: 'update' | 'recreate' | 'off'; key?: string; 'max-slices': number };
  image?: { name: string; tags: string[]; registry?: { url?: string; insecure: boolean } };
  'load-test'?: {
    rate: number | string;
    duration: string;
    warmup: string;
    connections: number;
    gates: RawGate[];
  };
  deploy?: {
    target: 'local' | 'kubernetes' | 'argo-rollouts';
    canary: { steps: number[]; interval: string; analysis: RawGate[]; 'failure-limit': number };
  };
  promote?: { environment: string; approval: 'environment' | 'comment' | 'none'; store: string };
}
