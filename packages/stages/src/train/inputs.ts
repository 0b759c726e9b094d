import { stat } from 'node:fs/promises';
import path from 'node:path';
import { digestPath, displayPath, InputError, sha256Bytes } from '@mlops-actions/core';
import type { FileDigest } from '@mlops-actions/core';
import type { TrainConfig } from './types.js';

export function resolveFromSpec(config: Pick<TrainConfig, 'specDir'>, p: string): string {
  return path.resolve(config.specDir, p);
}

/**
 * Digests of every declared input (plus the params file, which is an input whether or not it is
 * listed), directories expanded to their files. Sorted by path so listing order does not matter.
 */
export async function digestInputs(config: TrainConfig): Promise<FileDigest[]> {
  const declared = [...config.inputs];
  if (config.params !== undefined) declared.push(config.params);
  const byPath = new Map<string, FileDigest>();
  for (const input of declared) {
    const abs = resolveFromSpec(config, input);
    try {
      await stat(abs);
    } catch {
      throw new InputError(`train input '${input}' does not exist (looked for ${abs})`);
    }
    for (const digest of await digestPath(abs, config.specDir)) byPath.set(digest.path, digest);
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The cache key: sha256 over everything that decides what the command produces. Besides the inputs,
 * command, shell and tool version, it covers where the outputs go (a cached entry must restore to the
 * paths this run expects), the working directory and the declared env (`SEED=2` is a new model).
 */
export function trainCacheKey(
  config: TrainConfig,
  inputs: readonly FileDigest[],
  toolVersion: string,
): string {
  const material = {
    v: 1,
    tool: toolVersion,
    shell: config.shell,
    command: config.run,
    workingDirectory: displayPath(config.workingDirectory, config.specDir),
    env: Object.entries(config.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    outputs: declaredOutputs(config).map((o) => displayPath(resolveFromSpec(config, o), config.specDir)),
    metrics:
      config.metrics === undefined
        ? null
        : displayPath(resolveFromSpec(config, config.metrics), config.specDir),
    inputs: inputs.map((d) => [d.path, d.sha256]),
  };
  return sha256Bytes(JSON.stringify(material));
}

/** Declared outputs, the model first; the model is always one. */
export function declaredOutputs(config: TrainConfig): string[] {
  const model = path.normalize(config.modelPath);
  const rest = config.outputs.filter((o) => path.normalize(o) !== model);
  return [config.modelPath, ...rest];
}
