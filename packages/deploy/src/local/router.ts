import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import { LATENCY_BUCKETS, RouterMetrics } from './metrics.js';
import { RawUpstream } from './raw-upstream.js';
import type { SendError } from './raw-upstream.js';

export type BackendName = 'stable' | 'canary';

export interface RouterOptions {
  stable: string;
  canary: string;
  /** Initial canary weight, percent (default 0). */
  canaryWeight?: number;
  host?: string;
  port?: number;
  /** Metric name prefix (default `mlops_router`). */
  prefix?: string;
  /** Largest request body accepted, bytes (default 16 MiB). */
  maxBodyBytes?: number;
}

export interface Router {
  url: string;
  /** `host:port` Prometheus scrapes (`/metrics` on the same listener). */
  target: string;
  readonly canaryWeight: number;
  /** Moves traffic; in-flight requests and open connections are untouched. */
  setCanaryWeight(percent: number): void;
  /** Points a backend at another upstream (promotion swaps stable); old keep-alive sockets drain. */
  setUpstream(backend: BackendName, url: string): void;
  upstream(backend: BackendName): string;
  /** Requests of a backend that have not finished yet. */
  inFlight(backend: BackendName): number;
  registry: Registry;
  /** The counters behind `/metrics`, read in-process when no Prometheus is installed. */
  metrics: RouterMetrics;
  close(): Promise<void>;
}

export { LATENCY_BUCKETS };

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/** Request headers for the upstream: hop-by-hop ones dropped, X-Forwarded-For added. */
function forwardHeaders(raw: string[], remote: string | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!;
    if (!HOP_BY_HOP.has(k.toLowerCase())) out.push([k, raw[i + 1]!]);
  }
  if (remote) out.push(['X-Forwarded-For', remote]);
  return out;
}

/**
 * Weighted reverse proxy for the local canary: smooth weighted round-robin between stable and
 * canary (nginx's algorithm, so a 5% step sends exactly 1 in 20 requests), per-backend Prometheus
 * metrics, request bodies buffered so a request whose upstream refused the connection (a crashed
 * canary) is replayed on the other backend instead of failing the client. The refusal still counts
 * as an error of the backend that refused, so the analysis sees the crash.
 */
export async function startRouter(options: RouterOptions): Promise<Router> {
  const prefix = options.prefix ?? 'mlops_router';
  const maxBody = options.maxBodyBytes ?? 16 << 20;
  const registry = new Registry();
  const metrics = new RouterMetrics(prefix, registry);
  const weightGauge = new Gauge({
    name: `${prefix}_weight_percent`,
    help: 'Traffic percent routed to each backend.',
    labelNames: ['backend'],
    registers: [registry],
  });
  // Keep-alive pools per upstream: a weight change only changes which pool the next request uses.
  const upstreams: Record<BackendName, RawUpstream> = {
    stable: new RawUpstream(new URL(options.stable)),
    canary: new RawUpstream(new URL(options.canary)),
  };
  const retired: RawUpstream[] = [];
  const inFlight: Record<BackendName, number> = { stable: 0, canary: 0 };
  let canaryWeight = 0;
  let current = { stable: 0, canary: 0 };

  function setCanaryWeight(percent: number) {
    if (!(percent >= 0 && percent <= 100))
      throw new RangeError(`canary weight ${percent} is not within 0..100`);
    canaryWeight = percent;
    current = { stable: 0, canary: 0 };
    weightGauge.set({ backend: 'canary' }, percent);
    weightGauge.set({ backend: 'stable' }, 100 - percent);
  }
  setCanaryWeight(options.canaryWeight ?? 0);

  function pick(): BackendName {
    if (canaryWeight <= 0) return 'stable';
    if (canaryWeight >= 100) return 'canary';
    current.canary += canaryWeight;
    current.stable += 100 - canaryWeight;
    if (current.canary >= current.stable) {
      current.canary -= 100;
      return 'canary';
    }
    current.stable -= 100;
    return 'stable';
  }

  function other(b: BackendName): BackendName {
    return b === 'stable' ? 'canary' : 'stable';
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    headers: [string, string][],
    body: Buffer,
    backend: BackendName,
    start: bigint,
    attempt: number,
  ) {
    const up = upstreams[backend];
    inFlight[backend]++;
    up.request(req.method ?? 'GET', req.url ?? '/', headers, body).then(
      (r) => {
        inFlight[backend]--;
        const out: string[] = [];
        for (const [k, v] of r.headers) out.push(k, v);
        out.push('Content-Length', String(r.body.length));
        res.writeHead(r.status, out);
        res.end(r.body);
        metrics.count(backend, String(r.status));
        metrics.observe(backend, Number(process.hrtime.bigint() - start) / 1e9);
      },
      (err: SendError) => {
        inFlight[backend]--;
        // A reused keep-alive socket the upstream had just closed: the request never reached it.
        const stale = err.reused && !err.partial && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
        const refused = err.code === 'ECONNREFUSED';
        if (!stale) metrics.count(backend, 'error');
        if ((stale || refused) && attempt < 3 && !res.destroyed) {
          forward(req, res, headers, body, refused ? other(backend) : backend, start, attempt + 1);
          return;
        }
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return;
        }
        const msg = JSON.stringify({ error: `upstream ${backend} failed: ${err.message}` });
        res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(msg) });
        res.end(msg);
      },
    );
  }

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    if (req.url === '/metrics' && req.method === 'GET') {
      registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        })
        .catch((err: Error) => {
          res.writeHead(500);
          res.end(err.message);
        });
      return;
    }
    const start = process.hrtime.bigint();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error: `request body over ${maxBody} bytes` }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      forward(req, res, forwardHeaders(req.rawHeaders, req.socket.remoteAddress), body, pick(), start, 0);
    });
  });
  server.headersTimeout = 60_000;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host}:${port}`,
    target: `${host}:${port}`,
    metrics,
    get canaryWeight() {
      return canaryWeight;
    },
    setCanaryWeight,
    setUpstream(backend, url) {
      if (upstreams[backend].url.href === new URL(url).href) return;
      retired.push(upstreams[backend]);
      upstreams[backend] = new RawUpstream(new URL(url));
    },
    upstream: (b) => upstreams[b].url.href.replace(/\/$/, ''),
    inFlight: (b) => inFlight[b],
    registry,
    close: async () => {
      server.closeIdleConnections?.();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, 2000).unref();
      });
      for (const u of [...retired, upstreams.stable, upstreams.canary]) u.destroy();
    },
  };
}
