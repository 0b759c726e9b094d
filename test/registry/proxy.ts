/**
 * Fault-injecting proxies in front of the real registry: a TCP proxy that cuts one connection
 * after N bytes of request data, and an HTTP proxy that answers chosen requests with an error.
 */
import http from 'node:http';
import net from 'node:net';

export interface Proxy {
  host: string;
  /** Connections cut so far. */
  cuts: number;
  close(): Promise<void>;
}

/**
 * Cuts the first `times` connections whose client→registry bytes exceed `afterBytes`.
 * `mid-body`: the registry receives part of the request body, then the connection drops.
 * `before-patch`: the cut happens as a new PATCH request starts, before the registry sees any of
 * it (the registry's upload offset stays at the end of the previous chunk).
 */
export async function startCuttingProxy(
  target: string,
  afterBytes: number,
  times = 1,
  mode: 'mid-body' | 'before-patch' = 'mid-body',
): Promise<Proxy> {
  const [thost, tport] = target.split(':');
  const sockets = new Set<net.Socket>();
  const state: Proxy = { host: '', cuts: 0, close: async () => undefined };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(tport), thost);
    sockets.add(client);
    sockets.add(upstream);
    let sent = 0;
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (
        mode === 'before-patch' &&
        state.cuts < times &&
        sent > afterBytes &&
        chunk.subarray(0, 6).toString('latin1') === 'PATCH '
      ) {
        state.cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      if (mode === 'mid-body' && state.cuts < times && sent > afterBytes) {
        state.cuts++;
        // forward part of the chunk so the registry has received some of the body, then cut
        upstream.write(chunk.subarray(0, Math.floor(chunk.length / 2)), () => {
          client.destroy();
          upstream.destroy();
        });
        return;
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  state.close = () =>
    new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return state;
}

export interface FaultProxy extends Proxy {
  /** Requests answered with the fault. */
  injected: string[];
}

/** Answers the first `times` requests matching `match` with `status` (and Retry-After: 0). */
export async function startFaultProxy(
  target: string,
  match: (method: string, url: string) => boolean,
  status = 500,
  times = 1,
): Promise<FaultProxy> {
  const [thost, tport] = target.split(':');
  const state: FaultProxy = { host: '', cuts: 0, injected: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    if (state.injected.length < times && match(req.method ?? '', req.url ?? '')) {
      state.injected.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'injected by test proxy' }] }));
      });
      return;
    }
    const up = http.request(
      { host: thost, port: Number(tport), method: req.method, path: req.url, headers: req.headers },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  state.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
