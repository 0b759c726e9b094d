import { resolve } from 'node:path';
import { EXIT_GATE_FAILED, TASKS, UsageError, consoleLogger, loadSpec } from '@mlops-actions/core';
import type { Task } from '@mlops-actions/core';
import {
  LOCAL_STORE,
  localStoreResolver,
  evaluateConfigFromFlags,
  mergeEvaluationShards,
  parseShard,
  prepareEvaluation,
  runEvaluation,
  runEvaluationShard,
} from '@mlops-actions/stages';
import type { EvaluateConfig } from '@mlops-actions/stages';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';

const OPTIONS = {
  spec: { type: 'string' },
  model: { type: 'string' },
  baseline: { type: 'string' },
  data: { type: 'string' },
  label: { type: 'string' },
  task: { type: 'string' },
  metrics: { type: 'string' },
  replicates: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string', default: '.mlops' },
  shard: { type: 'string' },
  shards: { type: 'string' },
  threads: { type: 'string' },
} as const;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`mlops evaluate: --${name} must be a whole number, got '${value}'`);
  return n;
}

async function configFrom(values: Record<string, string | boolean | undefined>): Promise<EvaluateConfig> {
  const str = (k: string) => values[k] as string | undefined;
  let config: EvaluateConfig;
  if (str('spec') || !str('model')) {
    const spec = await loadSpec(str('spec') ?? 'mlops.yml');
    config = await prepareEvaluation(
      spec,
      { overrides: { model: str('model'), baseline: str('baseline') } },
      localStoreResolver(resolve(spec.dir, LOCAL_STORE), (m) => consoleLogger.info(m)),
    );
  } else {
    const missing = ['data', 'label', 'task'].filter((k) => !str(k));
    if (missing.length) {
      throw new UsageError(
        `mlops evaluate: without --spec, --model needs ${missing.map((m) => `--${m}`).join(', ')}\n` +
          "Run 'mlops evaluate --help' for usage.",
      );
    }
    const task = str('task')!;
    if (!(TASKS as readonly string[]).includes(task)) {
      throw new UsageError(`mlops evaluate: --task must be one of ${TASKS.join(', ')}, got '${task}'`);
    }
    config = evaluateConfigFromFlags({
      model: str('model')!,
      data: str('data')!,
      label: str('label')!,
      task: task as Task,
      baseline: str('baseline'),
      metrics: str('metrics')
        ?.split(',')
        .map((m) => m.trim())
        .filter(Boolean),
      replicates: positiveInt('replicates', str('replicates')),
      seed: positiveInt('seed', str('seed')),
    });
  }
  const threads = positiveInt('threads', str('threads'));
  return threads ? { ...config, threads } : config;
}

export const evaluateCommand: Command = {
  name: 'evaluate',
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
  --data FILE          evaluation data: .csv, .jsonl or .parquet (without --spec)
  --label COLUMN       label column (without --spec)
  --task TASK          model task (without --spec)
  --metrics LIST       comma-separated metric names (without --spec; default per task)
  --replicates N       bootstrap replicates (without --spec; default 1000)
  --seed N             bootstrap seed (without --spec; default 1)
  --threads N          worker threads for inference and bootstrap (default: all cores)
  --out DIR            results directory (default: .mlops)
  --shard i/n          score shard i of n and write its state to --out
  --shards DIR         (merge) directory holding the shard files
  -h, --help           show this help

Exit codes: 0 every gate passed, 1 a gate failed, 2 bad usage or bad input.
`,
  async run(argv) {
    const merge = argv[0] === 'merge';
    const { values } = parseCommandArgs(
      merge ? 'evaluate merge' : 'evaluate',
      merge ? argv.slice(1) : argv,
      OPTIONS,
    );
    const config = await configFrom(values);
    const out = resolve(values.out!);
    if (merge) {
      if (!values.shards) throw new UsageError('mlops evaluate merge: --shards DIR is required');
      const result = await mergeEvaluationShards(config, resolve(values.shards), out, consoleLogger);
      return report(result.status, result.summary, result.verdicts, out);
    }
    if (values.shard) {
      const shard = parseShard(values.shard);
      const file = await runEvaluationShard(config, shard, out, consoleLogger);
      console.log(`evaluate: shard ${shard.index}/${shard.count} written to ${file}`);
      return 0;
    }
    const result = await runEvaluation(config, out, consoleLogger);
    return report(result.status, result.summary, result.verdicts, out);
  },
};

function report(
  status: string,
  summary: string,
  verdicts: { status: string; gate: string; reason: string }[],
  out: string,
): number {
  console.log(`evaluate: ${status}: ${summary}`);
  for (const v of verdicts) console.log(`  ${v.status.toUpperCase().padEnd(4)}  ${v.gate}: ${v.reason}`);
  console.log(`results: ${resolve(out, 'evaluate.json')}`);
  return status === 'passed' ? 0 : EXIT_GATE_FAILED;
}
