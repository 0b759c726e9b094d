import { connect } from 'node:net';
import type { Socket } from 'node:net';

/**
 * A keep-alive HTTP/1.1 client for the router's upstreams, on raw sockets: the request goes out as
 * one buffer and the response is parsed just far enough to find its end (content-length, chunked,
 * or close-delimited), then handed back whole. node:http's client costs the router more than
 * its own server side; model-server answers are small, so buffering them is cheap.
 */

export interface UpstreamResponse {
  status: number;
  /** Header pairs as received, hop-by-hop ones removed. */
  headers: [string, string][];
  body: Buffer;
}

export interface SendError extends Error {
  code?: string;
  /** The request went out on a socket that had served a request before (it may have been closed idle). */
  reused: boolean;
  /** Bytes of a response had arrived: the upstream saw the request. */
  partial: boolean;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
]);

interface Pending {
  resolve: (r: UpstreamResponse) => void;
  reject: (e: SendError) => void;
  reused: boolean;
  head: boolean;
}

class Conn {
  private buf: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private served = 0;
  closed = false;

  constructor(
    readonly socket: Socket,
    private readonly release: (c: Conn) => void,
    private readonly maxBody: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(err.code ?? 'EIO', err.message));
    socket.on('close', () => this.fail('ECONNRESET', 'upstream closed the connection'));
  }

  send(data: Buffer, head: boolean): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, reused: this.served > 0, head };
      this.socket.write(data);
    });
  }

  private fail(code: string, message: string) {
    const wasClosed = this.closed;
    this.closed = true;
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      // A close-delimited body ends with the connection.
      if (code === 'ECONNRESET' && !wasClosed && this.closeDelimited) {
        const r = this.tryParse(true);
        if (r) {
          p.resolve(r);
          return;
        }
      }
      const err = Object.assign(new Error(message), {
        code,
        reused: p.reused,
        partial: this.buf.length > 0,
      }) as SendError;
      p.reject(err);
    }
    this.socket.destroy();
  }

  private closeDelimited = false;

  private onData(d: Buffer) {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    if (!this.pending) {
      // Bytes nobody asked for: the connection is out of step; drop it.
      this.fail('EPROTO', 'unexpected data from upstream');
      return;
    }
    if (this.buf.length > this.maxBody + 65536) {
      this.fail('E2BIG', `upstream response over ${this.maxBody} bytes`);
      return;
    }
    const r = this.tryParse(false);
    if (!r) return;
    const p = this.pending;
    this.pending = undefined;
    this.served++;
    p.resolve(r);
    if (this.keepAlive && !this.closed) this.release(this);
    else {
      this.closed = true;
      this.socket.end();
    }
  }

  private keepAlive = true;

  private tryParse(atClose: boolean): UpstreamResponse | undefined {
    const end = this.buf.indexOf(CRLFCRLF);
    if (end < 0) return undefined;
    const headText = this.buf.toString('latin1', 0, end);
    const lines = headText.split('\r\n');
    const status = Number(lines[0]!.slice(9, 12));
    const headers: [string, string][] = [];
    let length = -1;
    let chunked = false;
    let keepAlive = lines[0]!.startsWith('HTTP/1.1');
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      const lower = name.toLowerCase();
      if (lower === 'content-length') length = Number(value);
      else if (lower === 'transfer-encoding') chunked = /chunked/i.test(value);
      else if (lower === 'connection')
        keepAlive = !/close/i.test(value) && (keepAlive || /keep-alive/i.test(value));
      if (!HOP.has(lower)) headers.push([name, value]);
    }
    const start = end + 4;
    const noBody = this.pending?.head || status === 204 || status === 304 || (status >= 100 && status < 200);
    let body: Buffer;
    if (noBody) {
      body = Buffer.alloc(0);
      this.buf = this.buf.subarray(start);
    } else if (chunked) {
      const decoded = decodeChunked(this.buf, start);
      if (!decoded) return undefined;
      body = decoded.body;
      this.buf = this.buf.subarray(decoded.end);
    } else if (length >= 0) {
      if (this.buf.length < start + length) return undefined;
      body = this.buf.subarray(start, start + length);
      this.buf = this.buf.subarray(start + length);
    } else {
      this.closeDelimited = true;
      keepAlive = false;
      if (!atClose) return undefined;
      body = this.buf.subarray(start);
      this.buf = Buffer.alloc(0);
    }
    this.keepAlive = keepAlive;
    if (this.buf.length === 0) this.buf = Buffer.alloc(0);
    return { status, headers, body: Buffer.from(body) };
  }
}

function decodeChunked(buf: Buffer, from: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = buf.indexOf('\r\n', at, 'latin1');
    if (eol < 0) return undefined;
    const size = parseInt(buf.toString('latin1', at, eol).split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size)) return undefined;
    at = eol + 2;
    if (size === 0) {
      // Trailers end with an empty line.
      const endOfTrailers = buf.indexOf(CRLFCRLF, at - 2);
      if (endOfTrailers < 0) return undefined;
      return { body: Buffer.concat(parts), end: endOfTrailers + 4 };
    }
    if (buf.length < at + size + 2) return undefined;
    parts.push(buf.subarray(at, at + size));
    at += size + 2;
  }
}

export class RawUpstream {
  private readonly idle: Conn[] = [];
  private readonly all = new Set<Conn>();
  readonly host: string;
  readonly port: number;
  readonly hostHeader: string;

  constructor(
    readonly url: URL,
    private readonly maxBody = 64 << 20,
  ) {
    if (url.protocol !== 'http:') throw new Error(`raw upstream supports http only, not ${url.protocol}`);
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port || 80);
    this.hostHeader = url.host;
  }

  /** Sends one request (method, path, headers without Host/Content-Length, body). */
  async request(
    method: string,
    path: string,
    headers: [string, string][],
    body: Buffer,
  ): Promise<UpstreamResponse> {
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n`;
    for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
    head += `Content-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`;
    const data = body.length
      ? Buffer.concat([Buffer.from(head, 'latin1'), body])
      : Buffer.from(head, 'latin1');
    const conn = await this.take();
    return conn.send(data, method === 'HEAD');
  }

  private take(): Promise<Conn> {
    for (;;) {
      const c = this.idle.pop();
      if (!c) break;
      if (!c.closed) return Promise.resolve(c);
    }
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port });
      const onError = (err: NodeJS.ErrnoException) => {
        reject(Object.assign(new Error(err.message), { code: err.code, reused: false, partial: false }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        const conn = new Conn(socket, (c) => this.idle.push(c), this.maxBody);
        this.all.add(conn);
        socket.once('close', () => {
          this.all.delete(conn);
          const i = this.idle.indexOf(conn);
          if (i >= 0) this.idle.splice(i, 1);
        });
        resolve(conn);
      });
    });
  }

  /** Connections with a request in flight. */
  get busy(): number {
    return this.all.size - this.idle.length;
  }

  destroy(): void {
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.idle.length = 0;
  }
}
