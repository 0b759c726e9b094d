import { resolve } from 'node:path';
import { consoleLogger } from '@mlops-actions/core';
import { LocalDirCache } from '@mlops-actions/stages';
import type { StageContext } from '@mlops-actions/stages';

/**
 * Local stand-ins for the services a stage uses on GitHub: results in a directory, the train
 * cache in a directory (default `<results>/cache`), output on the terminal.
 */
export function localContext(opts: { out: string; cacheDir?: string; skipIfCached?: boolean }): StageContext {
  const resultsDir = resolve(opts.out);
  return {
    log: consoleLogger,
    resultsDir,
    cache: new LocalDirCache(resolve(opts.cacheDir ?? resolve(resultsDir, 'cache'))),
    skipIfCached: opts.skipIfCached ?? false,
  };
}

export const COMMON_OPTIONS_HELP = `  --spec FILE        the pipeline spec (default: mlops.yml)
  --out DIR          where stage results are written (default: .mlops)`;
