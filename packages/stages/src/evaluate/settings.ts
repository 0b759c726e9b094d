import { TASKS, UsageError, suggest } from '@mlops-actions/core';
import type { Spec, Task } from '@mlops-actions/core';
import { METRIC_NAME_LIST, metricAppliesTo } from '@mlops-actions/metrics';
import type { Logger } from '@mlops-actions/core';
import type { EvaluateConfig } from './config.js';
import type { Shard } from './shard.js';

/** What flags (`mlops evaluate`) or action inputs can say; paths are absolute. */
export interface EvaluateSettings {
  /** Candidate model: overrides model.path. */
  model?: string;
  /** Baseline model: overrides evaluate.baseline. */
  baseline?: string;
  /** Without a spec only. */
  data?: string;
  label?: string;
  task?: Task;
  metrics?: string[];
  replicates?: number;
  seed?: number;
  threads?: number;
  shard?: Shard;
  /** Merge the shard files in this directory instead of scoring. */
  mergeFrom?: string;
}

export type EvaluateRunConfig = EvaluateConfig & { shard?: Shard; mergeFrom?: string };

/** `--name VALUE` as a whole number no smaller than `min`; the message names the flag. */
export function wholeNumber(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new UsageError(`mlops evaluate: ${flag} must be a whole number ≥ ${min}, got '${text}'`);
  }
  return n;
}

export function parseTask(flag: string, text: string | undefined): Task | undefined {
  if (text === undefined) return undefined;
  if ((TASKS as readonly string[]).includes(text)) return text as Task;
  const hint = suggest(text, TASKS);
  throw new UsageError(
    `${flag} must be one of ${TASKS.join(', ')}, got '${text}'${hint ? `; did you mean '${hint}'?` : ''}`,
  );
}

export function parseMetricList(flag: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const names = text
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (!names.length) throw new UsageError(`${flag} needs at least one metric name, got '${text}'`);
  for (const name of names) {
    if (!(METRIC_NAME_LIST as string[]).includes(name)) {
      const hint = suggest(name, METRIC_NAME_LIST);
      throw new UsageError(`${flag}: unknown metric '${name}'${hint ? `; did you mean '${hint}'?` : ''}`);
    }
  }
  return names;
}

/**
 * Flags that cannot apply are errors, flags that override the spec say so: a user who passes
 * `--seed 99` must never silently get the spec's seed.
 */
export function applySettings(
  config: EvaluateConfig,
  settings: EvaluateSettings,
  spec: Spec | undefined,
  log: Logger,
): EvaluateRunConfig {
  if (spec) {
    const conflicting = (['data', 'label', 'task'] as const).filter((k) => settings[k] !== undefined);
    if (conflicting.length) {
      throw new UsageError(
        `evaluate: ${conflicting.map((k) => `--${k}`).join(', ')} cannot be used with a spec ` +
          `(${spec.file} sets data.eval and model.task); drop them, or drop --spec to evaluate from flags alone`,
      );
    }
  }
  let out: EvaluateRunConfig = { ...config };
  const from = spec ? ` (overrides ${spec.file})` : '';
  if (settings.metrics && spec) {
    log.info(`evaluate: metrics ${settings.metrics.join(', ')}${from}`);
    out = { ...out, metrics: settings.metrics, headline: settings.metrics[0]! };
  }
  for (const name of out.metrics) {
    if (!metricAppliesTo(name, out.task)) {
      throw new UsageError(`evaluate: metric '${name}' does not apply to ${out.task}`);
    }
  }
  if (spec && settings.replicates !== undefined) {
    log.info(`evaluate: ${settings.replicates} bootstrap replicates${from}`);
    out = { ...out, confidence: { ...out.confidence, replicates: settings.replicates } };
  }
  if (spec && settings.seed !== undefined) {
    log.info(`evaluate: bootstrap seed ${settings.seed}${from}`);
    out = { ...out, confidence: { ...out.confidence, seed: settings.seed } };
  }
  if (settings.threads !== undefined) out = { ...out, threads: settings.threads };
  if (settings.shard) out = { ...out, shard: settings.shard };
  if (settings.mergeFrom) out = { ...out, mergeFrom: settings.mergeFrom };
  return out;
}
