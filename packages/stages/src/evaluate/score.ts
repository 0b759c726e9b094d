import { createEvalState } from '@mlops-actions/metrics';
import type { Logger } from '@mlops-actions/core';
import type { EvalState } from '@mlops-actions/metrics';
import { loadEvalData } from '@mlops-actions/data';
import { inspectModel, predict, textColumnsFor } from '@mlops-actions/inference';
import type { EvaluateConfig } from './config.js';
import { labelsForTask } from './predictions.js';
import type { Shard } from './shard.js';
import { shardRange } from './shard.js';

/**
 * What scoring one shard (or the whole set) produces: the rows' labels and both models'
 * predictions, plus what the report needs about the inputs. Plain JSON, so shards of a matrix
 * travel as artifacts and merge into exactly the unsharded result.
 */
export interface ScoredShard {
  kind: 'mlops-evaluate-shard';
  version: 1;
  shard: Shard;
  totalRows: number;
  state: EvalState;
  /** Slice columns as strings, in the shard's row order. */
  extra: Record<string, string[]>;
  classes?: (number | string)[];
  inputs: {
    model: { path: string; sha256: string; bytes: number };
    baseline?: { path: string; sha256: string; bytes: number; source: string };
    data: { path: string; sha256: string; bytes: number };
  };
  /** session.run latency of each batch of the candidate, in ms. */
  batchLatencyMs: number[];
  inferenceSeconds: number;
  timings: Record<string, number>;
}

async function timed<T>(timings: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = Math.round(performance.now() - t);
  }
}

export async function scoreShard(config: EvaluateConfig, shard: Shard, log: Logger): Promise<ScoredShard> {
  const timings: Record<string, number> = {};
  // The models first: a model with one input per column (string, int64, bool...) decides which
  // columns are read as exact text rather than as numbers.
  const candidateInfo = await inspectModel(config.modelPath);
  const baselineInfo = config.baseline ? await inspectModel(config.baseline.path) : undefined;
  const textColumns = textColumnsFor([...candidateInfo.inputs, ...(baselineInfo?.inputs ?? [])]);
  const data = await timed(timings, 'read', () =>
    loadEvalData({
      path: config.data.path,
      format: config.data.format,
      label: config.data.label,
      features: config.data.features,
      id: config.data.id,
      extraColumns: config.slices.map((s) => s.column),
      nonFeatures: config.slices.filter((s) => !s.bins).map((s) => s.column),
      task: config.task,
      classes: config.classes as number[] | string[] | undefined,
      ...(textColumns.length ? { textColumns } : {}),
    }),
  );
  if (data.unnamedColumns.length) {
    log.warn(
      `${config.data.path}: ignored ${data.unnamedColumns.length} column(s) with an empty header (position ${data.unnamedColumns.join(', ')})`,
    );
  }
  log.info(`read ${data.n} rows × ${data.d} features from ${config.data.path}`);
  const [start, end] = shardRange(data.n, shard);
  const n = end - start;
  const features = data.features.subarray(start * data.d, end * data.d);
  const k = config.task === 'multiclass-classification' ? data.classes?.length : undefined;

  const text = Object.fromEntries(Object.entries(data.text).map(([c, v]) => [c, v.slice(start, end)]));
  const labels =
    config.task === 'multiclass-classification' && data.classes
      ? {
          column: config.data.label,
          classes: data.classes,
          index: data.labels.subarray(start, end),
          declared: config.classes !== undefined,
        }
      : undefined;
  const run = (modelPath: string) =>
    predict({
      modelPath,
      data: {
        features,
        n,
        d: data.d,
        featureNames: data.featureNames,
        text,
        source: config.data.path,
        rowOffset: start,
      },
      task: config.task,
      k,
      ...(labels ? { labels } : {}),
      inputName: config.inputName,
      outputs: config.outputs,
      batchSize: config.batchSize,
      threads: config.threads,
    });
  const candidate = await timed(timings, 'inference', () => run(config.modelPath));
  log.info(`candidate scored ${n} rows in ${candidate.seconds.toFixed(2)} s`);
  const baseline = config.baseline
    ? await timed(timings, 'baseline-inference', () => run(config.baseline!.path))
    : undefined;
  if (baseline) log.info(`baseline scored ${n} rows in ${baseline.seconds.toFixed(2)} s`);

  const state = createEvalState({
    y: labelsForTask(config.task, data.labels.subarray(start, end)),
    candidate: candidate.predictions,
    baseline: baseline?.predictions,
    rowKeys: data.rowKeys.slice(start, end),
    source: config.data.path,
  });
  const extra: Record<string, string[]> = {};
  for (const [column, values] of Object.entries(data.extra)) extra[column] = values.slice(start, end);
  return {
    kind: 'mlops-evaluate-shard',
    version: 1,
    shard,
    totalRows: data.n,
    state,
    extra,
    classes: data.classes,
    inputs: {
      model: { path: config.modelPath, sha256: candidateInfo.sha256, bytes: candidateInfo.bytes },
      ...(config.baseline && baselineInfo
        ? {
            baseline: {
              path: config.baseline.path,
              sha256: baselineInfo.sha256,
              bytes: baselineInfo.bytes,
              source: config.baseline.source,
            },
          }
        : {}),
      data: { path: config.data.path, sha256: data.sha256, bytes: data.bytes },
    },
    batchLatencyMs: candidate.batchLatencyMs,
    inferenceSeconds: candidate.seconds,
    timings,
  };
}
