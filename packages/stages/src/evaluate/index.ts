import { join } from 'node:path';
import { StageClock, UsageError } from '@mlops-actions/core';
import { defineStage } from '../definition.js';
import type { FlagValues } from '../definition.js';
import { modelRegistryResolver } from '../promote/baseline.js';
import { evaluateConfigFromFlags } from './config.js';
import { evaluateSections } from './report.js';
import { mergeEvaluationShards, prepareEvaluation, runEvaluation, runEvaluationShard } from './run.js';
import { applySettings, parseMetricList, parseTask, wholeNumber } from './settings.js';
import type { EvaluateRunConfig, EvaluateSettings } from './settings.js';
import { parseShard } from './shard.js';
import schema from './spec.schema.json' with { type: 'json' };
import { checkEvaluate } from './spec.js';

export { evaluateConfigFromSpec, evaluateConfigFromFlags } from './config.js';
export type { EvaluateConfig, SliceConfig } from './config.js';
export { LOCAL_STORE, localStoreResolver, resolveBaseline, storeModelPath } from './baseline.js';
export type { BaselineModel, BaselineResolver } from './baseline.js';
export { parseShard, shardRange, WHOLE } from './shard.js';
export type { Shard } from './shard.js';
export type { ScoredShard } from './score.js';
export {
  mergeEvaluationShards,
  prepareEvaluation,
  runEvaluation,
  runEvaluationShard,
  shardFileName,
} from './run.js';
export { evaluateSpec } from './spec.js';
export type { BaselineSpec, ConfidenceSpec, EvaluateSpec } from './spec.js';
export type { EvaluateRunConfig, EvaluateSettings } from './settings.js';

const str = (values: FlagValues, k: string) => values[k] as string | undefined;

