import { resolve } from 'node:path';
import { InputError } from '@mlops-actions/core';
import type { Spec } from '@mlops-actions/core';
import type { TrainConfig } from './types.js';

/** The train stage's view of the spec: absolute working directory, everything else as written. */
export function trainConfigFromSpec(spec: Spec): TrainConfig {
  const train = spec.train;
  if (!train) throw new InputError(`${spec.file}: no 'train' section: nothing to train`);
  return {
    run: train.run,
    shell: train.shell,
    workingDirectory: resolve(spec.dir, train.workingDirectory),
    timeoutMs: train.timeoutMs ?? 0,
    env: train.env,
    inputs: train.inputs,
    outputs: train.outputs,
    params: train.params,
    metrics: train.metrics,
    cache: train.cache,
    modelPath: spec.model.path,
    modelName: spec.model.name,
    specDir: spec.dir,
    specDigest: spec.digest,
  };
}
