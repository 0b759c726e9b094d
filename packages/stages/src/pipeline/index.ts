export { declaredStages } from './stages.js';
export { runPipeline } from './run.js';
export type { PipelineOptions, PipelineOutcome } from './run.js';
