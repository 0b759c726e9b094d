export type { MetricOptions, MetricValues } from './types.js';
export { computeMetrics } from './compute.js';
export { confusionMatrix } from './confusion.js';
export type { ConfusionMatrix } from './confusion.js';
export { DEFAULT_METRICS, knownMetrics } from './names.js';
export { predictedClasses } from './prepare.js';
export { sliceRows, worstSlices } from './slices.js';
export type { SkippedSlice, SliceGroup, SliceMetrics, SliceSpec, Slices } from './slices.js';
export {
  METRIC_NAMES,
  METRIC_NAME_LIST,
  defaultMetrics,
  isMetricName,
  metricAppliesTo,
} from './metric-names.js';
export type { MetricName } from './metric-names.js';
export { pairedBootstrap } from './stats/bootstrap.js';
export type { BootstrapInterval, BootstrapOptions } from './stats/bootstrap.js';
export { mcnemarExact, exactMcNemarPValue } from './stats/mcnemar.js';
export type { McNemarResult } from './stats/mcnemar.js';
export { createEvalState, evalStateArrays, mergeEvalStates } from './stats/eval-state.js';
export type { CreateEvalStateOptions, EvalArrays, EvalState } from './stats/eval-state.js';
