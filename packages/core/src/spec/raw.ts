/**
 * The spec as the schema guarantees it after validation and defaults, still in the file's
 * kebab-case. Core normalises the shared parts; each stage types its own section.
 */
import type { Task } from '../predictions.js';
import type { DataFormat } from './types.js';

export type RawChange = number | string;

export interface RawMetricGate {
  metric: string;
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
  report: { title: string; comment: 'update' | 'recreate' | 'off'; key?: string; 'max-slices': number };
}

/** A spec's stage sections, as the schema validated them; each stage's spec.ts types its own. */
export type RawSections = Record<string, unknown>;
