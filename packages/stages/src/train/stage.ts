import { writeStageResult } from '@mlops-actions/core';
import type { Spec, StageResult } from '@mlops-actions/core';
import type { StageContext } from '../context.js';
import { trainConfigFromSpec } from './from-spec.js';
import { runTrain } from './run-train.js';

/** The train stage as the pipeline, the CLI and the action run it: train, then record the result. */
export async function trainStage(spec: Spec, ctx: StageContext): Promise<StageResult> {
  const config = trainConfigFromSpec(spec);
  const result = await ctx.log.group(`train: ${config.run}`, () =>
    runTrain(config, {
      cache: ctx.cache,
      skipIfCached: ctx.skipIfCached,
      log: { info: (m) => ctx.log.info(m), warning: (m) => ctx.log.warn(m) },
    }),
  );
  await writeStageResult(ctx.resultsDir, result);
  return result;
}
