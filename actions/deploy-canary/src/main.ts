import * as core from '@actions/core';

// Replaced by `runStageAction(<stage>)` when the 'deploy-canary' stage lands in the stage list.
core.setFailed(
  "deploy-canary: the 'deploy-canary' stage is not yet available in this version of mlops-actions. Remove this step, or pin a release that provides it.",
);
