/**
 * The typed, normalised form of the parts of mlops.yml every stage shares (model, data, report):
 * camelCase keys, defaults applied. Each stage's own section stays in `sections` as the schema
 * validated it; the stage's definition reads it (packages/stages/src/<stage>/spec.ts).
 * Paths stay as written (relative to `dir`); resolve them with `resolveSpecPath`.
 */
import type { Task } from '../predictions.js';
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

export interface ReportSpec {
  title: string;
  comment: 'update' | 'recreate' | 'off';
  /** Sticky comment key; defaults to the project. */
  key: string;
  maxSlices: number;
}

export interface Spec {
  version: 1;
  /** Defaults to model.name. */
  project: string;
  model: ModelSpec;
  data?: DataSpec;
  /** Always present (every field has a default). */
  report: ReportSpec;
  /** Stage sections by their mlops.yml key, schema-valid, defaults applied, kebab-case. */
  sections: Record<string, unknown>;
  /** Absolute path of the spec file. */
  file: string;
  /** Its directory: the base of every relative path in the spec. */
  dir: string;
  /** sha256 (hex) of the spec file's bytes. */
  digest: string;
}
