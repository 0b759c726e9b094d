import { dirname, join } from 'node:path';
import { writeStageResult } from '@mlops-actions/core';
import { defineStage } from '../definition.js';
import { MODEL_CARD_FILE } from './model-card.js';
import { trainSection } from './report.js';
import { runTrain } from './run-train.js';
import schema from './spec.schema.json' with { type: 'json' };
import { trainConfig } from './spec.js';
import type { TrainSettings } from './spec.js';
import type { TrainConfig } from './types.js';

export { runTrain } from './run-train.js';
export type { ModelCard, ToolVersions, TrainConfig, TrainContext, TrainShell } from './types.js';
export { MODEL_CARD_FILE } from './model-card.js';
export { formatDuration, shellInvocation } from './command.js';
export { parseMetrics } from './metrics-file.js';
export type { ParsedMetrics } from './metrics-file.js';
export { trainCacheKey, digestInputs } from './inputs.js';
export { mlopsActionsVersion } from './tool-versions.js';
export { trainConfig } from './spec.js';
export type { RawTrain, TrainSettings } from './spec.js';

function modelFile(config: TrainConfig): string {
  return join(config.specDir, config.modelPath);
}

export const train = defineStage<TrainSettings, TrainConfig>({
  name: 'train',
  title: 'Train',
  specKey: 'train',
  schema,
  declared: (spec) => spec.sections.train !== undefined,
  configure: async (spec, settings) => trainConfig(spec, settings),
  async run(config, ctx) {
    const result = await ctx.log.group(`train: ${config.run}`, () =>
      runTrain(config, {
        cache: ctx.cache,
        log: ctx.log,
      }),
    );
    await writeStageResult(ctx.resultsDir, result);
    return result;
  },
  report: (result) => [{ id: 'train', markdown: trainSection(result) }],
  cli: {
    command: 'train',
    summary: "Run the spec's training command and write the model card (cached by input digest)",
    usage: `
Usage: mlops train [--spec mlops.yml] [--out .mlops] [--no-cache] [--cache-dir DIR]

Runs train.run from the spec in its shell and working directory, streams its output, checks the
declared outputs exist, and writes model-card.json next to the model (commit, input and model
digests, params, training metrics, command, duration, tool versions).

With train.cache (default true) the trained model is kept in a cache keyed by the digest of the
declared inputs, and an unchanged run restores it instead of running the command again.

Options:
  --spec FILE        the pipeline spec (default: mlops.yml)
  --out DIR          where stage results are written (default: .mlops)
  --no-cache         run the command even when the inputs are unchanged, and keep nothing
  --cache-dir DIR    the local train cache (default: <out>/cache)
  -h, --help         show this help

Exit codes: 0 trained (or restored), 1 the command failed or left outputs missing,
2 bad usage or bad spec.
`,
    options: { 'no-cache': { type: 'boolean', default: false }, 'cache-dir': { type: 'string' } },
    settings: (values) => (values['no-cache'] ? { cache: false } : {}),
  },
  action: {
    name: 'train',
    settings: (inputs) => {
      const cache = inputs.optionalBoolean('cache');
      return cache === undefined ? {} : { cache };
    },
    outputs(result, config) {
      const cache = result.details?.cache as { key?: string; hit?: boolean } | undefined;
      const model = modelFile(config);
      return {
        'model-path': model,
        'model-sha256': result.model?.sha256 ?? '',
        'model-card': join(dirname(model), MODEL_CARD_FILE),
        'cache-hit': cache?.hit === true,
        'cache-key': cache?.key ?? '',
      };
    },
    async after(result, config, inputs, ctx) {
      if (result.status !== 'passed' || !inputs.boolean('upload-artifact', true) || !ctx.uploadArtifact)
        return;
      const model = modelFile(config);
      const card = join(dirname(model), MODEL_CARD_FILE);
      await ctx.uploadArtifact(inputs.string('artifact-name', 'model'), [model, card], dirname(model));
    },
  },
});
