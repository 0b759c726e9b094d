import * as core from '@actions/core';

// Replaced by `runStageAction(<stage>)` when the 'load-test' stage lands in the stage list.
core.setFailed(
  "load-test: the 'load-test' stage is not yet available in this version of mlops-actions. Remove this step, or pin a release that provides it.",
);
