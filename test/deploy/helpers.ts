import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { LocalUpstream } from '../../packages/deploy/src/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/upstream.mjs', import.meta.url));

export interface ChildUpstream extends LocalUpstream {
  child: ChildProcess;
  kill(signal?: NodeJS.Signals): void;
}

const children = new Set<ChildProcess>();

/** Starts the fixture server as its own process (so a test can kill it) and waits for its URL. */
export async function startUpstream(flags: Record<string, string | number> = {}): Promise<ChildUpstream> {
  const child = spawn(process.execPath, [FIXTURE, ...Object.entries(flags).map(([k, v]) => `--${k}=${v}`)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('upstream did not start within 60 s')), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening (\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`upstream exited with ${code}`)));
  });
  return {
    url,
    child,
    kill: (signal = 'SIGKILL') => child.kill(signal),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

export function killAllUpstreams(): void {
  for (const c of children) c.kill('SIGKILL');
}

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** The first few failures, for the assertion message. */
  failures: string[];
  byBody: Record<string, number>;
}

/**
 * An open-loop, bounded load: `rate` requests per second on keep-alive connections until `stop()`
 * or `maxRequests`. Sends in 10 ms ticks so a slow machine lags rather than bursts; nothing is
 * asserted about the achieved rate.
 */
export function startLoad(url: string, rate: number, maxRequests: number, maxMs = 120_000) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const result: LoadResult = { sent: 0, ok: 0, failed: 0, failures: [], byBody: {} };
  const body = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 1], datatype: 'FP32', data: [1] }] });
  let stopped = false;
  let pending = 0;
  let resolveDrain: (() => void) | undefined;
  const started = Date.now();
  const fail = (why: string) => {
    result.failed++;
    if (result.failures.length < 10) result.failures.push(why);
  };
  const one = () => {
    result.sent++;
    pending++;
    const req = request(`${url}/v2/models/m/infer`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode === 200) {
          result.ok++;
          const name = (JSON.parse(text) as { model_name?: string }).model_name ?? '?';
          result.byBody[name] = (result.byBody[name] ?? 0) + 1;
        } else fail(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
        done();
      });
    });
    req.on('error', (err) => {
      fail(err.message);
      done();
    });
    req.end(body);
  };
  const done = () => {
    pending--;
    if (stopped && pending === 0) resolveDrain?.();
  };
  let due = 0;
  let last = Date.now();
  const timer = setInterval(() => {
    const t = Date.now();
    due += ((t - last) / 1000) * rate;
    last = t;
    // Never more than one tick's worth of backlog: a stalled loop must not fire a burst.
    due = Math.min(due, rate / 50);
    while (due >= 1 && result.sent < maxRequests) {
      one();
      due--;
    }
    if (result.sent >= maxRequests || t - started > maxMs) stop();
  }, 10);
  const finished = new Promise<void>((r) => (resolveDrain = r));
  function stop() {
    if (!stopped) {
      stopped = true;
      clearInterval(timer);
      if (pending === 0) resolveDrain?.();
    }
  }
  return {
    result,
    async stop(): Promise<LoadResult> {
      stop();
      await finished;
      agent.destroy();
      return result;
    },
  };
}
