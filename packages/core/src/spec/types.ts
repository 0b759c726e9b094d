/**
 * The typed, normalised form of mlops.yml that every stage reads: camelCase keys, defaults
 * applied, durations in milliseconds, rates per second, gates in the engine's `Gate` shape.
 * Paths stay as written (relative to `dir`); resolve them with `resolveSpecPath`.
 */
import type { Gate } from '../gates/types.js';
import type { MetricName, Task } from './metric-names.js';

export type { MetricName };
export type DataFormat = 'csv' | 'jsonl' | 'parquet';

export interface ModelSpec {
  name: string;
  path: string;
  task: Task;
  inputs?: { name?: string };
  /** Output tensor names; null means the model has no such output; absent means detect it. */
  outputs?: { label?: string | null; probabilities?: string | null; score?: string | null };
  classes?: (string | number)[];
}

export interface DataSource {
  path: string;
  /** From the spec, or from the file extension. */
  format: DataFormat;
}

export interface EvalDataSpec extends DataSource {
  label: string;
  features?: string[];
  id?: string;
}

export interface DataSpec {
  eval?: EvalDataSpec;
  reference?: DataSource;
}

export type TrainShell = 'bash' | 'sh' | 'pwsh' | 'node';

export interface TrainSpec {
  run: string;
  shell: TrainShell;
  workingDirectory: string;
  timeoutMs?: number;
  env: Record<string, string>;
  inputs: string[];
  /** Defaults to `[model.path]`. */
  outputs: string[];
  params?: string;
  metrics?: string;
  cache: boolean;
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
  /** Defaults per task (see DEFAULT_METRICS). */
  metrics: MetricName[];
  /** Defaults to the first metric. */
  headline: MetricName;
  threshold: number;
  batchSize: number;
  baseline?: BaselineSpec;
  confidence: ConfidenceSpec;
  slices: EvaluateSlice[];
  gates: Gate[];
}

export interface ReportSpec {
  title: string;
  comment: 'update' | 'recreate' | 'off';
  /** Sticky comment key; defaults to the project. */
  key: string;
  maxSlices: number;
}

export interface ImageSpec {
  name: string;
  tags: string[];
  registry?: { url?: string; insecure: boolean };
}

export interface LoadTestSpec {
  /** Requests per second. */
  rate: number;
  durationMs: number;
  warmupMs: number;
  connections: number;
  gates: Gate[];
}

export interface CanarySpec {
  steps: number[];
  intervalMs: number;
  analysis: Gate[];
  failureLimit: number;
}

export interface DeploySpec {
  target: 'local' | 'kubernetes' | 'argo-rollouts';
  canary: CanarySpec;
}

export interface PromoteSpec {
  environment: string;
  approval: 'environment' | 'comment' | 'none';
  store: string;
}

export interface Spec {
  version: 1;
  /** Defaults to model.name. */
  project: string;
  model: ModelSpec;
  data?: DataSpec;
  train?: TrainSpec;
  evaluate?: EvaluateSpec;
  /** Always present (every field has a default). */
  report: ReportSpec;
  image?: ImageSpec;
  loadTest?: LoadTestSpec;
  deploy?: DeploySpec;
  promote?: PromoteSpec;
  /** Absolute path of the spec file. */
  file: string;
  /** Its directory: the base of every relative path in the spec. */
  dir: string;
  /** sha256 (hex) of the spec file's bytes. */
  digest: string;
}
