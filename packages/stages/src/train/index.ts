export { runTrain } from './run-train.js';
export type {
  GitInfo,
  ModelCard,
  ToolVersions,
  TrainConfig,
  TrainContext,
  TrainLogger,
  TrainShell,
} from './types.js';
export { MODEL_CARD_FILE } from './model-card.js';
export { formatDuration, shellInvocation } from './command.js';
export { parseMetrics } from './metrics-file.js';
export type { ParsedMetrics } from './metrics-file.js';
export { trainCacheKey, digestInputs } from './inputs.js';
export { mlopsActionsVersion } from './tool-versions.js';
export { ActionsCache, LocalDirCache } from '../cache/index.js';
export type { ActionsCacheOptions, CacheLogger, ModelCache } from '../cache/index.js';
export { trainStage } from './stage.js';
export { trainConfigFromSpec } from './from-spec.js';
