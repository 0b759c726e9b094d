import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { displayPath, fileDigest, InputError, pathExists } from '@mlops-actions/core';
import type { ArtifactRef, FileDigest, Measurements, StageResult } from '@mlops-actions/core';
import { formatDuration, runCommand } from './command.js';
import type { CommandOutcome } from './command.js';
import { readGitInfo } from '../git.js';
import { declaredOutputs, digestInputs, resolveFromSpec, trainCacheKey } from './inputs.js';
import { parseMetrics } from './metrics-file.js';
import { digestModel, MODEL_CARD_FILE, readModelCard, writeModelCard } from './model-card.js';
import { readParams } from './params-file.js';
import { toolVersions } from './tool-versions.js';
import type { GitInfo } from '@mlops-actions/core';
import type { ModelCard, TrainConfig, TrainContext } from './types.js';

const TAIL_LINES = 20;

/** Paths of one run, absolute, plus how the result shows them (relative to the spec's directory). */
interface Layout {
  cwd: string;
  model: string;
  card: string;
  metrics: string | undefined;
  outputs: string[];
  /** Everything the cache keeps: outputs, metrics file, model card. */
  cached: string[];
  show: (abs: string) => string;
}

/**
 * The train stage: reuse a cached model when the inputs are unchanged, otherwise run the user's
 * command, check it produced what it declared, and record where the model came from in
 * `model-card.json`. Bad configuration throws InputError; a failed or timed-out command is an
 * `error` result so the report can still show it.
 */
export async function runTrain(config: TrainConfig, ctx: TrainContext): Promise<StageResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  const layout = await planLayout(config);

  let mark = performance.now();
  const inputs = await digestInputs(config);
  const params =
    config.params === undefined
      ? undefined
      : await readParams(resolveFromSpec(config, config.params), config.params);
  const tools = toolVersions(config.specDir, ctx.toolVersion);
  const key = trainCacheKey(config, inputs, tools['mlops-actions']);
  phases.digest = Math.round(performance.now() - mark);

  const base = (): Omit<StageResult, 'status' | 'summary'> => ({
    schemaVersion: 1,
    stage: 'train',
    ...(config.specDigest !== undefined ? { specDigest: config.specDigest } : {}),
    inputs: inputsRecord(inputs),
    values: {},
    verdicts: [],
    artifacts: [],
    timings: {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - t0),
      phases,
    },
    tool: { name: 'mlops-actions', version: tools['mlops-actions'], node: process.version },
  });

  if (config.cache) {
    mark = performance.now();
    const restored = await restoreFromCache(key, layout, ctx);
    phases.restore = Math.round(performance.now() - mark);
    if (restored) {
      const { card, modelDigest, cardDigest } = restored;
      const git = ctx.git ?? (await readGitInfo(config.specDir));
      const warnings = Object.entries(card.metrics)
        .filter(([, v]) => v === null)
        .map(([name]) => `training metric ${name} is not a finite number; kept as null`);
      for (const w of warnings) ctx.log.warn(w);
      return {
        ...base(),
        status: 'passed',
        summary: `restored ${config.modelName} from the train cache (key ${key.slice(0, 12)}); command not run`,
        model: { name: config.modelName, path: layout.show(layout.model), sha256: modelDigest },
        values: toMeasurements(card.metrics),
        artifacts: artifactsOf(layout, modelDigest, cardDigest),
        ...gitField(git),
        details: {
          cache: { key, hit: true },
          command: config.run,
          exitCode: null,
          modelCard: layout.show(layout.card),
          trainedAt: card.trainedAt,
          ...(warnings.length ? { warnings } : {}),
        },
      };
    }
  }

  // Before the command runs, so its own outputs do not make the tree look dirty.
  const git = ctx.git ?? (await readGitInfo(config.specDir));
  ctx.log.info(`$ ${config.run}`);
  mark = performance.now();
  const outcome = await runCommand({
    run: config.run,
    shell: config.shell,
    cwd: layout.cwd,
    env: { ...process.env, ...config.env },
    timeoutMs: config.timeoutMs,
    tailLines: TAIL_LINES,
    onLine: (line) => ctx.log.info(line),
  });
  phases.command = outcome.durationMs;
  const cacheDetail = { key, hit: false, ...(config.cache ? {} : { enabled: false }) };

  const failure = (summary: string, extra: Record<string, unknown> = {}): StageResult => ({
    ...base(),
    status: 'error',
    summary,
    ...gitField(git),
    details: {
      cache: cacheDetail,
      command: config.run,
      exitCode: outcome.exitCode,
      ...(outcome.tail.length ? { outputTail: outcome.tail } : {}),
      ...extra,
    },
    error: outcome.tail.length
      ? `${summary}; last ${outcome.tail.length} lines of output:\n${outcome.tail.join('\n')}`
      : summary,
  });

  const commandError = describeFailure(outcome, config.timeoutMs);
  if (commandError !== undefined) return failure(commandError);

  const missing: string[] = [];
  for (const out of layout.outputs) if (!(await pathExists(out))) missing.push(layout.show(out));
  if (missing.length) {
    const what = missing.length === 1 ? 'declared output' : 'declared outputs';
    return failure(`train command succeeded but did not produce the ${what} ${missing.join(', ')}`, {
      missingOutputs: missing,
    });
  }

  let metrics: Record<string, number | null> = {};
  const warnings: string[] = [];
  if (layout.metrics !== undefined) {
    const shown = layout.show(layout.metrics);
    let text: string;
    try {
      text = await readFile(layout.metrics, 'utf8');
    } catch {
      return failure(`train command succeeded but did not write the metrics file ${shown}`, {
        missingOutputs: [shown],
      });
    }
    try {
      const parsed = parseMetrics(text, shown);
      metrics = parsed.values;
      for (const problem of parsed.problems) warnings.push(`metrics file ${shown}: ${problem}; kept as null`);
    } catch (err) {
      return failure((err as Error).message);
    }
  }
  for (const w of warnings) ctx.log.warn(w);

  const model = await digestModel(layout.model);
  const card: ModelCard = {
    schemaVersion: 1,
    model: { name: config.modelName, path: layout.show(layout.model), ...model },
    git: { commit: git.commit ?? null, dirty: git.dirty ?? null },
    inputs,
    params: params ?? null,
    metrics,
    command: {
      run: config.run,
      shell: config.shell,
      workingDirectory: layout.show(layout.cwd),
      exitCode: outcome.exitCode ?? 0,
    },
    trainedAt: startedAt.toISOString(),
    durationMs: outcome.durationMs,
    cacheKey: key,
    tools,
  };
  await writeModelCard(layout.card, card);
  const cardDigest = (await fileDigest(layout.card)).sha256;

  let saved: boolean | undefined;
  if (config.cache) {
    mark = performance.now();
    try {
      await ctx.cache.save(key, layout.cached);
      saved = true;
    } catch (err) {
      saved = false;
      ctx.log.warn(`could not save the trained model to the cache: ${(err as Error).message}`);
    }
    phases.save = Math.round(performance.now() - mark);
  }

  const seconds = (outcome.durationMs / 1000).toFixed(1);
  const count = Object.keys(metrics).length;
  return {
    ...base(),
    status: 'passed',
    summary:
      `trained ${config.modelName} in ${seconds}s` +
      (count ? `; ${count} training metric${count === 1 ? '' : 's'}` : ''),
    model: { name: config.modelName, path: layout.show(layout.model), sha256: model.sha256 },
    values: toMeasurements(metrics),
    artifacts: artifactsOf(layout, model.sha256, cardDigest),
    ...gitField(git),
    details: {
      cache: { ...cacheDetail, ...(saved !== undefined ? { saved } : {}) },
      command: config.run,
      exitCode: outcome.exitCode,
      modelCard: layout.show(layout.card),
      ...(warnings.length ? { warnings } : {}),
    },
  };
}

