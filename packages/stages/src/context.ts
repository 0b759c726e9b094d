import type { Logger } from '@mlops-actions/core';
import type { ModelCache } from './cache/types.js';
import type { BaselineResolver } from './evaluate/baseline.js';

/**
 * What a stage needs from where it runs, beyond its config: the CLI fills it with local stand-ins
 * (a cache directory, the local model store), an action with the runner's services.
 */
export interface StageContext {
  log: Logger;
  /** Absolute directory that holds `<stage>.json` results. */
  resultsDir: string;
  /** Where relative paths given as flags or inputs resolve: the working directory or the workspace. */
  cwd: string;
  /** 'local' for the CLI, 'github' inside an action. */
  host: 'local' | 'github';
  /** Train cache: a local directory on a laptop, the Actions cache on GitHub. */
  cache: ModelCache;
  /** Finds artifact and registry baselines; absent where none can be reached. */
  baselineResolver?: BaselineResolver;
  /** Uploads files as a workflow artifact (GitHub only); false when the upload failed. */
  uploadArtifact?: (name: string, files: string[], rootDir: string) => Promise<boolean>;
}
