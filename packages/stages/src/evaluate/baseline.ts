import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, pathExists } from '@mlops-actions/core';
import type { Spec } from '@mlops-actions/core';
import { evaluateSpec } from './spec.js';
import type { BaselineSpec } from './spec.js';

/** Where a baseline model comes from; `undefined` means there is none (e.g. the first model). */
export interface BaselineModel {
  path: string;
  /** Human description for the report: `path baseline/model.onnx`, `store production`. */
  source: string;
}

/**
 * Finds a baseline model by other means than a local file: an artifact of an earlier workflow run,
 * a model registry. The GitHub action plugs in an artifact resolver; the local CLI has none, and a
 * spec that needs one fails with a clear message instead of silently evaluating without a baseline.
 */
export interface BaselineResolver {
  resolve(spec: Extract<BaselineSpec, { kind: 'artifact' | 'registry' }>): Promise<BaselineModel | undefined>;
}

/** The model file a local model store keeps for a key: `<store>/<key>/model.onnx`. */
export function storeModelPath(storeDir: string, key: string): string {
  return join(storeDir, key, 'model.onnx');
}

export async function resolveBaseline(
  spec: Spec,
  opts: { override?: string; resolver?: BaselineResolver; registry?: BaselineResolver } = {},
): Promise<BaselineModel | undefined> {
  if (opts.override) {
    const path = resolve(opts.override);
    if (!(await pathExists(path))) throw new InputError(`baseline model ${opts.override}: no such file`);
    return { path, source: `path ${opts.override}` };
  }
  const b = evaluateSpec(spec)?.baseline;
  if (!b) return undefined;
  switch (b.kind) {
    case 'path': {
      const path = resolve(spec.dir, b.path);
      if (!(await pathExists(path))) {
        throw new InputError(`${spec.file}: evaluate.baseline.path: ${b.path}: no such file`, {
          file: spec.file,
        });
      }
      return { path, source: `path ${b.path}` };
    }
    case 'store': {
      const store = resolve(spec.dir, b.store);
      if (existsSync(store) && !statSync(store).isDirectory()) {
        throw new InputError(
          `${spec.file}: evaluate.baseline.store: ${b.store} is a file; a model store is a directory holding <key>/model.onnx`,
          { file: spec.file },
        );
      }
      const path = storeModelPath(store, b.key);
      // An empty store is the normal state before the first promotion: no baseline, and the
      // change gates follow on-missing-baseline.
      return (await pathExists(path)) ? { path, source: `store ${b.store} (${b.key})` } : undefined;
    }
    case 'artifact':
    case 'registry': {
      // The model registry (promote's OCI layout or registry) is reachable from anywhere.
      if (b.kind === 'registry' && opts.registry) return opts.registry.resolve(b);
      if (!opts.resolver) {
        throw new InputError(
          `${spec.file}: evaluate.baseline.${b.kind} needs GitHub (run the evaluate-against-baseline action), ` +
            `or pass --baseline PATH to evaluate against a local model`,
          { file: spec.file },
        );
      }
      return opts.resolver.resolve(b);
    }
  }
}

/** Where the local stand-in for remote baselines lives, relative to the spec: `.model-store`. */
export const LOCAL_STORE = '.model-store';

/**
 * Off GitHub, a baseline that lives in a service (an earlier run's artifact, a registry) comes
 * from a local model store instead: `<store>/<branch>/model.onnx` for an artifact of a branch,
 * `<store>/<name>/model.onnx` for a registry name. An empty store means no baseline, and the
 * change gates then follow on-missing-baseline: the stand-in never invents a baseline.
 */
export function localStoreResolver(storeDir: string, log?: (message: string) => void): BaselineResolver {
  return {
    async resolve(spec) {
      const key = spec.kind === 'artifact' ? spec.branch : spec.registry;
      const path = storeModelPath(storeDir, key);
      const what =
        spec.kind === 'artifact' ? `artifact '${spec.name}' of branch ${spec.branch}` : `registry '${key}'`;
      if (!(await pathExists(path))) {
        log?.(`baseline ${what}: not on GitHub, and the local store has no ${path}: no baseline`);
        return undefined;
      }
      log?.(`baseline ${what}: using the local store's ${path}`);
      return { path, source: `local store ${key} (stand-in for ${what})` };
    },
  };
}