async function planLayout(config: TrainConfig): Promise<Layout> {
  if (!config.run.trim()) throw new InputError('train.run is empty: give the command that trains the model');
  const cwd = path.resolve(config.specDir, config.workingDirectory);
  if (!(await isDirectory(cwd))) {
    throw new InputError(`train working directory ${cwd} does not exist or is not a directory`);
  }
  const model = resolveFromSpec(config, config.modelPath);
  const card = path.join(path.dirname(model), MODEL_CARD_FILE);
  const metrics = config.metrics === undefined ? undefined : resolveFromSpec(config, config.metrics);
  const outputs = declaredOutputs(config).map((o) => resolveFromSpec(config, o));
  const cached = [...new Set([...outputs, ...(metrics !== undefined ? [metrics] : []), card])];
  return { cwd, model, card, metrics, outputs, cached, show: (abs) => displayPath(abs, config.specDir) };
}

/** A restore counts only if the card belongs to this key and the model matches the card's digest. */
async function restoreFromCache(
  key: string,
  layout: Layout,
  ctx: TrainContext,
): Promise<{ card: ModelCard; modelDigest: string; cardDigest: string } | undefined> {
  let hit: boolean;
  try {
    hit = await ctx.cache.restore(key, layout.cached);
  } catch (err) {
    ctx.log.warn(`could not read the train cache; training instead: ${(err as Error).message}`);
    return undefined;
  }
  if (!hit) {
    ctx.log.info(`train cache miss for key ${key}`);
    return undefined;
  }
  const card = await readModelCard(layout.card);
  const model = (await pathExists(layout.model)) ? await digestModel(layout.model) : undefined;
  if (card === undefined || card.cacheKey !== key || model?.sha256 !== card.model.sha256) {
    ctx.log.warn(`the cached entry for key ${key} does not match its model card; training again`);
    return undefined;
  }
  ctx.log.info(`train cache hit for key ${key}; restored ${layout.cached.map(layout.show).join(', ')}`);
  return { card, modelDigest: model.sha256, cardDigest: (await fileDigest(layout.card)).sha256 };
}

function describeFailure(outcome: CommandOutcome, timeoutMs: number): string | undefined {
  if (outcome.spawnError) return `train command could not start: ${outcome.spawnError.message}`;
  if (outcome.timedOut) return `train command timed out after ${formatDuration(timeoutMs)}`;
  if (outcome.exitCode === null) return `train command was killed by signal ${outcome.signal ?? 'unknown'}`;
  if (outcome.exitCode !== 0) return `train command exited with code ${outcome.exitCode}`;
  return undefined;
}

function toMeasurements(metrics: Record<string, number | null>): Measurements {
  const out: Measurements = {};
  for (const [name, value] of Object.entries(metrics)) out[name] = { candidate: value };
  return out;
}

function artifactsOf(layout: Layout, modelSha: string, cardSha: string): ArtifactRef[] {
  return [
    { name: 'model', path: layout.show(layout.model), sha256: modelSha },
    { name: 'model-card', path: layout.show(layout.card), sha256: cardSha },
  ];
}

function inputsRecord(inputs: readonly FileDigest[]): Record<string, FileDigest> {
  return Object.fromEntries(inputs.map((d) => [d.path, d]));
}

function gitField(git: GitInfo): Pick<StageResult, 'git'> {
  if (git.commit === undefined && git.dirty === undefined && git.ref === undefined) return {};
  return { git: { ...git } };
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
