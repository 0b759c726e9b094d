import { open } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import {
  evaluateGates,
  formatNumber,
  InputError,
  overallStatus,
  sha256File,
  StageClock,
  writeStageResult,
} from '@mlops-actions/core';
import type { FileDigest, Logger, StageResult } from '@mlops-actions/core';
import { loadEvalData } from '@mlops-actions/data';
import {
  bodyFileRequests,
  fetchModelMetadata,
  inferRequests,
  loadValues,
  predictRequests,
  runLoad,
} from '@mlops-actions/loadgen';
import type { LoadResult, PreparedRequest, RowsSource } from '@mlops-actions/loadgen';
import { startServer } from '@mlops-actions/serve';
import type { RunningServer } from '@mlops-actions/serve';
import type { StageContext } from '../context.js';
import type { LoadTestConfig, PayloadConfig } from './spec.js';

/** Event-loop utilisation from which the generator is said to have been its own bottleneck. */
export const BUSY_WARNING = 0.9;

/** `details` of a load-test result: the generator's numbers plus what was loaded with what. */
export interface LoadTestDetails extends LoadResult {
  target: { kind: 'embedded' | 'url'; url: string; model: string };
  payload: { kind: PayloadConfig['kind']; distinct: number; file: string };
  /** How the reported percentiles are computed. */
  percentileMethod: string;
}

const LABEL_GUESSES = ['label', 'target', 'y', 'class'];

/** Runs the load test the config describes and writes `<resultsDir>/load-test.json`. */
export async function runLoadTestStage(config: LoadTestConfig, ctx: StageContext): Promise<StageResult> {
  const log = ctx.log;
  const clock = new StageClock('load-test');
  const inputs: Record<string, FileDigest> = {};
  const payloadFile = config.payload.kind === 'body' ? config.payload.file : config.payload.data;
  let server: RunningServer | undefined;
  let load: LoadResult;
  let url: string;
  let requests: PreparedRequest[];
  try {
    // Rows first: a bad data file fails before a server starts, and /predict needs their names.
    const payload = config.payload;
    const rows = payload.kind === 'body' ? undefined : await clock.phase('data', () => readRows(payload));
    if (config.url === undefined) {
      const model = config.model!;
      inputs.model = { path: model.path, sha256: await sha256File(model.path) };
      server = await clock.phase('server start', () =>
        startServer({
          model: model.path,
          name: model.name,
          logger: log,
          ...(rows && { featureNames: rows.featureNames }),
          ...(model.threads !== undefined && { threads: model.threads }),
          ...(model.maxBatchSize !== undefined && { maxBatchSize: model.maxBatchSize }),
          ...(model.maxQueueDelayMs !== undefined && { maxQueueDelayMs: model.maxQueueDelayMs }),
        }),
      );
      url = server.url;
      log.info(`load-test: serving ${model.name} on ${url} (embedded mlops serve)`);
    } else {
      url = config.url;
      await reachable(url);
    }
    const headers: Record<string, string> = config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {};
    requests = await clock.phase('payload', () => prepareRequests(config, rows, url, headers, log));
    inputs.payload = { path: payloadFile, sha256: await sha256File(payloadFile) };
    const schedule = config.stages
      ? `stages ${config.stages.map((s) => `${formatNumber(s.target)}/s over ${s.durationMs / 1000}s`).join(', ')}`
      : `${formatNumber(config.rate ?? 0)}/s for ${(config.durationMs ?? 0) / 1000}s`;
    log.info(
      `load-test: ${schedule} after ${config.warmupMs / 1000}s warm-up, ${config.connections} connections, ` +
        `${requests.length} distinct request bodies`,
    );
    load = await clock.phase('load', () =>
      runLoad({
        url,
        requests,
        ...(config.rate !== undefined && { rate: config.rate }),
        ...(config.stages !== undefined && { stages: config.stages }),
        ...(config.startRate !== undefined && { startRate: config.startRate }),
        ...(config.durationMs !== undefined && { durationMs: config.durationMs }),
        warmupMs: config.warmupMs,
        connections: config.connections,
        maxRequests: config.maxRequests,
        timeoutMs: config.timeoutMs,
        lateAfterMs: config.lateAfterMs,
        gates: config.gates,
        ...(config.abortOnFail && { abortOnFail: config.abortOnFail }),
        log,
      }),
    );
  } finally {
    if (server) await server.close();
  }

  // The generator's own misses are a warning about the run, not about the model: a busy runner
  // inflates latency that the server never caused.
  const ownLate = load.lateCauses.generator / Math.max(1, load.scheduled);
  if (ownLate > 0.01)
    log.warn(
      `load-test: ${load.lateCauses.generator} sends (${formatNumber(ownLate * 100)}%) left more than ${formatNumber(load.lateAfterMs)} ms late with a connection free: this machine could not keep the schedule, so latency may be overstated`,
    );
  if (load.generatorBusy >= BUSY_WARNING)
    log.warn(
      `load-test: this process was busy ${formatNumber(load.generatorBusy * 100)}% of the run: the generator, not the server, may have set the pace; lower the rate or give the test a machine of its own`,
    );
  const values = loadValues(load);
  const verdicts = evaluateGates(config.gates, { values, baseDir: config.baseDir, stage: 'load-test' });
  const status = overallStatus(verdicts);
  const details: LoadTestDetails = {
    ...load,
    target: { kind: server ? 'embedded' : 'url', url: redact(url), model: config.modelName },
    payload: { kind: config.payload.kind, distinct: requests.length, file: payloadFile },
    percentileMethod:
      'exact: every answered request, latency from its intended send time, percentiles by linear interpolation (numpy default)',
  };
  details.url = redact(details.url);
  const result = clock.finish({
    status,
    summary: summarize(load, values, verdicts),
    ...(config.specDigest && { specDigest: config.specDigest }),
    model: {
      name: config.modelName,
      ...(inputs.model && { path: inputs.model.path, sha256: inputs.model.sha256 }),
    },
    inputs,
    headline: 'p(99)',
    values,
    verdicts,
    details: details as unknown as Record<string, unknown>,
  });
  await writeStageResult(ctx.resultsDir, result);
  return result;
}

