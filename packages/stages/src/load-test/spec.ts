/** The `load-test` section: its raw shape, the checks the schema cannot make, and the stage's config. */
import path from 'node:path';
import {
  aliasesOf,
  checkGateList,
  InputError,
  normalizeGate,
  parseDuration,
  parseRate,
  resolveSpecPath,
  UsageError,
} from '@mlops-actions/core';
import type { Gate, Measures, RawGate, SemanticIssue, Spec } from '@mlops-actions/core';
import { VALUE_NAMES } from '@mlops-actions/loadgen';
import type { RateStage } from '@mlops-actions/loadgen';

export interface RawLoadTest {
  url?: string;
  rate?: number | string;
  stages?: { target: number | string; duration: string }[];
  'start-rate'?: number | string;
  duration?: string;
  warmup?: string;
  connections?: number;
  'max-requests'?: number;
  timeout?: string;
  'late-after'?: string;
  payload?: 'infer' | 'predict';
  'body-file'?: string;
  path?: string;
  'api-key-env'?: string;
  server?: { threads?: number; 'max-batch-size'?: number; 'max-queue-delay'?: string };
  gates?: RawGate[];
  'abort-on-fail'?: boolean | string;
}

/** What `mlops load-test` flags and the action's inputs override. */
export interface LoadTestSettings {
  url?: string;
  rate?: number;
  stages?: RateStage[];
  durationMs?: number;
  warmupMs?: number;
  connections?: number;
  maxRequests?: number;
  /** Without a spec: the rows to send. */
  data?: string;
  label?: string;
  bodyFile?: string;
  predict?: boolean;
  /** Serve this model instead of model.path (or, without a spec, serve it at all). */
  model?: string;
  /** Model name in the URL paths (default: model.name, or the file name). */
  name?: string;
  /** Gates replacing the spec's. */
  gates?: string[];
  abortOnFail?: { delayMs: number };
}

/** Where the rows come from. */
export type PayloadConfig =
  | {
      kind: 'infer' | 'predict';
      data: string;
      label?: string;
      features?: string[];
      task?: Spec['model']['task'];
    }
  | { kind: 'body'; file: string; urlPath?: string };

export interface LoadTestConfig {
  /** Target URL; undefined: start `mlops serve` on `model`. */
  url?: string;
  model?: { path: string; name: string; threads?: number; maxBatchSize?: number; maxQueueDelayMs?: number };
  /** Model name in the request paths. */
  modelName: string;
  /** Input tensor name when the server does not say (model metadata). */
  inputName?: string;
  payload: PayloadConfig;
  rate?: number;
  stages?: RateStage[];
  startRate?: number;
  durationMs?: number;
  warmupMs: number;
  connections: number;
  maxRequests: number;
  timeoutMs: number;
  lateAfterMs: number;
  /** Bearer token for `url`, read from the environment; never logged. */
  apiKey?: string;
  gates: Gate[];
  abortOnFail?: { delayMs: number };
  baseDir: string;
  specDigest?: string;
  specFile?: string;
}

export const DEFAULT_RATE = 100;
export const DEFAULT_DURATION_MS = 30_000;

/** What load-test measures, for gate checks at load time (k6#1526: typos must not pass silently). */
export const LOAD_TEST_MEASURES: Measures = {
  names: VALUE_NAMES,
  // p99, mean, median...: the spellings the gate engine's alias table maps onto these names.
  accepts: (name) => aliasesOf(name).some((a) => (VALUE_NAMES as readonly string[]).includes(a)),
  tests: false,
};

