import * as core from '@actions/core';

/**
 * Stages that are declared but not built yet fail loudly rather than pretending to pass:
 * a pipeline that skipped its load test must not look like one that passed it.
 */
export function failNotYetAvailable(action: string, stage: string): void {
  core.setFailed(
    `${action}: the '${stage}' stage is not yet available in this version of mlops-actions. ` +
      `Remove this step, or pin a release that provides it.`,
  );
}