async function readRows(p: Exclude<PayloadConfig, { kind: 'body' }>): Promise<RowsSource> {
  const label = p.label ?? (await guessLabel(p.data));
  const data = await loadEvalData({
    path: p.data,
    label,
    // Without a spec the task is unknown; a multiclass read takes any label values as they are.
    task: p.task ?? 'multiclass-classification',
    ...(p.features && { features: p.features }),
  });
  return { n: data.n, d: data.d, featureNames: data.featureNames, features: data.features };
}

async function prepareRequests(
  config: LoadTestConfig,
  rows: RowsSource | undefined,
  url: string,
  headers: Record<string, string>,
  log: Logger,
): Promise<PreparedRequest[]> {
  const p = config.payload;
  const withHeaders = (rs: PreparedRequest[]): PreparedRequest[] =>
    Object.keys(headers).length ? rs.map((r) => ({ ...r, headers: { ...r.headers, ...headers } })) : rs;
  if (p.kind === 'body') {
    const urlPath = p.urlPath ?? pathOf(url) ?? `/v2/models/${encodeURIComponent(config.modelName)}/infer`;
    return withHeaders(await bodyFileRequests({ file: p.file, urlPath }));
  }
  if (!rows) throw new Error('load-test: rows were not read');
  if (p.kind === 'predict') return withHeaders(predictRequests({ model: config.modelName, rows }));
  const meta = await fetchModelMetadata(url, config.modelName, headers);
  const input = meta?.inputs[0];
  const inputName = input?.name ?? config.inputName ?? 'float_input';
  if (!meta)
    log.warn(
      `load-test: ${url} gave no model metadata for '${config.modelName}'; sending input '${inputName}'`,
    );
  const width = input?.shape[1];
  if (width !== undefined && width > 0 && width !== rows.d) {
    throw new InputError(
      `${p.data}: ${rows.d} feature columns, but model '${config.modelName}' input '${inputName}' takes ${width} ` +
        `(shape ${JSON.stringify(input?.shape)})`,
      { file: p.data },
    );
  }
  return withHeaders(inferRequests({ model: config.modelName, inputName, rows }));
}

/** The URL's own path when it has one beyond `/` (a body file posted to a given endpoint). */
function pathOf(url: string): string | undefined {
  const u = new URL(url);
  return u.pathname !== '/' ? u.pathname + u.search : undefined;
}

/** Without a spec or --label: a column named label, target, y or class is the label. */
async function guessLabel(file: string): Promise<string> {
  let header = '';
  if (path.extname(file).toLowerCase() === '.csv') {
    const fh = await open(file, 'r').catch(() => undefined);
    if (fh) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      await fh.close();
      header = buf.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? '';
    }
  }
  const columns = header.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  const found = LABEL_GUESSES.find((g) => columns.includes(g));
  if (found) return found;
  throw new InputError(
    `${file}: which column is the label (left out of the features)? Pass --label COLUMN` +
      (columns.length > 1 ? ` (columns: ${columns.slice(0, 12).join(', ')})` : ''),
    { file },
  );
}

/** A TCP connect to the URL's host and port: an unreachable target is bad input, not a result. */
function reachable(url: string): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(10_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    const fail = (why: string): void => {
      socket.destroy();
      reject(new InputError(`load-test: cannot reach ${redact(url)}: ${why}`));
    };
    socket.once('timeout', () => fail('no answer within 10 s'));
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
  });
}

/** URLs may carry user:password; results and logs never do. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

function summarize(
  load: LoadResult,
  values: ReturnType<typeof loadValues>,
  verdicts: ReturnType<typeof evaluateGates>,
): string {
  const ms = (v: number | null | undefined): string =>
    v === null || v === undefined ? '—' : `${formatNumber(v)} ms`;
  const rps = values.rps?.candidate;
  const er = values.error_rate?.candidate;
  const parts = [
    `p50 ${ms(values['p(50)']?.candidate)}, p99 ${ms(values['p(99)']?.candidate)}`,
    `${rps === null || rps === undefined ? '—' : formatNumber(rps)}/s of ${formatNumber(load.targetRate)}/s`,
    `error rate ${er === null || er === undefined ? '—' : `${formatNumber(er * 100)}%`}`,
  ];
  if (load.dropped) parts.push(`${load.dropped} dropped`);
  if (load.aborted)
    parts.push(`aborted after ${formatNumber(load.aborted.atMs / 1000)} s (${load.aborted.gate})`);
  const failed = verdicts.filter((v) => v.status === 'fail').length;
  if (verdicts.length)
    parts.push(failed ? `${failed} of ${verdicts.length} gates failed` : `${verdicts.length} gates passed`);
  return parts.join('; ');
}
