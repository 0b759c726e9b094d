export { loadSpec, parseSpecText, resolveSpecPath, validateSpecText } from './load.js';
export type { LoadSpecOptions, SpecValidation } from './load.js';
export { SpecError, formatPath, formatProblem } from './problems.js';
export type { PathSegment, SpecProblem } from './problems.js';
export {
  METRIC_NAMES,
  METRIC_NAME_LIST,
  TASKS,
  defaultMetrics,
  isMetricName,
  metricAppliesTo,
} from './metric-names.js';
export { mlopsSchema, specValidator } from './schema.js';
export { explainSchemaErrors, describeValue } from './schema-errors.js';
export type { SchemaIssue } from './schema-errors.js';
export { editDistance, suggest } from './suggest.js';
export { expandString } from './env.js';
export { formatFromExtension, normalizeGate } from './normalize.js';
export { parseChange, parseDuration, parseRate } from './units.js';
export type * from './types.js';
