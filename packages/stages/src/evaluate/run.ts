import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, StageClock, writeStageResult } from '@mlops-actions/core';
import type { Logger, Spec, StageResult } from '@mlops-actions/core';
import type { BaselineResolver } from './baseline.js';
import { resolveBaseline } from './baseline.js';
import type { EvaluateConfig } from './config.js';
import { evaluateConfigFromSpec } from './config.js';
import type { ScoredShard } from './score.js';
import { scoreShard } from './score.js';
import type { Shard } from './shard.js';
import { WHOLE } from './shard.js';
import { summarizeEvaluation } from './summarize.js';
import { readGitInfo } from '../git.js';

/** Spec → config, with the baseline found and command-line overrides applied. */
export async function prepareEvaluation(
  spec: Spec,
  overrides: { model?: string; baseline?: string },
  resolver?: BaselineResolver,
  registry?: BaselineResolver,
): Promise<EvaluateConfig> {
  const config = evaluateConfigFromSpec(spec, { model: overrides.model });
  const baseline = await resolveBaseline(spec, { override: overrides.baseline, resolver, registry });
  return baseline ? { ...config, baseline } : config;
}

function logStatistics(config: EvaluateConfig, log: Logger): void {
  const bootstrap =
    config.baseline && config.confidence.method === 'bootstrap'
      ? ` and a paired bootstrap of ${config.confidence.replicates} replicates`
      : '';
  log.info(`computing ${config.metrics.length} metrics${bootstrap}`);
}

/** Scores the whole evaluation set and writes `<results>/evaluate.json`. */
export async function runEvaluation(
  config: EvaluateConfig,
  resultsDir: string,
  log: Logger,
): Promise<StageResult> {
  const clock = new StageClock('evaluate');
  const changeGates = config.gates.filter((g) => g.kind === 'metric' && (g.maxDrop || g.maxIncrease));
  if (!config.baseline) {
    log.info(
      changeGates.length
        ? `no baseline model: ${changeGates.length} change gate(s) follow on-missing-baseline`
        : 'no baseline model: candidate metrics only',
    );
  }
  const scored = await scoreShard(config, WHOLE, log);
  logStatistics(config, log);
  const result = await summarizeEvaluation(config, [scored], clock, await readGitInfo(config.baseDir));
  await writeStageResult(resultsDir, result);
  return result;
}

export function shardFileName(shard: Shard): string {
  return `evaluate-shard-${shard.index}-of-${shard.count}.json`;
}

/** Scores one shard and writes its mergeable state to `<dir>/evaluate-shard-i-of-n.json`. */
export async function runEvaluationShard(
  config: EvaluateConfig,
  shard: Shard,
  dir: string,
  log: Logger,
): Promise<string> {
  const scored = await scoreShard(config, shard, log);
  await mkdir(dir, { recursive: true });
  const file = join(dir, shardFileName(shard));
  await writeFile(`${file}.tmp`, JSON.stringify(scored));
  await rename(`${file}.tmp`, file);
  return file;
}

/** Reads every shard file in `dir`, merges them and writes `<results>/evaluate.json`. */
export async function mergeEvaluationShards(
  config: EvaluateConfig,
  dir: string,
  resultsDir: string,
  log: Logger,
): Promise<StageResult> {
  const clock = new StageClock('evaluate');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => /^evaluate-shard-\d+-of-\d+\.json$/.test(f)).sort();
  } catch {
    throw new InputError(`${dir}: cannot read the shards directory`);
  }
  if (names.length === 0) throw new InputError(`${dir}: no evaluate-shard-*-of-*.json files to merge`);
  const shards: ScoredShard[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let parsed: ScoredShard;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8')) as ScoredShard;
    } catch (err) {
      throw new InputError(`${file}: not a readable shard file (${(err as Error).message})`);
    }
    if (parsed?.kind !== 'mlops-evaluate-shard' || parsed.version !== 1) {
      throw new InputError(
        `${file}: not an mlops evaluate shard (field 'kind' must be 'mlops-evaluate-shard')`,
      );
    }
    shards.push(parsed);
  }
  logStatistics(config, log);
  const result = await summarizeEvaluation(config, shards, clock, await readGitInfo(config.baseDir));
  await writeStageResult(resultsDir, result);
  return result;
}