export const evaluate = defineStage<EvaluateSettings, EvaluateRunConfig>({
  name: 'evaluate',
  title: 'Evaluate',
  specKey: 'evaluate',
  schema,
  check: checkEvaluate,
  declared: (spec) => spec.sections.evaluate !== undefined,
  async configure(spec, settings, ctx) {
    if (spec) {
      const config = await prepareEvaluation(
        spec,
        { model: settings.model, baseline: settings.baseline },
        ctx.baselineResolver,
        modelRegistryResolver(spec, { resultsDir: ctx.resultsDir, cwd: ctx.cwd, log: ctx.log }),
      );
      if (settings.model) ctx.log.info(`evaluate: candidate ${settings.model} (overrides model.path)`);
      if (settings.baseline)
        ctx.log.info(`evaluate: baseline ${settings.baseline} (overrides evaluate.baseline)`);
      return applySettings(config, settings, spec, ctx.log);
    }
    const missing = (['model', 'data', 'label', 'task'] as const).filter((k) => settings[k] === undefined);
    if (missing.length) {
      throw new UsageError(
        `evaluate: without a spec it needs ${missing.map((m) => `--${m}`).join(', ')}\n` +
          "Run 'mlops evaluate --help' for usage.",
      );
    }
    const config = evaluateConfigFromFlags({
      model: settings.model!,
      data: settings.data!,
      label: settings.label!,
      task: settings.task!,
      baseline: settings.baseline,
      metrics: settings.metrics,
      replicates: settings.replicates,
      seed: settings.seed,
      baseDir: ctx.cwd,
    });
    return applySettings(config, settings, undefined, ctx.log);
  },
  async run(config, ctx) {
    if (config.mergeFrom) return mergeEvaluationShards(config, config.mergeFrom, ctx.resultsDir, ctx.log);
    if (config.shard) {
      const clock = new StageClock('evaluate');
      const { index, count } = config.shard;
      const file = await runEvaluationShard(config, config.shard, ctx.resultsDir, ctx.log);
      // A shard is not a result: nothing is written as evaluate.json until the shards are merged.
      return clock.finish({
        status: 'skipped',
        summary: `shard ${index}/${count} scored into ${file}; merge the shards with 'mlops evaluate merge'`,
        artifacts: [{ name: 'shard', path: file }],
      });
    }
    return ctx.log.group(`evaluate: ${config.modelName}`, () =>
      runEvaluation(config, ctx.resultsDir, ctx.log),
    );
  },
  report: (result, opts) => evaluateSections(result, opts.maxSlices),
  cli: {
    command: 'evaluate',
    summary: 'Score candidate and baseline on the same rows: metrics, paired bootstrap CIs, gates',
    usage: `
Usage:
  mlops evaluate --spec mlops.yml [--model M.onnx] [--baseline B.onnx] [--out .mlops]
  mlops evaluate --model CANDIDATE.onnx --data EVAL.csv --label COLUMN
                 --task binary-classification|multiclass-classification|regression
                 [--baseline BASELINE.onnx] [--metrics roc_auc,accuracy] [--out .mlops]
  mlops evaluate --spec mlops.yml --shard i/n --out DIR     score one shard of the rows
  mlops evaluate merge --spec mlops.yml --shards DIR [--out .mlops]

Runs both models in onnxruntime-node (worker threads) on the same rows, computes every metric
for each, the paired bootstrap confidence interval of each delta (rows resampled identically for
both models), McNemar's exact test for accuracy, slices, and the spec's gates. Writes
<out>/evaluate.json. Shards hold mergeable state; merging them gives exactly the unsharded result.

Options:
  --spec FILE          pipeline spec (default: mlops.yml when --model is not given)
  --model FILE         candidate model (overrides model.path)
  --baseline FILE      baseline model (overrides evaluate.baseline)
  --data FILE          evaluation data: .csv, .jsonl or .parquet (without a spec only)
  --label COLUMN       label column (without a spec only)
  --task TASK          model task (without a spec only)
  --metrics LIST       comma-separated metric names (default: the spec's, or per task)
  --replicates N       bootstrap replicates, at least 20 (default: the spec's, or 1000)
  --seed N             bootstrap seed (default: the spec's, or 1)
  --threads N          worker threads for inference and bootstrap (default: all cores)
  --out DIR            results directory (default: .mlops)
  --shard i/n          score shard i of n and write its state to --out
  --shards DIR         (merge) directory holding the shard files
  -h, --help           show this help

Flags that override the spec say so in the output; --data, --label and --task with a spec are
an error (the spec's data.eval and model.task apply).

Exit codes: 0 every gate passed, 1 a gate failed, 2 bad usage or bad input.
`,
    positionals: true,
    options: {
      model: { type: 'string' },
      baseline: { type: 'string' },
      data: { type: 'string' },
      label: { type: 'string' },
      task: { type: 'string' },
      metrics: { type: 'string' },
      replicates: { type: 'string' },
      seed: { type: 'string' },
      shard: { type: 'string' },
      shards: { type: 'string' },
      threads: { type: 'string' },
    },
    standalone: (values) => values.spec === undefined && values.model !== undefined,
    settings(values, positionals) {
      const [mode, ...extra] = positionals;
      if (mode !== undefined && mode !== 'merge') {
        throw new UsageError(
          `mlops evaluate: unknown argument '${mode}' (did you mean 'mlops evaluate merge'?)`,
        );
      }
      if (extra.length) throw new UsageError(`mlops evaluate: unexpected arguments: ${extra.join(' ')}`);
      if (mode === 'merge' && !values.shards)
        throw new UsageError('mlops evaluate merge: --shards DIR is required');
      if (mode !== 'merge' && values.shards)
        throw new UsageError("mlops evaluate: --shards goes with 'mlops evaluate merge'");
      const settings: EvaluateSettings = {
        model: str(values, 'model'),
        baseline: str(values, 'baseline'),
        data: str(values, 'data'),
        label: str(values, 'label'),
        task: parseTask('--task', str(values, 'task')),
        metrics: parseMetricList('--metrics', str(values, 'metrics')),
        replicates: wholeNumber('--replicates', str(values, 'replicates'), 20),
        seed: wholeNumber('--seed', str(values, 'seed'), 0),
        threads: wholeNumber('--threads', str(values, 'threads'), 1),
      };
      const shard = str(values, 'shard');
      if (shard) settings.shard = parseShard(shard);
      if (mode === 'merge') settings.mergeFrom = str(values, 'shards');
      return settings;
    },
  },
  action: {
    name: 'evaluate-against-baseline',
    onnxRuntime: true,
    settings(inputs) {
      const shard = inputs.optional('shard');
      return {
        model: inputs.path('model'),
        baseline: inputs.path('baseline'),
        ...(shard ? { shard: parseShard(shard) } : {}),
      };
    },
    outputs(result, config): Record<string, string | number | boolean> {
      if (config.shard) {
        return { 'results-file': result.artifacts[0]?.path ?? join('.', 'shard'), passed: true };
      }
      const headline = result.headline ? result.values[result.headline] : undefined;
      return {
        'headline-metric': result.headline ?? '',
        'headline-value': headline?.candidate ?? '',
        'headline-delta': headline?.delta ?? '',
      };
    },
  },
});
