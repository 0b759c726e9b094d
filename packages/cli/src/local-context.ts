import { resolve } from 'node:path';
import { consoleLogger } from '@mlops-actions/core';
import type { Spec } from '@mlops-actions/core';
import { LOCAL_STORE, LocalDirCache, localStoreResolver } from '@mlops-actions/stages';
import type { StageContext } from '@mlops-actions/stages';

/**
 * Local stand-ins for the services a stage uses on GitHub: results in a directory, the train
 * cache in a directory (default `<results>/cache`), artifact and registry baselines from the
 * local model store next to the spec, output on the terminal.
 */
export function localContext(opts: { out: string; cacheDir?: string; spec?: Spec }): StageContext {
  const resultsDir = resolve(opts.out);
  return {
    log: consoleLogger,
    resultsDir,
    cwd: process.cwd(),
    host: 'local',
    cache: new LocalDirCache(resolve(opts.cacheDir ?? resolve(resultsDir, 'cache'))),
    ...(opts.spec && {
      baselineResolver: localStoreResolver(resolve(opts.spec.dir, LOCAL_STORE), (m) => consoleLogger.info(m)),
    }),
  };
}
