import net from 'node:net';
import type { SendDone, Transport, TransportOptions } from './transport.js';

/**
 * HTTP/1.1 over keep-alive node:net sockets with the requests serialised once and a small response
 * parser (status line, Content-Length, chunked, read-until-close). It exists because node:http's
 * client tops out near 40% of wrk on one core; this one reaches wrk's rate (bench/loadgen). Plain
 * http only; https goes through AgentTransport.
 */

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

type Phase = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-trailer' | 'until-close';

export function serialiseRequest(
  url: URL,
  request: { method: string; path: string; headers: Record<string, string>; body?: Buffer },
): Buffer {
  let head = `${request.method} ${request.path} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  let hasLength = false;
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() === 'host') continue;
    if (name.toLowerCase() === 'content-length') hasLength = true;
    head += `${name}: ${value}\r\n`;
  }
  const body = request.body ?? Buffer.alloc(0);
  if (!hasLength && (body.length > 0 || request.method !== 'GET'))
    head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

export class RawTransport implements Transport {
  private readonly wire: Buffer[];
  readonly readBuffer = Buffer.allocUnsafe(64 * 1024);
  private readonly idle: Connection[] = [];
  /** Every open connection, busy or idle. */
  readonly open = new Set<Connection>();
  private readonly sweep: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: TransportOptions) {
    if (options.url.protocol !== 'http:')
      throw new Error(`raw transport: only http:// URLs (got ${options.url.protocol})`);
    this.wire = options.requests.map((r) => serialiseRequest(options.url, r));
    // One coarse sweep instead of a timer per request: at 50k requests/s timers would cost more
    // than the sends.
    const every = Math.max(10, Math.min(250, options.timeoutMs / 4));
    this.sweep = setInterval(() => this.expire(), every);
    this.sweep.unref();
  }

  send(index: number, done: SendDone): void {
    if (this.closed) {
      done(0, 'closed');
      return;
    }
    const conn = this.idle.pop() ?? new Connection(this, this.options.url);
    conn.start(this.wire[index]!, index, done);
  }

  /** A connection finished a response and can take another request. */
  release(conn: Connection): void {
    this.idle.push(conn);
  }

  forget(conn: Connection): void {
    this.open.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Retries a request whose reused connection turned out to be closed by the server. */
  retry(index: number, done: SendDone): void {
    const conn = new Connection(this, this.options.url);
    conn.start(this.wire[index]!, index, done, false);
  }

  private expire(): void {
    const now = performance.now();
    for (const conn of this.open) conn.expireIfOlder(now - this.options.timeoutMs);
  }

  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweep);
    for (const conn of [...this.open]) conn.destroy('closed');
    this.idle.length = 0;
    return Promise.resolve();
  }
}

class Connection {
  private readonly socket: net.Socket;
  private done: SendDone | undefined;
  private index = 0;
  private sentAt = 0;
  private used = false;
  private retryable = true;
  private gotBytes = false;
  private pending: Buffer | undefined;
  private phase: Phase = 'head';
  private remaining = 0;
  private status = 0;
  private keepAlive = true;
  private dead = false;
  private lastError: string | undefined;

