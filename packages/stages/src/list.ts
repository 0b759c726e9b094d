import type { AnyStageDefinition } from './definition.js';
import { deployCanary } from './deploy-canary/index.js';
import { drift } from './drift/index.js';
import { evaluate } from './evaluate/index.js';
import { image } from './image/index.js';
import { loadTest } from './load-test/index.js';
import { promote } from './promote/index.js';
import { train } from './train/index.js';

/**
 * Every stage, in pipeline order. The runner, the CLI, `validate`, the report and the action
 * adapters read this list; nothing else names a stage.
 */
export const STAGE_LIST: readonly AnyStageDefinition[] = [
  train,
  evaluate,
  loadTest,
  image,
  deployCanary,
  promote,
  drift,
];

export function stageNamed(name: string): AnyStageDefinition | undefined {
  return STAGE_LIST.find((s) => s.name === name);
}
