import * as core from '@actions/core';

// Replaced by `runStageAction(<stage>)` when the 'image' stage lands in the stage list.
core.setFailed(
  "build-image: the 'image' stage is not yet available in this version of mlops-actions. Remove this step, or pin a release that provides it.",
);
