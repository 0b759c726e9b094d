import type { Logger } from '@mlops-actions/core';
import type { ModelCache } from './cache/types.js';

/** What a stage needs from where it runs (terminal or GitHub runner), beyond the spec. */
export interface StageContext {
  log: Logger;
  /** Absolute directory that holds `<stage>.json` results. */
  resultsDir: string;
  /** Train cache: a local directory on a laptop, the Actions cache on GitHub. */
  cache: ModelCache;
  skipIfCached: boolean;
  /** Overrides applied to the spec from the command line or action inputs. */
  overrides?: { model?: string; baseline?: string };
}
