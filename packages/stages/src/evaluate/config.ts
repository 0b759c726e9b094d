import { resolve } from 'node:path';
import { InputError } from '@mlops-actions/core';
import type { DataFormat, Gate, Spec, Task } from '@mlops-actions/core';
import { DEFAULT_METRICS } from '@mlops-actions/metrics';
import { evaluateSpec } from './spec.js';
import type { ConfidenceSpec } from './spec.js';

export interface SliceConfig {
  column: string;
  minSize: number;
  bins?: number[];
}

/**
 * Everything one evaluation needs, with absolute paths. Built from a spec, or from command-line
 * flags alone (`mlops evaluate --model ... --data ...`), so both paths run the same code.
 */
export interface EvaluateConfig {
  modelName: string;
  modelPath: string;
  baseline?: { path: string; source: string };
  data: { path: string; format?: DataFormat; label: string; features?: string[]; id?: string };
  task: Task;
  classes?: (number | string)[];
  inputName?: string;
  outputs?: { label?: string; probabilities?: string; score?: string };
  metrics: string[];
  headline: string;
  threshold: number;
  batchSize: number;
  confidence: ConfidenceSpec;
  slices: SliceConfig[];
  gates: Gate[];
  /** Base of relative paths in gates (JUnit files). */
  baseDir: string;
  specDigest?: string;
  /** Worst slices listed in the result. */
  maxSlices: number;
  threads?: number;
}

const NO_CONFIDENCE: ConfidenceSpec = { method: 'bootstrap', replicates: 1000, level: 0.95, seed: 1 };

function nonNull(v: string | null | undefined): string | undefined {
  return v ?? undefined;
}

export function evaluateConfigFromSpec(spec: Spec, overrides: { model?: string } = {}): EvaluateConfig {
  const evaluate = evaluateSpec(spec);
  const eval_ = spec.data?.eval;
  if (!evaluate) throw new InputError(`${spec.file}: no 'evaluate' section: nothing to evaluate`);
  if (!eval_) throw new InputError(`${spec.file}: evaluate needs data.eval (the evaluation set)`);
  const at = (p: string) => resolve(spec.dir, p);
  return {
    modelName: spec.model.name,
    modelPath: overrides.model ? resolve(overrides.model) : at(spec.model.path),
    data: {
      path: at(eval_.path),
      format: eval_.format,
      label: eval_.label,
      features: eval_.features,
      id: eval_.id,
    },
    task: spec.model.task,
    classes: spec.model.classes,
    inputName: spec.model.inputs?.name,
    outputs: spec.model.outputs && {
      label: nonNull(spec.model.outputs.label),
      probabilities: nonNull(spec.model.outputs.probabilities),
      score: nonNull(spec.model.outputs.score),
    },
    metrics: [...evaluate.metrics],
    headline: evaluate.headline,
    threshold: evaluate.threshold,
    batchSize: evaluate.batchSize,
    confidence: evaluate.confidence,
    slices: evaluate.slices.map((s) => ({ column: s.column, minSize: s.minSize, bins: s.bins })),
    gates: evaluate.gates,
    baseDir: spec.dir,
    specDigest: spec.digest,
    maxSlices: spec.report.maxSlices,
  };
}

/** `mlops evaluate --model M --data D --label L --task T [--baseline B]` with no spec. */
export function evaluateConfigFromFlags(flags: {
  model: string;
  data: string;
  label: string;
  task: Task;
  baseline?: string;
  metrics?: string[];
  replicates?: number;
  seed?: number;
  level?: number;
  threshold?: number;
  /** Base of relative paths in gates; the working directory. */
  baseDir: string;
}): EvaluateConfig {
  const metrics = flags.metrics?.length ? flags.metrics : [...DEFAULT_METRICS[flags.task]];
  return {
    // The file's name as given: a bare `model` would read 'model model' in the report.
    modelName: flags.model.replace(/^.*[\\/]/, ''),
    modelPath: resolve(flags.baseDir, flags.model),
    baseline: flags.baseline
      ? { path: resolve(flags.baseDir, flags.baseline), source: `path ${flags.baseline}` }
      : undefined,
    data: { path: resolve(flags.baseDir, flags.data), label: flags.label },
    task: flags.task,
    metrics,
    headline: metrics[0]!,
    threshold: flags.threshold ?? 0.5,
    batchSize: 4096,
    confidence: {
      ...NO_CONFIDENCE,
      ...(flags.replicates !== undefined ? { replicates: flags.replicates } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.level !== undefined ? { level: flags.level } : {}),
    },
    slices: [],
    gates: [],
    baseDir: flags.baseDir,
    maxSlices: 10,
  };
}