export function checkLoadTest(section: unknown, spec: Spec): SemanticIssue[] {
  const lt = (section ?? {}) as RawLoadTest;
  const issues: SemanticIssue[] = [];
  if (lt.rate !== undefined && lt.stages !== undefined) {
    issues.push({ path: ['load-test', 'stages'], atKey: true, message: 'give rate or stages, not both' });
  }
  if (lt.stages !== undefined && lt.duration !== undefined) {
    issues.push({
      path: ['load-test', 'duration'],
      atKey: true,
      message: 'with stages the duration is their sum; remove duration',
    });
  }
  if (lt['start-rate'] !== undefined && lt.stages === undefined) {
    issues.push({ path: ['load-test', 'start-rate'], atKey: true, message: 'start-rate goes with stages' });
  }
  if (
    lt.stages &&
    lt.stages.every((s) => parseRate(s.target) === 0) &&
    parseRate(lt['start-rate'] ?? 0) === 0
  ) {
    issues.push({
      path: ['load-test', 'stages'],
      atKey: true,
      message: 'every stage targets 0/s: nothing would be sent',
    });
  }
  if (lt['body-file'] === undefined && !spec.data?.eval) {
    issues.push({
      path: ['load-test'],
      atKey: true,
      message: 'load-test needs rows to send: data.eval (the evaluation rows) or load-test.body-file',
    });
  }
  if (lt.path !== undefined && lt['body-file'] === undefined) {
    issues.push({ path: ['load-test', 'path'], atKey: true, message: 'path goes with body-file' });
  }
  if (lt.server !== undefined && lt.url !== undefined) {
    issues.push({
      path: ['load-test', 'server'],
      atKey: true,
      message: 'server settings apply to the embedded server, not to url',
    });
  }
  if (lt['abort-on-fail'] !== undefined && lt['abort-on-fail'] !== false && (lt.gates ?? []).length === 0) {
    issues.push({
      path: ['load-test', 'abort-on-fail'],
      atKey: true,
      message: 'abort-on-fail needs gates to watch',
    });
  }
  issues.push(...checkGateList(lt.gates, ['load-test', 'gates'], 'load-test', LOAD_TEST_MEASURES));
  return issues;
}

function abortSetting(v: boolean | string | undefined): { delayMs: number } | undefined {
  if (v === undefined || v === false) return undefined;
  return { delayMs: v === true ? 0 : parseDuration(v) };
}

/** Gates given as flags or inputs, checked the way the spec's are, the problem naming the flag. */
export function parseGateFlags(texts: string[], flag: string): Gate[] {
  const issues = checkGateList(texts, [], 'load-test', LOAD_TEST_MEASURES);
  if (issues.length) {
    const i = issues[0]!;
    throw new UsageError(`${flag} '${texts[Number(i.path[0])]}': ${i.message}`);
  }
  return texts.map((t) => normalizeGate(t));
}

