/**
 * evaluate's `baseline: { registry: production }` read from the model registry promote writes:
 * the channel tag resolves to a digest (recorded in the source text), the weights are verified
 * and cached locally. An absent tag is "no baseline yet" (the first model), never an error.
 */
import path from 'node:path';
import type { Logger, Spec } from '@mlops-actions/core';
import { InputError } from '@mlops-actions/core';
import { resolveModel } from '@mlops-actions/registry';
import type { BaselineResolver } from '../evaluate/baseline.js';
import { promoteConfig, type PromoteSettings } from './spec.js';

export function modelRegistryResolver(
  spec: Spec,
  opts: { resultsDir: string; cwd: string; settings?: PromoteSettings; log?: Logger },
): BaselineResolver {
  return {
    async resolve(baseline) {
      if (baseline.kind !== 'registry') return undefined;
      const config = promoteConfig(spec, { ...(opts.settings ?? {}), approval: 'none' }, opts.cwd);
      const ref = `${config.registry}:${baseline.registry}`;
      try {
        const model = await resolveModel(ref, {
          cacheDir: path.join(opts.resultsDir, 'cache', 'models'),
          ...(config.insecure ? { insecure: true } : {}),
        });
        opts.log?.info(`baseline registry '${baseline.registry}': ${model.reference}`);
        return { path: model.localPath, source: `registry ${baseline.registry} (${model.reference})` };
      } catch (err) {
        // An empty registry or a channel never promoted: no baseline, the change gates follow
        // on-missing-baseline.
        if (err instanceof InputError && /no model '|no OCI image layout/.test(err.message)) {
          opts.log?.info(`baseline registry '${baseline.registry}': ${err.message}: no baseline`);
          return undefined;
        }
        throw err;
      }
    },
  };
}
