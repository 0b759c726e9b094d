import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { InputError, silentLogger, TOOL_VERSION, type Logger } from '@mlops-actions/core';
import type { Feed, OrtLoadOptions, RawTensor } from '@mlops-actions/inference';
import { ApiKeys } from './auth.js';
import { Batcher } from './batcher.js';
import { checkShape, decodeTensorData, ortType, outputJson, show, showName } from './datatypes.js';
import { HttpError, badRequest, notFound, unavailable } from './errors.js';
import { InputLog, type InputLogOptions, type InputLogRow } from './input-log.js';
import { createMetrics, type ServeMetrics } from './metrics.js';
import { loadModel, warmupFeeds, type LoadedModel, type TensorMetadata } from './model.js';
import {
  interpretRows,
  outputRoles,
  parsePredictBody,
  planRows,
  rowsToFeeds,
  type RowPrediction,
} from './rows.js';

export interface ServeOptions {
  /** Path of the ONNX model. */
  model: string;
  /** Model name in URLs (default: the file name without .onnx). */
  name?: string;
  /** The one version served (default '1'). */
  version?: string;
  /** Default 127.0.0.1: nothing outside the machine can reach the server unless asked. */
  host?: string;
  /** Default 0 (a free port; read it from the result). */
  port?: number;
  /**
   * Inference worker threads, one ORT session each (default: cores - 1, at least 1). 0 runs one
   * session on the event loop instead: no thread hops, for small fast models only (a slow batch
   * then holds up every HTTP request).
   */
  threads?: number;
  /** Rows per session.run (default 64; 1 disables dynamic batching). */
  maxBatchSize?: number;
  /** Triton's max_queue_delay: how long a batch may wait to fill (default 0 ms). */
  maxQueueDelayMs?: number;
  /** Requests waiting beyond this get 503 + Retry-After (default 1024). */
  maxQueueSize?: number;
  /** Queue wait + inference per request before a 503 (default 30 s). */
  requestTimeoutMs?: number;
  /** Largest request body; larger ones get 413 (default 8 MiB). */
  bodyLimitBytes?: number;
  /**
   * Request bytes held at once, from the first body byte until the answer is written, summed over
   * all requests (default 256 MiB); past it requests get 503 + Retry-After, so memory stays bounded
   * whatever the connection count and queue size.
   */
  maxHeldBytes?: number;
  /** Bearer tokens; when any is set every route but the health probes needs one. */
  apiKeys?: readonly string[];
  /** Feature names in the order of the model's [N, d] input, for /predict rows keyed by name. */
  featureNames?: readonly string[];
  /** Sampled inputs and predictions as daily JSON Lines files (see InputLog). */
  logInputs?: InputLogOptions;
  /** Time allowed for the request headers (slowloris guard; default 10 s). */
  headersTimeoutMs?: number;
  /** Time allowed for a whole request to arrive (default 30 s). */
  bodyTimeoutMs?: number;
  /** Idle keep-alive connections are closed after this (default 5 s). */
  keepAliveTimeoutMs?: number;
  /** Simultaneous connections accepted (default 1024). */
  maxConnections?: number;
  /** On close(), how long in-flight requests may take to finish (default 10 s). */
  drainTimeoutMs?: number;
  /** Also export prom-client's process metrics (default true). */
  defaultMetrics?: boolean;
  logger?: Logger;
  runtime?: OrtLoadOptions;
}

export interface ServerStats {
  requests: number;
  batches: number;
  batchedRows: number;
  inFlight: number;
  queueDepth: number;
}

export interface RunningServer {
  /** http://HOST:PORT (IPv6 hosts in brackets). */
  url: string;
  host: string;
  port: number;
  name: string;
  version: string;
  model: LoadedModel;
  metrics: ServeMetrics;
  stats(): ServerStats;
  /** Stops accepting, lets in-flight requests finish (up to drainTimeoutMs), then stops the workers. */
  close(): Promise<void>;
}

type Route =
  | 'server_metadata'
  | 'health_live'
  | 'health_ready'
  | 'model_metadata'
  | 'model_ready'
  | 'infer'
  | 'predict'
  | 'metrics'
  | 'unknown';

interface Matched {
  route: Route;
  method: 'GET' | 'POST';
  model?: string;
  version?: string;
}