  constructor(
    private readonly owner: RawTransport,
    url: URL,
  ) {
    owner.open.add(this);
    // onread reads into one buffer shared by every connection (reads are synchronous on this
    // thread): no Buffer per read and no Readable stream between the socket and the parser.
    this.socket = net.connect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 80),
      onread: {
        buffer: owner.readBuffer,
        callback: (n: number, buf: Uint8Array): boolean => {
          this.onData(buf as Buffer, n);
          return true;
        },
      },
    });
    this.socket.setNoDelay(true);
    this.socket.on('error', (err: NodeJS.ErrnoException) => {
      this.lastError = err.code ?? err.message;
    });
    this.socket.on('close', () => this.onClose());
  }

  start(wire: Buffer, index: number, done: SendDone, retryable = true): void {
    this.done = done;
    this.index = index;
    this.sentAt = performance.now();
    this.retryable = retryable && this.used;
    this.used = true;
    this.gotBytes = false;
    this.phase = 'head';
    this.status = 0;
    this.keepAlive = true;
    this.socket.write(wire);
  }

  expireIfOlder(limit: number): void {
    if (this.done && this.sentAt < limit) this.destroy('timeout');
  }

  destroy(reason: string): void {
    const done = this.done;
    this.done = undefined;
    this.kill();
    if (done) done(0, reason);
  }

  private kill(): void {
    if (this.dead) return;
    this.dead = true;
    this.owner.forget(this);
    this.socket.destroy();
  }

  private onClose(): void {
    const done = this.done;
    this.done = undefined;
    const wasDead = this.dead;
    this.kill();
    if (!done || wasDead) return;
    if (this.phase === 'until-close') {
      done(this.status, undefined);
    } else if (this.retryable && !this.gotBytes) {
      // The server closed an idle keep-alive connection just as we reused it; the request never
      // reached it, so sending it again on a fresh connection is what a browser would do.
      this.owner.retry(this.index, done);
    } else {
      done(0, this.lastError ?? 'ECONNRESET');
    }
  }

  private onData(buf: Buffer, n: number): void {
    if (!this.done) {
      // Bytes nobody asked for: the stream is out of step, so the connection is unusable.
      this.kill();
      return;
    }
    this.gotBytes = true;
    // The read buffer is reused by the next read: anything kept past this call is copied (keep).
    let data = buf.subarray(0, n);
    if (this.pending) {
      data = Buffer.concat([this.pending, data]);
      this.pending = undefined;
    }
    let at = 0;
    while (at < data.length || this.phase === 'body' || this.phase === 'chunk-trailer') {
      switch (this.phase) {
        case 'head': {
          const end = data.indexOf(HEAD_END, at);
          if (end < 0) return this.keep(data, at, 'response head too large');
          const next = this.parseHead(data.toString('latin1', at, end));
          at = end + 4;
          if (next === 'done') return this.complete();
          if (next === 'error') return this.destroy('bad-response');
          break;
        }
        case 'body': {
          const take = Math.min(this.remaining, data.length - at);
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) return this.complete();
          return;
        }
        case 'chunk-size': {
          const end = data.indexOf(CRLF, at);
          if (end < 0) return this.keep(data, at, 'chunk size line too long');
          const size = parseInt(data.toString('latin1', at, end).split(';')[0]!.trim(), 16);
          if (!Number.isFinite(size) || size < 0) return this.destroy('bad-response');
          at = end + 2;
          if (size === 0) this.phase = 'chunk-trailer';
          else {
            this.phase = 'chunk-data';
            this.remaining = size + 2;
          }
          break;
        }
        case 'chunk-data': {
          const take = Math.min(this.remaining, data.length - at);
          at += take;
          this.remaining -= take;
          if (this.remaining > 0) return;
          this.phase = 'chunk-size';
          break;
        }
        case 'chunk-trailer': {
          const end = data.indexOf(CRLF, at);
          if (end < 0) return this.keep(data, at, 'trailer too long');
          if (end === at) return this.complete();
          at = end + 2;
          break;
        }
        case 'until-close':
          return;
      }
    }
  }

  private keep(data: Buffer, at: number, tooLong: string): void {
    const rest = data.subarray(at);
    if (rest.length > MAX_HEAD) return this.destroy(tooLong);
    // Copy: a slice would pin the whole socket chunk.
    this.pending = Buffer.from(rest);
  }

  private parseHead(head: string): 'done' | 'more' | 'error' {
    // "HTTP/1.1 200 OK"
    if (!head.startsWith('HTTP/1.')) return 'error';
    const status = Number(head.slice(9, 12));
    if (!Number.isInteger(status)) return 'error';
    if (status >= 100 && status < 200) return 'more';
    this.status = status;
    this.keepAlive = head.charCodeAt(7) !== 0x30; // HTTP/1.0 closes by default
    // One lowercase copy and three searches: cheaper than splitting every header line.
    const lower = head.toLowerCase();
    const header = (name: string): string | undefined => {
      const at = lower.indexOf(`\r\n${name}:`);
      if (at < 0) return undefined;
      const from = at + name.length + 3;
      const end = lower.indexOf('\r\n', from);
      return lower.slice(from, end < 0 ? undefined : end).trim();
    };
    const lengthText = header('content-length');
    const length = lengthText === undefined ? -1 : Number(lengthText);
    const chunked = header('transfer-encoding')?.includes('chunked') ?? false;
    const connection = header('connection');
    if (connection === 'close') this.keepAlive = false;
    else if (connection === 'keep-alive') this.keepAlive = true;
    if (status === 204 || status === 304) return 'done';
    if (chunked) {
      this.phase = 'chunk-size';
      return 'more';
    }
    if (length >= 0 && Number.isFinite(length)) {
      if (length === 0) return 'done';
      this.phase = 'body';
      this.remaining = length;
      return 'more';
    }
    this.phase = 'until-close';
    this.keepAlive = false;
    return 'more';
  }

  private complete(): void {
    const done = this.done!;
    const status = this.status;
    this.done = undefined;
    this.phase = 'head';
    this.pending = undefined;
    if (this.keepAlive) this.owner.release(this);
    else this.kill();
    done(status, undefined);
  }
}
