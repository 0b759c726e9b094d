export { evaluateConfigFromSpec, evaluateConfigFromFlags } from './config.js';
export type { EvaluateConfig, SliceConfig } from './config.js';
export { LOCAL_STORE, localStoreResolver, resolveBaseline, storeModelPath } from './baseline.js';
export type { BaselineModel, BaselineResolver } from './baseline.js';
export { parseShard, shardRange, WHOLE } from './shard.js';
export type { Shard } from './shard.js';
export type { ScoredShard } from './score.js';
export {
  evaluateStage,
  mergeEvaluationShards,
  prepareEvaluation,
  runEvaluation,
  runEvaluationShard,
  shardFileName,
} from './stage.js';
