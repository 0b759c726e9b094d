export * from './types.js';
export { stageResultSchema, validateStageResult } from './schema.js';
export type { StageResultValidation } from './schema.js';
export { readStageResult, readStageResults, stageResultPath, writeStageResult } from './io.js';
export { StageClock, runFromEnv } from './build.js';