function matchRoute(pathname: string): Matched | undefined {
  if (pathname === '/v2' || pathname === '/v2/') return { route: 'server_metadata', method: 'GET' };
  if (pathname === '/v2/health/live') return { route: 'health_live', method: 'GET' };
  if (pathname === '/v2/health/ready') return { route: 'health_ready', method: 'GET' };
  if (pathname === '/metrics') return { route: 'metrics', method: 'GET' };
  const m = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(?:\/(ready|infer|predict))?\/?$/.exec(pathname);
  if (m === null) return undefined;
  let model: string;
  let version: string | undefined;
  try {
    model = decodeURIComponent(m[1]!);
    version = m[2] !== undefined ? decodeURIComponent(m[2]) : undefined;
  } catch {
    throw badRequest('the model name or version in the path is not valid percent-encoding');
  }
  const action = m[3];
  if (action === 'ready') return { route: 'model_ready', method: 'GET', model, version };
  if (action === 'infer') return { route: 'infer', method: 'POST', model, version };
  if (action === 'predict') return { route: 'predict', method: 'POST', model, version };
  return { route: 'model_metadata', method: 'GET', model, version };
}

const PUBLIC_ROUTES: ReadonlySet<Route> = new Set(['health_live', 'health_ready']);

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Starts the model server; resolves once the model is loaded into every worker, warmed, and listening. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const log = options.logger ?? silentLogger;
  const name = options.name ?? path.basename(options.model).replace(/\.onnx$/i, '');
  const version = options.version ?? '1';
  const host = options.host ?? '127.0.0.1';
  // One core is left to the event loop, which parses and answers the HTTP; batching keeps the rest busy.
  const threads = options.threads === 0 ? 0 : Math.max(1, options.threads ?? availableParallelism() - 1);
  const maxBatchSize = Math.max(1, options.maxBatchSize ?? 64);
  const bodyLimit = options.bodyLimitBytes ?? 8 * 1024 * 1024;
  const maxHeldBytes = options.maxHeldBytes ?? 256 * 1024 * 1024;
  let heldBytes = 0;
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const keys = new ApiKeys(options.apiKeys ?? []);
  const metrics = createMetrics(maxBatchSize, options.defaultMetrics ?? true);
  const labels = { model: name, version };

  const t0 = performance.now();
  const model = await loadModel(options.model, threads, options.runtime);
  let batcher: Batcher;
  let server: http.Server;
  try {
    const allOutputs = model.outputs.map((o) => o.name);
    // Every worker runs once before the server says ready, so the first real request is not the slow one.
    await Promise.all(
      model.pool.workers.map((w) =>
        w.run(warmupFeeds(model.inputs), allOutputs).catch((err: Error) => {
          log.warn(`${options.model}: warm-up inference failed (${err.message}); serving anyway`);
        }),
      ),
    );
    const loadSeconds = (performance.now() - t0) / 1000;
    metrics.loadSeconds.set(labels, loadSeconds);
    if (model.skippedOutputs.length > 0) {
      log.warn(
        `${options.model}: outputs ${model.skippedOutputs.join(', ')} are not tensors (ZipMap?) and are not served`,
      );
    }

    let batches = 0;
    let batchedRows = 0;
    batcher = new Batcher(model.pool, {
      maxBatchSize,
      maxQueueDelayMs: options.maxQueueDelayMs ?? 0,
      maxQueueSize: options.maxQueueSize ?? 1024,
      timeoutMs: options.requestTimeoutMs ?? 30_000,
      batchable: model.batchable,
      onBatch: (rows, requests, ms) => {
        batches++;
        batchedRows += rows;
        metrics.batchSize.observe(labels, rows);
        metrics.batchRequests.observe(labels, requests);
        metrics.inference.observe(labels, ms / 1000);
      },
      onQueueDepth: (depth) => metrics.queueDepth.set(labels, depth),
    });
    metrics.queueDepth.set(labels, 0);

    const rowPlan = planRows(options.model, model.inputs, options.featureNames);
    const roles = outputRoles(model.outputs);
    const inputLog = options.logInputs !== undefined ? new InputLog(options.logInputs, log) : undefined;
    const featureNames = options.featureNames;

    let ready = false;
    let draining = false;
    let inFlight = 0;
    let requests = 0;
    let idle: (() => void) | undefined;

    // A worker that died (its session crashed) takes the server out of rotation once none is left.
    const isReady = (): boolean => ready && model.pool.workers.some((w) => w.failed === undefined);

    const checkModel = (m: Matched): void => {
      if (m.model !== name) throw notFound(`no model ${showName(m.model)}; this server serves '${name}'`);
      if (m.version !== undefined && m.version !== version) {
        throw notFound(
          `model '${name}' has no version ${showName(m.version)}; its versions are ['${version}']`,
        );
      }
    };

    const tensorMeta = (t: TensorMetadata): { name: string; datatype: string; shape: number[] } => ({
      name: t.name,
      datatype: t.datatype,
      shape: t.shape,
    });

    const parseInfer = (
      body: unknown,
    ): { id?: string; feeds: Feed[]; fetch: string[]; rows: number; datatypes: Map<string, string> } => {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw badRequest('the body must be a JSON object with "inputs"');
      }
      const b = body as Record<string, unknown>;
      if (b.id !== undefined && typeof b.id !== 'string') throw badRequest('"id" must be a string');
      if (
        b.parameters !== undefined &&
        (typeof b.parameters !== 'object' || b.parameters === null || Array.isArray(b.parameters))
      ) {
        throw badRequest('"parameters" must be an object');
      }
      if (!Array.isArray(b.inputs) || b.inputs.length === 0)
        throw badRequest('"inputs" must be a non-empty array');
      const seen = new Set<string>();
      const feeds: Feed[] = [];
      const datatypes = new Map<string, string>();
      for (let i = 0; i < b.inputs.length; i++) {
        const where = `inputs[${i}]`;
        const raw: unknown = b.inputs[i];
        if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
          throw badRequest(`${where} must be an object`);
        const inp = raw as Record<string, unknown>;
        if (typeof inp.name !== 'string') throw badRequest(`${where}.name must be a string`);
        const meta = model.inputs.find((m) => m.name === inp.name);
        if (meta === undefined) {
          throw badRequest(
            `model '${name}' has no input ${showName(inp.name)}; its inputs are ${model.inputs.map((m) => `'${m.name}'`).join(', ')}`,
          );
        }
        if (seen.has(meta.name)) throw badRequest(`input '${meta.name}' is given twice`);
        seen.add(meta.name);
        if (typeof inp.datatype !== 'string')
          throw badRequest(`input '${meta.name}': datatype must be a string`);
        if (ortType(inp.datatype) === undefined) {
          throw badRequest(`input '${meta.name}': unknown or unsupported datatype ${show(inp.datatype)}`);
        }
        if (inp.datatype !== meta.datatype) {
          throw badRequest(
            `input '${meta.name}' is ${meta.datatype} in the model; the request sends ${inp.datatype}`,
          );
        }
        const { dims, count } = checkShape(`input '${meta.name}'`, inp.shape);
        if (dims.length !== meta.shape.length) {
          throw badRequest(
            `input '${meta.name}' has shape ${JSON.stringify(meta.shape)} in the model; the request's shape [${dims.join(', ')}] has ${dims.length} dimensions`,
          );
        }
        meta.shape.forEach((d, j) => {
          if (d >= 0 && dims[j] !== d) {
            throw badRequest(
              `input '${meta.name}' has shape ${JSON.stringify(meta.shape)} in the model; the request's dimension ${j} is ${dims[j]}`,
            );
          }
        });
        const data = decodeTensorData(
          `input '${meta.name}'`,
          meta.datatype,
          meta.type,
          dims,
          count,
          inp.data,
        );
        feeds.push({ name: meta.name, type: meta.type, dims: [...dims], data });
        datatypes.set(meta.name, meta.datatype);
      }
      const missing = model.inputs.filter((m) => !seen.has(m.name)).map((m) => `'${m.name}'`);
      if (missing.length > 0) throw badRequest(`the request lacks input ${missing.join(', ')}`);
      const rows = feeds[0]!.dims[0] ?? 1;
      if (model.batchable && feeds.some((f) => f.dims[0] !== rows)) {
        throw badRequest(
          `inputs disagree on the batch size (first dimension): ${feeds.map((f) => `${f.name} ${f.dims[0]}`).join(', ')}`,
        );
      }
      let fetch = model.outputs.map((o) => o.name);
      if (b.outputs !== undefined) {
        if (!Array.isArray(b.outputs)) throw badRequest('"outputs" must be an array of {"name"}');
        const wanted: string[] = [];
        for (const [j, o] of (b.outputs as unknown[]).entries()) {
          const oname = o !== null && typeof o === 'object' ? (o as Record<string, unknown>).name : undefined;
          if (typeof oname !== 'string') throw badRequest(`outputs[${j}].name must be a string`);
          if (model.skippedOutputs.includes(oname)) {
            throw badRequest(`output '${oname}' is not a tensor (ZipMap?) and cannot be returned`);
          }
          if (!fetch.includes(oname)) {
            throw badRequest(
              `model '${name}' has no output ${showName(oname)}; its outputs are ${fetch.map((f) => `'${f}'`).join(', ')}`,
            );
          }
          if (!wanted.includes(oname)) wanted.push(oname);
        }
        if (wanted.length > 0) fetch = wanted;
      }
      return { id: b.id as string | undefined, feeds, fetch, rows, datatypes };
    };

    /** Rows chosen for the input log, captured before the feeds' buffers move to a worker. */
    const sampleRows = (
      feeds: Feed[],
      rows: number,
    ): { index: number; features: InputLogRow['features'] }[] => {
      if (inputLog === undefined) return [];
      const picked: { index: number; features: InputLogRow['features'] }[] = [];
      for (let r = 0; r < rows; r++) {
        if (!inputLog.sample()) continue;
        const features: InputLogRow['features'] = {};
        for (const f of feeds) {
          const w = f.dims.slice(1).reduce((a, b) => a * b, 1);
          const named = featureNames !== undefined && feeds.length === 1 && featureNames.length === w;
          for (let j = 0; j < w; j++) {
            const key = w === 1 ? f.name : named ? featureNames[j]! : `${f.name}[${j}]`;
            const v = f.data[r * w + j];
            features[key] =
              typeof v === 'bigint'
                ? Number(v)
                : f.type === 'bool'
                  ? v === 1
                  : typeof v === 'number' && !Number.isFinite(v)
                    ? null
                    : (v ?? null);
          }
        }
        picked.push({ index: r, features });
      }
      return picked;
    };

    const logRows = (
      route: 'infer' | 'predict',
      id: string | undefined,
      picked: { index: number; features: InputLogRow['features'] }[],
      outputs: Record<string, RawTensor>,
      rows: number,
      predictions: RowPrediction[] | undefined,
    ): void => {
      if (inputLog === undefined || picked.length === 0) return;
      const preds = predictions ?? interpretRows(roles, outputs, rows);
      const ts = inputLog.timestamp();
      for (const { index, features } of picked) {
        const outs: InputLogRow['outputs'] = {};
        for (const [oname, t] of Object.entries(outputs)) {
          const w = rows > 0 ? t.data.length / rows : 0;
          const vals: (number | string | boolean | null)[] = [];
          for (let j = 0; j < w; j++) {
            const v = t.data[index * w + j];
            vals.push(
              typeof v === 'bigint'
                ? Number(v)
                : t.type === 'bool'
                  ? v === 1
                  : typeof v === 'number' && !Number.isFinite(v)
                    ? null
                    : (v ?? null),
            );
          }
          outs[oname] = w === 1 ? vals[0]! : vals;
        }
        const row: InputLogRow = { ts, model: name, version, route, features, outputs: outs };
        if (id !== undefined) row.request_id = id;
        const p = preds[index];
        if (p !== undefined && Object.keys(p).length > 0) row.prediction = p;
        inputLog.write(row);
      }
    };

    const handle = async (
      m: Matched,
      body: unknown,
    ): Promise<{ status: number; text: string; type?: string }> => {
      switch (m.route) {
        case 'health_live':
          return { status: 200, text: '{"live":true}' };
        case 'health_ready': {
          const ready = isReady();
          // The document's ready object carries "live"; "ready" is what clients (KServe, Triton) read.
          return { status: ready ? 200 : 503, text: JSON.stringify({ live: true, ready }) };
        }
        case 'server_metadata':
          return {
            status: 200,
            text: JSON.stringify({ name: 'mlops-serve', version: TOOL_VERSION, extensions: [] }),
          };
        case 'metrics':
          return { status: 200, text: await metrics.registry.metrics(), type: metrics.registry.contentType };
        case 'model_metadata':
          checkModel(m);
          return {
            status: 200,
            text: JSON.stringify({
              name,
              versions: [version],
              platform: 'onnx_onnxv1',
              inputs: model.inputs.map(tensorMeta),
              outputs: model.outputs.map(tensorMeta),
            }),
          };
        case 'model_ready': {
          checkModel(m);
          const ready = isReady();
          return { status: ready ? 200 : 503, text: JSON.stringify({ name, ready }) };
        }
        case 'infer': {
          checkModel(m);
          if (!ready) throw unavailable(`model '${name}' is not ready`);
          const req = parseInfer(body);
          const picked = sampleRows(req.feeds, req.rows);
          const outputs = await batcher.submit(req.feeds, req.fetch);
          logRows('infer', req.id, picked, outputs, req.rows, undefined);
          const parts = req.fetch.map((o) => outputJson(o, outputs[o]!));
          const idPart = req.id !== undefined ? `,"id":${JSON.stringify(req.id)}` : '';
          return {
            status: 200,
            text: `{"model_name":${JSON.stringify(name)},"model_version":${JSON.stringify(version)}${idPart},"outputs":[${parts.join(',')}]}`,
          };
        }
        case 'predict': {
          checkModel(m);
          if (!ready) throw unavailable(`model '${name}' is not ready`);
          const req = parsePredictBody(body);
          const feeds = rowsToFeeds(rowPlan, req.rows);
          const n = req.rows.length;
          const picked = sampleRows(feeds, n);
          const fetch = model.outputs.map((o) => o.name);
          const outputs = n === 0 ? {} : await batcher.submit(feeds, fetch);
          const preds = n === 0 ? [] : interpretRows(roles, outputs, n);
          logRows('predict', req.id, picked, outputs, n, preds);
          const answer: Record<string, unknown> = { model_name: name, model_version: version };
          if (req.id !== undefined) answer.id = req.id;
          if (roles.label !== undefined || roles.probabilities !== undefined)
            answer.labels = preds.map((p) => p.label ?? null);
          if (roles.probabilities !== undefined)
            answer.probabilities = preds.map((p) => p.probabilities ?? null);
          if (preds.some((p) => p.score !== undefined) || roles.score !== undefined) {
            answer.scores = preds.map((p) => p.score ?? null);
          }
          return { status: 200, text: JSON.stringify(answer) };
        }
        default:
          throw notFound('no such route');
      }
    };

    const readBody = (req: http.IncomingMessage, hold: (n: number) => boolean): Promise<Buffer> =>
      new Promise((resolve, reject) => {
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > bodyLimit) {
          reject(
            new HttpError(
              413,
              `the request body (${declared} bytes) exceeds the limit of ${bodyLimit} bytes`,
            ),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
          size += c.length;
          if (size > bodyLimit) {
            req.removeAllListeners('data');
            req.pause();
            reject(new HttpError(413, `the request body exceeds the limit of ${bodyLimit} bytes`));
            return;
          }
          if (!hold(c.length)) {
            req.removeAllListeners('data');
            req.pause();
            reject(unavailable('the server holds too much request data right now; retry later'));
            return;
          }
          chunks.push(c);
        });
        req.on('end', () => resolve(Buffer.concat(chunks, size)));
        req.on('error', reject);
        req.on('aborted', () => reject(new Error('client aborted')));
      });

    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const start = performance.now();
      inFlight++;
      requests++;
      metrics.inFlight.inc();
      let matched: Matched | undefined;
      let closeAfter = draining;
      const finish = (
        status: number,
        text: string,
        type = 'application/json',
        extra: Record<string, string> = {},
      ): void => {
        if (res.headersSent || res.destroyed) return;
        const headers: Record<string, string | number> = {
          'content-type': type,
          'content-length': Buffer.byteLength(text),
          ...extra,
        };
        if (closeAfter || draining) headers.connection = 'close';
        res.writeHead(status, headers);
        res.end(text);
      };
      let done = false;
      let held = 0;
      const hold = (n: number): boolean => {
        if (heldBytes + n > maxHeldBytes) return false;
        heldBytes += n;
        held += n;
        return true;
      };
      const account = (): void => {
        if (done) return;
        done = true;
        heldBytes -= held;
        inFlight--;
        metrics.inFlight.dec();
        const route = matched?.route ?? 'unknown';
        const modelLabels =
          matched?.model !== undefined && matched.model === name ? labels : { model: '', version: '' };
        metrics.requests.inc({ route, ...modelLabels, status: String(res.statusCode) });
        metrics.duration.observe({ route, ...modelLabels }, (performance.now() - start) / 1000);
        if (inFlight === 0) idle?.();
      };
      res.on('finish', account);
      res.on('close', account);

      const run = async (): Promise<void> => {
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        const pathname = q >= 0 ? url.slice(0, q) : url;
        matched = matchRoute(pathname);
        if (matched === undefined) {
          matched = { route: 'unknown', method: 'GET' };
          throw notFound(`no route ${req.method} ${show(pathname)}; see GET /v2 and /v2/models/{name}`);
        }
        if (!PUBLIC_ROUTES.has(matched.route) && !keys.check(req.headers.authorization)) {
          throw new HttpError(401, 'a valid API key is required (Authorization: Bearer <key>)', {
            'www-authenticate': 'Bearer realm="mlops-serve"',
          });
        }
        if (matched.model !== undefined) checkModel(matched);
        if (req.method !== matched.method && !(req.method === 'HEAD' && matched.method === 'GET')) {
          throw new HttpError(405, `${matched.route} takes ${matched.method}, not ${show(req.method)}`, {
            allow: matched.method,
          });
        }
        let body: unknown;
        if (matched.method === 'POST') {
          if (req.headers['inference-header-content-length'] !== undefined) {
            // Triton's binary tensor extension puts raw bytes after the JSON header; only JSON is served here.
            throw badRequest(
              'the binary tensor data extension is not supported; send the tensors as JSON "data"',
            );
          }
          const raw = await readBody(req, hold);
          try {
            body = JSON.parse(raw.toString('utf8'));
          } catch (err) {
            throw badRequest(`the request body is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
          }
        } else {
          req.resume();
        }
        const out = await handle(matched, body);
        finish(out.status, out.text, out.type);
      };
      run().catch((err: unknown) => {
        if (err instanceof HttpError) {
          // The rest of an unread body would be parsed as the next request: close instead.
          if (err.status === 413 || (err.status === 503 && !req.complete)) closeAfter = true;
          if (err.status >= 500)
            log.warn(`${req.method} ${matched?.route ?? 'unknown'}: ${err.status} ${err.message}`);
          finish(err.status, JSON.stringify({ error: err.message }), 'application/json', err.headers);
          if (closeAfter && !req.complete) res.once('finish', () => req.destroy());
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        if (message === 'client aborted' || res.destroyed) return;
        log.error(`${req.method} ${matched?.route ?? 'unknown'}: internal error: ${message}`);
        finish(500, JSON.stringify({ error: `internal error: ${message}` }));
      });
    };

    server = http.createServer(
      {
        headersTimeout: options.headersTimeoutMs ?? 10_000,
        requestTimeout: options.bodyTimeoutMs ?? 30_000,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
        // Timeouts are enforced by this periodic check; Node's 30 s default would let slow senders linger.
        connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs ?? 10_000),
        maxHeaderSize: 16 * 1024,
        noDelay: true,
      },
      onRequest,
    );
    server.maxConnections = options.maxConnections ?? 1024;
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      // Malformed HTTP, oversized headers, header timeouts: answer if the socket still can, never throw.
      if (socket.writable && !socket.destroyed) {
        const status =
          err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
        const body = JSON.stringify({ error: `bad HTTP request (${err.code ?? 'error'})` });
        socket.end(
          `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
      } else {
        socket.destroy();
      }
    });

    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const where = `${host}:${options.port ?? 0}`;
        if (err.code === 'EADDRINUSE')
          reject(new InputError(`cannot listen on ${where}: the port is in use`));
        else if (err.code === 'EADDRNOTAVAIL')
          reject(new InputError(`cannot listen on ${where}: no such local address`));
        else if (err.code === 'EACCES')
          reject(new InputError(`cannot listen on ${where}: permission denied`));
        else reject(err);
      });
      server.listen(options.port ?? 0, host, () => {
        server.removeAllListeners('error');
        resolve();
      });
    });
    server.on('error', (err) => log.error(`server: ${err.message}`));
    ready = true;
    metrics.ready.set(labels, 1);

    const address = server.address() as AddressInfo;
    const url = formatUrl(host, address.port);
    let closing: Promise<void> | undefined;

    const close = (): Promise<void> =>
      (closing ??= (async () => {
        ready = false;
        draining = true;
        metrics.ready.set(labels, 0);
        batcher.flush();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, drainTimeoutMs);
            idle = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        server.closeAllConnections();
        await stopped;
        await Promise.race([batcher.drain(), new Promise((r) => setTimeout(r, drainTimeoutMs).unref())]);
        await model.pool.close();
        await inputLog?.flush();
      })());

    return {
      url,
      host,
      port: address.port,
      name,
      version,
      model,
      metrics,
      stats: () => ({ requests, batches, batchedRows, inFlight, queueDepth: batcher.queueDepth }),
      close,
    };
  } catch (err) {
    await model.pool.close();
    throw err;
  }
}
