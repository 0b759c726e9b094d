export type { Labels, MetricOptions, MetricValues, Predictions, Task } from './types.js';
export { computeMetrics } from './compute.js';
export { confusionMatrix } from './confusion.js';
export type { ConfusionMatrix } from './confusion.js';
export { DEFAULT_METRICS, knownMetrics } from './names.js';
export { predictedClasses } from './prepare.js';
export { sliceRows, worstSlices } from './slices.js';
export type { SkippedSlice, SliceGroup, SliceMetrics, SliceSpec, Slices } from './slices.js';
export { metricDirection, metricUnit } from './directions.js';
