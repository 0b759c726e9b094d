import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Test servers with known behaviour, on loopback port 0. */
export interface TestServer {
  url: string;
  /** Requests the server received. */
  received: () => number;
  close: () => Promise<void>;
}

export interface DelayServerOptions {
  /** Fixed delay before answering, ms. */
  delayMs?: number;
  /** Status to answer with (default 200); a function picks per request (1-based count). */
  status?: number | ((n: number) => number);
  /** Answer with chunked encoding instead of Content-Length. */
  chunked?: boolean;
  /** Close the connection after every answer. */
  close?: boolean;
  /** Never answer (requests hang until the client gives up). */
  hang?: boolean;
  body?: string;
}

export async function startDelayServer(options: DelayServerOptions = {}): Promise<TestServer> {
  let n = 0;
  const body = options.body ?? '{"model_name":"m","outputs":[]}';
  const server = http.createServer((req, res) => {
    const k = ++n;
    req.resume();
    req.on('end', () => {
      if (options.hang) return;
      const answer = (): void => {
        const status = typeof options.status === 'function' ? options.status(k) : (options.status ?? 200);
        const headers: Record<string, string | number> = { 'content-type': 'application/json' };
        if (!options.chunked) headers['content-length'] = Buffer.byteLength(body);
        if (options.close) headers.connection = 'close';
        res.writeHead(status, headers);
        if (options.chunked) {
          res.write(body.slice(0, 5));
          res.end(body.slice(5));
        } else res.end(body);
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Starts fixtures/delay-server.mjs in its own process; resolves once it prints its port. */
export async function startDelayProcess(
  args: string[],
): Promise<TestServer & { durations: () => Promise<number[]>; reset: () => Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const script = new URL('./fixtures/delay-server.mjs', import.meta.url);
  const child = spawn(process.execPath, [script.pathname, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('delay server did not start within 30 s')), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`delay server exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const stats = async (): Promise<number[]> => {
    const res = await fetch(`${url}/stats`);
    return ((await res.json()) as { durations: number[] }).durations;
  };
  return {
    url,
    received: () => -1,
    durations: stats,
    reset: async () => {
      await fetch(`${url}/reset`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