/** Spec section and settings → the stage's config. Nothing is started here. */
export function loadTestConfig(
  spec: Spec | undefined,
  settings: LoadTestSettings,
  cwd: string,
  env: Record<string, string | undefined> = process.env,
): LoadTestConfig {
  const lt = (spec?.sections['load-test'] ?? {}) as RawLoadTest;
  const baseDir = spec?.dir ?? cwd;
  const fromCwd = (p: string): string => path.resolve(cwd, p);
  const url = settings.url ?? lt.url;
  if (url !== undefined) checkUrl(url, settings.url !== undefined ? '--url' : 'load-test.url');

  const modelPath = settings.model
    ? fromCwd(settings.model)
    : spec
      ? resolveSpecPath(spec, spec.model.path)
      : undefined;
  const modelName =
    settings.name ??
    spec?.model.name ??
    (modelPath ? path.basename(modelPath).replace(/\.onnx$/i, '') : undefined);
  if (url === undefined && modelPath === undefined) {
    throw new UsageError('mlops load-test: give --url of a running server, or --model to serve (or a spec)');
  }
  if (modelName === undefined && settings.bodyFile === undefined) {
    throw new UsageError(
      'mlops load-test: --name is needed with --url and --data (the model name in /v2/models/NAME/infer)',
    );
  }

  let payload: PayloadConfig;
  const bodyFile = settings.bodyFile
    ? fromCwd(settings.bodyFile)
    : lt['body-file']
      ? resolveSpecPath(spec!, lt['body-file'])
      : undefined;
  if (bodyFile) {
    payload = { kind: 'body', file: bodyFile, ...(lt.path !== undefined && { urlPath: lt.path }) };
  } else {
    const kind = settings.predict ? 'predict' : (lt.payload ?? 'infer');
    if (settings.data) {
      payload = {
        kind,
        data: fromCwd(settings.data),
        ...(settings.label !== undefined && { label: settings.label }),
      };
    } else if (spec?.data?.eval) {
      const e = spec.data.eval;
      payload = {
        kind,
        data: resolveSpecPath(spec, e.path),
        label: e.label,
        ...(e.features && { features: e.features }),
        task: spec.model.task,
      };
    } else {
      throw new UsageError('mlops load-test: give --data EVAL.csv or --body-file FILE (what to send)');
    }
  }

  const specRate = lt.rate !== undefined ? parseRate(lt.rate) : undefined;
  const specStages = lt.stages?.map((s) => ({
    target: parseRate(s.target),
    durationMs: parseDuration(s.duration),
  }));
  let rate: number | undefined;
  let stages: RateStage[] | undefined;
  let startRate: number | undefined;
  if (settings.rate !== undefined) rate = settings.rate;
  else if (settings.stages !== undefined) stages = settings.stages;
  else if (specStages !== undefined) {
    stages = specStages;
    if (lt['start-rate'] !== undefined) startRate = parseRate(lt['start-rate']);
  } else rate = specRate ?? DEFAULT_RATE;
  const durationMs =
    stages !== undefined
      ? undefined
      : (settings.durationMs ?? (lt.duration ? parseDuration(lt.duration) : DEFAULT_DURATION_MS));

  let apiKey: string | undefined;
  if (lt['api-key-env']) {
    apiKey = env[lt['api-key-env']];
    if (!apiKey)
      throw new InputError(`load-test.api-key-env: environment variable ${lt['api-key-env']} is not set`);
  }
  const gates = settings.gates
    ? parseGateFlags(settings.gates, '--gate')
    : (lt.gates ?? []).map(normalizeGate);
  const abortOnFail = settings.abortOnFail ?? abortSetting(lt['abort-on-fail']);
  const server = lt.server;
  return {
    ...(url !== undefined && { url }),
    ...(url === undefined &&
      modelPath && {
        model: {
          path: modelPath,
          name: modelName!,
          ...(server?.threads !== undefined && { threads: server.threads }),
          ...(server?.['max-batch-size'] !== undefined && { maxBatchSize: server['max-batch-size'] }),
          ...(server?.['max-queue-delay'] !== undefined && {
            maxQueueDelayMs: parseDuration(server['max-queue-delay']),
          }),
        },
      }),
    modelName: modelName ?? 'model',
    ...(spec?.model.inputs?.name && { inputName: spec.model.inputs.name }),
    payload,
    ...(rate !== undefined && { rate }),
    ...(stages !== undefined && { stages }),
    ...(startRate !== undefined && { startRate }),
    ...(durationMs !== undefined && { durationMs }),
    warmupMs: settings.warmupMs ?? parseDuration(lt.warmup ?? '5s'),
    connections: settings.connections ?? lt.connections ?? 64,
    maxRequests: settings.maxRequests ?? lt['max-requests'] ?? 10_000_000,
    timeoutMs: parseDuration(lt.timeout ?? '10s'),
    lateAfterMs: parseDuration(lt['late-after'] ?? '10ms'),
    ...(apiKey !== undefined && { apiKey }),
    gates,
    ...(abortOnFail && { abortOnFail }),
    baseDir,
    ...(spec && { specDigest: spec.digest, specFile: spec.file }),
  };
}

function checkUrl(url: string, where: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${where}: '${url}' is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`${where}: '${url}' must be http:// or https://`);
  }
}
