import { resolve } from 'node:path';
import { InputError, parseDuration } from '@mlops-actions/core';
import type { Spec } from '@mlops-actions/core';
import type { TrainConfig, TrainShell } from './types.js';

/** The `train` section as the schema guarantees it (defaults applied). */
export interface RawTrain {
  run: string;
  shell: TrainShell;
  'working-directory': string;
  timeout?: string;
  env?: Record<string, string | number | boolean>;
  inputs: string[];
  outputs?: string[];
  params?: string;
  metrics?: string;
  cache: boolean;
}

export interface TrainSettings {
  /** Overrides `train.cache` (CLI `--no-cache`, action input `cache`). */
  cache?: boolean;
}

/** The train stage's view of the spec: absolute working directory, everything else as written. */
export function trainConfig(spec: Spec | undefined, settings: TrainSettings): TrainConfig {
  const t = spec?.sections.train as RawTrain | undefined;
  if (!spec || !t) {
    throw new InputError(`${spec?.file ?? 'mlops.yml'}: no 'train' section: nothing to train`);
  }
  return {
    run: t.run,
    shell: t.shell,
    workingDirectory: resolve(spec.dir, t['working-directory']),
    timeoutMs: t.timeout !== undefined ? parseDuration(t.timeout) : 0,
    env: Object.fromEntries(Object.entries(t.env ?? {}).map(([k, v]) => [k, String(v)])),
    inputs: t.inputs,
    outputs: t.outputs ?? [spec.model.path],
    params: t.params,
    metrics: t.metrics,
    cache: settings.cache ?? t.cache,
    modelPath: spec.model.path,
    modelName: spec.model.name,
    specDir: spec.dir,
    specDigest: spec.digest,
  };
}
