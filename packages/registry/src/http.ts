/**
 * A small HTTP layer on node:http(s): keep-alive agents, streaming request bodies with a known
 * length, whole-body reads for JSON, and the retry policy the distribution API needs (5xx and 429
 * with `Retry-After`, connection resets). undici is not a dependency; node's http module gives the
 * control over sockets that resumable uploads need.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A buffer, or a factory for a fresh stream (called again on each retry). */
  body?: Buffer | (() => Readable | Promise<Readable>);
  /** Required with a stream body: registries reject chunked PUTs of blobs. */
  contentLength?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  url: string;
}

export interface StreamResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  stream: http.IncomingMessage;
  url: string;
}

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

export class HttpNetworkError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'HttpNetworkError';
  }
}

/** Sends one request; resolves when headers arrive, with the response body as a stream. */
export function sendStream(req: HttpRequest): Promise<StreamResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url);
    const isHttps = url.protocol === 'https:';
    const mod = isHttps ? https : http;
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (Buffer.isBuffer(req.body)) headers['content-length'] = String(req.body.length);
    else if (req.body) {
      if (req.contentLength === undefined) throw new Error('stream bodies need contentLength');
      headers['content-length'] = String(req.contentLength);
    } else if (req.method === 'PUT' || req.method === 'POST' || req.method === 'PATCH') {
      headers['content-length'] = '0';
    }
    const r = mod.request(
      url,
      { method: req.method, headers, agent: isHttps ? agents.https : agents.http },
      (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, stream: res, url: req.url }),
    );
    r.on('error', (err) =>
      reject(new HttpNetworkError(`${req.method} ${redactUrl(req.url)}: ${err.message}`, err)),
    );
    if (Buffer.isBuffer(req.body)) r.end(req.body);
    else if (req.body) {
      Promise.resolve(req.body()).then(
        (body) => {
          body.on('error', (err) => r.destroy(err));
          body.pipe(r);
        },
        (err: Error) => r.destroy(err),
      );
    } else r.end();
  });
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export async function send(req: HttpRequest): Promise<HttpResponse> {
  const res = await sendStream(req);
  let body: Buffer;
  try {
    body = await readAll(res.stream);
  } catch (err) {
    throw new HttpNetworkError(`${req.method} ${redactUrl(req.url)}: ${(err as Error).message}`, err);
  }
  return { status: res.status, headers: res.headers, body, url: req.url };
}

export interface RetryPolicy {
  attempts: number;
  /** First backoff in ms; doubles each attempt. */
  baseDelayMs: number;
  /** Upper bound for one wait, including a server's Retry-After. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504 || status === 500;
}

/** Milliseconds to wait from a Retry-After header (seconds or an HTTP date), if present. */
export function retryAfterMs(headers: http.IncomingHttpHeaders, now = Date.now()): number | undefined {
  const v = headers['retry-after'];
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Removes credentials and signed upload state from a URL before it goes into a message. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()]) {
      if (/state|token|signature|sig|password/i.test(key)) u.searchParams.set(key, 'REDACTED');
    }
    return u.toString();
  } catch {
    return raw;
  }
}

export function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
