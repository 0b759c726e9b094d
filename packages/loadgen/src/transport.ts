import http from 'node:http';
import https from 'node:https';

/** One request the generator sends, prepared once and reused for every send. */
export interface PreparedRequest {
  method: string;
  /** Path and query, e.g. `/v2/models/wine/infer`. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/**
 * Called once per send: `status` is the HTTP status, or 0 with `error` set to a short kind
 * (`timeout`, `ECONNREFUSED`, `ECONNRESET`...) when no complete response came back.
 */
export type SendDone = (status: number, error: string | undefined) => void;

/**
 * A keep-alive connection pool. The runner never has more than `connections` sends in flight,
 * so a transport never queues: a request waiting for a connection is the runner's to count as late.
 */
export interface Transport {
  /** Sends `requests[index]`. */
  send(index: number, done: SendDone): void;
  /** Ends every connection; in-flight sends finish with an error. */
  close(): Promise<void>;
}

export interface TransportOptions {
  url: URL;
  requests: PreparedRequest[];
  connections: number;
  timeoutMs: number;
}

export function errorKind(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  return e?.code ?? (e?.message ? e.message.slice(0, 60) : 'error');
}

/**
 * node:http's Agent with keep-alive and `maxSockets = connections`: the general transport
 * (https, any response framing, Node's own parser). About half the speed of the raw transport.
 */
export class AgentTransport implements Transport {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;

  constructor(private readonly options: TransportOptions) {
    const secure = options.url.protocol === 'https:';
    const Agent = secure ? https.Agent : http.Agent;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: options.connections,
      maxFreeSockets: options.connections,
    });
    this.request = secure ? https.request : http.request;
  }

  send(index: number, done: SendDone): void {
    const prepared = this.options.requests[index]!;
    const url = this.options.url;
    let finished = false;
    const finish = (status: number, error: string | undefined): void => {
      if (finished) return;
      finished = true;
      done(status, error);
    };
    const req = this.request(
      {
        agent: this.agent,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        method: prepared.method,
        path: prepared.path,
        headers: prepared.headers,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.on('data', noop);
        res.on('end', () => finish(status, undefined));
        res.on('error', (err) => finish(0, errorKind(err)));
        res.on('aborted', () => finish(0, 'ECONNRESET'));
      },
    );
    req.setTimeout(this.options.timeoutMs, () => {
      finish(0, 'timeout');
      req.destroy();
    });
    req.on('error', (err) => finish(0, errorKind(err)));
    req.end(prepared.body);
  }

  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }
}

function noop(): void {}
