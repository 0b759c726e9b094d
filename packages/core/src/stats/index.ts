export { pairedBootstrap } from './bootstrap.js';
export type { BootstrapInterval, BootstrapOptions } from './bootstrap.js';
export { mcnemarExact, exactMcNemarPValue } from './mcnemar.js';
export type { McNemarResult } from './mcnemar.js';
export { createEvalState, evalStateArrays, mergeEvalStates } from './eval-state.js';
export type { CreateEvalStateOptions, EvalArrays, EvalState } from './eval-state.js';
export { percentileInterval, percentileSorted } from './percentile.js';
export { evaluateState } from './evaluate-state.js';
export type { EvaluateStateOptions, StateEvaluation } from './evaluate-state.js';
